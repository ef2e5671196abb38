/** `tcdeals serve`: the API server on embedded SQLite (or PostgreSQL), with demo data on first start. */
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { DAY_MS, formatDateTime } from '../../protocol/datetime.js';
import { createServer } from '../../server.js';
import { demoKeys, seedDemoIfEmpty } from '../../store/seed.js';
import { openStore, parseIntOption, print, withDb } from '../options.js';

interface ServeOptions {
  db: string;
  port: number;
  host: string;
  demo: boolean;
  billingOffset: 'rows' | 'pages';
  rateLimit: number;
  logLevel: string;
}

export function serveCommand(): Command {
  return withDb(new Command('serve'))
    .description('run the API server')
    .option('-p, --port <port>', 'port (env PORT)', parseIntOption('--port'), Number(process.env.PORT ?? 8080))
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
    .option('--no-demo', 'do not seed the demo dataset into an empty database')
    .addOption(new Option('--billing-offset <mode>', 'DescribeDealsByCond Offset: a row offset or a page index').choices(['rows', 'pages']).default('rows'))
    .option('--rate-limit <n>', 'requests per second per action per account (0 = off)', parseIntOption('--rate-limit'), 20)
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error', 'silent']).default(process.env.LOG_LEVEL ?? 'info'))
    .action(async (o: ServeOptions) => {
      const logger = pino({ level: o.logLevel, base: undefined });
      const store = await openStore(o);
      if (o.demo) {
        const seeded = await seedDemoIfEmpty(store);
        if (seeded.seeded) logger.info({ deals: seeded.deals }, 'seeded the demo dataset');
      }
      const app = await createServer({
        store,
        logger,
        settings: { billingOffset: o.billingOffset },
        rateLimit: o.rateLimit === 0 ? false : { points: o.rateLimit, durationSec: 1 },
      });
      await app.listen({ port: o.port, host: o.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : o.port;
      printBanner(`${o.host}:${port}`, store.kind === 'sqlite' ? store.location : store.kind, await demoKeys(store));

      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        logger.info({ signal }, 'shutting down');
        await app.close();
        await store.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      process.once('SIGINT', () => void shutdown('SIGINT'));
    });
}

/** The banner is written in one piece, so anything watching stdout sees it whole. */
function printBanner(endpoint: string, db: string, keys: Awaited<ReturnType<typeof demoKeys>>): void {
  const lines = [`tcdeals listening on http://${endpoint}  (database: ${db})`];
  if (keys.length > 0) {
    const agent = keys.find((k) => k.role === 'agent') ?? keys[0]!;
    const client = keys.find((k) => k.role === 'client') ?? agent;
    const today = formatDateTime(Date.now());
    const monthAgo = formatDateTime(Date.now() - 30 * DAY_MS);
    lines.push('', 'Demo keys (sandbox only):');
    for (const k of keys) lines.push(`  ${k.role.padEnd(6)} uin ${k.uin}  SecretId ${k.SecretId}  SecretKey ${k.SecretKey}`);
    lines.push('', 'Official Node SDK (npm i tencentcloud-sdk-nodejs):', `
  import * as tencentcloud from "tencentcloud-sdk-nodejs";
  const profile = { httpProfile: { endpoint: "${endpoint}", protocol: "http://" } };
  // The agent sees its clients' prepaid deals:
  const partners = new tencentcloud.partners.v20180321.Client({
    credential: { secretId: "${agent.SecretId}", secretKey: "${agent.SecretKey}" }, region: "", profile });
  console.log(await partners.DescribeAgentDealsByCache({ Offset: 0, Limit: 10 }));
  // A client sees its own deals:
  const billing = new tencentcloud.billing.v20180709.Client({
    credential: { secretId: "${client.SecretId}", secretKey: "${client.SecretKey}" }, region: "", profile });
  console.log(await billing.DescribeDealsByCond({ StartTime: "${monthAgo}", EndTime: "${today}", Limit: 20 }));
`);
  }
  print(lines.join('\n'));
}
