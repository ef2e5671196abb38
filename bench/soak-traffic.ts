/**
 * The soak's traffic: every request it sends, built from real deals of the bench dataset, with
 * what the answer must be. Four kinds:
 *
 *  - good: both actions with random valid filters, mostly TC3 JSON POSTs, some TC3 GETs with
 *    flattened queries and v1 (HmacSHA1/HmacSHA256) form POSTs; each must succeed, and the answer
 *    must be consistent with the request (page size, filters, order, TotalCount vs. page).
 *  - bad: one thing wrong (wrong kind, out of range, unknown or missing parameter, bad date,
 *    unknown action or version, bad path or method, protocol headers) → one exact documented code.
 *  - forgery: a valid TC3 request with one byte of its signature, body or a signed header
 *    changed after signing → any `AuthFailure.*`.
 *  - journal: `GET /_tcdeals/admin/journal` with random filters (admin JSON, not the envelope).
 *
 * Deliberately absent (another change is reworking them): unusual Content-Types and TC3 bodies
 * over 10 MB.
 */
import { DEAL_STATUSES } from '../src/domain/deal.js';
import { signTc3 } from '../src/client/signer.js';
import { DAY_MS, formatDateTime } from '../src/protocol/datetime.js';
import { v1Signature, v1StringToSign } from '../src/protocol/v1.js';
import { BENCH_ANCHOR } from './dataset.js';

/** A small seeded PRNG (mulberry32): the same --seed gives the same sequence of request shapes. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Up to `n` distinct items. */
  some<T>(items: readonly T[], n: number): T[] {
    const out = new Set<T>();
    for (let i = 0; i < n * 3 && out.size < n; i++) out.add(this.pick(items));
    return [...out];
  }
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    let r = this.next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of entries) if ((r -= w) < 0) return v;
    return entries[entries.length - 1]![0];
  }
}

export interface Key {
  SecretId: string;
  SecretKey: string;
  uin: string;
}

/** A partners deal of the dataset (the agent's view). */
export interface AgentSample {
  DealName: string;
  OwnerUin: string;
  BigDealId: string;
  CreatTime: string;
  Status: number;
  PayerMode: number;
}

/** A billing deal of one keyed client. */
export interface BillingSample {
  OrderId: string;
  BigDealId: string;
  ResourceIds: string[];
  CreateTime: string;
  Status: number;
}

/** What the traffic is made from: keys and real deals, read through the API before the soak starts. */
export interface World {
  agent: Key;
  /** Clients with keys: the billing callers. Their deals never change during the soak (imports go to other owners). */
  clients: Key[];
  billingDeals: Map<string, BillingSample[]>;
  agentDeals: AgentSample[];
  /** Every client uin bound to the agent (for OwnerUins). */
  ownerUins: string[];
  adminToken: string;
}

export type Kind = 'good' | 'bad' | 'forgery' | 'journal';

export interface Planned {
  kind: Kind;
  /** What was sent, for the counts: `billing`, `partners:get`, `bad:billing-limit-0`, `forgery:body`, `journal`… */
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** `OK`, an exact error code, or `AuthFailure.*` (any code of that family). */
  expect: string;
  /** For a success: what is wrong with the answer, if anything. */
  verify?: (response: Record<string, unknown>) => string | undefined;
}

const BILLING = { service: 'billing', action: 'DescribeDealsByCond', version: '2018-07-09' } as const;
const PARTNERS = { service: 'partners', action: 'DescribeAgentDealsByCache', version: '2018-03-21' } as const;
type Api = typeof BILLING | typeof PARTNERS;

/** The dataset covers the year before the anchor day; imports land after it (see soak.ts). */
const FIRST = BENCH_ANCHOR - 365 * DAY_MS;
const LAST = BENCH_ANCHOR;
export const ANCHOR_TIME = formatDateTime(BENCH_ANCHOR);
const HOUR = 3_600_000;

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

// ---------------------------------------------------------------------------------------------
// Transports

interface Tc3Options {
  lang?: string;
  timestamp?: number;
  /** Headers to add or override after signing (undefined removes one). */
  headers?: Record<string, string | undefined>;
  method?: 'POST' | 'GET';
  /** The body bytes exactly (for bodies that are not a JSON object of parameters). */
  rawBody?: string;
}

