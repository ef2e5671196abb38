/**
 * The HTTP server. Data flows one way:
 * HTTP → protocol (size, method, routing, signature, rate limit, parameters) → action → store → view → envelope.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ActionSettings } from './actions/action.js';
import { ACTIONS, findAction } from './actions/registry.js';
import { authenticate, identify, SignatureError } from './protocol/authenticate.js';
import { CONTENT_TYPE, errorBody, newRequestId, successBody } from './protocol/envelope.js';
import { ApiError, pickLang, type Lang } from './protocol/errors.js';
import { header, readIncoming, SIZE_LIMITS, unsupportedMethod, type Incoming, type RawHttpRequest } from './protocol/incoming.js';
import {
  BodyReader,
  bodyLimit,
  brokenBodyError,
  closeAfterAnswer,
  declaredLength,
  DEFAULT_BODY_BOUNDS,
  encodingError,
  handOverClientError,
  lingerThenClose,
  parseErrorAnswer,
  type BodyBounds,
} from './protocol/body.js';
import { decodeParams } from './protocol/params.js';
import { Metrics } from './ops/metrics.js';
import { checkReadiness } from './ops/readiness.js';
import { DEFAULT_RATE_LIMIT, RateLimit, type RateLimitOptions } from './rate-limit.js';
import { adminApi } from './admin/index.js';
import { consoleApp } from './console-server/index.js';
import { progressionHook } from './services/lifecycle.js';
import { Sandbox } from './sandbox/sandbox.js';
import type { Store } from './store/store.js';
import { arrivalOf } from './tls/arrival.js';
import { Front, type CaSource, type ProxyOptions } from './tls/front.js';
import { hostLabel } from './tls/names.js';

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
  /** Bounds of body reading and of the lingering close after an early answer (tests shorten them). */
  readonly bodyBounds?: Partial<BodyBounds>;
  /**
   * The local CA (or how to load it on first need): leaves for proxy mode's TLS tunnels and for a
   * TLS port started with `listenTls` without a certificate of its own.
   */
  readonly ca?: CaSource;
  /**
   * Proxy mode on the main port: CONNECT tunnels and absolute-form requests (see src/tls/front.ts).
   * Absent: CONNECT is answered `UnsupportedProtocol` and absolute-form URLs are not API paths.
   */
  readonly proxy?: ProxyOptions;
}

const fronts = new WeakMap<FastifyInstance, Front>();

/** The server's TLS port and proxy (`frontOf(app).listenTls(…)`). */
export function frontOf(app: FastifyInstance): Front {
  return fronts.get(app)!;
}

const KNOWN_ACTIONS = new Set(ACTIONS.map((a) => a.name));

export const DEFAULT_SETTINGS: ActionSettings = { billingOffset: 'rows' };

/** How long an idle keep-alive connection stays open (Fastify's default). */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** Node's default 16 KiB header limit is below the documented 32 KB GET limit. */
const MAX_HEADER_SIZE = 64 * 1024;

/**
 * The client's own Content-Type of an API request, set aside before Fastify sees the request:
 * Fastify would judge it as a media type (and answer 415 for `application/json, text/plain`),
 * while for the API it is only a signed header.
 */
const API_CONTENT_TYPE = Symbol('tcdeals.apiContentType');
type ApiRawRequest = IncomingMessage & { [API_CONTENT_TYPE]?: { readonly value: string | undefined } };

/** Node's header map (as an own-properties-only copy) with the client's Content-Type put back. */
function apiHeaders(raw: ApiRawRequest): RawHttpRequest['headers'] {
  const out: Record<string, string | string[] | undefined> = Object.assign(Object.create(null), raw.headers);
  const stash = raw[API_CONTENT_TYPE];
  if (stash) {
    if (stash.value === undefined) delete out['content-type'];
    else out['content-type'] = stash.value;
  }
  return out;
}

/** The client's trace id as an answer header may carry it (Node refuses some characters there). */
function traceIdEcho(traceId: string | undefined): string | undefined {
  const v = traceId?.slice(0, 128).replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
  return v || undefined;
}

function invalidPath(url: string): ApiError {
  const shown = JSON.stringify(url.slice(0, 64));
  return new ApiError('InvalidAction', {
    en: `No API at path ${shown}: Tencent Cloud API 3.0 requests go to "/".`,
    zh: `路径 ${shown} 上没有接口：云 API 3.0 请求的路径为 "/"。`,
  });
}

