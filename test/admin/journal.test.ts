/** The request journal through the admin API: what a call sent and got, with every secret redacted. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_A, CLIENT_1 } from '../helpers/fixture.js';
import { errorCode } from '../helpers/call.js';
import { BILLING, PARTNERS, startAdminServer, tc3Call, v1Call, type AdminServer } from './support.js';

describe('admin journal', () => {
  let s: AdminServer;
  before(async () => {
    s = await startAdminServer();
  });
  after(() => s.close());

  test('records each call (action, caller, code, params) and never a SecretKey or a signature', async () => {
    await s.admin('DELETE', '/journal');
    const v1 = await v1Call(s.url, PARTNERS, AGENT_A.key, { Offset: '0', Limit: '2' });
    assert.equal(v1.answer.json.Response.Error, undefined, v1.answer.raw);
    // A TC3 call whose body even carries the key under a secret-looking name (refused as unknown, but journaled).
    const leaky = await tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 1, SecretKey: AGENT_A.key.SecretKey, Token: 'tok-123456' });
    assert.equal(errorCode(leaky.answer), 'UnknownParameter');
    const ok = await tc3Call(s.url, BILLING, CLIENT_1.key, { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 5 });
    assert.equal(ok.answer.json.Response.Error, undefined, ok.answer.raw);

    const r = await s.admin('GET', '/journal');
    assert.equal(r.status, 200);
    assert.equal(r.json.count, 3);
    const [e1, e2, e3] = r.json.entries;
    assert.deepEqual(
      [e1.action, e1.uin, e1.scheme, e1.code, e1.secretId],
      ['DescribeAgentDealsByCache', AGENT_A.uin, 'v1', 'OK', AGENT_A.key.SecretId],
    );
    assert.equal(e1.params.Limit, '2');
    assert.deepEqual([e2.scheme, e2.code, e2.params.SecretKey, e2.params.Token, e2.params.Limit], ['tc3', 'UnknownParameter', '***', '***', 1]);
    assert.deepEqual([e3.action, e3.uin, e3.code, e3.params.Limit], ['DescribeDealsByCond', CLIENT_1.uin, 'OK', 5]);
    assert.ok(e1.seq < e2.seq && e2.seq < e3.seq);
    for (const e of r.json.entries) assert.match(e.requestId, /^[0-9a-f-]{36}$/);

    const all = r.text;
    for (const secret of [AGENT_A.key.SecretKey, CLIENT_1.key.SecretKey, v1.signature, encodeURIComponent(v1.signature), leaky.signature, ok.signature, 'tok-123456']) {
      assert.ok(!all.includes(secret), `the journal holds ${secret}`);
    }
  });

  test('filters by action, uin, code, after and limit; clears; resizes', async () => {
    await s.admin('DELETE', '/journal');
    for (let i = 0; i < 3; i++) await tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 1 });
    await tc3Call(s.url, PARTNERS, CLIENT_1.key, { Offset: 0, Limit: 1 }); // not an agent
    await tc3Call(s.url, BILLING, CLIENT_1.key, { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 1 });

    const q = async (query: string) => (await s.admin('GET', `/journal${query}`)).json;
    assert.equal((await q('')).count, 5);
    assert.equal((await q('?action=DescribeAgentDealsByCache')).count, 4);
    assert.equal((await q(`?uin=${CLIENT_1.uin}`)).count, 2);
    assert.equal((await q('?code=UnauthorizedOperation')).count, 1);
    assert.equal((await q(`?action=DescribeAgentDealsByCache&uin=${AGENT_A.uin}&code=OK`)).count, 3);
    const last2 = await q('?limit=2');
    assert.deepEqual(last2.entries.map((e: { action: string }) => e.action), ['DescribeAgentDealsByCache', 'DescribeDealsByCond']);
    const afterSeq = last2.entries[0].seq;
    assert.equal((await q(`?after=${afterSeq}`)).count, 1);

    const badQuery = await s.admin('GET', '/journal?limit=zero');
    assert.equal(badQuery.status, 400);
    assert.match(badQuery.json.error.message, /limit/);
    const unknown = await s.admin('GET', '/journal?actoin=x');
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /actoin/);

    const resized = await s.admin('PUT', '/journal/size', { size: 2 });
    assert.deepEqual(resized.json, { size: 2 });
    assert.equal((await q('')).count, 2);
    assert.equal((await s.admin('PUT', '/journal/size', { size: -1 })).status, 400);
    assert.equal((await s.admin('PUT', '/journal/size', {})).status, 400);

    const cleared = await s.admin('DELETE', '/journal');
    assert.deepEqual(cleared.json, { cleared: 2 });
    assert.equal((await q('')).count, 0);
    await s.admin('PUT', '/journal/size', { size: 1000 });
  });
});
