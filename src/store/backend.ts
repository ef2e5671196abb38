/**
 * One storage interface, small swappable backends behind it (the way Kysely's dialects work):
 * every query in tcdeals is written once against `Kysely<Database>`, and a backend only knows
 * how to open a connection for its engine.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.js';

export interface Backend<DB = Database> {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<DB>;
  /**
   * The SQLite connection under `db` (SQLite only). Only the bulk loader (bulk-load.ts) uses it,
   * for prepared statements inside the transaction `db` already holds on this one connection.
   */
  readonly sqlite?: BetterSqlite3.Database;
  /** The PostgreSQL pool under `db` (PostgreSQL only): the bulk loader takes one client from it for COPY. */
  readonly pgPool?: pg.Pool;
  /** Where the data lives, safe to print (no credentials). */
  readonly location: string;
  /** Connection pool usage, where the engine has a pool. */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
  close(): Promise<void>;
}

export interface BackendOptions {
  /** Connection pool size, where the engine has a pool. */
  readonly poolSize?: number;
}

/** `postgres://…` selects PostgreSQL; anything else is a SQLite file path (or `:memory:`). */
export async function openBackend<DB = Database>(url: string, options: BackendOptions = {}): Promise<Backend<DB>> {
  if (isPostgresUrl(url)) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres<DB>(url, options);
  }
  const { openSqlite } = await import('./sqlite.js');
  return openSqlite<DB>(url.replace(/^sqlite:(\/\/)?/i, ''));
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}