function clean(headers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A TC3-HMAC-SHA256 request: a JSON POST, or a GET with the parameters flattened into the query. */
function tc3(host: string, api: Api, key: Pick<Key, 'SecretId' | 'SecretKey'>, params: Record<string, unknown>, o: Tc3Options = {}): Pick<Planned, 'method' | 'path' | 'headers' | 'body'> {
  const timestamp = o.timestamp ?? nowSeconds();
  const method = o.method ?? 'POST';
  const contentType = method === 'GET' ? 'application/x-www-form-urlencoded' : 'application/json';
  const query = method === 'GET' ? encodePairs(flatten(params)) : '';
  const body = method === 'GET' ? '' : (o.rawBody ?? JSON.stringify(params));
  const sig = signTc3({ secretId: key.SecretId, secretKey: key.SecretKey, service: api.service, host, timestamp, payload: body, method, contentType, canonicalQuery: query });
  const headers = clean({
    host,
    'content-type': contentType,
    'x-tc-action': api.action,
    'x-tc-version': api.version,
    'x-tc-timestamp': String(timestamp),
    'x-tc-language': o.lang,
    authorization: sig.authorization,
    ...o.headers,
  });
  return method === 'GET' ? { method, path: `/?${query}`, headers } : { method, path: '/', headers, body: Buffer.from(body) };
}

/** A v1 (HmacSHA1 / HmacSHA256) form POST: everything in the body, signed over the sorted raw pairs. */
function v1(host: string, api: Api, key: Pick<Key, 'SecretId' | 'SecretKey'>, params: Record<string, unknown>, rng: Rng, o: { omit?: string; tamper?: boolean } = {}): Pick<Planned, 'method' | 'path' | 'headers' | 'body'> {
  const method = rng.chance(0.5) ? 'HmacSHA256' : 'HmacSHA1';
  let pairs: Array<[string, string]> = [
    ['Action', api.action],
    ['Version', api.version],
    ['Timestamp', String(nowSeconds())],
    ['Nonce', String(rng.int(1, 2 ** 31))],
    ['SecretId', key.SecretId],
    ['SignatureMethod', method],
    ...flatten(params),
  ];
  if (o.omit) pairs = pairs.filter(([k]) => k !== o.omit);
  const signature = v1Signature(key.SecretKey, v1StringToSign('POST', host, '/', pairs), method);
  if (o.tamper) {
    // One byte of one signed value changed after signing: the Nonce's last digit.
    pairs = pairs.map(([k, v]) => [k, k === 'Nonce' ? v.slice(0, -1) + String((Number(v.at(-1)) + 1) % 10) : v]);
  }
  pairs.push(['Signature', signature]);
  return { method: 'POST', path: '/', headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(encodePairs(pairs)) };
}

/** Parameters as flat pairs: arrays as `Name.0=…`, the way GET queries and v1 forms carry them. */
function flatten(params: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((item, i) => out.push([`${k}.${i}`, String(item)]));
    else if (v !== undefined) out.push([k, String(v)]);
  }
  return out;
}

function encodePairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

// ---------------------------------------------------------------------------------------------
// Random valid parameters, and what a correct answer to them looks like

const STATUSES: readonly number[] = DEAL_STATUSES;

/** A random time window: anywhere around the dataset's year, from an hour to `maxDays`. */
function window(rng: Rng, maxDays: number): { start: string; end: string; endMs: number } {
  const len = Math.min(maxDays * DAY_MS, rng.weighted([[HOUR, 10], [DAY_MS, 20], [7 * DAY_MS, 25], [30 * DAY_MS, 25], [maxDays * DAY_MS, 20]] as const));
  const startMs = rng.int(FIRST - 20 * DAY_MS, LAST + 2 * DAY_MS);
  const endMs = startMs + len - (len === maxDays * DAY_MS ? 0 : rng.int(0, 1000));
  return { start: formatDateTime(startMs), end: formatDateTime(endMs), endMs };
}

/** A window containing `time`, at most `maxDays` long. */
function windowAround(rng: Rng, time: string, maxDays: number): { start: string; end: string } {
  const t = Date.parse(`${time.replace(' ', 'T')}+08:00`);
  const before = rng.int(0, Math.floor((maxDays / 2) * DAY_MS));
  const after = rng.int(0, Math.floor((maxDays / 2) * DAY_MS));
  return { start: formatDateTime(t - before), end: formatDateTime(t + after) };
}

/** An integer as a JSON number, or sometimes as the numeric string the documents' examples send. */
function int(rng: Rng, n: number): number | string {
  return rng.chance(0.1) ? String(n) : n;
}

