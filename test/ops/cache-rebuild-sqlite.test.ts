/**
 * The partners cache rebuild on SQLite: it renders the new rows before it takes the write lock,
 * so another process's write (an import) goes through at once instead of waiting for the whole
 * rebuild; what is written meanwhile is visible at once and still in the cache after the swap; the
 * swap writes only what differs, leaving positions and counts exact; one rebuild at a time, and
 * the mark of a rebuild that died expires.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { DealRecord } from '../../src/domain/deal.js';
import { generate } from '../../src/domain/generator.js';
import { REBUILD_MARK, REBUILD_MARK_TTL_MS } from '../../src/store/agent-positions.js';
import { RebuildMarkLost, Store } from '../../src/store/store.js';
import { assertCacheCountsExact } from '../helpers/cache-counts.js';

const ANCHOR = Date.parse('2026-11-24T00:00:00+08:00');

/** Every cache row with its position, in name order: what a client can read, byte for byte. */
async function cacheRows(store: Store): Promise<string> {
  const rows = await store.db.selectFrom('agent_deal_cache').select(['deal_name', 'agent_uin', 'owner_uin', 'create_time', 'status', 'payer_mode', 'big_deal_id', 'body', 'pos']).orderBy('deal_name').execute();
  return JSON.stringify(rows.map((r) => ({ ...r, pos: r.pos === null ? null : Number(r.pos) })));
}

/** Positions as a ranking from scratch gives them, and the counts as counting gives them. */
async function assertDerivedExact(store: Store): Promise<void> {
  const { rows: wrong } = await sql<{ n: number }>`select count(*) as n from agent_deal_cache c join (
      select deal_name, row_number() over (partition by agent_uin order by create_time, deal_name) as rn from agent_deal_cache) r
      on r.deal_name = c.deal_name where c.pos is not r.rn`.execute(store.db);
  assert.equal(Number(wrong[0]!.n), 0, 'every position is its rank');
  const order = await store.db.selectFrom('agent_cache_order').selectAll().execute();
  assert.ok(order.length > 0 && order.every((o) => Number(o.valid) === 1), 'positions valid');
  await assertCacheCountsExact(store.db, 'after the rebuild');
}

