/**
 * The partners agent-deal cache: a denormalized, pre-sorted copy of every prepaid deal of every
 * bound client, with each `AgentDealNewElem` already rendered. It is kept from the order store
 * inside the same transaction as each write, so it is always fresh in this version.
 */
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DealRecord } from '../domain/deal.js';
import { toAgentDeal } from '../domain/views.js';
import { bindingsOf } from './accounts.js';
import { chunks, fromExcluded, WRITE_CHUNK } from './deals.js';
import type { AgentClientsTable, AgentDealCacheTable, Database } from './schema.js';
import { copyFrom, copyValue } from './pg-copy.js';
import { hasNul } from './text.js';
import { markStale, positionPage, setRankedTotals, validPositions } from './agent-positions.js';
import { cacheCountTriggers, countedPage, recountCacheStatements } from './cache-counts.js';

/** Before rows are deleted: their agents' positions will have gaps. */
async function staleAgentsOf(db: Kysely<Database>, column: 'deal_name' | 'owner_uin', values: string[]): Promise<void> {
  if (values.length === 0) return;
  const rows = await db.selectFrom('agent_deal_cache').select('agent_uin').distinct().where(column, 'in', values).execute();
  await markStale(db, rows.map((r) => r.agent_uin));
}

/** Only prepaid deals are served by DescribeAgentDealsByCache. */
export const CACHED_PAY_MODE = 'prePay';

/** A cache row; `body` may come pre-rendered (bulk loads render in their own pass). */
export function cacheRow(d: DealRecord, binding: AgentClientsTable, body = JSON.stringify(toAgentDeal(d, binding))): AgentDealCacheTable {
  return {
    deal_name: d.deal_name,
    agent_uin: binding.agent_uin,
    owner_uin: d.owner_uin,
    create_time: d.create_time,
    status: d.status,
    payer_mode: d.payer_mode,
    big_deal_id: d.big_deal_id,
    body,
  };
}

/** What a cache row holds besides its key and position. */
const RENDERED_COLUMNS = ['agent_uin', 'owner_uin', 'create_time', 'status', 'payer_mode', 'big_deal_id', 'body'] as const;

/** Where rendered cache rows go: the live cache (replacing rows already there), or a rebuild's scratch table. */
type RowSink = (rows: AgentDealCacheTable[]) => Promise<void>;

function liveCache(db: Kysely<Database>): RowSink {
  return async (rows) => {
    // Replacing a row that is already there: on PostgreSQL another instance's write may have put it
    // there since this transaction's delete (a rebuild racing an import); it is the same deal.
    for (const part of chunks(rows, WRITE_CHUNK)) {
      await db
        .insertInto('agent_deal_cache')
        .values(part)
        .onConflict((oc) => oc.column('deal_name').doUpdateSet((eb) => fromExcluded(eb, RENDERED_COLUMNS, { pos: null })))
        .execute();
    }
  };
}

async function insertRows(deals: readonly DealRecord[], bindings: Map<string, AgentClientsTable>, sink: RowSink): Promise<void> {
  const rows: AgentDealCacheTable[] = [];
  for (const d of deals) {
    const binding = bindings.get(d.owner_uin);
    if (binding && d.pay_mode === CACHED_PAY_MODE) rows.push(cacheRow(d, binding));
  }
  if (rows.length > 0) await sink(rows);
}

/**
 * Re-renders the cache rows of the given deals (after they were written). A row that stays where
 * it was (same agent, same create time: a status change, say) is updated in place and keeps its
 * position; only rows that leave or move are deleted, which makes their agents' positions stale.
 */
