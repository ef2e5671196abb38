/** Shared by the admin suites: a server with the admin API on, and API calls whose signature the test knows. */
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { canonicalRequest, scopeDate, sha256Hex, signature, stringToSign, authorizationHeader } from '../../src/protocol/tc3.js';
import { v1Signature, v1StringToSign } from '../../src/protocol/v1.js';
import { send, type ApiAnswer, type Key } from '../helpers/call.js';
import { adminClient, type AdminCall } from '../helpers/admin.js';
import { startServer, type TestServer, type TestServerOptions } from '../helpers/server.js';

export const TOKEN = 'test-admin-token-0123456789';

export interface AdminServer extends TestServer {
  sandbox: Sandbox;
  admin: AdminCall;
}

export async function startAdminServer(options: TestServerOptions = {}): Promise<AdminServer> {
  const sandbox = options.sandbox ?? new Sandbox();
  const server = await startServer({ adminToken: TOKEN, ...options, sandbox });
  return Object.assign(server, { sandbox, admin: adminClient(server.url, TOKEN) });
}

export const PARTNERS = { action: 'DescribeAgentDealsByCache', version: '2018-03-21', service: 'partners' } as const;
export const BILLING = { action: 'DescribeDealsByCond', version: '2018-07-09', service: 'billing' } as const;

export interface Signed {
  answer: ApiAnswer;
  /** The signature value sent (hex for TC3, base64 for v1). */
  signature: string;
  stringToSign: string;
}

/** A TC3 POST, signed like the Python/Go SDKs (service from the action, host with port). */
export async function tc3Call(
  url: string,
  api: { action: string; version: string; service: string },
  key: Key,
  body: Record<string, unknown>,
  o: { timestamp?: number; tamper?: boolean } = {},
): Promise<Signed> {
  const host = new URL(url).host;
  const payload = JSON.stringify(body);
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const canonical = canonicalRequest({ method: 'POST', canonicalQuery: '', headers: [['content-type', 'application/json'], ['host', host]], payloadHash: sha256Hex(payload) });
  const date = scopeDate(timestamp);
  const toSign = stringToSign(timestamp, api.service, canonical);
  let sig = signature(key.SecretKey, date, api.service, toSign);
  if (o.tamper) sig = `${sig.slice(0, -4)}${sig.endsWith('0000') ? '1111' : '0000'}`;
  const answer = await send(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-TC-Action': api.action,
      'X-TC-Version': api.version,
      'X-TC-Timestamp': String(timestamp),
      Authorization: authorizationHeader(key.SecretId, date, api.service, 'content-type;host', sig),
    },
    body: payload,
  });
  return { answer, signature: sig, stringToSign: toSign };
}

/** A legacy v1 form POST (HmacSHA256): SecretId and Signature travel as parameters. */
export async function v1Call(url: string, api: { action: string; version: string }, key: Key, params: Record<string, string>): Promise<Signed> {
  const host = new URL(url).host;
  const pairs: Array<[string, string]> = [
    ...Object.entries(params),
    ['Action', api.action],
    ['Nonce', '4242'],
    ['Timestamp', String(Math.floor(Date.now() / 1000))],
    ['Version', api.version],
    ['SecretId', key.SecretId],
    ['SignatureMethod', 'HmacSHA256'],
  ];
  const toSign = v1StringToSign('POST', host, '/', pairs);
  const sig = v1Signature(key.SecretKey, toSign, 'HmacSHA256');
  pairs.push(['Signature', sig]);
  const body = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const answer = await send(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
  return { answer, signature: sig, stringToSign: toSign };
}

/** An answer without its RequestId, for comparing two answers to the same question. */
export function stable(a: ApiAnswer): unknown {
  const { RequestId: _, ...rest } = a.json.Response;
  return rest;
}
