/**
 * The local CA: where it lives, how its files are protected, what it may sign — and that the
 * limits are real: a certificate for another name signed with the CA's own key is refused by
 * Node's TLS verification. Installing into a certifi bundle and the system store changes exactly
 * what it says and is undone byte for byte.
 */
import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkServerIdentity, connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { LocalCa, resolveCaDir } from '../../src/tls/ca.js';
import { addToBundle, caEnv, installSystem, removeFromBundle, shellExports, systemCertFile, uninstallSystem, type SystemStore } from '../../src/tls/install.js';
import { LeafCache } from '../../src/tls/leaves.js';
import { NameNotPermittedError, permitted } from '../../src/tls/names.js';
import { proxyPolicy } from '../../src/cli/commands/serve.js';
import { cli } from '../helpers/cli.js';
import { forgeWithCaKey } from '../helpers/tls.js';

/** Serves `pair` over TLS on loopback and connects to it as `servername`, trusting only `ca`; resolves to the verification error code, or 'ok'. */
async function verify(pair: { cert: string; key: string }, ca: string, servername: string): Promise<string> {
  const server = createTlsServer({ cert: pair.cert, key: pair.key }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string>((resolve) => {
      const ip = /^[\d.]+$|:/.test(servername);
      const s = tlsConnect({ port, host: '127.0.0.1', ca, ...(ip ? { checkServerIdentity: (_h, cert) => checkServerIdentity(servername, cert) } : { servername }) }, () => {
        s.destroy();
        resolve('ok');
      });
      s.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code}: ${err.message}`));
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('the local CA', () => {
  let root: string;
  let ca: LocalCa;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tcdeals-ca-'));
    ca = await LocalCa.open(join(root, 'data', 'ca'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('lives beside the data: data/ca for the default database, ca/ beside a file, TCDEALS_CA_DIR or --ca-dir first', () => {
    const env = {};
    assert.equal(resolveCaDir({ db: './data/tcdeals.db', env }), resolve('data/ca'));
    assert.equal(resolveCaDir({ db: '/srv/x/big.db', env }), '/srv/x/ca');
    assert.equal(resolveCaDir({ db: ':memory:', env }), resolve('data/ca'));
    assert.equal(resolveCaDir({ db: 'postgres://u@h/db', env }), resolve('data/ca'));
    assert.equal(resolveCaDir({ db: '/srv/x/big.db', env: { TCDEALS_CA_DIR: '/etc/tcdeals-ca' } }), '/etc/tcdeals-ca');
    assert.equal(resolveCaDir({ caDir: '/opt/ca', db: '/srv/x/big.db', env: { TCDEALS_CA_DIR: '/etc/tcdeals-ca' } }), '/opt/ca');
  });

  test('files: the key is mode 0600 in a 0700 directory, the certificate is a name-constrained ECDSA P-256 CA for TLS servers', () => {
    assert.equal(statSync(ca.paths.dir).mode & 0o777, 0o700);
    assert.equal(statSync(ca.paths.key).mode & 0o777, 0o600);
    const cert = new x509.X509Certificate(readFileSync(ca.paths.cert, 'utf8'));
    assert.equal((cert.publicKey.algorithm as { namedCurve?: string }).namedCurve, 'P-256');
    const basic = cert.getExtension(x509.BasicConstraintsExtension)!;
    assert.deepEqual([basic.ca, basic.pathLength, basic.critical], [true, 0, true]);
    const nc = cert.extensions.find((e) => e.type === '2.5.29.30')!;
    assert.equal(nc.critical, true, 'name constraints are critical: a verifier that ignores them must refuse the CA');
    assert.deepEqual([...cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages].map(String), [x509.ExtendedKeyUsage.serverAuth]);
    assert.ok(cert.notAfter.getTime() > Date.now() + 9 * 365 * 86_400_000);
  });

  test('concurrent first uses make one CA', async () => {
    const dir = join(root, 'race');
    const opened = await Promise.all([1, 2, 3, 4, 5].map(() => LocalCa.open(dir)));
    assert.equal(new Set(opened.map((c) => c.fingerprint)).size, 1);
    assert.deepEqual(readdirSync(dir).sort(), ['ca-key.pem', 'ca.pem']);
    assert.equal((await LocalCa.open(dir)).fingerprint, opened[0]!.fingerprint, 'loaded again, not remade');
  });

  test('mints only names inside its constraints', async () => {
    const ok = ['billing.tencentcloudapi.com', 'partners.ap-guangzhou.tencentcloudapi.com', 'tencentcloudapi.com', '*.tencentcloudapi.com', 'BILLING.TencentCloudAPI.com.', 'localhost', 'app.localhost', '127.0.0.1', '127.9.8.7', '::1'];
    const refused = ['example.com', 'tencentcloudapi.com.evil.com', 'eviltencentcloudapi.com', 'localhost.evil.com', '*.com', '*', '10.0.0.1', '192.168.1.1', '::2', '::ffff:127.0.0.1', '', 'bad_name.tencentcloudapi.com'];
    for (const n of ok) assert.equal(permitted(n), true, n);
    for (const n of refused) assert.equal(permitted(n), false, n);
    const leaf = await ca.signer.mint(ok);
    assert.ok(leaf.certPem.includes('BEGIN CERTIFICATE'));
    for (const n of refused) {
      await assert.rejects(ca.signer.mint(['billing.tencentcloudapi.com', n]), (err: unknown) => {
        assert.ok(err instanceof NameNotPermittedError);
        assert.match((err as Error).message, /may only sign tencentcloudapi\.com \(and its subdomains\), localhost/);
        return true;
      });
    }
  });

  test('its leaves verify for their names, with Node’s own TLS', async () => {
    const leaf = await ca.signer.mint(['billing.tencentcloudapi.com', 'localhost', '127.0.0.1', '::1']);
    for (const name of ['billing.tencentcloudapi.com', 'localhost', '127.0.0.1']) assert.equal(await verify({ cert: leaf.certPem, key: leaf.keyPem }, ca.certPem, name), 'ok', name);
    assert.match(await verify({ cert: leaf.certPem, key: leaf.keyPem }, ca.certPem, 'partners.tencentcloudapi.com'), /ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  test('the constraints are real: a certificate for another name signed with the CA key is refused by Node’s TLS verification', async () => {
    const key = readFileSync(ca.paths.key, 'utf8');
    for (const [names, name] of [
      [['example.com'], 'example.com'],
      [['www.tencentcloudapi.com.evil.com'], 'www.tencentcloudapi.com.evil.com'],
      [['billing.tencentcloudapi.com', 'example.com'], 'billing.tencentcloudapi.com'],
      [['10.0.0.1'], '10.0.0.1'],
    ] as const) {
      const forged = await forgeWithCaKey(ca.certPem, key, [...names]);
      assert.match(await verify(forged, ca.certPem, name), /permitted subtree violation/i, names.join(','));
    }
    // The same forgery inside the constraints passes: the refusal above is the constraints' doing.
    const inside = await forgeWithCaKey(ca.certPem, key, ['billing.tencentcloudapi.com']);
    assert.equal(await verify(inside, ca.certPem, 'billing.tencentcloudapi.com'), 'ok');
  });

  test('rotate makes a new CA; the old one’s leaves no longer verify', async () => {
    const dir = join(root, 'rotate');
    const first = await LocalCa.open(dir);
    const leaf = await first.signer.mint(['localhost']);
    const { previous, ca: next } = await LocalCa.rotate(dir);
    assert.equal(previous, first.fingerprint);
    assert.notEqual(next.fingerprint, first.fingerprint);
    assert.equal(statSync(next.paths.key).mode & 0o777, 0o600);
    assert.match(await verify({ cert: leaf.certPem, key: leaf.keyPem }, next.certPem, 'localhost'), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
  });

  test('leaves are cached per name and renewed after half their life', async () => {
    let now = Date.now();
    let minted = 0;
    const cache = new LeafCache(ca.signer, { lifetimeMs: 60_000, now: () => now, onMint: () => minted++ });
    const [a, b] = await Promise.all([cache.get(['localhost']), cache.get(['localhost'])]);
    assert.equal(a, b);
    assert.equal(minted, 1);
    now += 29_000;
    assert.equal(await cache.get(['localhost']), a);
    now += 2_000;
    assert.notEqual(await cache.get(['localhost']), a);
    assert.equal(minted, 2);
    await assert.rejects(cache.get(['example.com']), NameNotPermittedError);
  });

  test('the bundle for REQUESTS_CA_BUNDLE / SSL_CERT_FILE holds the system roots and the CA', () => {
    const env = caEnv(ca, 'http://127.0.0.1:8080', {});
    assert.deepEqual(Object.keys(env), ['NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'HTTPS_PROXY', 'https_proxy', 'http_proxy']);
    assert.equal(env.NODE_EXTRA_CA_CERTS, ca.paths.cert);
    const bundle = readFileSync(env.SSL_CERT_FILE!, 'utf8');
    assert.ok(bundle.endsWith(ca.certPem));
    assert.ok((bundle.match(/BEGIN CERTIFICATE/g) ?? []).length > 50, 'the system roots are there too');
    assert.match(shellExports({ A: "it's" }), /^export A='it'\\''s'$/);
  });

  test('CA files the environment already names keep their certificates: the variables name copies with the CA appended', () => {
    const other = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    const file = join(ca.paths.dir, '..', 'corporate-roots.pem');
    writeFileSync(file, other);
    const env = caEnv(ca, 'http://127.0.0.1:8080', { NODE_EXTRA_CA_CERTS: file, SSL_CERT_FILE: file, REQUESTS_CA_BUNDLE: join(ca.paths.dir, '..', 'missing.pem') });
    for (const name of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'] as const) {
      assert.notEqual(env[name], file, `${name} is not overwritten in place`);
      const merged = readFileSync(env[name]!, 'utf8');
      assert.ok(merged.startsWith(`${other}\n`), `${name} keeps the certificates it named`);
      assert.ok(merged.endsWith(ca.certPem), `${name} adds the CA`);
    }
    assert.equal(readFileSync(file, 'utf8'), other, 'the user’s file is untouched');
    assert.equal(env.REQUESTS_CA_BUNDLE, ca.paths.bundle, 'an unreadable file: the default bundle');
    // Run again under its own output (a nested exec): nothing is appended twice.
    const again = caEnv(ca, 'http://127.0.0.1:8080', env);
    assert.equal(again.NODE_EXTRA_CA_CERTS, ca.paths.cert);
    assert.equal(again.SSL_CERT_FILE, ca.paths.bundle);
  });

  describe('install into a certifi bundle, uninstall byte for byte', () => {
    for (const [name, original] of [
      ['a bundle ending in a newline', '# Issuer: x\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
      ['a bundle without a final newline', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'],
      ['an empty bundle', ''],
    ] as const) {
      test(name, async () => {
        const file = join(root, `cacert-${name.length}.pem`);
        writeFileSync(file, original);
        const added = addToBundle(file, ca);
        assert.equal(added.changed, true);
        assert.match(added.message, /^added the tcdeals CA \(SHA-256 [0-9A-F:]+…\) to .* between the lines "# BEGIN tcdeals local CA/);
        const text = readFileSync(file, 'utf8');
        assert.ok(text.startsWith(original));
        assert.ok(text.includes(ca.certPem));
        assert.equal(addToBundle(file, ca).changed, false, 'installing twice changes nothing');
        // After a rotation, installing again replaces the block.
        const other = await LocalCa.open(join(root, `other-${name.length}`));
        addToBundle(file, other);
        const rotated = await LocalCa.rotate(other.paths.dir);
        const replaced = addToBundle(file, rotated.ca);
        assert.match(replaced.message, /^replaced the previous tcdeals CA/);
        assert.ok(!readFileSync(file, 'utf8').includes(other.certPem));
        assert.equal(removeFromBundle(file, other.paths.dir).changed, true);
        assert.equal(removeFromBundle(file, ca.paths.dir).changed, true);
        assert.equal(readFileSync(file, 'utf8'), original, 'restored byte for byte');
        assert.equal(removeFromBundle(file, ca.paths.dir).changed, false);
      });
    }
  });

  test('the system store: a file under usr/local/share/ca-certificates and update-ca-certificates, both ways (fake root and command)', () => {
    const sysroot = join(root, 'sysroot');
    mkdirSync(sysroot);
    const calls = join(root, 'update-calls.txt');
    const fake = join(root, 'fake-update.mjs');
    writeFileSync(fake, `import { appendFileSync } from 'node:fs'; appendFileSync(${JSON.stringify(calls)}, 'run\\n'); console.log('Updating certificates in /etc/ssl/certs...'); console.log('1 added, 0 removed; done.');`);
    const store: SystemStore = { root: sysroot, update: [process.execPath, fake] };
    const file = systemCertFile(ca.paths.dir, store);
    assert.match(file, /usr\/local\/share\/ca-certificates\/tcdeals-[0-9a-f]{12}\.crt$/);
    const installed = installSystem(ca, store);
    assert.equal(installed.changed, true);
    assert.match(installed.message, /^wrote .*tcdeals-[0-9a-f]{12}\.crt and ran .*fake-update\.mjs \(1 added, 0 removed; done\.\)/);
    assert.equal(readFileSync(file, 'utf8'), ca.certPem);
    assert.equal(installSystem(ca, store).changed, false);
    const removed = uninstallSystem(ca.paths.dir, store);
    assert.equal(removed.changed, true);
    assert.equal(existsSync(file), false);
    assert.equal(uninstallSystem(ca.paths.dir, store).changed, false);
    assert.equal(readFileSync(calls, 'utf8'), 'run\nrun\n', 'the update command ran once per change');
    assert.deepEqual(readdirSync(join(sysroot, 'usr/local/share/ca-certificates')), []);
  });

  test('passthrough is on only on loopback unless asked; a non-loopback bind warns', () => {
    assert.deepEqual(proxyPolicy('127.0.0.1'), { passthrough: true, loopback: true });
    assert.deepEqual(proxyPolicy('::1', 'off'), { passthrough: false, loopback: true });
    const wide = proxyPolicy('0.0.0.0');
    assert.equal(wide.passthrough, false);
    assert.match(wide.warning!, /not a loopback address.*passthrough stays off/);
    const open = proxyPolicy('0.0.0.0', 'on');
    assert.equal(open.passthrough, true);
    assert.match(open.warning!, /An open proxy is a hole/);
  });

  test('tcdeals ca path | env | info | rotate, and install needs a target', () => {
    const dir = join(root, 'cli-ca');
    const path = cli(['ca', 'path', '--ca-dir', dir]);
    assert.equal(path.status, 0, path.stderr);
    assert.equal(path.stdout.trim(), join(dir, 'ca.pem'));
    assert.match(path.stderr, /made a new local CA/);
    const env = cli(['ca', 'env', '--ca-dir', dir, '--endpoint', 'http://127.0.0.1:9999']);
    assert.equal(env.status, 0, env.stderr);
    assert.deepEqual(env.stdout.trim().split('\n').map((l) => l.replace(/=.*/, '')), ['export NODE_EXTRA_CA_CERTS', 'export REQUESTS_CA_BUNDLE', 'export SSL_CERT_FILE', 'export HTTPS_PROXY', 'export https_proxy', 'export http_proxy']);
    assert.match(env.stdout, /export http_proxy='http:\/\/127\.0\.0\.1:9999'/);
    const info = cli(['ca', 'info', '--ca-dir', dir]);
    const key = readFileSync(join(dir, 'ca-key.pem'), 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');
    assert.match(info.stdout, /may sign +tencentcloudapi\.com and its subdomains, localhost and its subdomains, 127\.0\.0\.0\/8, ::1\/128/);
    for (const out of [path, env, info]) assert.ok(!(out.stdout + out.stderr).includes(key.slice(8, 48)), 'the key is never printed');
    const before = /SHA-256 +(\S+)/.exec(info.stdout)![1];
    const rotated = cli(['ca', 'rotate', '--ca-dir', dir]);
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.match(rotated.stdout, new RegExp(`was SHA-256 ${before!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const none = cli(['ca', 'install', '--ca-dir', dir]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /--certifi \[PYTHON\] and\/or --system/);
    const badEndpoint = cli(['ca', 'env', '--ca-dir', dir, '--endpoint', 'https://127.0.0.1:8443']);
    assert.equal(badEndpoint.status, 1);
  });
});
