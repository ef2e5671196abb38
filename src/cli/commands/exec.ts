/**
 * `tcdeals exec [options] -- <command> [args…]`: runs a command against a throwaway sandbox.
 * A server starts in this process on a free loopback port (an in-memory database by default,
 * demo data seeded, a random admin token), the command runs with everything it needs in its
 * environment, and when it exits the server stops and the store closes, leaving nothing behind;
 * `exec` exits with the command's exit code (128 + n when a signal ended it).
 *
 * The command's environment:
 *   TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY   the demo agent's key (the official SDKs' variables)
 *   TCDEALS_CLIENT_SECRET_ID / TCDEALS_CLIENT_SECRET_KEY  the demo client's key
 *   TCDEALS_ENDPOINT      http://127.0.0.1:PORT
 *   TCDEALS_ADMIN_TOKEN   the admin API token (so `tcdeals admin …` works as is)
 *   HTTPS_PROXY / https_proxy / http_proxy   the server (proxy mode): code that keeps the
 *                         production endpoints reaches the sandbox unchanged
 *   NODE_EXTRA_CA_CERTS   the local CA (the same CA directory `serve` uses for this database)
 *   REQUESTS_CA_BUNDLE / SSL_CERT_FILE   the system roots plus the local CA
 *                         (each of the three, when exec's own environment already names a file:
 *                         a copy of that file with the CA appended, so no root the user added is lost)
 * (`--no-proxy` leaves out the proxy and CA variables and does not touch the CA.)
 * Without demo keys in the store (`--no-demo` on an empty database) the key variables are
 * passed on unchanged from exec's own environment.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { Command, Option } from 'commander';
import type { createServer } from '../../server.js';
import { Sandbox, SIGNATURE_MODES, type SignatureMode } from '../../sandbox/sandbox.js';
import { demoKeys, seedDemoIfEmpty } from '../../store/seed.js';
import { Store } from '../../store/store.js';
import { parseIntOption } from '../options.js';

interface ExecOptions {
  db: string;
  demo: boolean;
  port: number;
  billingOffset: 'rows' | 'pages';
  rateLimit: number;
  signatureMode: SignatureMode;
  cacheLag: number;
  journalSize: number;
  logLevel: string;
  proxy: boolean;
  caDir?: string;
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function execCommand(): Command {
  return new Command('exec')
    .description('run a command against a throwaway sandbox server: tcdeals exec -- npm test')
    .usage('[options] -- <command> [args...]')
    .argument('<command...>', 'the command and its arguments (after --)')
    .option('--db <url>', 'database: :memory: (nothing written), a SQLite file, or postgres://…', ':memory:')
    .option('--no-demo', 'do not seed the demo dataset into an empty database')
    .option('-p, --port <port>', 'port on 127.0.0.1 (0: a free one)', parseIntOption('--port'), 0)
    .addOption(new Option('--billing-offset <mode>', 'DescribeDealsByCond Offset: a row offset or a page index').choices(['rows', 'pages']).default('rows'))
    .option('--rate-limit <n>', 'requests per second per action per account (0 = off)', parseIntOption('--rate-limit'), 20)
    .addOption(new Option('--signature-mode <mode>', 'strict: refuse bad signatures; soft: log and answer; off: no signature needed').choices([...SIGNATURE_MODES]).default('strict'))
    .option('--cache-lag <seconds>', 'partners cache staleness: changes show after this many seconds', parseIntOption('--cache-lag'), 0)
    .option('--journal-size <n>', 'API calls kept in the request journal', parseIntOption('--journal-size'), 1000)
    .addOption(new Option('--log-level <level>', 'server log level (the log goes to standard error)').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .option('--no-proxy', 'no proxy mode, and no proxy or CA variables for the command')
    .option('--ca-dir <dir>', 'the local CA directory (env TCDEALS_CA_DIR; default: ca/ beside a --db file, ./data/ca otherwise, as for serve)')
    .action(async (argv: string[], o: ExecOptions) => {
      const code = await runExec(argv, o);
      process.exit(code);
    });
}

/** Starts the sandbox, runs the command, tears everything down; resolves to the exit code to use. */
export async function runExec(argv: string[], o: ExecOptions): Promise<number> {
  const [command, ...args] = argv;
  if (!command) throw new Error('no command given: tcdeals exec [options] -- <command> [args...]');
  // Loaded here, not at the top: every other command starts without the server's dependencies.
  const [{ pino }, { createServer }] = await Promise.all([import('pino'), import('../../server.js')]);
  const logger = pino({ level: o.logLevel, base: undefined }, pino.destination({ fd: 2, sync: true }));
  const sandbox = new Sandbox({ signatureMode: o.signatureMode, journalSize: o.journalSize });
  const store = await Store.open(o.db, { now: sandbox.clock.now });
  let app: Awaited<ReturnType<typeof createServer>> | undefined;
  const stop = async () => {
    await app?.close().catch(() => {});
    await store.close().catch(() => {});
  };
  let env: NodeJS.ProcessEnv;
  try {
    // The same CA as `serve` on this database, so a CA installed once (certifi) is trusted here too.
    const tls = o.proxy === false ? undefined : await Promise.all([import('../../tls/ca.js'), import('../../tls/install.js')]);
    const ca = tls ? await tls[0].LocalCa.open(tls[0].resolveCaDir({ caDir: o.caDir, db: o.db })) : undefined;
    store.cacheLagMs = o.cacheLag * 1000;
    if (o.demo) await seedDemoIfEmpty(store);
    const token = randomBytes(24).toString('base64url');
    app = await createServer({
      store,
      logger,
      sandbox,
      adminToken: token,
      requireSeed: o.demo,
      settings: { billingOffset: o.billingOffset },
      rateLimit: o.rateLimit === 0 ? false : { points: o.rateLimit, durationSec: 1 },
      ca,
      proxy: ca ? { passthrough: true } : undefined,
    });
    // The command's connections close with it; never wait for a keep-alive timeout on the way out.
    await app.listen({ port: o.port, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : o.port;
    env = { ...process.env, TCDEALS_ENDPOINT: `http://127.0.0.1:${port}`, TCDEALS_ADMIN_TOKEN: token };
    if (tls && ca) Object.assign(env, tls[1].caEnv(ca, `http://127.0.0.1:${port}`));
    const keys = await demoKeys(store);
    const agent = keys.find((k) => k.role === 'agent');
    const client = keys.find((k) => k.role === 'client');
    if (agent) Object.assign(env, { TENCENTCLOUD_SECRET_ID: agent.SecretId, TENCENTCLOUD_SECRET_KEY: agent.SecretKey });
    if (client) Object.assign(env, { TCDEALS_CLIENT_SECRET_ID: client.SecretId, TCDEALS_CLIENT_SECRET_KEY: client.SecretKey });
    logger.info({ endpoint: env.TCDEALS_ENDPOINT, db: store.location }, 'sandbox server listening');
  } catch (err) {
    await stop();
    throw err;
  }

  const child = spawn(command, args, { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const handlers = FORWARDED.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  const code = await new Promise<number>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      process.stderr.write(`tcdeals exec: cannot run ${JSON.stringify(command)}: ${err.code === 'ENOENT' ? 'command not found' : err.message}\n`);
      resolve(err.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (exitCode, signal) => {
      resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (exitCode ?? 1));
    });
  });
  for (const [s, h] of handlers) process.off(s, h);
  await stop();
  return code;
}
