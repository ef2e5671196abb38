/**
 * Bulk loading: many deals (and the accounts and bindings they belong to) into a store at once,
 * for `tcdeals seed` and `tcdeals deals import`. It writes exactly the rows the normal path writes
 * (`upsertDeals` + `bindClient`: deals, their resource-id index rows, partners cache rows, and
 * bindings), all in the caller's one transaction, but renders each cache row in the same pass as
 * its deal instead of reading the deal back, and skips the per-deal cleanup of earlier versions
 * when the store held no deals before (a "fresh" load).
 *
 * Deals arrive in batches from any (async) iterable, so a generator can stream a million of them
 * through without holding them all.
 *
 * Why SQLite bypasses the query layer here: Kysely compiles every query anew and sends it through
 * its async driver, one promise per statement; at a hundred thousand deals per second (three to
 * five statements each) that overhead alone would eat the budget. better-sqlite3 prepared
 * statements run synchronously on the same connection, inside the transaction Kysely already
 * opened on it, so they are part of the same all-or-nothing unit. Everything else (accounts,
 * bindings, reads) stays on Kysely. PostgreSQL stays on Kysely too, with one statement per few
 * thousand deals (`json_populate_recordset` over one JSON parameter), while the next batch is
 * prepared in parallel.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { DealRecord } from '../domain/deal.js';
import { statusLabel, toAgentDeal, type ClientRelation } from '../domain/views.js';
import { assertUin, defaultAppId, type Binding, type NewKey } from './accounts.js';
import { CACHED_PAY_MODE, refreshClient } from './agent-cache.js';
import { markStale } from './agent-positions.js';
import { chunks } from './deals.js';
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
] as const satisfies readonly (keyof DealRecord)[];
type UnlistedColumn = Exclude<keyof DealRecord, (typeof DEAL_COLUMNS)[number]>;
const allColumnsListed: [UnlistedColumn] extends [never] ? true : UnlistedColumn = true;
void allColumnsListed;

const CACHE_COLUMNS = ['deal_name', 'agent_uin', 'owner_uin', 'create_time', 'status', 'payer_mode', 'big_deal_id', 'body'] as const satisfies readonly (keyof AgentDealCacheTable)[];

/** Deals per PostgreSQL statement: a few MB of JSON, small enough to overlap with preparing the next. */
const PG_CHUNK = 2500;
/** Rows per Kysely insert of accounts, keys and bindings (well below both engines' bind limits). */
const SMALL_CHUNK = 500;
/** SQLite page cache during a bulk load (KiB, as a negative cache_size): index pages stay in memory. */
const SQLITE_BULK_CACHE_KIB = 256 * 1024;

export interface BulkAccount {
  uin: string;
  appId?: string;
  isAgent?: boolean;
  /** A fixed key to create for the account unless its SecretId exists already. */
  key?: NewKey;
}

export interface BulkData {
  /** Created unless they exist (existing accounts are left as they are). */
  accounts?: readonly BulkAccount[];
  /** Bound or re-bound, as `tcdeals clients bind` does; both accounts must exist (or be in `accounts`). */
  bindings?: readonly Binding[];
  /** Upserted by DealName, like `upsertDeals`. */
  deals?: Iterable<readonly DealRecord[]> | AsyncIterable<readonly DealRecord[]>;
}

export interface BulkLoadOptions {
  /** Called after each batch with the number of deals written so far. */
  onProgress?: (deals: number) => void;
  /** Called when every deal is written and the rest (index rebuilds) begins. */
  onFinishing?: () => void;
}

export interface BulkLoadContext {
  /** `bound_at` of new bindings. */
  now: string;
  /** The raw connection, on SQLite. */
  sqlite?: BetterSqlite3.Database;
  /**
   * With a partners cache lag, changes are queued instead of rendered (as the normal path does);
   * this queues them.
   */
  enqueue?: (kind: 'deal' | 'client', keys: readonly string[]) => Promise<void>;
}

export interface BulkLoadResult {
  accountsCreated: number;
  keysCreated: number;
  bindings: number;
  deals: number;
  cacheRows: number;
  /** The store held no deals before, so no earlier versions needed cleaning up. */
  fresh: boolean;
}

