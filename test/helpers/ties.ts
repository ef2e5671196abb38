/**
 * Deals that share one CreateTime, added on top of the shared fixture for the ordering tests.
 *
 * The fixture's own "every 10th deal shares its timestamp with the previous one" rule does not
 * produce any tie (neighbouring deals differ in month), so the tie-break needs deals of its own.
 * They are inserted out of DealName order on purpose, and their statuses, payer modes and owners
 * run against DealName order: neither storage order nor any index's (status, payer mode or owner
 * first) order agrees with the descending or the ascending answer, so only a real `DealName`
 * tie-break passes.
 */
import type { DealRecord } from '../../src/domain/deal.js';
import type { DemoDataset } from '../../src/domain/demo-seed.js';
import { CLIENT_1, CLIENT_2, CLIENT_3, deal, fixtureDataset, fixtureDeals } from './fixture.js';

export const TIE_TIME = '2025-06-15 12:00:00';
/** A resource every tie deal carries: a ResourceId query then starts from the resource index. */
export const TIE_RESOURCE = 'ins-tie';

export function tieDeals(): DealRecord[] {
  const tie = (deal_name: string, owner_uin: string, status = 4, payer_mode = 0) =>
    deal({ deal_name, owner_uin, create_time: TIE_TIME, status, payer_mode, resource_ids: JSON.stringify([TIE_RESOURCE, `ins-${deal_name.slice(-4)}`]) });
  return [
    tie('20250615000000090031', CLIENT_1.uin),
    tie('20250615000000090011', CLIENT_1.uin),
    tie('20250615000000090021', CLIENT_1.uin),
    tie('20250615000000090071', CLIENT_1.uin, 1, 1),
    tie('20250615000000090001', CLIENT_1.uin, 6, 1),
    tie('20250615000000090051', CLIENT_2.uin),
    tie('20250615000000090041', CLIENT_2.uin),
    tie('20250615000000090081', CLIENT_2.uin, 1, 1),
    tie('20250615000000090061', CLIENT_3.uin),
  ];
}

/** The fixture deals plus the ties: what the server holds and what the oracles read. */
export function dealsWithTies(): DealRecord[] {
  return [...fixtureDeals(), ...tieDeals()];
}

export function datasetWithTies(): DemoDataset {
  return { ...fixtureDataset(), deals: dealsWithTies() };
}
