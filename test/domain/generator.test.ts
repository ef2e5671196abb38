/** The realistic generator: deterministic, valid as import data, consistent, and as varied as promised. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PRODUCTS } from '../../src/domain/catalogue.js';
import { dealFromImport } from '../../src/domain/deal-import.js';
import { ACTION_TYPES, CLIENT_TYPES, DEAL_STATUSES, PROJECT_TYPES, timeSpanOf, type DealRecord } from '../../src/domain/deal.js';
import { generate, type GenerateOptions } from '../../src/domain/generator.js';
import { toExportDeal } from '../../src/domain/views.js';

const ANCHOR = Date.UTC(2026, 10, 24, 5, 0, 0);
const OPTIONS: GenerateOptions = { agents: 2, clients: 30, deals: 20_000, months: 12, seed: 42, anchorMs: ANCHOR, batchSize: 2_000 };

function checksum(options: GenerateOptions): string {
  const data = generate(options);
  const hash = createHash('sha256').update(JSON.stringify([data.accounts, data.bindings]));
  for (const batch of data.deals) for (const d of batch) hash.update(JSON.stringify(d));
  return hash.digest('hex');
}

function all(options: GenerateOptions = OPTIONS): { deals: DealRecord[]; data: ReturnType<typeof generate> } {
  const data = generate(options);
  const deals: DealRecord[] = [];
  for (const batch of data.deals) deals.push(...batch);
  return { deals, data };
}

const { deals, data } = all();
const byName = new Map(deals.map((d) => [d.deal_name, d]));
const bindingOf = new Map(data.bindings.map((b) => [b.clientUin, b]));

test('the same options give the same data byte for byte; another seed, other data', () => {
  const a = checksum(OPTIONS);
  assert.equal(checksum(OPTIONS), a);
  // Iterating the same dataset again starts over.
  const data = generate(OPTIONS);
  const first = createHash('sha256');
  const second = createHash('sha256');
  for (const batch of data.deals) for (const d of batch) first.update(JSON.stringify(d));
  for (const batch of data.deals) for (const d of batch) second.update(JSON.stringify(d));
  assert.equal(first.digest('hex'), second.digest('hex'));
  // Any time on the same Beijing day anchors identically.
  assert.equal(checksum({ ...OPTIONS, anchorMs: ANCHOR + 3 * 3600e3 }), a);
  assert.notEqual(checksum({ ...OPTIONS, seed: 43 }), a);
  // The batch size changes the batching, not the data.
  assert.equal(checksum({ ...OPTIONS, batchSize: 777 }), a);
});

test('exactly the requested number of deals, in batches, oldest first, inside the span, unique names', () => {
  assert.equal(deals.length, OPTIONS.deals);
  assert.equal(data.dealCount, OPTIONS.deals);
  let batches = 0;
  for (const batch of data.deals) {
    batches++;
    assert.ok(batch.length > 0 && batch.length <= OPTIONS.batchSize! + 2, `batch of ${batch.length}`);
  }
  assert.ok(batches >= OPTIONS.deals / OPTIONS.batchSize!);
  assert.equal(data.from, '2025-11-24 00:00:00');
  assert.equal(data.to, '2026-11-24 00:00:00');
  for (let i = 0; i < deals.length; i++) {
    const d = deals[i]!;
    assert.ok(d.create_time >= data.from && d.create_time < data.to, `${d.deal_name} at ${d.create_time}`);
    if (i > 0) assert.ok(d.create_time >= deals[i - 1]!.create_time, 'oldest first');
    assert.ok(d.update_time >= d.create_time && d.update_time < data.to, `${d.deal_name}: update ${d.update_time}`);
    if (d.pay_end_time) assert.ok(d.pay_end_time >= d.create_time && d.pay_end_time <= d.update_time, `${d.deal_name}: paid ${d.pay_end_time}`);
  }
  assert.equal(byName.size, deals.length, 'DealName is unique');
  assert.equal(new Set(deals.map((d) => d.deal_id)).size, deals.length, 'DealId is unique');
  assert.equal(all({ ...OPTIONS, deals: 0 }).deals.length, 0);
  assert.equal(all({ ...OPTIONS, deals: 1 }).deals.length, 1);
});

test('accounts and bindings: agents, their clients, direct customers; the first ones are the demo UINs', () => {
  const agents = data.accounts.filter((a) => a.isAgent);
  assert.deepEqual(agents.map((a) => a.uin), ['200000000001', '200000000002']);
  assert.equal(data.bindings.length, OPTIONS.agents * OPTIONS.clients);
  assert.equal(data.bindings[0]!.clientUin, '100000000001');
  assert.equal(data.accounts.find((a) => a.uin === '200000000001')!.appId, '1300000001');
  assert.equal(data.accounts.find((a) => a.uin === '100000000001')!.appId, '1250000001');
  assert.equal(new Set(data.accounts.map((a) => a.uin)).size, data.accounts.length);
  for (const t of CLIENT_TYPES) assert.ok(data.bindings.some((b) => b.clientType === t), `client type ${t}`);
  for (const t of PROJECT_TYPES) assert.ok(data.bindings.some((b) => b.projectType === t), `project type ${t}`);
  assert.ok(data.bindings.some((b) => b.salesUin === '0') && data.bindings.some((b) => b.salesUin !== '0'), 'with and without a sales UIN');
  for (const b of data.bindings) assert.match(b.salesUin, /^\d+$/);
  // Accounts do not depend on the number of deals.
  assert.deepEqual(generate({ ...OPTIONS, deals: 5 }).accounts, data.accounts);
  const owners = new Set(deals.map((d) => d.owner_uin));
  assert.ok([...owners].some((u) => !bindingOf.has(u) && !u.startsWith('2')), 'a direct customer has deals');
  assert.ok(owners.has('200000000001'), 'an agent buys for itself too');
});

test('every generated deal passes the import validation and survives an export/import round trip', () => {
  for (const d of deals) {
    const b = bindingOf.get(d.owner_uin);
    const relation = b
      ? { client_type: b.clientType, project_type: b.projectType, sales_uin: b.salesUin, client_remark: b.clientRemark }
      : { client_type: '', project_type: '', sales_uin: '', client_remark: '' };
    const back = dealFromImport(JSON.parse(JSON.stringify(toExportDeal(d, relation))));
    // The relation fields become a snapshot of the binding on import; everything else is identical.
    assert.deepEqual({ ...back, client_type: null, project_type: null, sales_uin: null, client_remark: null }, d);
  }
});

test('refunds: negative, after their original, same owner, linked by RefundMap, RefReturnDeals and Formula', () => {
  const refunds = deals.filter((d) => d.action_type === 'refund');
  assert.ok(refunds.length > deals.length * 0.02, `${refunds.length} refunds`);
  const refunded = new Set<string>();
  for (const r of refunds) {
    assert.equal(r.status, 6);
    assert.ok(r.real_total_cost < 0 && r.original_total_cost === r.real_total_cost && r.total_cost === r.real_total_cost);
    const links = JSON.parse(r.refund_map) as Array<{ DealName: string; RefundAmount: number }>;
    assert.equal(links.length, 1);
    const orig = byName.get(links[0]!.DealName);
    assert.ok(orig, `refund ${r.deal_name} points at an existing deal`);
    assert.equal(orig.owner_uin, r.owner_uin);
    assert.notEqual(orig.action_type, 'refund');
    assert.equal(orig.status, 4);
    assert.equal(links[0]!.RefundAmount, -r.real_total_cost);
    assert.ok(links[0]!.RefundAmount <= orig.real_total_cost);
    assert.equal(r.ref_return_deals, orig.deal_name);
    assert.ok(r.formula.includes(orig.deal_name) && r.formula.startsWith(`退款:${(-r.real_total_cost / 100).toFixed(2)}元`), r.formula);
    assert.ok(r.create_time > orig.create_time, 'created after the original');
    assert.equal(r.resource_ids, orig.resource_ids);
    assert.equal(r.pay_mode, orig.pay_mode);
    assert.equal(r.payer, orig.payer);
    assert.ok(!refunded.has(orig.deal_name), 'an original is refunded once');
    refunded.add(orig.deal_name);
  }
  assert.ok(refunds.some((r) => -r.real_total_cost < byName.get(r.ref_return_deals)!.real_total_cost), 'partial refunds');
  assert.ok(refunds.some((r) => -r.real_total_cost === byName.get(r.ref_return_deals)!.real_total_cost), 'full refunds');
  for (const d of deals) if (d.action_type !== 'refund') assert.ok(d.real_total_cost >= 0 && d.refund_map === '[]' && d.ref_return_deals === '');
});

test('distributions cover every status, action type, payer mode, pay mode, product; vouchers and campaigns', () => {
  const count = (f: (d: DealRecord) => unknown) => {
    const m = new Map<unknown, number>();
    for (const d of deals) m.set(f(d), (m.get(f(d)) ?? 0) + 1);
    return m;
  };
  const statuses = count((d) => d.status);
  for (const s of DEAL_STATUSES) assert.ok(statuses.get(s), `status ${s}`);
  assert.ok(statuses.get(4)! > deals.length * 0.6, 'most deals are delivered');
  const actions = count((d) => d.action_type);
  for (const a of ACTION_TYPES) assert.ok(actions.get(a), `action ${a}`);
  assert.ok(actions.get('purchase')! > actions.get('renew')! && actions.get('renew')! > actions.get('upgrade')!, 'purchases, then renewals, then upgrades');
  for (const m of [0, 1]) assert.ok(count((d) => d.payer_mode).get(m), `payer mode ${m}`);
  for (const p of ['prePay', 'postPay', 'riPay']) assert.ok(count((d) => d.pay_mode).get(p), p);
  const products = count((d) => d.product_code);
  for (const p of PRODUCTS) assert.ok(products.get(p.productCode), `product ${p.productCode}`);
  assert.ok(deals.some((d) => d.voucher_decline > 0), 'vouchers');
  assert.ok(deals.some((d) => d.activity_id !== '0'), 'campaigns');
  assert.ok(deals.some((d) => d.policy < 100), 'discounts');
  assert.ok(deals.some((d) => d.zone_code === null) && deals.some((d) => d.zone_code !== null), 'zonal and regional products');
  assert.ok(deals.some((d) => JSON.parse(d.resource_ids).length > 1), 'several resources in one deal');
  assert.ok(deals.some((d) => d.creator !== d.owner_uin && d.creator !== d.payer), 'sub-accounts place orders');
  // Bundles: several deals in one big deal, same owner and time.
  const bigs = count((d) => d.big_deal_id);
  const bundle = deals.find((d) => bigs.get(d.big_deal_id)! > 1 && d.action_type === 'purchase')!;
  assert.ok(bundle, 'a bundle');
  for (const d of deals.filter((x) => x.big_deal_id === bundle.big_deal_id)) {
    assert.equal(d.owner_uin, bundle.owner_uin);
    assert.equal(d.create_time, bundle.create_time);
  }
});

test('payment methods, periods and amounts are consistent', () => {
  for (const d of deals) {
    const { span, unit } = timeSpanOf(d.payment_method);
    assert.equal(span, d.time_span, d.payment_method);
    assert.equal(unit, d.time_unit, d.payment_method);
    assert.match(d.payment_method, /^(按月:\d+个月|按年:\d+年|按小时:1小时)$/);
    if (d.pay_mode === 'postPay') assert.equal(d.time_unit, 'h');
    assert.ok(Number.isSafeInteger(d.real_total_cost) && Number.isSafeInteger(d.original_total_cost) && Number.isSafeInteger(d.voucher_decline));
    if (d.action_type !== 'refund') {
      assert.ok(d.voucher_decline >= 0 && d.real_total_cost === Math.round((d.original_total_cost * d.policy) / 100) - d.voucher_decline, d.deal_name);
      assert.equal(d.total_cost, d.original_total_cost);
    }
    const paid = [2, 3, 4, 5, 6, 10, 13].includes(d.status);
    assert.equal(d.pay_end_time !== '', paid, `${d.deal_name} status ${d.status}`);
    assert.equal(d.bill_id !== '', paid);
  }
  assert.ok(deals.some((d) => d.payment_method === '按月:3个月'));
  assert.ok(deals.some((d) => d.payment_method === '按年:1年'));
});

test('payer modes: agent-paid deals name the owner’s agent as Payer; others pay themselves', () => {
  for (const d of deals) {
    if (d.payer_mode === 1) {
      assert.equal(d.payer, bindingOf.get(d.owner_uin)?.agentUin, d.deal_name);
    } else {
      assert.equal(d.payer, d.owner_uin, d.deal_name);
    }
    if (d.status === 11) assert.equal(d.payer_mode, 1, '代付拒绝 only for agent-paid deals');
  }
});

test('statuses follow age: unpaid only within the payment window, lapsed ones after it', () => {
  const windowStart = '2026-11-09 00:00:00'; // 15 days before the end
  for (const d of deals) {
    if (d.status === 1) assert.ok(d.create_time >= windowStart, `unpaid ${d.deal_name} at ${d.create_time}`);
    if (d.status === 8) assert.ok(d.create_time < windowStart, `expired ${d.deal_name} at ${d.create_time}`);
  }
});

test('renewals, upgrades and other changes act on a resource the owner got earlier; moves come in pairs', () => {
  const seen = new Map<string, Set<string>>(); // owner → resource ids so far
  const onResource = new Set(['renew', 'upgrade', 'downgrade', 'upConvertExpire', 'downConvertExpire', 'modifyNetworkMode', 'modifyNetworkSize', 'preToPost', 'modify', 'preMoveOut', 'postMoveOut', 'recoverRefundForward', 'recoverPayReserve', 'recoverPayForward', 'recoverRefundReserve']);
  let checked = 0;
  for (const d of deals) {
    const ids = JSON.parse(d.resource_ids) as string[];
    const mine = seen.get(d.owner_uin) ?? new Set<string>();
    if (onResource.has(d.action_type)) {
      for (const id of ids) assert.ok(mine.has(id), `${d.action_type} ${d.deal_name} on ${id} of ${d.owner_uin}`);
      checked++;
    }
    if (d.action_type === 'purchase' || d.action_type.endsWith('MoveIn')) for (const id of ids) mine.add(id);
    seen.set(d.owner_uin, mine);
  }
  assert.ok(checked > deals.length * 0.2, `${checked} checked`);
  for (const [out, into] of [['preMoveOut', 'preMoveIn'], ['postMoveOut', 'postMoveIn']]) {
    for (const o of deals.filter((d) => d.action_type === out)) {
      const pair = deals.find((d) => d.action_type === into && d.big_deal_id === o.big_deal_id);
      assert.ok(pair, `${o.deal_name} has its ${into}`);
      assert.equal(pair.resource_ids, o.resource_ids);
      assert.notEqual(pair.owner_uin, o.owner_uin);
    }
  }
  // Upgrades move to a dearer configuration of the same product.
  const upgrades = deals.filter((d) => d.action_type === 'upgrade' && d.pay_mode === 'prePay');
  assert.ok(upgrades.length > 0 && upgrades.every((d) => d.original_total_cost > 0));
});

test('options are checked', () => {
  assert.throws(() => generate({ ...OPTIONS, agents: 0 }), /agents/);
  assert.throws(() => generate({ ...OPTIONS, deals: -1 }), /deals/);
  assert.throws(() => generate({ ...OPTIONS, months: 0 }), /months/);
  assert.throws(() => generate({ ...OPTIONS, clients: 1.5 }), /clients/);
});
