/**
 * Billing's per-day deal counts (deal-counts.ts): the windowed count equals a plain COUNT(*) for
 * every window shape and status set, and the counts stay exact through every kind of write —
 * the store's upserts and lifecycle moves, fresh and non-fresh bulk loads, a reset, a platform's
 * own SQL on the table, and a database migrated with deals already in it. On both backends.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator, sql, type Kysely } from 'kysely';
import { generate } from '../../src/domain/generator.js';
import type { DealRecord } from '../../src/domain/deal.js';
import { applyLifecycle } from '../../src/services/lifecycle.js';
import { openBackend } from '../../src/store/backend.js';
import { countInWindow } from '../../src/store/deal-counts.js';
import { upsertDeals } from '../../src/store/deals.js';
import { migrationProvider } from '../../src/store/migrations.js';
import type { Database } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';
import { forEachBackend, storeOpener, type TestBackend } from '../helpers/backends.js';
import { runAll } from '../helpers/cleanup.js';

const ANCHOR = Date.parse('2026-11-24T00:00:00+08:00');

function dataset(deals: number, seed = 3) {
  return generate({ agents: 1, clients: 4, deals, seed, anchorMs: ANCHOR, batchSize: 500 });
}

/** The counts table compared with counting the deals table there and then. */
async function assertCountsExact(db: Kysely<Database>, where: string): Promise<void> {
  const kept = await db.selectFrom('deal_counts').select(['owner_uin', 'status', 'day', 'n']).orderBy('owner_uin').orderBy('status').orderBy('day').execute();
  const { rows } = await sql<{ owner_uin: string; status: number; day: string; n: number | string }>`
    select owner_uin, status, substr(create_time, 1, 10) as day, count(*) as n from deals
    group by owner_uin, status, substr(create_time, 1, 10) order by owner_uin, status, day`.execute(db);
  const recounted = rows.map((r) => ({ ...r, n: Number(r.n) }));
  assert.deepEqual(kept.map((r) => ({ ...r, n: Number(r.n) })), recounted, `deal_counts exact ${where}`);
}

