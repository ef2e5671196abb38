/**
 * The partners cache's per-day counts (cache-counts.ts): a page read through them — TotalCount and
 * the rows at any Offset, both orders — equals a plain COUNT(*) and OFFSET over the cache for every
 * window shape, status and payer mode; and the counts stay exact through every kind of write —
 * the store's upserts, re-bindings, fresh and non-fresh bulk loads, cache rebuilds, a reset, and a
 * database migrated with cache rows already in it. On both backends.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator, sql, type Kysely } from 'kysely';
import { generate } from '../../src/domain/generator.js';
import type { Binding } from '../../src/domain/account.js';
import type { DealRecord } from '../../src/domain/deal.js';
import { resetStore } from '../../src/services/reset.js';
import { CACHE_COUNT_TRIGGERS, countedPage, type CountedQuery } from '../../src/store/cache-counts.js';
import { migrationProvider } from '../../src/store/migrations.js';
import type { Database } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';
import { forEachBackend, storeOpener, type TestBackend } from '../helpers/backends.js';
import { assertCacheCountsExact } from '../helpers/cache-counts.js';
import { runAll } from '../helpers/cleanup.js';

const ANCHOR = Date.parse('2026-11-24T00:00:00+08:00');

function dataset(deals: number, seed = 3) {
  return generate({ agents: 1, clients: 4, deals, seed, anchorMs: ANCHOR, batchSize: 500 });
}

/** The same page the plain way: every match counted, Offset rows walked. */
async function plainPage(db: Kysely<Database>, q: CountedQuery): Promise<{ total: number; bodies: string[] }> {
  let rows = db.selectFrom('agent_deal_cache').where('agent_uin', '=', q.agentUin);
  if (q.startTime !== undefined) rows = rows.where('create_time', '>=', q.startTime);
  if (q.endTime !== undefined) rows = rows.where('create_time', '<=', q.endTime);
  if (q.status !== undefined) rows = rows.where('status', '=', q.status);
  if (q.payerMode !== undefined) rows = rows.where('payer_mode', '=', q.payerMode);
  const { n } = await rows.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  const dir = q.ascending ? 'asc' : 'desc';
  const page = await rows.select('body').orderBy('create_time', dir).orderBy('deal_name', dir).limit(q.limit).offset(q.offset).execute();
  return { total: Number(n), bodies: page.map((r) => r.body) };
}

/** Windows of every shape: open on either side or both, within one day, across day boundaries, months, the year, none. */
const WINDOWS: Array<[string | undefined, string | undefined]> = [
  [undefined, undefined],
  ['2026-06-10 08:30:00', undefined],
  [undefined, '2026-06-10 17:45:12'],
  ['2026-06-10 00:00:00', '2026-06-10 23:59:59'],
  ['2026-06-10 08:30:00', '2026-06-10 17:45:12'],
  ['2026-06-10 23:00:00', '2026-06-11 01:00:00'],
  ['2026-05-27 12:00:00', '2026-08-26 12:00:00'],
  ['2025-11-24 00:00:00', '2026-11-23 23:59:59'],
  ['2026-07-01 10:00:00', '2026-07-01 10:00:00'],
  ['2031-01-01 00:00:00', '2031-06-01 00:00:00'],
  ['2026-08-01 00:00:00', '2026-07-01 00:00:00'],
];
const FILTERS: Array<Pick<CountedQuery, 'status' | 'payerMode'>> = [{}, { status: 4 }, { status: 6 }, { payerMode: 0 }, { payerMode: 1 }, { status: 4, payerMode: 1 }, { status: 99 }];

