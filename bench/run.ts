/**
 * `npm run bench`: tcdeals and a bare baseline (node:http + better-sqlite3 prepared statements)
 * measured side by side in the same run, on the same 1M-deal database, with autocannon on
 * loopback. Speed is measured here, never asserted in the test suite. Prints a table and writes
 * bench/results.json.
 *
 * With DATABASE_URL (postgres://…) the same cases also run on PostgreSQL: the dataset is seeded
 * into its own database on that server (kept between runs), and the baseline becomes node:http
 * plus node-postgres prepared statements.
 *
 * Environment: BENCH_DEALS (default 1000000), BENCH_DURATION seconds per case (10),
 * BENCH_CONNECTIONS (10), BENCH_ONLY (comma-separated case ids, e.g. "a,b,tls,import,import-big,sync,console"),
 * BENCH_IMPORT_DEALS (200000), BENCH_BACKENDS (cases (a)–(e) and (j) on "sqlite,postgres").
 */
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { CASES, DEALS, signed } from './cases.js';
import { benchDataset, benchPgDataset, type BenchDataset } from './dataset.js';
import { benchBigImport, benchImport } from './import.js';
import { load, startChild, tcdealsServeArgs, type LoadResult, type RunningChild } from './load.js';
import { benchSync } from './sync.js';
import { benchConsole } from './console.js';
import { keepAliveLoad, oneCall, partnersRequest } from './tls.js';
import { readFileSync } from 'node:fs';
import { resolveCaDir } from '../src/tls/ca.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ONLY = process.env.BENCH_ONLY?.split(',');
const PG_URL = process.env.DATABASE_URL || undefined;
const BACKENDS = process.env.BENCH_BACKENDS?.split(',') ?? ['sqlite', 'postgres'];
/** Cases also measured at one connection: the billing page and the largest TotalCount. */
const ONE_AT_A_TIME = ['a', 'e'];
if (PG_URL && !/^postgres(ql)?:\/\//.test(PG_URL)) throw new Error('DATABASE_URL must be a postgres:// URL');
const STARTED = Date.now();
const elapsedSeconds = () => Math.round((Date.now() - STARTED) / 1000);
const elapsed = () => {
  const s = elapsedSeconds();
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const log = (s: string) => process.stderr.write(`[${elapsed()}] ${s}\n`);

/** One request first, to be sure both servers answer correctly and alike before timing them. */
async function check(target: RunningChild, req: { headers: Record<string, string>; body: string }): Promise<{ total: number; n: number }> {
  const res = await fetch(`http://127.0.0.1:${target.port}/`, { method: 'POST', headers: req.headers, body: req.body });
  const json = (await res.json()) as { Response: { Error?: { Code: string; Message: string }; TotalCount: number; Deals?: unknown[]; AgentDealSet?: unknown[] } };
  if (json.Response.Error) throw new Error(`${json.Response.Error.Code}: ${json.Response.Error.Message}`);
  return { total: json.Response.TotalCount, n: (json.Response.Deals ?? json.Response.AgentDealSet ?? []).length };
}

const results: Record<string, unknown> = {
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) },
  at: new Date().toISOString(),
  settings: { deals: DEALS, durationSec: DURATION, connections: CONNECTIONS },
};
const rows: Array<Record<string, string | number>> = [];

type Backend = 'sqlite' | 'postgres';
const BASELINE: Record<Backend, string> = { sqlite: 'bench/servers/baseline.mjs', postgres: 'bench/servers/baseline-pg.mjs' };