const pathOf = (url: string) => url.split('?', 1)[0]!;

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

  const bounds: BodyBounds = { ...DEFAULT_BODY_BOUNDS, ...options.bodyBounds };
  /** Sockets closing after an early answer (see src/protocol/body.ts); closed outright on shutdown. */
  const lingering = new Set<Socket>();
  /** The response in flight on each socket, so a parse error is never answered in the middle of another answer. */
  const inFlight = new WeakMap<Socket, ServerResponse>();
  /** Set once the API pipeline exists: Fastify reports a malformed URL through `frameworkErrors`. */
  let answerFrameworkError: (req: FastifyRequest, reply: FastifyReply) => unknown = (_req, reply) => reply.code(400).send();
  /** Proxy mode and the TLS port; made with the HTTP server, which it hands connections to. */
  let front!: Front;

  /** The metrics and journal entry of an answer given below Fastify (a request Node could not parse, CONNECT). */
  const recordBareAnswer = (requestId: string, code: string) => {
    const labels = { action: 'unknown', code };
    metrics.calls.inc(labels);
    metrics.latency.observe(labels, 0);
    sandbox.journal.record({ time: new Date(now()).toISOString(), requestId, code, latencyMs: 0 });
  };

  /**
   * Requests Node's HTTP parser refuses before (or while) Fastify sees them. A parse error in an
   * API request's body belongs to that request (it answers in the envelope); otherwise the
   * envelope is written here — headers past MAX_HEADER_SIZE (a GET far over its 32 KB limit)
   * are `RequestSizeLimitExceeded`, an unknown method `UnsupportedProtocol`, anything else that
   * is not HTTP/1.1 `UnsupportedProtocol` — and the connection lingers so the client can read it.
   */
  const answerClientError = (err: Error & { code?: string }, socket: Socket): void => {
    if (handOverClientError(socket, err)) return;
    if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable || inFlight.get(socket)?.headersSent) {
      socket.destroy();
      return;
    }
    const rawPacket = (err as { rawPacket?: Buffer }).rawPacket;
    if (front.proxying && rawPacket && /^CONNECT(\s|$)/i.test(rawPacket.subarray(0, 8).toString('latin1'))) {
      // A CONNECT line the parser refused: the proxy's answer, plain HTTP.
      const text = `The CONNECT request is malformed (${String(err.code ?? 'parse error').slice(0, 40)}): CONNECT host:port HTTP/1.1.\n`;
      socket.on('error', () => {});
      socket.write(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      metrics.proxy.inc({ target: 'passthrough', outcome: 'refused' });
      log?.info({ reason: err.code }, 'malformed CONNECT request refused');
      lingerThenClose(socket, undefined, bounds, lingering);
      return;
    }
    const apiError =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError('RequestSizeLimitExceeded', {
            en: `The request headers exceed ${MAX_HEADER_SIZE} bytes (GET requests are limited to ${SIZE_LIMITS.get} bytes).`,
            zh: `请求头超过 ${MAX_HEADER_SIZE} 字节（GET 请求包不得超过 ${SIZE_LIMITS.get} 字节）。`,
          })
        : err.code === 'HPE_INVALID_METHOD'
          ? unsupportedMethod(/^[A-Za-z_-]{1,16}/.exec((err as { rawPacket?: Buffer }).rawPacket?.toString('latin1') ?? '')?.[0] ?? '(unknown)')
          : parseErrorAnswer(err);
    const requestId = newRequestId();
    const body = errorBody(apiError, 'en-US', requestId);
    socket.on('error', () => {});
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: ${CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    recordBareAnswer(requestId, apiError.code);
    log?.info({ requestId, code: apiError.code, reason: err.code }, 'malformed HTTP request answered');
    lingerThenClose(socket, undefined, bounds, lingering);
  };

  /**
   * With `Expect: 100-continue`, an API request refused on its headers alone (over the size limit,
   * a method other than GET or POST, a compressed body) is answered without asking for the body.
   */
  const refusedOnHeaders = (req: IncomingMessage): boolean => {
    const url = req.url ?? '/';
    if (pathOf(url) !== '/') return false;
    const method = (req.method ?? '').toUpperCase();
    if (method !== 'GET' && method !== 'POST') return true;
    if (encodingError(req.headers)) return true;
    const declared = declaredLength(req.headers);
    return declared !== undefined && declared > bodyLimit(method, url, req.headers).bytes;
  };

  const app = Fastify({
    logger: false,
    bodyLimit: SIZE_LIMITS.tc3Post,
    exposeHeadRoutes: false,
    serverFactory: (handler) => {
      /** An absolute-form request for another host is the proxy's (forwarded or refused); any other goes on. */
      const handle = (req: IncomingMessage, res: ServerResponse, expectsContinue = false) => {
        inFlight.set(req.socket, res);
        res.once('close', () => {
          if (inFlight.get(req.socket) === res) inFlight.delete(req.socket);
        });
        if (front.intercept(req, res)) return;
        if (expectsContinue && !refusedOnHeaders(req)) res.writeContinue();
        handler(req, res);
      };
      // Any request, with or without a Host header (a missing one fails the signature, in the envelope).
      const server = createHttpServer({ maxHeaderSize: MAX_HEADER_SIZE, requireHostHeader: false }, (req, res) => handle(req, res));
      front = new Front(server, {
        ca: options.ca,
        proxy: options.proxy,
        log,
        bounds,
        lingering,
        answering: (socket) => inFlight.get(socket),
        events: {
          proxy: (target, outcome) => metrics.proxy.inc({ target, outcome }),
          handshakeFailed: (via) => metrics.tlsHandshakeFailures.inc({ via }),
          minted: () => metrics.certificatesMinted.inc(),
        },
      });
      // Fastify's own default (it sets none on a server it did not make): with Node's 5 s, a client
      // pool reusing a connection idle for about that long raced the server's close and got a reset.
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => handle(req, res, true));
      // An expectation other than 100-continue is ignored rather than answered with a bare 417.
      server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => handle(req, res));
      // CONNECT: proxy mode's tunnels; without proxy mode (Node hands over the socket, or drops it
      // when nobody listens) the envelope, like any other method the API does not have.
      server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
        if (front.proxying) return front.connect(req, socket, head);
        const requestId = newRequestId();
        const body = errorBody(unsupportedMethod('CONNECT'), pickLang(header(req.headers, 'x-tc-language')), requestId);
        socket.on('error', () => {});
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: ${CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        recordBareAnswer(requestId, 'UnsupportedProtocol');
        log?.info({ requestId, code: 'UnsupportedProtocol' }, 'CONNECT answered');
        lingerThenClose(socket, undefined, bounds, lingering);
      });
      return server;
    },
    clientErrorHandler: answerClientError,
    frameworkErrors: (_err, req, reply) => answerFrameworkError(req, reply),
  });

  // API bodies are read by the protocol layer (src/protocol/body.ts), never by Fastify: this
  // parser leaves the stream untouched, whatever the (set-aside) Content-Type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  // A Buffer, not a string: Fastify appends `; charset=utf-8` to a JSON content type when it
  // sends a string, and the Python SDK then ignores `Response.Error` (returns an empty model).
  const send = (reply: FastifyReply, body: string, traceId: string | undefined, closing: boolean) => {
    reply.code(200).header('content-type', CONTENT_TYPE);
    const echo = traceIdEcho(traceId);
    if (echo) reply.header('x-tc-traceid', echo);
    if (closing) {
      reply.header('connection', 'close');
      closeAfterAnswer(reply.request.raw, bounds, lingering);
    }
    return reply.send(Buffer.from(body, 'utf8'));
  };

  // Only reached by faults of the framework itself: the API pipeline answers all its errors.
  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    const requestId = newRequestId();
    const clientSide = err.statusCode !== undefined && err.statusCode < 500;
    const apiError = clientSide ? brokenBodyError(`the request could not be read (${String(err.code ?? err.statusCode)})`, `无法读取请求（${String(err.code ?? err.statusCode)}）`) : new ApiError('InternalError');
    if (clientSide) log?.warn({ requestId, code: err.code, err: err.message }, 'request refused by the framework');
    else log?.error({ requestId, err: err.message }, 'request failed before reaching the API');
    return send(reply, errorBody(apiError, 'en-US', requestId), header(apiHeaders(req.raw), 'x-tc-traceid'), !req.raw.complete);
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
  // The web console (/console/) and its signed aggregate endpoints (/_tcdeals/console/…).
  await app.register(consoleApp, { store, verify: verifyCaller, rateLimit, logger: log });

  // Added after the admin API is registered, so it applies to the API route and the root 404
  // handler only (the admin API keeps its own parsers): the client's Content-Type is set aside
  // for the signature, and Fastify sees a placeholder it will not refuse.
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.is404 || req.routeOptions.url === '/') {
      const raw = req.raw as ApiRawRequest;
      raw[API_CONTENT_TYPE] = { value: raw.headers['content-type'] };
      raw.headers['content-type'] = 'application/octet-stream';
    }
    done();
  });

  /**
   * Every API answer: routing, the body (read here, with the per-scheme limits), signature,
   * rate limit, parameters, the action — and a journal entry, metrics and a log line. `routed`
   * is false for any path but "/" (and a URL the router could not read).
   */
  const serveApi = async (req: FastifyRequest, reply: FastifyReply, routed: boolean) => {
    const started = process.hrtime.bigint();
    const requestId = newRequestId();
    const raw = req.raw as ApiRawRequest;
    const headers = apiHeaders(raw);
    const method = (raw.method ?? '').toUpperCase();
    const url = raw.url ?? '/';
    const traceId = header(headers, 'x-tc-traceid');
    const arrival = arrivalOf(raw);
    const host = header(headers, 'host') ?? arrival.target;
    let lang: Lang = pickLang(header(headers, 'x-tc-language'));
    let action: string | undefined = header(headers, 'x-tc-action')?.trim() || undefined;
    let uin: string | undefined;
    let code: string | undefined;
    let secretId: string | undefined;
    let journalParams: unknown;
    let faultId: string | undefined;
    let dropped = false;
    let gone = false;
    let call: Incoming | undefined;
    const body = new BodyReader(raw, bounds, lingering);
    try {
      // Decided on the request line and headers alone: answered without reading the body.
      if (method !== 'GET' && method !== 'POST') throw unsupportedMethod(method);
      if (!routed) throw invalidPath(url);
      const refused = encodingError(headers);
      if (refused) throw refused;
      const limit = bodyLimit(method, url, headers);
      const declared = declaredLength(headers);
      if (limit.bytes < 0 || (declared !== undefined && declared > limit.bytes)) throw limit.error();

      const read = await body.read(Math.max(limit.bytes, 0));
      if (read.kind === 'gone') {
        gone = true;
        reply.hijack();
        return;
      }
      if (read.kind === 'tooLarge') throw limit.error();
      if (read.kind === 'broken') throw read.error;
      if (read.kind === 'stalled') {
        const of = declared !== undefined ? ` of ${declared}` : '';
        throw brokenBodyError(
          `no body data for ${bounds.idleMs / 1000} s (${read.received}${of} bytes received)`,
          `请求体 ${bounds.idleMs / 1000} 秒内没有新数据（已收到 ${read.received}${of} 字节）`,
        );
      }

      call = readIncoming({ method, url, headers, body: read.body });
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
          raw.socket.destroy();
          return;
        }
        if (fault.kind === 'latency') await new Promise((r) => setTimeout(r, fault.latencyMs ?? 0));
        if (fault.kind === 'error') throw ApiError.injected(fault.code!, fault.message ?? `Fault injected by a tcdeals sandbox rule (${fault.id}).`);
      }
      await rateLimit?.consume(def.name, caller.uin);
      const params = decodeParams({ action: def.name, version: def.version, invalidCode: def.invalidCode }, def.params, rawParams);
      const fields = await def.handle(params as never, { store, caller, settings, now: sandbox.clock.now });
      return send(reply, successBody(fields, requestId), traceId, body.mustClose);
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
      return send(reply, errorBody(apiError, lang, requestId), traceId, body.mustClose);
    } finally {
      if (!body.mustClose) body.release();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (gone) {
        log?.info({ requestId, traceId, action, ms: Math.round(ms * 100) / 100 }, 'client closed the connection before its request body was complete');
      } else {
        const labels = { action: action && KNOWN_ACTIONS.has(action) ? action : 'unknown', code: code ?? 'OK' };
        metrics.calls.inc(labels);
        metrics.latency.observe(labels, ms / 1000);
        metrics.arrivals.inc({ via: arrival.via, host: hostLabel(host) });
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
          via: arrival.via,
          host: host?.slice(0, 255),
          params: journalParams,
          code: dropped ? 'ConnectionDropped' : labels.code,
          latencyMs: Math.round(ms * 100) / 100,
          fault: faultId,
        });
        log?.info({ requestId, traceId, action, uin, code: labels.code, via: arrival.via, host: host?.slice(0, 255), ms: Math.round(ms * 100) / 100 }, 'api call');
      }
    }
  };

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'],
    url: '/',
    handler: (req, reply) => serveApi(req, reply, true),
  });

  // Every other path and method: still the API envelope with HTTP 200 (the SDKs surface
  // `Response.Error.Code` only then), through the same pipeline.
  app.setNotFoundHandler((req, reply) => serveApi(req, reply, false));
  answerFrameworkError = (req, reply) => serveApi(req, reply, false);

  // Sockets still lingering after an early answer are closed outright on shutdown; the proxy's
  // tunnels and idle TLS connections too (the HTTP server does not count them), the TLS port stops.
  app.addHook('preClose', (done) => {
    for (const socket of lingering) socket.destroy();
    void front.close();
    done();
  });
  app.addHook('onClose', async () => front.close(true));
  fronts.set(app, front);

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