async function plainCount(db: Kysely<Database>, owner: string, statuses: number[], startTime: string, endTime: string): Promise<number> {
  const r = await db
    .selectFrom('deals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('owner_uin', '=', owner)
    .where('status', 'in', statuses)
    .where('create_time', '>=', startTime)
    .where('create_time', '<=', endTime)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Windows of every shape: within one day, across a day boundary, whole days, months, the year, empty. */
const WINDOWS: Array<[string, string]> = [
  ['2026-06-10 00:00:00', '2026-06-10 23:59:59'],
  ['2026-06-10 08:30:00', '2026-06-10 17:45:12'],
  ['2026-06-10 23:00:00', '2026-06-11 01:00:00'],
  ['2026-06-10 00:00:00', '2026-06-11 23:59:59'],
  ['2026-05-27 12:00:00', '2026-08-26 12:00:00'],
  ['2026-02-28 23:59:59', '2026-03-01 00:00:00'],
  ['2025-11-24 00:00:00', '2026-11-23 23:59:59'],
  ['2020-01-01 00:00:00', '2030-12-31 23:59:59'],
  ['2026-07-01 10:00:00', '2026-07-01 10:00:00'],
  ['2031-01-01 00:00:00', '2031-06-01 00:00:00'],
];
const STATUS_SETS = [[4], [1], [6], [4, 6, 13], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30]];

forEachBackend((backend: TestBackend) => {
  const cleanups: Array<() => Promise<void>> = [];
  after(() => runAll(cleanups));

  const freshStore = storeOpener(backend, cleanups);

  let store: Store;
  let owners: string[];
  before(async () => {
    store = await freshStore();
    const data = dataset(4000);
    await store.bulkLoad({ accounts: data.accounts, bindings: data.bindings, deals: data.deals });
    owners = (await store.db.selectFrom('deals').select('owner_uin').distinct().orderBy('owner_uin').execute()).map((r) => r.owner_uin);
  });

  test('the windowed count equals COUNT(*) for every window shape and status set', async () => {
    await assertCountsExact(store.db, 'after a fresh bulk load (triggers dropped, counted once)');
    let nonZero = 0;
    for (const owner of owners.slice(0, 3)) {
      for (const [from, to] of WINDOWS) {
        for (const statuses of STATUS_SETS) {
          const expected = await plainCount(store.db, owner, statuses, from, to);
          assert.equal(await countInWindow(store.db, owner, statuses, from, to), expected, `${owner} ${JSON.stringify(statuses)} ${from} … ${to}`);
          if (expected > 0) nonZero++;
        }
      }
    }
    assert.ok(nonZero > 40, `the table exercises real counts (${nonZero} non-zero)`);
  });

  test('a fresh bulk load puts the triggers back: later writes are counted', async () => {
    const d = (await store.db.selectFrom('deals').selectAll().where('owner_uin', '=', owners[0]!).limit(1).executeTakeFirstOrThrow()) as DealRecord;
    const copy = { ...d, deal_name: `${d.deal_name.slice(0, -6)}999999`, deal_id: '999999' };
    await store.upsertDeals([copy]);
    await assertCountsExact(store.db, 'after a new deal through the store');
  });

  test('upserts that move a deal to another status, day or owner; lifecycle moves', async () => {
    const deals = (await store.db.selectFrom('deals').selectAll().where('owner_uin', '=', owners[1]!).where('status', '=', 4).where('real_total_cost', '>', 0).orderBy('deal_name').limit(6).execute()) as DealRecord[];
    assert.equal(deals.length, 6);
    await store.upsertDeals([
      { ...deals[0]!, status: 6 },
      { ...deals[1]!, create_time: '2026-01-01 00:00:00' },
      { ...deals[2]!, owner_uin: owners[2]! },
      { ...deals[3]!, goods_num: deals[3]!.goods_num + 1 },
    ]);
    await assertCountsExact(store.db, 'after upserts changing status, day, owner and an unrelated field');
    const paying = (await store.db.selectFrom('deals').selectAll().where('status', '=', 1).orderBy('deal_name').limit(1).executeTakeFirst()) as DealRecord | undefined;
    assert.ok(paying, 'the dataset has an unpaid deal');
    await applyLifecycle(store, paying.deal_name, 'pay', { now: ANCHOR });
    await applyLifecycle(store, deals[4]!.deal_name, 'refund', { now: ANCHOR });
    await assertCountsExact(store.db, 'after pay and refund');
  });

  test("a platform's own SQL on the deals table is counted too", async () => {
    const [a, b] = (await store.db.selectFrom('deals').selectAll().where('owner_uin', '=', owners[0]!).orderBy('deal_name').limit(2).execute()) as DealRecord[];
    await sql`update deals set status = 7 where deal_name = ${a!.deal_name}`.execute(store.db);
    await sql`update deals set create_time = '2026-02-02 02:02:02' where owner_uin = ${owners[0]!} and status = 4`.execute(store.db);
    await sql`delete from deals where deal_name = ${b!.deal_name}`.execute(store.db);
    await assertCountsExact(store.db, 'after raw UPDATE and DELETE');
    assert.equal(await countInWindow(store.db, owners[0]!, [4], '2026-02-02 00:00:00', '2026-02-02 23:59:59'), await plainCount(store.db, owners[0]!, [4], '2026-02-02 00:00:00', '2026-02-02 23:59:59'));
  });

  test('a non-fresh bulk load (upserts) keeps the triggers and the counts', async () => {
    const more = dataset(1500, 9);
    await store.bulkLoad({ accounts: more.accounts, bindings: more.bindings, deals: more.deals });
    await assertCountsExact(store.db, 'after a bulk load into a store with data');
  });

  test('deleting every deal leaves no counts behind', async () => {
    const other = await freshStore();
    const data = dataset(300, 4);
    await other.bulkLoad({ accounts: data.accounts, bindings: data.bindings, deals: data.deals });
    await sql`delete from deals`.execute(other.db);
    assert.deepEqual(await other.db.selectFrom('deal_counts').selectAll().execute(), []);
  });

  test('migrating a database that already holds deals counts them', async () => {
    const database = await backend.create();
    cleanups.push(database.drop);
    const backendDb = await openBackend(database.url);
    try {
      const migrator = new Migrator({ db: backendDb.db, provider: migrationProvider });
      const before = await migrator.migrateTo('0004_agent_positions');
      assert.equal(before.error, undefined);
      const data = dataset(800, 5);
      // Deals as a database at 0004 holds them: without the columns later migrations add.
      for (const batch of data.deals) await upsertDeals(backendDb.db, batch.map(({ verbatim: _, ...d }) => d as DealRecord));
      const latest = await migrator.migrateToLatest();
      assert.equal(latest.error, undefined);
      await assertCountsExact(backendDb.db, 'after migration 0005 on existing deals');
    } finally {
      await backendDb.close();
    }
  });
});
