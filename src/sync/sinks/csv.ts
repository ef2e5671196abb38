/**
 * CSV for spreadsheets and finance tools: one column per field in the SDK model's order, the
 * deal's key first; nested values (`GoodsPrice`, `ProductInfo`, `RefundMap`, …) as JSON text.
 */
import { LineFileSink } from './line-file.js';

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

const CLIENT_COLUMNS = [
  'ClientUin', 'Uin', 'ClientName', 'ClientFlag', 'ClientRemark', 'AgentTime', 'AppId', 'AuthType', 'ClientType', 'ProjectType',
  'SalesUin', 'SalesName', 'HasOverdueBill', 'LastMonthAmt', 'ThisMonthAmt', 'Mail', 'TransactionType',
];

export function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export class CsvSink extends LineFileSink {
  private get columns(): string[] {
    return this.service === 'billing' ? BILLING_COLUMNS : this.service === 'partners-clients' ? CLIENT_COLUMNS : PARTNERS_COLUMNS;
  }

  protected header(): string {
    return this.columns.join(',');
  }

  protected formatLine(deal: Record<string, unknown>): string {
    return this.columns.map((c) => csvField(Object.hasOwn(deal, c) ? deal[c] : undefined)).join(',');
  }

  /** The key column is first and never needs quoting (order numbers are digits). */
  protected keyOfLine(line: string): string {
    const comma = line.indexOf(',');
    return comma < 0 ? line : line.slice(0, comma);
  }
}
