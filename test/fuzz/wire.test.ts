/**
 * Property-based fuzzing of the whole wire surface, against a real server on a loopback port:
 * every parameter of both actions (generated from their declarative specs) × every JSON kind,
 * numeric strings at and beyond every bound, dates that do not exist, flattened arrays with gaps
 * and duplicates, every header the protocol reads, methods, paths, framings and sizes at each
 * limit ± 1 — signed for real (TC3 and v1, both actions, agent and client callers) — and
 * one-byte forgeries of valid requests.
 *
 * Every case must get HTTP 200, `Content-Type: application/json` exactly, a JSON
 * `{"Response":{…,"RequestId"}}` whose code (if any) is documented in docs/errors.md; where the
 * request is valid by construction it must succeed, where it breaks a rule it must not; no
 * forgery is accepted; the server answers afterwards; and no error-level log line is written.
 *
 * `npm test` runs a budget of ~2,400 cases (a few seconds). `npm run fuzz -- --runs N [--seed S]`
 * (scripts/fuzz.mjs) runs the same properties with N cases in all, through TCDEALS_FUZZ_RUNS
 * and TCDEALS_FUZZ_SEED.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ACTIONS } from '../../src/actions/registry.js';
import type { ActionDef } from '../../src/actions/action.js';
import { signTc3 } from '../../src/client/signer.js';
import type { ParamSpec } from '../../src/protocol/params.js';
import { SIZE_LIMITS } from '../../src/protocol/incoming.js';
import { sha256Hex, UNSIGNED_PAYLOAD } from '../../src/protocol/tc3.js';
import { v1Signature, v1StringToSign, type V1Method } from '../../src/protocol/v1.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { chunked, exchange, head, pieces, type ExchangeResult } from '../helpers/exchange.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_2, LONER } from '../helpers/fixture.js';
import { captureLog } from '../helpers/log-capture.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TOTAL = Number(process.env.TCDEALS_FUZZ_RUNS) || 2400;
const SEED = process.env.TCDEALS_FUZZ_SEED !== undefined && process.env.TCDEALS_FUZZ_SEED !== '' ? Number(process.env.TCDEALS_FUZZ_SEED) : undefined;
/** Each property's share of the budget (they add up to 1: `--runs N` is N cases in all). */
const SHARE = { parameters: 0.42, headers: 0.15, forgeries: 0.2, methods: 0.13, framing: 0.098, sizes: 0.002 };
const runs = (weight: number, min = 1) => Math.max(min, Math.round(TOTAL * weight));
const settings = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: true });

