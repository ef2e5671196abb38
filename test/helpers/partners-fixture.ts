/**
 * The fixture of the reseller's workflow: the base fixture (two agents, their clients, a loner)
 * plus applicants, profiles, salespeople, applications, unbinding applications and recent deals
 * (inside the V2 actions' 15-day window of a sandbox clock frozen at NOW), with purchases, renewals
 * and refunds of shared resources across big deals. Plain-JS oracles for every partners action.
 */
import type { DealRecord } from '../../src/domain/deal.js';
import type { DemoDataset } from '../../src/domain/demo-seed.js';
import type { PartnersData } from '../../src/domain/partners.js';
import { countsAsConsumption, defaultProfile, type ClientProfile } from '../../src/domain/partners.js';
import { parseDateTime } from '../../src/protocol/datetime.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import type { TestBackend } from './backends.js';
import { startServer, type TestServer } from './server.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_2, CLIENT_3, LONER, deal, fixtureDataset, type AgentOracleQuery } from './fixture.js';

/** The sandbox clock of the partners suites: 2025-12-31 20:00:00 Beijing time. */
export const NOW_TEXT = '2025-12-31 20:00:00';
export const NOW_MS = parseDateTime(NOW_TEXT)!;
/** When the fixture's bindings were made (the store clock at load). */
export const WINDOW_START = '2025-12-16 20:00:00';

export const APPLICANT_1 = { uin: '810000000001', appId: '1250000301', key: { SecretId: 'AKIDtestApplicant100000000000000001', SecretKey: 'testApplicant1SecretKey00000001' } };
export const APPLICANT_2 = { uin: '810000000002', appId: '1250000302' };
export const REJECTED_1 = { uin: '810000000003', appId: '1250000303' };
export const APPLICANT_B = { uin: '810000000004', appId: '1250000304' };

export const SALES_A1 = '600000000001';
export const SALES_B1 = '600000000002';
export const SALES_A2 = '600000000003';

const OWNERS = [CLIENT_1.uin, CLIENT_2.uin, CLIENT_3.uin, APPLICANT_1.uin, LONER.uin];

/** 60 deals from 2025-12-17 to 2025-12-31 (before NOW), every 4th a renewal of the previous deal's resource, some refunds. */
export function recentDeals(): DealRecord[] {
  const out: DealRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const day = 17 + Math.floor(i / 4);
    const owner = OWNERS[i % OWNERS.length]!;
    const name = `202512${String(day).padStart(2, '0')}1000000${String(5000 + i)}1`;
    const payerMode = i % 3 === 1 ? 1 : 0;
    const renewal = i >= 5 && i % 4 === 0;
    const resource = renewal ? `ins-r${i - 5}` : `ins-r${i}`;
    out.push(
      deal({
        deal_name: name,
        owner_uin: owner,
        create_time: `2025-12-${String(day).padStart(2, '0')} ${String(8 + (i % 10)).padStart(2, '0')}:00:${String(i % 60).padStart(2, '0')}`,
        status: [4, 4, 1, 2, 4, 7, 4, 12, 4, 6][i % 10]!,
        payer_mode: payerMode,
        payer: payerMode ? '900000000000' : owner,
        action_type: renewal ? 'renew' : 'purchase',
        pay_mode: i % 13 === 7 ? 'postPay' : 'prePay',
        big_deal_id: `RBIG${Math.floor(i / 2)}`,
        resource_ids: JSON.stringify([resource]),
        real_total_cost: 10000 + i * 100,
        original_total_cost: 12000 + i * 100,
        voucher_decline: i % 2 ? 500 : 0,
        sub_goods_name: i % 2 ? '云服务器-标准型S5' : '',
      }),
    );
  }
  // A refund (its own big deal) of CLIENT_1's first purchase, on the same resource.
  const orig = out.find((d) => d.owner_uin === CLIENT_1.uin && d.action_type === 'purchase' && d.pay_mode === 'prePay')!;
  out.push(
    deal({
      deal_name: '20251230100000099991',
      owner_uin: CLIENT_1.uin,
      create_time: '2025-12-30 09:00:00',
      status: 6,
      action_type: 'refund',
      big_deal_id: 'RBIGREFUND',
      resource_ids: orig.resource_ids,
      real_total_cost: -5000,
      original_total_cost: -5000,
      voucher_decline: 0,
      refund_map: JSON.stringify([{ DealName: orig.deal_name, RefundAmount: 5000 }]),
      ref_return_deals: orig.deal_name,
    }),
  );
  // Last month's consumption of CLIENT_1 (delivered, postpaid: it counts too).
  out.push(deal({ deal_name: '20251115100000099992', owner_uin: CLIENT_1.uin, create_time: '2025-11-15 09:00:00', status: 4, pay_mode: 'postPay', real_total_cost: 4200, big_deal_id: 'NOVBIG' }));
  return out;
}

