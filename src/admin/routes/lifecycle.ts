/**
 * Order lifecycle controls:
 *
 *   POST /_tcdeals/admin/deals/:dealName/:verb      {amount?, pending?} (refund only)
 *        → 200 {message, deal, refund?} in the export shape; 404 unknown deal; 409 refused transition
 *   GET  /_tcdeals/admin/lifecycle/transitions      the transition table
 *   GET  /_tcdeals/admin/lifecycle/progression      the automatic progression setting
 *   PUT  /_tcdeals/admin/lifecycle/progression      {mode: "off"|"time"|"reads", seconds?, reads?, expireOverdue?}
 *
 * Changes are stamped with the sandbox clock and written through the store, so the partners
 * cache shows them at once or after the configured cache lag.
 */
import { applyLifecycle, describeOutcome, LifecycleError, outcomeDeals } from '../../services/lifecycle.js';
import { exportRecords } from '../../services/deal-export.js';
import { allowedFrom, isLifecycleVerb, LIFECYCLE_VERBS, PROGRESSION_STEPS, REFUNDABLE, TRANSITIONS } from '../../domain/lifecycle.js';
import { describeValue } from '../../protocol/params.js';
import { AdminError } from '../context.js';
import type { AdminRoutes } from '../index.js';
import { bad, has, jsonBody, notFound } from '../validate.js';

interface VerbBody {
  amount?: number;
  pending?: boolean;
}

/** The body of a verb: `{amount?, pending?}` for a refund, nothing (or `{}`) for the others. */
function verbBody(verb: string, body: unknown): VerbBody {
  if (verb !== 'refund') {
    const b = jsonBody(body, [], true);
    const [first] = Object.keys(b);
    if (first !== undefined) throw bad(`${verb} takes no fields, got ${JSON.stringify(first)}; only refund takes amount and pending.`, 'UnknownParameter');
    return {};
  }
  const b = jsonBody(body, ['amount', 'pending'], true);
  if (has(b, 'amount') && !(typeof b.amount === 'number' && Number.isSafeInteger(b.amount) && b.amount > 0)) {
    throw bad(`amount: ${describeValue(b.amount)} is not the refund in fen, a positive integer.`);
  }
  if (has(b, 'pending') && typeof b.pending !== 'boolean') throw bad(`pending: ${describeValue(b.pending)} is not true or false.`);
  return b as VerbBody;
}

export const lifecycleRoutes: AdminRoutes = (app, { store, sandbox }) => {
  app.post<{ Params: { dealName: string; verb: string } }>('/deals/:dealName/:verb', async (req) => {
    const { dealName, verb } = req.params;
    if (!isLifecycleVerb(verb)) throw bad(`Unknown lifecycle verb ${JSON.stringify(verb)}; verbs: ${LIFECYCLE_VERBS.join(', ')}.`, 'UnknownVerb');
    const body = verbBody(verb, req.body);
    try {
      const outcome = await applyLifecycle(store, dealName, verb, { now: sandbox.clock.now(), amount: body.amount, pending: body.pending });
      // A manual change starts the deal's reads-mode count over.
      sandbox.progression.forget(dealName);
      const [deal, refund] = await exportRecords(store, outcomeDeals(outcome));
      return { message: describeOutcome(outcome), deal, ...(refund ? { refund } : {}) };
    } catch (err) {
      if (err instanceof LifecycleError) {
        throw err.kind === 'not-found' ? notFound(`${err.message}.`, 'DealNotFound') : new AdminError(409, 'TransitionRefused', `${err.message}.`);
      }
      throw err;
    }
  });

  app.get('/lifecycle/transitions', async () => ({
    transitions: LIFECYCLE_VERBS.map((verb) => ({ verb, from: allowedFrom(verb), to: TRANSITIONS[verb].to, description: TRANSITIONS[verb].description })),
    refund: {
      from: REFUNDABLE,
      creates: 'a new refund deal: status 6 (13 with pending), negative amounts, RefundMap/RefReturnDeals/Formula linking the original; the original keeps its status',
    },
    progression: Object.entries(PROGRESSION_STEPS).map(([from, verb]) => ({ from: Number(from), verb, to: TRANSITIONS[verb].to })),
  }));

  app.get('/lifecycle/progression', async () => sandbox.progression.get());

  app.put('/lifecycle/progression', async (req) => {
    if (req.body === undefined || Buffer.isBuffer(req.body)) {
      throw bad('The progression setting is a JSON object sent with Content-Type: application/json, e.g. {"mode":"time","seconds":10}.', 'InvalidProgression');
    }
    try {
      return sandbox.progression.set(req.body, sandbox.clock.now());
    } catch (err) {
      throw bad(err instanceof Error ? err.message : String(err), 'InvalidProgression');
    }
  });
};
