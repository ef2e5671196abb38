/**
 * The order lifecycle as pure rules: which verb moves a deal from which status to which, and
 * what a refund deal looks like. No storage and no clock here — the caller passes "now" — so the
 * rules are the same for the admin API, the CLI and automatic progression, and easy to test.
 *
 *   1 未支付 ──paying──▶ 12 支付中 ──pay──▶ 2 已支付 ──delivering──▶ 3 发货中 ──deliver──▶ 4 已发货
 *   1 ──pay──▶ 2          2 ──deliver──▶ 4          2|3 ──fail──▶ 5 发货失败
 *   1|12 ──cancel──▶ 7 已关单          1 ──expire──▶ 8 订单过期
 *   4|5 ──refund──▶ (unchanged) + a new refund deal in 6 已退款 (13 退款中 when pending)
 *   13 ──refund──▶ 6 (completes a pending refund)
 *
 * A refund is a separate deal, as the real service shows them: ActionType `refund`, negative
 * amounts, `RefundMap` [{DealName: original, RefundAmount}] for partners and `Formula` +
 * `RefReturnDeals` for billing, same owner and product. The original keeps its status.
 */
import { createHash } from 'node:crypto';
import { DAY_MS, formatDateTime, parseDateTime } from '../protocol/datetime.js';
import type { DealRecord, DealStatus, RefundLink } from './deal.js';
import { statusLabel } from './views.js';
import { keptVerbatim } from './verbatim.js';

export const LIFECYCLE_VERBS = ['paying', 'pay', 'delivering', 'deliver', 'fail', 'cancel', 'expire', 'refund'] as const;
export type LifecycleVerb = (typeof LIFECYCLE_VERBS)[number];

export function isLifecycleVerb(v: string): v is LifecycleVerb {
  return (LIFECYCLE_VERBS as readonly string[]).includes(v);
}

export interface StatusRule {
  readonly from: readonly DealStatus[];
  readonly to: DealStatus;
  readonly description: string;
}

/** Every verb that changes the deal it is applied to. `refund` from 4|5 instead creates a deal (see REFUNDABLE). */
export const TRANSITIONS: Readonly<Record<LifecycleVerb, StatusRule>> = {
  paying: { from: [1], to: 12, description: 'payment starts (支付中)' },
  pay: { from: [1, 12], to: 2, description: 'paid; sets PayEndTime (and BillId when empty)' },
  delivering: { from: [2], to: 3, description: 'delivery starts (发货中)' },
  deliver: { from: [2, 3], to: 4, description: 'delivered (已发货)' },
  fail: { from: [2, 3], to: 5, description: 'delivery failed (发货失败)' },
  cancel: { from: [1, 12], to: 7, description: 'closed before payment (已关单)' },
  expire: { from: [1], to: 8, description: 'expired unpaid (订单过期); progression does it by itself once OverdueTime has passed' },
  refund: { from: [13], to: 6, description: 'completes a pending refund (退款中 → 已退款)' },
};

/** Statuses a refund can be made from: delivered, or paid but failed to deliver. */
export const REFUNDABLE: readonly DealStatus[] = [4, 5];

/** Refunds that count against what is left to refund: done or in progress. */
export const COUNTED_REFUND_STATUSES: readonly number[] = [6, 13];

/** The statuses `verb` accepts, for messages and tables. */
export function allowedFrom(verb: LifecycleVerb): readonly DealStatus[] {
  return verb === 'refund' ? [...REFUNDABLE, ...TRANSITIONS.refund.from] : TRANSITIONS[verb].from;
}

export interface TransitionOptions {
  /** The instant of the change (epoch ms): UpdateTime, PayEndTime, a refund's CreatTime. */
  now: number;
  /** refund: fen to refund, a positive integer; default everything not yet refunded. */
  amount?: number;
  /** refund: create the refund deal in 13 退款中 instead of 6 已退款. */
  pending?: boolean;
  /** refund: fen already refunded from the original by earlier refund deals (see `refundedSoFar`). */
  refunded?: number;
  /** refund: the identity of the new refund deal (see `refundIdentity`). */
  refundId?: RefundIdentity;
}

export type TransitionResult =
  | { ok: true; deal: DealRecord; refund?: DealRecord }
  | { ok: false; reason: string };

