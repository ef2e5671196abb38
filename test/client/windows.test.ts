/** splitWindows: the 90-day and 3-month windows the two actions accept, with their edge cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitWindows } from '../../src/client/index.js';

const DAY = 86_400_000;
const ms = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);

function assertContiguous(from: string, to: string, windows: Array<{ start: string; end: string }>) {
  assert.equal(windows[0]!.start, from);
  assert.equal(windows.at(-1)!.end, to);
  for (let i = 0; i < windows.length; i++) {
    assert.ok(ms(windows[i]!.start) <= ms(windows[i]!.end));
    if (i > 0) assert.equal(ms(windows[i]!.start), ms(windows[i - 1]!.end) + 1000, 'next start = previous end + 1 s');
  }
}

test('90d: exactly 90 days is one window, 90 days + 1 s is two', () => {
  assert.deepEqual(splitWindows('2025-01-01 00:00:00', '2025-04-01 00:00:00', '90d'), [{ start: '2025-01-01 00:00:00', end: '2025-04-01 00:00:00' }]);
  assert.deepEqual(splitWindows('2025-01-01 00:00:00', '2025-04-01 00:00:01', '90d'), [
    { start: '2025-01-01 00:00:00', end: '2025-04-01 00:00:00' },
    { start: '2025-04-01 00:00:01', end: '2025-04-01 00:00:01' },
  ]);
});

test('90d: a single instant, a leap year, a whole year; every span <= 90 days', () => {
  assert.deepEqual(splitWindows('2025-06-01 12:00:00', '2025-06-01 12:00:00', '90d'), [{ start: '2025-06-01 12:00:00', end: '2025-06-01 12:00:00' }]);
  // 2024 is a leap year: Jan 31 + Feb 29 + 30 days of March = 90 days.
  assert.equal(splitWindows('2024-01-01 00:00:00', '2024-12-31 23:59:59', '90d')[0]!.end, '2024-03-31 00:00:00');
  assert.equal(splitWindows('2025-01-01 00:00:00', '2025-12-31 23:59:59', '90d')[0]!.end, '2025-04-01 00:00:00');
  const year = splitWindows('2024-01-01 00:00:00', '2024-12-31 23:59:59', '90d');
  assert.equal(year.length, 5);
  assertContiguous('2024-01-01 00:00:00', '2024-12-31 23:59:59', year);
  for (const w of year) assert.ok(ms(w.end) - ms(w.start) <= 90 * DAY);
  for (const w of year.slice(0, -1)) assert.equal(ms(w.end) - ms(w.start), 90 * DAY, 'full windows are exactly 90 days');
});

test('3m: three calendar months minus one second; the next starts right after', () => {
  assert.deepEqual(splitWindows('2025-01-01 00:00:00', '2025-12-31 23:59:59', '3m'), [
    { start: '2025-01-01 00:00:00', end: '2025-03-31 23:59:59' },
    { start: '2025-04-01 00:00:00', end: '2025-06-30 23:59:59' },
    { start: '2025-07-01 00:00:00', end: '2025-09-30 23:59:59' },
    { start: '2025-10-01 00:00:00', end: '2025-12-31 23:59:59' },
  ]);
  assert.deepEqual(splitWindows('2025-01-01 00:00:00', '2025-04-01 00:00:00', '3m'), [
    { start: '2025-01-01 00:00:00', end: '2025-03-31 23:59:59' },
    { start: '2025-04-01 00:00:00', end: '2025-04-01 00:00:00' },
  ]);
  assert.equal(splitWindows('2025-01-01 00:00:00', '2025-03-31 23:59:59', '3m').length, 1);
});

test('3m: month ends clamp (2025-01-31 + 3 months = 2025-04-30), leap years', () => {
  assert.deepEqual(splitWindows('2025-01-31 00:00:00', '2025-08-31 00:00:00', '3m'), [
    { start: '2025-01-31 00:00:00', end: '2025-04-29 23:59:59' },
    { start: '2025-04-30 00:00:00', end: '2025-07-29 23:59:59' },
    { start: '2025-07-30 00:00:00', end: '2025-08-31 00:00:00' },
  ]);
  // Nov 30 + 3 months: Feb 29 in a leap year, Feb 28 otherwise.
  assert.equal(splitWindows('2023-11-30 10:00:00', '2024-12-31 00:00:00', '3m')[0]!.end, '2024-02-29 09:59:59');
  assert.equal(splitWindows('2024-11-30 10:00:00', '2025-12-31 00:00:00', '3m')[0]!.end, '2025-02-28 09:59:59');
  assert.equal(splitWindows('2024-02-29 00:00:00', '2025-12-31 00:00:00', '3m')[0]!.end, '2024-05-28 23:59:59');
  // Across a year boundary.
  assert.equal(splitWindows('2024-12-15 08:30:00', '2025-12-31 00:00:00', '3m')[0]!.end, '2025-03-15 08:29:59');
  const long = splitWindows('2023-01-31 00:00:00', '2026-02-28 23:59:59', '3m');
  assertContiguous('2023-01-31 00:00:00', '2026-02-28 23:59:59', long);
});

test('invalid input is refused', () => {
  assert.throws(() => splitWindows('2025-02-30 00:00:00', '2025-03-01 00:00:00', '90d'), RangeError);
  assert.throws(() => splitWindows('2025-01-01', '2025-03-01 00:00:00', '90d'), RangeError);
  assert.throws(() => splitWindows('2025-01-01T00:00:00', '2025-03-01 00:00:00', '90d'), RangeError);
  assert.throws(() => splitWindows('2025-03-01 00:00:00', '2025-01-01 00:00:00', '3m'), /earlier/);
  assert.throws(() => splitWindows('2025-01-01 00:00:00', '2025-03-01 00:00:00', '1y' as never), RangeError);
});
