/**
 * Every odd request is answered in the envelope, and the client can read the answer: unusual
 * Content-Types on signed calls, bodies at and over each size limit (declared length and chunked,
 * written in full by a client that reads only afterwards, and the official SDK), compressed,
 * truncated, broken and stalled bodies, odd request lines and headers. No client mistake leaves
 * an error-level log line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { deflateSync, gzipSync } from 'node:zlib';
import { signTc3 } from '../../src/client/signer.js';
import { SIZE_LIMITS } from '../../src/protocol/incoming.js';
import { v1Signature, v1StringToSign } from '../../src/protocol/v1.js';
import { tc3 } from '../helpers/call.js';
import { chunked, exchange, head, pieces, type ExchangeOptions, type ExchangeResult } from '../helpers/exchange.js';
import { AGENT_A, CLIENT_1 } from '../helpers/fixture.js';
import { captureLog } from '../helpers/log-capture.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';

const require = createRequire(import.meta.url);
const { billing } = require('tencentcloud-sdk-nodejs/tencentcloud/services/billing');

const BILLING = { action: 'DescribeDealsByCond', version: '2018-07-09' } as const;
const PARTNERS = { action: 'DescribeAgentDealsByCache', version: '2018-03-21' } as const;
const BILLING_JSON = '{"StartTime":"2025-01-01 00:00:00","EndTime":"2025-12-31 23:59:59","Limit":2}';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MB = 1024 * 1024;

/** A billing JSON body of exactly `size` bytes (the padding is an over-long OrderId: a parameter error, not a size error). */
function paddedJson(size: number): Buffer {
  const prefix = '{"StartTime":"2025-01-01 00:00:00","EndTime":"2025-12-31 23:59:59","Limit":2,"OrderId":"';
  const suffix = '"}';
  const pad = size - prefix.length - suffix.length;
  assert.ok(pad >= 0);
  const body = Buffer.alloc(size, 'x');
  body.write(prefix, 0, 'latin1');
  body.write(suffix, size - suffix.length, 'latin1');
  return body;
}

/** Asserts an envelope answer the client read in full, with `code` (undefined: success); returns the Response. */
function expectAnswer(r: ExchangeResult, code: string | undefined): Record<string, any> {
  assert.equal(r.timedOut, false, `no answer in time: ${r.rawText.slice(0, 300)}`);
  assert.equal(r.writeError, undefined, `the client could not write its request: ${r.writeError}`);
  assert.equal(r.readError, undefined, `the client could not read the answer: ${r.readError}`);
  assert.equal(r.reset, false, 'the client read no answer');
  assert.equal(r.status, 200, r.rawText.slice(0, 500));
  assert.equal(r.headers.get('content-type'), 'application/json');
  const json = JSON.parse(r.body) as { Response: Record<string, any> };
  assert.deepEqual(Object.keys(json), ['Response']);
  assert.match(json.Response.RequestId, UUID);
  assert.equal(json.Response.Error?.Code, code, r.body.slice(0, 500));
  return json.Response;
}

