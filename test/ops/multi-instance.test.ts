/**
 * Several `tcdeals serve` processes behind one load balancer: one PostgreSQL database and one
 * Redis (same key prefix). They start together without seeding twice, share the documented
 * 20 requests/second per action per account, keep serving when one of them dies, and a
 * replacement becomes ready on its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { buildDemoDataset } from '../../src/domain/demo-seed.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/backends.js';
import { errorCode, type ApiAnswer } from '../helpers/call.js';
import { serve, type RunningServer } from '../helpers/cli.js';
import {
  callBilling, callPartners, DEMO_AGENT_KEY, DEMO_CLIENT_KEY, deleteRedisKeys, PG_SKIP, pollStatus, problems, REDIS_SKIP, REDIS_URL,
  redisPrefix, runAll, skipUnless, stopAll, tally, type Tally,
} from './support.js';

const POINTS = 20;
const BURST = 100;
const WINDOW_MS = 1000;
/**
 * The limiter's window opens at the first call of a burst and lasts 1 s; a burst answered within
 * this many ms (measured at the client, so an upper bound of the server-side spread) fell inside
 * one window, and exactly 20 must pass.
 */
const ONE_WINDOW_MS = 900;
const PACED_PER_SECOND = 15;
const PACED_MS = 3000;

