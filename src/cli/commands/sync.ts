/** `tcdeals sync`: mirror every deal of a range into a SQLite/PostgreSQL database, NDJSON or CSV, resumably. */
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { DAY_MS, formatDateTime } from '../../protocol/datetime.js';
import { openSink } from '../../sync/sinks/sink.js';
import { DEFAULT_TRAILING_DAYS, runSync, type SyncProgress } from '../../sync/sync.js';
import { parseIntOption, print } from '../options.js';
import { clientFromEnv } from './credentials.js';

interface SyncFlags {
  service: 'partners' | 'billing';
  what: 'deals' | 'clients' | 'pay-deals';
  endpoint?: string;
  from?: string;
  to?: string;
  out: string;
  incremental: boolean;
  trailingDays: number;
  pageSize?: number;
  billingOffset: 'rows' | 'pages';
  rate: number;
  progress: boolean;
}

export function syncCommand(): Command {
  return new Command('sync')
    .description('mirror every deal of a time range through partners or billing, resumably (credentials from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY)')
    .addOption(new Option('--service <service>', 'which API to pull through').choices(['partners', 'billing']).default('partners'))
    .addOption(new Option('--what <what>', 'partners only: deals (DescribeAgentDealsByCache), clients (DescribeAgentAuditedClients) or pay-deals (DescribeAgentPayDealsV2, the last 15 days)').choices(['deals', 'clients', 'pay-deals']).default('deals'))
    .option('--endpoint <url>', 'API base URL, e.g. http://127.0.0.1:8080 for a tcdeals sandbox (default: the real Tencent Cloud hosts)')
    .option('--from <datetime>', 'start of the range, YYYY-MM-DD HH:mm:ss (default: 12 months before --to)')
    .option('--to <datetime>', 'end of the range, YYYY-MM-DD HH:mm:ss (default: now, Beijing time)')
    .requiredOption('--out <target>', 'a SQLite file, a postgres:// URL, an .ndjson or a .csv file')
    .option('--incremental', `re-pull a trailing window before the last completed run and upsert changes`, false)
    .option('--trailing-days <n>', 'trailing window of --incremental', parseIntOption('--trailing-days'), DEFAULT_TRAILING_DAYS)
    .option('--page-size <n>', 'deals per call (partners ≤ 200, billing ≤ 1000)', parseIntOption('--page-size'))
    .addOption(new Option('--billing-offset <mode>', 'how the server reads billing Offset').choices(['rows', 'pages']).default('rows'))
    .option('--rate <n>', 'calls per second per action (the documented limit is 20)', parseIntOption('--rate'), 20)
    .option('--no-progress', 'no progress bar')
    .action(async (f: SyncFlags) => {
      const client = clientFromEnv({ endpoint: f.endpoint, rate: f.rate });
      const to = f.to ?? formatDateTime(Date.now());
      const from = f.from ?? formatDateTime(Date.now() - 365 * DAY_MS);
      if (f.what !== 'deals' && f.service !== 'partners') throw new Error(`--what ${f.what} needs --service partners`);
      const service = f.what === 'clients' ? 'partners-clients' : f.what === 'pay-deals' ? 'partners-pay-deals' : f.service;
      const sink = await openSink(f.out, { service });
      const bar = f.progress && process.stderr.isTTY ? progressBar() : undefined;
      try {
        const summary = await runSync({
          client,
          service,
          from,
          to,
          sink,
          pageSize: f.pageSize,
          offsetMode: f.billingOffset,
          incremental: f.incremental,
          trailingDays: f.trailingDays,
          onProgress: bar?.update,
        });
        bar?.stop();
        if (summary.mode === 'complete') {
          print(`already complete: ${summary.total} deal(s) in ${sink.location} for ${from} .. ${to} (use --incremental to refresh)`);
          return;
        }
        const secs = summary.ms / 1000;
        print(
          `${summary.mode === 'resume' ? `resumed at window ${summary.resumedAt!.window + 1}, offset ${summary.resumedAt!.offset}; ` : ''}` +
            `${summary.mode} ${summary.service} sync ${summary.from} .. ${summary.to}: ${summary.written} ${f.what === 'clients' ? 'client' : 'deal'}(s) in ${summary.pages} page(s), ` +
            `${secs.toFixed(1)} s (${(summary.written / Math.max(secs, 0.001)).toFixed(0)} deals/s), ${summary.duplicatesDropped} duplicate(s) dropped, ` +
            `${client.stats.retries} retr${client.stats.retries === 1 ? 'y' : 'ies'}; ${sink.location} now holds ${summary.total} deal(s)`,
        );
      } finally {
        bar?.stop();
        await sink.close();
      }
    });
}

function progressBar() {
  const bar = new cliProgress.SingleBar(
    { format: 'sync [{bar}] {percentage}% | window {win}/{windows} | {written} deals | {pages} pages | {rate} deals/s | ETA {eta_formatted}', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p: SyncProgress) => {
      // Progress in thousandths: windows done plus the share of the current window.
      const share = p.totalInWindow > 0 ? Math.min(1, p.offset / p.totalInWindow) : 1;
      const value = Math.round(((p.window + share) / p.windowCount) * 1000);
      const payload = { win: p.window + 1, windows: p.windowCount, written: p.written, pages: p.pages, rate: Math.round(p.written / Math.max(p.elapsedMs / 1000, 0.001)) };
      if (!started) {
        bar.start(1000, value, payload);
        started = true;
      } else bar.update(value, payload);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
