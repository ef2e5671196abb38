/**
 * The official tencentcloud-sdk-nodejs partners client, unchanged, calls every action of the
 * reseller's workflow against a real server on a free port, signed with TC3 and with HmacSHA256:
 * right answers, and every answer checked field by field against the JSON kinds generated from
 * the SDK's own model file (partners_models.d.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { priceDetailOf } from '../../src/domain/partners.js';
import { AGENT_A, CLIENT_1, CLIENT_2 } from '../helpers/fixture.js';
import { forEachBackend } from '../helpers/backends.js';
import type { TestServer } from '../helpers/server.js';
import { kindProblems, loadModel } from '../helpers/sdk-kinds.js';
import { APPLICANT_1, APPLICANT_2, SALES_A1, allDeals, expectedRelated, expectedV2, partnersServer } from '../helpers/partners-fixture.js';

const require = createRequire(import.meta.url);
const { partners } = require('tencentcloud-sdk-nodejs/tencentcloud/services/partners');

const model = loadModel('partners', 'v20180321');
const deals = allDeals();
const A_CLIENTS = [CLIENT_1.uin, CLIENT_2.uin];

function assertKinds(action: string, res: unknown): void {
  assert.deepEqual(kindProblems(model, `${action}Response`, res), [], `${action}: the answer's JSON kinds follow the SDK model`);
}

test('the kinds check itself catches a wrong kind, an extra field and a missing one', () => {
  const good = { AgentSalesmanSet: [{ Uin: '1', SalesUin: '2', SalesName: 'x', CreateTime: 't' }], TotalCount: 1, RequestId: 'r' };
  assert.deepEqual(kindProblems(model, 'DescribeSalesmansResponse', good), []);
  assert.equal(kindProblems(model, 'DescribeSalesmansResponse', { ...good, TotalCount: '1' }).length, 1);
  assert.equal(kindProblems(model, 'DescribeSalesmansResponse', { ...good, Extra: 1 }).length, 1);
  assert.equal(kindProblems(model, 'DescribeSalesmansResponse', { ...good, AgentSalesmanSet: [{ Uin: 1, SalesUin: '2', SalesName: 'x' }] }).length, 2);
});

for (const signMethod of ['TC3-HMAC-SHA256', 'HmacSHA256'] as const) {
  forEachBackend((backend) => {
    describe(`official Node SDK, ${signMethod}`, () => {
      let server: TestServer;
      let c: any;
      before(async () => {
        server = await partnersServer(backend);
        c = new partners.v20180321.Client({
          credential: { secretId: AGENT_A.key.SecretId, secretKey: AGENT_A.key.SecretKey },
          region: '',
          profile: { signMethod, httpProfile: { endpoint: server.endpoint, protocol: 'http://', reqTimeout: 10 } },
        });
      });
      after(() => server.close());

      test('DescribeAgentAuditedClients', async () => {
        const res = await c.DescribeAgentAuditedClients({ Offset: 0, Limit: 10, OrderDirection: 'ASC', SalesUin: SALES_A1 });
        assertKinds('DescribeAgentAuditedClients', res);
        assert.deepEqual(res.AgentClientSet.map((x: any) => x.ClientUin), [CLIENT_1.uin]);
        assert.equal(res.TotalCount, 1);
      });
      test('DescribeAgentClients', async () => {
        const res = await c.DescribeAgentClients({ Offset: 0, Limit: 10 });
        assertKinds('DescribeAgentClients', res);
        assert.deepEqual(res.AgentClientSet.map((x: any) => x.ClientUin), [APPLICANT_2.uin, APPLICANT_1.uin]);
      });
      test('DescribeUnbindClientList', async () => {
        const res = await c.DescribeUnbindClientList({ Status: 0, Offset: 0, Limit: 10, ApplyTimeStart: '2025-01-01', ApplyTimeEnd: '2025-12-31' });
        assertKinds('DescribeUnbindClientList', res);
        assert.equal(res.TotalCount, 3);
      });
      test('DescribeSalesmans', async () => {
        const res = await c.DescribeSalesmans({ Offset: 0, Limit: 10, SalesName: '张' });
        assertKinds('DescribeSalesmans', res);
        assert.deepEqual(res.AgentSalesmanSet.map((x: any) => x.SalesUin), [SALES_A1]);
      });
      test('DescribeAgentPayDealsV2 and DescribeAgentSelfPayDealsV2', async () => {
        const pay = await c.DescribeAgentPayDealsV2({ Offset: 0, Limit: 100 });
        assertKinds('DescribeAgentPayDealsV2', pay);
        assert.deepEqual(pay.AgentPayDealSet.map((d: any) => d.DealName), expectedV2(deals, { clients: A_CLIENTS, payerMode: 1 }).map((d) => d.deal_name));
        const self = await c.DescribeAgentSelfPayDealsV2({ OwnerUin: CLIENT_1.uin, Offset: 0, Limit: 100, Order: 1 });
        assertKinds('DescribeAgentSelfPayDealsV2', self);
        assert.deepEqual(self.AgentPayDealSet.map((d: any) => d.DealName), expectedV2(deals, { clients: [CLIENT_1.uin], payerMode: 0, ascending: true }).map((d) => d.deal_name));
      });
      test('DescribeAgentRelateBigDealIds', async () => {
        const res = await c.DescribeAgentRelateBigDealIds({ BigDealId: 'RBIGREFUND' });
        assertKinds('DescribeAgentRelateBigDealIds', res);
        assert.deepEqual(res.BigDealIdList, expectedRelated(deals, A_CLIENTS, 'RBIGREFUND'));
        assert.ok(res.BigDealIdList.length > 0);
      });
      test('DescribeAgentDealsPriceDetailByDealName', async () => {
        const mine = deals.filter((d) => A_CLIENTS.includes(d.owner_uin) && d.pay_mode === 'prePay').slice(0, 3);
        const res = await c.DescribeAgentDealsPriceDetailByDealName({ DealCreatYear: 2025, DealNames: mine.map((d) => d.deal_name) });
        assertKinds('DescribeAgentDealsPriceDetailByDealName', res);
        assert.deepEqual(res.DealList, mine.map(priceDetailOf));
      });
      test('ModifyClientRemark, then the remark in DescribeAgentDealsByCache', async () => {
        const res = await c.ModifyClientRemark({ ClientUin: CLIENT_1.uin, ClientRemark: `via ${signMethod}` });
        assertKinds('ModifyClientRemark', res);
        const cache = await c.DescribeAgentDealsByCache({ Offset: 0, Limit: 5, OwnerUins: [CLIENT_1.uin] });
        assertKinds('DescribeAgentDealsByCache', cache);
        for (const d of cache.AgentDealSet) assert.equal(d.ClientRemark, `via ${signMethod}`);
      });
      test('AuditApplyClient accept and reject', async () => {
        const accepted = await c.AuditApplyClient({ ClientUin: APPLICANT_1.uin, AuditResult: 'accept', Note: 'ok' });
        assertKinds('AuditApplyClient', accepted);
        assert.equal(accepted.AuditResult, 'accept');
        const rejected = await c.AuditApplyClient({ ClientUin: APPLICANT_2.uin, AuditResult: 'reject', Note: '' });
        assertKinds('AuditApplyClient', rejected);
        const audited = await c.DescribeAgentAuditedClients({ ClientUins: [APPLICANT_1.uin, APPLICANT_2.uin], Offset: 0, Limit: 10 });
        assert.deepEqual(audited.AgentClientSet.map((x: any) => x.ClientUin), [APPLICANT_1.uin]);
      });
      test('errors arrive as SDK exceptions with the documented codes', async () => {
        await assert.rejects(c.DescribeAgentSelfPayDealsV2({ OwnerUin: '700000000001', Offset: 0, Limit: 10 }), { code: 'InvalidParameter' });
        await assert.rejects(c.DescribeAgentClients({ Offset: 0, Limit: 0 }), { code: 'InvalidParameter' });
        await assert.rejects(c.AuditApplyClient({ ClientUin: APPLICANT_1.uin, AuditResult: 'accept', Note: '' }), { code: 'FailedOperation' });
        const client = new partners.v20180321.Client({
          credential: { secretId: CLIENT_1.key.SecretId, secretKey: CLIENT_1.key.SecretKey },
          region: '',
          profile: { signMethod, httpProfile: { endpoint: server.endpoint, protocol: 'http://', reqTimeout: 10 } },
        });
        await assert.rejects(client.DescribeSalesmans({ Offset: 0, Limit: 10 }), { code: 'UnauthorizedOperation' });
      });
    });
  });
}
