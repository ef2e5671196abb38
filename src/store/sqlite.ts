/** Embedded SQLite through better-sqlite3: the default backend, one file (or `:memory:`). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig, type SqliteStatement } from 'kysely';
import type { Backend } from './backend.js';
import { WriteLockBusy } from './write-lock.js';
import type { Database } from './schema.js';

/** Statements kept per distinct SQL text; queries come in a few dozen shapes. */
const STATEMENT_CACHE_SIZE = 256;

/** What Kysely's SQLite driver calls on a statement. */
type KyselyStatement = Pick<SqliteStatement, 'reader' | 'all' | 'run' | 'iterate'>;

/**
 * A reader statement returning rows as objects built by a function made for its columns.
 * better-sqlite3 sets each column as a property through N-API, which halves the speed of a wide
 * row: a billing page (20 deals × 44 columns) took 318 µs as objects and 157 µs as arrays.
 */
function objectRows(stmt: BetterSqlite3.Statement): KyselyStatement {
  const columns = stmt.columns().map((c) => c.name);
  // An object literal would treat "__proto__" as the prototype: leave such statements as they are.
  if (columns.includes('__proto__')) return stmt as unknown as KyselyStatement;
  const row = new Function('r', `return {${columns.map((c, i) => `${JSON.stringify(c)}: r[${i}]`).join(', ')}};`) as (r: unknown[]) => unknown;
  stmt.raw(true);
  return {
    reader: true,
    all: (parameters) => (stmt.all(parameters) as unknown[][]).map(row),
    run: (parameters) => stmt.run(parameters),
    *iterate(parameters) {
      for (const r of stmt.iterate(parameters) as IterableIterator<unknown[]>) yield row(r);
    },
  };
}

/**
 * Kysely's SQLite driver prepares every query anew (10 % of a billing call's CPU in a profile);
 * the same few SQL shapes repeat, so prepared statements are kept and reused, as a hand-written
 * better-sqlite3 server would.
 */
function withStatementCache(conn: BetterSqlite3.Database) {
  const cache = new Map<string, KyselyStatement>();
  return {
    close: () => void conn.close(),
    prepare(sql: string): KyselyStatement {
      let stmt = cache.get(sql);
      if (stmt) {
        // Refresh recency: Map iteration order is insertion order.
        cache.delete(sql);
      } else {
        const prepared = conn.prepare(sql);
        stmt = prepared.reader ? objectRows(prepared) : (prepared as unknown as KyselyStatement);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

/** Busy timeout of single statements outside transactions (rare: reads never wait in WAL mode). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Kysely's SQLite driver starts transactions with a plain BEGIN: the write lock is then taken at the
 * first write, where better-sqlite3 waits for it synchronously for the whole busy timeout — a
 * server froze for 5 s at a time while another process (a cache rebuild, a CLI import) held the
 * lock, and then failed. This one takes the lock at the start (BEGIN IMMEDIATE), without waiting:
 * when another process holds it, the transaction fails at once with WriteLockBusy, before any of
 * its work, and the caller tries again later (retryWhileLocked).
 */
class LockWaitingDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly conn: BetterSqlite3.Database,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    this.conn.pragma('busy_timeout = 0');
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (err) {
      throw (err as { code?: string }).code === 'SQLITE_BUSY' ? new WriteLockBusy() : err;
    } finally {
      this.conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }
}

class LockWaitingDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly conn: BetterSqlite3.Database,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new LockWaitingDriver(this.config, this.conn);
  }
}

export function openSqlite<DB = Database>(path: string): Backend<DB> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const conn = new BetterSqlite3(path);
  // WAL lets the CLI write while a server reads the same file; NORMAL is durable across process crashes.
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = NORMAL');
  conn.pragma('foreign_keys = ON');
  conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Planner statistics, sampled (a few hundred rows an index): without them SQLite guessed badly
  // between indexes for some partners filters (a BigDealIds + PayerMode page walked a payer-mode
  // index for 0.7 s). Cheap when they are fresh; the bulk loader refreshes them after a load.
  conn.pragma('analysis_limit = 400');
  conn.pragma('optimize = 0x10002');
  const db = new Kysely<DB>({ dialect: new LockWaitingDialect({ database: withStatementCache(conn) }, conn) });
  return {
    kind: 'sqlite',
    db,
    sqlite: conn,
    location: path,
    close: () => db.destroy(),
  };
}
