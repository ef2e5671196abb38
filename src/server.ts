/**
 * The HTTP server. Data flows one way:
 * HTTP → protocol (size, method, routing, signature, rate limit, parameters) → action → store → view → envelope.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ActionSettings } from './actions/action.js';
import { ACTIONS, findAction } from './actions/registry.js';
import { authenticate, identify, SignatureError } from './protocol/authenticate.js';
import { CONTENT_TYPE, errorBody, newRequestId, successBody } from './protocol/envelope.js';
import { ApiError, type Lang } from './protocol/errors.js';
import { readIncoming, SIZE_LIMITS, unsupportedMethod, type Incoming } from './protocol/incoming.js';
import { decodeParams } from './protocol/params.js';
import { Metrics } from './ops/metrics.js';
import { checkReadiness } from './ops/readiness.js';
import { DEFAULT_RATE_LIMIT, RateLimit, type RateLimitOptions } from './rate-limit.js';
import { adminApi } from './admin/index.js';
import { progressionHook } from './services/lifecycle.js';
import { Sandbox } from './sandbox/sandbox.js';
import type { Store } from './store/store.js';

export interface ServerOptions {
  readonly store: Store;
  readonly settings?: Partial<ActionSettings>;
  /** `false` turns the limit off (tests of other behaviour); default 20 req/s per action per account. */
  readonly rateLimit?: RateLimitOptions | false;
  /** The server clock, for the ±300 s signature window (default: the sandbox clock). */
  readonly now?: () => number;
  /** Clock, journal, fault rules, signature mode: the sandbox controls (a fresh set by default). */
  readonly sandbox?: Sandbox;
  /** Enables the admin API under /_tcdeals/admin/ for `Authorization: Bearer <token>`; absent: disabled. */
  readonly adminToken?: string;
  /** A pino logger; omitted means silent. */
  readonly logger?: Logger;
  /** Shares rate-limit state with every instance using the same Redis. */
  readonly redis?: Redis;
  /** Redis key prefix for rate-limit state (tests isolate themselves with it). */
  readonly redisKeyPrefix?: string;
  /** Whether readiness waits for the demo seed (serve with demo data on). */
  readonly requireSeed?: boolean;
  /**
   * Rebuild the whole partners cache every N seconds (0 or absent: never; writes keep it fresh
   * anyway). With several instances only one rebuilds at a time; the others skip that round.
   */
  readonly cacheRebuildIntervalSec?: number;
}

const KNOWN_ACTIONS = new Set(ACTIONS.map((a) => a.name));

export const DEFAULT_SETTINGS: ActionSettings = { billingOffset: 'rows' };

