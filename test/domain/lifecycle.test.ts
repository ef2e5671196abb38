/** The lifecycle rules: every verb from every status, refunds, and automatic progression steps. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEAL_STATUSES, STATUS_LABELS, type DealRecord, type DealStatus } from '../../src/domain/deal.js';
import {
  applyTransition, isOverdue, LIFECYCLE_VERBS, progressByTime, progressStep, refundedSoFar, refundIdentity,
  type LifecycleVerb,
} from '../../src/domain/lifecycle.js';
import { applyLifecycle, LifecycleError } from '../../src/services/lifecycle.js';
import { validateProgression, Progression } from '../../src/sandbox/progression.js';
import { formatDateTime, parseDateTime } from '../../src/protocol/datetime.js';
import { Store } from '../../src/store/store.js';
import { toAgentDeal } from '../../src/domain/views.js';
import { CLIENT_1, deal } from '../helpers/fixture.js';

const NOW = parseDateTime('2026-03-01 12:00:00')!;
const STAMP = '2026-03-01 12:00:00';

/** The oracle, written out by hand: verb → status → resulting status ('new' = a refund deal is created). */
const ALLOWED: Readonly<Record<LifecycleVerb, Partial<Record<DealStatus, number | 'new'>>>> = {
  paying: { 1: 12 },
  pay: { 1: 2, 12: 2 },
  delivering: { 2: 3 },
  deliver: { 2: 4, 3: 4 },
  fail: { 2: 5, 3: 5 },
  cancel: { 1: 7, 12: 7 },
  expire: { 1: 8 },
  refund: { 4: 'new', 5: 'new', 13: 6 },
};

function sample(status: number, extra: Partial<DealRecord> = {}): DealRecord {
  return deal({
    deal_name: '20260201000000000012341',
    owner_uin: CLIENT_1.uin,
    create_time: '2026-02-01 10:00:00',
    update_time: '2026-02-01 10:00:05',
    pay_end_time: '',
    bill_id: '',
    status,
    ...extra,
  });
}

const refundId = refundIdentity('20260201000000000012341', 1, NOW);

describe('transition table', () => {
  for (const verb of LIFECYCLE_VERBS) {
    for (const status of DEAL_STATUSES) {
      const expected = ALLOWED[verb][status];
      test(`${verb} from ${status} (${STATUS_LABELS[status]}): ${expected === undefined ? 'refused' : expected === 'new' ? 'creates a refund deal' : `→ ${expected}`}`, () => {
        const before = sample(status);
        const frozen = JSON.stringify(before);
        const r = applyTransition(before, verb, { now: NOW, refundId });
        assert.equal(JSON.stringify(before), frozen, 'the input is never mutated');
        if (expected === undefined) {
          assert.equal(r.ok, false);
          if (!r.ok) {
            assert.match(r.reason, new RegExp(`^deal ${before.deal_name} is in status ${status} \\(${STATUS_LABELS[status]}\\); ${verb} needs `));
          }
          return;
        }
        assert.ok(r.ok, r.ok ? '' : r.reason);
        if (expected === 'new') {
          assert.deepEqual(r.deal, before, 'the refunded original keeps its status and everything else');
          assert.equal(r.refund?.status, 6);
          return;
        }
        assert.equal(r.deal.status, expected);
        assert.equal(r.deal.update_time, STAMP);
        assert.equal(r.refund, undefined);
        assert.equal(r.deal.pay_end_time, verb === 'pay' || verb === 'refund' ? STAMP : '', 'PayEndTime is set when paid');
        assert.equal(r.deal.bill_id, verb === 'pay' ? before.deal_name : '');
      });
    }
  }

  test('the refusal says what the deal is in and what the verb needs', () => {
    const r = applyTransition(sample(4, { deal_name: 'X' }), 'pay', { now: NOW });
    assert.deepEqual(r, { ok: false, reason: 'deal X is in status 4 (已发货); pay needs 1 or 12' });
    const e = applyTransition(sample(2, { deal_name: 'Y' }), 'expire', { now: NOW });
    assert.deepEqual(e, { ok: false, reason: 'deal Y is in status 2 (已支付); expire needs 1' });
    const f = applyTransition(sample(1, { deal_name: 'Z' }), 'refund', { now: NOW });
    assert.deepEqual(f, { ok: false, reason: 'deal Z is in status 1 (未支付); refund needs 4, 5 or 13' });
  });

  test('an amount only goes with a refund', () => {
    const r = applyTransition(sample(1), 'pay', { now: NOW, amount: 100 });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /pay takes no amount/);
  });

  test('pay keeps an existing BillId', () => {
    const r = applyTransition(sample(12, { bill_id: 'B-1' }), 'pay', { now: NOW });
    assert.ok(r.ok);
    assert.equal(r.deal.bill_id, 'B-1');
  });
});

