/**
 * Bulk loading: many deals (and the accounts and bindings they belong to) into a store at once,
 * for `tcdeals seed` and `tcdeals deals import`. It writes exactly the rows the normal path writes
 * (createAccount/createKey/bindClient/upsertDeals: accounts, keys, bindings, deals, their
 * resource-id rows, partners cache rows), all in the caller's one transaction, but
 * - renders each cache row in the same pass as its deal instead of reading the deal back,
 * - on a "fresh" load (the store held no deals) skips the cleanup of earlier versions, drops the
 *   secondary indexes of the three deal tables and rebuilds them at the end by sorting (much
 *   cheaper than a million index inserts), drops the counting triggers (deals, cache) and counts once at the
 *   end, and on SQLite commits through a rollback journal,
 * - takes its deals as batches from any (async) iterable, so a generator streams a million of
 *   them through without holding them all; or as batches already *prepared* elsewhere (checked,
 *   rendered, flattened by a `Preparer`), so that a worker thread can do all of that while this
 *   thread only writes (see generated-source.ts).
 *
 * Why SQLite bypasses the query layer here: Kysely compiles every query anew and sends it through
 * its async driver, one promise per statement; at tens of thousands of deals per second (three or
 * four statements each) that overhead alone would eat the budget, and even better-sqlite3's own
 * cost per bound value matters (a deal has 44). Its prepared statements run synchronously on the
 * same connection, inside the transaction Kysely already opened on it, so they are part of the
 * same all-or-nothing unit. Everything else (accounts, bindings, reads) stays on Kysely.
 * On PostgreSQL a fresh load uses COPY (pg-copy.ts) on one pooled client that the query layer
 * shares for the transaction (Store.bulkLoad); otherwise, to upsert, one INSERT … SELECT from
 * `json_populate_recordset` per table and few thousand deals. Either way the next batch is
 * prepared while the current one is being written.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DealRecord } from '../domain/deal.js';
import { statusLabel, toAgentDeal, type ClientRelation } from '../domain/views.js';
import { assertUin, bindingRow, defaultAppId, type Binding, type NewKey } from './accounts.js';
import { cacheRow, CACHED_PAY_MODE, insertMissingRows, refreshClient } from './agent-cache.js';
import { cachedAgents, markStale, rankNewRows } from './agent-positions.js';
import { chunks, fromExcluded } from './deals.js';
import { recountCacheStatements } from './cache-counts.js';
import { RECOUNT_DEALS } from './deal-counts.js';
import { copyFrom, copyValue } from './pg-copy.js';
import type { AgentClientsTable, AgentDealCacheTable, Database } from './schema.js';
import { assertStorable, hasNul } from './text.js';

/** Every column of `deals`; the check below fails to compile if DealRecord gains a field not listed. */
export const DEAL_COLUMNS = [
  'deal_name', 'deal_id', 'big_deal_id', 'owner_uin', 'app_id', 'creator', 'payer', 'payer_mode', 'status',
  'action_type', 'goods_category_id', 'goods_name', 'sub_goods_name', 'goods_num', 'real_total_cost',
  'original_total_cost', 'voucher_decline', 'product_info', 'payment_method', 'resource_ids', 'refund_map',
  'bill_id', 'activity_id', 'create_time', 'update_time', 'pay_end_time', 'overdue_time', 'client_type',
  'project_type', 'sales_uin', 'client_remark', 'pay_mode', 'product_code', 'sub_product_code', 'time_span',
  'time_unit', 'currency', 'policy', 'price', 'total_cost', 'formula', 'ref_return_deals', 'project_id', 'zone_code',
  'verbatim',
] as const satisfies readonly (keyof DealRecord)[];
type UnlistedColumn = Exclude<keyof DealRecord, (typeof DEAL_COLUMNS)[number]>;
const allColumnsListed: [UnlistedColumn] extends [never] ? true : UnlistedColumn = true;
void allColumnsListed;

/** The cache columns a load writes (`pos` stays null until positions are recomputed, as on the normal path). */
const CACHE_COLUMNS = ['deal_name', 'agent_uin', 'owner_uin', 'create_time', 'status', 'payer_mode', 'big_deal_id', 'body'] as const satisfies readonly (keyof AgentDealCacheTable)[];

/** Deals per PostgreSQL statement: a few MB of JSON, small enough to overlap with preparing the next. */
const PG_CHUNK = 2500;
/** Rows per Kysely insert of accounts, keys and bindings (well below both engines' bind limits). */
const SMALL_CHUNK = 500;
/**
 * SQLite page cache during a bulk load (KiB, as a negative cache_size): the primary-key pages the
 * rows go into stay in memory. More bought nothing measurable; less costs time. Index rebuilds
 * sort in temporary files (temp_store FILE), which the OS caches, and read the tables without a
 * memory map: both would count against the loading process's resident memory, which stays
 * bounded whatever the size of the load (a 1.2 GB import in under 300 MB).
 */