function billingLimit(rng: Rng): number {
  return rng.weighted([[1, 5], [10, 20], [20, 30], [50, 15], [100, 15], [200, 10], [500, 3], [1000, 2]] as const);
}

function partnersLimit(rng: Rng): number {
  return rng.weighted([[1, 5], [10, 15], [20, 35], [50, 15], [100, 15], [200, 15]] as const);
}

/** Sorted newest first (descending) or oldest first, by the given time field. */
function ordered(items: Array<Record<string, unknown>>, field: string, ascending: boolean): boolean {
  for (let i = 1; i < items.length; i++) {
    const a = String(items[i - 1]![field]);
    const b = String(items[i]![field]);
    if (ascending ? a > b : a < b) return false;
  }
  return true;
}

function pageProblem(list: unknown, total: unknown, limit: number, offset: number, exact: boolean): string | undefined {
  if (!Array.isArray(list)) return 'the deal list is not an array';
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) return `TotalCount ${String(total)} is not a count`;
  if (list.length > limit) return `${list.length} deals on a page of Limit ${limit}`;
  const expected = Math.max(0, Math.min(limit, total - offset));
  if (exact && list.length !== expected) return `${list.length} deals on the page, but TotalCount ${total}, Offset ${offset}, Limit ${limit} make ${expected}`;
  return undefined;
}

function goodBilling(rng: Rng, world: World): { key: Key; params: Record<string, unknown>; verify: Planned['verify'] } {
  const key = rng.pick(world.clients);
  const samples = world.billingDeals.get(key.uin) ?? [];
  const withResources = samples.filter((s) => s.ResourceIds.length > 0);
  let mode = samples.length === 0 ? 'window' : rng.weighted([['window', 70], ['orderId', 10], ['bigDealId', 8], ['resourceId', 7], ['emptyFilters', 5]] as const);
  if (mode === 'resourceId' && withResources.length === 0) mode = 'orderId';
  const limit = billingLimit(rng);
  const offset = rng.weighted([[0, 60], [rng.int(1, 200), 25], [rng.int(200, 5000), 10], [rng.int(5000, 100_000), 5]] as const);
  const params: Record<string, unknown> = {};
  let statuses: number[] = [4];
  const statusMode = rng.weighted([['default', 40], ['one', 30], ['set', 30]] as const);
  const setStatuses = (must?: number) => {
    if (statusMode === 'one' || (statusMode === 'default' && must !== undefined && must !== 4)) {
      statuses = [must ?? rng.pick(STATUSES)];
      params.Status = int(rng, statuses[0]!);
    } else if (statusMode === 'set') {
      statuses = [...new Set([...rng.some(STATUSES, rng.int(1, 4)), ...(must === undefined ? [] : [must])])];
      params.StatusSet = statuses;
    }
  };
  let sample: BillingSample | undefined;
  let w: { start: string; end: string };
  if (mode === 'window' || mode === 'emptyFilters') {
    w = window(rng, rng.chance(0.05) ? 365 : 92);
    setStatuses();
    if (mode === 'emptyFilters') Object.assign(params, { OrderId: '', BigDealId: '', ResourceId: '' });
  } else {
    sample = rng.pick(mode === 'resourceId' ? withResources : samples);
    w = windowAround(rng, sample.CreateTime, 92);
    setStatuses(sample.Status);
    if (mode === 'orderId') params.OrderId = sample.OrderId;
    if (mode === 'bigDealId') params.BigDealId = sample.BigDealId;
    if (mode === 'resourceId') params.ResourceId = rng.pick(sample.ResourceIds);
  }
  const lookup = sample !== undefined;
  const effectiveOffset = lookup ? 0 : offset;
  Object.assign(params, { StartTime: w.start, EndTime: w.end, Limit: int(rng, lookup ? Math.max(limit, 10) : limit) });
  if (effectiveOffset !== 0 || rng.chance(0.3)) params.Offset = int(rng, effectiveOffset);
  const pageLimit = Number(params.Limit);
  const verify = (r: Record<string, unknown>): string | undefined => {
    const deals = r.Deals as Array<Record<string, unknown>>;
    const problem = pageProblem(deals, r.TotalCount, pageLimit, effectiveOffset, true);
    if (problem) return problem;
    if (!ordered(deals, 'CreateTime', false)) return 'Deals not newest first';
    for (const d of deals) {
      const t = String(d.CreateTime);
      if (t < w.start || t > w.end) return `deal ${String(d.OrderId)} CreateTime ${t} outside ${w.start} .. ${w.end}`;
      if (!statuses.includes(Number(d.Status))) return `deal ${String(d.OrderId)} has Status ${String(d.Status)}, asked for ${statuses.join(',')}`;
      if (params.BigDealId && d.BigDealId !== params.BigDealId) return `deal ${String(d.OrderId)} has BigDealId ${String(d.BigDealId)}, asked for ${String(params.BigDealId)}`;
      if (params.ResourceId && pageLimit <= 200 && !(d.ResourceId as string[] | null)?.includes(String(params.ResourceId))) return `deal ${String(d.OrderId)} lacks ResourceId ${String(params.ResourceId)}`;
      if (params.OrderId && d.OrderId !== params.OrderId) return `deal ${String(d.OrderId)} is not OrderId ${String(params.OrderId)}`;
    }
    if (sample && Number(r.TotalCount) < 1) return `the ${mode} lookup of deal ${sample.OrderId} (CreateTime ${sample.CreateTime}, Status ${sample.Status}) found nothing`;
    if (mode === 'orderId' && r.TotalCount !== 1) return `OrderId ${String(params.OrderId)} gave TotalCount ${String(r.TotalCount)}`;
    if (pageLimit > 200 && deals.some((d) => d.ResourceId !== null)) return 'ResourceId not null with Limit > 200';
    return undefined;
  };
  return { key, params, verify };
}

