/**
 * A small TC3 client for the two order actions, against Tencent Cloud or a tcdeals server.
 *
 * It signs like the Python and Go SDKs (the product name as the scope service, the URL's host with
 * its port as the signed host), paces each action below the documented 20 calls per second,
 * retries what can succeed on a second try with exponential backoff and full jitter, and turns
 * every failure into a `TencentCloudError`.
 */
import { randomUUID } from 'node:crypto';
import { backoffDelay, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_CAP_MS } from './backoff.js';
import { ClientErrorCode, isNetworkFailure, isRetryable, TencentCloudError } from './errors.js';
import { DEFAULT_RATE_PER_SECOND, Pacer, realSleep } from './pacer.js';
import { signTc3 } from './signer.js';
import type {
  DescribeAgentDealsByCacheRequest,
  DescribeAgentDealsByCacheResponse,
  DescribeDealsByCondRequest,
  DescribeDealsByCondResponse,
} from './types.js';
import { REQUEST_CLIENT } from './version.js';
import type * as P from './partners-types.js';

export type ServiceName = 'billing' | 'partners';
export type Language = 'en-US' | 'zh-CN';

export const DEFAULT_ENDPOINTS: Readonly<Record<ServiceName, string>> = {
  billing: 'https://billing.tencentcloudapi.com',
  partners: 'https://partners.tencentcloudapi.com',
};

export const ACTIONS = {
  DescribeDealsByCond: { service: 'billing', action: 'DescribeDealsByCond', version: '2018-07-09' },
  DescribeAgentDealsByCache: { service: 'partners', action: 'DescribeAgentDealsByCache', version: '2018-03-21' },
  DescribeAgentAuditedClients: { service: 'partners', action: 'DescribeAgentAuditedClients', version: '2018-03-21' },
  DescribeAgentClients: { service: 'partners', action: 'DescribeAgentClients', version: '2018-03-21' },
  AuditApplyClient: { service: 'partners', action: 'AuditApplyClient', version: '2018-03-21' },
  DescribeUnbindClientList: { service: 'partners', action: 'DescribeUnbindClientList', version: '2018-03-21' },
  ModifyClientRemark: { service: 'partners', action: 'ModifyClientRemark', version: '2018-03-21' },
  DescribeSalesmans: { service: 'partners', action: 'DescribeSalesmans', version: '2018-03-21' },
  DescribeAgentPayDealsV2: { service: 'partners', action: 'DescribeAgentPayDealsV2', version: '2018-03-21' },
  DescribeAgentSelfPayDealsV2: { service: 'partners', action: 'DescribeAgentSelfPayDealsV2', version: '2018-03-21' },
  DescribeAgentRelateBigDealIds: { service: 'partners', action: 'DescribeAgentRelateBigDealIds', version: '2018-03-21' },
  DescribeAgentDealsPriceDetailByDealName: { service: 'partners', action: 'DescribeAgentDealsPriceDetailByDealName', version: '2018-03-21' },
} as const;

/** What the client passes to `fetch`; the global `fetch` fits, and so does a test double. */
export interface FetchInit {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}
export interface FetchAnswer {
  status: number;
  statusText?: string;
  text(): Promise<string>;
}
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchAnswer>;

