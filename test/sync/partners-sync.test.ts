/** `tcdeals sync --service partners --what clients|pay-deals`: the audited clients and the agent-paid deals mirrored, resumably keyed. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TencentCloudClient } from '../../src/client/index.js';
import { openSink } from '../../src/sync/sinks/sink.js';
import { runSync } from '../../src/sync/sync.js';
import { SQLITE } from '../helpers/backends.js';
import { cli, cliAsync } from '../helpers/cli.js';
import { AGENT_A, CLIENT_1, CLIENT_2 } from '../helpers/fixture.js';
import type { TestServer } from '../helpers/server.js';
import { NOW_TEXT, allDeals, expectedV2, partnersServer } from '../helpers/partners-fixture.js';

let server: TestServer;
let dir: string;
let client: TencentCloudClient;
before(async () => {
  server = await partnersServer(SQLITE);
  dir = mkdtempSync(join(tmpdir(), 'tcdeals-partners-sync-'));
  client = new TencentCloudClient({ secretId: AGENT_A.key.SecretId, secretKey: AGENT_A.key.SecretKey, baseUrl: `http://${server.endpoint}`, ratePerSecond: 0 });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

test('clients into NDJSON and CSV, pages of one', async () => {
  for (const out of ['clients.ndjson', 'clients.csv']) {
    const sink = await openSink(join(dir, out), { service: 'partners-clients' });
    try {
      const s = await runSync({ client, service: 'partners-clients', from: '2025-01-01 00:00:00', to: NOW_TEXT, sink, pageSize: 1 });
      assert.deepEqual([s.written, s.pages, s.total], [2, 2, 2]);
    } finally {
      await sink.close();
    }
  }
  assert.deepEqual(lines(join(dir, 'clients.ndjson')).map((c) => c.ClientUin).sort(), [CLIENT_1.uin, CLIENT_2.uin]);
  assert.match(readFileSync(join(dir, 'clients.csv'), 'utf8'), /^ClientUin,Uin,ClientName,/);
});

test('pay-deals into SQLite: every agent-paid deal of the last 15 days', async () => {
  const sink = await openSink(join(dir, 'pay.db'), { service: 'partners-pay-deals' });
  try {
    const s = await runSync({ client, service: 'partners-pay-deals', from: '2025-01-01 00:00:00', to: NOW_TEXT, sink, pageSize: 2 });
    assert.equal(s.total, expectedV2(allDeals(), { clients: [CLIENT_1.uin, CLIENT_2.uin], payerMode: 1, end: NOW_TEXT }).length);
  } finally {
    await sink.close();
  }
});

test('the CLI flag: --what clients needs --service partners', async () => {
  const r = cli(['sync', '--service', 'billing', '--what', 'clients', '--out', join(dir, 'x.ndjson'), '--endpoint', `http://${server.endpoint}`], undefined, {
    TENCENTCLOUD_SECRET_ID: AGENT_A.key.SecretId,
    TENCENTCLOUD_SECRET_KEY: AGENT_A.key.SecretKey,
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--what clients needs --service partners/);
  const ok = await cliAsync(['sync', '--what', 'clients', '--out', join(dir, 'cli.ndjson'), '--endpoint', `http://${server.endpoint}`, '--no-progress'], {
    TENCENTCLOUD_SECRET_ID: AGENT_A.key.SecretId,
    TENCENTCLOUD_SECRET_KEY: AGENT_A.key.SecretKey,
  });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /2 client\(s\)/);
});
