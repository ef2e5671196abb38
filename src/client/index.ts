/**
 * `tcdeals/client`: a small client for billing `DescribeDealsByCond` and partners
 * `DescribeAgentDealsByCache`, against Tencent Cloud or a tcdeals server — TC3 signing, per-action
 * pacing, retries with backoff, and page iterators over any time range. No dependency on the
 * official SDK.
 */
export {
  ACTIONS,
  DEFAULT_ENDPOINTS,
  TencentCloudClient,
  type ClientStats,
  type FetchAnswer,
  type FetchInit,
  type FetchLike,
  type Language,
  type ServiceName,
  type TencentCloudClientOptions,
} from './client.js';
export { ClientErrorCode, isNetworkFailure, isRetryable, isRetryableCode, TencentCloudError, type TencentCloudErrorInit } from './errors.js';
export { DEFAULT_MARGIN_MS, DEFAULT_RATE_PER_SECOND, Pacer, type PacerOptions } from './pacer.js';
export { backoffCeiling, backoffDelay, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_CAP_MS } from './backoff.js';
export { signTc3, tc3Headers, type Tc3HeadersInput, type Tc3Signature, type Tc3SignInput } from './signer.js';
export {
  agentDealPages,
  ALL_BILLING_STATUSES,
  billingDealPages,
  type AgentDealFilters,
  type AgentDealPagesOptions,
  type BillingDealPagesOptions,
  type DealPage,
  type PageCursor,
  type PagesClient,
} from './pages.js';
export { splitWindows, type TimeWindow, type WindowKind } from './windows.js';
export type {
  AgentDealNewElem,
  BillingDeal,
  DescribeAgentDealsByCacheRequest,
  DescribeAgentDealsByCacheResponse,
  DescribeDealsByCondRequest,
  DescribeDealsByCondResponse,
} from './types.js';
export { CLIENT_VERSION } from './version.js';
export {
  agentClientPages,
  auditedClientPages,
  payDealPages,
  salesmanPages,
  selfPayDealPages,
  unbindClientPages,
  type ListPage,
  type PartnersPagesClient,
} from './partners-pages.js';
export type * from './partners-types.js';

// The signing primitives, shared with the server's verifier.
export { authorizationHeader, canonicalRequest, scopeDate, sha256Hex, signature, stringToSign, TC3_ALGORITHM } from '../protocol/tc3.js';
export { v1Signature, v1StringToSign } from '../protocol/v1.js';
