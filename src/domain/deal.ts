/**
 * The one order ("deal") record both views are projected from. Field names follow the storage
 * columns; money is in fen (0.01 CNY) and refunds carry negative amounts; date-times are Beijing
 * time `YYYY-MM-DD HH:mm:ss`. `deal_name` is the unique key (the docs warn not to rely on DealId).
 */

/** Statuses 1-12 from the seeds, plus 13 (refunding) and 30 (awaiting confirmation) of the current SDK models. */
export const DEAL_STATUSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

/** `DealStatus`: the Chinese label of each status, as the partners view shows it. */
export const STATUS_LABELS: Readonly<Record<DealStatus, string>> = {
  1: '未支付',
  2: '已支付',
  3: '发货中',
  4: '已发货',
  5: '发货失败',
  6: '已退款',
  7: '已关单',
  8: '订单过期',
  9: '订单已失效',
  10: '产品已失效',
  11: '代付拒绝',
  12: '支付中',
  13: '退款中',
  30: '处理中',
};

/** Every `ActionType` the SDK models list (partners), a superset of billing's `Action` list. */
export const ACTION_TYPES = [
  'purchase', 'renew', 'upgrade', 'upConvertExpire', 'downgrade', 'downConvertExpire', 'refund',
  'modifyNetworkMode', 'modifyNetworkSize', 'preMoveOut', 'preMoveIn', 'preToPost', 'modify',
  'postMoveOut', 'postMoveIn', 'recoverRefundForward', 'recoverPayReserve', 'recoverPayForward',
  'recoverRefundReserve',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const PAY_MODES = ['prePay', 'postPay', 'riPay'] as const;
export const CLIENT_TYPES = ['new', 'old', 'assign', 'direct', 'direct_newopp'] as const;
export const PROJECT_TYPES = ['self', 'repeat', 'platform'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];
export type ProjectType = (typeof PROJECT_TYPES)[number];

export interface NameValue {
  Name: string;
  Value: string;
}

export interface RefundLink {
  DealName: string;
  RefundAmount: number;
}

export interface DealRecord {
  deal_name: string;
  deal_id: string;
  big_deal_id: string;
  owner_uin: string;
  app_id: string;
  creator: string;
  payer: string;
  /** 0 self-pay, 1 paid by the agent. */
  payer_mode: number;
  status: number;
  action_type: string;
  goods_category_id: number;
  goods_name: string;
  sub_goods_name: string;
  goods_num: number;
  real_total_cost: number;
  original_total_cost: number;
  voucher_decline: number;
  /** JSON array of {Name, Value}. */
  product_info: string;
  payment_method: string;
  /** JSON array of strings. */
  resource_ids: string;
  /** JSON array of {DealName, RefundAmount}; empty for non-refunds. */
  refund_map: string;
  bill_id: string;
  activity_id: string;
  create_time: string;
  update_time: string;
  pay_end_time: string;
  overdue_time: string;
  /** Snapshot of the client relation as imported; null means "take it from the current binding". */
  client_type: string | null;
  project_type: string | null;
  sales_uin: string | null;
  client_remark: string | null;
  // Billing-only fields.
  pay_mode: string;
  product_code: string;
  sub_product_code: string;
  time_span: number;
  time_unit: string;
  currency: string;
  policy: number;
  price: number;
  total_cost: number;
  formula: string;
  ref_return_deals: string;
  project_id: number;
  zone_code: string | null;
  /** Partners fields an import gave in a form the columns above do not render (see verbatim.ts); null: none. */
  verbatim: string | null;
}

/**
 * `TimeSpan`/`TimeUnit` from a partners `PaymentMethod` such as `按月:3个月` or `按年:1年`
 * (full-width or ASCII colon). Unknown shapes fall back to one month.
 */
export function timeSpanOf(paymentMethod: string): { span: number; unit: string } {
  const unit = paymentMethod.startsWith('按年') ? 'y' : paymentMethod.startsWith('按日') || paymentMethod.startsWith('按天') ? 'd' : paymentMethod.startsWith('按小时') ? 'h' : 'm';
  const m = /[:：]\s*(\d+(?:\.\d+)?)/.exec(paymentMethod);
  return { span: m ? Number(m[1]) : 1, unit };
}

/** The inverse, used when a billing-style record has no `PaymentMethod`. */
export function paymentMethodOf(span: number, unit: string): string {
  switch (unit) {
    case 'y':
      return `按年:${span}年`;
    case 'd':
      return `按日:${span}天`;
    case 'h':
      return `按小时:${span}小时`;
    default:
      return `按月:${span}个月`;
  }
}
