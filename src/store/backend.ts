/**
 * One storage interface, small swappable backends behind it (the way Kysely's dialects work):
 * every query in tcdeals is written once against `Kysely<Database>`, and a backend only knows
 * how to open a connection for its engine.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Backend {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<Database>;
  /** Where the data lives, safe to print (no credentials). */
  readonly location: string;
  close(): Promise<void>;
}

export interface BackendOptions {
  /** Connection pool size, where the engine has a pool. */
  readonly poolSize?: number;
}

/** `postgres://…` selects PostgreSQL; anything else is a SQLite file path (or `:memory:`). */
export async function openBackend(url: string, options: BackendOptions = {}): Promise<Backend> {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new Error('PostgreSQL storage is not available in this build yet; use a SQLite path.');
  }
  const { openSqlite } = await import('./sqlite.js');
  void options;
  return openSqlite(url.replace(/^sqlite:(\/\/)?/i, ''));
}
