/** Shared by the console suites: signed calls to the API and to the console's aggregate endpoints, paging helpers. */
import { tc3, okResponse, type ApiAnswer, type Key } from '../helpers/call.js';

export const AGGREGATE = { action: 'DescribeDealAggregates', version: '2026-12-01', service: 'tcdeals', path: '_tcdeals/console/aggregate' } as const;
export const REFUNDS = { action: 'DescribeDealRefunds', version: '2026-12-01', service: 'tcdeals', path: '_tcdeals/console/refunds' } as const;
export const PARTNERS = { action: 'DescribeAgentDealsByCache', version: '2018-03-21', service: 'partners', path: '' } as const;
export const BILLING = { action: 'DescribeDealsByCond', version: '2018-07-09', service: 'billing', path: '' } as const;

type Api = typeof AGGREGATE | typeof REFUNDS | typeof PARTNERS | typeof BILLING;

/** A signed call (`url` ends with "/"), tried again while the rate limit says so (the browser shares the caller's limit). */
export async function signed(url: string, api: Api, key: Key, body: Record<string, unknown>, language?: string): Promise<ApiAnswer> {
  for (let i = 0; ; i++) {
    const a = await tc3(`${url}${api.path}`, { action: api.action, version: api.version, service: api.service, key, body, ...(language ? { language } : {}) });
    if (a.json.Response.Error?.Code !== 'RequestLimitExceeded' || i > 20) return a;
    await new Promise((r) => setTimeout(r, 120));
  }
}

export async function ok<T = Record<string, any>>(url: string, api: Api, key: Key, body: Record<string, unknown>): Promise<T> {
  return okResponse<T>(await signed(url, api, key, body));
}

/** Every deal of a query, page by page, as the API returns them. */
export async function allDeals(url: string, api: typeof PARTNERS | typeof BILLING, key: Key, params: Record<string, unknown>): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  const limit = api === PARTNERS ? 200 : 100;
  for (let offset = 0; ; offset += limit) {
    const r = await ok(url, api, key, { ...params, Offset: offset, Limit: limit });
    const rows = (api === PARTNERS ? r.AgentDealSet : r.Deals) as Array<Record<string, any>>;
    out.push(...rows);
    if (rows.length < limit) return out;
  }
}