function describe(status: number): string {
  return `${status} (${statusLabel(status)})`;
}

function needs(verb: LifecycleVerb): string {
  const from = allowedFrom(verb);
  return from.length === 1 ? `${from[0]}` : `${from.slice(0, -1).join(', ')} or ${from[from.length - 1]}`;
}

/** Applies `verb` to `deal`; never mutates it. A refusal says why, naming the deal and the statuses the verb needs. */
export function applyTransition(deal: DealRecord, verb: LifecycleVerb, options: TransitionOptions): TransitionResult {
  const refusal = (why: string): TransitionResult => ({ ok: false, reason: `deal ${deal.deal_name} ${why}` });
  const stamp = formatDateTime(options.now);
  if (verb === 'refund' && REFUNDABLE.includes(deal.status as DealStatus)) return makeRefund(deal, options, refusal);
  const rule = TRANSITIONS[verb];
  if (!rule.from.includes(deal.status as DealStatus)) {
    return refusal(`is in status ${describe(deal.status)}; ${verb} needs ${needs(verb)}`);
  }
  if (options.amount !== undefined || options.pending) {
    return refusal(verb === 'refund' ? `is in status 13 (退款中): completing the refund takes no amount` : `is in status ${describe(deal.status)}: ${verb} takes no amount`);
  }
  const next: DealRecord = { ...deal, status: rule.to, update_time: stamp };
  if (verb === 'pay') {
    next.pay_end_time = stamp;
    if (next.bill_id === '') next.bill_id = deal.deal_name;
  }
  if (verb === 'refund' && next.pay_end_time === '') next.pay_end_time = stamp;
  // A status text an import kept (DealStatus of the other vintage) described the old status.
  next.verbatim = keptVerbatim(deal, next);
  return { ok: true, deal: next };
}

function makeRefund(orig: DealRecord, o: TransitionOptions, refusal: (why: string) => TransitionResult): TransitionResult {
  if (orig.action_type === 'refund') return refusal('is itself a refund');
  const left = orig.real_total_cost - (o.refunded ?? 0);
  if (left <= 0) {
    return refusal(
      orig.real_total_cost <= 0
        ? `has nothing to refund (RealTotalCost ${orig.real_total_cost})`
        : `is already fully refunded (RealTotalCost ${orig.real_total_cost}, refunded ${o.refunded ?? 0})`,
    );
  }
  const amount = o.amount ?? left;
  if (!Number.isSafeInteger(amount) || amount <= 0) return refusal(`cannot be refunded ${JSON.stringify(amount)} fen: the amount is a positive integer (fen)`);
  if (amount > left) {
    return refusal(`cannot be refunded ${amount} fen: only ${left} of its RealTotalCost ${orig.real_total_cost} is left (${o.refunded ?? 0} refunded already)`);
  }
  if (!o.refundId) throw new Error('a refund needs the identity of the new refund deal');
  const stamp = formatDateTime(o.now);
  const status = o.pending ? 13 : 6;
  const links: RefundLink[] = [{ DealName: orig.deal_name, RefundAmount: amount }];
  const refund: DealRecord = {
    ...orig,
    deal_name: o.refundId.dealName,
    deal_id: o.refundId.dealId,
    big_deal_id: o.refundId.bigDealId,
    status,
    action_type: 'refund',
    real_total_cost: -amount,
    original_total_cost: -amount,
    voucher_decline: 0,
    refund_map: JSON.stringify(links),
    bill_id: o.refundId.dealName,
    activity_id: '0',
    create_time: stamp,
    update_time: stamp,
    pay_end_time: status === 6 ? stamp : '',
    overdue_time: formatDateTime(o.now + 15 * DAY_MS),
    price: 0,
    total_cost: -amount,
    policy: 100,
    formula: `退款:${(amount / 100).toFixed(2)}元,代金券不退(订单${orig.deal_name})`,
    ref_return_deals: orig.deal_name,
    verbatim: null,
  };
  return { ok: true, deal: orig, refund };
}

/**
 * Fen already refunded from `original` by the given deals: the `RefundAmount` of every link to
 * it in a counted refund's `RefundMap`, or, for a refund that names it only in `RefReturnDeals`,
 * the refund's own amount.
 */
