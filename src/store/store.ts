/**
 * The store facade: one object the server, the CLI and the tests share. Every write that
 * touches deals or bindings also refreshes the partners cache in the same transaction, so a
 * crash never leaves the two disagreeing.
 */
import { Migrator, sql } from 'kysely';
import type { DealRecord } from '../domain/deal.js';
import { formatDateTime } from '../protocol/datetime.js';
import type { KeyRecord } from '../protocol/authenticate.js';
import * as accounts from './accounts.js';
import { queryAgentDeals, refreshClient, refreshDeals, type AgentDealsQuery } from './agent-cache.js';
import { openBackend, type Backend, type BackendOptions } from './backend.js';
import { queryBillingDeals, upsertDeals, type BillingQuery } from './deals.js';
import { migrationProvider } from './migrations.js';

export type { Account, Binding, NewAccount, NewKey } from './accounts.js';
export type { AgentDealsQuery } from './agent-cache.js';
export type { BillingQuery } from './deals.js';

export class Store {
  /** Migrations this process applied when it opened the store. */
  migrated: string[] = [];

  private constructor(
    private readonly backend: Backend,
    private readonly now: () => number,
  ) {}

  /** Opens the database at `url` (a SQLite path, `:memory:`, or `postgres://…`) and migrates it. */
  static async open(url: string, options: BackendOptions & { now?: () => number } = {}): Promise<Store> {
    const store = new Store(await openBackend(url, options), options.now ?? Date.now);
    store.migrated = await store.migrate();
    return store;
  }

  get kind(): Backend['kind'] {
    return this.backend.kind;
  }

  get location(): string {
    return this.backend.location;
  }

  get db() {
    return this.backend.db;
  }

  private stamp(): string {
    return formatDateTime(this.now());
  }

  async migrate(): Promise<string[]> {
    const { error, results } = await new Migrator({ db: this.db, provider: migrationProvider }).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
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
    await this.db.transaction().execute(async (trx) => {
      await accounts.bindClient(trx, b, this.stamp());
      await refreshClient(trx, b.clientUin);
    });
  }

  /** All-or-nothing: either every record is written (and cached) or none is. */
  async upsertDeals(records: readonly DealRecord[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await upsertDeals(trx, records);
      await refreshDeals(trx, records);
    });
  }

  billingDeals(q: BillingQuery) {
    return queryBillingDeals(this.db, q);
  }

  agentDeals(q: AgentDealsQuery) {
    return queryAgentDeals(this.db, q);
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