/** Cases (a)–(e), (j) and (g) on one backend: tcdeals and the baseline, one after the other, per case. */
async function runCases(backend: Backend, ds: BenchDataset): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (ds.build) {
    out.seed = { deals: DEALS, seconds: ds.build.seconds, dealsPerSecond: ds.build.dealsPerSecond };
    rows.push({ db: backend, case: `(f) seed: ${DEALS.toLocaleString()} deals in ${ds.build.seconds.toFixed(1)} s (tcdeals seed)`, 'tcdeals req/s': ds.build.dealsPerSecond });
  }
  const selected = CASES.filter((x) => !ONLY || ONLY.includes(x.id));
  const servers = {
    tcdeals: await startChild(tcdealsServeArgs(ds.path)),
    ...(selected.length > 0 ? { baseline: await startChild([BASELINE[backend], ds.path, '{port}']) } : {}),
  };
  try {
    const caseResults: Record<string, unknown> = {};
    for (const c of selected) {
      const key = c.key === 'agent' ? ds.agent.key : ds.client.key;
      const measured: Record<string, LoadResult & { total: number }> = {};
      for (const [name, server] of Object.entries(servers)) {
        const req = signed(c, server.port, key);
        const { total, n } = await check(server, req);
        if (n === 0) throw new Error(`case ${c.id} returns no deals on ${name}: the benchmark would measure nothing`);
        log(`(${c.id}) ${backend} ${name}: ${c.name} … TotalCount ${total}`);
        measured[name] = { ...(await load(server, signed(c, server.port, key), CONNECTIONS, DURATION)), total };
      }
      const t = measured.tcdeals!;
      const b = measured.baseline!;
      if (t.total !== b.total) throw new Error(`case ${c.id} on ${backend}: TotalCount differs (tcdeals ${t.total}, baseline ${b.total})`);
      const result: Record<string, unknown> = { name: c.name, tcdeals: t, baseline: b, ratio: t.reqPerSec / b.reqPerSec };
      caseResults[c.id] = result;
      rows.push({
        db: backend,
        case: `(${c.id}) ${c.name}`,
        'tcdeals req/s': Math.round(t.reqPerSec),
        'p50 ms': t.p50,
        'p99 ms': t.p99,
        'baseline req/s': Math.round(b.reqPerSec),
        'base p50': b.p50,
        'base p99': b.p99,
        ratio: Number((t.reqPerSec / b.reqPerSec).toFixed(2)),
        errors: t.errors + t.non2xx,
      });
      if (ONE_AT_A_TIME.includes(c.id)) {
        // The cost of a call itself, without the queueing of 10 connections on 2 cores: one call
        // at a time, so the time per call (client included) is exactly 1 / throughput — finer
        // than autocannon's whole-millisecond percentiles. Half the duration: only tcdeals runs.
        log(`(${c.id}) ${backend} tcdeals: ${c.name}, one call at a time …`);
        const single = await load(servers.tcdeals, signed(c, servers.tcdeals.port, key), 1, Math.max(1, DURATION / 2));
        const msPerCall = 1000 / single.reqPerSec;
        result.oneAtATime = { ...single, msPerCall };
        rows.push({ db: backend, case: `(${c.id}) the same, one call at a time: ${msPerCall.toFixed(2)} ms per call`, 'tcdeals req/s': Math.round(single.reqPerSec), 'p50 ms': single.p50, 'p99 ms': single.p99, errors: single.errors + single.non2xx });
      }
    }
    out.cases = caseResults;
    if (selected.length > 0) {
      const rss = (who: 'tcdeals' | 'baseline') => Math.max(...Object.values(caseResults).map((r) => (r as Record<string, LoadResult>)[who]!.maxRssMb));
      out.rssMb = { tcdeals: rss('tcdeals'), baseline: rss('baseline') };
      rows.push({ db: backend, case: '(g) server RSS under load, MB (max)', 'tcdeals req/s': rss('tcdeals'), 'baseline req/s': rss('baseline') });
    }
    if (!ONLY || ONLY.includes('tls')) out.tls = await benchTls(backend, ds, servers.tcdeals);
  } finally {
    await servers.tcdeals.stop();
    await servers.baseline?.stop();
  }
  return out;
}

/**
 * (h) The partners page of (b) through proxy mode (CONNECT partners.tencentcloudapi.com:443, TLS
 * terminated by tcdeals, keep-alive) beside the same page over direct HTTP: the same server, the
 * same keep-alive client, connections and duration (see bench/tls.ts).
 */
async function benchTls(backend: Backend, ds: BenchDataset, server: RunningChild): Promise<Record<string, unknown>> {
  const body = CASES.find((c) => c.id === 'b')!.body;
  const ca = readFileSync(`${resolveCaDir({ db: ds.path })}/ca.pem`, 'utf8');
  const direct = partnersRequest(`127.0.0.1:${server.port}`, ds.agent.key, body);
  const proxied = partnersRequest('partners.tencentcloudapi.com', ds.agent.key, body);
  const tunnel = { target: 'partners.tencentcloudapi.com:443', servername: 'partners.tencentcloudapi.com', ca };
  // One call each way first: the same page, no error. Then a second each way to warm both paths up.
  const [one, two] = [await oneCall(server.port, direct), await oneCall(server.port, proxied, tunnel)];
  for (const r of [one, two]) if (r.Response.Error) throw new Error(`case (h) on ${backend}: ${r.Response.Error.Code}: ${r.Response.Error.Message}`);
  if (one.Response.TotalCount !== two.Response.TotalCount || !one.Response.AgentDealSet?.length) throw new Error(`case (h) on ${backend}: the two ways answer differently`);
  log(`(h) ${backend} tcdeals: partners page, direct and through CONNECT + TLS … TotalCount ${one.Response.TotalCount}`);
  const a = await keepAliveLoad({ port: server.port, request: direct, connections: 2, durationSec: 1 });
  const b = await keepAliveLoad({ port: server.port, request: proxied, connections: 2, durationSec: 1, tunnel });
  if (a.errors || b.errors || !a.requests || !b.requests) throw new Error(`case (h) on ${backend}: warm-up calls failed (direct ${a.errors}/${a.requests}, tunnel ${b.errors}/${b.requests})`);
  log(`(h) ${backend} tcdeals: partners page, direct HTTP, keep-alive …`);
  const plain = await keepAliveLoad({ port: server.port, request: direct, connections: CONNECTIONS, durationSec: DURATION });
  log(`(h) ${backend} tcdeals: partners page through CONNECT + TLS, keep-alive …`);
  const tls = await keepAliveLoad({ port: server.port, request: proxied, connections: CONNECTIONS, durationSec: DURATION, tunnel });
  const ratio = tls.reqPerSec / plain.reqPerSec;
  rows.push({
    db: backend,
    case: '(h) partners page (b) through proxy CONNECT + TLS, keep-alive; baseline: the same page over direct HTTP, same client',
    'tcdeals req/s': Math.round(tls.reqPerSec),
    'p50 ms': tls.p50,
    'p99 ms': tls.p99,
    'baseline req/s': Math.round(plain.reqPerSec),
    'base p50': plain.p50,
    'base p99': plain.p99,
    ratio: Number(ratio.toFixed(2)),
    errors: tls.errors + plain.errors,
  });
  return { name: 'partners page through CONNECT + TLS vs direct HTTP (keep-alive, same client)', tls, direct: plain, ratio };
}

