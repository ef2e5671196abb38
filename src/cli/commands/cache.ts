/** `tcdeals cache rebuild`: rebuild the partners agent-deal cache from the order store. */
import { Command } from 'commander';
import { print, usingStore, withDb } from '../options.js';

export function cacheCommand(): Command {
  const cmd = new Command('cache').description('the partners agent-deal cache');
  withDb(cmd.command('rebuild'))
    .description('rebuild the whole cache in one transaction (readers keep the old snapshot until it commits)')
    .action(async (o: { db: string }) =>
      usingStore(o, async (store) => {
        // Asked for explicitly: wait for another instance's rebuild (or a write ranking positions) to finish.
        const r = await store.rebuildAgentCache({ wait: true });
        if (!r.rebuilt) throw new Error('another instance is rebuilding the cache right now; nothing done');
        print(`rebuilt the partners cache: ${r.rows} deal(s) in ${r.ms} ms`);
      }),
    );
  return cmd;
}
