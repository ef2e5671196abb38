/**
 * partners DescribeAgentRelateBigDealIds (2018-03-21): the big deals related to one. tcdeals
 * relates two big deals of the same client when a deal of each acts on the same resource (its
 * purchase, renewals, changes, moves and refunds), among the deals the agent sees in the partners
 * cache; the requested id is never listed, and an id the agent does not see gives an empty list
 * (docs/partners.md).
 */
import { defineAction } from '../action.js';
import { requireAgent } from './common.js';

export const describeAgentRelateBigDealIds = defineAction({
  service: 'partners',
  name: 'DescribeAgentRelateBigDealIds',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  params: {
    BigDealId: { kind: 'string', required: true, maxLength: 64 },
  },
  async handle(p, { store, caller }) {
    requireAgent(caller, 'DescribeAgentRelateBigDealIds');
    return { BigDealIdList: await store.partners.relatedBigDealIds(caller.uin, p.BigDealId) };
  },
});
