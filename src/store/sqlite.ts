/** Embedded SQLite through better-sqlite3: the default backend, one file (or `:memory:`). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Backend } from './backend.js';
import type { Database } from './schema.js';

export function openSqlite<DB = Database>(path: string): Backend<DB> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const conn = new BetterSqlite3(path);
  // WAL lets the CLI write while a server reads the same file; NORMAL is durable across process crashes.
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = NORMAL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: conn }) });
  return {
    kind: 'sqlite',
    db,
    location: path,
    close: () => db.destroy(),
  };
}
