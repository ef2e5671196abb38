/** Starts a real tcdeals server on a free loopback port over a fresh store (SQLite in memory, or a fresh PostgreSQL database). */
import { runAll } from './cleanup.js';
import type { FastifyInstance } from 'fastify';
import type { ActionSettings } from '../../src/actions/action.js';
import type { DemoDataset } from '../../src/domain/demo-seed.js';
import type { Logger } from 'pino';
import type { RateLimitOptions } from '../../src/rate-limit.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import type { BodyBounds } from '../../src/protocol/body.js';
import type { CaSource, ProxyOptions } from '../../src/tls/front.js';
import { createServer } from '../../src/server.js';
import { applyDataset } from '../../src/store/seed.js';
import { Store } from '../../src/store/store.js';
import { SQLITE, type TestBackend } from './backends.js';
import { fixtureDataset } from './fixture.js';

export interface TestServer {
  app: FastifyInstance;
  store: Store;
  port: number;
  /** `127.0.0.1:PORT` */
  endpoint: string;
  url: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  dataset?: DemoDataset | null;
  settings?: Partial<ActionSettings>;
  rateLimit?: RateLimitOptions | false;
  now?: () => number;
  /** Where the data lives: SQLite in memory unless a suite runs per backend. */
  backend?: TestBackend;
  /** Enables the admin API for this bearer token. */
  adminToken?: string;
  /** The sandbox controls (the store then also runs on its clock, as `serve` does). */
  sandbox?: Sandbox;
  logger?: Logger;
  /** Body reading and lingering-close bounds (tests of stalled bodies shorten them). */
  bodyBounds?: Partial<BodyBounds>;
  /** The local CA, for proxy mode and the TLS port. */
  ca?: CaSource;
  /** Proxy mode on the main port. */
  proxy?: ProxyOptions;
}


export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = await (options.backend ?? SQLITE).create();
  let store: Store | undefined;
  let app: FastifyInstance | undefined;
  // Every step that can fail after the database exists is undone in reverse, database last, so
  // a failing start never leaves a database (or an open pool) behind.
  const close = () => runAll([app && (() => app!.close()), store && (() => store!.close()), () => database.drop()]);
  try {
    store = await Store.open(database.url, options.sandbox ? { now: options.sandbox.clock.now } : {});
    const dataset = options.dataset === undefined ? fixtureDataset() : options.dataset;
    if (dataset) await applyDataset(store, dataset);
    app = await createServer({
      store,
      settings: options.settings,
      rateLimit: options.rateLimit ?? false,
      now: options.now,
      adminToken: options.adminToken,
      sandbox: options.sandbox,
      logger: options.logger,
      bodyBounds: options.bodyBounds,
      ca: options.ca,
      proxy: options.proxy,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed: Promise<void> | undefined;
  return {
    app,
    store,
    port,
    endpoint: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/`,
    // Idempotent: an `after` hook and a test's own `finally` may both close.
    close: () => (closed ??= close()),
  };
}
