/**
 * The web console's server side (see README "Web console"):
 *
 *   GET  /console/…                         the built front end (dist/console), strict CSP, same-origin only
 *   GET  /_tcdeals/console/info             {demo, agent?, client?}: whether the sandbox holds the demo keys
 *   POST /_tcdeals/console/aggregate        chart aggregates   } TC3-signed like the API (canonical URI "/"),
 *   POST /_tcdeals/console/refunds          refunds of deals   } answered in the API envelope, rate limited
 *
 * The two POST endpoints authenticate exactly as the API does (same keys, same signature modes)
 * and only ever read what the caller sees through the APIs: an agent's partners cache rows, or a
 * caller's own deals.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { DEMO_AGENT, DEMO_CLIENT } from '../domain/demo-seed.js';
import { DEAL_STATUSES } from '../domain/deal.js';
import { isDateTime } from '../protocol/datetime.js';
import { CONTENT_TYPE, errorBody, newRequestId, successBody } from '../protocol/envelope.js';
import { ApiError, pickLang, type Lang } from '../protocol/errors.js';
import { header, readIncoming, type Incoming } from '../protocol/incoming.js';
import type { KeyRecord } from '../protocol/authenticate.js';
import type { RateLimit } from '../rate-limit.js';
import type { Store } from '../store/store.js';
import { aggregateDeals, refundsOf, type AggregateView } from './aggregate.js';
import { rollupAggregate, wholeDays } from './rollup.js';

export interface ConsoleOptions {
  store: Store;
  /** The server's signature check (honours the sandbox signature mode). */
  verify: (call: Incoming) => Promise<KeyRecord>;
  rateLimit?: RateLimit;
  logger?: Logger;
  /** Where the built front end is (default: dist/console of this package). */
  root?: string;
}

/** Directives: no inline script, nothing from another origin, not framable. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // ECharts positions its tooltip with a style attribute; attributes only, never <style> or script.
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** dist/console of this package, from src/console-server (tsx) or dist/console-server. */
export function defaultConsoleRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'console');
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'console');
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

class BadParam extends ApiError {
  constructor(name: string, what: string) {
    super('InvalidParameter', { en: `The value of parameter \`${name}\` is invalid: ${what}.`, zh: `参数 \`${name}\` 的取值无效：${what}。` });
  }
}

function stringList(body: Record<string, unknown>, name: string, max = 1000): string[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > max || !v.every((x) => typeof x === 'string' && x.length <= 64)) throw new BadParam(name, `an array of at most ${max} strings`);
  return v as string[];
}

function intOf(body: Record<string, unknown>, name: string, allowed: readonly number[]): number | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !allowed.includes(n)) throw new BadParam(name, `one of ${allowed.join(', ')}`);
  return n;
}

