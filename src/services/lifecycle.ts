/**
 * The lifecycle rules (src/domain/lifecycle.ts) applied to stored deals. Every change is one transaction
 * that reads the deal, decides, and writes through `Store.upsertDeals` — so the partners cache
 * follows exactly as for any other write: at once, or after the configured cache lag.
 *
 * Used by the admin API (src/admin/routes/lifecycle.ts), the CLI (`tcdeals deals pay …`) and the
 * automatic progression hook the server installs on its store (`progressionHook`).
 */
import type { Kysely } from 'kysely';
import type { Progression } from '../sandbox/progression.js';
import { CACHED_PAY_MODE } from '../store/agent-cache.js';
import type { Database } from '../store/schema.js';
import type { ReadDeal, ReadHook, ReadScope, Store } from '../store/store.js';
import { formatDateTime } from '../protocol/datetime.js';
import type { DealRecord } from '../domain/deal.js';
import {
  applyTransition, isRefundOf, PROGRESSING_STATUSES, progressByTime, progressStep, refundedSoFar, refundIdentity, REFUNDABLE,
  type LifecycleVerb, type RefundIdentity,
} from '../domain/lifecycle.js';
import { statusLabel } from '../domain/views.js';

/** Lifecycle writes take turns (a PostgreSQL advisory lock across instances), so two refunds never both take the last fen. */
const LOCK = 'tcdeals:lifecycle';

export type LifecycleErrorKind = 'not-found' | 'refused';

