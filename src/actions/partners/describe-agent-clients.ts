/** partners DescribeAgentClients (2018-03-21): client applications awaiting the calling agent's review. */
import { toAgentClientElem } from '../../domain/partners.js';
import { defineAction } from '../action.js';
import { ascendingOf, CLIENT_FILTERS, defaultedPage, requireAgent, SALES_FILTERS } from './common.js';

export const describeAgentClients = defineAction({
  service: 'partners',
  name: 'DescribeAgentClients',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  params: { ...CLIENT_FILTERS, ...defaultedPage(100), ...SALES_FILTERS },
  async handle(p, { store, caller }) {
    requireAgent(caller, 'DescribeAgentClients');
    const { total, rows } = await store.partners.applications({
      agentUin: caller.uin,
      clientUin: p.ClientUin,
      clientName: p.ClientName,
      clientFlag: p.ClientFlag,
      salesUin: p.SalesUin,
      salesName: p.SalesName,
      ascending: ascendingOf(p.OrderDirection),
      offset: p.Offset,
      limit: p.Limit,
    });
    return { AgentClientSet: rows.map((r) => toAgentClientElem(r.application, r.profile, r.salesName)), TotalCount: total };
  },
});
