/**
 * The store facade: one object the server, the CLI and the tests share. Every write that
 * touches deals or bindings also refreshes the partners cache in the same transaction, so a
 * crash never leaves the two disagreeing.
 */
import { Migrator, sql, type Kysely } from 'kysely';
import type { DealRecord } from '../domain/deal.js';
import { formatDateTime } from '../protocol/datetime.js';
import type { KeyRecord } from '../protocol/authenticate.js';
import * as accounts from './accounts.js';
import { applyCacheChanges, enqueueCacheChanges, queryAgentDeals, dropStageSqlite, rebuildCache, refreshClient, stageSqlite, refreshDeals, type AgentDealsQuery } from './agent-cache.js';
import type pg from 'pg';
import { openBackend, type Backend, type BackendOptions } from './backend.js';
import { retryWhileLocked } from './write-lock.js';
import { bulkLoad, rollbackJournalForFreshLoad, type BulkData, type BulkLoadOptions, type BulkLoadResult } from './bulk-load.js';
import { queryBillingDeals, upsertDeals, type BillingQuery } from './deals.js';
import { cachedAgents, liveRebuildMark, REBUILD_LOCK, REBUILD_MARK, REBUILD_MARK_TTL_MS, rebuildRunning, recomputePositions } from './agent-positions.js';
import { MIGRATIONS, migrationProvider } from './migrations.js';
import * as partners from './partners.js';
import type { Database } from './schema.js';

export type { Account, Binding, NewAccount, NewKey } from './accounts.js';
export type { AgentDealsQuery } from './agent-cache.js';
export type { BillingQuery } from './deals.js';
export type { BulkAccount, BulkData, BulkLoadOptions, BulkLoadResult } from './bulk-load.js';

/** Meta key holding the epoch milliseconds of the last change to the partners cache. */
const CACHE_REFRESHED_AT = 'cache_refreshed_at';

/** Whose deals an API read covers: a billing caller's own, or a partners agent's clients' prepaid deals. */
export type ReadScope = { readonly ownerUin: string } | { readonly agentUin: string };

/** A deal as an API read returned it. */
export interface ReadDeal {
  dealName: string;
  status: number;
}

/**
 * Runs around the two API reads: the sandbox's automatic lifecycle progression applies due steps
 * before a read and counts reads after it (src/services/lifecycle.ts). `seen` is lazy so a
 * hook with nothing to count costs nothing.
 */
export interface ReadHook {
  before(scope: ReadScope): Promise<void>;
  after(scope: ReadScope, seen: () => ReadDeal[]): Promise<void>;
}

export interface RebuildResult {
  /** False when another instance held the rebuild lock, so this one did nothing. */
  rebuilt: boolean;
  rows: number;
  ms: number;
}

export interface RebuildOptions {
  /** Wait for another instance's rebuild to end instead of giving up at once (an operator's explicit rebuild). */
  wait?: boolean;
  /** PostgreSQL: how long the swap may keep stepping back for locks before giving up (RebuildSwapBlocked); SWAP_GIVE_UP_MS by default. */
  swapGiveUpMs?: number;
}

/** A SQLite rebuild whose mark expired or was removed (a reset) while it rendered: it gives up, the cache stays as it is. */
export class RebuildMarkLost extends Error {
  constructor() {
    super('the partners cache rebuild lost its mark while rendering (it ran past its renewal, or the store was reset); nothing was changed — run it again');
  }
}

export class Store {
  /** Migrations this process applied when it opened the store. */
  migrated: string[] = [];

  /**
   * Partners cache staleness in milliseconds. 0 (the default): every write refreshes the cache in
   * its own transaction. Above 0, changes wait in a queue and reach the cache `cacheLagMs` after
   * they were made, emulating the real cache's lag.
   */
  cacheLagMs = 0;

  /** Set by the server (sandbox lifecycle progression); absent, reads are plain queries. */
  readHook: ReadHook | undefined;

  private constructor(
    private readonly backend: Backend,
    private readonly now: () => number,
    /** The database, or the open transaction when this store is a transactional view. */
    readonly db: Kysely<Database>,
  ) {}

  /** Opens the database at `url` (a SQLite path, `:memory:`, or `postgres://…`) and migrates it. */
  static async open(url: string, options: BackendOptions & { now?: () => number } = {}): Promise<Store> {
    const backend = await openBackend(url, options);
    const store = new Store(backend, options.now ?? Date.now, backend.db);
    try {
      store.migrated = await store.migrate();
    } catch (err) {
      await backend.close();
      throw err;
    }
    return store;
  }

