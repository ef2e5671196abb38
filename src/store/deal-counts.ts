/**
 * Deal counts per owner, status and day, for billing's `TotalCount`. A 3-month window of a busy
 * account is ~10,000 index entries to count on every page; with these counts it is the sum of
 * the ~90 whole days in between plus two range counts over the first and last (partial) day.
 *
 * The counts are kept by triggers on `deals`, in the writing statement's own transaction: every
 * write path — the store's upserts, bulk loads, resets, and a platform's own SQL against the
 * table — keeps them exact, with nothing to invalidate and no race with readers. A fresh bulk
 * load drops the triggers like the indexes and recounts once at the end (bulk-load.ts).
 *
 * A day is the first 10 characters of `create_time` ("YYYY-MM-DD", Beijing time, as stored).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The triggers, per engine: created by migration 0005, dropped and re-created by fresh bulk loads. */
export function dealCountTriggers(kind: 'sqlite' | 'postgres'): string[] {
  if (kind === 'sqlite') {
    const add = (row: 'new' | 'old', delta: 1 | -1) =>
      delta === 1
        ? `insert into deal_counts (owner_uin, status, day, n) values (new.owner_uin, new.status, substr(new.create_time, 1, 10), 1)
             on conflict (owner_uin, status, day) do update set n = n + 1;`
        : `update deal_counts set n = n - 1 where owner_uin = ${row}.owner_uin and status = ${row}.status and day = substr(${row}.create_time, 1, 10);
           delete from deal_counts where owner_uin = ${row}.owner_uin and status = ${row}.status and day = substr(${row}.create_time, 1, 10) and n <= 0;`;
    return [
      `create trigger deal_counts_insert after insert on deals begin ${add('new', 1)} end`,
      `create trigger deal_counts_delete after delete on deals begin ${add('old', -1)} end`,
      // Only changes that move a deal to another (owner, status, day) touch the counts.
      `create trigger deal_counts_update after update of owner_uin, status, create_time on deals
         when old.owner_uin is not new.owner_uin or old.status is not new.status or substr(old.create_time, 1, 10) is not substr(new.create_time, 1, 10)
         begin ${add('old', -1)} ${add('new', 1)} end`,
    ];
  }
  return [
    `create or replace function tcdeals_deal_counts() returns trigger language plpgsql as $$
     begin
       if tg_op in ('UPDATE', 'DELETE') then
         update deal_counts set n = n - 1 where owner_uin = old.owner_uin and status = old.status and day = substr(old.create_time, 1, 10);
         delete from deal_counts where owner_uin = old.owner_uin and status = old.status and day = substr(old.create_time, 1, 10) and n <= 0;
       end if;
       if tg_op in ('UPDATE', 'INSERT') then
         insert into deal_counts (owner_uin, status, day, n) values (new.owner_uin, new.status, substr(new.create_time, 1, 10), 1)
           on conflict (owner_uin, status, day) do update set n = deal_counts.n + 1;
       end if;
       return null;
     end $$`,
    `create trigger deal_counts_insert after insert or delete on deals for each row execute function tcdeals_deal_counts()`,
    `create trigger deal_counts_update after update of owner_uin, status, create_time on deals for each row
       when (old.owner_uin is distinct from new.owner_uin or old.status is distinct from new.status or substr(old.create_time, 1, 10) is distinct from substr(new.create_time, 1, 10))
       execute function tcdeals_deal_counts()`,
  ];
}

/** Counts every deal again (after a bulk load without the triggers, or when the table is first made); runs as is on both engines. */
export const RECOUNT_DEALS = [
  'delete from deal_counts',
  `insert into deal_counts (owner_uin, status, day, n)
     select owner_uin, status, substr(create_time, 1, 10), count(*) from deals group by owner_uin, status, substr(create_time, 1, 10)`,
] as const;

export async function recountDeals(db: Kysely<Database>): Promise<void> {
  for (const statement of RECOUNT_DEALS) await sql.raw(statement).execute(db);
}

/** The smallest string above every string starting with `day` (its last character, a digit, plus one). */
export function afterDay(day: string): string {
  return day.slice(0, -1) + String.fromCharCode(day.charCodeAt(day.length - 1) + 1);
}

/**
 * How many of the owner's deals with one of `statuses` have startTime ≤ create_time ≤ endTime:
 * whole days from the counts, the two edge days from the index. Both times are
 * "YYYY-MM-DD HH:mm:ss" (validated by the action), startTime ≤ endTime.
 */
export async function countInWindow(db: Kysely<Database>, ownerUin: string, statuses: readonly number[], startTime: string, endTime: string): Promise<number> {
  const first = startTime.slice(0, 10);
  const last = endTime.slice(0, 10);
  const inRange = (from: string, to: string, toInclusive: boolean) =>
    db
      .selectFrom('deals')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('owner_uin', '=', ownerUin)
      .where('status', 'in', [...statuses])
      .where('create_time', '>=', from)
      .where('create_time', toInclusive ? '<=' : '<', to);
  if (first >= last) return Number((await inRange(startTime, endTime, true).executeTakeFirstOrThrow()).n);
  // Every deal of a day strictly between the two lies inside the window; of the first day those
  // from startTime on, of the last day those up to endTime (see afterDay). One statement, one
  // round trip to the database.
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('deal_counts')
        .select((s) => s.fn.sum<number | string | null>('n').as('n'))
        .where('owner_uin', '=', ownerUin)
        .where('status', 'in', [...statuses])
        .where('day', '>', first)
        .where('day', '<', last)
        .as('middle'),
      inRange(startTime, afterDay(first), false).as('head'),
      inRange(last, endTime, true).as('tail'),
    ])
    .executeTakeFirstOrThrow();
  return Number(row.middle ?? 0) + Number(row.head) + Number(row.tail);
}
