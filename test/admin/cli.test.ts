/** `tcdeals admin …` against a running `tcdeals serve --admin-token`: the admin API from a shell. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { cli, cliAsync, serve, type RunningServer } from '../helpers/cli.js';
import { exportDeal } from '../../src/services/deal-export.js';
import { deal } from '../helpers/fixture.js';

const TOKEN = 'cli-admin-token-42';

describe('tcdeals admin', () => {
  let server: RunningServer;
  let dir: string;
  let env: Record<string, string>;
  const admin = (args: string[], input?: string, extra: Record<string, string> = {}) => cli(['admin', ...args], input, { ...env, ...extra });
  const ok = (args: string[], input?: string) => {
    const r = admin(args, input);
    assert.equal(r.status, 0, `admin ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-admin-cli-'));
    server = await serve(['--db', ':memory:', '--no-demo', '--admin-token', TOKEN, '--log-level', 'warn']);
    env = { TCDEALS_ENDPOINT: `http://${server.endpoint}`, TCDEALS_ADMIN_TOKEN: TOKEN };
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('accounts, keys, bindings and an import, then snapshot, reset and restore', async () => {
    assert.match(ok(['accounts', 'create', '--uin', '330000000000', '--agent']), /^created agent 330000000000 \(AppId \d+\)\n$/);
    ok(['accounts', 'create', '--uin', '330000000001', '--app-id', '1250000777']);
    const key = JSON.parse(ok(['keys', 'create', '--uin', '330000000000']));
    assert.match(key.SecretId, /^AKID/);
    assert.equal(ok(['keys', 'list', '--uin', '330000000000']), `${key.SecretId}\n`);
    assert.equal(ok(['clients', 'bind', '--agent', '330000000000', '--client', '330000000001', '--remark', 'from the shell']), 'bound client 330000000001 to agent 330000000000\n');
    assert.equal(JSON.parse(ok(['clients', 'list', '--agent', '330000000000'])).Bindings[0].ClientRemark, 'from the shell');

    const file = join(dir, 'deals.ndjson');
    const deals = [
      exportDeal(deal({ deal_name: '20250101000000900001', owner_uin: '330000000001', create_time: '2025-01-01 10:00:00' }), undefined),
      exportDeal(deal({ deal_name: '20250101000000900002', owner_uin: '330000000002', create_time: '2025-01-01 11:00:00' }), undefined),
    ];
    writeFileSync(file, deals.map((d) => JSON.stringify(d)).join('\n'));
    assert.equal(ok(['import', file, '--agent', '330000000000']), 'imported 2 deal(s), bound 1 new client(s) to agent 330000000000\n');
    const bad = admin(['import', '-'], '{"DealName":"x"}\n');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^line 1: OwnerUin: missing/m);
    assert.match(bad.stderr, /tcdeals: \[InvalidImport\] \d+ problem\(s\); nothing was imported/);

    const out = join(dir, 'export.ndjson');
    ok(['export', '--owner', '330000000002', '--out', out]);
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).DealName), ['20250101000000900002']);
    assert.equal(ok(['export']).trim().split('\n').length, 2);

    const snap1 = join(dir, 'one.snapshot');
    const snap2 = join(dir, 'two.snapshot');
    ok(['snapshot', 'export', snap1]);
    assert.equal(ok(['reset']), 'reset to empty\n');
    assert.equal(JSON.parse(ok(['state'])).counts.accounts, 0);
    assert.equal(ok(['snapshot', 'import', snap1]), 'restored 3 account(s), 1 key(s), 2 binding(s), 2 deal(s)\n');
    ok(['snapshot', 'export', snap2]);
    assert.equal(readFileSync(snap2, 'utf8'), readFileSync(snap1, 'utf8'));
    assert.equal(ok(['snapshot', 'export']), readFileSync(snap1, 'utf8'));
    const accounts = JSON.parse(ok(['accounts', 'list']));
    assert.deepEqual(accounts.Accounts.map((a: { Uin: string }) => a.Uin), ['330000000000', '330000000001', '330000000002']);
    assert.equal(JSON.parse(ok(['accounts', 'show', '330000000001'])).Binding.AgentUin, '330000000000');
  });

  test('faults, journal, clock, cache lag and signature mode', async () => {
    const added = ok(['faults', 'add', '--kind', 'error', '--code', 'InternalError', '--times', '2', '--action', 'DescribeDealsByCond']);
    const id = /^added fault rule ([0-9a-f-]{36})\n$/.exec(added)?.[1];
    assert.ok(id, added);
    const rules = JSON.parse(ok(['faults', 'list'])).rules;
    assert.deepEqual([rules[0].id, rules[0].times, rules[0].remaining, rules[0].action], [id, 2, 2, 'DescribeDealsByCond']);
    ok(['faults', 'add', '--kind', 'latency', '--latency-ms', '5', '--probability', '0.5']);
    assert.equal(ok(['faults', 'remove', id!]), `removed fault rule ${id}\n`);
    assert.equal(ok(['faults', 'clear']), 'cleared 1 fault rule(s)\n');
    const badRule = admin(['faults', 'add', '--kind', 'error']);
    assert.equal(badRule.status, 1);
    assert.match(badRule.stderr, /\[InvalidFaultRule\] an error fault needs a code/);

    assert.match(ok(['clock', '--set', '2025-01-01 00:00:00', '--frozen']), /^2025-01-01 00:00:00 Beijing \(2024-12-31T16:00:00.000Z\), frozen\n$/);
    assert.match(ok(['clock', '--advance-ms', '60000']), /^2025-01-01 00:01:00 Beijing/);
    assert.match(ok(['clock', '--advance-ms', '-120000']), /^2024-12-31 23:59:00 Beijing/);
    assert.equal(JSON.parse(ok(['--json', 'clock'])).frozen, true);
    assert.equal(JSON.parse(ok(['clock', '--reset', '--json'])).offsetMs, 0);

    assert.equal(ok(['cache-lag', '2.5']), 'cache lag: 2.5 s\n');
    assert.equal(ok(['cache-lag']), 'cache lag: 2.5 s\n');
    ok(['cache-lag', '0']);
    assert.equal(ok(['signature-mode', 'soft']), 'signature mode: soft\n');
    assert.equal(ok(['signature-mode']), 'signature mode: soft\n');
    assert.equal(admin(['signature-mode', 'loose']).status, 1);
    ok(['signature-mode', 'strict']);

    const journal = JSON.parse(ok(['journal', '--limit', '5']));
    assert.deepEqual(Object.keys(journal), ['size', 'count', 'entries']);
    assert.match(ok(['journal', '--clear']), /^cleared \d+ journal entr(y|ies)\n$/);
    assert.equal(ok(['journal', '--size', '10']), 'journal size: 10\n');
  });

  test('where to reach the server and with which token: flags, environment, and clear failures', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const [flags, wrong, none, away] = await Promise.all([
      // Flags after the subcommand work as well as before it.
      cliAsync(['admin', 'state', '--endpoint', server.endpoint, '--token', TOKEN]),
      cliAsync(['admin', 'state'], { ...env, TCDEALS_ADMIN_TOKEN: 'nope' }),
      cliAsync(['admin', 'state'], { TCDEALS_ENDPOINT: env.TCDEALS_ENDPOINT!, TCDEALS_ADMIN_TOKEN: '' }),
      cliAsync(['admin', 'state', '--endpoint', `http://127.0.0.1:${closedPort}`], env),
    ]);
    assert.equal(flags.status, 0, flags.stderr);
    assert.equal(JSON.parse(flags.stdout).store.location, ':memory:');
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /\[Unauthorized\]/);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no admin token: set TCDEALS_ADMIN_TOKEN or pass --token/);
    assert.equal(away.status, 1);
    assert.match(away.stderr, new RegExp(`cannot reach the tcdeals admin API at http://127.0.0.1:${closedPort}: ECONNREFUSED`));
  });
});