export class LifecycleError extends Error {
  constructor(
    readonly kind: LifecycleErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface LifecycleOptions {
  /** The instant of the change (epoch ms), normally the sandbox clock's now. */
  now: number;
  /** refund: fen to refund (default: everything not yet refunded). */
  amount?: number;
  /** refund: create the refund deal in 13 退款中 (a later `refund` of it completes it). */
  pending?: boolean;
}

export interface LifecycleOutcome {
  /** The deal the verb was applied to, as stored afterwards (a refunded original is unchanged). */
  deal: DealRecord;
  /** Its status before. */
  from: number;
  /** The refund deal a refund created. */
  refund?: DealRecord;
}

/** Applies `verb` to the deal named `dealName` in one transaction; throws LifecycleError when it does not exist or refuses. */
export async function applyLifecycle(store: Store, dealName: string, verb: LifecycleVerb, options: LifecycleOptions): Promise<LifecycleOutcome> {
  const outcome = await store.exclusive(LOCK, async (tx) => {
    const deal = await tx.db.selectFrom('deals').selectAll().where('deal_name', '=', dealName).executeTakeFirst();
    if (!deal) throw new LifecycleError('not-found', `no deal named ${JSON.stringify(dealName)}`);
    let refunded: number | undefined;
    let refundId: RefundIdentity | undefined;
    if (verb === 'refund' && REFUNDABLE.includes(deal.status as never) && deal.action_type !== 'refund') {
      const linked = (await refundsOf(tx.db, deal)).filter((r) => isRefundOf(r, deal.deal_name));
      refunded = refundedSoFar(deal.deal_name, linked);
      refundId = await freeRefundIdentity(tx.db, deal.deal_name, linked.length + 1, options.now);
    }
    const r = applyTransition(deal, verb, { now: options.now, amount: options.amount, pending: options.pending, refunded, refundId });
    if (!r.ok) throw new LifecycleError('refused', r.reason);
    // A refund leaves its original as it was: only the new deal is written.
    await tx.upsertDeals([r.refund ?? r.deal]);
    return { deal: r.deal, from: deal.status, ...(r.refund ? { refund: r.refund } : {}) };
  });
  return outcome!;
}

/** The owner's refund deals (the owner index narrows it; the links are checked by the caller). */
function refundsOf(db: Kysely<Database>, deal: DealRecord): Promise<DealRecord[]> {
  return db.selectFrom('deals').selectAll().where('owner_uin', '=', deal.owner_uin).where('action_type', '=', 'refund').execute();
}

/** The first refund identity from counter `n` on whose DealName is not taken yet. */
async function freeRefundIdentity(db: Kysely<Database>, original: string, n: number, now: number): Promise<RefundIdentity> {
  for (let k = n; ; k++) {
    const id = refundIdentity(original, k, now);
    const taken = await db.selectFrom('deals').select('deal_name').where('deal_name', '=', id.dealName).executeTakeFirst();
    if (!taken) return id;
  }
}

/** One line for people: `deal X: 1 (未支付) → 2 (已支付)`, or the refund made. */
export function describeOutcome(o: LifecycleOutcome): string {
  if (o.refund) {
    return `deal ${o.deal.deal_name}: refund ${o.refund.deal_name} of ${-o.refund.real_total_cost} fen, status ${o.refund.status} (${statusLabel(o.refund.status)}); the original stays ${o.deal.status} (${statusLabel(o.deal.status)})`;
  }
  return `deal ${o.deal.deal_name}: ${o.from} (${statusLabel(o.from)}) → ${o.deal.status} (${statusLabel(o.deal.status)}) at ${o.deal.update_time}`;
}

/** The deals an outcome produced, original first. */
export function outcomeDeals(o: LifecycleOutcome): DealRecord[] {
  return o.refund ? [o.deal, o.refund] : [o.deal];
}

// ---------------------------------------------------------------------------------------------
// Automatic progression, applied lazily around API reads.

/** Deals of `scope` that may progress and last changed at or before `cutoff`. */
function progressingIn(db: Kysely<Database>, scope: ReadScope, cutoff: string) {
  let q = db.selectFrom('deals').where('status', 'in', [...PROGRESSING_STATUSES]).where('update_time', '<=', cutoff);
  if ('ownerUin' in scope) return q.where('owner_uin', '=', scope.ownerUin);
  const agentUin = scope.agentUin;
  q = q.where('pay_mode', '=', CACHED_PAY_MODE);
  return q.where('owner_uin', 'in', (eb) => eb.selectFrom('agent_clients').select('client_uin').where('agent_uin', '=', agentUin));
}

/**
 * Time mode: applies every step due by `now` to the deals the reader can see. Costs nothing
 * until a first step can be due, then one indexed query per read while nothing is.
 */
export async function progressDueByTime(store: Store, scope: ReadScope, progression: Progression, now: number): Promise<number> {
  const stepMs = progression.stepMs;
  if (progression.mode !== 'time' || progression.since + stepMs > now) return 0;
  const cutoff = formatDateTime(now - stepMs);
  const any = await progressingIn(store.db, scope, cutoff).select('deal_name').limit(1).executeTakeFirst();
  if (!any) return 0;
  const changed = await store.exclusive(LOCK, async (tx) => {
    const due = await progressingIn(tx.db, scope, cutoff).selectAll().execute();
    const next = due.map((d) => progressByTime(d, now, stepMs, progression.since, progression.expireOverdue)).filter((d): d is DealRecord => d !== undefined);
    if (next.length > 0) await tx.upsertDeals(next);
    return next.length;
  });
  return changed ?? 0;
}

/** Reads mode: counts one read of each deal seen; those that reached the count advance one step at `now`. */
export async function progressByReads(store: Store, seen: readonly ReadDeal[], progression: Progression, now: number): Promise<number> {
  if (progression.mode !== 'reads') return 0;
  const due: string[] = [];
  for (const d of seen) {
    if (!PROGRESSING_STATUSES.includes(d.status as never)) progression.forget(d.dealName);
    else if (progression.countRead(d.dealName)) due.push(d.dealName);
  }
  if (due.length === 0) return 0;
  const changed = await store.exclusive(LOCK, async (tx) => {
    const rows = await tx.db.selectFrom('deals').selectAll().where('deal_name', 'in', due).execute();
    const next = rows.map((d) => progressStep(d, now, progression.expireOverdue)).filter((d): d is DealRecord => d !== undefined);
    if (next.length > 0) await tx.upsertDeals(next);
    return next.length;
  });
  return changed ?? 0;
}

/**
 * The hook the server installs on its store: before a read, time-mode steps that are due; after
 * it, reads-mode counting. With progression off both return at once, without touching the database.
 */
export function progressionHook(store: Store, progression: Progression, now: () => number): ReadHook {
  return {
    async before(scope) {
      if (progression.mode === 'time') await progressDueByTime(store, scope, progression, now());
    },
    async after(_scope, seen) {
      if (progression.mode === 'reads') await progressByReads(store, seen(), progression, now());
    },
  };
}
