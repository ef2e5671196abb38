/**
 * Schema migrations, written once with Kysely's schema builder so they run unchanged on SQLite
 * and PostgreSQL. Indexes serve every filter of both actions in both sort orders (an index on
 * `(…, create_time, deal_name)` is walked forwards for oldest-first and backwards for newest-first).
 */
import { PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider, type RawBuilder } from 'kysely';
import { CACHE_COUNT_FUNCTION, cacheCountTriggers, recountCache } from './cache-counts.js';
import { dealCountTriggers, recountDeals } from './deal-counts.js';

/**
 * Text compares and sorts by its bytes on both engines. SQLite does so by default (BINARY); a
 * PostgreSQL text column otherwise takes the database's default collation, and under a
 * natural-language one (`en_US.UTF-8`, ICU `en-US`) `ORDER BY deal_name` puts "a" before "B" and
 * ignores punctuation at first, where SQLite puts "B" first: the same query would page the same
 * deals in another order. Collation "C" is byte order (UTF-8 bytes, like SQLite's memcmp), and the
 * indexes built on these columns use it too.
 */
function textType(db: Kysely<any>): 'text' | RawBuilder<unknown> {
  return isPostgres(db) ? sql`text collate "C"` : 'text';
}

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

const initial: Migration = {
  async up(db: Kysely<any>) {
    const text = textType(db);
    await db.schema
      .createTable('accounts')
      .addColumn('uin', text, (c) => c.primaryKey())
      .addColumn('app_id', text, (c) => c.notNull())
      .addColumn('is_agent', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', text, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('secret_id', text, (c) => c.primaryKey())
      .addColumn('secret_key', text, (c) => c.notNull())
      .addColumn('uin', text, (c) => c.notNull().references('accounts.uin'))
      .addColumn('created_at', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('api_keys_uin').on('api_keys').column('uin').execute();

    await db.schema
      .createTable('agent_clients')
      .addColumn('client_uin', text, (c) => c.primaryKey())
      .addColumn('agent_uin', text, (c) => c.notNull())
      .addColumn('client_type', text, (c) => c.notNull())
      .addColumn('project_type', text, (c) => c.notNull())
      .addColumn('sales_uin', text, (c) => c.notNull())
      .addColumn('client_remark', text, (c) => c.notNull())
      .addColumn('bound_at', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('agent_clients_agent').on('agent_clients').column('agent_uin').execute();

    await db.schema
      .createTable('deals')
      .addColumn('deal_name', text, (c) => c.primaryKey())
      .addColumn('deal_id', text, (c) => c.notNull())
      .addColumn('big_deal_id', text, (c) => c.notNull())
      .addColumn('owner_uin', text, (c) => c.notNull())
      .addColumn('app_id', text, (c) => c.notNull())
      .addColumn('creator', text, (c) => c.notNull())
      .addColumn('payer', text, (c) => c.notNull())
      .addColumn('payer_mode', 'integer', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('action_type', text, (c) => c.notNull())
      .addColumn('goods_category_id', 'bigint', (c) => c.notNull())
      .addColumn('goods_name', text, (c) => c.notNull())
      .addColumn('sub_goods_name', text, (c) => c.notNull())
      .addColumn('goods_num', 'integer', (c) => c.notNull())
      .addColumn('real_total_cost', 'bigint', (c) => c.notNull())
      .addColumn('original_total_cost', 'bigint', (c) => c.notNull())
      .addColumn('voucher_decline', 'bigint', (c) => c.notNull())
      .addColumn('product_info', text, (c) => c.notNull())
      .addColumn('payment_method', text, (c) => c.notNull())
      .addColumn('resource_ids', text, (c) => c.notNull())
      .addColumn('refund_map', text, (c) => c.notNull())
      .addColumn('bill_id', text, (c) => c.notNull())
      .addColumn('activity_id', text, (c) => c.notNull())
      .addColumn('create_time', text, (c) => c.notNull())
      .addColumn('update_time', text, (c) => c.notNull())
      .addColumn('pay_end_time', text, (c) => c.notNull())
      .addColumn('overdue_time', text, (c) => c.notNull())
      .addColumn('client_type', text)
      .addColumn('project_type', text)
      .addColumn('sales_uin', text)
      .addColumn('client_remark', text)
      .addColumn('pay_mode', text, (c) => c.notNull())
      .addColumn('product_code', text, (c) => c.notNull())
      .addColumn('sub_product_code', text, (c) => c.notNull())
      .addColumn('time_span', 'double precision', (c) => c.notNull())
      .addColumn('time_unit', text, (c) => c.notNull())
      .addColumn('currency', text, (c) => c.notNull())
      .addColumn('policy', 'double precision', (c) => c.notNull())
      .addColumn('price', 'double precision', (c) => c.notNull())
      .addColumn('total_cost', 'double precision', (c) => c.notNull())
      .addColumn('formula', text, (c) => c.notNull())
      .addColumn('ref_return_deals', text, (c) => c.notNull())
      .addColumn('project_id', 'bigint', (c) => c.notNull())
      .addColumn('zone_code', text)
      .execute();
    await db.schema.createIndex('deals_owner_time').on('deals').columns(['owner_uin', 'create_time', 'deal_name']).execute();
    await db.schema.createIndex('deals_owner_status_time').on('deals').columns(['owner_uin', 'status', 'create_time', 'deal_name']).execute();
    await db.schema.createIndex('deals_big_deal').on('deals').columns(['big_deal_id']).execute();

    await db.schema
      .createTable('deal_resources')
      .addColumn('resource_id', text, (c) => c.notNull())
      .addColumn('deal_name', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('deal_resources_pk', ['resource_id', 'deal_name'])
      .execute();
    await db.schema.createIndex('deal_resources_deal').on('deal_resources').column('deal_name').execute();

    await db.schema
      .createTable('agent_deal_cache')
      .addColumn('deal_name', text, (c) => c.primaryKey())
      .addColumn('agent_uin', text, (c) => c.notNull())
      .addColumn('owner_uin', text, (c) => c.notNull())
      .addColumn('create_time', text, (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('payer_mode', 'integer', (c) => c.notNull())
      .addColumn('big_deal_id', text, (c) => c.notNull())
      .addColumn('body', text, (c) => c.notNull())
      .execute();
    for (const [name, cols] of [
      ['adc_agent_time', ['agent_uin', 'create_time', 'deal_name']],
      ['adc_agent_status_time', ['agent_uin', 'status', 'create_time', 'deal_name']],
      ['adc_agent_owner_time', ['agent_uin', 'owner_uin', 'create_time', 'deal_name']],
      ['adc_agent_payer_time', ['agent_uin', 'payer_mode', 'create_time', 'deal_name']],
      ['adc_agent_big_deal', ['agent_uin', 'big_deal_id']],
    ] as const) {
      await db.schema.createIndex(name).on('agent_deal_cache').columns([...cols]).execute();
    }

    await db.schema
      .createTable('meta')
      .addColumn('key', text, (c) => c.primaryKey())
      .addColumn('value', text, (c) => c.notNull())
      .execute();
  },
};

/** Changes waiting to reach the partners cache when a cache lag is configured (sandbox staleness). */
const cachePending: Migration = {
  async up(db: Kysely<any>) {
    const text = textType(db);
    await db.schema
      .createTable('agent_cache_pending')
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('key', text, (c) => c.notNull())
      .addColumn('changed_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('agent_cache_pending_pk', ['kind', 'key'])
      .execute();
    await db.schema.createIndex('agent_cache_pending_time').on('agent_cache_pending').column('changed_at').execute();
  },
};

/**
 * Partners queries by owners and status: with only (agent, status, time) SQLite walked every
 * deal of that status and read each row to test its owner (826 ms at 100k deals). This index
 * answers `owner_uin IN (…) AND status = ?` by seeking each owner, then sorts the few matches.
 */
const ownerStatusIndex: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('adc_agent_owner_status_time').on('agent_deal_cache').columns(['agent_uin', 'owner_uin', 'status', 'create_time', 'deal_name']).execute();
  },
};

/** Row positions per agent in the partners cache (see agent-positions.ts). */
const agentPositions: Migration = {
  async up(db: Kysely<any>) {
    const text = textType(db);
    await db.schema.alterTable('agent_deal_cache').addColumn('pos', 'bigint').execute();
    await db.schema.createIndex('adc_agent_pos').on('agent_deal_cache').columns(['agent_uin', 'pos']).execute();
    await db.schema
      .createTable('agent_cache_order')
      .addColumn('agent_uin', text, (c) => c.primaryKey())
      .addColumn('valid', 'integer', (c) => c.notNull())
      .addColumn('total', 'bigint', (c) => c.notNull())
      .execute();
  },
};

/** Deal counts per owner, status and day, kept by triggers, for billing's TotalCount (see deal-counts.ts). */
const dealCounts: Migration = {
  async up(db: Kysely<any>) {
    const text = textType(db);
    await db.schema
      .createTable('deal_counts')
      .addColumn('owner_uin', text, (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('day', text, (c) => c.notNull())
      .addColumn('n', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('deal_counts_pk', ['owner_uin', 'status', 'day'])
      .execute();
    for (const statement of dealCountTriggers(isPostgres(db) ? 'postgres' : 'sqlite')) await sql.raw(statement).execute(db);
    await recountDeals(db);
  },
};

/** Partners fields an import kept verbatim (see src/domain/verbatim.ts): nullable, so existing rows need nothing. */
const dealVerbatim: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('deals').addColumn('verbatim', textType(db)).execute();
  },
};

/**
 * Partners queries by owners and payer mode: with (agent, payer_mode, time) SQLite walked every
 * deal of the payer mode testing its owner (3.6 s for two owners at a million deals); this index
 * answers each owner's range of one payer mode in time order.
 */
const ownerPayerIndex: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('adc_agent_owner_payer_time').on('agent_deal_cache').columns(['agent_uin', 'owner_uin', 'payer_mode', 'create_time', 'deal_name']).execute();
  },
};

/**
 * The reseller's workflow (partners clients, applications, unbinds, salespeople), with an index for
 * every filter of their actions: the agent's clients by approval time, sales UIN, client type,
 * project type and remark; applications and unbinds by agent, status and time; salespeople by
 * agent and creation time. Name filters are substring matches (no index can serve them; they
 * run over one agent's rows).
 */
const partnersClients: Migration = {
  async up(db: Kysely<any>) {
    const text = textType(db);
    await db.schema
      .createTable('client_profiles')
      .addColumn('client_uin', text, (c) => c.primaryKey())
      .addColumn('client_name', text, (c) => c.notNull())
      .addColumn('client_flag', text, (c) => c.notNull())
      .addColumn('mail', text, (c) => c.notNull())
      .addColumn('phone', text, (c) => c.notNull())
      .addColumn('has_overdue_bill', 'integer', (c) => c.notNull())
      .addColumn('auth_type', text, (c) => c.notNull())
      .addColumn('transaction_type', text, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('salesmen')
      .addColumn('sales_uin', text, (c) => c.primaryKey())
      .addColumn('agent_uin', text, (c) => c.notNull())
      .addColumn('sales_name', text, (c) => c.notNull())
      .addColumn('create_time', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('salesmen_agent_time').on('salesmen').columns(['agent_uin', 'create_time', 'sales_uin']).execute();
    await db.schema
      .createTable('client_applications')
      .addColumn('client_uin', text, (c) => c.primaryKey())
      .addColumn('agent_uin', text, (c) => c.notNull())
      .addColumn('apply_time', text, (c) => c.notNull())
      .addColumn('status', text, (c) => c.notNull())
      .addColumn('sales_uin', text, (c) => c.notNull())
      .addColumn('client_type', text, (c) => c.notNull())
      .addColumn('project_type', text, (c) => c.notNull())
      .addColumn('increase_goal', text, (c) => c.notNull())
      .addColumn('note', text, (c) => c.notNull())
      .addColumn('decided_at', text)
      .execute();
    await db.schema.createIndex('client_applications_agent').on('client_applications').columns(['agent_uin', 'status', 'apply_time', 'client_uin']).execute();
    await db.schema
      .createTable('unbind_applications')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('agent_uin', text, (c) => c.notNull())
      .addColumn('client_uin', text, (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('apply_time', text, (c) => c.notNull())
      .addColumn('action_time', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('unbind_applications_agent').on('unbind_applications').columns(['agent_uin', 'status', 'apply_time', 'id']).execute();
    await db.schema.createIndex('unbind_applications_client').on('unbind_applications').columns(['agent_uin', 'client_uin']).execute();
    for (const [name, cols] of [
      ['agent_clients_agent_bound', ['agent_uin', 'bound_at', 'client_uin']],
      ['agent_clients_agent_sales', ['agent_uin', 'sales_uin']],
      ['agent_clients_agent_type', ['agent_uin', 'client_type']],
      ['agent_clients_agent_project', ['agent_uin', 'project_type']],
      ['agent_clients_agent_remark', ['agent_uin', 'client_remark']],
    ] as const) {
      await db.schema.createIndex(name).on('agent_clients').columns([...cols]).execute();
    }
  },
};

/** Partners cache rows counted per agent, day, status and payer mode, kept by triggers (see cache-counts.ts). */
const agentCacheCounts: Migration = {
  async up(db: Kysely<any>) {
    const text = textType(db);
    await db.schema
      .createTable('agent_cache_counts')
      .addColumn('agent_uin', text, (c) => c.notNull())
      .addColumn('day', text, (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('payer_mode', 'integer', (c) => c.notNull())
      .addColumn('n', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('agent_cache_counts_pk', ['agent_uin', 'day', 'status', 'payer_mode'])
      .execute();
    const kind = isPostgres(db) ? 'postgres' : 'sqlite';
    if (kind === 'postgres') await sql.raw(CACHE_COUNT_FUNCTION).execute(db);
    for (const statement of cacheCountTriggers(kind)) await sql.raw(statement).execute(db);
    await recountCache(db);
  },
};

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': initial,
  '0002_agent_cache_pending': cachePending,
  '0003_agent_owner_status_index': ownerStatusIndex,
  '0004_agent_positions': agentPositions,
  '0005_deal_counts': dealCounts,
  '0006_deal_verbatim': dealVerbatim,
  '0007_agent_owner_payer_index': ownerPayerIndex,
  '0008_partners_clients': partnersClients,
  '0009_agent_cache_counts': agentCacheCounts,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