forEachBackend((backend: TestBackend) => {
  const cleanups: Array<() => Promise<void>> = [];
  after(() => runAll(cleanups));

  const freshStore = storeOpener(backend, cleanups);

  let store: Store;
  let agent: string;
  before(async () => {
    store = await freshStore();
    const data = dataset(4000);
    await store.bulkLoad({ accounts: data.accounts, bindings: data.bindings, deals: data.deals });
    agent = (await store.db.selectFrom('agent_clients').select('agent_uin').executeTakeFirstOrThrow()).agent_uin;
  });

  test('a page through the counts equals COUNT(*) and OFFSET for every window, filter, order and offset', async () => {
    await assertCacheCountsExact(store.db, 'after a fresh bulk load (triggers dropped, counted once)');
    let checked = 0;
    let deep = 0;
    for (const [startTime, endTime] of WINDOWS) {
      for (const filter of FILTERS) {
        for (const ascending of [false, true]) {
          const base = { agentUin: agent, startTime, endTime, ascending, ...filter };
          const { total } = await plainPage(store.db, { ...base, offset: 0, limit: 1 });
          // The first page, pages across day boundaries deep inside, the last rows, and past the end.
          for (const offset of new Set([0, 7, Math.floor(total / 3), Math.floor(total / 2) + 3, Math.max(0, total - 5), total, total + 10])) {
            for (const limit of [1, 20, 100]) {
              const q = { ...base, offset, limit };
              assert.deepEqual(await countedPage(store.db, q), await plainPage(store.db, q), JSON.stringify(q));
              checked++;
              if (offset > 100 && offset < total) deep++;
            }
          }
        }
      }
    }
    assert.ok(checked > 500 && deep > 100, `the table exercises real pages (${checked} pages, ${deep} deep)`);
  });

  test('store.agentDeals answers status and payer filters through the counts: the same rows as the plain way', async () => {
    const q = { agentUin: agent, status: 4, payerMode: 0, ascending: false, offset: 123, limit: 50 };
    const page = await store.agentDeals(q);
    const plain = await plainPage(store.db, q);
    assert.equal(page.total, plain.total);
    assert.deepEqual(page.bodies, plain.bodies);
    assert.ok(plain.total > 173, `a page deep inside (${plain.total} matches)`);
  });

  test('upserts that move a cache row to another status, day or payer mode; a re-binding', async () => {
    const deals = (await store.db.selectFrom('deals').selectAll().where('status', '=', 4).where('pay_mode', '=', 'prePay').orderBy('deal_name').limit(4).execute()) as DealRecord[];
    assert.equal(deals.length, 4);
    await store.upsertDeals([
      { ...deals[0]!, status: 6 },
      { ...deals[1]!, create_time: '2026-01-01 00:00:00' },
      { ...deals[2]!, payer_mode: deals[2]!.payer_mode === 0 ? 1 : 0 },
      { ...deals[3]!, goods_num: deals[3]!.goods_num + 1 },
    ]);
    await assertCacheCountsExact(store.db, 'after upserts changing status, day, payer mode and an unrelated field');
    const binding = await store.db.selectFrom('agent_clients').selectAll().orderBy('client_uin').executeTakeFirstOrThrow();
    await store.bindClient({ agentUin: binding.agent_uin, clientUin: binding.client_uin, clientType: binding.client_type as Binding['clientType'], projectType: binding.project_type as Binding['projectType'], salesUin: binding.sales_uin, clientRemark: 'counted again' });
    await assertCacheCountsExact(store.db, 'after re-binding a client (its rows deleted and written again)');
  });

  test('a non-fresh bulk load, a cache rebuild, then new writes: the counts stay exact', async () => {
    const more = dataset(1500, 9);
    await store.bulkLoad({ accounts: more.accounts, bindings: more.bindings, deals: more.deals });
    await assertCacheCountsExact(store.db, 'after a bulk load into a store with data');
    // A platform's own SQL on the deals: the cache (and its counts) follow at the rebuild.
    await sql`update deals set status = 7 where status = 4 and pay_mode = 'prePay' and deal_name in (select deal_name from deals where status = 4 order by deal_name limit 40)`.execute(store.db);
    const rebuilt = await store.rebuildAgentCache({ wait: true });
    assert.equal(rebuilt.rebuilt, true);
    await assertCacheCountsExact(store.db, 'after a cache rebuild (counted once, not by triggers)');
    const d = (await store.db.selectFrom('deals').selectAll().where('pay_mode', '=', 'prePay').orderBy('deal_name').limit(1).executeTakeFirstOrThrow()) as DealRecord;
    await store.upsertDeals([{ ...d, deal_name: `${d.deal_name.slice(0, -6)}999999`, deal_id: '999999' }, { ...d, status: d.status === 4 ? 7 : 4 }]);
    await assertCacheCountsExact(store.db, 'after writes following a rebuild (its triggers are back)');
  });

  test('a reset leaves no counts behind', async () => {
    const other = await freshStore();
    const data = dataset(300, 4);
    await other.bulkLoad({ accounts: data.accounts, bindings: data.bindings, deals: data.deals });
    await resetStore(other, 'empty');
    assert.deepEqual(await other.db.selectFrom('agent_cache_counts').selectAll().execute(), []);
  });

  test('migrating a database whose cache already has rows counts them', async () => {
    const loaded = await freshStore();
    const data = dataset(600, 5);
    await loaded.bulkLoad({ accounts: data.accounts, bindings: data.bindings, deals: data.deals });
    // As a database at 0008 holds its cache: rows, no counts table, no triggers.
    const on = backend.name === 'postgres' ? ' on agent_deal_cache' : '';
    for (const t of CACHE_COUNT_TRIGGERS) await sql.raw(`drop trigger if exists ${t}${on}`).execute(loaded.db);
    await sql`drop table agent_cache_counts`.execute(loaded.db);
    await sql`delete from kysely_migration where name = '0009_agent_cache_counts'`.execute(loaded.db);
    assert.equal((await new Migrator({ db: loaded.db, provider: migrationProvider }).migrateToLatest()).error, undefined);
    await assertCacheCountsExact(loaded.db, 'after migration 0009 on an existing cache');
  });
});
