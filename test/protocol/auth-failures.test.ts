/**
 * Authentication against a running server: every way a signature can be wrong gets its own
 * documented code, every way the official SDKs legitimately differ is accepted, and no error
 * answer ever echoes a SecretKey.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizationHeader, canonicalRequest, scopeDate, sha256Hex, signature, stringToSign } from '../../src/protocol/tc3.js';
import { v1Signature, v1StringToSign, type V1Method } from '../../src/protocol/v1.js';
import { errorCode, send, tc3, v1, type ApiAnswer, type Key } from '../helpers/call.js';
import { AGENT_A, CLIENT_1 } from '../helpers/fixture.js';
import { httpRequest, rawHttp } from '../helpers/raw-http.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';

const BILLING = { action: 'DescribeDealsByCond', version: '2018-07-09' } as const;
const PARTNERS = { action: 'DescribeAgentDealsByCache', version: '2018-03-21' } as const;
const BILLING_BODY = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 2 };
const PARTNERS_BODY = { Offset: 0, Limit: 2 };

/** The server's fixed clock (unix seconds). */
const NOW = Math.floor(Date.now() / 1000);

/** Every SecretKey a test uses, right or wrong: none may appear in any answer. */
const SECRETS = new Set<string>([CLIENT_1.key.SecretKey, AGENT_A.key.SecretKey]);

function assertOk(a: ApiAnswer, list: 'Deals' | 'AgentDealSet' = 'Deals'): void {
  assert.equal(a.status, 200);
  assert.equal(a.json.Response.Error, undefined, a.raw);
  assert.ok(Array.isArray(a.json.Response[list]), a.raw);
}

function assertError(a: ApiAnswer, code: string): void {
  assert.equal(a.status, 200, a.raw);
  assert.equal(a.contentType, 'application/json');
  assert.equal(errorCode(a), code, a.raw);
  assert.equal(typeof a.json.Response.Error.Message, 'string');
  assert.match(a.json.Response.RequestId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  for (const secret of SECRETS) assert.ok(!a.raw.includes(secret), `the answer echoes a SecretKey: ${a.raw}`);
}

interface RawTc3 {
  key: Key;
  action?: string;
  version?: string;
  body?: string;
  /** Send this instead of the signed body. */
  sendBody?: string;
  timestamp?: number;
  /** Scope date; defaults to the timestamp's UTC date. */
  date?: string;
  service?: string;
  /** `[name, value]` pairs as signed; default content-type and host (with port). */
  signed?: Array<[string, string]>;
  /** The SignedHeaders list written in the Authorization header, if it should differ. */
  signedHeadersText?: string;
  payloadHash?: string;
  /** Extra or overriding headers as sent. */
  headers?: Record<string, string>;
  /** Replace the Authorization header outright (`null` drops it). */
  authorization?: string | null;
}

/** A TC3 call where every input of the signature can be bent independently. */
function rawTc3(server: TestServer, o: RawTc3): Promise<ApiAnswer> {
  const body = o.body ?? JSON.stringify(BILLING_BODY);
  const timestamp = o.timestamp ?? NOW;
  const date = o.date ?? scopeDate(timestamp);
  const service = o.service ?? 'billing';
  const signed = o.signed ?? [['content-type', 'application/json'], ['host', server.endpoint]];
  const canonical = canonicalRequest({ method: 'POST', canonicalQuery: '', headers: signed, payloadHash: o.payloadHash ?? sha256Hex(body) });
  const sig = signature(o.key.SecretKey, date, service, stringToSign(timestamp, service, canonical));
  const authorization =
    o.authorization === undefined
      ? authorizationHeader(o.key.SecretId, date, service, o.signedHeadersText ?? signed.map(([k]) => k).join(';'), sig)
      : o.authorization;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-TC-Action': o.action ?? BILLING.action,
    'X-TC-Version': o.version ?? BILLING.version,
    'X-TC-Timestamp': String(timestamp),
    ...(authorization === null ? {} : { Authorization: authorization }),
    ...o.headers,
  };
  return send(server.url, { method: 'POST', headers, body: o.sendBody ?? body });
}

