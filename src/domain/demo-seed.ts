/**
 * The deterministic demo dataset `tcdeals serve` creates on first start: one agent with several
 * clients, a few thousand deals over the last 12 months across every status and action type,
 * both payer modes, prepaid and postpaid, and refunds as separate negative deals linked to their
 * originals. The same seed and anchor day give the same data, byte for byte.
 */
import { PRODUCTS, ZONES, type Product } from './catalogue.js';
import {
  ACTION_TYPES, CLIENT_TYPES, PROJECT_TYPES, paymentMethodOf,
  type ClientType, type DealRecord, type ProjectType,
} from './deal.js';
import { Random } from './random.js';
import { DAY_MS, formatDateTime } from '../protocol/datetime.js';

export interface DemoAccount {
  uin: string;
  appId: string;
  isAgent: boolean;
  key?: { SecretId: string; SecretKey: string };
}

export interface DemoBinding {
  agentUin: string;
  clientUin: string;
  clientType: ClientType;
  projectType: ProjectType;
  salesUin: string;
  clientRemark: string;
}

export interface DemoDataset {
  accounts: DemoAccount[];
  bindings: DemoBinding[];
  deals: DealRecord[];
}

/** Well-known demo credentials (like Azurite's dev account): a sandbox on loopback, never production. */
export const DEMO_AGENT = {
  uin: '200000000001',
  appId: '1300000001',
  key: { SecretId: 'AKIDtcdealsDemoAgent000000000000001', SecretKey: 'tcdealsDemoAgentSecretKey0000001' },
};
export const DEMO_CLIENT = {
  uin: '100000000001',
  appId: '1250000001',
  key: { SecretId: 'AKIDtcdealsDemoClient00000000000001', SecretKey: 'tcdealsDemoClientSecretKey000001' },
};

export interface DemoOptions {
  seed?: number;
  clients?: number;
  deals?: number;
  /** The instant the 12 months end at; defaults to now. */
  anchorMs?: number;
}

const STATUS_WEIGHTS: ReadonlyArray<readonly [number, number]> = [
  [4, 55], [1, 8], [2, 3], [3, 3], [5, 2], [7, 6], [8, 6], [9, 2], [10, 1], [11, 1], [12, 3], [13, 1], [30, 1],
];

const ACTION_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['purchase', 45], ['renew', 30], ['upgrade', 6], ['downgrade', 3], ['modifyNetworkSize', 2], ['modifyNetworkMode', 1],
  ...ACTION_TYPES.filter((a) => !['purchase', 'renew', 'upgrade', 'downgrade', 'refund', 'modifyNetworkSize', 'modifyNetworkMode'].includes(a)).map(
    (a) => [a, 0.5] as const,
  ),
];

const PERIODS: ReadonlyArray<readonly [readonly [number, string], number]> = [
  [[1, 'm'], 40], [[3, 'm'], 15], [[6, 'm'], 10], [[1, 'y'], 25], [[2, 'y'], 5], [[3, 'y'], 5],
];

export function buildDemoDataset(options: DemoOptions = {}): DemoDataset {
  const rnd = new Random(options.seed ?? 20180709);
  const clientCount = options.clients ?? 8;
  const dealCount = options.deals ?? 3000;
  // Anchor on the start of the (Beijing) day so a restart the same day gives identical data.
  const anchor = options.anchorMs ?? Date.now();
  const end = Math.floor((anchor + 8 * 3600e3) / DAY_MS) * DAY_MS - 8 * 3600e3;
  const start = end - 365 * DAY_MS;

  const accounts: DemoAccount[] = [{ ...DEMO_AGENT, isAgent: true }];
  const bindings: DemoBinding[] = [];
  const clientUins: string[] = [];
  for (let i = 1; i <= clientCount; i++) {
    const uin = String(100000000000 + i);
    clientUins.push(uin);
    accounts.push(i === 1 ? { ...DEMO_CLIENT, isAgent: false } : { uin, appId: String(1250000000 + i), isAgent: false });
    bindings.push({
      agentUin: DEMO_AGENT.uin,
      clientUin: uin,
      clientType: CLIENT_TYPES[(i - 1) % CLIENT_TYPES.length]!,
      projectType: PROJECT_TYPES[(i - 1) % PROJECT_TYPES.length]!,
      salesUin: i % 3 === 0 ? '0' : String(300000000000 + ((i - 1) % 2) + 1),
      clientRemark: `演示客户${i}`,
    });
  }
  // One account with deals but no agent: its orders show in billing only.
  const unbound = '100000009999';
  accounts.push({ uin: unbound, appId: '1250009999', isAgent: false });
  const appIdOf = new Map(accounts.map((a) => [a.uin, a.appId]));

  const originals: DealRecord[] = [];
  let seq = 0;
  const owners = [...clientUins, clientUins[0]!, clientUins[1]!, DEMO_AGENT.uin, unbound];
  for (let n = 0; n < dealCount; n++) {
    const created = start + Math.floor(rnd.next() * (end - start));
    const owner = rnd.pick(owners);
    originals.push(makeDeal(rnd, ++seq, created, owner, appIdOf.get(owner)!, rnd.pick(PRODUCTS)));
  }

  // Refunds: separate deals with negative amounts that point at delivered originals.
  const refunds: DealRecord[] = [];
  for (const orig of originals) {
    if (orig.status !== 4 || orig.real_total_cost <= 0 || rnd.next() >= 0.07) continue;
    const created = Math.min(parseMs(orig.create_time) + rnd.int(1, 40) * DAY_MS, end - 60_000);
    refunds.push(makeRefund(rnd, ++seq, created, orig));
  }
  const deals = [...originals, ...refunds];
  return { accounts, bindings, deals };
}