describe('odd requests', () => {
  const log = captureLog();
  const sandbox = new Sandbox();
  let server: TestServer;
  before(async () => {
    server = await startServer({ logger: log.logger, sandbox, bodyBounds: { idleMs: 500, drainMs: 5000 } });
  });
  after(async () => {
    await server.close();
  });

  /** The head of a TC3 POST signed over `body` with this Content-Type (`null`: no header at all). */
  function tc3Head(body: Buffer, o: {
    contentType?: string | null;
    framing?: 'length' | 'chunked' | 'none';
    headers?: Array<[string, string]>;
    api?: typeof BILLING | typeof PARTNERS;
    key?: { SecretId: string; SecretKey: string };
    host?: string | null;
    signedHeaderNames?: string;
  } = {}): Buffer {
    const api = o.api ?? BILLING;
    const key = o.key ?? (api === BILLING ? CLIENT_1.key : AGENT_A.key);
    const contentType = o.contentType === null ? '' : (o.contentType ?? 'application/json');
    const host = o.host === null ? '' : (o.host ?? server.endpoint);
    const timestamp = Math.floor(Date.now() / 1000);
    const sig = signTc3({ secretId: key.SecretId, secretKey: key.SecretKey, service: 'billing', host, timestamp, payload: body, contentType });
    const headers: Array<[string, string]> = [];
    if (o.host !== null) headers.push(['Host', host]);
    if (o.contentType !== null) headers.push(['Content-Type', contentType]);
    headers.push(['X-TC-Action', api.action], ['X-TC-Version', api.version], ['X-TC-Timestamp', String(timestamp)], ['Authorization', sig.authorization]);
    const framing = o.framing ?? 'length';
    if (framing === 'length') headers.push(['Content-Length', String(body.length)]);
    if (framing === 'chunked') headers.push(['Transfer-Encoding', 'chunked']);
    headers.push(...(o.headers ?? []));
    return head('POST', '/', headers);
  }

  const send = (requestHead: Buffer, body: Buffer[] = [], options: ExchangeOptions = {}) => exchange(server.port, requestHead, body, options);
  const postJson = (body: Buffer, o: Parameters<typeof tc3Head>[1] = {}, options: ExchangeOptions = {}) =>
    send(tc3Head(body, o), o.framing === 'chunked' ? chunked(body) : pieces(body), options);

  /** A v1 call's encoded pairs, signed for `method` (business pairs first, as the SDK sends them). */
  function v1Encoded(method: 'GET' | 'POST', business: Array<[string, string]>, nonce = 4711): string {
    const pairs: Array<[string, string]> = [
      ...business,
      ['Action', BILLING.action],
      ['Version', BILLING.version],
      ['Nonce', String(nonce)],
      ['Timestamp', String(Math.floor(Date.now() / 1000))],
      ['SecretId', CLIENT_1.key.SecretId],
      ['SignatureMethod', 'HmacSHA256'],
    ];
    pairs.push(['Signature', v1Signature(CLIENT_1.key.SecretKey, v1StringToSign(method, server.endpoint, '/', pairs), 'HmacSHA256')]);
    return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  }
  const BILLING_PAIRS: Array<[string, string]> = [['StartTime', '2025-01-01 00:00:00'], ['EndTime', '2025-12-31 23:59:59'], ['Limit', '2']];

  /** A v1 form body (or GET query) of exactly `size` bytes, padded in OrderId. */
  function v1Sized(method: 'GET' | 'POST', size: number): string {
    // The signature's encoded length varies (`+`, `/`, `=` take three bytes): keep the padding,
    // vary the (fixed-width) Nonce until the signature encodes to the length wanted.
    const pad = size - v1Encoded(method, [...BILLING_PAIRS, ['OrderId', '']]).length;
    for (let nonce = 1000; nonce < 2000; nonce++) {
      const text = v1Encoded(method, [...BILLING_PAIRS, ['OrderId', 'x'.repeat(pad)]], nonce);
      if (text.length === size) return text;
    }
    throw new Error(`could not build a v1 request of ${size} bytes`);
  }

  describe('any Content-Type on a signed TC3 POST: the signature sees it, Fastify never judges it', () => {
    const form = 'application/x-www-form-urlencoded';
    const multipartBody = '--xyz\r\nContent-Disposition: form-data; name="Limit"\r\n\r\n2\r\n--xyz--\r\n';
    const CASES: Array<[string, string | null, string, string | undefined]> = [
      ['application/json, text/plain', 'application/json, text/plain', BILLING_JSON, undefined],
      ['a 2 KB content type', `application/json; note=${'a'.repeat(2048 - 22)}`, BILLING_JSON, undefined],
      ['text/plain', 'text/plain', BILLING_JSON, undefined],
      ['no Content-Type header at all', null, BILLING_JSON, undefined],
      ['an empty Content-Type', '', BILLING_JSON, undefined],
      ['application/json; charset=utf-8', 'application/json; charset=utf-8', BILLING_JSON, undefined],
      ['APPLICATION/JSON', 'APPLICATION/JSON', BILLING_JSON, undefined],
      ['not a media type: ;;;', ';;;', BILLING_JSON, undefined],
      ['not a media type: a b c', 'a b c', BILLING_JSON, undefined],
      ['a latin-1 byte in the type', 'application/js\u00f6n', BILLING_JSON, undefined],
      ['application/octet-stream', 'application/octet-stream', BILLING_JSON, undefined],
      [`${form} with a JSON body (parsed as a form: one odd parameter name)`, form, BILLING_JSON, 'UnknownParameter'],
      ['multipart/form-data with a multipart body (not JSON)', 'multipart/form-data; boundary=xyz', multipartBody, 'InvalidParameterValue'],
      ['multipart/form-data with a JSON body', 'multipart/form-data; boundary=xyz', BILLING_JSON, undefined],
    ];
    for (const [name, contentType, body, code] of CASES) {
      test(`${name} → ${code ?? 'success'}`, async () => {
        const r = await postJson(Buffer.from(body), { contentType });
        const response = expectAnswer(r, code);
        if (!code) assert.ok(Array.isArray(response.Deals));
      });
    }

    test('the Content-Type is part of the signature: another value than the signed one fails', async () => {
      const body = Buffer.from(BILLING_JSON);
      const signed = tc3Head(body, { contentType: 'text/plain' }).toString('latin1').replace('Content-Type: text/plain', 'Content-Type: text/html');
      expectAnswer(await send(Buffer.from(signed, 'latin1'), [body]), 'AuthFailure.SignatureFailure');
    });

    test('the same odd types through fetch(): HTTP 200, application/json, never InternalError', async () => {
      for (const contentType of ['application/json, text/plain', 'text/plain', `x/${'y'.repeat(2000)}`]) {
        const a = await tc3(server.url, { ...BILLING, key: CLIENT_1.key, body: BILLING_JSON, contentType });
        assert.equal(a.status, 200);
        assert.equal(a.contentType, 'application/json');
        assert.equal(a.json.Response.Error, undefined, a.raw);
      }
    });
  });

  describe('body size limits: a client that writes its whole body and then reads gets the answer', () => {
    const TC3 = SIZE_LIMITS.tc3Post;
    for (const [size, code] of [[TC3 - 1, 'InvalidParameterValue'], [TC3, 'InvalidParameterValue'], [TC3 + 1, 'RequestSizeLimitExceeded']] as const) {
      test(`TC3 POST of ${size} bytes (10 MB ${size - TC3 >= 0 ? '+' : ''}${size - TC3}) with Content-Length → ${code}`, async () => {
        expectAnswer(await postJson(paddedJson(size)), code);
      });
    }

    for (const [size, code] of [[TC3 - 1, 'InvalidParameterValue'], [TC3, 'InvalidParameterValue'], [TC3 + 1, 'RequestSizeLimitExceeded']] as const) {
      test(`TC3 POST of ${size} bytes chunked (no Content-Length) → ${code}`, async () => {
        expectAnswer(await postJson(paddedJson(size), { framing: 'chunked' }), code);
      });
    }

    test('TC3 POST of 11 MB with Content-Length, written in full → RequestSizeLimitExceeded', async () => {
      const r = await postJson(paddedJson(11 * MB));
      expectAnswer(r, 'RequestSizeLimitExceeded');
      assert.equal(r.written, 11 * MB);
      assert.equal(r.headers.get('connection'), 'close');
    });

    test('TC3 POST of 11 MB chunked, written in full → RequestSizeLimitExceeded', async () => {
      const r = await postJson(paddedJson(11 * MB), { framing: 'chunked' });
      expectAnswer(r, 'RequestSizeLimitExceeded');
      assert.ok(r.written > 11 * MB);
    });

    test('TC3 POST of 11 MB from a client that asked for Connection: close → RequestSizeLimitExceeded', async () => {
      expectAnswer(await postJson(paddedJson(11 * MB), { headers: [['Connection', 'close']] }), 'RequestSizeLimitExceeded');
    });

    test('TC3 POST of 11 MB, half-closed by the client after writing → RequestSizeLimitExceeded', async () => {
      expectAnswer(await postJson(paddedJson(11 * MB), {}, { after: 'end' }), 'RequestSizeLimitExceeded');
    });

    test('TC3 POST of 11 MB read as it comes (the answer arrives before the body is sent) → RequestSizeLimitExceeded', async () => {
      expectAnswer(await postJson(paddedJson(11 * MB), {}, { readWhileWriting: true }), 'RequestSizeLimitExceeded');
    });

    const V1 = SIZE_LIMITS.v1Post;
    for (const [size, code] of [[V1 - 1, 'InvalidParameterValue'], [V1, 'InvalidParameterValue'], [V1 + 1, 'RequestSizeLimitExceeded'], [2 * MB, 'RequestSizeLimitExceeded']] as const) {
      test(`v1 form POST of ${size} bytes (1 MB ${size - V1 >= 0 ? '+' : ''}${size - V1}) → ${code}`, async () => {
        const body = Buffer.from(v1Sized('POST', size));
        assert.equal(body.length, size);
        const h = head('POST', '/', [['Host', server.endpoint], ['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', String(size)]]);
        expectAnswer(await send(h, pieces(body)), code);
      });
    }

    test('v1 form POST of 2 MB chunked → RequestSizeLimitExceeded', async () => {
      const body = Buffer.from(v1Sized('POST', 2 * MB));
      const h = head('POST', '/', [['Host', server.endpoint], ['Content-Type', 'application/x-www-form-urlencoded'], ['Transfer-Encoding', 'chunked']]);
      expectAnswer(await send(h, chunked(body)), 'RequestSizeLimitExceeded');
    });

    const GET = SIZE_LIMITS.get;
    for (const [size, code] of [[GET - 1, 'InvalidParameterValue'], [GET, 'InvalidParameterValue'], [GET + 1, 'RequestSizeLimitExceeded'], [60_000, 'RequestSizeLimitExceeded'], [70_000, 'RequestSizeLimitExceeded']] as const) {
      test(`v1 GET with a URL of ${size} bytes (32 KB ${size - GET >= 0 ? '+' : ''}${size - GET}) → ${code}`, async () => {
        const target = `/?${v1Sized('GET', size - 2)}`;
        assert.equal(target.length, size);
        expectAnswer(await send(head('GET', target, [['Host', server.endpoint]])), code);
      });
    }

    test('a GET whose URL and body together pass 32 KB → RequestSizeLimitExceeded', async () => {
      const target = `/?${v1Sized('GET', 30_000)}`;
      const body = Buffer.alloc(3000, 'b');
      const h = head('GET', target, [['Host', server.endpoint], ['Content-Length', String(body.length)]]);
      expectAnswer(await send(h, [body]), 'RequestSizeLimitExceeded');
      const small = Buffer.alloc(100, 'b');
      expectAnswer(await send(head('GET', target, [['Host', server.endpoint], ['Content-Length', '100']]), [small]), 'InvalidParameterValue');
    });

    test('Expect: 100-continue with an oversized Content-Length is answered without asking for the body', async () => {
      const body = paddedJson(11 * MB);
      const h = tc3Head(body, { headers: [['Expect', '100-continue']] });
      const r = await send(h, pieces(body), { readWhileWriting: true, stopOnAnswer: true, pauseBeforeBodyMs: 300 });
      expectAnswer(r, 'RequestSizeLimitExceeded');
      assert.deepEqual(r.interim, [], 'no 100 Continue');
      assert.equal(r.written, 0, 'the body was never needed');
    });

    test('Expect: 100-continue within the limit gets 100 Continue and its answer', async () => {
      const body = Buffer.from(BILLING_JSON);
      const r = await send(tc3Head(body, { headers: [['Expect', '100-continue']] }), [body], { readWhileWriting: true, pauseBeforeBodyMs: 100 });
      expectAnswer(r, undefined);
      assert.deepEqual(r.interim, [100]);
    });

    test('a PUT of 11 MB → UnsupportedProtocol, read after the whole body', async () => {
      const body = paddedJson(11 * MB);
      const h = head('PUT', '/', [['Host', server.endpoint], ['Content-Type', 'application/json'], ['Content-Length', String(body.length)]]);
      expectAnswer(await send(h, pieces(body)), 'UnsupportedProtocol');
    });

    test('a POST of 11 MB to another path → InvalidAction, read after the whole body', async () => {
      const body = paddedJson(11 * MB);
      const h = head('POST', '/v2/index.php', [['Host', server.endpoint], ['Content-Type', 'text/plain, */*'], ['Content-Length', String(body.length)]]);
      expectAnswer(await send(h, pieces(body)), 'InvalidAction');
    });

    test('the official Node SDK sending 11 MB gets RequestSizeLimitExceeded, not a network error', async () => {
      const client = new billing.v20180709.Client({
        credential: { secretId: CLIENT_1.key.SecretId, secretKey: CLIENT_1.key.SecretKey },
        region: '',
        profile: { httpProfile: { endpoint: server.endpoint, protocol: 'http://', reqTimeout: 30 } },
      });
      await assert.rejects(
        client.DescribeDealsByCond({ StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 2, OrderId: 'x'.repeat(11 * MB) }),
        (err: { code?: string; requestId?: string; message?: string }) => {
          assert.equal(err.code, 'RequestSizeLimitExceeded', String(err.message));
          assert.match(err.requestId ?? '', UUID);
          return true;
        },
      );
      // …and the server goes on answering the same client.
      const ok = await client.DescribeDealsByCond({ StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 2 });
      assert.ok(Array.isArray(ok.Deals));
    });

    test('an oversized answer keeps the trace id echo, the journal entry and the metrics', async () => {
      const body = paddedJson(TC3 + 1);
      const r = await postJson(body, { headers: [['X-TC-TraceId', 'trace-oversized-1']] });
      const response = expectAnswer(r, 'RequestSizeLimitExceeded');
      assert.equal(r.headers.get('x-tc-traceid'), 'trace-oversized-1');
      const entry = sandbox.journal.list({}).find((e) => e.requestId === response.RequestId);
      assert.ok(entry, 'journal entry');
      assert.equal(entry.code, 'RequestSizeLimitExceeded');
      assert.equal(entry.traceId, 'trace-oversized-1');
      const metrics = await (await fetch(`${server.url}metrics`)).text();
      assert.match(metrics, /tcdeals_api_calls_total\{action="DescribeDealsByCond",code="RequestSizeLimitExceeded"\} [1-9]/);
    });
  });

  describe('encoded, truncated, broken and stalled bodies', () => {
    for (const [encoding, encode] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', (b: Buffer) => b], ['GZIP', gzipSync], ['x-gzip, identity', gzipSync]] as const) {
      test(`Content-Encoding: ${encoding} (signed over the bytes sent) → UnsupportedProtocol naming the header`, async () => {
        const body = encode(Buffer.from(BILLING_JSON));
        const r = await postJson(body, { headers: [['Content-Encoding', encoding]] });
        const response = expectAnswer(r, 'UnsupportedProtocol');
        assert.match(response.Error.Message, /Content-Encoding/);
      });
    }

    test('Content-Encoding: identity, or an encoding on an empty body, is no problem', async () => {
      expectAnswer(await postJson(Buffer.from(BILLING_JSON), { headers: [['Content-Encoding', 'identity']] }), undefined);
      expectAnswer(await postJson(Buffer.alloc(0), { headers: [['Content-Encoding', 'gzip']] }), 'MissingParameter');
    });

    test('a 20 MB gzip-declared body is refused on its headers and drained', async () => {
      const body = Buffer.alloc(20 * MB, 'z');
      expectAnswer(await postJson(body, { headers: [['Content-Encoding', 'gzip']] }), 'UnsupportedProtocol');
    });

    test('a body shorter than its Content-Length, then a half-close → UnsupportedProtocol', async () => {
      const body = Buffer.from(BILLING_JSON);
      const h = tc3Head(body).toString('latin1').replace(`Content-Length: ${body.length}`, 'Content-Length: 1000');
      const r = await send(Buffer.from(h, 'latin1'), [body], { after: 'end' });
      const response = expectAnswer(r, 'UnsupportedProtocol');
      assert.match(response.Error.Message, /body/);
    });

    test('a chunked body without its last chunk, then a half-close → UnsupportedProtocol', async () => {
      const body = Buffer.from(BILLING_JSON);
      const frames = chunked(body).slice(0, -1);
      expectAnswer(await send(tc3Head(body, { framing: 'chunked' }), frames, { after: 'end' }), 'UnsupportedProtocol');
    });

    test('a body shorter than its Content-Length, then a disconnect: no answer possible, the server carries on', async () => {
      for (let i = 0; i < 5; i++) {
        const h = tc3Head(Buffer.from(BILLING_JSON)).toString('latin1').replace(/Content-Length: \d+/, 'Content-Length: 100000');
        const r = await send(Buffer.from(h, 'latin1'), [Buffer.from(BILLING_JSON)], { after: 'destroy' });
        assert.equal(r.status, 0);
      }
      expectAnswer(await postJson(Buffer.from(BILLING_JSON)), undefined);
    });

    test('a body that stops arriving → UnsupportedProtocol after the idle bound', async () => {
      const h = tc3Head(Buffer.from(BILLING_JSON)).toString('latin1').replace(/Content-Length: \d+/, 'Content-Length: 1000');
      const started = Date.now();
      const r = await send(Buffer.from(h, 'latin1'), [Buffer.from(BILLING_JSON)], { readWhileWriting: true, timeoutMs: 5000 });
      const response = expectAnswer(r, 'UnsupportedProtocol');
      assert.match(response.Error.Message, /no body data/);
      assert.ok(Date.now() - started < 3000);
    });

    test('a broken chunk size, and 1 MB more after it → UnsupportedProtocol, read after writing', async () => {
      const body = Buffer.from(BILLING_JSON);
      const frames = [Buffer.from('zz\r\n'), ...pieces(Buffer.alloc(MB, 'q'))];
      expectAnswer(await send(tc3Head(body, { framing: 'chunked' }), frames), 'UnsupportedProtocol');
    });

    test('the server still answers normal calls afterwards', async () => {
      expectAnswer(await postJson(Buffer.from(BILLING_JSON)), undefined);
    });
  });

  describe('odd request lines and headers', () => {
    test('a URL the router cannot decode → InvalidAction in the envelope', async () => {
      for (const target of ['/%zz', '/%', '/%E0%A4%A', '/_tcdeals/%zz']) {
        expectAnswer(await send(head('POST', target, [['Host', server.endpoint], ['Content-Length', '2']]), [Buffer.from('{}')]), 'InvalidAction');
      }
    });

    test('methods Node knows but the API does not (QUERY, SEARCH, PROPFIND, TRACE) → UnsupportedProtocol, with or without a Content-Type', async () => {
      for (const method of ['QUERY', 'SEARCH', 'PROPFIND', 'TRACE', 'OPTIONS']) {
        expectAnswer(await send(head(method, '/', [['Host', server.endpoint], ['Content-Length', '0']])), 'UnsupportedProtocol');
        expectAnswer(await send(head(method, '/', [['Host', server.endpoint], ['Content-Type', 'a b'], ['Content-Length', '2']]), [Buffer.from('{}')]), 'UnsupportedProtocol');
      }
    });

    test('no Host header (HTTP/1.1 and 1.0): answered in the envelope; signed over an empty host it even succeeds', async () => {
      const body = Buffer.from(BILLING_JSON);
      expectAnswer(await send(tc3Head(body, { host: null }), [body]), undefined);
      const h10 = tc3Head(body, { host: null }).toString('latin1').replace('HTTP/1.1', 'HTTP/1.0');
      expectAnswer(await send(Buffer.from(h10, 'latin1'), [body]), undefined);
      expectAnswer(await send(head('POST', '/', [['Content-Length', '2']]), [Buffer.from('{}')]), 'MissingParameter');
    });

    test('an Expect other than 100-continue is ignored', async () => {
      const body = Buffer.from(BILLING_JSON);
      expectAnswer(await send(tc3Head(body, { headers: [['Expect', 'something-else']] }), [body]), undefined);
    });

    test('Content-Length and Transfer-Encoding together, or a bad Content-Length → UnsupportedProtocol', async () => {
      const both = head('POST', '/', [['Host', server.endpoint], ['Content-Length', '2'], ['Transfer-Encoding', 'chunked']]);
      expectAnswer(await send(both, [Buffer.from('2\r\n{}\r\n0\r\n\r\n')]), 'UnsupportedProtocol');
      for (const cl of ['abc', '-1', '1, 2']) {
        expectAnswer(await send(head('POST', '/', [['Host', server.endpoint], ['Content-Length', cl]]), [Buffer.from('{}')]), 'UnsupportedProtocol');
      }
    });

    test('a header line that is not HTTP → UnsupportedProtocol, with a journal entry of its own', async () => {
      const r = await send(Buffer.from(`POST / HTTP/1.1\r\nHost: ${server.endpoint}\r\nBad Header\r\n\r\n`, 'latin1'));
      const response = expectAnswer(r, 'UnsupportedProtocol');
      assert.equal(sandbox.journal.list({}).find((e) => e.requestId === response.RequestId)?.code, 'UnsupportedProtocol');
    });

    test('CONNECT → UnsupportedProtocol in the envelope (Node would drop the connection)', async () => {
      expectAnswer(await send(head('CONNECT', server.endpoint, [['Host', server.endpoint]])), 'UnsupportedProtocol');
      expectAnswer(await send(head('CONNECT', server.endpoint, [['Host', server.endpoint], ['Content-Length', '5']]), [Buffer.from('hello')]), 'UnsupportedProtocol');
    });

    test('a method Node does not know, with a body → UnsupportedProtocol, read after the body', async () => {
      expectAnswer(await send(head('FROB', '/', [['Host', server.endpoint], ['Content-Length', String(MB)]]), pieces(Buffer.alloc(MB, 'f'))), 'UnsupportedProtocol');
    });

    test('a signed header the prototype also has (constructor) is just an absent header', async () => {
      const body = Buffer.from(BILLING_JSON);
      const timestamp = Math.floor(Date.now() / 1000);
      const { canonicalRequest, sha256Hex, stringToSign, signature, authorizationHeader, scopeDate } = await import('../../src/protocol/tc3.js');
      const canonical = canonicalRequest({
        method: 'POST', canonicalQuery: '', payloadHash: sha256Hex(body),
        headers: [['constructor', ''], ['content-type', 'application/json'], ['host', server.endpoint], ['tostring', '']],
      });
      const date = scopeDate(timestamp);
      const sig = signature(CLIENT_1.key.SecretKey, date, 'billing', stringToSign(timestamp, 'billing', canonical));
      const h = head('POST', '/', [
        ['Host', server.endpoint], ['Content-Type', 'application/json'], ['Content-Length', String(body.length)],
        ['X-TC-Action', BILLING.action], ['X-TC-Version', BILLING.version], ['X-TC-Timestamp', String(timestamp)],
        ['Authorization', authorizationHeader(CLIENT_1.key.SecretId, date, 'billing', 'constructor;content-type;host;tostring', sig)],
      ]);
      expectAnswer(await send(h, [body]), undefined);
    });

    test('an X-TC-TraceId with odd characters is echoed without them, never a crash', async () => {
      const body = Buffer.from(BILLING_JSON);
      const r = await send(tc3Head(body, { headers: [['X-TC-TraceId', 'tr\u00e9ce\tid ' + 'x'.repeat(300)]] }), [body]);
      expectAnswer(r, undefined);
      assert.equal(r.headers.get('x-tc-traceid')!.length <= 128, true);
    });
  });

  test('no client mistake above left an error-level log line, and no SecretKey is in the log', () => {
    assert.deepEqual(log.errors(), []);
    assert.ok(log.lines.length > 50);
    for (const secret of [CLIENT_1.key.SecretKey, AGENT_A.key.SecretKey]) assert.ok(!log.text().includes(secret));
  });
});
