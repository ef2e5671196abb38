/**
 * The console's signed endpoints: the same TC3 keys as the API, the API's envelope, and exactly
 * what the caller sees through the APIs (isolation, like the actions' tests).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildDemoDataset, DEMO_AGENT, DEMO_CLIENT } from '../../src/domain/demo-seed.js';
import { expectError, okResponse } from '../helpers/call.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_3, LONER } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { forEachBackend } from '../helpers/backends.js';
import { startAdminServer, type AdminServer } from '../admin/support.js';
import { AGGREGATE, allDeals, BILLING, ok, PARTNERS, REFUNDS, signed } from './support.js';

const WINDOW = { StartTime: '2000-01-01 00:00:00', EndTime: '2099-12-31 23:59:59' };

interface Agg {
  TotalCount: number;
  RealTotalCost: number;
  SpendByMonth: Array<{ Month: string; Product: string; RealTotalCost: number; Count: number }>;
  TopClients: Array<{ OwnerUin: string; RealTotalCost: number; Count: number }>;
  StatusMix: Array<{ Status: number; Count: number; RealTotalCost: number }>;
  PurchasesRefunds: Array<{ Month: string; Purchases: number; Refunds: number; PurchaseCount: number; RefundCount: number }>;
  PayerModes: Array<{ PayerMode: number; Count: number; RealTotalCost: number }>;
  ClientMonths: Array<{ OwnerUin: string; Month: string; Count: number; RealTotalCost: number }>;
}

function sum<T>(xs: T[], f: (x: T) => number) {
  return xs.reduce((a, x) => a + f(x), 0);
}

/** The aggregate a caller should get, computed from the deals the API pages out. */
function expected(deals: Array<Record<string, any>>, view: 'partners' | 'billing') {
  const cost = (d: Record<string, any>) => (view === 'partners' ? Number(d.GoodsPrice.RealTotalCost) : Number(d.RealTotalCost));
  const time = (d: Record<string, any>) => String(view === 'partners' ? d.CreatTime : d.CreateTime);
  const byStatus = new Map<number, number>();
  const byMonth = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const d of deals) {
    byStatus.set(Number(d.Status), (byStatus.get(Number(d.Status)) ?? 0) + 1);
    byMonth.set(time(d).slice(0, 7), (byMonth.get(time(d).slice(0, 7)) ?? 0) + cost(d));
    if (view === 'partners') byOwner.set(d.OwnerUin, (byOwner.get(d.OwnerUin) ?? 0) + cost(d));
  }
  return { total: deals.length, cost: sum(deals, cost), byStatus, byMonth, byOwner };
}