function parseMs(beijing: string): number {
  return Date.parse(`${beijing.replace(' ', 'T')}+08:00`);
}

function dealNameAt(ms: number, seq: number, rnd: Random): { dealName: string; bigDealId: string } {
  const day = formatDateTime(ms).slice(0, 10).replace(/-/g, '');
  const core = `${day}${rnd.digits(6)}${String(seq).padStart(7, '0')}`;
  return { dealName: `${core}1`, bigDealId: `${core}0` };
}

function makeDeal(rnd: Random, seq: number, createdMs: number, owner: string, appId: string, product: Product): DealRecord {
  const { dealName, bigDealId } = dealNameAt(createdMs, seq, rnd);
  const status = rnd.weighted(STATUS_WEIGHTS);
  const action = rnd.weighted(ACTION_WEIGHTS);
  const [span, unit] = rnd.weighted(PERIODS);
  const months = unit === 'y' ? span * 12 : span;
  const goodsNum = rnd.weighted([[1, 80], [2, 12], [5, 5], [10, 3]] as const);
  const monthly = rnd.int(product.monthlyFen[0] / 100, product.monthlyFen[1] / 100) * 100;
  const original = monthly * months * goodsNum;
  const policy = rnd.weighted([[100, 60], [95, 15], [90, 10], [80, 10], [70, 5]] as const);
  const discounted = Math.round((original * policy) / 100);
  const voucher = rnd.next() < 0.15 ? Math.min(discounted, rnd.int(1, 50) * 1000) : 0;
  const paid = [2, 3, 4, 5, 6, 13, 30].includes(status);
  const payerMode = rnd.next() < 0.3 ? 1 : 0;
  const prepaid = rnd.next() < 0.9;
  const updateMs = createdMs + (paid ? rnd.int(5, 600) * 1000 : rnd.int(0, 3) * 1000);
  const resourceIds = product.resourcePrefix.endsWith('_')
    ? [`${product.resourcePrefix}${formatDateTime(createdMs).slice(0, 10).replace(/-/g, '')}${rnd.digits(12)}`]
    : Array.from({ length: Math.min(goodsNum, 3) }, () => `${product.resourcePrefix}${rnd.alnum(8)}`);
  const productInfo = product.specs.map(([name, values]) => ({ Name: name, Value: rnd.pick(values) }));
  return {
    deal_name: dealName,
    deal_id: String(290000000 + seq),
    big_deal_id: bigDealId,
    owner_uin: owner,
    app_id: appId,
    creator: owner,
    payer: payerMode === 1 ? DEMO_AGENT.uin : owner,
    payer_mode: payerMode,
    status,
    action_type: action,
    goods_category_id: product.goodsCategoryId,
    goods_name: product.goodsName,
    sub_goods_name: product.subGoodsName,
    goods_num: goodsNum,
    real_total_cost: discounted - voucher,
    original_total_cost: original,
    voucher_decline: voucher,
    product_info: JSON.stringify(productInfo),
    payment_method: paymentMethodOf(span, unit),
    resource_ids: JSON.stringify(resourceIds),
    refund_map: '[]',
    bill_id: paid ? dealName : '',
    activity_id: rnd.next() < 0.1 ? String(rnd.int(10000, 99999)) : '0',
    create_time: formatDateTime(createdMs),
    update_time: formatDateTime(updateMs),
    pay_end_time: paid ? formatDateTime(updateMs - 1000) : '',
    overdue_time: formatDateTime(createdMs + 15 * DAY_MS),
    client_type: null,
    project_type: null,
    sales_uin: null,
    client_remark: null,
    pay_mode: prepaid ? 'prePay' : 'postPay',
    product_code: product.productCode,
    sub_product_code: product.subProductCode,
    time_span: span,
    time_unit: unit,
    currency: 'CNY',
    policy,
    price: Math.round((monthly * (unit === 'y' ? 12 : 1) * policy) / 100),
    total_cost: original,
    formula: '',
    ref_return_deals: '',
    project_id: rnd.weighted([[0, 70], [1001, 20], [1002, 10]] as const),
    zone_code: product.zones ? rnd.pick(ZONES) : null,
  };
}

function makeRefund(rnd: Random, seq: number, createdMs: number, orig: DealRecord): DealRecord {
  const { dealName, bigDealId } = dealNameAt(createdMs, seq, rnd);
  const amount = rnd.next() < 0.6 ? orig.real_total_cost : Math.round(orig.real_total_cost * rnd.int(20, 90) / 100);
  const yuan = (amount / 100).toFixed(2);
  return {
    ...orig,
    deal_name: dealName,
    deal_id: String(290000000 + seq),
    big_deal_id: bigDealId,
    status: 6,
    action_type: 'refund',
    real_total_cost: -amount,
    original_total_cost: -amount,
    voucher_decline: 0,
    refund_map: JSON.stringify([{ DealName: orig.deal_name, RefundAmount: amount }]),
    bill_id: dealName,
    create_time: formatDateTime(createdMs),
    update_time: formatDateTime(createdMs + rnd.int(2, 60) * 1000),
    pay_end_time: formatDateTime(createdMs + 1000),
    overdue_time: formatDateTime(createdMs + 15 * DAY_MS),
    price: 0,
    total_cost: -amount,
    policy: 100,
    formula: `退款:${yuan}元,代金券不退(订单${orig.deal_name})`,
    ref_return_deals: orig.deal_name,
  };
}
