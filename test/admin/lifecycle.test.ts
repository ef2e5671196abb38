/**
 * The order lifecycle through the admin API: manual transitions and refunds, seen through both
 * actions (the partners cache with and without lag), and automatic progression by reads and by
 * time on a frozen sandbox clock.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DealRecord } from '../../src/domain/deal.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { formatDateTime, parseDateTime } from '../../src/protocol/datetime.js';
import { adminClient, type AdminCall } from '../helpers/admin.js';
import { forEachBackend, type TestBackend } from '../helpers/backends.js';
import { tc3 } from '../helpers/call.js';
import { AGENT_A, CLIENT_1, deal, fixtureDataset } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'lifecycle-test-token';
const T0 = parseDateTime('2026-03-01 12:00:00')!;
const ALL_STATUSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30];

const UNPAID = '20260220000000000000011';
const OVERDUE = '20260220000000000000021';
const PAID = '20260220000000000000031';
const DELIVERED = '20260220000000000000041';

function lifecycleDeals(): DealRecord[] {
  const base = { owner_uin: CLIENT_1.uin, create_time: '2026-02-20 10:00:00', update_time: '2026-02-20 10:00:00' };
  return [
    deal({ ...base, deal_name: UNPAID, status: 1, pay_end_time: '', bill_id: '', overdue_time: '2026-03-30 10:00:00' }),
    deal({ ...base, deal_name: OVERDUE, status: 1, pay_end_time: '', bill_id: '', overdue_time: '2026-02-21 10:00:00' }),
    deal({ ...base, deal_name: PAID, status: 2 }),
    deal({ ...base, deal_name: DELIVERED, status: 4, real_total_cost: 17000 }),
  ];
}

interface Harness {
  server: TestServer;
  sandbox: Sandbox;
  admin: AdminCall;
  billing(name: string): Promise<Record<string, any> | undefined>;
  partners(name: string): Promise<Record<string, any> | undefined>;
}

let running: TestServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** A server over the fixture plus the lifecycle deals, its sandbox clock frozen at T0 unless `realClock`. */
async function start(backend: TestBackend, options: { realClock?: boolean } = {}): Promise<Harness> {
  const sandbox = new Sandbox();
  if (!options.realClock) sandbox.clock.set(T0, true);
  const dataset = fixtureDataset();
  dataset.deals.push(...lifecycleDeals());
  const server = await startServer({ dataset, sandbox, adminToken: TOKEN, backend });
  running = server;
  // Signed with the sandbox clock: the server checks the ±300 s window against it.
  const timestamp = () => Math.floor(sandbox.clock.now() / 1000);
  return {
    server,
    sandbox,
    admin: adminClient(server.url, TOKEN),
    async billing(name) {
      const a = await tc3(server.url, {
        action: 'DescribeDealsByCond', version: '2018-07-09', key: CLIENT_1.key, timestamp: timestamp(),
        body: { StartTime: '2026-01-01 00:00:00', EndTime: '2026-12-31 23:59:59', Limit: 10, OrderId: name, StatusSet: ALL_STATUSES },
      });
      assert.equal(a.json.Response.Error, undefined, a.raw);
      return a.json.Response.Deals[0];
    },
    async partners(name) {
      const a = await tc3(server.url, {
        action: 'DescribeAgentDealsByCache', version: '2018-03-21', key: AGENT_A.key, timestamp: timestamp(),
        body: { Offset: 0, Limit: 10, DealNames: [name] },
      });
      assert.equal(a.json.Response.Error, undefined, a.raw);
      return a.json.Response.AgentDealSet[0];
    },
  };
}

async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

