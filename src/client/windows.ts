/**
 * Splits an inclusive time range into consecutive query windows the two actions accept:
 * partners refuses a span over 90 days, billing's document asks for at most 3 months.
 *
 * Date-times are `YYYY-MM-DD HH:mm:ss` wall-clock strings (Beijing time, which has no daylight
 * saving), so the arithmetic is done on the wall clock itself, as if it were UTC.
 */

export type WindowKind = '90d' | '3m';

export interface TimeWindow {
  /** Inclusive. */
  start: string;
  /** Inclusive. */
  end: string;
}

const PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const SECOND_MS = 1000;
const DAY_MS = 86_400_000;

/** Wall-clock milliseconds of a strictly valid date-time (no `2025-02-30`), or a RangeError. */
export function parseWallClock(value: string, name = 'date-time'): number {
  const m = PATTERN.exec(value);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    if (formatWallClock(ms) === value) return ms;
  }
  throw new RangeError(`${name} must be a valid YYYY-MM-DD HH:mm:ss, got ${JSON.stringify(value)}`);
}

export function formatWallClock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** The same wall-clock time `months` later, the day clamped to the target month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const monthIndex = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

/**
 * Consecutive windows covering [from, to], oldest first. Each starts 1 s after the previous one
 * ends, so they neither overlap nor leave a gap at the API's one-second resolution.
 *  - `90d`: End − Start ≤ 90 days (partners refuses more).
 *  - `3m`: Start up to, not including, the same time three calendar months later (clamped at
 *    month ends), i.e. End = Start + 3 months − 1 s.
 */
export function splitWindows(from: string, to: string, kind: WindowKind): TimeWindow[] {
  if (kind !== '90d' && kind !== '3m') throw new RangeError(`kind must be '90d' or '3m', got ${String(kind)}`);
  const first = parseWallClock(from, 'from');
  const last = parseWallClock(to, 'to');
  if (last < first) throw new RangeError(`to (${to}) is earlier than from (${from})`);
  const windows: TimeWindow[] = [];
  for (let start = first; start <= last; ) {
    const limit = kind === '90d' ? start + 90 * DAY_MS : addMonths(start, 3) - SECOND_MS;
    const end = Math.min(limit, last);
    windows.push({ start: formatWallClock(start), end: formatWallClock(end) });
    start = end + SECOND_MS;
  }
  return windows;
}
