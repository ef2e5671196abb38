/**
 * The console's API client: signed TC3 calls to the same `/` every SDK uses, paced under the
 * documented 20 requests/second per action, with retry on RequestLimitExceeded and network
 * failures (exponential back-off with jitter, like `tcdeals/client`).
 */
import { signTc3 } from './tc3';

export interface Credentials {
  secretId: string;
  secretKey: string;
}

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export const SERVICES = {
  DescribeAgentDealsByCache: { service: 'partners', version: '2018-03-21', path: '/' },
  DescribeDealsByCond: { service: 'billing', version: '2018-07-09', path: '/' },
  DescribeDealAggregates: { service: 'tcdeals', version: '2026-12-01', path: '/_tcdeals/console/aggregate' },
  DescribeDealRefunds: { service: 'tcdeals', version: '2026-12-01', path: '/_tcdeals/console/refunds' },
} as const;
export type Action = keyof typeof SERVICES;

/** Minimum spacing between calls of one action (20/s documented; a little under it). */
const SPACING_MS = 55;
const last = new Map<string, number>();

async function pace(action: string, signal?: AbortSignal): Promise<void> {
  const now = performance.now();
  const next = Math.max(now, (last.get(action) ?? 0) + SPACING_MS);
  last.set(action, next);
  if (next > now) await sleep(next - now, signal);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException('Aborted', 'AbortError'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DOMException('Aborted', 'AbortError'));
    });
  });
}

export interface CallOptions {
  signal?: AbortSignal;
  lang?: 'zh-CN' | 'en-US';
  retries?: number;
}

/** The server's clock offset (from the Date header of an answer), so a skewed laptop still signs in the ±300 s window. */
let skewMs = 0;

export async function call<T = Record<string, unknown>>(creds: Credentials, action: Action, params: Record<string, unknown>, opts: CallOptions = {}): Promise<T> {
  const def = SERVICES[action];
  const retries = opts.retries ?? 4;
  for (let attempt = 0; ; attempt++) {
    await pace(action, opts.signal);
    const payload = JSON.stringify(params);
    const timestamp = Math.floor((Date.now() + skewMs) / 1000);
    const { authorization } = await signTc3({ ...creds, service: def.service, host: location.host, timestamp, payload });
    let res: Response;
    try {
      res = await fetch(def.path, {
        method: 'POST',
        credentials: 'omit',
        cache: 'no-store',
        signal: opts.signal,
        headers: {
          'Content-Type': 'application/json',
          Authorization: authorization,
          'X-TC-Action': action,
          'X-TC-Version': def.version,
          'X-TC-Timestamp': String(timestamp),
          'X-TC-Region': '',
          'X-TC-Language': opts.lang ?? 'en-US',
        },
        body: payload,
      });
    } catch (err) {
      if (opts.signal?.aborted || attempt >= retries) throw err;
      await sleep(backoff(attempt), opts.signal);
      continue;
    }
    const date = res.headers.get('date');
    if (date) {
      const server = Date.parse(date);
      if (Number.isFinite(server) && Math.abs(server - Date.now()) > 60_000) skewMs = server - Date.now();
    }
    const json = (await res.json()) as { Response: { Error?: { Code: string; Message: string }; RequestId?: string } & Record<string, unknown> };
    const err = json.Response?.Error;
    if (err) {
      if ((err.Code === 'RequestLimitExceeded' || err.Code === 'InternalError') && attempt < retries) {
        await sleep(backoff(attempt), opts.signal);
        continue;
      }
      throw new ApiCallError(err.Code, err.Message, json.Response.RequestId);
    }
    return json.Response as T;
  }
}

function backoff(attempt: number): number {
  const base = Math.min(2000, 200 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}
