/**
 * The partners cache rebuild on PostgreSQL: instances sharing a database never rebuild at the
 * same time (an advisory transaction lock; the loser skips at once), a rebuild changes nothing a
 * client can see, and a rebuild killed mid-way leaves the previous snapshot whole and the lock
 * free for the next one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildDemoDataset } from '../../src/domain/demo-seed.js';
import { createServer } from '../../src/server.js';
import { RebuildSwapBlocked } from '../../src/store/agent-cache.js';
import { applyDataset } from '../../src/store/seed.js';
import { Store } from '../../src/store/store.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/backends.js';
import { assertCacheCountsExact } from '../helpers/cache-counts.js';
import { errorCode } from '../helpers/call.js';
import { BIN, cli } from '../helpers/cli.js';
import { callPartners, DEMO_AGENT_KEY, PG_SKIP, runAll } from './support.js';

/** Copies of every demo deal under new DealNames: 3,000-odd demo deals × 13 ≈ 40,000. */
const COPIES = 12;

/** Partners queries whose answers must not change across a rebuild. */
const QUERIES: Array<Record<string, unknown>> = [
  { Offset: 0, Limit: 200 },
  { Offset: 5000, Limit: 200 },
  { Offset: 0, Limit: 100, Order: 1 },
  { Offset: 0, Limit: 100, Status: 4 },
  { Offset: 0, Limit: 100, OwnerUins: ['100000000002', '100000000003'] },
  { Offset: 0, Limit: 100, PayerMode: 1 },
];

interface Snapshot {
  rows: number;
  checksum: string;
}