/** Runs inside the caller's transaction (see Store.bulkLoad). */
export async function bulkLoad(db: Kysely<Database>, data: BulkData, ctx: BulkLoadContext, options: BulkLoadOptions = {}): Promise<BulkLoadResult> {
  if (!db.isTransaction) throw new Error('bulkLoad must run inside a transaction');
  const fresh = (await db.selectFrom('deals').select('deal_name').limit(1).executeTakeFirst()) === undefined;
  const result: BulkLoadResult = { accountsCreated: 0, keysCreated: 0, bindings: 0, deals: 0, cacheRows: 0, fresh };

  const created = await insertAccounts(db, data.accounts ?? [], ctx.now);
  result.accountsCreated = created.accounts;
  result.keysCreated = created.keys;
  result.bindings = await upsertBindings(db, data.bindings ?? [], ctx, fresh);

  if (!data.deals) return result;
  // Every binding, once: a cache row needs its owner's. (Clients number far fewer than deals.)
  const bindings = new Map<string, AgentClientsTable>();
  if (!ctx.enqueue) for (const b of await db.selectFrom('agent_clients').selectAll().execute()) bindings.set(b.client_uin, b);

  const render = new Renderer();
  const writer = ctx.sqlite ? sqliteWriter(ctx.sqlite, fresh) : postgresWriter(db, fresh);
  try {
    for await (const batch of data.deals) {
      for (const part of writer.chunk && batch.length > writer.chunk ? chunks(batch, writer.chunk) : [batch]) {
        if (part.length === 0) continue;
        render.batch();
        const prepared = prepare(part, ctx.enqueue ? undefined : bindings, render);
        // Rows about to be replaced leave gaps in their agents' positions, as in refreshDeals.
        if (!fresh && !ctx.enqueue) await markAgentsStale(db, part);
        await writer.write(prepared);
        if (ctx.enqueue) await ctx.enqueue('deal', part.map((d) => d.deal_name));
        result.deals += part.length;
        result.cacheRows += prepared.cache.length;
      }
      options.onProgress?.(result.deals);
      // Let timers and signals run between batches (the SQLite writes are synchronous).
      if (ctx.sqlite) await new Promise((resolve) => setImmediate(resolve));
    }
    options.onFinishing?.();
    await writer.finish();
  } catch (err) {
    // A write still in flight must end before the transaction rolls back: its remaining
    // statements would otherwise run after the rollback, outside any transaction.
    await writer.settle();
    throw err;
  } finally {
    writer.close();
  }
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
async function upsertBindings(db: Kysely<Database>, bindings: readonly Binding[], ctx: BulkLoadContext, fresh: boolean): Promise<number> {
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
    if (agent === undefined) throw new Error(`Agent account ${b.agentUin} does not exist.`);
    if (agent !== 1) throw new Error(`Account ${b.agentUin} is not an agent (create it with --agent).`);
    if (!accounts.has(b.clientUin)) throw new Error(`Client account ${b.clientUin} does not exist.`);
    if (b.clientUin === b.agentUin) throw new Error('An agent cannot be its own client.');
    assertUin(b.salesUin, 'Sales UIN');
    const row: AgentClientsTable = {
      client_uin: b.clientUin,
      agent_uin: b.agentUin,
      client_type: b.clientType,
      project_type: b.projectType,
      sales_uin: b.salesUin,
      client_remark: b.clientRemark,
      bound_at: ctx.now,
    };
    assertStorable(row, `Binding of client ${b.clientUin}`);
    rows.delete(b.clientUin);
    rows.set(b.clientUin, row);
  }
  for (const part of chunks([...rows.values()], SMALL_CHUNK)) {
    await db
      .insertInto('agent_clients')
      .values(part)
      .onConflict((oc) =>
        oc.column('client_uin').doUpdateSet((eb) => ({
          agent_uin: eb.ref('excluded.agent_uin'),
          client_type: eb.ref('excluded.client_type'),
          project_type: eb.ref('excluded.project_type'),
          sales_uin: eb.ref('excluded.sales_uin'),
          client_remark: eb.ref('excluded.client_remark'),
          bound_at: eb.ref('excluded.bound_at'),
        })),
      )
      .execute();
  }
  const clients = [...rows.keys()];
  if (ctx.enqueue) await ctx.enqueue('client', clients);
  else if (!fresh) {
    // Deals already stored for a (re-)bound client get their cache rows now, as bindClient does.
    for (const part of chunks(clients, SMALL_CHUNK)) {
      const owners = await db.selectFrom('deals').select('owner_uin').distinct().where('owner_uin', 'in', part).execute();
      const stale = await db.selectFrom('agent_deal_cache').select('owner_uin').distinct().where('owner_uin', 'in', part).execute();
      for (const uin of new Set([...owners, ...stale].map((r) => r.owner_uin))) await refreshClient(db, uin);
    }
  }
  return rows.size;
}

