/**
 * The admin HTTP API under `/_tcdeals/admin/…`: sandbox controls for people and CI. It is
 * disabled unless a token is configured (TCDEALS_ADMIN_TOKEN), and refuses any request without
 * `Authorization: Bearer <token>`. Answers are plain JSON (not the API envelope); errors are
 * `{ "error": { "code", "message" } }` with a 4xx status.
 *
 * Each area lives in its own module under ./routes and is registered below.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Store } from '../store/store.js';
import { AdminError, type AdminContext } from './context.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { accountRoutes } from './routes/accounts.js';
import { dataRoutes } from './routes/data.js';
import { journalRoutes } from './routes/journal.js';
import { faultRoutes } from './routes/faults.js';
import { settingsRoutes } from './routes/settings.js';
import { partnersRoutes } from './routes/partners.js';

export interface AdminOptions {
  store: Store;
  sandbox: Sandbox;
  token?: string;
  logger?: Logger;
}

/** A route module: registers its routes on the (already authenticated) admin scope. */
export type AdminRoutes = (app: FastifyInstance, ctx: AdminContext) => void | Promise<void>;

const ROUTES: AdminRoutes[] = [
  // Route modules are appended here, one line each.
  lifecycleRoutes,
  accountRoutes,
  dataRoutes,
  journalRoutes,
  faultRoutes,
  settingsRoutes,
  partnersRoutes,
];

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const adminApi: FastifyPluginAsync<AdminOptions> = async (app, options) => {
  const json = (status: number, body: unknown) => ({ status, body: Buffer.from(JSON.stringify(body)) });

  app.addHook('onRequest', async (req, reply) => {
    if (!options.token) {
      const r = json(404, { error: { code: 'AdminDisabled', message: 'The admin API is disabled: start the server with TCDEALS_ADMIN_TOKEN (or --admin-token) set.' } });
      return reply.code(r.status).header('content-type', 'application/json').send(r.body);
    }
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    if (!m || !tokenMatches(m[1]!, options.token)) {
      const r = json(401, { error: { code: 'Unauthorized', message: 'The admin API needs `Authorization: Bearer <TCDEALS_ADMIN_TOKEN>`.' } });
      return reply.code(r.status).header('content-type', 'application/json').header('www-authenticate', 'Bearer').send(r.body);
    }
  });

  // Admin bodies are JSON (or NDJSON streams for imports); parse them here, not with the API's raw parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch {
      done(new AdminError(400, 'InvalidJson', 'The request body is not valid JSON.'), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err instanceof AdminError ? err.status : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    const code = err instanceof AdminError ? err.code : status === 500 ? 'InternalError' : (err.code ?? 'BadRequest');
    if (status === 500) options.logger?.error({ err: err.message }, 'admin API error');
    return reply
      .code(status)
      .header('content-type', 'application/json')
      .send(Buffer.from(JSON.stringify({ error: { code, message: status === 500 ? 'Internal error; see the server log.' : err.message } })));
  });

  // An unknown admin path is a JSON 404 too (after the token check), not the API's envelope.
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .header('content-type', 'application/json')
      .send(Buffer.from(JSON.stringify({ error: { code: 'NotFound', message: `No admin endpoint ${req.method} ${(req.raw.url ?? '').split('?')[0]!.slice(0, 120)}.` } }))),
  );

  const ctx: AdminContext = { store: options.store, sandbox: options.sandbox, logger: options.logger };
  for (const routes of ROUTES) await routes(app, ctx);
};
