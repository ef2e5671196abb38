/**
 * `tcdeals seed`: fills a database with a realistic, deterministic dataset — agents, their
 * clients and bindings, a few direct customers, and any number of deals over the last N months —
 * through the bulk loader, in one transaction. The same options give the same data.
 */
import { generatePartnersData } from '../../domain/partners.js';
import { parseDateTime } from '../../protocol/datetime.js';
import { applyPartnersData } from '../../store/seed.js';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { DEMO_AGENT, DEMO_CLIENT } from '../../domain/demo-seed.js';
import { generate, type GenerateOptions } from '../../domain/generator.js';
import { preparedInWorker } from '../../store/generated-source.js';
import type { Store } from '../../store/store.js';
import { keepHeapsTight, parseIntOption, print, usingStore, withDb } from '../options.js';

interface SeedFlags {
  db: string;
  agents: number;
  clients: number;
  deals: number;
  months: number;
  seed: number;
  anchor?: string;
  batchSize: number;
  append: boolean;
  demoKeys: boolean;
  progress: boolean;
  json: boolean;
}

export function seedCommand(): Command {
  return withDb(new Command('seed'))
    .description('fill the database with a realistic, deterministic dataset (agents, clients, bindings, deals), bulk-loaded in one transaction')
    .option('--agents <n>', 'agents (resellers); the first is 200000000001', parseIntOption('--agents'), 1)
    .option('--clients <n>', 'clients per agent; the first is 100000000001', parseIntOption('--clients'), 20)
    .option('--deals <n>', 'deals in total, refunds included', parseIntOption('--deals'), 10_000)
    .option('--months <n>', 'months of history', parseIntOption('--months'), 12)
    .option('--seed <n>', 'random seed: the same options give the same data', parseIntOption('--seed'), 1)
    .option('--anchor <date>', 'the history ends where this Beijing day starts, YYYY-MM-DD (default: today)')
    .option('--batch-size <n>', 'deals generated and written per batch', parseIntOption('--batch-size'), 2_000)
    .option('--append', 'seed even if the database already holds deals (they are upserted by DealName)', false)
    .option('--demo-keys', 'give the first agent and client the well-known demo keys instead of new random ones', false)
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON', false)
    .action(async (o: SeedFlags) => {
      if (o.agents < 1) throw new Error('--agents must be at least 1');
      if (o.months < 1) throw new Error('--months must be at least 1');
      if (o.batchSize < 1) throw new Error('--batch-size must be at least 1');
      const anchorMs = o.anchor === undefined ? Date.now() : parseDay(o.anchor);
      keepHeapsTight();
      const started = performance.now();
      const options: GenerateOptions = {
        agents: o.agents,
        clients: o.clients,
        deals: o.deals,
        months: o.months,
        seed: o.seed,
        anchorMs,
        batchSize: o.batchSize,
        keys: o.demoKeys ? { agent: DEMO_AGENT.key, client: DEMO_CLIENT.key } : undefined,
      };
      const data = generate(options);
      await usingStore(o, async (store) => {
        if (!o.append && (await store.db.selectFrom('deals').select('deal_name').limit(1).executeTakeFirst())) {
          throw new Error(`${store.location} already holds deals; seed fills an empty database (pass --append to upsert into it anyway)`);
        }
        const bar = o.progress && process.stderr.isTTY && o.deals > 0 ? progressBar(o.deals) : undefined;
        let result;
        try {
          // Deals are generated, checked and rendered in a worker thread while this one writes.
          result = await store.bulkLoad(
            { accounts: data.accounts, bindings: data.bindings, prepared: (ctx) => preparedInWorker(options, ctx) },
            { onProgress: bar?.update, onFinishing: bar?.finishing },
          );
        } finally {
          bar?.stop();
        }
        // The partners workflow: profiles, salespeople, applications and unbinds of these accounts.
        await applyPartnersData(store, generatePartnersData({ accounts: data.accounts, bindings: data.bindings, seed: o.seed, anchorMs: parseDateTime(data.to) ?? anchorMs }));
        const seconds = (performance.now() - started) / 1000;
        const keys = await seedKeys(store, data.accounts, o.demoKeys, o.clients > 0);
        const summary = {
          deals: result.deals,
          agents: o.agents,
          clients: o.agents * o.clients,
          accountsCreated: result.accountsCreated,
          cacheRows: result.cacheRows,
          from: data.from,
          to: data.to,
          seed: o.seed,
          seconds: Number(seconds.toFixed(2)),
          dealsPerSecond: Math.round(result.deals / Math.max(seconds, 0.001)),
          database: store.location,
          keys,
        };
        if (o.json) {
          print(JSON.stringify(summary));
          return;
        }
        print(
          `seeded ${summary.deals} deal(s) for ${summary.agents} agent(s) and ${summary.clients} client(s), ${data.from} .. ${data.to} (seed ${o.seed}), ` +
            `in ${seconds.toFixed(1)} s (${summary.dealsPerSecond} deals/s) into ${store.location}`,
        );
        for (const k of keys) print(`  ${k.role.padEnd(6)} uin ${k.uin}  SecretId ${k.SecretId}  SecretKey ${k.SecretKey}`);
      });
    });
}

/** `YYYY-MM-DD` → an instant inside that Beijing day (noon). */
function parseDay(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 4) : NaN;
  if (!m || new Date(ms).getUTCDate() !== Number(m[3])) throw new Error(`--anchor must be a date YYYY-MM-DD, got ${JSON.stringify(day)}`);
  return ms;
}

/** A key for the first agent and the first client: the demo ones, or new random ones (shown once). */
async function seedKeys(store: Store, accounts: ReturnType<typeof generate>['accounts'], demo: boolean, withClient: boolean) {
  const agent = accounts.find((a) => a.isAgent)!;
  const client = withClient ? accounts.find((a) => !a.isAgent) : undefined;
  const out: Array<{ role: 'agent' | 'client'; uin: string; SecretId: string; SecretKey: string }> = [];
  for (const [role, account] of [['agent', agent], ['client', client]] as const) {
    if (!account) continue;
    const key = demo ? (role === 'agent' ? DEMO_AGENT.key : DEMO_CLIENT.key) : await store.createKey(account.uin);
    out.push({ role, uin: account.uin, SecretId: key.SecretId, SecretKey: key.SecretKey });
  }
  return out;
}

function progressBar(total: number) {
  const bar = new cliProgress.SingleBar(
    { format: 'seed [{bar}] {percentage}% | {value}/{total} deals | {rate} deals/s | {phase}', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  const rate = (deals: number) => Math.round(deals / Math.max((performance.now() - started) / 1000, 0.001));
  bar.start(total, 0, { rate: 0, phase: 'writing deals' });
  return {
    update: (deals: number) => bar.update(deals, { rate: rate(deals), phase: 'writing deals' }),
    finishing: () => bar.update({ phase: 'building indexes, committing' }),
    stop: () => bar.stop(),
  };
}
