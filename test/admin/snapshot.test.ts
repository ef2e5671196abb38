/**
 * Snapshots: the whole state out and back in. Exported, changed, restored and exported again, a
 * snapshot gives the same bytes and the API the same answers — on every storage backend.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, POSTGRES } from '../helpers/backends.js';
import { ndjson } from '../helpers/admin.js';
import { errorCode, type Key } from '../helpers/call.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_2, CLIENT_3, LONER, deal } from '../helpers/fixture.js';
import { exportDeal } from '../../src/services/deal-export.js';
import { BILLING, PARTNERS, stable, startAdminServer, tc3Call, type AdminServer } from './support.js';

const NDJSON = { 'content-type': 'application/x-ndjson' };
const ALL_STATUSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30];

forEachBackend((backend) => {
  let s: AdminServer;
  before(async () => {
    s = await startAdminServer({ backend });
  });
  after(() => s?.close());

  const snapshot = async () => {
    const r = await s.admin('GET', '/snapshot');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'application/x-ndjson');
    return r.text;
  };
  const restore = (text: string) => s.admin('POST', '/snapshot', undefined, { raw: text, headers: NDJSON });

  /** What every account sees: billing for all, partners for the agents, paged. */
  const answers = async () => {
    const out: unknown[] = [];
    const keys: Key[] = [AGENT_A.key, AGENT_B.key, CLIENT_1.key, CLIENT_2.key, CLIENT_3.key, LONER.key];
    for (const key of keys) {
      out.push(stable((await tc3Call(s.url, BILLING, key, { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 1000, StatusSet: ALL_STATUSES })).answer));
    }
    for (const key of [AGENT_A.key, AGENT_B.key]) {
      for (const offset of [0, 30]) out.push(stable((await tc3Call(s.url, PARTNERS, key, { Offset: offset, Limit: 30 })).answer));
      out.push(stable((await tc3Call(s.url, PARTNERS, key, { Offset: 0, Limit: 200, Order: 1, Status: 4 })).answer));
    }
    return out;
  };

  const mutate = async () => {
    await s.admin('POST', '/accounts', { Uin: '320000000001', Agent: true });
    const key = (await s.admin('POST', '/accounts/320000000001/keys')).json;
    await s.admin('POST', '/bindings', { AgentUin: '320000000001', ClientUin: CLIENT_1.uin, ClientRemark: 'moved' });
    await s.admin('POST', '/deals/import', [
      exportDeal(deal({ deal_name: '20250701000000600001', owner_uin: CLIENT_2.uin, create_time: '2025-07-01 10:00:00' }), undefined),
      // An existing deal changed.
      { ...exportDeal(deal({ deal_name: '20250701000000600002', owner_uin: CLIENT_3.uin, create_time: '2025-07-01 10:00:00' }), undefined), Status: '6' },
    ]);
    await s.admin('POST', `/accounts/${AGENT_A.uin}/keys`);
    return key as Key;
  };

  test('export, change, import, export: the same bytes and the same answers', async () => {
    const first = await snapshot();
    const lines = ndjson(first);
    assert.deepEqual(lines[0].type, 'meta');
    assert.deepEqual(lines[0].counts, { account: 6, key: 6, binding: 3, deal: 121, cache: 0, pending: 0, profile: 0, salesman: 0, application: 0, unbind: 0 });
    assert.deepEqual([...new Set(lines.slice(1).map((l) => l.type))], ['account', 'key', 'binding', 'deal']);
    // Keys are state (this is the admin API): the snapshot restores them with their secrets.
    assert.ok(lines.some((l) => l.type === 'key' && l.secret_id === AGENT_A.key.SecretId && l.secret_key === AGENT_A.key.SecretKey));
    assert.equal(await snapshot(), first, 'two snapshots of one state differ');
    const before = await answers();

    const extra = await mutate();
    assert.notEqual(await snapshot(), first);
    assert.notDeepEqual(await answers(), before);

    await s.admin('POST', '/faults', { kind: 'drop', uin: '1' });
    const restored = await restore(first);
    assert.equal(restored.status, 200, restored.text);
    assert.deepEqual(restored.json.restored, lines[0].counts);
    assert.equal(await snapshot(), first);
    assert.deepEqual(await answers(), before);
    assert.equal(errorCode((await tc3Call(s.url, PARTNERS, extra, { Offset: 0, Limit: 1 })).answer), 'AuthFailure.SecretIdNotFound');
    // Restoring is a fresh start of the sandbox controls too.
    const st = (await s.admin('GET', '/state')).json;
    assert.equal(st.settings.faultRules, 0);
  });

  test('a reset and a restore round trip an empty state and back', async () => {
    const full = await snapshot();
    await s.admin('POST', '/reset', { to: 'empty' });
    const empty = await snapshot();
    assert.deepEqual(ndjson(empty)[0].counts, { account: 0, key: 0, binding: 0, deal: 0, cache: 0, pending: 0, profile: 0, salesman: 0, application: 0, unbind: 0 });
    assert.equal((await restore(full)).status, 200);
    assert.equal(await snapshot(), full);
    assert.equal((await restore(empty)).status, 200);
    assert.equal(await snapshot(), empty);
    assert.equal((await restore(full)).status, 200);
  });

  test('changes still waiting for the cache lag are kept waiting', async () => {
    await s.admin('PUT', '/cache-lag', { seconds: 60 });
    try {
      const name = '20250801000000700001';
      await s.admin('POST', '/deals/import', [exportDeal(deal({ deal_name: name, owner_uin: CLIENT_1.uin, create_time: '2025-08-01 10:00:00' }), undefined)]);
      const seen = async () => (await tc3Call(s.url, PARTNERS, AGENT_A.key, { Offset: 0, Limit: 10, DealNames: [name] })).answer.json.Response.TotalCount;
      assert.equal(await seen(), 0);
      const lagging = await snapshot();
      const meta = ndjson(lagging)[0];
      assert.equal(meta.counts.pending, 1);
      assert.ok(meta.counts.cache > 0, 'a lagging cache is written out');
      const before = await answers();

      await mutate();
      assert.equal((await restore(lagging)).status, 200);
      assert.equal(await snapshot(), lagging);
      assert.deepEqual(await answers(), before);
      assert.equal(await seen(), 0);
      await s.admin('PUT', '/cache-lag', { seconds: 0 });
      assert.equal(await seen(), 1);
    } finally {
      await s.admin('PUT', '/cache-lag', { seconds: 0 });
    }
  });

  test('a truncated, edited or foreign snapshot is refused and changes nothing', async () => {
    const good = await snapshot();
    const lines = good.trimEnd().split('\n');
    const edited = (i: number, change: (o: Record<string, unknown>) => void) => {
      const copy = [...lines];
      const o = JSON.parse(copy[i]!);
      change(o);
      copy[i] = JSON.stringify(o);
      return `${copy.join('\n')}\n`;
    };
    const firstDeal = lines.findIndex((l) => l.includes('"type":"deal"'));
    const firstKey = lines.findIndex((l) => l.includes('"type":"key"'));
    const cases: Array<[string, string, RegExp]> = [
      ['truncated', `${lines.slice(0, -1).join('\n')}\n`, /announces \d+ deal line\(s\) but the snapshot has \d+: it is incomplete/],
      ['a deal import', `${lines.slice(firstDeal).join('\n')}\n`, /first line must be the snapshot's \{"type":"meta"/],
      ['a wrong type', edited(firstDeal, (o) => (o.status = '4')), new RegExp(`line ${firstDeal + 1}: deal: status: "4" is not an integer`)],
      ['a missing column', edited(firstDeal, (o) => delete o.zone_code), /deal: zone_code is missing/],
      ['an unknown column', edited(firstDeal, (o) => (o.colour = 'red')), /deal: unknown column "colour"/],
      ['a key without its account', edited(firstKey, (o) => (o.uin = '399999999999')), /account 399999999999 is not in the snapshot/],
      ['a newer version', edited(0, (o) => (o.version = 2)), /version: 2 is not supported/],
      ['a repeated deal', `${[...lines.slice(0, firstDeal + 1), lines[firstDeal]!, ...lines.slice(firstDeal + 1, -1)].join('\n')}\n`, /line \d+: deal "\d+" is listed twice/],
      ['empty', '', /the snapshot is empty/],
    ];
    for (const [what, text, message] of cases) {
      const r = await restore(text);
      assert.equal(r.status, 400, `${what}: ${r.text.slice(0, 300)}`);
      assert.equal(r.json.error.code, 'InvalidSnapshot');
      assert.match(`${r.json.error.message}\n${r.json.error.problems.map((p: { where: string; reason: string }) => `${p.where}: ${p.reason}`).join('\n')}`, message, what);
      assert.equal(await snapshot(), good, `${what} changed the state`);
    }
  });

  test('a deal repeated far apart (in another write batch) is refused too', async () => {
    const good = await snapshot();
    const many = Array.from({ length: 250 }, (_, i) =>
      exportDeal(deal({ deal_name: `2025090100000080${String(i).padStart(4, '0')}`, owner_uin: LONER.uin, create_time: '2025-09-01 10:00:00' }), undefined),
    );
    await s.admin('POST', '/deals/import', many);
    const big = await snapshot();
    const lines = big.trimEnd().split('\n');
    const meta = JSON.parse(lines[0]!);
    meta.counts.deal += 1;
    const deals = lines.filter((l) => l.includes('"type":"deal"'));
    const lastDeal = lines.lastIndexOf(deals[deals.length - 1]!);
    const text = [JSON.stringify(meta), ...lines.slice(1, lastDeal + 1), deals[0]!, ...lines.slice(lastDeal + 1)].join('\n');
    const r = await restore(text);
    assert.equal(r.status, 400, r.text.slice(0, 300));
    assert.match(r.json.error.message, /1 deal line\(s\) repeat a deal_name listed before/);
    assert.equal(await snapshot(), big);
    assert.equal((await restore(good)).status, 200);
  });
});

test('a snapshot moves between SQLite and PostgreSQL byte for byte', { skip: POSTGRES.skip }, async () => {
  const lite = await startAdminServer();
  const pg = await startAdminServer({ backend: POSTGRES, dataset: null });
  try {
    // Fractions, a lagging cache and its queue: everything a snapshot can hold.
    await lite.admin('PUT', '/cache-lag', { seconds: 60 });
    await lite.admin('POST', '/deals/import', [{ ...exportDeal(deal({ deal_name: '20251001000000990001', owner_uin: CLIENT_1.uin, create_time: '2025-10-01 10:00:00' }), undefined), TimeSpan: 0.5, Price: 1.25 }]);
    const fromLite = (await lite.admin('GET', '/snapshot')).text;
    assert.ok(ndjson(fromLite)[0].counts.pending > 0);
    assert.equal((await pg.admin('POST', '/snapshot', undefined, { raw: fromLite, headers: NDJSON })).status, 200);
    const fromPg = (await pg.admin('GET', '/snapshot')).text;
    assert.equal(fromPg, fromLite);
  } finally {
    await lite.close();
    await pg.close();
  }
});
