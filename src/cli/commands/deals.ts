/**
 * `tcdeals deals import FILE`: load deals (NDJSON or a JSON array in the AgentDealNewElem shape), all or nothing.
 * `tcdeals deals pay|deliver|fail|cancel|expire|refund|paying|delivering DEALNAME`: move a deal through its lifecycle.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseDealImport } from '../../domain/deal-import.js';
import type { ClientType, DealRecord, ProjectType } from '../../domain/deal.js';
import { chunks } from '../../store/deals.js';
import type { Binding, BulkAccount, Store } from '../../store/store.js';
import { LIFECYCLE_VERBS, type LifecycleVerb } from '../../domain/lifecycle.js';
import { applyLifecycle, describeOutcome, outcomeDeals } from '../../services/lifecycle.js';
import { exportRecords } from '../../services/deal-export.js';
import { parseDateTime } from '../../protocol/datetime.js';
import { parseIntOption, print, usingStore, withDb } from '../options.js';

export function dealsCommand(): Command {
  const cmd = new Command('deals').description('manage deals (orders)');
  withDb(cmd.command('import'))
    .description('import deals from NDJSON or a JSON array (the AgentDealNewElem shape, plus billing fields); upserts by DealName')
    .argument('<file>', 'file to import, or - for standard input')
    .option('--agent <uin>', 'also bind every owner that has no agent yet to this agent (creating missing accounts)')
    .action(async (file: string, o: { db: string; agent?: string }) => {
      const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      const parsed = parseDealImport(text);
      if (parsed.problems.length > 0) {
        for (const p of parsed.problems.slice(0, 50)) process.stderr.write(`${p.where}: ${p.reason}\n`);
        if (parsed.problems.length > 50) process.stderr.write(`… and ${parsed.problems.length - 50} more\n`);
        throw new Error(`${parsed.problems.length} bad record(s); nothing was imported.`);
      }
      if (parsed.ignoredFields.length > 0) process.stderr.write(`ignored unknown fields: ${parsed.ignoredFields.join(', ')}\n`);
      await usingStore(o, async (store) => {
        const started = performance.now();
        // One transaction through the bulk loader: the new owners' accounts and bindings and every
        // deal (with its cache row), or nothing.
        const owners = o.agent ? await ownerBindings(store, o.agent, parsed.records) : { accounts: [], bindings: [] };
        await store.bulkLoad({ ...owners, deals: [parsed.records] });
        const bound = owners.bindings.length;
        const seconds = (performance.now() - started) / 1000;
        print(
          `imported ${parsed.records.length} deal(s)${o.agent ? `, bound ${bound} new client(s) to agent ${o.agent}` : ''} ` +
            `in ${seconds.toFixed(1)} s (${Math.round(parsed.records.length / Math.max(seconds, 0.001))} deals/s)`,
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

/** Accounts and bindings to the agent for every owner without an agent yet (accounts that exist are left alone). */
async function ownerBindings(store: Store, agentUin: string, records: readonly DealRecord[]): Promise<{ accounts: BulkAccount[]; bindings: Binding[] }> {
  const owners = new Map<string, DealRecord>();
  for (const r of records) if (!owners.has(r.owner_uin)) owners.set(r.owner_uin, r);
  const already = new Set<string>();
  for (const part of chunks([...owners.keys()], 500)) {
    for (const r of await store.db.selectFrom('agent_clients').select('client_uin').where('client_uin', 'in', part).execute()) already.add(r.client_uin);
  }
  const accounts: BulkAccount[] = [];
  const bindings: Binding[] = [];
  for (const [uin, sample] of owners) {
    if (already.has(uin) || uin === agentUin) continue;
    accounts.push({ uin, appId: sample.app_id });
    bindings.push({
      agentUin,
      clientUin: uin,
      clientType: (sample.client_type || 'new') as ClientType,
      projectType: (sample.project_type || 'self') as ProjectType,
      salesUin: sample.sales_uin || '0',
      clientRemark: sample.client_remark ?? '',
    });
  }
  return { accounts, bindings };
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
