/**
 * `tcdeals seed` end to end at a small size: the real launcher fills a database through the
 * worker-thread pipeline with exactly the generator's data, prints working keys, refuses a
 * database that already holds deals unless told, and `serve` then answers the official SDK with
 * those keys. Also `deals import` of the seeded deals into a fresh database (the bulk import path).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import BetterSqlite3 from 'better-sqlite3';
import type { DealRecord } from '../../src/domain/deal.js';
import { generate } from '../../src/domain/generator.js';
import { toExportDeal } from '../../src/domain/views.js';
import { cli, serve } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
const { partners } = require('tencentcloud-sdk-nodejs/tencentcloud/services/partners');
const { billing } = require('tencentcloud-sdk-nodejs/tencentcloud/services/billing');

const ARGS = ['--agents', '2', '--clients', '3', '--deals', '1500', '--months', '6', '--seed', '7', '--anchor', '2026-11-24', '--batch-size', '300'];
const OPTIONS = { agents: 2, clients: 3, deals: 1500, months: 6, seed: 7, anchorMs: Date.UTC(2026, 10, 24, 4), batchSize: 300 };

function rows<T>(db: string, query: string): T[] {
  const conn = new BetterSqlite3(db, { readonly: true });
  try {
    return conn.prepare(query).all() as T[];
  } finally {
    conn.close();
  }
}

describe('tcdeals seed', () => {
  let dir: string;
  let db: string;
  let out: ReturnType<typeof cli>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-seed-'));
    db = join(dir, 'seeded.db');
    out = cli(['seed', '--db', db, ...ARGS]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('fills the database with exactly the generator’s data and prints a summary with keys', () => {
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^seeded 1500 deal\(s\) for 2 agent\(s\) and 6 client\(s\), 2026-05-24 00:00:00 \.\. 2026-11-24 00:00:00 \(seed 7\), in [\d.]+ s \(\d+ deals\/s\) into /);
    assert.match(out.stdout, /agent\s+uin 200000000001\s+SecretId AKID[A-Za-z0-9]{32}\s+SecretKey [A-Za-z0-9]{32}/);
    assert.match(out.stdout, /client\s+uin 100000000001\s+SecretId AKID[A-Za-z0-9]{32}\s+SecretKey [A-Za-z0-9]{32}/);

    const expected: DealRecord[] = [];
    const data = generate(OPTIONS);
    for (const batch of data.deals) expected.push(...batch);
    const stored = rows<DealRecord>(db, 'select * from deals order by deal_name');
    assert.equal(stored.length, 1500);
    expected.sort((a, b) => (a.deal_name < b.deal_name ? -1 : 1));
    assert.deepEqual(stored, expected);
    // The generator's accounts, and three applicants per agent for the partners workflow (docs/partners.md).
    assert.equal(rows<{ n: number }>(db, 'select count(*) n from accounts')[0]!.n, data.accounts.length + 3 * 2);
    for (const table of ['client_profiles', 'salesmen', 'client_applications', 'unbind_applications']) {
      assert.ok(rows<{ n: number }>(db, `select count(*) n from ${table}`)[0]!.n > 0, `${table} is filled`);
    }
    assert.equal(rows<{ n: number }>(db, 'select count(*) n from agent_clients')[0]!.n, 6);
    const cache = rows<{ n: number }>(db, 'select count(*) n from agent_deal_cache')[0]!.n;
    assert.ok(cache > 500 && cache < 1500, `${cache} cache rows`);
    // The indexes dropped for the load are back, and the file is in WAL mode again.
    assert.ok(rows<{ name: string }>(db, "select name from sqlite_master where type = 'index' and name = 'adc_agent_time'").length === 1);
    assert.equal(rows<{ journal_mode: string }>(db, 'pragma journal_mode')[0]!.journal_mode, 'wal');
  });

  test('the same options give the same deals; a database with deals is refused unless --append', () => {
    const again = join(dir, 'again.db');
    assert.equal(cli(['seed', '--db', again, ...ARGS, '--json']).status, 0);
    const checksum = (file: string) => JSON.stringify(rows(file, 'select * from deals order by deal_name'));
    assert.equal(checksum(again), checksum(db));

    const refused = cli(['seed', '--db', again, ...ARGS]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /already holds deals/);
    const appended = cli(['seed', '--db', again, ...ARGS.map((a) => (a === '7' ? '8' : a)), '--append', '--json']);
    assert.equal(appended.status, 0, appended.stderr);
    const summary = JSON.parse(appended.stdout) as { deals: number; keys: Array<{ role: string; uin: string }>; dealsPerSecond: number };
    assert.equal(summary.deals, 1500);
    assert.deepEqual(summary.keys.map((k) => k.role), ['agent', 'client']);
    assert.ok(rows<{ n: number }>(again, 'select count(*) n from deals')[0]!.n > 1500);
  });

  test('bad options are refused', () => {
    const r = cli(['seed', '--db', join(dir, 'bad.db'), '--agents', '0']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--agents/);
    assert.match(cli(['seed', '--db', join(dir, 'bad.db'), '--anchor', '2026-02-30']).stderr, /--anchor/);
  });

  test('serve answers the official SDK with the printed keys', async () => {
    const agent = /agent\s+uin (\d+)\s+SecretId (\S+)\s+SecretKey (\S+)/.exec(out.stdout)!;
    const client = /client\s+uin (\d+)\s+SecretId (\S+)\s+SecretKey (\S+)/.exec(out.stdout)!;
    const server = await serve(['--db', db, '--no-demo', '--rate-limit', '0']);
    try {
      const profile = { httpProfile: { endpoint: server.endpoint, protocol: 'http://', reqTimeout: 10 } };
      const p = new partners.v20180321.Client({ credential: { secretId: agent[2], secretKey: agent[3] }, region: '', profile });
      const page = await p.DescribeAgentDealsByCache({ Offset: 0, Limit: 100, CreatTimeRangeStart: '2026-09-01 00:00:00', CreatTimeRangeEnd: '2026-11-23 23:59:59' });
      const expected = rows<{ n: number }>(db, "select count(*) n from agent_deal_cache where agent_uin = '200000000001' and create_time between '2026-09-01 00:00:00' and '2026-11-23 23:59:59'")[0]!.n;
      assert.equal(page.TotalCount, expected);
      assert.ok(page.AgentDealSet.length > 0);
      const b = new billing.v20180709.Client({ credential: { secretId: client[2], secretKey: client[3] }, region: '', profile });
      const own = await b.DescribeDealsByCond({ StartTime: '2026-05-24 00:00:00', EndTime: '2026-11-24 00:00:00', Limit: 10 });
      assert.ok(own.TotalCount > 0);
    } finally {
      await server.stop();
    }
  });

  test('deals import loads the seeded deals into a fresh database through the bulk path, binding their owners', () => {
    const seeded = rows<DealRecord>(db, 'select * from deals order by deal_name');
    const relation = { client_type: 'new', project_type: 'self', sales_uin: '0', client_remark: '' };
    const file = join(dir, 'deals.ndjson');
    writeFileSync(file, seeded.map((d) => JSON.stringify(toExportDeal(d, relation))).join('\n'));
    const target = join(dir, 'imported.db');
    assert.equal(cli(['accounts', 'create', '--db', target, '--uin', '200000000001', '--agent']).status, 0);
    const r = cli(['deals', 'import', '--db', target, '--agent', '200000000001', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^imported 1500 deal\(s\), bound \d+ new client\(s\) to agent 200000000001 in [\d.]+ s \(\d+ deals\/s\)/);
    const imported = rows<DealRecord>(target, 'select * from deals order by deal_name');
    // The relation fields come back as the snapshot written into the file; the rest is identical.
    const strip = (d: DealRecord) => ({ ...d, client_type: null, project_type: null, sales_uin: null, client_remark: null });
    assert.deepEqual(imported.map(strip), seeded.map(strip));
    const owners = new Set(seeded.filter((d) => d.owner_uin !== '200000000001').map((d) => d.owner_uin));
    assert.equal(rows<{ n: number }>(target, 'select count(*) n from agent_clients')[0]!.n, owners.size);
    const prepaid = seeded.filter((d) => d.pay_mode === 'prePay' && owners.has(d.owner_uin)).length;
    assert.equal(rows<{ n: number }>(target, 'select count(*) n from agent_deal_cache')[0]!.n, prepaid);

    // A bad record: nothing is imported.
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${JSON.stringify(toExportDeal({ ...seeded[0]!, deal_name: 'NEW-1' }, relation))}\n{"DealName":"x"}\n`);
    const refused = cli(['deals', 'import', '--db', target, bad]);
    assert.notEqual(refused.status, 0);
    assert.equal(rows(target, "select 1 from deals where deal_name = 'NEW-1'").length, 0);
  });
});
