/**
 * Verifies a call's signature (TC3-HMAC-SHA256 or legacy v1) against the caller's SecretKey.
 *
 * Lenient where the official SDKs differ, strict everywhere else:
 *  - the TC3 service is the one the credential scope names (the Node SDK pointed at
 *    `127.0.0.1:PORT` signs with service `127`);
 *  - the signed host is tried as received and without its port (Node drops it, Python and Go
 *    keep it);
 *  - the payload hash is over the raw body bytes, or `UNSIGNED-PAYLOAD` when the client says so.
 * Nothing is cached: the body, the scope date and the service are all part of what was signed.
 */
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';
import { header, type Incoming } from './incoming.js';
import { canonicalRequest, parseAuthorization, scopeDate, sha256Hex, signature, stringToSign, UNSIGNED_PAYLOAD } from './tc3.js';
import { v1MethodOf, v1Signature, v1StringToSign } from './v1.js';

export const CLOCK_SKEW_SECONDS = 300;

export interface KeyRecord {
  readonly secretId: string;
  readonly secretKey: string;
  readonly uin: string;
  /** The key's account, when the lookup fetched it along (saves a query per call). */
  readonly account?: { readonly uin: string; readonly appId: string; readonly isAgent: boolean };
}

export type KeyLookup = (secretId: string) => Promise<KeyRecord | undefined>;

/**
 * A refused signature. `stringToSign` and `canonicalRequest` are what the server computed (never
 * the key), for a debug log the user can diff against their own client.
 */
export class SignatureError extends ApiError {
  constructor(
    readonly canonical: string,
    readonly stringToSign: string,
    /** The account the SecretId belongs to, for the call's log line. */
    readonly uin: string,
  ) {
    super('AuthFailure.SignatureFailure');
  }
}

function equalHex(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1); // [::1]:8080
  const i = host.lastIndexOf(':');
  return i < 0 ? host : host.slice(0, i);
}

function hostVariants(host: string): string[] {
  const bare = stripPort(host);
  return bare === host ? [host] : [host, bare];
}

function missing(name: string): ApiError {
  return new ApiError('MissingParameter', {
    en: `The request is missing a required parameter \`${name}\`.`,
    zh: `缺少必选参数 \`${name}\`。`,
  });
}

function parseTimestamp(raw: string | undefined, name: string): number {
  if (raw === undefined || raw === '') throw missing(name);
  if (!/^\d{1,12}$/.test(raw.trim())) {
    throw new ApiError('InvalidParameter', {
      en: `The value ${JSON.stringify(raw.slice(0, 32))} of parameter \`${name}\` is invalid: it must be a unix timestamp in seconds.`,
      zh: `参数 \`${name}\` 的取值 ${JSON.stringify(raw.slice(0, 32))} 无效：必须是以秒为单位的 UNIX 时间戳。`,
    });
  }
  return Number(raw.trim());
}

function checkSkew(timestamp: number, nowMs: number): void {
  const skew = Math.abs(Math.floor(nowMs / 1000) - timestamp);
  if (skew > CLOCK_SKEW_SECONDS) {
    throw new ApiError('AuthFailure.SignatureExpire', {
      en: `The signature is expired: the timestamp ${timestamp} differs from the server time by ${skew} s, more than the ${CLOCK_SKEW_SECONDS} s allowed. Please check your clock and request again.`,
      zh: `签名过期：时间戳 ${timestamp} 与服务器时间相差 ${skew} 秒，超过允许的 ${CLOCK_SKEW_SECONDS} 秒。请检查本地时间后重试。`,
    });
  }
}

async function findKey(lookup: KeyLookup, secretId: string): Promise<KeyRecord> {
  const key = await lookup(secretId);
  if (!key) throw new ApiError('AuthFailure.SecretIdNotFound');
  return key;
}

export async function authenticate(call: Incoming, lookup: KeyLookup, nowMs: number): Promise<KeyRecord> {
  return call.scheme === 'tc3' ? verifyTc3(call, lookup, nowMs) : verifyV1(call, lookup, nowMs);
}

