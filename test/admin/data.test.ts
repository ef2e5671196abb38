/** Accounts, keys, bindings, deal import/export and reset through the admin API. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_AGENT, DEMO_CLIENT } from '../../src/domain/demo-seed.js';
import { AGENT_A, CLIENT_1, LONER, deal } from '../helpers/fixture.js';
import { errorCode } from '../helpers/call.js';
import { ndjson } from '../helpers/admin.js';
import { exportDeal } from '../../src/services/deal-export.js';
import { BILLING, PARTNERS, startAdminServer, tc3Call, type AdminServer } from './support.js';

const NDJSON = { 'content-type': 'application/x-ndjson' };
const YEAR_2025 = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 1000, StatusSet: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30] };

describe('admin accounts, keys and bindings', () => {
  let s: AdminServer;
  before(async () => {
    s = await startAdminServer();
  });
  after(() => s.close());

  test('an agent and a client made over the API can call it at once', async () => {
    const agent = await s.admin('POST', '/accounts', { Uin: '300000000001', Agent: true });
    assert.equal(agent.status, 201);
    assert.deepEqual({ ...agent.json, CreatedAt: undefined }, { Uin: '300000000001', AppId: '1250000001', Agent: true, CreatedAt: undefined });
    const client = await s.admin('POST', '/accounts', { Uin: '300000000002', AppId: '1250000999' });
    assert.deepEqual([client.json.AppId, client.json.Agent], ['1250000999', false]);

    const key = await s.admin('POST', '/accounts/300000000001/keys');
    assert.equal(key.status, 201);
    assert.match(key.json.SecretId, /^AKID[A-Za-z0-9]{32}$/);
    assert.match(key.json.SecretKey, /^[A-Za-z0-9]{32}$/);
    const fixed = await s.admin('POST', '/accounts/300000000002/keys', { SecretId: 'AKIDfixedClientKey0001', SecretKey: 'fixedClientSecret0001' });
    assert.deepEqual(fixed.json, { Uin: '300000000002', SecretId: 'AKIDfixedClientKey0001', SecretKey: 'fixedClientSecret0001' });

    // Listings never show a SecretKey again.
    const keys = await s.admin('GET', '/accounts/300000000001/keys');
    assert.deepEqual(keys.json, { Uin: '300000000001', SecretIds: [key.json.SecretId] });
    const shown = await s.admin('GET', '/accounts/300000000001');
    assert.deepEqual([shown.json.SecretIds, shown.json.Binding, shown.json.Clients, shown.json.Deals], [[key.json.SecretId], null, 0, 0]);
    for (const text of [keys.text, shown.text, (await s.admin('GET', '/accounts')).text]) assert.ok(!text.includes(key.json.SecretKey));

    const bound = await s.admin('POST', '/bindings', { AgentUin: '300000000001', ClientUin: '300000000002', ClientType: 'assign', ProjectType: 'platform', SalesUin: '600000000009', ClientRemark: 'via admin' });
    assert.equal(bound.status, 201);
    assert.deepEqual({ ...bound.json, BoundAt: undefined }, {
      AgentUin: '300000000001', ClientUin: '300000000002', ClientType: 'assign', ProjectType: 'platform', SalesUin: '600000000009', ClientRemark: 'via admin', BoundAt: undefined,
    });
    assert.deepEqual((await s.admin('GET', '/bindings?agent=300000000001')).json.Bindings.map((b: { ClientUin: string }) => b.ClientUin), ['300000000002']);
    assert.equal((await s.admin('GET', `/bindings?agent=${AGENT_A.uin}`)).json.TotalCount, 2);
    assert.equal((await s.admin('GET', '/accounts/300000000002')).json.Binding.AgentUin, '300000000001');

    const d = exportDeal(deal({ deal_name: '20250301000000300001', owner_uin: '300000000002', create_time: '2025-03-01 10:00:00' }), undefined);
    assert.equal((await s.admin('POST', '/deals/import', undefined, { raw: JSON.stringify(d), headers: NDJSON })).json.imported, 1);
    const partners = await tc3Call(s.url, PARTNERS, key.json, { Offset: 0, Limit: 10 });
    assert.equal(partners.answer.json.Response.TotalCount, 1);
    assert.equal(partners.answer.json.Response.AgentDealSet[0].ClientRemark, 'via admin');
    const billing = await tc3Call(s.url, BILLING, fixed.json, YEAR_2025);
    assert.equal(billing.answer.json.Response.TotalCount, 1);
  });

  test('refusals name what was wrong', async () => {
    const cases: Array<[string, string, unknown, number, string, RegExp]> = [
      ['POST', '/accounts', { Uin: '300000000001' }, 409, 'AccountExists', /already exists/],
      ['POST', '/accounts', { Uin: 'abc' }, 400, 'InvalidParameter', /Uin: "abc" is not a UIN/],
      ['POST', '/accounts', { Uin: '1', agent: true }, 400, 'UnknownParameter', /Unknown field "agent"/],
      ['POST', '/accounts', { Uin: '1', Agent: 'yes' }, 400, 'InvalidParameter', /Agent: "yes" is not a boolean/],
      ['POST', '/accounts', {}, 400, 'MissingParameter', /Uin is required/],
      ['GET', '/accounts/399999999999', undefined, 404, 'AccountNotFound', /399999999999 does not exist/],
      ['POST', '/accounts/399999999999/keys', {}, 404, 'AccountNotFound', /does not exist/],
      ['POST', '/accounts/300000000002/keys', { SecretId: 'AKIDfixedClientKey0001', SecretKey: 'x' }, 409, 'KeyExists', /already exists/],
      ['POST', '/accounts/300000000002/keys', { SecretId: 'AKID with space', SecretKey: 'x' }, 400, 'InvalidParameter', /SecretId must be/],
      ['POST', '/accounts/300000000002/keys', { SecretId: 'AKIDonlyId' }, 400, 'MissingParameter', /SecretKey is required/],
      ['POST', '/bindings', { AgentUin: '399999999999', ClientUin: '300000000002' }, 404, 'AccountNotFound', /Agent account 399999999999/],
      ['POST', '/bindings', { AgentUin: CLIENT_1.uin, ClientUin: '300000000002' }, 400, 'NotAnAgent', /not an agent/],
      ['POST', '/bindings', { AgentUin: AGENT_A.uin, ClientUin: '300000000002', ClientType: 'vip' }, 400, 'InvalidParameter', /ClientType: "vip" is not one of/],
      ['POST', '/bindings', { AgentUin: AGENT_A.uin, ClientUin: AGENT_A.uin }, 400, 'InvalidParameter', /its own client/],
      ['GET', '/bindings?agent=x', undefined, 400, 'InvalidParameter', /agent/],
    ];
    for (const [method, path, body, status, code, message] of cases) {
      const r = await s.admin(method, path, body);
      assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.code, code, r.text);
      assert.match(r.json.error.message, message);
    }
  });
});

describe('admin deal import and export', () => {
  let s: AdminServer;
  before(async () => {
    s = await startAdminServer();
  });
  after(() => s.close());

  const fresh = (name: string, owner = LONER.uin, extra: Record<string, unknown> = {}) => ({
    ...exportDeal(deal({ deal_name: name, owner_uin: owner, create_time: '2025-04-01 10:00:00' }), undefined),
    ...extra,
  });

  test('a bad import is refused as a whole, with every problem by line', async () => {
    const before = (await s.admin('GET', '/state')).json.counts.deals;
    const body = [
      JSON.stringify(fresh('20250401000000400001')),
      JSON.stringify(fresh('20250401000000400002', LONER.uin, { Status: '99' })),
      '',
      '{"DealName": ',
      JSON.stringify(fresh('20250401000000400001')),
      JSON.stringify(fresh('20250401000000400003')),
    ].join('\n');
    const r = await s.admin('POST', '/deals/import', undefined, { raw: body, headers: NDJSON });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'InvalidImport');
    assert.equal(r.json.error.problemCount, 3);
    assert.deepEqual(r.json.error.problems.map((p: { where: string }) => p.where), ['line 2', 'line 4', 'line 5']);
    assert.match(r.json.error.problems[0].reason, /Status: "99" is not a known status/);
    assert.match(r.json.error.problems[1].reason, /not valid JSON/);
    assert.match(r.json.error.problems[2].reason, /duplicate DealName, first at line 1/);
    assert.match(r.json.error.message, /nothing was imported/);
    assert.equal((await s.admin('GET', '/state')).json.counts.deals, before);
  });

  test('a JSON array imports too, unknown fields are reported, and ?agent binds the new owners', async () => {
    const array = [fresh('20250401000000400011', '310000000001', { Mystery: 1 }), fresh('20250401000000400012', '310000000002')];
    const plain = await s.admin('POST', '/deals/import', array);
    assert.deepEqual(plain.json, { imported: 2, bound: 0, ignoredFields: ['Mystery'] });
    const bad = await s.admin('POST', '/deals/import', [{ DealName: 'x' }]);
    assert.deepEqual(bad.json.error.problems.map((p: { where: string }) => p.where).slice(0, 1), ['record 1']);

    const missingAgent = await s.admin('POST', '/deals/import?agent=399999999999', undefined, { raw: '', headers: NDJSON });
    assert.deepEqual([missingAgent.status, missingAgent.json.error.code], [404, 'AccountNotFound']);
    const notAgent = await s.admin('POST', `/deals/import?agent=${LONER.uin}`, undefined, { raw: '', headers: NDJSON });
    assert.deepEqual([notAgent.status, notAgent.json.error.code], [400, 'NotAnAgent']);

    const lines = [fresh('20250401000000400021', '310000000003'), fresh('20250401000000400022', CLIENT_1.uin)].map((d) => JSON.stringify(d)).join('\r\n');
    const withAgent = await s.admin('POST', `/deals/import?agent=${AGENT_A.uin}`, undefined, { raw: `\uFEFF${lines}\r\n`, headers: { 'content-type': 'text/plain' } });
    assert.deepEqual(withAgent.json, { imported: 2, bound: 1, ignoredFields: [] }); // CLIENT_1 already has an agent
    const page = await tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 10, OwnerUins: ['310000000003'] });
    assert.equal(page.answer.json.Response.TotalCount, 1);
  });

  test('an export imported into an empty server exports the same bytes', async () => {
    const all = await s.admin('GET', '/deals/export');
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('content-type'), 'application/x-ndjson');
    const deals = ndjson(all.text);
    assert.equal(deals.length, (await s.admin('GET', '/state')).json.counts.deals);
    const owners = deals.map((d) => d.OwnerUin);
    assert.deepEqual(owners, [...owners].sort());

    const mine = ndjson((await s.admin('GET', `/deals/export?owner=${CLIENT_1.uin}`)).text);
    assert.ok(mine.length > 0 && mine.every((d) => d.OwnerUin === CLIENT_1.uin));
    const times = mine.map((d) => d.CreatTime);
    assert.deepEqual(times, [...times].sort());
    const agents = ndjson((await s.admin('GET', `/deals/export?agent=${AGENT_A.uin}`)).text);
    assert.deepEqual([...new Set(agents.map((d) => d.OwnerUin))].sort(), [CLIENT_1.uin, '310000000003', '800000000002'].sort());
    assert.equal((await s.admin('GET', `/deals/export?owner=${LONER.uin}&agent=${AGENT_A.uin}`)).text, '');
    // The unbound owner's deals carry no relation fields (the import reads that as "none").
    assert.ok(!('ClientType' in ndjson((await s.admin('GET', `/deals/export?owner=${LONER.uin}`)).text)[0]));

    const other = await startAdminServer({ dataset: null });
    try {
      const imported = await other.admin('POST', '/deals/import', undefined, { raw: all.text, headers: NDJSON });
      assert.equal(imported.json.imported, deals.length);
      assert.equal((await other.admin('GET', '/deals/export')).text, all.text);
    } finally {
      await other.close();
    }
  });
});

describe('admin reset', () => {
  let s: AdminServer;
  before(async () => {
    s = await startAdminServer();
  });
  after(() => s.close());

  test('reset empties every table and the sandbox controls; reset demo brings the demo back', async () => {
    await s.admin('PUT', '/cache-lag', { seconds: 30 });
    await s.admin('POST', '/deals/import', [exportDeal(deal({ deal_name: '20250501000000500001', owner_uin: CLIENT_1.uin, create_time: '2025-05-01 10:00:00' }), undefined)]);
    await s.admin('POST', '/faults', { kind: 'drop', uin: '1' });
    await s.admin('PUT', '/clock', { advanceMs: 1000 });
    const r = await s.admin('POST', '/reset', { to: 'empty' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.counts, { accounts: 0, agents: 0, keys: 0, bindings: 0, deals: 0, cachedDeals: 0, pendingCacheChanges: 0, clientProfiles: 0, salesmen: 0, clientApplications: 0, unbindApplications: 0 });
    const st = (await s.admin('GET', '/state')).json;
    assert.deepEqual([st.settings.faultRules, st.settings.journal.entries, st.settings.clock.offsetMs, st.settings.cacheLagSeconds], [0, 0, 0, 30]);
    assert.deepEqual(st.demoSeed, { reset: 'empty' });
    assert.equal(errorCode((await tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 1 })).answer), 'AuthFailure.SecretIdNotFound');
    assert.equal((await s.admin('GET', '/deals/export')).text, '');

    const demo = await s.admin('POST', '/reset', { to: 'demo' });
    assert.equal(demo.status, 200);
    assert.ok(demo.json.deals > 1000);
    assert.equal(demo.json.counts.deals, demo.json.deals);
    assert.equal(demo.json.counts.pendingCacheChanges, 0);
    // Visible in both views at once, whatever the cache lag.
    const agent = await tc3Call(s.url, PARTNERS, DEMO_AGENT.key, { Offset: 0, Limit: 1 });
    assert.ok(agent.answer.json.Response.TotalCount > 0, agent.answer.raw);
    const now = new Date();
    const client = await tc3Call(s.url, BILLING, DEMO_CLIENT.key, { ...YEAR_2025, StartTime: '2000-01-01 00:00:00', EndTime: `${now.getUTCFullYear() + 1}-01-01 00:00:00` });
    assert.ok(client.answer.json.Response.TotalCount > 0, client.answer.raw);
    // The same demo as a fresh start on the same day.
    const again = await s.admin('POST', '/reset', { to: 'demo' });
    assert.deepEqual(again.json.counts, demo.json.counts);

    const bad = await s.admin('POST', '/reset', { to: 'nothing' });
    assert.deepEqual([bad.status, bad.json.error.code], [400, 'InvalidParameter']);
    assert.match(bad.json.error.message, /to: "nothing" is not one of "empty", "demo"/);
    await s.admin('PUT', '/cache-lag', { seconds: 0 });
  });
});
