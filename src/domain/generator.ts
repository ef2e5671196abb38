/**
 * A realistic, deterministic order generator: agents (resellers) with their clients and a few
 * unbound direct customers, and any number of deals over the last N months, produced oldest
 * first in batches so a million deals never sit in memory at once.
 *
 * What makes the data look like a reseller's real order book:
 * - Products from the catalogue (CVM, CBS, Lighthouse, CLB, MySQL, Redis, CDN, COS, SSL, 腾讯会议,
 *   domains, EIP bandwidth, VPN, SMS) with their codes, ProductInfo pairs, list prices and periods
 *   (`按月:3个月`, `按年:1年`, consistent with TimeSpan/TimeUnit), long-term discounts, vouchers and
 *   campaign discounts. A CVM is often bought together with a data disk in one big deal.
 * - Clients of very different sizes (a heavy-tailed activity), each with favourite products, a home
 *   zone, projects, sometimes sub-accounts placing the orders, and a share of agent-paid deals.
 * - Resources have a life: renewals, upgrades, downgrades, bandwidth changes, conversions, moves
 *   between accounts (a `…MoveOut` deal paired with a `…MoveIn` one) and recoveries all act on a
 *   resource the owner bought earlier, with its resource ids and specs.
 * - Refunds are separate deals with negative amounts, created after their original by the same
 *   owner, linked through RefundMap, RefReturnDeals and Formula, never exceeding what was paid.
 * - Statuses follow the deal's age: recent orders may still be unpaid, paying or delivering; old
 *   unpaid ones have expired; agent-paid ones may have been refused (代付拒绝).
 * - Volume grows over the year, is higher on weekdays and office hours, and peaks around 618 and 双11.
 *
 * Deterministic: the same options give the same accounts, bindings and deals, byte for byte
 * (a seeded PRNG, no clock). Iterating `deals` again starts over and yields the same batches.
 */
import type { Binding } from './account.js';
import { PRODUCTS, ZONES, type Product, type ResourceAction } from './catalogue.js';
import { paymentMethodOf, type ClientType, type DealRecord, type ProjectType } from './deal.js';
import { Random } from './random.js';

export interface GeneratedKey {
  SecretId: string;
  SecretKey: string;
}

export interface GeneratedAccount {
  uin: string;
  appId: string;
  isAgent: boolean;
  key?: GeneratedKey;
}

/** A generated agent-client binding: exactly what `Store.bindClient` takes. */
export type GeneratedBinding = Binding;

export interface GenerateOptions {
  /** Agents (resellers), at least 1. The first is `200000000001`. */
  agents: number;
  /** Clients bound to each agent. The first client of the first agent is `100000000001`. */
  clients: number;
  /** Deals in total, refunds and bundled deals included: exactly this many are produced. */
  deals: number;
  /** How many months back from the anchor day the deals span (default 12). */
  months?: number;
  seed: number;
  /** Deals end at the start of this instant's Beijing day (so any time of one day gives the same data). */
  anchorMs: number;
  /** Deals per batch (default 10 000). */
  batchSize?: number;
  /** Fixed keys for the first agent and the first client (the well-known demo keys). */
  keys?: { agent?: GeneratedKey; client?: GeneratedKey };
}

