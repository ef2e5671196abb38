/** Options shared by every command that touches the database. */
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
