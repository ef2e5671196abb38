/**
 * One error type for everything a call can end in: an API error from `Response.Error` (its code,
 * message and RequestId unchanged) or a client-side failure with a `ClientError.*` code (the names
 * the Go SDK uses), so callers branch on `code` alone.
 */

const BRAND = Symbol.for('tcdeals.client.error');

/** Codes the client itself produces (no `Response.Error` was received). */
export const ClientErrorCode = {
  /** Connection refused/reset, DNS failure, socket closed: the request may not have arrived. */
  Network: 'ClientError.NetworkError',
  /** No complete answer within `timeoutMs`. */
  Timeout: 'ClientError.Timeout',
  /** An HTTP status other than 200 (the API answers every error with 200; a proxy or gateway did not). */
  HttpStatus: 'ClientError.HttpStatusCodeError',
  /** A 200 answer whose body is not JSON with a `Response` object. */
  ParseJson: 'ClientError.ParseJsonError',
  /** The request could not be made for another reason (e.g. an injected fetch threw something unknown). */
  Request: 'ClientError.RequestError',
} as const;

export interface TencentCloudErrorInit {
  code: string;
  message: string;
  /** `Response.RequestId`, or "" when no answer carried one. */
  requestId?: string;
  /** The HTTP status, when an answer arrived. */
  httpStatus?: number;
  /** The `X-TC-TraceId` this client sent with the failing request. */
  traceId?: string;
  cause?: unknown;
}

export class TencentCloudError extends Error {
  readonly code: string;
  readonly requestId: string;
  readonly httpStatus?: number;
  readonly traceId?: string;

  constructor(init: TencentCloudErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'TencentCloudError';
    this.code = init.code;
    this.requestId = init.requestId ?? '';
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.traceId !== undefined) this.traceId = init.traceId;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `instanceof` by brand, so an error thrown by another copy of this package (two versions in
   * one dependency tree, or src and dist side by side) is still recognised. Subclasses, if any,
   * keep the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== TencentCloudError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

const RETRYABLE_CODES = new Set<string>([
  'ServiceUnavailable',
  ClientErrorCode.Network,
  ClientErrorCode.Timeout,
  ClientErrorCode.HttpStatus,
  ClientErrorCode.ParseJson,
]);
const RETRYABLE_FAMILIES = ['RequestLimitExceeded', 'InternalError'];

export function isRetryableCode(code: string): boolean {
  return RETRYABLE_CODES.has(code) || RETRYABLE_FAMILIES.some((f) => code === f || code.startsWith(`${f}.`));
}

/** System and undici codes of transient transport failures. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

/**
 * True for a raw transport failure: a known socket error code anywhere in the `cause` chain,
 * undici's `TypeError: fetch failed`, or an abort/timeout.
 */
export function isNetworkFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (name === 'AbortError' || name === 'TimeoutError') return true;
    if (name === 'TypeError' && message === 'fetch failed') return true;
  }
  return false;
}

/**
 * Whether repeating the same request may succeed: rate limiting (`RequestLimitExceeded` and its
 * sub-codes), `InternalError` and its sub-codes, `ServiceUnavailable`, and network failures
 * (refused/reset connections, timeouts, non-JSON or non-200 answers). Parameter, signature and
 * permission errors are not retryable: the same request would fail the same way.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof TencentCloudError) return isRetryableCode(err.code);
  return isNetworkFailure(err);
}
