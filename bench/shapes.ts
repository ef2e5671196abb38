/**
 * `node --import tsx bench/shapes.ts <db> [--calls N] [--seed N]`: the soak's partners queries
 * (the same generator: random time ranges, Status, PayerMode, OwnerUins, DealNames, BigDealIds,
 * orders, deep offsets) run one at a time straight against a store — no HTTP, no other load — and
 * the slowest printed with their shape. For finding a filter shape that misses its index path:
 * under the soak's load a 20 ms query becomes a 600 ms call. `<db>` is a SQLite file or a
 * postgres:// URL holding the bench dataset (npm run bench builds both).
 */
import { parseArgs } from 'node:util';
import { DEMO_AGENT } from '../src/domain/demo-seed.js';
import { Store } from '../src/store/store.js';
import { goodPartners, Rng, type World } from './soak-traffic.js';

const { values: opts, positionals } = parseArgs({ allowPositionals: true, options: { calls: { type: 'string' }, seed: { type: 'string' }, top: { type: 'string' } } });
const url = positionals[0];
if (!url) throw new Error('usage: node --import tsx bench/shapes.ts <sqlite file | postgres:// URL> [--calls N] [--seed N] [--top N]');
const CALLS = Number(opts.calls ?? 1000);
const TOP = Number(opts.top ?? 20);
const store = await Store.open(url);
const agentUin = DEMO_AGENT.uin;

// The world the generator draws from, read from the store (the soak reads it through the API).
const owners = await store.db.selectFrom('agent_clients').select('client_uin').where('agent_uin', '=', agentUin).execute();
const sample = await store.db
  .selectFrom('agent_deal_cache')
  .select(['deal_name', 'owner_uin', 'big_deal_id', 'create_time', 'status', 'payer_mode'])
  .where('agent_uin', '=', agentUin)
  .orderBy('deal_name')
  .limit(2000)
  .execute();
const world: World = {
  agent: { uin: agentUin, SecretId: '', SecretKey: '' },
  clients: [],
  billingDeals: new Map(),
  ownerUins: owners.map((o) => o.client_uin),
  adminToken: '',
  agentDeals: sample.map((s) => ({ DealName: s.deal_name, OwnerUin: s.owner_uin, BigDealId: s.big_deal_id, CreatTime: s.create_time, Status: s.status, PayerMode: s.payer_mode })),
};

const rng = new Rng(Number(opts.seed ?? 1));
const timed: Array<{ ms: number; shape: string }> = [];
for (let i = 0; i < CALLS; i++) {
  const { params: p } = goodPartners(rng, world);
  const list = (v: unknown) => v as string[] | undefined;
  const q = {
    agentUin,
    startTime: p.CreatTimeRangeStart as string | undefined,
    endTime: p.CreatTimeRangeEnd as string | undefined,
    ascending: Number(p.Order ?? 0) !== 0,
    status: p.Status === undefined ? undefined : Number(p.Status),
    payerMode: p.PayerMode === undefined ? undefined : Number(p.PayerMode),
    ownerUins: list(p.OwnerUins),
    dealNames: list(p.DealNames),
    bigDealIds: list(p.BigDealIds),
    offset: Number(p.Offset),
    limit: Number(p.Limit),
  };
  const started = performance.now();
  const page = await store.agentDeals(q);
  const ms = performance.now() - started;
  const shape = [
    q.startTime ? 'from' : '',
    q.endTime ? 'to' : '',
    q.status !== undefined ? `Status=${q.status}` : '',
    q.payerMode !== undefined ? `PayerMode=${q.payerMode}` : '',
    q.ownerUins ? `OwnerUins×${q.ownerUins.length}` : '',
    q.dealNames ? `DealNames×${q.dealNames.length}` : '',
    q.bigDealIds ? `BigDealIds×${q.bigDealIds.length}` : '',
    q.ascending ? 'oldest first' : 'newest first',
    `Offset=${q.offset}`,
    `Limit=${q.limit}`,
    `→ TotalCount ${page.total}`,
  ].filter(Boolean);
  timed.push({ ms, shape: shape.join(' ') });
}
await store.close();

timed.sort((a, b) => b.ms - a.ms);
const sum = timed.reduce((s, t) => s + t.ms, 0);
const at = (p: number) => timed[Math.min(timed.length - 1, Math.floor((1 - p) * timed.length))]!.ms.toFixed(1);
const topShare = timed.slice(0, Math.ceil(CALLS / 10)).reduce((s, t) => s + t.ms, 0) / sum;
console.log(`${CALLS} partners queries on ${store.kind}, seed ${opts.seed ?? 1}: mean ${(sum / CALLS).toFixed(1)} ms, p50 ${at(0.5)}, p99 ${at(0.99)}, max ${timed[0]!.ms.toFixed(1)}; the slowest 10 % take ${(topShare * 100).toFixed(0)} % of the time`);
for (const t of timed.slice(0, TOP)) console.log(`${t.ms.toFixed(1).padStart(8)} ms  ${t.shape}`);
