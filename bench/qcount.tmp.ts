import pg from 'pg';
import { createServer } from '../src/server.js';
import { Store } from '../src/store/store.js';
import { CASES, signed } from './cases.js';
import { DEMO_AGENT, DEMO_CLIENT } from '../src/domain/demo-seed.js';
const calls: Record<string, { n: number; us: number }> = {};
const orig = pg.Client.prototype.query as any;
(pg.Client.prototype as any).query = function (...a: any[]) {
  const text = typeof a[0] === 'string' ? a[0] : a[0]?.text;
  const s = performance.now();
  const r = orig.apply(this, a);
  if (r && typeof r.then === 'function') r.then(() => { const k = String(text).slice(0, 120); (calls[k] ??= { n: 0, us: 0 }).n++; calls[k].us += (performance.now() - s) * 1000; }, () => {});
  return r;
};
const store = await Store.open(process.argv[2]!);
const app = await createServer({ store, rateLimit: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as any).port;
const c = CASES.find((x) => x.id === (process.argv[3] ?? 'a'))!;
const key = c.key === 'agent' ? DEMO_AGENT.key : DEMO_CLIENT.key;
for (let i = 0; i < 20; i++) { const r = signed(c, port, key); await (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: r.headers, body: r.body })).text(); }
for (const k of Object.keys(calls)) delete calls[k];
const N = 200;
const s = performance.now();
for (let i = 0; i < N; i++) { const r = signed(c, port, key); await (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: r.headers, body: r.body })).text(); }
console.log('per request ms', ((performance.now() - s) / N).toFixed(3));
for (const [k, v] of Object.entries(calls)) console.log((v.n / N).toFixed(2), (v.us / v.n).toFixed(0) + 'us', k.replace(/\s+/g, ' '));
await app.close(); await store.close();
