/**
 * Tenancy: billing answers only the caller's own deals, partners only the calling agent's bound
 * clients' prepaid deals, and a re-binding moves a client's deals between agents at once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEAL_STATUSES, type DealRecord } from '../../src/domain/deal.js';
import type { Binding } from '../../src/store/store.js';
import { errorCode, tc3, type ApiAnswer, type Key } from '../helpers/call.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_2, CLIENT_3, LONER, expectedAgent, expectedBilling, fixtureDataset } from '../helpers/fixture.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { datasetWithTies, dealsWithTies } from '../helpers/ties.js';

const YEAR = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59' } as const;
const ALL_STATUSES = [...DEAL_STATUSES];
const CUSTOMERS = [CLIENT_1, CLIENT_2, CLIENT_3, LONER, AGENT_A, AGENT_B];
const deals = dealsWithTies();
const names = (records: readonly DealRecord[]) => records.map((d) => d.deal_name);

forEachBackend((backend) => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ backend, dataset: datasetWithTies() });
  });
  after(() => server.close());

  function ok(a: ApiAnswer): Record<string, any> {
    assert.equal(a.json.Response.Error, undefined, `unexpected error: ${a.raw}`);
    return a.json.Response;
  }

  async function billing(key: Key, body: Record<string, unknown> = {}): Promise<string[]> {
    const a = await tc3(server.url, { action: 'DescribeDealsByCond', version: '2018-07-09', key, body: { ...YEAR, Limit: 1000, StatusSet: ALL_STATUSES, ...body } });
    const r = ok(a);
    assert.equal(r.TotalCount, r.Deals.length, 'one page holds everything');
    return r.Deals.map((d: { OrderId: string }) => d.OrderId);
  }

  async function agent(key: Key, body: Record<string, unknown> = {}): Promise<Array<Record<string, any>>> {
    const r = ok(await tc3(server.url, { action: 'DescribeAgentDealsByCache', version: '2018-03-21', key, body: { Offset: 0, Limit: 200, ...body } }));
    assert.equal(r.TotalCount, r.AgentDealSet.length, 'one page holds everything');
    return r.AgentDealSet;
  }

  const billingOracle = (owner: string, extra: { bigDealId?: string; resourceId?: string } = {}) =>
    expectedBilling(deals, { owner, start: YEAR.StartTime, end: YEAR.EndTime, statuses: ALL_STATUSES, ...extra });

  describe('billing: each customer sees exactly its own deals', () => {
    const seen = new Map<string, string[]>();
    for (const c of CUSTOMERS) {
      test(`${c.uin} sees its own deals of the whole year, every status`, async () => {
        const got = await billing(c.key);
        assert.deepEqual(got, names(billingOracle(c.uin)));
        seen.set(c.uin, got);
      });
    }
    test('the answers are pairwise disjoint and together cover every deal of the year', () => {
      assert.equal(seen.size, CUSTOMERS.length);
      const all = [...seen.values()].flat();
      assert.equal(new Set(all).size, all.length, 'no deal appears for two customers');
      assert.deepEqual(new Set(all), new Set(names(deals)));
      assert.ok([...seen.values()].filter((v) => v.length > 0).length >= 5, 'most customers have deals');
    });

    // Cross-customer probes: ask for another customer's identifiers, get only your own part.
    const pairs = CUSTOMERS.flatMap((a) => CUSTOMERS.filter((b) => b !== a && deals.some((d) => d.owner_uin === b.uin)).map((b) => [a, b] as const));
    for (const [a, b] of pairs) {
      test(`${a.uin} asking for ${b.uin}'s OrderId and BigDealId sees nothing of ${b.uin}'s`, async () => {
        const theirs = deals.find((d) => d.owner_uin === b.uin)!;
        assert.deepEqual(await billing(a.key, { OrderId: theirs.deal_name }), []);
        const byBig = await billing(a.key, { BigDealId: theirs.big_deal_id });
        assert.deepEqual(byBig, names(billingOracle(a.uin, { bigDealId: theirs.big_deal_id })));
        assert.ok(!byBig.includes(theirs.deal_name));
      });
    }
    test('ins-shared is on several customers’ deals; each sees only its own', async () => {
      const owners = new Set(deals.filter((d) => d.resource_ids.includes('"ins-shared"')).map((d) => d.owner_uin));
      assert.ok(owners.size >= 3, 'the fixture shares the resource across customers');
      for (const c of CUSTOMERS) assert.deepEqual(await billing(c.key, { ResourceId: 'ins-shared' }), names(billingOracle(c.uin, { resourceId: 'ins-shared' })));
    });
  });

  describe('partners: an agent sees only its own clients’ deals', () => {
    const cases = [
      { agent: AGENT_A, clients: [CLIENT_1.uin, CLIENT_2.uin], others: [CLIENT_3.uin, LONER.uin, AGENT_A.uin, AGENT_B.uin] },
      { agent: AGENT_B, clients: [CLIENT_3.uin], others: [CLIENT_1.uin, CLIENT_2.uin, LONER.uin, AGENT_A.uin, AGENT_B.uin] },
    ];
    for (const c of cases) {
      test(`${c.agent.uin} sees the prepaid deals of ${c.clients.join(', ')} and no one else’s`, async () => {
        const got = await agent(c.agent.key);
        const expected = expectedAgent(deals, { clients: c.clients });
        assert.ok(expected.length > 0);
        assert.deepEqual(got.map((d) => d.DealName), names(expected));
        assert.deepEqual(new Set(got.map((d) => d.OwnerUin)), new Set(c.clients));
      });
      test(`${c.agent.uin} asking for other owners’ deals by OwnerUins or DealNames gets nothing`, async () => {
        assert.deepEqual(await agent(c.agent.key, { OwnerUins: c.others }), []);
        const foreign = deals.filter((d) => c.others.includes(d.owner_uin));
        assert.ok(foreign.length > 0);
        assert.deepEqual(await agent(c.agent.key, { DealNames: names(foreign).slice(0, 100) }), []);
      });
    }
    test('the two agents’ answers are disjoint', async () => {
      const a = new Set((await agent(AGENT_A.key)).map((d) => d.DealName));
      const b = (await agent(AGENT_B.key)).map((d) => d.DealName as string);
      assert.ok(a.size > 0 && b.length > 0);
      assert.ok(b.every((n) => !a.has(n)));
    });
    for (const who of [CLIENT_1, CLIENT_2, CLIENT_3, LONER]) {
      test(`${who.uin} is not an agent → UnauthorizedOperation`, async () => {
        const a = await tc3(server.url, { action: 'DescribeAgentDealsByCache', version: '2018-03-21', key: who.key, body: { Offset: 0, Limit: 10 } });
        assert.equal(errorCode(a), 'UnauthorizedOperation');
      });
    }
  });

  describe('re-binding a client moves its deals between agents immediately', () => {
    const original = fixtureDataset().bindings.find((b) => b.clientUin === CLIENT_2.uin)! as Binding;
    const moved: Binding = { agentUin: AGENT_B.uin, clientUin: CLIENT_2.uin, clientType: 'direct', projectType: 'repeat', salesUin: '600000000009', clientRemark: 'moved to B' };
    const client2 = expectedAgent(deals, { clients: [CLIENT_2.uin] });

    test('CLIENT_2 → AGENT_B, then back to AGENT_A', async () => {
      assert.ok(client2.length > 0, 'CLIENT_2 has prepaid deals');
      const billingBefore = await billing(CLIENT_2.key);

      // Before: A has them, B does not.
      assert.deepEqual((await agent(AGENT_A.key)).map((d) => d.DealName), names(expectedAgent(deals, { clients: [CLIENT_1.uin, CLIENT_2.uin] })));
      assert.deepEqual((await agent(AGENT_B.key, { OwnerUins: [CLIENT_2.uin] })), []);

      await server.store.bindClient(moved);
      try {
        const a = await agent(AGENT_A.key);
        assert.deepEqual(a.map((d) => d.DealName), names(expectedAgent(deals, { clients: [CLIENT_1.uin] })));
        assert.deepEqual(await agent(AGENT_A.key, { OwnerUins: [CLIENT_2.uin] }), []);
        const b = await agent(AGENT_B.key);
        assert.deepEqual(b.map((d) => d.DealName), names(expectedAgent(deals, { clients: [CLIENT_2.uin, CLIENT_3.uin] })));
        for (const d of b.filter((x) => x.OwnerUin === CLIENT_2.uin)) {
          assert.deepEqual(
            { ClientType: d.ClientType, ProjectType: d.ProjectType, SalesUin: d.SalesUin, ClientRemark: d.ClientRemark },
            { ClientType: moved.clientType, ProjectType: moved.projectType, SalesUin: moved.salesUin, ClientRemark: moved.clientRemark },
            'the new relation is shown',
          );
        }
        assert.deepEqual(await billing(CLIENT_2.key), billingBefore, 'billing does not depend on bindings');
      } finally {
        await server.store.bindClient(original);
      }

      // Back: the original state, relation fields included.
      const a = await agent(AGENT_A.key, { OwnerUins: [CLIENT_2.uin] });
      assert.deepEqual(a.map((d) => d.DealName), names(client2));
      assert.ok(a.every((d) => d.ClientType === original.clientType && d.ClientRemark === original.clientRemark));
      assert.deepEqual(await agent(AGENT_B.key, { OwnerUins: [CLIENT_2.uin] }), []);
    });
  });
});
