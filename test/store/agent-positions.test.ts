/**
 * Partners cache positions: with positions valid, every time-range/offset/order query answers
 * exactly as the plain path does; after writes that add, move or remove rows, positions are
 * distrusted until recomputed, and answers stay right throughout. On both backends.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { queryAgentDeals, type AgentDealsQuery } from '../../src/store/agent-cache.js';
import { recomputePositions, validPositions } from '../../src/store/agent-positions.js';
import { importDeals } from '../../src/services/deal-import.js';
import { applyDataset } from '../../src/store/seed.js';
import { Store } from '../../src/store/store.js';
import { forEachBackend } from '../helpers/backends.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_2, deal } from '../helpers/fixture.js';
import { datasetWithTies } from '../helpers/ties.js';

const QUERIES: Array<Omit<AgentDealsQuery, 'agentUin'>> = [];
for (const ascending of [false, true]) {
  for (const [startTime, endTime] of [
    [undefined, undefined],
    ['2025-03-01 00:00:00', undefined],
    [undefined, '2025-06-15 12:00:00'],
    ['2025-06-15 12:00:00', '2025-06-15 12:00:00'],
    ['2025-02-01 00:00:00', '2025-04-30 23:59:59'],
    ['2030-01-01 00:00:00', undefined],
    [undefined, '2020-01-01 00:00:00'],
  ] as const) {
    for (const [offset, limit] of [[0, 5], [3, 7], [20, 200], [40, 3], [500, 10]] as const) {
      QUERIES.push({ ascending, startTime, endTime, offset, limit });
    }
  }
}

forEachBackend((backend) => {
  let store: Store;
  let drop: () => Promise<void>;
  before(async () => {
    const database = await backend.create();
    drop = database.drop;
    store = await Store.open(database.url);
    await applyDataset(store, datasetWithTies());
  });
  after(async () => {
    await store.close();
    await drop();
  });

  async function answers(agent: string) {
    const out = [];
    for (const q of QUERIES) out.push(await queryAgentDeals(store.db, { ...q, agentUin: agent }));
    return out.map(({ total, bodies }) => ({ total, bodies }));
  }

  test('positions give exactly the plain answers, and are distrusted after writes', async () => {
    for (const agent of [AGENT_A.uin, AGENT_B.uin]) {
      assert.equal(await validPositions(store.db, agent), undefined, 'no positions before they are computed');
      const plain = await answers(agent);
      assert.ok(plain.some((a) => a.bodies.length > 0));
      await recomputePositions(store.db, agent);
      assert.ok(await validPositions(store.db, agent));
      assert.deepEqual(await answers(agent), plain);
    }

    // A new deal in the middle of A's history: its row has no position, so positions are not used.
    await store.upsertDeals([deal({ deal_name: '20250410000000077771', owner_uin: CLIENT_1.uin, create_time: '2025-04-10 10:00:00' })]);
    assert.equal(await validPositions(store.db, AGENT_A.uin), undefined);
    const afterInsert = await answers(AGENT_A.uin);
    await recomputePositions(store.db, AGENT_A.uin);
    assert.deepEqual(await answers(AGENT_A.uin), afterInsert);

    // Moving a client to another agent removes rows from A (gaps) and adds them to B.
    await store.bindClient({ agentUin: AGENT_B.uin, clientUin: CLIENT_2.uin, clientType: 'old', projectType: 'platform', salesUin: '0', clientRemark: '' });
    assert.equal(await validPositions(store.db, AGENT_A.uin), undefined, 'A lost rows: stale');
    assert.equal(await validPositions(store.db, AGENT_B.uin), undefined, 'B gained unranked rows: stale');
    const plainA = await answers(AGENT_A.uin);
    const plainB = await answers(AGENT_B.uin);
    await store.recomputeAllPositions();
    assert.deepEqual(await answers(AGENT_A.uin), plainA);
    assert.deepEqual(await answers(AGENT_B.uin), plainB);
  });

  test('new deals that are the newest are ranked after the others, the rest kept; an older one ranks all again', async () => {
    await store.recomputeAllPositions();
    const positions = async () =>
      (await store.db.selectFrom('agent_deal_cache').select(['deal_name', 'pos']).where('agent_uin', '=', AGENT_A.uin).orderBy('deal_name').execute()).map((r) => [r.deal_name, Number(r.pos)]);
    const before = await positions();
    // Two newer deals, one at the same instant as the other (DealName breaks the tie).
    await store.upsertDeals([
      deal({ deal_name: '20301231000000000002', owner_uin: CLIENT_1.uin, create_time: '2030-12-31 10:00:00' }),
      deal({ deal_name: '20301231000000000001', owner_uin: CLIENT_1.uin, create_time: '2030-12-31 10:00:00' }),
    ]);
    const plain = await answers(AGENT_A.uin);
    const total = await recomputePositions(store.db, AGENT_A.uin);
    assert.equal(total, before.length + 2);
    const after = await positions();
    assert.deepEqual(after.filter(([name]) => !String(name).startsWith('2030')), before, 'the ranked rows keep their positions');
    assert.deepEqual(after.filter(([name]) => String(name).startsWith('2030')), [['20301231000000000001', before.length + 1], ['20301231000000000002', before.length + 2]]);
    assert.deepEqual(await answers(AGENT_A.uin), plain);

    // An older one: everything after it moves, so all are ranked again.
    await store.upsertDeals([deal({ deal_name: '20250101000000000009', owner_uin: CLIENT_1.uin, create_time: '2025-01-01 00:00:01' })]);
    const plainOlder = await answers(AGENT_A.uin);
    await recomputePositions(store.db, AGENT_A.uin);
    assert.ok(await validPositions(store.db, AGENT_A.uin));
    assert.deepEqual(await answers(AGENT_A.uin), plainOlder);
    const ranks = (await positions()).map(([, pos]) => pos).sort((x, y) => Number(x) - Number(y));
    assert.deepEqual(ranks, ranks.map((_, i) => i + 1), 'positions 1..n without gaps');
  });

  test('a status change re-renders a row in place: positions stay valid, answers as the plain path', async () => {
    await store.recomputeAllPositions();
    const [row] = await store.db.selectFrom('deals').selectAll().where('owner_uin', '=', CLIENT_1.uin).where('pay_mode', '=', 'prePay').limit(1).execute();
    await store.upsertDeals([{ ...row!, status: row!.status === 6 ? 4 : 6, update_time: '2031-01-01 00:00:00' }]);
    assert.ok(await validPositions(store.db, AGENT_A.uin), 'still valid');
    const withPositions = await answers(AGENT_A.uin);
    await store.db.updateTable('agent_cache_order').set({ valid: 0 }).execute();
    assert.deepEqual(withPositions, await answers(AGENT_A.uin), 'the same as the plain path');
  });

  test('an import of the newest deals, a new owner bound to the agent included, leaves the positions valid', async () => {
    await store.recomputeAllPositions();
    const before = await validPositions(store.db, AGENT_A.uin);
    assert.ok(before);
    const line = (name: string, owner: string) =>
      JSON.stringify({ DealName: name, OwnerUin: owner, CreatTime: '2031-01-01 10:00:00', Status: '4', GoodsPrice: { RealTotalCost: 100, OriginalTotalCost: 100 } });
    const ndjson = [line('20310101000000000001', CLIENT_1.uin), line('20310101000000000002', '399000000001')].join('\n');
    const r = await importDeals(store, (async function* () { yield ndjson; })(), { agent: AGENT_A.uin });
    assert.equal(r.bound, 1);
    const after = await validPositions(store.db, AGENT_A.uin);
    assert.deepEqual(after, { total: before.total + 2 }, 'ranked at once, in the import');
  });
});
