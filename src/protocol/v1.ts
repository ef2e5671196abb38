/**
 * The legacy signature (HmacSHA1 / HmacSHA256): every parameter travels in the query or the
 * form body, and the string to sign is `METHOD + host + path + '?' + sorted raw k=v pairs`.
 */
import { createHmac } from 'node:crypto';

export type V1Method = 'HmacSHA1' | 'HmacSHA256';

/** Plain ASCII sort on names (so `Ids.12` sorts before `Ids.2`), raw (un-encoded) values. */
export function v1StringToSign(method: string, host: string, path: string, params: ReadonlyArray<readonly [string, string]>): string {
  const sorted = params
    .filter(([k]) => k !== 'Signature')
    .slice()
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${method.toUpperCase()}${host}${path}?${sorted.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

export function v1Signature(secretKey: string, toSign: string, method: V1Method): string {
  return createHmac(method === 'HmacSHA256' ? 'sha256' : 'sha1', secretKey).update(toSign, 'utf8').digest('base64');
}

/** Only the exact value `HmacSHA256` selects SHA-256; anything else (or nothing) means SHA-1. */
export function v1MethodOf(value: string | undefined): V1Method {
  return value === 'HmacSHA256' ? 'HmacSHA256' : 'HmacSHA1';
}
