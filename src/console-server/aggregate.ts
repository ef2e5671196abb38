/**
 * Aggregates for the web console's charts, computed in the database (the browser never pages
 * through a year of deals), over exactly the rows the caller sees through the APIs:
 *
 * - `partners`: the agent's rows of the partners cache (what DescribeAgentDealsByCache serves,
 *   after the same cache lag), joined to the deals for amounts and products;
 * - `billing`: the caller's own deals (what DescribeDealsByCond serves).
 *
 * Two grouped scans: one by month × product × status × payer mode × purchase/refund, one by
 * client × month. Every chart is a sum over the first; top clients and client spend over the
 * second. Amounts are integer fen (`RealTotalCost`), as in the APIs.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/schema.js';

export type AggregateView = 'partners' | 'billing';

export interface AggregateQuery {
  view: AggregateView;
  /** The caller: the agent (partners) or the owner (billing). */
  uin: string;
  startTime: string;
  endTime: string;
  /** partners Status / billing StatusSet. */
  statuses?: number[];
  ownerUins?: string[];
  payerMode?: number;
  bigDealIds?: string[];
}

export interface AggregateRow {
  Month: string;
  Product: string;
  Status: number;
  PayerMode: number;
  Refund: boolean;
  Count: number;
  RealTotalCost: number;
}

export interface ClientMonthRow {
  OwnerUin: string;
  Month: string;
  Count: number;
  RealTotalCost: number;
}

export interface Aggregates {
  TotalCount: number;
  RealTotalCost: number;
  /** Month × product: spend stacked by product. */
  SpendByMonth: Array<{ Month: string; Product: string; RealTotalCost: number; Count: number }>;
  TopClients: Array<{ OwnerUin: string; RealTotalCost: number; Count: number }>;
  StatusMix: Array<{ Status: number; Count: number; RealTotalCost: number }>;
  PurchasesRefunds: Array<{ Month: string; Purchases: number; Refunds: number; PurchaseCount: number; RefundCount: number }>;
  PayerModes: Array<{ PayerMode: number; Count: number; RealTotalCost: number }>;
  ClientMonths: ClientMonthRow[];
}

const TOP_CLIENTS = 10;

function source(q: AggregateQuery): { from: RawBuilder<unknown>; where: RawBuilder<unknown>; time: RawBuilder<unknown>; owner: RawBuilder<unknown>; status: RawBuilder<unknown>; payer: RawBuilder<unknown> } {
  const conds: RawBuilder<unknown>[] = [];
  if (q.view === 'partners') {
    conds.push(sql`c.agent_uin = ${q.uin}`, sql`c.create_time >= ${q.startTime}`, sql`c.create_time <= ${q.endTime}`);
    if (q.statuses?.length) conds.push(sql`c.status in (${sql.join(q.statuses)})`);
    if (q.ownerUins?.length) conds.push(sql`c.owner_uin in (${sql.join(q.ownerUins)})`);
    if (q.payerMode !== undefined) conds.push(sql`c.payer_mode = ${q.payerMode}`);
    if (q.bigDealIds?.length) conds.push(sql`c.big_deal_id in (${sql.join(q.bigDealIds)})`);
    return {
      from: sql`agent_deal_cache c join deals d on d.deal_name = c.deal_name`,
      where: sql.join(conds, sql` and `),
      time: sql`c.create_time`,
      owner: sql`c.owner_uin`,
      status: sql`c.status`,
      payer: sql`c.payer_mode`,
    };
  }
  conds.push(sql`d.owner_uin = ${q.uin}`, sql`d.create_time >= ${q.startTime}`, sql`d.create_time <= ${q.endTime}`);
  if (q.statuses?.length) conds.push(sql`d.status in (${sql.join(q.statuses)})`);
  if (q.bigDealIds?.length) conds.push(sql`d.big_deal_id in (${sql.join(q.bigDealIds)})`);
  return { from: sql`deals d`, where: sql.join(conds, sql` and `), time: sql`d.create_time`, owner: sql`d.owner_uin`, status: sql`d.status`, payer: sql`d.payer_mode` };
}

export async function aggregateDeals(db: Kysely<Database>, q: AggregateQuery): Promise<Aggregates> {
  const s = source(q);
  const month = sql`substr(${s.time}, 1, 7)`;
  const refund = sql`case when d.real_total_cost < 0 then 1 else 0 end`;
  const [main, clients] = await Promise.all([
    sql<{ month: string; product: string; status: number; payer: number; refund: number; n: number | string; cost: number | string | null }>`
      select ${month} as month, d.goods_name as product, ${s.status} as status, ${s.payer} as payer, ${refund} as refund,
             count(*) as n, sum(d.real_total_cost) as cost
      from ${s.from} where ${s.where}
      group by ${month}, d.goods_name, ${s.status}, ${s.payer}, ${refund}`.execute(db),
    sql<{ owner: string; month: string; n: number | string; cost: number | string | null }>`
      select ${s.owner} as owner, ${month} as month, count(*) as n, sum(d.real_total_cost) as cost
      from ${s.from} where ${s.where}
      group by ${s.owner}, ${month}`.execute(db),
  ]);
  const rows: AggregateRow[] = main.rows.map((r) => ({
    Month: r.month,
    Product: r.product,
    Status: Number(r.status),
    PayerMode: Number(r.payer),
    Refund: Number(r.refund) === 1,
    Count: Number(r.n),
    RealTotalCost: Number(r.cost ?? 0),
  }));
  const ClientMonths: ClientMonthRow[] = clients.rows
    .map((r) => ({ OwnerUin: r.owner, Month: r.month, Count: Number(r.n), RealTotalCost: Number(r.cost ?? 0) }))
    .sort((a, b) => a.OwnerUin.localeCompare(b.OwnerUin) || a.Month.localeCompare(b.Month));
  return summarize(rows, ClientMonths);
}

