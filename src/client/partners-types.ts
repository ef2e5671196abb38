/**
 * Request and response shapes of the partners actions of the reseller's workflow (2018-03-21),
 * as the official SDK model defines them (names, kinds, optional flags).
 */
import type { AgentDealNewElem } from '../domain/views.js';
import type { DescribeAgentDealsByCacheRequest } from './types.js';

export interface DescribeAgentAuditedClientsRequest {
  ClientUin?: string;
  ClientName?: string;
  ClientFlag?: string;
  OrderDirection?: string;
  ClientUins?: string[];
  HasOverdueBill?: number;
  ClientRemark?: string;
  Offset?: number;
  Limit?: number;
  ClientType?: string;
  ProjectType?: string;
  SalesUin?: string;
  SalesName?: string;
}
export interface AgentAuditedClient {
  Uin: string;
  ClientUin: string;
  AgentTime: string;
  ClientFlag: string;
  ClientRemark: string;
  ClientName: string;
  AuthType: string;
  AppId: string;
  LastMonthAmt: number;
  ThisMonthAmt: number;
  HasOverdueBill: number;
  ClientType: string;
  ProjectType: string;
  SalesUin: string;
  SalesName: string;
  Mail: string;
  TransactionType: string;
}
export interface DescribeAgentAuditedClientsResponse {
  AgentClientSet: AgentAuditedClient[];
  TotalCount: number;
  RequestId: string;
}

export interface DescribeAgentClientsRequest {
  ClientUin?: string;
  ClientName?: string;
  ClientFlag?: string;
  OrderDirection?: string;
  Offset?: number;
  Limit?: number;
  SalesUin?: string;
  SalesName?: string;
}
export interface AgentClientElem {
  Uin: string;
  ClientUin: string;
  ApplyTime: number;
  ClientFlag: string;
  Mail: string;
  Phone: string;
  HasOverdueBill: number;
  Status: number;
  SalesUin: string;
  SalesName: string;
  ClientName: string;
  IncreaseGoal: string;
}
export interface DescribeAgentClientsResponse {
  AgentClientSet: AgentClientElem[];
  TotalCount: number;
  RequestId: string;
}

export interface AuditApplyClientRequest {
  ClientUin: string;
  AuditResult: 'accept' | 'reject';
  Note: string;
}
export interface AuditApplyClientResponse {
  Uin: string;
  ClientUin: string;
  AuditResult: string;
  AgentTime: number;
  RequestId: string;
}

export interface DescribeUnbindClientListRequest {
  Status: number;
  Offset: number;
  Limit: number;
  UnbindUin?: string;
  ApplyTimeStart?: string;
  ApplyTimeEnd?: string;
  OrderDirection?: string;
}
export interface UnbindClientElem {
  Uin: string;
  Name: string;
  Status: number;
  ApplyTime: string;
  ActionTime: string;
}
export interface DescribeUnbindClientListResponse {
  TotalCount: number;
  UnbindClientList: UnbindClientElem[];
  RequestId: string;
}

export interface ModifyClientRemarkRequest {
  ClientRemark: string;
  ClientUin: string;
}
export interface ModifyClientRemarkResponse {
  RequestId: string;
}

export interface DescribeSalesmansRequest {
  Offset: number;
  Limit: number;
  SalesName?: string;
  SalesUin?: string;
  OrderDirection?: string;
}
export interface AgentSalesmanElem {
  Uin: string;
  SalesUin: string;
  SalesName: string;
  CreateTime: string;
}
export interface DescribeSalesmansResponse {
  AgentSalesmanSet: AgentSalesmanElem[];
  TotalCount: number;
  RequestId: string;
}

/** DescribeAgentDealsByCache's page and filters without `PayerMode` (`Limit` 1..100; a start within the last 15 days). */
export type DescribeAgentPayDealsV2Request = Omit<DescribeAgentDealsByCacheRequest, 'PayerMode'>;
/** The same for one client, named by `OwnerUin` instead of `OwnerUins`. */
export type DescribeAgentSelfPayDealsV2Request = Omit<DescribeAgentPayDealsV2Request, 'OwnerUins'> & { OwnerUin: string };
/** Both V2 deal actions answer `AgentPayDealSet`. */
export interface DescribeAgentPayDealsV2Response {
  AgentPayDealSet: AgentDealNewElem[];
  TotalCount: number;
  RequestId: string;
}
export type DescribeAgentSelfPayDealsV2Response = DescribeAgentPayDealsV2Response;

export interface DescribeAgentRelateBigDealIdsRequest {
  BigDealId: string;
}
export interface DescribeAgentRelateBigDealIdsResponse {
  BigDealIdList: string[];
  RequestId: string;
}

export interface DescribeAgentDealsPriceDetailByDealNameRequest {
  DealCreatYear: number;
  DealNames: string[];
  OwnerUin?: string;
}
export interface SubProductPriceDetail {
  Name: string;
  DiscountValue: number;
  TotalCost: number;
  RealTotalCost: number;
}
export interface DealPriceDetail {
  DealName: string;
  OwnerUin: string;
  SubProductPriceDetail: SubProductPriceDetail[];
}
export interface DescribeAgentDealsPriceDetailByDealNameResponse {
  DealList: DealPriceDetail[];
  RequestId: string;
}
