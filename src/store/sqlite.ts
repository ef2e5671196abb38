/** Embedded SQLite through better-sqlite3: the default backend, one file (or `:memory:`). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Backend } from './backend.js';
import type { Database } from './schema.js';

/** Statements kept per distinct SQL text; queries come in a few dozen shapes. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query anew (10 % of a billing call's CPU in a profile);
 * the same few SQL shapes repeat, so prepared statements are kept and reused, as a hand-written
 * better-sqlite3 server would.
 */
function withStatementCache(conn: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => void conn.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        // Refresh recency: Map iteration order is insertion order.
        cache.delete(sql);
      } else {
        stmt = conn.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

export function openSqlite<DB = Database>(path: string): Backend<DB> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const conn = new BetterSqlite3(path);
  // WAL lets the CLI write while a server reads the same file; NORMAL is durable across process crashes.
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = NORMAL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(conn) }) });
  return {
    kind: 'sqlite',
    db,
    sqlite: conn,
    location: path,
    close: () => db.destroy(),
  };
}
