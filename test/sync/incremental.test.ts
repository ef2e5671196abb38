/**
 * Incremental sync: after a complete run, a later run re-pulls only a trailing window before the
 * last run's end, and upserts by DealName — a status change replaces the deal's row or line, a
 * new deal is added, and nothing is duplicated. Also the billing service and `tcdeals call`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { TencentCloudClient } from '../../src/client/client.js';
import { openSink } from '../../src/sync/sinks/sink.js';
import { runSync } from '../../src/sync/sync.js';
import { deal, expectedBilling, fixtureDeals, AGENT_A, CLIENT_1 } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { cliAsync } from '../helpers/cli.js';

const clientFor = (server: TestServer, key: { SecretId: string; SecretKey: string }) =>
  new TencentCloudClient({ secretId: key.SecretId, secretKey: key.SecretKey, baseUrl: server.url.replace(/\/$/, ''), ratePerSecond: 0 });

describe('incremental sync', () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-incr-'));
    server = await startServer();
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const target of ['agent.ndjson', 'agent.db', 'agent.csv']) {
    test(`re-pulls the trailing window and upserts changes (${target})`, async () => {
      const out = join(dir, `${Date.now()}-${target}`);
      const c = clientFor(server, AGENT_A.key);
      const first = await openSink(out, { service: 'partners' });
      const full = await runSync({ client: c, service: 'partners', from: '2025-01-01 00:00:00', to: '2025-12-31 23:59:59', sink: first });
      await first.close();
      assert.ok(full.written > 20);

      // A late status change on a deal inside the trailing window, and a brand-new deal.
      const changed = fixtureDeals().find((d) => d.owner_uin === CLIENT_1.uin && d.pay_mode === 'prePay' && d.create_time >= '2025-12-20 00:00:00')!;
      assert.ok(changed, 'fixture has a recent prepaid deal of CLIENT_1');
      await server.store.upsertDeals([{ ...changed, status: 6, update_time: '2025-12-31 10:00:00' }]);
      const fresh = deal({ deal_name: `2025123100000000${String(Date.now()).slice(-4)}1`, owner_uin: CLIENT_1.uin, create_time: '2025-12-31 09:00:00' });
      await server.store.upsertDeals([fresh]);

      const second = await openSink(out, { service: 'partners' });
      const incr = await runSync({ client: c, service: 'partners', from: '2025-01-01 00:00:00', to: '2025-12-31 23:59:59', sink: second, incremental: true, trailingDays: 15 });
      await second.close();
      assert.equal(incr.mode, 'incremental');
      assert.equal(incr.from, '2025-12-16 23:59:59', 'only the trailing 15 days were pulled');
      assert.ok(incr.written < full.written);
      assert.equal(incr.total, full.written + 1, 'one new deal, no duplicates');

      const rows = read(out);
      assert.equal(rows.get(changed.deal_name)?.Status, '6', 'the status change replaced the old row');
      assert.ok(rows.has(fresh.deal_name), 'the new deal was added');
      assert.equal(rows.size, full.written + 1);
      // Put the fixture back for the next target.
      await server.store.upsertDeals([changed]);
      await server.store.db.deleteFrom('agent_deal_cache').where('deal_name', '=', fresh.deal_name).execute();
      await server.store.db.deleteFrom('deals').where('deal_name', '=', fresh.deal_name).execute();
    });
  }

  test('billing: every status of the caller’s own deals, into CSV', async () => {
    const out = join(dir, 'billing.csv');
    const sink = await openSink(out, { service: 'billing' });
    const summary = await runSync({ client: clientFor(server, CLIENT_1.key), service: 'billing', from: '2025-01-01 00:00:00', to: '2025-12-31 23:59:59', sink, pageSize: 7 });
    await sink.close();
    const expected = expectedBilling(fixtureDeals(), { owner: CLIENT_1.uin, start: '2025-01-01 00:00:00', end: '2025-12-31 23:59:59', statuses: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30] });
    assert.equal(summary.written, expected.length);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.match(lines[0]!, /^OrderId,/);
    assert.deepEqual(new Set(lines.slice(1).map((l) => l.split(',')[0])), new Set(expected.map((d) => d.deal_name)));
  });
});

function read(out: string): Map<string, { Status: string }> {
  const rows = new Map<string, { Status: string }>();
  if (out.endsWith('.db')) {
    const db = new BetterSqlite3(out, { readonly: true });
    for (const r of db.prepare('select deal_key, body from mirror_deals').all() as Array<{ deal_key: string; body: string }>) rows.set(r.deal_key, JSON.parse(r.body));
    db.close();
  } else if (out.endsWith('.csv')) {
    const [header, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
    const status = header!.split(',').indexOf('Status');
    for (const l of lines) rows.set(l.split(',')[0]!, { Status: l.split(',')[status]! });
  } else {
    for (const l of readFileSync(out, 'utf8').trim().split('\n')) {
      const d = JSON.parse(l) as { DealName: string; Status: string };
      rows.set(d.DealName, d);
    }
  }
  return rows;
}

describe('tcdeals call', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const env = (key: { SecretId: string; SecretKey: string }) => ({ TENCENTCLOUD_SECRET_ID: key.SecretId, TENCENTCLOUD_SECRET_KEY: key.SecretKey });

  test('prints the JSON response; lists as repeated flags or JSON', async () => {
    const endpoint = server.url.replace(/\/$/, '');
    const a = await cliAsync(['call', 'partners', 'DescribeAgentDealsByCache', '--endpoint', endpoint, '--Offset', '0', '--Limit', '5', '--OwnerUins', CLIENT_1.uin, '--OwnerUins', '800000000002'], env(AGENT_A.key));
    assert.equal(a.status, 0, a.stderr);
    const ra = JSON.parse(a.stdout).Response;
    assert.equal(ra.AgentDealSet.length, 5);
    const b = await cliAsync(['call', 'partners', 'DescribeAgentDealsByCache', '--endpoint', endpoint, '--Offset', '0', '--Limit', '5', '--OwnerUins', `["${CLIENT_1.uin}","800000000002"]`], env(AGENT_A.key));
    const rb = JSON.parse(b.stdout).Response;
    assert.equal(rb.TotalCount, ra.TotalCount);
    assert.deepEqual(rb.AgentDealSet, ra.AgentDealSet);
    const c = await cliAsync(['call', 'billing', 'DescribeDealsByCond', '--endpoint', endpoint, '--StartTime', '2025-01-01 00:00:00', '--EndTime', '2025-12-31 23:59:59', '--Limit', '3', '--StatusSet', '4', '--StatusSet', '6'], env(CLIENT_1.key));
    assert.equal(c.status, 0, c.stderr);
    assert.equal(JSON.parse(c.stdout).Response.Deals.length, 3);
  });

  test('API errors and bad flags fail with a message', async () => {
    const endpoint = server.url.replace(/\/$/, '');
    const e = await cliAsync(['call', 'partners', 'DescribeAgentDealsByCache', '--endpoint', endpoint, '--Offset', '0', '--Limit', '500'], env(AGENT_A.key));
    assert.notEqual(e.status, 0);
    assert.match(e.stderr, /InvalidParameter/);
    assert.match((await cliAsync(['call', 'partners', 'DescribeAgentDealsByCache', '--Bogus', '1'], env(AGENT_A.key))).stderr, /no parameter Bogus/);
    assert.match((await cliAsync(['call', 'partners', 'DescribeAgentDealsByCache', '--Offset', '0', '--Limit', '1'], {})).stderr, /TENCENTCLOUD_SECRET_ID/);
  });
});
