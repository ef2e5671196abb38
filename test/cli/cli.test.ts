/**
 * The command line, end to end: accounts, keys, bindings and imports against one database file,
 * then `serve` on that file answering the official SDK — the way a user sets up a sandbox.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { cli, serve, waitFor } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
const { billing } = require('tencentcloud-sdk-nodejs/tencentcloud/services/billing');
const { partners } = require('tencentcloud-sdk-nodejs/tencentcloud/services/partners');

const seedExample = readFileSync(new URL('../fixtures/seeds/partners-DescribeAgentDealsByCache.txt', import.meta.url), 'utf8');
/** The official example deal (a refund) from the partners document. */
function exampleDeal(): Record<string, unknown> {
  const out = seedExample.slice(seedExample.indexOf('输出示例'));
  const json = JSON.parse(out.slice(out.indexOf('{'), out.indexOf('5. 开发者资源')));
  return json.Response.AgentDealSet[0];
}

function sdk(endpoint: string, key: { SecretId: string; SecretKey: string }) {
  const profile = { httpProfile: { endpoint, protocol: 'http://', reqTimeout: 10 } };
  const credential = { secretId: key.SecretId, secretKey: key.SecretKey };
  return {
    billing: new billing.v20180709.Client({ credential, region: '', profile }),
    partners: new partners.v20180321.Client({ credential, region: '', profile }),
  };
}

