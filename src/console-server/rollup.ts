/**
 * Day rollups of the partners cache for the console's charts (SQLite): without them a year of a
 * million-deal agent is a grouped scan of ~800k rows per chart (seconds); with them it is a sum of
 * ~250 rows per day of the window (tens of milliseconds).
 *
 * `console_rollup` holds, per agent and day (the first 10 characters of `create_time`), the count
 * and the `RealTotalCost` sum of its cache rows by one dimension at a time: product (`p`), status
 * (`s`), refund or purchase (`r`), payer mode (`m`) and client (`o`). The values come from the
 * cache row itself — the rendered `AgentDealNewElem` the API serves — so the rollup is exactly
 * what DescribeAgentDealsByCache shows, cache lag included.
 *
 * Triggers on `agent_deal_cache` keep it, in the writing statement's transaction. They and the
 * table are made on the first chart query (a server whose console is never used pays nothing on
 * its writes). Because a fresh bulk load drops the loaded tables' triggers while it writes, every
 * query first checks the agent's rollup against the cache (row count, first and last day, from
 * the indexes) and rebuilds that agent's rollup when they differ.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { summarize, type Aggregates, type AggregateRow, type ClientMonthRow } from './aggregate.js';

const TRIGGERS = ['console_rollup_insert', 'console_rollup_delete', 'console_rollup_update'];

type Db = Kysely<Database>;

function values(row: 'new' | 'old', sign: 1 | -1): string {
  const cost = `coalesce(json_extract(${row}.body, '$.GoodsPrice.RealTotalCost'), 0) * ${sign}`;
  const day = `substr(${row}.create_time, 1, 10)`;
  const base = (dim: string, key: string) => `(${row}.agent_uin, ${day}, '${dim}', ${key}, ${sign}, ${cost})`;
  return [
    base('p', `coalesce(json_extract(${row}.body, '$.GoodsName'), '')`),
    base('s', `cast(${row}.status as text)`),
    base('r', `case when coalesce(json_extract(${row}.body, '$.GoodsPrice.RealTotalCost'), 0) < 0 then '1' else '0' end`),
    base('m', `cast(${row}.payer_mode as text)`),
    base('o', `${row}.owner_uin`),
  ].join(', ');
}

const upsert = (row: 'new' | 'old', sign: 1 | -1) =>
  `insert into console_rollup (agent_uin, day, dim, k, n, cost) values ${values(row, sign)}
   on conflict (agent_uin, day, dim, k) do update set n = n + excluded.n, cost = cost + excluded.cost;`;

async function ensureSchema(db: Db): Promise<void> {
  await sql`create table if not exists console_rollup (
      agent_uin text not null, day text not null, dim text not null, k text not null,
      n integer not null, cost integer not null,
      primary key (agent_uin, day, dim, k)) without rowid`.execute(db);
  const have = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and tbl_name = 'agent_deal_cache' and name like 'console_rollup_%'`.execute(db);
  if (have.rows.length === TRIGGERS.length) return;
  await db.transaction().execute(async (trx) => {
    for (const t of TRIGGERS) await sql.raw(`drop trigger if exists ${t}`).execute(trx);
    await sql.raw(`create trigger console_rollup_insert after insert on agent_deal_cache begin ${upsert('new', 1)} end`).execute(trx);
    await sql.raw(`create trigger console_rollup_delete after delete on agent_deal_cache begin ${upsert('old', -1)} end`).execute(trx);
    await sql.raw(`create trigger console_rollup_update after update on agent_deal_cache begin ${upsert('old', -1)} ${upsert('new', 1)} end`).execute(trx);
    // Whatever happened while there were no triggers is unknown: every agent is rebuilt on demand.
    await sql`delete from console_rollup`.execute(trx);
  });
}

/**
 * The agent's rollup agrees with its cache rows on the first and last day (two index lookups);
 * otherwise it is rebuilt. Triggers are only ever missing during a fresh bulk load, which starts
 * from an empty store (so from an empty rollup): rows written then show as a first or last day
 * the rollup does not have.
 */
