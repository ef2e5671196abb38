/** partners DescribeAgentClients (2018-03-21): client applications awaiting the calling agent's review. */
import { CLIENT_FLAGS, toAgentClientElem } from '../../domain/partners.js';
import { defineAction } from '../action.js';
import { DIRECTIONS, requireAgent } from './common.js';

export const describeAgentClients = defineAction({
  service: 'partners',
  name: 'DescribeAgentClients',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  params: {
    ClientUin: { kind: 'string', maxLength: 32 },
    ClientName: { kind: 'string', maxLength: 256 },
    ClientFlag: { kind: 'string', oneOf: ['', ...CLIENT_FLAGS] },
    OrderDirection: { kind: 'string', oneOf: DIRECTIONS, ignoreCase: true },
    Offset: { kind: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 },
    Limit: { kind: 'integer', min: 1, max: 100, default: 20 },
    SalesUin: { kind: 'string', maxLength: 32 },
    SalesName: { kind: 'string', maxLength: 256 },
  },
  async handle(p, { store, caller }) {
    requireAgent(caller, 'DescribeAgentClients');
    const { total, rows } = await store.partners.applications({
      agentUin: caller.uin,
      clientUin: p.ClientUin,
      clientName: p.ClientName,
      clientFlag: p.ClientFlag,
      salesUin: p.SalesUin,
      salesName: p.SalesName,
      ascending: (p.OrderDirection ?? 'DESC') === 'ASC',
      offset: p.Offset,
      limit: p.Limit,
    });
    return { AgentClientSet: rows.map((r) => toAgentClientElem(r.application, r.profile, r.salesName)), TotalCount: total };
  },
});