// ---------------------------------------------------------------------------------------------
// Deals

interface Prepared {
  deals: readonly DealRecord[];
  /** Resource-id index rows: ids and their deals, side by side. */
  resourceIds: string[];
  resourceDeals: string[];
  cache: AgentDealCacheTable[];
}

/** Checks a batch as the normal path does, and renders its resource and cache rows. */
function prepare(batch: readonly DealRecord[], bindings: Map<string, AgentClientsTable> | undefined, render: Renderer): Prepared {
  const resourceIds: string[] = [];
  const resourceDeals: string[] = [];
  const cache: AgentDealCacheTable[] = [];
  for (const d of batch) {
    for (const c of DEAL_COLUMNS) {
      const v = d[c];
      if (typeof v === 'string' && hasNul(v)) assertStorable(d, `Deal ${JSON.stringify(d.deal_name)}`);
    }
    const ids = JSON.parse(d.resource_ids) as string[];
    for (const id of ids.length > 1 ? new Set(ids) : ids) {
      if (hasNul(id)) assertStorable({ resource_ids: id }, `Deal ${JSON.stringify(d.deal_name)}`);
      resourceIds.push(id);
      resourceDeals.push(d.deal_name);
    }
    const binding = bindings?.get(d.owner_uin);
    if (binding && d.pay_mode === CACHED_PAY_MODE) {
      cache.push({
        deal_name: d.deal_name,
        agent_uin: binding.agent_uin,
        owner_uin: d.owner_uin,
        create_time: d.create_time,
        status: d.status,
        payer_mode: d.payer_mode,
        big_deal_id: d.big_deal_id,
        body: render.body(d, binding),
      });
    }
  }
  return { deals: batch, resourceIds, resourceDeals, cache };
}