/** Node's default 16 KiB header limit is below the documented 32 KB GET limit. */
const MAX_HEADER_SIZE = 64 * 1024;

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store } = options;
  const settings: ActionSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const sandbox = options.sandbox ?? new Sandbox();
  const now = options.now ?? sandbox.clock.now;
  const rateLimit = options.rateLimit === false ? undefined : new RateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT, options.redis, options.redisKeyPrefix);
  const log = options.logger;
  const metrics = new Metrics(store, now);
  // Sandbox lifecycle progression (off by default) applies due steps around the store's API reads.
  store.readHook = progressionHook(store, sandbox.progression, sandbox.clock.now);

  const app = Fastify({
    logger: false,
    bodyLimit: SIZE_LIMITS.tc3Post,
    exposeHeadRoutes: false,
    serverFactory: (handler) =>
      createHttpServer({ maxHeaderSize: MAX_HEADER_SIZE }, handler as (req: IncomingMessage, res: ServerResponse) => void),
    clientErrorHandler: answerClientError,
  });

  // Keep every body as raw bytes: the TC3 payload hash is over exactly what was sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // A Buffer, not a string: Fastify appends `; charset=utf-8` to a JSON content type when it
  // sends a string, and the Python SDK then ignores `Response.Error` (returns an empty model).
  const send = (reply: FastifyReply, body: string, traceId?: string) => {
    reply.code(200).header('content-type', CONTENT_TYPE);
    if (traceId) reply.header('x-tc-traceid', traceId.slice(0, 128));
    return reply.send(Buffer.from(body, 'utf8'));
  };

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    const requestId = newRequestId();
    const apiError =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? new ApiError('RequestSizeLimitExceeded', {
            en: `The request exceeds the size limit of ${SIZE_LIMITS.tc3Post} bytes for TC3-HMAC-SHA256 POST requests.`,
            zh: `请求包超过 TC3-HMAC-SHA256 POST 请求的大小限制 ${SIZE_LIMITS.tc3Post} 字节。`,
          })
        : new ApiError('InternalError');
    if (apiError.code === 'InternalError') log?.error({ requestId, err: err.message }, 'request failed before reaching the API');
    return send(reply, errorBody(apiError, 'en-US', requestId), req.headers['x-tc-traceid'] as string | undefined);
  });

  // Liveness: the process answers. Readiness: it can also serve API calls correctly.
  app.get('/_tcdeals/health', async (_req, reply) => reply.code(200).header('content-type', CONTENT_TYPE).send(Buffer.from(JSON.stringify({ status: 'ok' }))));
  app.get('/_tcdeals/ready', async (_req, reply) => {
    const r = await checkReadiness({ store, redis: options.redis, requireSeed: options.requireSeed ?? false });
    return reply.code(r.ready ? 200 : 503).header('content-type', CONTENT_TYPE).send(Buffer.from(JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks })));
  });
  app.get('/metrics', async (_req, reply) => reply.code(200).header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));

  /** Signature check per the sandbox mode: strict refuses, soft logs and answers, off only identifies. */
  const lookup = (id: string) => store.findKey(id);
  const verifyCaller = async (call: Incoming) => {
    if (sandbox.signatureMode === 'off') return identify(call, lookup);
    try {
      return await authenticate(call, lookup, now());
    } catch (err) {
      const soft = sandbox.signatureMode === 'soft' && err instanceof ApiError && (err.code === 'AuthFailure.SignatureFailure' || err.code === 'AuthFailure.SignatureExpire');
      if (!soft) throw err;
      log?.warn(
        { code: err.code, ...(err instanceof SignatureError ? { canonicalRequest: err.canonical, stringToSign: err.stringToSign } : {}) },
        'signature check failed; answering anyway (signature mode soft)',
      );
      return identify(call, lookup);
    }
  };

  await app.register(adminApi, { prefix: '/_tcdeals/admin', store, sandbox, token: options.adminToken, logger: log });

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'],
    url: '/',
    handler: async (req, reply) => {
      const started = process.hrtime.bigint();
      const requestId = newRequestId();
      let lang: Lang = 'en-US';
      let action: string | undefined;
      let uin: string | undefined;
      let code: string | undefined;
      let secretId: string | undefined;
      let journalParams: unknown;
      let faultId: string | undefined;
      let dropped = false;
      let call: Incoming | undefined;
      const traceId = req.headers['x-tc-traceid'] as string | undefined;
      try {
        call = readIncoming({
          method: req.method,
          url: req.raw.url ?? '/',
          headers: req.headers,
          body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        });
        lang = call.lang;
        action = call.action;
        const def = findAction(call.action, call.version);
        const key = await verifyCaller(call);
        uin = key.uin;
        secretId = key.secretId;
        const caller = key.account ?? (await store.getAccount(key.uin));
        if (!caller) throw new ApiError('AuthFailure.SecretIdNotFound');
        const rawParams = call.params(def.invalidCode);
        journalParams = rawParams;
        const fault = sandbox.faults.take(def.name, caller.uin);
        if (fault) {
          faultId = fault.id;
          if (fault.kind === 'drop') {
            // Close the connection without an answer, as a failing network or gateway would.
            dropped = true;
            reply.hijack();
            req.raw.socket.destroy();
            return;
          }
          if (fault.kind === 'latency') await new Promise((r) => setTimeout(r, fault.latencyMs ?? 0));
          if (fault.kind === 'error') throw ApiError.injected(fault.code!, fault.message ?? `Fault injected by a tcdeals sandbox rule (${fault.id}).`);
        }
        await rateLimit?.consume(def.name, caller.uin);
        const params = decodeParams({ action: def.name, version: def.version, invalidCode: def.invalidCode }, def.params, rawParams);
        const fields = await def.handle(params as never, { store, caller, settings });
        return send(reply, successBody(fields, requestId), traceId);
      } catch (err) {
        let apiError: ApiError;
        if (err instanceof ApiError) {
          apiError = err;
          if (err instanceof SignatureError) {
            uin = err.uin;
            // What the server signed, so a user can diff it with their client. Never the key.
            log?.debug({ requestId, canonicalRequest: err.canonical, stringToSign: err.stringToSign }, 'signature mismatch');
          }
        } else {
          apiError = new ApiError('InternalError');
          log?.error({ requestId, err: err instanceof Error ? err.stack : String(err) }, 'internal error');
        }
        code = apiError.code;
        return send(reply, errorBody(apiError, lang, requestId), traceId);
      } finally {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const labels = { action: action && KNOWN_ACTIONS.has(action) ? action : 'unknown', code: code ?? 'OK' };
        metrics.calls.inc(labels);
        metrics.latency.observe(labels, ms / 1000);
        if (code === 'RequestLimitExceeded') metrics.rateLimited.inc({ action: labels.action });
        sandbox.journal.record({
          time: new Date(now()).toISOString(),
          requestId,
          traceId,
          action,
          version: call?.version,
          uin,
          secretId,
          scheme: call?.scheme,
          params: journalParams,
          code: dropped ? 'ConnectionDropped' : labels.code,
          latencyMs: Math.round(ms * 100) / 100,
          fault: faultId,
        });
        log?.info({ requestId, traceId, action, uin, code: labels.code, ms: Math.round(ms * 100) / 100 }, 'api call');
      }
    },
  });

  // Still the API envelope with HTTP 200: the SDKs surface `Response.Error.Code` only then.
  app.setNotFoundHandler((req, reply) => {
    const err =
      req.method !== 'GET' && req.method !== 'POST'
        ? unsupportedMethod(req.method)
        : new ApiError('InvalidAction', {
            en: `No API at path ${JSON.stringify((req.raw.url ?? '').slice(0, 64))}: Tencent Cloud API 3.0 requests go to "/".`,
            zh: `路径 ${JSON.stringify((req.raw.url ?? '').slice(0, 64))} 上没有接口：云 API 3.0 请求的路径为 "/"。`,
          });
    return send(reply, errorBody(err, 'en-US', newRequestId()), req.headers['x-tc-traceid'] as string | undefined);
  });

  if (options.cacheRebuildIntervalSec) {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      store
        .rebuildAgentCache()
        .then((r) => {
          if (r.rebuilt) metrics.cacheRefresh.observe(r.ms / 1000);
          log?.info({ rebuilt: r.rebuilt, rows: r.rows, ms: r.ms }, r.rebuilt ? 'partners cache rebuilt' : 'partners cache rebuild skipped: another instance holds the lock');
        })
        .catch((err: unknown) => log?.error({ err: err instanceof Error ? err.message : String(err) }, 'partners cache rebuild failed; the previous snapshot stays'))
        .finally(() => (running = false));
    }, options.cacheRebuildIntervalSec * 1000);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  return app;
}


/**
 * Requests Node's HTTP parser refuses before Fastify sees them. Headers past MAX_HEADER_SIZE (a
 * GET far over its 32 KB limit) and methods the parser does not know still get the API envelope;
 * anything else gets a plain 400, as Fastify would answer.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const apiError =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError('RequestSizeLimitExceeded', {
            en: `The request headers exceed ${MAX_HEADER_SIZE} bytes (GET requests are limited to ${SIZE_LIMITS.get} bytes).`,
            zh: `请求头超过 ${MAX_HEADER_SIZE} 字节（GET 请求包不得超过 ${SIZE_LIMITS.get} 字节）。`,
          })
        : err.code === 'HPE_INVALID_METHOD'
          ? unsupportedMethod(/^[A-Za-z_-]{1,16}/.exec((err as { rawPacket?: Buffer }).rawPacket?.toString('latin1') ?? '')?.[0] ?? '(unknown)')
          : undefined;
    const [status, body] = apiError ? ['200 OK', errorBody(apiError, 'en-US', newRequestId())] : ['400 Bad Request', '{"error":"Bad Request","message":"Client Error","statusCode":400}'];
    socket.write(`HTTP/1.1 ${status}\r\nContent-Type: ${CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