describe('tcdeals CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('accounts, keys, bindings and an import, then serve answers the official SDK', async () => {
    const db = join(dir, 'set-up.db');
    assert.equal(cli(['accounts', 'create', '--db', db, '--uin', '700000232000', '--agent']).status, 0);
    assert.equal(cli(['accounts', 'create', '--db', db, '--uin', '700000232121', '--app-id', '251205746']).status, 0);
    const dup = cli(['accounts', 'create', '--db', db, '--uin', '700000232121']);
    assert.notEqual(dup.status, 0);
    assert.match(dup.stderr, /already exists/);

    const keyOut = cli(['keys', 'create', '--db', db, '--uin', '700000232000', '--json']);
    assert.equal(keyOut.status, 0, keyOut.stderr);
    const agentKey = JSON.parse(keyOut.stdout) as { SecretId: string; SecretKey: string };
    assert.match(agentKey.SecretId, /^AKID[A-Za-z0-9]{32}$/);
    assert.match(agentKey.SecretKey, /^[A-Za-z0-9]{32}$/);
    const clientKey = JSON.parse(cli(['keys', 'create', '--db', db, '--uin', '700000232121', '--json']).stdout);

    const bind = cli(['clients', 'bind', '--db', db, '--agent', '700000232000', '--client', '700000232121', '--client-type', 'new', '--project-type', 'platform', '--sales-uin', '0']);
    assert.equal(bind.status, 0, bind.stderr);

    const example = exampleDeal();
    const original = { ...example, DealName: '20240108121000906445241', ActionType: 'purchase', Status: '4', DealStatus: '已发货', GoodsPrice: { RealTotalCost: 100000, OriginalTotalCost: 100000 }, RefundMap: [], CreatTime: '2024-01-05 10:00:00' };
    const file = join(dir, 'deals.ndjson');
    writeFileSync(file, `${JSON.stringify(original)}\n\n${JSON.stringify(example)}\n`);
    const imp = cli(['deals', 'import', '--db', db, file]);
    assert.equal(imp.status, 0, imp.stderr);
    assert.match(imp.stdout, /imported 2 deal/);

    const server = await serve(['--db', db, '--no-demo']);
    try {
      const agent = sdk(server.endpoint, agentKey);
      const page = await agent.partners.DescribeAgentDealsByCache({ Offset: 0, Limit: 1 });
      assert.equal(page.TotalCount, 2);
      // The imported official example comes back exactly as it went in.
      assert.deepEqual(page.AgentDealSet[0], example);

      const own = await sdk(server.endpoint, clientKey).billing.DescribeDealsByCond({ StartTime: '2024-01-01 00:00:00', EndTime: '2024-01-31 23:59:59', Limit: 10, StatusSet: [4, 6] });
      assert.equal(own.TotalCount, 2);
      assert.equal(own.Deals[0].OrderId, example.DealName);
      assert.equal(own.Deals[0].RealTotalCost, -100000);
      assert.equal(own.Deals[0].RefReturnDeals, '20240108121000906445241');
      assert.equal(own.Deals[0].TimeUnit, 'm');

      // Secrets never reach the log, not even on a failed signature.
      await assert.rejects(sdk(server.endpoint, { SecretId: agentKey.SecretId, SecretKey: 'bad' }).partners.DescribeAgentDealsByCache({ Offset: 0, Limit: 1 }), { code: 'AuthFailure.SignatureFailure' });
      await waitFor(server.output, /"code":"AuthFailure.SignatureFailure"/);
      assert.doesNotMatch(server.output(), new RegExp(agentKey.SecretKey));
      assert.doesNotMatch(server.output(), new RegExp(clientKey.SecretKey));
    } finally {
      assert.equal(await server.stop('SIGTERM'), 0, 'graceful shutdown exits 0');
    }
  });

  test('a bad import names each bad line and imports nothing', () => {
    const db = join(dir, 'bad-import.db');
    const good = { ...exampleDeal(), DealName: '20240101000000000000001' };
    const file = join(dir, 'bad.ndjson');
    writeFileSync(file, [JSON.stringify(good), '{"DealName": "x"', JSON.stringify({ ...good, DealName: '20240101000000000000002', Status: '99' })].join('\n'));
    const r = cli(['deals', 'import', '--db', db, file]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /line 2:/);
    assert.match(r.stderr, /line 3:.*Status/);
    assert.match(r.stderr, /nothing was imported/);
    const again = cli(['deals', 'import', '--db', db, join(dir, 'empty.ndjson')]);
    assert.notEqual(again.status, 0, 'missing file is an error');
  });

  test('serve seeds the demo dataset on first start and prints working demo keys', async () => {
    const db = join(dir, 'demo.db');
    const server = await serve(['--db', db]);
    try {
      const out = server.output();
      const agentKey = /agent\s+uin (\d+)\s+SecretId (\S+)\s+SecretKey (\S+)/.exec(out);
      const clientKey = /client\s+uin (\d+)\s+SecretId (\S+)\s+SecretKey (\S+)/.exec(out);
      assert.ok(agentKey && clientKey, out);
      assert.match(out, /tencentcloud\.partners\.v20180321\.Client/);
      const agentPage = await sdk(server.endpoint, { SecretId: agentKey[2]!, SecretKey: agentKey[3]! }).partners.DescribeAgentDealsByCache({ Offset: 0, Limit: 200 });
      assert.ok(agentPage.TotalCount > 1000);
      assert.equal(agentPage.AgentDealSet.length, 200);
      const now = new Date(Date.now() + 8 * 3600e3).toISOString().replace('T', ' ').slice(0, 19);
      const yearAgo = new Date(Date.now() - 365 * 86400e3 + 8 * 3600e3).toISOString().replace('T', ' ').slice(0, 19);
      const own = await sdk(server.endpoint, { SecretId: clientKey[2]!, SecretKey: clientKey[3]! }).billing.DescribeDealsByCond({ StartTime: yearAgo, EndTime: now, Limit: 50 });
      assert.ok(own.TotalCount > 50);
      assert.ok(own.Deals.every((d: { Status: number }) => d.Status === 4));
    } finally {
      assert.equal(await server.stop('SIGINT'), 0);
    }
    // A restart keeps the data and does not seed again.
    const again = await serve(['--db', db]);
    try {
      assert.doesNotMatch(again.output(), /seeded the demo dataset/);
      assert.match(again.output(), /SecretId AKIDtcdealsDemoAgent/);
    } finally {
      await again.stop();
    }
  });

  test('output piped into a reader that already stopped ends quietly, without a stack trace', () => {
    const db = join(dir, 'epipe.db');
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" bin/tcdeals.js seed --db "${db}" --deals 200 --no-progress | true`], { encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });

  test('db migrate reports the schema state', () => {
    const db = join(dir, 'migrate.db');
    assert.match(cli(['db', 'migrate', '--db', db]).stdout, /applied: 0001_initial/);
    assert.match(cli(['db', 'migrate', '--db', db]).stdout, /up to date/);
  });

  test("db recount rebuilds billing's per-day counts after writes that bypassed the triggers", async () => {
    const db = join(dir, 'recount.db');
    cli(['seed', '--db', db, '--deals', '500', '--no-progress']);
    const conn = new BetterSqlite3(db);
    try {
      const total = () => (conn.prepare('select coalesce(sum(n), 0) n from deal_counts').get() as { n: number }).n;
      assert.equal(total(), 500);
      conn.exec('drop trigger deal_counts_delete');
      conn.exec("delete from deals where deal_name in (select deal_name from deals order by deal_name limit 20)");
      assert.equal(total(), 500, 'the counts missed the deletes');
      assert.match(cli(['db', 'recount', '--db', db]).stdout, /counted 480 deal\(s\)/);
      assert.equal(total(), 480);
    } finally {
      conn.close();
    }
  });
});
