/**
 * Fault injection: rules that make chosen calls fail on purpose — answer with a given error
 * code, add latency, or drop the connection — for an action and/or an account, for the next N
 * calls or with a probability. Every rule counts how often it fired, so a test can check that
 * its client met exactly the faults it asked for.
 */
import { randomUUID } from 'node:crypto';
import { Random } from '../domain/random.js';

export type FaultKind = 'error' | 'latency' | 'drop';

export interface FaultRuleInput {
  /** Only calls of this action (default: any). */
  action?: string;
  /** Only calls by this account UIN (default: any). */
  uin?: string;
  kind: FaultKind;
  /** `error`: the code to answer with, e.g. `InternalError` or `RequestLimitExceeded`. */
  code?: string;
  /** `error`: the message (default: a note that the fault was injected). */
  message?: string;
  /** `latency`: milliseconds added before the call is served. */
  latencyMs?: number;
  /** Fire for the next N matching calls only (default: no limit). */
  times?: number;
  /** Fire with this probability per matching call, 0..1 (default 1). */
  probability?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  /** Matching calls the rule fired on. */
  fired: number;
  /** Matching calls it saw (fired or not, e.g. by probability). */
  matched: number;
  /** Firings left, when `times` was given. */
  remaining?: number;
}

const CODE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/;

/** Checks a rule as given by a user (admin API or CLI); throws a readable error. */
export function validateFaultRule(input: unknown): FaultRuleInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new Error('a fault rule is a JSON object');
  const r = input as Record<string, unknown>;
  const known = new Set(['action', 'uin', 'kind', 'code', 'message', 'latencyMs', 'times', 'probability']);
  for (const k of Object.keys(r)) if (!known.has(k)) throw new Error(`unknown fault rule field ${JSON.stringify(k)}; fields: ${[...known].join(', ')}`);
  if (r.kind !== 'error' && r.kind !== 'latency' && r.kind !== 'drop') throw new Error(`kind must be "error", "latency" or "drop", got ${JSON.stringify(r.kind)}`);
  for (const k of ['action', 'uin', 'code', 'message'] as const) {
    if (r[k] !== undefined && typeof r[k] !== 'string') throw new Error(`${k} must be a string`);
  }
  if (r.kind === 'error' && (typeof r.code !== 'string' || !CODE.test(r.code))) throw new Error(`an error fault needs a code such as "InternalError", got ${JSON.stringify(r.code)}`);
  if (r.kind === 'latency' && !(Number.isInteger(r.latencyMs) && (r.latencyMs as number) >= 0 && (r.latencyMs as number) <= 600_000)) {
    throw new Error(`a latency fault needs latencyMs, an integer 0..600000, got ${JSON.stringify(r.latencyMs)}`);
  }
  if (r.times !== undefined && !(Number.isInteger(r.times) && (r.times as number) >= 1)) throw new Error(`times must be an integer >= 1, got ${JSON.stringify(r.times)}`);
  if (r.probability !== undefined && !(typeof r.probability === 'number' && r.probability >= 0 && r.probability <= 1)) {
    throw new Error(`probability must be a number 0..1, got ${JSON.stringify(r.probability)}`);
  }
  return r as unknown as FaultRuleInput;
}

export class Faults {
  private rules: FaultRule[] = [];
  private random: Random;

  constructor(private readonly seed = 1) {
    this.random = new Random(seed);
  }

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...validateFaultRule(input), id: randomUUID(), fired: 0, matched: 0 };
    if (rule.times !== undefined) rule.remaining = rule.times;
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
    this.random = new Random(this.seed);
  }

  /** The first rule that fires for this call, counted; undefined when none does. */
  take(action: string, uin: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.action !== undefined && rule.action !== action) continue;
      if (rule.uin !== undefined && rule.uin !== uin) continue;
      if (rule.remaining === 0) continue;
      rule.matched++;
      if (rule.probability !== undefined && this.random.next() >= rule.probability) continue;
      rule.fired++;
      if (rule.remaining !== undefined) rule.remaining--;
      return { ...rule };
    }
    return undefined;
  }
}
