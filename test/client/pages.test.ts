/**
 * Page iteration over the fixture through a real tcdeals server: every deal of the oracle exactly
 * once and in order, for both actions and both billing offset modes; resuming from any yielded
 * cursor continues without gaps or duplicates; shifted pages are de-duplicated.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  agentDealPages,
  ALL_BILLING_STATUSES,
  billingDealPages,
  splitWindows,
  TencentCloudClient,
  type DealPage,
  type PagesClient,
} from '../../src/client/index.js';
import type { Key } from '../helpers/call.js';
import { AGENT_A, CLIENT_1, CLIENT_2, deal, expectedAgent, expectedBilling, fixtureDeals } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';

const FROM = '2025-01-01 00:00:00';
const TO = '2025-12-31 23:59:59';
const AGENT_CLIENTS = [CLIENT_1.uin, CLIENT_2.uin];

async function collect<T>(pages: AsyncIterable<DealPage<T>>): Promise<Array<DealPage<T>>> {
  const out: Array<DealPage<T>> = [];
  for await (const page of pages) out.push(page);
  return out;
}

const agentNames = (pages: Array<DealPage<{ DealName: string }>>) => pages.flatMap((p) => p.deals.map((d) => d.DealName));
const billingIds = (pages: Array<DealPage<{ OrderId: string }>>) => pages.flatMap((p) => p.deals.map((d) => d.OrderId));

function clientFor(server: TestServer, key: Key) {
  return new TencentCloudClient({ secretId: key.SecretId, secretKey: key.SecretKey, baseUrl: `http://${server.endpoint}`, ratePerSecond: 0 });
}

/** Every page's cursor is consistent: offsets advance by the page, windows in order, ends at windowCount. */
function assertCursorChain<T>(pages: Array<DealPage<T>>, windowCount: number, step: (p: DealPage<T>) => number) {
  let expected = { window: 0, offset: 0 };
  for (const p of pages) {
    assert.deepEqual({ window: p.window, offset: p.offset }, expected);
    assert.equal(p.windowCount, windowCount);
    if (p.next.window === p.window) assert.equal(p.next.offset, p.offset + step(p));
    else assert.deepEqual(p.next, { window: p.window + 1, offset: 0 });
    expected = p.next;
  }
  assert.deepEqual(expected, { window: windowCount, offset: 0 });
}

