/**
 * The signature code against published and captured vectors: the official TC3 example (§3.1 of
 * the protocol notes), the current-document variant with three signed headers (§3.2), the legacy
 * v1 example (§4), and requests captured from the official Node and Python SDKs (§3.3, §9). The
 * server's verifier must accept every one of them as a raw request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { authenticate, type KeyLookup, type KeyRecord } from '../../src/protocol/authenticate.js';
import { readIncoming, type RawHttpRequest } from '../../src/protocol/incoming.js';
import {
  authorizationHeader, canonicalRequest, parseAuthorization, scopeDate, sha256Hex, signature, signingKey, stringToSign,
} from '../../src/protocol/tc3.js';
import { v1MethodOf, v1Signature, v1StringToSign } from '../../src/protocol/v1.js';
import type { DemoDataset } from '../../src/domain/demo-seed.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { rawHttp } from '../helpers/raw-http.js';

// ---------------------------------------------------------------------------------------------
// §3.1 The official TC3 example.

const DOC = {
  secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
  secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
  timestamp: 1551113065,
  date: '2019-02-25',
  service: 'cvm',
  host: 'cvm.tencentcloudapi.com',
  contentType: 'application/json; charset=utf-8',
  // The six-character escapes are literal bytes of the body (String.raw keeps the backslashes).
  payload: String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`,
  payloadHash: '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  canonical: [
    'POST',
    '/',
    '',
    'content-type:application/json; charset=utf-8',
    'host:cvm.tencentcloudapi.com',
    '',
    'content-type;host',
    '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  ].join('\n'),
  stringToSign: [
    'TC3-HMAC-SHA256',
    '1551113065',
    '2019-02-25/cvm/tc3_request',
    '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
  ].join('\n'),
  secretDate: 'd1308c81fe71cfd4e06437bbc067b2b8a3d2d8c0e375d547f15c41d5214b395a',
  secretService: '3c7cb7c7795393edc14fd2e0e6434a518564b4504b88e94f5d11bf59ba3e7050',
  secretSigning: 'ac658d5dde49e9bfdd14e04e062f66b05d9f637d44b8a8d845327d4a77f666b1',
  signature: '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
  authorization:
    'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
} as const;

const hmacHex = (key: string | Buffer, msg: string) => createHmac('sha256', key).update(msg, 'utf8').digest('hex');

/** A KeyLookup over a fixed list, counting lookups. */
function keys(...records: KeyRecord[]): KeyLookup & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (id: string) => {
    calls.push(id);
    return records.find((r) => r.secretId === id);
  };
  return Object.assign(fn, { calls });
}

/** Node lower-cases header names; a raw request as the server's HTTP layer hands it over. */
function raw(method: string, url: string, headers: Record<string, string>, body = ''): RawHttpRequest {
  return {
    method,
    url,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(body, 'utf8'),
  };
}

