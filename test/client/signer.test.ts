/**
 * The client's signer reproduces the official TC3 vector (protocol.md §3.1), and the client's own
 * requests — captured on the way out through an injected fetch — carry the documented headers and
 * are accepted by a real tcdeals server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLIENT_VERSION, signTc3, TencentCloudClient, type FetchInit, type FetchLike } from '../../src/client/index.js';
import { AGENT_A, CLIENT_1 } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('signTc3: the official TC3-HMAC-SHA256 vector', () => {
  const signed = signTc3({
    secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    service: 'cvm',
    host: 'cvm.tencentcloudapi.com',
    timestamp: 1551113065,
    // The six-character escapes are literal bytes of the body.
    payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    contentType: 'application/json; charset=utf-8',
  });

  test('canonical request', () => {
    assert.equal(
      signed.canonicalRequest,
      'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n' +
        '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
  });

  test('string to sign', () => {
    assert.equal(
      signed.stringToSign,
      'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
  });

  test('signature and Authorization header', () => {
    assert.equal(signed.date, '2019-02-25');
    assert.equal(signed.signedHeaders, 'content-type;host');
    assert.equal(signed.signature, '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    assert.equal(
      signed.authorization,
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });
});

test('CLIENT_VERSION is the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(CLIENT_VERSION, pkg.version);
});

interface Captured {
  url: string;
  init: FetchInit;
  status: number;
  responseTraceId: string | null;
  body: string;
}

/** Forwards to the real fetch and records what went out and what came back. */
function capturingFetch(log: Captured[]): FetchLike {
  return async (url, init) => {
    const res = await fetch(url, init);
    const body = await res.text();
    log.push({ url, init, status: res.status, responseTraceId: res.headers.get('x-tc-traceid'), body });
    return { status: res.status, statusText: res.statusText, text: async () => body };
  };
}