export function partnersData(): PartnersData {
  const profile = (uin: string, name: string, flag: ClientProfile['clientFlag'], overdue: 0 | 1, extra: Partial<ClientProfile> = {}): ClientProfile => ({
    clientUin: uin,
    clientName: name,
    clientFlag: flag,
    mail: `m${uin.slice(-3)}@example.com`,
    phone: `1380000${uin.slice(-4)}`,
    hasOverdueBill: overdue,
    authType: '1',
    transactionType: '1',
    ...extra,
  });
  return {
    accounts: [APPLICANT_2, REJECTED_1, APPLICANT_B],
    profiles: [
      profile(CLIENT_1.uin, '深圳云帆网络科技有限公司', 'a', 0),
      profile(CLIENT_2.uin, '上海星河软件有限公司', 'b', 1, { authType: '0' }),
      profile(CLIENT_3.uin, '北京智联数据服务有限公司', 'a', 0),
      profile(APPLICANT_1.uin, '杭州海纳电子商务有限公司', 'a', 0),
      profile(APPLICANT_2.uin, '成都启明文化传媒有限公司', 'b', 1),
      profile(REJECTED_1.uin, '南京千禾信息技术有限公司', 'c', 0),
      profile(APPLICANT_B.uin, '武汉鼎盛软件有限公司', 'a', 0),
    ],
    salesmen: [
      { salesUin: SALES_A1, agentUin: AGENT_A.uin, salesName: '张伟', createTime: '2024-03-01 10:00:00' },
      { salesUin: SALES_B1, agentUin: AGENT_B.uin, salesName: '李娜', createTime: '2024-05-01 10:00:00' },
      { salesUin: SALES_A2, agentUin: AGENT_A.uin, salesName: '王芳', createTime: '2024-07-01 10:00:00' },
    ],
    applications: [
      { clientUin: APPLICANT_1.uin, agentUin: AGENT_A.uin, applyTime: '2025-12-20 10:00:00', status: 'pending', salesUin: SALES_A1, clientType: 'new', projectType: 'self', increaseGoal: '100000', note: '', decidedAt: null },
      { clientUin: APPLICANT_2.uin, agentUin: AGENT_A.uin, applyTime: '2025-12-22 10:00:00', status: 'pending', salesUin: '0', clientType: 'assign', projectType: 'platform', increaseGoal: '0', note: '', decidedAt: null },
      { clientUin: REJECTED_1.uin, agentUin: AGENT_A.uin, applyTime: '2025-12-01 10:00:00', status: 'rejected', salesUin: '0', clientType: 'new', projectType: 'self', increaseGoal: '0', note: 'no', decidedAt: '2025-12-02 10:00:00' },
      { clientUin: APPLICANT_B.uin, agentUin: AGENT_B.uin, applyTime: '2025-12-21 10:00:00', status: 'pending', salesUin: SALES_B1, clientType: 'new', projectType: 'self', increaseGoal: '0', note: '', decidedAt: null },
    ],
    unbinds: [
      { id: 'UB00000001', agentUin: AGENT_A.uin, clientUin: LONER.uin, status: 1, applyTime: '2025-10-01 10:00:00', actionTime: '2025-10-05 10:00:00' },
      { id: 'UB00000002', agentUin: AGENT_A.uin, clientUin: CLIENT_2.uin, status: 0, applyTime: '2025-12-28 10:00:00', actionTime: '' },
      { id: 'UB00000003', agentUin: AGENT_A.uin, clientUin: REJECTED_1.uin, status: 4, applyTime: '2025-11-11 10:00:00', actionTime: '2025-11-12 10:00:00' },
      { id: 'UB00000004', agentUin: AGENT_B.uin, clientUin: CLIENT_3.uin, status: 2, applyTime: '2025-12-10 10:00:00', actionTime: '2025-12-11 10:00:00' },
    ],
  };
}

export function partnersDataset(): DemoDataset {
  const base = fixtureDataset();
  return {
    accounts: [...base.accounts, { ...APPLICANT_1, isAgent: false }],
    bindings: base.bindings,
    deals: [...base.deals, ...recentDeals()],
    partners: partnersData(),
  };
}

export function allDeals(): DealRecord[] {
  return partnersDataset().deals;
}

