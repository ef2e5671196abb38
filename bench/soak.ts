/**
 * `npm run soak [-- --minutes N]`: a soak that must stay flat. Mixed load for N minutes (10 by
 * default) on the 1M-deal bench dataset — both actions with random valid filters, ~10 % bad
 * requests, ~1 % forgeries, admin journal reads, small NDJSON imports every few seconds and
 * partners cache rebuilds while it runs — against real `tcdeals serve` child processes: one on
 * SQLite, or with DATABASE_URL (+ REDIS_URL) two on PostgreSQL sharing the database and Redis,
 * the load spread across both.
 *
 * Every answer is checked (HTTP 200, `Content-Type: application/json`, `{"Response": {…,
 * "RequestId"}}`; good requests succeed with a consistent page, bad ones get their one documented
 * code, forgeries an `AuthFailure.*`). Every 10 s each server is sampled (RSS, heap used, event
 * loop delay p99, pool use, error counts) and a table row printed. At the end: a summary,
 * bench/soak.json, and exit 0 only when the verdict passes (see `verdict` below).
 *
 * Options: --minutes N (10), --concurrency N (8 requests in flight), --seed N (random; the same
 * seed gives the same request shapes), --warmup-minutes N (2); to tell causes apart:
 * --import-seconds N (5; 0 = no imports), --rebuilds 0|1|2 (2 from 6 minutes on, else 1).
 * BENCH_DEALS picks the dataset size, as for the bench.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { closeSync, copyFileSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ERROR_CODES } from '../src/protocol/errors.js';
import { DAY_MS, formatDateTime } from '../src/protocol/datetime.js';
import { DEALS } from './cases.js';
import { BENCH_ANCHOR, benchDataset, benchPgDataset, CLIENTS, withDatabase, type BenchDataset } from './dataset.js';
import { startChild, tcdealsServeArgs, type RunningChild } from './load.js';
import { ANCHOR_TIME, burstCall, MIX, nextRequest, Rng, setupCall, type AgentSample, type BillingSample, type Key, type Planned, type World } from './soak-traffic.js';

// ---------------------------------------------------------------------------------------------
// Settings

const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '8' },
    seed: { type: 'string' },
    'warmup-minutes': { type: 'string', default: '2' },
    'import-seconds': { type: 'string', default: '5' },
    rebuilds: { type: 'string' },
  },
});
const MINUTES = Number(opts.minutes);
const CONCURRENCY = Number(opts.concurrency);
const SEED = opts.seed === undefined ? randomInt(2 ** 31) : Number(opts.seed);
const WARMUP_S = Number(opts['warmup-minutes']) * 60;
/** Seconds between imports (0: none). */
const IMPORT_S = Number(opts['import-seconds']);
/** Cache rebuilds (`tcdeals cache rebuild`), as fractions of the run: two in a long run, one in a short one (--rebuilds 0: none). */
const REBUILD_AT = [0.3, 0.65].slice(0, opts.rebuilds === undefined ? (MINUTES >= 6 ? 2 : 1) : Number(opts.rebuilds));
if (!(MINUTES > 0) || !(CONCURRENCY >= 1) || !Number.isFinite(SEED) || !(WARMUP_S >= 0) || !(IMPORT_S >= 0) || REBUILD_AT.length > 2) {
  throw new Error('usage: npm run soak -- [--minutes N] [--concurrency N] [--seed N] [--warmup-minutes N] [--import-seconds N] [--rebuilds 0|1|2]');
}
const DURATION_S = Math.round(MINUTES * 60);

const PG_URL = process.env.DATABASE_URL || undefined;
const REDIS_URL = process.env.REDIS_URL || undefined;
if (PG_URL && !/^postgres(ql)?:\/\//.test(PG_URL)) throw new Error('DATABASE_URL must be a postgres:// URL');
const BACKEND = PG_URL ? 'postgres' : 'sqlite';
const INSTANCES = PG_URL ? 2 : 1;

/** Seconds between samples. */
const SAMPLE_S = 10;
/** Seconds between rate-limit bursts on the probe server, and the burst size. */
const BURST_S = 60;
const BURST_CALLS = 30;
/** The documented limit, enforced by the probe server; the soaked servers get one so high no call reaches it. */
const DOCUMENTED_LIMIT = 20;
const SOAK_LIMIT = 1_000_000;
/** A call not answered within this is unanswered. */
const TIMEOUT_MS = 60_000;
/** Keyed clients calling billing. */
const BILLING_CLIENTS = 16;
/** RSS may move this much (either way) from its reference after the warm-up. */
const RSS_TOLERANCE = 0.1;
/** The reference is the median of the samples in this many seconds after the warm-up. */
const RSS_REFERENCE_S = 60;

const AGENT_UIN = '200000000001';
const clientUin = (i: number) => String(100_000_000_000 + i);
const BIN = fileURLToPath(new URL('../bin/tcdeals.js', import.meta.url));
const WORK_DIR = fileURLToPath(new URL('./cache/soak/', import.meta.url));
const OUT = fileURLToPath(new URL('./soak.json', import.meta.url));

const STARTED = Date.now();
const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
const log = (s: string) => process.stderr.write(`[${clock((Date.now() - STARTED) / 1000)}] ${s}\n`);

// ---------------------------------------------------------------------------------------------
// HTTP: one keep-alive agent per server, every answer read whole

interface Answer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
  ms: number;
}

type Sendable = Pick<Planned, 'method' | 'path' | 'headers' | 'body'>;

/** When the agent last released each pooled socket: a reset on a socket idle this long can be the keep-alive race. */
const freedAt = new WeakMap<Socket, number>();
/** The server closes idle keep-alive connections after 5 s (Node's default `keepAliveTimeout`). */
const KEEP_ALIVE_RACE_IDLE_MS = 4500;
/** Calls repeated once because their reused connection was reset before any answer after sitting idle. */
let keepAliveRetries = 0;

/** A keep-alive agent for the load, remembering when each socket went idle. */
function loadAgent(maxSockets: number): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  agent.on('free', (socket: Socket) => freedAt.set(socket, Date.now()));
  return agent;
}

/** A new connection per call, for the occasional calls (samples, imports, bursts, setup): no idle connection to race with. */
const oneShot = new http.Agent({ keepAlive: false });

/**
 * One call, the answer read whole. A call whose reused keep-alive connection is reset before any
 * answer, after sitting idle long enough for the server's keep-alive timer to close it, met the
 * race every HTTP client meets (RFC 9112 §9.3.1: retry): it is repeated once, and counted.
 * Any other reset is a failure.
 */