const SQLITE_BULK_CACHE_KIB = 16 * 1024;
/** Tables whose secondary indexes a fresh load drops and rebuilds. */
const LOADED_TABLES = ['deals', 'deal_resources', 'agent_deal_cache'] as const;
/** What the loaded tables' counting triggers would have counted (deal-counts.ts, cache-counts.ts). */
const RECOUNT_AFTER_LOAD = [...RECOUNT_DEALS, ...recountCacheStatements()];
/** A PostgreSQL load of at least this many deals refreshes the planner's statistics. */
const ANALYZE_AFTER_DEALS = 10_000;
/** Resource rows per multi-row INSERT on SQLite. */
const RESOURCE_ROWS = 64;

/**
 * A fresh load on SQLite writes every page once through a rollback journal instead of twice
 * through the WAL (appended to the log, then checkpointed into the file): for a million deals
 * that is 2.5 GB less to write. Pages beyond the file's old end are never journaled, so the
 * journal stays tiny, and a failure or a crash still rolls everything back. The switch needs the
 * database to itself: with another connection open (a server on the same file) it fails at once
 * and the load simply runs in WAL mode. Returns how to switch back, or undefined.
 */
export function rollbackJournalForFreshLoad(conn: BetterSqlite3.Database): (() => void) | undefined {
  if (conn.inTransaction || conn.memory) return undefined;
  if (conn.prepare('select 1 from deals limit 1').get() !== undefined) return undefined;
  const mode = String(conn.pragma('journal_mode', { simple: true }));
  if (mode !== 'wal') return undefined;
  const timeout = conn.pragma('busy_timeout', { simple: true }) as number;
  conn.pragma('busy_timeout = 0');
  try {
    if (String(conn.pragma('journal_mode = DELETE', { simple: true })) !== 'delete') return undefined;
  } catch {
    return undefined;
  } finally {
    conn.pragma(`busy_timeout = ${timeout}`);
  }
  return () => {
    try {
      conn.pragma('journal_mode = WAL');
    } catch {
      // Another connection got in first; the next open of the file switches it back (openSqlite).
    }
  };
}

export interface BulkAccount {
  uin: string;
  appId?: string;
  isAgent?: boolean;
  /** A fixed key to create for the account unless its SecretId exists already. */
  key?: NewKey;
}

/**
 * How prepared batches are shaped: bind-ready values for SQLite; COPY text for a fresh load on
 * PostgreSQL; JSON text for PostgreSQL otherwise (upserts need INSERT … ON CONFLICT).
 */
export type BatchFormat = 'sqlite' | 'copy' | 'postgres';

/** What a producer of prepared batches needs to know (see BulkData.prepared). */
export interface PrepareContext {
  format: BatchFormat;
  /** Every binding in the store once accounts and bindings are written (the cache rows' relation). Empty under a cache lag. */
  bindings: AgentClientsTable[];
  /** No cache rows at all (a cache lag queues the changes instead). */
  skipCache: boolean;
}

/**
 * One batch of deals, checked and rendered, ready to write: plain arrays and strings only, so it
 * crosses from a worker thread cheaply (structured clone).
 */
export interface PreparedBatch {
  count: number;
  names: string[];
  /** SQLite: every deal's values in DEAL_COLUMNS order, one after the other. */
  values?: unknown[];
  /** PostgreSQL: the deals as a JSON array of objects. */
  dealsJson?: string;
  resourceIds: string[];
  resourceDeals: string[];
  cacheCount: number;
  /** SQLite: every cache row's values in CACHE_COLUMNS order. */
  cacheValues?: unknown[];
  /** PostgreSQL: the cache rows as a JSON array of objects. */
  cacheJson?: string;
  /** PostgreSQL COPY: the rows of each table in COPY text format. */
  dealsCopy?: string;
  resourcesCopy?: string;
  cacheCopy?: string;
}

export interface BulkData {
  /** Created unless they exist (existing accounts are left as they are). */
  accounts?: readonly BulkAccount[];
  /** Bound or re-bound, as `tcdeals clients bind` does; both accounts must exist (or be in `accounts`). */
  bindings?: readonly Binding[];
  /** Upserted by DealName, like `upsertDeals`. */
  deals?: Iterable<readonly DealRecord[]> | AsyncIterable<readonly DealRecord[]>;
  /**
   * Instead of `deals`: batches prepared elsewhere by a `Preparer` for this context (e.g. in a
   * worker thread). Called once accounts and bindings are written.
   */
  prepared?: (ctx: PrepareContext) => AsyncIterable<PreparedBatch> | Iterable<PreparedBatch>;
  /**
   * Accounts and bindings learned while the deals went by (an import binding the owners it met to
   * its agent), written after the deals in the same transaction. Cache rows of those owners' deals
   * must already have been rendered with these bindings (Preparer.bind).
   */
  afterDeals?: () => Promise<Pick<BulkData, 'accounts' | 'bindings'>> | Pick<BulkData, 'accounts' | 'bindings'>;
}

