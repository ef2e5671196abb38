/**
 * `tcdeals serve` with HTTPS and proxy mode, as a child process: the banner names the TLS port and
 * prints the `ca env` line; --tls-name refuses names the CA may not sign; --tls-cert/--tls-key
 * serve the operator's certificate; --no-proxy and --proxy-passthrough off; and SIGTERM still
 * stops the server promptly with a TLS keep-alive connection and a passthrough tunnel open.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { tc3Headers } from '../../src/client/signer.js';
import { DEMO_CLIENT } from '../../src/domain/demo-seed.js';
import { cli, serve, testCaDir, type RunningServer } from '../helpers/cli.js';
import { connectVia, readToClose, requestOn, selfSigned, tlsOver } from '../helpers/tls.js';

const BODY = JSON.stringify({ StartTime: '2000-01-01 00:00:00', EndTime: '2100-01-01 00:00:00', Limit: 1 });

function billingCall(host: string): string {
  const h = tc3Headers({ secretId: DEMO_CLIENT.key.SecretId, secretKey: DEMO_CLIENT.key.SecretKey, service: 'billing', host, timestamp: Math.floor(Date.now() / 1000), payload: BODY, action: 'DescribeDealsByCond', version: '2018-07-09' });
  return `POST / HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Content-Length: ${BODY.length}\r\n\r\n${BODY}`;
}

function tlsTo(port: number, o: { ca: string; servername?: string }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', ca: o.ca, ...(o.servername ? { servername: o.servername } : {}) }, () => resolve(s));
    s.once('error', reject);
  });
}

describe('tcdeals serve --tls-port, proxy mode', () => {
  let dir: string;
  const servers: RunningServer[] = [];
  /** A plain TCP server that accepts and holds connections (a passthrough target). */
  let hold: Server;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-serve-tls-'));
    hold = createNetServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => hold.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await new Promise((r) => hold.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  test('the banner names the TLS port and prints the ca env line; the API answers on both; SIGTERM stops it with connections open', async () => {
    const server = await serve(['--db', ':memory:', '--tls-port', '0', '--tls-name', 'billing.ap-guangzhou.tencentcloudapi.com']);
    servers.push(server);
    const out = server.output();
    const tlsPort = Number(/HTTPS on https:\/\/127\.0\.0\.1:(\d+) +\(certificate from the tcdeals CA for localhost, 127\.0\.0\.1, ::1, tencentcloudapi\.com, \*\.tencentcloudapi\.com, billing\.ap-guangzhou\.tencentcloudapi\.com\)/.exec(out)?.[1]);
    assert.ok(tlsPort > 0, out);
    assert.match(out, new RegExp(`Proxy mode on http://${server.endpoint}: Tencent Cloud API names are served here, other hosts tunnelled through\\.`));
    assert.match(out, new RegExp(`eval "\\$\\(npx tcdeals ca env --ca-dir \\S+ --endpoint http://${server.endpoint}\\)"`));
    assert.match(out, /once: npx tcdeals ca install --certifi python3 --ca-dir \S+/);
    assert.doesNotMatch(out, /WARNING/);
    const caPem = readFileSync(join(testCaDir(), 'ca.pem'), 'utf8');
    assert.match(out, new RegExp(`CA: ${join(testCaDir(), 'ca.pem')}`));

    const s = await tlsTo(tlsPort, { ca: caPem, servername: 'billing.ap-guangzhou.tencentcloudapi.com' });
    const a = await requestOn(s, billingCall(`billing.ap-guangzhou.tencentcloudapi.com:${tlsPort}`));
    assert.equal(JSON.parse(a.body).Response.Error, undefined, a.body);
    // Kept open: a TLS keep-alive connection, a proxied TLS tunnel and a passthrough tunnel.
    const port = Number(server.endpoint.split(':')[1]);
    const t = await connectVia(port, 'billing.tencentcloudapi.com:443');
    const proxied = await tlsOver(t.socket, { servername: 'billing.tencentcloudapi.com', ca: caPem });
    assert.equal(JSON.parse((await requestOn(proxied, billingCall('billing.tencentcloudapi.com'))).body).Response.Error, undefined);
    const tunnel = await connectVia(port, `127.0.0.1:${(hold.address() as AddressInfo).port}`);
    assert.equal(tunnel.status, 200);
    const started = Date.now();
    assert.equal(await server.stop('SIGTERM'), 0, server.output());
    assert.ok(Date.now() - started < 5000, `stopped in ${Date.now() - started} ms`);
    for (const sock of [s, proxied, tunnel.socket]) sock.destroy();
  });

  test('--tls-name outside the CA’s constraints is refused at start', () => {
    const r = cli(['serve', '--port', '0', '--db', ':memory:', '--tls-port', '0', '--tls-name', 'api.example.com'], undefined, { TCDEALS_CA_DIR: testCaDir() });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /may only sign tencentcloudapi\.com \(and its subdomains\), localhost.*refused: api\.example\.com.*--tls-cert and --tls-key/);
  });

  test('--tls-cert/--tls-key serve the operator’s certificate', async () => {
    const own = await selfSigned(['localhost', 'tcdeals.internal']);
    writeFileSync(join(dir, 'cert.pem'), own.cert);
    writeFileSync(join(dir, 'key.pem'), own.key, { mode: 0o600 });
    const server = await serve(['--db', ':memory:', '--tls-port', '0', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
    servers.push(server);
    const tlsPort = Number(/HTTPS on https:\/\/127\.0\.0\.1:(\d+) +\(certificate .*cert\.pem\)/.exec(server.output())?.[1]);
    assert.ok(tlsPort > 0, server.output());
    const s = await tlsTo(tlsPort, { ca: own.cert, servername: 'tcdeals.internal' });
    const a = await requestOn(s, billingCall(`tcdeals.internal:${tlsPort}`));
    assert.equal(JSON.parse(a.body).Response.Error, undefined, a.body);
    s.destroy();
    const half = cli(['serve', '--port', '0', '--db', ':memory:', '--tls-port', '0', '--tls-cert', join(dir, 'cert.pem')]);
    assert.equal(half.status, 1);
    assert.match(half.stderr, /--tls-cert and --tls-key go together/);
  });

  test('--no-proxy: CONNECT is UnsupportedProtocol in the envelope; --proxy-passthrough off: other hosts 403', async () => {
    const plain = await serve(['--db', ':memory:', '--no-proxy', '--no-demo']);
    servers.push(plain);
    assert.doesNotMatch(plain.output(), /Proxy mode/);
    const refused = await connectVia(Number(plain.endpoint.split(':')[1]), 'billing.tencentcloudapi.com:443');
    assert.equal(refused.status, 200);
    assert.match(refused.text, /Content-Type: application\/json/);
    const body = await readToClose(refused.socket);
    assert.equal(JSON.parse(body.text).Response.Error.Code, 'UnsupportedProtocol');
    const closed = await serve(['--db', ':memory:', '--proxy-passthrough', 'off', '--no-demo']);
    servers.push(closed);
    assert.match(closed.output(), /other hosts refused \(passthrough off\)/);
    const other = await connectVia(Number(closed.endpoint.split(':')[1]), `127.0.0.1:${(hold.address() as AddressInfo).port}`);
    assert.equal(other.status, 403);
  });
});
