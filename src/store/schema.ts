/** Table shapes for the query layer (Kysely). Booleans are integers so SQLite and PostgreSQL agree. */
import type { DealRecord } from '../domain/deal.js';

export interface AccountsTable {
  uin: string;
  app_id: string;
  is_agent: number;
  created_at: string;
}

export interface ApiKeysTable {
  secret_id: string;
  secret_key: string;
  uin: string;
  created_at: string;
}

/** A client account bound to one agent (reseller). */
export interface AgentClientsTable {
  client_uin: string;
  agent_uin: string;
  client_type: string;
  project_type: string;
  sales_uin: string;
  client_remark: string;
  bound_at: string;
}

export interface DealResourcesTable {
  resource_id: string;
  deal_name: string;
}

/**
 * The partners agent-deal cache: one row per prepaid deal of a bound client, denormalized with
 * the filter columns and the already-rendered `AgentDealNewElem` JSON, indexed in both orders.
 */
export interface AgentDealCacheTable {
  deal_name: string;
  agent_uin: string;
  owner_uin: string;
  create_time: string;
  status: number;
  payer_mode: number;
  big_deal_id: string;
  body: string;
  /** Rank within the agent, oldest first; null until positions are recomputed (agent-positions.ts). */
  pos?: number | null;
}

/** Whether an agent's cache positions can be trusted, and its row count when they were computed. */
export interface AgentCacheOrderTable {
  agent_uin: string;
  valid: number;
  total: number;
}

/** A deal (`kind` deal, key DealName) or a client (`kind` client, key UIN) whose cache rows are due for refresh. */
export interface AgentCachePendingTable {
  kind: 'deal' | 'client';
  key: string;
  changed_at: number;
}

/** How many deals an owner has per status and day ("YYYY-MM-DD" of create_time); kept by triggers (deal-counts.ts). */
export interface DealCountsTable {
  owner_uin: string;
  status: number;
  day: string;
  n: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  agent_clients: AgentClientsTable;
  deals: DealRecord;
  deal_resources: DealResourcesTable;
  agent_deal_cache: AgentDealCacheTable;
  agent_cache_pending: AgentCachePendingTable;
  agent_cache_order: AgentCacheOrderTable;
  deal_counts: DealCountsTable;
  meta: MetaTable;
}
