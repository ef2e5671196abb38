/**
 * Invariants across the partners actions on generated data (two agents, their clients, unbound
 * customers with deals, generated profiles, applications, unbinds and salespeople), on both
 * backends: for each client and window the agent-paid and self-paid deals split that client's
 * cached deals exactly; every OwnerUin of a deal answer is an audited client; approving an
 * application makes the client's deals appear in all three deal actions; a remark reaches the
 * deals through the cache lag; and an agent never sees another agent's data in any action.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../../src/domain/generator.js';
import { generatePartnersData } from '../../src/domain/partners.js';
import type { DemoDataset } from '../../src/domain/demo-seed.js';
import { DAY_MS, formatDateTime, parseDateTime } from '../../src/protocol/datetime.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { tc3, okResponse, expectError, type Key } from '../helpers/call.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEYS = {
  a: { SecretId: 'AKIDinvariantsAgentA000000000000001', SecretKey: 'invariantsAgentASecret0000000001' },
  client: { SecretId: 'AKIDinvariantsClient000000000000001', SecretKey: 'invariantsClientSecret0000000001' },
};
const KEY_B = { SecretId: 'AKIDinvariantsAgentB000000000000002', SecretKey: 'invariantsAgentBSecret0000000002' };

function dataset(): { data: DemoDataset; endMs: number } {
  const g = generate({ agents: 2, clients: 6, deals: 2500, months: 2, seed: 1303, anchorMs: Date.UTC(2025, 11, 31, 4), keys: { agent: KEYS.a, client: KEYS.client } });
  const deals = [...g.deals].flat();
  const accounts = g.accounts.map((a) => (a.uin === '200000000002' ? { ...a, key: KEY_B } : a));
  const endMs = parseDateTime(g.to)!;
  const partners = generatePartnersData({ accounts, bindings: g.bindings, seed: 1303, anchorMs: endMs });
  return { data: { accounts, bindings: g.bindings, deals, partners }, endMs };
}

const VERSION = '2018-03-21';

forEachBackend((backend) => {
  let server: TestServer;
  const sandbox = new Sandbox();
  const { data, endMs } = dataset();
  const nowMs = endMs - 1000;
  before(async () => {
    sandbox.clock.set(nowMs, true);
    server = await startServer({ backend, dataset: data, sandbox, now: Date.now });
  });
  after(() => server.close());

  const ok = async (action: string, body: Record<string, unknown>, key: Key = KEYS.a) => okResponse<Record<string, any>>(await tc3(server.url, { action, version: VERSION, key, body }));

  /** Every page of a deal action, as DealName → element. */
  async function everything(action: string, body: Record<string, unknown>, key: Key = KEYS.a): Promise<Array<Record<string, any>>> {
    const limit = action === 'DescribeAgentDealsByCache' ? 200 : 100;
    const out: Array<Record<string, any>> = [];
    for (let offset = 0; ; offset += limit) {
      const r = await ok(action, { ...body, Offset: offset, Limit: limit }, key);
      const set = r.AgentDealSet ?? r.AgentPayDealSet;
      out.push(...set);
      if (offset + limit >= r.TotalCount) {
        assert.equal(out.length, r.TotalCount);
        return out;
      }
    }
  }
  const auditedUins = async (key: Key = KEYS.a) => (await ok('DescribeAgentAuditedClients', { Offset: 0, Limit: 2000 }, key)).AgentClientSet.map((c: any) => c.ClientUin as string);

  const windows = [
    { name: 'the default 15 days', pay: {}, cache: { CreatTimeRangeStart: formatDateTime(nowMs - 15 * DAY_MS), CreatTimeRangeEnd: formatDateTime(nowMs) } },
    {
      name: 'days 3..10 back',
      pay: { CreatTimeRangeStart: formatDateTime(nowMs - 10 * DAY_MS), CreatTimeRangeEnd: formatDateTime(nowMs - 3 * DAY_MS) },
      cache: { CreatTimeRangeStart: formatDateTime(nowMs - 10 * DAY_MS), CreatTimeRangeEnd: formatDateTime(nowMs - 3 * DAY_MS) },
    },
  ];

  describe('agent-paid ∪ self-paid = the client’s cached deals, disjoint', () => {
    for (const w of windows) {
      test(`every client of agent A, ${w.name}`, async () => {
        let seen = 0;
        for (const uin of await auditedUins()) {
          const cache = await everything('DescribeAgentDealsByCache', { ...w.cache, OwnerUins: [uin] });
          const pay = await everything('DescribeAgentPayDealsV2', { ...w.pay, OwnerUins: [uin] });
          const self = await everything('DescribeAgentSelfPayDealsV2', { ...w.pay, OwnerUin: uin });
          const payNames = new Set(pay.map((d) => d.DealName));
          assert.ok(self.every((d) => !payNames.has(d.DealName)), `${uin}: disjoint`);
          assert.deepEqual([...pay, ...self].map((d) => d.DealName).sort(), cache.map((d) => d.DealName).sort(), uin);
          const byName = new Map(cache.map((d) => [d.DealName, d]));
          for (const d of [...pay, ...self]) assert.deepEqual(d, byName.get(d.DealName));
          seen += cache.length;
        }
        assert.ok(seen > 20, `the window holds deals (${seen})`);
      });
    }
  });

  test('every OwnerUin of a deal answer is an audited client of the caller', async () => {
    for (const key of [KEYS.a, KEY_B]) {
      const clients = new Set(await auditedUins(key));
      assert.ok(clients.size > 0);
      const all = [
        ...(await everything('DescribeAgentDealsByCache', {}, key)),
        ...(await everything('DescribeAgentPayDealsV2', {}, key)),
      ];
      for (const d of all) assert.ok(clients.has(d.OwnerUin), `${d.OwnerUin} of ${d.DealName}`);
      for (const uin of clients) for (const d of await everything('DescribeAgentSelfPayDealsV2', { OwnerUin: uin }, key)) assert.equal(d.OwnerUin, uin);
    }
  });

  test('isolation: agent A never sees agent B’s clients, applications, unbinds, salespeople or deals', async () => {
    const bClients = data.bindings.filter((b) => b.agentUin === '200000000002').map((b) => b.clientUin);
    const bApplicants = data.partners!.applications.filter((a) => a.agentUin === '200000000002').map((a) => a.clientUin);
    const bUnbinds = data.partners!.unbinds.filter((u) => u.agentUin === '200000000002').map((u) => u.clientUin);
    const bSales = data.partners!.salesmen.filter((s) => s.agentUin === '200000000002').map((s) => s.salesUin);
    const foreign = new Set([...bClients, ...bApplicants, ...bSales]);
    const aSeen = [
      ...(await auditedUins()),
      ...(await ok('DescribeAgentClients', { Offset: 0, Limit: 100 })).AgentClientSet.map((c: any) => c.ClientUin),
      ...(await ok('DescribeSalesmans', { Offset: 0, Limit: 100 })).AgentSalesmanSet.map((s: any) => s.SalesUin),
      ...(await everything('DescribeAgentDealsByCache', {})).map((d) => d.OwnerUin),
      ...(await everything('DescribeAgentPayDealsV2', {})).map((d) => d.OwnerUin),
    ];
    for (const uin of aSeen) assert.ok(!foreign.has(uin), `agent A sees ${uin}`);
    const unbinds = (await ok('DescribeUnbindClientList', { Status: 0, Offset: 0, Limit: 100 })).UnbindClientList.map((u: any) => u.Uin);
    assert.deepEqual(unbinds.filter((u: string) => bUnbinds.includes(u) && !data.partners!.unbinds.some((x) => x.agentUin !== '200000000002' && x.clientUin === u)), []);
    for (const uin of bClients.slice(0, 3)) {
      expectError(await tc3(server.url, { action: 'DescribeAgentSelfPayDealsV2', version: VERSION, key: KEYS.a, body: { OwnerUin: uin, Offset: 0, Limit: 10 } }), 'InvalidParameter', uin);
      expectError(await tc3(server.url, { action: 'ModifyClientRemark', version: VERSION, key: KEYS.a, body: { ClientUin: uin, ClientRemark: 'x' } }), 'InvalidParameter', uin);
    }
    for (const uin of bApplicants.slice(0, 2)) {
      expectError(await tc3(server.url, { action: 'AuditApplyClient', version: VERSION, key: KEYS.a, body: { ClientUin: uin, AuditResult: 'accept', Note: 'x' } }), 'InvalidParameter', uin);
    }
    const bBig = data.deals.find((d) => bClients.includes(d.owner_uin) && d.pay_mode === 'prePay')!;
    assert.deepEqual((await ok('DescribeAgentRelateBigDealIds', { BigDealId: bBig.big_deal_id })).BigDealIdList, []);
    assert.deepEqual((await ok('DescribeAgentDealsPriceDetailByDealName', { DealCreatYear: Number(bBig.create_time.slice(0, 4)), DealNames: [bBig.deal_name] })).DealList, []);
  });

  test('a client gets UnauthorizedOperation from every partners action', async () => {
    for (const action of ['DescribeAgentAuditedClients', 'DescribeAgentClients', 'DescribeSalesmans', 'DescribeAgentPayDealsV2', 'DescribeAgentDealsByCache']) {
      expectError(await tc3(server.url, { action, version: VERSION, key: KEYS.client, body: { Offset: 0, Limit: 10 } }), 'UnauthorizedOperation');
    }
  });

  test('approving an application makes the client’s deals appear in all three deal actions', async () => {
    const pending = (await ok('DescribeAgentClients', { Offset: 0, Limit: 100 })).AgentClientSet.map((c: any) => c.ClientUin as string);
    const withDeals = pending.find((uin: string) => data.deals.some((d) => d.owner_uin === uin && d.pay_mode === 'prePay' && d.create_time >= formatDateTime(nowMs - 15 * DAY_MS)));
    assert.ok(withDeals, 'a pending applicant has recent prepaid deals');
    const window = windows[0]!;
    assert.equal((await ok('DescribeAgentDealsByCache', { Offset: 0, Limit: 10, OwnerUins: [withDeals] })).TotalCount, 0);
    expectError(await tc3(server.url, { action: 'DescribeAgentSelfPayDealsV2', version: VERSION, key: KEYS.a, body: { OwnerUin: withDeals, Offset: 0, Limit: 10 } }), 'InvalidParameter');
    const flag = data.partners!.profiles.find((p) => p.clientUin === withDeals)!.clientFlag;
    await ok('AuditApplyClient', { ClientUin: withDeals, AuditResult: 'accept', Note: flag === 'b' ? '老客户转入' : '' });
    assert.ok((await auditedUins()).includes(withDeals));
    const expected = data.deals.filter((d) => d.owner_uin === withDeals && d.pay_mode === 'prePay').map((d) => d.deal_name).sort();
    const cacheAll = await everything('DescribeAgentDealsByCache', { OwnerUins: [withDeals] });
    assert.deepEqual(cacheAll.map((d) => d.DealName).sort(), expected);
    const cache = await everything('DescribeAgentDealsByCache', { ...window.cache, OwnerUins: [withDeals] });
    const pay = await everything('DescribeAgentPayDealsV2', { OwnerUins: [withDeals] });
    const self = await everything('DescribeAgentSelfPayDealsV2', { OwnerUin: withDeals });
    assert.ok(cache.length > 0);
    assert.deepEqual([...pay, ...self].map((d) => d.DealName).sort(), cache.map((d) => d.DealName).sort());
  });

  test('a remark reaches the client’s deals through the cache, after its lag', async () => {
    const uin = (await auditedUins())[0]!;
    server.store.cacheLagMs = 60_000;
    try {
      await ok('ModifyClientRemark', { ClientUin: uin, ClientRemark: '已续约' });
      assert.equal((await ok('DescribeAgentAuditedClients', { ClientUin: uin })).AgentClientSet[0].ClientRemark, '已续约', 'the client list at once');
      const stale = await everything('DescribeAgentDealsByCache', { OwnerUins: [uin] });
      assert.ok(stale.length > 0 && stale.every((d) => d.ClientRemark !== '已续约'), 'not in the deals before the lag');
      sandbox.clock.set(nowMs + 61_000, true);
      const fresh = await everything('DescribeAgentDealsByCache', { OwnerUins: [uin] });
      assert.ok(fresh.every((d) => d.ClientRemark === '已续约'), 'in every deal after it');
      const self = await everything('DescribeAgentSelfPayDealsV2', { OwnerUin: uin });
      assert.ok(self.every((d) => d.ClientRemark === '已续约'));
    } finally {
      server.store.cacheLagMs = 0;
      sandbox.clock.set(nowMs, true);
    }
  });
});
