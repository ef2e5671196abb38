/**
 * What an operator sees: `/metrics` counts every answered call by action and code, rate-limit
 * rejections, latency and the partners cache age; `serve` writes one JSON line per call with
 * everything needed to find it (RequestId, the client's X-TC-TraceId, action, account, code,
 * latency), a debug line with the server's string to sign for a failed signature, and never a
 * SecretKey.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { canonicalRequest, sha256Hex, stringToSign } from '../../src/protocol/tc3.js';
import { errorCode, tc3, type ApiAnswer } from '../helpers/call.js';
import { cli, serve, waitFor, type RunningServer } from '../helpers/cli.js';
import { AGENT_A, CLIENT_1 } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { BILLING, logLines, PARTNERS, runAll, stopAll, tally } from './support.js';

const BILLING_BODY = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 1 };
const PARTNERS_BODY = { Offset: 0, Limit: 1 };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, sample lines only. */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `a well-formed sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hit = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length);
  assert.ok(hit.length <= 1, `one sample ${name}${JSON.stringify(labels)}`);
  return hit[0]?.value;
}

describe('/metrics (in-process server)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ rateLimit: { points: 20, durationSec: 1 } });
  });
  after(() => server?.close());

  test('accepted, rate-limited and badly signed calls are counted by action and code, with latency, rejections and the cache age', async () => {
    const billing = () => tc3(server.url, { ...BILLING, body: BILLING_BODY, key: CLIENT_1.key });
    const started = Date.now();
    let t = tally(await Promise.all(Array.from({ length: 25 }, billing)), Date.now() - started);
    const bursts = [t];
    if (t.ms > 200) {
      // Maybe two windows: run it once more; the metrics must then count both bursts.
      await sleep(1100);
      const again = Date.now();
      t = tally(await Promise.all(Array.from({ length: 25 }, billing)), Date.now() - again);
      bursts.push(t);
    }
    assert.deepEqual(t.other, []);
    assert.ok(t.limited >= 4, `the burst hit the limit: ${t.ok}/${t.limited} in ${t.ms} ms`);
    const ok = bursts.reduce((n, b) => n + b.ok, 0);
    const limited = bursts.reduce((n, b) => n + b.limited, 0);

    const partners = await tc3(server.url, { ...PARTNERS, body: PARTNERS_BODY, key: AGENT_A.key });
    assert.equal(errorCode(partners), undefined, partners.raw);
    const badSig = await tc3(server.url, { ...BILLING, body: BILLING_BODY, key: { SecretId: CLIENT_1.key.SecretId, SecretKey: 'not-the-key' } });
    assert.equal(errorCode(badSig), 'AuthFailure.SignatureFailure');

    const res = await fetch(`${server.url}metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const samples = parseMetrics(await res.text());
    const B = BILLING.action;
    const P = PARTNERS.action;
    assert.equal(value(samples, 'tcdeals_api_calls_total', { action: B, code: 'OK' }), ok);
    assert.equal(value(samples, 'tcdeals_api_calls_total', { action: B, code: 'RequestLimitExceeded' }), limited);
    assert.equal(value(samples, 'tcdeals_api_calls_total', { action: B, code: 'AuthFailure.SignatureFailure' }), 1);
    assert.equal(value(samples, 'tcdeals_api_calls_total', { action: P, code: 'OK' }), 1);
    assert.equal(value(samples, 'tcdeals_rate_limit_rejections_total', { action: B }), limited);
    assert.equal(value(samples, 'tcdeals_rate_limit_rejections_total', { action: P }) ?? 0, 0);
    // Latency: one observation per answered call, in cumulative buckets.
    assert.equal(value(samples, 'tcdeals_api_call_duration_seconds_count', { action: B, code: 'OK' }), ok);
    assert.equal(value(samples, 'tcdeals_api_call_duration_seconds_count', { action: B, code: 'RequestLimitExceeded' }), limited);
    assert.equal(value(samples, 'tcdeals_api_call_duration_seconds_bucket', { action: B, code: 'OK', le: '+Inf' }), ok);
    assert.equal(value(samples, 'tcdeals_api_call_duration_seconds_count', { action: P, code: 'OK' }), 1);
    const sum = value(samples, 'tcdeals_api_call_duration_seconds_sum', { action: B, code: 'OK' })!;
    assert.ok(sum > 0 && sum < ok * 5, `latency sum ${sum} s is plausible`);
    // The fixture was written (and so the cache refreshed) moments ago.
    const age = value(samples, 'tcdeals_partners_cache_age_seconds');
    assert.ok(age !== undefined && age >= 0 && age < 60, `cache age ${age}`);
    // Default process metrics are there too, prefixed.
    assert.ok(samples.some((s) => s.name === 'tcdeals_process_cpu_user_seconds_total'));
    console.log(`# metrics: billing OK ${ok}, RequestLimitExceeded ${limited} (${bursts.length} burst(s), last ${t.ms} ms), signature failure 1, partners OK 1; cache age ${age} s; latency sum ${sum.toFixed(4)} s`);
  });
});