export interface TencentCloudClientOptions {
  secretId: string;
  secretKey: string;
  /** Base URL per service. Wins over `baseUrl`. */
  endpoints?: { billing?: string; partners?: string };
  /** One base URL for both services, e.g. a tcdeals server `http://127.0.0.1:8080`. */
  baseUrl?: string;
  /** Sent as `X-TC-Region` when non-empty (both actions ignore it). */
  region?: string;
  /** Sent as `X-TC-Language` when set. */
  language?: Language;
  /** Calls per second per action; 0 disables pacing. Default 20. */
  ratePerSecond?: number;
  /** Retries after the first attempt. Default 5. */
  maxRetries?: number;
  /** Backoff base: the n-th retry waits a random time below min(10 s, retryBaseMs * 2^n). Default 200. */
  retryBaseMs?: number;
  /** Per attempt, until the whole answer is read. Default 30000. */
  timeoutMs?: number;
  fetch?: FetchLike;
  /** Milliseconds clock for pacing and `X-TC-Timestamp`. Default `Date.now`. */
  now?: () => number;
  /** Used by pacing and backoff waits. Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Source of backoff jitter in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** Counters since the client was created. */
export interface ClientStats {
  /** `call` invocations. */
  calls: number;
  /** HTTP requests sent (first attempts and retries). */
  attempts: number;
  /** Attempts repeated after a retryable failure. */
  retries: number;
  /** `RequestLimitExceeded*` answers received, whether a retry absorbed them or not. */
  rateLimited: number;
  /** Calls that ended in an error. */
  failures: number;
}

function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

function baseUrlOf(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${name} must be http(s), got ${value}`);
  return url;
}

/** Drops null and undefined members, as the Node SDK does before serialising. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(withoutNulls);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = withoutNulls(v);
    return out;
  }
  return value;
}

export class TencentCloudClient {
  readonly stats: ClientStats = { calls: 0, attempts: 0, retries: 0, rateLimited: 0, failures: 0 };
  private readonly secretId: string;
  private readonly secretKey: string;
  private readonly urls: Record<ServiceName, URL>;
  private readonly region?: string;
  private readonly language?: Language;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly timeoutMs: number;
  private readonly fetchFn: FetchLike;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly pacer: Pacer;

  constructor(options: TencentCloudClientOptions) {
    if (!options.secretId || !options.secretKey) throw new TypeError('secretId and secretKey are required');
    if (options.language !== undefined && options.language !== 'en-US' && options.language !== 'zh-CN') {
      throw new TypeError(`language must be en-US or zh-CN, got ${String(options.language)}`);
    }
    this.secretId = options.secretId;
    this.secretKey = options.secretKey;
    const url = (service: ServiceName) => {
      const own = options.endpoints?.[service];
      if (own) return baseUrlOf(`endpoints.${service}`, own);
      if (options.baseUrl) return baseUrlOf('baseUrl', options.baseUrl);
      return new URL(DEFAULT_ENDPOINTS[service]);
    };
    this.urls = { billing: url('billing'), partners: url('partners') };
    if (options.region) this.region = options.region;
    if (options.language) this.language = options.language;
    this.maxRetries = integerAtLeast('maxRetries', options.maxRetries ?? 5, 0);
    this.retryBaseMs = integerAtLeast('retryBaseMs', options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS, 0);
    this.timeoutMs = integerAtLeast('timeoutMs', options.timeoutMs ?? 30_000, 1);
    this.fetchFn = options.fetch ?? ((u, init) => fetch(u, init));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.pacer = new Pacer({ ratePerSecond: options.ratePerSecond ?? DEFAULT_RATE_PER_SECOND, now: this.now, sleep: this.sleep });
  }

  /** The URL requests of `service` go to. */
  endpoint(service: ServiceName): string {
    return this.urls[service].href;
  }

  /**
   * Calls `action` and resolves with its `Response` object (RequestId included), or rejects with
   * a `TencentCloudError`: the answer's own `Response.Error`, or a `ClientError.*` failure. Each
   * attempt waits for the action's pacing slot; retryable failures are retried up to `maxRetries`
   * times, and the last error is thrown.
   */
  async call<T>(service: ServiceName, action: string, version: string, params: object = {}): Promise<T> {
    this.stats.calls++;
    const body = JSON.stringify(withoutNulls(params));
    for (let attempt = 0; ; attempt++) {
      try {
        // Paced per action; the pacer learns when the answer arrived from the attempt settling.
        return await this.pacer.schedule(`${service}:${action}`, () => this.attempt<T>(service, action, version, body));
      } catch (err) {
        if (attempt >= this.maxRetries || !isRetryable(err)) {
          this.stats.failures++;
          throw err;
        }
        this.stats.retries++;
        await this.sleep(backoffDelay(attempt, this.retryBaseMs, DEFAULT_RETRY_CAP_MS, this.random));
      }
    }
  }

  describeDealsByCond(req: DescribeDealsByCondRequest): Promise<DescribeDealsByCondResponse> {
    const a = ACTIONS.DescribeDealsByCond;
    return this.call(a.service, a.action, a.version, req);
  }

  describeAgentDealsByCache(req: DescribeAgentDealsByCacheRequest): Promise<DescribeAgentDealsByCacheResponse> {
    const a = ACTIONS.DescribeAgentDealsByCache;
    return this.call(a.service, a.action, a.version, req);
  }

  private partners<T>(name: keyof typeof ACTIONS, req: object): Promise<T> {
    const a = ACTIONS[name];
    return this.call(a.service, a.action, a.version, req);
  }

  describeAgentAuditedClients(req: P.DescribeAgentAuditedClientsRequest = {}): Promise<P.DescribeAgentAuditedClientsResponse> {
    return this.partners('DescribeAgentAuditedClients', req);
  }

  describeAgentClients(req: P.DescribeAgentClientsRequest = {}): Promise<P.DescribeAgentClientsResponse> {
    return this.partners('DescribeAgentClients', req);
  }

  auditApplyClient(req: P.AuditApplyClientRequest): Promise<P.AuditApplyClientResponse> {
    return this.partners('AuditApplyClient', req);
  }

  describeUnbindClientList(req: P.DescribeUnbindClientListRequest): Promise<P.DescribeUnbindClientListResponse> {
    return this.partners('DescribeUnbindClientList', req);
  }

  modifyClientRemark(req: P.ModifyClientRemarkRequest): Promise<P.ModifyClientRemarkResponse> {
    return this.partners('ModifyClientRemark', req);
  }

  describeSalesmans(req: P.DescribeSalesmansRequest): Promise<P.DescribeSalesmansResponse> {
    return this.partners('DescribeSalesmans', req);
  }

  describeAgentPayDealsV2(req: P.DescribeAgentPayDealsV2Request): Promise<P.DescribeAgentPayDealsV2Response> {
    return this.partners('DescribeAgentPayDealsV2', req);
  }

  describeAgentSelfPayDealsV2(req: P.DescribeAgentSelfPayDealsV2Request): Promise<P.DescribeAgentSelfPayDealsV2Response> {
    return this.partners('DescribeAgentSelfPayDealsV2', req);
  }

  describeAgentRelateBigDealIds(req: P.DescribeAgentRelateBigDealIdsRequest): Promise<P.DescribeAgentRelateBigDealIdsResponse> {
    return this.partners('DescribeAgentRelateBigDealIds', req);
  }

  describeAgentDealsPriceDetailByDealName(req: P.DescribeAgentDealsPriceDetailByDealNameRequest): Promise<P.DescribeAgentDealsPriceDetailByDealNameResponse> {
    return this.partners('DescribeAgentDealsPriceDetailByDealName', req);
  }

  /** One HTTP request: sign, send, read the whole answer, and map it to a result or an error. */
  private async attempt<T>(service: ServiceName, action: string, version: string, body: string): Promise<T> {
    const url = this.urls[service];
    const timestamp = Math.floor(this.now() / 1000);
    const traceId = randomUUID();
    const contentType = 'application/json';
    const signed = signTc3({ secretId: this.secretId, secretKey: this.secretKey, service, host: url.host, timestamp, payload: body, contentType });
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      'X-TC-Action': action,
      'X-TC-Version': version,
      'X-TC-Timestamp': String(timestamp),
      ...(this.region ? { 'X-TC-Region': this.region } : {}),
      ...(this.language ? { 'X-TC-Language': this.language } : {}),
      'X-TC-RequestClient': REQUEST_CLIENT,
      'X-TC-TraceId': traceId,
      Authorization: signed.authorization,
    };

    this.stats.attempts++;
    const controller = new AbortController();
    const exchange = (async () => {
      const res = await this.fetchFn(url.href, { method: 'POST', headers, body, signal: controller.signal });
      return { status: res.status, statusText: res.statusText ?? '', text: await res.text() };
    })();
    // The timer both aborts the request and stops waiting, even for a fetch that ignores the signal.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
        controller.abort();
      }, this.timeoutMs);
    });
    let answer: Awaited<typeof exchange>;
    try {
      const first = await Promise.race([exchange, timeout]);
      if (first === 'timeout') {
        exchange.catch(() => {}); // settles later, if ever, with an AbortError nobody needs
        throw new TencentCloudError({ code: ClientErrorCode.Timeout, message: `${action}: no answer from ${url.href} within ${this.timeoutMs} ms`, traceId });
      }
      answer = first;
    } catch (cause) {
      if (cause instanceof TencentCloudError) throw cause;
      const reason = cause instanceof Error ? describeCause(cause) : String(cause);
      const code = isNetworkFailure(cause) ? ClientErrorCode.Network : ClientErrorCode.Request;
      throw new TencentCloudError({ code, message: `${action}: request to ${url.href} failed: ${reason}`, traceId, cause });
    } finally {
      clearTimeout(timer);
    }
    const { status, statusText, text } = answer;

    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const response = typeof parsed === 'object' && parsed !== null ? (parsed as { Response?: unknown }).Response : undefined;
    const envelope = typeof response === 'object' && response !== null ? (response as { Error?: { Code?: unknown; Message?: unknown }; RequestId?: unknown }) : undefined;
    const requestId = typeof envelope?.RequestId === 'string' ? envelope.RequestId : '';
    const apiError = envelope?.Error && typeof envelope.Error.Code === 'string' ? { code: envelope.Error.Code, message: String(envelope.Error.Message ?? '') } : undefined;
    if (apiError?.code.startsWith('RequestLimitExceeded')) this.stats.rateLimited++;

    if (status !== 200) {
      const detail = apiError ? `${apiError.code}: ${apiError.message}` : snippet(text);
      throw new TencentCloudError({
        code: ClientErrorCode.HttpStatus,
        message: `${action}: HTTP ${status}${statusText ? ` ${statusText}` : ''} from ${url.href}${detail ? `: ${detail}` : ''}`,
        requestId,
        httpStatus: status,
        traceId,
      });
    }
    if (!envelope) {
      throw new TencentCloudError({
        code: ClientErrorCode.ParseJson,
        message: `${action}: the answer from ${url.href} is not JSON with a Response object: ${snippet(text)}`,
        httpStatus: status,
        traceId,
      });
    }
    if (apiError) throw new TencentCloudError({ code: apiError.code, message: apiError.message, requestId, httpStatus: status, traceId });
    return envelope as T;
  }
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

/** `fetch failed (connect ECONNREFUSED 127.0.0.1:9)`: undici hides the useful part in `cause`. */
function describeCause(err: Error): string {
  const inner = err.cause instanceof Error ? err.cause.message : undefined;
  return inner && inner !== err.message ? `${err.message} (${inner})` : err.message;
}
