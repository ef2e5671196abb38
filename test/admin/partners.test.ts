/**
 * The reseller's workflow records through the admin API and the `tcdeals partners` CLI: created,
 * listed, refused when they refer to the wrong accounts, and seen by the partners actions.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tc3, okResponse } from '../helpers/call.js';
import { cli } from '../helpers/cli.js';
import { AGENT_A, AGENT_B, CLIENT_1, LONER } from '../helpers/fixture.js';
import { startAdminServer, type AdminServer } from './support.js';

describe('admin API: partners workflow records', () => {
  let s: AdminServer;
  before(async () => {
    s = await startAdminServer();
  });
  after(() => s.close());
  const call = async (action: string, body: Record<string, unknown>) => okResponse<Record<string, any>>(await tc3(s.url, { action, version: '2018-03-21', key: AGENT_A.key, body }));

  test('profiles, salespeople, applications and unbinds: create, list, and the actions see them', async () => {
    const p = await s.admin('POST', '/client-profiles', { ClientUin: CLIENT_1.uin, ClientName: '深圳云帆网络科技有限公司', ClientFlag: 'b', Mail: 'ops@example.com', Phone: '13800001234', HasOverdueBill: 1 });
    assert.equal(p.status, 201, p.text);
    assert.deepEqual((await s.admin('GET', `/client-profiles?client=${CLIENT_1.uin}`)).json.ClientProfiles[0].ClientFlag, 'b');
    assert.equal((await s.admin('POST', '/salesmen', { AgentUin: AGENT_A.uin, SalesUin: '600000000001', SalesName: '张伟' })).status, 201);
    assert.equal((await s.admin('POST', '/client-applications', { AgentUin: AGENT_A.uin, ClientUin: LONER.uin, SalesUin: '600000000001' })).status, 201);
    assert.equal((await s.admin('POST', '/unbind-applications', { AgentUin: AGENT_A.uin, ClientUin: CLIENT_1.uin })).status, 201);
    assert.equal((await s.admin('GET', `/salesmen?agent=${AGENT_A.uin}`)).json.TotalCount, 1);
    assert.equal((await s.admin('GET', '/client-applications')).json.ClientApplications[0].Status, 'pending');
    assert.equal((await s.admin('GET', '/unbind-applications')).json.UnbindApplications[0].Id, 'UB00000001');

    const audited = await call('DescribeAgentAuditedClients', { ClientUin: CLIENT_1.uin });
    assert.deepEqual([audited.AgentClientSet[0].ClientFlag, audited.AgentClientSet[0].HasOverdueBill, audited.AgentClientSet[0].SalesName, audited.AgentClientSet[0].Mail], ['b', 1, '张伟', 'op***@example.com']);
    assert.deepEqual((await call('DescribeAgentClients', {})).AgentClientSet.map((c: any) => c.ClientUin), [LONER.uin]);
    assert.deepEqual((await call('DescribeUnbindClientList', { Status: 1, Offset: 0, Limit: 10 })).UnbindClientList.map((u: any) => u.Uin), [CLIENT_1.uin]);
    assert.deepEqual((await call('DescribeSalesmans', { Offset: 0, Limit: 10 })).AgentSalesmanSet.map((x: any) => x.SalesName), ['张伟']);
    const state = (await s.admin('GET', '/state')).json.counts;
    assert.deepEqual([state.clientProfiles, state.salesmen, state.clientApplications, state.unbindApplications], [1, 1, 1, 1]);
  });

  test('snapshots carry the records (byte for byte); reset empties them; reset demo brings generated ones', async () => {
    const NDJSON = { 'content-type': 'application/x-ndjson' };
    const snap = await s.admin('GET', '/snapshot');
    const meta = JSON.parse(snap.text.split('\n')[0]!);
    assert.deepEqual([meta.counts.profile, meta.counts.salesman, meta.counts.application, meta.counts.unbind], [1, 1, 1, 1]);
    assert.equal((await s.admin('POST', '/reset', { to: 'empty' })).status, 200);
    assert.equal((await s.admin('GET', '/salesmen')).json.TotalCount, 0);
    assert.equal((await s.admin('POST', '/snapshot', undefined, { raw: snap.text, headers: NDJSON })).status, 200);
    assert.equal((await s.admin('GET', '/snapshot')).text, snap.text);
    assert.equal((await call('DescribeAgentClients', {})).TotalCount, 1);
    // A snapshot written before these line types existed still loads (with none of them).
    const old = snap.text.split('\n').filter((l) => !/"type":"(profile|salesman|application|unbind)"/.test(l));
    const oldMeta = JSON.parse(old[0]!);
    for (const t of ['profile', 'salesman', 'application', 'unbind']) delete oldMeta.counts[t];
    old[0] = JSON.stringify(oldMeta);
    assert.equal((await s.admin('POST', '/snapshot', undefined, { raw: old.join('\n'), headers: NDJSON })).status, 200);
    assert.equal((await s.admin('GET', '/salesmen')).json.TotalCount, 0);
    const demo = await s.admin('POST', '/reset', { to: 'demo' });
    assert.equal(demo.status, 200, demo.text);
    const st = (await s.admin('GET', '/state')).json.counts;
    assert.ok(st.clientProfiles > 0 && st.salesmen > 0 && st.clientApplications > 0, JSON.stringify(st));
    assert.equal((await s.admin('POST', '/snapshot', undefined, { raw: snap.text, headers: NDJSON })).status, 200);
  });

  test('refusals: unknown accounts, agents as clients, wrong flags, another agent’s salesperson', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['/client-profiles', { ClientUin: '123', ClientFlag: 'a' }, /does not exist/],
      ['/client-profiles', { ClientUin: AGENT_A.uin }, /is an agent/],
      ['/client-profiles', { ClientUin: CLIENT_1.uin, ClientFlag: 'z' }, /ClientFlag/],
      ['/salesmen', { AgentUin: AGENT_B.uin, SalesUin: '600000000001', SalesName: 'x' }, /belongs to agent/],
      ['/salesmen', { AgentUin: CLIENT_1.uin, SalesUin: '600000000009', SalesName: 'x' }, /not an agent/],
      ['/client-applications', { AgentUin: AGENT_A.uin, ClientUin: CLIENT_1.uin }, /already bound/],
      ['/unbind-applications', { AgentUin: AGENT_A.uin, ClientUin: CLIENT_1.uin, Status: 9 }, /Status/],
    ];
    for (const [path, body, message] of cases) {
      const r = await s.admin('POST', path, body);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.json.error.message, message);
    }
  });
});

describe('tcdeals partners (CLI)', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-partners-cli-'));
    db = join(dir, 'p.db');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ok = (args: string[]) => {
    const r = cli([...args, '--db', db]);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  test('create and list every record; refusals exit non-zero', () => {
    ok(['accounts', 'create', '--uin', '340000000000', '--agent']);
    ok(['accounts', 'create', '--uin', '340000000001']);
    ok(['accounts', 'create', '--uin', '340000000002']);
    ok(['clients', 'bind', '--agent', '340000000000', '--client', '340000000001']);
    assert.match(ok(['partners', 'profile', '--client', '340000000001', '--name', '杭州海纳', '--flag', 'a', '--overdue', '1']), /profile of 340000000001: 杭州海纳 \(flag a, overdue\)/);
    assert.match(ok(['partners', 'salesman', '--agent', '340000000000', '--sales-uin', '600000000011', '--name', '王芳']), /salesperson 600000000011/);
    assert.match(ok(['partners', 'apply', '--agent', '340000000000', '--client', '340000000002']), /: pending/);
    assert.match(ok(['partners', 'unbind', '--agent', '340000000000', '--client', '340000000001', '--status', '1']), /UB00000001/);
    assert.equal(JSON.parse(ok(['partners', 'profiles', '--json']))[0].clientName, '杭州海纳');
    assert.match(ok(['partners', 'salesmen', '--agent', '340000000000']), /600000000011\t.*王芳/);
    assert.match(ok(['partners', 'applications']), /340000000002\tpending/);
    assert.match(ok(['partners', 'unbinds']), /UB00000001\t340000000000\t340000000001\t1/);
    const r = cli(['partners', 'apply', '--agent', '340000000000', '--client', '340000000001', '--db', db]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /already bound/);
  });
});
