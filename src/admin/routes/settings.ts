/**
 * Server settings a sandbox user turns at run time:
 *   GET/PUT /clock           {now: "YYYY-MM-DD HH:mm:ss" (Beijing) | epoch ms, frozen?} | {frozen} | {advanceMs} | {reset: true}
 *   GET/PUT /cache-lag       {seconds}: how long partners-cache changes take to show
 *   GET/PUT /signature-mode  {mode: "strict"|"soft"|"off"}
 *   GET     /state           counts and settings at a glance
 */
import type { FastifyInstance } from 'fastify';
import { DATETIME_FORMAT, formatDateTime, parseDateTime } from '../../protocol/datetime.js';
import { describeValue } from '../../protocol/params.js';
import { SIGNATURE_MODES } from '../../sandbox/sandbox.js';
import type { Clock } from '../../sandbox/clock.js';
import { DEMO_META_KEY } from '../../store/seed.js';
import type { AdminRoutes } from '../index.js';
import type { AdminContext } from '../context.js';
import { stateCounts } from '../../services/reset.js';
import { bad, booleanField, has, jsonBody, knownQuery, numberValue, oneOfField, requiredField } from '../validate.js';

/** Up to 9999-12-31: any instant a date-time string can name. */
const MAX_EPOCH_MS = 253_402_300_799_999;
export const MAX_CACHE_LAG_SECONDS = 86_400;

export function clockView(clock: Clock) {
  const s = clock.state();
  return { now: s.now, beijingTime: formatDateTime(s.now), iso: new Date(s.now).toISOString(), frozen: s.frozen, offsetMs: s.offsetMs };
}

function instant(value: unknown): number {
  if (typeof value === 'string') {
    const ms = parseDateTime(value);
    if (ms === undefined) throw bad(`now: ${describeValue(value)} is not a Beijing date-time ${DATETIME_FORMAT} (or send epoch milliseconds as a number).`);
    return ms;
  }
  return numberValue(value, 'now (epoch milliseconds)', 0, MAX_EPOCH_MS, true);
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const settingsRoutes: AdminRoutes = (app: FastifyInstance, ctx: AdminContext) => {
  const { store, sandbox } = ctx;
  const { clock } = sandbox;

  app.get('/clock', async (req) => {
    knownQuery(req.query, []);
    return clockView(clock);
  });

  app.put('/clock', async (req) => {
    const body = jsonBody(req.body, ['now', 'frozen', 'advanceMs', 'reset']);
    const modes = ['now', 'advanceMs', 'reset'].filter((k) => has(body, k));
    if (modes.length > 1) throw bad(`Send one of now, advanceMs or reset, not ${modes.join(' and ')}.`);
    if (modes.length === 0 && !has(body, 'frozen')) throw bad('Send {now, frozen?}, {frozen}, {advanceMs} or {reset: true}.', 'MissingParameter');
    if (has(body, 'frozen') && modes.length === 1 && modes[0] !== 'now') throw bad(`frozen goes with now (or alone), not with ${modes[0]}.`);
    if (has(body, 'reset')) {
      if (body.reset !== true) throw bad(`reset: ${describeValue(body.reset)} must be true.`);
      clock.reset();
    } else if (has(body, 'advanceMs')) {
      clock.advance(numberValue(body.advanceMs, 'advanceMs', -MAX_EPOCH_MS, MAX_EPOCH_MS, true));
    } else if (has(body, 'now')) {
      clock.set(instant(body.now), booleanField(body, 'frozen', false));
    } else {
      // {frozen} alone: stop (or restart) the clock where it is now.
      clock.set(clock.now(), booleanField(body, 'frozen', false));
    }
    return clockView(clock);
  });

  app.get('/cache-lag', async (req) => {
    knownQuery(req.query, []);
    return { seconds: store.cacheLagMs / 1000 };
  });

  app.put('/cache-lag', async (req) => {
    const body = jsonBody(req.body, ['seconds']);
    const seconds = numberValue(requiredField(body, 'seconds'), 'seconds', 0, MAX_CACHE_LAG_SECONDS);
    store.cacheLagMs = Math.round(seconds * 1000);
    return { seconds: store.cacheLagMs / 1000 };
  });

  app.get('/signature-mode', async (req) => {
    knownQuery(req.query, []);
    return { mode: sandbox.signatureMode, modes: SIGNATURE_MODES };
  });

  app.put('/signature-mode', async (req) => {
    const body = jsonBody(req.body, ['mode']);
    sandbox.signatureMode = oneOfField(body, 'mode', SIGNATURE_MODES);
    return { mode: sandbox.signatureMode };
  });

  app.get('/state', async (req) => {
    knownQuery(req.query, []);
    const demo = await store.getMeta(DEMO_META_KEY);
    return {
      store: { kind: store.kind, location: store.location },
      counts: await stateCounts(store.db),
      demoSeed: demo === undefined ? null : parseOr(demo),
      settings: {
        signatureMode: sandbox.signatureMode,
        cacheLagSeconds: store.cacheLagMs / 1000,
        journal: { size: sandbox.journal.size, entries: sandbox.journal.list().length },
        faultRules: sandbox.faults.list().length,
        clock: clockView(clock),
      },
    };
  });
};