const DOCUMENTED = new Set(
  [...readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8').matchAll(/^\| `([A-Za-z.]+)` \|/gm)].map((m) => m[1]!),
);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const V1_COMMON = ['Action', 'Version', 'Region', 'Timestamp', 'Nonce', 'SecretId', 'Signature', 'SignatureMethod', 'Token', 'RequestClient', 'Language'];

/** The server's frozen clock: signature windows are exact. */
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

type Key = { SecretId: string; SecretKey: string };
const AGENTS = [AGENT_A, AGENT_B];
const CLIENTS = [CLIENT_1, CLIENT_2, LONER];

// ---------------------------------------------------------------------------------------------
// Values, generated from the actions' parameter specs.

/** 'valid': the action accepts it; 'invalid': it breaks a rule; 'unknown': either (no claim). */
type Validity = 'valid' | 'invalid' | 'unknown';
interface Gen {
  readonly value: unknown;
  readonly validity: Validity;
  /** For flattened transports: these pairs instead of flattening `value` (gaps, duplicates…). */
  readonly pairs?: ReadonlyArray<readonly [string, string]>;
}
/** Counterexamples print a Gen compactly (fast-check's toStringMethod), not whole 1000-item lists. */
const short = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 100)}…(${text.length} chars)` : text;
};
const gen = (validity: Validity) => (value: unknown): Gen => ({ value, validity, [fc.toStringMethod]: () => `${validity}:${short(value)}` }) as Gen;

const WRONG_KINDS: unknown[] = [true, false, [], {}, { a: 1 }, [[1]], 'text'];

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
const p2 = (n: number) => String(n).padStart(2, '0');
const fmt = (y: number, mo: number, d: number, h: number, mi: number, s: number) => `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)} ${p2(h)}:${p2(mi)}:${p2(s)}`;

function integerArb(spec: Extract<ParamSpec, { kind: 'integer' | 'integerList' }>): fc.Arbitrary<Gen> {
  const lo = 'min' in spec && spec.min !== undefined ? spec.min : -(2 ** 31);
  const hi = 'max' in spec && spec.max !== undefined ? spec.max : 2 ** 31 - 1;
  const allowed = (n: number) => Number.isSafeInteger(n) && n >= lo && n <= hi && (!spec.oneOf || spec.oneOf.includes(n));
  const valid = spec.oneOf
    ? fc.constantFrom(...spec.oneOf)
    : fc.oneof(fc.integer({ min: Math.max(lo, -(2 ** 31)), max: Math.min(hi, 2 ** 31 - 1) }), fc.constantFrom(lo, hi));
  const outside = [lo - 1, hi + 1, 0, -1, 14, 29, 31, 1000, 1001, 201, 2 ** 53, -(2 ** 53)].filter((n) => !allowed(n));
  return fc.oneof(
    { weight: 4, arbitrary: valid.map(gen('valid')) },
    { weight: 3, arbitrary: valid.map((n) => gen('valid')(String(n))) },
    { weight: 2, arbitrary: fc.constantFrom(...outside).chain((n) => fc.constantFrom(n, String(n), `${n}`.replace('e+', 'e'))).map(gen('invalid')) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('1.0', '1e3', ' 1', '1 ', '+1', '0x10', '', 'abc', '\u0661', '12345678901234567', '-', '--1', '9007199254740992', '1_000', 'Infinity', 'NaN', '4.', '.4')
        .map(gen('invalid')),
    },
    { weight: 1, arbitrary: fc.constantFrom(1.5, -0.5, 1e21, 4.000001, 1e-7).map(gen('invalid')) },
    // Leading zeros and -0 read as the integer they spell.
    { weight: 1, arbitrary: valid.map((n) => gen('unknown')(`0${n}`)) },
    { weight: 1, arbitrary: fc.constantFrom(...WRONG_KINDS.filter((v) => v !== 'text')).map(gen('invalid')) },
  );
}

function stringArb(maxLength: number): fc.Arbitrary<Gen> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: Math.min(maxLength, 40) }).map(gen('valid')) },
    { weight: 1, arbitrary: fc.string({ maxLength: Math.min(maxLength, 8), unit: 'grapheme' }).filter((s) => s.length <= maxLength).map(gen('valid')) },
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(maxLength), '\u00e9'.repeat(maxLength)).map(gen('valid')) },
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(maxLength + 1), 'y'.repeat(maxLength + 50)).map(gen('invalid')) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, -1, 1.5, true, [], ['x'], {}, { a: 'x' }).map(gen('invalid')) },
  );
}

function dateTimeArb(): fc.Arbitrary<Gen> {
  const validDate = fc
    .record({ y: fc.integer({ min: 2015, max: 2030 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }), h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }) })
    .map((t) => fmt(t.y, t.mo, Math.min(t.d, daysIn(t.y, t.mo)), t.h, t.mi, t.s));
  // Day 29..31 of any month of any year: valid exactly when the month has that day.
  const edgeDay = fc
    .record({ y: fc.integer({ min: 1970, max: 2100 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 28, max: 32 }) })
    .map((t) => gen(t.d <= daysIn(t.y, t.mo) ? 'valid' : 'invalid')(fmt(t.y, t.mo, t.d, 0, 0, 0)));
  return fc.oneof(
    { weight: 5, arbitrary: validDate.map(gen('valid')) },
    { weight: 2, arbitrary: edgeDay },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          '2025-02-29 00:00:00', '2023-02-29 12:00:00', '2100-02-29 00:00:00', '2025-04-31 00:00:00', '2025-06-31 00:00:00', '2025-09-31 00:00:00',
          '2025-11-31 00:00:00', '2025-02-30 00:00:00', '2025-13-01 00:00:00', '2025-00-01 00:00:00', '2025-01-00 00:00:00', '2025-01-32 00:00:00',
          '2025-01-01 24:00:00', '2025-01-01 23:60:00', '2025-01-01 23:59:60', '1969-12-31 23:59:59', '2025-01-01T00:00:00', '2025-01-01 00:00:00Z',
          '2025-01-01 00:00:00+08:00', '2025-1-1 0:0:0', '2025-01-01', '', ' 2025-01-01 00:00:00', '2025-01-01 00:00:00.000', '１２３', '0000-00-00 00:00:00',
        )
        .map(gen('invalid')),
    },
    { weight: 1, arbitrary: fc.constantFrom(1735660800, 0, -1, 1.5, true, [], ['2025-01-01 00:00:00'], {}).map(gen('invalid')) },
  );
}

function listArb(spec: Extract<ParamSpec, { kind: 'stringList' | 'integerList' }>): fc.Arbitrary<Gen> {
  const item = spec.kind === 'stringList' ? stringArb(spec.maxLength ?? 256) : integerArb(spec);
  const validItem = item.filter((g) => g.validity === 'valid');
  const minItems = spec.kind === 'stringList' ? (spec.minItems ?? 0) : 0;
  const validList = fc.array(validItem, { minLength: minItems, maxLength: Math.min(spec.maxItems, 6) }).map((items) => gen('valid')(items.map((g) => g.value)));
  const anyList = fc.array(item, { minLength: 1, maxLength: 6 }).map((items) =>
    gen(items.some((g) => g.validity === 'invalid') ? 'invalid' : items.every((g) => g.validity === 'valid') ? 'valid' : 'unknown')(items.map((g) => g.value)),
  );
  const tooShort = minItems > 0 ? [{ weight: 1, arbitrary: fc.constant(gen('invalid')([])) }] : [];
  const full = (n: number) => Array.from({ length: n }, (_, i) => (spec.kind === 'stringList' ? String(100000000000 + i) : spec.oneOf ? spec.oneOf[i % spec.oneOf.length]! : i));
  return fc.oneof(
    { weight: 4, arbitrary: validList },
    { weight: 3, arbitrary: anyList },
    { weight: 1, arbitrary: fc.constant(gen('valid')(full(spec.maxItems))) },
    { weight: 1, arbitrary: fc.constant(gen('invalid')(full(spec.maxItems + 1))) },
    { weight: 1, arbitrary: fc.constantFrom('x', 4, {}, { 0: 'x' }, true).map(gen('invalid')) },
    ...tooShort,
  );
}

const flat = (validity: Validity, pairs: ReadonlyArray<readonly [string, string]>): Gen =>
  ({ value: undefined, validity, pairs, [fc.toStringMethod]: () => `${validity}:${short(pairs)}` }) as Gen;

/** Flattened-only list shapes: gaps, duplicates, out of order, odd indices. */
function flatListArb(name: string, spec: Extract<ParamSpec, { kind: 'stringList' | 'integerList' }>): fc.Arbitrary<Gen> {
  const v = (i: number) => (spec.kind === 'stringList' ? `1000000000${i}` : String(spec.oneOf ? spec.oneOf[i % spec.oneOf.length] : i));
  return fc.oneof(
    fc.integer({ min: 1, max: 4 }).map((n) => flat('valid', Array.from({ length: n }, (_, i) => [`${name}.${n - 1 - i}`, v(i)] as const))),
    fc.integer({ min: 1, max: 5 }).map((gap) => flat('invalid', [[`${name}.0`, v(0)], [`${name}.${gap + 1}`, v(1)]])),
    fc.constant(flat('invalid', [[`${name}.0`, v(0)], [`${name}.0`, v(1)]])),
    fc.constant(flat('invalid', [[`${name}.1`, v(0)]])),
    fc.constantFrom('00', '-1', '1e2', '4294967294', '999999', 'x', 'length', '__proto__', '').map((idx) => flat('invalid', [[`${name}.${idx}`, v(0)]])),
    fc.constant(flat('invalid', [[name, v(0)], [`${name}.0`, v(1)]])),
    fc.constant(flat('invalid', [[`${name}.0.0`, v(0)]])),
  );
}

/** A string parameter: free text, or one of its listed values (any case when allowed), or a UIN or date of its format. */
function stringSpecArb(spec: Extract<ParamSpec, { kind: 'string' }>): fc.Arbitrary<Gen> {
  if (spec.oneOf) {
    const listed = fc.constantFrom(...spec.oneOf);
    return fc.oneof(
      { weight: 4, arbitrary: listed.map(gen('valid')) },
      { weight: 1, arbitrary: listed.filter((v) => v.toLowerCase() !== v.toUpperCase()).map((v) => gen(spec.ignoreCase ? 'valid' : 'invalid')(v === v.toLowerCase() ? v.toUpperCase() : v.toLowerCase())) },
      { weight: 1, arbitrary: fc.constantFrom('x-unlisted', ' ASC', 'zz').map(gen('invalid')) },
      { weight: 1, arbitrary: fc.constantFrom(0, 1, true, [], {}).map(gen('invalid')) },
    );
  }
  if (spec.format === 'uin') {
    return fc.oneof(
      { weight: 4, arbitrary: fc.stringMatching(/^\d{1,20}$/).map(gen('valid')) },
      { weight: 1, arbitrary: fc.constantFrom('', 'abc', '12a', '1'.repeat(21), ' 1', '-1').map(gen('invalid')) },
      { weight: 1, arbitrary: fc.constantFrom(0, 1, true, [], {}).map(gen('invalid')) },
    );
  }
  if (spec.format === 'date') {
    return fc.oneof(
      // A bare date is a valid date here (it is not a valid date-time).
      { weight: 3, arbitrary: dateTimeArb().map((g) => (g.value === '2025-01-01' ? gen('valid')(g.value) : g)) },
      { weight: 2, arbitrary: fc.record({ y: fc.integer({ min: 2015, max: 2030 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) }).map((t) => gen('valid')(fmt(t.y, t.mo, t.d, 0, 0, 0).slice(0, 10))) },
      { weight: 1, arbitrary: fc.constantFrom('2025-02-30', '2025-1-1', '20250101').map(gen('invalid')) },
    );
  }
  return stringArb(spec.maxLength ?? 256);
}

function valueArb(spec: ParamSpec): fc.Arbitrary<Gen> {
  const base =
    spec.kind === 'integer' ? integerArb(spec) : spec.kind === 'string' ? stringSpecArb(spec) : spec.kind === 'datetime' ? dateTimeArb() : listArb(spec);
  return fc.oneof(
    { weight: 12, arbitrary: base },
    // Every JSON kind, no claim about validity.
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(gen('unknown')) },
    // null reads as absent.
    { weight: 1, arbitrary: fc.constant(gen(spec.required ? 'invalid' : 'valid')(null)) },
  );
}

interface ParamCase {
  /** Parameters in sending order (duplicate-free names). */
  entries: Array<readonly [string, Gen]>;
  validity: Validity;
}

const UNKNOWN_NAMES = fc.oneof(
  fc.constantFrom('toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'limit', 'LIMIT', 'Filters', 'DryRun', 'Offset ', ' Limit', 'Ä'),
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /^[A-Za-z][A-Za-z0-9]*$/.test(s)),
);

/** A parameter set for `def`: each parameter absent or drawn from its spec; sometimes an unknown one. */
function paramsArb(def: ActionDef, flat: boolean, forceValid = false): fc.Arbitrary<ParamCase> {
  const names = Object.keys(def.params);
  const perParam = names.map((name) => {
    const spec = def.params[name]!;
    const choices: Array<fc.WeightedArbitrary<Gen | undefined>> = [
      { weight: spec.required ? 1 : 4, arbitrary: fc.constant(undefined) },
      { weight: 6, arbitrary: valueArb(spec) },
    ];
    // Flattened-only shapes have no JSON form (they read as absent there): only for optional lists.
    if (flat && !spec.required && (spec.kind === 'stringList' || spec.kind === 'integerList')) choices.push({ weight: 2, arbitrary: flatListArb(name, spec) });
    let arb = fc.oneof(...choices);
    if (forceValid) arb = arb.filter((g) => (g === undefined ? !spec.required : g.validity === 'valid'));
    return arb.map((g) => [name, g] as const);
  });
  const unknown = forceValid
    ? fc.constant(undefined)
    : fc.oneof(
        { weight: 7, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.tuple(UNKNOWN_NAMES.filter((n) => !names.includes(n) && !V1_COMMON.includes(n) && !names.includes(n.split('.')[0]!)), fc.jsonValue({ maxDepth: 1 })) },
      );
  return fc.tuple(fc.tuple(...perParam), unknown, fc.boolean()).map(([pairs, extra, shuffle]) => {
    const entries: Array<readonly [string, Gen]> = [];
    for (const [name, g] of pairs) if (g !== undefined) entries.push([name, g]);
    if (extra) entries.push([extra[0], gen('invalid')(extra[1])]);
    if (shuffle) entries.reverse();
    let validity: Validity = 'valid';
    for (const [name, g] of entries) {
      if (g.validity === 'invalid') validity = 'invalid';
      else if (g.validity === 'unknown' && validity === 'valid') validity = 'unknown';
      void name;
    }
    for (const name of names) if (def.params[name]!.required && !entries.some(([n, g]) => n === name && g.value !== null)) validity = 'invalid';
    if (validity === 'valid') validity = crossFieldValidity(def, entries);
    return { entries, validity };
  });
}

/** The rules between parameters: billing EndTime ≥ StartTime; partners range ordered and ≤ 90 days. */
function crossFieldValidity(def: ActionDef, entries: ReadonlyArray<readonly [string, Gen]>): Validity {
  const at = (name: string) => {
    const v = entries.find(([n]) => n === name)?.[1].value;
    if (typeof v !== 'string') return undefined;
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(v)!;
    return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  };
  if (def.name === 'DescribeDealsByCond') {
    const s = at('StartTime');
    const e = at('EndTime');
    return s !== undefined && e !== undefined && e < s ? 'invalid' : 'valid';
  }
  const s = at('CreatTimeRangeStart');
  const e = at('CreatTimeRangeEnd');
  if (s === undefined || e === undefined) return 'valid';
  return e < s || e - s > 90 * 86400_000 ? 'invalid' : 'valid';
}

/** A valid parameter set, quickly: the required ones and a few valid optional ones. */
function validParamsArb(def: ActionDef, flat: boolean): fc.Arbitrary<ParamCase> {
  return paramsArb(def, flat, true).filter((c) => c.validity === 'valid');
}

// ---------------------------------------------------------------------------------------------
// Requests.

type Transport = 'tc3-post' | 'tc3-get' | 'v1-get' | 'v1-post';
const TRANSPORTS: Transport[] = ['tc3-post', 'tc3-get', 'v1-get', 'v1-post'];

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function flatten(name: string, value: unknown, out: Array<readonly [string, string]>): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) value.forEach((v, i) => flatten(`${name}.${i}`, v, out));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(`${name}.${k}`, v, out);
  else out.push([name, String(value)]);
}

function flatPairs(c: ParamCase): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const [name, g] of c.entries) {
    if (g.pairs) out.push(...g.pairs);
    else flatten(name, g.value, out);
  }
  return out;
}

/** JSON text keeping names such as `__proto__` as ordinary keys. */
function jsonText(c: ParamCase): string {
  return `{${c.entries.map(([k, g]) => `${JSON.stringify(k)}:${JSON.stringify(g.value === undefined ? null : g.value)}`).join(',')}}`;
}

interface Built {
  method: 'GET' | 'POST';
  /** Path and query. */
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

interface BuildOptions {
  transport: Transport;
  def: ActionDef;
  key: Key;
  params: ParamCase;
  /** TC3: the scope service; v1: ignored. */
  service?: string;
  /** Sign the host without its port (as the Node SDK does). */
  bareHost?: boolean;
  timestampOffset?: number;
  contentType?: string;
  unsignedPayload?: boolean;
  v1Method?: V1Method;
  extraHeaders?: Array<[string, string]>;
}

function build(server: TestServer, o: BuildOptions): Built {
  const timestamp = NOW_S + (o.timestampOffset ?? 0);
  const signedHost = o.bareHost ? '127.0.0.1' : server.endpoint;
  if (o.transport === 'tc3-post' || o.transport === 'tc3-get') {
    const get = o.transport === 'tc3-get';
    const query = get ? flatPairs(o.params).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&') : '';
    const body = get ? Buffer.alloc(0) : Buffer.from(jsonText(o.params));
    const contentType = o.contentType ?? (get ? 'application/x-www-form-urlencoded' : 'application/json');
    const service = o.service ?? 'billing';
    const sig = signTc3({
      secretId: o.key.SecretId, secretKey: o.key.SecretKey, service, host: signedHost, timestamp,
      payload: o.unsignedPayload ? UNSIGNED_PAYLOAD : body, method: get ? 'GET' : 'POST', contentType, canonicalQuery: query,
    });
    const headers: Array<[string, string]> = [
      ['Host', server.endpoint],
      ['Content-Type', contentType],
      ['X-TC-Action', o.def.name],
      ['X-TC-Version', o.def.version],
      ['X-TC-Timestamp', String(timestamp)],
      ['Authorization', sig.authorization],
      ...(o.unsignedPayload ? [['X-TC-Content-SHA256', UNSIGNED_PAYLOAD] as [string, string]] : []),
      ...(o.extraHeaders ?? []),
    ];
    return { method: get ? 'GET' : 'POST', target: get ? `/?${query}` : '/', headers, body };
  }
  const method = o.transport === 'v1-get' ? 'GET' : 'POST';
  const v1Method = o.v1Method ?? 'HmacSHA256';
  const pairs: Array<readonly [string, string]> = [
    ...flatPairs(o.params),
    ['Action', o.def.name],
    ['Version', o.def.version],
    ['Nonce', '31337'],
    ['Timestamp', String(timestamp)],
    ['SecretId', o.key.SecretId],
    ['SignatureMethod', v1Method],
  ];
  const signature = v1Signature(o.key.SecretKey, v1StringToSign(method, signedHost, '/', pairs), v1Method);
  const encoded = [...pairs, ['Signature', signature] as const].map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  if (method === 'GET') return { method, target: `/?${encoded}`, headers: [['Host', server.endpoint], ...(o.extraHeaders ?? [])], body: Buffer.alloc(0) };
  return {
    method,
    target: '/',
    headers: [['Host', server.endpoint], ['Content-Type', o.contentType ?? 'application/x-www-form-urlencoded'], ...(o.extraHeaders ?? [])],
    body: Buffer.from(encoded),
  };
}

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  traceId: string | null;
  method: string;
}

async function viaFetch(server: TestServer, b: Built): Promise<Answer> {
  const res = await fetch(`http://${server.endpoint}${b.target}`, {
    method: b.method,
    headers: b.headers.filter(([k]) => k.toLowerCase() !== 'host'),
    body: b.method === 'GET' ? undefined : b.body,
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text(), traceId: res.headers.get('x-tc-traceid'), method: b.method };
}