function bump<K>(map: Map<K, { Count: number; RealTotalCost: number }>, key: K, n: number, cost: number) {
  const e = map.get(key) ?? { Count: 0, RealTotalCost: 0 };
  e.Count += n;
  e.RealTotalCost += cost;
  map.set(key, e);
}

export function summarize(rows: AggregateRow[], ClientMonths: ClientMonthRow[]): Aggregates {
  const spend = new Map<string, { Count: number; RealTotalCost: number }>();
  const status = new Map<number, { Count: number; RealTotalCost: number }>();
  const payer = new Map<number, { Count: number; RealTotalCost: number }>();
  const pr = new Map<string, { Purchases: number; Refunds: number; PurchaseCount: number; RefundCount: number }>();
  let TotalCount = 0;
  let RealTotalCost = 0;
  for (const r of rows) {
    TotalCount += r.Count;
    RealTotalCost += r.RealTotalCost;
    bump(spend, `${r.Month}\u0000${r.Product}`, r.Count, r.RealTotalCost);
    bump(status, r.Status, r.Count, r.RealTotalCost);
    bump(payer, r.PayerMode, r.Count, r.RealTotalCost);
    const m = pr.get(r.Month) ?? { Purchases: 0, Refunds: 0, PurchaseCount: 0, RefundCount: 0 };
    if (r.Refund) {
      m.Refunds += -r.RealTotalCost;
      m.RefundCount += r.Count;
    } else {
      m.Purchases += r.RealTotalCost;
      m.PurchaseCount += r.Count;
    }
    pr.set(r.Month, m);
  }
  const clients = new Map<string, { Count: number; RealTotalCost: number }>();
  for (const c of ClientMonths) bump(clients, c.OwnerUin, c.Count, c.RealTotalCost);
  return {
    TotalCount,
    RealTotalCost,
    SpendByMonth: [...spend]
      .map(([k, v]) => {
        const [Month, Product] = k.split('\u0000') as [string, string];
        return { Month, Product, ...v };
      })
      .sort((a, b) => a.Month.localeCompare(b.Month) || a.Product.localeCompare(b.Product)),
    TopClients: [...clients]
      .map(([OwnerUin, v]) => ({ OwnerUin, ...v }))
      .sort((a, b) => b.RealTotalCost - a.RealTotalCost || a.OwnerUin.localeCompare(b.OwnerUin))
      .slice(0, TOP_CLIENTS),
    StatusMix: [...status].map(([Status, v]) => ({ Status, ...v })).sort((a, b) => a.Status - b.Status),
    PurchasesRefunds: [...pr].map(([Month, v]) => ({ Month, ...v })).sort((a, b) => a.Month.localeCompare(b.Month)),
    PayerModes: [...payer].map(([PayerMode, v]) => ({ PayerMode, ...v })).sort((a, b) => a.PayerMode - b.PayerMode),
    ClientMonths,
  };
}

/** The refunds (visible to the caller) whose RefundMap names one of `dealNames`. */
export async function refundsOf(db: Kysely<Database>, view: AggregateView, uin: string, dealNames: string[]): Promise<Array<{ DealName: string; RefundOf: string }>> {
  if (dealNames.length === 0) return [];
  const likes = sql.join(
    dealNames.map((n) => sql`d.refund_map like ${`%"DealName":${JSON.stringify(n)}%`}`),
    sql` or `,
  );
  const scope = view === 'partners' ? sql`agent_deal_cache c join deals d on d.deal_name = c.deal_name where c.agent_uin = ${uin}` : sql`deals d where d.owner_uin = ${uin}`;
  const r = await sql<{ deal_name: string; refund_map: string }>`select d.deal_name, d.refund_map from ${scope} and d.real_total_cost < 0 and (${likes}) order by d.create_time, d.deal_name`.execute(db);
  // And the other way: the originals of those of `dealNames` that are refunds (when the caller sees them).
  const own = await sql<{ deal_name: string; refund_map: string }>`select d.deal_name, d.refund_map from ${scope} and d.real_total_cost < 0 and d.deal_name in (${sql.join(dealNames)})`.execute(db);
  const out: Array<{ DealName: string; RefundOf: string }> = [];
  const visible = async (name: string) => {
    const v = await sql<{ n: number }>`select 1 as n from ${scope} and d.deal_name = ${name}`.execute(db);
    return v.rows.length > 0;
  };
  for (const row of own.rows) {
    let links: Array<{ DealName?: string }> = [];
    try {
      links = JSON.parse(row.refund_map) as Array<{ DealName?: string }>;
    } catch {
      continue;
    }
    for (const l of links) if (l.DealName && (await visible(l.DealName))) out.push({ DealName: row.deal_name, RefundOf: l.DealName });
  }
  for (const row of r.rows) {
    let links: Array<{ DealName?: string }> = [];
    try {
      links = JSON.parse(row.refund_map) as Array<{ DealName?: string }>;
    } catch {
      continue;
    }
    for (const l of links) if (l.DealName && dealNames.includes(l.DealName)) out.push({ DealName: row.deal_name, RefundOf: l.DealName });
  }
  return out;
}