async function send(agent: http.Agent, port: number, r: Sendable, timeoutMs = TIMEOUT_MS): Promise<Answer> {
  try {
    return await sendOnce(agent, port, r, timeoutMs);
  } catch (err) {
    if (!(err instanceof KeepAliveRace)) throw err;
    keepAliveRetries++;
    return sendOnce(agent, port, r, timeoutMs);
  }
}

class KeepAliveRace extends Error {}

function sendOnce(agent: http.Agent, port: number, r: Sendable, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers = { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) };
    let idleMs = 0;
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('socket', (socket: Socket) => {
      const freed = freedAt.get(socket);
      idleMs = freed === undefined ? 0 : Date.now() - freed;
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: Error & { code?: string }) => {
      const race = req.reusedSocket && !answered && err.code === 'ECONNRESET' && idleMs >= KEEP_ALIVE_RACE_IDLE_MS;
      reject(race ? new KeepAliveRace(err.message) : new Error(`${err.message}${req.reusedSocket ? ` (reused connection, idle ${idleMs} ms)` : ''}`));
    });
    req.end(r.body);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN_CODES = new Set<string>(ERROR_CODES);

/** The API envelope, checked to the letter: what is wrong with it, or the Response and its code. */
function envelope(a: Answer): { problem: string } | { response: Record<string, unknown>; code: string } {
  if (a.contentType !== 'application/json') return { problem: `Content-Type ${JSON.stringify(a.contentType)}` };
  let json: unknown;
  try {
    json = JSON.parse(a.body.toString('utf8'));
  } catch {
    return { problem: `body is not JSON: ${JSON.stringify(a.body.toString('utf8').slice(0, 80))}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || Object.keys(json).join() !== 'Response') return { problem: 'body is not {"Response": …}' };
  const response = (json as { Response: unknown }).Response;
  if (typeof response !== 'object' || response === null || Array.isArray(response)) return { problem: 'Response is not an object' };
  const r = response as Record<string, unknown>;
  if (typeof r.RequestId !== 'string' || !UUID.test(r.RequestId)) return { problem: `RequestId ${JSON.stringify(r.RequestId)} is not a UUID` };
  if (r.Error === undefined) return { response: r, code: 'OK' };
  const e = r.Error as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null || typeof e.Code !== 'string' || typeof e.Message !== 'string' || e.Message === '') return { problem: `Error is not {Code, Message}: ${JSON.stringify(e).slice(0, 80)}` };
  if (!KNOWN_CODES.has(e.Code)) return { problem: `undocumented error code ${e.Code}` };
  return { response: r, code: e.Code };
}

// ---------------------------------------------------------------------------------------------
// Counts

type Problem = 'unanswered' | 'http5xx' | 'non200' | 'envelope' | 'unexpected';
const PROBLEMS: Problem[] = ['unanswered', 'http5xx', 'non200', 'envelope', 'unexpected'];

class Tally {
  readonly byLabel = new Map<string, { kind: string; calls: number; codes: Map<string, number>; problems: number; totalMs: number; maxMs: number }>();
  readonly problems: Record<Problem, number> = { unanswered: 0, http5xx: 0, non200: 0, envelope: 0, unexpected: 0 };
  readonly examples: Array<{ at: string; problem: Problem; what: string; detail: string }> = [];
  calls = 0;
  // Since the last sample:
  interval = { calls: 0, problems: 0, apiErrors: 0, latencies: [] as number[] };

  record(kind: string, label: string, code: string, ms: number | undefined, problem?: { problem: Problem; detail: string }): void {
    let l = this.byLabel.get(label);
    if (!l) this.byLabel.set(label, (l = { kind, calls: 0, codes: new Map(), problems: 0, totalMs: 0, maxMs: 0 }));
    l.calls++;
    l.totalMs += ms ?? 0;
    l.maxMs = Math.max(l.maxMs, ms ?? 0);
    l.codes.set(code, (l.codes.get(code) ?? 0) + 1);
    this.calls++;
    this.interval.calls++;
    if (ms !== undefined) this.interval.latencies.push(ms);
    if (code !== 'OK' && !code.startsWith('HTTP') && code !== 'unanswered' && kind !== 'journal') this.interval.apiErrors++;
    if (problem) {
      l.problems++;
      this.problems[problem.problem]++;
      this.interval.problems++;
      if (this.examples.length < 50) this.examples.push({ at: clock((Date.now() - t0) / 1000), problem: problem.problem, what: label, detail: problem.detail.slice(0, 300) });
      if (this.examples.length <= 10) log(`PROBLEM ${problem.problem} ${label}: ${problem.detail.slice(0, 300)}`);
    }
  }

  takeInterval() {
    const i = this.interval;
    this.interval = { calls: 0, problems: 0, apiErrors: 0, latencies: [] };
    const sorted = i.latencies.sort((a, b) => a - b);
    const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);
    return { calls: i.calls, problems: i.problems, apiErrors: i.apiErrors, p50Ms: pct(50), p99Ms: pct(99), maxMs: sorted.at(-1) ?? 0 };
  }
}

const tally = new Tally();
let t0 = Date.now();

/** Judges one API or journal answer against what the request expected. */
function judge(p: Planned, a: Answer | Error): void {
  if (a instanceof Error) return tally.record(p.kind, p.label, 'unanswered', undefined, { problem: 'unanswered', detail: `${p.method} ${p.path.slice(0, 80)}: ${a.message}` });
  if (a.status >= 500) return tally.record(p.kind, p.label, `HTTP ${a.status}`, a.ms, { problem: 'http5xx', detail: `HTTP ${a.status}: ${a.body.toString('utf8').slice(0, 200)}` });
  if (p.kind === 'journal') {
    const problem = journalProblem(a, Number(new URLSearchParams(p.path.split('?')[1]).get('limit')));
    return tally.record(p.kind, p.label, a.status === 200 ? 'OK' : `HTTP ${a.status}`, a.ms, problem ? { problem: a.status === 200 ? 'unexpected' : 'non200', detail: problem } : undefined);
  }
  if (a.status !== 200) return tally.record(p.kind, p.label, `HTTP ${a.status}`, a.ms, { problem: 'non200', detail: `HTTP ${a.status}: ${a.body.toString('utf8').slice(0, 200)}` });
  const e = envelope(a);
  if ('problem' in e) return tally.record(p.kind, p.label, 'envelope', a.ms, { problem: 'envelope', detail: e.problem });
  const ok = p.expect === 'OK' ? e.code === 'OK' : p.expect === 'AuthFailure.*' ? e.code.startsWith('AuthFailure.') : e.code === p.expect;
  if (!ok) {
    const message = e.code === 'OK' ? 'succeeded' : `${e.code}: ${String((e.response.Error as { Message: string }).Message)}`;
    return tally.record(p.kind, p.label, e.code, a.ms, { problem: 'unexpected', detail: `expected ${p.expect}, got ${message} — ${p.method} ${p.path.slice(0, 60)} ${p.body?.toString('utf8').slice(0, 300) ?? ''}` });
  }
  const wrong = e.code === 'OK' ? p.verify?.(e.response) : undefined;
  tally.record(p.kind, p.label, e.code, a.ms, wrong ? { problem: 'unexpected', detail: `wrong answer: ${wrong} — ${p.body?.toString('utf8').slice(0, 300) ?? p.path.slice(0, 300)}` } : undefined);
}

function journalProblem(a: Answer, limit: number): string | undefined {
  if (a.status !== 200) return `HTTP ${a.status}: ${a.body.toString('utf8').slice(0, 200)}`;
  if (!a.contentType?.startsWith('application/json')) return `Content-Type ${String(a.contentType)}`;
  try {
    const j = JSON.parse(a.body.toString('utf8')) as { size?: unknown; count?: unknown; entries?: unknown };
    if (!Array.isArray(j.entries) || typeof j.count !== 'number' || typeof j.size !== 'number') return 'not {size, count, entries}';
    if (j.entries.length !== j.count || j.count > limit) return `count ${j.count}, ${j.entries.length} entries, limit ${limit}`;
  } catch {
    return 'body is not JSON';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Dataset, servers

interface Soaked {
  /** The database the servers use: a throwaway copy of the bench dataset. */
  db: string;
  dataset: BenchDataset;
  cleanup(): Promise<void>;
}

/**
 * Imports and new keys write into the database, and `npm run bench` relies on the cached dataset
 * as seeded: the soak runs on a copy, removed at the end. SQLite: a file copy next to the cache
 * (a few seconds for 2.5 GB). PostgreSQL: `CREATE DATABASE … TEMPLATE` the bench database
 * (a file-level copy on the server).
 */
async function soakDatabase(): Promise<Soaked> {
  // The previous run's server logs go; this run's are written here.
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  if (!PG_URL) {
    const dataset = await benchDataset(DEALS, log);
    const db = `${WORK_DIR}deals-${DEALS}.db`;
    const remove = () => {
      for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) rmSync(f, { force: true });
    };
    remove();
    log(`copying the dataset to ${db} …`);
    copyFileSync(dataset.path, db, constants.COPYFILE_FICLONE);
    // Anything a reader left in the dataset's write-ahead log belongs to the copy too.
    if (existsSync(`${dataset.path}-wal`)) copyFileSync(`${dataset.path}-wal`, `${db}-wal`);
    return { db, dataset, cleanup: async () => remove() };
  }
  const dataset = await benchPgDataset(PG_URL, DEALS, log);
  const source = new URL(dataset.path).pathname.slice(1);
  const name = `tcdeals_soak_${DEALS}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    log(`copying the dataset: create database ${name} template ${source} …`);
    await admin.query(`create database ${name} template ${source} strategy file_copy`);
  } finally {
    await admin.end();
  }
  return {
    db: withDatabase(PG_URL, name),
    dataset,
    cleanup: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).finally(() => c.end());
    },
  };
}

