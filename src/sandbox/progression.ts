/**
 * Automatic lifecycle progression, like moto's state manager: deals walk 1 → 12 → 2 → 3 → 4 (and
 * 13 → 6) on their own, one step after N seconds by the sandbox clock since the deal's
 * UpdateTime, or after N reads of the deal through either action. Off by default.
 *
 * This holds the setting and the read counters only; applying the steps is
 * src/services/lifecycle.ts, run lazily around each API read (never on a timer), so a
 * frozen clock freezes progression and the outcome is deterministic.
 */
import { formatDateTime } from '../protocol/datetime.js';

export type ProgressionMode = 'off' | 'time' | 'reads';
export const PROGRESSION_MODES: readonly ProgressionMode[] = ['off', 'time', 'reads'];

export interface ProgressionInput {
  mode: ProgressionMode;
  /** time: seconds per step, an integer ≥ 1. */
  seconds?: number;
  /** reads: reads of a deal per step, an integer ≥ 1. */
  reads?: number;
  /** An unpaid deal past its OverdueTime expires (→ 8) instead of starting payment (default true). */
  expireOverdue?: boolean;
}

export interface ProgressionSetting extends ProgressionInput {
  expireOverdue: boolean;
  /** When this setting was made (sandbox clock, Beijing time): time steps never count from earlier. Absent until set. */
  since?: string;
}

const MAX_SECONDS = 10 * 365 * 86400;
const MAX_READS = 1_000_000;

/** Checks a setting as given by a user (admin API); throws a readable error. */
export function validateProgression(input: unknown): ProgressionInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new Error('the progression setting is a JSON object such as {"mode":"time","seconds":10}');
  const r = input as Record<string, unknown>;
  const known = ['mode', 'seconds', 'reads', 'expireOverdue'];
  for (const k of Object.keys(r)) if (!known.includes(k)) throw new Error(`unknown progression field ${JSON.stringify(k)}; fields: ${known.join(', ')}`);
  if (!PROGRESSION_MODES.includes(r.mode as ProgressionMode)) throw new Error(`mode must be "off", "time" or "reads", got ${JSON.stringify(r.mode)}`);
  const mode = r.mode as ProgressionMode;
  const intIn = (name: 'seconds' | 'reads', max: number) => {
    const v = r[name];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max)) throw new Error(`${name} must be an integer 1..${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  if (r.expireOverdue !== undefined && typeof r.expireOverdue !== 'boolean') throw new Error(`expireOverdue must be true or false, got ${JSON.stringify(r.expireOverdue)}`);
  const out: ProgressionInput = { mode };
  if (mode === 'time') out.seconds = intIn('seconds', MAX_SECONDS);
  else if (r.seconds !== undefined) throw new Error(`seconds applies to mode "time" only (mode is ${JSON.stringify(mode)})`);
  if (mode === 'reads') out.reads = intIn('reads', MAX_READS);
  else if (r.reads !== undefined) throw new Error(`reads applies to mode "reads" only (mode is ${JSON.stringify(mode)})`);
  if (r.expireOverdue !== undefined) out.expireOverdue = r.expireOverdue as boolean;
  return out;
}

export class Progression {
  private setting: ProgressionInput = { mode: 'off' };
  private expire = true;
  private sinceMs: number | undefined;
  /** Reads of each deal since its last step (reads mode only). */
  private readonly readCounts = new Map<string, number>();

  get mode(): ProgressionMode {
    return this.setting.mode;
  }

  /** Milliseconds per step in time mode. */
  get stepMs(): number {
    return (this.setting.seconds ?? 0) * 1000;
  }

  get readsPerStep(): number {
    return this.setting.reads ?? 0;
  }

  get expireOverdue(): boolean {
    return this.expire;
  }

  /** When the setting was made, floored to the second (stored UpdateTimes have whole seconds). */
  get since(): number {
    return this.sinceMs ?? 0;
  }

  /** Replaces the setting (validated) at sandbox time `now`; read counts start over. */
  set(input: unknown, now: number): ProgressionSetting {
    this.setting = validateProgression(input);
    this.expire = this.setting.expireOverdue ?? true;
    this.sinceMs = Math.floor(now / 1000) * 1000;
    this.readCounts.clear();
    return this.get();
  }

  get(): ProgressionSetting {
    const out: ProgressionSetting = { mode: this.setting.mode, expireOverdue: this.expire };
    if (this.setting.seconds !== undefined) out.seconds = this.setting.seconds;
    if (this.setting.reads !== undefined) out.reads = this.setting.reads;
    if (this.sinceMs !== undefined) out.since = formatDateTime(this.sinceMs);
    return out;
  }

  /** Counts one read of `dealName`; true when that read completes a step's worth (the count starts over). */
  countRead(dealName: string): boolean {
    const n = (this.readCounts.get(dealName) ?? 0) + 1;
    if (n >= this.readsPerStep) {
      this.readCounts.delete(dealName);
      return true;
    }
    this.readCounts.set(dealName, n);
    return false;
  }

  /** Forgets the reads of a deal (it changed by other means, or stopped progressing). */
  forget(dealName: string): void {
    this.readCounts.delete(dealName);
  }
}
