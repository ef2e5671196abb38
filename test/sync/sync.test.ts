/**
 * `tcdeals sync` against a real tcdeals server: a 50k-deal agent mirrored into SQLite and NDJSON
 * with the server's exact content, a sync killed midway and resumed without duplicates, a rate-
 * limited server with no RequestLimitExceeded reaching the user, and a round trip through NDJSON
 * into a fresh tcdeals that answers the same queries identically.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { TencentCloudClient } from '../../src/client/client.js';
import { openSink } from '../../src/sync/sinks/sink.js';
import { runSync } from '../../src/sync/sync.js';
import { BIN, cli, serve } from '../helpers/cli.js';
import { bigAgentDataset, DEMO_AGENT } from '../helpers/big-agent.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { tc3 } from '../helpers/call.js';

const FROM = '2025-11-01 00:00:00';
const TO = '2026-11-24 23:59:59';
const AGENT_KEY = DEMO_AGENT.key;

/** Order-independent checksum of a set of deals: sorted by key, canonical JSON. */
function checksum(bodies: string[]): string {
  const sorted = bodies.map((b) => JSON.parse(b) as { DealName: string }).sort((a, b) => (a.DealName < b.DealName ? -1 : 1));
  return createHash('sha256').update(sorted.map((d) => JSON.stringify(d)).join('\n')).digest('hex');
}

/** Everything the server holds for the agent, straight from its cache table. */
async function serverBodies(server: TestServer): Promise<string[]> {
  const rows = await server.store.db.selectFrom('agent_deal_cache').select('body').where('agent_uin', '=', DEMO_AGENT.uin).execute();
  return rows.map((r) => r.body);
}

function client(server: TestServer, rate = 0) {
  return new TencentCloudClient({ secretId: AGENT_KEY.SecretId, secretKey: AGENT_KEY.SecretKey, baseUrl: server.url.replace(/\/$/, ''), ratePerSecond: rate });
}

describe('sync a 50k-deal agent', () => {
  let server: TestServer;
  let dir: string;
  let expected: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-sync-'));
    server = await startServer({ dataset: bigAgentDataset(50_000) });
    const bodies = await serverBodies(server);
    assert.equal(bodies.length, 50_000);
    expected = checksum(bodies);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('into SQLite: count and checksum equal the server’s data', async () => {
    const out = join(dir, 'mirror.db');
    const sink = await openSink(out, { service: 'partners' });
    const summary = await runSync({ client: client(server), service: 'partners', from: FROM, to: TO, sink });
    await sink.close();
    assert.equal(summary.written, 50_000);
    assert.equal(summary.total, 50_000);
    assert.ok(summary.pages >= 250);
    const db = new BetterSqlite3(out, { readonly: true });
    const rows = db.prepare("select body from mirror_deals where service = 'partners'").all() as Array<{ body: string }>;
    db.close();
    assert.equal(rows.length, 50_000);
    assert.equal(checksum(rows.map((r) => r.body)), expected);
  });

  test('into NDJSON: count and checksum equal the server’s data', async () => {
    const out = join(dir, 'mirror.ndjson');
    const sink = await openSink(out, { service: 'partners' });
    const summary = await runSync({ client: client(server), service: 'partners', from: FROM, to: TO, sink });
    await sink.close();
    assert.equal(summary.written, 50_000);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 50_000);
    assert.equal(checksum(lines), expected);
  });

  test('killed midway and run again: the same result, no duplicates', async () => {
    const out = join(dir, 'killed.ndjson');
    const env = { ...process.env, TENCENTCLOUD_SECRET_ID: AGENT_KEY.SecretId, TENCENTCLOUD_SECRET_KEY: AGENT_KEY.SecretKey };
    const args = [BIN, 'sync', '--service', 'partners', '--endpoint', server.url.replace(/\/$/, ''), '--from', FROM, '--to', TO, '--out', out, '--rate', '0', '--no-progress'];
    const child = spawn(process.execPath, args, { env });
    // Let it write some pages, then kill it hard.
    const checkpoint = `${out}.checkpoint.json`;
    const deadline = Date.now() + 30_000;
    while (!(existsSync(checkpoint) && (JSON.parse(readFileSync(checkpoint, 'utf8')) as { written: number }).written >= 10_000)) {
      assert.ok(Date.now() < deadline, 'sync made no progress');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = readFileSync(out, 'utf8').trim().split('\n').length;
    assert.ok(partial < 50_000, `killed before the end (${partial} lines)`);

    const again = spawn(process.execPath, args, { env });
    let stdout = '';
    again.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const code = await new Promise((r) => again.once('exit', r));
    assert.equal(code, 0, stdout);
    assert.match(stdout, /resumed at window/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 50_000);
    assert.equal(new Set(lines.map((l) => (JSON.parse(l) as { DealName: string }).DealName)).size, 50_000, 'no duplicates');
    assert.equal(checksum(lines), expected);
  });
});