describe('three serve instances on one PostgreSQL database and one Redis', { skip: skipUnless(PG_SKIP, REDIS_SKIP) }, () => {
  let db: TestDatabase | undefined;
  const prefix = redisPrefix();
  const servers: RunningServer[] = [];
  let args: string[] = [];

  before(async () => {
    db = await createPostgresDatabase();
    args = ['--db', db.url, '--redis', REDIS_URL!, '--redis-key-prefix', prefix, '--pool-size', '4'];
  });
  after(() => runAll([() => stopAll(servers), db && (() => db!.drop()), REDIS_URL ? () => deleteRedisKeys(REDIS_URL!, prefix) : undefined]));

  const live = () => servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null);

  test('started together, exactly one seeds the demo data; the others wait for it and all become ready', async () => {
    const started = Date.now();
    const results = await Promise.allSettled([serve(args), serve(args), serve(args)]);
    for (const r of results) if (r.status === 'fulfilled') servers.push(r.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const startMs = Date.now() - started;

    for (const s of servers) {
      const ready = await pollStatus(`http://${s.endpoint}/_tcdeals/ready`, 200, 15_000);
      assert.deepEqual(ready.body.checks, { database: 'ok', migrations: 'ok', seed: 'ok', redis: 'ok' });
    }
    const seeders = servers.filter((s) => /"msg":"seeded the demo dataset"/.test(s.output()));
    assert.equal(seeders.length, 1, `exactly one instance seeds; outputs:\n${servers.map((s) => s.output().slice(0, 400)).join('\n---\n')}`);
    for (const s of servers) {
      assert.deepEqual(problems(s.output()), [], `no warnings or errors from ${s.endpoint}`);
      assert.match(s.output(), /Demo keys \(sandbox only\)/, 'every instance finds the demo keys');
    }

    const c = new pg.Client({ connectionString: db!.url });
    await c.connect();
    try {
      const expected = buildDemoDataset();
      const deals = Number((await c.query('select count(*) as n from deals')).rows[0].n);
      const accounts = Number((await c.query('select count(*) as n from accounts')).rows[0].n);
      const meta = JSON.parse((await c.query(`select value from meta where key = 'demo_seed'`)).rows[0].value);
      assert.equal(deals, expected.deals.length, 'the deal count is one seed’s');
      assert.equal(meta.deals, expected.deals.length);
      assert.equal(accounts, expected.accounts.length + (expected.partners?.accounts.length ?? 0), 'the dataset’s accounts and the partners applicants, once');
      assert.equal(Number((await c.query('select count(*) as n from client_profiles')).rows[0].n), expected.partners!.profiles.length);
      const migrations = Number((await c.query('select count(*) as n from kysely_migration')).rows[0].n);
      assert.ok(migrations > 0);
      console.log(`# 3 instances started and seeded in ${startMs} ms; ${deals} deals, ${accounts} accounts, ${migrations} migration(s) applied once`);
    } finally {
      await c.end();
    }
  });

  /** One burst of BURST calls spread round-robin over the instances, all sent at once. */
  async function burst(call: (endpoint: string) => Promise<ApiAnswer>): Promise<Tally> {
    const endpoints = live().map((s) => s.endpoint);
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => call(endpoints[i % endpoints.length]!)));
    return tally(answers, Date.now() - started);
  }

  async function assertSharedLimit(name: string, call: (endpoint: string) => Promise<ApiAnswer>): Promise<void> {
    let t = await burst(call);
    const first = t;
    if (t.ms > ONE_WINDOW_MS) {
      await sleep(WINDOW_MS + 200);
      t = await burst(call);
    }
    console.log(`# ${name}: ${t.ok} accepted, ${t.limited} RequestLimitExceeded, ${t.other.length} other, burst of ${BURST} over 3 instances in ${t.ms} ms${t === first ? '' : ` (retried; first burst took ${first.ms} ms: ${first.ok}/${first.limited})`}`);
    assert.deepEqual(t.other, [], 'nothing but success or RequestLimitExceeded');
    assert.equal(t.ok + t.limited, BURST);
    if (t.ms <= ONE_WINDOW_MS) {
      assert.equal(t.ok, POINTS, `exactly ${POINTS} accepted across the instances (burst took ${t.ms} ms)`);
      assert.equal(t.limited, BURST - POINTS);
    } else {
      assert.ok(t.ok >= POINTS - 1 && t.ok <= POINTS + 1, `${t.ok} accepted in a burst that straddled a window (${t.ms} ms)`);
    }
  }

  test('100 calls by one account round-robin over the three: exactly 20 accepted per action, the rest RequestLimitExceeded', async () => {
    assert.equal(live().length, 3);
    await assertSharedLimit('billing DescribeDealsByCond', (e) => callBilling(e, DEMO_AGENT_KEY));
    await assertSharedLimit('partners DescribeAgentDealsByCache', (e) => callPartners(e, DEMO_AGENT_KEY));
  });

  test('SIGKILL of one instance under paced load: no call to the survivors fails; a replacement on a new port becomes ready and answers', async () => {
    await sleep(WINDOW_MS + 200); // the bursts' windows are over
    const [victim, ...survivors] = live();
    assert.ok(victim && survivors.length === 2);

    const failures: string[] = [];
    const counts = { billing: 0, partners: 0 };
    const inFlight: Array<Promise<void>> = [];
    const check = (what: 'billing' | 'partners', p: Promise<ApiAnswer>, endpoint: string) =>
      p.then(
        (a) => {
          counts[what]++;
          const code = errorCode(a);
          if (a.status !== 200 || code !== undefined) failures.push(`${what} on ${endpoint}: HTTP ${a.status} ${code ?? ''} ${a.raw.slice(0, 200)}`);
        },
        (err: unknown) => {
          failures.push(`${what} on ${endpoint}: ${String(err)}`);
        },
      );

    // Each tick at least `interval` after the previous one (a stalled timer never makes a burst),
    // so no 1-second window sees more than 15 calls of an action.
    const interval = 1000 / PACED_PER_SECOND;
    const start = Date.now();
    let killedAt = -1;
    let total = 0;
    for (let k = 0; Date.now() - start < PACED_MS; k++, total++) {
      if (k > 0) await sleep(interval);
      if (killedAt < 0 && Date.now() - start >= PACED_MS / 3) {
        victim.child.kill('SIGKILL');
        killedAt = Date.now() - start;
      }
      const target = survivors[k % 2]!.endpoint;
      // Billing by the demo client, partners by the demo agent: each 15/s against the shared limit.
      inFlight.push(check('billing', callBilling(target, DEMO_CLIENT_KEY), target));
      inFlight.push(check('partners', callPartners(target, DEMO_AGENT_KEY), target));
    }
    await Promise.all(inFlight);
    const loadMs = Date.now() - start;
    await new Promise<void>((resolve) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? resolve() : victim.child.once('exit', () => resolve())));
    console.log(`# paced load: ${counts.billing} billing + ${counts.partners} partners calls to 2 survivors in ${loadMs} ms, victim SIGKILLed at +${killedAt} ms; failures: ${failures.length}`);
    assert.equal(victim.child.signalCode, 'SIGKILL');
    assert.ok(killedAt > 0 && killedAt < loadMs, 'the kill happened while calls were being sent');
    assert.deepEqual(failures, [], 'every call to a surviving instance succeeded');
    assert.equal(counts.billing, total);
    assert.equal(counts.partners, total);
    for (const s of survivors) assert.deepEqual(problems(s.output()), [], `no warnings or errors from survivor ${s.endpoint}`);

    // A replacement (new port) waits for nothing it cannot get and reports ready.
    const restartedAt = Date.now();
    const replacement = await serve(args);
    servers.push(replacement);
    assert.notEqual(replacement.endpoint, victim.endpoint);
    const ready = await pollStatus(`http://${replacement.endpoint}/_tcdeals/ready`, 200, 15_000);
    const readyMs = Date.now() - restartedAt;
    assert.deepEqual(ready.body.checks, { database: 'ok', migrations: 'ok', seed: 'ok', redis: 'ok' });
    assert.doesNotMatch(replacement.output(), /seeded the demo dataset/, 'the replacement does not seed again');
    const b = await callBilling(replacement.endpoint, DEMO_CLIENT_KEY, 5);
    assert.equal(errorCode(b), undefined, b.raw);
    assert.equal(b.json.Response.Deals.length, 5);
    const p = await callPartners(replacement.endpoint, DEMO_AGENT_KEY, { Offset: 0, Limit: 5 });
    assert.equal(errorCode(p), undefined, p.raw);
    assert.equal(p.json.Response.AgentDealSet.length, 5);
    assert.deepEqual(problems(replacement.output()), []);
    console.log(`# replacement ready ${readyMs} ms after spawn (ready poll ${ready.ms} ms after its banner)`);
  });
});