export async function refreshDeals(db: Kysely<Database>, deals: readonly DealRecord[]): Promise<void> {
  const bindings = await bindingsOf(db, [...new Set(deals.map((d) => d.owner_uin))]);
  for (const part of chunks(deals, WRITE_CHUNK)) {
    const names = part.map((d) => d.deal_name);
    const existing = new Map(
      (await db.selectFrom('agent_deal_cache').select(['deal_name', 'agent_uin', 'create_time']).where('deal_name', 'in', names).execute()).map((r) => [r.deal_name, r]),
    );
    const staying: AgentDealCacheTable[] = [];
    const leaving: string[] = [];
    const arriving: DealRecord[] = [];
    for (const d of part) {
      const binding = bindings.get(d.owner_uin);
      const cached = binding !== undefined && d.pay_mode === CACHED_PAY_MODE;
      const old = existing.get(d.deal_name);
      if (old && cached && old.agent_uin === binding.agent_uin && old.create_time === d.create_time) staying.push(cacheRow(d, binding));
      else {
        if (old) leaving.push(d.deal_name);
        if (cached) arriving.push(d);
      }
    }
    // The agents' position rows first, then the cache rows, as ranking does: one lock order, no deadlock.
    await staleAgentsOf(db, 'deal_name', leaving);
    for (const { deal_name, body, status, payer_mode, big_deal_id, owner_uin } of staying) {
      await db.updateTable('agent_deal_cache').set({ body, status, payer_mode, big_deal_id, owner_uin }).where('deal_name', '=', deal_name).execute();
    }
    if (leaving.length > 0) await db.deleteFrom('agent_deal_cache').where('deal_name', 'in', leaving).execute();
    await insertRows(arriving, bindings, liveCache(db));
  }
}

/** Rebuilds every cache row of one client (after a bind or re-bind), in keyset-paged batches. */
export async function refreshClient(db: Kysely<Database>, clientUin: string): Promise<void> {
  await staleAgentsOf(db, 'owner_uin', [clientUin]);
  await db.deleteFrom('agent_deal_cache').where('owner_uin', '=', clientUin).execute();
  await insertClientRows(db, clientUin);
}

/**
 * The whole cache again from the deals and bindings. PostgreSQL builds a new table beside the
 * live one and swaps it in (rebuildPostgres). SQLite renders every row into a scratch table of the
 * connection's TEMP database first (stageSqlite) — a write there takes no lock on the database
 * file, so this may run before the caller's write transaction, with other processes writing
 * meanwhile — and then replaces the live rows from it (swapInSqlite).
 */
export async function rebuildCache(db: Kysely<Database>, kind: 'sqlite' | 'postgres', o: { pgClient?: pg.ClientBase; staged?: boolean; swapGiveUpMs?: number } = {}): Promise<void> {
  if (kind === 'postgres') return rebuildPostgres(db, o.pgClient, o.swapGiveUpMs);
  if (!o.staged) await stageSqlite(db);
  await swapInSqlite(db);
}

/**
 * Renders every cache row into a scratch table of the TEMP database (made anew), then ranks them
 * into a second one, keyed by name, ready for swapInSqlite; `progress` runs between clients.
 */
export async function stageSqlite(db: Kysely<Database>, progress: () => Promise<void> = async () => {}): Promise<void> {
  await dropStageSqlite(db);
  const columns = sql.raw(STAGE_COLUMNS.join(', '));
  await sql`create temp table ${sql.id(STAGE_TABLE)} as select ${columns} from agent_deal_cache where 0`.execute(db);
  const clients = await db.selectFrom('agent_clients').select('client_uin').orderBy('client_uin').execute();
  for (const { client_uin } of clients) {
    await insertClientRows(db, client_uin, false, insertInto(db, STAGE_TABLE));
    await progress();
  }
  await sql`create temp table ${sql.id(RANKED_TABLE)} as
    select ${columns}, row_number() over (partition by agent_uin order by create_time, deal_name) as pos from temp.${sql.id(STAGE_TABLE)}`.execute(db);
  await sql`drop table temp.${sql.id(STAGE_TABLE)}`.execute(db);
  await sql`create unique index temp.${sql.id(`${RANKED_TABLE}_name`)} on ${sql.id(RANKED_TABLE)} (deal_name)`.execute(db);
}

