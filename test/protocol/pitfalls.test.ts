/**
 * Each item of pitfalls.md (the bug classes quick servers of this protocol fall into), sent to
 * a running server. Every hostile request must get a prompt error in the envelope, and the
 * server must keep answering normal calls afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { v1Signature, v1StringToSign } from '../../src/protocol/v1.js';
import { errorCode, send, tc3, type ApiAnswer, type Key } from '../helpers/call.js';
import { AGENT_A, CLIENT_1 } from '../helpers/fixture.js';
import { httpRequest, rawHttp } from '../helpers/raw-http.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';

const BILLING = { action: 'DescribeDealsByCond', version: '2018-07-09', key: CLIENT_1.key, invalid: 'InvalidParameterValue', list: 'Deals' } as const;
const PARTNERS = { action: 'DescribeAgentDealsByCache', version: '2018-03-21', key: AGENT_A.key, invalid: 'InvalidParameter', list: 'AgentDealSet' } as const;
type Api = typeof BILLING | typeof PARTNERS;

const BILLING_PAIRS: Array<[string, string]> = [['StartTime', '2025-01-01 00:00:00'], ['EndTime', '2025-12-31 23:59:59'], ['Limit', '5']];
const PARTNERS_PAIRS: Array<[string, string]> = [['Offset', '0'], ['Limit', '5']];
const BILLING_BODY = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 5 };
const PARTNERS_BODY = { Offset: 0, Limit: 5 };

/** Every hostile call must be answered within this (a sparse array of 2^32 slots takes minutes). */
const PROMPT_MS = 3000;

async function prompt<T>(p: Promise<T>, ms = PROMPT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    assert.ok(Date.now() - started < ms);
  }
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A correctly signed v1 call with arbitrary (possibly duplicate, possibly hostile) business pairs. */
function v1Pairs(server: TestServer, api: Api, business: Array<[string, string]>, method: 'GET' | 'POST' = 'GET', key: Key = api.key): Promise<ApiAnswer> {
  const pairs: Array<[string, string]> = [
    ...business,
    ['Action', api.action],
    ['Version', api.version],
    ['Nonce', '99'],
    ['Timestamp', String(Math.floor(Date.now() / 1000))],
    ['SecretId', key.SecretId],
    ['SignatureMethod', 'HmacSHA256'],
  ];
  pairs.push(['Signature', v1Signature(key.SecretKey, v1StringToSign(method, server.endpoint, '/', pairs), 'HmacSHA256')]);
  const encoded = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  if (method === 'GET') return send(`${server.url}?${encoded}`, { method: 'GET', headers: {} });
  return send(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: encoded });
}

function json(server: TestServer, api: Api, body: string | Record<string, unknown>): Promise<ApiAnswer> {
  return tc3(server.url, { action: api.action, version: api.version, key: api.key, body });
}

function assertCode(a: ApiAnswer, code: string): void {
  assert.equal(a.status, 200, a.raw);
  assert.equal(a.contentType, 'application/json');
  assert.equal(errorCode(a), code, a.raw.slice(0, 500));
  assert.ok(a.raw.length < 4096, 'the error message stays short');
}

function assertOk(a: ApiAnswer, api: Api): void {
  assert.equal(a.status, 200);
  assert.equal(errorCode(a), undefined, a.raw.slice(0, 500));
  assert.ok(Array.isArray(a.json.Response[api.list]));
}