describe('per-call log lines of `tcdeals serve --log-level debug`', () => {
  const uin = '700000000777';
  let dir: string;
  let key: { SecretId: string; SecretKey: string };
  const wrongKey = `wrong${randomBytes(12).toString('hex')}`;
  let server: RunningServer | undefined;
  let badSig: { answer: ApiAnswer; traceId: string; expectedStringToSign: string };
  let good: { answer: ApiAnswer; traceId: string };
  let limited: { answer: ApiAnswer; traceId: string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-ops-logs-'));
    const db = join(dir, 'logs.db');
    const created = cli(['accounts', 'create', '--db', db, '--uin', uin]);
    assert.equal(created.status, 0, created.stderr);
    const keyOut = cli(['keys', 'create', '--db', db, '--uin', uin, '--json']);
    assert.equal(keyOut.status, 0, keyOut.stderr);
    key = JSON.parse(keyOut.stdout);
    server = await serve(['--db', db, '--no-demo', '--log-level', 'debug', '--rate-limit', '2']);
    const url = `http://${server.endpoint}/`;

    const timestamp = Math.floor(Date.now() / 1000);
    const traceId = `trace-bad-${randomBytes(6).toString('hex')}`;
    const answer = await tc3(url, { ...BILLING, body: BILLING_BODY, key: { SecretId: key.SecretId, SecretKey: wrongKey }, timestamp, headers: { 'X-TC-TraceId': traceId } });
    // What a correct client signs for this very request (the helper signs host 127.0.0.1:PORT, service "127").
    const canonical = canonicalRequest({
      method: 'POST',
      canonicalQuery: '',
      headers: [['content-type', 'application/json'], ['host', server.endpoint]],
      payloadHash: sha256Hex(JSON.stringify(BILLING_BODY)),
    });
    badSig = { answer, traceId, expectedStringToSign: stringToSign(timestamp, '127', canonical) };

    const goodTrace = `trace-ok-${randomBytes(6).toString('hex')}`;
    good = { answer: await tc3(url, { ...BILLING, body: BILLING_BODY, key, headers: { 'X-TC-TraceId': goodTrace } }), traceId: goodTrace };
    // --rate-limit 2: the third call in the window is refused.
    await tc3(url, { ...BILLING, body: BILLING_BODY, key });
    const limitedTrace = `trace-limited-${randomBytes(6).toString('hex')}`;
    limited = { answer: await tc3(url, { ...BILLING, body: BILLING_BODY, key, headers: { 'X-TC-TraceId': limitedTrace } }), traceId: limitedTrace };

    for (const a of [badSig.answer, good.answer, limited.answer]) await waitFor(server.output, new RegExp(`"requestId":"${a.json.Response.RequestId}"[^\\n]*"msg":"api call"`));
  });
  after(() => runAll([() => stopAll([server]), () => rmSync(dir, { recursive: true, force: true })]));

  const linesOf = (requestId: string) => logLines(server!.output()).filter((l) => l.requestId === requestId);

  test('a failed signature: the api-call line has RequestId, X-TC-TraceId, action, code and latency; a debug line has the server’s string to sign', () => {
    assert.equal(errorCode(badSig.answer), 'AuthFailure.SignatureFailure');
    assert.equal(badSig.answer.headers.get('x-tc-traceid'), badSig.traceId);
    const requestId = badSig.answer.json.Response.RequestId as string;
    const lines = linesOf(requestId);
    const call = lines.find((l) => l.msg === 'api call');
    assert.ok(call, `an api-call line for ${requestId}:\n${server!.output()}`);
    assert.equal(call.level, 30);
    assert.equal(call.traceId, badSig.traceId);
    assert.equal(call.action, BILLING.action);
    assert.equal(call.code, 'AuthFailure.SignatureFailure');
    assert.equal(typeof call.ms, 'number');
    assert.ok(call.ms >= 0 && call.ms < 5000);
    assert.equal(typeof call.time, 'number');

    const debug = lines.find((l) => l.msg === 'signature mismatch');
    assert.ok(debug, `a debug line for ${requestId}:\n${server!.output()}`);
    assert.equal(debug.level, 20);
    assert.equal(debug.stringToSign, badSig.expectedStringToSign, 'the server’s string to sign is what a correct client signs');
    assert.match(debug.canonicalRequest, /^POST\n\/\n\n/);
  });

  test('the failed signature’s api-call line names the account whose SecretId was used', () => {
    const call = linesOf(badSig.answer.json.Response.RequestId).find((l) => l.msg === 'api call');
    assert.ok(call);
    assert.ok(call.uin === uin || call.secretId === key.SecretId, `account named: ${JSON.stringify(call)}`);
  });

  test('accepted and rate-limited calls: one line each with RequestId, TraceId, action, account, code and latency', () => {
    assert.equal(errorCode(good.answer), undefined, good.answer.raw);
    assert.equal(errorCode(limited.answer), 'RequestLimitExceeded', limited.answer.raw);
    for (const [a, traceId, code] of [[good.answer, good.traceId, 'OK'], [limited.answer, limited.traceId, 'RequestLimitExceeded']] as const) {
      const lines = linesOf(a.json.Response.RequestId).filter((l) => l.msg === 'api call');
      assert.equal(lines.length, 1);
      const [line] = lines;
      assert.deepEqual({ ...line, ms: typeof line!.ms, time: typeof line!.time }, {
        level: 30,
        time: 'number',
        requestId: a.json.Response.RequestId,
        traceId,
        action: BILLING.action,
        uin,
        code,
        via: 'direct',
        host: server!.endpoint,
        ms: 'number',
        msg: 'api call',
      });
    }
  });

  test('no SecretKey (the account’s or the wrong one a client used) anywhere in stdout or stderr, through shutdown', async () => {
    const code = await server!.stop();
    assert.equal(code, 0);
    const output = server!.output();
    assert.match(output, /"msg":"shutting down"/);
    assert.ok(!output.includes(key.SecretKey), 'the account’s SecretKey is not logged');
    assert.ok(!output.includes(wrongKey), 'nor the wrong one the client signed with');
    assert.doesNotMatch(output, /secret_?key/i, 'no SecretKey field either');
  });
});
