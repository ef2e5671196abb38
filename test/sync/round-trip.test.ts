/**
 * Lossless import, end to end: what `tcdeals sync` writes from one server, imported into a second,
 * synced again from it, is the same file byte for byte — through partners (as the agent) and
 * through billing (as a client). The source holds the demo order book and deals imported from
 * real-looking exports that the typed columns alone could not give back: a DealStatus of the
 * other document's vintage, "" and leading zeros in numeric strings, null lists, texts outside
 * the documented lists.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TencentCloudClient } from '../../src/client/client.js';
import { buildDemoDataset, DEMO_AGENT, DEMO_CLIENT } from '../../src/domain/demo-seed.js';
import { importDeals } from '../../src/services/deal-import.js';
import { openSink } from '../../src/sync/sinks/sink.js';
import { runSync } from '../../src/sync/sync.js';
import { BIG_ANCHOR } from '../helpers/big-agent.js';
import { startServer, type TestServer } from '../helpers/server.js';

const FROM = '2025-11-01 00:00:00';
const TO = '2026-11-24 23:59:59';

/** Partners elements as a real export may carry them, in the order the API writes the fields. */
function oddDeals(): string {
  const base = {
    DealId: '', DealName: '', GoodsCategoryId: '101832', OwnerUin: DEMO_CLIENT.uin, AppId: DEMO_CLIENT.appId, GoodsNum: '1',
    GoodsPrice: { RealTotalCost: 12000, OriginalTotalCost: 15000 }, Creater: DEMO_CLIENT.uin, CreatTime: '', PayEndTime: '',
    BillId: '', Payer: DEMO_CLIENT.uin, DealStatus: '', Status: '', GoodsName: '云服务器CVM', ClientRemark: '', ActionType: 'purchase',
    VoucherDecline: '0', BigDealId: '', ClientType: 'new', ProjectType: 'self', SalesUin: '0', PayerMode: '0', ActivityId: '0',
    OverdueTime: '', ProductInfo: [{ Name: '规格', Value: 'S5.MEDIUM4' }], PaymentMethod: '按月:1个月', UpdateTime: '',
    ResourceIds: ['ins-odd'], RefundMap: [], SubGoodsName: '标准型S5',
  };
  const odd: Array<Record<string, unknown>> = [
    { Status: '7', DealStatus: '已取消' },
    { Status: '1', DealStatus: '待支付', PayEndTime: '0000-00-00 00:00:00' },
    { Status: '4', DealStatus: '已发货', GoodsNum: '', GoodsCategoryId: '', VoucherDecline: '0012' },
    { Status: '4', DealStatus: '交易成功', ResourceIds: null, ProductInfo: null, RefundMap: null },
    { Status: '2', DealStatus: '处理中', ActionType: 'buyNow', ClientType: 'direct_partner', PaymentMethod: '按月：个月' },
  ];
  return odd
    .map((o, i) => {
      const name = `2026110512000090000${i}1`;
      const time = `2026-11-05 12:00:0${i}`;
      return JSON.stringify({ ...base, DealId: `90000${i}1`, DealName: name, BillId: name, BigDealId: `2026110512000090000${i}0`, CreatTime: time, UpdateTime: time, ...o });
    })
    .join('\n');
}

function client(server: TestServer, key: { SecretId: string; SecretKey: string }) {
  return new TencentCloudClient({ secretId: key.SecretId, secretKey: key.SecretKey, baseUrl: server.url.replace(/\/$/, ''), ratePerSecond: 0 });
}

async function syncTo(file: string, server: TestServer, service: 'partners' | 'billing', key: { SecretId: string; SecretKey: string }): Promise<string> {
  const sink = await openSink(file, { service });
  const summary = await runSync({ client: client(server, key), service, from: FROM, to: TO, sink });
  await sink.close();
  assert.ok(summary.written > 100, `${service}: ${summary.written} deals`);
  return readFileSync(file, 'utf8');
}

async function* fileChunks(text: string) {
  yield Buffer.from(text, 'utf8');
}

describe('sync → import → sync gives the same bytes', () => {
  let source: TestServer;
  let dir: string;
  const targets: TestServer[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-lossless-'));
    source = await startServer({ dataset: buildDemoDataset({ deals: 2_000, clients: 6, seed: 5, anchorMs: BIG_ANCHOR }) });
    await importDeals(source.store, fileChunks(oddDeals()));
  });
  after(async () => {
    for (const t of targets) await t.close();
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A second server with nothing but the caller's account and key. */
  async function emptyTarget(account: { uin: string; key: { SecretId: string; SecretKey: string } }, agent: boolean): Promise<TestServer> {
    const target = await startServer({ dataset: null });
    targets.push(target);
    await target.store.createAccount({ uin: account.uin, isAgent: agent });
    await target.store.createKey(account.uin, account.key);
    return target;
  }

  test('partners, as the agent: every AgentDealNewElem field, the odd ones included', async () => {
    const first = await syncTo(join(dir, 'partners-1.ndjson'), source, 'partners', DEMO_AGENT.key);
    for (const text of ['"DealStatus":"已取消"', '"DealStatus":"待支付"', '"GoodsNum":""', '"VoucherDecline":"0012"', '"ResourceIds":null', '"ClientType":"direct_partner"']) {
      assert.ok(first.includes(text), `the source answers ${text}`);
    }
    const target = await emptyTarget(DEMO_AGENT, true);
    const imported = await importDeals(target.store, { path: join(dir, 'partners-1.ndjson') }, { agent: DEMO_AGENT.uin });
    assert.equal(imported.imported, first.trim().split('\n').length);
    const second = await syncTo(join(dir, 'partners-2.ndjson'), target, 'partners', DEMO_AGENT.key);
    assert.equal(second, first);
  });

  test('billing, as a client: every Deal field', async () => {
    const first = await syncTo(join(dir, 'billing-1.ndjson'), source, 'billing', DEMO_CLIENT.key);
    assert.ok(first.includes('"VoucherDecline":12,'), 'the odd deals are in it, as billing renders them');
    const target = await emptyTarget(DEMO_CLIENT, false);
    const imported = await importDeals(target.store, { path: join(dir, 'billing-1.ndjson') }, { owner: DEMO_CLIENT.uin });
    assert.equal(imported.imported, first.trim().split('\n').length);
    const second = await syncTo(join(dir, 'billing-2.ndjson'), target, 'billing', DEMO_CLIENT.key);
    assert.equal(second, first);
  });
});
