/**
 * Signs one API 3.0 request with TC3-HMAC-SHA256, on the same primitives the server verifies with.
 * Signed headers are `content-type;host`, as every official SDK signs them.
 */
import { authorizationHeader, canonicalRequest, scopeDate, sha256Hex, signature, stringToSign } from '../protocol/tc3.js';

export interface Tc3SignInput {
  secretId: string;
  secretKey: string;
  /** Credential-scope service: the product name (`billing`, `partners`, `cvm`…). */
  service: string;
  /** The `Host` header as sent, with the port when there is one (as the Python and Go SDKs sign it). */
  host: string;
  /** Unix seconds, also sent as `X-TC-Timestamp`. */
  timestamp: number;
  /** The exact body bytes. */
  payload: string | Buffer;
  /** Default `POST`. */
  method?: 'POST' | 'GET';
  /** Default `application/json`. */
  contentType?: string;
  /** For GET: the query string exactly as sent, without `?`. */
  canonicalQuery?: string;
}

export interface Tc3Signature {
  /** The `Authorization` header value. */
  authorization: string;
  signature: string;
  /** `YYYY-MM-DD`, the UTC date of the timestamp. */
  date: string;
  signedHeaders: string;
  canonicalRequest: string;
  stringToSign: string;
}

export function signTc3(input: Tc3SignInput): Tc3Signature {
  const method = input.method ?? 'POST';
  const headers = [
    ['content-type', input.contentType ?? 'application/json'],
    ['host', input.host],
  ] as const;
  const canonical = canonicalRequest({
    method,
    canonicalQuery: input.canonicalQuery ?? '',
    headers,
    payloadHash: sha256Hex(input.payload),
  });
  const date = scopeDate(input.timestamp);
  const toSign = stringToSign(input.timestamp, input.service, canonical);
  const sig = signature(input.secretKey, date, input.service, toSign);
  const signedHeaders = headers.map(([k]) => k).join(';');
  return {
    authorization: authorizationHeader(input.secretId, date, input.service, signedHeaders, sig),
    signature: sig,
    date,
    signedHeaders,
    canonicalRequest: canonical,
    stringToSign: toSign,
  };
}

export interface Tc3HeadersInput extends Tc3SignInput {
  action: string;
  version: string;
  /** Sent as `X-TC-Region` when non-empty. */
  region?: string;
  /** Sent as `X-TC-Language` when set. */
  language?: string;
}

/**
 * Every header of a signed API 3.0 request, ready to send with any HTTP client (curl, `requests`,
 * fetch): Authorization, Content-Type, Host, X-TC-Action, X-TC-Version, X-TC-Timestamp.
 */
export function tc3Headers(input: Tc3HeadersInput): Record<string, string> {
  const signed = signTc3(input);
  return {
    Authorization: signed.authorization,
    'Content-Type': input.contentType ?? 'application/json',
    Host: input.host,
    'X-TC-Action': input.action,
    'X-TC-Version': input.version,
    'X-TC-Timestamp': String(input.timestamp),
    ...(input.region ? { 'X-TC-Region': input.region } : {}),
    ...(input.language ? { 'X-TC-Language': input.language } : {}),
  };
}
