/**
 * An import is one transaction: `tcdeals deals import` killed with SIGKILL at any moment — while
 * it reads and parses, while it writes, while it rebuilds indexes or commits — leaves either
 * nothing of the file or all of it, and a database that opens and answers consistently (deal
 * counts, cache rows and bindings agreeing with the deals). On SQLite and PostgreSQL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { generate } from '../../src/domain/generator.js';
import { toExportDeal } from '../../src/domain/views.js';
import { Store } from '../../src/store/store.js';
import { forEachBackend } from '../helpers/backends.js';
import { BIN, cli } from '../helpers/cli.js';

const AGENT = '200000000001';
const DEALS = 20_000;
/**
 * Kill times as fractions of a complete import's duration on this machine: start-up and parsing,
 * the writes, the index rebuilds and the commit at the end, and just after.
 */
const KILL_AT = [0.05, 0.3, 0.6, 0.8, 0.9, 0.97, 1.3];

let dir: string;
let file: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tcdeals-import-kill-'));
  file = join(dir, 'deals.ndjson');
  const relation = { client_type: 'new', project_type: 'self', sales_uin: '0', client_remark: '' };
  const lines: string[] = [];
  const data = generate({ agents: 1, clients: 30, deals: DEALS, months: 6, seed: 3, anchorMs: Date.UTC(2026, 10, 24, 4), batchSize: 5000 });
  for (const batch of data.deals) for (const d of batch) lines.push(JSON.stringify(toExportDeal(d, relation)));
  writeFileSync(file, `${lines.join('\n')}\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function importKilledAfter(db: string, ms: number): Promise<{ killed: boolean; status: number | null; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'deals', 'import', file, '--agent', AGENT, '--db', db, '--no-progress'], {
    env: { ...process.env, DATABASE_URL: '' },
    stdio: 'ignore',
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = child.kill('SIGKILL');
  }, ms);
  return new Promise((resolve) =>
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ killed: killed && status === null, status, ms: performance.now() - started });
    }),
  );
}

async function count(store: Store, table: 'deals' | 'agent_deal_cache' | 'agent_clients' | 'deal_resources'): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

forEachBackend((backend) => {
  test(`SIGKILL at ${KILL_AT.length} moments of an import of ${DEALS.toLocaleString()} deals: all or nothing, every time`, async () => {
    const outcomes: string[] = [];
    let complete: { deals: number; cache: number; bindings: number; resources: number } | undefined;
    let duration = Infinity; // the first round imports to the end and times it
    for (const at of [Infinity, ...KILL_AT]) {
      const ms = Math.round(at * duration);
      const database = backend.name === 'sqlite' ? { url: join(dir, `kill-${ms}.db`), drop: async () => {} } : await backend.create();
      try {
        assert.equal(cli(['accounts', 'create', '--uin', AGENT, '--agent', '--db', database.url]).status, 0);
        const run = await importKilledAfter(database.url, Number.isFinite(ms) ? ms : 10 * 60_000);
        if (!Number.isFinite(duration)) {
          assert.equal(run.status, 0, 'a complete import');
          duration = run.ms;
        }
        // Opening recovers (SQLite rolls back a hot journal; PostgreSQL aborted the transaction).
        const store = await Store.open(database.url);
        try {
          const deals = await count(store, 'deals');
          const counted = await store.db.selectFrom('deal_counts').select((eb) => eb.fn.sum<number | string>('n').as('n')).executeTakeFirst();
          assert.equal(Number(counted?.n ?? 0), deals, `killed at ${ms} ms: per-day counts agree with the deals`);
          if (store.kind === 'sqlite') {
            const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(store.db);
            assert.deepEqual(check.rows.map((r) => r.integrity_check), ['ok'], `killed at ${ms} ms: the file is intact`);
          }
          const now = { deals, cache: await count(store, 'agent_deal_cache'), bindings: await count(store, 'agent_clients'), resources: await count(store, 'deal_resources') };
          if (!Number.isFinite(ms)) assert.equal(deals, DEALS, 'a complete import imports everything');
          if (deals === 0) {
            assert.deepEqual(now, { deals: 0, cache: 0, bindings: 0, resources: 0 }, `killed at ${ms} ms: nothing of the import`);
            assert.ok(run.killed, `killed at ${ms} ms: an import that was not killed imported everything`);
            outcomes.push(`${ms} ms: nothing`);
          } else {
            assert.equal(deals, DEALS, `killed at ${ms} ms: all or nothing, not ${deals}`);
            if (complete) assert.deepEqual(now, complete, `killed at ${ms} ms: the same as every complete import`);
            complete = now;
            outcomes.push(`${ms} ms: all${run.killed ? ' (killed after the commit)' : ' (finished first)'}`);
          }
        } finally {
          await store.close();
        }
      } finally {
        await database.drop();
      }
    }
    // Some kills must have landed inside the import, or this proves nothing.
    assert.ok(outcomes.filter((o) => o.endsWith('nothing')).length >= 3, outcomes.join('; '));
    console.log(`# ${backend.name}: a complete import took ${Math.round(duration)} ms; killed at ${outcomes.join('; ')}`);
  });
});
