/**
 * Python the way the Python SDK and tccli do it: `requests` with `verify=certifi.where()` (so
 * REQUESTS_CA_BUNDLE and SSL_CERT_FILE are ignored) through HTTPS_PROXY to the production host.
 * It fails verification until `tcdeals ca install --certifi python3` has put the CA into the
 * certifi that interpreter imports — here a private copy first on PYTHONPATH, never the machine's
 * own — and `tcdeals ca uninstall` restores that bundle byte for byte. Once installed,
 * `tcdeals exec -- python3 app.py` reaches the sandbox with nothing else set.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tc3Headers } from '../../src/client/signer.js';
import { DEMO_CLIENT } from '../../src/domain/demo-seed.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { LocalCa } from '../../src/tls/ca.js';
import { BIN } from '../helpers/cli.js';
import { CLIENT_1, expectedBilling, fixtureDeals } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';

const probe = spawnSync('python3', ['-c', 'import requests, certifi, os; print(os.path.dirname(certifi.__file__))'], { encoding: 'utf8' });
const SKIP = probe.status === 0 ? undefined : 'python3 with requests and certifi is not available';
const REAL_CERTIFI = probe.stdout?.trim();

/** What the Python SDK does for a call (tencentcloud/common/http/request.py): requests, certifi's bundle, the environment's proxy. */
const APP = `
import json, os, sys
import certifi, requests
headers, body = json.loads(sys.argv[1]), sys.argv[2]
try:
    r = requests.post("https://billing.tencentcloudapi.com/", data=body.encode(), headers=headers, verify=certifi.where(), timeout=20)
    print(json.dumps({"status": r.status_code, "response": r.json()["Response"], "where": certifi.where()}))
except requests.exceptions.SSLError as e:
    print(json.dumps({"ssl_error": str(e), "where": certifi.where()}))
`;

const BODY = JSON.stringify({ StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 4, StatusSet: [4, 6] });

