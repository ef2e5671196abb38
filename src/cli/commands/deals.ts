/**
 * `tcdeals deals import FILE`: load deals (NDJSON or a JSON array in the AgentDealNewElem shape), all or nothing.
 * `tcdeals deals pay|deliver|fail|cancel|expire|refund|paying|delivering DEALNAME`: move a deal through its lifecycle.
 */
import { Command } from 'commander';
import { importDeals } from '../../services/deal-import.js';
import { ImportRejected } from '../../services/problems.js';
import { LIFECYCLE_VERBS, type LifecycleVerb } from '../../domain/lifecycle.js';
import { applyLifecycle, describeOutcome, outcomeDeals } from '../../services/lifecycle.js';
import { exportRecords } from '../../services/deal-export.js';
import { parseDateTime } from '../../protocol/datetime.js';
import { keepHeapsTight, parseIntOption, print, usingStore, withDb } from '../options.js';

export function dealsCommand(): Command {
  const cmd = new Command('deals').description('manage deals (orders)');
  withDb(cmd.command('import'))
    .description('import deals from NDJSON or a JSON array (partners AgentDealNewElem, or billing Deal with --owner); upserts by DealName, all or nothing')
    .argument('<file>', 'file to import, or - for standard input')
    .option('--agent <uin>', 'also bind every owner that has no agent yet to this agent (creating missing accounts)')
    .option('--owner <uin>', 'the owner of billing-shaped deals (a DescribeDealsByCond Deal has no OwnerUin)')
    .option('--no-progress', 'no progress line')
    .action(async (file: string, o: { db: string; agent?: string; owner?: string; progress: boolean }) => {
      keepHeapsTight();
      await usingStore(o, async (store) => {
        const progress = o.progress && process.stderr.isTTY ? progressLine() : undefined;
        // Since the process started (performance's time origin): what a user waits before the load writes.
        let firstWrite: number | undefined;
        let r;
        try {
          // One pipeline with the admin API: read and checked in a worker thread while this one
          // writes, in one transaction through the bulk loader.
          r = await importDeals(store, file === '-' ? process.stdin : { path: file }, {
            agent: o.agent,
            owner: o.owner,
            onProgress(deals) {
              firstWrite ??= performance.now();
              progress?.update(deals);
            },
            onFinishing: progress?.finishing,
          });
        } catch (err) {
          if (!(err instanceof ImportRejected)) throw err;
          for (const p of err.problems.slice(0, 50)) process.stderr.write(`${p.where}: ${p.reason}\n`);
          if (err.total > 50) process.stderr.write(`… and ${err.total - 50} more\n`);
          throw new Error(`${err.total} problem(s); nothing was imported.`);
        } finally {
          progress?.stop();
        }
        if (r.ignoredFields.length > 0) process.stderr.write(`ignored unknown fields: ${r.ignoredFields.join(', ')}\n`);
        const seconds = r.ms / 1000;
        print(
          `imported ${r.imported} deal(s)${o.agent ? `, bound ${r.bound} new client(s) to agent ${o.agent}` : ''} ` +
            `in ${seconds.toFixed(1)} s (${Math.round(r.imported / Math.max(seconds, 0.001))} deals/s)` +
            `${firstWrite === undefined ? '' : `, first write ${(firstWrite / 1000).toFixed(2)} s after start`}`,
        );
      });
    });
  cmd.commandsGroup('Lifecycle (prints the resulting deal(s) as NDJSON in the import shape):');
  for (const verb of LIFECYCLE_VERBS) cmd.addCommand(lifecycleCommand(verb));
  return cmd;
}

const VERB_HELP: Readonly<Record<LifecycleVerb, string>> = {
  paying: 'start payment: 1 → 12 (支付中)',
  pay: 'mark paid: 1|12 → 2 (已支付), sets PayEndTime',
  delivering: 'start delivery: 2 → 3 (发货中)',
  deliver: 'mark delivered: 2|3 → 4 (已发货)',
  fail: 'mark delivery failed: 2|3 → 5 (发货失败)',
  cancel: 'close unpaid: 1|12 → 7 (已关单)',
  expire: 'expire unpaid: 1 → 8 (订单过期)',
  refund: 'refund a delivered (4) or failed (5) deal as a new negative refund deal (6, or 13 with --pending); on 13: complete it → 6',
};

interface LifecycleCliOptions {
  db: string;
  amount?: number;
  pending?: boolean;
  at?: string;
}

function lifecycleCommand(verb: LifecycleVerb): Command {
  const c = withDb(new Command(verb))
    .description(VERB_HELP[verb])
    .argument('<dealName>', 'the deal (its DealName)')
    .option('--at <datetime>', 'when the change happens, Beijing time "YYYY-MM-DD HH:mm:ss" (default: now)');
  if (verb === 'refund') {
    c.option('--amount <fen>', 'refund this much (fen); default everything not yet refunded', parseIntOption('--amount'));
    c.option('--pending', 'create the refund deal in 13 (退款中); `refund` it again to complete it');
  }
  return c.action(async (dealName: string, o: LifecycleCliOptions) => {
    const now = o.at === undefined ? Date.now() : parseDateTime(o.at);
    if (now === undefined) throw new Error(`--at must be a Beijing time "YYYY-MM-DD HH:mm:ss", got ${JSON.stringify(o.at)}`);
    await usingStore(o, async (store) => {
      // Queue the partners-cache refresh rather than doing it here: a running server applies it on
      // its next read once its own configured cache lag has passed (at once with lag 0), exactly
      // as for a change it made itself.
      store.cacheLagMs = Math.max(store.cacheLagMs, 1);
      const outcome = await applyLifecycle(store, dealName, verb, { now, amount: o.amount, pending: o.pending });
      for (const d of await exportRecords(store, outcomeDeals(outcome))) print(JSON.stringify(d));
      process.stderr.write(`${describeOutcome(outcome)}\n`);
    });
  });
}

/** A one-line progress report on a terminal: deals written and the rate (the total is not known while streaming). */
function progressLine() {
  const started = performance.now();
  let last = 0;
  const show = (text: string) => process.stderr.write(`\r\x1b[K${text}`);
  return {
    update(deals: number) {
      const now = performance.now();
      if (now - last < 200) return;
      last = now;
      show(`import: ${deals} deals written (${Math.round(deals / Math.max((now - started) / 1000, 0.001))} deals/s)`);
    },
    finishing: () => show('import: building indexes, committing'),
    stop: () => show(''),
  };
}