  get kind(): Backend['kind'] {
    return this.backend.kind;
  }

  get location(): string {
    return this.backend.location;
  }

  poolStats() {
    return this.backend.poolStats?.();
  }

  private stamp(): string {
    return formatDateTime(this.now());
  }

  /** Runs `fn` in one transaction (or inside the current one), with a store bound to it. */
  private async inTransaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    // On SQLite, while another process holds the write lock, the transaction is tried again later.
    return retryWhileLocked(() =>
      this.db.transaction().execute((trx) => {
        const tx = new Store(this.backend, this.now, trx);
        tx.cacheLagMs = this.cacheLagMs;
        return fn(tx);
      }),
    );
  }

  /**
   * Runs `fn` in one transaction while holding a named lock shared by every instance on the same
   * PostgreSQL database (an advisory transaction lock, released on commit, rollback or crash).
   * With `wait: false` it gives up at once and returns undefined when another holder has it.
   * SQLite serializes writers itself; one process owns the file.
   */
  async exclusive<T>(name: string, fn: (tx: Store) => Promise<T>, wait = true): Promise<T | undefined> {
    return this.inTransaction(async (tx) => {
      if (tx.kind === 'postgres') {
        if (wait) {
          await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(tx.db);
        } else {
          const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(${name})) as ok`.execute(tx.db);
          if (!rows[0]?.ok) return undefined;
        }
      }
      return fn(tx);
    });
  }

  async migrate(): Promise<string[]> {
    const { error, results } = await new Migrator({ db: this.db, provider: migrationProvider }).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  /** Names of migrations not yet applied to this database (another instance may be behind or ahead). */
  async pendingMigrations(): Promise<string[]> {
    const all = await new Migrator({ db: this.db, provider: migrationProvider }).getMigrations();
    return all.filter((m) => m.executedAt === undefined).map((m) => m.name).filter((n) => n in MIGRATIONS);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  createAccount(a: accounts.NewAccount) {
    return accounts.createAccount(this.db, a, this.stamp());
  }

  getAccount(uin: string) {
    return accounts.getAccount(this.db, uin);
  }

  async hasAccounts(): Promise<boolean> {
    return (await this.db.selectFrom('accounts').select('uin').limit(1).executeTakeFirst()) !== undefined;
  }

  createKey(uin: string, fixed?: accounts.NewKey) {
    return accounts.createKey(this.db, uin, this.stamp(), fixed);
  }

  listKeyIds(uin: string) {
    return accounts.listKeyIds(this.db, uin);
  }

  findKey(secretId: string): Promise<KeyRecord | undefined> {
    return accounts.findKey(this.db, secretId);
  }

  async bindClient(b: accounts.Binding): Promise<void> {
    await this.inTransaction(async (tx) => {
      await accounts.bindClient(tx.db, b, tx.stamp());
      if (this.cacheLagMs > 0) return enqueueCacheChanges(tx.db, 'client', [b.clientUin], this.now());
      const rebuilding = await tx.rebuilding();
      await refreshClient(tx.db, b.clientUin);
      // Queued after the cache rows, in the order the rebuild's swap takes them.
      if (rebuilding) await enqueueCacheChanges(tx.db, 'client', [b.clientUin], this.now());
      await tx.touchCache();
    });
  }

  /**
   * Re-renders one client's cache rows after its relation changed in place (a remark), in one
   * transaction with that change when called inside one; with a cache lag the change is queued.
   */
  async refreshClientCache(clientUin: string): Promise<void> {
    await this.inTransaction(async (tx) => {
      if (this.cacheLagMs > 0) return enqueueCacheChanges(tx.db, 'client', [clientUin], this.now());
      await refreshClient(tx.db, clientUin);
      await tx.touchCache();
    });
  }

  /** The reseller's workflow tables (client profiles, applications, unbinds, salespeople); see partners.ts. */
  get partners() {
    const db = this.db;
    const kind = this.kind;
    return {
      write: (data: Parameters<typeof partners.writePartnersData>[1]) => this.inTransaction((tx) => partners.writePartnersData(tx.db, data)),
      auditedClients: (q: partners.AuditedClientsQuery) => partners.queryAuditedClients(db, kind, q),
      monthAmounts: (uins: readonly string[], w: Parameters<typeof partners.monthAmounts>[2]) => partners.monthAmounts(db, uins, w),
      applications: (q: partners.ApplicationsQuery) => partners.queryApplications(db, kind, q),
      unbinds: (q: partners.UnbindsQuery) => partners.queryUnbinds(db, q),
      salesmen: (q: partners.SalesmenQuery) => partners.querySalesmen(db, kind, q),
      relatedBigDealIds: (agentUin: string, bigDealId: string) => partners.relatedBigDealIds(db, agentUin, bigDealId),
      priceDetailDeals: (agentUin: string, names: readonly string[], year: number, owner?: string) => partners.priceDetailDeals(db, agentUin, names, year, owner),
      isClientOf: (agentUin: string, clientUin: string) => partners.isClientOf(db, agentUin, clientUin),
      agentOf: (clientUin: string) => partners.agentOf(db, clientUin),
      getApplication: (clientUin: string) => partners.getApplication(db, clientUin),
      getProfile: (clientUin: string) => partners.getProfile(db, clientUin),
      listProfiles: (uins?: readonly string[]) => partners.listProfiles(db, uins),
      listApplications: (agentUin?: string) => partners.listApplications(db, agentUin),
      listUnbinds: (agentUin?: string) => partners.listUnbinds(db, agentUin),
      listSalesmen: (agentUin?: string) => partners.listSalesmen(db, agentUin),
      nextUnbindId: () => partners.nextUnbindId(db),
      /** Accepts (binding the client, visible to every partners action at once) or rejects a pending application. */
      decide: (clientUin: string, accept: boolean, note: string, binding?: accounts.Binding) =>
        this.inTransaction(async (tx) => {
          if (accept && binding) await tx.bindClient(binding);
          await partners.decideApplication(tx.db, clientUin, accept ? 'accepted' : 'rejected', note, tx.stamp());
        }),
      /** Sets a bound client's remark and re-renders its cache rows (through the cache lag); false if not the agent's client. */
      setRemark: (agentUin: string, clientUin: string, remark: string) =>
        this.inTransaction(async (tx) => {
          if (!(await partners.setRemark(tx.db, agentUin, clientUin, remark))) return false;
          await tx.refreshClientCache(clientUin);
          return true;
        }),
    };
  }

  /** All-or-nothing: either every record is written (and cached) or none is. */
  async upsertDeals(records: readonly DealRecord[]): Promise<void> {
    await this.inTransaction(async (tx) => {
      await upsertDeals(tx.db, records);
      if (this.cacheLagMs > 0) return enqueueCacheChanges(tx.db, 'deal', records.map((r) => r.deal_name), this.now());
      const rebuilding = await tx.rebuilding();
      await refreshDeals(tx.db, records);
      // Queued after the cache rows, in the order the rebuild's swap takes them.
      if (rebuilding) await enqueueCacheChanges(tx.db, 'deal', records.map((r) => r.deal_name), this.now());
      await tx.touchCache();
    });
  }

  /**
   * Loads many accounts, bindings and deals at once, all or nothing (one transaction, or the
   * current one): the same rows as createAccount/createKey/bindClient/upsertDeals would write,
   * an order of magnitude faster (see bulk-load.ts). Meant for filling a new or nearly empty
   * store (`tcdeals seed`, `tcdeals deals import`); deals are upserted by DealName either way.
   */
  async bulkLoad(data: BulkData, options: BulkLoadOptions = {}): Promise<BulkLoadResult> {
    if (this.backend.pgPool && !this.db.isTransaction) return this.onOwnClient((store, client) => store.bulkLoadInTransaction(data, options, client));
    const restoreJournal = this.backend.sqlite && !this.db.isTransaction ? rollbackJournalForFreshLoad(this.backend.sqlite) : undefined;
    try {
      return await this.bulkLoadInTransaction(data, options);
    } finally {
      restoreJournal?.();
    }
  }

  /**
   * Runs `fn` on a store bound to one client of the PostgreSQL pool, given that client too: its
   * COPYs and the query layer's statements then share one transaction.
   */
  private async onOwnClient<T>(fn: (store: Store, client: pg.PoolClient) => Promise<T>): Promise<T> {
    const { kyselyOnClient } = await import('./postgres.js');
    const client = await this.backend.pgPool!.connect();
    const db = kyselyOnClient<Database>(client);
    try {
      const dedicated = new Store(this.backend, this.now, db);
      dedicated.cacheLagMs = this.cacheLagMs;
      return await fn(dedicated, client);
    } finally {
      await db.destroy();
      client.release();
    }
  }

  private async bulkLoadInTransaction(data: BulkData, options: BulkLoadOptions, pgClient?: pg.ClientBase): Promise<BulkLoadResult> {
    const result = await this.exclusive('tcdeals:bulk-load', async (tx) => {
      const lagged = this.cacheLagMs > 0;
      const queue = (kind: 'deal' | 'client', keys: readonly string[]) => enqueueCacheChanges(tx.db, kind, keys, this.now());
      const loaded = await bulkLoad(
        tx.db,
        data,
        {
          now: tx.stamp(),
          sqlite: this.backend.sqlite,
          pgClient,
          enqueue: lagged ? queue : undefined,
          alsoEnqueue: !lagged && (await tx.rebuilding()) ? queue : undefined,
        },
        options,
      );
      if (!lagged && (data.deals !== undefined || loaded.bindings > 0)) await tx.touchCache();
      return loaded;
    });
    return result!;
  }

  /**
   * Moves queued changes older than the lag into the cache. One instance at a time; a reader
   * that finds another instance applying simply reads the cache as it is.
   */
  async applyDueCacheChanges(): Promise<number> {
    const cutoff = this.now() - this.cacheLagMs;
    const pending = await this.db.selectFrom('agent_cache_pending').select('key').where('changed_at', '<=', cutoff).limit(1).executeTakeFirst();
    if (!pending) return 0;
    const applied = await this.exclusive(
      'tcdeals:agent-cache-apply',
      async (tx) => {
        // A rebuild running elsewhere applies the queue itself when it swaps its table in (a
        // change that is due is in the live cache already, unless lagged: then it waits for the swap).
        if (await tx.rebuilding()) return 0;
        const n = await applyCacheChanges(tx.db, cutoff);
        if (n > 0) await tx.touchCache();
        return n;
      },
      false,
    );
    return applied ?? 0;
  }

  /**
   * Rebuilds the whole partners cache from the order store in one transaction: readers keep
   * seeing the previous snapshot until it commits, and a crash mid-way leaves it untouched. Only
   * one instance rebuilds at a time: the others return `rebuilt: false` at once, or with `wait`
   * (an operator's explicit rebuild) wait their turn — and for writes in flight, which hold its
   * lock shared (see rebuilding).
   */
  async rebuildAgentCache(options: RebuildOptions = {}, pgClient?: pg.ClientBase): Promise<RebuildResult> {
    // PostgreSQL renders the new cache through COPY, which needs the transaction's own client.
    if (this.backend.pgPool && !this.db.isTransaction && !pgClient) return this.onOwnClient((store, client) => store.rebuildAgentCache(options, client));
    const started = this.now();
    // SQLite renders the new rows before taking the write lock, which it then holds only to swap
    // them in: other processes' writes (an import) wait seconds, not the whole rebuild.
    const staged = this.kind === 'sqlite' && !this.db.isTransaction;
    let mark = staged ? await this.markSqliteRebuild(options.wait ?? false) : undefined;
    if (staged && mark === undefined) return { rebuilt: false, rows: 0, ms: this.now() - started };
    try {
      if (staged) {
        // The mark is renewed as the rows are rendered: a rebuild killed meanwhile leaves one that
        // expires within REBUILD_MARK_TTL_MS.
        await stageSqlite(this.db, async () => {
          // SQLite answers synchronously: without a turn of the event loop between clients, a
          // server rebuilding in-process (--cache-rebuild-interval) would serve nothing meanwhile.
          await new Promise((resolve) => setImmediate(resolve));
          if (Date.now() - Number(mark) < REBUILD_MARK_TTL_MS / 4) return;
          const renewed = String(Date.now());
          await this.inTransaction(async (tx) => {
            if ((await tx.getMeta(REBUILD_MARK)) !== mark) throw new RebuildMarkLost();
            await tx.setMeta(REBUILD_MARK, renewed);
          });
          mark = renewed;
        });
      }
      return await this.swapInRebuilt(started, options, pgClient, mark);
    } catch (err) {
      // A rebuild that failed leaves the cache as it was: writers stop queueing for it.
      if (staged) {
        await dropStageSqlite(this.db).catch(() => undefined);
        await this.db.deleteFrom('meta').where('key', '=', REBUILD_MARK).where('value', '=', String(mark)).execute().catch(() => undefined);
      }
      throw err;
    }
  }

  /** The swap of a rebuild: PostgreSQL's whole rebuild; SQLite's rows staged under `mark`, or (inside a transaction) staged there too. */
  private async swapInRebuilt(started: number, options: RebuildOptions, pgClient: pg.ClientBase | undefined, mark: string | undefined): Promise<RebuildResult> {
    const staged = mark !== undefined;
    const result = await this.exclusive(
      REBUILD_LOCK,
      async (tx) => {
        // Writes made while staging were queued only under the mark: if it expired or went (a
        // reset), some may be missing from the staged rows, which must not replace the live ones.
        if (staged && (await tx.getMeta(REBUILD_MARK)) !== mark) throw new RebuildMarkLost();
        // Queued changes: ones lagging behind are superseded by the rebuild; SQLite keeps the ones
        // written while it staged (made after its mark), applied after the swap.
        if (!staged) await tx.db.deleteFrom('agent_cache_pending').execute();
        // PostgreSQL's new table and SQLite's swapped-in rows come ranked (positions valid); the
        // loop below only ranks the rows the queued changes wrote.
        await rebuildCache(tx.db, tx.kind, { pgClient, staged, swapGiveUpMs: options.swapGiveUpMs });
        if (staged) await tx.db.deleteFrom('meta').where('key', '=', REBUILD_MARK).execute();
        for (const agent of await cachedAgents(tx.db)) await recomputePositions(tx.db, agent);
        await tx.touchCache();
        const row = await tx.db.selectFrom('agent_deal_cache').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
        return Number(row.n);
      },
      options.wait ?? false,
    );
    return { rebuilt: result !== undefined, rows: result ?? 0, ms: this.now() - started };
  }

  /**
   * SQLite: sets the rebuild's mark, so that writes from now on also queue their changes for it,
   * and empties the queue of older (lagging) ones, which the rebuild supersedes. One rebuild at a
   * time: with another's live mark, gives up (undefined) or, with `wait`, waits for it to end.
   */
  private async markSqliteRebuild(wait: boolean): Promise<string | undefined> {
    for (;;) {
      const marked = await this.inTransaction(async (tx) => {
        if (liveRebuildMark(await tx.getMeta(REBUILD_MARK))) return undefined;
        const mark = String(Date.now());
        await tx.setMeta(REBUILD_MARK, mark);
        await tx.db.deleteFrom('agent_cache_pending').execute();
        return mark;
      });
      if (marked !== undefined || !wait) return marked;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /**
   * Whether another instance is rebuilding the partners cache right now (PostgreSQL): writes then
   * change the live cache as always (their callers see them at once) and also queue the change,
   * which the rebuild applies to its new table before swapping it in. Otherwise this transaction now holds the rebuild's lock shared, so no rebuild starts
   * before it ends. SQLite: while a rebuild renders its rows outside the write lock (rebuildRunning).
   */
  private async rebuilding(): Promise<boolean> {
    return rebuildRunning(this.db, this.kind);
  }

  private touchCache(): Promise<void> {
    return this.setMeta(CACHE_REFRESHED_AT, String(this.now()));
  }

  /** When the partners cache last changed (epoch ms), if ever. */
  async cacheRefreshedAt(): Promise<number | undefined> {
    const v = await this.getMeta(CACHE_REFRESHED_AT);
    return v === undefined ? undefined : Number(v);
  }

  async billingDeals(q: BillingQuery) {
    const scope = { ownerUin: q.ownerUin };
    await this.readHook?.before(scope);
    const result = await queryBillingDeals(this.db, q);
    await this.readHook?.after(scope, () => result.rows.map((d) => ({ dealName: d.deal_name, status: d.status })));
    return result;
  }

  private readonly positionsRunning = new Set<string>();

  /**
   * Recomputes an agent's cache positions in the background (once at a time per agent and
   * instance, under a lock shared by instances); queries use the plain path meanwhile.
   */
  private schedulePositions(agentUin: string): void {
    if (this.positionsRunning.has(agentUin) || this.db.isTransaction) return;
    this.positionsRunning.add(agentUin);
    setImmediate(() => {
      this.exclusive(`tcdeals:agent-positions:${agentUin}`, (tx) => recomputePositions(tx.db, agentUin), false)
        .catch(() => undefined)
        .finally(() => this.positionsRunning.delete(agentUin));
    });
  }

  /** Recomputes every agent's cache positions now (after rebuilds and bulk loads). */
  async recomputeAllPositions(): Promise<void> {
    await this.inTransaction(async (tx) => {
      for (const agent of await cachedAgents(tx.db)) await recomputePositions(tx.db, agent);
    });
  }

  async agentDeals(q: AgentDealsQuery) {
    const scope = { agentUin: q.agentUin };
    await this.readHook?.before(scope);
    await this.applyDueCacheChanges();
    const result = await queryAgentDeals(this.db, q);
    if (result.positionsStale) this.schedulePositions(q.agentUin);
    await this.readHook?.after(scope, () =>
      result.bodies.map((b) => {
        const e = JSON.parse(b) as { DealName: string; Status: string };
        return { dealName: e.DealName, status: Number(e.Status) };
      }),
    );
    return result;
  }

  async countDeals(): Promise<number> {
    const row = await this.db.selectFrom('deals').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