/** The Authorization header `rawTc3` would send for the default body under `service`. */
function rawTc3Authorization(server: TestServer, key: Key, service: string): string {
  const body = JSON.stringify(BILLING_BODY);
  const canonical = canonicalRequest({
    method: 'POST', canonicalQuery: '', headers: [['content-type', 'application/json'], ['host', server.endpoint]], payloadHash: sha256Hex(body),
  });
  const date = scopeDate(NOW);
  return authorizationHeader(key.SecretId, date, service, 'content-type;host', signature(key.SecretKey, date, service, stringToSign(NOW, service, canonical)));
}

interface RawV1 {
  key: Key;
  method?: 'GET' | 'POST';
  signatureMethod?: V1Method | null;
  /** Host as signed; default the URL's host with port. */
  signedHost?: string;
  /** Pairs to drop or override before signing. */
  omit?: string[];
  extra?: Array<[string, string]>;
  timestamp?: number;
  /** Use this key to sign instead of `key.SecretKey`. */
  signWith?: string;
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A v1 call built pair by pair, so any protocol parameter can be left out. */
function rawV1(server: TestServer, o: RawV1): Promise<ApiAnswer> {
  const method = o.method ?? 'POST';
  const sm = o.signatureMethod === undefined ? 'HmacSHA256' : o.signatureMethod;
  let pairs: Array<[string, string]> = [
    ['StartTime', BILLING_BODY.StartTime],
    ['EndTime', BILLING_BODY.EndTime],
    ['Limit', '2'],
    ['Action', BILLING.action],
    ['Nonce', '4711'],
    ['Timestamp', String(o.timestamp ?? NOW)],
    ['Version', BILLING.version],
    ['SecretId', o.key.SecretId],
    ...(sm ? [['SignatureMethod', sm] as [string, string]] : []),
  ];
  pairs = [...pairs.filter(([k]) => !o.omit?.includes(k)), ...(o.extra ?? [])];
  const toSign = v1StringToSign(method, o.signedHost ?? server.endpoint, '/', pairs);
  pairs.push(['Signature', v1Signature(o.signWith ?? o.key.SecretKey, toSign, sm ?? 'HmacSHA1')]);
  const encoded = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  if (method === 'GET') return send(`${server.url}?${encoded}`, { method: 'GET', headers: {} });
  return send(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: encoded });
}

