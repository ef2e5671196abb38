/**
 * Partners pages filtered by OwnerUins: with a few owners the page is merged from per-owner index
 * ranges (agent-cache.ts), with many it is the plain query. Both must give exactly the order of
 * (create_time, deal_name) over the matching rows, for every offset, limit, order and status —
 * checked against a plain-JS oracle over the cache rows, on both backends.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../../src/domain/generator.js';
import { queryAgentDeals } from '../../src/store/agent-cache.js';
import { Store } from '../../src/store/store.js';
import { forEachBackend } from '../helpers/backends.js';

const AGENT = '200000000001';

interface Row {
  owner_uin: string;
  create_time: string;
  deal_name: string;
  status: number;
  body: string;
}

function oracle(rows: Row[], q: { owners: string[]; status?: number; ascending: boolean; offset: number; limit: number }) {
  const matching = rows
    .filter((r) => q.owners.includes(r.owner_uin) && (q.status === undefined || r.status === q.status))
    .sort((a, b) => (a.create_time === b.create_time ? (a.deal_name < b.deal_name ? -1 : 1) : a.create_time < b.create_time ? -1 : 1));
  if (!q.ascending) matching.reverse();
  return { total: matching.length, bodies: matching.slice(q.offset, q.offset + q.limit).map((r) => r.body) };
}

forEachBackend((backend) => {
  let store: Store;
  let drop: () => Promise<void>;
  let rows: Row[];
  let clients: string[];
  before(async () => {
    const database = await backend.create();
    drop = database.drop;
    store = await Store.open(database.url);
    // Same-second deals are common here (3,000 deals, 4 clients, 2 months), so ties are exercised.
    const data = generate({ agents: 1, clients: 4, deals: 3000, months: 2, seed: 12, anchorMs: Date.parse('2026-11-24T00:00:00+08:00'), batchSize: 1000 });
    await store.bulkLoad({ accounts: data.accounts, bindings: data.bindings, deals: data.deals });
    rows = await store.db.selectFrom('agent_deal_cache').select(['owner_uin', 'create_time', 'deal_name', 'status', 'body']).where('agent_uin', '=', AGENT).execute();
    clients = [...new Set(rows.map((r) => r.owner_uin))].sort();
  });
  after(async () => {
    await store.close();
    await drop();
  });

  test('pages by a few owners (merged) and by many (plain) equal the oracle', async () => {
    assert.equal(clients.length, 4);
    const stranger = '100000009999';
    const many = [...clients, ...Array.from({ length: 25 }, (_, i) => String(100000090000 + i))];
    const ownerSets = [[clients[0]!], [clients[1]!, clients[2]!], [clients[3]!, clients[3]!, clients[0]!], [clients[2]!, stranger], clients, many];
    let checked = 0;
    for (const owners of ownerSets) {
      for (const status of [undefined, 4, 6]) {
        for (const ascending of [false, true]) {
          for (const [offset, limit] of [[0, 20], [7, 13], [150, 200], [0, 1], [999, 100], [100_000, 10]] as const) {
            const got = await queryAgentDeals(store.db, { agentUin: AGENT, ownerUins: owners, status, ascending, offset, limit });
            const want = oracle(rows, { owners, status, ascending, offset, limit });
            // Compared by DealName (short failure messages), then byte for byte.
            const names = (bodies: string[]) => bodies.map((b) => (JSON.parse(b) as { DealName: string }).DealName);
            const what = `owners ${owners.length} ${JSON.stringify({ status, ascending, offset, limit })}`;
            assert.deepEqual({ total: got.total, deals: names(got.bodies) }, { total: want.total, deals: names(want.bodies) }, what);
            assert.deepEqual(got.bodies, want.bodies, what);
            checked++;
          }
        }
      }
    }
    assert.equal(checked, 216);
  });
});
