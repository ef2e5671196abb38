/**
 * Profile before optimizing: runs the tcdeals bench server under --cpu-prof while autocannon
 * drives one case (default a), then prints where the CPU went, by function and by package.
 * Usage: node --import tsx bench/profile.ts [case-id] (needs the cached dataset: run `npm run bench` once).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signTc3 } from '../src/client/signer.js';

const DB = process.env.BENCH_DB ?? `bench/cache/deals-${process.env.BENCH_DEALS ?? 1_000_000}-v2.db`;
const dir = mkdtempSync(join(tmpdir(), 'tcdeals-prof-'));
const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', 'bench/servers/tcdeals.ts', DB], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) => child.stdout!.once('data', (b: Buffer) => resolve((JSON.parse(b.toString()) as { port: number }).port)));
const billing = process.argv[2] !== 'b';
const body = JSON.stringify(billing ? { StartTime: '2026-05-27 12:00:00', EndTime: '2026-08-26 12:00:00', Limit: 20, Offset: 0 } : { Offset: 0, Limit: 20 });
const key = billing ? ['AKIDtcdealsDemoClient00000000000001', 'tcdealsDemoClientSecretKey000001'] : ['AKIDtcdealsDemoAgent000000000000001', 'tcdealsDemoAgentSecretKey0000001'];
const ts = Math.floor(Date.now() / 1000);
const sig = signTc3({ secretId: key[0]!, secretKey: key[1]!, service: billing ? 'billing' : 'partners', host: `127.0.0.1:${port}`, timestamp: ts, payload: body });
const r = await autocannon({
  url: `http://127.0.0.1:${port}/`, method: 'POST', body, connections: 10, duration: 5,
  headers: { 'content-type': 'application/json', 'x-tc-action': billing ? 'DescribeDealsByCond' : 'DescribeAgentDealsByCache', 'x-tc-version': billing ? '2018-07-09' : '2018-03-21', 'x-tc-timestamp': String(ts), authorization: sig.authorization },
});
console.log(`req/s ${r.requests.average}  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non2xx ${r.non2xx}`);
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));

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
