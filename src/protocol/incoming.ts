/**
 * Reads a raw HTTP request into an API call: which signature scheme, which Action and Version,
 * which language, and (lazily, once the action is known) the business parameters. Size limits
 * and methods are enforced here, before anything else looks at the request.
 */
import { ApiError, pickLang, type ErrorCode, type Lang } from './errors.js';
import { parseForm, unflatten } from './flatten.js';

export interface RawHttpRequest {
  readonly method: string;
  /** Path and query exactly as received. */
  readonly url: string;
  /** Node's lower-cased header map. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** Documented request size limits. */
export const SIZE_LIMITS = {
  get: 32 * 1024,
  v1Post: 1024 * 1024,
  tc3Post: 10 * 1024 * 1024,
} as const;

/** Parameters that belong to the v1 protocol envelope, not to the action. */
const V1_COMMON = new Set([
  'Action', 'Version', 'Region', 'Timestamp', 'Nonce', 'SecretId', 'Signature', 'SignatureMethod',
  'Token', 'RequestClient', 'Language',
]);

export interface Incoming {
  readonly scheme: 'tc3' | 'v1';
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Raw query string without `?`. */
  readonly query: string;
  readonly headers: RawHttpRequest['headers'];
  readonly body: Buffer;
  readonly action: string | undefined;
  readonly version: string | undefined;
  readonly region: string | undefined;
  readonly lang: Lang;
  readonly traceId: string | undefined;
  /** v1 only: every pair as received (protocol and business), for the signature. */
  readonly v1Pairs: ReadonlyArray<readonly [string, string]>;
  /** The action's parameters; parse errors use the action's documented code. */
  params(invalidCode: ErrorCode): Record<string, unknown>;
}

/** A header's value; names are looked up as own properties (a signed header named `constructor` is just absent). */
export function header(headers: RawHttpRequest['headers'], name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function sizeError(limit: number, what: string): ApiError {
  return new ApiError('RequestSizeLimitExceeded', {
    en: `The request exceeds the size limit of ${limit} bytes for ${what}.`,
    zh: `请求包超过 ${what} 的大小限制 ${limit} 字节。`,
  });
}

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Only GET and POST exist in this protocol. */
export function unsupportedMethod(method: string): ApiError {
  return new ApiError('UnsupportedProtocol', {
    en: `The HTTP method ${method.slice(0, 16)} is not supported: only GET and POST are.`,
    zh: `不支持 HTTP 方法 ${method.slice(0, 16)}：只支持 GET 和 POST。`,
  });
}

export function readIncoming(raw: RawHttpRequest): Incoming {
  const method = raw.method.toUpperCase();
  const lang0 = pickLang(header(raw.headers, 'x-tc-language'));
  if (method !== 'GET' && method !== 'POST') throw unsupportedMethod(method);
  const q = raw.url.indexOf('?');
  const path = q < 0 ? raw.url : raw.url.slice(0, q);
  const query = q < 0 ? '' : raw.url.slice(q + 1);
  if (method === 'GET' && Buffer.byteLength(raw.url) > SIZE_LIMITS.get) throw sizeError(SIZE_LIMITS.get, 'GET requests');

  const contentType = header(raw.headers, 'content-type');
  const authorization = header(raw.headers, 'authorization');
  const formBody = method === 'POST' && isForm(contentType);

  // Without an Authorization header a form POST is v1 (or an unsigned call that fails anyway):
  // refuse it over the v1 limit before parsing up to 10 MB of pairs.
  if (formBody && authorization === undefined && raw.body.length > SIZE_LIMITS.v1Post) {
    throw sizeError(SIZE_LIMITS.v1Post, 'v1 (HmacSHA1/HmacSHA256) POST requests');
  }

  // v1 puts everything in the query (GET) or the form body (POST); TC3 uses the Authorization header.
  // Parsed lazily: a signed TC3 form body is only parsed once the signature holds.
  let parsed: Array<[string, string]> | undefined;
  const pairs = () => (parsed ??= parseForm(method === 'GET' ? query : formBody ? raw.body.toString('utf8') : ''));
  const looksV1 = () => pairs().some(([k]) => k === 'Signature' || k === 'SecretId');
  const scheme: 'tc3' | 'v1' =
    authorization !== undefined || (header(raw.headers, 'x-tc-action') !== undefined && !looksV1()) ? 'tc3' : 'v1';

  if (method === 'POST') {
    const limit = scheme === 'v1' ? SIZE_LIMITS.v1Post : SIZE_LIMITS.tc3Post;
    if (raw.body.length > limit) throw sizeError(limit, scheme === 'v1' ? 'v1 (HmacSHA1/HmacSHA256) POST requests' : 'TC3-HMAC-SHA256 POST requests');
  }

  const v1Value = (name: string) => pairs().find(([k]) => k === name)?.[1];
  const action = scheme === 'tc3' ? header(raw.headers, 'x-tc-action') : v1Value('Action');
  const version = scheme === 'tc3' ? header(raw.headers, 'x-tc-version') : v1Value('Version');
  const region = scheme === 'tc3' ? header(raw.headers, 'x-tc-region') : v1Value('Region');
  const lang = scheme === 'v1' && v1Value('Language') !== undefined ? pickLang(v1Value('Language')) : lang0;

  const params = (invalidCode: ErrorCode): Record<string, unknown> => {
    if (scheme === 'v1') return unflatten(pairs().filter(([k]) => !V1_COMMON.has(k)), invalidCode);
    if (method === 'GET' || formBody) return unflatten(pairs(), invalidCode);
    return parseJsonObject(raw.body, invalidCode);
  };

  return {
    scheme,
    method,
    path,
    query,
    headers: raw.headers,
    body: raw.body,
    action: action?.trim() || undefined,
    version: version?.trim() || undefined,
    region,
    lang,
    traceId: header(raw.headers, 'x-tc-traceid'),
    v1Pairs: scheme === 'v1' ? pairs() : [],
    params,
  };
}

function parseJsonObject(body: Buffer, code: ErrorCode): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    const reason = err instanceof Error ? err.message.slice(0, 120) : 'parse error';
    throw new ApiError(code, {
      en: `The request body is not valid JSON: ${reason}.`,
      zh: `请求体不是合法的 JSON：${reason}。`,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(code, {
      en: 'The request body must be a JSON object of parameters.',
      zh: '请求体必须是参数组成的 JSON 对象。',
    });
  }
  return value as Record<string, unknown>;
}
