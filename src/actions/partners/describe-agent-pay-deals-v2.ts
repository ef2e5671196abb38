/**
 * partners DescribeAgentPayDealsV2 (2018-03-21): the deals the calling agent paid for its clients
 * (PayerMode 1), from the partners cache with the same `AgentDealNewElem` rendering as
 * DescribeAgentDealsByCache, within the last 15 days of the server clock.
 */
import { RawJson } from '../../protocol/envelope.js';
import { defineAction } from '../action.js';
import { DEAL_KEYS, DEAL_RANGE, dealFilters, requiredPage, OWNER_UINS, recentWindow, requireAgent } from './common.js';

export const describeAgentPayDealsV2 = defineAction({
  service: 'partners',
  name: 'DescribeAgentPayDealsV2',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  dataCodes: ['InvalidParameter'],
  params: { ...requiredPage(100), ...DEAL_RANGE, ...OWNER_UINS, ...DEAL_KEYS },
  async handle(p, { store, caller, now }) {
    requireAgent(caller, 'DescribeAgentPayDealsV2');
    const window = recentWindow(p.CreatTimeRangeStart, p.CreatTimeRangeEnd, now());
    const { total, bodies } = await store.agentDeals({ ...dealFilters(p), agentUin: caller.uin, startTime: window.start, endTime: window.end, ownerUins: p.OwnerUins, payerMode: 1 });
    return { AgentPayDealSet: new RawJson(`[${bodies.join(',')}]`), TotalCount: total };
  },
});
