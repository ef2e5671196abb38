/**
 * Date-times on this API are strings `YYYY-MM-DD HH:mm:ss` without a zone, in Beijing time
 * (UTC+8) as the real service writes them. `Date.parse` is far too lenient (it rolls
 * `2025-02-30` into March), so values are checked field by field and must round-trip.
 */

const PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

export const DATETIME_FORMAT = 'YYYY-MM-DD HH:mm:ss';

/** Milliseconds since the epoch for a valid date-time string, or undefined. */
export function parseDateTime(value: string): number | undefined {
  const m = PATTERN.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number, number, number, number, number, number,
  ];
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Reject days past the month's end: a valid date survives the round trip unchanged.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  return utc - BEIJING_OFFSET_MS;
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
