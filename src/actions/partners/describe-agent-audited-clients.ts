/**
 * partners DescribeAgentAuditedClients (2018-03-21): the calling agent's bound (audited) clients,
 * with every filter of the model. `LastMonthAmt` / `ThisMonthAmt` are each client's consumption in
 * the previous and the current Beijing calendar month of the server clock, in fen: the sum of
 * `RealTotalCost` of its delivered deals (status 4) and refunds (status 6, negative), never below
 * 0 (docs/partners.md).
 */
import { CLIENT_TYPES, PROJECT_TYPES } from '../../domain/deal.js';
import { monthWindows, toAuditedClient } from '../../domain/partners.js';
import { defineAction } from '../action.js';
import { ascendingOf, CLIENT_FILTERS, defaultedPage, requireAgent, SALES_FILTERS } from './common.js';

export const describeAgentAuditedClients = defineAction({
  service: 'partners',
  name: 'DescribeAgentAuditedClients',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  params: {
    ...CLIENT_FILTERS,
    ClientUins: { kind: 'stringList', maxItems: 1000, maxLength: 32 },
    HasOverdueBill: { kind: 'integer', oneOf: [0, 1] },
    ClientRemark: { kind: 'string', maxLength: 256 },
    ...defaultedPage(2000),
    ClientType: { kind: 'string', oneOf: ['', ...CLIENT_TYPES] },
    ProjectType: { kind: 'string', oneOf: ['', ...PROJECT_TYPES] },
    ...SALES_FILTERS,
  },
  async handle(p, { store, caller, now }) {
    requireAgent(caller, 'DescribeAgentAuditedClients');
    const { total, rows } = await store.partners.auditedClients({
      agentUin: caller.uin,
      clientUin: p.ClientUin,
      clientUins: p.ClientUins,
      clientName: p.ClientName,
      clientFlag: p.ClientFlag,
      clientRemark: p.ClientRemark,
      clientType: p.ClientType,
      projectType: p.ProjectType,
      salesUin: p.SalesUin,
      salesName: p.SalesName,
      hasOverdueBill: p.HasOverdueBill,
      ascending: ascendingOf(p.OrderDirection),
      offset: p.Offset,
      limit: p.Limit,
    });
    const amounts = await store.partners.monthAmounts(rows.map((r) => r.clientUin), monthWindows(now()));
    return { AgentClientSet: rows.map((r) => toAuditedClient(r, amounts.get(r.clientUin)!)), TotalCount: total };
  },
});