/** One valid request body for each action of the reseller's workflow beyond DescribeAgentDealsByCache. */
export const RESELLER_CALLS: Record<string, Record<string, unknown>> = {
  DescribeAgentAuditedClients: {},
  DescribeAgentClients: {},
  AuditApplyClient: { ClientUin: APPLICANT_1.uin, AuditResult: 'reject', Note: '' },
  DescribeUnbindClientList: { Status: 0, Offset: 0, Limit: 10 },
  ModifyClientRemark: { ClientUin: CLIENT_1.uin, ClientRemark: 'x' },
  DescribeSalesmans: { Offset: 0, Limit: 10 },
  DescribeAgentPayDealsV2: { Offset: 0, Limit: 10 },
  DescribeAgentSelfPayDealsV2: { OwnerUin: CLIENT_1.uin, Offset: 0, Limit: 10 },
  DescribeAgentRelateBigDealIds: { BigDealId: 'RBIG0' },
  DescribeAgentDealsPriceDetailByDealName: { DealCreatYear: 2025, DealNames: ['x'] },
};

// ---------------------------------------------------------------------------------------------
// Oracles

const byTimeDesc = (a: DealRecord, b: DealRecord) =>
  a.create_time === b.create_time ? (a.deal_name < b.deal_name ? 1 : -1) : a.create_time < b.create_time ? 1 : -1;

/** DescribeAgentDealsByCache's oracle query, with the payer mode the V2 action fixes. */
export type V2Query = Omit<AgentOracleQuery, 'payerMode'> & { payerMode: 0 | 1 };

/** The V2 deal actions: the clients' prepaid deals of one payer mode in the window (default start: 15 days before NOW). */
export function expectedV2(deals: DealRecord[], q: V2Query): DealRecord[] {
  const start = q.start ?? WINDOW_START;
  const sorted = deals
    .filter((d) => q.clients.includes(d.owner_uin) && d.pay_mode === 'prePay' && d.payer_mode === q.payerMode)
    .filter((d) => d.create_time >= start && (q.end === undefined || d.create_time <= q.end))
    .filter((d) => q.status === undefined || d.status === q.status)
    .filter((d) => !q.ownerUins?.length || q.ownerUins.includes(d.owner_uin))
    .filter((d) => !q.dealNames?.length || q.dealNames.includes(d.deal_name))
    .filter((d) => !q.bigDealIds?.length || q.bigDealIds.includes(d.big_deal_id))
    .sort(byTimeDesc);
  return q.ascending ? sorted.reverse() : sorted;
}

/** Month consumption of a client at NOW (December 2025 this month, November last). */
export function expectedAmounts(deals: DealRecord[], uin: string): { last: number; this: number } {
  let last = 0;
  let cur = 0;
  for (const d of deals) {
    if (d.owner_uin !== uin || !countsAsConsumption(d)) continue;
    if (d.create_time >= '2025-12-01 00:00:00' && d.create_time < '2026-01-01 00:00:00') cur += d.real_total_cost;
    else if (d.create_time >= '2025-11-01 00:00:00' && d.create_time < '2025-12-01 00:00:00') last += d.real_total_cost;
  }
  return { last: Math.max(0, last), this: Math.max(0, cur) };
}

export function profileOf(uin: string): ClientProfile {
  return partnersData().profiles.find((p) => p.clientUin === uin) ?? defaultProfile(uin);
}

/** Big deals related to `big` for an agent seeing `clients`' prepaid deals: same owner, a shared resource. */
export function expectedRelated(deals: DealRecord[], clients: string[], big: string): string[] {
  const visible = deals.filter((d) => clients.includes(d.owner_uin) && d.pay_mode === 'prePay');
  const mine = visible.filter((d) => d.big_deal_id === big);
  if (mine.length === 0) return [];
  const owners = new Set(mine.map((d) => d.owner_uin));
  const resources = new Set(mine.flatMap((d) => JSON.parse(d.resource_ids) as string[]));
  const out = new Set<string>();
  for (const d of visible) {
    if (d.big_deal_id === big || !owners.has(d.owner_uin)) continue;
    if ((JSON.parse(d.resource_ids) as string[]).some((r) => resources.has(r))) out.add(d.big_deal_id);
  }
  return [...out].sort();
}

/** A server over the partners fixture with the sandbox clock frozen at NOW (signatures on the real clock). */
export async function partnersServer(backend: TestBackend): Promise<TestServer> {
  const sandbox = new Sandbox();
  sandbox.clock.set(NOW_MS, true);
  return startServer({ backend, dataset: partnersDataset(), sandbox, now: Date.now });
}