describe('refunds', () => {
  const orig = sample(4, { real_total_cost: 17000, original_total_cost: 20000, voucher_decline: 3000, pay_end_time: '2026-02-01 10:00:04' });

  test('a full refund by default: a new negative deal linked to its original', () => {
    const r = applyTransition(orig, 'refund', { now: NOW, refundId });
    assert.ok(r.ok && r.refund);
    const f = r.refund;
    assert.equal(f.deal_name, refundId.dealName);
    assert.equal(f.big_deal_id, refundId.bigDealId);
    assert.equal(f.deal_id, refundId.dealId);
    assert.equal(f.status, 6);
    assert.equal(f.action_type, 'refund');
    assert.equal(f.real_total_cost, -17000);
    assert.equal(f.original_total_cost, -17000);
    assert.equal(f.total_cost, -17000);
    assert.equal(f.voucher_decline, 0);
    assert.deepEqual(JSON.parse(f.refund_map), [{ DealName: orig.deal_name, RefundAmount: 17000 }]);
    assert.equal(f.ref_return_deals, orig.deal_name);
    assert.equal(f.formula, `退款:170.00元,代金券不退(订单${orig.deal_name})`);
    assert.equal(f.create_time, STAMP);
    assert.equal(f.update_time, STAMP);
    assert.equal(f.pay_end_time, STAMP);
    // Same owner, payer and product.
    for (const k of ['owner_uin', 'app_id', 'payer', 'payer_mode', 'goods_category_id', 'goods_name', 'product_code', 'sub_product_code', 'pay_mode', 'resource_ids'] as const) {
      assert.equal(f[k], orig[k], k);
    }
    assert.deepEqual(r.deal, orig);
  });

  test('a partial refund up to what is left; more is refused', () => {
    const part = applyTransition(orig, 'refund', { now: NOW, refundId, amount: 5000, refunded: 10000 });
    assert.ok(part.ok);
    assert.equal(part.refund?.real_total_cost, -5000);
    assert.equal(part.refund?.formula, `退款:50.00元,代金券不退(订单${orig.deal_name})`);
    const rest = applyTransition(orig, 'refund', { now: NOW, refundId, refunded: 10000 });
    assert.equal(rest.ok && rest.refund?.real_total_cost, -7000, 'the default is what is left');
    const over = applyTransition(orig, 'refund', { now: NOW, refundId, amount: 7001, refunded: 10000 });
    assert.deepEqual(over, { ok: false, reason: `deal ${orig.deal_name} cannot be refunded 7001 fen: only 7000 of its RealTotalCost 17000 is left (10000 refunded already)` });
    const done = applyTransition(orig, 'refund', { now: NOW, refundId, refunded: 17000 });
    assert.match(!done.ok ? done.reason : '', /is already fully refunded/);
    for (const bad of [0, -5, 1.5]) assert.equal(applyTransition(orig, 'refund', { now: NOW, refundId, amount: bad }).ok, false, `amount ${bad}`);
  });

  test('pending refunds start in 13 and complete to 6', () => {
    const r = applyTransition(orig, 'refund', { now: NOW, refundId, pending: true });
    assert.ok(r.ok && r.refund);
    assert.equal(r.refund.status, 13);
    assert.equal(r.refund.pay_end_time, '');
    const later = NOW + 60_000;
    const done = applyTransition(r.refund, 'refund', { now: later });
    assert.ok(done.ok);
    assert.equal(done.deal.status, 6);
    assert.equal(done.deal.update_time, formatDateTime(later));
    assert.equal(done.deal.pay_end_time, formatDateTime(later));
    assert.equal(done.refund, undefined);
  });

  test('a refund deal is never refunded itself, nor is a deal with nothing paid', () => {
    const r = applyTransition(orig, 'refund', { now: NOW, refundId });
    assert.ok(r.ok && r.refund);
    const again = applyTransition({ ...r.refund, status: 4 }, 'refund', { now: NOW, refundId });
    assert.match(!again.ok ? again.reason : '', /is itself a refund/);
    const free = applyTransition(sample(4, { real_total_cost: 0 }), 'refund', { now: NOW, refundId });
    assert.match(!free.ok ? free.reason : '', /has nothing to refund/);
  });

  test('what counts as refunded already: done and pending refunds, by RefundMap or RefReturnDeals', () => {
    const name = orig.deal_name;
    const refunds = [
      sample(6, { deal_name: 'r1', action_type: 'refund', real_total_cost: -3000, refund_map: JSON.stringify([{ DealName: name, RefundAmount: 3000 }]) }),
      sample(13, { deal_name: 'r2', action_type: 'refund', real_total_cost: -2000, refund_map: JSON.stringify([{ DealName: name, RefundAmount: 2000 }]) }),
      sample(6, { deal_name: 'r3', action_type: 'refund', real_total_cost: -1000, refund_map: '[]', ref_return_deals: `other,${name}` }),
      sample(7, { deal_name: 'r4', action_type: 'refund', real_total_cost: -9000, refund_map: JSON.stringify([{ DealName: name, RefundAmount: 9000 }]) }),
      sample(6, { deal_name: 'r5', action_type: 'refund', real_total_cost: -9000, refund_map: JSON.stringify([{ DealName: 'other', RefundAmount: 9000 }]) }),
    ];
    assert.equal(refundedSoFar(name, refunds), 6000);
  });

  test('refund names: deterministic from the original, the counter and the day; unique per counter', () => {
    assert.deepEqual(refundIdentity('A', 1, NOW), refundIdentity('A', 1, NOW + 3600e3));
    const names = new Set<string>();
    for (let n = 1; n <= 200; n++) names.add(refundIdentity('A', n, NOW).dealName);
    names.add(refundIdentity('B', 1, NOW).dealName);
    assert.equal(names.size, 201);
    const id = refundIdentity('A', 1, NOW);
    assert.match(id.dealName, /^20260301\d{14}1$/);
    assert.equal(id.bigDealId, `${id.dealName.slice(0, -1)}0`);
    assert.match(id.dealId, /^3\d{8}$/);
  });
});

