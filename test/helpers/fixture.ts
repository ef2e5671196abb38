/**
 * A small dataset with known answers: two agents, their clients, an unbound customer, and deals
 * whose every field the tests control. `expectedBilling` / `expectedAgent` are plain-JS oracles
 * the server's answers are compared with.
 */
import type { DealRecord } from '../../src/domain/deal.js';
import type { DemoDataset } from '../../src/domain/demo-seed.js';

export const AGENT_A = { uin: '900000000001', appId: '1300000101', key: { SecretId: 'AKIDtestAgentA00000000000000000000001', SecretKey: 'testAgentASecretKey0000000000001' } };
export const AGENT_B = { uin: '900000000002', appId: '1300000102', key: { SecretId: 'AKIDtestAgentB00000000000000000000002', SecretKey: 'testAgentBSecretKey0000000000002' } };
export const CLIENT_1 = { uin: '800000000001', appId: '1250000101', key: { SecretId: 'AKIDtestClient100000000000000000001', SecretKey: 'testClient1SecretKey000000000001' } };
export const CLIENT_2 = { uin: '800000000002', appId: '1250000102', key: { SecretId: 'AKIDtestClient200000000000000000002', SecretKey: 'testClient2SecretKey000000000002' } };
export const CLIENT_3 = { uin: '800000000003', appId: '1250000103', key: { SecretId: 'AKIDtestClient300000000000000000003', SecretKey: 'testClient3SecretKey000000000003' } };
export const LONER = { uin: '700000000001', appId: '1250000201', key: { SecretId: 'AKIDtestLoner0000000000000000000001', SecretKey: 'testLonerSecretKey00000000000001' } };

export function deal(overrides: Partial<DealRecord> & Pick<DealRecord, 'deal_name' | 'owner_uin' | 'create_time'>): DealRecord {
  return {
    deal_id: overrides.deal_name.slice(-9),
    big_deal_id: `${overrides.deal_name.slice(0, -1)}0`,
    app_id: '1250000000',
    creator: overrides.owner_uin,
    payer: overrides.owner_uin,
    payer_mode: 0,
    status: 4,
    action_type: 'purchase',
    goods_category_id: 100019,
    goods_name: '云服务器',
    sub_goods_name: '云服务器-标准型S5',
    goods_num: 1,
    real_total_cost: 17000,
    original_total_cost: 20000,
    voucher_decline: 3000,
    product_info: JSON.stringify([{ Name: '规格', Value: 'S5.MEDIUM2' }]),
    payment_method: '按月:1个月',
    resource_ids: JSON.stringify([`ins-${overrides.deal_name.slice(-8)}`]),
    refund_map: '[]',
    bill_id: overrides.deal_name,
    activity_id: '0',
    update_time: overrides.create_time,
    pay_end_time: overrides.create_time,
    overdue_time: overrides.create_time,
    client_type: null,
    project_type: null,
    sales_uin: null,
    client_remark: null,
    pay_mode: 'prePay',
    product_code: 'p_cvm',
    sub_product_code: 'sp_cvm_s5',
    time_span: 1,
    time_unit: 'm',
    currency: 'CNY',
    policy: 100,
    price: 20000,
    total_cost: 20000,
    formula: '',
    ref_return_deals: '',
    project_id: 0,
    zone_code: 'ap-guangzhou-3',
    verbatim: null,
    ...overrides,
  };
}

const STATUSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30];
const OWNERS = [CLIENT_1.uin, CLIENT_2.uin, CLIENT_3.uin, LONER.uin, AGENT_A.uin];

