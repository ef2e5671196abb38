/** Fault rules through the admin API: each kind fires exactly as often as asked, and is counted. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_A, AGENT_B, CLIENT_1 } from '../helpers/fixture.js';
import { errorCode } from '../helpers/call.js';
import { PARTNERS, startAdminServer, tc3Call, type AdminServer } from './support.js';

const page = { Offset: 0, Limit: 1 };

describe('admin faults', () => {
  let s: AdminServer;
  before(async () => {
    s = await startAdminServer();
  });
  after(() => s.close());
  beforeEach(async () => {
    await s.admin('DELETE', '/faults');
    await s.admin('DELETE', '/journal');
  });

  const agentCall = async (key = AGENT_A.key) => (await tc3Call(s.url, PARTNERS, key, page)).answer;

  test('an error rule with times 3 answers exactly 3 calls with its code; the 4th succeeds', async () => {
    const added = await s.admin('POST', '/faults', { kind: 'error', code: 'InternalError', message: 'boom (injected)', times: 3, action: 'DescribeAgentDealsByCache' });
    assert.equal(added.status, 201);
    assert.deepEqual([added.json.fired, added.json.matched, added.json.remaining], [0, 0, 3]);
    for (let i = 0; i < 3; i++) {
      const a = await agentCall();
      assert.equal(errorCode(a), 'InternalError');
      assert.equal(a.json.Response.Error.Message, 'boom (injected)');
    }
    const fourth = await agentCall();
    assert.equal(fourth.json.Response.Error, undefined, fourth.raw);
    assert.ok(fourth.json.Response.TotalCount > 0);
    const [rule] = (await s.admin('GET', '/faults')).json.rules;
    assert.deepEqual([rule.id, rule.fired, rule.matched, rule.remaining], [added.json.id, 3, 3, 0]);
    const journal = (await s.admin('GET', '/journal')).json.entries;
    assert.deepEqual(journal.map((e: { code: string }) => e.code), ['InternalError', 'InternalError', 'InternalError', 'OK']);
    assert.deepEqual(journal.map((e: { fault?: string }) => e.fault), [added.json.id, added.json.id, added.json.id, undefined]);
  });

  test('a rule only fires for its action and account', async () => {
    await s.admin('POST', '/faults', { kind: 'error', code: 'RequestLimitExceeded', uin: AGENT_B.uin });
    await s.admin('POST', '/faults', { kind: 'error', code: 'FailedOperation', action: 'DescribeDealsByCond' });
    assert.equal((await agentCall()).json.Response.Error, undefined);
    assert.equal(errorCode(await agentCall(AGENT_B.key)), 'RequestLimitExceeded');
    const rules = (await s.admin('GET', '/faults')).json.rules;
    assert.deepEqual(rules.map((r: { fired: number }) => r.fired), [1, 0]);
    assert.equal(rules[0].remaining, undefined);
  });

  test('probability 0 never fires, 1 always does; both count what they matched', async () => {
    const never = (await s.admin('POST', '/faults', { kind: 'error', code: 'InternalError', probability: 0 })).json;
    for (let i = 0; i < 5; i++) assert.equal((await agentCall()).json.Response.Error, undefined);
    await s.admin('DELETE', `/faults/${never.id}`);
    await s.admin('POST', '/faults', { kind: 'error', code: 'ResourceUnavailable', probability: 1 });
    for (let i = 0; i < 5; i++) assert.equal(errorCode(await agentCall()), 'ResourceUnavailable');
    const [always] = (await s.admin('GET', '/faults')).json.rules;
    assert.deepEqual([always.fired, always.matched], [5, 5]);
  });

  test('a latency rule delays the answer by at least latencyMs', async () => {
    await s.admin('POST', '/faults', { kind: 'latency', latencyMs: 400, times: 1 });
    const t0 = performance.now();
    const slow = await agentCall();
    const slowMs = performance.now() - t0;
    assert.equal(slow.json.Response.Error, undefined);
    assert.ok(slowMs >= 400, `took ${slowMs} ms`);
    const t1 = performance.now();
    await agentCall();
    assert.ok(performance.now() - t1 < 400);
    assert.equal((await s.admin('GET', '/faults')).json.rules[0].fired, 1);
  });

  test('a drop rule closes the connection without an answer (fetch rejects); the next call works', async () => {
    await s.admin('POST', '/faults', { kind: 'drop', times: 1 });
    await assert.rejects(agentCall(), (err: Error) => /fetch failed|socket|closed|ECONNRESET/i.test(`${err.message} ${String((err as { cause?: unknown }).cause)}`));
    const next = await agentCall();
    assert.equal(next.json.Response.Error, undefined, next.raw);
    const [rule] = (await s.admin('GET', '/faults')).json.rules;
    assert.deepEqual([rule.fired, rule.remaining], [1, 0]);
    const codes = (await s.admin('GET', '/journal')).json.entries.map((e: { code: string }) => e.code);
    assert.deepEqual(codes, ['ConnectionDropped', 'OK']);
  });

  test('bad rules are refused with the reason; unknown ids are 404; clear removes all', async () => {
    const noCode = await s.admin('POST', '/faults', { kind: 'error' });
    assert.equal(noCode.status, 400);
    assert.equal(noCode.json.error.code, 'InvalidFaultRule');
    assert.match(noCode.json.error.message, /needs a code/);
    const badKind = await s.admin('POST', '/faults', { kind: 'explode' });
    assert.match(badKind.json.error.message, /kind must be/);
    const typo = await s.admin('POST', '/faults', { kind: 'drop', time: 3 });
    assert.match(typo.json.error.message, /unknown fault rule field "time"/);
    const prob = await s.admin('POST', '/faults', { kind: 'drop', probability: 2 });
    assert.match(prob.json.error.message, /probability/);
    const notJson = await s.admin('POST', '/faults', undefined, { raw: 'kind=drop', headers: { 'content-type': 'text/plain' } });
    assert.equal(notJson.status, 400);
    const brokenJson = await s.admin('POST', '/faults', undefined, { raw: '{"kind":', headers: { 'content-type': 'application/json' } });
    assert.deepEqual([brokenJson.status, brokenJson.json.error.code], [400, 'InvalidJson']);

    const missing = await s.admin('DELETE', '/faults/no-such-rule');
    assert.deepEqual([missing.status, missing.json.error.code], [404, 'FaultNotFound']);
    await s.admin('POST', '/faults', { kind: 'drop' });
    await s.admin('POST', '/faults', { kind: 'latency', latencyMs: 1 });
    assert.deepEqual((await s.admin('DELETE', '/faults')).json, { cleared: 2 });
    assert.deepEqual((await s.admin('GET', '/faults')).json, { rules: [] });
    assert.equal((await tc3Call(s.url, PARTNERS, CLIENT_1.key, page)).answer.json.Response.Error.Code, 'UnauthorizedOperation');
  });
});
