/**
 * partners DescribeAgentPayDealsV2 (2018-03-21): the deals the calling agent paid for its clients
 * (PayerMode 1), from the partners cache with the same `AgentDealNewElem` rendering as
 * DescribeAgentDealsByCache, within the last 15 days of the server clock.
 */
import { DEAL_STATUSES } from '../../domain/deal.js';
import { RawJson } from '../../protocol/envelope.js';
import { defineAction } from '../action.js';
import { recentWindow, requireAgent } from './common.js';

export const describeAgentPayDealsV2 = defineAction({
  service: 'partners',
  name: 'DescribeAgentPayDealsV2',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  dataCodes: ['InvalidParameter'],
  params: {
    Offset: { kind: 'integer', required: true, min: 0, max: Number.MAX_SAFE_INTEGER },
    Limit: { kind: 'integer', required: true, min: 1, max: 100 },
    CreatTimeRangeStart: { kind: 'datetime' },
    CreatTimeRangeEnd: { kind: 'datetime' },
    Order: { kind: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
    Status: { kind: 'integer', oneOf: DEAL_STATUSES },
    OwnerUins: { kind: 'stringList', maxItems: 1000, maxLength: 32 },
    DealNames: { kind: 'stringList', maxItems: 1000, maxLength: 64 },
    BigDealIds: { kind: 'stringList', maxItems: 1000, maxLength: 64 },
  },
  async handle(p, { store, caller, now }) {
    requireAgent(caller, 'DescribeAgentPayDealsV2');
    const window = recentWindow(p.CreatTimeRangeStart, p.CreatTimeRangeEnd, now());
    const { total, bodies } = await store.agentDeals({
      agentUin: caller.uin,
      startTime: window.start,
      endTime: window.end,
      ascending: (p.Order ?? 0) !== 0,
      status: p.Status,
      ownerUins: p.OwnerUins,
      dealNames: p.DealNames,
      bigDealIds: p.BigDealIds,
      payerMode: 1,
      offset: p.Offset,
      limit: p.Limit,
    });
    return { AgentPayDealSet: new RawJson(`[${bodies.join(',')}]`), TotalCount: total };
  },
});