describe('agentDealPages (partners) over a real server', () => {
  let server: TestServer;
  let client: TencentCloudClient;
  const deals = fixtureDeals();
  before(async () => {
    server = await startServer();
    client = clientFor(server, AGENT_A.key);
  });
  after(() => server.close());

  test('oldest first across 90-day windows: every deal of the oracle exactly once, in order', async () => {
    const pages = await collect(agentDealPages(client, { from: FROM, to: TO, pageSize: 4 }));
    const oracle = expectedAgent(deals, { clients: AGENT_CLIENTS, start: FROM, end: TO, ascending: true }).map((d) => d.deal_name);
    assert.ok(oracle.length > 30);
    assert.deepEqual(agentNames(pages), oracle);
    const windows = splitWindows(FROM, TO, '90d');
    assertCursorChain(pages, windows.length, (p) => p.deals.length);
    for (const p of pages) {
      assert.equal(p.windowStart, windows[p.window]!.start);
      assert.equal(p.windowEnd, windows[p.window]!.end);
      assert.equal(p.duplicatesDropped, 0);
      assert.ok(p.deals.every((d) => d.CreatTime >= p.windowStart && d.CreatTime <= p.windowEnd));
      assert.equal(p.totalInWindow, expectedAgent(deals, { clients: AGENT_CLIENTS, start: p.windowStart, end: p.windowEnd }).length);
    }
    // Every request shows up as a page: the calls made equal the pages yielded.
    assert.equal(client.stats.calls, pages.length);
  });

  test('default page size 200: one page per window', async () => {
    const pages = await collect(agentDealPages(client, { from: FROM, to: TO }));
    assert.equal(pages.length, splitWindows(FROM, TO, '90d').length);
  });

  test("order 'desc': windows newest first, each newest first — the server's own order", async () => {
    const pages = await collect(agentDealPages(client, { from: FROM, to: TO, pageSize: 5, order: 'desc' }));
    assert.deepEqual(agentNames(pages), expectedAgent(deals, { clients: AGENT_CLIENTS, start: FROM, end: TO }).map((d) => d.deal_name));
    assert.equal(pages[0]!.windowEnd, TO);
  });

  test('filters are passed through', async () => {
    const filters = { OwnerUins: [CLIENT_2.uin], PayerMode: 1 };
    const pages = await collect(agentDealPages(client, { from: FROM, to: TO, pageSize: 2, filters }));
    const oracle = expectedAgent(deals, { clients: AGENT_CLIENTS, start: FROM, end: TO, ascending: true, ownerUins: [CLIENT_2.uin], payerMode: 1 });
    assert.ok(oracle.length > 0);
    assert.deepEqual(agentNames(pages), oracle.map((d) => d.deal_name));
    const byStatus = await collect(agentDealPages(client, { from: FROM, to: TO, filters: { Status: 6 } }));
    assert.deepEqual(agentNames(byStatus), expectedAgent(deals, { clients: AGENT_CLIENTS, start: FROM, end: TO, ascending: true, status: 6 }).map((d) => d.deal_name));
  });

  test('resuming from any yielded cursor continues without gaps or duplicates', async () => {
    const options = { from: FROM, to: TO, pageSize: 4 };
    const pages = await collect(agentDealPages(client, options));
    const all = agentNames(pages);
    for (let k = 0; k < pages.length; k++) {
      const resumed = await collect(agentDealPages(client, { ...options, startAt: pages[k]!.next }));
      assert.deepEqual([...agentNames(pages.slice(0, k + 1)), ...agentNames(resumed)], all, `resumed after page ${k}`);
    }
    // The final cursor resumes to nothing.
    assert.deepEqual(await collect(agentDealPages(client, { ...options, startAt: pages.at(-1)!.next })), []);
  });

  test('bad options are refused before any request', () => {
    assert.throws(() => agentDealPages(client, { from: FROM, to: TO, pageSize: 201 }), RangeError);
    assert.throws(() => agentDealPages(client, { from: FROM, to: TO, pageSize: 0 }), RangeError);
    assert.throws(() => agentDealPages(client, { from: TO, to: FROM }), RangeError);
    assert.throws(() => agentDealPages(client, { from: FROM, to: TO, startAt: { window: 9, offset: 0 } }), RangeError);
    assert.throws(() => agentDealPages(client, { from: FROM, to: TO, startAt: { window: 0, offset: -1 } }), RangeError);
  });
});

describe('billingDealPages over a real server', () => {
  const deals = fixtureDeals();
  const oracleFor = (statuses: readonly number[]) =>
    splitWindows(FROM, TO, '3m').flatMap((w) => expectedBilling(deals, { owner: CLIENT_1.uin, start: w.start, end: w.end, statuses: [...statuses] }).map((d) => d.deal_name));

  for (const offsetMode of ['rows', 'pages'] as const) {
    describe(`offsetMode '${offsetMode}'`, () => {
      let server: TestServer;
      let client: TencentCloudClient;
      before(async () => {
        server = await startServer({ settings: { billingOffset: offsetMode } });
        client = clientFor(server, CLIENT_1.key);
      });
      after(() => server.close());

      test('every status by default: each deal of the oracle exactly once, windows oldest first', async () => {
        const pages = await collect(billingDealPages(client, { from: FROM, to: TO, pageSize: 3, offsetMode }));
        const oracle = oracleFor(ALL_BILLING_STATUSES);
        assert.ok(oracle.length > 20);
        assert.deepEqual(billingIds(pages), oracle);
        assertCursorChain(pages, 4, (p) => (offsetMode === 'rows' ? p.deals.length : 1));
        for (const p of pages) assert.ok(p.deals.every((d) => d.CreateTime >= p.windowStart && d.CreateTime <= p.windowEnd));
        const statuses = new Set(pages.flatMap((p) => p.deals.map((d) => d.Status)));
        assert.ok(statuses.size > 5, 'not just the default status 4');
      });

      test('a status subset', async () => {
        const pages = await collect(billingDealPages(client, { from: FROM, to: TO, pageSize: 2, offsetMode, statuses: [4, 6] }));
        assert.deepEqual(billingIds(pages), oracleFor([4, 6]));
      });

      test('resuming from any yielded cursor continues without gaps or duplicates', async () => {
        const options = { from: FROM, to: TO, pageSize: 3, offsetMode };
        const pages = await collect(billingDealPages(client, options));
        const all = billingIds(pages);
        for (let k = 0; k < pages.length; k++) {
          const resumed = await collect(billingDealPages(client, { ...options, startAt: pages[k]!.next }));
          assert.deepEqual([...billingIds(pages.slice(0, k + 1)), ...billingIds(resumed)], all, `resumed after page ${k}`);
        }
      });
    });
  }

  test('a mismatched offset mode is what the oracle catches (rows read as pages skips deals)', async () => {
    const server = await startServer({ settings: { billingOffset: 'pages' } });
    try {
      const pages = await collect(billingDealPages(clientFor(server, CLIENT_1.key), { from: FROM, to: TO, pageSize: 3, offsetMode: 'rows' }));
      assert.notDeepEqual(billingIds(pages), oracleFor(ALL_BILLING_STATUSES));
    } finally {
      await server.close();
    }
  });

  test('bad options are refused', () => {
    const c = new TencentCloudClient({ secretId: 'a', secretKey: 'b' });
    assert.throws(() => billingDealPages(c, { from: FROM, to: TO, pageSize: 1001 }), RangeError);
    assert.throws(() => billingDealPages(c, { from: FROM, to: TO, statuses: [] }), RangeError);
    assert.throws(() => billingDealPages(c, { from: FROM, to: TO, offsetMode: 'bytes' as never }), RangeError);
  });
});