function fromExchange(r: ExchangeResult, method: string): Answer {
  return { status: r.status, contentType: r.headers.get('content-type') ?? null, text: r.body, traceId: r.headers.get('x-tc-traceid') ?? null, method };
}

/** The envelope every answer must have; returns the error code (undefined: success). */
function envelope(a: Answer, context: unknown): string | undefined {
  const why = () => `${JSON.stringify(context).slice(0, 2000)}\n→ ${a.status} ${a.contentType} ${a.text.slice(0, 500)}`;
  assert.equal(a.status, 200, why());
  assert.equal(a.contentType, 'application/json', why());
  if (a.method === 'HEAD') return undefined;
  const json = JSON.parse(a.text) as { Response?: Record<string, any> };
  assert.deepEqual(Object.keys(json), ['Response'], why());
  assert.match(String(json.Response!.RequestId), UUID, why());
  const err = json.Response!.Error;
  if (err === undefined) return undefined;
  assert.deepEqual(Object.keys(err), ['Code', 'Message'], why());
  assert.ok(DOCUMENTED.has(err.Code), `undocumented code ${err.Code}: ${why()}`);
  assert.ok(typeof err.Message === 'string' && err.Message.length > 0 && err.Message.length < 2000, why());
  return err.Code;
}

/** The codes a parameter set may get, by its validity, action and caller. */
function allowedCodes(def: ActionDef, key: Key, c: ParamCase, flat: boolean): Set<string | undefined> {
  const agentOnly = def.agentOnly === true && !AGENTS.some((a) => a.key === key);
  const paramErrors = [def.invalidCode, 'MissingParameter', 'UnknownParameter'];
  // A well-formed call may still be refused for what the store holds (a client that is not the caller's…).
  if (c.validity === 'valid') return new Set(agentOnly ? ['UnauthorizedOperation'] : [undefined, ...(def.dataCodes ?? [])]);
  const out = new Set<string | undefined>([...paramErrors, ...(agentOnly ? ['UnauthorizedOperation'] : [])]);
  if (c.validity === 'unknown' || flat) out.add(agentOnly ? 'UnauthorizedOperation' : undefined);
  return out;
}

