/**
 * tcdeals: a self-hostable, wire-compatible implementation of Tencent Cloud's order-query APIs.
 * The public surface is small on purpose: start a server over a store, and the types around it.
 */
export { createServer, frontOf, type ServerOptions } from './server.js';
export { LocalCa, resolveCaDir } from './tls/ca.js';
export type { ProxyOptions, TlsListenOptions } from './tls/front.js';
export { Store } from './store/store.js';
export { seedDemoIfEmpty, applyDataset, demoKeys } from './store/seed.js';
export { buildDemoDataset, DEMO_AGENT, DEMO_CLIENT } from './domain/demo-seed.js';
export { ApiError, ERROR_CODES, type ErrorCode } from './protocol/errors.js';
export type { ActionSettings } from './actions/action.js';
export type { BillingDeal, AgentDealNewElem } from './domain/views.js';
export type { DealRecord } from './domain/deal.js';
