import { lang } from './i18n';

/** Fen → "¥1,234.56". */
export function money(fen: number | string | undefined | null): string {
  const n = Number(fen ?? 0) / 100;
  return `¥${n.toLocaleString(lang.get() === 'zh-CN' ? 'zh-CN' : 'en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** "YYYY-MM-DD HH:mm:ss" in Beijing time (the APIs' clock) for an epoch ms. */
export function beijing(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** An API time → a datetime-local input's value, and back. */
export const toInput = (v: string | null | undefined) => (v ? v.replace(' ', 'T') : '');
export function fromInput(v: string): string {
  if (!v) return '';
  const s = v.replace('T', ' ');
  return s.length === 16 ? `${s}:00` : s.slice(0, 19);
}

export function splitList(v: string | null | undefined): string[] {
  return (v ?? '')
    .split(/[\s,，]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** The first day of this month and of last month, Beijing time, as API times. */
export function monthBounds(nowMs = Date.now()) {
  const now = beijing(nowMs);
  const y = Number(now.slice(0, 4));
  const m = Number(now.slice(5, 7));
  const pad = (n: number) => String(n).padStart(2, '0');
  const thisMonth = `${y}-${pad(m)}`;
  const lastMonth = m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
  const next = m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1)}`;
  return { thisMonth, lastMonth, start: `${lastMonth}-01 00:00:00`, end: `${thisMonth}-31 23:59:59`.replace(/-31 /, `-${pad(daysIn(thisMonth))} `), nextMonthStart: `${next}-01 00:00:00` };
}

function daysIn(ym: string): number {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
