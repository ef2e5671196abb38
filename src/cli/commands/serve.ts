/** `tcdeals serve`: the API server on embedded SQLite (or PostgreSQL), with demo data on first start. */
import { Command, Option } from 'commander';
import { DAY_MS, formatDateTime } from '../../protocol/datetime.js';
import { demoKeys, seedDemoIfEmpty } from '../../store/seed.js';
import { REDIS_KEY_PREFIX } from '../../rate-limit.js';
import { Sandbox, SIGNATURE_MODES, type SignatureMode } from '../../sandbox/sandbox.js';
import { Store } from '../../store/store.js';
import { isLoopbackHost } from '../../tls/names.js';
import { keepHeapsTight, parseIntOption, print, withDb } from '../options.js';

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
  proxy: boolean;
  proxyPassthrough?: 'on' | 'off';
  tlsPort?: number;
  tlsName: string[];
  tlsCert?: string;
  tlsKey?: string;
  caDir?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

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
    .option('--tls-port <port>', 'also serve the API over HTTPS on this port (env TLS_PORT)', parseIntOption('--tls-port'), process.env.TLS_PORT ? Number(process.env.TLS_PORT) : undefined)
    .option('--tls-name <name>', 'another name for the TLS certificate from the local CA (repeatable; tencentcloudapi.com names, localhost, loopback)', collect, [])
    .option('--tls-cert <file>', "the TLS port's certificate (PEM, chain included) instead of one from the local CA")
    .option('--tls-key <file>', "the TLS port's private key (PEM), with --tls-cert")
    .option('--no-proxy', 'no proxy mode: CONNECT and absolute-form requests are not served')
    .addOption(new Option('--proxy-passthrough <mode>', 'tunnel other hosts than Tencent Cloud API names (default: on when bound to loopback, off otherwise)').choices(['on', 'off']))
    .option('--ca-dir <dir>', 'the local CA directory (env TCDEALS_CA_DIR; default: ca/ beside the --db file, ./data/ca otherwise)')
    .action(async (o: ServeOptions) => {
      // A long-running server's memory should follow its live heap (~30–40 MB), not V8's default
      // growth steps, which let it swing by tens of MB between full collections under light load.
      keepHeapsTight();
      // Loaded here, not at the top: every other command starts without the server's dependencies.
      const [{ pino }, { createServer, frontOf }, { connectRedis, redactRedisUrl, waitForRedis }] = await Promise.all([
        import('pino'),
        import('../../server.js'),
        import('../../ops/redis.js'),
      ]);
      if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
      if ((o.tlsCert || o.tlsName.length > 0) && o.tlsPort === undefined) throw new Error('--tls-cert, --tls-key and --tls-name need --tls-port');
      const { passthrough, loopback, warning } = proxyPolicy(o.host, o.proxyPassthrough);
      // The local CA, when something needs it: proxy mode's TLS tunnels, or a TLS port without a certificate of its own.
      const needsCa = o.proxy || (o.tlsPort !== undefined && !o.tlsCert);
      const caTools = needsCa ? await import('../../tls/ca.js') : undefined;
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
      let ca: Awaited<ReturnType<typeof import('../../tls/ca.js').LocalCa.open>> | undefined;
      if (caTools) {
        const { LocalCa, resolveCaDir } = caTools;
        const dir = resolveCaDir({ caDir: o.caDir, db: o.db });
        try {
          ca = await LocalCa.open(dir);
        } catch (err) {
          // Proxy mode still tunnels and forwards; only TLS for API names needs the CA.
          if (o.tlsPort !== undefined && !o.tlsCert) throw err;
          logger.warn({ caDir: dir, err: (err as Error).message }, 'no local CA: proxy mode cannot terminate TLS for Tencent Cloud API names');
        }
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
        ca,
        proxy: o.proxy ? { passthrough } : undefined,
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
      const endpoint = `${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
      let tls: { endpoint: string; names: string } | undefined;
      if (o.tlsPort !== undefined) {
        const at = await frontOf(app)
          .listenTls({ port: o.tlsPort, host: o.host, names: o.tlsName, certFile: o.tlsCert, keyFile: o.tlsKey })
          .catch(async (err: Error) => {
            await app.close();
            throw err;
          });
        const { DEFAULT_TLS_NAMES } = await import('../../tls/front.js');
        tls = {
          endpoint: `${o.host.includes(':') ? `[${o.host}]` : o.host}:${at.port}`,
          names: o.tlsCert ? `certificate ${o.tlsCert}` : `certificate from the tcdeals CA for ${[...DEFAULT_TLS_NAMES, ...o.tlsName].join(', ')}`,
        };
      }
      let proxy: ProxyBanner | undefined;
      if (o.proxy) {
        // Where local tools reach the proxy: the bound address, or loopback for a wildcard bind.
        const wildcard = o.host === '0.0.0.0' || o.host === '::';
        const proxyUrl = `http://${wildcard ? `127.0.0.1:${port}` : endpoint}`;
        ca?.writeBundle();
        const { resolve } = await import('node:path');
        const caDirArg = ca && ca.paths.dir !== resolve('data', 'ca') ? ` --ca-dir ${shellQuote(ca.paths.dir)}` : '';
        proxy = { passthrough, warning, caCert: ca?.paths.cert, caDirArg, envCommand: `npx tcdeals ca env${caDirArg} --endpoint ${proxyUrl}`, hasEnv: ca !== undefined };
        if (warning) logger.warn({ host: o.host, passthrough }, warning);
      }
      printBanner(endpoint, store.location, await demoKeys(store), tls, proxy);

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

/**
 * Proxy mode's passthrough: on by default only on a loopback address; bound elsewhere it stays
 * off unless asked for, and either way a non-loopback bind gets a warning (an open proxy is a hole).
 */
export function proxyPolicy(host: string, flag?: 'on' | 'off'): { passthrough: boolean; loopback: boolean; warning?: string } {
  const loopback = isLoopbackHost(host);
  const passthrough = flag ? flag === 'on' : loopback;
  if (loopback) return { passthrough, loopback };
  return {
    passthrough,
    loopback,
    warning: passthrough
      ? `WARNING: proxy mode with passthrough on ${host}, not a loopback address: anyone who reaches this port can tunnel anywhere through it. An open proxy is a hole.`
      : `WARNING: proxy mode on ${host}, not a loopback address: it serves Tencent Cloud API names only, passthrough stays off (--proxy-passthrough on would make an open proxy, a hole).`,
  };
}

interface ProxyBanner {
  passthrough: boolean;
  warning?: string;
  caCert?: string;
  /** ` --ca-dir DIR` when the CA is not in ./data/ca (what `tcdeals ca …` finds by default here). */
  caDirArg: string;
  envCommand: string;
  hasEnv: boolean;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The banner is written in one piece, so anything watching stdout sees it whole. */
function printBanner(endpoint: string, db: string, keys: Awaited<ReturnType<typeof demoKeys>>, tls?: { endpoint: string; names: string }, proxy?: ProxyBanner): void {
  const lines = [`tcdeals listening on http://${endpoint}  (database: ${db})`, `Web console on http://${endpoint}/console/`];
  if (tls) lines.push(`HTTPS on https://${tls.endpoint}  (${tls.names})`);
  if (proxy) {
    lines.push(
      `Proxy mode on http://${endpoint}: Tencent Cloud API names are served here, other hosts ${proxy.passthrough ? 'tunnelled through' : 'refused (passthrough off)'}.`,
    );
    if (proxy.warning) lines.push(proxy.warning);
    if (proxy.hasEnv) {
      lines.push(`  Unchanged tools (Node, Go, curl; tccli and Python once the CA is in certifi), in your shell:`);
      lines.push(`    eval "$(${proxy.envCommand})"`);
      lines.push(`  CA: ${proxy.caCert}   Python SDK / tccli, once: npx tcdeals ca install --certifi python3${proxy.caDirArg}`);
    } else {
      lines.push('  No local CA: tunnels to Tencent Cloud API names cannot be served (see the log).');
    }
  }
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
