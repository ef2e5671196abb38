/**
 * `tcdeals exec -- <command>`: a throwaway sandbox around one command. The command gets working
 * credentials and the endpoint in its environment; its exit code (or signal) comes back; and
 * afterwards no server answers and no file is left but the local CA (made once, beside the data,
 * shared with `serve`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, waitFor } from '../helpers/cli.js';

const CLIENT_LIB = fileURLToPath(new URL('../../dist/client/index.js', import.meta.url));

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `tcdeals exec …` in `cwd` with TMPDIR pointing at `tmp`; `onStart` sees the live process. */
function execRun(args: string[], o: { cwd: string; tmp: string; env?: Record<string, string>; onStart?: (child: ReturnType<typeof spawn>, out: () => string) => void }): Promise<Run> {
  // CA variables the machine may set are cleared: with them exec writes merged copies beside the
  // CA (tested in test/tls/ca.test.ts), and the files left behind would depend on the machine.
  const env = { ...process.env, DATABASE_URL: '', TMPDIR: o.tmp, TEMP: o.tmp, TMP: o.tmp, TCDEALS_ENDPOINT: '', TCDEALS_ADMIN_TOKEN: '', NODE_EXTRA_CA_CERTS: '', SSL_CERT_FILE: '', REQUESTS_CA_BUNDLE: '', ...o.env };
  const child = spawn(process.execPath, [BIN, 'exec', ...args], { cwd: o.cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  o.onStart?.(child, () => stdout);
  return new Promise((resolve) => child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
}

/** Resolves to the connection error code (ECONNREFUSED when nothing listens), or 'connected'. */
function probe(endpoint: string): Promise<string> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** What a run may leave in its working directory: the local CA in data/ca (or ca/ beside a --db file), nothing else. */
function leftBehind(cwd: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, `${rel}${name}/`);
      else out.push(`${rel}${name}`);
    }
  };
  walk(cwd, '');
  return out.sort();
}
const CA_FILES = ['data/ca/bundle.pem', 'data/ca/ca-key.pem', 'data/ca/ca.pem'];

const node = (script: string, ...args: string[]) => ['--', process.execPath, '--input-type=module', '-e', script, ...args];

