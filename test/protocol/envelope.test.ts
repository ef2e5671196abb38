/**
 * The answer envelope: HTTP 200 and `Content-Type: application/json` exactly for everything,
 * a fresh lower-case UUID RequestId in every answer, routing and size-limit errors in the
 * envelope, and the official request examples answered with the official example's shape.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { authorizationHeader, canonicalRequest, scopeDate, sha256Hex, signature, stringToSign } from '../../src/protocol/tc3.js';
import { errorCode, send, tc3, v1, type ApiAnswer } from '../helpers/call.js';
import { AGENT_A, CLIENT_1 } from '../helpers/fixture.js';
import { httpRequest, rawHttp, type RawAnswer } from '../helpers/raw-http.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';

const BILLING = { action: 'DescribeDealsByCond', version: '2018-07-09' } as const;
const PARTNERS = { action: 'DescribeAgentDealsByCache', version: '2018-03-21' } as const;
const BILLING_BODY = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 2 };
const PARTNERS_BODY = { Offset: 0, Limit: 2 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every RequestId seen in this file: all must be distinct. */
const seenIds: string[] = [];

function checkEnvelope(a: ApiAnswer | RawAnswer): Record<string, any> {
  const status = a.status;
  const contentType = 'contentType' in a ? a.contentType : a.headers.get('content-type');
  const body = 'raw' in a ? a.raw : a.body;
  assert.equal(status, 200, body);
  assert.equal(contentType, 'application/json', 'exactly, without a charset (the Python SDK needs it so)');
  const json = JSON.parse(body) as { Response?: Record<string, any> };
  assert.ok(json.Response && typeof json.Response === 'object', body);
  assert.deepEqual(Object.keys(json), ['Response']);
  assert.match(json.Response.RequestId, UUID);
  seenIds.push(json.Response.RequestId);
  if (json.Response.Error !== undefined) {
    assert.deepEqual(Object.keys(json.Response).sort(), ['Error', 'RequestId']);
    assert.deepEqual(Object.keys(json.Response.Error), ['Code', 'Message']);
    assert.equal(typeof json.Response.Error.Code, 'string');
    assert.equal(typeof json.Response.Error.Message, 'string');
    assert.ok(json.Response.Error.Message.length > 0);
  }
  return json.Response;
}

function expectError(a: ApiAnswer | RawAnswer, code: string): void {
  const r = checkEnvelope(a);
  assert.equal(r.Error?.Code, code, JSON.stringify(r));
}

function expectSuccess(a: ApiAnswer | RawAnswer, list: 'Deals' | 'AgentDealSet'): Record<string, any> {
  const r = checkEnvelope(a);
  assert.equal(r.Error, undefined, JSON.stringify(r));
  assert.ok(Array.isArray(r[list]));
  assert.equal(typeof r.TotalCount, 'number');
  return r;
}

// ---------------------------------------------------------------------------------------------
// The official examples from the seed documents.

interface Seed {
  /** The input example's JSON body, verbatim (multi-line, as the document prints it). */
  input: string;
  output: { Response: Record<string, unknown> };
}

function readSeed(name: string): Seed {
  const text = readFileSync(new URL(`../fixtures/seeds/${name}`, import.meta.url), 'utf8');
  const inStart = text.indexOf('{', text.indexOf('<公共请求参数>'));
  const inEnd = text.indexOf('输出示例');
  const outStart = text.indexOf('{', inEnd);
  const outEnd = text.indexOf('5. 开发者资源');
  return {
    input: text.slice(inStart, text.lastIndexOf('}', inEnd) + 1),
    output: JSON.parse(text.slice(outStart, text.lastIndexOf('}', outEnd) + 1)),
  };
}

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Keys our answers may carry beyond the official example, each justified by the SDK model
 * (models.md): optional fields (`output_required: false`) the example happens to leave out.
 * Path → key → JSON kind.
 */
const OPTIONAL_EXTRAS: Record<string, Record<string, string>> = {
  // Deal.ZoneCode: `optional string`, Go `*string`, api.json out_required false — "订单对应的可用区Id".
  'Response.Deals[]': { ZoneCode: 'string' },
};