describe('automatic progression steps', () => {
  test('one step at a time along the happy path, then nothing', () => {
    let d = sample(1, { overdue_time: '' });
    const seen = [d.status];
    for (let i = 1; i <= 6; i++) {
      const next = progressStep(d, NOW + i * 1000);
      if (!next) break;
      assert.equal(next.update_time, formatDateTime(NOW + i * 1000));
      d = next;
      seen.push(d.status);
    }
    assert.deepEqual(seen, [1, 12, 2, 3, 4]);
    assert.equal(d.pay_end_time, formatDateTime(NOW + 2000));
    assert.equal(progressStep(sample(13), NOW)?.status, 6);
    for (const s of [4, 5, 6, 7, 8, 9, 10, 11, 30]) assert.equal(progressStep(sample(s), NOW), undefined, `status ${s} stays`);
  });

  test('an unpaid deal past its OverdueTime expires instead (unless told otherwise)', () => {
    const d = sample(1, { overdue_time: '2026-03-01 11:59:59' });
    assert.ok(isOverdue(d, NOW));
    assert.equal(progressStep(d, NOW)?.status, 8);
    assert.equal(progressStep(d, NOW, false)?.status, 12);
    assert.equal(isOverdue(sample(1, { overdue_time: '' }), NOW), false);
    assert.equal(isOverdue(sample(12, { overdue_time: '2020-01-01 00:00:00' }), NOW), false, 'only unpaid deals expire');
  });

  test('by time: every due step, each stamped when it fell due, never counted from before switching on', () => {
    const d = sample(1, { update_time: '2026-03-01 11:00:00', overdue_time: '' });
    const since = parseDateTime('2026-03-01 11:50:00')!;
    assert.equal(progressByTime(d, since + 59_999, 60_000, since), undefined);
    const one = progressByTime(d, since + 60_000, 60_000, since);
    assert.equal(one?.status, 12);
    assert.equal(one?.update_time, '2026-03-01 11:51:00');
    const all = progressByTime(d, since + 3_600_000, 60_000, since);
    assert.equal(all?.status, 4);
    assert.equal(all?.update_time, '2026-03-01 11:54:00', 'the last step fell due four steps in');
    assert.equal(all?.pay_end_time, '2026-03-01 11:52:00');
    // A deal that changed after switching on counts from its own UpdateTime.
    const recent = sample(2, { update_time: '2026-03-01 11:55:30' });
    assert.equal(progressByTime(recent, parseDateTime('2026-03-01 11:56:29')!, 60_000, since), undefined);
    assert.equal(progressByTime(recent, parseDateTime('2026-03-01 11:56:30')!, 60_000, since)?.status, 3);
  });

  test('by time, an unpaid deal whose OverdueTime passes before its first step expires', () => {
    const d = sample(1, { update_time: '2026-03-01 11:00:00', overdue_time: '2026-03-01 11:00:30' });
    const r = progressByTime(d, NOW, 60_000, 0);
    assert.equal(r?.status, 8);
    assert.equal(r?.update_time, '2026-03-01 11:01:00');
  });
});

