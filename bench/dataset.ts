/**
 * The benchmark dataset: one agent owning 1M deals through 200 clients, made by `tcdeals seed`
 * (the realistic generator and its bulk loader) and cached in bench/cache/, keyed by size and a
 * format version, so later runs start at once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_AGENT, DEMO_CLIENT } from '../src/domain/demo-seed.js';
import { Store } from '../src/store/store.js';

const FORMAT = 3;
/** The generated history ends where this (Beijing) day starts. */
export const BENCH_ANCHOR_DAY = '2026-11-24';
export const BENCH_ANCHOR = Date.parse(`${BENCH_ANCHOR_DAY}T00:00:00+08:00`);
export const CLIENTS = 200;

export interface BenchDataset {
  path: string;
  deals: number;
  /** Seeding time and rate, when this run built it. */
  build?: { seconds: number; dealsPerSecond: number; output: string };
  agent: typeof DEMO_AGENT;
  client: typeof DEMO_CLIENT;
}

export async function benchDataset(deals: number, log: (s: string) => void): Promise<BenchDataset> {
  const dir = fileURLToPath(new URL('./cache/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}deals-${deals}-v${FORMAT}.db`;
  const base = { path, deals, agent: DEMO_AGENT, client: DEMO_CLIENT };
  if (existsSync(path)) return base;
  log(`building the ${deals.toLocaleString()}-deal dataset once with tcdeals seed (cached in bench/cache/) …`);
  const tmp = `${path}.building`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const bin = fileURLToPath(new URL('../bin/tcdeals.js', import.meta.url));
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [bin, 'seed', '--db', tmp, '--agents', '1', '--clients', String(CLIENTS), '--deals', String(deals), '--seed', '7', '--anchor', BENCH_ANCHOR_DAY, '--demo-keys'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`tcdeals seed failed (${r.status}): ${r.stdout}`);
  const seconds = (Date.now() - started) / 1000;
  // As after `tcdeals cache rebuild`: the partners cache positions ranked.
  const store = await Store.open(tmp);
  await store.recomputeAllPositions();
  await store.close();
  for (const f of [`${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, path);
  return { ...base, build: { seconds, dealsPerSecond: Math.round(deals / seconds), output: r.stdout.trim() } };
}