export function goodPartners(rng: Rng, world: World): { key: Key; params: Record<string, unknown>; verify: Planned['verify'] } {
  const limit = partnersLimit(rng);
  const params: Record<string, unknown> = {};
  const filters = {
    owners: rng.chance(0.15),
    dealNames: rng.chance(0.07),
    bigDealIds: rng.chance(0.07),
    status: rng.chance(0.2),
    payer: rng.chance(0.15),
  };
  const narrow = filters.dealNames || filters.bigDealIds;
  const offset = narrow
    ? rng.weighted([[0, 90], [rng.int(1, 5), 10]] as const)
    : rng.weighted([[0, 35], [rng.int(1, 1000), 25], [rng.int(1000, 100_000), 15], [rng.int(100_000, 990_000), 20], [rng.int(1_000_000, 2_000_000), 5]] as const);
  params.Offset = int(rng, offset);
  params.Limit = int(rng, limit);
  const windowMode = rng.weighted([['none', 40], ['start', 15], ['end', 15], ['both', 30]] as const);
  const w = window(rng, 90);
  if (windowMode === 'start' || windowMode === 'both') params.CreatTimeRangeStart = w.start;
  if (windowMode === 'end' || windowMode === 'both') params.CreatTimeRangeEnd = w.end;
  const order = rng.weighted([[undefined, 50], [0, 25], [1, 20], [rng.int(2, 9), 5]] as const);
  if (order !== undefined) params.Order = int(rng, order);
  if (filters.status) params.Status = int(rng, rng.weighted([[4, 50], [rng.pick(STATUSES), 50]] as const));
  if (filters.payer) params.PayerMode = int(rng, rng.int(0, 1));
  if (filters.owners) params.OwnerUins = [...rng.some(world.ownerUins, rng.int(1, 5)), ...(rng.chance(0.1) ? ['199999999999'] : [])];
  const names = filters.dealNames ? rng.some(world.agentDeals, rng.int(1, 10)) : [];
  if (filters.dealNames) params.DealNames = names.map((d) => d.DealName);
  if (filters.bigDealIds) params.BigDealIds = rng.some(world.agentDeals, rng.int(1, 5)).map((d) => d.BigDealId);
  const ascending = (order ?? 0) !== 0;
  const start = params.CreatTimeRangeStart as string | undefined;
  const end = params.CreatTimeRangeEnd as string | undefined;
  // Imported deals are created after the anchor day: a range ending before it is never changed by
  // them, so its TotalCount and page must agree exactly; otherwise an import may land in between.
  const stable = end !== undefined && end < ANCHOR_TIME;
  const onlyDealNames = filters.dealNames && !filters.owners && !filters.bigDealIds && !filters.status && !filters.payer && windowMode === 'none';
  const verify = (r: Record<string, unknown>): string | undefined => {
    const set = r.AgentDealSet as Array<Record<string, unknown>>;
    const problem = pageProblem(set, r.TotalCount, limit, offset, stable || onlyDealNames);
    if (problem) return problem;
    if (!ordered(set, 'CreatTime', ascending)) return `AgentDealSet not ${ascending ? 'oldest' : 'newest'} first`;
    for (const d of set) {
      const t = String(d.CreatTime);
      if ((start && t < start) || (end && t > end)) return `deal ${String(d.DealName)} CreatTime ${t} outside ${start ?? ''} .. ${end ?? ''}`;
      if (params.Status !== undefined && d.Status !== String(params.Status)) return `deal ${String(d.DealName)} has Status ${String(d.Status)}, asked for ${String(params.Status)}`;
      if (params.PayerMode !== undefined && d.PayerMode !== String(params.PayerMode)) return `deal ${String(d.DealName)} has PayerMode ${String(d.PayerMode)}, asked for ${String(params.PayerMode)}`;
      if (params.OwnerUins && !(params.OwnerUins as string[]).includes(String(d.OwnerUin))) return `deal ${String(d.DealName)} of owner ${String(d.OwnerUin)} not in OwnerUins`;
      if (params.DealNames && !(params.DealNames as string[]).includes(String(d.DealName))) return `deal ${String(d.DealName)} not in DealNames`;
      if (params.BigDealIds && !(params.BigDealIds as string[]).includes(String(d.BigDealId))) return `deal ${String(d.DealName)} BigDealId ${String(d.BigDealId)} not in BigDealIds`;
    }
    if (onlyDealNames && r.TotalCount !== names.length) return `DealNames of ${names.length} existing deals gave TotalCount ${String(r.TotalCount)}`;
    return undefined;
  };
  return { key: world.agent, params, verify };
}

