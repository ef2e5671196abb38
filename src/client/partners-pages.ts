/**
 * Page iterators over the partners list actions of the reseller's workflow: each yields every
 * element of a filtered list, one page at a time, until TotalCount is reached (Offset/Limit paging
 * of a list that may change meanwhile: an element may be seen twice or missed, as with any
 * offset paging).
 */
import type { TencentCloudClient } from './client.js';
import type * as P from './partners-types.js';
import type { AgentDealNewElem } from '../domain/views.js';

export type PartnersPagesClient = Pick<
  TencentCloudClient,
  'describeAgentAuditedClients' | 'describeAgentClients' | 'describeSalesmans' | 'describeUnbindClientList' | 'describeAgentPayDealsV2' | 'describeAgentSelfPayDealsV2'
>;

export interface ListPage<T> {
  items: T[];
  offset: number;
  totalCount: number;
}

async function* offsetPages<T>(limit: number, fetch: (offset: number, limit: number) => Promise<{ items: T[]; total: number }>): AsyncGenerator<ListPage<T>, void, undefined> {
  for (let offset = 0; ; ) {
    const { items, total } = await fetch(offset, limit);
    if (items.length > 0) yield { items, offset, totalCount: total };
    offset += items.length;
    if (items.length === 0 || offset >= total) return;
  }
}

type Filters<R> = Omit<R, 'Offset' | 'Limit'>;

export function auditedClientPages(c: PartnersPagesClient, filters: Filters<P.DescribeAgentAuditedClientsRequest> = {}, limit = 2000) {
  return offsetPages<P.AgentAuditedClient>(limit, async (Offset, Limit) => {
    const r = await c.describeAgentAuditedClients({ ...filters, Offset, Limit });
    return { items: r.AgentClientSet, total: r.TotalCount };
  });
}

export function agentClientPages(c: PartnersPagesClient, filters: Filters<P.DescribeAgentClientsRequest> = {}, limit = 100) {
  return offsetPages<P.AgentClientElem>(limit, async (Offset, Limit) => {
    const r = await c.describeAgentClients({ ...filters, Offset, Limit });
    return { items: r.AgentClientSet, total: r.TotalCount };
  });
}

export function salesmanPages(c: PartnersPagesClient, filters: Filters<P.DescribeSalesmansRequest> = {}, limit = 100) {
  return offsetPages<P.AgentSalesmanElem>(limit, async (Offset, Limit) => {
    const r = await c.describeSalesmans({ ...filters, Offset, Limit });
    return { items: r.AgentSalesmanSet, total: r.TotalCount };
  });
}

export function unbindClientPages(c: PartnersPagesClient, filters: Filters<P.DescribeUnbindClientListRequest>, limit = 100) {
  return offsetPages<P.UnbindClientElem>(limit, async (Offset, Limit) => {
    const r = await c.describeUnbindClientList({ ...filters, Offset, Limit });
    return { items: r.UnbindClientList, total: r.TotalCount };
  });
}

export function payDealPages(c: PartnersPagesClient, filters: Filters<P.DescribeAgentPayDealsV2Request> = {}, limit = 100) {
  return offsetPages<AgentDealNewElem>(limit, async (Offset, Limit) => {
    const r = await c.describeAgentPayDealsV2({ ...filters, Offset, Limit });
    return { items: r.AgentPayDealSet, total: r.TotalCount };
  });
}

export function selfPayDealPages(c: PartnersPagesClient, filters: Filters<P.DescribeAgentSelfPayDealsV2Request>, limit = 100) {
  return offsetPages<AgentDealNewElem>(limit, async (Offset, Limit) => {
    const r = await c.describeAgentSelfPayDealsV2({ ...filters, Offset, Limit });
    return { items: r.AgentPayDealSet, total: r.TotalCount };
  });
}
