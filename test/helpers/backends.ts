/**
 * The storage backends every protocol and action suite runs against. SQLite always runs;
 * PostgreSQL runs when TEST_DATABASE_URL is set (each use gets its own database, dropped
 * afterwards) and is otherwise reported as skipped, by name — never silently passed.
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import pg from 'pg';

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

/** A fresh, uniquely named PostgreSQL database on the TEST_DATABASE_URL server. */
export async function createPostgresDatabase(adminUrl = process.env.TEST_DATABASE_URL!): Promise<TestDatabase> {
  const name = `tcdeals_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
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