const callerArb = (def: ActionDef) =>
  def.agentOnly
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...AGENTS) }, { weight: 1, arbitrary: fc.constantFrom(...CLIENTS) }).map((a) => a.key)
    : fc.constantFrom(...AGENTS, ...CLIENTS).map((a) => a.key);

const transportArb = fc.constantFrom(...TRANSPORTS);

/** A flattened GET past 32 KB (1000-item lists) is refused for its size, whatever it holds. */
function overSize(b: Built, allowed: Set<string | undefined>): void {
  if (b.method === 'GET' && b.target.length > SIZE_LIMITS.get) allowed.add('RequestSizeLimitExceeded');
}
/** The action definitions, printed by name in counterexamples. */
const DEFS: ActionDef[] = ACTIONS.map((d) => Object.assign(Object.create(d) as ActionDef, { [fc.toStringMethod]: () => d.name }));
const actionArb = fc.constantFrom(...DEFS);

// ---------------------------------------------------------------------------------------------

describe('wire fuzzing (fast-check)', () => {
  const log = captureLog();
  const sandbox = new Sandbox();
  let server: TestServer;
  before(async () => {
    sandbox.clock.set(NOW_MS, true);
    server = await startServer({ logger: log.logger, sandbox, bodyBounds: { idleMs: 1000, drainMs: 3000 } });
  });
  after(() => server.close());

  /** A valid call succeeds, and nothing so far was logged at error level. */
  async function stillHealthy(): Promise<void> {
    const def = ACTIONS[0]!;
    const b = build(server, { transport: 'tc3-post', def, key: CLIENT_1.key, params: { entries: [['StartTime', gen('valid')('2025-01-01 00:00:00')], ['EndTime', gen('valid')('2025-12-31 23:59:59')], ['Limit', gen('valid')(5)]], validity: 'valid' } });
    assert.equal(envelope(await viaFetch(server, b), 'health check'), undefined);
    assert.deepEqual(log.errors(), [], 'no error-level log line');
  }

  test(`parameters: every parameter × every JSON kind and bound, all four transports, both actions, agents and clients (${runs(SHARE.parameters)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        actionArb.chain((def) =>
          transportArb.chain((transport) =>
            fc.record({
              def: fc.constant(def),
              transport: fc.constant(transport),
              key: callerArb(def),
              params: paramsArb(def, transport !== 'tc3-post'),
              v1Method: fc.constantFrom<V1Method>('HmacSHA1', 'HmacSHA256'),
              bareHost: fc.boolean(),
              service: fc.constantFrom('billing', 'partners', '127'),
            }),
          ),
        ),
        async (c) => {
          const b = build(server, c);
          const code = envelope(await viaFetch(server, b), { ...c, def: c.def.name, built: { target: b.target.slice(0, 300), body: b.body.toString().slice(0, 300) } });
          const allowed = allowedCodes(c.def, c.key, c.params, c.transport !== 'tc3-post');
          overSize(b, allowed);
          assert.ok(allowed.has(code), `code ${code} not in ${[...allowed].join(', ')} for ${c.params.validity} ${c.def.name} ${c.transport}: ${b.target.slice(0, 200)} ${b.body.toString().slice(0, 400)}`);
        },
      ),
      settings(runs(SHARE.parameters)),
    );
    await stillHealthy();
  });

  test(`headers: every header the protocol reads, valid and odd, on signed calls (${runs(SHARE.headers)} cases)`, async () => {
    // fetch() trims header values; so does the server, and the signature is over the trimmed value.
    const odd = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim());
    await fc.assert(
      fc.asyncProperty(
        actionArb.chain((def) =>
          fc.record({
            def: fc.constant(def),
            transport: transportArb,
            key: callerArb(def),
            params: validParamsArb(def, true),
            language: fc.option(fc.oneof(fc.constantFrom('zh-CN', 'en-US', 'ZH-cn', 'fr-FR', ''), odd)),
            region: fc.option(fc.oneof(fc.constantFrom('ap-guangzhou', '', 'nowhere'), odd)),
            requestClient: fc.option(odd),
            traceId: fc.option(fc.oneof(fc.uuid(), odd, fc.constant('x'.repeat(300)))),
            token: fc.option(fc.constantFrom('', 'sometoken')),
            contentType: fc.option(fc.oneof(fc.constantFrom('application/json, text/plain', 'text/plain', 'multipart/form-data; boundary=x', ';;;', 'a b', 'application/json; charset=gbk', `x/${'y'.repeat(2000)}`), odd)),
            contentSha: fc.option(fc.constantFrom('UNSIGNED-PAYLOAD', 'unsigned-payload', 'abc', '')),
            signUnsigned: fc.boolean(),
            timestampOffset: fc.oneof(fc.constantFrom(0, 300, -300, 301, -301, 86400, -86400), fc.integer({ min: -400, max: 400 })),
            encoding: fc.option(fc.constantFrom('gzip', 'identity', 'deflate', 'br', 'GZIP', ' identity ', 'x-whatever', '')),
            acceptEncoding: fc.option(fc.constantFrom('gzip', 'gzip, deflate, br', '*')),
            bareHost: fc.boolean(),
          }),
        ),
        async (c) => {
          const tc3 = c.transport.startsWith('tc3');
          const extra: Array<[string, string]> = [];
          if (c.language !== null) extra.push(['X-TC-Language', c.language]);
          if (c.region !== null) extra.push(['X-TC-Region', c.region]);
          if (c.requestClient !== null) extra.push(['X-TC-RequestClient', c.requestClient]);
          if (c.traceId !== null) extra.push(['X-TC-TraceId', c.traceId]);
          if (c.encoding !== null) extra.push(['Content-Encoding', c.encoding]);
          if (c.acceptEncoding !== null) extra.push(['Accept-Encoding', c.acceptEncoding]);
          if (tc3 && c.token !== null) extra.push(['X-TC-Token', c.token]);
          const unsignedHeader = tc3 && c.contentSha !== null && !(c.signUnsigned && c.contentSha === 'UNSIGNED-PAYLOAD');
          if (unsignedHeader) extra.push(['X-TC-Content-SHA256', c.contentSha!]);
          const b = build(server, {
            ...c,
            contentType: c.transport === 'tc3-post' && c.contentType !== null ? c.contentType : undefined,
            unsignedPayload: tc3 && c.signUnsigned && c.contentSha === 'UNSIGNED-PAYLOAD',
            timestampOffset: tc3 ? c.timestampOffset : 0,
            extraHeaders: extra,
          });
          const a = await viaFetch(server, b);
          const code = envelope(a, { ...c, def: c.def.name });

          // The expected answer, in the order the server checks.
          const base = allowedCodes(c.def, c.key, c.params, false);
          const encodingRefused = b.body.length > 0 && c.encoding !== null && !['', 'identity'].includes(c.encoding.trim().toLowerCase());
          let expected: Set<string | undefined>;
          if (encodingRefused) expected = new Set(['UnsupportedProtocol']);
          else if (tc3 && Math.abs(c.timestampOffset) > 300) expected = new Set(['AuthFailure.SignatureExpire']);
          else if (tc3 && c.token === 'sometoken') expected = new Set(['AuthFailure.TokenFailure']);
          else if (unsignedHeader && c.contentSha === 'UNSIGNED-PAYLOAD') expected = new Set(['AuthFailure.SignatureFailure']);
          else if (b.method === 'POST' && /^\s*application\/x-www-form-urlencoded/i.test(b.headers.find(([k]) => k === 'Content-Type')?.[1] ?? '') && c.transport === 'tc3-post') {
            expected = new Set([...base, 'UnknownParameter', c.def.invalidCode]);
          } else expected = base;
          overSize(b, expected);
          assert.ok(expected.has(code), `code ${code}, expected ${[...expected].join('|')}: ${JSON.stringify({ ...c, def: c.def.name }).slice(0, 1500)}`);

          // Echoed — unless Node's parser refused the headers themselves (a GET past 64 KB of them).
          const headersRefused = code === 'RequestSizeLimitExceeded' && b.target.length > 60_000;
          if (c.traceId !== null && !headersRefused && /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(c.traceId.trim())) {
            assert.equal(a.traceId, c.traceId.trim().slice(0, 128));
          }
        },
      ),
      settings(runs(SHARE.headers)),
    );
    await stillHealthy();
  });

  test(`forgeries: one byte changed in what a valid request signed is never accepted (${runs(SHARE.forgeries)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        actionArb.chain((def) =>
          fc.record({
            def: fc.constant(def),
            transport: transportArb,
            key: callerArb(def),
            params: validParamsArb(def, true),
            v1Method: fc.constantFrom<V1Method>('HmacSHA1', 'HmacSHA256'),
            where: fc.constantFrom('payload', 'timestamp', 'signature', 'credential', 'content-type'),
            position: fc.nat(),
            replacement: fc.integer({ min: 0x21, max: 0x7e }),
          }),
        ),
        async (c) => {
          const b = build(server, c);
          const original = envelope(await viaFetch(server, b), 'original');
          if (original === 'RequestSizeLimitExceeded' && b.method === 'GET') return;
          const passed = new Set<string | undefined>([undefined, 'UnauthorizedOperation', ...(c.def.dataCodes ?? [])]);
          assert.ok(passed.has(original), `the unforged request must pass the signature: ${original}`);
          const forged = forge(b, c);
          if (!forged) return;
          const code = envelope(await viaFetch(server, forged.built), { ...c, def: c.def.name, forged: forged.what });
          assert.notEqual(code, undefined, `a forgery was accepted: ${forged.what}`);
          assert.notEqual(code, 'UnauthorizedOperation', `a forgery passed the signature check: ${forged.what}`);
        },
      ),
      settings(runs(SHARE.forgeries)),
    );
    await stillHealthy();
  });

  test(`methods, paths and arbitrary headers, over raw HTTP (${runs(SHARE.methods)} cases)`, async () => {
    const token = fc.stringMatching(/^[A-Z][A-Z-]{0,11}$/);
    const pathChars = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@%\/?-]{0,40}$/);
    const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/).filter((n) => !['content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'upgrade'].includes(n.toLowerCase()));
    const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim());
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'QUERY', 'SEARCH', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'REPORT', 'M-SEARCH', 'CONNECT', 'PRI'), token),
          path: fc.oneof(
            fc.constantFrom('/', '//', '/?', '/?Action=DescribeDealsByCond', '/index.php', '/%', '/%zz', '/%00', '/..', '/./', '/?%zz=%', '*', 'http://127.0.0.1/', '/' + 'a'.repeat(2000)),
            pathChars.map((p) => `/${p}`),
          ).filter((p) => !p.startsWith('/_tcdeals') && !p.startsWith('/metrics')),
          headers: fc.array(fc.oneof(
            fc.tuple(fc.constantFrom('Content-Type', 'X-TC-Action', 'X-TC-Version', 'X-TC-Timestamp', 'Authorization', 'X-TC-Language', 'X-TC-Token', 'X-TC-Content-SHA256', 'Content-Encoding', 'X-TC-TraceId', 'X-TC-Region'), headerValue),
            fc.tuple(headerName, headerValue),
            fc.constant(['X-TC-Action', 'DescribeDealsByCond'] as [string, string]),
            fc.constant(['X-TC-Version', '2018-07-09'] as [string, string]),
            fc.constant(['Expect', '100-continue'] as [string, string]),
            fc.constant(['Connection', 'close'] as [string, string]),
          ), { maxLength: 6 }),
          body: fc.oneof(fc.constant(''), fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null')),
          framing: fc.constantFrom('length', 'chunked', 'none'),
          host: fc.boolean(),
        }),
        async (c) => {
          const body = Buffer.from(c.body);
          const headers: Array<[string, string]> = [...(c.host ? [['Host', server.endpoint] as [string, string]] : []), ...c.headers];
          if (c.framing === 'length') headers.push(['Content-Length', String(body.length)]);
          if (c.framing === 'chunked') headers.push(['Transfer-Encoding', 'chunked']);
          const frames = c.framing === 'chunked' ? chunked(body) : c.framing === 'length' ? [body] : [];
          const r = await exchange(server.port, head(c.method, c.path, headers), frames, { readWhileWriting: true, after: 'end', timeoutMs: 10_000 });
          assert.equal(r.timedOut, false, `no answer: ${JSON.stringify(c)}`);
          assert.equal(r.reset, false, `no answer: ${JSON.stringify(c)} ${r.rawText.slice(0, 200)}`);
          const code = envelope(fromExchange(r, c.method), c);
          if (!['GET', 'POST'].includes(c.method)) assert.equal(code === undefined ? c.method === 'HEAD' : code, c.method === 'HEAD' ? true : 'UnsupportedProtocol', JSON.stringify(c));
        },
      ),
      settings(runs(SHARE.methods)),
    );
    await stillHealthy();
  });

  test(`framing: truncated, half-closed, disconnected and broken bodies of signed calls (${runs(SHARE.framing)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        actionArb.chain((def) =>
          fc.record({
            def: fc.constant(def),
            transport: fc.constantFrom<Transport>('tc3-post', 'v1-post'),
            key: callerArb(def),
            params: validParamsArb(def, true),
            shape: fc.constantFrom('short-then-end', 'short-then-destroy', 'chunked-no-end', 'chunked-bad-size', 'chunked-bad-size-then-more', 'complete-chunked', 'longer-than-declared'),
            cut: fc.nat(),
          }),
        ),
        async (c) => {
          const b = build(server, c);
          const body = b.body;
          const cut = body.length === 0 ? 0 : c.cut % body.length;
          const base = b.headers.filter(([k]) => k !== 'Content-Length');
          let r: ExchangeResult;
          let expected: Set<string | undefined>;
          switch (c.shape) {
            case 'short-then-end':
              r = await exchange(server.port, head(b.method, b.target, [...base, ['Content-Length', String(body.length + 1)]]), [body.subarray(0, cut)], { after: 'end' });
              expected = new Set(['UnsupportedProtocol']);
              break;
            case 'short-then-destroy':
              r = await exchange(server.port, head(b.method, b.target, [...base, ['Content-Length', String(body.length + 10)]]), [body.subarray(0, cut)], { after: 'destroy' });
              assert.equal(r.status, 0);
              return;
            case 'chunked-no-end':
              r = await exchange(server.port, head(b.method, b.target, [...base, ['Transfer-Encoding', 'chunked']]), chunked(body).slice(0, -1), { after: 'end' });
              expected = new Set(['UnsupportedProtocol']);
              break;
            case 'chunked-bad-size':
              r = await exchange(server.port, head(b.method, b.target, [...base, ['Transfer-Encoding', 'chunked']]), [Buffer.from('zz\r\n'), body]);
              expected = new Set(['UnsupportedProtocol']);
              break;
            case 'chunked-bad-size-then-more':
              r = await exchange(server.port, head(b.method, b.target, [...base, ['Transfer-Encoding', 'chunked']]), [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\nnot-a-size\r\n'), Buffer.alloc(100_000, 'j')]);
              expected = new Set(['UnsupportedProtocol']);
              break;
            case 'complete-chunked':
              r = await exchange(server.port, head(b.method, b.target, [...base, ['Transfer-Encoding', 'chunked']]), chunked(body, 1 + (c.cut % 7)));
              expected = allowedCodes(c.def, c.key, c.params, false);
              break;
            case 'longer-than-declared':
              // The extra bytes are the start of a next (broken) request on the same connection.
              r = await exchange(server.port, head(b.method, b.target, [...base, ['Content-Length', String(body.length)]]), [body, Buffer.from('garbage after the body\r\n\r\n')], { after: 'end' });
              expected = allowedCodes(c.def, c.key, c.params, false);
              break;
          }
          const code = envelope(fromExchange(r, b.method), { ...c, def: c.def.name });
          assert.ok(expected.has(code), `code ${code}, expected ${[...expected].join('|')}: ${c.shape}`);
        },
      ),
      settings(runs(SHARE.framing)),
    );
    await stillHealthy();
  });

  test(`sizes at each limit ± 1, declared and chunked, with and without Expect: 100-continue (${runs(SHARE.sizes, 12)} cases)`, async () => {
    const bodies = new Map<string, Buffer>();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          limit: fc.constantFrom('get', 'v1Post', 'tc3Post'),
          delta: fc.constantFrom(-1, 0, 1, 1000),
          framing: fc.constantFrom('length', 'chunked'),
          expect: fc.boolean(),
        }),
        async (c) => {
          const size = SIZE_LIMITS[c.limit as keyof typeof SIZE_LIMITS] + c.delta;
          let built: Built;
          if (c.limit === 'get') {
            built = sizedGet(size);
          } else if (c.limit === 'v1Post') {
            built = sizedV1Post(size);
          } else {
            const key = `tc3:${size}`;
            if (!bodies.has(key)) bodies.set(key, paddedJson(size));
            built = sizedTc3(bodies.get(key)!);
          }
          const headers = built.headers.filter(([k]) => k !== 'Content-Length');
          if (c.expect) headers.push(['Expect', '100-continue']);
          const framed = built.method === 'GET' || c.framing === 'length';
          if (built.method === 'POST') headers.push(framed ? ['Content-Length', String(built.body.length)] : ['Transfer-Encoding', 'chunked']);
          const frames = built.method === 'GET' ? [] : framed ? pieces(built.body) : chunked(built.body);
          const r = await exchange(server.port, head(built.method, built.target, headers), frames, { pauseBeforeBodyMs: c.expect ? 50 : 0 });
          const code = envelope(fromExchange(r, built.method), c);
          assert.equal(r.writeError, undefined, 'the client wrote its whole request');
          const over = (c.limit === 'get' ? built.target.length : built.body.length) > SIZE_LIMITS[c.limit as keyof typeof SIZE_LIMITS];
          assert.equal(code, over ? 'RequestSizeLimitExceeded' : 'InvalidParameterValue', JSON.stringify(c));
        },
      ),
      settings(runs(SHARE.sizes, 12)),
    );
    await stillHealthy();

    function paddedJson(size: number): Buffer {
      const prefix = '{"StartTime":"2025-01-01 00:00:00","EndTime":"2025-12-31 23:59:59","Limit":2,"OrderId":"';
      const body = Buffer.alloc(size, 'x');
      body.write(prefix, 0, 'latin1');
      body.write('"}', size - 2, 'latin1');
      return body;
    }
    function sizedTc3(body: Buffer): Built {
      const sig = signTc3({ secretId: CLIENT_1.key.SecretId, secretKey: CLIENT_1.key.SecretKey, service: 'billing', host: server.endpoint, timestamp: NOW_S, payload: body });
      return {
        method: 'POST', target: '/', body,
        headers: [['Host', server.endpoint], ['Content-Type', 'application/json'], ['X-TC-Action', 'DescribeDealsByCond'], ['X-TC-Version', '2018-07-09'], ['X-TC-Timestamp', String(NOW_S)], ['Authorization', sig.authorization]],
      };
    }
    function v1Sized(method: 'GET' | 'POST', size: number): Built {
      const def = ACTIONS[0]!;
      const params = (pad: number): ParamCase => ({
        entries: [['StartTime', gen('valid')('2025-01-01 00:00:00')], ['EndTime', gen('valid')('2025-12-31 23:59:59')], ['Limit', gen('valid')(2)], ['OrderId', gen('invalid')('x'.repeat(pad))]],
        validity: 'invalid',
      });
      const measure = (b: Built) => (method === 'GET' ? b.target.length : b.body.length);
      const pad = size - measure(build(server, { transport: method === 'GET' ? 'v1-get' : 'v1-post', def, key: CLIENT_1.key, params: params(0) }));
      for (let shift = 0; shift < 2000; shift++) {
        // Vary the timestamp within the window: the signature's encoded length varies with it.
        const b = build(server, { transport: method === 'GET' ? 'v1-get' : 'v1-post', def, key: CLIENT_1.key, params: params(pad), timestampOffset: shift % 200 - 100 });
        if (measure(b) === size) return b;
      }
      throw new Error(`no v1 request of ${size} bytes`);
    }
    function sizedGet(size: number): Built {
      return v1Sized('GET', size);
    }
    function sizedV1Post(size: number): Built {
      return v1Sized('POST', size);
    }
  });

  test('the server answers normally after all of it, and logged nothing at error level', async () => {
    await stillHealthy();
    for (const key of [CLIENT_1, AGENT_A]) assert.ok(!log.text().includes(key.key.SecretKey), 'no SecretKey in the log');
  });
});

/** One byte of what was signed, changed (never only in letter case where the server folds case). */
function forge(b: Built, c: { transport: Transport; where: string; position: number; replacement: number }): { built: Built; what: string } | undefined {
  const change = (text: string, from: number, to: number, ok: (ch: string) => boolean = () => true): string | undefined => {
    if (to <= from) return undefined;
    const i = from + (c.position % (to - from));
    let ch = String.fromCharCode(c.replacement);
    if (!ok(ch) || ch === text[i] || ch.toLowerCase() === text[i]!.toLowerCase()) ch = /[0-9]/.test(text[i]!) ? (text[i] === '7' ? '3' : '7') : text[i] === 'Q' || text[i] === 'q' ? 'Z' : 'Q';
    return text.slice(0, i) + ch + text.slice(i + 1);
  };
  const setHeader = (name: string, value: string): Built => ({ ...b, headers: b.headers.map(([k, v]) => [k, k === name ? value : v] as [string, string]) });
  const getHeader = (name: string) => b.headers.find(([k]) => k === name)?.[1];
  const tc3 = c.transport.startsWith('tc3');
  if (!tc3) {
    // v1: a character of any value (business or protocol, the Signature included) in the query or form.
    const text = b.method === 'GET' ? b.target.slice(2) : b.body.toString('latin1');
    const values: Array<[number, number]> = [];
    let at = 0;
    for (const part of text.split('&')) {
      const eq = part.indexOf('=');
      if (eq >= 0 && part.length > eq + 1) values.push([at + eq + 1, at + part.length]);
      at += part.length + 1;
    }
    const [from, to] = values[c.position % values.length]!;
    // Alphanumerics stand for themselves in the encoding; a `%XX` escape is left alone.
    const i = from + (Math.floor(c.position / values.length) % (to - from));
    if (!/[A-Za-z0-9]/.test(text[i]!) || text.slice(Math.max(0, i - 2), i + 1).includes('%')) return undefined;
    const pool = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    let ch = pool[c.replacement % pool.length]!;
    if (ch === text[i]) ch = pool[(c.replacement + 1) % pool.length]!;
    const forged = text.slice(0, i) + ch + text.slice(i + 1);
    const built = b.method === 'GET' ? { ...b, target: `/?${forged}` } : { ...b, body: Buffer.from(forged, 'latin1') };
    return { built, what: `v1 ${text.slice(from, to).slice(0, 60)} → byte ${i - from}: ${ch}` };
  }
  switch (c.where) {
    case 'payload': {
      if (b.method === 'GET') {
        const q = b.target.slice(2);
        const forged = change(q, 0, q.length, (ch) => /[A-Za-z0-9]/.test(ch));
        return forged === undefined ? undefined : { built: { ...b, target: `/?${forged}` }, what: `query ${forged.slice(0, 80)}` };
      }
      if (getHeader('X-TC-Content-SHA256') === UNSIGNED_PAYLOAD) return undefined;
      const text = b.body.toString('latin1');
      const forged = change(text, 0, text.length);
      return forged === undefined ? undefined : { built: { ...b, body: Buffer.from(forged, 'latin1') }, what: `body ${forged.slice(0, 80)} (was ${sha256Hex(text).slice(0, 8)})` };
    }
    case 'timestamp': {
      const v = getHeader('X-TC-Timestamp')!;
      const forged = change(v, 0, v.length, (ch) => /[0-9]/.test(ch));
      return forged === undefined ? undefined : { built: setHeader('X-TC-Timestamp', forged), what: `timestamp ${forged}` };
    }
    case 'signature': {
      const v = getHeader('Authorization')!;
      const s = v.lastIndexOf('Signature=') + 'Signature='.length;
      const forged = change(v, s, v.length, (ch) => /[0-9a-f]/.test(ch));
      return forged === undefined ? undefined : { built: setHeader('Authorization', forged), what: `signature ${forged.slice(s)}` };
    }
    case 'credential': {
      const v = getHeader('Authorization')!;
      const s = v.indexOf('Credential=') + 'Credential='.length;
      const e = v.indexOf('/tc3_request');
      const forged = change(v, s, e, (ch) => /[A-Za-z0-9]/.test(ch));
      return forged === undefined ? undefined : { built: setHeader('Authorization', forged), what: `credential ${forged.slice(s, e)}` };
    }
    default: {
      const v = getHeader('Content-Type')!;
      const forged = change(v, 0, v.length, (ch) => /[A-Za-z0-9]/.test(ch));
      return forged === undefined ? undefined : { built: setHeader('Content-Type', forged), what: `content-type ${forged}` };
    }
  }
}
