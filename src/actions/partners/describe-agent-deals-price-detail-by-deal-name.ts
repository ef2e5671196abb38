/**
 * partners DescribeAgentDealsPriceDetailByDealName (2018-03-21): price components of up to 100 of
 * the agent's clients' prepaid deals created in `DealCreatYear`, from the stored prices (one
 * component a deal: list price, discounted price before vouchers, their ratio). Deals that are not
 * the agent's, of another year or of another `OwnerUin` are left out, as the document's example
 * of an empty `DealList` shows.
 */
import { priceDetailOf } from '../../domain/partners.js';
import { defineAction } from '../action.js';
import { requireAgent } from './common.js';

export const describeAgentDealsPriceDetailByDealName = defineAction({
  service: 'partners',
  name: 'DescribeAgentDealsPriceDetailByDealName',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  params: {
    DealCreatYear: { kind: 'integer', required: true, min: 2000, max: 2100 },
    DealNames: { kind: 'stringList', required: true, minItems: 1, maxItems: 100, maxLength: 64 },
    OwnerUin: { kind: 'string', maxLength: 32 },
  },
  async handle(p, { store, caller }) {
    requireAgent(caller, 'DescribeAgentDealsPriceDetailByDealName');
    const owner = p.OwnerUin === undefined || p.OwnerUin === '' ? undefined : p.OwnerUin;
    const deals = await store.partners.priceDetailDeals(caller.uin, p.DealNames, p.DealCreatYear, owner);
    return { DealList: deals.map(priceDetailOf) };
  },
});
