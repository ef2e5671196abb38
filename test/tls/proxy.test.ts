/**
 * Proxy mode on the main port and the TLS port, over raw sockets: CONNECT tunnels to Tencent Cloud
 * API names are TLS-terminated with leaves from the local CA and served as the API (keep-alive,
 * the signed production host and service verify unchanged); absolute-form requests are served or
 * forwarded; other hosts are tunnelled byte for byte, or refused with passthrough off. Bad input
 * on the new paths ends in a clean refusal or close, never a crash, and leaves no socket open.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { tc3Headers } from '../../src/client/signer.js';
import { v1Signature, v1StringToSign } from '../../src/protocol/v1.js';
import { frontOf } from '../../src/server.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { LocalCa } from '../../src/tls/ca.js';
import { AGENT_A, CLIENT_1, expectedAgent, expectedBilling, fixtureDeals } from '../helpers/fixture.js';
import { captureLog } from '../helpers/log-capture.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { connectVia, openHandles, readToClose, requestOn, selfSigned, settleHandles, tlsOver } from '../helpers/tls.js';

const BILLING = { service: 'billing', action: 'DescribeDealsByCond', version: '2018-07-09' } as const;
const PARTNERS = { service: 'partners', action: 'DescribeAgentDealsByCache', version: '2018-03-21' } as const;
const BILLING_BODY = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 3, StatusSet: [4, 6] };
const deals = fixtureDeals();

/** A signed TC3 POST as raw HTTP/1.1 text, for `host` (the Host header and the signed host). */
function apiRequest(host: string, what: { service: string; action: string; version: string }, body: object, key: { SecretId: string; SecretKey: string }, extra = ''): string {
  const payload = JSON.stringify(body);
  const headers = tc3Headers({ secretId: key.SecretId, secretKey: key.SecretKey, service: what.service, host, timestamp: Math.floor(Date.now() / 1000), payload, action: what.action, version: what.version });
  return `POST / HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Content-Length: ${Buffer.byteLength(payload)}\r\n${extra}\r\n${payload}`;
}

function okJson(a: { status: number; headers: Map<string, string>; body: string }): Record<string, any> {
  assert.equal(a.status, 200, a.body);
  assert.equal(a.headers.get('content-type'), 'application/json');
  const r = JSON.parse(a.body).Response;
  assert.equal(r.Error, undefined, a.body);
  return r;
}

const billingNames = () => expectedBilling(deals, { owner: CLIENT_1.uin, start: BILLING_BODY.StartTime, end: BILLING_BODY.EndTime, statuses: [4, 6] }).map((d) => d.deal_name);

