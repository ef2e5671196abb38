/**
 * SQLite's write lock held by another process (a CLI import, a cache rebuild): a write of this
 * process waits for it without blocking the event loop — its reads and timers go on — and then
 * succeeds; held past the wait, the write fails with WriteLockBusy and nothing of it is written.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Store } from '../../src/store/store.js';
import { retryWhileLocked, WriteLockBusy } from '../../src/store/write-lock.js';
import { CLIENT_1, deal } from '../helpers/fixture.js';

let dir: string;
let store: Store;
let other: BetterSqlite3.Database;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcdeals-lock-'));
  store = await Store.open(join(dir, 'locked.db'));
  other = new BetterSqlite3(join(dir, 'locked.db'));
});
after(async () => {
  other.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a write waits for another connection’s write lock while this process reads and runs timers, then succeeds', async () => {
  other.exec('begin immediate');
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  const write = store.upsertDeals([deal({ deal_name: '20260101000000000001', owner_uin: CLIENT_1.uin, create_time: '2026-01-01 10:00:00' })]);
  // Reads go on while the write waits.
  for (let i = 0; i < 5; i++) assert.equal(await store.countDeals(), 0);
  await new Promise((resolve) => setTimeout(resolve, 400));
  other.exec('commit');
  await write;
  clearInterval(timer);
  assert.ok(performance.now() - started >= 400, 'it waited for the lock');
  assert.ok(ticks >= 20, `the event loop kept running while it waited (${ticks} ticks)`);
  assert.equal(await store.countDeals(), 1);
});

test('a lock that is not released in time: WriteLockBusy, and nothing is written', async () => {
  let attempts = 0;
  await assert.rejects(
    retryWhileLocked(async () => {
      attempts++;
      throw new WriteLockBusy();
    }, 300),
    WriteLockBusy,
  );
  assert.ok(attempts > 3, `tried again meanwhile (${attempts} attempts)`);
  other.exec('begin immediate');
  try {
    const t = store.db.transaction().execute(async (trx) => trx.insertInto('meta').values({ key: 'x', value: 'y' }).execute());
    await assert.rejects(t, WriteLockBusy);
  } finally {
    other.exec('rollback');
  }
  assert.equal(await store.getMeta('x'), undefined);
});
