/**
 * Profile before optimizing: runs the tcdeals bench server under --cpu-prof while autocannon
 * drives one case (default a), then prints where the CPU went, by function and by package.
 * Usage: node --import tsx bench/profile.ts [case-id] (needs the cached dataset: run `npm run bench`
 * once; BENCH_DB names another database file or PostgreSQL URL). It profiles dist/: build first.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DEMO_AGENT, DEMO_CLIENT } from '../src/domain/demo-seed.js';
import { CASES, DEALS, signed } from './cases.js';
import { sqliteDatasetPath } from './dataset.js';
import { startChild, tcdealsServeArgs } from './load.js';

const DB = process.env.BENCH_DB ?? sqliteDatasetPath(DEALS);
if (!DB.includes('://') && !existsSync(DB)) throw new Error(`no dataset at ${DB}: run npm run bench once`);
const c = CASES.find((x) => x.id === (process.argv[2] ?? 'a'));
if (!c) throw new Error(`unknown case ${process.argv[2]}; one of ${CASES.map((x) => x.id).join(', ')}`);
const dir = mkdtempSync(join(tmpdir(), 'tcdeals-prof-'));
const server = await startChild(tcdealsServeArgs(DB), ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
const port = server.port;
const request = signed(c, port, c.key === 'agent' ? DEMO_AGENT.key : DEMO_CLIENT.key);
const first = (await (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: request.headers, body: request.body })).json()) as { Response: { Error?: { Code: string; Message: string } } };
if (first.Response.Error) throw new Error(`case ${c.id} answers ${first.Response.Error.Code}: ${first.Response.Error.Message}`);
const r = await autocannon({ url: `http://127.0.0.1:${port}/`, method: 'POST', body: request.body, headers: request.headers, connections: 10, duration: 5 });
console.log(`req/s ${r.requests.average}  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non2xx ${r.non2xx}`);
await server.stop();

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map<number, number>();
for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const total = profile.samples.length;
const tally = (keyOf: (n: Node) => string) => {
  const m = new Map<string, number>();
  for (const [id, c] of counts) m.set(keyOf(byId.get(id)!), (m.get(keyOf(byId.get(id)!)) ?? 0) + c);
  return [...m].sort((a, b) => b[1] - a[1]);
};
console.log('\nself time by function');
for (const [k, c] of tally((n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-3).join('/')}:${n.callFrame.lineNumber}`).slice(0, 20)) console.log(`${((c / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
console.log('\nself time by package');
for (const [k, c] of tally((n) => /node_modules\/([^/]+)/.exec(n.callFrame.url)?.[1] ?? (n.callFrame.url.includes('/src/') ? 'tcdeals' : n.callFrame.url.startsWith('node:') ? 'node core' : '(native, gc, idle)')).slice(0, 10)) console.log(`${((c / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
rmSync(dir, { recursive: true, force: true });