forEachBackend((backend) => describe('console aggregate endpoint (fixture: two agents, their clients, a loner)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ backend });
  });
  after(() => server.close());

  test('an agent sees exactly its partners deals; another agent and a client see theirs', async () => {
    for (const agent of [AGENT_A, AGENT_B]) {
      const deals = await allDeals(server.url, PARTNERS, agent.key, {});
      const agg = await ok<Agg>(server.url, AGGREGATE, agent.key, { View: 'partners', ...WINDOW });
      const want = expected(deals, 'partners');
      assert.equal(agg.TotalCount, want.total, `${agent.uin} count`);
      assert.equal(agg.RealTotalCost, want.cost);
      assert.deepEqual(new Map(agg.StatusMix.map((s) => [s.Status, s.Count])), want.byStatus);
      const months = new Map<string, number>();
      for (const r of agg.SpendByMonth) months.set(r.Month, (months.get(r.Month) ?? 0) + r.RealTotalCost);
      assert.deepEqual(months, want.byMonth);
      const owners = new Map<string, number>();
      for (const r of agg.ClientMonths) owners.set(r.OwnerUin, (owners.get(r.OwnerUin) ?? 0) + r.RealTotalCost);
      assert.deepEqual(owners, want.byOwner);
      assert.equal(sum(agg.PayerModes, (p) => p.Count), want.total);
      assert.equal(sum(agg.PurchasesRefunds, (p) => p.Purchases - p.Refunds), want.cost);
    }
    for (const client of [CLIENT_1, CLIENT_3, LONER]) {
      const deals = await allDeals(server.url, BILLING, client.key, { ...WINDOW, StatusSet: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30] });
      const agg = await ok<Agg>(server.url, AGGREGATE, client.key, { View: 'billing', ...WINDOW });
      const want = expected(deals, 'billing');
      assert.equal(agg.TotalCount, want.total, `${client.uin} count`);
      assert.equal(agg.RealTotalCost, want.cost);
      assert.deepEqual(new Map(agg.StatusMix.map((s) => [s.Status, s.Count])), want.byStatus);
      assert.ok(agg.ClientMonths.every((c) => c.OwnerUin === client.uin), 'a client sees only itself');
    }
  });

  test('filters narrow the aggregate as they narrow the API (Status, OwnerUins, PayerMode, window; billing StatusSet)', async () => {
    const cases: Array<Record<string, unknown>> = [{ Status: 4 }, { OwnerUins: [CLIENT_1.uin] }, { PayerMode: 1 }, { PayerMode: 0, Status: 6 }];
    for (const f of cases) {
      const deals = await allDeals(server.url, PARTNERS, AGENT_A.key, f);
      const agg = await ok<Agg>(server.url, AGGREGATE, AGENT_A.key, { View: 'partners', ...WINDOW, ...f });
      assert.equal(agg.TotalCount, deals.length, JSON.stringify(f));
      assert.equal(agg.RealTotalCost, sum(deals, (d) => Number(d.GoodsPrice.RealTotalCost)), JSON.stringify(f));
    }
    const deals = await allDeals(server.url, BILLING, CLIENT_1.key, { ...WINDOW, StatusSet: [4, 6] });
    const agg = await ok<Agg>(server.url, AGGREGATE, CLIENT_1.key, { View: 'billing', ...WINDOW, StatusSet: [4, 6] });
    assert.equal(agg.TotalCount, deals.length);
  });

  test('a client asking for the partners view is refused as the API refuses it; bad keys and signatures fail the same way', async () => {
    expectError(await signed(server.url, AGGREGATE, LONER.key, { View: 'partners', ...WINDOW }), 'UnauthorizedOperation', LONER.uin);
    expectError(await signed(server.url, AGGREGATE, { SecretId: 'AKIDnobody000000000000000000000000001', SecretKey: 'x' }, { View: 'billing', ...WINDOW }), 'AuthFailure.SecretIdNotFound');
    expectError(await signed(server.url, AGGREGATE, { SecretId: AGENT_A.key.SecretId, SecretKey: 'wrong' }, { View: 'partners', ...WINDOW }), 'AuthFailure.SignatureFailure');
    expectError(await signed(server.url, AGGREGATE, AGENT_A.key, { View: 'partners', StartTime: 'yesterday', EndTime: WINDOW.EndTime }), 'InvalidParameter', 'StartTime');
    const unsigned = await fetch(`${server.url}${AGGREGATE.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = (await unsigned.json()) as { Response: { Error: { Code: string } } };
    assert.equal(unsigned.status, 200);
    assert.match(body.Response.Error.Code, /^AuthFailure|MissingParameter/);
  });

  test('refund links: only between deals the caller sees', async () => {
    const deals = await allDeals(server.url, PARTNERS, AGENT_A.key, {});
    const refund = deals.find((d) => (d.RefundMap ?? []).length > 0);
    assert.ok(refund, 'the fixture holds a refund');
    const original = refund.RefundMap[0].DealName as string;
    const r = await ok<{ RefundSet: Array<{ DealName: string; RefundOf: string }> }>(server.url, REFUNDS, AGENT_A.key, { View: 'partners', DealNames: [original] });
    assert.ok(r.RefundSet.some((x) => x.DealName === refund.DealName && x.RefundOf === original));
    const back = await ok<{ RefundSet: Array<{ DealName: string; RefundOf: string }> }>(server.url, REFUNDS, AGENT_A.key, { View: 'partners', DealNames: [refund.DealName] });
    assert.ok(back.RefundSet.some((x) => x.DealName === refund.DealName && x.RefundOf === original));
    const other = await ok<{ RefundSet: unknown[] }>(server.url, REFUNDS, AGENT_B.key, { View: 'partners', DealNames: [original, refund.DealName] });
    assert.deepEqual(other.RefundSet, [], 'another agent learns nothing');
    const loner = await ok<{ RefundSet: unknown[] }>(server.url, REFUNDS, LONER.key, { View: 'billing', DealNames: [original, refund.DealName] });
    assert.deepEqual(loner.RefundSet, []);
  });
}));

describe('console aggregate endpoint (demo data, the real rate limit)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ dataset: buildDemoDataset(), rateLimit: { points: 20, durationSec: 1 } });
  });
  after(() => server.close());

  test('the demo agent: totals, months and clients equal the deals paged out of the API', async () => {
    const deals = await allDeals(server.url, PARTNERS, DEMO_AGENT.key, {});
    const agg = await ok<Agg>(server.url, AGGREGATE, DEMO_AGENT.key, { View: 'partners', ...WINDOW });
    const want = expected(deals, 'partners');
    assert.equal(agg.TotalCount, want.total);
    assert.equal(agg.RealTotalCost, want.cost);
    const owners = new Map<string, number>();
    for (const r of agg.ClientMonths) owners.set(r.OwnerUin, (owners.get(r.OwnerUin) ?? 0) + r.RealTotalCost);
    assert.deepEqual(owners, want.byOwner);
    assert.deepEqual(
      agg.TopClients.map((c) => c.OwnerUin),
      [...want.byOwner].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10).map(([o]) => o),
    );
  });

  test('the endpoint has its own share of the rate limit: 20 a second per caller', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => import('../helpers/call.js').then(({ tc3 }) => tc3(`${server.url}${AGGREGATE.path}`, { action: AGGREGATE.action, version: AGGREGATE.version, service: 'tcdeals', key: DEMO_CLIENT.key, body: { View: 'billing', StartTime: '2000-01-01 00:00:00', EndTime: '2000-01-02 00:00:00' } }))));
    const limited = answers.filter((a) => a.json.Response.Error?.Code === 'RequestLimitExceeded');
    assert.ok(limited.length >= 1 && limited.length <= 10, `${limited.length} of 30 limited`);
    okResponse(answers.find((a) => !a.json.Response.Error)!);
  });
});

describe('console aggregate: the day rollup (SQLite) stays exact through writes', () => {
  let server: AdminServer;
  before(async () => {
    server = await startAdminServer({ dataset: buildDemoDataset({ deals: 800 }) });
  });
  after(() => server.close());

  /** The whole-day answer (rollup) and the same window one second narrower at each end's edge day (grouped scan) agree. */
  async function agree(label: string) {
    const rolled = await ok<Agg>(server.url, AGGREGATE, DEMO_AGENT.key, { View: 'partners', ...WINDOW });
    const scanned = await ok<Agg>(server.url, AGGREGATE, DEMO_AGENT.key, { View: 'partners', StartTime: '2000-01-01 00:00:00', EndTime: '2099-12-31 23:59:58' });
    const { RequestId: _a, ...r } = rolled as Agg & { RequestId: string };
    const { RequestId: _b, EndTime: _e, ...s } = scanned as Agg & { RequestId: string; EndTime: string };
    assert.deepEqual({ ...r, EndTime: undefined }, { ...s, EndTime: undefined }, label);
    const deals = await allDeals(server.url, PARTNERS, DEMO_AGENT.key, {});
    assert.equal(rolled.TotalCount, deals.length, label);
    assert.equal(rolled.RealTotalCost, deals.reduce((a, d) => a + Number(d.GoodsPrice.RealTotalCost), 0), label);
  }

  test('lifecycle verbs, refunds, the cache lag, a reset and a fresh load', async () => {
    await agree('at start');
    const deals = await allDeals(server.url, PARTNERS, DEMO_AGENT.key, { Status: 1 });
    assert.equal((await server.admin('POST', `/deals/${deals[0]!.DealName}/pay`, {})).status, 200);
    const delivered = await allDeals(server.url, PARTNERS, DEMO_AGENT.key, { Status: 4 });
    assert.equal((await server.admin('POST', `/deals/${delivered[0]!.DealName}/refund`, {})).status, 200);
    await agree('after pay and refund');
    // With a cache lag, the change shows in neither the API nor the aggregate until it is due.
    assert.equal((await server.admin('PUT', '/cache-lag', { seconds: 3600 })).status, 200);
    const before = await ok<Agg>(server.url, AGGREGATE, DEMO_AGENT.key, { View: 'partners', ...WINDOW });
    assert.equal((await server.admin('POST', `/deals/${delivered[1]!.DealName}/refund`, {})).status, 200);
    const during = await ok<Agg>(server.url, AGGREGATE, DEMO_AGENT.key, { View: 'partners', ...WINDOW });
    assert.deepEqual(during.StatusMix, before.StatusMix, 'the lag hides the change from the aggregate too');
    assert.equal((await server.admin('PUT', '/cache-lag', { seconds: 0 })).status, 200);
    await agree('after the lag');
    // Reset to demo data (a fresh bulk load, which drops and restores the loaded tables' triggers).
    assert.equal((await server.admin('POST', '/reset', { to: 'demo' })).status, 200);
    await agree('after a reset to demo data');
    assert.equal((await server.store.countDeals()) > 0, true);
  });
});