describe('TC3 official vector (§3.1)', () => {
  test('the payload carries the \\u escapes as literal bytes', () => {
    assert.ok(DOC.payload.includes('\\u672a\\u547d\\u540d'));
    assert.equal(Buffer.byteLength(DOC.payload), DOC.payload.length, 'pure ASCII');
    assert.equal(sha256Hex(Buffer.from(DOC.payload)), DOC.payloadHash);
    assert.equal(sha256Hex(DOC.payload), DOC.payloadHash);
  });

  test('canonical request', () => {
    const canonical = canonicalRequest({
      method: 'post',
      canonicalQuery: '',
      headers: [['content-type', DOC.contentType], ['host', DOC.host]],
      payloadHash: sha256Hex(DOC.payload),
    });
    assert.equal(canonical, DOC.canonical);
    assert.equal(canonical.split('\n').length, 8, 'the empty query line and the blank line after the headers');
    assert.ok(!canonical.endsWith('\n'));
  });

  test('string to sign', () => {
    assert.equal(scopeDate(DOC.timestamp), DOC.date);
    assert.equal(stringToSign(DOC.timestamp, DOC.service, DOC.canonical), DOC.stringToSign);
  });

  test('intermediate keys', () => {
    const secretDate = createHmac('sha256', `TC3${DOC.secretKey}`).update(DOC.date).digest();
    const secretService = createHmac('sha256', secretDate).update(DOC.service).digest();
    assert.equal(secretDate.toString('hex'), DOC.secretDate);
    assert.equal(secretService.toString('hex'), DOC.secretService);
    assert.equal(hmacHex(secretService, 'tc3_request'), DOC.secretSigning);
    assert.equal(signingKey(DOC.secretKey, DOC.date, DOC.service).toString('hex'), DOC.secretSigning);
  });

  test('signature and Authorization header, exactly', () => {
    const sig = signature(DOC.secretKey, DOC.date, DOC.service, DOC.stringToSign);
    assert.equal(sig, DOC.signature);
    assert.equal(authorizationHeader(DOC.secretId, DOC.date, DOC.service, 'content-type;host', sig), DOC.authorization);
  });

  test('the Authorization header parses back into its parts', () => {
    assert.deepEqual(parseAuthorization(DOC.authorization), {
      secretId: DOC.secretId,
      date: DOC.date,
      service: DOC.service,
      signedHeaders: ['content-type', 'host'],
      signature: DOC.signature,
    });
  });

  const docRequest = (overrides: Record<string, string> = {}, body: string = DOC.payload) =>
    raw(
      'POST',
      '/',
      {
        'Content-Type': DOC.contentType,
        Host: DOC.host,
        'X-TC-Action': 'DescribeInstances',
        'X-TC-Timestamp': String(DOC.timestamp),
        'X-TC-Version': '2017-03-12',
        'X-TC-Region': 'ap-guangzhou',
        Authorization: DOC.authorization,
        ...overrides,
      },
      body,
    );
  const docKey: KeyRecord = { secretId: DOC.secretId, secretKey: DOC.secretKey, uin: '100000000001' };

  test('the server verifier accepts the example as a raw request', async () => {
    const call = readIncoming(docRequest());
    assert.equal(call.scheme, 'tc3');
    assert.equal(call.action, 'DescribeInstances');
    assert.equal(call.version, '2017-03-12');
    const lookup = keys(docKey);
    assert.equal(await authenticate(call, lookup, DOC.timestamp * 1000), docKey);
    assert.deepEqual(lookup.calls, [DOC.secretId]);
  });

  test('the verifier refuses the example with the escapes decoded (other bytes, other hash)', async () => {
    const decoded = JSON.stringify(JSON.parse(DOC.payload)).replace('{"Limit":1,', '{"Limit": 1, ');
    assert.notEqual(decoded, DOC.payload);
    const call = readIncoming(docRequest({}, decoded));
    await assert.rejects(authenticate(call, keys(docKey), DOC.timestamp * 1000), { code: 'AuthFailure.SignatureFailure' });
  });

  test('the verifier refuses the example under another key or outside the clock window', async () => {
    await assert.rejects(
      authenticate(readIncoming(docRequest()), keys({ ...docKey, secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLF' }), DOC.timestamp * 1000),
      { code: 'AuthFailure.SignatureFailure' },
    );
    await assert.rejects(authenticate(readIncoming(docRequest()), keys(docKey), (DOC.timestamp + 301) * 1000), {
      code: 'AuthFailure.SignatureExpire',
    });
    assert.ok(await authenticate(readIncoming(docRequest()), keys(docKey), (DOC.timestamp - 300) * 1000));
  });
});

// ---------------------------------------------------------------------------------------------
// §3.2 Current-document variant: three signed headers, x-tc-action value lower-cased.

describe('TC3 three-signed-header variant (§3.2)', () => {
  const CANONICAL = [
    'POST',
    '/',
    '',
    'content-type:application/json; charset=utf-8',
    'host:cvm.tencentcloudapi.com',
    'x-tc-action:describeinstances',
    '',
    'content-type;host;x-tc-action',
    DOC.payloadHash,
  ].join('\n');
  const HASHED = '7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84';
  const PUBLISHED_SIGNING = 'b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af';
  const PUBLISHED_SIGNATURE = '10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f';
  const SIGNATURE_WITH_DOC_KEY = '644be983de9a8a3f00db8eadaba61467c3b429e2215758ba897b738ca469fd26';

  test('canonical request and its hash', () => {
    const canonical = canonicalRequest({
      method: 'POST',
      canonicalQuery: '',
      headers: [['content-type', DOC.contentType], ['host', DOC.host], ['x-tc-action', 'describeinstances']],
      payloadHash: sha256Hex(DOC.payload),
    });
    assert.equal(canonical, CANONICAL);
    assert.equal(sha256Hex(canonical), HASHED);
  });

  test('the published signature follows from the published SecretSigning', () => {
    const toSign = stringToSign(DOC.timestamp, 'cvm', CANONICAL);
    assert.equal(toSign, `TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n${HASHED}`);
    assert.equal(hmacHex(Buffer.from(PUBLISHED_SIGNING, 'hex'), toSign), PUBLISHED_SIGNATURE);
    assert.equal(signature(DOC.secretKey, DOC.date, 'cvm', toSign), SIGNATURE_WITH_DOC_KEY);
  });

  test('the verifier honours an arbitrary SignedHeaders list with lower-cased values', async () => {
    const auth = authorizationHeader(DOC.secretId, DOC.date, 'cvm', 'content-type;host;x-tc-action', SIGNATURE_WITH_DOC_KEY);
    const call = readIncoming(
      raw(
        'POST',
        '/',
        {
          'Content-Type': DOC.contentType,
          Host: DOC.host,
          'X-TC-Action': 'DescribeInstances',
          'X-TC-Timestamp': String(DOC.timestamp),
          'X-TC-Version': '2017-03-12',
          Authorization: auth,
        },
        DOC.payload,
      ),
    );
    const key: KeyRecord = { secretId: DOC.secretId, secretKey: DOC.secretKey, uin: '1' };
    assert.equal(await authenticate(call, keys(key), DOC.timestamp * 1000), key);
  });
});

// ---------------------------------------------------------------------------------------------
// §4 Legacy v1.

describe('v1 official vector (§4)', () => {
  const PARAMS: Array<[string, string]> = [
    ['Action', 'DescribeInstances'],
    ['InstanceIds.0', 'ins-09dx96dg'],
    ['Limit', '20'],
    ['Nonce', '11886'],
    ['Offset', '0'],
    ['Region', 'ap-guangzhou'],
    ['SecretId', DOC.secretId],
    ['Timestamp', '1465185768'],
    ['Version', '2017-03-12'],
  ];
  const STRING =
    'GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12';

  test('string to sign: ASCII-sorted raw pairs, Signature left out, whatever the input order', () => {
    const shuffled = [...PARAMS].reverse();
    shuffled.splice(3, 0, ['Signature', 'ignored']);
    assert.equal(v1StringToSign('get', 'cvm.tencentcloudapi.com', '/', shuffled), STRING);
  });

  test('ASCII sort puts InstanceIds.12 before InstanceIds.2', () => {
    const s = v1StringToSign('GET', 'h', '/', [['InstanceIds.2', 'b'], ['InstanceIds.12', 'a']]);
    assert.equal(s, 'GETh/?InstanceIds.12=a&InstanceIds.2=b');
  });

  const VECTORS = [
    { method: 'HmacSHA1', expected: 'EliP9YW3pW28FpsEdkXt/+WcGeI=', urlEncoded: 'EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D' },
    { method: 'HmacSHA256', expected: 'bR/zQ3QqOmcEYeRv71IzG/NxfisUDgy9cqRMQC+UB5g=', urlEncoded: undefined },
  ] as const;
  for (const v of VECTORS) {
    test(`${v.method} signature`, () => {
      const sig = v1Signature(DOC.secretKey, STRING, v.method);
      assert.equal(sig, v.expected);
      if (v.urlEncoded) assert.equal(encodeURIComponent(sig), v.urlEncoded);
    });
  }

  test('only the exact value HmacSHA256 selects SHA-256', () => {
    assert.equal(v1MethodOf('HmacSHA256'), 'HmacSHA256');
    for (const other of [undefined, '', 'HmacSHA1', 'hmacsha256', 'HmacSHA512']) assert.equal(v1MethodOf(other), 'HmacSHA1');
  });

  test('the server verifier accepts the example as a raw GET', async () => {
    const sig = encodeURIComponent(v1Signature(DOC.secretKey, STRING, 'HmacSHA1'));
    const query = PARAMS.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&') + `&Signature=${sig}`;
    const call = readIncoming(raw('GET', `/?${query}`, { Host: DOC.host }));
    assert.equal(call.scheme, 'v1');
    const key: KeyRecord = { secretId: DOC.secretId, secretKey: DOC.secretKey, uin: '1' };
    assert.equal(await authenticate(call, keys(key), 1465185768 * 1000), key);
  });
});

// ---------------------------------------------------------------------------------------------
// §3.3 / §9 Requests captured from the official SDKs (key `smoketestsecret`).

const SMOKE: KeyRecord = { secretId: 'AKIDsmoketest', secretKey: 'smoketestsecret', uin: '900000000009' };

const BILLING_NODE_BODY = '{"StartTime":"2024-01-01 00:00:00","EndTime":"2024-01-31 23:59:59","Limit":20,"Offset":0,"Status":4}';
const PARTNERS_NODE_BODY =
  '{"Offset":0,"Limit":10,"CreatTimeRangeStart":"2024-01-01 00:00:00","CreatTimeRangeEnd":"2024-01-31 23:59:59","Order":0,"OwnerUins":["100000000001"]}';
const BILLING_PY_BODY = '{"StartTime": "2024-01-01 00:00:00", "EndTime": "2024-01-31 23:59:59", "Limit": 20, "Offset": 0, "Status": 4}';
const PARTNERS_PY_BODY =
  '{"Offset": 0, "Limit": 10, "CreatTimeRangeStart": "2024-01-01 00:00:00", "CreatTimeRangeEnd": "2024-01-31 23:59:59", "Order": 0, "OwnerUins": ["100000000001"]}';

interface Captured {
  name: string;
  /** Header lines in the order the client sent them. */
  headers: Array<[string, string]>;
  method: 'GET' | 'POST';
  url: string;
  body: string;
  timestamp: number;
  /** What the table in §3.3 says about the signature, where it lists one. */
  signedHost?: string;
  service?: string;
  bodyHash?: string;
  signature: string;
}

const auth = (service: string, sig: string) =>
  `TC3-HMAC-SHA256 Credential=AKIDsmoketest/2026-11-24/${service}/tc3_request, SignedHeaders=content-type;host, Signature=${sig}`;

const nodeHeaders = (o: { trace: string; host: string; action: string; ts: number; version: string; ct: string; auth: string; len?: number; conn?: string }) =>
  [
    ['X-TC-TraceId', o.trace],
    ['Host', o.host],
    ['X-TC-Action', o.action],
    ['X-TC-Timestamp', String(o.ts)],
    ['X-TC-Version', o.version],
    ['X-TC-RequestClient', 'SDK_NODEJS_4.1.313'],
    ['Content-Type', o.ct],
    ['Authorization', o.auth],
    ['Accept', '*/*'],
    ...(o.len !== undefined ? [['Content-Length', String(o.len)] as [string, string]] : []),
    ['User-Agent', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)'],
    ['Accept-Encoding', 'gzip,deflate'],
    ['Connection', o.conn ?? 'keep-alive'],
  ] as Array<[string, string]>;

const pyHeaders = (o: { trace: string; action: string; version: string; auth: string; len: number }) =>
  [
    ['User-Agent', 'python-requests/2.34.2'],
    ['Accept-Encoding', 'gzip, deflate'],
    ['Accept', '*/*'],
    ['Connection', 'keep-alive'],
    ['X-TC-TraceId', o.trace],
    ['Content-Type', 'application/json'],
    ['Host', '127.0.0.1:18080'],
    ['X-TC-Action', o.action],
    ['X-TC-RequestClient', 'SDK_PYTHON_3.1.162'],
    ['X-TC-Timestamp', '1795502075'],
    ['X-TC-Version', o.version],
    ['X-TC-Language', 'zh-CN'],
    ['Authorization', o.auth],
    ['Content-Length', String(o.len)],
  ] as Array<[string, string]>;

const BILLING_GET_QUERY = 'StartTime=2024-01-01%2000%3A00%3A00&EndTime=2024-01-31%2023%3A59%3A59&Limit=20&Offset=0&Status=4';

const CAPTURED_TC3: Captured[] = [
  {
    name: 'Node, IP endpoint, DescribeDealsByCond (§9.1)',
    method: 'POST',
    url: '/',
    body: BILLING_NODE_BODY,
    timestamp: 1795502033,
    signedHost: '127.0.0.1',
    service: '127',
    bodyHash: '48db9193f7ff0f0c9851917f776c46cc4951110a4c969e275670166f38359324',
    signature: 'be252f49d4c30109bd6e8edf185bc9064398a854f7be4646b41c13f0a25f5f2e',
    headers: nodeHeaders({
      trace: 'a0bda838-59c6-4593-8a0a-5d1706165a33', host: '127.0.0.1:18080', action: 'DescribeDealsByCond', ts: 1795502033,
      version: '2018-07-09', ct: 'application/json', len: 100,
      auth: auth('127', 'be252f49d4c30109bd6e8edf185bc9064398a854f7be4646b41c13f0a25f5f2e'),
    }),
  },
  {
    name: 'Node, IP endpoint, DescribeAgentDealsByCache (§9.1)',
    method: 'POST',
    url: '/',
    body: PARTNERS_NODE_BODY,
    timestamp: 1795502033,
    signedHost: '127.0.0.1',
    service: '127',
    bodyHash: '12d96dadc5908b81989c1d04a964013727c1537b90502549cccebf88fec96ddf',
    signature: 'e19b03290f34d69ebd53c32c632534ea478c31a72ffd818395e0bb2aa664008f',
    headers: nodeHeaders({
      trace: '8f0bc8df-22b1-4b71-bdb1-6a37c54b2e48', host: '127.0.0.1:18080', action: 'DescribeAgentDealsByCache', ts: 1795502033,
      version: '2018-03-21', ct: 'application/json', len: 148,
      auth: auth('127', 'e19b03290f34d69ebd53c32c632534ea478c31a72ffd818395e0bb2aa664008f'),
    }),
  },
  {
    name: 'Node, production host name, DescribeDealsByCond (§9.2)',
    method: 'POST',
    url: '/',
    body: BILLING_NODE_BODY,
    timestamp: 1795502038,
    signedHost: 'billing.tencentcloudapi.com',
    service: 'billing',
    bodyHash: '48db9193f7ff0f0c9851917f776c46cc4951110a4c969e275670166f38359324',
    signature: '81bb686753f66749b689100e4ababe4fd7b4b67945bed7e3912fc8f805fbbe15',
    headers: nodeHeaders({
      trace: '9f71ce75-e2cc-4895-9ef4-8366a82e3d3b', host: 'billing.tencentcloudapi.com:18080', action: 'DescribeDealsByCond', ts: 1795502038,
      version: '2018-07-09', ct: 'application/json', len: 100, conn: 'close',
      auth: auth('billing', '81bb686753f66749b689100e4ababe4fd7b4b67945bed7e3912fc8f805fbbe15'),
    }),
  },
  {
    name: 'Node, production host name, DescribeAgentDealsByCache (§9.2)',
    method: 'POST',
    url: '/',
    body: PARTNERS_NODE_BODY,
    timestamp: 1795502039,
    signedHost: 'partners.tencentcloudapi.com',
    service: 'partners',
    bodyHash: '12d96dadc5908b81989c1d04a964013727c1537b90502549cccebf88fec96ddf',
    signature: '830661c31f786eb4d52741f42e0c9fc2cbd53571f2d80f290126cd2636fc6730',
    headers: nodeHeaders({
      trace: '0bd54041-17f4-4cd6-9a0f-30e7b8feef2c', host: 'partners.tencentcloudapi.com:18080', action: 'DescribeAgentDealsByCache', ts: 1795502039,
      version: '2018-03-21', ct: 'application/json', len: 148, conn: 'close',
      auth: auth('partners', '830661c31f786eb4d52741f42e0c9fc2cbd53571f2d80f290126cd2636fc6730'),
    }),
  },
  {
    name: 'Node, GET with query, DescribeDealsByCond (§9.3)',
    method: 'GET',
    url: `/?${BILLING_GET_QUERY}`,
    body: '',
    timestamp: 1795502050,
    signedHost: '127.0.0.1',
    service: '127',
    bodyHash: sha256Hex(''),
    signature: '984fce813090d12aee4296396b21950089899623336a5e6ca5c228035292d935',
    headers: nodeHeaders({
      trace: 'a6f7b336-5a79-4c06-8753-5f57117705e0', host: '127.0.0.1:18080', action: 'DescribeDealsByCond', ts: 1795502050,
      version: '2018-07-09', ct: 'application/x-www-form-urlencoded',
      auth: auth('127', '984fce813090d12aee4296396b21950089899623336a5e6ca5c228035292d935'),
    }),
  },
  {
    name: 'Python, IP endpoint with port signed, DescribeDealsByCond (§9.5)',
    method: 'POST',
    url: '/',
    body: BILLING_PY_BODY,
    timestamp: 1795502075,
    signedHost: '127.0.0.1:18080',
    service: 'billing',
    bodyHash: '991ecea9c11f80545e810977748f0b6089392709862fb8d1e666b6b92e6f6880',
    signature: 'cf063aa2f4f1c9581ab00f6d566d25226b00ed1ff084fcdf9f94e39af9c2933a',
    headers: pyHeaders({
      trace: '9c2bfc5c-e060-4ad4-8468-68d069a80636', action: 'DescribeDealsByCond', version: '2018-07-09', len: 109,
      auth: auth('billing', 'cf063aa2f4f1c9581ab00f6d566d25226b00ed1ff084fcdf9f94e39af9c2933a'),
    }),
  },
  {
    name: 'Python, IP endpoint with port signed, DescribeAgentDealsByCache (§9.5)',
    method: 'POST',
    url: '/',
    body: PARTNERS_PY_BODY,
    timestamp: 1795502075,
    signedHost: '127.0.0.1:18080',
    service: 'partners',
    signature: '866f351f9b76b18d7325238f2930463eaaf732311565e208c3e7c79c5ef65814',
    headers: pyHeaders({
      trace: '06d5d51a-5148-40c5-85b8-3f7563d984f8', action: 'DescribeAgentDealsByCache', version: '2018-03-21', len: 159,
      auth: auth('partners', '866f351f9b76b18d7325238f2930463eaaf732311565e208c3e7c79c5ef65814'),
    }),
  },
];

const V1_BILLING_FORM =
  'StartTime=2024-01-01%2000%3A00%3A00&EndTime=2024-01-31%2023%3A59%3A59&Limit=20&Offset=0&Status=4&Action=DescribeDealsByCond&RequestClient=SDK_NODEJS_4.1.313&Nonce=64782&Timestamp=1795502050&Version=2018-07-09&SecretId=AKIDsmoketest&Region=ap-guangzhou&Language=en-US&SignatureMethod=HmacSHA256&Signature=plFYwsq4eh%2BQCSUkKx2pT9Hd2Ht7piCHoFfpoARhTV8%3D';
const V1_PARTNERS_FORM =
  'Offset=0&Limit=10&CreatTimeRangeStart=2024-01-01%2000%3A00%3A00&CreatTimeRangeEnd=2024-01-31%2023%3A59%3A59&Order=0&OwnerUins.0=100000000001&Action=DescribeAgentDealsByCache&RequestClient=SDK_NODEJS_4.1.313&Nonce=12591&Timestamp=1795502050&Version=2018-03-21&SecretId=AKIDsmoketest&Region=ap-guangzhou&Language=en-US&SignatureMethod=HmacSHA256&Signature=0rcu08Rh3d9S1S5o8e6f29m9UYVjbuGwfGpOELcyo%2F8%3D';

const v1Headers = (trace: string, len: number) =>
  [
    ['X-TC-TraceId', trace],
    ['Content-Type', 'application/x-www-form-urlencoded'],
    ['Accept', '*/*'],
    ['Content-Length', String(len)],
    ['User-Agent', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)'],
    ['Accept-Encoding', 'gzip,deflate'],
    ['Host', '127.0.0.1:18080'],
    ['Connection', 'keep-alive'],
  ] as Array<[string, string]>;

const CAPTURED_V1: Captured[] = [
  {
    name: 'Node HmacSHA256 form POST, DescribeDealsByCond (§9.4)',
    method: 'POST',
    url: '/',
    body: V1_BILLING_FORM,
    timestamp: 1795502050,
    signature: 'plFYwsq4eh+QCSUkKx2pT9Hd2Ht7piCHoFfpoARhTV8=',
    headers: v1Headers('515df56e-97fc-4add-8854-66d87590ff6e', 352),
  },
  {
    name: 'Node HmacSHA256 form POST, DescribeAgentDealsByCache (§9.4)',
    method: 'POST',
    url: '/',
    body: V1_PARTNERS_FORM,
    timestamp: 1795502050,
    signature: '0rcu08Rh3d9S1S5o8e6f29m9UYVjbuGwfGpOELcyo/8=',
    headers: v1Headers('ce666f9d-ad8d-49ee-acfe-f2b25e292199', 402),
  },
];

const toRaw = (c: Captured) => raw(c.method, c.url, Object.fromEntries(c.headers), c.body);

describe('SDK-captured TC3 requests (§3.3, §9)', () => {
  for (const c of CAPTURED_TC3) {
    describe(c.name, () => {
      test('the captured lengths and hashes are the ones in the notes', () => {
        const len = c.headers.find(([k]) => k === 'Content-Length')?.[1];
        if (len !== undefined) assert.equal(Buffer.byteLength(c.body), Number(len));
        if (c.bodyHash) assert.equal(sha256Hex(c.body), c.bodyHash);
      });

      test('our signer reproduces the signature from the signed host and scope service', () => {
        const ct = c.headers.find(([k]) => k === 'Content-Type')![1];
        const canonical = canonicalRequest({
          method: c.method,
          canonicalQuery: c.method === 'GET' ? c.url.slice(2) : '',
          headers: [['content-type', ct], ['host', c.signedHost!]],
          payloadHash: sha256Hex(c.body),
        });
        assert.equal(scopeDate(c.timestamp), '2026-11-24');
        const toSign = stringToSign(c.timestamp, c.service!, canonical);
        assert.equal(signature(SMOKE.secretKey, '2026-11-24', c.service!, toSign), c.signature);
      });

      test('the verifier accepts the raw request at its own timestamp', async () => {
        const call = readIncoming(toRaw(c));
        assert.equal(call.scheme, 'tc3');
        assert.equal(await authenticate(call, keys(SMOKE), c.timestamp * 1000), SMOKE);
      });

      test('the verifier refuses it with one body byte changed', async () => {
        const r = toRaw(c);
        const tampered = c.method === 'GET'
          ? { ...r, url: r.url.replace('Limit=20', 'Limit=21') }
          : { ...r, body: Buffer.from(c.body.replace(/"Limit": ?(\d+)/, (m, n) => m.replace(n, String(Number(n) + 1)))) };
        assert.notDeepEqual(tampered, r);
        await assert.rejects(authenticate(readIncoming(tampered), keys(SMOKE), c.timestamp * 1000), { code: 'AuthFailure.SignatureFailure' });
      });
    });
  }

  test('Node/127 string to sign as printed in §3.3', () => {
    const c = CAPTURED_TC3[0]!;
    const canonical = canonicalRequest({
      method: 'POST', canonicalQuery: '', headers: [['content-type', 'application/json'], ['host', '127.0.0.1']], payloadHash: sha256Hex(c.body),
    });
    assert.equal(
      stringToSign(c.timestamp, '127', canonical),
      'TC3-HMAC-SHA256\n1795502033\n2026-11-24/127/tc3_request\n8f3663f6fbd91a4e18d3ade01b7bc937e5fd36d8bc8cf9f32c95cebfccfc3dbc',
    );
  });
});

describe('SDK-captured v1 form POSTs (§9.4)', () => {
  for (const c of CAPTURED_V1) {
    test(`${c.name}: our signer reproduces the signature`, () => {
      assert.equal(Buffer.byteLength(c.body), Number(c.headers.find(([k]) => k === 'Content-Length')![1]));
      const pairs = c.body.split('&').map((p) => p.split('=').map((s) => decodeURIComponent(s)) as [string, string]);
      const toSign = v1StringToSign('POST', '127.0.0.1:18080', '/', pairs);
      assert.ok(toSign.startsWith('POST127.0.0.1:18080/?Action='));
      assert.ok(toSign.includes('&Language=en-US&') && toSign.includes('&RequestClient=SDK_NODEJS_4.1.313&'));
      assert.ok(!toSign.includes('Signature='));
      assert.equal(v1Signature(SMOKE.secretKey, toSign, 'HmacSHA256'), c.signature);
    });

    test(`${c.name}: the verifier accepts the raw request at its own timestamp`, async () => {
      const call = readIncoming(toRaw(c));
      assert.equal(call.scheme, 'v1');
      assert.equal(call.lang, 'en-US');
      assert.equal(await authenticate(call, keys(SMOKE), c.timestamp * 1000), SMOKE);
    });

    test(`${c.name}: the verifier refuses it with a parameter changed`, async () => {
      const r = toRaw(c);
      const tampered = { ...r, body: Buffer.from(c.body.replace('Offset=0', 'Offset=1')) };
      await assert.rejects(authenticate(readIncoming(tampered), keys(SMOKE), c.timestamp * 1000), { code: 'AuthFailure.SignatureFailure' });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The same captured bytes replayed over a socket to a running server.

function serialize(c: Captured): string {
  // Connection: close so the server ends the socket after answering; everything else verbatim.
  const lines = c.headers.map(([k, v]) => (k === 'Connection' ? 'Connection: close' : `${k}: ${v}`));
  return `${c.method} ${c.url} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${c.body}`;
}

forEachBackend((backend) => {
  describe('captured requests replayed to a running server', () => {
    const dataset: DemoDataset = {
      accounts: [
        { uin: SMOKE.uin, appId: '1300000109', isAgent: true, key: { SecretId: SMOKE.secretId, SecretKey: SMOKE.secretKey } },
        { uin: '100000000001', appId: '1250000001', isAgent: false },
      ],
      bindings: [{ agentUin: SMOKE.uin, clientUin: '100000000001', clientType: 'new', projectType: 'self', salesUin: '0', clientRemark: '' }],
      deals: [],
    };
    let server: TestServer;
    let clock = 0;
    before(async () => {
      server = await startServer({ backend, dataset, now: () => clock });
    });
    after(() => server.close());

    for (const c of [...CAPTURED_TC3, ...CAPTURED_V1]) {
      test(c.name, async () => {
        clock = c.timestamp * 1000 + 1500;
        const res = await rawHttp(server.port, serialize(c));
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/json');
        const json = JSON.parse(res.body) as { Response: Record<string, unknown> };
        assert.equal(json.Response.Error, undefined, res.body);
        assert.equal(json.Response.TotalCount, 0);
        const list = c.body.includes('DescribeAgentDealsByCache') || c.headers.some(([, v]) => v === 'DescribeAgentDealsByCache') ? 'AgentDealSet' : 'Deals';
        assert.deepEqual(json.Response[list], []);
        const trace = c.headers.find(([k]) => k === 'X-TC-TraceId')![1];
        assert.equal(res.headers.get('x-tc-traceid'), trace);
      });
    }
  });
});