function good(rng: Rng, world: World, host: string): Planned {
  const billing = rng.chance(0.5);
  const { key, params, verify } = billing ? goodBilling(rng, world) : goodPartners(rng, world);
  const api = billing ? BILLING : PARTNERS;
  const transport = rng.weighted([['post', 85], ['get', 8], ['v1', 7]] as const);
  const name = billing ? 'billing' : 'partners';
  if (transport === 'v1') return { kind: 'good', label: `${name}:v1`, ...v1(host, api, key, params, rng), expect: 'OK', verify };
  const lang = rng.chance(0.05) ? 'zh-CN' : undefined;
  if (transport === 'get') return { kind: 'good', label: `${name}:get`, ...tc3(host, api, key, params, { method: 'GET', lang }), expect: 'OK', verify };
  return { kind: 'good', label: name, ...tc3(host, api, key, params, { lang }), expect: 'OK', verify };
}

// ---------------------------------------------------------------------------------------------
// Bad requests: one thing wrong each, and the one documented code it must get

interface BadCase {
  name: string;
  expect: string;
  weight?: number;
  make(rng: Rng, world: World, host: string): Pick<Planned, 'method' | 'path' | 'headers' | 'body'>;
}

function billingBase(rng: Rng): Record<string, unknown> {
  const w = window(rng, 30);
  return { StartTime: w.start, EndTime: w.end, Limit: 20 };
}

const partnersBase = (): Record<string, unknown> => ({ Offset: 0, Limit: 20 });

/** A billing call by a random keyed client with these parameters changed (undefined deletes one). */
function billingWith(change: Record<string, unknown>, o: Tc3Options = {}): BadCase['make'] {
  return (rng, world, host) => tc3(host, BILLING, rng.pick(world.clients), withChanges(billingBase(rng), change), o);
}

function partnersWith(change: Record<string, unknown>, o: Tc3Options = {}): BadCase['make'] {
  return (_rng, world, host) => tc3(host, PARTNERS, world.agent, withChanges(partnersBase(), change), o);
}

function withChanges(base: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base, ...change };
  for (const [k, v] of Object.entries(change)) if (v === undefined) delete out[k];
  return out;
}

const IPV = 'InvalidParameterValue';
const IP = 'InvalidParameter';

