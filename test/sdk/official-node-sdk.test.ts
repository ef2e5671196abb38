/**
 * The official tencentcloud-sdk-nodejs clients, unchanged, against a real tcdeals server on a
 * free port: TC3 and HmacSHA256, an IP endpoint and production host names resolved to loopback.
 */
import { Agent } from 'node:http';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { AGENT_A, CLIENT_1, CLIENT_2, LONER, expectedAgent, expectedBilling, fixtureDeals } from '../helpers/fixture.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
const { billing } = require('tencentcloud-sdk-nodejs/tencentcloud/services/billing');
const { partners } = require('tencentcloud-sdk-nodejs/tencentcloud/services/partners');

/** Resolves every host name to 127.0.0.1, so `billing.tencentcloudapi.com:PORT` reaches the test server. */
const loopbackAgent = () =>
  new Agent({
    lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
      opts?.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as never,
  });

type Mode = { name: string; signMethod: 'TC3-HMAC-SHA256' | 'HmacSHA256' | 'HmacSHA1'; realHost: boolean; reqMethod?: 'POST' | 'GET' };

const MODES: Mode[] = [
  { name: 'TC3, IP endpoint', signMethod: 'TC3-HMAC-SHA256', realHost: false },
  { name: 'TC3, production host names on loopback', signMethod: 'TC3-HMAC-SHA256', realHost: true },
  { name: 'TC3 GET, IP endpoint', signMethod: 'TC3-HMAC-SHA256', realHost: false, reqMethod: 'GET' },
  { name: 'HmacSHA256, IP endpoint', signMethod: 'HmacSHA256', realHost: false },
  { name: 'HmacSHA256, production host names on loopback', signMethod: 'HmacSHA256', realHost: true },
  { name: 'HmacSHA1, IP endpoint', signMethod: 'HmacSHA1', realHost: false },
];

forEachBackend((backend) => {
  describe('official Node SDK', () => {
    let server: TestServer;
    const deals = fixtureDeals();
    before(async () => {
      server = await startServer({ backend });
    });
    after(() => server.close());

    function clients(mode: Mode, key: { SecretId: string; SecretKey: string }, language?: string) {
      const profile = (svc: string) => ({
        signMethod: mode.signMethod,
        ...(language ? { language } : {}),
        httpProfile: {
          endpoint: mode.realHost ? `${svc}.tencentcloudapi.com:${server.port}` : server.endpoint,
          protocol: 'http://',
          reqMethod: mode.reqMethod ?? 'POST',
          reqTimeout: 10,
          ...(mode.realHost ? { agent: loopbackAgent() } : {}),
        },
      });
      const credential = { secretId: key.SecretId, secretKey: key.SecretKey };
      return {
        billing: new billing.v20180709.Client({ credential, region: '', profile: profile('billing') }),
        partners: new partners.v20180321.Client({ credential, region: '', profile: profile('partners') }),
      };
    }

    for (const mode of MODES) {
      describe(mode.name, () => {
        test('billing DescribeDealsByCond returns the caller’s page', async () => {
          const { billing: c } = clients(mode, CLIENT_1.key);
          const res = await c.DescribeDealsByCond({ StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 3, Offset: 1, StatusSet: [4, 6] });
          const expected = expectedBilling(deals, { owner: CLIENT_1.uin, start: '2025-01-01 00:00:00', end: '2025-12-31 23:59:59', statuses: [4, 6] });
          assert.equal(res.TotalCount, expected.length);
          assert.deepEqual(res.Deals.map((d: { OrderId: string }) => d.OrderId), expected.slice(1, 4).map((d) => d.deal_name));
          assert.match(res.RequestId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        });

        test('partners DescribeAgentDealsByCache returns the agent’s clients’ page', async () => {
          const { partners: c } = clients(mode, AGENT_A.key);
          const res = await c.DescribeAgentDealsByCache({
            Offset: 2, Limit: 5, Order: 1, CreatTimeRangeStart: '2025-03-01 00:00:00', CreatTimeRangeEnd: '2025-05-29 23:59:59', OwnerUins: [CLIENT_1.uin, CLIENT_2.uin],
          });
          const expected = expectedAgent(deals, {
            clients: [CLIENT_1.uin, CLIENT_2.uin], start: '2025-03-01 00:00:00', end: '2025-05-29 23:59:59', ascending: true, ownerUins: [CLIENT_1.uin, CLIENT_2.uin],
          });
          assert.ok(expected.length > 7, 'fixture gives a real page');
          assert.equal(res.TotalCount, expected.length);
          assert.deepEqual(res.AgentDealSet.map((d: { DealName: string }) => d.DealName), expected.slice(2, 7).map((d) => d.deal_name));
        });

        test('failures arrive as SDK exceptions with the right code', async () => {
          const { partners: c } = clients(mode, LONER.key);
          await assert.rejects(c.DescribeAgentDealsByCache({ Offset: 0, Limit: 10 }), (err: { code?: string; requestId?: string }) => {
            assert.equal(err.code, 'UnauthorizedOperation');
            assert.ok(err.requestId);
            return true;
          });
          const { billing: b } = clients(mode, { SecretId: CLIENT_1.key.SecretId, SecretKey: 'wrong-key' });
          await assert.rejects(b.DescribeDealsByCond({ StartTime: '2025-01-01 00:00:00', EndTime: '2025-02-01 00:00:00', Limit: 1 }), { code: 'AuthFailure.SignatureFailure' });
          const { billing: b2 } = clients(mode, CLIENT_1.key);
          await assert.rejects(b2.DescribeDealsByCond({ StartTime: '2025-01-01 00:00:00', EndTime: '2025-02-01 00:00:00', Limit: 1001 }), { code: 'InvalidParameterValue' });
        });
      });
    }

    test('X-TC-Language zh-CN answers in Chinese', async () => {
      const { partners: c } = clients(MODES[0]!, LONER.key, 'zh-CN');
      await assert.rejects(c.DescribeAgentDealsByCache({ Offset: 0, Limit: 10 }), (err: { code?: string; message: string }) => {
        assert.equal(err.code, 'UnauthorizedOperation');
        assert.match(err.message, /未授权操作/);
        return true;
      });
    });
  });
});
