/**
 * The benchmark dataset: one agent owning 1M deals through its clients, built once and cached
 * in bench/cache/ (keyed by size and a format version) so later runs start at once.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDemoDataset, DEMO_AGENT, DEMO_CLIENT } from '../src/domain/demo-seed.js';
import { applyDataset } from '../src/store/seed.js';
import { Store } from '../src/store/store.js';

const FORMAT = 2;
export const BENCH_ANCHOR = Date.UTC(2026, 10, 24, 4, 0, 0);
export const CLIENTS = 200;

export interface BenchDataset {
  path: string;
  deals: number;
  /** Seconds to build, when this run built it. */
  buildSeconds?: number;
  agent: typeof DEMO_AGENT;
  client: typeof DEMO_CLIENT;
}

export async function benchDataset(deals: number, log: (s: string) => void): Promise<BenchDataset> {
  const dir = fileURLToPath(new URL('./cache/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}deals-${deals}-v${FORMAT}.db`;
  const base = { path, deals, agent: DEMO_AGENT, client: DEMO_CLIENT };
  if (existsSync(path)) return base;
  log(`building the ${deals.toLocaleString()}-deal dataset once (cached in bench/cache/) …`);
  const started = Date.now();
  const tmp = `${path}.building`;
  rmSync(tmp, { force: true });
  const store = await Store.open(tmp);
  const data = buildDemoDataset({ deals: 0, clients: CLIENTS, anchorMs: BENCH_ANCHOR });
  await applyDataset(store, { ...data, deals: [] });
  const clients = data.bindings.map((b) => b.clientUin);
  const batch = 20_000;
  for (let done = 0; done < deals; done += batch) {
    const n = Math.min(batch, deals - done);
    const part = buildDemoDataset({ deals: n, clients: 2, seed: 1000 + done, anchorMs: BENCH_ANCHOR }).deals.slice(0, n);
    await store.upsertDeals(
      part.map((d, i) => {
        const owner = clients[(done + i) % clients.length]!;
        return { ...d, deal_name: `${d.deal_name.slice(0, 8)}${String(done + i).padStart(14, '0')}1`, big_deal_id: `${d.deal_name.slice(0, 8)}${String(done + i).padStart(14, '0')}0`, owner_uin: owner, creator: owner, pay_mode: 'prePay' };
      }),
    );
    if ((done / batch) % 10 === 0) log(`  ${(done + n).toLocaleString()} deals`);
  }
  // As after a bulk load or `tcdeals cache rebuild`: positions ranked, statistics gathered.
  await store.recomputeAllPositions();
  await store.close();
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  renameSync(tmp, path);
  return { ...base, buildSeconds: (Date.now() - started) / 1000 };
}