export interface GeneratedDataset {
  accounts: GeneratedAccount[];
  bindings: GeneratedBinding[];
  /** Exactly `options.deals`. */
  dealCount: number;
  /** The span the deals fall in: `from` ≤ CreateTime < `to` (Beijing time). */
  from: string;
  to: string;
  /** The deals oldest first, in batches of about `batchSize`; every iteration yields the same batches. */
  deals: Iterable<DealRecord[]>;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const BEIJING_MS = 8 * HOUR_MS;
/** Unpaid orders lapse 15 days after they were placed (`OverdueTime`). */
const OVERDUE_MS = 15 * DAY_MS;
const MAX_ACCOUNTS = 1e9;

export const AGENT_UIN_BASE = 200000000000;
export const CLIENT_UIN_BASE = 100000000000;
export const DIRECT_UIN_BASE = 110000000000;

// ---------------------------------------------------------------------------------------------
// Distributions

const CLIENT_TYPE_WEIGHTS: ReadonlyArray<readonly [ClientType, number]> = [['new', 34], ['old', 30], ['assign', 14], ['direct', 14], ['direct_newopp', 8]];
const PROJECT_TYPE_WEIGHTS: ReadonlyArray<readonly [ProjectType, number]> = [['self', 52], ['repeat', 30], ['platform', 18]];

/** Statuses of deals older than the 15-day payment window (unpaid ones have lapsed by then). */
const STATUS_OLD: ReadonlyArray<readonly [number, number]> = [
  [4, 82], [7, 5], [8, 5.5], [9, 1.5], [10, 0.9], [5, 1.2], [11, 2], [2, 0.5], [3, 0.5], [12, 0.4], [30, 0.4], [13, 0.5],
];
/** Statuses of recent deals: some still unpaid, paying, delivering or being confirmed. */
const STATUS_RECENT: ReadonlyArray<readonly [number, number]> = [
  [4, 68], [1, 11], [12, 3], [2, 2], [3, 2.5], [30, 1.5], [7, 4], [5, 1], [13, 1.2], [9, 0.6], [10, 0.3], [11, 2],
];
/** Statuses after which the deal has been paid (it has a PayEndTime and a BillId). */
const PAID = new Set([2, 3, 4, 5, 6, 10, 13]);

const VOUCHERS_FEN = [1000, 2000, 5000, 10000, 20000, 50000, 100000] as const;
const CAMPAIGNS = ['1000061', '1000187', '1000325', '1000418', '1000590', '1000712', '1000836'] as const;
const CAMPAIGN_DISCOUNT: ReadonlyArray<readonly [number, number]> = [[0.5, 1], [0.6, 2], [0.7, 3], [0.8, 3], [0.9, 2]];

/** Share of deals that are refunds, and of the rest that act on a resource the owner already has. */
const REFUND_SHARE = 0.05;
const EXISTING_SHARE = 0.62;
/** Among actions on an existing prepaid, renewable resource, the share that are renewals (unless the product says otherwise). */
const RENEW_SHARE = 0.62;
/** A CVM is bought with a data disk in the same big deal this often. */
const BUNDLE_DISK_SHARE = 0.25;

const HOUR_WEIGHTS = [
  0.15, 0.1, 0.07, 0.05, 0.05, 0.07, 0.15, 0.35, 0.7, 1.2, 1.5, 1.45, 1.0, 1.1, 1.45, 1.55, 1.5, 1.35, 1.0, 0.8, 0.75, 0.7, 0.5, 0.3,
];
/** Sunday first, as `Date.getUTCDay()`. */
const WEEKDAY_WEIGHTS = [0.55, 1.05, 1.05, 1.0, 1.0, 0.95, 0.6];
/** Volume grows by this factor over a year. */
const YEARLY_GROWTH = 1.45;

const CITIES = ['深圳', '广州', '上海', '北京', '杭州', '成都', '南京', '武汉', '苏州', '西安', '厦门', '长沙', '重庆', '天津', '青岛', '合肥'];
const WORDS = ['云帆', '星河', '智联', '海纳', '博远', '启明', '千禾', '鼎盛', '青橙', '极光', '易达', '微澜', '蓝鲸', '恒信', '聚力', '锐思', '宏图', '新元', '朗月', '知行'];
const INDUSTRIES = ['网络科技', '信息技术', '软件', '电子商务', '教育科技', '文化传媒', '数据服务', '医疗科技', '物流', '游戏', '智能制造', '金融信息服务'];
const DOMAIN_WORDS = ['yun', 'fan', 'xing', 'he', 'zhi', 'lian', 'hai', 'bo', 'qi', 'ming', 'tech', 'data', 'cloud', 'shop', 'edu', 'go', 'app', 'net', 'hub', 'lab'];

// ---------------------------------------------------------------------------------------------
// Fast, allocation-light formatting (a million deals format four date-times each)

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

class Calendar {
  private readonly prefix = new Map<number, string>();

  /** `YYYY-MM-DD ` of a Beijing day number. */
  private dayPrefix(day: number): string {
    let p = this.prefix.get(day);
    if (p === undefined) {
      const d = new Date(day * DAY_MS);
      p = `${d.getUTCFullYear()}-${TWO[d.getUTCMonth() + 1]}-${TWO[d.getUTCDate()]} `;
      this.prefix.set(day, p);
    }
    return p;
  }

  /** Beijing `YYYY-MM-DD HH:mm:ss`, identical to protocol/datetime's formatDateTime. */
  format(ms: number): string {
    const b = ms + BEIJING_MS;
    const day = Math.floor(b / DAY_MS);
    let s = Math.floor((b - day * DAY_MS) / 1000);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    return `${this.dayPrefix(day)}${TWO[h]}:${TWO[m]}:${TWO[s - m * 60]}`;
  }

  /** `YYYYMMDD` of an instant's Beijing day. */
  compact(ms: number): string {
    const p = this.dayPrefix(Math.floor((ms + BEIJING_MS) / DAY_MS));
    return p.slice(0, 4) + p.slice(5, 7) + p.slice(8, 10);
  }
}

/** Beijing midnight of the day `ms` falls in. */
function beijingDayStart(ms: number): number {
  return Math.floor((ms + BEIJING_MS) / DAY_MS) * DAY_MS - BEIJING_MS;
}

/** Beijing midnight `months` calendar months before the Beijing midnight `end` (the day clamped to the month's end). */
function monthsBefore(end: number, months: number): number {
  const d = new Date(end + BEIJING_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay)) - BEIJING_MS;
}

