/**
 * Date-times are `YYYY-MM-DD HH:mm:ss`, Beijing time, and must exist: the hand-written check
 * agrees with the obvious definition (a pattern, then a round trip through Date) on every day
 * from 1970 to 2100 and on every malformed shape, and formatting inverts parsing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, formatDateTime, parseDateTime } from '../../src/protocol/datetime.js';

/** The definition: the exact shape, fields in range, and no rolling over (2025-02-30 is not March 2). */
function reference(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(utc).getUTCDate() === d ? utc - 8 * 3600 * 1000 : undefined;
}

test('every day from 1970 to 2100, and the 29th-31st of every month, agree with the definition', () => {
  for (let t = 0; t < Date.UTC(2101, 0, 1); t += DAY_MS / 2) {
    const s = formatDateTime(t);
    assert.equal(parseDateTime(s), reference(s), s);
    assert.equal(parseDateTime(s), t, s);
  }
  for (let y = 1970; y <= 2100; y++) {
    for (let mo = 1; mo <= 12; mo++) {
      for (const d of [28, 29, 30, 31, 32]) {
        const s = `${y}-${String(mo).padStart(2, '0')}-${d} 12:00:00`;
        assert.equal(parseDateTime(s), reference(s), s);
      }
    }
  }
});

test('malformed and non-existent values are refused, as the definition refuses them', () => {
  const bad = [
    '', 'x', '2025-01-01', '2025-01-01 10:00', '2025-01-01T10:00:00', '2025-01-01 10:00:00Z', ' 2025-01-01 10:00:00', '2025-1-01 10:00:00',
    '2025-02-29 00:00:00', '2100-02-29 00:00:00', '2025-04-31 00:00:00', '2025-13-01 00:00:00', '2025-00-10 00:00:00', '2025-01-00 00:00:00',
    '2025-01-01 24:00:00', '2025-01-01 23:60:00', '2025-01-01 23:59:60', '1969-12-31 23:59:59', '0000-00-00 00:00:00', '２０２５-01-01 00:00:00',
    '2025-01-01 1a:00:00', '2025/01/01 10:00:00', '+025-01-01 10:00:00', '2025-01-01 -1:00:00',
  ];
  for (const s of bad) {
    assert.equal(parseDateTime(s), undefined, s);
    assert.equal(reference(s), undefined, `the definition refuses ${s} too`);
  }
  for (const s of ['2024-02-29 23:59:59', '2000-02-29 00:00:00', '1970-01-01 08:00:00']) assert.equal(parseDateTime(s), reference(s), s);
});
