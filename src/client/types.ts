/**
 * Request and response shapes of the two actions, as the official SDK models define them. The
 * deal elements are the server's own view types, so client and server cannot drift apart.
 */
import type { AgentDealNewElem, BillingDeal } from '../domain/views.js';

export type { AgentDealNewElem, BillingDeal };

/** billing `DescribeDealsByCond` (2018-07-09). Date-times are `YYYY-MM-DD HH:mm:ss`, Beijing time. */
export interface DescribeDealsByCondRequest {
  /** Inclusive: CreateTime >= StartTime. */
  StartTime: string;
  /** Inclusive: CreateTime <= EndTime. The document suggests a span of at most 3 months. */
  EndTime: string;
  /** 1..1000. */
  Limit: number;
  /** A row offset, or a page index on servers that read it as "第多少页" (default 0). */
  Offset?: number;
  /** A single status; the server's default is 4 (delivered). Replaced by `StatusSet` when that is given. */
  Status?: number;
  OrderId?: string;
  BigDealId?: string;
  ResourceId?: string;
  /** Several statuses (1-13, 30). */
  StatusSet?: number[];
}

export interface DescribeDealsByCondResponse {
  Deals: BillingDeal[];
  TotalCount: number;
  RequestId: string;
}

/** partners `DescribeAgentDealsByCache` (2018-03-21). */
export interface DescribeAgentDealsByCacheRequest {
  /** Row offset. */
  Offset: number;
  /** 1..200. */
  Limit: number;
  /** Inclusive; with `CreatTimeRangeEnd` the span must not exceed 90 days. */
  CreatTimeRangeStart?: string;
  CreatTimeRangeEnd?: string;
  /** 0 (default): newest first; anything else: oldest first. */
  Order?: number;
  Status?: number;
  OwnerUins?: string[];
  DealNames?: string[];
  BigDealIds?: string[];
  /** 0: paid by the client; 1: paid by the agent. */
  PayerMode?: number;
}

export interface DescribeAgentDealsByCacheResponse {
  AgentDealSet: AgentDealNewElem[];
  /** Every match, not just this page. */
  TotalCount: number;
  RequestId: string;
}
