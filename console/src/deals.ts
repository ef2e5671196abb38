/** The two views of a deal: partners (AgentDealNewElem) and billing (Deal). */
import type { Action } from './api';

export type Deal = Record<string, unknown>;
export type ViewName = 'partners' | 'billing';

export interface ViewDef {
  name: ViewName;
  action: Action;
  listField: string;
  key: string;
  time: string;
  maxLimit: number;
  exportPage: number;
  product: (d: Deal) => string;
  action_: (d: Deal) => string;
  status: (d: Deal) => number;
  cost: (d: Deal) => number;
  owner: (d: Deal) => string | undefined;
  payer: (d: Deal) => number | undefined;
  bigDeal: (d: Deal) => string;
  refundOf: (d: Deal) => string[];
}

export const PARTNERS: ViewDef = {
  name: 'partners',
  action: 'DescribeAgentDealsByCache',
  listField: 'AgentDealSet',
  key: 'DealName',
  time: 'CreatTime',
  maxLimit: 200,
  exportPage: 200,
  product: (d) => String(d.GoodsName ?? ''),
  action_: (d) => String(d.ActionType ?? ''),
  status: (d) => Number(d.Status),
  cost: (d) => Number((d.GoodsPrice as { RealTotalCost?: number } | undefined)?.RealTotalCost ?? 0),
  owner: (d) => String(d.OwnerUin ?? ''),
  payer: (d) => Number(d.PayerMode),
  bigDeal: (d) => String(d.BigDealId ?? ''),
  refundOf: (d) => ((d.RefundMap as Array<{ DealName: string }> | null) ?? []).map((r) => r.DealName),
};

export const BILLING: ViewDef = {
  name: 'billing',
  action: 'DescribeDealsByCond',
  listField: 'Deals',
  key: 'OrderId',
  time: 'CreateTime',
  maxLimit: 1000,
  exportPage: 100,
  product: (d) => String(d.ProductName ?? d.ProductCode ?? ''),
  action_: (d) => String(d.Action ?? ''),
  status: (d) => Number(d.Status),
  cost: (d) => Number(d.RealTotalCost ?? 0),
  owner: () => undefined,
  payer: () => undefined,
  bigDeal: (d) => String(d.BigDealId ?? ''),
  refundOf: () => [],
};

/** Sync's CSV columns (src/sync/sinks/csv.ts), in the same order. */
export const PARTNERS_COLUMNS = [
  'DealName', 'DealId', 'BigDealId', 'OwnerUin', 'AppId', 'CreatTime', 'UpdateTime', 'PayEndTime', 'OverdueTime',
  'Status', 'DealStatus', 'ActionType', 'GoodsCategoryId', 'GoodsName', 'SubGoodsName', 'GoodsNum', 'GoodsPrice',
  'VoucherDecline', 'PaymentMethod', 'PayerMode', 'Payer', 'Creater', 'BillId', 'ActivityId', 'ClientType',
  'ProjectType', 'SalesUin', 'ClientRemark', 'ProductInfo', 'ResourceIds', 'RefundMap',
];
export const BILLING_COLUMNS = [
  'OrderId', 'BigDealId', 'CreateTime', 'Status', 'Action', 'Payer', 'Creator', 'RealTotalCost', 'VoucherDecline',
  'TotalCost', 'Price', 'Policy', 'Currency', 'TimeSpan', 'TimeUnit', 'PayMode', 'ProjectId', 'GoodsCategoryId',
  'ProductCode', 'SubProductCode', 'ProductName', 'SubProductName', 'ProductInfo', 'ResourceId', 'ZoneCode', 'Formula',
  'RefReturnDeals',
];

export function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(view: ViewName, deal: Deal): string {
  const cols = view === 'partners' ? PARTNERS_COLUMNS : BILLING_COLUMNS;
  return cols.map((c) => csvField(Object.hasOwn(deal, c) ? deal[c] : undefined)).join(',');
}

export function csvHeader(view: ViewName): string {
  return (view === 'partners' ? PARTNERS_COLUMNS : BILLING_COLUMNS).join(',');
}