export const consoleApp: FastifyPluginAsync<ConsoleOptions> = async (app, options) => {
  const { store } = options;
  const root = options.root ?? defaultConsoleRoot();

  // ---- the front end ----
  const serveFile = async (rel: string, reply: FastifyReply) => {
    const path = normalize(join(root, rel));
    if (!path.startsWith(root + sep) && path !== root) return null;
    try {
      const st = await stat(path);
      if (!st.isFile()) return null;
    } catch {
      return null;
    }
    const body = await readFile(path);
    const hashed = rel.startsWith('assets/');
    securityHeaders(reply)
      .code(200)
      .header('content-type', TYPES[extname(path)] ?? 'application/octet-stream')
      .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.send(body);
  };
  const index = async (reply: FastifyReply) => {
    const sent = await serveFile('index.html', reply);
    if (sent) return sent;
    return securityHeaders(reply)
      .code(503)
      .header('content-type', 'text/plain; charset=utf-8')
      .send('The web console is not built: run `npm run build` (it writes dist/console).\n');
  };
  app.get('/console', async (_req, reply) => reply.redirect('/console/', 302));
  app.get('/console/', async (_req, reply) => index(reply));
  app.get<{ Params: { '*': string } }>('/console/*', async (req, reply) => {
    const rel = req.params['*'];
    const sent = await serveFile(rel, reply);
    if (sent) return sent;
    // A path with an extension is a missing file; anything else is the app's own route.
    if (extname(rel)) return securityHeaders(reply).code(404).header('content-type', 'text/plain; charset=utf-8').send('Not found\n');
    return index(reply);
  });

  app.get('/_tcdeals/console/info', async (_req, reply) => {
    const [agent, client] = await Promise.all([store.findKey(DEMO_AGENT.key.SecretId), store.findKey(DEMO_CLIENT.key.SecretId)]);
    const demo = {
      ...(agent && agent.secretKey === DEMO_AGENT.key.SecretKey ? { agent: DEMO_AGENT.key } : {}),
      ...(client && client.secretKey === DEMO_CLIENT.key.SecretKey ? { client: DEMO_CLIENT.key } : {}),
    };
    return reply
      .header('content-type', CONTENT_TYPE)
      .header('cache-control', 'no-store')
      .send(Buffer.from(JSON.stringify({ demo: Object.keys(demo).length > 0, ...demo })));
  });

  // ---- the signed endpoints ----
  await app.register(async (signed) => {
    signed.removeAllContentTypeParsers();
    signed.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

    const endpoint = (path: string, name: string, handle: (caller: { uin: string; isAgent: boolean }, body: Record<string, unknown>) => Promise<Record<string, unknown>>) =>
      signed.post(path, async (req, reply) => {
        const requestId = newRequestId();
        let lang: Lang = pickLang(header(req.headers, 'x-tc-language'));
        const started = process.hrtime.bigint();
        let code = 'OK';
        try {
          const raw = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
          const call = readIncoming({ method: 'POST', url: req.url, headers: req.headers, body: raw });
          lang = call.lang;
          if (call.scheme !== 'tc3') throw new ApiError('AuthFailure.InvalidAuthorization');
          const key = await options.verify(call);
          const account = key.account ?? (await store.getAccount(key.uin));
          if (!account) throw new ApiError('AuthFailure.SecretIdNotFound');
          const body = call.params('InvalidParameter');
          await options.rateLimit?.consume(name, account.uin);
          const fields = await handle({ uin: account.uin, isAgent: account.isAgent }, body);
          return reply.code(200).header('content-type', CONTENT_TYPE).send(Buffer.from(successBody(fields, requestId)));
        } catch (err) {
          const apiError = err instanceof ApiError ? err : new ApiError('InternalError');
          code = apiError.code;
          if (!(err instanceof ApiError)) options.logger?.error({ requestId, err: err instanceof Error ? err.stack : String(err) }, 'console endpoint failed');
          return reply.code(200).header('content-type', CONTENT_TYPE).send(Buffer.from(errorBody(apiError, lang, requestId)));
        } finally {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          options.logger?.info({ requestId, action: name, code, ms: Math.round(ms * 100) / 100 }, 'console call');
        }
      });

    const viewOf = (caller: { uin: string; isAgent: boolean }, body: Record<string, unknown>): AggregateView => {
      const view = body.View ?? 'billing';
      if (view !== 'partners' && view !== 'billing') throw new BadParam('View', '"partners" or "billing"');
      if (view === 'partners' && !caller.isAgent) {
        throw new ApiError('UnauthorizedOperation', {
          en: `Unauthorized operation: account ${caller.uin} is not an agent (reseller); the partners view serves agents only.`,
          zh: `未授权操作：账号 ${caller.uin} 不是代理商，partners 视图仅供代理商使用。`,
        });
      }
      return view;
    };

    endpoint('/_tcdeals/console/aggregate', 'DescribeDealAggregates', async (caller, body) => {
      const view = viewOf(caller, body);
      for (const name of ['StartTime', 'EndTime']) {
        const v = body[name];
        if (typeof v !== 'string' || !isDateTime(v)) throw new BadParam(name, 'a time "YYYY-MM-DD HH:mm:ss" is required');
      }
      const startTime = body.StartTime as string;
      const endTime = body.EndTime as string;
      if (endTime < startTime) throw new BadParam('EndTime', `it must not be earlier than StartTime "${startTime}"`);
      const status = intOf(body, 'Status', DEAL_STATUSES);
      const statusSet = body.StatusSet === undefined ? undefined : (stringList({ StatusSet: Array.isArray(body.StatusSet) ? body.StatusSet.map(String) : body.StatusSet }, 'StatusSet', 100) ?? []).map((s) => intOf({ StatusSet: s }, 'StatusSet', DEAL_STATUSES)!);
      if (view === 'partners') await store.applyDueCacheChanges();
      const statuses = statusSet?.length ? statusSet : status !== undefined ? [status] : undefined;
      const ownerUins = view === 'partners' ? stringList(body, 'OwnerUins') : undefined;
      const payerMode = view === 'partners' ? intOf(body, 'PayerMode', [0, 1]) : undefined;
      const bigDealIds = stringList(body, 'BigDealIds');
      const unfiltered = !statuses && !ownerUins?.length && payerMode === undefined && !bigDealIds?.length;
      // Whole days of an agent's unfiltered deals (what the charts and the clients view ask for)
      // come from the day rollup on SQLite; anything else is a grouped scan.
      const result =
        view === 'partners' && unfiltered && store.kind === 'sqlite' && wholeDays(startTime, endTime)
          ? await rollupAggregate(store.db, caller.uin, startTime, endTime)
          : await aggregateDeals(store.db, { view, uin: caller.uin, startTime, endTime, statuses, ownerUins, payerMode, bigDealIds });
      return { View: view, StartTime: startTime, EndTime: endTime, ...result };
    });

    endpoint('/_tcdeals/console/refunds', 'DescribeDealRefunds', async (caller, body) => {
      const view = viewOf(caller, body);
      const names = stringList(body, 'DealNames', 100) ?? [];
      if (view === 'partners') await store.applyDueCacheChanges();
      return { RefundSet: await refundsOf(store.db, view, caller.uin, names) };
    });
  });
};
