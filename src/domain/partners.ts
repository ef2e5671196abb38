/**
 * The reseller's side of the partners API beyond deals: client profiles (names, flags, mail,
 * phone, overdue), client applications awaiting the agent's review, unbinding applications and
 * salespeople — their shapes, their rendering in the SDK models' JSON kinds, the monthly
 * consumption rule, price details, and a deterministic generator for them. Rules the public
 * documents leave open are written down in docs/partners.md.
 */
import { formatDateTime, parseDateTime } from '../protocol/datetime.js';
import type { ClientType, DealRecord, ProjectType } from './deal.js';
import { Random } from './random.js';

export const CLIENT_FLAGS = ['a', 'b', 'c', 'other'] as const;
export type ClientFlag = (typeof CLIENT_FLAGS)[number];

/** What an account looks like to its agent (one row per client account, bound or not). */
export interface ClientProfile {
  clientUin: string;
  /** The real-name (company or person) name; the account UIN when unknown. */
  clientName: string;
  clientFlag: ClientFlag;
  /** Stored in full; rendered masked (`ab***@example.com`). */
  mail: string;
  /** Stored in full; rendered masked (`138****1234`). */
  phone: string;
  hasOverdueBill: 0 | 1;
  /** `0` person, `1` company, `-1` not verified. */
  authType: string;
  /** `1` original, `2` agency, `3` procurement. */
  transactionType: string;
}

export type ApplicationStatus = 'pending' | 'rejected' | 'accepted';

/** A client's application to be bound to an agent (DescribeAgentClients, AuditApplyClient). */
export interface ClientApplication {
  clientUin: string;
  agentUin: string;
  /** `YYYY-MM-DD HH:mm:ss`, Beijing time. */
  applyTime: string;
  status: ApplicationStatus;
  salesUin: string;
  clientType: ClientType;
  projectType: ProjectType;
  /** Increase goal in fen, as a string (AgentClientElem.IncreaseGoal). */
  increaseGoal: string;
  note: string;
  decidedAt: string | null;
}

/** UnbindClientElem.Status: 0 in review, 1 unbound, 2 withdrawn, 3 withdrawn with a related one, 4 rejected. */
export const UNBIND_STATUSES = [0, 1, 2, 3, 4] as const;

export interface UnbindApplication {
  id: string;
  agentUin: string;
  clientUin: string;
  status: number;
  applyTime: string;
  /** When it was unbound, withdrawn or rejected; '' while in review. */
  actionTime: string;
}

export interface Salesman {
  salesUin: string;
  agentUin: string;
  salesName: string;
  createTime: string;
}

/** Everything of the reseller workflow a dataset may carry besides accounts, bindings and deals. */
export interface PartnersData {
  /** Accounts the partners data needs besides the dataset's (applicants without deals). */
  accounts: Array<{ uin: string; appId: string }>;
  profiles: ClientProfile[];
  applications: ClientApplication[];
  unbinds: UnbindApplication[];
  salesmen: Salesman[];
}

export const EMPTY_PARTNERS_DATA: PartnersData = { accounts: [], profiles: [], applications: [], unbinds: [], salesmen: [] };

/** The profile of an account that has none stored: named by its UIN, flag a, unverified. */
export function defaultProfile(clientUin: string): ClientProfile {
  return { clientUin, clientName: clientUin, clientFlag: 'a', mail: '', phone: '', hasOverdueBill: 0, authType: '-1', transactionType: '1' };
}

// ---------------------------------------------------------------------------------------------
// Rendering

export function maskMail(mail: string): string {
  const at = mail.indexOf('@');
  if (at <= 0) return mail === '' ? '' : '***';
  const local = mail.slice(0, at);
  return `${local.slice(0, Math.min(2, local.length))}***${mail.slice(at)}`;
}

