/** Starts a real tcdeals server on a free loopback port over a fresh in-memory store. */
import type { FastifyInstance } from 'fastify';
import type { ActionSettings } from '../../src/actions/action.js';
import type { DemoDataset } from '../../src/domain/demo-seed.js';
import type { RateLimitOptions } from '../../src/rate-limit.js';
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
}

export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = await (options.backend ?? SQLITE).create();
  const store = await Store.open(database.url);
  const dataset = options.dataset === undefined ? fixtureDataset() : options.dataset;
  if (dataset) await applyDataset(store, dataset);
  const app = await createServer({ store, settings: options.settings, rateLimit: options.rateLimit ?? false, now: options.now });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    store,
    port,
    endpoint: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      await app.close();
      await store.close();
      await database.drop();
    },
  };
}
