/** partners DescribeSalesmans (2018-03-21): the calling agent's salespeople, by creation time. */
import { toSalesmanElem } from '../../domain/partners.js';
import { defineAction } from '../action.js';
import { ascendingOf, DIRECTIONS, requireAgent, requiredPage } from './common.js';

export const describeSalesmans = defineAction({
  service: 'partners',
  name: 'DescribeSalesmans',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  params: {
    ...requiredPage(100),
    SalesName: { kind: 'string', maxLength: 256 },
    SalesUin: { kind: 'string', maxLength: 32 },
    OrderDirection: { kind: 'string', oneOf: DIRECTIONS, ignoreCase: true },
  },
  async handle(p, { store, caller }) {
    requireAgent(caller, 'DescribeSalesmans');
    const { total, rows } = await store.partners.salesmen({
      agentUin: caller.uin,
      salesUin: p.SalesUin,
      salesName: p.SalesName,
      ascending: ascendingOf(p.OrderDirection),
      offset: p.Offset,
      limit: p.Limit,
    });
    return { AgentSalesmanSet: rows.map(toSalesmanElem), TotalCount: total };
  },
});