export interface BulkLoadOptions {
  /** Called after each batch with the number of deals written so far. */
  onProgress?: (deals: number) => void;
  /** Called when every deal is written and the rest (index rebuilds, commit) begins. */
  onFinishing?: () => void;
}

export interface BulkLoadContext {
  /** `bound_at` of new bindings, `created_at` of new accounts and keys. */
  now: string;
  /** The raw connection, on SQLite. */
  sqlite?: BetterSqlite3.Database;
  /** The client under `db`, on PostgreSQL when the load has one to itself (for COPY). */
  pgClient?: pg.ClientBase;
  /**
   * With a partners cache lag, changes are queued instead of rendered (as the normal path does);
   * this queues them.
   */
  enqueue?: (kind: 'deal' | 'client', keys: readonly string[]) => Promise<void>;
  /** While another instance rebuilds the cache: the changes are rendered and also queued, for its new table. */
  alsoEnqueue?: (kind: 'deal' | 'client', keys: readonly string[]) => Promise<void>;
}

export interface BulkLoadResult {
  accountsCreated: number;
  keysCreated: number;
  bindings: number;
  deals: number;
  cacheRows: number;
  /** The store held no deals before: no earlier versions to clean up, indexes rebuilt at the end. */
  fresh: boolean;
}

/** Runs inside the caller's transaction (see Store.bulkLoad). */
export async function bulkLoad(db: Kysely<Database>, data: BulkData, ctx: BulkLoadContext, options: BulkLoadOptions = {}): Promise<BulkLoadResult> {
  if (!db.isTransaction) throw new Error('bulkLoad must run inside a transaction');
  if (data.deals && data.prepared) throw new Error('bulkLoad takes deals or prepared batches, not both');
  const fresh = (await db.selectFrom('deals').select('deal_name').limit(1).executeTakeFirst()) === undefined;
  const result: BulkLoadResult = { accountsCreated: 0, keysCreated: 0, bindings: 0, deals: 0, cacheRows: 0, fresh };

  const created = await insertAccounts(db, data.accounts ?? [], ctx.now);
  result.accountsCreated = created.accounts;
  result.keysCreated = created.keys;
  result.bindings = await upsertBindings(db, data.bindings ?? [], ctx, fresh);
  if (!data.deals && !data.prepared) return result;

  const format: BatchFormat = ctx.sqlite ? 'sqlite' : ctx.pgClient && fresh ? 'copy' : 'postgres';
  const skipCache = ctx.enqueue !== undefined;
  // Every binding, once: a cache row needs its owner's. (Clients number far fewer than deals.)
  const bindings = skipCache ? [] : await db.selectFrom('agent_clients').selectAll().execute();
  const source = data.prepared ? data.prepared({ format, bindings, skipCache }) : prepareAll(data.deals!, { format, bindings, skipCache });

  const writer = ctx.sqlite ? sqliteWriter(ctx.sqlite, fresh) : format === 'copy' ? await copyWriter(db, ctx.pgClient!) : postgresWriter(db, fresh);
  try {
    for await (const batch of source) {
      if (batch.count === 0) continue;
      // Rows about to be replaced leave gaps in their agents' positions, as in refreshDeals.
      if (!fresh && !skipCache) await markAgentsStale(db, batch.names);
      await writer.write(batch);
      if (ctx.enqueue) await ctx.enqueue('deal', batch.names);
      if (ctx.alsoEnqueue) await ctx.alsoEnqueue('deal', batch.names);
      result.deals += batch.count;
      result.cacheRows += batch.cacheCount;
      options.onProgress?.(result.deals);
      // Let timers and signals run between batches (the SQLite writes are synchronous).
      if (ctx.sqlite) await new Promise((resolve) => setImmediate(resolve));
    }
    options.onFinishing?.();
    await writer.finish();
    if (data.afterDeals) {
      const late = await data.afterDeals();
      const made = await insertAccounts(db, late.accounts ?? [], ctx.now);
      result.accountsCreated += made.accounts;
      result.keysCreated += made.keys;
      result.bindings += await upsertBindings(db, late.bindings ?? [], ctx, fresh, true);
    }
  } catch (err) {
    // A write still in flight must end before the transaction rolls back: its remaining
    // statements would otherwise run after the rollback, outside any transaction.
    await writer.settle();
    throw err;
  } finally {
    writer.close();
  }
  // New deals that are the newest keep their agents' positions valid (see agent-positions.ts).
  if (!fresh && !skipCache && result.cacheRows > 0) {
    for (const agent of await cachedAgents(db)) await rankNewRows(db, agent);
  }
  // PostgreSQL plans from table statistics, which a large load makes wrong (or, into new tables
  // and without autovacuum, leaves absent): a partners query by owners then took 200 ms instead
  // of 1. ANALYZE samples each table (about a second at a million deals) inside this transaction.
  if (!ctx.sqlite && result.deals >= ANALYZE_AFTER_DEALS) await sql`analyze deals, deal_resources, agent_deal_cache, deal_counts`.execute(db);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Accounts and bindings: few rows, on the query layer, with the checks of createAccount,
// createKey and bindClient.

async function insertAccounts(db: Kysely<Database>, accounts: readonly BulkAccount[], now: string): Promise<{ accounts: number; keys: number }> {
  let createdAccounts = 0;
  let createdKeys = 0;
  for (const part of chunks(accounts, SMALL_CHUNK)) {
    for (const a of part) {
      assertUin(a.uin);
      if (a.appId !== undefined) assertUin(a.appId, 'AppId');
      if (a.key) assertStorable(a.key, 'API key');
    }
    const existing = new Set((await db.selectFrom('accounts').select('uin').where('uin', 'in', part.map((a) => a.uin)).execute()).map((r) => r.uin));
    const rows: Array<{ uin: string; app_id: string; is_agent: number; created_at: string }> = [];
    for (const a of part) {
      if (existing.has(a.uin)) continue;
      existing.add(a.uin);
      rows.push({ uin: a.uin, app_id: a.appId ?? defaultAppId(a.uin), is_agent: a.isAgent ? 1 : 0, created_at: now });
    }
    if (rows.length > 0) await db.insertInto('accounts').values(rows).execute();
    createdAccounts += rows.length;

    const keyed = part.filter((a): a is BulkAccount & { key: NewKey } => a.key !== undefined);
    if (keyed.length === 0) continue;
    const known = new Set(
      (await db.selectFrom('api_keys').select('secret_id').where('secret_id', 'in', keyed.map((a) => a.key.SecretId)).execute()).map((r) => r.secret_id),
    );
    const keys: Array<{ secret_id: string; secret_key: string; uin: string; created_at: string }> = [];
    for (const a of keyed) {
      if (known.has(a.key.SecretId)) continue;
      known.add(a.key.SecretId);
      keys.push({ secret_id: a.key.SecretId, secret_key: a.key.SecretKey, uin: a.uin, created_at: now });
    }
    if (keys.length > 0) await db.insertInto('api_keys').values(keys).execute();
    createdKeys += keys.length;
  }
  return { accounts: createdAccounts, keys: createdKeys };
}

/** Binds (or re-binds) clients; a client listed twice ends up with its last binding, as with bindClient one by one. */
/**
 * `late`: bindings made after the deals (BulkData.afterDeals) for owners that had no agent — their
 * deals of this load already have cache rows (rendered with these bindings), so only their older
 * deals get rows, and no row is deleted (which would make the agent's positions stale).
 */
async function upsertBindings(db: Kysely<Database>, bindings: readonly Binding[], ctx: BulkLoadContext, fresh: boolean, late = false): Promise<number> {
  if (bindings.length === 0) return 0;
  const accounts = new Map<string, number>();
  // A UIN holding U+0000 names no account (see text.ts); it is reported as missing below.
  const uins = [...new Set(bindings.flatMap((b) => [b.agentUin, b.clientUin]))].filter((u) => !hasNul(u));
  for (const part of chunks(uins, SMALL_CHUNK)) {
    for (const r of await db.selectFrom('accounts').select(['uin', 'is_agent']).where('uin', 'in', part).execute()) accounts.set(r.uin, r.is_agent);
  }
  const rows = new Map<string, AgentClientsTable>();
  for (const b of bindings) {
    const agent = accounts.get(b.agentUin);
    const row = bindingRow(b, agent === undefined ? undefined : agent === 1, accounts.has(b.clientUin), ctx.now);
    assertStorable(row, `Binding of client ${b.clientUin}`);
    rows.delete(b.clientUin);
    rows.set(b.clientUin, row);
  }
  for (const part of chunks([...rows.values()], SMALL_CHUNK)) {
    await db
      .insertInto('agent_clients')
      .values(part)
      .onConflict((oc) => oc.column('client_uin').doUpdateSet((eb) => fromExcluded(eb, ['agent_uin', 'client_type', 'project_type', 'sales_uin', 'client_remark', 'bound_at'])))
      .execute();
  }
  const clients = [...rows.keys()];
  if (ctx.alsoEnqueue) await ctx.alsoEnqueue('client', clients);
  if (ctx.enqueue) await ctx.enqueue('client', clients);
  else if (!fresh) {
    // Deals already stored for a (re-)bound client get their cache rows now, as bindClient does.
    for (const part of chunks(clients, SMALL_CHUNK)) {
      const owners = await db.selectFrom('deals').select('owner_uin').distinct().where('owner_uin', 'in', part).execute();
      const stale = await db.selectFrom('agent_deal_cache').select('owner_uin').distinct().where('owner_uin', 'in', part).execute();
      for (const uin of new Set([...owners, ...stale].map((r) => r.owner_uin))) await (late ? insertMissingRows(db, uin) : refreshClient(db, uin));
    }
  }
  return rows.size;
}

// ---------------------------------------------------------------------------------------------
// Deals

async function markAgentsStale(db: Kysely<Database>, names: readonly string[]): Promise<void> {
  for (const part of chunks(names, SMALL_CHUNK)) {
    const rows = await db.selectFrom('agent_deal_cache').select('agent_uin').distinct().where('deal_name', 'in', part).execute();
    await markStale(db, rows.map((r) => r.agent_uin));
  }
}

/** Prepares DealRecord batches on this thread. */
async function* prepareAll(deals: Iterable<readonly DealRecord[]> | AsyncIterable<readonly DealRecord[]>, ctx: PrepareContext): AsyncGenerator<PreparedBatch> {
  const preparer = new Preparer(ctx);
  for await (const batch of deals) yield* preparer.prepareEach(batch);
}

/**
 * Checks deals as the normal path does (no U+0000 anywhere, resource ids included) and turns a
 * batch into a PreparedBatch: resource-id rows (deduplicated per deal) and cache rows for prepaid
 * deals of bound clients, values flattened for SQLite or serialized for PostgreSQL.
 */
export class Preparer {
  private readonly bindings: Map<string, AgentClientsTable>;
  private readonly render = new Renderer();

  constructor(private readonly ctx: PrepareContext) {
    this.bindings = new Map(ctx.bindings.map((b) => [b.client_uin, b]));
  }

  /**
   * A binding the load itself will write (BulkData.afterDeals: an import binding new owners to
   * its agent): the owner's deals get cache rows rendered with it from now on.
   */
  bind(row: AgentClientsTable): void {
    this.bindings.set(row.client_uin, row);
  }

  /** The batch, split into parts of the size its format writes best (PostgreSQL: one statement per few thousand). */
  *prepareEach(batch: readonly DealRecord[]): Generator<PreparedBatch> {
    for (const part of this.ctx.format !== 'sqlite' && batch.length > PG_CHUNK ? chunks(batch, PG_CHUNK) : [batch]) yield this.prepare(part);
  }

  prepare(batch: readonly DealRecord[]): PreparedBatch {
    if (this.ctx.format === 'copy') return this.prepareCopy(batch);
    const sqlite = this.ctx.format === 'sqlite';
    const names: string[] = new Array(batch.length);
    const values: unknown[] = sqlite ? new Array(batch.length * DEAL_COLUMNS.length) : [];
    const resourceIds: string[] = [];
    const resourceDeals: string[] = [];
    const cacheRows: AgentDealCacheTable[] = [];
    const cacheValues: unknown[] = [];
    this.render.batch();
    let v = 0;
    for (let i = 0; i < batch.length; i++) {
      const d = batch[i]!;
      names[i] = d.deal_name;
      for (const c of DEAL_COLUMNS) {
        const x = d[c];
        if (typeof x === 'string' && hasNul(x)) assertStorable(d, `Deal ${JSON.stringify(d.deal_name)}`);
        if (sqlite) values[v++] = x;
      }
      const ids = JSON.parse(d.resource_ids) as string[];
      for (const id of ids.length > 1 ? new Set(ids) : ids) {
        if (hasNul(id)) assertStorable({ resource_ids: id }, `Deal ${JSON.stringify(d.deal_name)}`);
        resourceIds.push(id);
        resourceDeals.push(d.deal_name);
      }
      const binding = this.ctx.skipCache ? undefined : this.bindings.get(d.owner_uin);
      if (binding && d.pay_mode === CACHED_PAY_MODE) {
        const body = this.render.body(d, binding);
        if (sqlite) cacheValues.push(d.deal_name, binding.agent_uin, d.owner_uin, d.create_time, d.status, d.payer_mode, d.big_deal_id, body);
        else {
          cacheRows.push(cacheRow(d, binding, body));
        }
      }
    }
    const cacheCount = sqlite ? cacheValues.length / CACHE_COLUMNS.length : cacheRows.length;
    return sqlite
      ? { count: batch.length, names, values, resourceIds, resourceDeals, cacheCount, cacheValues }
      : { count: batch.length, names, dealsJson: JSON.stringify(batch), resourceIds, resourceDeals, cacheCount, cacheJson: JSON.stringify(cacheRows) };
  }

  /** The same checks, with every table's rows as COPY text. */
  private prepareCopy(batch: readonly DealRecord[]): PreparedBatch {
    const names: string[] = new Array(batch.length);
    let deals = '';
    let resources = '';
    let cache = '';
    let cacheCount = 0;
    this.render.batch();
    for (let i = 0; i < batch.length; i++) {
      const d = batch[i]!;
      names[i] = d.deal_name;
      for (let k = 0; k < DEAL_COLUMNS.length; k++) {
        const x = d[DEAL_COLUMNS[k]!];
        if (typeof x === 'string' && hasNul(x)) assertStorable(d, `Deal ${JSON.stringify(d.deal_name)}`);
        deals += k === 0 ? copyValue(x) : `\t${copyValue(x)}`;
      }
      deals += '\n';
      const ids = JSON.parse(d.resource_ids) as string[];
      const name = copyValue(d.deal_name);
      for (const id of ids.length > 1 ? new Set(ids) : ids) {
        if (hasNul(id)) assertStorable({ resource_ids: id }, `Deal ${JSON.stringify(d.deal_name)}`);
        resources += `${copyValue(id)}\t${name}\n`;
      }
      const binding = this.ctx.skipCache ? undefined : this.bindings.get(d.owner_uin);
      if (binding && d.pay_mode === CACHED_PAY_MODE) {
        const body = this.render.body(d, binding);
        cache += `${name}\t${copyValue(binding.agent_uin)}\t${copyValue(d.owner_uin)}\t${copyValue(d.create_time)}\t${d.status}\t${d.payer_mode}\t${copyValue(d.big_deal_id)}\t${copyValue(body)}\n`;
        cacheCount++;
      }
    }
    return { count: batch.length, names, resourceIds: [], resourceDeals: [], cacheCount, dealsCopy: deals, resourcesCopy: resources, cacheCopy: cache };
  }
}

// --- the partners element as JSON, fast ------------------------------------------------------

const q = JSON.stringify as (s: string) => string;
const num = (n: number) => (Number.isFinite(n) ? String(n + 0) : 'null');

/**
 * `JSON.stringify(toAgentDeal(d, b))`, written out field by field: the same text several times
 * faster (no intermediate object, the JSON columns normalized once per distinct value instead of
 * parsed and re-serialized per deal). A Renderer checks it against the real thing on the first
 * deal of every batch and falls back to the real thing should they ever differ.
 */
export function agentDealJson(d: DealRecord, b: ClientRelation, canon: (json: string) => string = canonicalJson): string {
  return (
    `{"DealId":${q(d.deal_id)},"DealName":${q(d.deal_name)},"GoodsCategoryId":${q(String(d.goods_category_id))},` +
    `"OwnerUin":${q(d.owner_uin)},"AppId":${q(d.app_id)},"GoodsNum":${q(String(d.goods_num))},` +
    `"GoodsPrice":{"RealTotalCost":${num(d.real_total_cost)},"OriginalTotalCost":${num(d.original_total_cost)}},` +
    `"Creater":${q(d.creator)},"CreatTime":${q(d.create_time)},"PayEndTime":${q(d.pay_end_time)},"BillId":${q(d.bill_id)},` +
    `"Payer":${q(d.payer)},"DealStatus":${q(statusLabel(d.status))},"Status":${q(String(d.status))},"GoodsName":${q(d.goods_name)},` +
    `"ClientRemark":${q(d.client_remark ?? b.client_remark)},"ActionType":${q(d.action_type)},"VoucherDecline":${q(String(d.voucher_decline))},` +
    `"BigDealId":${q(d.big_deal_id)},"ClientType":${q(d.client_type ?? b.client_type)},"ProjectType":${q(d.project_type ?? b.project_type)},` +
    `"SalesUin":${q(d.sales_uin ?? b.sales_uin)},"PayerMode":${q(String(d.payer_mode))},"ActivityId":${q(d.activity_id)},` +
    `"OverdueTime":${q(d.overdue_time)},"ProductInfo":${canon(d.product_info)},"PaymentMethod":${q(d.payment_method)},` +
    `"UpdateTime":${q(d.update_time)},"ResourceIds":${canon(d.resource_ids)},"RefundMap":${canon(d.refund_map)},` +
    `"SubGoodsName":${q(d.sub_goods_name)}}`
  );
}

function canonicalJson(json: string): string {
  return JSON.stringify(JSON.parse(json));
}

/**
 * Renders cache bodies. The JSON columns of the deals a bulk load is given are written by
 * JSON.stringify (the generator's and the import's), so they are already in the form the view
 * writes and go into the body as they are; the first deal of every batch is checked against the
 * real thing all the same.
 */
class Renderer {
  private checked = false;
  private exact = false;
  private readonly canon = (json: string): string => json;

  /** Call at the start of every batch: its first deal is checked against toAgentDeal. */
  batch(): void {
    this.checked = false;
  }

  body(d: DealRecord, b: ClientRelation): string {
    // Fields kept verbatim by an import are rare: the real thing renders them.
    if (d.verbatim !== null) return JSON.stringify(toAgentDeal(d, b));
    if (this.exact || !this.checked) {
      const exact = JSON.stringify(toAgentDeal(d, b));
      if (!this.checked) {
        this.checked = true;
        if (agentDealJson(d, b, this.canon) !== exact) this.exact = true;
      }
      return exact;
    }
    return agentDealJson(d, b, this.canon);
  }
}

// --- writers -----------------------------------------------------------------------------------

interface Writer {
  write(p: PreparedBatch): Promise<void>;
  /** Waits for anything still in flight, and finishes (rebuilds indexes). */
  finish(): Promise<void>;
  /** Waits for anything still in flight, ignoring its outcome (before a rollback). */
  settle(): Promise<void>;
  /** Always called, after finish() or a failure. */
  close(): void;
}

function upsertSet(): string {
  return DEAL_COLUMNS.filter((c) => c !== 'deal_name').map((c) => `${c} = excluded.${c}`).join(', ');
}

/** Binding arguments one by one is measurably faster in better-sqlite3 than an array or a spread. */
function binder(columns: number): (stmt: BetterSqlite3.Statement, values: unknown[], offset: number) => void {
  const args = Array.from({ length: columns }, (_, i) => `v[o + ${i}]`).join(', ');
  return new Function('stmt', 'v', 'o', `stmt.run(${args});`) as (stmt: BetterSqlite3.Statement, values: unknown[], offset: number) => void;
}

/**
 * Secondary indexes of the loaded tables, read from the schema (so indexes added by later
 * migrations are handled too). A fresh load drops them and creates them again at the end, inside
 * the same transaction: a failure restores them with everything else.
 */
function secondaryIndexes(conn: BetterSqlite3.Database): Array<{ name: string; sql: string }> {
  return schemaObjects(conn, 'index');
}

/**
 * Triggers on the loaded tables (the deal counts' — deal-counts.ts): a fresh load drops them too,
 * creates them again at the end and counts once, instead of a counting statement per deal.
 */
function schemaObjects(conn: BetterSqlite3.Database, type: 'index' | 'trigger'): Array<{ name: string; sql: string }> {
  return conn
    .prepare(`select name, sql from sqlite_master where type = ? and sql is not null and tbl_name in (${LOADED_TABLES.map(() => '?').join(', ')}) order by name`)
    .all(type, ...LOADED_TABLES) as Array<{ name: string; sql: string }>;
}

function sqliteWriter(conn: BetterSqlite3.Database, fresh: boolean): Writer {
  const previous = {
    cache: conn.pragma('cache_size', { simple: true }) as number,
    temp: conn.pragma('temp_store', { simple: true }) as number,
  };
  conn.pragma(`cache_size = ${-SQLITE_BULK_CACHE_KIB}`);
  conn.pragma('temp_store = FILE');
  const indexes = fresh ? secondaryIndexes(conn) : [];
  const triggers = fresh ? schemaObjects(conn, 'trigger') : [];
  for (const ix of indexes) conn.exec(`drop index "${ix.name.replaceAll('"', '""')}"`);
  for (const t of triggers) conn.exec(`drop trigger "${t.name.replaceAll('"', '""')}"`);

  const insertDeal = conn.prepare(
    `insert into deals (${DEAL_COLUMNS.join(', ')}) values (${DEAL_COLUMNS.map(() => '?').join(', ')})` +
      (fresh ? '' : ` on conflict (deal_name) do update set ${upsertSet()}`),
  );
  const runDeal = binder(DEAL_COLUMNS.length);
  const runCache = binder(CACHE_COLUMNS.length);
  const deleteResources = conn.prepare('delete from deal_resources where deal_name = ?');
  const insertResource = conn.prepare('insert into deal_resources (resource_id, deal_name) values (?, ?)');
  const insertResources = conn.prepare(`insert into deal_resources (resource_id, deal_name) values ${Array(RESOURCE_ROWS).fill('(?, ?)').join(', ')}`);
  const deleteCache = conn.prepare('delete from agent_deal_cache where deal_name = ?');
  const insertCache = conn.prepare(`insert into agent_deal_cache (${CACHE_COLUMNS.join(', ')}) values (${CACHE_COLUMNS.map(() => '?').join(', ')})`);
  const pairs: string[] = new Array(RESOURCE_ROWS * 2);
  return {
    async write(p) {
      const values = p.values!;
      for (let o = 0; o < values.length; o += DEAL_COLUMNS.length) runDeal(insertDeal, values, o);
      if (!fresh) {
        for (const name of p.names) {
          deleteResources.run(name);
          deleteCache.run(name);
        }
      }
      const ids = p.resourceIds;
      const names = p.resourceDeals;
      let i = 0;
      for (; i + RESOURCE_ROWS <= ids.length; i += RESOURCE_ROWS) {
        for (let k = 0; k < RESOURCE_ROWS; k++) {
          pairs[2 * k] = ids[i + k]!;
          pairs[2 * k + 1] = names[i + k]!;
        }
        insertResources.run(pairs);
      }
      for (; i < ids.length; i++) insertResource.run(ids[i], names[i]);
      const cache = p.cacheValues!;
      for (let o = 0; o < cache.length; o += CACHE_COLUMNS.length) runCache(insertCache, cache, o);
    },
    async finish() {
      for (const ix of indexes) conn.exec(ix.sql);
      for (const t of triggers) conn.exec(t.sql);
      if (triggers.length > 0) for (const statement of RECOUNT_AFTER_LOAD) conn.exec(statement);
      // Fresh planner statistics (sampled; see sqlite.ts): the tables just grew from nothing.
      if (fresh) conn.exec('analyze');
    },
    settle: async () => {},
    close() {
      conn.pragma(`cache_size = ${previous.cache}`);
      conn.pragma(`temp_store = ${previous.temp}`);
    },
  };
}

function postgresWriter(db: Kysely<Database>, fresh: boolean): Writer {
  const dealCols = sql.raw(DEAL_COLUMNS.join(', '));
  const cacheCols = sql.raw(CACHE_COLUMNS.join(', '));
  const onConflict = fresh ? sql`` : sql.raw(` on conflict (deal_name) do update set ${upsertSet()}`);
  let inflight: Promise<void> = Promise.resolve();

  async function run(p: PreparedBatch): Promise<void> {
    if (!fresh) {
      await sql`delete from deal_resources where deal_name = any(${p.names}::text[])`.execute(db);
      await sql`delete from agent_deal_cache where deal_name = any(${p.names}::text[])`.execute(db);
    }
    await sql`insert into deals (${dealCols}) select ${dealCols} from json_populate_recordset(null::deals, ${p.dealsJson}::json)${onConflict}`.execute(db);
    if (p.resourceIds.length > 0) {
      await sql`insert into deal_resources (resource_id, deal_name) select * from unnest(${p.resourceIds}::text[], ${p.resourceDeals}::text[])`.execute(db);
    }
    if (p.cacheCount > 0) {
      await sql`insert into agent_deal_cache (${cacheCols}) select ${cacheCols} from json_populate_recordset(null::agent_deal_cache, ${p.cacheJson}::json)`.execute(db);
    }
  }

  return {
    async write(p) {
      // The next batch is generated, rendered and serialized while this one is being written.
      await inflight;
      inflight = run(p);
      // Awaited on the next write or in finish(); this only keeps an early failure from being reported as unhandled.
      inflight.catch(() => {});
    },
    finish: () => inflight,
    settle: () => inflight.catch(() => {}),
    close() {},
  };
}

/**
 * A fresh load on PostgreSQL: COPY into the three tables (several times cheaper per row than
 * INSERT there), with their secondary indexes dropped for the load and built again at the end,
 * inside the transaction. Dropping them locks the (empty) tables until the commit: readers of a
 * server on the same database wait for the load rather than see it half done.
 */
async function copyWriter(db: Kysely<Database>, client: pg.ClientBase): Promise<Writer> {
  const tables = sql.join(LOADED_TABLES.map((t) => sql.lit(t)));
  const { rows: indexes } = await sql<{ name: string; def: string }>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.schemaname = current_schema() and i.tablename in (${tables})
      and not exists (select 1 from pg_constraint k join pg_namespace n on n.oid = k.connamespace where k.conname = i.indexname and n.nspname = i.schemaname)
    order by i.indexname`.execute(db);
  for (const ix of indexes) await sql`drop index ${sql.id(ix.name)}`.execute(db);
  const { rows: triggers } = await sql<{ name: string; table: string; def: string }>`
    select t.tgname as name, c.relname as table, pg_get_triggerdef(t.oid) as def from pg_trigger t join pg_class c on c.oid = t.tgrelid
    where not t.tgisinternal and c.relnamespace = current_schema()::regnamespace and c.relname in (${tables})
    order by t.tgname`.execute(db);
  for (const t of triggers) await sql`drop trigger ${sql.id(t.name)} on ${sql.id(t.table)}`.execute(db);
  const copyDeals = `copy deals (${DEAL_COLUMNS.join(', ')}) from stdin`;
  const copyResources = 'copy deal_resources (resource_id, deal_name) from stdin';
  const copyCache = `copy agent_deal_cache (${CACHE_COLUMNS.join(', ')}) from stdin`;
  let inflight: Promise<void> = Promise.resolve();

  async function run(p: PreparedBatch): Promise<void> {
    await copyFrom(client, copyDeals, p.dealsCopy!);
    if (p.resourcesCopy) await copyFrom(client, copyResources, p.resourcesCopy);
    if (p.cacheCopy) await copyFrom(client, copyCache, p.cacheCopy);
  }

  return {
    async write(p) {
      await inflight;
      inflight = run(p);
      inflight.catch(() => {});
    },
    async finish() {
      await inflight;
      await sql`set local maintenance_work_mem = '256MB'`.execute(db);
      for (const ix of indexes) await sql.raw(ix.def).execute(db);
      for (const t of triggers) await sql.raw(t.def).execute(db);
      if (triggers.length > 0) for (const statement of RECOUNT_AFTER_LOAD) await sql.raw(statement).execute(db);
    },
    settle: () => inflight.catch(() => {}),
    close() {},
  };
}
