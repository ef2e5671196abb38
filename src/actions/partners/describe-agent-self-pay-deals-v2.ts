/**
 * partners DescribeAgentSelfPayDealsV2 (2018-03-21): one client's self-paid deals (PayerMode 0),
 * from the partners cache with the same `AgentDealNewElem` rendering as DescribeAgentDealsByCache,
 * within the last 15 days of the server clock. `OwnerUin` must be one of the caller's clients.
 */
import { RawJson } from '../../protocol/envelope.js';
import { defineAction } from '../action.js';
import { DEAL_KEYS, DEAL_RANGE, dealFilters, requiredPage, notYourClient, recentWindow, requireAgent } from './common.js';

export const describeAgentSelfPayDealsV2 = defineAction({
  service: 'partners',
  name: 'DescribeAgentSelfPayDealsV2',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  dataCodes: ['InvalidParameter'],
  params: {
    OwnerUin: { kind: 'string', required: true, format: 'uin' },
    ...requiredPage(100),
    ...DEAL_RANGE,
    ...DEAL_KEYS,
  },
  async handle(p, { store, caller, now }) {
    requireAgent(caller, 'DescribeAgentSelfPayDealsV2');
    if (!(await store.partners.isClientOf(caller.uin, p.OwnerUin))) throw notYourClient('OwnerUin', p.OwnerUin, caller.uin);
    const window = recentWindow(p.CreatTimeRangeStart, p.CreatTimeRangeEnd, now());
    const { total, bodies } = await store.agentDeals({ ...dealFilters(p), agentUin: caller.uin, startTime: window.start, endTime: window.end, ownerUins: [p.OwnerUin], payerMode: 0 });
    return { AgentPayDealSet: new RawJson(`[${bodies.join(',')}]`), TotalCount: total };
  },
});