if (!ONLY || ONLY.includes('tls') || CASES.some((c) => ONLY.includes(c.id))) {
  if (BACKENDS.includes('sqlite')) results.sqlite = await runCases('sqlite', await benchDataset(DEALS, log));
  if (PG_URL && BACKENDS.includes('postgres')) results.postgres = await runCases('postgres', await benchPgDataset(PG_URL, DEALS, log));
}

if (!ONLY || ONLY.includes('import')) {
  const imports = await benchImport(PG_URL, log);
  results.import = imports;
  for (const r of imports) {
    const what = r.command === 'import' ? `import: ${r.deals.toLocaleString()} deals (${r.fileMb} MB NDJSON) in ${r.seconds.toFixed(1)} s, first write at ${r.firstWriteSeconds?.toFixed(1)} s` : `seed: ${r.deals.toLocaleString()} deals in ${r.seconds.toFixed(1)} s`;
    const seed = imports.find((s) => s.backend === r.backend && s.command === 'seed');
    const ratio = r.command === 'import' && seed ? Number((r.dealsPerSecond / seed.dealsPerSecond).toFixed(2)) : undefined;
    rows.push({ db: r.backend, case: `(f) ${what}, peak RSS ${r.peakRssMb} MB`, 'tcdeals req/s': r.dealsPerSecond, ...(ratio === undefined ? {} : { 'baseline req/s': seed!.dealsPerSecond, ratio }) });
  }
}

if (!ONLY || ONLY.includes('import-big')) {
  const big = await benchBigImport(log);
  results.importBig = big;
  rows.push({ db: 'sqlite', case: `(f) import of ${big.fileMb} MB NDJSON (${big.deals.toLocaleString()} deals) in ${big.seconds.toFixed(1)} s: peak RSS ${big.peakRssMb} MB (target ≤ 300)`, 'tcdeals req/s': big.dealsPerSecond });
}

if (!ONLY || ONLY.includes('sync')) {
  log('sync: partners, Limit 200, server limit 20/s, client pacing 20/s …');
  const sync = await benchSync();
  results.sync = sync;
  rows.push({ db: 'sqlite', case: `sync: ${sync.deals} deals in ${sync.pages} pages, ${sync.seconds.toFixed(1)} s`, 'tcdeals req/s': Math.round(sync.dealsPerSecond), 'baseline req/s': sync.ceiling, ratio: Number(sync.ratio.toFixed(3)), errors: sync.rateLimited });
}

if (!ONLY || ONLY.includes('console')) {
  const timings = await benchConsole(await benchDataset(DEALS, log), log);
  results.console = timings;
  for (const t of timings) rows.push({ db: 'sqlite', case: `(i) console: ${t.name}, one call at a time (TotalCount ${t.totalCount.toLocaleString()}; first call ${t.firstMs} ms)`, 'p50 ms': t.medianMs, 'p99 ms': t.maxMs });
}

results.elapsedSeconds = elapsedSeconds();
console.log(`\ntcdeals benchmark — ${DEALS.toLocaleString()} deals, ${CONNECTIONS} connections × ${DURATION} s per case, ${cpus().length} cores, Node ${process.version}, ${elapsed()} in all${PG_URL ? '' : ' (PostgreSQL: set DATABASE_URL)'}`);
console.log('req/s columns: requests per second; for (f) deals per second, for (g) MB, for sync deals per second against the 200 × 20/s ceiling');
console.table(rows);
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log('wrote bench/results.json');