export function refundedSoFar(original: string, refunds: readonly DealRecord[]): number {
  let sum = 0;
  for (const r of refunds) {
    if (r.action_type !== 'refund' || !COUNTED_REFUND_STATUSES.includes(r.status)) continue;
    const links = (JSON.parse(r.refund_map) as RefundLink[]).filter((l) => l.DealName === original);
    if (links.length > 0) sum += links.reduce((s, l) => s + l.RefundAmount, 0);
    else if (r.ref_return_deals.split(/[,;\s]+/).includes(original)) sum += Math.abs(r.real_total_cost);
  }
  return sum;
}

/** Whether `deal` links to `original` as a refund of it. */
export function isRefundOf(deal: DealRecord, original: string): boolean {
  if (deal.action_type !== 'refund') return false;
  if ((JSON.parse(deal.refund_map) as RefundLink[]).some((l) => l.DealName === original)) return true;
  return deal.ref_return_deals.split(/[,;\s]+/).includes(original);
}

export interface RefundIdentity {
  dealName: string;
  bigDealId: string;
  dealId: string;
}

/**
 * The names of the `n`-th refund (1, 2, …) of `original` made at `now`: the refund day
 * (YYYYMMDD, Beijing time, as real DealNames start) and 14 digits derived from the original's
 * DealName and `n`, then `1` (DealName) or `0` (BigDealId). Deterministic: the same original,
 * counter and day give the same names; the caller bumps `n` past names already taken.
 */
export function refundIdentity(original: string, n: number, now: number): RefundIdentity {
  const digest = createHash('sha256').update(`tcdeals-refund\0${original}\0${n}`).digest();
  const digits = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString().padStart(23, '0');
  const core = `${formatDateTime(now).slice(0, 10).replace(/-/g, '')}${digits.slice(0, 14)}`;
  return { dealName: `${core}1`, bigDealId: `${core}0`, dealId: `3${digits.slice(14, 22)}` };
}

// ---------------------------------------------------------------------------------------------
// Automatic progression (like moto's state manager): one step along the happy path at a time.

/** The verb automatic progression applies in each status; other statuses stay as they are. */
export const PROGRESSION_STEPS: Readonly<Partial<Record<DealStatus, LifecycleVerb>>> = {
  1: 'paying',
  12: 'pay',
  2: 'delivering',
  3: 'deliver',
  13: 'refund',
};

export const PROGRESSING_STATUSES: readonly DealStatus[] = Object.keys(PROGRESSION_STEPS).map(Number) as DealStatus[];

/** An unpaid deal whose OverdueTime has passed at `at` (an empty or unreadable OverdueTime never passes). */
export function isOverdue(deal: DealRecord, at: number): boolean {
  if (deal.status !== 1 || deal.overdue_time === '') return false;
  const due = parseDateTime(deal.overdue_time);
  return due !== undefined && due <= at;
}

/**
 * The deal after one automatic step at instant `at`, or undefined when it does not progress.
 * An unpaid deal past its OverdueTime expires (→ 8) instead of starting payment, unless
 * `expireOverdue` is false.
 */
export function progressStep(deal: DealRecord, at: number, expireOverdue = true): DealRecord | undefined {
  const verb = expireOverdue && isOverdue(deal, at) ? 'expire' : PROGRESSION_STEPS[deal.status as DealStatus];
  if (!verb) return undefined;
  const r = applyTransition(deal, verb, { now: at });
  return r.ok ? r.deal : undefined;
}

/**
 * Time-based progression: `deal` advances one step every `stepMs` counted from its UpdateTime,
 * but never from before `notBefore` (when progression was switched on). Every step that is due
 * by `now` is applied, each stamped with the instant it fell due, so the outcome does not
 * depend on when (or how often) anyone looked. Undefined when nothing is due.
 */
export function progressByTime(deal: DealRecord, now: number, stepMs: number, notBefore: number, expireOverdue = true): DealRecord | undefined {
  if (!(stepMs > 0)) throw new Error('stepMs must be positive');
  const updated = parseDateTime(deal.update_time) ?? notBefore;
  let at = Math.max(updated, notBefore);
  let current = deal;
  let changed = false;
  while (at + stepMs <= now) {
    at += stepMs;
    const next = progressStep(current, at, expireOverdue);
    if (!next) break;
    current = next;
    changed = true;
  }
  return changed ? current : undefined;
}