describe('the progression setting', () => {
  test('valid settings, and readable refusals', () => {
    assert.deepEqual(validateProgression({ mode: 'off' }), { mode: 'off' });
    assert.deepEqual(validateProgression({ mode: 'time', seconds: 10 }), { mode: 'time', seconds: 10 });
    assert.deepEqual(validateProgression({ mode: 'reads', reads: 3, expireOverdue: false }), { mode: 'reads', reads: 3, expireOverdue: false });
    const bad: Array<[unknown, RegExp]> = [
      [null, /JSON object/],
      [{ mode: 'immediate' }, /mode must be "off", "time" or "reads"/],
      [{ mode: 'time' }, /seconds must be an integer/],
      [{ mode: 'time', seconds: 0.5 }, /seconds must be an integer/],
      [{ mode: 'reads', reads: 0 }, /reads must be an integer/],
      [{ mode: 'reads', reads: 2, seconds: 3 }, /seconds applies to mode "time" only/],
      [{ mode: 'off', times: 2 }, /unknown progression field "times"/],
      [{ mode: 'off', expireOverdue: 'yes' }, /expireOverdue must be true or false/],
    ];
    for (const [input, message] of bad) assert.throws(() => validateProgression(input), message, JSON.stringify(input));
  });

  test('reads are counted per deal and start over at each step and on every new setting', () => {
    const p = new Progression();
    assert.deepEqual(p.get(), { mode: 'off', expireOverdue: true });
    assert.deepEqual(p.set({ mode: 'reads', reads: 2 }, NOW + 999), { mode: 'reads', reads: 2, expireOverdue: true, since: STAMP });
    assert.deepEqual([p.countRead('a'), p.countRead('b'), p.countRead('a'), p.countRead('a')], [false, false, true, false]);
    p.set({ mode: 'reads', reads: 2 }, NOW);
    assert.equal(p.countRead('a'), false, 'a new setting starts the counts over');
    p.forget('a');
    assert.equal(p.countRead('a'), false);
    assert.equal(p.countRead('a'), true);
  });
});

