/**
 * Retries with an injected fetch, sleep and jitter source: which failures are retried, how long
 * each backoff is, and what is thrown when the retries run out. Pacing is off here (rate 0) so
 * every recorded sleep is a backoff wait.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import {
  backoffCeiling,
  ClientErrorCode,
  TencentCloudError,
  TencentCloudClient,
  type FetchLike,
  type TencentCloudClientOptions,
} from '../../src/client/index.js';

type Step = { code: string; message?: string } | 'ok' | { status: number; body: string } | { throws: unknown } | 'hang' | 'deaf';

const OK_BODY = { Deals: [], TotalCount: 0, RequestId: 'req-ok' };

/** Answers the scripted steps in order (the last one repeats) and counts the requests. */
function scripted(steps: Step[]): { fetch: FetchLike; requests: () => number; traceIds: string[] } {
  let n = 0;
  const traceIds: string[] = [];
  const fetch: FetchLike = async (_url, init) => {
    traceIds.push(init.headers['X-TC-TraceId']!);
    const step = steps[Math.min(n++, steps.length - 1)]!;
    if (step === 'hang') {
      return new Promise((_resolve, reject) => {
        init.signal.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')));
      });
    }
    if (step === 'deaf') return new Promise(() => {}); // ignores the abort signal
    if (step === 'ok') return new Response(JSON.stringify({ Response: OK_BODY }), { status: 200, headers: { 'content-type': 'application/json' } });
    if ('throws' in step) throw step.throws;
    if ('status' in step) return new Response(step.body, { status: step.status });
    return new Response(JSON.stringify({ Response: { Error: { Code: step.code, Message: step.message ?? step.code }, RequestId: `req-${n}` } }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, requests: () => n, traceIds };
}

function client(fetch: FetchLike, extra: Partial<TencentCloudClientOptions> = {}) {
  const waits: number[] = [];
  const c = new TencentCloudClient({
    secretId: 'AKIDtest',
    secretKey: 'secret',
    baseUrl: 'http://127.0.0.1:1',
    ratePerSecond: 0,
    sleep: async (ms) => {
      waits.push(ms);
    },
    fetch,
    ...extra,
  });
  return { c, waits };
}

const REQ = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-01-31 23:59:59', Limit: 1 };

describe('retries', () => {
  test('RequestLimitExceeded twice, then success: 2 retries with full-jitter backoff within bounds', async () => {
    const s = scripted([{ code: 'RequestLimitExceeded' }, { code: 'RequestLimitExceeded' }, 'ok']);
    const { c, waits } = client(s.fetch, { retryBaseMs: 200 });
    const res = await c.describeDealsByCond(REQ);
    assert.deepEqual(res, OK_BODY);
    assert.equal(s.requests(), 3);
    assert.equal(waits.length, 2);
    waits.forEach((w, i) => assert.ok(w >= 0 && w < backoffCeiling(i, 200), `wait ${i} = ${w} within [0, ${backoffCeiling(i, 200)})`));
    assert.deepEqual(c.stats, { calls: 1, attempts: 3, retries: 2, rateLimited: 2, failures: 0 });
    assert.equal(new Set(s.traceIds).size, 3, 'each attempt has its own trace id');
  });

  test('the waits are exactly random * min(cap, base * 2^n), capped at 10 s', async () => {
    const s = scripted([{ code: 'InternalError' }]);
    const { c, waits } = client(s.fetch, { retryBaseMs: 1000, maxRetries: 6, random: () => 0.5 });
    await assert.rejects(c.describeDealsByCond(REQ), { code: 'InternalError' });
    assert.deepEqual(waits, [500, 1000, 2000, 4000, 5000, 5000]);
    const top = client(scripted([{ code: 'InternalError' }]).fetch, { retryBaseMs: 1000, maxRetries: 6, random: () => 0.999999 });
    await assert.rejects(top.c.describeDealsByCond(REQ));
    assert.deepEqual(top.waits, [999, 1999, 3999, 7999, 9999, 9999]);
  });

  test('InternalError and its sub-codes, ServiceUnavailable are retried', async () => {
    const s = scripted([{ code: 'InternalError' }, { code: 'InternalError.DbOperatError' }, { code: 'ServiceUnavailable' }, 'ok']);
    const { c, waits } = client(s.fetch);
    await c.describeDealsByCond(REQ);
    assert.equal(s.requests(), 4);
    assert.equal(waits.length, 3);
    assert.equal(c.stats.rateLimited, 0);
  });

  test('network errors (connection refused/reset), non-200 and non-JSON answers are retried', async () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const s = scripted([{ throws: refused }, { throws: reset }, { status: 502, body: '<html>Bad Gateway</html>' }, { status: 200, body: 'not json' }, { status: 200, body: '{"NoResponse":1}' }, 'ok']);
    const { c } = client(s.fetch);
    assert.deepEqual(await c.describeDealsByCond(REQ), OK_BODY);
    assert.equal(s.requests(), 6);
    assert.equal(c.stats.retries, 5);
  });

  test('a timeout aborts the attempt and is retried; exhausted, it is ClientError.Timeout', async () => {
    const s = scripted(['hang']);
    const { c } = client(s.fetch, { timeoutMs: 20, maxRetries: 1 });
    await assert.rejects(c.describeDealsByCond(REQ), (err: unknown) => {
      assert.ok(err instanceof TencentCloudError);
      assert.equal(err.code, ClientErrorCode.Timeout);
      assert.match(err.message, /within 20 ms/);
      return true;
    });
    assert.equal(s.requests(), 2);
  });

  test('a fetch that ignores the abort signal still times out', async () => {
    const s = scripted(['deaf', 'ok']);
    const { c } = client(s.fetch, { timeoutMs: 20 });
    assert.deepEqual(await c.describeDealsByCond(REQ), OK_BODY);
    assert.equal(s.requests(), 2);
    assert.equal(c.stats.retries, 1);
  });

  test('InvalidParameter (and other caller errors) are not retried', async () => {
    for (const code of ['InvalidParameter', 'InvalidParameterValue', 'AuthFailure.SignatureFailure', 'UnauthorizedOperation']) {
      const s = scripted([{ code, message: `bad: ${code}` }, 'ok']);
      const { c, waits } = client(s.fetch);
      await assert.rejects(c.describeDealsByCond(REQ), (err: unknown) => {
        assert.ok(err instanceof TencentCloudError);
        assert.equal(err.code, code);
        assert.equal(err.message, `bad: ${code}`);
        assert.equal(err.requestId, 'req-1');
        return true;
      });
      assert.equal(s.requests(), 1, code);
      assert.deepEqual(waits, []);
      assert.deepEqual(c.stats, { calls: 1, attempts: 1, retries: 0, rateLimited: 0, failures: 1 });
    }
  });

  test('an unknown exception from fetch is not retried', async () => {
    const s = scripted([{ throws: new Error('boom') }, 'ok']);
    const { c } = client(s.fetch);
    await assert.rejects(c.describeDealsByCond(REQ), { code: ClientErrorCode.Request });
    assert.equal(s.requests(), 1);
  });

  test('maxRetries exhausted: the last error is thrown after 1 + maxRetries attempts', async () => {
    const s = scripted([{ code: 'InternalError' }, { code: 'InternalError' }, { code: 'RequestLimitExceeded', message: 'the last one' }]);
    const { c, waits } = client(s.fetch, { maxRetries: 2 });
    await assert.rejects(c.describeDealsByCond(REQ), (err: unknown) => {
      assert.ok(err instanceof TencentCloudError);
      assert.equal(err.code, 'RequestLimitExceeded');
      assert.equal(err.message, 'the last one');
      assert.equal(err.requestId, 'req-3');
      return true;
    });
    assert.equal(s.requests(), 3);
    assert.equal(waits.length, 2);
    assert.deepEqual(c.stats, { calls: 1, attempts: 3, retries: 2, rateLimited: 1, failures: 1 });
  });

  test('maxRetries 0: one attempt only', async () => {
    const s = scripted([{ code: 'RequestLimitExceeded' }, 'ok']);
    const { c } = client(s.fetch, { maxRetries: 0 });
    await assert.rejects(c.describeDealsByCond(REQ), { code: 'RequestLimitExceeded' });
    assert.equal(s.requests(), 1);
  });

  test('a non-200 answer: ClientError.HttpStatusCodeError with the status, the body code in the message', async () => {
    const body = JSON.stringify({ Response: { Error: { Code: 'InternalError', Message: 'gateway' }, RequestId: 'req-x' } });
    const s = scripted([{ status: 503, body }]);
    const { c } = client(s.fetch, { maxRetries: 1 });
    await assert.rejects(c.describeDealsByCond(REQ), (err: unknown) => {
      assert.ok(err instanceof TencentCloudError);
      assert.equal(err.code, ClientErrorCode.HttpStatus);
      assert.equal(err.httpStatus, 503);
      assert.equal(err.requestId, 'req-x');
      assert.match(err.message, /HTTP 503.*InternalError: gateway/);
      return true;
    });
    assert.equal(s.requests(), 2);
  });

  test('a real refused connection: ClientError.NetworkError after the retries, with the cause', async () => {
    // A port that was just free and is closed again.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const waits: number[] = [];
    const c = new TencentCloudClient({
      secretId: 'AKIDtest',
      secretKey: 'secret',
      baseUrl: `http://127.0.0.1:${port}`,
      ratePerSecond: 0,
      maxRetries: 2,
      sleep: async (ms) => void waits.push(ms),
    });
    await assert.rejects(c.describeDealsByCond(REQ), (err: unknown) => {
      assert.ok(err instanceof TencentCloudError);
      assert.equal(err.code, ClientErrorCode.Network);
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(err.cause);
      assert.match(err.traceId!, /^[0-9a-f-]{36}$/);
      return true;
    });
    assert.equal(c.stats.attempts, 3);
    assert.equal(waits.length, 2);
  });
});
