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

/** Partners cache rows per agent, day, status and payer mode (cache-counts.ts). */
export interface AgentCacheCountsTable {
  agent_uin: string;
  day: string;
  status: number;
  payer_mode: number;
  n: number;
}

/** How a client account looks to agents (partners DescribeAgentAuditedClients / DescribeAgentClients). */
export interface ClientProfilesTable {
  client_uin: string;
  client_name: string;
  client_flag: string;
  mail: string;
  phone: string;
  has_overdue_bill: number;
  auth_type: string;
  transaction_type: string;
}

/** An agent's salesperson (DescribeSalesmans); a sales UIN belongs to one agent. */
export interface SalesmenTable {
  sales_uin: string;
  agent_uin: string;
  sales_name: string;
  create_time: string;
}

/** A client's application to an agent: `pending` until AuditApplyClient, then `accepted` or `rejected`. */
export interface ClientApplicationsTable {
  client_uin: string;
  agent_uin: string;
  apply_time: string;
  status: string;
  sales_uin: string;
  client_type: string;
  project_type: string;
  increase_goal: string;
  note: string;
  decided_at: string | null;
}

/** An unbinding application (DescribeUnbindClientList); status as UnbindClientElem.Status. */
export interface UnbindApplicationsTable {
  id: string;
  agent_uin: string;
  client_uin: string;
  status: number;
  apply_time: string;
  action_time: string;
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
  agent_cache_counts: AgentCacheCountsTable;
  meta: MetaTable;
  client_profiles: ClientProfilesTable;
  salesmen: SalesmenTable;
  client_applications: ClientApplicationsTable;
  unbind_applications: UnbindApplicationsTable;
}
