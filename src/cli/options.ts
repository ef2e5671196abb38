/** Options shared by every command that touches the database. */
import v8 from 'node:v8';
import type { Command } from 'commander';
import { Store } from '../store/store.js';

export const DEFAULT_DB = './data/tcdeals.db';

export function withDb(cmd: Command): Command {
  return cmd.option('--db <url>', 'SQLite file, :memory:, or postgres://… (env DATABASE_URL)', process.env.DATABASE_URL || DEFAULT_DB);
}

export async function openStore(opts: { db: string }): Promise<Store> {
  return Store.open(opts.db);
}

/** Runs `fn` with an open store and always closes it. */
export async function usingStore<T>(opts: { db: string }, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function parseIntOption(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

/**
 * For commands that stream millions of deals through (seed, import) and for serve: V8 grows a heap by up to
 * four times its live size before collecting it again, and batches of deals make a lot of
 * short-lived garbage, so resident memory would climb far above what is live. A 30 % growth step
 * keeps it near the live size at a few percent of the time. V8's flags are per process: this also
 * applies to the worker thread the command starts.
 */
export function keepHeapsTight(): void {
  v8.setFlagsFromString('--heap-growing-percent=30');
}
