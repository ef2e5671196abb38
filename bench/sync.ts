/**
 * Sync throughput against the documented ceiling: a tcdeals server limiting at 20 calls/s, the
 * bundled client pacing itself at 20/s with Limit 200. The ceiling is Limit × 20/s deals per
 * second; the ratio says how much of it the sync uses (target ≥ 95 %).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TencentCloudClient } from '../src/client/client.js';
import { buildDemoDataset, DEMO_AGENT } from '../src/domain/demo-seed.js';
import { createServer } from '../src/server.js';
import { applyDataset } from '../src/store/seed.js';
import { Store } from '../src/store/store.js';
import { openSink } from '../src/sync/sinks/sink.js';
import { runSync } from '../src/sync/sync.js';

export interface SyncBenchResult {
  deals: number;
  pages: number;
  seconds: number;
  dealsPerSecond: number;
  ceiling: number;
  ratio: number;
  retries: number;
  rateLimited: number;
}

export async function benchSync(deals = 24_000): Promise<SyncBenchResult> {
  const data = buildDemoDataset({ deals, clients: 20, seed: 5, anchorMs: Date.UTC(2026, 10, 24) });
  const clients = data.bindings.map((b) => b.clientUin);
  data.deals = data.deals.slice(0, deals).map((d, i) => ({ ...d, owner_uin: clients[i % clients.length]!, pay_mode: 'prePay' }));
  const store = await Store.open(':memory:');
  await applyDataset(store, data);
  const app = await createServer({ store, rateLimit: { points: 20, durationSec: 1 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dir = mkdtempSync(join(tmpdir(), 'tcdeals-bench-sync-'));
  try {
    const client = new TencentCloudClient({ secretId: DEMO_AGENT.key.SecretId, secretKey: DEMO_AGENT.key.SecretKey, baseUrl: `http://127.0.0.1:${port}`, ratePerSecond: 20 });
    const sink = await openSink(join(dir, 'out.ndjson'), { service: 'partners' });
    const limit = 200;
    const summary = await runSync({ client, service: 'partners', from: '2025-11-01 00:00:00', to: '2026-11-24 23:59:59', sink, pageSize: limit });
    await sink.close();
    const seconds = summary.ms / 1000;
    const dealsPerSecond = summary.written / seconds;
    const ceiling = limit * 20;
    return { deals: summary.written, pages: summary.pages, seconds, dealsPerSecond, ceiling, ratio: dealsPerSecond / ceiling, retries: client.stats.retries, rateLimited: client.stats.rateLimited };
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
