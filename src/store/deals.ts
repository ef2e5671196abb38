/** The order store: writing deals (upsert by DealName) and the billing query over them. */
import type { Kysely } from 'kysely';
import type { DealRecord } from '../domain/deal.js';
import { countInWindow } from './deal-counts.js';
import type { Database } from './schema.js';
import { assertStorable, hasNul } from './text.js';

/** Rows per multi-row INSERT: 45 columns × 200 rows stays far below SQLite's and PostgreSQL's bind limits. */
export const WRITE_CHUNK = 200;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `SET c = excluded.c` for each column: the update half of an insert-or-replace. */
export function fromExcluded(eb: { ref(r: string): unknown }, columns: readonly string[], extra: Record<string, unknown> = {}): never {
  return { ...Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)])), ...extra } as never;
}

/** Inserts or replaces deals by their unique key, with their resource-id index rows. */
export async function upsertDeals(db: Kysely<Database>, records: readonly DealRecord[]): Promise<void> {
  if (records.length === 0) return;
  for (const d of records) {
    assertStorable(d, `Deal ${JSON.stringify(d.deal_name)}`);
    for (const id of JSON.parse(d.resource_ids) as string[]) assertStorable({ resource_ids: id }, `Deal ${JSON.stringify(d.deal_name)}`);
  }
  const columns = Object.keys(records[0]!).filter((c) => c !== 'deal_name') as Array<keyof DealRecord>;
  for (const chunk of chunks(records, WRITE_CHUNK)) {
    await db
      .insertInto('deals')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('deal_name').doUpdateSet((eb) => fromExcluded(eb, columns)),
      )
      .execute();
    const names = chunk.map((d) => d.deal_name);
    await db.deleteFrom('deal_resources').where('deal_name', 'in', names).execute();
    const links = chunk.flatMap((d) => [...new Set(JSON.parse(d.resource_ids) as string[])].map((resource_id) => ({ resource_id, deal_name: d.deal_name })));
    for (const part of chunks(links, 1000)) await db.insertInto('deal_resources').values(part).execute();
  }
}

export interface BillingQuery {
  ownerUin: string;
  startTime: string;
  endTime: string;
  statuses: readonly number[];
  orderId?: string;
  bigDealId?: string;
  resourceId?: string;
  offset: number;
  limit: number;
}

/** The caller's own deals, StartTime ≤ CreateTime ≤ EndTime, newest first with DealName as tie-break. */
export async function queryBillingDeals(db: Kysely<Database>, q: BillingQuery): Promise<{ total: number; rows: DealRecord[] }> {
  // A filter value holding U+0000 equals nothing stored (see text.ts).
  if ([q.orderId, q.bigDealId, q.resourceId].some((v) => v !== undefined && hasNul(v))) return { total: 0, rows: [] };
  let base = db
    .selectFrom('deals')
    .where('owner_uin', '=', q.ownerUin)
    .where('create_time', '>=', q.startTime)
    .where('create_time', '<=', q.endTime);
  if (q.statuses.length === 1) base = base.where('status', '=', q.statuses[0]!);
  else if (q.statuses.length > 1) base = base.where('status', 'in', [...q.statuses]);
  if (q.orderId) base = base.where('deal_name', '=', q.orderId);
  if (q.bigDealId) base = base.where('big_deal_id', '=', q.bigDealId);
  if (q.resourceId) {
    const resourceId = q.resourceId;
    base = base.where('deal_name', 'in', (eb) => eb.selectFrom('deal_resources').select('deal_name').where('resource_id', '=', resourceId));
  }
  // Owner, window and statuses only (the usual page): counted from the per-day counts.
  const total =
    !q.orderId && !q.bigDealId && !q.resourceId && q.statuses.length > 0
      ? await countInWindow(db, q.ownerUin, q.statuses, q.startTime, q.endTime)
      : Number((await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);
  if (q.offset >= total) return { total, rows: [] };
  const rows = await base
    .selectAll()
    .orderBy('create_time', 'desc')
    .orderBy('deal_name', 'desc')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return { total, rows };
}