describe('proxy mode and the TLS port', () => {
  const log = captureLog('debug');
  const sandbox = new Sandbox();
  let dir: string;
  let ca: LocalCa;
  let server: TestServer;
  let closed: TestServer;
  let tlsPort: number;
  /** Another HTTPS server with its own self-signed certificate: an echo of every byte. */
  let other: TlsServer;
  let otherCert: string;
  /** A plain HTTP server elsewhere, for forwarded absolute-form requests. */
  let plain: HttpServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-proxy-'));
    ca = await LocalCa.open(join(dir, 'ca'));
    const bodyBounds = { drainMs: 1000, idleMs: 1000 };
    server = await startServer({ ca, proxy: { handshakeMs: 600, connectMs: 2000 }, logger: log.logger, sandbox, bodyBounds });
    tlsPort = (await frontOf(server.app).listenTls({ port: 0, host: '127.0.0.1', names: ['billing.ap-guangzhou.tencentcloudapi.com'] })).port;
    closed = await startServer({ ca, proxy: { passthrough: false, handshakeMs: 600 }, bodyBounds });
    const own = await selfSigned(['localhost', '127.0.0.1']);
    otherCert = own.cert;
    other = createTlsServer({ cert: own.cert, key: own.key }, (s) => s.pipe(s));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    plain = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => res.writeHead(201, { 'x-seen-url': req.url ?? '', 'content-length': Buffer.byteLength(`echo:${body}`) }).end(`echo:${body}`));
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    await server?.close();
    await closed?.close();
    await new Promise((r) => other?.close(r));
    await new Promise((r) => plain?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const otherPort = () => (other.address() as AddressInfo).port;
  const plainPort = () => (plain.address() as AddressInfo).port;

  /** A TLS connection to `name` through a CONNECT tunnel, trusting only the local CA. */
  async function apiTunnel(name: string, port = 443, proxy = server.port): Promise<TLSSocket> {
    const t = await connectVia(proxy, `${name}:${port}`);
    assert.equal(t.status, 200, t.text);
    return tlsOver(t.socket, { servername: name, ca: ca.certPem });
  }

  test('CONNECT billing.tencentcloudapi.com:443: a leaf for that name, the API behind it, several calls on one connection', async () => {
    const s = await apiTunnel('billing.tencentcloudapi.com');
    assert.equal(s.authorized, true);
    const leaf = s.getPeerCertificate();
    assert.match(leaf.subjectaltname ?? '', /DNS:billing\.tencentcloudapi\.com/);
    assert.equal(leaf.issuer.CN, ca.signer.cert.subjectName.getField('CN')[0]);
    sandbox.journal.clear();
    for (let i = 0; i < 3; i++) {
      const r = okJson(await requestOn(s, apiRequest('billing.tencentcloudapi.com', BILLING, BILLING_BODY, CLIENT_1.key)));
      assert.deepEqual(r.Deals.map((d: { OrderId: string }) => d.OrderId), billingNames().slice(0, 3));
    }
    s.destroy();
    const entries = sandbox.journal.list();
    assert.equal(entries.length, 3);
    for (const e of entries) {
      assert.equal(e.code, 'OK');
      assert.equal(e.via, 'proxy');
      assert.equal(e.host, 'billing.tencentcloudapi.com');
    }
    const line = log.lines.find((l) => l.msg === 'api call' && l.requestId === entries[0]!.requestId);
    assert.equal(line?.via, 'proxy');
    assert.equal(line?.host, 'billing.tencentcloudapi.com');
  });

  test('partners through a tunnel, and a server name other than the CONNECT target gets its own leaf', async () => {
    const t = await connectVia(server.port, 'partners.tencentcloudapi.com:443');
    const s = await tlsOver(t.socket, { servername: 'partners.ap-shanghai.tencentcloudapi.com', ca: ca.certPem });
    assert.match(s.getPeerCertificate().subjectaltname ?? '', /DNS:partners\.ap-shanghai\.tencentcloudapi\.com/);
    const body = { Offset: 1, Limit: 4, CreatTimeRangeStart: '2025-03-01 00:00:00', CreatTimeRangeEnd: '2025-05-29 23:59:59' };
    const r = okJson(await requestOn(s, apiRequest('partners.ap-shanghai.tencentcloudapi.com', PARTNERS, body, AGENT_A.key)));
    const expected = expectedAgent(deals, { clients: ['800000000001', '800000000002'], start: body.CreatTimeRangeStart, end: body.CreatTimeRangeEnd });
    assert.equal(r.TotalCount, expected.length);
    assert.deepEqual(r.AgentDealSet.map((d: { DealName: string }) => d.DealName), expected.slice(1, 5).map((d) => d.deal_name));
    s.destroy();
  });

  test('errors inside a tunnel keep the JSON envelope', async () => {
    const s = await apiTunnel('partners.tencentcloudapi.com');
    const wrongKey = { SecretId: CLIENT_1.key.SecretId, SecretKey: 'not-the-key' };
    const a = await requestOn(s, apiRequest('partners.tencentcloudapi.com', PARTNERS, { Offset: 0, Limit: 1 }, wrongKey));
    assert.equal(a.status, 200);
    assert.equal(JSON.parse(a.body).Response.Error.Code, 'AuthFailure.SignatureFailure');
    // Signed for another host than the one sent: the signature covers the host.
    const b = await requestOn(s, apiRequest('billing.tencentcloudapi.com', BILLING, BILLING_BODY, CLIENT_1.key).replace('Host: billing.tencentcloudapi.com', 'Host: partners.tencentcloudapi.com'));
    assert.equal(JSON.parse(b.body).Response.Error.Code, 'AuthFailure.SignatureFailure');
    s.destroy();
  });

  test('CONNECT :80 and to this server itself tunnel plain HTTP into the API', async () => {
    for (const target of ['billing.tencentcloudapi.com:80', `127.0.0.1:${server.port}`, `localhost:${server.port}`]) {
      const t = await connectVia(server.port, target);
      assert.equal(t.status, 200, t.text);
      const host = target.endsWith(':80') ? 'billing.tencentcloudapi.com' : target;
      const r = okJson(await requestOn(t.socket, apiRequest(host, BILLING, BILLING_BODY, CLIENT_1.key)));
      assert.deepEqual(r.Deals.map((d: { OrderId: string }) => d.OrderId), billingNames().slice(0, 3));
      t.socket.destroy();
    }
    // TLS to this server's TLS port through a tunnel: a leaf for the loopback address.
    const t = await connectVia(server.port, `127.0.0.1:${tlsPort}`);
    const s = await tlsOver(t.socket, { ca: ca.certPem, host: '127.0.0.1' });
    okJson(await requestOn(s, apiRequest(`127.0.0.1:${tlsPort}`, BILLING, BILLING_BODY, CLIENT_1.key)));
    s.destroy();
  });

  test('absolute-form requests: API names and this server are served, other hosts forwarded', async () => {
    sandbox.journal.clear();
    const s = netConnect(server.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    const text = apiRequest('billing.tencentcloudapi.com', BILLING, BILLING_BODY, CLIENT_1.key).replace('POST / HTTP/1.1', 'POST http://billing.tencentcloudapi.com/ HTTP/1.1');
    const r = okJson(await requestOn(s, text));
    assert.deepEqual(r.Deals.map((d: { OrderId: string }) => d.OrderId), billingNames().slice(0, 3));
    assert.deepEqual([sandbox.journal.list()[0]?.via, sandbox.journal.list()[0]?.host], ['proxy', 'billing.tencentcloudapi.com']);
    // This server's own admin-free health check, absolute-form.
    const health = await requestOn(s, `GET http://127.0.0.1:${server.port}/_tcdeals/health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    assert.equal(health.body, '{"status":"ok"}');
    // Another host: forwarded as is (hop-by-hop headers dropped), its answer relayed.
    const fwd = await requestOn(s, `POST http://127.0.0.1:${plainPort()}/some/path?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${plainPort()}\r\nProxy-Connection: keep-alive\r\nContent-Length: 5\r\n\r\nhello`);
    assert.equal(fwd.status, 201);
    assert.equal(fwd.body, 'echo:hello');
    assert.equal(fwd.headers.get('x-seen-url'), '/some/path?q=1');
    s.destroy();
    // An origin that cannot be reached: the proxy's own 502, plain text.
    const u = netConnect(server.port, '127.0.0.1');
    await new Promise((r) => u.once('connect', r));
    const unreachable = await requestOn(u, 'GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n');
    assert.equal(unreachable.status, 502);
    assert.match(unreachable.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(unreachable.body, /ECONNREFUSED/);
    u.destroy();
  });

  test('absolute-form v1 (HmacSHA256) GET and POST signed for the production host verify unchanged', async () => {
    const s = netConnect(server.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    for (const method of ['GET', 'POST'] as const) {
      const pairs: Array<[string, string]> = [
        ['StartTime', BILLING_BODY.StartTime],
        ['EndTime', BILLING_BODY.EndTime],
        ['Limit', '3'],
        ['StatusSet.0', '4'],
        ['StatusSet.1', '6'],
        ['Action', BILLING.action],
        ['Nonce', '4711'],
        ['Timestamp', String(Math.floor(Date.now() / 1000))],
        ['Version', BILLING.version],
        ['SecretId', CLIENT_1.key.SecretId],
        ['SignatureMethod', 'HmacSHA256'],
      ];
      pairs.push(['Signature', v1Signature(CLIENT_1.key.SecretKey, v1StringToSign(method, 'billing.tencentcloudapi.com', '/', pairs), 'HmacSHA256')]);
      const form = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      const text =
        method === 'GET'
          ? `GET http://billing.tencentcloudapi.com/?${form} HTTP/1.1\r\nHost: billing.tencentcloudapi.com\r\n\r\n`
          : `POST http://billing.tencentcloudapi.com/ HTTP/1.1\r\nHost: billing.tencentcloudapi.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(form)}\r\n\r\n${form}`;
      const r = okJson(await requestOn(s, text));
      assert.deepEqual(r.Deals.map((d: { OrderId: string }) => d.OrderId), billingNames().slice(0, 3), method);
    }
    s.destroy();
  });

  test('passthrough: CONNECT to another HTTPS server tunnels its own certificate and every byte unchanged', async () => {
    const t = await connectVia(server.port, `localhost:${otherPort()}`);
    assert.equal(t.status, 200, t.text);
    const s = await tlsOver(t.socket, { servername: 'localhost', ca: otherCert });
    const fingerprint = (pemText: string) => createHash('sha256').update(Buffer.from(pemText.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')).digest('hex');
    assert.equal(createHash('sha256').update(s.getPeerCertificate().raw).digest('hex'), fingerprint(otherCert), 'the other server’s own certificate, not a leaf from the tcdeals CA');
    const sent = randomBytes(1024 * 1024 + 17);
    const received: Buffer[] = [];
    let n = 0;
    const done = new Promise<void>((resolve) =>
      s.on('data', (d: Buffer) => {
        received.push(d);
        n += d.length;
        if (n >= sent.length) resolve();
      }),
    );
    s.write(sent);
    await done;
    assert.ok(Buffer.concat(received).equals(sent), 'the echo came back byte for byte');
    s.destroy();
  });

  test('passthrough off: other hosts get 403 (CONNECT and absolute-form), API names still work', async () => {
    const t = await connectVia(closed.port, `localhost:${otherPort()}`);
    assert.equal(t.status, 403);
    assert.match(t.text, /Content-Type: text\/plain/);
    assert.match(t.text, /passthrough to localhost:\d+ is off/);
    const s = netConnect(closed.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    const a = await requestOn(s, `GET http://127.0.0.1:${plainPort()}/ HTTP/1.1\r\nHost: 127.0.0.1:${plainPort()}\r\n\r\n`);
    assert.equal(a.status, 403);
    s.destroy();
    const api = await apiTunnel('billing.tencentcloudapi.com', 443, closed.port);
    okJson(await requestOn(api, apiRequest('billing.tencentcloudapi.com', BILLING, BILLING_BODY, CLIENT_1.key)));
    api.destroy();
  });

  test('the TLS port: the same API for IP and SNI clients; journal and metrics say tls', async () => {
    sandbox.journal.clear();
    for (const servername of [undefined, 'localhost', 'billing.tencentcloudapi.com', 'billing.ap-guangzhou.tencentcloudapi.com', 'billing.ap-beijing.tencentcloudapi.com']) {
      const s = await new Promise<TLSSocket>((resolve, reject) => {
        const c = tlsConnect({ port: tlsPort, host: '127.0.0.1', ca: ca.certPem, ...(servername ? { servername } : { checkServerIdentity: () => undefined }) }, () => resolve(c));
        c.once('error', reject);
      });
      assert.equal(s.authorized, true);
      const host = servername ? `${servername}:${tlsPort}` : `127.0.0.1:${tlsPort}`;
      okJson(await requestOn(s, apiRequest(host, BILLING, BILLING_BODY, CLIENT_1.key)));
      s.destroy();
    }
    assert.deepEqual([...new Set(sandbox.journal.list().map((e) => e.via))], ['tls']);
    const metrics = (await server.app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /tcdeals_api_calls_by_arrival_total\{via="tls",host="billing\.tencentcloudapi\.com"\} \d+/);
    assert.match(metrics, /tcdeals_api_calls_by_arrival_total\{via="proxy",host="billing\.tencentcloudapi\.com"\} \d+/);
    assert.match(metrics, /tcdeals_api_calls_by_arrival_total\{via="tls",host="loopback"\} \d+/);
    assert.match(metrics, /tcdeals_proxy_requests_total\{target="passthrough",outcome="ok"\} \d+/);
    assert.match(metrics, /tcdeals_tls_certificates_minted_total \d+/);
  });

  describe('bad input on the new paths: a clean refusal or close, no crash, no socket left open', () => {
    let baseline: Record<string, number>;
    before(async () => {
      // Let the connections of earlier tests finish closing first.
      await new Promise((r) => setTimeout(r, 200));
      baseline = openHandles();
    });

    /** After each case: the server answers, nothing was logged at error level, and no handle is left. */
    async function clean(): Promise<void> {
      const now = await settleHandles(baseline);
      assert.deepEqual(now, baseline, 'open handles are back to what they were');
      assert.equal(frontOf(server.app).openSockets, 0, 'the proxy holds no socket');
      assert.deepEqual(log.errors(), []);
      const s = await apiTunnel('billing.tencentcloudapi.com');
      okJson(await requestOn(s, apiRequest('billing.tencentcloudapi.com', BILLING, BILLING_BODY, CLIENT_1.key)));
      s.destroy();
      assert.deepEqual(await settleHandles(baseline), baseline);
    }

    test('malformed CONNECT lines → 400, plain text', async () => {
      const lines = [
        'CONNECT billing.tencentcloudapi.com HTTP/1.1\r\n\r\n', // no port
        'CONNECT :443 HTTP/1.1\r\n\r\n',
        'CONNECT billing.tencentcloudapi.com:0 HTTP/1.1\r\n\r\n',
        'CONNECT billing.tencentcloudapi.com:99999 HTTP/1.1\r\n\r\n',
        'CONNECT http://billing.tencentcloudapi.com/ HTTP/1.1\r\n\r\n',
        'CONNECT [::1 HTTP/1.1\r\n\r\n',
        'CONNECT user@host:443 HTTP/1.1\r\n\r\n',
        'CONNECT bad_host!:443 HTTP/1.1\r\n\r\n',
        'CONNECT a b c\r\n\r\n',
        'CONNECT\r\n\r\n',
        'CONNECT billing.tencentcloudapi.com:443 HTTP/1.1\r\nBad Header\r\n\r\n',
      ];
      for (const line of lines) {
        const a = await connectVia(server.port, '', { line });
        assert.equal(a.status, 400, `${JSON.stringify(line)} → ${a.text}`);
        assert.match(a.text, /Content-Type: text\/plain/, line);
      }
      await clean();
    });

    test('CONNECT to other ports of API names → 403', async () => {
      for (const target of ['billing.tencentcloudapi.com:8443', 'partners.tencentcloudapi.com:22', 'tencentcloudapi.com:6379']) {
        const a = await connectVia(server.port, target);
        assert.equal(a.status, 403, a.text);
        assert.match(a.text, /on ports 443 \(HTTPS\) and 80 \(HTTP\) only/);
      }
      await clean();
    });

    test('a tunnel that never starts TLS, and a handshake that never finishes, are closed', async () => {
      const quiet = await connectVia(server.port, 'billing.tencentcloudapi.com:443');
      assert.equal(quiet.status, 200);
      const q = await readToClose(quiet.socket, 5000);
      assert.equal(q.timedOut, false, 'closed by the server');
      const partial = await connectVia(server.port, 'billing.tencentcloudapi.com:443');
      partial.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]));
      const p = await readToClose(partial.socket, 5000);
      assert.equal(p.timedOut, false, 'closed by the server');
      // The same on the TLS port.
      const direct = netConnect(tlsPort, '127.0.0.1');
      direct.write(Buffer.from([0x16, 0x03, 0x01, 0x00]));
      assert.equal((await readToClose(direct, 5000)).timedOut, false);
      const garbage = netConnect(tlsPort, '127.0.0.1');
      garbage.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal((await readToClose(garbage, 5000)).timedOut, false);
      await clean();
    });

    test('a client that does not trust the CA fails verification, and the server carries on', async () => {
      const t = await connectVia(server.port, 'billing.tencentcloudapi.com:443');
      await assert.rejects(tlsOver(t.socket, { servername: 'billing.tencentcloudapi.com' }), (err: NodeJS.ErrnoException) => {
        assert.match(String(err.code), /UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
        return true;
      });
      t.socket.destroy();
      await clean();
    });

    test('plain HTTP inside a tunnel to port 443 → 400, plain text; TLS into a port-80 tunnel → closed', async () => {
      const t = await connectVia(server.port, 'billing.tencentcloudapi.com:443');
      t.socket.write(apiRequest('billing.tencentcloudapi.com', BILLING, BILLING_BODY, CLIENT_1.key));
      const a = await readToClose(t.socket);
      assert.match(a.text, /^HTTP\/1\.1 400 Bad Request/);
      assert.match(a.text, /the client sent plain HTTP/);
      const u = await connectVia(server.port, 'billing.tencentcloudapi.com:80');
      const tls = tlsConnect({ socket: u.socket, servername: 'billing.tencentcloudapi.com', ca: ca.certPem });
      const failed = await new Promise<boolean>((resolve) => {
        tls.once('error', () => resolve(true));
        tls.once('secureConnect', () => resolve(false));
      });
      assert.equal(failed, true);
      tls.destroy();
      await clean();
    });

    test('clients that vanish: right after CONNECT, mid-handshake, mid-request, mid-passthrough', async () => {
      // Right after CONNECT, before reading the answer.
      for (const target of ['billing.tencentcloudapi.com:443', `localhost:${otherPort()}`, '127.0.0.1:1']) {
        const s = netConnect(server.port, '127.0.0.1');
        s.on('error', () => {});
        s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
        s.destroy();
      }
      // Mid-handshake.
      const h = await connectVia(server.port, 'billing.tencentcloudapi.com:443');
      h.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
      h.socket.destroy();
      // Mid-request, inside TLS: half a body, then gone.
      const m = await apiTunnel('billing.tencentcloudapi.com');
      const text = apiRequest('billing.tencentcloudapi.com', BILLING, BILLING_BODY, CLIENT_1.key);
      m.write(text.slice(0, text.length - 10));
      await new Promise((r) => setTimeout(r, 50));
      m.destroy();
      // Mid-passthrough: the upstream connection goes too.
      const p = await connectVia(server.port, `localhost:${otherPort()}`);
      const ps = await tlsOver(p.socket, { servername: 'localhost', ca: otherCert });
      ps.write(randomBytes(64 * 1024));
      await new Promise((r) => setTimeout(r, 20));
      p.socket.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const connections = await new Promise<number>((resolve) => other.getConnections((_e, n) => resolve(n)));
      assert.equal(connections, 0, 'the passthrough upstream is closed');
      await clean();
    });

    test('an unreachable passthrough host → 502, plain text', async () => {
      const a = await connectVia(server.port, '127.0.0.1:1');
      assert.equal(a.status, 502, a.text);
      assert.match(a.text, /ECONNREFUSED/);
      await clean();
    });
  });

  test('closing the server: an answer in flight inside a tunnel is delivered with Connection: close, idle tunnels end at once', async () => {
    const box = new Sandbox();
    const own = await startServer({ ca, proxy: {}, sandbox: box });
    box.faults.add({ kind: 'latency', latencyMs: 500 });
    const busy = await apiTunnel('billing.tencentcloudapi.com', 443, own.port);
    const idle = await apiTunnel('partners.tencentcloudapi.com', 443, own.port);
    const pass = await connectVia(own.port, `localhost:${otherPort()}`);
    const answer = requestOn(busy, apiRequest('billing.tencentcloudapi.com', BILLING, BILLING_BODY, CLIENT_1.key));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await own.close();
    const a = await answer;
    assert.equal(a.headers.get('connection'), 'close');
    okJson(a);
    assert.ok(Date.now() - started < 3000, `closed in ${Date.now() - started} ms, not after a keep-alive timeout`);
    for (const s of [busy, idle, pass.socket]) assert.equal((await readToClose(s, 3000)).timedOut, false);
  });

  test('the CA key never reaches the log, the journal or an API', async () => {
    const key = readFileSync(ca.paths.key, 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');
    const body = key.slice(10, 60);
    assert.ok(!log.text().includes(body));
    assert.ok(!JSON.stringify(sandbox.journal.list()).includes(body));
    assert.ok(!(await server.app.inject({ url: '/metrics' })).body.includes(body));
  });
});