describe('pages that shift during a sync are de-duplicated', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('partners: a deal inserted behind the cursor repeats a deal on the next page; it is dropped once', async () => {
    const client = clientFor(server, AGENT_A.key);
    const names: string[] = [];
    let dropped = 0;
    let i = 0;
    for await (const page of agentDealPages(client, { from: FROM, to: TO, pageSize: 3 })) {
      names.push(...page.deals.map((d) => d.DealName));
      dropped += page.duplicatesDropped;
      if (i++ === 0) {
        // Older than everything in the first window: every later row of that window shifts by one.
        await server.store.upsertDeals([deal({ deal_name: '20250101000000000000001', owner_uin: CLIENT_1.uin, create_time: '2025-01-01 00:00:01' })]);
      }
    }
    assert.equal(dropped, 1);
    assert.equal(new Set(names).size, names.length, 'no deal yielded twice');
    const before = expectedAgent(fixtureDeals(), { clients: AGENT_CLIENTS, start: FROM, end: TO, ascending: true }).map((d) => d.deal_name);
    assert.deepEqual(names, before, 'nothing lost; the new deal is behind the cursor and left to the next sync');
  });

  test('billing: a newer deal arriving during the walk shifts the newest-first pages; dropped once', async () => {
    const client = clientFor(server, CLIENT_2.key);
    const ids: string[] = [];
    let dropped = 0;
    let i = 0;
    for await (const page of billingDealPages(client, { from: FROM, to: TO, pageSize: 2 })) {
      ids.push(...page.deals.map((d) => d.OrderId));
      dropped += page.duplicatesDropped;
      if (i++ === 0) {
        await server.store.upsertDeals([deal({ deal_name: '20250331000000000000002', owner_uin: CLIENT_2.uin, create_time: '2025-03-31 23:00:00' })]);
      }
    }
    assert.equal(dropped, 1);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('a test double: duplicates within and across pages, TotalCount reached on a full page, an empty window', async () => {
    const mk = (n: string) => ({ DealName: n }) as never;
    const answers = [
      { AgentDealSet: [mk('a'), mk('b')], TotalCount: 4 },
      { AgentDealSet: [mk('b'), mk('c')], TotalCount: 4 }, // full page, offset 4 >= TotalCount: window done
      { AgentDealSet: [], TotalCount: 0 }, // empty second window
    ];
    const requests: unknown[] = [];
    const fake: PagesClient = {
      describeAgentDealsByCache: async (req) => (requests.push(req), { ...answers[requests.length - 1]!, RequestId: 'r' }),
      describeDealsByCond: async () => assert.fail('not used'),
    };
    const pages = await collect(agentDealPages(fake, { from: '2025-01-01 00:00:00', to: '2025-05-01 00:00:00', pageSize: 2 }));
    assert.equal(requests.length, 3);
    assert.deepEqual(pages.map((p) => [p.window, p.offset, p.deals.length, p.duplicatesDropped, p.next]), [
      [0, 0, 2, 0, { window: 0, offset: 2 }],
      [0, 2, 1, 1, { window: 1, offset: 0 }],
      [1, 0, 0, 0, { window: 2, offset: 0 }],
    ]);
    assert.deepEqual(requests[1], { Offset: 2, Limit: 2, CreatTimeRangeStart: '2025-01-01 00:00:00', CreatTimeRangeEnd: '2025-04-01 00:00:00', Order: 1 });
  });
});
