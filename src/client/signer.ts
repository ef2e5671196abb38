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
