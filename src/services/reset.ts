/**
 * The stored state as a whole: counting what it holds, and emptying it (to nothing, or to the
 * demo dataset) in one transaction. Used by the admin API's `/state` and `/reset`, and by
 * snapshot loads (snapshot.ts), which start from an empty store too.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { DEMO_META_KEY, seedDemoIfEmpty } from '../store/seed.js';
import type { Store } from '../store/store.js';

type Db = Kysely<Database>;

export interface StateCounts {
  accounts: number;
  agents: number;
  keys: number;
  bindings: number;
  deals: number;
  cachedDeals: number;
  pendingCacheChanges: number;
  clientProfiles: number;
  salesmen: number;
  clientApplications: number;
  unbindApplications: number;
}

export async function countOf(db: Db, table: keyof Database, where?: [string, number]): Promise<number> {
  let q = db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n'));
  if (where) q = q.where(where[0] as never, '=', where[1] as never);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function stateCounts(db: Db): Promise<StateCounts> {
  return {
    accounts: await countOf(db, 'accounts'),
    agents: await countOf(db, 'accounts', ['is_agent', 1]),
    keys: await countOf(db, 'api_keys'),
    bindings: await countOf(db, 'agent_clients'),
    deals: await countOf(db, 'deals'),
    cachedDeals: await countOf(db, 'agent_deal_cache'),
    pendingCacheChanges: await countOf(db, 'agent_cache_pending'),
    clientProfiles: await countOf(db, 'client_profiles'),
    salesmen: await countOf(db, 'salesmen'),
    clientApplications: await countOf(db, 'client_applications'),
    unbindApplications: await countOf(db, 'unbind_applications'),
  };
}

/**
 * Every table, children before parents (api_keys references accounts). The cache's derived
 * tables go too: a position state left behind would describe rows that no longer exist.
 */
const TABLES_TO_CLEAR = [
  'agent_deal_cache', 'agent_cache_counts', 'agent_cache_order', 'agent_cache_pending', 'deal_resources', 'deals', 'deal_counts', 'agent_clients', 'api_keys', 'accounts', 'meta',
  'client_profiles', 'salesmen', 'client_applications', 'unbind_applications',
] as const satisfies ReadonlyArray<keyof Database>;
// A new table fails to compile here until it is cleared above and its place in snapshots decided below.
type UnclearedTable = Exclude<keyof Database, (typeof TABLES_TO_CLEAR)[number]>;
const everyTableCleared: [UnclearedTable] extends [never] ? true : UnclearedTable = true;
void everyTableCleared;

export async function clearTables(db: Db): Promise<void> {
  for (const table of TABLES_TO_CLEAR) await db.deleteFrom(table).execute();
}

/** What `reset` to empty leaves in `meta`: the demo seed counts as settled, so a restart with the demo on does not re-seed (and readiness stays ready). */
export const EMPTY_RESET_MARK = JSON.stringify({ reset: 'empty' });

/**
 * Empties every table (accounts, keys, bindings, deals, the partners cache and its queue, meta)
 * in one transaction, then seeds the demo dataset when `to` is `demo`. The demo is visible in the
 * partners view at once, whatever the cache lag: it is a fresh start, not a change.
 */
export async function resetStore(store: Store, to: 'empty' | 'demo'): Promise<{ deals: number }> {
  const result = await store.exclusive('tcdeals:admin-reset', async (tx) => {
    await clearTables(tx.db);
    if (to === 'empty') {
      await tx.setMeta(DEMO_META_KEY, EMPTY_RESET_MARK);
      return { deals: 0 };
    }
    tx.cacheLagMs = 0;
    const seeded = await seedDemoIfEmpty(tx);
    return { deals: seeded.deals };
  });
  return result!;
}