describe('partners cache rebuild on PostgreSQL', { skip: PG_SKIP }, () => {
  let db: TestDatabase | undefined;
  let a: Store | undefined;
  let b: Store | undefined;
  let app: FastifyInstance | undefined;
  let endpoint = '';
  let client: pg.Client | undefined;
  let dbOid = 0;
  let rebuildMs = 0;
  const children: Array<ReturnType<typeof spawn>> = [];

  before(async () => {
    const started = Date.now();
    db = await createPostgresDatabase();
    a = await Store.open(db.url, { poolSize: 4 });
    b = await Store.open(db.url, { poolSize: 4 });
    await applyDataset(a, buildDemoDataset());
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    dbOid = Number((await client.query('select oid from pg_database where datname = current_database()')).rows[0].oid);
    // Written directly: copies of every deal under new names (the cache is rebuilt below).
    const cols = (await client.query(`select column_name from information_schema.columns where table_name = 'deals' and table_schema = current_schema() order by ordinal_position`)).rows.map((r) => r.column_name as string);
    const select = cols.map((c) => (c === 'deal_name' ? `deal_name || lpad(g::text, 2, '0')` : `"${c}"`)).join(', ');
    await client.query(`insert into deals (${cols.map((c) => `"${c}"`).join(', ')}) select ${select} from deals, generate_series(1, ${COPIES}) as g`);
    const r = await a.rebuildAgentCache();
    assert.ok(r.rebuilt);
    rebuildMs = r.ms;
    app = await createServer({ store: a, rateLimit: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    endpoint = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    console.log(`# dataset: ${await a.countDeals()} deals, ${r.rows} cache rows; set up in ${Date.now() - started} ms, a rebuild takes ${rebuildMs} ms`);
  });
  after(() =>
    runAll([
      ...children.map((c) => () => {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }),
      app && (() => app!.close()),
      a && (() => a!.close()),
      b && (() => b!.close()),
      client && (() => client!.end()),
      db && (() => db!.drop()),
    ]),
  );

  async function snapshot(): Promise<Snapshot> {
    const { rows } = await client!.query(
      `select count(*) as n, md5(coalesce(string_agg(deal_name || '|' || agent_uin || '|' || owner_uin || '|' || create_time || '|' || status || '|' || payer_mode || '|' || big_deal_id || '|' || body, E'\\n' order by deal_name), '')) as sum from agent_deal_cache`,
    );
    return { rows: Number(rows[0].n), checksum: rows[0].sum };
  }

  async function answers(): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const q of QUERIES) {
      const res = await callPartners(endpoint, DEMO_AGENT_KEY, q);
      assert.equal(errorCode(res), undefined, res.raw);
      const { RequestId, ...rest } = res.json.Response;
      assert.match(RequestId, /^[0-9a-f-]{36}$/);
      out.push(rest);
    }
    return out;
  }

  async function advisoryHolders(): Promise<Array<{ pid: number; granted: boolean; xact_ms: number }>> {
    const { rows } = await client!.query(
      `select l.pid, l.granted, extract(epoch from (now() - a.xact_start)) * 1000 as xact_ms
         from pg_locks l left join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.database = $1`,
      [dbOid],
    );
    return rows.map((r) => ({ pid: Number(r.pid), granted: r.granted, xact_ms: Number(r.xact_ms) }));
  }

  test('two Store instances rebuild at once: exactly one rebuilds, the other skips; answers are unchanged', async () => {
    const before = await answers();
    const snapBefore = await snapshot();
    assert.ok((before[0] as { TotalCount: number }).TotalCount > 20_000, 'a big cache');

    const started = Date.now();
    const results = await Promise.all([a!.rebuildAgentCache(), b!.rebuildAgentCache()]);
    const ms = Date.now() - started;
    const winners = results.filter((r) => r.rebuilt);
    const losers = results.filter((r) => !r.rebuilt);
    assert.equal(winners.length, 1, JSON.stringify(results));
    assert.equal(losers.length, 1, JSON.stringify(results));
    assert.equal(winners[0]!.rows, snapBefore.rows);
    assert.equal(losers[0]!.rows, 0);
    assert.ok(losers[0]!.ms < winners[0]!.ms, 'the loser gives up at once instead of waiting for the lock');
    console.log(`# concurrent rebuilds: ${JSON.stringify(results)} in ${ms} ms`);

    assert.deepEqual(await advisoryHolders(), [], 'the lock is released at commit');
    assert.deepEqual(await snapshot(), snapBefore, 'the rebuilt cache holds exactly the same rows');
    assert.deepEqual(await answers(), before, 'partners answers (minus RequestId) are unchanged');

    // The lock was released: the other instance can rebuild next.
    const again = await (winners[0] === results[0] ? b! : a!).rebuildAgentCache();
    assert.equal(again.rebuilt, true);
    assert.deepEqual(await answers(), before);
  });

  test('writes by another instance while a rebuild runs: they do not wait for it, readers see them at once, and the swapped-in cache holds them too', async () => {
    const original = await b!.db.selectFrom('deals').selectAll().where('pay_mode', '=', 'prePay').where('status', '=', 4).orderBy('deal_name').limit(1).executeTakeFirstOrThrow();
    const fresh = { ...original, deal_name: `${original.deal_name}99`, create_time: '2025-06-30 12:00:00' };
    const snapBefore = await snapshot();

    // The swap waits (stepping back every 200 ms) while this connection reads the counts table it
    // replaces: the rebuild is still running, however fast it got, until the checks below are done.
    const holdSwap = new pg.Client({ connectionString: db!.url });
    await holdSwap.connect();
    await holdSwap.query('begin');
    await holdSwap.query('select count(*) from agent_cache_counts');
    const rebuild = a!.rebuildAgentCache();
    let writeMs = 0;
    let readMs = 0;
    try {
      const deadline = Date.now() + 20_000;
      while (!(await advisoryHolders()).some((h) => h.granted)) {
        if (Date.now() > deadline) assert.fail('the rebuild never took the lock');
        await sleep(5);
      }
      const writeStarted = Date.now();
      await b!.upsertDeals([{ ...original, status: 6, update_time: '2025-12-31 10:00:00' }, fresh]);
      writeMs = Date.now() - writeStarted;
      const readStarted = Date.now();
      const during = await answers();
      readMs = Date.now() - readStarted;
      // The reads rank the new deal in the live table meanwhile: deep pages stay seeks. The new deal
      // is older than most, so that ranks most of the agent's rows again: seconds on a busy machine
      // (the swap cannot end meanwhile, so the bound only stops a ranking that never comes).
      const rankDeadline = Date.now() + 60_000;
      while ((await b!.db.selectFrom('agent_deal_cache').select('pos').where('deal_name', '=', fresh.deal_name).executeTakeFirst())?.pos == null) {
        if (Date.now() > rankDeadline) assert.fail('the new deal was not ranked while the rebuild ran');
        await answers();
      }
      assert.ok((await advisoryHolders()).some((h) => h.granted), 'the write, the reads and the ranking finished while the rebuild was still running');
      assert.equal((during[0] as { TotalCount: number }).TotalCount, snapBefore.rows + 1, 'readers see the new deal at once, before the rebuild ends');
      const liveDuring = await b!.db.selectFrom('agent_deal_cache').select(['deal_name', 'status']).where('deal_name', 'in', [original.deal_name, fresh.deal_name]).execute();
      assert.deepEqual(liveDuring.map((x) => [x.deal_name, x.status]).sort(), [[original.deal_name, 6], [fresh.deal_name, original.status]].sort(), 'the live cache has both writes');
    } finally {
      // However a check above failed, the swap is let go: a rebuild left waiting would hold its
      // lock (and this file's pool) until the run's time limit.
      await holdSwap.end();
    }
    const r = await rebuild;
    assert.ok(r.rebuilt);
    const rows = await b!.db.selectFrom('agent_deal_cache').select(['deal_name', 'status', 'pos']).where('deal_name', 'in', [original.deal_name, fresh.deal_name]).execute();
    assert.deepEqual(
      rows.map((x) => [x.deal_name, x.status]).sort(),
      [
        [original.deal_name, 6],
        [fresh.deal_name, original.status],
      ].sort(),
      'the queued writes were applied to the new table',
    );
    await assertCacheCountsExact(b!.db, 'after the swap: counted beside the new table, the queued writes through its triggers');
    // Indexes PostgreSQL keeps from the transaction that built them (broken HOT chains) would turn
    // each queued write applied in the swap into a scan of the whole table, every reader waiting.
    const unusable = await client!.query(`select indexrelid::regclass::text as name from pg_index where indrelid = 'agent_deal_cache'::regclass and indcheckxmin`);
    assert.deepEqual(unusable.rows, [], 'every index of the new table is usable by the rebuild that made it');
    assert.equal((await answers())[0] !== undefined, true);
    const { TotalCount } = (await answers())[0] as { TotalCount: number };
    assert.equal(TotalCount, snapBefore.rows + 1);
    // The same rows a rebuild from scratch makes now.
    const swapped = await snapshot();
    assert.ok((await a!.rebuildAgentCache()).rebuilt);
    assert.deepEqual(await snapshot(), swapped);
    console.log(`# during a ${r.ms} ms rebuild: a write by another instance took ${writeMs} ms, six partners reads ${readMs} ms`);

    // Put the data back for the next test.
    await b!.db.deleteFrom('deals').where('deal_name', '=', fresh.deal_name).execute();
    await b!.upsertDeals([original]);
    assert.ok((await a!.rebuildAgentCache()).rebuilt);
    assert.deepEqual(await snapshot(), snapBefore);
  });

  test('a write holding cache rows that then needs a position row, while the rebuild swaps: no deadlock, the swap waits its turn', async () => {
    const name = (await b!.db.selectFrom('agent_deal_cache').select('deal_name').orderBy('deal_name').limit(1).executeTakeFirstOrThrow()).deal_name;
    const writer = new pg.Client({ connectionString: db!.url });
    await writer.connect();
    try {
      // A bulk load's order: cache rows first, the agents' position rows at its end (rankNewRows).
      await writer.query('begin');
      await writer.query('update agent_deal_cache set status = status where deal_name = $1', [name]);
      const rebuild = a!.rebuildAgentCache();
      const deadline = Date.now() + 120_000;
      let waiting = false;
      while (!waiting) {
        if (Date.now() > deadline) assert.fail('the rebuild never reached its swap');
        const { rows } = await client!.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'lock table agent_deal_cache%'`);
        waiting = rows.length > 0;
        if (!waiting) await sleep(5);
      }
      // The swap holds (or is about to take) the positions table and waits for our cache row:
      // taking a position row now would be a deadlock cycle if the swap kept waiting.
      const started = Date.now();
      await writer.query('select agent_uin from agent_cache_order for update');
      const lockMs = Date.now() - started;
      await writer.query('commit');
      const r = await rebuild;
      assert.ok(r.rebuilt);
      assert.ok(lockMs < 1_000, `the writer got its position rows after ${lockMs} ms, before PostgreSQL's deadlock check`);
      console.log(`# the swap stepped back: the writer waited ${lockMs} ms; the rebuild then finished in ${r.ms} ms`);
    } finally {
      await writer.end();
    }
  });

  test('a session left idle in a transaction on the cache: the swap gives up in time, names the session, and changes nothing', async () => {
    const snapBefore = await snapshot();
    const answersBefore = await answers();
    const idle = new pg.Client({ connectionString: db!.url });
    await idle.connect();
    try {
      await idle.query('begin');
      await idle.query('select count(*) from agent_cache_counts');
      const pid = Number((await idle.query('select pg_backend_pid() as pid')).rows[0].pid);
      const started = Date.now();
      await assert.rejects(a!.rebuildAgentCache({ swapGiveUpMs: 1_500 }), (err: Error) => {
        assert.ok(err instanceof RebuildSwapBlocked, String(err));
        assert.match(err.message, new RegExp(`pid ${pid} \\(idle in transaction, in a transaction for \\d+ s\\)`));
        assert.match(err.message, /nothing was changed/);
        return true;
      });
      console.log(`# the swap gave up ${Date.now() - started} ms after the rebuild started (1,500 ms of stepping back)`);
      assert.deepEqual(await advisoryHolders(), [], 'the rebuild lock is free');
      assert.equal((await client!.query(`select to_regclass('agent_deal_cache_next') as t`)).rows[0].t, null, 'the new table went with the rolled-back transaction');
      assert.deepEqual(await snapshot(), snapBefore);
      assert.deepEqual(await answers(), answersBefore);
    } finally {
      await idle.end();
    }
    assert.ok((await a!.rebuildAgentCache({ swapGiveUpMs: 1_500 })).rebuilt, 'with the session gone, the next rebuild swaps');
    assert.deepEqual(await snapshot(), snapBefore);
  });

  test('`tcdeals cache rebuild` SIGKILLed mid-way: the previous snapshot stays whole, the lock is freed, the next rebuild succeeds', async () => {
    const snapBefore = await snapshot();
    const answersBefore = await answers();

    let out = '';
    const child = spawn(process.execPath, [BIN, 'cache', 'rebuild', '--db', db!.url], { env: { ...process.env, DATABASE_URL: '' } });
    children.push(child);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

    // Wait until the child holds the rebuild lock, then let it work a while (well short of a whole rebuild).
    const deadline = Date.now() + 20_000;
    let holder: { pid: number; granted: boolean; xact_ms: number } | undefined;
    while (!holder) {
      if (child.exitCode !== null) assert.fail(`the rebuild ended before it could be killed:\n${out}`);
      if (Date.now() > deadline) assert.fail(`the rebuild never took the lock:\n${out}`);
      holder = (await advisoryHolders()).find((h) => h.granted);
      if (!holder) await sleep(5);
    }
    await sleep(Math.max(100, rebuildMs * 0.4));
    const [during] = (await advisoryHolders()).filter((h) => h.pid === holder!.pid && h.granted);
    assert.ok(during, 'still rebuilding when killed');
    // Readers keep the old snapshot while the rebuild's transaction is open.
    assert.deepEqual(await snapshot(), snapBefore);
    child.kill('SIGKILL');
    const { signal } = await exited;
    const killedAt = Date.now();
    assert.equal(signal, 'SIGKILL');
    assert.doesNotMatch(out, /rebuilt the partners cache/);

    assert.deepEqual(await snapshot(), snapBefore, 'the cache still holds exactly the previous snapshot');
    assert.deepEqual(await answers(), answersBefore);

    // The dead connection's transaction is rolled back and its advisory lock released.
    while ((await advisoryHolders()).length > 0) {
      if (Date.now() - killedAt > 10_000) assert.fail(`the advisory lock was not released: ${JSON.stringify(await advisoryHolders())}`);
      await sleep(20);
    }
    const releasedMs = Date.now() - killedAt;

    const started = Date.now();
    const next = cli(['cache', 'rebuild', '--db', db!.url]);
    const nextMs = Date.now() - started;
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stdout, new RegExp(`rebuilt the partners cache: ${snapBefore.rows} deal\\(s\\)`));
    assert.deepEqual(await snapshot(), snapBefore, 'the next rebuild produces the same rows');
    assert.deepEqual(await answers(), answersBefore);
    console.log(
      `# killed \`cache rebuild\` ${Math.round(during.xact_ms)} ms into its transaction (a rebuild takes ~${rebuildMs} ms); snapshot intact (${snapBefore.rows} rows, md5 ${snapBefore.checksum}); lock released ${releasedMs} ms after the kill; next rebuild via the CLI ok in ${nextMs} ms`,
    );
  });
});