describe('sync against a server limiting at 20/s', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ dataset: bigAgentDataset(6_000, 7), rateLimit: { points: 20, durationSec: 1 } });
  });
  after(() => server.close());

  test('finishes with zero RequestLimitExceeded surfacing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcdeals-sync-rl-'));
    try {
      const c = client(server, 20);
      const sink = await openSink(join(dir, 'out.csv'), { service: 'partners' });
      const started = Date.now();
      const summary = await runSync({ client: c, service: 'partners', from: FROM, to: TO, sink, pageSize: 100 });
      await sink.close();
      assert.equal(summary.written, 6_000);
      assert.ok(summary.pages >= 60);
      assert.equal(c.stats.failures, 0);
      assert.equal(c.stats.rateLimited, 0, 'pacing kept every call under the limit');
      // 60+ calls at 20/s take at least ~3 s: the pacing really ran against the real limit.
      assert.ok(Date.now() - started > 2500);
      const csv = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n');
      assert.equal(csv.length, 6_001, 'header + one line per deal');
      assert.match(csv[0]!, /^DealName,DealId,BigDealId,OwnerUin/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('round trip: sync to NDJSON, import into a fresh tcdeals', () => {
  let source: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-roundtrip-'));
    source = await startServer({ dataset: bigAgentDataset(3_000, 11) });
  });
  after(async () => {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the same queries give the same answers', async () => {
    const ndjson = join(dir, 'agent.ndjson');
    const sink = await openSink(ndjson, { service: 'partners' });
    await runSync({ client: client(source), service: 'partners', from: FROM, to: TO, sink });
    await sink.close();

    const db = join(dir, 'sandbox.db');
    assert.equal(cli(['accounts', 'create', '--db', db, '--uin', DEMO_AGENT.uin, '--agent']).status, 0);
    const imp = cli(['deals', 'import', '--db', db, '--agent', DEMO_AGENT.uin, ndjson]);
    assert.equal(imp.status, 0, imp.stderr);
    const key = JSON.parse(cli(['keys', 'create', '--db', db, '--uin', DEMO_AGENT.uin, '--json']).stdout) as { SecretId: string; SecretKey: string };

    const sandbox = await serve(['--db', db, '--no-demo', '--rate-limit', '0']);
    try {
      const queries: Array<Record<string, unknown>> = [
        { Offset: 0, Limit: 200 },
        { Offset: 1000, Limit: 50, Order: 1 },
        { Offset: 0, Limit: 100, Status: 4 },
        { Offset: 0, Limit: 100, PayerMode: 1, CreatTimeRangeStart: '2026-03-01 00:00:00', CreatTimeRangeEnd: '2026-05-29 00:00:00' },
        { Offset: 5, Limit: 20, OwnerUins: ['100000000003', '100000000007'] },
      ];
      for (const q of queries) {
        const a = await tc3(source.url, { action: 'DescribeAgentDealsByCache', version: '2018-03-21', body: q, key: AGENT_KEY });
        const b = await tc3(`http://${sandbox.endpoint}/`, { action: 'DescribeAgentDealsByCache', version: '2018-03-21', body: q, key });
        delete a.json.Response.RequestId;
        delete b.json.Response.RequestId;
        assert.ok(a.json.Response.TotalCount > 0, JSON.stringify(q));
        assert.deepEqual(b.json.Response, a.json.Response, JSON.stringify(q));
      }
    } finally {
      await sandbox.stop();
    }
  });
});