/** Differences in key sets and JSON kinds between `actual` and the official `example`, recursively. */
function shapeDiff(actual: unknown, example: unknown, path: string): string[] {
  const ka = kindOf(actual);
  const ke = kindOf(example);
  if (ka !== ke) return [`${path}: ${ka} where the example has ${ke}`];
  if (ke === 'array') {
    const ex = example as unknown[];
    const ac = actual as unknown[];
    if (ex.length === 0) return [];
    if (ac.length === 0) return [`${path}: empty, the example has items (choose a query that returns some)`];
    return ac.flatMap((item, i) => shapeDiff(item, ex[0], `${path}[]`).map((d) => d.replace(`${path}[]`, `${path}[${i}]`)));
  }
  if (ke === 'object') {
    const ex = example as Record<string, unknown>;
    const ac = actual as Record<string, unknown>;
    const extras = OPTIONAL_EXTRAS[path] ?? {};
    const diffs: string[] = [];
    for (const k of Object.keys(ex)) if (!Object.hasOwn(ac, k)) diffs.push(`${path}.${k}: missing`);
    for (const k of Object.keys(ac)) {
      if (Object.hasOwn(ex, k)) diffs.push(...shapeDiff(ac[k], ex[k], k === 'RequestId' ? `${path}.RequestId` : `${path}.${k}`));
      else if (extras[k] === undefined) diffs.push(`${path}.${k}: not in the example and not a declared optional field`);
      else if (kindOf(ac[k]) !== extras[k]) diffs.push(`${path}.${k}: ${kindOf(ac[k])}, the model says ${extras[k]}`);
    }
    return diffs;
  }
  return [];
}