export function maskPhone(phone: string): string {
  if (phone.length < 7) return phone === '' ? '' : '****';
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** Epoch seconds of a Beijing date-time (0 for a malformed one). */
export function epochSeconds(dateTime: string): number {
  const ms = parseDateTime(dateTime);
  return ms === undefined ? 0 : Math.floor(ms / 1000);
}

/** The relation row an audited client is listed from (binding + profile + names + amounts). */
export interface AuditedClientRow {
  agentUin: string;
  clientUin: string;
  appId: string;
  boundAt: string;
  clientType: string;
  projectType: string;
  salesUin: string;
  clientRemark: string;
  salesName: string | null;
  profile: ClientProfile;
}

export interface MonthAmounts {
  lastMonth: number;
  thisMonth: number;
}

/** `AgentAuditedClient`, field by field in the model's kinds. */
export function toAuditedClient(r: AuditedClientRow, amounts: MonthAmounts) {
  return {
    Uin: r.agentUin,
    ClientUin: r.clientUin,
    AgentTime: String(epochSeconds(r.boundAt)),
    ClientFlag: r.profile.clientFlag,
    ClientRemark: r.clientRemark,
    ClientName: r.profile.clientName,
    AuthType: r.profile.authType,
    AppId: r.appId,
    LastMonthAmt: amounts.lastMonth,
    ThisMonthAmt: amounts.thisMonth,
    HasOverdueBill: r.profile.hasOverdueBill,
    ClientType: r.clientType,
    ProjectType: r.projectType,
    SalesUin: r.salesUin,
    SalesName: r.salesName ?? '',
    Mail: maskMail(r.profile.mail),
    TransactionType: r.profile.transactionType,
  };
}

/** `AgentClientElem` (an application awaiting review). */
export function toAgentClientElem(a: ClientApplication, profile: ClientProfile, salesName: string | null) {
  return {
    Uin: a.agentUin,
    ClientUin: a.clientUin,
    ApplyTime: epochSeconds(a.applyTime),
    ClientFlag: profile.clientFlag,
    Mail: maskMail(profile.mail),
    Phone: maskPhone(profile.phone),
    HasOverdueBill: profile.hasOverdueBill,
    Status: 1,
    SalesUin: a.salesUin,
    SalesName: salesName ?? '',
    ClientName: profile.clientName,
    IncreaseGoal: a.increaseGoal,
  };
}

export function toUnbindClientElem(u: UnbindApplication, name: string) {
  return { Uin: u.clientUin, Name: name, Status: u.status, ApplyTime: u.applyTime, ActionTime: u.actionTime };
}

export function toSalesmanElem(s: Salesman) {
  return { Uin: s.agentUin, SalesUin: s.salesUin, SalesName: s.salesName, CreateTime: s.createTime };
}

// ---------------------------------------------------------------------------------------------
// Monthly consumption (AgentAuditedClient.LastMonthAmt / ThisMonthAmt)

/**
 * The Beijing calendar months around `nowMs`: `[lastStart, thisStart, nextStart)` as date-times.
 * A client's consumption in a month is the sum, in fen, of `RealTotalCost` of its deals created in
 * that month that count as consumption (see `countsAsConsumption`), never below 0.
 */
export function monthWindows(nowMs: number): { lastStart: string; thisStart: string; nextStart: string } {
  const b = new Date(nowMs + 8 * 3600_000);
  const y = b.getUTCFullYear();
  const m = b.getUTCMonth();
  const at = (year: number, month: number) => {
    const d = new Date(Date.UTC(year, month, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01 00:00:00`;
  };
  return { lastStart: at(y, m - 1), thisStart: at(y, m), nextStart: at(y, m + 1) };
}

/** Delivered deals (status 4) of any pay mode and payer, and refunds (negative, status 6). */
export function countsAsConsumption(d: Pick<DealRecord, 'status' | 'action_type'>): boolean {
  return d.status === 4 || (d.status === 6 && d.action_type === 'refund');
}

// ---------------------------------------------------------------------------------------------
// Price details (DescribeAgentDealsPriceDetailByDealName)

/**
 * One component per deal, from its stored prices: `TotalCost` the list price (OriginalTotalCost),
 * `RealTotalCost` the discounted price before vouchers (RealTotalCost + VoucherDecline), and
 * `DiscountValue` their ratio in percent (100 = no discount, 87 = 8.7 折), named after the
 * sub-product.
 */
export function priceDetailOf(d: Pick<DealRecord, 'deal_name' | 'owner_uin' | 'goods_name' | 'sub_goods_name' | 'original_total_cost' | 'real_total_cost' | 'voucher_decline'>) {
  const total = d.original_total_cost;
  const real = d.real_total_cost + d.voucher_decline;
  const discount = total === 0 || Math.sign(total) !== Math.sign(real) ? 100 : Math.min(100, Math.max(0, Math.round((real / total) * 100)));
  return {
    DealName: d.deal_name,
    OwnerUin: d.owner_uin,
    SubProductPriceDetail: [{ Name: d.sub_goods_name || d.goods_name, DiscountValue: discount, TotalCost: total, RealTotalCost: real }],
  };
}

// ---------------------------------------------------------------------------------------------
// Generation

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '霞', '平'];
const MAIL_DOMAINS = ['qq.com', '163.com', 'example.com', 'foxmail.com', 'outlook.com'];
const COMPANY_A = ['深圳', '广州', '上海', '北京', '杭州', '成都', '南京', '武汉'];
const COMPANY_B = ['云帆', '星河', '智联', '海纳', '博远', '启明', '千禾', '鼎盛', '青橙', '极光'];
const COMPANY_C = ['网络科技', '信息技术', '软件', '电子商务', '文化传媒', '数据服务'];

export interface PartnersGenerateInput {
  accounts: ReadonlyArray<{ uin: string; isAgent: boolean }>;
  bindings: ReadonlyArray<{ agentUin: string; clientUin: string; salesUin: string }>;
  seed: number;
  /** The instant the data ends at (applications and unbinds fall in the 60 days before it). */
  anchorMs: number;
}

/**
 * Deterministic partners data for a generated dataset: a profile for every non-agent account, a
 * named salesman for every sales UIN the bindings use (plus a spare one per agent), pending and
 * rejected applications from unbound accounts (which have deals of their own, so approving one
 * shows its deals), unbinding applications in review for some bound clients and finished ones
 * (unbound, withdrawn, rejected) from unbound accounts.
 */
export function generatePartnersData(input: PartnersGenerateInput): PartnersData {
  const rnd = new Random(((input.seed >>> 0) ^ 0x5a17e) >>> 0);
  const dayMs = 86400_000;
  const end = input.anchorMs - (input.anchorMs % 1000);
  const at = (daysBack: number) => formatDateTime(end - Math.floor(daysBack * dayMs) - rnd.int(0, 3600) * 1000);
  const agents = input.accounts.filter((a) => a.isAgent).map((a) => a.uin);
  const bound = new Map(input.bindings.map((b) => [b.clientUin, b]));
  // Three applicants per agent with no deals yet, besides the unbound accounts that have some.
  const extra = agents.flatMap((agent, k) =>
    [1, 2, 3].map((j) => ({ uin: String(120000000000 + k * 10 + j), appId: String(1260000000 + k * 10 + j), isAgent: false })),
  );
  const everyone = [...input.accounts, ...extra];
  const profiles: ClientProfile[] = [];
  for (const a of everyone) {
    if (a.isAgent) continue;
    const company = rnd.next() < 0.8;
    const name = company ? `${rnd.pick(COMPANY_A)}${rnd.pick(COMPANY_B)}${rnd.pick(COMPANY_C)}有限公司` : `${rnd.pick(SURNAMES)}${rnd.pick(GIVEN)}${rnd.next() < 0.5 ? rnd.pick(GIVEN) : ''}`;
    profiles.push({
      clientUin: a.uin,
      clientName: name,
      clientFlag: rnd.weighted([['a', 60], ['b', 30], ['c', 8], ['other', 2]] as const),
      mail: `u${a.uin.slice(-6)}@${rnd.pick(MAIL_DOMAINS)}`,
      phone: `1${rnd.pick(['38', '39', '58', '86', '77'])}${String(rnd.int(0, 99999999)).padStart(8, '0')}`,
      hasOverdueBill: rnd.next() < 0.12 ? 1 : 0,
      authType: company ? '1' : rnd.next() < 0.8 ? '0' : '-1',
      transactionType: rnd.weighted([['1', 70], ['2', 20], ['3', 10]] as const),
    });
  }
  const salesmen: Salesman[] = [];
  const seen = new Set<string>();
  const salesOf = new Map<string, string[]>();
  for (const b of input.bindings) {
    if (b.salesUin === '0' || seen.has(b.salesUin)) continue;
    seen.add(b.salesUin);
    salesOf.set(b.agentUin, [...(salesOf.get(b.agentUin) ?? []), b.salesUin]);
  }
  for (const agent of agents) {
    const list = salesOf.get(agent) ?? [];
    const spare = String(400000000000 + (Number(BigInt(agent) % 100000000n) * 10) + 1);
    if (!seen.has(spare)) {
      seen.add(spare);
      list.push(spare);
    }
    salesOf.set(agent, list);
    for (const uin of list) {
      salesmen.push({ salesUin: uin, agentUin: agent, salesName: `${rnd.pick(SURNAMES)}${rnd.pick(GIVEN)}${rnd.pick(GIVEN)}`, createTime: at(rnd.int(200, 900)) });
    }
  }
  // Unbound non-agent accounts: applicants and former clients, spread over the agents.
  const unbound = everyone.filter((a) => !a.isAgent && !bound.has(a.uin)).map((a) => a.uin);
  const applications: ClientApplication[] = [];
  const unbinds: UnbindApplication[] = [];
  let unbindSeq = 0;
  const nextUnbindId = () => `UB${String(++unbindSeq).padStart(8, '0')}`;
  unbound.forEach((uin, i) => {
    if (agents.length === 0) return;
    const agent = agents[i % agents.length]!;
    const kind = i % 4;
    if (kind === 0 || kind === 1 || kind === 3) {
      const sales = salesOf.get(agent) ?? [];
      applications.push({
        clientUin: uin,
        agentUin: agent,
        applyTime: at(rnd.int(0, 30) + rnd.next()),
        status: kind === 3 ? 'rejected' : 'pending',
        salesUin: sales.length > 0 && rnd.next() < 0.7 ? rnd.pick(sales) : '0',
        clientType: rnd.weighted([['new', 60], ['assign', 25], ['direct', 15]] as const),
        projectType: rnd.weighted([['self', 70], ['platform', 30]] as const),
        increaseGoal: String(rnd.int(0, 20) * 100000),
        note: '',
        decidedAt: null,
      });
      if (kind === 3) applications[applications.length - 1]!.decidedAt = at(rnd.int(0, 5));
    } else {
      const status = rnd.weighted([[1, 60], [2, 20], [3, 5], [4, 15]] as const);
      const applied = rnd.int(20, 60);
      unbinds.push({ id: nextUnbindId(), agentUin: agent, clientUin: uin, status, applyTime: at(applied), actionTime: at(applied - rnd.int(1, 15)) });
    }
  });
  // A few bound clients asked to be unbound and wait for review.
  for (const b of input.bindings) {
    if (rnd.next() < 0.1) unbinds.push({ id: nextUnbindId(), agentUin: b.agentUin, clientUin: b.clientUin, status: 0, applyTime: at(rnd.int(0, 10) + rnd.next()), actionTime: '' });
  }
  return { accounts: extra.map(({ uin, appId }) => ({ uin, appId })), profiles, applications, unbinds, salesmen };
}

/** Checks a date given as `YYYY-MM-DD` or `YYYY-MM-DD HH:mm:ss`; returns the date-time it bounds from (start) or to (end). */
export function dateBound(value: string, side: 'start' | 'end'): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const full = `${value} ${side === 'start' ? '00:00:00' : '23:59:59'}`;
    return parseDateTime(full) === undefined ? undefined : full;
  }
  return parseDateTime(value) === undefined ? undefined : value;
}
