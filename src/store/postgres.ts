/** PostgreSQL through node-postgres: the production backend, one pool per process. */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Backend, BackendOptions } from './backend.js';
import type { Database } from './schema.js';

// int8 (COUNT(*), bigint columns) arrives as a string by default; every value we store fits a
// double exactly (fen amounts, ids below 2^53), so read it as a number like SQLite does.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export const DEFAULT_POOL_SIZE = 10;

/** The URL without its password, for logs and banners. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

export function openPostgres<DB = Database>(url: string, options: BackendOptions = {}): Backend<DB> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? DEFAULT_POOL_SIZE });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    pgPool: pool,
    location: redactUrl(url),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? DEFAULT_POOL_SIZE }),
    close: () => db.destroy(),
  };
}

/**
 * A query layer on one client taken from the pool, for work that must also talk to that client
 * directly in the same transaction (the bulk loader's COPY). The caller releases the client.
 */
export function kyselyOnClient<DB>(client: pg.PoolClient): Kysely<DB> {
  const pool = {
    connect: async () => ({ query: client.query.bind(client), release: () => {} }),
    end: async () => {},
  };
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as never }) });
}