describe('tcdeals exec', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'tcdeals-exec-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  /** An empty working directory and an empty TMPDIR for one run, to check nothing lands in either. */
  const fresh = (name: string) => {
    const dirs = { cwd: join(root, name, 'cwd'), tmp: join(root, name, 'tmp') };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    return dirs;
  };

  test('passes exit codes through: 0, 3, and 128 + n for a signal', async () => {
    const dirs = fresh('codes');
    const [zero, three, killed] = await Promise.all([
      execRun(node('process.exit(0)'), dirs),
      execRun(node('process.exit(3)'), dirs),
      execRun(node("process.kill(process.pid, 'SIGTERM')"), dirs),
    ]);
    assert.deepEqual([zero.status, three.status, killed.status], [0, 3, 143], `${zero.stderr}${three.stderr}${killed.stderr}`);
    const missing = await execRun(['--', 'tcdeals-no-such-command'], dirs);
    assert.equal(missing.status, 127);
    assert.match(missing.stderr, /cannot run "tcdeals-no-such-command": command not found/);
    assert.deepEqual([leftBehind(dirs.cwd), readdirSync(dirs.tmp)], [CA_FILES, []]);
  });

  test('the command calls both APIs and the admin API with the variables it is given; nothing is left afterwards', async () => {
    const dirs = fresh('calls');
    const script = `
      const { TencentCloudClient } = await import(process.argv[1]);
      const e = process.env;
      const agent = new TencentCloudClient({ secretId: e.TENCENTCLOUD_SECRET_ID, secretKey: e.TENCENTCLOUD_SECRET_KEY, baseUrl: e.TCDEALS_ENDPOINT, ratePerSecond: 0 });
      const client = new TencentCloudClient({ secretId: e.TCDEALS_CLIENT_SECRET_ID, secretKey: e.TCDEALS_CLIENT_SECRET_KEY, baseUrl: e.TCDEALS_ENDPOINT, ratePerSecond: 0 });
      const partners = await agent.describeAgentDealsByCache({ Offset: 0, Limit: 1 });
      const billing = await client.describeDealsByCond({ StartTime: '2000-01-01 00:00:00', EndTime: '2100-01-01 00:00:00', Limit: 1, StatusSet: [1,2,3,4,5,6,7,8,9,10,11,12,13,30] });
      const state = await (await fetch(e.TCDEALS_ENDPOINT + '/_tcdeals/admin/state', { headers: { authorization: 'Bearer ' + e.TCDEALS_ADMIN_TOKEN } })).json();
      console.log(JSON.stringify({ endpoint: e.TCDEALS_ENDPOINT, partners: partners.TotalCount, billing: billing.TotalCount, deals: state.counts.deals, db: state.store.location }));
    `;
    const run = await execRun(node(script, CLIENT_LIB), dirs);
    assert.equal(run.status, 0, run.stderr);
    const seen = JSON.parse(run.stdout.trim().split('\n').pop()!);
    assert.match(seen.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(seen.partners > 0 && seen.billing > 0 && seen.deals > 0, run.stdout);
    assert.equal(seen.db, ':memory:');
    // The server is gone, and nothing was written.
    assert.equal(await probe(seen.endpoint), 'ECONNREFUSED');
    assert.deepEqual([leftBehind(dirs.cwd), readdirSync(dirs.tmp)], [CA_FILES, []]);
    // --no-proxy: not even the CA.
    const bare = fresh('calls-no-proxy');
    const again = await execRun(['--no-proxy', ...node(script, CLIENT_LIB)], bare);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual([readdirSync(bare.cwd), readdirSync(bare.tmp)], [[], []]);
  });

  test('tcdeals admin works inside exec as is; --no-demo leaves the key variables alone', async () => {
    const dirs = fresh('admin');
    const inside = await execRun(['--', process.execPath, BIN, 'admin', 'accounts', 'create', '--uin', '340000000001'], dirs);
    assert.equal(inside.status, 0, inside.stderr);
    assert.match(inside.stdout, /created account 340000000001/);
    const bare = await execRun(['--no-demo', ...node('console.log(JSON.stringify([process.env.TENCENTCLOUD_SECRET_ID, process.env.TCDEALS_CLIENT_SECRET_ID ?? null]))')], {
      ...dirs,
      env: { TENCENTCLOUD_SECRET_ID: 'outer-id' },
    });
    assert.equal(bare.status, 0, bare.stderr);
    assert.deepEqual(JSON.parse(bare.stdout), ['outer-id', null]);
  });

  test('SIGTERM to exec reaches the command, whose exit code comes back; the server stops', async () => {
    const dirs = fresh('signal');
    let endpoint = '';
    const script = `
      process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(7); });
      console.log('ready ' + process.env.TCDEALS_ENDPOINT);
      setInterval(() => {}, 1000);
    `;
    const run = await execRun(node(script), {
      ...dirs,
      onStart: (child, out) => {
        void waitFor(out, /ready (\S+)/, 30_000).then(() => {
          endpoint = /ready (\S+)/.exec(out())![1]!;
          child.kill('SIGTERM');
        });
      },
    });
    assert.equal(run.status, 7, run.stderr);
    assert.match(run.stdout, /got SIGTERM/);
    assert.equal(await probe(endpoint), 'ECONNREFUSED');
  });

  test('--db FILE keeps the data in that file, and only there', async () => {
    const dirs = fresh('file');
    const db = join(dirs.cwd, 'sandbox.db');
    const first = await execRun(['--db', db, '--', process.execPath, BIN, 'admin', 'accounts', 'create', '--uin', '340000000002'], dirs);
    assert.equal(first.status, 0, first.stderr);
    const second = await execRun(['--db', db, '--', process.execPath, BIN, 'admin', 'accounts', 'show', '340000000002'], dirs);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).Uin, '340000000002');
    assert.deepEqual(leftBehind(dirs.cwd), ['ca/bundle.pem', 'ca/ca-key.pem', 'ca/ca.pem', 'sandbox.db']);
    assert.deepEqual(readdirSync(dirs.tmp), []);
  });
});

