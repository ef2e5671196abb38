/** `tcdeals serve`: the API server on embedded SQLite (or PostgreSQL), with demo data on first start. */
import { Command, Option } from 'commander';
import { DAY_MS, formatDateTime } from '../../protocol/datetime.js';
import { demoKeys, seedDemoIfEmpty } from '../../store/seed.js';
import { REDIS_KEY_PREFIX } from '../../rate-limit.js';
import { Sandbox, SIGNATURE_MODES, type SignatureMode } from '../../sandbox/sandbox.js';
import { Store } from '../../store/store.js';
import { parseIntOption, print, withDb } from '../options.js';

interface ServeOptions {
  db: string;
  port: number;
  host: string;
  demo: boolean;
  billingOffset: 'rows' | 'pages';
  rateLimit: number;
  logLevel: string;
  redis?: string;
  redisKeyPrefix: string;
  poolSize: number;
  cacheRebuildInterval: number;
  adminToken?: string;
  signatureMode: SignatureMode;
  cacheLag: number;
  journalSize: number;
}

export function serveCommand(): Command {
  return withDb(new Command('serve'))
    .description('run the API server')
    .option('-p, --port <port>', 'port (env PORT)', parseIntOption('--port'), Number(process.env.PORT ?? 8080))
    .option('--host <host>', 'address to listen on (env HOST)', process.env.HOST ?? '127.0.0.1')
    .option('--no-demo', 'do not seed the demo dataset into an empty database')
    .addOption(new Option('--billing-offset <mode>', 'DescribeDealsByCond Offset: a row offset or a page index').choices(['rows', 'pages']).default('rows'))
    .option('--rate-limit <n>', 'requests per second per action per account (0 = off)', parseIntOption('--rate-limit'), 20)
    .option('--redis <url>', 'share rate-limit state through Redis (env REDIS_URL)', process.env.REDIS_URL || undefined)
    .option('--redis-key-prefix <prefix>', 'prefix of the Redis keys (separate deployments sharing one Redis)', REDIS_KEY_PREFIX)
    .option('--pool-size <n>', 'PostgreSQL connection pool size (env DB_POOL_SIZE)', parseIntOption('--pool-size'), Number(process.env.DB_POOL_SIZE ?? 10))
    .option('--cache-rebuild-interval <seconds>', 'also rebuild the whole partners cache every N seconds (0 = only on writes)', parseIntOption('--cache-rebuild-interval'), 0)
    .option('--admin-token <token>', 'enable the admin API under /_tcdeals/admin for this bearer token (env TCDEALS_ADMIN_TOKEN)', process.env.TCDEALS_ADMIN_TOKEN || undefined)
    .addOption(new Option('--signature-mode <mode>', 'strict: refuse bad signatures; soft: log and answer; off: no signature needed').choices([...SIGNATURE_MODES]).default('strict'))
    .option('--cache-lag <seconds>', 'partners cache staleness: changes show after this many seconds', parseIntOption('--cache-lag'), 0)
    .option('--journal-size <n>', 'API calls kept in the request journal', parseIntOption('--journal-size'), 1000)
    .addOption(new Option('--log-level <level>', 'log level (env LOG_LEVEL)').choices(['debug', 'info', 'warn', 'error', 'silent']).default(process.env.LOG_LEVEL ?? 'info'))
    .action(async (o: ServeOptions) => {
      // Loaded here, not at the top: every other command starts without the server's dependencies.
      const [{ pino }, { createServer }, { connectRedis, redactRedisUrl, waitForRedis }] = await Promise.all([
        import('pino'),
        import('../../server.js'),
        import('../../ops/redis.js'),
      ]);
      const logger = pino({ level: o.logLevel, base: undefined });
      const sandbox = new Sandbox({ signatureMode: o.signatureMode, journalSize: o.journalSize });
      const store = await Store.open(o.db, { poolSize: o.poolSize, now: sandbox.clock.now });
      store.cacheLagMs = o.cacheLag * 1000;
      const redis = o.redis ? connectRedis(o.redis) : undefined;
      if (redis) {
        await waitForRedis(redis).catch((err: Error) => logger.warn({ redis: redactRedisUrl(o.redis!), err: err.message }, 'Redis not reachable yet; rate limits stay per instance until it is'));
      }
      if (o.demo) {
        const seeded = await seedDemoIfEmpty(store);
        if (seeded.seeded) logger.info({ deals: seeded.deals }, 'seeded the demo dataset');
      }
      const app = await createServer({
        store,
        logger,
        redis,
        redisKeyPrefix: o.redisKeyPrefix,
        requireSeed: o.demo,
        settings: { billingOffset: o.billingOffset },
        rateLimit: o.rateLimit === 0 ? false : { points: o.rateLimit, durationSec: 1 },
        cacheRebuildIntervalSec: o.cacheRebuildInterval,
        sandbox,
        adminToken: o.adminToken,
      });
      // While draining, answers say `Connection: close`, so Node closes each keep-alive connection
      // right after its last in-flight call instead of waiting for the client or the keep-alive
      // timeout (up to 5 s) before the process can exit, and clients do not send on it again.
      let closing = false;
      app.addHook('onSend', async (_req, reply) => {
        if (closing) reply.header('connection', 'close');
      });
      await app.listen({ port: o.port, host: o.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : o.port;
      printBanner(`${o.host}:${port}`, store.location, await demoKeys(store));

      // Graceful: stop accepting, let in-flight calls finish, close the pools, exit 0.
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        logger.info({ signal }, 'shutting down');
        await app.close();
        await store.close();
        await redis?.quit().catch(() => redis.disconnect());
        logger.flush?.();
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
