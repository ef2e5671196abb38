/**
 * Partners fields kept exactly as an import gave them. An import promises the answer the API
 * gave, but a few fields of real exported data cannot be rebuilt from the typed columns they
 * share with billing: the `DealStatus` text of the other vintage (status 7 is 已关单 in one
 * document and 已取消 in the other), a numeric field sent as `""` or with leading zeros, a list
 * sent as `null`. Those values are stored beside the deal (`DealRecord.verbatim`, a JSON object
 * of field → value, null when there are none) and win over the typed rendering in the partners
 * view. A change to the column a field comes from (a lifecycle verb changing the status) makes
 * its kept text stale, and it is dropped.
 */
import type { DealRecord } from './deal.js';

/** The partners fields that can be kept verbatim, and the column each one is rendered from. */
export const VERBATIM_SOURCES = {
  GoodsCategoryId: 'goods_category_id',
  GoodsNum: 'goods_num',
  VoucherDecline: 'voucher_decline',
  PayerMode: 'payer_mode',
  Status: 'status',
  DealStatus: 'status',
  ProductInfo: 'product_info',
  ResourceIds: 'resource_ids',
  RefundMap: 'refund_map',
} as const satisfies Record<string, keyof DealRecord>;

export type VerbatimField = keyof typeof VERBATIM_SOURCES;
export type VerbatimValues = Partial<Record<VerbatimField, unknown>>;

/** The stored form: null when nothing differs (the common case, which costs nothing to render). */
export function encodeVerbatim(values: VerbatimValues): string | null {
  for (const _ in values) return JSON.stringify(values);
  return null;
}

/** Overwrites the element's fields with the kept ones, in place (keys keep their order). */
export function applyVerbatim<T extends object>(element: T, verbatim: string | null): T {
  if (verbatim === null) return element;
  const values = JSON.parse(verbatim) as Record<string, unknown>;
  for (const field of Object.keys(values)) {
    if (Object.hasOwn(VERBATIM_SOURCES, field)) (element as Record<string, unknown>)[field] = values[field];
  }
  return element;
}

/** `after.verbatim` without the fields whose source column differs between `before` and `after`. */
export function keptVerbatim(before: DealRecord, after: DealRecord): string | null {
  if (after.verbatim === null) return null;
  const values = JSON.parse(after.verbatim) as Record<string, unknown>;
  for (const field of Object.keys(values)) {
    const column = VERBATIM_SOURCES[field as VerbatimField];
    if (column === undefined || before[column] !== after[column]) delete values[field];
  }
  return encodeVerbatim(values);
}
