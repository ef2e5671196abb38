/**
 * Liveness and readiness of `tcdeals serve`: `/_tcdeals/health` answers 200 whenever the process
 * does; `/_tcdeals/ready` is 200 only when the database, the migrations, the demo seed and Redis
 * (if configured) are all fine, and otherwise 503 naming what is wrong. Losing Redis degrades the
 * shared rate limit to a per-instance one, never the API.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPostgresDatabase, type TestDatabase } from '../helpers/backends.js';
import { errorCode, type ApiAnswer } from '../helpers/call.js';
import { serve, type RunningServer } from '../helpers/cli.js';
import {
  callBilling, countRedisKeys, DEMO_CLIENT_KEY, deleteRedisKeys, getJson, PG_SKIP, pollStatus, problems, REDIS_SKIP, REDIS_URL, redisPrefix,
  runAll, skipUnless, stopAll, tally, THROWAWAY_REDIS_SKIP, ThrowawayRedis, type Tally,
} from './support.js';

const ALL_OK = { database: 'ok', migrations: 'ok', seed: 'ok', redis: 'ok' };

async function assertHealthy(s: RunningServer): Promise<void> {
  const health = await getJson(`http://${s.endpoint}/_tcdeals/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(health.body, { status: 'ok' });
}

async function burst(n: number, call: () => Promise<ApiAnswer>): Promise<Tally> {
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: n }, call));
  return tally(answers, Date.now() - started);
}

describe('readiness', () => {
  const servers: RunningServer[] = [];
  const databases: TestDatabase[] = [];
  const prefixes: string[] = [];
  const redises: ThrowawayRedis[] = [];
  after(() =>
    runAll([
      () => stopAll(servers),
      ...databases.map((d) => () => d.drop()),
      ...prefixes.map((p) => (REDIS_URL ? () => deleteRedisKeys(REDIS_URL!, p) : undefined)),
      ...redises.map((r) => () => r.kill()),
    ]),
  );

  test('SQLite without Redis: health 200, ready 200 with redis "not configured"', async () => {
    const s = await serve(['--db', ':memory:']);
    servers.push(s);
    await assertHealthy(s);
    const ready = await getJson(`http://${s.endpoint}/_tcdeals/ready`);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual(ready.body, { status: 'ready', checks: { database: 'ok', migrations: 'ok', seed: 'ok', redis: 'not configured' } });
    assert.equal(await s.stop(), 0);
  });

  test('PostgreSQL and Redis: ready 200 with database, migrations, seed and redis all ok', { skip: skipUnless(PG_SKIP, REDIS_SKIP) }, async () => {
    const db = await createPostgresDatabase();
    databases.push(db);
    const prefix = redisPrefix();
    prefixes.push(prefix);
    const s = await serve(['--db', db.url, '--redis', REDIS_URL!, '--redis-key-prefix', prefix]);
    servers.push(s);
    await assertHealthy(s);
    const ready = await getJson(`http://${s.endpoint}/_tcdeals/ready`);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual(ready.body, { status: 'ready', checks: ALL_OK });
    // The limiter's state is in that Redis, under that prefix.
    const call = await callBilling(s.endpoint);
    assert.equal(errorCode(call), undefined, call.raw);
    assert.ok((await countRedisKeys(REDIS_URL!, prefix)) >= 1, 'a rate-limit key under the test prefix');
    assert.equal(await s.stop(), 0);
    assert.deepEqual(problems(s.output()), []);
  });

  test('Redis goes away: ready 503 naming redis, calls still answered with the 20/s limit per instance; Redis back: ready 200', { skip: THROWAWAY_REDIS_SKIP }, async () => {
    const redis = await ThrowawayRedis.start();
    redises.push(redis);
    const prefix = redisPrefix();
    const s = await serve(['--db', ':memory:', '--redis', redis.url, '--redis-key-prefix', prefix]);
    servers.push(s);
    const up = await getJson(`http://${s.endpoint}/_tcdeals/ready`);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.deepEqual(up.body.checks, ALL_OK);

    await redis.kill();
    const killedAt = Date.now();
    const down = await pollStatus(`http://${s.endpoint}/_tcdeals/ready`, 503, 10_000);
    assert.equal(down.body.status, 'not ready');
    assert.match(down.body.checks.redis, /^unreachable/);
    assert.equal(down.body.checks.database, 'ok');
    await assertHealthy(s);

    // The in-memory insurance limiter keeps the documented limit on this instance.
    let t = await burst(25, () => callBilling(s.endpoint, DEMO_CLIENT_KEY));
    const first = t;
    if (t.ms > 800) {
      await sleep(1200);
      t = await burst(25, () => callBilling(s.endpoint, DEMO_CLIENT_KEY));
    }
    assert.deepEqual(t.other, [], 'calls are answered while Redis is down');
    if (t.ms <= 800) {
      assert.equal(t.ok, 20, `exactly 20 accepted (burst ${t.ms} ms)`);
      assert.equal(t.limited, 5);
    } else {
      assert.ok(t.ok >= 19 && t.ok <= 21 && t.limited >= 4, `${t.ok}/${t.limited} in a slow burst (${t.ms} ms)`);
    }

    await redis.restart();
    const back = await pollStatus(`http://${s.endpoint}/_tcdeals/ready`, 200, 10_000);
    assert.deepEqual(back.body.checks, ALL_OK);
    // The limiter uses Redis again.
    await sleep(1100);
    const call = await callBilling(s.endpoint, DEMO_CLIENT_KEY);
    assert.equal(errorCode(call), undefined, call.raw);
    assert.ok((await countRedisKeys(redis.url, prefix)) >= 1, 'the limiter writes to Redis again');
    console.log(
      `# redis down: ready 503 after ${down.ms} ms (${JSON.stringify(down.body.checks.redis)}); burst of 25 without Redis: ${t.ok} accepted, ${t.limited} RequestLimitExceeded in ${t.ms} ms${t === first ? '' : ` (retried after a ${first.ms} ms burst)`}; ready again ${back.ms} ms after restart (${Date.now() - killedAt} ms outage)`,
    );
    await deleteRedisKeys(redis.url, prefix);
    assert.equal(await s.stop(), 0);
    await redis.kill();
  });

  test('the database is dropped while the server runs: ready 503 with database "unreachable…", health still 200, calls still answered', { skip: PG_SKIP }, async () => {
    const db = await createPostgresDatabase();
    databases.push(db);
    const s = await serve(['--db', db.url, '--no-demo', '--pool-size', '2']);
    servers.push(s);
    const up = await getJson(`http://${s.endpoint}/_tcdeals/ready`);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.deepEqual(up.body.checks, { database: 'ok', migrations: 'ok', seed: 'not required', redis: 'not configured' });

    await db.drop(); // DROP DATABASE … WITH (FORCE): the server's connections are terminated
    const down = await pollStatus(`http://${s.endpoint}/_tcdeals/ready`, 503, 10_000);
    assert.equal(down.body.status, 'not ready');
    assert.match(down.body.checks.database, /^unreachable/);
    await assertHealthy(s);
    // The API still answers, with the documented envelope.
    const call = await callBilling(s.endpoint, DEMO_CLIENT_KEY);
    assert.equal(call.status, 200);
    assert.equal(call.contentType, 'application/json');
    assert.equal(errorCode(call), 'InternalError', call.raw);
    await assertHealthy(s);
    console.log(`# database dropped: ready 503 after ${down.ms} ms: ${JSON.stringify(down.body.checks.database)}`);
    assert.equal(await s.stop(), 0);
  });
});
