/**
 * Readiness: the instance answers API calls correctly only when its database answers, its
 * migrations are applied, the demo seed (if wanted) is done, and Redis (if configured) answers.
 * Each check says what is wrong, so an operator reads the reason straight from the probe.
 */
import type { Redis } from 'ioredis';
import type { Store } from '../store/store.js';
import { seedSettled } from '../store/seed.js';

export interface ReadinessDeps {
  readonly store: Store;
  readonly redis?: Redis;
  /** Whether this instance seeds demo data, so readiness waits for it. */
  readonly requireSeed: boolean;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

function reason(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const checks: Record<string, string> = {};
  try {
    await withTimeout(deps.store.ping(), 'the database');
    checks.database = 'ok';
    const pending = await withTimeout(deps.store.pendingMigrations(), 'the database');
    checks.migrations = pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')}`;
    checks.seed = !deps.requireSeed ? 'not required' : (await withTimeout(seedSettled(deps.store), 'the database')) ? 'ok' : 'pending';
  } catch (err) {
    checks.database = `unreachable: ${reason(err)}`;
  }
  if (!deps.redis) {
    checks.redis = 'not configured';
  } else {
    try {
      await withTimeout(deps.redis.ping(), 'Redis');
      checks.redis = 'ok';
    } catch (err) {
      checks.redis = `unreachable: ${reason(err)} (status ${deps.redis.status})`;
    }
  }
  const ready = Object.values(checks).every((v) => v === 'ok' || v === 'not configured' || v === 'not required');
  return { ready, checks };
}
