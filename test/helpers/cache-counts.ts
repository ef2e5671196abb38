/** The partners cache's per-day counts (src/store/cache-counts.ts) against counting the cache there and then. */
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

export async function assertCacheCountsExact(db: Kysely<Database>, where: string): Promise<void> {
  const kept = await db.selectFrom('agent_cache_counts').select(['agent_uin', 'day', 'status', 'payer_mode', 'n']).orderBy('agent_uin').orderBy('day').orderBy('status').orderBy('payer_mode').execute();
  const { rows } = await sql<{ agent_uin: string; day: string; status: number; payer_mode: number; n: number | string }>`
    select agent_uin, substr(create_time, 1, 10) as day, status, payer_mode, count(*) as n from agent_deal_cache
    group by agent_uin, substr(create_time, 1, 10), status, payer_mode order by agent_uin, day, status, payer_mode`.execute(db);
  assert.ok(rows.length > 0, `the cache has rows ${where}`);
  assert.deepEqual(
    kept.map((r) => ({ ...r, n: Number(r.n) })),
    rows.map((r) => ({ ...r, n: Number(r.n) })),
    `agent_cache_counts exact ${where}`,
  );
}
