/** `tcdeals db migrate`: run the schema migrations explicitly. `tcdeals db recount`: rebuild billing's per-day deal counts. */
import { Command } from 'commander';
import { recountDeals } from '../../store/deal-counts.js';
import { print, usingStore, withDb } from '../options.js';

export function dbCommand(): Command {
  const cmd = new Command('db').description('database maintenance');
  withDb(cmd.command('migrate'))
    .description('apply pending schema migrations')
    .action(async (o: { db: string }) =>
      usingStore(o, async (store) => {
        // Opening the store applies what is pending; report what that was.
        const applied = store.migrated;
        print(applied.length ? `applied: ${applied.join(', ')}` : `schema up to date (${store.kind})`);
      }),
    );
  withDb(cmd.command('recount'))
    .description("count every deal again into billing's per-day counts (after writing deals with the deal_counts triggers disabled)")
    .action(async (o: { db: string }) =>
      usingStore(o, async (store) => {
        const started = performance.now();
        await store.exclusive('tcdeals:deal-counts', (tx) => recountDeals(tx.db));
        const { n } = await store.db.selectFrom('deal_counts').select((eb) => eb.fn.sum<number | string | null>('n').as('n')).executeTakeFirstOrThrow();
        print(`counted ${Number(n ?? 0)} deal(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }),
    );
  return cmd;
}
