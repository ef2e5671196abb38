/**
 * Hand-signed calls for tests that need control the official SDK does not give: tampered bodies,
 * stale timestamps, legacy v1 forms, odd headers. Signing uses the project's own TC3/v1 code,
 * itself checked against the official vectors.
 */
import assert from 'node:assert/strict';
import { canonicalRequest, scopeDate, sha256Hex, signature, stringToSign, authorizationHeader } from '../../src/protocol/tc3.js';
import { v1Signature, v1StringToSign, type V1Method } from '../../src/protocol/v1.js';

export interface Key {
  SecretId: string;
  SecretKey: string;
}

export interface Tc3Options {
  action: string;
  version: string;
  body?: string | Record<string, unknown>;
  key: Key;
  /** Scope service; defaults to the first label of the host (as the Node SDK does). */
  service?: string;
  timestamp?: number;
  /** Host to sign (default `127.0.0.1:PORT` as sent). */
  signedHost?: string;
  headers?: Record<string, string>;
  /** Sign this body but send `sendBody` instead (tampering). */
  sendBody?: string;
  contentType?: string;
  language?: string;
  method?: 'POST' | 'GET';
  query?: string;
}

export interface ApiAnswer {
  status: number;
  contentType: string | null;
  headers: Headers;
  raw: string;
  json: { Response: Record<string, any> };
}

export async function tc3(url: string, o: Tc3Options): Promise<ApiAnswer> {
  const host = new URL(url).host;
  const method = o.method ?? 'POST';
  const body = method === 'GET' ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body ?? {});
  const contentType = o.contentType ?? (method === 'GET' ? 'application/x-www-form-urlencoded' : 'application/json');
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const signedHost = o.signedHost ?? host;
  const service = o.service ?? signedHost.split('.')[0]!;
  const canonical = canonicalRequest({
    method,
    canonicalQuery: method === 'GET' ? (o.query ?? '') : '',
    headers: [['content-type', contentType], ['host', signedHost]],
    payloadHash: sha256Hex(body),
  });
  const date = scopeDate(timestamp);
  const sig = signature(o.key.SecretKey, date, service, stringToSign(timestamp, service, canonical));
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    Host: host,
    'X-TC-Action': o.action,
    'X-TC-Version': o.version,
    'X-TC-Timestamp': String(timestamp),
    Authorization: authorizationHeader(o.key.SecretId, date, service, 'content-type;host', sig),
    ...(o.language ? { 'X-TC-Language': o.language } : {}),
    ...o.headers,
  };
  const target = method === 'GET' ? `${url}?${o.query ?? ''}` : url;
  return send(target, { method, headers, body: method === 'GET' ? undefined : (o.sendBody ?? body) });
}

export interface V1Options {
  action: string;
  version: string;
  params: Record<string, string>;
  key: Key;
  method?: 'POST' | 'GET';
  signatureMethod?: V1Method;
  timestamp?: number;
  /** Host as signed (default: the URL's host with port, as the Node SDK signs it). */
  signedHost?: string;
}

/** Node's querystring-style encoding: RFC 3986 with `%20` for spaces. */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export async function v1(url: string, o: V1Options): Promise<ApiAnswer> {
  const method = o.method ?? 'POST';
  const host = new URL(url).host;
  const pairs: Array<[string, string]> = [
    ...Object.entries(o.params),
    ['Action', o.action],
    ['Nonce', '12345'],
    ['Timestamp', String(o.timestamp ?? Math.floor(Date.now() / 1000))],
    ['Version', o.version],
    ['SecretId', o.key.SecretId],
    ['SignatureMethod', o.signatureMethod ?? 'HmacSHA256'],
  ];
  const toSign = v1StringToSign(method, o.signedHost ?? host, '/', pairs);
  pairs.push(['Signature', v1Signature(o.key.SecretKey, toSign, o.signatureMethod ?? 'HmacSHA256')]);
  const encoded = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  if (method === 'GET') return send(`${url}?${encoded}`, { method: 'GET', headers: {} });
  return send(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: encoded });
}

export async function send(url: string, init: { method: string; headers: Record<string, string>; body?: string | Buffer }): Promise<ApiAnswer> {
  const res = await fetch(url, { method: init.method, headers: init.headers, body: init.body });
  const raw = await res.text();
  let json: ApiAnswer['json'];
  try {
    json = JSON.parse(raw);
  } catch {
    json = { Response: { __unparsed: raw } };
  }
  return { status: res.status, contentType: res.headers.get('content-type'), headers: res.headers, raw, json };
}

export function errorCode(a: ApiAnswer): string | undefined {
  return a.json.Response.Error?.Code;
}

/** The answer's `Response`, after asserting it is not an error. */
export function okResponse<T = Record<string, any>>(a: ApiAnswer): T {
  assert.equal(a.json.Response.Error, undefined, `unexpected error: ${a.raw}`);
  return a.json.Response as T;
}

/** Asserts an error answer with `code` whose message mentions each of `mentions`; returns the message. */
export function expectError(a: ApiAnswer, code: string, ...mentions: string[]): string {
  assert.equal(errorCode(a), code, a.raw);
  const message: string = a.json.Response.Error.Message;
  for (const m of mentions) assert.ok(message.includes(m), `message ${JSON.stringify(message)} should mention ${JSON.stringify(m)}`);
  assert.ok(a.json.Response.RequestId, 'errors carry a RequestId');
  return message;
}