forEachBackend((backend) => {
  describe('answer envelope', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ backend });
    });
    after(() => server.close());

    const billing = (extra: Partial<Parameters<typeof tc3>[1]> = {}) => tc3(server.url, { ...BILLING, body: BILLING_BODY, key: CLIENT_1.key, ...extra });
    const partners = (extra: Partial<Parameters<typeof tc3>[1]> = {}) => tc3(server.url, { ...PARTNERS, body: PARTNERS_BODY, key: AGENT_A.key, ...extra });

    /** Complete TC3 headers for a billing call signed for any method. */
    function tc3Headers(method: string, body: string): Record<string, string> {
      const ts = Math.floor(Date.now() / 1000);
      const canonical = canonicalRequest({
        method, canonicalQuery: '', headers: [['content-type', 'application/json'], ['host', server.endpoint]], payloadHash: sha256Hex(body),
      });
      const date = scopeDate(ts);
      const sig = signature(CLIENT_1.key.SecretKey, date, 'billing', stringToSign(ts, 'billing', canonical));
      return {
        'Content-Type': 'application/json',
        'X-TC-Action': BILLING.action,
        'X-TC-Version': BILLING.version,
        'X-TC-Timestamp': String(ts),
        Authorization: authorizationHeader(CLIENT_1.key.SecretId, date, 'billing', 'content-type;host', sig),
      };
    }

    /** A signed TC3 POST sent over a socket, so headers can be left out entirely. */
    function rawSigned(headers: Array<[string, string]>, body: string, key = CLIENT_1.key): Promise<RawAnswer> {
      const ts = Math.floor(Date.now() / 1000);
      const canonical = canonicalRequest({
        method: 'POST', canonicalQuery: '', headers: [['content-type', 'application/json'], ['host', server.endpoint]], payloadHash: sha256Hex(body),
      });
      const date = scopeDate(ts);
      const sig = signature(key.SecretKey, date, 'billing', stringToSign(ts, 'billing', canonical));
      return rawHttp(
        server.port,
        httpRequest('POST', '/', [
          ['Host', server.endpoint],
          ['Content-Type', 'application/json'],
          ['X-TC-Timestamp', String(ts)],
          ['Authorization', authorizationHeader(key.SecretId, date, 'billing', 'content-type;host', sig)],
          ...headers,
        ], body),
      );
    }

    describe('every answer is HTTP 200, application/json, with a fresh RequestId', () => {
      const CASES: Array<[string, () => Promise<ApiAnswer | RawAnswer>, string | undefined]> = [
        ['billing success (TC3)', () => billing(), undefined],
        ['partners success (TC3)', () => partners(), undefined],
        ['billing success (v1)', () => v1(server.url, { ...BILLING, params: { StartTime: BILLING_BODY.StartTime, EndTime: BILLING_BODY.EndTime, Limit: '1' }, key: CLIENT_1.key }), undefined],
        ['signature failure', () => billing({ key: { ...CLIENT_1.key, SecretKey: 'wrong' } }), 'AuthFailure.SignatureFailure'],
        ['unknown SecretId', () => billing({ key: { SecretId: 'AKIDnobody', SecretKey: 'x' } }), 'AuthFailure.SecretIdNotFound'],
        ['parameter error', () => billing({ body: { ...BILLING_BODY, Limit: 0 } }), 'InvalidParameterValue'],
        ['unknown parameter', () => billing({ body: { ...BILLING_BODY, Nope: 1 } }), 'UnknownParameter'],
        ['not an agent', () => partners({ key: CLIENT_1.key }), 'UnauthorizedOperation'],
        ['wrong path', () => send(`${server.url}nope`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }), 'InvalidAction'],
        ['empty POST', () => send(server.url, { method: 'POST', headers: {}, body: '' }), 'MissingParameter'],
        ['empty GET', () => send(server.url, { method: 'GET', headers: {} }), 'MissingParameter'],
      ];
      for (const [name, call, code] of CASES) {
        test(`${name}${code ? ` → ${code}` : ''}, twice with distinct RequestIds`, async () => {
          const ids: string[] = [];
          for (let i = 0; i < 2; i++) {
            const a = await call();
            const r = checkEnvelope(a);
            assert.equal(r.Error?.Code, code, JSON.stringify(r));
            ids.push(r.RequestId);
          }
          assert.notEqual(ids[0], ids[1]);
        });
      }

      test('a caller trace id is echoed in X-TC-TraceId, never in the body', async () => {
        const a = await billing({ headers: { 'X-TC-TraceId': 'trace-123' } });
        checkEnvelope(a);
        assert.equal(a.headers.get('x-tc-traceid'), 'trace-123');
        assert.notEqual(a.json.Response.RequestId, 'trace-123');
      });
    });

    describe('routing', () => {
      test('missing Action → MissingParameter (TC3 without X-TC-Action, empty X-TC-Action, v1 without Action)', async () => {
        expectError(await rawSigned([['X-TC-Version', BILLING.version]], JSON.stringify(BILLING_BODY)), 'MissingParameter');
        expectError(await billing({ headers: { 'X-TC-Action': '' } }), 'MissingParameter');
        expectError(await billing({ headers: { 'X-TC-Action': '   ' } }), 'MissingParameter');
        expectError(await send(`${server.url}?Version=${BILLING.version}&Signature=x&SecretId=y`, { method: 'GET', headers: {} }), 'MissingParameter');
      });

      test('unknown Action → InvalidAction', async () => {
        for (const action of ['DescribeInstances', 'describedealsbycond', 'DescribeDealsByCond ', 'DescribeDealsByCondX', '__proto__', 'constructor', 'toString']) {
          const a = await billing({ action });
          // A trailing space is trimmed away as HTTP header values are; everything else is unknown.
          if (action.trim() === BILLING.action) expectSuccess(a, 'Deals');
          else expectError(a, 'InvalidAction');
        }
      });

      test('missing Version → MissingParameter', async () => {
        expectError(await rawSigned([['X-TC-Action', BILLING.action]], JSON.stringify(BILLING_BODY)), 'MissingParameter');
        expectError(await billing({ version: '' }), 'MissingParameter');
      });

      test('wrong Version → NoSuchVersion', async () => {
        expectError(await billing({ version: PARTNERS.version }), 'NoSuchVersion');
        expectError(await billing({ version: '2017-03-12' }), 'NoSuchVersion');
        expectError(await partners({ version: BILLING.version }), 'NoSuchVersion');
        expectError(await partners({ version: '2018-03-22' }), 'NoSuchVersion');
      });

      test('Action and Version route, whatever the Host or scope service says', async () => {
        expectSuccess(await billing({ signedHost: '127.0.0.1', service: 'partners' }), 'Deals');
        expectSuccess(await partners({ service: 'billing' }), 'AgentDealSet');
      });
    });

    describe('methods other than GET and POST', () => {
      for (const method of ['PUT', 'DELETE', 'PATCH']) {
        test(`${method} (even correctly signed for that method) → UnsupportedProtocol in the JSON envelope`, async () => {
          const body = JSON.stringify(BILLING_BODY);
          expectError(await send(server.url, { method, headers: tc3Headers(method, body), body }), 'UnsupportedProtocol');
          expectError(await send(server.url, { method, headers: tc3Headers(method, '') }), 'UnsupportedProtocol');
          expectError(await send(server.url, { method, headers: {} }), 'UnsupportedProtocol');
        });
      }
    });

    describe('size limits', () => {
      test('a GET over 32 KB → RequestSizeLimitExceeded in the envelope, not a connection reset (~40 KB and ~70 KB URLs)', async () => {
        for (const pad of [40_000, 70_000]) {
          const url = `${server.url}?Action=${BILLING.action}&Version=${BILLING.version}&Pad=${'a'.repeat(pad)}`;
          expectError(await send(url, { method: 'GET', headers: {} }), 'RequestSizeLimitExceeded');
          const raw = await rawHttp(server.port, httpRequest('GET', url.slice(url.indexOf('/', 8)), [['Host', server.endpoint]]));
          assert.equal(raw.reset, false);
          expectError(raw, 'RequestSizeLimitExceeded');
        }
      });

      test('a GET just under 32 KB is not refused for its size', async () => {
        const a = await v1(server.url, {
          ...BILLING, method: 'GET', key: CLIENT_1.key,
          params: { StartTime: BILLING_BODY.StartTime, EndTime: BILLING_BODY.EndTime, Limit: '1', OrderId: 'x'.repeat(31_000) },
        });
        assert.ok(Buffer.byteLength(a.raw) > 0);
        const r = checkEnvelope(a);
        assert.equal(r.Error?.Code, 'InvalidParameterValue', 'OrderId too long, but the request size was fine');
      });

      test('a v1 form POST over 1 MB → RequestSizeLimitExceeded; just under is not', async () => {
        const over = await v1(server.url, {
          ...BILLING, key: CLIENT_1.key, params: { StartTime: BILLING_BODY.StartTime, EndTime: BILLING_BODY.EndTime, Limit: '1', OrderId: 'x'.repeat(1024 * 1024) },
        });
        expectError(over, 'RequestSizeLimitExceeded');
        const under = await v1(server.url, {
          ...BILLING, key: CLIENT_1.key, params: { StartTime: BILLING_BODY.StartTime, EndTime: BILLING_BODY.EndTime, Limit: '1', OrderId: 'x'.repeat(1000 * 1000) },
        });
        expectError(under, 'InvalidParameterValue');
        // Unsigned, many tiny pairs: refused on size before any parsing.
        const started = Date.now();
        const flood = await send(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1&'.repeat(2_000_000) });
        expectError(flood, 'RequestSizeLimitExceeded');
        assert.ok(Date.now() - started < 5000);
      });

      test('a TC3 JSON POST over 10 MB → RequestSizeLimitExceeded; 2 MB is not refused for its size', async () => {
        const big = JSON.stringify({ ...BILLING_BODY, OrderId: 'x'.repeat(10 * 1024 * 1024) });
        expectError(await billing({ body: big }), 'RequestSizeLimitExceeded');
        const medium = JSON.stringify({ ...BILLING_BODY, OrderId: 'x'.repeat(2 * 1024 * 1024) });
        expectError(await billing({ body: medium }), 'InvalidParameterValue');
        // The server is still fine afterwards.
        expectSuccess(await billing(), 'Deals');
      });
    });

    describe('a JSON body that is not a JSON object → the action’s parameter error code', () => {
      const BAD_BODIES = ['not json', '{"Limit": 1', '[1,2]', '[]', '"string"', '42', 'null', 'true', '{"Limit": 1}{}', '\u00ff\u00fe'];
      for (const body of BAD_BODIES) {
        test(`${JSON.stringify(body)}: billing → InvalidParameterValue, partners → InvalidParameter`, async () => {
          expectError(await billing({ body }), 'InvalidParameterValue');
          expectError(await partners({ body }), 'InvalidParameter');
        });
      }
    });

    describe('the official request examples, sent verbatim', () => {
      const billingSeed = readSeed('billing-DescribeDealsByCond.txt');
      const partnersSeed = readSeed('partners-DescribeAgentDealsByCache.txt');

      test('the seed documents hold the examples this test expects', () => {
        assert.deepEqual(JSON.parse(billingSeed.input), { EndTime: '2016-02-01 00:00:00', Limit: '20', StartTime: '2016-01-01 00:00:00', Offset: '0' });
        assert.deepEqual(JSON.parse(partnersSeed.input), { Limit: '1', Offset: '0' });
        assert.ok(Array.isArray(billingSeed.output.Response.Deals));
        assert.ok(Array.isArray(partnersSeed.output.Response.AgentDealSet));
      });

      const BILLING_VERBATIM = '{"EndTime": "2016-02-01 00:00:00", "Limit": "20", "StartTime": "2016-01-01 00:00:00", "Offset": "0"}';
      const PARTNERS_VERBATIM = '{"Limit": "1", "Offset": "0"}';

      test('billing: the 2016 example succeeds with no deals (the fixture has none then)', async () => {
        for (const body of [BILLING_VERBATIM, billingSeed.input]) {
          const r = expectSuccess(await billing({ body }), 'Deals');
          assert.deepEqual(r.Deals, []);
          assert.equal(r.TotalCount, 0);
          assert.deepEqual(Object.keys(r).sort(), ['Deals', 'RequestId', 'TotalCount']);
        }
      });

      test('billing: the example with a 2025 window answers exactly the example’s keys and JSON kinds', async () => {
        const body = BILLING_VERBATIM.replace('2016-02-01 00:00:00', '2025-12-31 23:59:59').replace('2016-01-01 00:00:00', '2025-01-01 00:00:00');
        const a = await billing({ body });
        const r = expectSuccess(a, 'Deals');
        assert.ok(r.Deals.length > 0, 'the window returns deals');
        assert.deepEqual(shapeDiff(a.json.Response, billingSeed.output.Response, 'Response'), []);
        // The declared optional extra is really there (otherwise the declaration is stale).
        assert.ok(r.Deals.every((d: Record<string, unknown>) => typeof d.ZoneCode === 'string'));
      });

      test('partners: the example answers exactly the example’s keys and JSON kinds', async () => {
        for (const body of [PARTNERS_VERBATIM, partnersSeed.input]) {
          const a = await partners({ body });
          const r = expectSuccess(a, 'AgentDealSet');
          assert.equal(r.AgentDealSet.length, 1, 'Limit "1"');
          assert.ok(r.TotalCount >= 1);
          assert.deepEqual(shapeDiff(a.json.Response, partnersSeed.output.Response, 'Response'), []);
        }
      });

      test('the shape check itself catches a missing key, an extra key and a wrong kind', () => {
        const ex = billingSeed.output.Response as { Deals: Array<Record<string, unknown>> };
        const deal = { ...ex.Deals[0]! };
        delete deal.Formula;
        const bad = { ...ex, Deals: [{ ...deal, Status: '4', Extra: 1, ZoneCode: 3 }] };
        assert.deepEqual(shapeDiff(bad, ex, 'Response').sort(), [
          'Response.Deals[0].Extra: not in the example and not a declared optional field',
          'Response.Deals[0].Formula: missing',
          'Response.Deals[0].Status: string where the example has number',
          'Response.Deals[0].ZoneCode: number, the model says string',
        ]);
      });
    });

    test('all RequestIds in this file are distinct', () => {
      assert.ok(seenIds.length > 50, `${seenIds.length} answers seen`);
      assert.equal(new Set(seenIds).size, seenIds.length);
    });
  });
});
