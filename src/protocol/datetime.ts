/**
 * Date-times on this API are strings `YYYY-MM-DD HH:mm:ss` without a zone, in Beijing time
 * (UTC+8) as the real service writes them. `Date.parse` is far too lenient (it rolls
 * `2025-02-30` into March), so values are checked field by field and must round-trip.
 */

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const DATETIME_FORMAT = 'YYYY-MM-DD HH:mm:ss';

/** The number written by `n` ASCII digits at `at`, or -1 if any is not one. */
function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Milliseconds since the epoch for a valid date-time string, or undefined. Checked by hand, not
 * by a regular expression and a Date round trip: imports check three date-times a deal, a
 * million deals a minute (a tenth of the time).
 */
export function parseDateTime(value: string): number | undefined {
  if (
    value.length !== 19 || value.charCodeAt(4) !== 0x2d || value.charCodeAt(7) !== 0x2d || value.charCodeAt(10) !== 0x20 ||
    value.charCodeAt(13) !== 0x3a || value.charCodeAt(16) !== 0x3a
  ) {
    return undefined;
  }
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  const second = digitsAt(value, 17, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  // No rolling over: 2025-02-30 is not 2025-03-02.
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second) - BEIJING_OFFSET_MS;
}

export function isDateTime(value: string): boolean {
  return parseDateTime(value) !== undefined;
}

/** Formats an instant as Beijing time `YYYY-MM-DD HH:mm:ss`. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
  );
}

export const DAY_MS = 24 * 3600 * 1000;