describe('the client against a real tcdeals server', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('a billing request: headers, Python/Go-style signature (product service, host with port), accepted', async () => {
    const log: Captured[] = [];
    const client = new TencentCloudClient({
      secretId: CLIENT_1.key.SecretId,
      secretKey: CLIENT_1.key.SecretKey,
      baseUrl: `http://${server.endpoint}`,
      region: 'ap-guangzhou',
      language: 'en-US',
      ratePerSecond: 0,
      fetch: capturingFetch(log),
    });
    const before = Math.floor(Date.now() / 1000);
    const res = await client.describeDealsByCond({ StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 5, StatusSet: [4, 6] });
    assert.ok(res.TotalCount > 0);
    assert.equal(res.Deals.length, Math.min(5, res.TotalCount));
    assert.ok(res.Deals.every((d) => d.Status === 4 || d.Status === 6));
    assert.match(res.RequestId, UUID);
    assert.deepEqual(Object.keys(res).sort(), ['Deals', 'RequestId', 'TotalCount'], 'the Response object and nothing else');

    assert.equal(log.length, 1);
    const { url, init, status, responseTraceId } = log[0]!;
    assert.equal(status, 200);
    assert.equal(url, `http://${server.endpoint}/`);
    assert.equal(init.method, 'POST');
    const h = init.headers;
    assert.equal(h['Content-Type'], 'application/json');
    assert.equal(h['X-TC-Action'], 'DescribeDealsByCond');
    assert.equal(h['X-TC-Version'], '2018-07-09');
    assert.equal(h['X-TC-Region'], 'ap-guangzhou');
    assert.equal(h['X-TC-Language'], 'en-US');
    assert.equal(h['X-TC-RequestClient'], `tcdeals-client/${CLIENT_VERSION}`);
    assert.match(h['X-TC-TraceId']!, UUID);
    assert.equal(responseTraceId, h['X-TC-TraceId'], 'the server echoes the trace id');
    const ts = Number(h['X-TC-Timestamp']);
    assert.ok(ts >= before && ts <= before + 5);
    assert.deepEqual(JSON.parse(init.body), { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 5, StatusSet: [4, 6] });

    // Scope service is the product name and the signed host keeps the port, exactly as Python/Go sign.
    const expected = signTc3({
      secretId: CLIENT_1.key.SecretId,
      secretKey: CLIENT_1.key.SecretKey,
      service: 'billing',
      host: server.endpoint,
      timestamp: ts,
      payload: init.body,
    });
    assert.equal(h.Authorization, expected.authorization);
    assert.match(h.Authorization!, /Credential=AKIDtestClient1\w+\/\d{4}-\d{2}-\d{2}\/billing\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/);
  });

  test('a partners request through per-service endpoints; no Region/Language headers unless set; a fresh trace id each time', async () => {
    const log: Captured[] = [];
    const client = new TencentCloudClient({
      secretId: AGENT_A.key.SecretId,
      secretKey: AGENT_A.key.SecretKey,
      endpoints: { partners: `http://${server.endpoint}`, billing: 'http://127.0.0.1:9' },
      ratePerSecond: 0,
      fetch: capturingFetch(log),
    });
    assert.equal(client.endpoint('partners'), `http://${server.endpoint}/`);
    assert.equal(client.endpoint('billing'), 'http://127.0.0.1:9/');
    const a = await client.describeAgentDealsByCache({ Offset: 0, Limit: 3, Order: 1 });
    const b = await client.describeAgentDealsByCache({ Offset: 3, Limit: 3, Order: 1 });
    assert.equal(a.AgentDealSet.length, 3);
    assert.equal(b.TotalCount, a.TotalCount);
    assert.notEqual(a.AgentDealSet[0]!.DealName, b.AgentDealSet[0]!.DealName);
    const [first, second] = log;
    assert.equal(first!.init.headers['X-TC-Action'], 'DescribeAgentDealsByCache');
    assert.equal(first!.init.headers['X-TC-Version'], '2018-03-21');
    assert.match(first!.init.headers.Authorization!, /\/partners\/tc3_request, /);
    assert.equal('X-TC-Region' in first!.init.headers, false);
    assert.equal('X-TC-Language' in first!.init.headers, false);
    assert.notEqual(first!.init.headers['X-TC-TraceId'], second!.init.headers['X-TC-TraceId']);
    assert.deepEqual(client.stats, { calls: 2, attempts: 2, retries: 0, rateLimited: 0, failures: 0 });
  });

  test('default endpoints are the production hosts', () => {
    const client = new TencentCloudClient({ secretId: 'id', secretKey: 'key' });
    assert.equal(client.endpoint('billing'), 'https://billing.tencentcloudapi.com/');
    assert.equal(client.endpoint('partners'), 'https://partners.tencentcloudapi.com/');
  });

  test('an API error arrives as TencentCloudError with the code, message and RequestId; zh-CN answers in Chinese', async () => {
    const { TencentCloudError } = await import('../../src/client/index.js');
    const client = new TencentCloudClient({ secretId: CLIENT_1.key.SecretId, secretKey: CLIENT_1.key.SecretKey, baseUrl: `http://${server.endpoint}`, ratePerSecond: 0, language: 'zh-CN' });
    await assert.rejects(client.describeAgentDealsByCache({ Offset: 0, Limit: 1 }), (err: unknown) => {
      assert.ok(err instanceof TencentCloudError);
      assert.equal(err.code, 'UnauthorizedOperation');
      assert.match(err.requestId, UUID);
      assert.equal(err.httpStatus, 200);
      assert.match(err.message, /代理商/);
      return true;
    });
    const wrongKey = new TencentCloudClient({ secretId: CLIENT_1.key.SecretId, secretKey: 'not-the-key', baseUrl: `http://${server.endpoint}`, ratePerSecond: 0 });
    await assert.rejects(wrongKey.describeDealsByCond({ StartTime: '2025-01-01 00:00:00', EndTime: '2025-01-31 23:59:59', Limit: 1 }), { code: 'AuthFailure.SignatureFailure' });
    assert.equal(wrongKey.stats.retries, 0, 'a signature failure is not retried');
  });
});
