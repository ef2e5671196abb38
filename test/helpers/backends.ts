/**
 * The storage backends every protocol and action suite runs against. SQLite always runs;
 * PostgreSQL runs when TEST_DATABASE_URL is set (each use gets its own database, dropped
 * afterwards) and is otherwise reported as skipped, by name — never silently passed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { describe } from 'node:test';
import pg from 'pg';
import { Store } from '../../src/store/store.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Why this backend is skipped, if it is. */
  skip?: string;
  create(): Promise<TestDatabase>;
}

const PG_SKIP = 'PostgreSQL tests skipped: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)';

export interface CreateDatabaseOptions {
  /**
   * Make the database's default collation this ICU locale (e.g. `en-US`, as a production database
   * created with a natural-language locale has) instead of the server's default, which is often C.
   */
  icuLocale?: string;
}

/** Test databases of this host: `tcdeals_test_<host>_<pid>_<random>`. */
const PREFIX = `tcdeals_test_${createHash('sha256').update(hostname()).digest('hex').slice(0, 6)}_`;
const OURS = new RegExp(`^${PREFIX}(\\d+)_[0-9a-f]{8}$`);

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let swept: Promise<void> | undefined;

/**
 * Drops the databases of test processes of this host that died before their `after` hooks ran
 * (an interrupted or killed run), once per process. A database of another host, of a process
 * still running, or still in use (a plain DROP refuses) is left alone.
 */
async function sweepAbandoned(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [PREFIX]);
  for (const { datname } of rows) {
    const pid = OURS.exec(datname)?.[1];
    if (pid === undefined || isRunning(Number(pid))) continue;
    await admin.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => {});
  }
}

/** A fresh, uniquely named PostgreSQL database on the TEST_DATABASE_URL server. */
export async function createPostgresDatabase(adminUrl = process.env.TEST_DATABASE_URL!, options: CreateDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `${PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await (swept ??= sweepAbandoned(admin).catch(() => {}));
    const locale = options.icuLocale
      ? ` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE '${options.icuLocale.replace(/[^A-Za-z0-9@=_-]/g, '')}' LOCALE 'C'`
      : '';
    await admin.query(`CREATE DATABASE ${name}${locale}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export const SQLITE: TestBackend = {
  name: 'sqlite',
  create: async () => ({ url: ':memory:', drop: async () => {} }),
};

export const POSTGRES: TestBackend = {
  name: 'postgres',
  skip: process.env.TEST_DATABASE_URL ? undefined : PG_SKIP,
  create: () => createPostgresDatabase(),
};

export const BACKENDS: readonly TestBackend[] = [SQLITE, POSTGRES];

/** Declares `fn`'s tests once per backend, as `describe('<backend>')` blocks. */
export function forEachBackend(fn: (backend: TestBackend) => void): void {
  for (const backend of BACKENDS) {
    describe(backend.name, { skip: backend.skip }, () => fn(backend));
  }
}

/**
 * Opens a Store on a new database of `backend` each call; `cleanups` gets its closing and the
 * database's drop (run them in an `after` hook, e.g. with runAll).
 */
export function storeOpener(backend: TestBackend, cleanups: Array<() => Promise<void>>): () => Promise<Store> {
  return async () => {
    const database = await backend.create();
    const store = await Store.open(database.url);
    cleanups.push(async () => {
      await store.close();
      await database.drop();
    });
    return store;
  };
}
