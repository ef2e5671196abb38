/**
 * Graceful shutdown of `tcdeals serve`: on SIGTERM it stops accepting connections at once, lets
 * every call already being handled finish with a valid answer, then exits 0.
 *
 * The calls are held in flight deterministically: the test locks the deals and cache tables, so
 * each call waits inside the server on its database query (visible in pg_stat_activity) until the
 * test lets go — after SIGTERM.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPostgresDatabase, type TestDatabase } from '../helpers/backends.js';
import { errorCode, type ApiAnswer } from '../helpers/call.js';
import { serve, type RunningServer } from '../helpers/cli.js';
import { callBilling, callPartners, canConnect, DEMO_AGENT_KEY, DEMO_CLIENT_KEY, getJson, PG_SKIP, problems, runAll, stopAll } from './support.js';

const PARTNERS_QUERIES = [0, 200, 400, 600].map((Offset) => ({ Offset, Limit: 200 }));
const BILLING_LIMITS = [1000, 200, 100, 50];

describe('graceful shutdown', { skip: PG_SKIP }, () => {
  let db: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let locker: pg.Client | undefined;
  let monitor: pg.Client | undefined;
  after(() =>
    runAll([
      locker && (() => locker!.end()),
      monitor && (() => monitor!.end()),
      () => stopAll([server]),
      db && (() => db!.drop()),
    ]),
  );

  test('SIGTERM with 8 calls in flight: they all complete with valid answers, new connections are refused, the process exits 0', async () => {
    db = await createPostgresDatabase();
    server = await serve(['--db', db.url]);
    const endpoint = server.endpoint;
    const port = Number(endpoint.split(':')[1]);
    assert.equal((await getJson(`http://${endpoint}/_tcdeals/ready`)).status, 200);

    const calls: Array<() => Promise<ApiAnswer>> = [
      ...PARTNERS_QUERIES.map((q) => () => callPartners(endpoint, DEMO_AGENT_KEY, q)),
      ...BILLING_LIMITS.map((limit) => () => callBilling(endpoint, DEMO_CLIENT_KEY, limit)),
    ];
    const strip = (a: ApiAnswer) => {
      assert.equal(a.status, 200);
      assert.equal(a.contentType, 'application/json');
      assert.equal(errorCode(a), undefined, a.raw.slice(0, 300));
      const { RequestId, ...rest } = a.json.Response;
      assert.match(RequestId, /^[0-9a-f-]{36}$/);
      return rest;
    };
    const expected = (await Promise.all(calls.map((c) => c()))).map(strip);
    assert.equal((expected[0] as { AgentDealSet: unknown[] }).AgentDealSet.length, 200);
    assert.ok((expected[4] as { Deals: unknown[] }).Deals.length > 200, 'the client’s whole year of delivered deals');

    // Hold every call inside the server: its data query waits for the test's table locks.
    locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table agent_deal_cache, deals in access exclusive mode');
    // Watched from outside the locking transaction: inside one, pg_stat_activity is a snapshot.
    monitor = new pg.Client({ connectionString: db.url });
    await monitor.connect();
    const settled: boolean[] = calls.map(() => false);
    const inFlight = calls.map((c, i) =>
      c().finally(() => {
        settled[i] = true;
      }),
    );
    const waiting = async () =>
      Number(
        (await monitor!.query(`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n,
      );
    const deadline = Date.now() + 10_000;
    while ((await waiting()) < calls.length) {
      if (Date.now() > deadline) {
        const activity: unknown[] = (await monitor.query(`select pid, state, wait_event_type, wait_event, left(query, 120) as query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`)).rows;
        assert.fail(`only ${await waiting()} of ${calls.length} calls reached the database; settled ${JSON.stringify(settled)}; activity ${JSON.stringify(activity)}`);
      }
      await sleep(10);
    }
    assert.deepEqual(settled, calls.map(() => false));

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => server!.child.once('exit', (code, signal) => resolve({ code, signal })));
    const termAt = Date.now();
    server.child.kill('SIGTERM');
    // It stops listening at once, while the calls are still being handled.
    while (await canConnect(port)) {
      if (Date.now() - termAt > 5000) assert.fail('still accepting connections 5 s after SIGTERM');
      await sleep(10);
    }
    const refusedMs = Date.now() - termAt;
    await sleep(300);
    assert.equal(server.child.exitCode, null, 'the process waits for its in-flight calls');
    assert.deepEqual(settled, calls.map(() => false), 'no call was cut off');
    assert.equal(await waiting(), calls.length);

    const releasedAt = Date.now();
    await locker.query('commit');
    const answers = await Promise.all(inFlight);
    const answeredMs = Date.now() - releasedAt;
    assert.deepEqual(answers.map(strip), expected, 'every in-flight call got its full, valid answer');
    // Draining answers close their keep-alive connections, so the exit does not wait for clients.
    for (const a of answers) assert.equal(a.headers.get('connection'), 'close');
    const { code, signal } = await exited;
    const exitMs = Date.now() - releasedAt;
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.ok(exitMs - answeredMs < 2000, `exits right after its last call (${exitMs - answeredMs} ms), not after a keep-alive timeout`);
    assert.equal(await canConnect(port), false, 'nothing listens after exit');
    await assert.rejects(getJson(`http://${endpoint}/_tcdeals/health`));
    assert.match(server.output(), /"signal":"SIGTERM","msg":"shutting down"/);
    assert.deepEqual(problems(server.output()), []);
    console.log(`# SIGTERM with ${calls.length} calls in flight: refused new connections after ${refusedMs} ms; calls released ${releasedAt - termAt} ms after SIGTERM, all answered ${answeredMs} ms after release; exit 0 ${exitMs} ms after release`);
  });
});
