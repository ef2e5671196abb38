/**
 * The benchmark dataset: one agent owning 1M deals through 200 clients, made by `tcdeals seed`
 * (the realistic generator and its bulk loader) and cached in bench/cache/, keyed by size and a
 * format version, so later runs start at once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEMO_AGENT, DEMO_CLIENT } from '../src/domain/demo-seed.js';
import { Store } from '../src/store/store.js';

const FORMAT = 5;
/** The generated history ends where this (Beijing) day starts. */
export const BENCH_ANCHOR_DAY = '2026-11-24';
export const BENCH_ANCHOR = Date.parse(`${BENCH_ANCHOR_DAY}T00:00:00+08:00`);
export const CLIENTS = 200;

export interface BenchDataset {
  /** A SQLite file, or a PostgreSQL URL. */
  path: string;
  deals: number;
  /** Seeding time and rate, when this run built it. */
  build?: { seconds: number; dealsPerSecond: number; output: string };
  agent: typeof DEMO_AGENT;
  client: typeof DEMO_CLIENT;
}

/** Where the SQLite dataset of this size is cached. */
export function sqliteDatasetPath(deals: number): string {
  return fileURLToPath(new URL(`./cache/deals-${deals}-v${FORMAT}.db`, import.meta.url));
}

export async function benchDataset(deals: number, log: (s: string) => void): Promise<BenchDataset> {
  const path = sqliteDatasetPath(deals);
  mkdirSync(dirname(path), { recursive: true });
  const base = { path, deals, agent: DEMO_AGENT, client: DEMO_CLIENT };
  if (existsSync(path)) return base;
  log(`building the ${deals.toLocaleString()}-deal dataset once with tcdeals seed (cached in bench/cache/) …`);
  const tmp = `${path}.building`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const build = await seed(tmp, deals);
  for (const f of [`${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, path);
  return { ...base, build };
}

/** `tcdeals seed` into `db` (timed), then the partners cache positions ranked, as after `tcdeals cache rebuild`. */
async function seed(db: string, deals: number): Promise<NonNullable<BenchDataset['build']>> {
  const bin = fileURLToPath(new URL('../bin/tcdeals.js', import.meta.url));
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [bin, 'seed', '--db', db, '--agents', '1', '--clients', String(CLIENTS), '--deals', String(deals), '--seed', '7', '--anchor', BENCH_ANCHOR_DAY, '--demo-keys'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`tcdeals seed failed (${r.status}): ${r.stdout}`);
  const seconds = (Date.now() - started) / 1000;
  const store = await Store.open(db);
  await store.recomputeAllPositions();
  await store.close();
  return { seconds, dealsPerSecond: Math.round(deals / seconds), output: r.stdout.trim() };
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * The same dataset on the PostgreSQL server of `serverUrl`, in its own database
 * `tcdeals_bench_<deals>_v<format>`, kept between runs like the SQLite file. The seed runs in
 * one transaction, so a database holding the expected number of deals is complete.
 */
export async function benchPgDataset(serverUrl: string, deals: number, log: (s: string) => void): Promise<BenchDataset> {
  const name = `tcdeals_bench_${deals}_v${FORMAT}`;
  const url = withDatabase(serverUrl, name);
  const base = { path: url, deals, agent: DEMO_AGENT, client: DEMO_CLIENT };
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
    if (exists) {
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      const n = await db.query<{ n: string }>('select count(*) n from deals').then((r) => Number(r.rows[0]!.n), () => -1).finally(() => db.end());
      if (n === deals) return base;
      await admin.query(`drop database ${name}`);
    }
    log(`building the ${deals.toLocaleString()}-deal dataset on PostgreSQL once with tcdeals seed (kept in database ${name}) …`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const build = await seed(url, deals);
  // Ranking the positions rewrote every cache row: reclaim the old versions and refresh the
  // statistics, as an operator (or autovacuum, off on some servers) would after a large load.
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query('vacuum analyze').finally(() => db.end());
  return { ...base, build };
}