interface Server {
  name: string;
  child: RunningChild;
  agent: http.Agent;
  logFile: string;
}

const ADMIN_TOKEN = randomBytes(16).toString('hex');
const REDIS_PREFIX = `tcdeals:soak:${process.pid}`;

function serveArgs(db: string, limit: number, extra: string[] = []): string[] {
  const args = tcdealsServeArgs(db);
  args[args.indexOf('--rate-limit') + 1] = String(limit);
  return [...args, '--admin-token', ADMIN_TOKEN, ...extra];
}

async function startServer(name: string, db: string, limit: number, extra: string[], maxSockets: number): Promise<Server> {
  const logFile = `${WORK_DIR}${name}.log`;
  const fd = openSync(logFile, 'w');
  try {
    const child = await startChild(serveArgs(db, limit, extra), [], fd);
    return { name, child, agent: loadAgent(maxSockets), logFile };
  } finally {
    closeSync(fd);
  }
}

/** A JSON call that must answer 2xx (setup and admin calls). */
async function call<T>(server: Server, r: Sendable): Promise<T> {
  const a = await send(oneShot, server.child.port, r);
  const text = a.body.toString('utf8');
  if (a.status < 200 || a.status > 299) throw new Error(`${r.method} ${r.path.slice(0, 60)} on ${server.name}: HTTP ${a.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function api<T>(server: Server, r: Sendable): Promise<T> {
  const j = await call<{ Response: T & { Error?: { Code: string; Message: string } } }>(server, r);
  if (j.Response.Error) throw new Error(`setup call on ${server.name}: ${j.Response.Error.Code}: ${j.Response.Error.Message}`);
  return j.Response;
}

function admin(server: Server, method: string, path: string, body?: string, contentType = 'application/json'): Sendable {
  return {
    method,
    path: `/_tcdeals/admin${path}`,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : Buffer.from(body),
  };
}

// ---------------------------------------------------------------------------------------------
// The world: keys and real deals, read through the API before the clock starts

interface AgentElem extends Record<string, unknown> {
  DealName: string;
  OwnerUin: string;
  BigDealId: string;
  CreatTime: string;
  Status: string;
  PayerMode: string;
  ResourceIds: string[];
}

async function buildWorld(servers: Server[], rng: Rng, dataset: BenchDataset): Promise<{ world: World; template: AgentElem; importOwners: string[]; burstKey: Key }> {
  const s = servers[0]!;
  const port = s.child.port;
  const agent: Key = { ...dataset.agent.key, uin: dataset.agent.uin };
  const demoClient: Key = { ...dataset.client.key, uin: dataset.client.uin };
  // Billing callers: the demo client and 15 more, spread over the clients (large and small ones).
  const keyed = new Set<number>([1]);
  while (keyed.size < BILLING_CLIENTS) keyed.add(rng.int(2, CLIENTS - 1));
  const clients: Key[] = [demoClient];
  for (const i of [...keyed].slice(1)) {
    const k = await call<{ SecretId: string; SecretKey: string }>(s, admin(s, 'POST', `/accounts/${clientUin(i)}/keys`, '{}'));
    clients.push({ SecretId: k.SecretId, SecretKey: k.SecretKey, uin: clientUin(i) });
  }
  const burst = await call<{ SecretId: string; SecretKey: string }>(s, admin(s, 'POST', `/accounts/${clientUin(CLIENTS)}/keys`, '{}'));
  const burstKey: Key = { SecretId: burst.SecretId, SecretKey: burst.SecretKey, uin: clientUin(CLIENTS) };

  // Partners deals at random depths.
  const first = await api<{ TotalCount: number; AgentDealSet: AgentElem[] }>(s, setupCall(port, 'partners', agent, { Offset: 0, Limit: 100 }));
  const elems: AgentElem[] = [...first.AgentDealSet];
  for (let i = 0; i < 20; i++) {
    const r = await api<{ AgentDealSet: AgentElem[] }>(s, setupCall(port, 'partners', agent, { Offset: rng.int(0, Math.max(0, first.TotalCount - 100)), Limit: 100 }));
    elems.push(...r.AgentDealSet);
  }
  const agentDeals: AgentSample[] = elems.map((e) => ({ DealName: e.DealName, OwnerUin: e.OwnerUin, BigDealId: e.BigDealId, CreatTime: e.CreatTime, Status: Number(e.Status), PayerMode: Number(e.PayerMode) }));

  // Each keyed client's own deals, every status, in a few 3-month windows.
  const billingDeals = new Map<string, BillingSample[]>();
  for (const c of clients) {
    const samples: BillingSample[] = [];
    for (let i = 0; i < 3; i++) {
      const end = BENCH_ANCHOR - rng.int(0, 270) * DAY_MS;
      const r = await api<{ Deals: Array<{ OrderId: string; BigDealId: string; ResourceId: string[] | null; CreateTime: string; Status: number }> }>(
        s,
        setupCall(port, 'billing', c, { StartTime: formatDateTime(end - 90 * DAY_MS), EndTime: formatDateTime(end), Limit: 100, StatusSet: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30] }),
      );
      samples.push(...r.Deals.map((d) => ({ OrderId: d.OrderId, BigDealId: d.BigDealId, ResourceIds: d.ResourceId ?? [], CreateTime: d.CreateTime, Status: d.Status })));
    }
    billingDeals.set(c.uin, samples);
  }
  const ownerUins = Array.from({ length: CLIENTS }, (_, i) => clientUin(i + 1));
  const keyedUins = new Set([...clients.map((c) => c.uin), burstKey.uin]);
  const world: World = { agent, clients, billingDeals, agentDeals, ownerUins, adminToken: ADMIN_TOKEN };
  log(`world: ${clients.length} billing clients, ${agentDeals.length} partners deals and ${[...billingDeals.values()].reduce((n, s) => n + s.length, 0)} billing deals sampled; agent TotalCount ${first.TotalCount}`);
  return { world, template: first.AgentDealSet[0]!, importOwners: ownerUins.filter((u) => !keyedUins.has(u)), burstKey };
}

// ---------------------------------------------------------------------------------------------
// Background activity: imports, rebuilds, bursts

interface ImportRecord {
  at: number;
  server: string;
  deals: number;
  ok: boolean;
  ms: number;
  visible?: boolean;
  detail?: string;
}
const imports: ImportRecord[] = [];
let importSeq = 0;
const RUN_TAG = randomBytes(3).toString('hex');

/** A few new deals (new DealNames, created after the dataset's anchor day) for existing and new owners, imported with ?agent=. */
async function importOnce(servers: Server[], rng: Rng, template: AgentElem, owners: string[], world: World): Promise<void> {
  const i = importSeq++;
  const server = servers[i % servers.length]!;
  const reader = servers[(i + 1) % servers.length]!;
  const n = rng.int(2, 5);
  const deals = Array.from({ length: n }, (_, k) => {
    const seq = `${i}x${k}`;
    const created = BENCH_ANCHOR + rng.int(60, 7 * 86_400) * 1000;
    const owner = rng.chance(0.1) ? `3${String(Date.now() % 1e7).padStart(7, '0')}${String(i % 10_000).padStart(4, '0')}` : rng.pick(owners);
    return {
      ...template,
      DealName: `soak-${RUN_TAG}-${seq}`,
      DealId: String(900_000_000_000 + i * 10 + k),
      BigDealId: `soakbig-${RUN_TAG}-${i}`,
      OwnerUin: owner,
      CreatTime: formatDateTime(created),
      PayEndTime: formatDateTime(created + 60_000),
      UpdateTime: formatDateTime(created + 60_000),
      Status: '4',
      ResourceIds: [`soak-res-${RUN_TAG}-${seq}`],
      RefundMap: [],
    };
  });
  const started = performance.now();
  const record: ImportRecord = { at: Math.round((Date.now() - t0) / 1000), server: server.name, deals: n, ok: false, ms: 0 };
  imports.push(record);
  try {
    const r = await send(oneShot, server.child.port, admin(server, 'POST', `/deals/import?agent=${AGENT_UIN}`, deals.map((d) => JSON.stringify(d)).join('\n'), 'application/x-ndjson'));
    record.ms = Math.round(performance.now() - started);
    if (r.status !== 200) events.push(`import HTTP ${r.status} after ${(record.ms / 1000).toFixed(1)} s`);
    if (r.status >= 500) {
      tally.record('import', 'import', `HTTP ${r.status}`, r.ms, { problem: 'http5xx', detail: `import on ${server.name}: HTTP ${r.status} ${r.body.toString('utf8').slice(0, 200)}` });
      record.detail = `HTTP ${r.status}`;
      return;
    }
    const j = JSON.parse(r.body.toString('utf8')) as { imported?: number };
    record.ok = r.status === 200 && j.imported === n;
    if (!record.ok) {
      record.detail = `HTTP ${r.status} ${r.body.toString('utf8').slice(0, 200)}`;
      tally.record('import', 'import', `HTTP ${r.status}`, r.ms, { problem: r.status === 200 ? 'unexpected' : 'non200', detail: `import on ${server.name}: ${record.detail}` });
      return;
    }
    tally.record('import', 'import', 'OK', r.ms);
    if (record.ms > 2000) events.push(`import took ${(record.ms / 1000).toFixed(1)} s`);
    // Read back through the other instance: every imported deal is in the partners cache at once (no cache lag).
    const check = setupCall(reader.child.port, 'partners', world.agent, { Offset: 0, Limit: 10, DealNames: deals.map((d) => d.DealName) });
    const a = await send(oneShot, reader.child.port, check);
    const e = envelope(a);
    record.visible = 'response' in e && e.code === 'OK' && e.response.TotalCount === n;
    tally.record('import', 'import:read-back', 'code' in e ? e.code : 'envelope', a.ms, record.visible ? undefined : { problem: 'unexpected', detail: `imported ${n} deals on ${server.name}, read back on ${reader.name}: ${a.body.toString('utf8').slice(0, 200)}` });
  } catch (err) {
    record.detail = (err as Error).message;
    events.push(`import UNANSWERED: ${record.detail}`);
    tally.record('import', 'import', 'unanswered', undefined, { problem: 'unanswered', detail: `import on ${server.name}: ${(err as Error).message}` });
  }
}

interface RebuildRecord {
  startedAt: number;
  seconds?: number;
  exitCode?: number | null;
  output?: string;
}
const rebuilds: RebuildRecord[] = [];

/** `tcdeals cache rebuild` as a separate process, as an operator runs it next to live servers. */
function rebuild(db: string): Promise<void> {
  const record: RebuildRecord = { startedAt: Math.round((Date.now() - t0) / 1000) };
  rebuilds.push(record);
  events.push('rebuild started');
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'cache', 'rebuild', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      record.seconds = Math.round((Date.now() - started) / 100) / 10;
      record.exitCode = code;
      record.output = output.trim().slice(0, 500);
      events.push(code === 0 ? `rebuild done ${record.seconds} s` : `REBUILD FAILED (${code})`);
      log(`cache rebuild: exit ${code} after ${record.seconds} s: ${record.output}`);
      resolve();
    });
  });
}

interface BurstRecord {
  at: number;
  /** From the first call sent to the last answer. */
  ms: number;
  ok: number;
  limited: number;
  other: string[];
  /** Whether the burst fitted in one second, so its outcome is exact. */
  conclusive: boolean;
  pass: boolean;
}
const bursts: BurstRecord[] = [];

/** BURST_CALLS calls at once from one account to the probe server: the documented limit must answer RequestLimitExceeded past 20. */
async function burst(probe: Server, key: Key): Promise<void> {
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: BURST_CALLS }, () => send(oneShot, probe.child.port, burstCall(probe.child.port, key)).catch((err: Error) => err)));
  const ms = Math.round(performance.now() - started);
  const record: BurstRecord = { at: Math.round((Date.now() - t0) / 1000), ms, ok: 0, limited: 0, other: [], conclusive: ms <= 1000, pass: false };
  for (const a of answers) {
    const e = a instanceof Error ? { problem: a.message } : a.status !== 200 ? { problem: `HTTP ${a.status}` } : envelope(a);
    if ('problem' in e) record.other.push(e.problem);
    else if (e.code === 'OK') record.ok++;
    else if (e.code === 'RequestLimitExceeded') record.limited++;
    else record.other.push(e.code);
  }
  // The account was idle for a minute, so its fixed 1-second window starts with the burst's first
  // call: when every call is answered within a second, exactly 20 pass and 10 are refused. A
  // slower burst may span two windows (more pass); only its answers' kinds are judged then.
  record.pass = record.other.length === 0 && (!record.conclusive || (record.ok === DOCUMENTED_LIMIT && record.limited === BURST_CALLS - DOCUMENTED_LIMIT));
  bursts.push(record);
  events.push(`burst ${record.ok} ok/${record.limited} limited in ${ms} ms${record.pass ? '' : ' FAIL'}`);
}

// ---------------------------------------------------------------------------------------------
// Sampling

interface ServerSample {
  /** VmRSS from /proc/<pid>/status: what the RSS rule judges. */
  rssMb: number;
  /** Its anonymous part (heap, native allocations) and its file-backed part (mapped code), to tell a leak from the kernel's paging. */
  rssAnonMb?: number;
  rssFileMb?: number;
  heapUsedMb?: number;
  heapTotalMb?: number;
  eldP99Ms?: number;
  /** The longest event-loop delay since the previous sample (a stall p99 does not show). */
  eldMaxMs?: number;
  pool?: { inUse: number; idle: number; waiting: number; max: number };
  apiCalls?: number;
  apiErrors?: number;
  internalErrors?: number;
  activeHandles?: number;
  openFds?: number;
  metricsError?: string;
}

interface Sample {
  t: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  apiErrors: number;
  problems: number;
  servers: ServerSample[];
  events: string[];
}

const samples: Sample[] = [];
let events: string[] = [];

function metricValues(text: string): Array<{ name: string; labels: string; value: number }> {
  const out: Array<{ name: string; labels: string; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m) out.push({ name: m[1]!, labels: m[2] ?? '', value: Number(m[3]) });
  }
  return out;
}

function procMemory(pid: number | undefined): Pick<ServerSample, 'rssAnonMb' | 'rssFileMb'> {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { rssAnonMb: Math.round(kb('RssAnon') / 102.4) / 10, rssFileMb: Math.round(kb('RssFile') / 102.4) / 10 };
  } catch {
    return {};
  }
}

async function sampleServer(s: Server): Promise<ServerSample> {
  const out: ServerSample = { rssMb: Math.round(s.child.rssMb() * 10) / 10, ...procMemory(s.child.child.pid) };
  try {
    const a = await send(oneShot, s.child.port, { method: 'GET', path: '/metrics', headers: {} }, 20_000);
    if (a.status !== 200) throw new Error(`HTTP ${a.status}`);
    const values = metricValues(a.body.toString('utf8'));
    const one = (name: string, labels = '') => values.find((v) => v.name === name && (labels === '' || v.labels.includes(labels)))?.value;
    const sum = (name: string, keep: (labels: string) => boolean = () => true) => values.filter((v) => v.name === name && keep(v.labels)).reduce((n, v) => n + v.value, 0);
    const mb = (b: number | undefined) => (b === undefined ? undefined : Math.round((b / 2 ** 20) * 10) / 10);
    out.heapUsedMb = mb(one('tcdeals_nodejs_heap_size_used_bytes'));
    out.heapTotalMb = mb(one('tcdeals_nodejs_heap_size_total_bytes'));
    const eld = one('tcdeals_nodejs_eventloop_lag_p99_seconds');
    out.eldP99Ms = eld === undefined ? undefined : Math.round(eld * 10_000) / 10;
    const eldMax = one('tcdeals_nodejs_eventloop_lag_max_seconds');
    out.eldMaxMs = eldMax === undefined ? undefined : Math.round(eldMax * 1000);
    const total = one('tcdeals_db_pool_connections', 'state="total"');
    if (total !== undefined) {
      const idle = one('tcdeals_db_pool_connections', 'state="idle"') ?? 0;
      out.pool = { inUse: total - idle, idle, waiting: one('tcdeals_db_pool_connections', 'state="waiting"') ?? 0, max: one('tcdeals_db_pool_connections', 'state="max"') ?? 0 };
    }
    out.apiCalls = sum('tcdeals_api_calls_total');
    out.apiErrors = sum('tcdeals_api_calls_total', (l) => !l.includes('code="OK"'));
    out.internalErrors = sum('tcdeals_api_calls_total', (l) => l.includes('code="InternalError"'));
    out.activeHandles = one('tcdeals_nodejs_active_handles_total');
    out.openFds = one('tcdeals_process_open_fds');
  } catch (err) {
    out.metricsError = (err as Error).message;
    tally.record('metrics', 'metrics', 'unanswered', undefined, { problem: 'unanswered', detail: `GET /metrics on ${s.name}: ${(err as Error).message}` });
  }
  return out;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const each = (ss: ServerSample[], f: (s: ServerSample) => string | number | undefined) => ss.map((s) => f(s) ?? '-').join('/');

function printHeader(): void {
  const pool = PG_URL ? `  ${'pool use:wait'.padStart(INSTANCES * 6)}` : '';
  console.log(`${pad('time', 5)} ${pad('req/s', 6)} ${pad('p99 ms', 7)} ${pad('max ms', 7)}  ${pad('RSS MB', INSTANCES * 7)} ${pad('heap MB', INSTANCES * 6)} ${pad('ELD p99 ms', INSTANCES * 7)}${pool}  ${pad('API errors', 10)} ${pad('InternalError Σ', 15)} ${pad('problems', 8)}  events`);
}

function printRow(s: Sample): void {
  const pool = PG_URL ? `  ${pad(s.servers.map((x) => (x.pool ? `${x.pool.inUse}:${x.pool.waiting}` : '-')).join(' '), INSTANCES * 6)}` : '';
  console.log(
    `${pad(clock(s.t), 5)} ${pad(s.reqPerSec, 6)} ${pad(Math.round(s.p99Ms), 7)} ${pad(Math.round(s.maxMs), 7)}  ${pad(each(s.servers, (x) => Math.round(x.rssMb)), INSTANCES * 7)} ${pad(each(s.servers, (x) => x.heapUsedMb?.toFixed(0)), INSTANCES * 6)} ${pad(each(s.servers, (x) => x.eldP99Ms?.toFixed(1)), INSTANCES * 7)}${pool}  ${pad(s.apiErrors, 10)} ${pad(each(s.servers, (x) => x.internalErrors), 15)} ${pad(s.problems, 8)}  ${s.events.join(', ')}`,
  );
}

async function takeSample(servers: Server[], t: number, sinceMs: number): Promise<Sample> {
  const i = tally.takeInterval();
  const ss = await Promise.all(servers.map(sampleServer));
  const s: Sample = { t, reqPerSec: Math.round(i.calls / (sinceMs / 1000)), p50Ms: Math.round(i.p50Ms * 10) / 10, p99Ms: Math.round(i.p99Ms * 10) / 10, maxMs: Math.round(i.maxMs), apiErrors: i.apiErrors, problems: i.problems, servers: ss, events };
  events = [];
  samples.push(s);
  printRow(s);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Verdict

interface RssJudgement {
  server: string;
  referenceMb: number;
  minMb: number;
  maxMb: number;
  /** The median RSS of each minute after the warm-up. */
  minuteMediansMb: number[];
  /** Largest deviation of a minute's median from the first minute's, in percent (signed). */
  worstPct: number;
  /** Least-squares slope of RSS after the warm-up, MB per minute (information only). */
  slopeMbPerMin: number;
  pass: boolean;
}

/**
 * RSS rule: per server, every minute from the end of the warm-up on is summed up by the median of
 * its samples, and each of those medians must be within ±10 % of the first (the minute right after
 * the warm-up). Medians of minutes, not single samples: V8 lets a heap grow and shrinks it again
 * after collections, a sawtooth of ±10 MB on a ~100 MB process that is not a leak; a leak moves
 * the minutes' medians, and a steady climb shows against the first minute. The samples' range and
 * slope are reported too.
 */
function judgeRss(servers: Server[]): RssJudgement[] | undefined {
  const after = samples.filter((s) => s.t >= WARMUP_S);
  const minutes = new Map<number, typeof after>();
  for (const s of after) {
    const m = Math.floor((s.t - WARMUP_S) / RSS_REFERENCE_S);
    minutes.set(m, [...(minutes.get(m) ?? []), s]);
  }
  if (!minutes.has(0)) return undefined;
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  return servers.map((server, i) => {
    // A minute cut short at the end of the run (under half its samples) says too little to judge.
    const perMinute = [...minutes.entries()]
      .filter(([, ss]) => ss.length * SAMPLE_S * 2 >= RSS_REFERENCE_S)
      .sort(([a], [b]) => a - b)
      .map(([, ss]) => median(ss.map((s) => s.servers[i]!.rssMb)));
    const referenceMb = perMinute[0]!;
    const devs = perMinute.map((r) => (r - referenceMb) / referenceMb);
    const worst = devs.reduce((w, d) => (Math.abs(d) > Math.abs(w) ? d : w), 0);
    const rss = after.map((s) => s.servers[i]!.rssMb);
    const ts = after.map((s) => s.t / 60);
    const mt = ts.reduce((a, b) => a + b, 0) / ts.length;
    const mr = rss.reduce((a, b) => a + b, 0) / rss.length;
    const den = ts.reduce((a, t) => a + (t - mt) ** 2, 0);
    const slope = den === 0 ? 0 : ts.reduce((a, t, k) => a + (t - mt) * (rss[k]! - mr), 0) / den;
    return {
      server: server.name,
      referenceMb: Math.round(referenceMb * 10) / 10,
      minuteMediansMb: perMinute.map((m) => Math.round(m)),
      minMb: Math.min(...rss),
      maxMb: Math.max(...rss),
      worstPct: Math.round(worst * 1000) / 10,
      slopeMbPerMin: Math.round(slope * 100) / 100,
      pass: Math.abs(worst) <= RSS_TOLERANCE,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Main

const rng = new Rng(SEED);
let servers: Server[] = [];
let probe: Server | undefined;
let soaked: Soaked | undefined;
let interrupted = false;

async function stopAll(): Promise<Array<{ server: string; exitCode: number | null; seconds: number }>> {
  const all = [...servers, ...(probe ? [probe] : [])];
  return Promise.all(
    all.map(async (s) => {
      const started = Date.now();
      s.agent.destroy();
      await s.child.stop();
      return { server: s.name, exitCode: s.child.child.exitCode, seconds: (Date.now() - started) / 1000 };
    }),
  );
}

process.once('SIGINT', () => {
  interrupted = true;
  log('interrupted: stopping the servers and removing the database copy …');
  void stopAll()
    .then(() => soaked?.cleanup())
    .finally(() => process.exit(130));
});

log(`soak: ${MINUTES} min on ${BACKEND} (${INSTANCES} instance${INSTANCES > 1 ? 's' : ''}${PG_URL ? (REDIS_URL ? ' sharing Redis' : ', no REDIS_URL: rate limits per instance') : ''}), ${DEALS.toLocaleString()} deals, ${CONCURRENCY} in flight, seed ${SEED}`);
soaked = await soakDatabase();
const extra = (i: number) => [...(PG_URL ? ['--pool-size', '10'] : []), ...(REDIS_URL && PG_URL ? ['--redis', REDIS_URL, '--redis-key-prefix', `${REDIS_PREFIX}:${i < INSTANCES ? 'soak' : 'probe'}`] : [])];
for (let i = 0; i < INSTANCES; i++) servers.push(await startServer(`server-${i + 1}`, soaked.db, SOAK_LIMIT, extra(i), CONCURRENCY + 4));
probe = await startServer('probe', soaked.db, DOCUMENTED_LIMIT, [...extra(INSTANCES), ...(PG_URL ? ['--pool-size', '2'] : [])], BURST_CALLS);
log(`servers: ${servers.map((s) => `${s.name} pid ${s.child.child.pid} port ${s.child.port}`).join(', ')}; probe (limit ${DOCUMENTED_LIMIT}/s) port ${probe.child.port}; logs in ${WORK_DIR}`);
const { world, template, importOwners, burstKey } = await buildWorld(servers, rng, soaked.dataset);

log(`load: ${MIX.good} % good, ${MIX.bad} % bad, ${MIX.forgery} % forgeries, ${MIX.journal} % journal reads; ${IMPORT_S ? `an import every ${IMPORT_S} s` : 'no imports'}; ${REBUILD_AT.length ? `cache rebuild at ${REBUILD_AT.map((f) => clock(f * DURATION_S)).join(' and ')}` : 'no cache rebuild'}; a ${BURST_CALLS}-call burst every ${BURST_S} s`);
printHeader();
t0 = Date.now();
const deadline = t0 + DURATION_S * 1000;
const elapsed = () => (Date.now() - t0) / 1000;
tally.takeInterval();

// Workers: closed loop, each request to a random instance.
const workers = Array.from({ length: CONCURRENCY }, async () => {
  while (Date.now() < deadline && !interrupted) {
    const server = servers[rng.int(0, servers.length - 1)]!;
    const p = nextRequest(rng, world, server.child.port);
    const a = await send(server.agent, server.child.port, p).catch((err: Error) => err);
    judge(p, a);
  }
});

// Imports, rebuilds, bursts, samples on their own clocks.
const background: Array<Promise<void>> = [];
const timers: NodeJS.Timeout[] = [];
let importRunning = false;
if (IMPORT_S > 0) {
  timers.push(
    setInterval(() => {
      if (importRunning || Date.now() >= deadline) return;
      importRunning = true;
      void importOnce(servers, rng, template, importOwners, world).finally(() => (importRunning = false));
    }, IMPORT_S * 1000),
  );
}
// One rebuild at a time (a second one would find the first holding the lock): each starts at its
// time or when the previous one ends, whichever is later, and only while the load runs.
background.push(
  (async () => {
    for (const f of REBUILD_AT) {
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + f * DURATION_S * 1000 - Date.now())));
      if (Date.now() >= deadline || interrupted) return;
      await rebuild(soaked!.db);
    }
  })(),
);
timers.push(setTimeout(() => background.push(burst(probe!, burstKey)), 30_000));
timers.push(setInterval(() => background.push(burst(probe!, burstKey)), BURST_S * 1000));
let lastSample = t0;
for (let k = 1; k * SAMPLE_S <= DURATION_S; k++) {
  await new Promise((r) => setTimeout(r, Math.max(0, t0 + k * SAMPLE_S * 1000 - Date.now())));
  if (interrupted) break;
  const now = Date.now();
  await takeSample(servers, k * SAMPLE_S, now - lastSample);
  lastSample = now;
}
await Promise.all(workers);
const loadSeconds = elapsed();
for (const t of timers) clearInterval(t);
while (importRunning) await new Promise((r) => setTimeout(r, 100));
if (rebuilds.some((r) => r.exitCode === undefined)) log('waiting for the cache rebuild to finish …');
await Promise.all(background);
log(`load stopped at ${clock(loadSeconds)}; stopping the servers (SIGTERM) …`);
const shutdown = await stopAll();
await soaked.cleanup();

// ---------------------------------------------------------------------------------------------
// Summary, verdict, bench/soak.json

const rss = judgeRss(servers);
const importsOk = imports.filter((r) => r.ok).length;
const criteria: Array<{ name: string; pass: boolean; detail: string }> = [
  {
    name: `RSS after the first ${WARMUP_S / 60} min within ±${RSS_TOLERANCE * 100} %: every minute's median against the first minute's`,
    pass: rss !== undefined && rss.every((r) => r.pass),
    detail: rss === undefined ? `not evaluated: the run is not longer than the ${WARMUP_S / 60}-minute warm-up` : rss.map((r) => `${r.server}: minute medians ${r.minuteMediansMb.join(', ')} MB, worst ${r.worstPct > 0 ? '+' : ''}${r.worstPct} % (samples ${r.minMb}..${r.maxMb} MB, slope ${r.slopeMbPerMin} MB/min)`).join('; '),
  },
  { name: 'every API answer in the envelope (HTTP 200, application/json, {"Response": {…, RequestId}}, documented codes)', pass: tally.problems.envelope === 0 && tally.problems.non200 === 0, detail: `${tally.problems.envelope} envelope violations, ${tally.problems.non200} non-200 answers` },
  { name: 'nothing 5xx', pass: tally.problems.http5xx === 0, detail: `${tally.problems.http5xx} answers with HTTP 5xx` },
  { name: 'nothing unanswered', pass: tally.problems.unanswered === 0, detail: `${tally.problems.unanswered} calls without an answer (connection errors, resets, ${TIMEOUT_MS / 1000} s timeouts)` },
  { name: 'every answer as expected (good: success and a consistent page; bad: its code; forgery: AuthFailure.*)', pass: tally.problems.unexpected === 0, detail: `${tally.problems.unexpected} unexpected answers` },
  { name: `imports succeed and are read back at once${INSTANCES > 1 ? ' through the other instance' : ''}`, pass: importsOk === imports.length && imports.every((r) => r.visible !== false), detail: `${importsOk}/${imports.length} imports of ${imports.reduce((n, r) => n + r.deals, 0)} deals; ${imports.filter((r) => r.visible === false).length} not visible` },
  { name: 'cache rebuilds complete (exit 0)', pass: rebuilds.length >= Math.min(1, REBUILD_AT.length) && rebuilds.every((r) => r.exitCode === 0), detail: `${rebuilds.length} of ${REBUILD_AT.length} planned (one at a time, started only while the load runs)${rebuilds.map((r) => `; at ${clock(r.startedAt)}: exit ${r.exitCode} after ${r.seconds} s`).join('')}` },
  {
    name: `the documented ${DOCUMENTED_LIMIT}/s limit holds (probe server: ${BURST_CALLS} calls at once, exactly ${DOCUMENTED_LIMIT} pass when answered within 1 s)`,
    pass: bursts.length > 0 && bursts.every((b) => b.pass),
    detail: `${bursts.filter((b) => b.conclusive).length} of ${bursts.length} bursts answered within 1 s${bursts.some((b) => b.conclusive) ? '' : ' (none measurable)'}: ${bursts.map((b) => `${b.ok} ok+${b.limited} limited${b.other.length ? `+${b.other.length} other (${b.other.slice(0, 3).join(', ')})` : ''} in ${b.ms} ms`).join('; ')}`,
  },
  { name: 'servers stop on SIGTERM with exit 0', pass: shutdown.every((s) => s.exitCode === 0), detail: shutdown.map((s) => `${s.server}: exit ${s.exitCode} in ${s.seconds.toFixed(1)} s`).join(', ') },
];
const pass = !interrupted && criteria.every((c) => c.pass);

const byKind = new Map<string, { calls: number; problems: number }>();
for (const l of tally.byLabel.values()) {
  const k = byKind.get(l.kind) ?? { calls: 0, problems: 0 };
  k.calls += l.calls;
  k.problems += l.problems;
  byKind.set(l.kind, k);
}
const codes = new Map<string, number>();
for (const l of tally.byLabel.values()) for (const [c, n] of l.codes) codes.set(c, (codes.get(c) ?? 0) + n);
const after = samples.filter((s) => s.t >= WARMUP_S);
const span = (f: (s: ServerSample) => number | undefined, i: number) => {
  const xs = after.map((s) => f(s.servers[i]!)).filter((x): x is number => x !== undefined);
  return xs.length ? `${Math.min(...xs)}..${Math.max(...xs)}` : '-';
};

console.log(`\ntcdeals soak — ${BACKEND}, ${INSTANCES} instance(s), ${DEALS.toLocaleString()} deals, ${clock(loadSeconds)} of load, ${CONCURRENCY} in flight, ${cpus().length} cores, Node ${process.version}, seed ${SEED}`);
console.table([...byKind].map(([kind, k]) => ({ kind, calls: k.calls, share: `${((k.calls / Math.max(1, tally.calls)) * 100).toFixed(1)} %`, problems: k.problems })));
console.table(
  [...codes].sort((a, b) => b[1] - a[1]).map(([code, n]) => ({ code, answers: n })),
);
console.table(
  servers.map((s, i) => ({
    server: s.name,
    'RSS MB ref': rss?.[i]?.referenceMb ?? '-',
    'RSS MB after warm-up': span((x) => x.rssMb, i),
    'worst %': rss?.[i]?.worstPct ?? '-',
    'MB/min': rss?.[i]?.slopeMbPerMin ?? '-',
    'RssAnon MB': span((x) => x.rssAnonMb, i),
    'heap MB': span((x) => x.heapUsedMb, i),
    'heap total MB': span((x) => x.heapTotalMb, i),
    'ELD p99 ms': span((x) => x.eldP99Ms, i),
    'ELD max ms': span((x) => x.eldMaxMs, i),
    'pool in use': span((x) => x.pool?.inUse, i),
    'pool waiting': span((x) => x.pool?.waiting, i),
    handles: span((x) => x.activeHandles, i),
    fds: span((x) => x.openFds, i),
  })),
);
console.table(
  [...tally.byLabel]
    .filter(([, l]) => l.kind === 'good' || l.kind === 'journal' || l.kind === 'import')
    .sort((a, b) => b[1].totalMs / b[1].calls - a[1].totalMs / a[1].calls)
    .map(([label, l]) => ({ call: label, calls: l.calls, 'mean ms': Number((l.totalMs / l.calls).toFixed(1)), 'max ms': Math.round(l.maxMs) })),
);
console.log(`calls: ${tally.calls.toLocaleString()} (${Math.round(tally.calls / loadSeconds)} req/s); problems: ${PROBLEMS.map((p) => `${p} ${tally.problems[p]}`).join(', ')}; keep-alive races retried: ${keepAliveRetries}`);
const med = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]! : 0);
const throughput = {
  firstMinuteAfterWarmup: med(after.filter((x) => x.t < WARMUP_S + 60).map((x) => x.reqPerSec)),
  lastMinute: med(samples.filter((x) => x.t > DURATION_S - 60).map((x) => x.reqPerSec)),
  p99MsFirstMinuteAfterWarmup: med(after.filter((x) => x.t < WARMUP_S + 60).map((x) => x.p99Ms)),
  p99MsLastMinute: med(samples.filter((x) => x.t > DURATION_S - 60).map((x) => x.p99Ms)),
};
console.log(`throughput (information, not judged): median ${throughput.firstMinuteAfterWarmup} req/s (p99 ${throughput.p99MsFirstMinuteAfterWarmup} ms) in the minute after the warm-up, ${throughput.lastMinute} req/s (p99 ${throughput.p99MsLastMinute} ms) in the last minute`);
for (const c of criteria) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
if (tally.examples.length) {
  console.log('first problems:');
  for (const e of tally.examples.slice(0, 15)) console.log(`  ${e.at} ${e.problem} ${e.what}: ${e.detail}`);
}
console.log(`verdict: ${pass ? 'PASS' : 'FAIL'}${interrupted ? ' (interrupted)' : ''}`);

writeFileSync(
  OUT,
  `${JSON.stringify(
    {
      at: new Date(t0).toISOString(),
      machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) },
      settings: { backend: BACKEND, instances: INSTANCES, redis: Boolean(REDIS_URL && PG_URL), deals: DEALS, minutes: MINUTES, concurrency: CONCURRENCY, seed: SEED, warmupSeconds: WARMUP_S, sampleSeconds: SAMPLE_S, importEverySeconds: IMPORT_S, mix: MIX, soakRateLimit: SOAK_LIMIT, probeRateLimit: DOCUMENTED_LIMIT, anchor: ANCHOR_TIME },
      verdict: { pass, interrupted, criteria },
      rss,
      throughput,
      counts: {
        calls: tally.calls,
        problems: tally.problems,
        keepAliveRetries,
        byKind: Object.fromEntries(byKind),
        byLabel: Object.fromEntries([...tally.byLabel].sort().map(([label, l]) => [label, { kind: l.kind, calls: l.calls, problems: l.problems, meanMs: Math.round((l.totalMs / l.calls) * 10) / 10, maxMs: Math.round(l.maxMs), codes: Object.fromEntries(l.codes) }])),
      },
      problemExamples: tally.examples,
      imports: { count: imports.length, ok: importsOk, deals: imports.reduce((n, r) => n + r.deals, 0), msMax: Math.max(0, ...imports.map((r) => r.ms)), records: imports },
      rebuilds,
      bursts,
      shutdown,
      samples,
    },
    null,
    2,
  )}\n`,
);
console.log('wrote bench/soak.json');
process.exit(pass ? 0 : 1);