async function ensureAgent(db: Db, agentUin: string): Promise<void> {
  const lo = await sql<{ t: string | null }>`select min(create_time) as t from agent_deal_cache where agent_uin = ${agentUin}`.execute(db);
  const hi = await sql<{ t: string | null }>`select max(create_time) as t from agent_deal_cache where agent_uin = ${agentUin}`.execute(db);
  const rolled = await sql<{ lo: string | null; hi: string | null }>`select min(day) as lo, max(day) as hi from console_rollup where agent_uin = ${agentUin} and dim = 'r' and n <> 0`.execute(db);
  const r = rolled.rows[0]!;
  if ((lo.rows[0]?.t?.slice(0, 10) ?? null) === r.lo && (hi.rows[0]?.t?.slice(0, 10) ?? null) === r.hi) return;
  await db.transaction().execute(async (trx) => {
    await sql`delete from console_rollup where agent_uin = ${agentUin}`.execute(trx);
    const dims: Array<[string, string]> = [
      ['p', `coalesce(json_extract(body, '$.GoodsName'), '')`],
      ['s', `cast(status as text)`],
      ['r', `case when coalesce(json_extract(body, '$.GoodsPrice.RealTotalCost'), 0) < 0 then '1' else '0' end`],
      ['m', `cast(payer_mode as text)`],
      ['o', `owner_uin`],
    ];
    for (const [dim, key] of dims) {
      await sql`insert into console_rollup (agent_uin, day, dim, k, n, cost)
        select agent_uin, substr(create_time, 1, 10), ${dim}, ${sql.raw(key)}, count(*), sum(coalesce(json_extract(body, '$.GoodsPrice.RealTotalCost'), 0))
        from agent_deal_cache where agent_uin = ${agentUin} group by 2, 4`.execute(trx);
    }
  });
}

/** Whether a window is whole days ("… 00:00:00" to "… 23:59:59"), which the rollup answers. */
export function wholeDays(start: string, end: string): boolean {
  return start.endsWith(' 00:00:00') && end.endsWith(' 23:59:59');
}

/** The partners aggregate of whole days, from the rollup (SQLite only). */
export async function rollupAggregate(db: Db, agentUin: string, startTime: string, endTime: string): Promise<Aggregates> {
  await ensureSchema(db);
  await ensureAgent(db, agentUin);
  const from = startTime.slice(0, 10);
  const to = endTime.slice(0, 10);
  const r = await sql<{ dim: string; month: string; k: string; n: number; cost: number }>`
    select dim, substr(day, 1, 7) as month, k, sum(n) as n, sum(cost) as cost from console_rollup
    where agent_uin = ${agentUin} and day >= ${from} and day <= ${to}
    group by dim, month, k having sum(n) <> 0`.execute(db);
  // summarize() takes rows of the full grouping; the dimensions are independent here, so each
  // chart is built from its own dimension and the totals from the purchase/refund split.
  const by = (dim: string) => r.rows.filter((x) => x.dim === dim).map((x) => ({ month: x.month, k: x.k, n: Number(x.n), cost: Number(x.cost) }));
  const totals = by('r');
  const rows: AggregateRow[] = totals.map((x) => ({ Month: x.month, Product: '', Status: 0, PayerMode: 0, Refund: x.k === '1', Count: x.n, RealTotalCost: x.cost }));
  const clients: ClientMonthRow[] = by('o')
    .map((x) => ({ OwnerUin: x.k, Month: x.month, Count: x.n, RealTotalCost: x.cost }))
    .sort((a, b) => a.OwnerUin.localeCompare(b.OwnerUin) || a.Month.localeCompare(b.Month));
  const out = summarize(rows, clients);
  const sumBy = (dim: string) => {
    const m = new Map<string, { Count: number; RealTotalCost: number }>();
    for (const x of by(dim)) {
      const e = m.get(x.k) ?? { Count: 0, RealTotalCost: 0 };
      e.Count += x.n;
      e.RealTotalCost += x.cost;
      m.set(x.k, e);
    }
    return m;
  };
  out.SpendByMonth = by('p')
    .map((x) => ({ Month: x.month, Product: x.k, RealTotalCost: x.cost, Count: x.n }))
    .sort((a, b) => a.Month.localeCompare(b.Month) || a.Product.localeCompare(b.Product));
  out.StatusMix = [...sumBy('s')].map(([k, v]) => ({ Status: Number(k), ...v })).sort((a, b) => a.Status - b.Status);
  out.PayerModes = [...sumBy('m')].map(([k, v]) => ({ PayerMode: Number(k), ...v })).sort((a, b) => a.PayerMode - b.PayerMode);
  return out;
}
