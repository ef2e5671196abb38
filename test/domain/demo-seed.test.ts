/** The demo dataset: deterministic, and as varied as the issue promises. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildDemoDataset, DEMO_AGENT } from '../../src/domain/demo-seed.js';
import { ACTION_TYPES, DEAL_STATUSES } from '../../src/domain/deal.js';
import { DAY_MS, formatDateTime } from '../../src/protocol/datetime.js';

const ANCHOR = Date.UTC(2026, 10, 24, 5, 0, 0);
const checksum = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

test('the same seed and anchor give the same data, byte for byte', () => {
  assert.equal(checksum(buildDemoDataset({ anchorMs: ANCHOR })), checksum(buildDemoDataset({ anchorMs: ANCHOR })));
  // Any time on the same (Beijing) day anchors identically: a restart the same day changes nothing.
  assert.equal(checksum(buildDemoDataset({ anchorMs: ANCHOR })), checksum(buildDemoDataset({ anchorMs: ANCHOR + 3600e3 })));
  assert.notEqual(checksum(buildDemoDataset({ anchorMs: ANCHOR })), checksum(buildDemoDataset({ anchorMs: ANCHOR, seed: 7 })));
});

test('an agent with several clients and a few thousand deals over the last 12 months', () => {
  const data = buildDemoDataset({ anchorMs: ANCHOR });
  const agents = data.accounts.filter((a) => a.isAgent);
  assert.deepEqual(agents.map((a) => a.uin), [DEMO_AGENT.uin]);
  assert.ok(data.bindings.length >= 5);
  assert.ok(data.deals.length >= 3000);
  const earliest = formatDateTime(ANCHOR - 366 * DAY_MS);
  const latest = formatDateTime(ANCHOR);
  for (const d of data.deals) {
    assert.ok(d.create_time >= earliest && d.create_time <= latest, `${d.deal_name} at ${d.create_time}`);
  }
  assert.equal(new Set(data.deals.map((d) => d.deal_name)).size, data.deals.length, 'DealName is unique');
});

test('every status, every action type, both payer modes, prepaid and postpaid', () => {
  const { deals } = buildDemoDataset({ anchorMs: ANCHOR });
  for (const s of DEAL_STATUSES) assert.ok(deals.some((d) => d.status === s), `status ${s}`);
  for (const a of ACTION_TYPES) assert.ok(deals.some((d) => d.action_type === a), `action ${a}`);
  for (const m of [0, 1]) assert.ok(deals.some((d) => d.payer_mode === m), `payer mode ${m}`);
  for (const p of ['prePay', 'postPay']) assert.ok(deals.some((d) => d.pay_mode === p), p);
  assert.ok(deals.some((d) => d.voucher_decline > 0), 'vouchers');
});

test('refunds are separate negative deals linked to delivered originals', () => {
  const { deals } = buildDemoDataset({ anchorMs: ANCHOR });
  const byName = new Map(deals.map((d) => [d.deal_name, d]));
  const refunds = deals.filter((d) => d.action_type === 'refund');
  assert.ok(refunds.length > 50);
  for (const r of refunds) {
    assert.equal(r.status, 6);
    assert.ok(r.real_total_cost < 0);
    const links = JSON.parse(r.refund_map) as Array<{ DealName: string; RefundAmount: number }>;
    assert.equal(links.length, 1);
    const orig = byName.get(links[0]!.DealName);
    assert.ok(orig, `refund ${r.deal_name} points at an existing deal`);
    assert.equal(orig.owner_uin, r.owner_uin);
    assert.equal(links[0]!.RefundAmount, -r.real_total_cost);
    assert.ok(links[0]!.RefundAmount <= orig.real_total_cost);
    assert.equal(r.ref_return_deals, orig.deal_name);
    assert.ok(r.create_time >= orig.create_time);
  }
});

test('generated deals pass the same validation as imported ones and survive an export/import round trip', async () => {
  const { dealFromImport } = await import('../../src/domain/deal-import.js');
  const { toExportDeal } = await import('../../src/domain/views.js');
  const binding = { client_type: 'new', project_type: 'self', sales_uin: '0', client_remark: '' };
  const { deals } = buildDemoDataset({ anchorMs: ANCHOR });
  for (const d of deals) {
    const back = dealFromImport(JSON.parse(JSON.stringify(toExportDeal(d, binding))));
    // The relation fields become a snapshot of the binding on import; everything else is identical.
    assert.deepEqual({ ...back, client_type: null, project_type: null, sales_uin: null, client_remark: null }, d);
  }
});