function signed(key: { SecretId: string; SecretKey: string }, body: string): Record<string, string> {
  return tc3Headers({ secretId: key.SecretId, secretKey: key.SecretKey, service: 'billing', host: 'billing.tencentcloudapi.com', timestamp: Math.floor(Date.now() / 1000), payload: body, action: 'DescribeDealsByCond', version: '2018-07-09' });
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<{ status: number | null; stdout: string; stderr: string; out: Record<string, any> }> {
  const child = spawn(command, args, { env, cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) =>
    child.once('close', (status) => {
      let out: Record<string, any> = {};
      try {
        out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
      } catch {
        out = {};
      }
      resolve({ status, stdout, stderr, out });
    }),
  );
}

describe('Python requests with certifi, as the Python SDK and tccli', { skip: SKIP }, () => {
  let dir: string;
  let pylib: string;
  let bundle: string;
  let app: string;
  let ca: LocalCa;
  let server: TestServer;
  let realBefore: string;
  const sandbox = new Sandbox();
  /** The environment without anything that points elsewhere or trusts something; PYTHONPATH first to the private certifi. */
  const baseEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/proxy|^NODE_EXTRA_CA_CERTS$|^SSL_CERT|BUNDLE|^TCDEALS_|^TENCENTCLOUD_|^DATABASE_URL$|^PYTHONPATH$/i.test(k)) env[k] = v;
    env.PYTHONPATH = pylib;
    env.PYTHONDONTWRITEBYTECODE = '1';
    return env;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-python-'));
    pylib = join(dir, 'pylib');
    mkdirSync(pylib);
    cpSync(REAL_CERTIFI!, join(pylib, 'certifi'), { recursive: true, filter: (src) => !src.includes('__pycache__') });
    bundle = join(pylib, 'certifi', 'cacert.pem');
    realBefore = sha256(join(REAL_CERTIFI!, 'cacert.pem'));
    app = join(dir, 'app.py');
    writeFileSync(app, APP);
    ca = await LocalCa.open(join(dir, 'ca'));
    server = await startServer({ ca, proxy: {}, sandbox });
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('before `ca install --certifi`: certificate verification fails, even with REQUESTS_CA_BUNDLE and SSL_CERT_FILE set', async () => {
    const env = { ...baseEnv(), HTTPS_PROXY: `http://127.0.0.1:${server.port}`, REQUESTS_CA_BUNDLE: ca.writeBundle(), SSL_CERT_FILE: ca.writeBundle() };
    const r = await run('python3', [app, JSON.stringify(signed(CLIENT_1.key, BODY)), BODY], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.out.where, bundle, 'the private copy of certifi is the one imported');
    assert.match(r.out.ssl_error ?? '', /CERTIFICATE_VERIFY_FAILED/, JSON.stringify(r.out));
  });

  const cliCa = (verb: 'install' | 'uninstall', python = 'python3') => spawnSync(process.execPath, [BIN, 'ca', verb, '--certifi', python, '--ca-dir', ca.paths.dir], { encoding: 'utf8', env: baseEnv() });

  test('`ca install --certifi PYTHON` appends to the bundle that interpreter imports; `ca uninstall` restores it byte for byte', () => {
    // A virtualenv's interpreter (as users run it), on the same private certifi through PYTHONPATH:
    // unlike the machine's python3 it runs no start-up hook of its own (see below).
    const venv = join(dir, 'venv');
    const made = spawnSync('python3', ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const python = join(venv, 'bin', 'python');
    const original = readFileSync(bundle);
    const installed = cliCa('install', python);
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(installed.stdout, new RegExp(`^added the tcdeals CA \\(SHA-256 [0-9A-F:]+…\\) to ${bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, between the lines`));
    const withCa = readFileSync(bundle);
    assert.ok(withCa.subarray(0, original.length).equals(original), 'only appended');
    assert.ok(withCa.toString('utf8').endsWith(`${ca.certPem}# END tcdeals local CA ${ca.paths.dir}\n`));
    assert.match(cliCa('install', python).stdout, /already in .*; nothing changed/);
    const removed = cliCa('uninstall', python);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stdout, /^removed the tcdeals CA of .* from /);
    assert.ok(readFileSync(bundle).equals(original), 'the bundle is byte for byte what it was');
    assert.match(cliCa('uninstall', python).stdout, /nothing changed/);
  });

  test('installed: the production host through HTTPS_PROXY answers, and under `tcdeals exec`; uninstalled: it fails again', async () => {
    const original = readFileSync(bundle, 'utf8');
    assert.equal(cliCa('install').status, 0);
    sandbox.journal.clear();
    const r = await run('python3', [app, JSON.stringify(signed(CLIENT_1.key, BODY)), BODY], { ...baseEnv(), HTTPS_PROXY: `http://127.0.0.1:${server.port}` });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.out.status, 200, JSON.stringify(r.out));
    const expected = expectedBilling(fixtureDeals(), { owner: CLIENT_1.uin, start: '2025-01-01 00:00:00', end: '2025-12-31 23:59:59', statuses: [4, 6] });
    assert.equal(r.out.response.TotalCount, expected.length);
    assert.deepEqual(r.out.response.Deals.map((d: { OrderId: string }) => d.OrderId), expected.slice(0, 4).map((d) => d.deal_name));
    assert.deepEqual(sandbox.journal.list().map((e) => [e.via, e.host, e.code]), [['proxy', 'billing.tencentcloudapi.com', 'OK']]);

    // Installed once, `tcdeals exec -- python3 app.py` reaches a sandbox with nothing else set
    // (the demo client's well-known key signs; exec sets HTTPS_PROXY itself).
    const cwd = join(dir, 'exec-cwd');
    mkdirSync(cwd);
    const wide = JSON.stringify({ StartTime: '2000-01-01 00:00:00', EndTime: '2100-01-01 00:00:00', Limit: 2 });
    const inExec = await run(process.execPath, [BIN, 'exec', '--ca-dir', ca.paths.dir, '--', 'python3', app, JSON.stringify(signed(DEMO_CLIENT.key, wide)), wide], baseEnv(), cwd);
    assert.equal(inExec.status, 0, inExec.stderr);
    assert.equal(inExec.out.status, 200, JSON.stringify(inExec.out));
    assert.ok(inExec.out.response.TotalCount > 0 && inExec.out.response.Deals.length === 2, JSON.stringify(inExec.out));

    // Uninstall takes out exactly its block, whatever else is in the file. (Other tools may write to
    // a certifi bundle while the CA is in it — this machine's python3 appends a CA of its own to
    // certifi at start-up, which is why the byte-for-byte test above uses a virtualenv — and keep theirs.)
    const before = readFileSync(bundle, 'utf8');
    const start = before.indexOf(`# BEGIN tcdeals local CA ${ca.paths.dir}\n`);
    const endMarker = `# END tcdeals local CA ${ca.paths.dir}\n`;
    const end = before.indexOf(endMarker) + endMarker.length;
    assert.equal(cliCa('uninstall').status, 0);
    const after = readFileSync(bundle, 'utf8');
    assert.equal(after, before.slice(0, start) + before.slice(end));
    assert.ok(after.startsWith(original));
    const again = await run('python3', [app, JSON.stringify(signed(CLIENT_1.key, BODY)), BODY], { ...baseEnv(), HTTPS_PROXY: `http://127.0.0.1:${server.port}` });
    assert.match(again.out.ssl_error ?? '', /CERTIFICATE_VERIFY_FAILED/);
  });

  test('the machine’s own certifi bundle was never touched', () => {
    assert.equal(sha256(join(REAL_CERTIFI!, 'cacert.pem')), realBefore);
    assert.notEqual(dirname(bundle), REAL_CERTIFI);
  });
});
