/** `tcdeals db migrate`: run the schema migrations explicitly. */
import { Command } from 'commander';
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
  return cmd;
}
