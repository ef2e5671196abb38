/**
 * Case (i): the web console's queries on the 1M-deal dataset — a chart's aggregate
 * (POST /_tcdeals/console/aggregate, TC3-signed) over a month and over the whole year, for the
 * agent (partners cache, all 1M deals) and for a client (billing), and the deal table's first
 * page and page 20,000 (Limit 20) — each timed one call at a time (median and max of 15, after
 * two warm-up calls), as the browser makes them.
 */
import { signTc3 } from '../src/client/signer.js';
import { BENCH_ANCHOR_DAY, type BenchDataset } from './dataset.js';
import { startChild, tcdealsServeArgs } from './load.js';

interface Timing {
  name: string;
  /** The first call (for an aggregate on a fresh server: building the agent's day rollup once). */
  firstMs: number;
  medianMs: number;
  maxMs: number;
  totalCount: number;
}

const RUNS = 15;

function request(port: number, key: { SecretId: string; SecretKey: string }, path: string, action: string, version: string, service: string, params: Record<string, unknown>) {
  const payload = JSON.stringify(params);
  const timestamp = Math.floor(Date.now() / 1000);
  const sig = signTc3({ secretId: key.SecretId, secretKey: key.SecretKey, service, host: `127.0.0.1:${port}`, timestamp, payload });
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tc-action': action, 'x-tc-version': version, 'x-tc-timestamp': String(timestamp), authorization: sig.authorization },
    body: payload,
  });
}

async function time(name: string, call: () => Promise<Response>): Promise<Timing> {
  let totalCount = 0;
  let firstMs = 0;
  const ms: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t = process.hrtime.bigint();
    const json = (await (await call()).json()) as { Response: { Error?: { Code: string; Message: string }; TotalCount?: number } };
    const elapsed = Number(process.hrtime.bigint() - t) / 1e6;
    if (json.Response.Error) throw new Error(`${name}: ${json.Response.Error.Code}: ${json.Response.Error.Message}`);
    totalCount = json.Response.TotalCount ?? 0;
    if (i === 0) firstMs = elapsed;
    if (i >= 2) ms.push(elapsed);
  }
  ms.sort((a, b) => a - b);
  return { name, firstMs: Number(firstMs.toFixed(1)), medianMs: Number(ms[Math.floor(ms.length / 2)]!.toFixed(1)), maxMs: Number(ms[ms.length - 1]!.toFixed(1)), totalCount };
}

export async function benchConsole(ds: BenchDataset, log: (s: string) => void): Promise<Timing[]> {
  const server = await startChild(tcdealsServeArgs(ds.path));
  try {
    const port = server.port;
    const yearStart = `${Number(BENCH_ANCHOR_DAY.slice(0, 4)) - 1}${BENCH_ANCHOR_DAY.slice(4)} 00:00:00`;
    const end = `${BENCH_ANCHOR_DAY} 23:59:59`;
    const monthStart = `${BENCH_ANCHOR_DAY.slice(0, 8)}01 00:00:00`;
    const lastMonthStart = `${BENCH_ANCHOR_DAY.slice(0, 5)}${String(Number(BENCH_ANCHOR_DAY.slice(5, 7)) - 1).padStart(2, '0')}-01 00:00:00`;
    const agg = (who: BenchDataset['agent'], params: Record<string, unknown>) => () => request(port, who.key, '/_tcdeals/console/aggregate', 'DescribeDealAggregates', '2026-12-01', 'tcdeals', params);
    const page = (offset: number) => () => request(port, ds.agent.key, '/', 'DescribeAgentDealsByCache', '2018-03-21', 'partners', { Offset: offset, Limit: 20 });
    const out: Timing[] = [];
    const cases: Array<[string, () => Promise<Response>]> = [
      ['chart aggregate, agent, this month', agg(ds.agent, { View: 'partners', StartTime: monthStart, EndTime: end })],
      ['chart aggregate, agent, clients view (last + this month)', agg(ds.agent, { View: 'partners', StartTime: lastMonthStart, EndTime: end })],
      ['chart aggregate, agent, 12 months (all deals)', agg(ds.agent, { View: 'partners', StartTime: yearStart, EndTime: end })],
      ['chart aggregate, client (billing), 12 months', agg(ds.client, { View: 'billing', StartTime: yearStart, EndTime: end })],
      ['deal table, first page (Limit 20)', page(0)],
      ['deal table, page 20,000 (Offset 399,980, Limit 20)', page(399_980)],
    ];
    for (const [name, call] of cases) {
      log(`(i) console: ${name} …`);
      out.push(await time(name, call));
    }
    return out;
  } finally {
    await server.stop();
  }
}