/** 120 deals spread over 2025-01..2025-12 with every status, both payer modes, some postpaid, equal-time ties. */
export function fixtureDeals(): DealRecord[] {
  const out: DealRecord[] = [];
  for (let i = 0; i < 120; i++) {
    // Every 10th deal shares its timestamp with the previous one: the tie-break must be stable.
    const j = i % 10 === 9 ? i - 1 : i;
    const month = (j % 12) + 1;
    const day = (Math.floor(j / 12) % 28) + 1;
    const second = j % 60;
    const create = `2025-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} 10:00:${String(second).padStart(2, '0')}`;
    const name = `2025${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}0000000${String(1000 + i)}1`;
    const owner = OWNERS[i % OWNERS.length]!;
    const payerMode = i % 3 === 0 ? 1 : 0;
    out.push(
      deal({
        deal_name: name,
        owner_uin: owner,
        create_time: create,
        status: STATUSES[i % STATUSES.length]!,
        payer_mode: payerMode,
        payer: payerMode ? AGENT_A.uin : owner,
        pay_mode: i % 11 === 5 ? 'postPay' : 'prePay',
        big_deal_id: `BIG${Math.floor(i / 4)}`,
        resource_ids: JSON.stringify(i % 7 === 0 ? ['ins-shared', `ins-${i}`] : [`ins-${i}`]),
        time_span: i % 2 ? 1.5 : 1,
        price: 100.25,
      }),
    );
  }
  // A refund of the first delivered deal of CLIENT_1, as a separate negative deal.
  const orig = out.find((d) => d.owner_uin === CLIENT_1.uin && d.status === 4)!;
  out.push(
    deal({
      deal_name: '20251230000000099991',
      owner_uin: CLIENT_1.uin,
      create_time: '2025-12-30 08:00:00',
      status: 6,
      action_type: 'refund',
      real_total_cost: -17000,
      original_total_cost: -17000,
      voucher_decline: 0,
      refund_map: JSON.stringify([{ DealName: orig.deal_name, RefundAmount: 17000 }]),
      ref_return_deals: orig.deal_name,
      formula: '退款:170.00元',
    }),
  );
  return out;
}

export function fixtureDataset(): DemoDataset {
  return {
    accounts: [
      { ...AGENT_A, isAgent: true },
      { ...AGENT_B, isAgent: true },
      { ...CLIENT_1, isAgent: false },
      { ...CLIENT_2, isAgent: false },
      { ...CLIENT_3, isAgent: false },
      { ...LONER, isAgent: false },
    ],
    bindings: [
      { agentUin: AGENT_A.uin, clientUin: CLIENT_1.uin, clientType: 'new', projectType: 'self', salesUin: '600000000001', clientRemark: 'client one' },
      { agentUin: AGENT_A.uin, clientUin: CLIENT_2.uin, clientType: 'old', projectType: 'platform', salesUin: '0', clientRemark: '' },
      { agentUin: AGENT_B.uin, clientUin: CLIENT_3.uin, clientType: 'assign', projectType: 'repeat', salesUin: '600000000002', clientRemark: 'client three' },
    ],
    deals: fixtureDeals(),
  };
}

const byTimeDesc = (a: DealRecord, b: DealRecord) =>
  a.create_time === b.create_time ? (a.deal_name < b.deal_name ? 1 : -1) : a.create_time < b.create_time ? 1 : -1;

export interface BillingOracleQuery {
  owner: string;
  start: string;
  end: string;
  statuses: number[];
  orderId?: string;
  bigDealId?: string;
  resourceId?: string;
}

export function expectedBilling(deals: DealRecord[], q: BillingOracleQuery): DealRecord[] {
  return deals
    .filter((d) => d.owner_uin === q.owner && d.create_time >= q.start && d.create_time <= q.end && q.statuses.includes(d.status))
    .filter((d) => q.orderId === undefined || d.deal_name === q.orderId)
    .filter((d) => q.bigDealId === undefined || d.big_deal_id === q.bigDealId)
    .filter((d) => q.resourceId === undefined || (JSON.parse(d.resource_ids) as string[]).includes(q.resourceId))
    .sort(byTimeDesc);
}

export interface AgentOracleQuery {
  clients: string[];
  start?: string;
  end?: string;
  ascending?: boolean;
  status?: number;
  ownerUins?: string[];
  dealNames?: string[];
  bigDealIds?: string[];
  payerMode?: number;
}

export function expectedAgent(deals: DealRecord[], q: AgentOracleQuery): DealRecord[] {
  const sorted = deals
    .filter((d) => q.clients.includes(d.owner_uin) && d.pay_mode === 'prePay')
    .filter((d) => (q.start === undefined || d.create_time >= q.start) && (q.end === undefined || d.create_time <= q.end))
    .filter((d) => q.status === undefined || d.status === q.status)
    .filter((d) => !q.ownerUins?.length || q.ownerUins.includes(d.owner_uin))
    .filter((d) => !q.dealNames?.length || q.dealNames.includes(d.deal_name))
    .filter((d) => !q.bigDealIds?.length || q.bigDealIds.includes(d.big_deal_id))
    .filter((d) => q.payerMode === undefined || d.payer_mode === q.payerMode)
    .sort(byTimeDesc);
  return q.ascending ? sorted.reverse() : sorted;
}