const BAD: BadCase[] = [
  // billing: InvalidParameterValue, MissingParameter, UnknownParameter
  { name: 'billing-limit-0', expect: IPV, make: billingWith({ Limit: 0 }) },
  { name: 'billing-limit-1001', expect: IPV, make: billingWith({ Limit: 1001 }) },
  { name: 'billing-limit-text', expect: IPV, make: billingWith({ Limit: 'twenty' }) },
  { name: 'billing-limit-fraction', expect: IPV, make: billingWith({ Limit: 1.5 }) },
  { name: 'billing-offset-negative', expect: IPV, make: billingWith({ Offset: -1 }) },
  { name: 'billing-status-99', expect: IPV, make: billingWith({ Status: 99 }) },
  { name: 'billing-statusset-item', expect: IPV, make: billingWith({ StatusSet: [4, 99] }) },
  { name: 'billing-statusset-not-list', expect: IPV, make: billingWith({ StatusSet: '4' }) },
  { name: 'billing-time-month-13', expect: IPV, make: billingWith({ StartTime: '2026-13-01 00:00:00' }) },
  { name: 'billing-time-feb-30', expect: IPV, make: billingWith({ EndTime: '2026-02-30 10:00:00' }) },
  { name: 'billing-time-date-only', expect: IPV, make: billingWith({ StartTime: '2026-01-01' }) },
  { name: 'billing-time-reversed', expect: IPV, make: billingWith({ StartTime: '2026-05-02 00:00:00', EndTime: '2026-05-01 00:00:00' }) },
  { name: 'billing-missing-start', expect: 'MissingParameter', make: billingWith({ StartTime: undefined }) },
  { name: 'billing-missing-limit', expect: 'MissingParameter', make: billingWith({ Limit: undefined }) },
  { name: 'billing-unknown-param', expect: 'UnknownParameter', make: billingWith({ PageSize: 20 }) },
  { name: 'billing-lowercase-param', expect: 'UnknownParameter', make: billingWith({ Limit: undefined, limit: 20 }) },
  { name: 'billing-orderid-number', expect: IPV, make: billingWith({ OrderId: 20261124 }) },
  { name: 'billing-orderid-too-long', expect: IPV, make: billingWith({ OrderId: 'x'.repeat(65) }) },
  { name: 'billing-body-array', expect: IPV, make: billingWith({}, { rawBody: '[1,2]' }) },
  { name: 'billing-body-not-json', expect: IPV, make: billingWith({}, { rawBody: '{"Limit": 20,' }) },
  { name: 'billing-get-limit-text', expect: IPV, make: billingWith({ Limit: 'abc' }, { method: 'GET' }) },
  { name: 'billing-zh-CN', expect: IPV, make: billingWith({ Limit: -5 }, { lang: 'zh-CN' }) },
  // partners: InvalidParameter, MissingParameter, UnknownParameter, UnauthorizedOperation
  { name: 'partners-missing-offset', expect: 'MissingParameter', make: partnersWith({ Offset: undefined }) },
  { name: 'partners-limit-201', expect: IP, make: partnersWith({ Limit: 201 }) },
  { name: 'partners-offset-negative', expect: IP, make: partnersWith({ Offset: -20 }) },
  { name: 'partners-range-91-days', expect: IP, make: partnersWith({ CreatTimeRangeStart: '2026-01-01 00:00:00', CreatTimeRangeEnd: '2026-04-01 00:00:01' }) },
  { name: 'partners-range-reversed', expect: IP, make: partnersWith({ CreatTimeRangeStart: '2026-03-01 00:00:00', CreatTimeRangeEnd: '2026-02-28 23:59:59' }) },
  { name: 'partners-payer-mode-2', expect: IP, make: partnersWith({ PayerMode: 2 }) },
  { name: 'partners-status-0', expect: IP, make: partnersWith({ Status: 0 }) },
  { name: 'partners-order-negative', expect: IP, make: partnersWith({ Order: -1 }) },
  { name: 'partners-owneruins-not-list', expect: IP, make: partnersWith({ OwnerUins: '100000000001' }) },
  { name: 'partners-owneruins-number', expect: IP, make: partnersWith({ OwnerUins: [100000000001] }) },
  { name: 'partners-dealnames-1001', expect: IP, make: partnersWith({ DealNames: Array.from({ length: 1001 }, (_, i) => `d${i}`) }) },
  { name: 'partners-time-text', expect: IP, make: partnersWith({ CreatTimeRangeStart: 'yesterday' }) },
  { name: 'partners-unknown-param', expect: 'UnknownParameter', make: partnersWith({ Region: 'ap-guangzhou' }) },
  { name: 'partners-by-client', expect: 'UnauthorizedOperation', make: (rng, world, host) => tc3(host, PARTNERS, rng.pick(world.clients), partnersBase()) },
  // protocol
  { name: 'unknown-action', expect: 'InvalidAction', make: partnersWith({}, { headers: { 'x-tc-action': 'DescribeAgentDeals' } }) },
  { name: 'wrong-version', expect: 'NoSuchVersion', make: billingWith({}, { headers: { 'x-tc-version': '2017-03-12' } }) },
  { name: 'missing-version', expect: 'MissingParameter', make: billingWith({}, { headers: { 'x-tc-version': undefined } }) },
  { name: 'missing-action', expect: 'MissingParameter', make: partnersWith({}, { headers: { 'x-tc-action': undefined } }) },
  { name: 'missing-authorization', expect: 'MissingParameter', make: partnersWith({}, { headers: { authorization: undefined } }) },
  { name: 'malformed-authorization', expect: 'AuthFailure.InvalidAuthorization', make: partnersWith({}, { headers: { authorization: 'TC3-HMAC-SHA256 Credential=AKIDx' } }) },
  {
    name: 'signed-headers-without-host',
    expect: 'AuthFailure.InvalidAuthorization',
    make: (rng, world, host) => {
      const r = tc3(host, BILLING, rng.pick(world.clients), billingBase(rng));
      r.headers.authorization = r.headers.authorization!.replace('SignedHeaders=content-type;host', 'SignedHeaders=content-type');
      return r;
    },
  },
  { name: 'stale-timestamp', expect: 'AuthFailure.SignatureExpire', make: billingWith({}, { timestamp: nowSeconds() - 3600 }) },
  { name: 'timestamp-text', expect: IP, make: partnersWith({}, { headers: { 'x-tc-timestamp': 'now' } }) },
  { name: 'unknown-secretid', expect: 'AuthFailure.SecretIdNotFound', make: (rng, _world, host) => tc3(host, BILLING, { SecretId: 'AKIDsoakUnknown0000000000000000001', SecretKey: 'unknownSecretKey000000000000001' }, billingBase(rng)) },
  { name: 'token', expect: 'AuthFailure.TokenFailure', make: partnersWith({}, { headers: { 'x-tc-token': 'temporary-token' } }) },
  { name: 'wrong-key', expect: 'AuthFailure.SignatureFailure', make: (rng, world, host) => tc3(host, BILLING, { SecretId: rng.pick(world.clients).SecretId, SecretKey: 'notTheRightSecretKey000000000001' }, billingBase(rng)) },
  {
    name: 'wrong-path',
    expect: 'InvalidAction',
    make: (rng, world, host) => ({ ...tc3(host, BILLING, rng.pick(world.clients), billingBase(rng)), path: '/v3/billing' }),
  },
  { name: 'method-put', expect: 'UnsupportedProtocol', make: (_rng, world, host) => ({ ...tc3(host, PARTNERS, world.agent, partnersBase()), method: 'PUT' }) },
  { name: 'v1-missing-nonce', expect: 'MissingParameter', make: (rng, world, host) => v1(host, BILLING, rng.pick(world.clients), billingBase(rng), rng, { omit: 'Nonce' }) },
  { name: 'v1-wrong-key', expect: 'AuthFailure.SignatureFailure', make: (rng, world, host) => v1(host, PARTNERS, { SecretId: world.agent.SecretId, SecretKey: 'x' }, partnersBase(), rng) },
  {
    name: 'get-over-32k',
    expect: 'RequestSizeLimitExceeded',
    weight: 0.3,
    make: (_rng, world, host) => tc3(host, PARTNERS, world.agent, { ...partnersBase(), DealNames: Array.from({ length: 700 }, (_, i) => `soak-oversized-${String(i).padStart(30, '0')}`) }, { method: 'GET' }),
  },
  {
    name: 'v1-post-over-1mb',
    expect: 'RequestSizeLimitExceeded',
    weight: 0.1,
    make: (_rng, _world, host) => ({ method: 'POST', path: '/', headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(`Action=DescribeDealsByCond&Version=2018-07-09&Pad=${'x'.repeat(1024 * 1024 + 16)}`) }),
  },
];

