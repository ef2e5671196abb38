/** Clock, cache lag, signature mode and the state summary, changed at run time through the admin API. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { formatDateTime } from '../../src/protocol/datetime.js';
import { AGENT_A, CLIENT_1, deal } from '../helpers/fixture.js';
import { errorCode, send } from '../helpers/call.js';
import { exportDeal } from '../../src/services/deal-export.js';
import { BILLING, PARTNERS, startAdminServer, tc3Call, type AdminServer } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('admin clock', () => {
  let s: AdminServer;
  before(async () => {
    s = await startAdminServer();
  });
  after(() => s.close());

  test('a call signed an hour in the real past is accepted only while the clock says it is that time', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const call = () => tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 1 }, { timestamp: past });
    assert.equal(errorCode((await call()).answer), 'AuthFailure.SignatureExpire');

    const set = await s.admin('PUT', '/clock', { now: past * 1000 });
    assert.equal(set.status, 200);
    assert.deepEqual([set.json.frozen, set.json.beijingTime], [false, formatDateTime(past * 1000)]);
    const accepted = (await call()).answer;
    assert.equal(accepted.json.Response.Error, undefined, accepted.raw);
    // A call signed with the real time is now an hour in the clock's future.
    assert.equal(errorCode((await tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 1 })).answer), 'AuthFailure.SignatureExpire');

    // The Beijing date-time form, frozen: time stands still.
    const frozen = await s.admin('PUT', '/clock', { now: formatDateTime(past * 1000), frozen: true });
    assert.deepEqual([frozen.json.now, frozen.json.frozen], [past * 1000, true]);
    await sleep(30);
    assert.equal((await s.admin('GET', '/clock')).json.now, past * 1000);
    assert.equal((await call()).answer.json.Response.Error, undefined);

    // Advancing by the hour brings the clock back to (about) real time, still frozen.
    const advanced = await s.admin('PUT', '/clock', { advanceMs: 3_600_000 });
    assert.deepEqual([advanced.json.now, advanced.json.frozen], [past * 1000 + 3_600_000, true]);
    assert.equal(errorCode((await call()).answer), 'AuthFailure.SignatureExpire');

    const reset = await s.admin('PUT', '/clock', { reset: true });
    assert.deepEqual([reset.json.frozen, reset.json.offsetMs], [false, 0]);
    assert.ok(Math.abs(reset.json.now - Date.now()) < 5000);
    assert.equal(errorCode((await call()).answer), 'AuthFailure.SignatureExpire');
  });

  test('bad clock settings are refused with the reason', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ now: '2025-02-30 00:00:00' }, /not a Beijing date-time YYYY-MM-DD HH:mm:ss/],
      [{ now: 1.5 }, /integer/],
      [{ now: 1, advanceMs: 1 }, /one of now, advanceMs or reset/],
      [{ reset: false }, /must be true/],
      [{ advanceMs: 1, frozen: true }, /frozen goes with now/],
      [{}, /Send \{now/],
      [{ noww: 1 }, /Unknown field "noww"/],
    ];
    for (const [body, message] of cases) {
      const r = await s.admin('PUT', '/clock', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.json.error.message, message);
    }
  });
});

describe('admin cache lag', () => {
  let s: AdminServer;
  before(async () => {
    s = await startAdminServer();
  });
  after(() => s.close());

  const newDeal = (name: string) => exportDeal(deal({ deal_name: name, owner_uin: CLIENT_1.uin, create_time: '2025-06-15 12:00:00' }), undefined);
  const inBilling = async (name: string) =>
    (await tc3Call(s.url, BILLING, CLIENT_1.key, { StartTime: '2025-06-01 00:00:00', EndTime: '2025-06-30 23:59:59', Limit: 10, OrderId: name })).answer.json.Response.TotalCount;
  const inPartners = async (name: string) => (await tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 10, DealNames: [name] })).answer.json.Response.TotalCount;
  const importDeal = async (name: string) => {
    const r = await s.admin('POST', '/deals/import', undefined, { raw: `${JSON.stringify(newDeal(name))}\n`, headers: { 'content-type': 'application/x-ndjson' } });
    assert.deepEqual(r.json, { imported: 1, bound: 0, ignoredFields: [] });
  };

  test('with a lag of 2 s a new deal shows in billing at once and in partners only 2 s later', async () => {
    assert.deepEqual((await s.admin('PUT', '/cache-lag', { seconds: 2 })).json, { seconds: 2 });
    assert.deepEqual((await s.admin('GET', '/cache-lag')).json, { seconds: 2 });
    const name = '20250615000000777771';
    const t0 = performance.now();
    await importDeal(name);
    assert.equal(await inBilling(name), 1);
    assert.equal(await inPartners(name), 0);
    assert.equal((await s.admin('GET', '/state')).json.counts.pendingCacheChanges, 1);
    let seenAt: number | undefined;
    while (performance.now() - t0 < 6000) {
      if ((await inPartners(name)) === 1) {
        seenAt = performance.now() - t0;
        break;
      }
      await sleep(100);
    }
    assert.ok(seenAt !== undefined, 'the deal never reached the partners view');
    assert.ok(seenAt >= 2000, `visible after ${seenAt} ms`);
  });

  test('setting the lag to 0 shows waiting changes at once', async () => {
    await s.admin('PUT', '/cache-lag', { seconds: 2 });
    const name = '20250615000000777781';
    await importDeal(name);
    assert.equal(await inPartners(name), 0);
    assert.deepEqual((await s.admin('PUT', '/cache-lag', { seconds: 0 })).json, { seconds: 0 });
    assert.equal(await inPartners(name), 1);
    assert.equal(s.store.cacheLagMs, 0);
  });

  test('bad lags are refused', async () => {
    for (const body of [{ seconds: -1 }, { seconds: 'soon' }, {}, { seconds: 86_401 }]) {
      const r = await s.admin('PUT', '/cache-lag', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.json.error.message, /seconds/);
    }
  });
});

describe('admin signature mode', () => {
  let s: AdminServer;
  let log = '';
  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        log += chunk.toString();
        cb();
      },
    });
    s = await startAdminServer({ logger: pino({ level: 'debug' }, sink) });
  });
  after(() => s.close());

  test('soft answers a badly signed call and logs the string to sign, never the key', async () => {
    assert.deepEqual((await s.admin('PUT', '/signature-mode', { mode: 'soft' })).json, { mode: 'soft' });
    log = '';
    const bad = await tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 1 }, { tamper: true });
    assert.equal(bad.answer.json.Response.Error, undefined, bad.answer.raw);
    assert.ok(bad.answer.json.Response.TotalCount > 0);
    await sleep(50);
    assert.match(log, /signature mode soft/);
    assert.ok(log.includes(JSON.stringify(bad.stringToSign).slice(1, -1)), `the log lacks the string to sign:\n${log}`);
    assert.ok(!log.includes(AGENT_A.key.SecretKey), 'the log holds the SecretKey');
    // The caller is still identified: an unknown SecretId is refused.
    const stranger = await tc3Call(s.url, PARTNERS, { SecretId: 'AKIDnobody', SecretKey: 'x' }, { Offset: 0, Limit: 1 });
    assert.equal(errorCode(stranger.answer), 'AuthFailure.SecretIdNotFound');
  });

  test('off answers a call with a garbage signature but a known SecretId', async () => {
    await s.admin('PUT', '/signature-mode', { mode: 'off' });
    const garbage = (secretId: string) =>
      send(s.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-TC-Action': PARTNERS.action,
          'X-TC-Version': PARTNERS.version,
          'X-TC-Timestamp': '1',
          Authorization: `TC3-HMAC-SHA256 Credential=${secretId}/1970-01-01/partners/tc3_request, SignedHeaders=content-type;host, Signature=garbage`,
        },
        body: JSON.stringify({ Offset: 0, Limit: 1 }),
      });
    const answered = await garbage(AGENT_A.key.SecretId);
    assert.equal(answered.json.Response.Error, undefined, answered.raw);
    assert.equal(errorCode(await garbage('AKIDnobody')), 'AuthFailure.SecretIdNotFound');
  });

  test('strict refuses the same calls again; a bad mode is refused', async () => {
    await s.admin('PUT', '/signature-mode', { mode: 'strict' });
    assert.deepEqual((await s.admin('GET', '/signature-mode')).json, { mode: 'strict', modes: ['strict', 'soft', 'off'] });
    const bad = await tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 1 }, { tamper: true });
    assert.equal(errorCode(bad.answer), 'AuthFailure.SignatureFailure');
    const r = await s.admin('PUT', '/signature-mode', { mode: 'lenient' });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /"strict", "soft", "off"/);
  });

  test('GET /state sums up the data and the settings', async () => {
    await s.admin('PUT', '/signature-mode', { mode: 'soft' });
    await s.admin('POST', '/faults', { kind: 'drop', uin: '1' });
    const st = (await s.admin('GET', '/state')).json;
    assert.deepEqual(st.counts, { accounts: 6, agents: 2, keys: 6, bindings: 3, deals: 121, cachedDeals: st.counts.cachedDeals, pendingCacheChanges: 0, clientProfiles: 0, salesmen: 0, clientApplications: 0, unbindApplications: 0 });
    assert.ok(st.counts.cachedDeals > 0);
    assert.equal(st.store.kind, 'sqlite');
    assert.deepEqual([st.settings.signatureMode, st.settings.cacheLagSeconds, st.settings.faultRules, st.settings.journal.size], ['soft', 0, 1, 1000]);
    assert.equal(typeof st.settings.clock.now, 'number');
    await s.admin('DELETE', '/faults');
    await s.admin('PUT', '/signature-mode', { mode: 'strict' });
  });
});