/** Drops the scratch tables of a rebuild (after its swap, or when it failed before). */
export async function dropStageSqlite(db: Kysely<Database>): Promise<void> {
  for (const table of [STAGE_TABLE, RANKED_TABLE]) await sql`drop table if exists temp.${sql.id(table)}`.execute(db);
}

/**
 * Inside the write transaction: the live cache made equal to the staged one by writing only the
 * difference — rows gone deleted, rows new or changed (body, any column, position) upserted. A
 * rebuild mostly confirms what is there, so this holds the write lock for seconds where rewriting
 * all rows and their eight indexes held it for most of a minute. The counting triggers see each
 * change as usual. Positions are then those of the staged rows: valid.
 */
async function swapInSqlite(db: Kysely<Database>): Promise<void> {
  const ranked = sql.raw(`temp.${RANKED_TABLE}`);
  await sql`delete from agent_deal_cache where deal_name not in (select deal_name from ${ranked})`.execute(db);
  const columns = [...STAGE_COLUMNS, 'pos'];
  const changed = columns.filter((c) => c !== 'deal_name').map((c) => `agent_deal_cache.${c} is not excluded.${c}`).join(' or ');
  await sql.raw(`insert into agent_deal_cache (${columns.join(', ')}) select ${columns.join(', ')} from temp.${RANKED_TABLE} where true
    on conflict (deal_name) do update set ${columns.filter((c) => c !== 'deal_name').map((c) => `${c} = excluded.${c}`).join(', ')} where ${changed}`).execute(db);
  const { rows: totals } = await sql<{ agent_uin: string; total: number }>`select agent_uin, count(*) as total from ${ranked} group by agent_uin`.execute(db);
  await dropStageSqlite(db);
  await setRankedTotals(db, totals);
  // What was written while the rows were being staged (see Store.rebuildAgentCache).
  await applyCacheChanges(db, Number.MAX_SAFE_INTEGER);
}

const NEXT_TABLE = 'agent_deal_cache_next';
const STAGE_TABLE = 'tcdeals_cache_stage';
const RANKED_TABLE = 'tcdeals_cache_ranked';
const NEXT_COUNTS = 'agent_cache_counts_next';

/**
 * PostgreSQL: the new cache is built in a table of its own, without indexes, ranked in one pass,
 * indexed, and swapped in by renaming at the end. Readers and writers use the old table as always
 * until the swap — rewriting the live table in place (a million deleted and a million new row
 * versions in its indexes) slowed every reader to a crawl for the minutes it took. Writes made
 * meanwhile also queue their changes (Store does), which are applied to the new table before the
 * commit. Positions come out valid.
 */
