/**
 * Waiting for SQLite's write lock without blocking: another process (a CLI import, a cache
 * rebuild) may hold it for a while. The SQLite backend's transactions begin with BEGIN IMMEDIATE
 * and fail at once with WriteLockBusy when they cannot have it (sqlite.ts); callers try again.
 */

/** How long a write transaction waits for another process's write lock before it fails. */
export const LOCK_WAIT_MS = 60_000;

/** Thrown when a transaction could not begin because another process holds the write lock: nothing ran yet. */
export class WriteLockBusy extends Error {
  constructor() {
    super('the database is locked by another process (SQLITE_BUSY at BEGIN IMMEDIATE)');
  }
}

/**
 * Runs `transaction` again while it fails to begin because another process holds SQLite's write
 * lock, pausing between attempts, for up to LOCK_WAIT_MS. Safe because nothing of it has run then;
 * and the pauses are spent without the connection, so this process's reads go on meanwhile.
 * (On PostgreSQL nothing throws WriteLockBusy: it simply runs once.)
 */
export async function retryWhileLocked<T>(transaction: () => Promise<T>, waitMs = LOCK_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    try {
      return await transaction();
    } catch (err) {
      if (!(err instanceof WriteLockBusy) || Date.now() + pause > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