describe('partners cache rebuild on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcdeals-rebuild-'));
  const file = join(dir, 'deals.db');
  let a: Store;
  let b: Store;

  before(async () => {
    a = await Store.open(file);
    const data = generate({ agents: 1, clients: 20, deals: 40_000, seed: 11, anchorMs: ANCHOR, batchSize: 2000 });
    await a.bulkLoad({ accounts: data.accounts, bindings: data.bindings, deals: data.deals });
    await a.recomputeAllPositions();
    // Another process, as far as SQLite is concerned: its own connection to the file.
    b = await Store.open(file);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('another connection writes while the rebuild renders: at once, visible at once, and kept by the swap', async () => {
    const before = await cacheRows(b);
    const original = (await b.db.selectFrom('deals').selectAll().where('pay_mode', '=', 'prePay').where('status', '=', 4).orderBy('deal_name').limit(1).executeTakeFirstOrThrow()) as DealRecord;
    const fresh = { ...original, deal_name: `${original.deal_name}99`, deal_id: '99', create_time: '2026-12-01 12:00:00' };
    const agentUin = (await b.db.selectFrom('agent_clients').select('agent_uin').executeTakeFirstOrThrow()).agent_uin;

    const rebuild = a.rebuildAgentCache({ wait: true });
    const deadline = Date.now() + 20_000;
    while ((await b.getMeta(REBUILD_MARK)) === undefined) {
      if (Date.now() > deadline) assert.fail('the rebuild never set its mark');
      await sleep(2);
    }
    const writeStarted = Date.now();
    await b.upsertDeals([{ ...original, status: 6 }, fresh]);
    const writeMs = Date.now() - writeStarted;
    assert.notEqual(await b.getMeta(REBUILD_MARK), undefined, 'the write finished while the rebuild was still rendering');
    assert.ok(writeMs < 2_000, `the write did not wait for the rebuild (${writeMs} ms)`);
    const during = await b.agentDeals({ agentUin, ascending: false, dealNames: [fresh.deal_name, original.deal_name], offset: 0, limit: 10 });
    assert.deepEqual(during.bodies.map((x) => [JSON.parse(x).DealName, JSON.parse(x).Status]).sort(), [[fresh.deal_name, '4'], [original.deal_name, '6']].sort(), 'readers see both writes at once');

    const r = await rebuild;
    assert.ok(r.rebuilt);
    assert.equal(await b.getMeta(REBUILD_MARK), undefined, 'the mark is gone');
    const rows = await b.db.selectFrom('agent_deal_cache').select(['deal_name', 'status']).where('deal_name', 'in', [original.deal_name, fresh.deal_name]).execute();
    assert.deepEqual(rows.map((x) => [x.deal_name, x.status]).sort(), [[fresh.deal_name, 4], [original.deal_name, 6]].sort(), 'the writes queued while rendering were applied after the swap');
    assert.deepEqual(await b.db.selectFrom('agent_cache_pending').selectAll().execute(), [], 'the queue is empty');
    await assertDerivedExact(b);
    console.log(`# a ${r.ms} ms rebuild; a write by another connection while it rendered took ${writeMs} ms`);

    // Back as it was: the rebuild confirms the rows (writing nothing that is already right).
    await b.db.deleteFrom('deals').where('deal_name', '=', fresh.deal_name).execute();
    await b.upsertDeals([original]);
    assert.ok((await a.rebuildAgentCache({ wait: true })).rebuilt);
    assert.equal(await cacheRows(b), before, 'the same rows and positions as before the writes');
    await assertDerivedExact(b);
  });

  test('the swap repairs what drifted: rows of deals changed behind the cache, rows whose deal is gone, wrong positions', async () => {
    const before = await cacheRows(b);
    const [x, y] = (await b.db.selectFrom('deals').selectAll().where('pay_mode', '=', 'prePay').orderBy('deal_name').limit(2).execute()) as DealRecord[];
    // A platform's own SQL on the deals (the cache does not follow), and a cache row damaged.
    await sql`update deals set goods_num = goods_num + 1 where deal_name = ${x!.deal_name}`.execute(b.db);
    await sql`update agent_deal_cache set pos = pos + 7, body = '{}' where deal_name = ${y!.deal_name}`.execute(b.db);
    const ghost = { ...x!, deal_name: `${x!.deal_name}77`, deal_id: '77' };
    await b.upsertDeals([ghost]);
    await sql`delete from deals where deal_name = ${ghost.deal_name}`.execute(b.db);
    assert.ok((await a.rebuildAgentCache()).rebuilt);
    const rows = new Map((await b.db.selectFrom('agent_deal_cache').select(['deal_name', 'body']).where('deal_name', 'in', [x!.deal_name, y!.deal_name, ghost.deal_name]).execute()).map((r) => [r.deal_name, JSON.parse(r.body)]));
    assert.equal(rows.get(x!.deal_name).GoodsNum, String(x!.goods_num + 1), 'the changed deal re-rendered');
    assert.equal(rows.get(y!.deal_name).DealName, y!.deal_name, 'the damaged row rendered again');
    assert.equal(rows.has(ghost.deal_name), false, 'the row of a deal deleted behind the cache is gone');
    await assertDerivedExact(b);
    await sql`update deals set goods_num = goods_num - 1 where deal_name = ${x!.deal_name}`.execute(b.db);
    assert.ok((await a.rebuildAgentCache()).rebuilt);
    assert.equal(await cacheRows(b), before);
  });

  test('a rebuild whose mark goes while it renders (a reset, an expiry) gives up and changes nothing', async () => {
    const before = await cacheRows(b);
    const original = (await b.db.selectFrom('deals').selectAll().where('pay_mode', '=', 'prePay').where('status', '=', 4).orderBy('deal_name').limit(1).executeTakeFirstOrThrow()) as DealRecord;
    const rebuild = a.rebuildAgentCache({ wait: true });
    const deadline = Date.now() + 20_000;
    while ((await b.getMeta(REBUILD_MARK)) === undefined) {
      if (Date.now() > deadline) assert.fail('the rebuild never set its mark');
      await sleep(2);
    }
    await b.db.deleteFrom('meta').where('key', '=', REBUILD_MARK).execute();
    // Not queued for the rebuild any more: had its staged rows replaced the live ones, this would be lost.
    await b.upsertDeals([{ ...original, status: 6 }]);
    await assert.rejects(rebuild, RebuildMarkLost);
    assert.equal((await b.db.selectFrom('agent_deal_cache').select('status').where('deal_name', '=', original.deal_name).executeTakeFirstOrThrow()).status, 6, 'the write stays');
    await b.upsertDeals([original]);
    assert.equal(await cacheRows(b), before);
    const { rows } = await sql<{ n: number }>`select count(*) as n from temp.sqlite_master where name like 'tcdeals_cache_%'`.execute(a.db);
    assert.equal(Number(rows[0]!.n), 0, 'its scratch tables are gone');
  });

  test("one rebuild at a time; a dead rebuild's mark expires", async () => {
    await b.setMeta(REBUILD_MARK, String(Date.now()));
    const refused = await a.rebuildAgentCache();
    assert.equal(refused.rebuilt, false, 'a live mark: the second rebuild gives up at once');
    assert.equal(refused.rows, 0);
    await b.setMeta(REBUILD_MARK, String(Date.now() - REBUILD_MARK_TTL_MS - 1));
    const r = await a.rebuildAgentCache();
    assert.ok(r.rebuilt, 'an expired mark is a rebuild that died: replaced');
    assert.equal(await b.getMeta(REBUILD_MARK), undefined);
  });
});