async function rebuildPostgres(db: Kysely<Database>, pgClient?: pg.ClientBase, swapGiveUpMs?: number): Promise<void> {
  // Rendered into a scratch table first, then copied into the new one with positions: ranking by
  // UPDATE would leave HOT chains that the indexes built next cannot cover, and PostgreSQL then
  // keeps those indexes from this very transaction (pg_index.indcheckxmin): the swap's own writes —
  // the changes queued meanwhile — became a scan of the whole table each, ~50 s of the swap with
  // every reader waiting on its lock.
  await sql`create temp table ${sql.id(STAGE_TABLE)} (like agent_deal_cache including defaults) on commit drop`.execute(db);
  const clients = await db.selectFrom('agent_clients').select('client_uin').orderBy('client_uin').execute();
  for (const { client_uin } of clients) await insertClientRows(db, client_uin, false, pgClient ? copyInto(pgClient, STAGE_TABLE) : insertInto(db, STAGE_TABLE));
  await sql`create table ${sql.id(NEXT_TABLE)} (like agent_deal_cache including defaults)`.execute(db);
  const columns = sql.raw(STAGE_COLUMNS.join(', '));
  await sql`insert into ${sql.id(NEXT_TABLE)} (${columns}, pos)
    select ${columns}, row_number() over (partition by agent_uin order by create_time, deal_name) from ${sql.id(STAGE_TABLE)}`.execute(db);
  await sql`drop table ${sql.id(STAGE_TABLE)}`.execute(db);
  // The live table's indexes, made again on the new one under temporary names.
  const { rows: indexes } = await sql<{ name: string; def: string }>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.schemaname = current_schema() and i.tablename = 'agent_deal_cache'
      and not exists (select 1 from pg_constraint k join pg_namespace n on n.oid = k.connamespace where k.conname = i.indexname and n.nspname = i.schemaname)
    order by i.indexname`.execute(db);
  await sql`set local maintenance_work_mem = '256MB'`.execute(db);
  await sql`alter table ${sql.id(NEXT_TABLE)} add constraint ${sql.id(`${NEXT_TABLE}_pkey`)} primary key (deal_name)`.execute(db);
  for (const ix of indexes) {
    const def = ix.def.replace(/^(CREATE (?:UNIQUE )?INDEX )\S+( ON )\S+/, (_m, head: string, on: string) => `${head}"${ix.name}_next"${on}"${NEXT_TABLE}"`);
    await sql.raw(def).execute(db);
  }
  await sql`analyze ${sql.id(NEXT_TABLE)}`.execute(db);
  const { rows: totals } = await sql<{ agent_uin: string; total: number | string }>`select agent_uin, count(*) as total from ${sql.id(NEXT_TABLE)} group by agent_uin`.execute(db);
  // Its counts beside it too; the queued changes applied after the swap go through the triggers.
  await sql`create table ${sql.id(NEXT_COUNTS)} (like agent_cache_counts including all)`.execute(db);
  for (const statement of recountCacheStatements(NEXT_TABLE, NEXT_COUNTS)) await sql.raw(statement).execute(db);
  await swapWhenQuiet(db, async () => {
    // Positions first, as every writer locks them; EXCLUSIVE waits for the writers and rankers
    // holding position rows and lets plain readers on. Then the cache: waits for the queries on
    // the old table to end and holds new ones until the commit (only renames and small writes follow).
    await sql`lock table agent_cache_order in exclusive mode`.execute(db);
    await sql`lock table agent_deal_cache in access exclusive mode`.execute(db);
    await sql`drop table agent_deal_cache`.execute(db);
    await sql`alter table ${sql.id(NEXT_TABLE)} rename to agent_deal_cache`.execute(db);
    await sql`alter table agent_deal_cache rename constraint ${sql.id(`${NEXT_TABLE}_pkey`)} to agent_deal_cache_pkey`.execute(db);
    for (const ix of indexes) await sql`alter index ${sql.id(`${ix.name}_next`)} rename to ${sql.id(ix.name)}`.execute(db);
    await sql`drop table agent_cache_counts`.execute(db);
    await sql`alter table ${sql.id(NEXT_COUNTS)} rename to agent_cache_counts`.execute(db);
    await sql`alter index ${sql.id(`${NEXT_COUNTS}_pkey`)} rename to agent_cache_counts_pk`.execute(db);
    for (const statement of cacheCountTriggers('postgres')) await sql.raw(statement).execute(db);
    // Every agent's positions, as just ranked.
    await setRankedTotals(db, totals);
    // What was written while the new table was being built.
    await applyCacheChanges(db, Number.MAX_SAFE_INTEGER);
  }, swapGiveUpMs);
}

const STAGE_COLUMNS = ['deal_name', ...RENDERED_COLUMNS] as const;

/** Plain inserts into a scratch table (no keys, nothing to replace). */
function insertInto(db: Kysely<Database>, table: string): RowSink {
  const scratch = db as unknown as Kysely<Record<string, AgentDealCacheTable>>;
  return async (rows) => {
    for (const part of chunks(rows, WRITE_CHUNK)) await scratch.insertInto(table).values(part).execute();
  };
}

/** COPY into a scratch table, on the rebuild's own connection: several times cheaper per row than INSERT. */
function copyInto(client: pg.ClientBase, table: string): RowSink {
  const statement = `copy ${table} (${STAGE_COLUMNS.join(', ')}) from stdin`;
  return (rows) => copyFrom(client, statement, rows.map((r) => STAGE_COLUMNS.map((c) => copyValue(r[c])).join('\t') + '\n').join(''));
}

/** How long the swap waits for one lock before it steps back; below PostgreSQL's deadlock_timeout (1 s). */
const SWAP_LOCK_TIMEOUT_MS = 200;

/**
 * How long the swap keeps stepping back before it gives up. Writes and reads hold its tables for
 * milliseconds; a session left idle in a transaction that read them holds them until it ends, and
 * a rebuild waiting on it forever would keep its connection, its lock and every writer queueing.
 */
export const SWAP_GIVE_UP_MS = 10 * 60_000;

/** A PostgreSQL rebuild whose swap could not get its locks in time: nothing changed, the live cache stays. */
export class RebuildSwapBlocked extends Error {
  constructor(waitedMs: number, blockers: readonly string[]) {
    super(
      `the partners cache rebuild gave up its swap after ${Math.round(waitedMs / 1000)} s waiting for locks held by ${blockers.length > 0 ? blockers.join('; ') : 'other sessions'}; nothing was changed — end those sessions (pg_terminate_backend) or run it again later`,
    );
  }
}

/**
 * Runs the swap in a savepoint, every lock wait bounded: a write that holds rows the swap needs
 * (an import's long transaction, a queued change) while it waits for a table the swap has locked
 * would otherwise deadlock, and PostgreSQL might end the write. Instead the swap steps back (its
 * locks released, the new table kept), waits a moment, and tries again — for up to `giveUpMs`.
 */
async function swapWhenQuiet(db: Kysely<Database>, swap: () => Promise<void>, giveUpMs = SWAP_GIVE_UP_MS): Promise<void> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    await sql`savepoint tcdeals_swap`.execute(db);
    try {
      await sql.raw(`set local lock_timeout = '${SWAP_LOCK_TIMEOUT_MS}ms'`).execute(db);
      await swap();
      await sql`set local lock_timeout = 0`.execute(db);
      await sql`release savepoint tcdeals_swap`.execute(db);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected.
      if (code !== '55P03' && code !== '40P01') throw err;
      await sql`rollback to savepoint tcdeals_swap`.execute(db);
      const waited = Date.now() - started;
      if (waited >= giveUpMs) throw new RebuildSwapBlocked(waited, await lockHolders(db));
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * attempt)));
    }
  }
}

/** Other sessions holding locks on the tables the swap replaces: pid, state, and since when. */
async function lockHolders(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ pid: number; state: string | null; secs: number | null }>`
    select distinct a.pid, a.state, extract(epoch from now() - a.xact_start)::int as secs
      from pg_locks l join pg_stat_activity a on a.pid = l.pid
     where l.granted and l.pid <> pg_backend_pid() and l.relation in ('agent_deal_cache'::regclass, 'agent_cache_counts'::regclass, 'agent_cache_order'::regclass)
     order by a.pid`.execute(db);
  return rows.map((r) => `pid ${r.pid} (${r.state ?? 'unknown'}${r.secs === null ? '' : `, in a transaction for ${r.secs} s`})`);
}

/** Cache rows for the client's deals that have none (nothing is deleted, so no agent's positions go stale). */
export async function insertMissingRows(db: Kysely<Database>, clientUin: string): Promise<void> {
  await insertClientRows(db, clientUin, true);
}

async function insertClientRows(db: Kysely<Database>, clientUin: string, onlyMissing = false, sink = liveCache(db)): Promise<void> {
  const bindings = await bindingsOf(db, [clientUin]);
  if (!bindings.has(clientUin)) return;
  // Walked along the owner's (create_time, deal_name) index: a seek a page, no sort.
  let after: { time: string; name: string } | undefined;
  for (;;) {
    let q = db.selectFrom('deals').selectAll().where('owner_uin', '=', clientUin);
    if (onlyMissing) q = q.where(({ not, exists, selectFrom }) => not(exists(selectFrom('agent_deal_cache').select('deal_name').whereRef('agent_deal_cache.deal_name', '=', 'deals.deal_name'))));
    if (after) {
      const { time, name } = after;
      q = q.where((eb) => eb(eb.refTuple('create_time', 'deal_name'), '>', eb.tuple(time, name)));
    }
    const page = await q.orderBy('create_time').orderBy('deal_name').limit(1000).execute();
    if (page.length === 0) return;
    await insertRows(page, bindings, sink);
    const last = page[page.length - 1]!;
    after = { time: last.create_time, name: last.deal_name };
  }
}

export interface AgentDealsQuery {
  agentUin: string;
  startTime?: string;
  endTime?: string;
  ascending: boolean;
  status?: number;
  ownerUins?: readonly string[];
  dealNames?: readonly string[];
  bigDealIds?: readonly string[];
  payerMode?: number;
  offset: number;
  limit: number;
}

/**
 * A list filter without its members holding U+0000, which equal nothing stored (see text.ts):
 * `undefined` for no filter (absent or empty), `null` when only such members were given, so the
 * filter matches nothing.
 */
function storableList(list: readonly string[] | undefined): string[] | undefined | null {
  if (!list?.length) return undefined;
  const kept = list.filter((v) => !hasNul(v));
  return kept.length > 0 ? kept : null;
}

/** One page of the agent's cached deals, plus the count of every match. */
export interface AgentDealsPage {
  total: number;
  bodies: string[];
  /** The query could have used positions but they were stale: worth recomputing them. */
  positionsStale?: boolean;
}

export async function queryAgentDeals(db: Kysely<Database>, q: AgentDealsQuery): Promise<AgentDealsPage> {
  const ownerUins = storableList(q.ownerUins);
  const dealNames = storableList(q.dealNames);
  const bigDealIds = storableList(q.bigDealIds);
  if (ownerUins === null || dealNames === null || bigDealIds === null) return { total: 0, bodies: [] };
  // Only the agent and a time range: positions answer TotalCount and any Offset with a few seeks.
  const byTimeOnly = q.status === undefined && q.payerMode === undefined && !ownerUins && !dealNames && !bigDealIds;
  let positionsStale = false;
  if (byTimeOnly) {
    const state = await validPositions(db, q.agentUin);
    const page = state && (await positionPage(db, q, state));
    if (page) {
      if (page.total === 0 || (q.ascending ? page.from > page.to : page.from < page.to)) return { total: page.total, bodies: [] };
      const [lo, hi] = q.ascending ? [page.from, page.to] : [page.to, page.from];
      const rows = await db
        .selectFrom('agent_deal_cache')
        .select('body')
        .where('agent_uin', '=', q.agentUin)
        .where('pos', '>=', lo)
        .where('pos', '<=', hi)
        .orderBy('pos', q.ascending ? 'asc' : 'desc')
        .execute();
      return { total: page.total, bodies: rows.map((r) => r.body) };
    }
    positionsStale = true;
  }
  // Time range, status and payer mode only: the per-day counts answer TotalCount and deep offsets.
  if (!ownerUins && !dealNames && !bigDealIds) return { ...(await countedPage(db, q)), positionsStale };
  let filtered = db.selectFrom('agent_deal_cache').where('agent_uin', '=', q.agentUin);
  if (q.startTime !== undefined) filtered = filtered.where('create_time', '>=', q.startTime);
  if (q.endTime !== undefined) filtered = filtered.where('create_time', '<=', q.endTime);
  if (q.status !== undefined) filtered = filtered.where('status', '=', q.status);
  if (q.payerMode !== undefined) filtered = filtered.where('payer_mode', '=', q.payerMode);
  if (dealNames) filtered = filtered.where('deal_name', 'in', dealNames);
  if (bigDealIds) filtered = filtered.where('big_deal_id', 'in', bigDealIds);
  const base = ownerUins ? filtered.where('owner_uin', 'in', ownerUins) : filtered;
  const countRow = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  const total = Number(countRow.n);
  if (q.offset >= total) return { total, bodies: [], positionsStale };
  const dir = q.ascending ? 'asc' : 'desc';
  const owners = ownerUins && [...new Set(ownerUins)];
  if (owners && owners.length <= MERGED_OWNERS) {
    // A few owners: each owner's first Offset+Limit rows come from its own index range, already
    // in order, and only those are merged and sorted. Otherwise both engines walk the agent's
    // rows in time order and test each row's owner — 6,668 rows for 20 matches in the benchmark.
    const window = q.offset + q.limit;
    const perOwner = owners.map((owner) =>
      db.selectFrom(filtered.where('owner_uin', '=', owner).select(['body', 'create_time', 'deal_name']).orderBy('create_time', dir).orderBy('deal_name', dir).limit(window).as('o')).selectAll(),
    );
    const merged = perOwner.slice(1).reduce((all, next) => all.unionAll(next), perOwner[0]!);
    const rows = await db.selectFrom(merged.as('m')).select('body').orderBy('create_time', dir).orderBy('deal_name', dir).limit(q.limit).offset(q.offset).execute();
    return { total, bodies: rows.map((r) => r.body), positionsStale };
  }
  const rows = await base.select('body').orderBy('create_time', dir).orderBy('deal_name', dir).limit(q.limit).offset(q.offset).execute();
  return { total, bodies: rows.map((r) => r.body), positionsStale };
}

/** Up to this many OwnerUins, a page is merged from per-owner index ranges (see queryAgentDeals). */
const MERGED_OWNERS = 20;

/** Re-renders the cache rows of deals known by name (a deal that no longer exists loses its row). */
export async function refreshDealNames(db: Kysely<Database>, names: readonly string[]): Promise<void> {
  for (const part of chunks(names, 500)) {
    const deals = await db.selectFrom('deals').selectAll().where('deal_name', 'in', [...part]).execute();
    const found = new Set(deals.map((d) => d.deal_name));
    const gone = part.filter((name) => !found.has(name));
    await staleAgentsOf(db, 'deal_name', gone);
    if (gone.length > 0) await db.deleteFrom('agent_deal_cache').where('deal_name', 'in', gone).execute();
    await refreshDeals(db, deals);
  }
}

/** Queues cache refreshes instead of doing them now: they become visible once the lag has passed. */
export async function enqueueCacheChanges(db: Kysely<Database>, kind: 'deal' | 'client', keys: readonly string[], at: number): Promise<void> {
  // The earliest change wins: a deal changed again before it showed up still shows up on time.
  for (const part of chunks([...new Set(keys)], 500)) {
    await db
      .insertInto('agent_cache_pending')
      .values(part.map((key) => ({ kind, key, changed_at: at })))
      .onConflict((oc) => oc.columns(['kind', 'key']).doNothing())
      .execute();
  }
}

/** Applies every queued change made at or before `cutoff`; returns how many were applied. */
export async function applyCacheChanges(db: Kysely<Database>, cutoff: number): Promise<number> {
  const due = await db.selectFrom('agent_cache_pending').select(['kind', 'key']).where('changed_at', '<=', cutoff).execute();
  if (due.length === 0) return 0;
  for (const { key } of due.filter((d) => d.kind === 'client')) await refreshClient(db, key);
  await refreshDealNames(db, due.filter((d) => d.kind === 'deal').map((d) => d.key));
  for (const kind of ['deal', 'client'] as const) {
    const keys = due.filter((d) => d.kind === kind).map((d) => d.key);
    for (const part of chunks(keys, 500)) await db.deleteFrom('agent_cache_pending').where('kind', '=', kind).where('key', 'in', part).execute();
  }
  return due.length;
}