describe('applied to a store', () => {
  async function withStore(fn: (store: Store) => Promise<void>) {
    const store = await Store.open(':memory:');
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  }

  test('unknown deals and refusals are LifecycleErrors; nothing is written on refusal', async () => {
    await withStore(async (store) => {
      await store.upsertDeals([sample(4)]);
      await assert.rejects(applyLifecycle(store, 'nope', 'pay', { now: NOW }), (e: unknown) => e instanceof LifecycleError && e.kind === 'not-found' && /no deal named "nope"/.test(e.message));
      await assert.rejects(applyLifecycle(store, sample(4).deal_name, 'pay', { now: NOW }), (e: unknown) => e instanceof LifecycleError && e.kind === 'refused' && /is in status 4 \(已发货\); pay needs 1 or 12/.test(e.message));
      const row = await store.db.selectFrom('deals').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual(row, sample(4));
    });
  });

  test('partial refunds add up, each with its own name, until nothing is left', async () => {
    await withStore(async (store) => {
      const orig = sample(4, { real_total_cost: 10000 });
      await store.upsertDeals([orig]);
      const a = await applyLifecycle(store, orig.deal_name, 'refund', { now: NOW, amount: 4000 });
      const b = await applyLifecycle(store, orig.deal_name, 'refund', { now: NOW, amount: 1000, pending: true });
      assert.equal(a.refund?.deal_name, refundIdentity(orig.deal_name, 1, NOW).dealName);
      assert.equal(b.refund?.deal_name, refundIdentity(orig.deal_name, 2, NOW).dealName);
      await assert.rejects(applyLifecycle(store, orig.deal_name, 'refund', { now: NOW, amount: 5001 }), /only 5000 of its RealTotalCost 10000 is left \(5000 refunded already\)/);
      const c = await applyLifecycle(store, orig.deal_name, 'refund', { now: NOW });
      assert.equal(c.refund?.real_total_cost, -5000);
      await assert.rejects(applyLifecycle(store, orig.deal_name, 'refund', { now: NOW }), /already fully refunded/);
      const done = await applyLifecycle(store, b.refund!.deal_name, 'refund', { now: NOW + 1000 });
      assert.equal(done.deal.status, 6);
      const stored = await store.db.selectFrom('deals').select(['deal_name', 'status', 'real_total_cost']).orderBy('deal_name').execute();
      assert.equal(stored.length, 4);
      assert.equal(stored.find((d) => d.deal_name === orig.deal_name)?.status, 4, 'the original keeps its status');
      assert.equal(stored.reduce((s, d) => s + d.real_total_cost, 0), 0);
    });
  });

  test('a refund name already taken is skipped', async () => {
    await withStore(async (store) => {
      const orig = sample(4);
      const squatter = sample(1, { deal_name: refundIdentity(orig.deal_name, 1, NOW).dealName });
      await store.upsertDeals([orig, squatter]);
      const r = await applyLifecycle(store, orig.deal_name, 'refund', { now: NOW });
      assert.equal(r.refund?.deal_name, refundIdentity(orig.deal_name, 2, NOW).dealName);
    });
  });
});

describe('texts an import kept verbatim', () => {
  const relation = { client_type: 'new', project_type: 'self', sales_uin: '0', client_remark: '' };

  test('a status change drops the kept status text; other kept fields stay', () => {
    // Imported as "待支付" (the billing document's name of status 1) with GoodsNum "".
    const imported = sample(1, { verbatim: JSON.stringify({ DealStatus: '待支付', GoodsNum: '' }) });
    assert.equal(toAgentDeal(imported, relation).DealStatus, '待支付');
    const r = applyTransition(imported, 'pay', { now: NOW });
    assert.ok(r.ok);
    const paid = toAgentDeal(r.deal, relation);
    assert.equal(paid.DealStatus, '已支付');
    assert.equal(paid.GoodsNum, '');
    assert.equal(r.deal.verbatim, JSON.stringify({ GoodsNum: '' }));
  });

  test('a refund deal keeps nothing of its original’s kept texts', () => {
    const original = sample(4, { verbatim: JSON.stringify({ DealStatus: '交易成功' }), real_total_cost: 1000 });
    const r = applyTransition(original, 'refund', { now: NOW, refundId: refundIdentity(original.deal_name, 1, NOW) });
    assert.ok(r.ok && r.refund);
    assert.equal(r.refund.verbatim, null);
    assert.equal(toAgentDeal(r.refund, relation).DealStatus, '已退款');
  });
});