async function verifyTc3(call: Incoming, lookup: KeyLookup, nowMs: number): Promise<KeyRecord> {
  const rawAuth = header(call.headers, 'authorization');
  if (rawAuth === undefined) throw missing('Authorization');
  const auth = parseAuthorization(rawAuth);
  if (!auth) throw new ApiError('AuthFailure.InvalidAuthorization');
  if (!auth.signedHeaders.includes('content-type') || !auth.signedHeaders.includes('host')) {
    throw new ApiError('AuthFailure.InvalidAuthorization', {
      en: 'Authorization in the request header is invalid: SignedHeaders must include content-type and host.',
      zh: '请求头部的 Authorization 不符合腾讯云标准：SignedHeaders 必须包含 content-type 和 host。',
    });
  }
  const timestamp = parseTimestamp(header(call.headers, 'x-tc-timestamp'), 'X-TC-Timestamp');
  checkSkew(timestamp, nowMs);
  if (header(call.headers, 'x-tc-token')) {
    throw new ApiError('AuthFailure.TokenFailure', {
      en: 'Token error: temporary credentials (X-TC-Token) are not supported here; sign with a long-term SecretId/SecretKey.',
      zh: 'token 错误：不支持临时密钥（X-TC-Token），请使用长期密钥签名。',
    });
  }
  const key = await findKey(lookup, auth.secretId);

  const payloadHash =
    header(call.headers, 'x-tc-content-sha256')?.trim() === UNSIGNED_PAYLOAD
      ? sha256Hex(UNSIGNED_PAYLOAD)
      : sha256Hex(call.method === 'GET' ? '' : call.body);
  const canonicalQuery = call.method === 'GET' ? call.query : '';

  const values = auth.signedHeaders.map((name) => [name, (header(call.headers, name) ?? '').trim()] as const);
  const hostValue = values.find(([n]) => n === 'host')![1];
  const candidates: string[] = [];
  for (const host of hostVariants(hostValue)) {
    const withHost = values.map(([n, v]) => [n, n === 'host' ? host : v] as const);
    candidates.push(canonicalRequest({ method: call.method, canonicalQuery, headers: withHost, payloadHash }));
    // The current signing document asks hand-written clients to lower-case header values too.
    const lowered = withHost.map(([n, v]) => [n, v.toLowerCase()] as const);
    if (lowered.some(([, v], i) => v !== withHost[i]![1])) {
      candidates.push(canonicalRequest({ method: call.method, canonicalQuery, headers: lowered, payloadHash }));
    }
  }

  let first: { canonical: string; toSign: string } | undefined;
  for (const canonical of candidates) {
    const toSign = stringToSign(timestamp, auth.service, canonical);
    first ??= { canonical, toSign };
    if (auth.date === scopeDate(timestamp) && equalHex(signature(key.secretKey, auth.date, auth.service, toSign), auth.signature)) {
      return key;
    }
  }
  throw new SignatureError(first!.canonical, first!.toSign, key.uin);
}

async function verifyV1(call: Incoming, lookup: KeyLookup, nowMs: number): Promise<KeyRecord> {
  const get = (name: string) => call.v1Pairs.find(([k]) => k === name)?.[1];
  const secretId = get('SecretId');
  const sig = get('Signature');
  if (!sig) throw missing('Signature');
  if (!secretId) throw missing('SecretId');
  const timestamp = parseTimestamp(get('Timestamp'), 'Timestamp');
  const nonce = get('Nonce');
  if (nonce === undefined || nonce === '') throw missing('Nonce');
  if (!/^\d{1,20}$/.test(nonce)) {
    throw new ApiError('InvalidParameter', {
      en: `The value ${JSON.stringify(nonce.slice(0, 32))} of parameter \`Nonce\` is invalid: it must be a positive integer.`,
      zh: `参数 \`Nonce\` 的取值 ${JSON.stringify(nonce.slice(0, 32))} 无效：必须是正整数。`,
    });
  }
  checkSkew(timestamp, nowMs);
  if (get('Token')) {
    throw new ApiError('AuthFailure.TokenFailure', {
      en: 'Token error: temporary credentials (Token) are not supported here; sign with a long-term SecretId/SecretKey.',
      zh: 'token 错误：不支持临时密钥（Token），请使用长期密钥签名。',
    });
  }
  const key = await findKey(lookup, secretId);
  const method = v1MethodOf(get('SignatureMethod'));
  const host = header(call.headers, 'host') ?? '';
  let first: string | undefined;
  for (const h of hostVariants(host)) {
    const toSign = v1StringToSign(call.method, h, call.path, call.v1Pairs);
    first ??= toSign;
    if (equalHex(v1Signature(key.secretKey, toSign, method), sig)) return key;
  }
  throw new SignatureError('', first!, key.uin);
}

/** The SecretId a call names (TC3 credential scope or v1 `SecretId`), without checking anything else. */
export function claimedSecretId(call: Incoming): string | undefined {
  if (call.scheme === 'v1') return call.v1Pairs.find(([k]) => k === 'SecretId')?.[1] || undefined;
  const auth = header(call.headers, 'authorization');
  return auth ? /Credential=([^/\s,]+)/.exec(auth)?.[1] : undefined;
}

/**
 * Identifies the caller by SecretId only (sandbox signature mode `off`, and `soft` after a
 * failed check): the key must exist, nothing is verified.
 */
export async function identify(call: Incoming, lookup: KeyLookup): Promise<KeyRecord> {
  const secretId = claimedSecretId(call);
  if (!secretId) throw missing(call.scheme === 'v1' ? 'SecretId' : 'Authorization');
  return findKey(lookup, secretId);
}