forEachBackend((backend) => {
  describe('pitfalls', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ backend });
    });
    after(() => server.close());

    const healthy = async () => {
      assertOk(await prompt(json(server, BILLING, BILLING_BODY)), BILLING);
      assertOk(await prompt(json(server, PARTNERS, PARTNERS_BODY)), PARTNERS);
      assertOk(await prompt(v1Pairs(server, BILLING, BILLING_PAIRS)), BILLING);
    };

    test('baseline: the server answers normal calls', healthy);

    describe('flattened indices are attacker-chosen', () => {
      const HUGE: Array<[string, Api, Array<[string, string]>]> = [
        ['StatusSet.4294967294=1', BILLING, [...BILLING_PAIRS, ['StatusSet.4294967294', '1']]],
        ['StatusSet.4294967295=1', BILLING, [...BILLING_PAIRS, ['StatusSet.4294967295', '1']]],
        ['StatusSet.999999=1 (within the index syntax, far past the end)', BILLING, [...BILLING_PAIRS, ['StatusSet.999999', '1']]],
        ['StatusSet.1e9=1', BILLING, [...BILLING_PAIRS, ['StatusSet.1e9', '1']]],
        ['StatusSet.-1=1', BILLING, [...BILLING_PAIRS, ['StatusSet.-1', '1']]],
        ['StatusSet.99999999999999999999=1', BILLING, [...BILLING_PAIRS, ['StatusSet.99999999999999999999', '1']]],
        ['OwnerUins.4294967294=x', PARTNERS, [...PARTNERS_PAIRS, ['OwnerUins.4294967294', '100000000001']]],
        ['StatusSet.length=4294967295', BILLING, [...BILLING_PAIRS, ['StatusSet.length', '4294967295']]],
      ];
      for (const [name, api, pairs] of HUGE) {
        for (const method of ['GET', 'POST'] as const) {
          test(`${name} in a v1 ${method} → ${api.invalid}, promptly`, async () => {
            assertCode(await prompt(v1Pairs(server, api, pairs, method)), api.invalid);
          });
        }
      }

      test('the same in a TC3 GET query', async () => {
        const query = 'StartTime=2025-01-01%2000%3A00%3A00&EndTime=2025-12-31%2023%3A59%3A59&Limit=5&StatusSet.4294967294=1';
        const a = await prompt(tc3(server.url, { action: BILLING.action, version: BILLING.version, key: BILLING.key, method: 'GET', query }));
        assertCode(a, BILLING.invalid);
      });

      const SPARSE: Array<[string, Api, Array<[string, string]>]> = [
        ['gap: StatusSet.0, StatusSet.2', BILLING, [...BILLING_PAIRS, ['StatusSet.0', '4'], ['StatusSet.2', '6']]],
        ['not from 0: StatusSet.1', BILLING, [...BILLING_PAIRS, ['StatusSet.1', '4']]],
        ['leading zero: StatusSet.00', BILLING, [...BILLING_PAIRS, ['StatusSet.00', '4']]],
        ['mixed index and name: StatusSet.0, StatusSet.a', BILLING, [...BILLING_PAIRS, ['StatusSet.0', '4'], ['StatusSet.a', '6']]],
        ['gap: OwnerUins.0, OwnerUins.5', PARTNERS, [...PARTNERS_PAIRS, ['OwnerUins.0', '800000000001'], ['OwnerUins.5', '800000000002']]],
        ['empty segment: OwnerUins..0', PARTNERS, [...PARTNERS_PAIRS, ['OwnerUins..0', '800000000001']]],
        ['trailing dot: OwnerUins.', PARTNERS, [...PARTNERS_PAIRS, ['OwnerUins.', '800000000001']]],
      ];
      for (const [name, api, pairs] of SPARSE) {
        test(`sparse or malformed indices (${name}) → ${api.invalid}`, async () => {
          assertCode(await prompt(v1Pairs(server, api, pairs)), api.invalid);
        });
      }

      test('dense indices in any order are accepted', async () => {
        assertOk(await v1Pairs(server, BILLING, [...BILLING_PAIRS, ['StatusSet.1', '6'], ['StatusSet.0', '4']]), BILLING);
        assertOk(await v1Pairs(server, PARTNERS, [...PARTNERS_PAIRS, ['OwnerUins.1', '800000000002'], ['OwnerUins.0', '800000000001']]), PARTNERS);
      });
    });

    describe('Date.parse is lenient: date-times must round-trip through YYYY-MM-DD HH:mm:ss', () => {
      const BAD = [
        '2025-02-30 00:00:00',
        '2025-02-29 00:00:00',
        '2025-04-31 00:00:00',
        '2025-13-01 00:00:00',
        '2025-00-10 00:00:00',
        '2025-01-00 00:00:00',
        '2025-01-01 24:00:00',
        '2025-01-01 00:60:00',
        '2025-01-01 00:00:60',
        '2025-01-01T00:00:00',
        '2025-01-01 00:00:00Z',
        '2025-01-01 00:00:00+08:00',
        '2025-01-01 00:00:00.000',
        '2025-1-1 00:00:00',
        '2025-01-01',
        ' 2025-01-01 00:00:00',
        '2025-01-01  00:00:00',
        'Jan 1 2025 00:00:00',
        '1735660800',
        '',
      ];
      for (const value of BAD) {
        test(`${JSON.stringify(value)} → parameter error on both actions`, async () => {
          assertCode(await json(server, BILLING, { ...BILLING_BODY, StartTime: value }), BILLING.invalid);
          assertCode(await json(server, BILLING, { ...BILLING_BODY, EndTime: value }), BILLING.invalid);
          assertCode(await json(server, PARTNERS, { ...PARTNERS_BODY, CreatTimeRangeStart: value }), PARTNERS.invalid);
        });
      }

      test('valid edge dates are accepted: a leap day, month ends, the last second of a day', async () => {
        for (const [start, end] of [['2024-02-29 00:00:00', '2024-02-29 23:59:59'], ['2025-01-31 00:00:00', '2025-04-30 23:59:59']] as const) {
          assertOk(await json(server, BILLING, { ...BILLING_BODY, StartTime: start, EndTime: end }), BILLING);
        }
      });
    });

    describe('prototype keys are ordinary unknown parameter names', () => {
      const NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype', 'isPrototypeOf'];
      for (const name of NAMES) {
        test(`${name} in JSON and in a form → UnknownParameter`, async () => {
          const body = `{"StartTime": "2025-01-01 00:00:00", "EndTime": "2025-12-31 23:59:59", "Limit": 5, ${JSON.stringify(name)}: {"polluted": "yes"}}`;
          assertCode(await json(server, BILLING, body), 'UnknownParameter');
          assertCode(await json(server, PARTNERS, `{"Offset": 0, "Limit": 5, ${JSON.stringify(name)}: 1}`), 'UnknownParameter');
          assertCode(await v1Pairs(server, BILLING, [...BILLING_PAIRS, [name, '1']]), 'UnknownParameter');
          assertCode(await v1Pairs(server, BILLING, [...BILLING_PAIRS, [`${name}.polluted`, 'yes']], 'POST'), 'UnknownParameter');
          assertCode(await v1Pairs(server, PARTNERS, [...PARTNERS_PAIRS, [name, '1']]), 'UnknownParameter');
        });
      }

      test('prototype keys under a known list name → parameter error, not a list', async () => {
        for (const name of ['__proto__', 'constructor', 'length', 'toString']) {
          assertCode(await v1Pairs(server, PARTNERS, [...PARTNERS_PAIRS, [`OwnerUins.${name}`, '800000000001']]), PARTNERS.invalid);
          assertCode(await v1Pairs(server, BILLING, [...BILLING_PAIRS, [`StatusSet.${name}`, '4']]), BILLING.invalid);
        }
        assertCode(await json(server, BILLING, { ...BILLING_BODY, StatusSet: { length: 4294967295 } }), BILLING.invalid);
      });

      test('nothing was written onto Object.prototype, and the server keeps working', async () => {
        assertCode(await v1Pairs(server, BILLING, [...BILLING_PAIRS, ['constructor.prototype.polluted', 'yes']], 'POST'), 'UnknownParameter');
        assertCode(await json(server, BILLING, '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}'), 'UnknownParameter');
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
        await healthy();
      });
    });

    describe('deep nesting', () => {
      const DEPTH = 100_000;
      const arrays = (inner: string) => '['.repeat(DEPTH) + inner + ']'.repeat(DEPTH);
      const objects = (key: string) => `{"${key}":`.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
      const CASES: Array<[string, Api, string, string]> = [
        ['a top-level array 100000 deep', BILLING, arrays('1'), BILLING.invalid],
        ['Limit as an array 100000 deep', BILLING, `{"StartTime": "2025-01-01 00:00:00", "EndTime": "2025-12-31 23:59:59", "Limit": ${arrays('1')}}`, BILLING.invalid],
        ['StatusSet as an array 100000 deep', BILLING, `{"StartTime": "2025-01-01 00:00:00", "EndTime": "2025-12-31 23:59:59", "Limit": 5, "StatusSet": ${arrays('4')}}`, BILLING.invalid],
        ['OwnerUins as an array 100000 deep', PARTNERS, `{"Offset": 0, "Limit": 5, "OwnerUins": ${arrays('"x"')}}`, PARTNERS.invalid],
        ['OwnerUins holding objects 100000 deep', PARTNERS, `{"Offset": 0, "Limit": 5, "OwnerUins": [${objects('a')}]}`, PARTNERS.invalid],
        ['an unknown key holding objects 100000 deep', PARTNERS, `{"Offset": 0, "Limit": 5, "Deep": ${objects('Deep')}}`, 'UnknownParameter'],
        ['objects 100000 deep at the top', BILLING, objects('StartTime'), BILLING.invalid],
      ];
      for (const [name, api, body, code] of CASES) {
        test(`${name} → ${code}, not a crash`, async () => {
          assert.ok(body.length >= 2 * DEPTH);
          assertCode(await prompt(json(server, api, body), 10_000), code);
        });
      }

      test('a flattened name 100000 segments deep → parameter error', async () => {
        assertCode(await prompt(v1Pairs(server, BILLING, [...BILLING_PAIRS, [`StatusSet${'.0'.repeat(DEPTH)}`, '4']], 'POST')), BILLING.invalid);
        assertCode(await prompt(v1Pairs(server, PARTNERS, [...PARTNERS_PAIRS, [`OwnerUins${'.0'.repeat(5)}`, 'x']], 'POST')), PARTNERS.invalid);
      });

      test('the server still answers normally', healthy);
    });

    describe('kinds inside lists', () => {
      const PARTNERS_LISTS: unknown[] = [[{}], [['x']], [null], [1], [true], [{ a: 'x' }], ['800000000001', {}], {}, '800000000001', 1];
      for (const value of PARTNERS_LISTS) {
        test(`OwnerUins: ${JSON.stringify(value)} → InvalidParameter`, async () => {
          assertCode(await json(server, PARTNERS, { ...PARTNERS_BODY, OwnerUins: value }), PARTNERS.invalid);
          assertCode(await json(server, PARTNERS, { ...PARTNERS_BODY, DealNames: value }), PARTNERS.invalid);
        });
      }

      const BILLING_LISTS: unknown[] = [[{}], [[4]], [null], [4.5], [true], ['x'], [4, {}], 4, { 0: 4 }];
      for (const value of BILLING_LISTS) {
        test(`StatusSet: ${JSON.stringify(value)} → InvalidParameterValue`, async () => {
          assertCode(await json(server, BILLING, { ...BILLING_BODY, StatusSet: value }), BILLING.invalid);
        });
      }

      test('the same through the flattened form', async () => {
        assertCode(await v1Pairs(server, PARTNERS, [...PARTNERS_PAIRS, ['OwnerUins.0.0', 'x']]), PARTNERS.invalid);
        assertCode(await v1Pairs(server, PARTNERS, [...PARTNERS_PAIRS, ['OwnerUins.0.a', 'x']]), PARTNERS.invalid);
        assertCode(await v1Pairs(server, BILLING, [...BILLING_PAIRS, ['StatusSet.0.0', '4']]), BILLING.invalid);
      });

      test('well-typed lists are accepted', async () => {
        assertOk(await json(server, PARTNERS, { ...PARTNERS_BODY, OwnerUins: ['800000000001'] }), PARTNERS);
        assertOk(await json(server, BILLING, { ...BILLING_BODY, StatusSet: [4, 6] }), BILLING);
      });
    });

    describe('methods: only GET and POST, anything else never succeeds', () => {
      for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'MKCOL']) {
        test(`${method} → UnsupportedProtocol`, async () => {
          const a = await rawHttp(
            server.port,
            httpRequest(method, '/', [['Host', server.endpoint], ['Content-Type', 'application/json'], ['X-TC-Action', BILLING.action], ['X-TC-Version', BILLING.version]]),
          );
          assert.equal(a.status, 200);
          assert.equal(a.headers.get('content-type'), 'application/json');
          assert.equal(JSON.parse(a.body).Response.Error.Code, 'UnsupportedProtocol');
        });
      }

      test('a method Node does not know → UnsupportedProtocol or a clean HTTP error', async () => {
        const a = await rawHttp(server.port, httpRequest('FROB', '/', [['Host', server.endpoint]]));
        if (a.status === 200) assert.equal(JSON.parse(a.body).Response.Error.Code, 'UnsupportedProtocol');
        else assert.ok(a.status >= 400 && a.status < 500, `status ${a.status}`);
      });

      test('HEAD and CONNECT get no success', async () => {
        const head = await rawHttp(server.port, httpRequest('HEAD', '/', [['Host', server.endpoint]]));
        assert.equal(head.body, '', 'HEAD answers carry no body');
        assert.equal(head.headers.get('content-type'), 'application/json');
        const connectAnswer = await rawHttp(server.port, `CONNECT ${server.endpoint} HTTP/1.1\r\nHost: ${server.endpoint}\r\n\r\n`);
        assert.ok(connectAnswer.reset || connectAnswer.status !== 200 || JSON.parse(connectAnswer.body).Response.Error, 'no success for CONNECT');
      });
    });

    describe('duplicate flattened keys', () => {
      const DUPS: Array<[string, Api, Array<[string, string]>]> = [
        ['Limit twice', BILLING, [...BILLING_PAIRS, ['Limit', '6']]],
        ['StatusSet.0 twice', BILLING, [...BILLING_PAIRS, ['StatusSet.0', '4'], ['StatusSet.0', '6']]],
        ['a value and a list: OwnerUins and OwnerUins.0', PARTNERS, [...PARTNERS_PAIRS, ['OwnerUins', 'x'], ['OwnerUins.0', 'y']]],
        ['a list and a value: OwnerUins.0 and OwnerUins', PARTNERS, [...PARTNERS_PAIRS, ['OwnerUins.0', 'y'], ['OwnerUins', 'x']]],
        ['Offset twice, same value', PARTNERS, [...PARTNERS_PAIRS, ['Offset', '0']]],
      ];
      for (const [name, api, pairs] of DUPS) {
        for (const method of ['GET', 'POST'] as const) {
          test(`${name} (v1 ${method}) → ${api.invalid}`, async () => {
            assertCode(await v1Pairs(server, api, pairs, method), api.invalid);
          });
        }
      }

      test('the same through a TC3 GET query', async () => {
        const query = 'StartTime=2025-01-01%2000%3A00%3A00&EndTime=2025-12-31%2023%3A59%3A59&Limit=5&Limit=1000';
        assertCode(await tc3(server.url, { action: BILLING.action, version: BILLING.version, key: BILLING.key, method: 'GET', query }), BILLING.invalid);
      });
    });

    describe('header size and authorization caching (also in envelope / auth-failures)', () => {
      test('a ~40 KB GET gets the JSON size error, not a connection reset', async () => {
        const url = `${server.url}?Action=${BILLING.action}&Version=${BILLING.version}&Pad=${'a'.repeat(40_000)}`;
        assertCode(await send(url, { method: 'GET', headers: {} }), 'RequestSizeLimitExceeded');
      });

      test('an accepted Authorization header does not authorize another body or timestamp', async () => {
        const body = JSON.stringify(BILLING_BODY);
        const ok = await tc3(server.url, { action: BILLING.action, version: BILLING.version, key: BILLING.key, body });
        assertOk(ok, BILLING);
        const ts = Math.floor(Date.now() / 1000);
        // Re-sign at a fixed timestamp, then vary what was signed while keeping the header.
        const signed = await tc3(server.url, { action: BILLING.action, version: BILLING.version, key: BILLING.key, body, timestamp: ts });
        assertOk(signed, BILLING);
        assertCode(
          await tc3(server.url, { action: BILLING.action, version: BILLING.version, key: BILLING.key, body, timestamp: ts, sendBody: body.replace('"Limit":5', '"Limit":6') }),
          'AuthFailure.SignatureFailure',
        );
        assertCode(
          await tc3(server.url, { action: BILLING.action, version: BILLING.version, key: BILLING.key, body, timestamp: ts, headers: { 'X-TC-Timestamp': String(ts - 1) } }),
          'AuthFailure.SignatureFailure',
        );
      });
    });

    test('after all of the above the server still answers normal calls', healthy);
  });
});