forEachBackend((backend) => {
  describe('lifecycle verbs through the admin API', () => {
    test('pay: the updated deal comes back, and both actions show it at once (lag 0)', async () => {
      const h = await start(backend);
      assert.equal((await h.billing(UNPAID))?.Status, 1);
      const r = await h.admin('POST', `/deals/${UNPAID}/pay`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.deal.DealName, UNPAID);
      assert.equal(r.json.deal.Status, '2');
      assert.equal(r.json.deal.DealStatus, '已支付');
      assert.equal(r.json.deal.UpdateTime, '2026-03-01 12:00:00');
      assert.equal(r.json.deal.PayEndTime, '2026-03-01 12:00:00');
      assert.equal(r.json.deal.PayMode, 'prePay', 'the export shape carries the billing fields');
      assert.equal(r.json.refund, undefined);
      assert.match(r.json.message, /1 \(未支付\) → 2 \(已支付\)/);

      const b = await h.billing(UNPAID);
      assert.equal(b?.Status, 2);
      const p = await h.partners(UNPAID);
      assert.equal(p?.Status, '2');
      assert.equal(p?.DealStatus, '已支付');
      assert.equal(p?.UpdateTime, '2026-03-01 12:00:00');
      assert.equal(p?.PayEndTime, '2026-03-01 12:00:00');

      for (const verb of ['delivering', 'deliver']) assert.equal((await h.admin('POST', `/deals/${UNPAID}/${verb}`, {})).status, 200);
      assert.equal((await h.billing(UNPAID))?.Status, 4);
      assert.equal((await h.partners(UNPAID))?.Status, '4');
    });

    test('refusals are 409 with the reason; unknown deals 404; bad verbs and bodies 400; no token 401', async () => {
      const h = await start(backend);
      const refused = await h.admin('POST', `/deals/${DELIVERED}/pay`);
      assert.equal(refused.status, 409);
      assert.deepEqual(refused.json, { error: { code: 'TransitionRefused', message: `deal ${DELIVERED} is in status 4 (已发货); pay needs 1 or 12.` } });
      assert.equal((await h.billing(DELIVERED))?.Status, 4, 'nothing changed');

      const missing = await h.admin('POST', '/deals/20990101000000000000001/deliver');
      assert.equal(missing.status, 404);
      assert.equal(missing.json.error.code, 'DealNotFound');

      const verb = await h.admin('POST', `/deals/${UNPAID}/teleport`);
      assert.equal(verb.status, 400);
      assert.equal(verb.json.error.code, 'UnknownVerb');
      assert.match(verb.json.error.message, /pay, delivering, deliver, fail, cancel, expire, refund/);

      const bodies = [
        ['refund', { amount: -1 }, 'InvalidParameter'],
        ['refund', { amount: 1.5 }, 'InvalidParameter'],
        ['refund', { amount: '100' }, 'InvalidParameter'],
        ['refund', { pending: 'yes' }, 'InvalidParameter'],
        ['refund', { fen: 1 }, 'UnknownParameter'],
        ['pay', { amount: 100 }, 'UnknownParameter'],
        ['refund', [1], 'InvalidBody'],
      ] as const;
      for (const [v, body, code] of bodies) {
        const r = await h.admin('POST', `/deals/${DELIVERED}/${v}`, body);
        assert.equal(r.status, 400, `${v} ${JSON.stringify(body)}: ${r.text}`);
        assert.equal(r.json.error.code, code, `${v} ${JSON.stringify(body)}: ${r.text}`);
      }
      assert.equal((await h.billing(DELIVERED))?.Status, 4);
      assert.equal((await h.admin('PUT', '/lifecycle/progression', undefined, { raw: 'mode=time', headers: { 'content-type': 'text/plain' } })).json.error.code, 'InvalidProgression');
      const noToken = await adminClient(h.server.url, undefined)('POST', `/deals/${UNPAID}/pay`);
      assert.equal(noToken.status, 401);
      assert.equal((await h.billing(UNPAID))?.Status, 1);
    });

    test('with a cache lag, billing shows a change at once and partners only once the lag has passed (frozen clock)', async () => {
      const h = await start(backend);
      h.server.store.cacheLagMs = 60_000;
      const r = await h.admin('POST', `/deals/${PAID}/deliver`);
      assert.equal(r.status, 200, r.text);
      assert.equal((await h.billing(PAID))?.Status, 4);
      assert.equal((await h.partners(PAID))?.Status, '2');
      h.sandbox.clock.advance(59_000);
      assert.equal((await h.partners(PAID))?.Status, '2', 'still within the lag');
      h.sandbox.clock.advance(1_000);
      const p = await h.partners(PAID);
      assert.equal(p?.Status, '4');
      assert.equal(p?.UpdateTime, '2026-03-01 12:00:00', 'stamped when the change was made, not when it showed');
    });

    test('with a cache lag on a running clock, partners catch up within a bounded wait', async () => {
      const h = await start(backend, { realClock: true });
      h.server.store.cacheLagMs = 400;
      const started = Date.now();
      assert.equal((await h.admin('POST', `/deals/${UNPAID}/cancel`)).status, 200);
      assert.equal((await h.billing(UNPAID))?.Status, 7);
      assert.equal((await h.partners(UNPAID))?.Status, '1');
      await pollUntil('partners shows the cancel', async () => (await h.partners(UNPAID))?.Status === '7');
      assert.ok(Date.now() - started >= 400, 'not before the lag');
    });

    test('refund: a linked negative deal in both views; the original keeps its status; no more than was paid', async () => {
      const h = await start(backend);
      const part = await h.admin('POST', `/deals/${DELIVERED}/refund`, { amount: 5000 });
      assert.equal(part.status, 200, part.text);
      assert.equal(part.json.deal.DealName, DELIVERED);
      assert.equal(part.json.deal.Status, '4');
      const refundName: string = part.json.refund.DealName;
      assert.match(refundName, /^20260301\d{14}1$/);
      assert.deepEqual(part.json.refund.GoodsPrice, { RealTotalCost: -5000, OriginalTotalCost: -5000 });
      assert.deepEqual(part.json.refund.RefundMap, [{ DealName: DELIVERED, RefundAmount: 5000 }]);

      const b = await h.billing(refundName);
      assert.ok(b, 'the refund deal is in billing');
      assert.equal(b.Status, 6);
      assert.equal(b.Action, 'refund');
      assert.equal(b.RealTotalCost, -5000);
      assert.equal(b.TotalCost, -5000);
      assert.equal(b.RefReturnDeals, DELIVERED);
      assert.equal(b.Formula, `退款:50.00元,代金券不退(订单${DELIVERED})`);
      assert.equal(b.CreateTime, '2026-03-01 12:00:00');
      assert.equal(b.BigDealId, `${refundName.slice(0, -1)}0`);

      const p = await h.partners(refundName);
      assert.ok(p, 'the refund deal is in partners');
      assert.equal(p.Status, '6');
      assert.equal(p.DealStatus, '已退款');
      assert.equal(p.ActionType, 'refund');
      assert.equal(p.OwnerUin, CLIENT_1.uin);
      assert.deepEqual(p.GoodsPrice, { RealTotalCost: -5000, OriginalTotalCost: -5000 });
      assert.deepEqual(p.RefundMap, [{ DealName: DELIVERED, RefundAmount: 5000 }]);
      assert.equal((await h.billing(DELIVERED))?.Status, 4);
      assert.equal((await h.partners(DELIVERED))?.Status, '4');

      const over = await h.admin('POST', `/deals/${DELIVERED}/refund`, { amount: 12001 });
      assert.equal(over.status, 409);
      assert.match(over.json.error.message, /only 12000 of its RealTotalCost 17000 is left \(5000 refunded already\)/);
      const rest = await h.admin('POST', `/deals/${DELIVERED}/refund`);
      assert.equal(rest.status, 200);
      assert.notEqual(rest.json.refund.DealName, refundName);
      assert.equal(rest.json.refund.GoodsPrice.RealTotalCost, -12000);
      assert.equal((await h.admin('POST', `/deals/${DELIVERED}/refund`)).status, 409, 'fully refunded');
    });

    test('a pending refund shows as 13 and completes to 6', async () => {
      const h = await start(backend);
      const r = await h.admin('POST', `/deals/${DELIVERED}/refund`, { pending: true });
      assert.equal(r.status, 200, r.text);
      const name: string = r.json.refund.DealName;
      assert.equal((await h.partners(name))?.Status, '13');
      h.sandbox.clock.advance(5_000);
      const done = await h.admin('POST', `/deals/${name}/refund`);
      assert.equal(done.status, 200, done.text);
      assert.equal(done.json.deal.Status, '6');
      assert.equal(done.json.deal.UpdateTime, '2026-03-01 12:00:05');
      assert.equal((await h.billing(name))?.Status, 6);
    });

    test('the transition table is published', async () => {
      const h = await start(backend);
      const r = await h.admin('GET', '/lifecycle/transitions');
      assert.equal(r.status, 200);
      const pay = r.json.transitions.find((t: { verb: string }) => t.verb === 'pay');
      assert.deepEqual({ from: pay.from, to: pay.to }, { from: [1, 12], to: 2 });
      assert.deepEqual(r.json.refund.from, [4, 5]);
      assert.deepEqual(r.json.progression.map((s: { from: number; to: number }) => [s.from, s.to]), [[1, 12], [2, 3], [3, 4], [12, 2], [13, 6]]);
    });
  });

  describe('automatic progression', () => {
    test('off by default: reads change nothing; the setting is validated', async () => {
      const h = await start(backend);
      assert.deepEqual((await h.admin('GET', '/lifecycle/progression')).json, { mode: 'off', expireOverdue: true });
      for (let i = 0; i < 5; i++) assert.equal((await h.billing(UNPAID))?.Status, 1);
      h.sandbox.clock.advance(86_400_000);
      assert.equal((await h.partners(UNPAID))?.Status, '1');
      const bad = await h.admin('PUT', '/lifecycle/progression', { mode: 'time' });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'InvalidProgression');
      assert.match(bad.json.error.message, /seconds must be an integer/);
    });

    test('by reads: every 2 reads through either action advance the deal one step, 1 → 12 → 2 → 3 → 4', async () => {
      const h = await start(backend);
      const set = await h.admin('PUT', '/lifecycle/progression', { mode: 'reads', reads: 2 });
      assert.equal(set.status, 200, set.text);
      assert.deepEqual(set.json, { mode: 'reads', reads: 2, expireOverdue: true, since: '2026-03-01 12:00:00' });
      assert.deepEqual((await h.admin('GET', '/lifecycle/progression')).json, set.json);
      const walk: number[] = [];
      for (let step = 0; step < 6; step++) {
        const b = await h.billing(UNPAID);
        const p = await h.partners(UNPAID);
        assert.equal(p?.Status, String(b?.Status), 'both reads of a round see the same status');
        walk.push(b?.Status);
        h.sandbox.clock.advance(1_000);
      }
      assert.deepEqual(walk, [1, 12, 2, 3, 4, 4]);
      const final = await h.partners(UNPAID);
      assert.equal(final?.PayEndTime, '2026-03-01 12:00:01', 'paid when the step happened');
      assert.equal(final?.UpdateTime, '2026-03-01 12:00:03');
    });

    test('by reads, a manual change starts the count over', async () => {
      const h = await start(backend);
      await h.admin('PUT', '/lifecycle/progression', { mode: 'reads', reads: 2 });
      assert.equal((await h.billing(PAID))?.Status, 2);
      assert.equal((await h.admin('POST', `/deals/${PAID}/delivering`)).status, 200);
      assert.equal((await h.billing(PAID))?.Status, 3, 'one read since the change');
      assert.equal((await h.billing(PAID))?.Status, 3, 'two reads since the change');
      assert.equal((await h.billing(PAID))?.Status, 4);
    });

    test('by time on a frozen clock: nothing moves until the clock does, then one step per interval', async () => {
      const h = await start(backend);
      const set = await h.admin('PUT', '/lifecycle/progression', { mode: 'time', seconds: 60 });
      assert.deepEqual(set.json, { mode: 'time', seconds: 60, expireOverdue: true, since: '2026-03-01 12:00:00' });
      for (let i = 0; i < 3; i++) assert.equal((await h.billing(UNPAID))?.Status, 1, 'a frozen clock freezes progression');
      h.sandbox.clock.advance(59_000);
      assert.equal((await h.partners(UNPAID))?.Status, '1');
      const walk: Array<[number, string]> = [];
      for (let step = 0; step < 5; step++) {
        if (step > 0) h.sandbox.clock.advance(60_000);
        else h.sandbox.clock.advance(1_000);
        const b = await h.billing(UNPAID);
        const p = await h.partners(UNPAID);
        assert.equal(p?.Status, String(b?.Status));
        walk.push([b?.Status, p?.UpdateTime]);
      }
      assert.deepEqual(walk, [
        [12, '2026-03-01 12:01:00'],
        [2, '2026-03-01 12:02:00'],
        [3, '2026-03-01 12:03:00'],
        [4, '2026-03-01 12:04:00'],
        [4, '2026-03-01 12:04:00'],
      ]);
      // The unpaid deal whose OverdueTime had passed expired at its first step instead.
      const expired = await h.billing(OVERDUE);
      assert.equal(expired?.Status, 8);
      assert.equal((await h.partners(OVERDUE))?.UpdateTime, '2026-03-01 12:01:00');
    });

    test('by time, a late reader sees every step that fell due, each stamped when it did', async () => {
      const h = await start(backend);
      await h.admin('PUT', '/lifecycle/progression', { mode: 'time', seconds: 30, expireOverdue: false });
      h.sandbox.clock.advance(3_600_000);
      const p = await h.partners(UNPAID);
      assert.equal(p?.Status, '4');
      assert.equal(p?.PayEndTime, formatDateTime(T0 + 60_000));
      assert.equal(p?.UpdateTime, formatDateTime(T0 + 120_000));
      assert.equal((await h.billing(OVERDUE))?.Status, 4, 'expireOverdue false: overdue deals walk too');
      // Switching off stops it; deals keep where they are.
      await h.admin('PUT', '/lifecycle/progression', { mode: 'off' });
      assert.equal((await h.billing(PAID))?.Status, 4);
      assert.deepEqual((await h.admin('GET', '/lifecycle/progression')).json, { mode: 'off', expireOverdue: true, since: formatDateTime(T0 + 3_600_000) });
    });

    test('with a cache lag, progressed steps reach partners after the lag like any change', async () => {
      const h = await start(backend);
      h.server.store.cacheLagMs = 10_000;
      await h.admin('PUT', '/lifecycle/progression', { mode: 'time', seconds: 60 });
      h.sandbox.clock.advance(60_000);
      assert.equal((await h.billing(UNPAID))?.Status, 12);
      assert.equal((await h.partners(UNPAID))?.Status, '1');
      h.sandbox.clock.advance(10_000);
      assert.equal((await h.partners(UNPAID))?.Status, '12');
    });
  });
});
