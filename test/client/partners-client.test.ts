/** `tcdeals/client` for the reseller's workflow: typed methods for every action and page iterators over the list actions. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TencentCloudClient, TencentCloudError, agentClientPages, auditedClientPages, payDealPages, salesmanPages, selfPayDealPages, unbindClientPages,
} from '../../src/client/index.js';
import { SQLITE } from '../helpers/backends.js';
import { AGENT_A, CLIENT_1, CLIENT_2 } from '../helpers/fixture.js';
import type { TestServer } from '../helpers/server.js';
import { APPLICANT_1, allDeals, expectedV2, partnersServer } from '../helpers/partners-fixture.js';

let server: TestServer;
let c: TencentCloudClient;
before(async () => {
  server = await partnersServer(SQLITE);
  c = new TencentCloudClient({ secretId: AGENT_A.key.SecretId, secretKey: AGENT_A.key.SecretKey, baseUrl: `http://${server.endpoint}`, ratePerSecond: 0 });
});
after(() => server.close());

async function collect<T>(pages: AsyncIterable<{ items: T[] }>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(...p.items);
  return out;
}

test('page iterators walk every element, a small page at a time', async () => {
  assert.deepEqual((await collect(auditedClientPages(c, { OrderDirection: 'ASC' }, 1))).map((x) => x.ClientUin), [CLIENT_1.uin, CLIENT_2.uin]);
  assert.equal((await collect(agentClientPages(c, {}, 1))).length, 2);
  assert.equal((await collect(salesmanPages(c, {}, 1))).length, 2);
  assert.equal((await collect(unbindClientPages(c, { Status: 0 }, 2))).length, 3);
  const deals = allDeals();
  assert.deepEqual((await collect(payDealPages(c, {}, 3))).map((d) => d.DealName), expectedV2(deals, { clients: [CLIENT_1.uin, CLIENT_2.uin], payerMode: 1 }).map((d) => d.deal_name));
  assert.deepEqual((await collect(selfPayDealPages(c, { OwnerUin: CLIENT_1.uin }, 2))).map((d) => d.DealName), expectedV2(deals, { clients: [CLIENT_1.uin], payerMode: 0 }).map((d) => d.deal_name));
});

test('typed methods for the other actions, and errors as TencentCloudError', async () => {
  assert.ok((await c.describeAgentRelateBigDealIds({ BigDealId: 'RBIGREFUND' })).BigDealIdList.length > 0);
  const mine = allDeals().find((d) => d.owner_uin === CLIENT_1.uin && d.pay_mode === 'prePay')!;
  assert.equal((await c.describeAgentDealsPriceDetailByDealName({ DealCreatYear: 2025, DealNames: [mine.deal_name] })).DealList[0]!.DealName, mine.deal_name);
  await c.modifyClientRemark({ ClientUin: CLIENT_1.uin, ClientRemark: 'typed' });
  assert.equal((await c.describeAgentAuditedClients({ ClientUin: CLIENT_1.uin })).AgentClientSet[0]!.ClientRemark, 'typed');
  assert.equal((await c.auditApplyClient({ ClientUin: APPLICANT_1.uin, AuditResult: 'accept', Note: '' })).AuditResult, 'accept');
  await assert.rejects(c.auditApplyClient({ ClientUin: APPLICANT_1.uin, AuditResult: 'accept', Note: '' }), (e: unknown) => e instanceof TencentCloudError && e.code === 'FailedOperation');
});