function bad(rng: Rng, world: World, host: string): Planned {
  const c = rng.weighted(BAD.map((b) => [b, b.weight ?? 1] as const));
  return { kind: 'bad', label: `bad:${c.name}`, ...c.make(rng, world, host), expect: c.expect };
}

// ---------------------------------------------------------------------------------------------
// Forgeries: a valid request, one byte changed after signing

const FORGERIES = ['signature', 'body', 'timestamp', 'host', 'secret-id', 'scope-date', 'scope-service', 'v1-value'] as const;

/** `s` with the character at `i` replaced by another from `alphabet`. */
function changeAt(s: string, i: number, alphabet: string): string {
  const c = s[i]!;
  const other = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length] ?? alphabet[0]!;
  return s.slice(0, i) + (other === c ? alphabet[1]! : other) + s.slice(i + 1);
}

function forgery(rng: Rng, world: World, host: string): Planned {
  const how = rng.pick(FORGERIES);
  const billing = rng.chance(0.5);
  const { key, params } = billing ? goodBilling(rng, world) : goodPartners(rng, world);
  const api = billing ? BILLING : PARTNERS;
  const label = `forgery:${how}`;
  if (how === 'v1-value') return { kind: 'forgery', label, ...v1(host, api, key, params, rng, { tamper: true }), expect: 'AuthFailure.*' };
  const r = tc3(host, api, key, params);
  const auth = r.headers.authorization!;
  switch (how) {
    case 'signature': {
      const at = auth.indexOf('Signature=') + 'Signature='.length + rng.int(0, 63);
      r.headers.authorization = changeAt(auth, at, '0123456789abcdef');
      break;
    }
    case 'body': {
      // A digit of the body: the JSON stays valid, so only the payload hash can refuse it.
      const body = r.body!.toString();
      const digits = [...body.matchAll(/\d/g)].map((m) => m.index!);
      r.body = Buffer.from(changeAt(body, rng.pick(digits), '0123456789'));
      break;
    }
    case 'timestamp': {
      const ts = r.headers['x-tc-timestamp']!;
      r.headers['x-tc-timestamp'] = changeAt(ts, ts.length - 1, '0123456789');
      break;
    }
    case 'host':
      r.headers.host = changeAt(host, host.indexOf('.1:') + 1, '12');
      break;
    case 'secret-id': {
      const at = auth.indexOf('Credential=') + 'Credential='.length + rng.int(4, 20);
      r.headers.authorization = changeAt(auth, at, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
      break;
    }
    case 'scope-date': {
      const at = auth.indexOf('/') + 10; // the day's last digit of YYYY-MM-DD
      r.headers.authorization = changeAt(auth, at, '0123456789');
      break;
    }
    case 'scope-service': {
      const at = auth.indexOf(`/${api.service}/`) + 2;
      r.headers.authorization = changeAt(auth, at, 'abcdefghijklmnopqrstuvwxyz');
      break;
    }
  }
  return { kind: 'forgery', label, ...r, expect: 'AuthFailure.*' };
}

// ---------------------------------------------------------------------------------------------

function journal(rng: Rng, world: World, host: string): Planned {
  const q = new URLSearchParams({ limit: String(rng.weighted([[10, 30], [50, 40], [200, 20], [1000, 10]] as const)) });
  const filter = rng.weighted([['none', 50], ['action', 20], ['code', 15], ['uin', 15]] as const);
  if (filter === 'action') q.set('action', rng.pick([BILLING.action, PARTNERS.action]));
  if (filter === 'code') q.set('code', rng.pick(['OK', IP, IPV, 'AuthFailure.SignatureFailure', 'MissingParameter']));
  if (filter === 'uin') q.set('uin', rng.pick([world.agent, ...world.clients]).uin);
  return { kind: 'journal', label: 'journal', method: 'GET', path: `/_tcdeals/admin/journal?${q}`, headers: { host, authorization: `Bearer ${world.adminToken}` }, expect: 'OK' };
}

/** Shares of the mix, in percent of calls. */
export const MIX = { good: 88, bad: 10, forgery: 1, journal: 1 } as const;

/** The next request for the server at `port`. */
export function nextRequest(rng: Rng, world: World, port: number): Planned {
  const host = `127.0.0.1:${port}`;
  const kind = rng.weighted(Object.entries(MIX) as Array<[Kind, number]>);
  if (kind === 'good') return good(rng, world, host);
  if (kind === 'bad') return bad(rng, world, host);
  if (kind === 'forgery') return forgery(rng, world, host);
  return journal(rng, world, host);
}

/** A billing or partners call for setting up the soak (reading real deals). */
export function setupCall(port: number, api: 'billing' | 'partners', key: Pick<Key, 'SecretId' | 'SecretKey'>, params: Record<string, unknown>): Pick<Planned, 'method' | 'path' | 'headers' | 'body'> {
  return tc3(`127.0.0.1:${port}`, api === 'billing' ? BILLING : PARTNERS, key, params);
}

/** The burst check: one partners-free billing call, cheap (a one-hour window, Limit 1). */
export function burstCall(port: number, key: Key): Pick<Planned, 'method' | 'path' | 'headers' | 'body'> {
  return tc3(`127.0.0.1:${port}`, BILLING, key, { StartTime: formatDateTime(LAST - 2 * HOUR), EndTime: formatDateTime(LAST - HOUR), Limit: 1 });
}
