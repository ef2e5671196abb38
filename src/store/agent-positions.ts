/**
 * Positions in the partners cache: each row's rank within its agent, oldest first. With them a
 * deep page (`Offset` 400,000) is an index seek instead of walking 400,000 rows, and the
 * `TotalCount` of an agent — with or without a time range — is two seeks instead of a count
 * over millions of rows.
 *
 * Positions are recomputed in one statement (after a rebuild, a bulk load, or lazily in the
 * background) and trusted only while valid: a re-rendered row comes back without a position, and
 * deleting rows marks their agents stale. Until then queries take the plain path; answers are
 * identical either way.
 *
 * New deals are mostly recent: while no row was removed, only the rows from an agent's first
 * unranked one on are ranked again — a steady trickle of new deals (imports, a platform writing
 * its orders) then keeps the positions valid at the cost of the last few days' rows, where a full
 * recompute of a million rows takes half a minute (minutes on a busy PostgreSQL).
 */
import { PostgresAdapter, sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { chunks, WRITE_CHUNK } from './deals.js';
import type { Database } from './schema.js';

export interface PositionsState {
  total: number;
}

/** The named lock a full cache rebuild holds (Store.rebuildAgentCache). */
export const REBUILD_LOCK = 'tcdeals:agent-cache-rebuild';

/**
 * SQLite: the `meta` key a rebuild sets (to the wall-clock ms it started) while it renders the new
 * rows outside the write lock (renewed as it goes); writers meanwhile also queue their changes for
 * it. A mark older than REBUILD_MARK_TTL_MS is a rebuild that died: ignored, and replaced by the
 * next one.
 */
export const REBUILD_MARK = 'agent_cache_rebuild_started';
export const REBUILD_MARK_TTL_MS = 2 * 60_000;

/** Whether a SQLite rebuild's mark is there and alive. */
export function liveRebuildMark(value: string | undefined): boolean {
  return value !== undefined && Date.now() - Number(value) < REBUILD_MARK_TTL_MS;
}

/**
 * Whether a full cache rebuild is running, inside the caller's transaction. PostgreSQL: in another
 * instance; when none is, this transaction now holds the rebuild's lock shared, so none starts
 * before it ends: what it writes is either seen by the rebuild or queued for it, never lost between
 * the two. SQLite: while a rebuild renders its rows (its mark is set); the rebuild then swaps them
 * in, queue applied, holding the one write lock.
 */
export async function rebuildRunning(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): Promise<boolean> {
  if (kind === 'sqlite') {
    const row = await db.selectFrom('meta').select('value').where('key', '=', REBUILD_MARK).executeTakeFirst();
    return liveRebuildMark(row?.value);
  }
  const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock_shared(hashtext(${REBUILD_LOCK})) as ok`.execute(db);
  return rows[0]?.ok !== true;
}

/** The agent's total when its positions can be trusted, else undefined. */
export async function validPositions(db: Kysely<Database>, agentUin: string): Promise<PositionsState | undefined> {
  const row = await db.selectFrom('agent_cache_order').select(['valid', 'total']).where('agent_uin', '=', agentUin).executeTakeFirst();
  if (!row || Number(row.valid) !== 1) return undefined;
  const unranked = await db.selectFrom('agent_deal_cache').select('deal_name').where('agent_uin', '=', agentUin).where('pos', 'is', null).limit(1).executeTakeFirst();
  return unranked ? undefined : { total: Number(row.total) };
}

/** Marks agents whose rows are about to be deleted: their positions will have gaps. */
export async function markStale(db: Kysely<Database>, agentUins: readonly string[]): Promise<void> {
  if (agentUins.length === 0) return;
  await db.updateTable('agent_cache_order').set({ valid: 0 }).where('agent_uin', 'in', [...new Set(agentUins)]).execute();
}

/**
 * Ranks the rows of one agent (oldest first, DealName breaking ties) and marks it valid: from its
 * first unranked row on while its positions are still valid, else all of them.
 */
export async function recomputePositions(db: Kysely<Database>, agentUin: string): Promise<number> {
  return (await rankNewRows(db, agentUin)) ?? rankAll(db, agentUin);
}

/**
 * While no row was removed since the last ranking, every row before the first unranked one still
 * holds its position: only the rows from there on are ranked again, after it. New deals are
 * mostly recent, so that is the last few days' rows instead of a million (undefined when the
 * positions are not valid).
 */
export async function rankNewRows(db: Kysely<Database>, agentUin: string): Promise<number | undefined> {
  const state = await lockedState(db, agentUin);
  if (!state || Number(state.valid) !== 1) return undefined;
  const first = await db
    .selectFrom('agent_deal_cache')
    .select(['create_time', 'deal_name'])
    .where('agent_uin', '=', agentUin)
    .where('pos', 'is', null)
    .orderBy('create_time')
    .orderBy('deal_name')
    .limit(1)
    .executeTakeFirst();
  if (!first) return Number(state.total);
  // Compared in the database: its byte order is the order positions follow.
  const from = (eb: ExpressionBuilder<Database, 'agent_deal_cache'>) => eb(eb.refTuple('create_time', 'deal_name'), '>=', eb.tuple(first.create_time, first.deal_name));
  const before = await db
    .selectFrom('agent_deal_cache')
    .select('pos')
    .where('agent_uin', '=', agentUin)
    .where('pos', 'is not', null)
    .where((eb) => eb.not(from(eb)))
    .orderBy('create_time', 'desc')
    .orderBy('deal_name', 'desc')
    .limit(1)
    .executeTakeFirst();
  const base = before ? Number(before.pos) : 0;
  const ranked = await sql`update agent_deal_cache set pos = ${base} + r.rn
    from (select deal_name, row_number() over (order by create_time, deal_name) as rn from agent_deal_cache
          where agent_uin = ${agentUin} and (create_time, deal_name) >= (${first.create_time}, ${first.deal_name})) r
    where agent_deal_cache.deal_name = r.deal_name`.execute(db);
  const total = base + Number(ranked.numAffectedRows ?? 0n);
  await db.updateTable('agent_cache_order').set({ total }).where('agent_uin', '=', agentUin).execute();
  return total;
}

/**
 * The agent's position row, locked until the transaction ends on PostgreSQL. Ranking takes it
 * before touching cache rows, as writers do when they mark positions stale before deleting rows:
 * the same order everywhere, so a re-binding and a background ranking cannot deadlock.
 */
async function lockedState(db: Kysely<Database>, agentUin: string) {
  const q = db.selectFrom('agent_cache_order').select(['valid', 'total']).where('agent_uin', '=', agentUin);
  return (db.getExecutor().adapter instanceof PostgresAdapter ? q.forUpdate() : q).executeTakeFirst();
}

async function rankAll(db: Kysely<Database>, agentUin: string): Promise<number> {
  await lockedState(db, agentUin);
  await sql`update agent_deal_cache set pos = r.rn
    from (select deal_name, row_number() over (order by create_time, deal_name) as rn from agent_deal_cache where agent_uin = ${agentUin}) r
    where agent_deal_cache.deal_name = r.deal_name`.execute(db);
  const { n } = await db.selectFrom('agent_deal_cache').select((eb) => eb.fn.countAll<number | string>().as('n')).where('agent_uin', '=', agentUin).executeTakeFirstOrThrow();
  const total = Number(n);
  await db
    .insertInto('agent_cache_order')
    .values({ agent_uin: agentUin, valid: 1, total })
    .onConflict((oc) => oc.column('agent_uin').doUpdateSet({ valid: 1, total }))
    .execute();
  return total;
}

/** Every agent's positions as a rebuild just ranked them: valid, with these totals (the rest go). */
export async function setRankedTotals(db: Kysely<Database>, totals: ReadonlyArray<{ agent_uin: string; total: number | string }>): Promise<void> {
  await db.deleteFrom('agent_cache_order').execute();
  for (const part of chunks(totals, WRITE_CHUNK)) {
    await db.insertInto('agent_cache_order').values(part.map((t) => ({ agent_uin: t.agent_uin, valid: 1, total: Number(t.total) }))).execute();
  }
}

/** Every agent with cache rows. */
export async function cachedAgents(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('agent_clients').select('agent_uin').distinct().execute();
  return rows.map((r) => r.agent_uin);
}

export interface PositionPage {
  total: number;
  /** Inclusive position range to read, in the query's order; empty when `from > to` (asc) or `from < to` (desc). */
  from: number;
  to: number;
}

/**
 * Translates (time range, order, offset, limit) into a position range. `lo`/`hi` are the first
 * and last positions inside the time range, found with two seeks on (agent, create_time, deal_name).
 */
export async function positionPage(
  db: Kysely<Database>,
  q: { agentUin: string; startTime?: string; endTime?: string; ascending: boolean; offset: number; limit: number },
  state: PositionsState,
): Promise<PositionPage | undefined> {
  let lo = 1;
  let hi = state.total;
  if (q.startTime !== undefined) {
    const r = await db.selectFrom('agent_deal_cache').select('pos').where('agent_uin', '=', q.agentUin).where('create_time', '>=', q.startTime).orderBy('create_time').orderBy('deal_name').limit(1).executeTakeFirst();
    if (!r || r.pos === null) return r ? undefined : { total: 0, from: 1, to: 0 };
    lo = Number(r.pos);
  }
  if (q.endTime !== undefined) {
    const r = await db.selectFrom('agent_deal_cache').select('pos').where('agent_uin', '=', q.agentUin).where('create_time', '<=', q.endTime).orderBy('create_time', 'desc').orderBy('deal_name', 'desc').limit(1).executeTakeFirst();
    if (!r || r.pos === null) return r ? undefined : { total: 0, from: 1, to: 0 };
    hi = Number(r.pos);
  }
  const total = Math.max(0, hi - lo + 1);
  if (q.ascending) return { total, from: lo + q.offset, to: Math.min(hi, lo + q.offset + q.limit - 1) };
  return { total, from: hi - q.offset, to: Math.max(lo, hi - q.offset - q.limit + 1) };
}
