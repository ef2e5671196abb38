/**
 * TC3-HMAC-SHA256, the API 3.0 signature. Pure functions shared by the server's verifier and
 * the bundled client's signer, so both are checked against the same official test vector.
 */
import { createHash, createHmac } from 'node:crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, msg: string): Buffer {
  return createHmac('sha256', key).update(msg, 'utf8').digest();
}

/** `YYYY-MM-DD` (UTC) of a unix timestamp in seconds: the credential scope's date. */
export function scopeDate(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
}

export interface CanonicalRequestInput {
  readonly method: string;
  /** The query string exactly as sent (without `?`); empty for POST. */
  readonly canonicalQuery: string;
  /** Ordered `[lower-case name, value]` pairs of the signed headers. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Hex SHA-256 of the payload bytes, or of `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  const canonicalHeaders = input.headers.map(([k, v]) => `${k}:${v}\n`).join('');
  const signedHeaders = input.headers.map(([k]) => k).join(';');
  return [input.method.toUpperCase(), '/', input.canonicalQuery, canonicalHeaders, signedHeaders, input.payloadHash].join('\n');
}

export function stringToSign(timestampSeconds: number, service: string, canonical: string): string {
  return [TC3_ALGORITHM, String(timestampSeconds), `${scopeDate(timestampSeconds)}/${service}/tc3_request`, sha256Hex(canonical)].join('\n');
}

export function signingKey(secretKey: string, date: string, service: string): Buffer {
  const kDate = hmac(`TC3${secretKey}`, date);
  const kService = hmac(kDate, service);
  return hmac(kService, 'tc3_request');
}

export function signature(secretKey: string, date: string, service: string, toSign: string): string {
  return createHmac('sha256', signingKey(secretKey, date, service)).update(toSign, 'utf8').digest('hex');
}

export function authorizationHeader(secretId: string, date: string, service: string, signedHeaders: string, sig: string): string {
  return `${TC3_ALGORITHM} Credential=${secretId}/${date}/${service}/tc3_request, SignedHeaders=${signedHeaders}, Signature=${sig}`;
}

export interface ParsedAuthorization {
  readonly secretId: string;
  readonly date: string;
  readonly service: string;
  readonly signedHeaders: string[];
  readonly signature: string;
}

// The service may hold digits and a colon: the Node SDK signs `127` or `localhost:8080`.
const AUTHORIZATION = /^TC3-HMAC-SHA256 Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s]+)\/tc3_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/;

export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const m = AUTHORIZATION.exec(value.trim());
  if (!m) return undefined;
  return { secretId: m[1]!, date: m[2]!, service: m[3]!, signedHeaders: m[4]!.split(';'), signature: m[5]! };
}
