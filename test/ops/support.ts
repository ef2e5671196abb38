/**
 * Shared pieces of the production-behaviour suites (test/ops): which external services are
 * configured, unique Redis key prefixes and their clean-up, throwaway redis-server processes on
 * free loopback ports, and small HTTP helpers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { errorCode, tc3, type ApiAnswer, type Key } from '../helpers/call.js';
import type { RunningServer } from '../helpers/cli.js';

export const PG_URL = process.env.TEST_DATABASE_URL || undefined;
export const REDIS_URL = process.env.TEST_REDIS_URL || undefined;

export const PG_SKIP = PG_URL ? undefined : 'needs PostgreSQL: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)';
export const REDIS_SKIP = REDIS_URL ? undefined : 'needs Redis: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)';
const REDIS_SERVER_MISSING = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0 ? undefined : 'needs the redis-server binary on PATH (to start a throwaway Redis)';

/** The first reason to skip, if any: `{ skip: skipUnless(PG_SKIP, REDIS_SKIP) }`. */
export function skipUnless(...reasons: Array<string | undefined>): string | undefined {
  const missing = reasons.filter((r): r is string => r !== undefined);
  return missing.length > 0 ? missing.join('; ') : undefined;
}

/** Skip reason for tests that start their own redis-server (Redis tests are opted into with TEST_REDIS_URL). */
export const THROWAWAY_REDIS_SKIP = skipUnless(REDIS_SKIP, REDIS_SERVER_MISSING);

export const DEMO_AGENT_KEY: Key = { SecretId: 'AKIDtcdealsDemoAgent000000000000001', SecretKey: 'tcdealsDemoAgentSecretKey0000001' };
export const DEMO_CLIENT_KEY: Key = { SecretId: 'AKIDtcdealsDemoClient00000000000001', SecretKey: 'tcdealsDemoClientSecretKey000001' };
export const DEMO_AGENT_UIN = '200000000001';
export const DEMO_CLIENT_UIN = '100000000001';

export const BILLING = { action: 'DescribeDealsByCond', version: '2018-07-09' } as const;
export const PARTNERS = { action: 'DescribeAgentDealsByCache', version: '2018-03-21' } as const;

/** A billing window covering the whole demo year (and a little more). */
export function billingBody(limit = 1): Record<string, unknown> {
  const fmt = (ms: number) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
  return { StartTime: fmt(Date.now() - 400 * 86400e3), EndTime: fmt(Date.now() + 86400e3), Limit: limit };
}

export const callBilling = (endpoint: string, key: Key = DEMO_CLIENT_KEY, limit = 1, headers?: Record<string, string>) =>
  tc3(`http://${endpoint}/`, { ...BILLING, body: billingBody(limit), key, headers });
export const callPartners = (endpoint: string, key: Key = DEMO_AGENT_KEY, body: Record<string, unknown> = { Offset: 0, Limit: 1 }, headers?: Record<string, string>) =>
  tc3(`http://${endpoint}/`, { ...PARTNERS, body, key, headers });

/** A unique Redis key prefix per test, so parallel runs and other deployments never share counters. */
export function redisPrefix(): string {
  return `tcdeals-test-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key starting with `prefix`; returns how many were deleted. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

export async function countRedisKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  } finally {
    redis.disconnect();
  }
}

/** A free loopback TCP port, as the OS hands it out (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether a TCP connection to 127.0.0.1:port is accepted (false on ECONNREFUSED). */
export function canConnect(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A redis-server of the test's own on a free loopback port, with no persistence. */
export class ThrowawayRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<ThrowawayRedis> {
    const r = new ThrowawayRedis(await freePort());
    await r.restart();
    return r;
  }

  /** (Re)starts the server on the same port and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) throw new Error('redis-server is still running');
    let out = '';
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    this.child = child;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${out}`);
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not up yet
      } finally {
        probe.disconnect();
      }
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not come up:\n${out}`);
      await sleep(50);
    }
  }

  /** Kills the server (SIGKILL by default) and waits for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Polls `url` until it answers `status` (returns the last answer) or throws after `timeoutMs`. */
export async function pollStatus(url: string, status: number, timeoutMs = 10_000): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  let last: { status: number; body: any } | undefined;
  for (;;) {
    try {
      last = await getJson(url);
      if (last.status === status) return { ...last, ms: Date.now() - started };
    } catch (err) {
      last = { status: -1, body: String(err) };
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await sleep(50);
  }
}

export interface Tally {
  ok: number;
  limited: number;
  other: string[];
  ms: number;
}

export function tally(answers: ApiAnswer[], ms: number): Tally {
  const t: Tally = { ok: 0, limited: 0, other: [], ms };
  for (const a of answers) {
    const code = errorCode(a);
    if (a.status === 200 && code === undefined && a.json.Response.RequestId) t.ok++;
    else if (code === 'RequestLimitExceeded') t.limited++;
    else t.other.push(code ?? `HTTP ${a.status}: ${a.raw.slice(0, 200)}`);
  }
  return t;
}

/** pino lines of a child's output (the banner and anything else is skipped). */
export function logLines(output: string): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a line cut by the pipe; the caller waits for complete ones
    }
  }
  return out;
}

/** Lines at pino level warn (40) and above, plus anything the launcher reports as an error. */
export function problems(output: string): string[] {
  const bad = logLines(output)
    .filter((l) => typeof l.level === 'number' && l.level >= 40)
    .map((l) => JSON.stringify(l));
  for (const line of output.split('\n')) if (!line.startsWith('{') && /^tcdeals: |Error:|Unhandled|ECONNREFUSED/.test(line)) bad.push(line);
  return bad;
}

/** Stops every server still running, SIGKILL if SIGTERM does not end it in time. */
export async function stopAll(servers: Iterable<RunningServer | undefined>): Promise<void> {
  await Promise.all(
    [...servers].map(async (s) => {
      if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return;
      const timer = setTimeout(() => s.child.kill('SIGKILL'), 5000);
      try {
        await s.stop('SIGTERM');
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

export { runAll } from '../helpers/cleanup.js';

/** A PostgreSQL client on the admin (TEST_DATABASE_URL) database, for pg_locks / pg_stat_activity. */
export async function adminClient(url = PG_URL!): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}