/** A seed for a sub-stream, so that e.g. one owner's traits depend only on (seed, owner). */
function mix(seed: number, salt: number): number {
  let h = (seed ^ Math.imul(salt + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Standard normal (Box-Muller), from two uniforms. */
function gaussian(rnd: Random): number {
  const u = 1 - rnd.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.next());
}

/** Index of the first cumulative weight above `x` (binary search). */
function searchCumulative(cum: Float64Array, x: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cumulative(weights: readonly number[] | Float64Array): Float64Array {
  const cum = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) cum[i] = total += weights[i]!;
  return cum;
}

function pickCumulative(rnd: Random, cum: Float64Array): number {
  return searchCumulative(cum, rnd.next() * cum[cum.length - 1]!);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100 + 0;
}

// ---------------------------------------------------------------------------------------------
// Catalogue, precomputed as JSON fragments

const nameValue = (name: string, value: string) => JSON.stringify({ Name: name, Value: value });

interface ProductPlan {
  product: Product;
  /** `[variant][tier]` → the tier's ProductInfo pairs as JSON objects joined by commas. */
  tierJson: string[][];
  /** `[extra][value]` → one pair as JSON. */
  extraJson: string[][];
  periodCum: Float64Array;
  goodsNumCum: Float64Array;
  actionCum: Float64Array;
  actions: ResourceAction[];
}

const PLANS: readonly ProductPlan[] = PRODUCTS.map((product) => ({
  product,
  tierJson: product.variants.map((v) => v.tiers.map((t) => t.info.map(([n, val]) => nameValue(n, val)).join(','))),
  extraJson: product.extras.map(([n, values]) => values.map((val) => nameValue(n, val))),
  periodCum: cumulative(product.periods.map((p) => p.weight)),
  goodsNumCum: cumulative(product.goodsNum.map(([, w]) => w)),
  actionCum: cumulative(product.actions.map(([, w]) => w)),
  actions: product.actions.map(([a]) => a),
}));
const PRODUCT_INDEX = new Map(PRODUCTS.map((p, i) => [p.key, i]));
const CBS = PRODUCT_INDEX.get('cbs')!;
const CVM = PRODUCT_INDEX.get('cvm')!;
const ZONE_JSON = ZONES.map(([, name]) => nameValue('可用区', name));
/** Home zones lean on the big regions. */
const ZONE_CUM = cumulative(ZONES.map(([code]) => (/guangzhou|shanghai|beijing/.test(code) ? 4 : 1)));

// ---------------------------------------------------------------------------------------------
// Owners and their resources

interface Resource {
  product: number;
  variant: number;
  tier: number;
  /** Extras pairs as JSON (with a leading comma), fixed for the resource's life. */
  extras: string;
  zone: number;
  resourceIds: string;
  goodsNum: number;
  payMode: 'prePay' | 'postPay' | 'riPay';
  projectId: number;
  /** The deal that bought it (a full refund of that deal retires the resource). */
  boughtBy: string;
}

interface Owner {
  index: number;
  uin: string;
  appId: string;
  /** The owner's agent, or '' for agents themselves and direct customers. */
  agentUin: string;
  /** Probability that the agent pays a deal (payer mode 1). */
  agentPays: number;
  productCum: Float64Array;
  homeZone: number;
  projects: number[];
  /** Who places the orders: the owner, sometimes a sub-account. */
  creators: string[];
  pool: Resource[];
  poolNext: number;
  /** Recent paid deals that may still be refunded, oldest first, with their creation instants. */
  refundable: Array<{ deal: DealRecord; at: number }>;
}

const POOL_SIZE = 24;
const REFUNDABLE_SIZE = 4;
const REFUND_WINDOW_MS = 60 * DAY_MS;

function companyName(rnd: Random): string {
  return `${rnd.pick(CITIES)}${rnd.pick(WORDS)}${rnd.pick(INDUSTRIES)}有限公司`;
}

// ---------------------------------------------------------------------------------------------

interface Layout {
  agents: number;
  clients: number;
  directs: number;
  /** Owners: clients (agent-major), then agents, then direct customers. */
  ownerCount: number;
}

function ownerUin(l: Layout, i: number): { uin: string; appId: string; agentUin: string; kind: 'client' | 'agent' | 'direct' } {
  const clientCount = l.agents * l.clients;
  if (i < clientCount) {
    const n = i + 1;
    return { uin: String(CLIENT_UIN_BASE + n), appId: String(1250000000 + n), agentUin: String(AGENT_UIN_BASE + Math.floor(i / l.clients) + 1), kind: 'client' };
  }
  if (i < clientCount + l.agents) {
    const a = i - clientCount + 1;
    return { uin: String(AGENT_UIN_BASE + a), appId: String(1300000000 + a), agentUin: '', kind: 'agent' };
  }
  const u = i - clientCount - l.agents + 1;
  return { uin: String(DIRECT_UIN_BASE + u), appId: String(1260000000 + u), agentUin: '', kind: 'direct' };
}

function checkOptions(o: GenerateOptions): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isSafeInteger(v) || v < min) throw new Error(`generate: ${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('agents', o.agents, 1);
  int('clients', o.clients, 0);
  int('deals', o.deals, 0);
  int('months', o.months ?? 12, 1);
  int('batchSize', o.batchSize ?? 10_000, 1);
  if (!Number.isFinite(o.seed)) throw new Error(`generate: seed must be a number, got ${o.seed}`);
  if (!Number.isFinite(o.anchorMs)) throw new Error(`generate: anchorMs must be a number, got ${o.anchorMs}`);
  if (o.agents * (o.clients + 1) > MAX_ACCOUNTS) throw new Error(`generate: at most ${MAX_ACCOUNTS} accounts`);
  if ((o.months ?? 12) > 1200) throw new Error('generate: months must be at most 1200');
}

export function generate(options: GenerateOptions): GeneratedDataset {
  checkOptions(options);
  const months = options.months ?? 12;
  const seed = options.seed >>> 0;
  const end = beijingDayStart(options.anchorMs);
  const start = monthsBefore(end, months);
  const clientCount = options.agents * options.clients;
  const layout: Layout = {
    agents: options.agents,
    clients: options.clients,
    directs: Math.max(1, Math.round(clientCount / 20)),
    ownerCount: 0,
  };
  layout.ownerCount = clientCount + layout.agents + layout.directs;

  // Accounts and bindings come from their own stream: they do not depend on the deal count.
  const arnd = new Random(mix(seed, 1));
  const accounts: GeneratedAccount[] = [];
  const bindings: GeneratedBinding[] = [];
  for (let a = 1; a <= layout.agents; a++) {
    accounts.push({ uin: String(AGENT_UIN_BASE + a), appId: String(1300000000 + a), isAgent: true, ...(a === 1 && options.keys?.agent ? { key: options.keys.agent } : {}) });
  }
  const sales: string[][] = [];
  for (let a = 1; a <= layout.agents; a++) {
    sales.push(Array.from({ length: arnd.int(2, 6) }, (_, k) => String(300000000000 + a * 100 + k + 1)));
  }
  for (let i = 0; i < clientCount; i++) {
    const o = ownerUin(layout, i);
    accounts.push({ uin: o.uin, appId: o.appId, isAgent: false, ...(i === 0 && options.keys?.client ? { key: options.keys.client } : {}) });
    bindings.push({
      agentUin: o.agentUin,
      clientUin: o.uin,
      clientType: arnd.weighted(CLIENT_TYPE_WEIGHTS),
      projectType: arnd.weighted(PROJECT_TYPE_WEIGHTS),
      salesUin: arnd.next() < 0.15 ? '0' : arnd.pick(sales[Math.floor(i / layout.clients)]!),
      clientRemark: companyName(arnd),
    });
  }
  for (let u = 0; u < layout.directs; u++) {
    const o = ownerUin(layout, clientCount + layout.agents + u);
    accounts.push({ uin: o.uin, appId: o.appId, isAgent: false });
  }

  // Activity: heavy-tailed client sizes; the first client is the busiest (the demo client sees plenty).
  const weights = new Float64Array(layout.ownerCount);
  let clientTotal = 0;
  let busiest = 0;
  for (let i = 0; i < clientCount; i++) {
    weights[i] = Math.exp(1.1 * gaussian(arnd));
    clientTotal += weights[i]!;
    busiest = Math.max(busiest, weights[i]!);
  }
  if (clientCount > 0) {
    clientTotal += busiest - weights[0]!;
    weights[0] = busiest;
  }
  const base = clientCount > 0 ? clientTotal : 1;
  for (let a = 0; a < layout.agents; a++) weights[clientCount + a] = (base * 0.03) / layout.agents;
  for (let u = 0; u < layout.directs; u++) weights[clientCount + layout.agents + u] = (base * 0.045) / layout.directs;
  const ownerCum = cumulative(weights);

  const calendar = new Calendar();
  const timeline = buildTimeline(start, end, calendar);
  const batchSize = options.batchSize ?? 10_000;

  return {
    accounts,
    bindings,
    dealCount: options.deals,
    from: calendar.format(start),
    to: calendar.format(end),
    deals: {
      [Symbol.iterator]: () => new DealStream(seed, options.deals, batchSize, start, end, layout, ownerCum, timeline).batches(),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Time: deal i of K falls at the (i + u)/K quantile of an hourly volume curve, so times rise
// monotonically without sorting and follow growth, weekdays, office hours and shopping festivals.

interface Timeline {
  start: number;
  cum: Float64Array;
}

function buildTimeline(start: number, end: number, calendar: Calendar): Timeline {
  const hours = Math.max(1, Math.round((end - start) / HOUR_MS));
  const w = new Float64Array(hours);
  const growth = Math.log(YEARLY_GROWTH) / (365 * 24);
  for (let h = 0; h < hours; h++) {
    const ms = start + h * HOUR_MS;
    const b = new Date(ms + BEIJING_MS);
    const md = calendar.format(ms).slice(5, 10);
    const festival = md >= '11-01' && md <= '11-11' ? 1.8 : md >= '06-01' && md <= '06-18' ? 1.4 : 1;
    w[h] = Math.exp(growth * h) * HOUR_WEIGHTS[b.getUTCHours()]! * WEEKDAY_WEIGHTS[b.getUTCDay()]! * festival;
  }
  return { start, cum: cumulative(w) };
}

// ---------------------------------------------------------------------------------------------

class DealStream {
  private readonly rnd: Random;
  private readonly calendar = new Calendar();
  private readonly owners: Array<Owner | undefined>;
  private seq = 0;
  private emitted = 0;
  private hour = 0;
  private out: DealRecord[] = [];

  constructor(
    private readonly seed: number,
    private readonly total: number,
    private readonly batchSize: number,
    private readonly start: number,
    private readonly end: number,
    private readonly layout: Layout,
    private readonly ownerCum: Float64Array,
    private readonly timeline: Timeline,
  ) {
    this.rnd = new Random(mix(seed, 2));
    this.owners = new Array<Owner | undefined>(layout.ownerCount);
  }

  *batches(): Generator<DealRecord[]> {
    while (this.emitted < this.total) {
      this.step();
      if (this.out.length >= this.batchSize) {
        const batch = this.out;
        this.out = [];
        yield batch;
      }
    }
    if (this.out.length > 0) yield this.out;
    this.out = [];
  }

  /** The instant of the next deal (monotonic in the deal index). */
  private nextTime(): number {
    const cum = this.timeline.cum;
    const totalWeight = cum[cum.length - 1]!;
    const x = ((this.emitted + this.rnd.next()) / this.total) * totalWeight;
    while (this.hour < cum.length - 1 && cum[this.hour]! <= x) this.hour++;
    const before = this.hour > 0 ? cum[this.hour - 1]! : 0;
    const within = (x - before) / (cum[this.hour]! - before);
    const ms = this.timeline.start + (this.hour + Math.min(Math.max(within, 0), 0.999999)) * HOUR_MS;
    return Math.min(Math.floor(ms / 1000) * 1000, this.end - 1000);
  }

  private owner(i: number): Owner {
    let o = this.owners[i];
    if (o) return o;
    const r = new Random(mix(this.seed, 1000 + i));
    const id = ownerUin(this.layout, i);
    const weights = PLANS.map((p) => p.product.weight);
    for (let k = 0; k < 3; k++) weights[r.int(0, weights.length - 1)]! *= 4;
    const projects = [0];
    for (let k = r.int(0, 3); k > 0; k--) projects.push(r.int(1000000, 1999999));
    const creators = [id.uin];
    if (r.next() < 0.25) for (let k = r.int(1, 3); k > 0; k--) creators.push(String(120000000000 + i * 4 + k));
    o = {
      index: i,
      uin: id.uin,
      appId: id.appId,
      agentUin: id.agentUin,
      agentPays: id.kind !== 'client' ? 0 : r.next() < 0.25 ? 0.85 : 0.06,
      productCum: cumulative(weights),
      homeZone: pickCumulative(r, ZONE_CUM),
      projects,
      creators,
      pool: [],
      poolNext: 0,
      refundable: [],
    };
    this.owners[i] = o;
    return o;
  }

  private pickOwner(): Owner {
    return this.owner(pickCumulative(this.rnd, this.ownerCum));
  }

  private remaining(): number {
    return this.total - this.emitted;
  }

  private emit(d: DealRecord): void {
    this.out.push(d);
    this.emitted++;
  }

  /** One step: a refund, an action on an existing resource, or a purchase (possibly a bundle). */
  private step(): void {
    const rnd = this.rnd;
    const t = this.nextTime();
    if (rnd.next() < REFUND_SHARE && this.refund(this.pickOwner(), t)) return;
    const owner = this.pickOwner();
    if (owner.pool.length > 0 && rnd.next() < EXISTING_SHARE && this.existing(owner, t)) return;
    this.purchase(owner, t);
  }

  // --- common fields -----------------------------------------------------------------------

  private names(t: number): { dealName: string; dealId: string } {
    const seq = ++this.seq;
    const dealName = `${this.calendar.compact(t)}12100${String(seq).padStart(8, '0')}${Math.floor(this.rnd.next() * 10)}1`;
    return { dealName, dealId: String(290000000 + seq) };
  }

  private status(t: number, agentPaid: boolean): number {
    const age = this.end - t;
    let s = this.rnd.weighted(age < OVERDUE_MS ? STATUS_RECENT : STATUS_OLD);
    if (s === 11 && !agentPaid) s = 7;
    return s;
  }

  /** UpdateTime, PayEndTime and BillId as the status implies. */
  private timesFor(status: number, t: number, dealName: string): { update: number; payEnd: string; billId: string } {
    const rnd = this.rnd;
    const paid = PAID.has(status);
    const payEndMs = t + rnd.int(3, 600) * 1000;
    let update: number;
    switch (status) {
      case 4:
      case 2:
      case 3:
      case 13:
        update = payEndMs + rnd.int(0, 30) * 1000;
        break;
      case 5:
        update = payEndMs + rnd.int(60, 3600) * 1000;
        break;
      case 10:
      case 9:
        update = t + rnd.int(1, 15 * 24) * HOUR_MS;
        break;
      case 8:
        update = t + OVERDUE_MS;
        break;
      case 7:
        update = t + rnd.int(60, 15 * 24 * 3600) * 1000;
        break;
      case 11:
        update = t + rnd.int(3600, 3 * 24 * 3600) * 1000;
        break;
      default: // 1, 12, 30: just placed or in progress
        update = t + rnd.int(0, 5) * 1000;
    }
    update = Math.max(t, Math.min(update, this.end - 1000));
    return { update, payEnd: paid ? this.calendar.format(Math.min(payEndMs, update)) : '', billId: paid ? dealName : '' };
  }

  private payer(owner: Owner): { payer: string; payerMode: number; creator: string } {
    const rnd = this.rnd;
    const creator = owner.creators.length > 1 && rnd.next() < 0.5 ? rnd.pick(owner.creators) : owner.uin;
    if (owner.agentPays > 0 && rnd.next() < owner.agentPays) {
      return { payer: owner.agentUin, payerMode: 1, creator: rnd.next() < 0.4 ? owner.agentUin : creator };
    }
    return { payer: owner.uin, payerMode: 0, creator };
  }

  private activity(t: number): string {
    const md = this.calendar.format(t).slice(5, 10);
    const season = (md >= '11-01' && md <= '11-11') || (md >= '06-01' && md <= '06-18');
    return this.rnd.next() < (season ? 0.3 : 0.06) ? this.rnd.pick(CAMPAIGNS) : '0';
  }

  private productInfo(r: Resource): string {
    const zone = r.zone >= 0 ? `,${ZONE_JSON[r.zone]}` : '';
    return `[${PLANS[r.product]!.tierJson[r.variant]![r.tier]}${r.extras}${zone}]`;
  }

  private resourceIds(p: Product, variant: number, owner: Owner, t: number, n: number): string {
    const rnd = this.rnd;
    const ids: string[] = [];
    const count = p.resourceStyle === 'prefixed' ? n : 1;
    for (let k = 0; k < count; k++) {
      switch (p.resourceStyle) {
        case 'prefixed':
          ids.push(`${p.resourcePrefix}${rnd.alnum(8)}`);
          break;
        case 'certificate': {
          const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
          let s = '';
          for (let c = 0; c < 8; c++) s += chars[Math.floor(rnd.next() * chars.length)];
          ids.push(s);
          break;
        }
        case 'domain':
          // The variant's only tier names the suffix (`.com`, `.cn`, …).
          ids.push(`${rnd.pick(DOMAIN_WORDS)}${rnd.pick(DOMAIN_WORDS)}${rnd.next() < 0.4 ? rnd.int(1, 999) : ''}${p.variants[variant]!.tiers[0]!.info[0]![1]}`);
          break;
        case 'package':
          ids.push(`10001${rnd.digits(11)}`);
          break;
        case 'licence':
          ids.push(`${owner.uin}_${this.calendar.compact(t)}${rnd.digits(10)}`);
          break;
      }
    }
    return JSON.stringify(ids);
  }

  private deal(
    owner: Owner,
    t: number,
    r: Resource,
    f: {
      action: string;
      status: number;
      payer: { payer: string; payerMode: number; creator: string };
      bigDealId?: string;
      goodsNum: number;
      span: number;
      unit: string;
      policy: number;
      original: number;
      voucher: number;
      price: number;
      payMode: string;
      activityId: string;
      resourceIds: string;
    },
  ): DealRecord {
    const { dealName, dealId } = this.names(t);
    const times = this.timesFor(f.status, t, dealName);
    const p = PLANS[r.product]!.product;
    const v = p.variants[r.variant]!;
    const discounted = Math.round((f.original * f.policy) / 100);
    const voucher = Math.min(f.voucher, discounted);
    return {
      deal_name: dealName,
      deal_id: dealId,
      big_deal_id: f.bigDealId ?? `${dealName.slice(0, -1)}0`,
      owner_uin: owner.uin,
      app_id: owner.appId,
      creator: f.payer.creator,
      payer: f.payer.payer,
      payer_mode: f.payer.payerMode,
      status: f.status,
      action_type: f.action,
      goods_category_id: p.goodsCategoryId,
      goods_name: p.goodsName,
      sub_goods_name: v.subGoodsName,
      goods_num: f.goodsNum,
      real_total_cost: discounted - voucher,
      original_total_cost: f.original,
      voucher_decline: voucher,
      product_info: this.productInfo(r),
      payment_method: paymentMethodOf(f.span, f.unit),
      resource_ids: f.resourceIds,
      refund_map: '[]',
      bill_id: times.billId,
      activity_id: f.activityId,
      create_time: this.calendar.format(t),
      update_time: this.calendar.format(times.update),
      pay_end_time: times.payEnd,
      overdue_time: this.calendar.format(t + OVERDUE_MS),
      client_type: null,
      project_type: null,
      sales_uin: null,
      client_remark: null,
      pay_mode: f.payMode,
      product_code: p.productCode,
      sub_product_code: v.subProductCode,
      time_span: f.span,
      time_unit: f.unit,
      currency: 'CNY',
      policy: f.policy,
      price: f.price,
      total_cost: f.original,
      formula: '',
      ref_return_deals: '',
      project_id: r.projectId,
      zone_code: r.zone >= 0 ? ZONES[r.zone]![0] : null,
      verbatim: null,
    };
  }

  /** Remembers a paid prepaid deal with money in it as a refund candidate. */
  private noteRefundable(owner: Owner, d: DealRecord, at: number): void {
    if (d.status !== 4 || d.pay_mode !== 'prePay' || d.real_total_cost <= 0) return;
    if (owner.refundable.length >= REFUNDABLE_SIZE) owner.refundable.shift();
    owner.refundable.push({ deal: d, at });
  }

  private addResource(owner: Owner, r: Resource): void {
    if (owner.pool.length < POOL_SIZE) owner.pool.push(r);
    else {
      owner.pool[owner.poolNext] = r;
      owner.poolNext = (owner.poolNext + 1) % POOL_SIZE;
    }
  }

  private removeResource(owner: Owner, r: Resource): void {
    const i = owner.pool.indexOf(r);
    if (i < 0) return;
    owner.pool.splice(i, 1);
    if (owner.poolNext > i) owner.poolNext--;
    if (owner.poolNext >= owner.pool.length) owner.poolNext = 0;
  }

  // --- purchases ---------------------------------------------------------------------------

  private newResource(owner: Owner, productIndex: number, t: number, zone?: number): Resource {
    const rnd = this.rnd;
    const plan = PLANS[productIndex]!;
    const p = plan.product;
    const variant = rnd.int(0, p.variants.length - 1);
    const tiers = p.variants[variant]!.tiers.length;
    // Smaller configurations sell more: the lower half of the tiers twice as often.
    const tier = Math.min(tiers - 1, Math.floor(Math.pow(rnd.next(), 1.6) * tiers));
    let extras = '';
    for (const values of plan.extraJson) extras += `,${values[Math.floor(rnd.next() * values.length)]}`;
    const goodsNum = p.goodsNum[pickCumulative(rnd, plan.goodsNumCum)]![0];
    const payModeRoll = rnd.next();
    const payMode = payModeRoll < p.postPayShare ? 'postPay' : payModeRoll < p.postPayShare + p.riPayShare ? 'riPay' : 'prePay';
    return {
      product: productIndex,
      variant,
      tier,
      extras,
      zone: p.zonal ? (zone ?? (rnd.next() < 0.8 ? owner.homeZone : pickCumulative(rnd, ZONE_CUM))) : -1,
      resourceIds: this.resourceIds(p, variant, owner, t, goodsNum),
      goodsNum,
      payMode,
      projectId: owner.projects[rnd.next() < 0.7 ? 0 : rnd.int(0, owner.projects.length - 1)]!,
      boughtBy: '',
    };
  }

  private purchase(owner: Owner, t: number): void {
    const rnd = this.rnd;
    const productIndex = pickCumulative(rnd, owner.productCum);
    const lead = this.newResource(owner, productIndex, t);
    const bundle = [lead];
    if (productIndex === CVM && rnd.next() < BUNDLE_DISK_SHARE && this.remaining() >= 2) {
      const disk = this.newResource(owner, CBS, t, lead.zone);
      disk.payMode = lead.payMode === 'riPay' ? 'prePay' : lead.payMode;
      disk.projectId = lead.projectId;
      bundle.push(disk);
    }
    const payer = this.payer(owner);
    const status = this.status(t, payer.payerMode === 1);
    const activityId = this.activity(t);
    const plan = PLANS[productIndex]!;
    const period = plan.product.periods[pickCumulative(rnd, plan.periodCum)]!;
    const voucherRoll = rnd.next() < 0.12 ? rnd.pick(VOUCHERS_FEN) : 0;
    let bigDealId: string | undefined;
    for (const r of bundle) {
      const d = this.priced(owner, t, r, 'purchase', status, payer, bigDealId, period.span, period.unit, period.policy, activityId, bundle.length > 1 ? 0 : voucherRoll);
      bigDealId ??= d.big_deal_id;
      r.boughtBy = d.deal_name;
      this.emit(d);
      this.noteRefundable(owner, d, t);
      // Only delivered (or still running) resources have a life of their own; reserved instances run out as bought.
      if ((status === 4 || status === 2 || status === 3 || status === 30) && r.payMode !== 'riPay') this.addResource(owner, r);
    }
  }

  /** A deal for `r` over a period, priced from the tier's list price (postpaid deals cost nothing up front). */
  private priced(
    owner: Owner,
    t: number,
    r: Resource,
    action: string,
    status: number,
    payer: { payer: string; payerMode: number; creator: string },
    bigDealId: string | undefined,
    span: number,
    unit: 'm' | 'y',
    periodPolicy: number,
    activityId: string,
    voucher: number,
  ): DealRecord {
    const tier = PLANS[r.product]!.product.variants[r.variant]!.tiers[r.tier]!;
    if (r.payMode === 'postPay') {
      return this.deal(owner, t, r, {
        action, status, payer, bigDealId, goodsNum: r.goodsNum, span: 1, unit: 'h', policy: 100, original: 0, voucher: 0,
        price: round2(tier.monthlyFen / 720), payMode: 'postPay', activityId: '0', resourceIds: r.resourceIds,
      });
    }
    let policy = periodPolicy;
    if (r.payMode === 'riPay') policy = span >= 3 && unit === 'y' ? 40 : 60;
    if (activityId !== '0') policy = Math.round(policy * this.rnd.weighted(CAMPAIGN_DISCOUNT));
    const months = unit === 'y' ? span * 12 : span;
    const original = tier.monthlyFen * months * r.goodsNum;
    const unitPrice = tier.monthlyFen * (unit === 'y' ? 12 : 1);
    return this.deal(owner, t, r, {
      action, status, payer, bigDealId, goodsNum: r.goodsNum, span, unit, policy, original, voucher,
      price: round2((unitPrice * policy) / 100), payMode: r.payMode, activityId, resourceIds: r.resourceIds,
    });
  }

  // --- actions on existing resources -------------------------------------------------------

  private existing(owner: Owner, t: number): boolean {
    const rnd = this.rnd;
    const r = owner.pool[Math.floor(rnd.next() * owner.pool.length)]!;
    const plan = PLANS[r.product]!;
    const p = plan.product;
    const payer = this.payer(owner);
    const status = this.status(t, payer.payerMode === 1);
    const prepaid = r.payMode !== 'postPay';
    if (prepaid && p.renewable && (plan.actions.length === 0 || rnd.next() < (p.renewShare ?? RENEW_SHARE))) {
      const period = p.periods[pickCumulative(rnd, plan.periodCum)]!;
      const voucher = rnd.next() < 0.08 ? rnd.pick(VOUCHERS_FEN) : 0;
      const d = this.priced(owner, t, r, 'renew', status, payer, undefined, period.span, period.unit, period.policy, this.activity(t), voucher);
      this.emit(d);
      this.noteRefundable(owner, d, t);
      return true;
    }
    if (plan.actions.length === 0) return false;
    let action: string = plan.actions[pickCumulative(rnd, plan.actionCum)]!;
    const tiers = p.variants[r.variant]!.tiers;
    if (action === 'upgrade' && r.tier >= tiers.length - 1) action = 'modify';
    if (action === 'downgrade' && r.tier === 0) action = 'modify';
    if (action === 'preMoveOut' || action === 'postMoveOut') action = prepaid ? 'preMoveOut' : 'postMoveOut';
    if (action === 'preToPost' && !prepaid) action = 'modify';
    if (action === 'preMoveOut' || action === 'postMoveOut') return this.move(owner, t, r, action, status, payer);

    // The change applies for the rest of the resource's current period.
    const left = rnd.int(1, 11);
    const before = tiers[r.tier]!.monthlyFen;
    if (action === 'upgrade' || (action === 'upConvertExpire' && r.tier < tiers.length - 1)) r.tier++;
    if (action === 'downgrade') r.tier--;
    const after = tiers[r.tier]!.monthlyFen;
    let original = 0;
    if (prepaid) {
      switch (action) {
        case 'upgrade':
        case 'upConvertExpire':
          original = (after - before) * left * r.goodsNum;
          break;
        case 'modifyNetworkSize':
          original = rnd.pick([800, 2300, 4600, 8000, 16000]) * left * r.goodsNum;
          break;
        case 'recoverPayForward':
        case 'recoverPayReserve':
          original = before * r.goodsNum;
          break;
        default: // downgrades, conversions, moves, mode changes: no charge
          original = 0;
      }
    }
    const voucher = original > 0 && rnd.next() < 0.05 ? rnd.pick(VOUCHERS_FEN) : 0;
    const d = this.deal(owner, t, r, {
      action, status, payer, goodsNum: r.goodsNum,
      span: prepaid ? left : 1, unit: prepaid ? 'm' : 'h', policy: 100, original, voucher,
      price: prepaid ? round2(left > 0 ? original / (left * r.goodsNum) : 0) : round2(after / 720),
      payMode: prepaid ? 'prePay' : 'postPay', activityId: '0', resourceIds: r.resourceIds,
    });
    this.emit(d);
    if (action === 'upgrade') this.noteRefundable(owner, d, t);
    if (action === 'preToPost' && status === 4) r.payMode = 'postPay';
    return true;
  }

  /** A resource changes hands: a MoveOut deal for the owner and a MoveIn deal for another account. */
  private move(owner: Owner, t: number, r: Resource, action: 'preMoveOut' | 'postMoveOut', status: number, payer: { payer: string; payerMode: number; creator: string }): boolean {
    if (this.remaining() < 2 || this.layout.ownerCount < 2) return false;
    let target = this.pickOwner();
    if (target === owner) target = this.owner((owner.index + 1) % this.layout.ownerCount);
    const prepaid = action === 'preMoveOut';
    const fields = {
      status, goodsNum: r.goodsNum, span: 1, unit: prepaid ? 'm' : 'h', policy: 100, original: 0, voucher: 0, price: 0,
      payMode: prepaid ? 'prePay' : 'postPay', activityId: '0', resourceIds: r.resourceIds,
    };
    const out = this.deal(owner, t, r, { ...fields, action, payer });
    this.emit(out);
    const moved = { ...r, projectId: 0 };
    // The receiving account pays nothing and nobody for it: 代付拒绝 cannot apply to its side.
    const into = this.deal(target, t, moved, {
      ...fields, status: status === 11 ? 7 : status, action: prepaid ? 'preMoveIn' : 'postMoveIn',
      payer: { payer: target.uin, payerMode: 0, creator: target.uin }, bigDealId: out.big_deal_id,
    });
    this.emit(into);
    if (status === 4) {
      this.removeResource(owner, r);
      this.addResource(target, moved);
    }
    return true;
  }

  // --- refunds -----------------------------------------------------------------------------

  private refund(owner: Owner, t: number): boolean {
    const rnd = this.rnd;
    const candidates = owner.refundable;
    // The most recent candidate at least an hour old and within the refund window.
    let pick = -1;
    for (let i = candidates.length - 1; i >= 0; i--) {
      const created = candidates[i]!.at;
      if (t - created < HOUR_MS) continue;
      if (t - created <= REFUND_WINDOW_MS) pick = i;
      break;
    }
    // Stale candidates can no longer be refunded.
    while (candidates.length > 0 && t - candidates[0]!.at > REFUND_WINDOW_MS) {
      candidates.shift();
      pick--;
    }
    if (pick < 0) return false;
    const orig = candidates.splice(pick, 1)[0]!.deal;
    const full = rnd.next() < 0.6;
    const amount = full ? orig.real_total_cost : Math.max(1, Math.round((orig.real_total_cost * rnd.int(20, 90)) / 100));
    const { dealName, dealId } = this.names(t);
    const payEnd = t + rnd.int(1, 5) * 1000;
    const refund: DealRecord = {
      ...orig,
      deal_name: dealName,
      deal_id: dealId,
      big_deal_id: `${dealName.slice(0, -1)}0`,
      status: 6,
      action_type: 'refund',
      real_total_cost: -amount,
      original_total_cost: -amount,
      voucher_decline: 0,
      refund_map: `[{"DealName":${JSON.stringify(orig.deal_name)},"RefundAmount":${amount}}]`,
      bill_id: dealName,
      activity_id: '0',
      create_time: this.calendar.format(t),
      update_time: this.calendar.format(Math.min(payEnd + rnd.int(0, 60) * 1000, this.end - 1000)),
      pay_end_time: this.calendar.format(Math.min(payEnd, this.end - 1000)),
      overdue_time: this.calendar.format(t + OVERDUE_MS),
      policy: 100,
      price: 0,
      total_cost: -amount,
      formula: `退款:${(amount / 100).toFixed(2)}元,代金券不退(${orig.deal_name})`,
      ref_return_deals: orig.deal_name,
    };
    this.emit(refund);
    if (full && orig.action_type === 'purchase') {
      const r = owner.pool.find((x) => x.boughtBy === orig.deal_name);
      if (r) this.removeResource(owner, r);
    }
    return true;
  }
}