async function markAgentsStale(db: Kysely<Database>, deals: readonly DealRecord[]): Promise<void> {
  for (const part of chunks(deals.map((d) => d.deal_name), SMALL_CHUNK)) {
    const rows = await db.selectFrom('agent_deal_cache').select('agent_uin').distinct().where('deal_name', 'in', part).execute();
    await markStale(db, rows.map((r) => r.agent_uin));
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

/** Renders cache bodies, remembering the normalized form of repeated JSON column values. */
class Renderer {
  private readonly memo = new Map<string, string>();
  private checked = false;
  private exact = false;
  private readonly canon = (json: string): string => {
    let out = this.memo.get(json);
    if (out === undefined) {
      out = canonicalJson(json);
      if (this.memo.size >= 100_000) this.memo.clear();
      this.memo.set(json, out);
    }
    return out;
  };

  /** Call at the start of every batch: its first deal is checked against toAgentDeal. */
  batch(): void {
    this.checked = false;
  }

  body(d: DealRecord, b: ClientRelation): string {
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
  /** Deals per write, if the writer wants batches split. */
  chunk?: number;
  write(p: Prepared): Promise<void>;
  /** Waits for anything still in flight, and finishes (recreates indexes). */
  finish(): Promise<void>;
  /** Waits for anything still in flight, ignoring its outcome (before a rollback). */
  settle(): Promise<void>;
  /** Always called, after finish() or a failure. */
  close(): void;
}

function upsertSet(): string {
  return DEAL_COLUMNS.filter((c) => c !== 'deal_name').map((c) => `${c} = excluded.${c}`).join(', ');
}

/** Tables whose secondary indexes a fresh load drops and rebuilds (one sort each instead of a million inserts). */
const LOADED_TABLES = ['deals', 'deal_resources', 'agent_deal_cache'] as const;
/** Resource rows per multi-row INSERT on SQLite. */
const RESOURCE_ROWS = 64;

function sqliteWriter(conn: BetterSqlite3.Database, fresh: boolean): Writer {
  const previous = { cache: conn.pragma('cache_size', { simple: true }) as number, temp: conn.pragma('temp_store', { simple: true }) as number };
  conn.pragma(`cache_size = ${-SQLITE_BULK_CACHE_KIB}`);
  conn.pragma('temp_store = MEMORY');
  // On a fresh load the secondary indexes go and come back at the end, built by sorting, inside
  // the same transaction (a failure restores them with everything else). Read from the schema,
  // so indexes added by later migrations are handled too.
  const indexes = fresh
    ? (conn
        .prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${LOADED_TABLES.map(() => '?').join(', ')}) order by name`)
        .all(...LOADED_TABLES) as Array<{ name: string; sql: string }>)
    : [];
  for (const ix of indexes) conn.exec(`drop index "${ix.name.replaceAll('"', '""')}"`);

  const insertDeal = conn.prepare(
    `insert into deals (${DEAL_COLUMNS.join(', ')}) values (${DEAL_COLUMNS.map(() => '?').join(', ')})` +
      (fresh ? '' : ` on conflict (deal_name) do update set ${upsertSet()}`),
  );
  // Binding arguments one by one is measurably faster in better-sqlite3 than an array or a spread;
  // the argument list is built from DEAL_COLUMNS, so it cannot drift from the statement.
  const runDeal = new Function('stmt', 'd', `return stmt.run(${DEAL_COLUMNS.map((c) => `d.${c}`).join(', ')});`) as (
    stmt: BetterSqlite3.Statement,
    d: DealRecord,
  ) => BetterSqlite3.RunResult;
  const deleteResources = conn.prepare('delete from deal_resources where deal_name = ?');
  const insertResource = conn.prepare('insert into deal_resources (resource_id, deal_name) values (?, ?)');
  const insertResources = conn.prepare(`insert into deal_resources (resource_id, deal_name) values ${Array(RESOURCE_ROWS).fill('(?, ?)').join(', ')}`);
  const deleteCache = conn.prepare('delete from agent_deal_cache where deal_name = ?');
  const insertCache = conn.prepare(`insert into agent_deal_cache (${CACHE_COLUMNS.join(', ')}) values (${CACHE_COLUMNS.map(() => '?').join(', ')})`);
  const pairs: string[] = new Array(RESOURCE_ROWS * 2);
  return {
    async write(p) {
      for (const d of p.deals) runDeal(insertDeal, d);
      if (!fresh) {
        for (const d of p.deals) {
          deleteResources.run(d.deal_name);
          deleteCache.run(d.deal_name);
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
      for (const r of p.cache) insertCache.run(r.deal_name, r.agent_uin, r.owner_uin, r.create_time, r.status, r.payer_mode, r.big_deal_id, r.body);
    },
    async finish() {
      for (const ix of indexes) conn.exec(ix.sql);
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

  async function run(p: Prepared, dealsJson: string, cacheJson: string): Promise<void> {
    if (!fresh) {
      const names = p.deals.map((d) => d.deal_name);
      await sql`delete from deal_resources where deal_name = any(${names}::text[])`.execute(db);
      await sql`delete from agent_deal_cache where deal_name = any(${names}::text[])`.execute(db);
    }
    await sql`insert into deals (${dealCols}) select ${dealCols} from json_populate_recordset(null::deals, ${dealsJson}::json)${onConflict}`.execute(db);
    if (p.resourceIds.length > 0) {
      await sql`insert into deal_resources (resource_id, deal_name) select * from unnest(${p.resourceIds}::text[], ${p.resourceDeals}::text[])`.execute(db);
    }
    if (p.cache.length > 0) {
      await sql`insert into agent_deal_cache (${cacheCols}) select ${cacheCols} from json_populate_recordset(null::agent_deal_cache, ${cacheJson}::json)`.execute(db);
    }
  }

  return {
    chunk: PG_CHUNK,
    async write(p) {
      // Serialized (and the batch generated and rendered) while the previous part is being written.
      const dealsJson = JSON.stringify(p.deals);
      const cacheJson = p.cache.length > 0 ? JSON.stringify(p.cache) : '[]';
      await inflight;
      inflight = run(p, dealsJson, cacheJson);
      // Awaited on the next write or in finish(); this only keeps an early failure from being reported as unhandled.
      inflight.catch(() => {});
    },
    finish: () => inflight,
    settle: () => inflight.catch(() => {}),
    close() {},
  };
}
