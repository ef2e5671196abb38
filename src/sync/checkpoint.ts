/** Where a sync stands, so a killed sync continues exactly where it stopped. */
/**
 * What a sync mirrors: partners deals (DescribeAgentDealsByCache), billing deals, the agent's
 * audited clients (`partners-clients`, keyed by ClientUin) or the deals it paid
 * (`partners-pay-deals`, DescribeAgentPayDealsV2: the last 15 days).
 */
export type SyncService = 'partners' | 'billing' | 'partners-clients' | 'partners-pay-deals';

export interface PagePosition {
  window: number;
  offset: number;
}

export interface Checkpoint {
  service: SyncService;
  /** The range of the run the checkpoint belongs to (Beijing time, inclusive). */
  from: string;
  to: string;
  /** The next page to fetch, or null once the run is complete. */
  next: PagePosition | null;
  /** Deals written by this run so far. */
  written: number;
  /** File sinks: the data file's length when this checkpoint was taken. */
  bytes?: number;
  /** The `to` of the last completed run, the anchor of incremental runs. */
  completedTo?: string;
}

/** The unique key of a deal in each service's answers. */
export function dealKey(service: SyncService, deal: Record<string, unknown>): string {
  if (service === 'partners-clients') return String(deal.ClientUin);
  return String(service === 'billing' ? deal.OrderId : deal.DealName);
}

export function dealTime(service: SyncService, deal: Record<string, unknown>): string {
  if (service === 'partners-clients') return String(deal.AgentTime);
  return String(service === 'billing' ? deal.CreateTime : deal.CreatTime);
}
