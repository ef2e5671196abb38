/**
 * `tcdeals deals pay|deliver|…|refund DEALNAME`: lifecycle changes from the command line, printed
 * in the import shape, and seen by a server running on the same database through both actions —
 * the partners view at once with no cache lag, and only after the server's lag otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DealRecord } from '../../src/domain/deal.js';
import { applyDataset } from '../../src/store/seed.js';
import { Store } from '../../src/store/store.js';
import { tc3 } from '../helpers/call.js';
import { cli, serve } from '../helpers/cli.js';
import { AGENT_A, CLIENT_1, deal, fixtureDataset } from '../helpers/fixture.js';

const UNPAID = '20260220000000000000011';
const PAID = '20260220000000000000031';
const DELIVERED = '20260220000000000000041';
const ALL_STATUSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30];

function lifecycleDeals(): DealRecord[] {
  const base = { owner_uin: CLIENT_1.uin, create_time: '2026-02-20 10:00:00', update_time: '2026-02-20 10:00:00' };
  return [
    deal({ ...base, deal_name: UNPAID, status: 1, pay_end_time: '', bill_id: '', overdue_time: '2026-03-30 10:00:00' }),
    deal({ ...base, deal_name: PAID, status: 2 }),
    deal({ ...base, deal_name: DELIVERED, status: 4, real_total_cost: 17000 }),
  ];
}

async function makeDb(path: string): Promise<void> {
  const store = await Store.open(path);
  try {
    const dataset = fixtureDataset();
    dataset.deals.push(...lifecycleDeals());
    await applyDataset(store, dataset);
  } finally {
    await store.close();
  }
}

function views(endpoint: string) {
  const url = `http://${endpoint}/`;
  return {
    async billing(name: string) {
      const a = await tc3(url, {
        action: 'DescribeDealsByCond', version: '2018-07-09', key: CLIENT_1.key,
        body: { StartTime: '2026-01-01 00:00:00', EndTime: '2026-12-31 23:59:59', Limit: 10, OrderId: name, StatusSet: ALL_STATUSES },
      });
      assert.equal(a.json.Response.Error, undefined, a.raw);
      return a.json.Response.Deals[0] as Record<string, any> | undefined;
    },
    async partners(name: string) {
      const a = await tc3(url, { action: 'DescribeAgentDealsByCache', version: '2018-03-21', key: AGENT_A.key, body: { Offset: 0, Limit: 10, DealNames: [name] } });
      assert.equal(a.json.Response.Error, undefined, a.raw);
      return a.json.Response.AgentDealSet[0] as Record<string, any> | undefined;
    },
  };
}

function lines(stdout: string): any[] {
  return stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

describe('tcdeals deals <lifecycle verb>', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-lifecycle-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('prints the changed deal in the import shape, refuses with the reason, and refunds', async () => {
    const db = join(dir, 'offline.db');
    await makeDb(db);
    const pay = cli(['deals', 'pay', UNPAID, '--db', db, '--at', '2026-03-01 12:00:00']);
    assert.equal(pay.status, 0, pay.stderr);
    const [paid] = lines(pay.stdout);
    assert.equal(paid.DealName, UNPAID);
    assert.equal(paid.Status, '2');
    assert.equal(paid.PayEndTime, '2026-03-01 12:00:00');
    assert.equal(paid.UpdateTime, '2026-03-01 12:00:00');
    assert.equal(paid.PayMode, 'prePay');
    assert.match(pay.stderr, new RegExp(`deal ${UNPAID}: 1 \\(未支付\\) → 2 \\(已支付\\) at 2026-03-01 12:00:00`));

    const again = cli(['deals', 'pay', UNPAID, '--db', db]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, new RegExp(`deal ${UNPAID} is in status 2 \\(已支付\\); pay needs 1 or 12`));
    const missing = cli(['deals', 'deliver', '20990101000000000000001', '--db', db]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /no deal named "20990101000000000000001"/);
    assert.match(cli(['deals', 'pay', PAID, '--db', db, '--at', 'tomorrow']).stderr, /--at must be a Beijing time/);

    const refund = cli(['deals', 'refund', DELIVERED, '--amount', '5000', '--db', db, '--at', '2026-03-02 09:30:00']);
    assert.equal(refund.status, 0, refund.stderr);
    const [orig, made] = lines(refund.stdout);
    assert.equal(orig.DealName, DELIVERED);
    assert.equal(orig.Status, '4');
    assert.match(made.DealName, /^20260302\d{14}1$/);
    assert.equal(made.Status, '6');
    assert.equal(made.ActionType, 'refund');
    assert.deepEqual(made.GoodsPrice, { RealTotalCost: -5000, OriginalTotalCost: -5000 });
    assert.deepEqual(made.RefundMap, [{ DealName: DELIVERED, RefundAmount: 5000 }]);
    assert.equal(made.RefReturnDeals, DELIVERED);
    assert.equal(made.CreatTime, '2026-03-02 09:30:00');
    const over = cli(['deals', 'refund', DELIVERED, '--amount', '12001', '--db', db]);
    assert.notEqual(over.status, 0);
    assert.match(over.stderr, /only 12000 of its RealTotalCost 17000 is left/);

    // The output is the import shape: it loads into another database as it is.
    const copy = cli(['deals', 'import', '-', '--db', join(dir, 'copy.db')], refund.stdout);
    assert.equal(copy.status, 0, copy.stderr);
    assert.match(copy.stdout, /imported 2 deal/);
  });

  test('a change made while a server runs (no cache lag) shows through both actions at once', async () => {
    const db = join(dir, 'lag0.db');
    await makeDb(db);
    const server = await serve(['--db', db, '--no-demo', '--rate-limit', '0']);
    try {
      const v = views(server.endpoint);
      assert.equal((await v.partners(PAID))?.Status, '2');
      const r = cli(['deals', 'deliver', PAID, '--db', db]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal((await v.billing(PAID))?.Status, 4);
      assert.equal((await v.partners(PAID))?.Status, '4');

      const refund = cli(['deals', 'refund', DELIVERED, '--db', db]);
      assert.equal(refund.status, 0, refund.stderr);
      const name: string = lines(refund.stdout)[1].DealName;
      const b = await v.billing(name);
      assert.equal(b?.RealTotalCost, -17000);
      assert.equal(b?.Action, 'refund');
      const p = await v.partners(name);
      assert.deepEqual(p?.GoodsPrice, { RealTotalCost: -17000, OriginalTotalCost: -17000 });
      assert.deepEqual(p?.RefundMap, [{ DealName: DELIVERED, RefundAmount: 17000 }]);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  test("with the server's cache lag, partners show the change only after it (bounded wait)", async () => {
    const db = join(dir, 'lag2.db');
    await makeDb(db);
    const server = await serve(['--db', db, '--no-demo', '--rate-limit', '0', '--cache-lag', '2']);
    try {
      const v = views(server.endpoint);
      const started = Date.now();
      const r = cli(['deals', 'cancel', UNPAID, '--db', db]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal((await v.billing(UNPAID))?.Status, 7, 'billing reads the order store: at once');
      assert.equal((await v.partners(UNPAID))?.Status, '1', 'partners reads the lagging cache');
      const deadline = Date.now() + 10_000;
      while ((await v.partners(UNPAID))?.Status !== '7') {
        assert.ok(Date.now() < deadline, 'partners never caught up within 10 s');
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.ok(Date.now() - started >= 2000, 'not before the 2 s lag');
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