forEachBackend((backend) => {
  describe('authentication failures', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ backend, now: () => NOW * 1000 });
    });
    after(() => server.close());

    const billing = (extra: Partial<Parameters<typeof tc3>[1]> = {}) =>
      tc3(server.url, { ...BILLING, body: BILLING_BODY, key: CLIENT_1.key, timestamp: NOW, ...extra });

    describe('TC3-HMAC-SHA256', () => {
      test('baseline: a correct call succeeds on both actions', async () => {
        assertOk(await billing());
        assertOk(await tc3(server.url, { ...PARTNERS, body: PARTNERS_BODY, key: AGENT_A.key, timestamp: NOW }), 'AgentDealSet');
        assertOk(await rawTc3(server, { key: CLIENT_1.key }));
      });

      test('tampered body: signed one body, sent another → SignatureFailure', async () => {
        const signedBody = JSON.stringify(BILLING_BODY);
        const other = JSON.stringify({ ...BILLING_BODY, Limit: 3 });
        assertError(await billing({ body: signedBody, sendBody: other }), 'AuthFailure.SignatureFailure');
        // Same length, one byte different.
        assertError(await billing({ body: signedBody, sendBody: signedBody.replace('"Limit":2', '"Limit":3') }), 'AuthFailure.SignatureFailure');
        // Whitespace only: the hash is over the raw bytes, never a re-serialisation.
        assertError(await billing({ body: signedBody, sendBody: signedBody.replace(',', ', ') }), 'AuthFailure.SignatureFailure');
      });

      test('no verification caching: the Authorization of an accepted call does not carry over to another body', async () => {
        const body = JSON.stringify(BILLING_BODY);
        const first = await rawTc3(server, { key: CLIENT_1.key, body });
        assertOk(first);
        const replayTampered = await rawTc3(server, { key: CLIENT_1.key, body, sendBody: JSON.stringify({ ...BILLING_BODY, Limit: 1000 }) });
        assertError(replayTampered, 'AuthFailure.SignatureFailure');
        assertOk(await rawTc3(server, { key: CLIENT_1.key, body }), 'Deals');
      });

      test('wrong SecretKey → SignatureFailure', async () => {
        const wrong = { SecretId: CLIENT_1.key.SecretId, SecretKey: 'definitely-not-the-key-0000000001' };
        SECRETS.add(wrong.SecretKey);
        assertError(await billing({ key: wrong }), 'AuthFailure.SignatureFailure');
        // Another account's key under this SecretId.
        assertError(await billing({ key: { SecretId: CLIENT_1.key.SecretId, SecretKey: AGENT_A.key.SecretKey } }), 'AuthFailure.SignatureFailure');
      });

      test('unknown SecretId → SecretIdNotFound', async () => {
        assertError(await billing({ key: { SecretId: 'AKIDnobodyHasThisId000000000000000', SecretKey: 'x' } }), 'AuthFailure.SecretIdNotFound');
        // Ids are exact: no trimming, no case folding.
        assertError(await billing({ key: { SecretId: CLIENT_1.key.SecretId.toLowerCase(), SecretKey: CLIENT_1.key.SecretKey } }), 'AuthFailure.SecretIdNotFound');
      });

      const SKEWS: Array<[number, string | undefined]> = [
        [-301, 'AuthFailure.SignatureExpire'],
        [301, 'AuthFailure.SignatureExpire'],
        [-3600, 'AuthFailure.SignatureExpire'],
        [86400 * 365, 'AuthFailure.SignatureExpire'],
        [-300, undefined],
        [300, undefined],
        [-299, undefined],
        [299, undefined],
        [0, undefined],
      ];
      for (const [skew, code] of SKEWS) {
        test(`timestamp ${skew >= 0 ? '+' : ''}${skew} s from the server clock → ${code ?? 'accepted'}`, async () => {
          const a = await billing({ timestamp: NOW + skew });
          if (code) assertError(a, code);
          else assertOk(a);
        });
      }

      test('timestamp that is not a number → parameter error, not a crash', async () => {
        for (const ts of ['abc', '1.5e9', '-1', '']) {
          const a = await rawTc3(server, { key: CLIENT_1.key, headers: { 'X-TC-Timestamp': ts } });
          assert.ok(['InvalidParameter', 'MissingParameter'].includes(errorCode(a)!), a.raw);
        }
      });

      test('scope date that is not the UTC date of the timestamp → SignatureFailure', async () => {
        for (const date of [scopeDate(NOW - 86400), scopeDate(NOW + 86400), '2019-02-25']) {
          assertError(await rawTc3(server, { key: CLIENT_1.key, date }), 'AuthFailure.SignatureFailure');
        }
      });

      test('any scope service the client signed with is honoured (Node signs `127` or `localhost:8080`)', async () => {
        for (const service of ['billing', '127', 'localhost:8080', 'partners']) {
          assertOk(await rawTc3(server, { key: CLIENT_1.key, service }));
        }
        // ...but it must be the one named in the Authorization header.
        const good = authorizationHeader(CLIENT_1.key.SecretId, scopeDate(NOW), 'billing', 'content-type;host', 'x');
        const signedAs127 = await rawTc3(server, { key: CLIENT_1.key, service: '127' });
        assertOk(signedAs127);
        const sig = /Signature=([0-9a-f]{64})/.exec(rawTc3Authorization(server, CLIENT_1.key, '127'))![1]!;
        assertError(await rawTc3(server, { key: CLIENT_1.key, authorization: good.replace(/Signature=.*$/, `Signature=${sig}`) }), 'AuthFailure.SignatureFailure');
      });

      const MALFORMED: Array<[string, (a: string) => string]> = [
        ['garbage', () => 'garbage'],
        ['empty', () => ''],
        ['algorithm only', () => 'TC3-HMAC-SHA256'],
        ['other algorithm', (a) => a.replace('TC3-HMAC-SHA256', 'TC3-HMAC-SHA1')],
        ['HMAC v4 style', (a) => a.replace('TC3-HMAC-SHA256', 'AWS4-HMAC-SHA256')],
        ['signature too short', (a) => a.slice(0, -1)],
        ['signature not hex', (a) => a.slice(0, -1) + 'z'],
        ['no tc3_request terminator', (a) => a.replace('/tc3_request', '/aws4_request')],
        ['scope without date', (a) => a.replace(/\/\d{4}-\d{2}-\d{2}\//, '/')],
        ['date in another format', (a) => a.replace(/\/(\d{4})-(\d{2})-(\d{2})\//, '/$1$2$3/')],
        ['no Credential', (a) => a.replace('Credential=', 'Cred=')],
        ['no Signature', (a) => a.replace(/, Signature=[0-9a-f]+$/, '')],
        ['empty SignedHeaders', (a) => a.replace('SignedHeaders=content-type;host', 'SignedHeaders=')],
      ];
      for (const [name, mangle] of MALFORMED) {
        test(`malformed Authorization (${name}) → InvalidAuthorization`, async () => {
          const good = authorizationHeader(CLIENT_1.key.SecretId, scopeDate(NOW), 'billing', 'content-type;host', 'a'.repeat(64));
          assertError(await rawTc3(server, { key: CLIENT_1.key, authorization: mangle(good) }), 'AuthFailure.InvalidAuthorization');
        });
      }

      test('SignedHeaders without host (or without content-type) → InvalidAuthorization, even when the signature matches', async () => {
        assertError(
          await rawTc3(server, { key: CLIENT_1.key, signed: [['content-type', 'application/json']] }),
          'AuthFailure.InvalidAuthorization',
        );
        assertError(
          await rawTc3(server, { key: CLIENT_1.key, signed: [['host', server.endpoint]] }),
          'AuthFailure.InvalidAuthorization',
        );
        assertError(
          await rawTc3(server, { key: CLIENT_1.key, signed: [['content-type', 'application/json'], ['x-tc-action', 'describedealsbycond']] }),
          'AuthFailure.InvalidAuthorization',
        );
      });

      test('extra signed headers (x-tc-action lower-cased as the current document signs it) are honoured', async () => {
        const signed: Array<[string, string]> = [
          ['content-type', 'application/json'],
          ['host', server.endpoint],
          ['x-tc-action', 'describedealsbycond'],
        ];
        assertOk(await rawTc3(server, { key: CLIENT_1.key, signed }));
        const asSent: Array<[string, string]> = [
          ['content-type', 'application/json'],
          ['host', server.endpoint],
          ['x-tc-action', 'DescribeDealsByCond'],
          ['x-tc-timestamp', String(NOW)],
        ];
        assertOk(await rawTc3(server, { key: CLIENT_1.key, signed: asSent }));
        // A signed header whose value was changed on the way.
        assertError(
          await rawTc3(server, { key: CLIENT_1.key, signed: [...asSent.slice(0, 3), ['x-tc-timestamp', String(NOW - 1)]] }),
          'AuthFailure.SignatureFailure',
        );
      });

      test('signed host: as received with port (Python, Go) and without port (Node) are both accepted; another host is not', async () => {
        assertOk(await billing({ signedHost: server.endpoint, service: 'billing' }));
        assertOk(await billing({ signedHost: '127.0.0.1', service: '127' }));
        assertError(await billing({ signedHost: 'billing.tencentcloudapi.com', service: 'billing' }), 'AuthFailure.SignatureFailure');
        assertError(await billing({ signedHost: `127.0.0.1:${server.port + 1}`, service: 'billing' }), 'AuthFailure.SignatureFailure');
      });

      test('no Authorization and no v1 Signature → MissingParameter', async () => {
        assertError(await rawTc3(server, { key: CLIENT_1.key, authorization: null }), 'MissingParameter');
        assertError(
          await send(`${server.url}?Action=${BILLING.action}&Version=${BILLING.version}`, { method: 'GET', headers: {} }),
          'MissingParameter',
        );
        assertError(
          await send(server.url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: `Action=${BILLING.action}&Version=${BILLING.version}&Limit=1`,
          }),
          'MissingParameter',
        );
      });

      test('X-TC-Token (temporary credentials) → TokenFailure', async () => {
        assertError(await billing({ headers: { 'X-TC-Token': 'some-sts-token' } }), 'AuthFailure.TokenFailure');
      });

      test('X-TC-Content-SHA256: UNSIGNED-PAYLOAD is honoured (hash over the literal string)', async () => {
        const unsigned = sha256Hex('UNSIGNED-PAYLOAD');
        const headers = { 'X-TC-Content-SHA256': 'UNSIGNED-PAYLOAD' };
        assertOk(await rawTc3(server, { key: CLIENT_1.key, payloadHash: unsigned, headers }));
        // The body is then not covered by the signature (that is what the client asked for).
        assertOk(
          await rawTc3(server, { key: CLIENT_1.key, payloadHash: unsigned, headers, sendBody: JSON.stringify({ ...BILLING_BODY, Limit: 1 }) }),
        );
        // Without the header the same signature does not hold...
        assertError(await rawTc3(server, { key: CLIENT_1.key, payloadHash: unsigned }), 'AuthFailure.SignatureFailure');
        // ...and with the header a signature over the real body hash does not either.
        assertError(await rawTc3(server, { key: CLIENT_1.key, headers }), 'AuthFailure.SignatureFailure');
      });

      test('header names in any case: Go-canonicalised (X-Tc-Action) and all lower-case, byte for byte on the wire', async () => {
        const body = JSON.stringify(BILLING_BODY);
        const signed: Array<[string, string]> = [['content-type', 'application/json'], ['host', server.endpoint]];
        const canonical = canonicalRequest({ method: 'POST', canonicalQuery: '', headers: signed, payloadHash: sha256Hex(body) });
        const date = scopeDate(NOW);
        const sig = signature(CLIENT_1.key.SecretKey, date, 'billing', stringToSign(NOW, 'billing', canonical));
        const authorization = authorizationHeader(CLIENT_1.key.SecretId, date, 'billing', 'content-type;host', sig);
        const go: Array<[string, string]> = [
          ['Host', server.endpoint],
          ['User-Agent', 'Go-http-client/1.1'],
          ['Authorization', authorization],
          ['Content-Type', 'application/json'],
          ['X-Tc-Action', BILLING.action],
          ['X-Tc-Language', 'zh-CN'],
          ['X-Tc-Requestclient', 'SDK_GO_1.3.166'],
          ['X-Tc-Timestamp', String(NOW)],
          ['X-Tc-Version', BILLING.version],
        ];
        const lower = go.map(([k, v]) => [k.toLowerCase(), v] as [string, string]);
        const upper = go.map(([k, v]) => [k.toUpperCase(), v] as [string, string]);
        for (const headers of [go, lower, upper]) {
          const res = await rawHttp(server.port, httpRequest('POST', '/', headers, body));
          assert.equal(res.status, 200);
          assert.equal(res.headers.get('content-type'), 'application/json');
          const json = JSON.parse(res.body);
          assert.equal(json.Response.Error, undefined, res.body);
          assert.ok(Array.isArray(json.Response.Deals));
        }
      });

      test('error messages never contain the SecretKey, in either language', async () => {
        const key = { SecretId: CLIENT_1.key.SecretId, SecretKey: 'leaky-secret-key-0000000000000001' };
        SECRETS.add(key.SecretKey);
        for (const language of ['en-US', 'zh-CN']) {
          assertError(await billing({ key, language }), 'AuthFailure.SignatureFailure');
          assertError(await billing({ key, language, timestamp: NOW - 1000 }), 'AuthFailure.SignatureExpire');
        }
      });
    });

    describe('legacy v1 (HmacSHA1 / HmacSHA256)', () => {
      test('baseline: form POST and GET, both hash methods, and SignatureMethod absent (HmacSHA1)', async () => {
        assertOk(await rawV1(server, { key: CLIENT_1.key }));
        assertOk(await rawV1(server, { key: CLIENT_1.key, method: 'GET' }));
        assertOk(await rawV1(server, { key: CLIENT_1.key, signatureMethod: 'HmacSHA1' }));
        assertOk(await rawV1(server, { key: CLIENT_1.key, signatureMethod: null }));
        assertOk(await v1(server.url, { ...BILLING, params: { StartTime: BILLING_BODY.StartTime, EndTime: BILLING_BODY.EndTime, Limit: '1' }, key: CLIENT_1.key, timestamp: NOW }));
      });

      test('a SHA-1 signature sent as HmacSHA256 (or the reverse) → SignatureFailure', async () => {
        // Sign with one method, claim the other.
        const pairs: Array<[string, string]> = [
          ['Action', BILLING.action], ['Version', BILLING.version], ['Nonce', '1'], ['Timestamp', String(NOW)],
          ['SecretId', CLIENT_1.key.SecretId], ['SignatureMethod', 'HmacSHA256'],
          ['StartTime', BILLING_BODY.StartTime], ['EndTime', BILLING_BODY.EndTime], ['Limit', '1'],
        ];
        const sig = v1Signature(CLIENT_1.key.SecretKey, v1StringToSign('POST', server.endpoint, '/', pairs), 'HmacSHA1');
        const body = [...pairs, ['Signature', sig]].map(([k, v]) => `${enc(k!)}=${enc(v!)}`).join('&');
        assertError(
          await send(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }),
          'AuthFailure.SignatureFailure',
        );
      });

      test('wrong key → SignatureFailure', async () => {
        assertError(await rawV1(server, { key: CLIENT_1.key, signWith: 'not-the-key' }), 'AuthFailure.SignatureFailure');
        assertError(await rawV1(server, { key: CLIENT_1.key, signWith: 'not-the-key', method: 'GET' }), 'AuthFailure.SignatureFailure');
      });

      test('unknown SecretId → SecretIdNotFound', async () => {
        assertError(await rawV1(server, { key: { SecretId: 'AKIDunknown', SecretKey: 'x' } }), 'AuthFailure.SecretIdNotFound');
      });

      test('missing Nonce, Timestamp, SecretId or Signature → MissingParameter', async () => {
        for (const omit of ['Nonce', 'Timestamp', 'SecretId']) {
          assertError(await rawV1(server, { key: CLIENT_1.key, omit: [omit] }), 'MissingParameter');
        }
        const unsigned = `Action=${BILLING.action}&Version=${BILLING.version}&Nonce=1&Timestamp=${NOW}&SecretId=${CLIENT_1.key.SecretId}`;
        assertError(
          await send(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: unsigned }),
          'MissingParameter',
        );
      });

      test('a Nonce that is not a positive integer → InvalidParameter', async () => {
        assertError(await rawV1(server, { key: CLIENT_1.key, omit: ['Nonce'], extra: [['Nonce', 'abc']] }), 'InvalidParameter');
      });

      test('stale or future Timestamp → SignatureExpire; 299 s → accepted', async () => {
        assertError(await rawV1(server, { key: CLIENT_1.key, timestamp: NOW - 301 }), 'AuthFailure.SignatureExpire');
        assertError(await rawV1(server, { key: CLIENT_1.key, timestamp: NOW + 301 }), 'AuthFailure.SignatureExpire');
        assertOk(await rawV1(server, { key: CLIENT_1.key, timestamp: NOW - 299 }));
        assertOk(await rawV1(server, { key: CLIENT_1.key, timestamp: NOW + 299 }));
      });

      test('Token → TokenFailure', async () => {
        assertError(await rawV1(server, { key: CLIENT_1.key, extra: [['Token', 'sts-token']] }), 'AuthFailure.TokenFailure');
      });

      test('the signature over the host without port is also accepted; over another host it is not', async () => {
        assertOk(await rawV1(server, { key: CLIENT_1.key, signedHost: '127.0.0.1' }));
        assertOk(await rawV1(server, { key: CLIENT_1.key, signedHost: '127.0.0.1', method: 'GET' }));
        assertError(await rawV1(server, { key: CLIENT_1.key, signedHost: 'billing.tencentcloudapi.com' }), 'AuthFailure.SignatureFailure');
      });

      test('a tampered parameter → SignatureFailure', async () => {
        const a = await rawV1(server, { key: CLIENT_1.key, extra: [['Offset', '0']] });
        assertOk(a);
        // Rebuild the same request, then change Offset after signing.
        const pairs: Array<[string, string]> = [
          ['Action', BILLING.action], ['Version', BILLING.version], ['Nonce', '1'], ['Timestamp', String(NOW)],
          ['SecretId', CLIENT_1.key.SecretId], ['SignatureMethod', 'HmacSHA256'],
          ['StartTime', BILLING_BODY.StartTime], ['EndTime', BILLING_BODY.EndTime], ['Limit', '1'], ['Offset', '0'],
        ];
        const sig = v1Signature(CLIENT_1.key.SecretKey, v1StringToSign('POST', server.endpoint, '/', pairs), 'HmacSHA256');
        const sent = pairs.map(([k, v]) => [k, k === 'Offset' ? '1' : v] as const);
        const body = [...sent, ['Signature', sig] as const].map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
        assertError(
          await send(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }),
          'AuthFailure.SignatureFailure',
        );
      });
    });
  });
});
