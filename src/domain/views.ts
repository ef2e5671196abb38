/**
 * The two projections of one deal. JSON kinds follow the official SDK models exactly: the
 * billing `Deal` mixes integers and floats, the partners `AgentDealNewElem` is mostly strings
 * (`"Status": "6"`), with integer fen inside `GoodsPrice` and `RefundMap`.
 */
import { STATUS_LABELS, type DealRecord, type DealStatus, type NameValue, type RefundLink } from './deal.js';
import { applyVerbatim } from './verbatim.js';

/** The agent-client relation a deal is seen through in the partners view. */
export interface ClientRelation {
  client_type: string;
  project_type: string;
  sales_uin: string;
  client_remark: string;
}

export interface BillingDeal {
  OrderId: string;
  Status: number;
  Payer: string;
  CreateTime: string;
  Creator: string;
  RealTotalCost: number;
  VoucherDecline: number;
  ProjectId: number;
  GoodsCategoryId: number;
  ProductInfo: NameValue[];
  TimeSpan: number;
  TimeUnit: string;
  Currency: string;
  Policy: number;
  Price: number;
  TotalCost: number;
  ProductCode: string;
  SubProductCode: string;
  BigDealId: string;
  Formula: string;
  RefReturnDeals: string;
  PayMode: string;
  Action: string;
  ProductName: string;
  SubProductName: string;
  ResourceId: string[] | null;
  ZoneCode?: string;
}

export interface AgentDealNewElem {
  DealId: string;
  DealName: string;
  GoodsCategoryId: string;
  OwnerUin: string;
  AppId: string;
  GoodsNum: string;
  GoodsPrice: { RealTotalCost: number; OriginalTotalCost: number };
  Creater: string;
  CreatTime: string;
  PayEndTime: string;
  BillId: string;
  Payer: string;
  DealStatus: string;
  Status: string;
  GoodsName: string;
  ClientRemark: string;
  ActionType: string;
  VoucherDecline: string;
  BigDealId: string;
  ClientType: string;
  ProjectType: string;
  SalesUin: string;
  PayerMode: string;
  ActivityId: string;
  OverdueTime: string;
  ProductInfo: NameValue[];
  PaymentMethod: string;
  UpdateTime: string;
  ResourceIds: string[];
  RefundMap: RefundLink[];
  SubGoodsName: string;
}

export function statusLabel(status: number): string {
  return STATUS_LABELS[status as DealStatus] ?? '未知';
}

/**
 * `withResourceIds` is false when the query's Limit exceeds 200: the SDK model documents
 * `ResourceId` as null then.
 */
export function toBillingDeal(d: DealRecord, withResourceIds: boolean): BillingDeal {
  const deal: BillingDeal = {
    OrderId: d.deal_name,
    Status: d.status,
    Payer: d.payer,
    CreateTime: d.create_time,
    Creator: d.creator,
    RealTotalCost: d.real_total_cost,
    VoucherDecline: d.voucher_decline,
    ProjectId: d.project_id,
    GoodsCategoryId: d.goods_category_id,
    ProductInfo: JSON.parse(d.product_info) as NameValue[],
    TimeSpan: d.time_span,
    TimeUnit: d.time_unit,
    Currency: d.currency,
    Policy: d.policy,
    Price: d.price,
    TotalCost: d.total_cost,
    ProductCode: d.product_code,
    SubProductCode: d.sub_product_code,
    BigDealId: d.big_deal_id,
    Formula: d.formula,
    RefReturnDeals: d.ref_return_deals,
    PayMode: d.pay_mode,
    Action: d.action_type,
    ProductName: d.goods_name,
    SubProductName: d.sub_goods_name,
    ResourceId: withResourceIds ? (JSON.parse(d.resource_ids) as string[]) : null,
  };
  if (d.zone_code !== null) deal.ZoneCode = d.zone_code;
  return deal;
}

/**
 * The deal's own relation snapshot wins; the current binding fills what the deal lacks. Fields an
 * import gave verbatim (verbatim.ts) replace their rendering.
 */
export function toAgentDeal(d: DealRecord, binding: ClientRelation): AgentDealNewElem {
  const element: AgentDealNewElem = {
    DealId: d.deal_id,
    DealName: d.deal_name,
    GoodsCategoryId: String(d.goods_category_id),
    OwnerUin: d.owner_uin,
    AppId: d.app_id,
    GoodsNum: String(d.goods_num),
    GoodsPrice: { RealTotalCost: d.real_total_cost, OriginalTotalCost: d.original_total_cost },
    Creater: d.creator,
    CreatTime: d.create_time,
    PayEndTime: d.pay_end_time,
    BillId: d.bill_id,
    Payer: d.payer,
    DealStatus: statusLabel(d.status),
    Status: String(d.status),
    GoodsName: d.goods_name,
    ClientRemark: d.client_remark ?? binding.client_remark,
    ActionType: d.action_type,
    VoucherDecline: String(d.voucher_decline),
    BigDealId: d.big_deal_id,
    ClientType: d.client_type ?? binding.client_type,
    ProjectType: d.project_type ?? binding.project_type,
    SalesUin: d.sales_uin ?? binding.sales_uin,
    PayerMode: String(d.payer_mode),
    ActivityId: d.activity_id,
    OverdueTime: d.overdue_time,
    ProductInfo: JSON.parse(d.product_info) as NameValue[],
    PaymentMethod: d.payment_method,
    UpdateTime: d.update_time,
    ResourceIds: JSON.parse(d.resource_ids) as string[],
    RefundMap: JSON.parse(d.refund_map) as RefundLink[],
    SubGoodsName: d.sub_goods_name,
  };
  return applyVerbatim(element, d.verbatim);
}

/** Billing-only fields carried beside the partners shape in imports and exports. */
export type BillingExtras = Pick<
  BillingDeal,
  'PayMode' | 'ProductCode' | 'SubProductCode' | 'TimeSpan' | 'TimeUnit' | 'Currency' | 'Policy' | 'Price' | 'TotalCost' | 'Formula' | 'RefReturnDeals' | 'ProjectId' | 'ZoneCode'
>;

/**
 * The interchange shape of `tcdeals deals import` (and of exports): the partners element plus
 * the billing-only fields, so a deal survives a round trip through a file unchanged.
 */
export function toExportDeal(d: DealRecord, binding: ClientRelation): AgentDealNewElem & BillingExtras {
  const extras: BillingExtras = {
    PayMode: d.pay_mode,
    ProductCode: d.product_code,
    SubProductCode: d.sub_product_code,
    TimeSpan: d.time_span,
    TimeUnit: d.time_unit,
    Currency: d.currency,
    Policy: d.policy,
    Price: d.price,
    TotalCost: d.total_cost,
    Formula: d.formula,
    RefReturnDeals: d.ref_return_deals,
    ProjectId: d.project_id,
  };
  if (d.zone_code !== null) extras.ZoneCode = d.zone_code;
  // Object.assign, not a spread into a new literal: the same keys in the same order, ten times faster
  // (V8 builds a 44-property literal from two spreads slowly), which exports of millions of deals feel.
  return Object.assign(toAgentDeal(d, binding), extras);
}
