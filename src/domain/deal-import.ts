/**
 * Deal import: turns exported deals into DealRecords. The input is NDJSON (one object a line) or
 * a JSON array, of either view's shape:
 * - a partners `AgentDealNewElem` exactly as DescribeAgentDealsByCache returns it, optionally
 *   carrying the billing-only `Deal` fields (the interchange shape of tcdeals' own exports);
 * - a billing `Deal` exactly as DescribeDealsByCond returns it (told apart by `OrderId` without
 *   `DealName`); its owner is the account that called billing, given as the import's `owner`.
 *
 * Lossless: what an import is given comes back from the view it came from byte for byte. Every
 * field given is kept as given — a field is derived only when it is absent — and the partners
 * texts the typed columns cannot rebuild (`DealStatus` of either vintage, `""` for a number, a
 * list sent as `null`) are kept verbatim (verbatim.ts). The rules below check only what the
 * store relies on: identity, owner, time, status, amounts, and the kinds of the SDK models.
 *
 * Nothing here throws on a bad record: every problem is reported with where it was found, so the
 * operator can fix the whole file in one pass and the caller can refuse the import as a whole.
 */
import { DATETIME_FORMAT, DAY_MS, formatDateTime, parseDateTime } from '../protocol/datetime.js';
import { describeValue } from '../protocol/params.js';
import { defaultAppId } from './account.js';
import { DEAL_STATUSES, paymentMethodOf, timeSpanOf, type DealRecord, type NameValue, type RefundLink } from './deal.js';
import { NameSet } from './name-set.js';
import type { ImportProblem } from './problems.js';
import { encodeVerbatim, type VerbatimValues } from './verbatim.js';
import { statusLabel, type AgentDealNewElem, type BillingDeal } from './views.js';

export type { ImportProblem };

export interface ParsedImport {
  records: DealRecord[];
  problems: ImportProblem[];
  /** Sorted, unique names of fields that were not recognised (nested ones as `GoodsPrice.X`, `ProductInfo[].X`). */
  ignoredFields: string[];
}

export interface ImportOptions {
  /**
   * The owner of billing-shaped deals (a billing `Deal` has no `OwnerUin`: billing answers with the
   * caller's own deals). A billing record may also carry `OwnerUin` itself.
   */
  owner?: string;
}

/** Every partners field; the type check below fails to compile if the view gains one we do not read. */
const PARTNER_FIELDS = [
  'DealId', 'DealName', 'GoodsCategoryId', 'OwnerUin', 'AppId', 'GoodsNum', 'GoodsPrice', 'Creater',
  'CreatTime', 'PayEndTime', 'BillId', 'Payer', 'DealStatus', 'Status', 'GoodsName', 'ClientRemark',
  'ActionType', 'VoucherDecline', 'BigDealId', 'ClientType', 'ProjectType', 'SalesUin', 'PayerMode',
  'ActivityId', 'OverdueTime', 'ProductInfo', 'PaymentMethod', 'UpdateTime', 'ResourceIds', 'RefundMap',
  'SubGoodsName',
] as const satisfies readonly (keyof AgentDealNewElem)[];
type UnreadPartnerField = Exclude<keyof AgentDealNewElem, (typeof PARTNER_FIELDS)[number]>;
const allPartnerFieldsRead: [UnreadPartnerField] extends [never] ? true : UnreadPartnerField = true;
void allPartnerFieldsRead;

/** The billing-only fields a partners-shaped record may carry (the interchange shape). */
const BILLING_EXTRA_FIELDS = [
  'PayMode', 'ProductCode', 'SubProductCode', 'TimeSpan', 'TimeUnit', 'Currency', 'Policy', 'Price',
  'TotalCost', 'Formula', 'RefReturnDeals', 'ProjectId', 'ZoneCode',
] as const satisfies readonly (keyof BillingDeal)[];

/** Every billing `Deal` field; the check below fails to compile if the view gains one we do not read. */
const BILLING_DEAL_FIELDS = [
  'OrderId', 'Status', 'Payer', 'CreateTime', 'Creator', 'RealTotalCost', 'VoucherDecline', 'ProjectId',
  'GoodsCategoryId', 'ProductInfo', 'TimeSpan', 'TimeUnit', 'Currency', 'Policy', 'Price', 'TotalCost',
  'ProductCode', 'SubProductCode', 'BigDealId', 'Formula', 'RefReturnDeals', 'PayMode', 'Action',
  'ProductName', 'SubProductName', 'ResourceId', 'ZoneCode',
] as const satisfies readonly (keyof BillingDeal)[];
type UnreadBillingField = Exclude<keyof BillingDeal, (typeof BILLING_DEAL_FIELDS)[number]>;
const allBillingFieldsRead: [UnreadBillingField] extends [never] ? true : UnreadBillingField = true;
void allBillingFieldsRead;

// Sets, not object maps: a `__proto__` or `constructor` key must not look "known".
const KNOWN_PARTNERS: ReadonlySet<string> = new Set<string>([...PARTNER_FIELDS, ...BILLING_EXTRA_FIELDS]);
const KNOWN_BILLING: ReadonlySet<string> = new Set<string>([...BILLING_DEAL_FIELDS, 'OwnerUin']);
const GOODS_PRICE_FIELDS: ReadonlySet<string> = new Set(['RealTotalCost', 'OriginalTotalCost']);
const NAME_VALUE_FIELDS: ReadonlySet<string> = new Set(['Name', 'Value']);
const REFUND_FIELDS: ReadonlySet<string> = new Set(['DealName', 'RefundAmount']);

const DEAL_NAME_MAX = 64;
const UIN = /^\d{1,20}$/;
const DIGITS = /^\d{1,15}$/; // 15 digits always fit a safe integer
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const DATETIME_RULE = `is not a valid date-time (${DATETIME_FORMAT})`;
/** What the real service writes for a time that has not happened (not paid, no expiry). */
const ZERO_DATETIME = '0000-00-00 00:00:00';
/** Statuses of a deal that was paid, for PayEndTime of billing-shaped records. */
const PAID_STATUSES: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 13, 30]);

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rounds to cents symmetrically (so -0.125 and 0.125 mirror) and never yields -0. */
function round2(x: number): number {
  const r = Math.round((Math.abs(x) + Number.EPSILON) * 100) / 100;
  return (x < 0 ? -r : r) + 0;
}

/**
 * Reads the fields of one object, recording a reason for each bad one and returning a fallback so
 * the remaining fields are still checked. Callers discard the result when any reason was recorded.
 */
class FieldReader {
  constructor(
    private readonly obj: JsonObject,
    private readonly reasons: string[],
    private readonly prefix = '',
  ) {}

  /** Own properties only, so an inherited `constructor` or a `__proto__` key never passes for a field. */
  get(name: string): unknown {
    return Object.hasOwn(this.obj, name) ? this.obj[name] : undefined;
  }

  bad(name: string, value: unknown, rule: string): void {
    this.reasons.push(`${this.prefix}${name}: ${describeValue(value)} ${rule}`);
  }

  missing(name: string): void {
    this.reasons.push(`${this.prefix}${name}: missing, but it is required`);
  }

  /** The value of a required field, or undefined after recording that it is missing. */
  required(name: string): unknown {
    const v = this.get(name);
    if (v === undefined) this.missing(name);
    return v;
  }

  /** A string field; `fallback` (a value, or how to derive one) when absent. */
  string(name: string, fallback: string | (() => string)): string {
    const v = this.get(name);
    // Derived only when needed: most records carry every field, and some derivations cost.
    if (v === undefined) return typeof fallback === 'string' ? fallback : fallback();
    if (typeof v !== 'string') {
      this.bad(name, v, 'is not a string');
      return '';
    }
    return v;
  }

  requiredString(name: string): string | undefined {
    const v = this.required(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.bad(name, v, 'is not a string');
      return undefined;
    }
    return v;
  }

  /** Fields whose record column is nullable: absent or JSON null both store null. */
  nullableString(name: string): string | null {
    const v = this.get(name);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') {
      this.bad(name, v, 'is not a string');
      return null;
    }
    return v;
  }

  /**
   * The partners view sends counts and ids as strings of digits, the billing view as integers;
   * both are accepted. Undefined when absent or bad (bad is recorded). With `kept`, a string
   * the number would not render back to (`""`, leading zeros) is accepted and kept there verbatim.
   */
  digitsInt(name: string, min = 0, max = Number.MAX_SAFE_INTEGER, kept?: VerbatimValues): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (v === '' && kept) {
      kept[name as keyof VerbatimValues] = v;
      return undefined;
    }
    let n: number | undefined;
    if (typeof v === 'string' && DIGITS.test(v)) n = Number(v);
    else if (typeof v === 'number' && Number.isSafeInteger(v)) n = v;
    if (n === undefined) {
      this.bad(name, v, `is not an integer (a string of digits${kept ? ', ""' : ''} or a JSON integer)`);
      return undefined;
    }
    if (n < min || n > max) {
      this.bad(name, v, max === Number.MAX_SAFE_INTEGER ? `must be ≥ ${min}` : `must be between ${min} and ${max}`);
      return undefined;
    }
    if (kept && typeof v === 'string' && v !== String(n)) kept[name as keyof VerbatimValues] = v;
    return n;
  }

  /** Money in fen: a JSON integer, as the wire has it (negative for refunds). */
  integer(name: string): number {
    const v = this.required(name);
    if (v === undefined) return 0;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      this.bad(name, v, 'is not an integer (a JSON number without a fraction)');
      return 0;
    }
    return v;
  }

  /** Billing floats (Go `*float64`): a JSON number or a numeric string. */
  float(name: string, ok: (n: number) => boolean = Number.isFinite, rule = 'is not a number'): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    let n: number | undefined;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && DECIMAL.test(v)) n = Number(v);
    if (n === undefined || !Number.isFinite(n)) {
      this.bad(name, v, 'is not a number (a JSON number or a numeric string)');
      return undefined;
    }
    if (!ok(n)) {
      this.bad(name, v, rule);
      return undefined;
    }
    return n;
  }

  /** A date-time, "" or 0000-00-00 00:00:00 (not yet paid, no expiry), kept as given. */
  dateTimeOrEmpty(name: string, fallback: string): string {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || (v !== '' && v !== ZERO_DATETIME && parseDateTime(v) === undefined)) {
      this.bad(name, v, `${DATETIME_RULE}, "" or "${ZERO_DATETIME}"`);
      return fallback;
    }
    return v;
  }

  /** A required, valid date-time. */
  dateTime(name: string): string | undefined {
    const v = this.requiredString(name);
    if (v !== undefined && parseDateTime(v) === undefined) {
      this.bad(name, v, DATETIME_RULE);
      return undefined;
    }
    return v;
  }

  /** A known status (1-13, 30), as a string of digits or a JSON integer. */
  status(kept?: VerbatimValues): number | undefined {
    const raw = this.required('Status');
    if (raw === undefined) return undefined;
    const n = typeof raw === 'string' && DIGITS.test(raw) ? Number(raw) : raw;
    if (typeof n === 'number' && (DEAL_STATUSES as readonly number[]).includes(n)) {
      if (kept && typeof raw === 'string' && raw !== String(n)) kept.Status = raw;
      return n;
    }
    this.bad('Status', raw, 'is not a known status (1-13, 30)');
    return undefined;
  }

  /** A DealName-like key: a non-empty string of at most 64 characters. */
  key(name: string): string | undefined {
    const v = this.requiredString(name);
    if (v !== undefined && (v === '' || v.length > DEAL_NAME_MAX)) {
      this.bad(name, v, `must be a non-empty string of at most ${DEAL_NAME_MAX} characters`);
      return undefined;
    }
    return v;
  }

  /** A UIN: 1-20 digits as a string, or a JSON integer small enough to be exact. */
  uin(name: string, raw: unknown): string | undefined {
    if (typeof raw === 'string' && UIN.test(raw)) return raw;
    if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return String(raw);
    if (typeof raw === 'number' && Number.isInteger(raw) && !Number.isSafeInteger(raw)) {
      // Precision is already lost at JSON.parse; only the string form can carry such a UIN.
      this.bad(name, raw, 'is too large for a JSON integer; send a UIN this long as a string');
    } else if (raw !== undefined) this.bad(name, raw, 'is not a UIN (1-20 digits, as a string or an integer)');
    return undefined;
  }

  /** Own keys this reader does not know, reported as `<label>.<key>`. */
  unknownKeys(known: ReadonlySet<string>, ignored: Set<string>, label?: string): void {
    for (const key of Object.keys(this.obj)) {
      if (!known.has(key)) ignored.add(label === undefined ? key : `${label}.${key}`);
    }
  }

  /**
   * An optional list, each element through `item`; absent means []. With `kept`, a JSON null is
   * accepted for the partners view (kept verbatim there) and stored as [].
   */
  list<T>(name: string, shape: string, item: (value: unknown, path: string) => T | undefined, kept?: VerbatimValues): T[] {
    const v = this.get(name);
    if (v === undefined) return [];
    if (v === null && kept) {
      kept[name as keyof VerbatimValues] = null;
      return [];
    }
    if (!Array.isArray(v)) {
      this.bad(name, v, `is not an array of ${shape}`);
      return [];
    }
    const out: T[] = [];
    v.forEach((element: unknown, i) => {
      const got = item(element, `${name}[${i}]`);
      if (got !== undefined) out.push(got);
    });
    return out;
  }

  productInfo(name: string, ignored: Set<string>, kept?: VerbatimValues): NameValue[] {
    return this.list<NameValue>(
      name,
      '{Name, Value}',
      (v, path) => {
        if (!isObject(v)) {
          this.bad(path, v, 'is not an object {Name, Value}');
          return undefined;
        }
        const e = new FieldReader(v, this.reasons, `${path}.`);
        e.unknownKeys(NAME_VALUE_FIELDS, ignored, `${name}[]`);
        const Name = e.requiredString('Name');
        const Value = e.requiredString('Value');
        return Name !== undefined && Value !== undefined ? { Name, Value } : undefined;
      },
      kept,
    );
  }

  strings(name: string, kept?: VerbatimValues): string[] {
    return this.list<string>(
      name,
      'strings',
      (v, path) => {
        if (typeof v === 'string') return v;
        this.bad(path, v, 'is not a string');
        return undefined;
      },
      kept,
    );
  }
}

interface Decoded {
  record?: DealRecord;
  /** The DealName when it alone is valid, so duplicates are found even among bad records. */
  dealName?: string;
  reasons: string[];
}

/** The formula of a refund without one: how much it gave back. */
function refundFormula(actionType: string, realTotalCost: number): string {
  return actionType === 'refund' ? `退款:${(Math.abs(realTotalCost) / 100).toFixed(2)}元` : '';
}

/** Unit price per period and item; a zero span (e.g. `按月:0个月`) must not produce Infinity. */
function unitPrice(totalCost: number, timeSpan: number, goodsNum: number): number {
  const perUnit = timeSpan * Math.max(goodsNum, 1);
  return perUnit > 0 ? round2(totalCost / perUnit) : 0;
}

function dealIdOf(dealName: string): string {
  // The docs warn DealId is not a key; a long numeric DealName ends in a plausible one.
  return /\d{9}$/.exec(dealName)?.[0] ?? '';
}

/** A partners `AgentDealNewElem` (with optional billing-only fields). */
function decodePartners(input: JsonObject, ignored: Set<string>): Decoded {
  const reasons: string[] = [];
  const r = new FieldReader(input, reasons);
  r.unknownKeys(KNOWN_PARTNERS, ignored);
  const kept: VerbatimValues = {};

  // Required identity, owner, time, status and money.
  const dealName = r.key('DealName');
  const owner = r.uin('OwnerUin', r.required('OwnerUin'));
  const createTime = r.dateTime('CreatTime');
  const status = r.status(kept);

  let realTotalCost = 0;
  let originalTotalCost = 0;
  const priceRaw = r.required('GoodsPrice');
  if (priceRaw !== undefined) {
    if (isObject(priceRaw)) {
      const p = new FieldReader(priceRaw, reasons, 'GoodsPrice.');
      p.unknownKeys(GOODS_PRICE_FIELDS, ignored, 'GoodsPrice');
      realTotalCost = p.integer('RealTotalCost');
      originalTotalCost = p.integer('OriginalTotalCost');
    } else {
      r.bad('GoodsPrice', priceRaw, 'is not an object {RealTotalCost, OriginalTotalCost}');
    }
  }

  const dealStatus = r.get('DealStatus');
  if (dealStatus !== undefined) {
    if (typeof dealStatus !== 'string') r.bad('DealStatus', dealStatus, 'is not a string');
    // The label of the other document's vintage (7: 已关单 / 已取消), or any text the service wrote.
    else if (status !== undefined && dealStatus !== statusLabel(status)) kept.DealStatus = dealStatus;
  }

  // Partners fields with defaults. Fallbacks for a bad owner/name only keep the checks going.
  const ownerOr = owner ?? '';
  const nameOr = dealName ?? '';
  const goodsCategoryId = r.digitsInt('GoodsCategoryId', 0, Number.MAX_SAFE_INTEGER, kept) ?? 0;
  const goodsNum = r.digitsInt('GoodsNum', 0, Number.MAX_SAFE_INTEGER, kept) ?? 1;
  const payerMode = r.digitsInt('PayerMode', 0, 1, kept) ?? 0;
  const voucherDecline = r.digitsInt('VoucherDecline', 0, Number.MAX_SAFE_INTEGER, kept) ?? 0;
  const projectId = r.digitsInt('ProjectId') ?? 0;
  const actionType = r.string('ActionType', 'purchase');

  const timeSpanIn = r.float('TimeSpan', (n) => n > 0, 'must be a number > 0');
  const timeUnitIn = r.get('TimeUnit') === undefined ? undefined : r.string('TimeUnit', 'm');
  // A billing-style record may lack PaymentMethod; rebuild it from its TimeSpan/TimeUnit then.
  const paymentMethod = r.string('PaymentMethod', () =>
    timeSpanIn !== undefined || timeUnitIn !== undefined ? paymentMethodOf(timeSpanIn ?? 1, timeUnitIn ?? 'm') : '按月:1个月',
  );
  const fromMethod = timeSpanOf(paymentMethod);

  const productInfo = r.productInfo('ProductInfo', ignored, kept);
  const resourceIds = r.strings('ResourceIds', kept);
  const refundMap = r.list<RefundLink>(
    'RefundMap',
    '{DealName, RefundAmount}',
    (v, path) => {
      if (!isObject(v)) {
        r.bad(path, v, 'is not an object {DealName, RefundAmount}');
        return undefined;
      }
      const e = new FieldReader(v, reasons, `${path}.`);
      e.unknownKeys(REFUND_FIELDS, ignored, 'RefundMap[]');
      const DealName = e.requiredString('DealName');
      const RefundAmount = e.integer('RefundAmount');
      return DealName !== undefined ? { DealName, RefundAmount } : undefined;
    },
    kept,
  );

  const createOr = createTime ?? '';
  const totalCost = r.float('TotalCost') ?? originalTotalCost;
  const timeSpan = timeSpanIn ?? fromMethod.span;
  const record: DealRecord = {
    deal_name: nameOr,
    deal_id: r.string('DealId', () => dealIdOf(nameOr)),
    big_deal_id: r.string('BigDealId', nameOr),
    owner_uin: ownerOr,
    app_id: r.string('AppId', () => (owner !== undefined ? defaultAppId(owner) : '')),
    creator: r.string('Creater', ownerOr),
    payer: r.string('Payer', ownerOr),
    payer_mode: payerMode,
    status: status ?? 0,
    action_type: actionType,
    goods_category_id: goodsCategoryId,
    goods_name: r.string('GoodsName', ''),
    sub_goods_name: r.string('SubGoodsName', ''),
    goods_num: goodsNum,
    real_total_cost: realTotalCost,
    original_total_cost: originalTotalCost,
    voucher_decline: voucherDecline,
    product_info: JSON.stringify(productInfo),
    payment_method: paymentMethod,
    resource_ids: JSON.stringify(resourceIds),
    refund_map: JSON.stringify(refundMap),
    bill_id: r.string('BillId', nameOr),
    activity_id: r.string('ActivityId', '0'),
    create_time: createOr,
    update_time: r.dateTimeOrEmpty('UpdateTime', createOr),
    pay_end_time: r.dateTimeOrEmpty('PayEndTime', ''),
    overdue_time: r.dateTimeOrEmpty('OverdueTime', ''),
    // Absent relation fields stay null: the partners view then shows the current binding's.
    client_type: r.nullableString('ClientType'),
    project_type: r.nullableString('ProjectType'),
    sales_uin: r.nullableString('SalesUin'),
    client_remark: r.nullableString('ClientRemark'),
    pay_mode: r.string('PayMode', 'prePay'),
    product_code: r.string('ProductCode', () => `p_${goodsCategoryId}`),
    sub_product_code: r.string('SubProductCode', () => `sp_${goodsCategoryId}`),
    time_span: timeSpan,
    time_unit: timeUnitIn ?? fromMethod.unit,
    currency: r.string('Currency', 'CNY'),
    policy: r.float('Policy', (n) => n >= 0, 'must be ≥ 0') ?? 100,
    price: r.float('Price') ?? unitPrice(totalCost, timeSpan, goodsNum),
    total_cost: totalCost,
    formula: r.string('Formula', () => refundFormula(actionType, realTotalCost)),
    ref_return_deals: r.string('RefReturnDeals', () => refundMap.map((m) => m.DealName).join(',')),
    project_id: projectId,
    zone_code: r.nullableString('ZoneCode'),
    verbatim: encodeVerbatim(kept),
  };
  return reasons.length === 0 ? { record, dealName, reasons } : { dealName, reasons };
}

/** A billing `Deal`, owned by `options.owner` unless it carries `OwnerUin`. */
function decodeBilling(input: JsonObject, ignored: Set<string>, options: ImportOptions): Decoded {
  const reasons: string[] = [];
  const r = new FieldReader(input, reasons);
  r.unknownKeys(KNOWN_BILLING, ignored);

  const dealName = r.key('OrderId');
  let owner: string | undefined;
  if (r.get('OwnerUin') !== undefined) owner = r.uin('OwnerUin', r.get('OwnerUin'));
  else if (options.owner !== undefined) owner = options.owner;
  else reasons.push('OwnerUin: a billing Deal (OrderId, no DealName) does not name its owner; import billing deals with an owner (`--owner UIN`, or `?owner=UIN` on the admin API)');
  const createTime = r.dateTime('CreateTime');
  const status = r.status();
  const realTotalCost = r.integer('RealTotalCost');

  const ownerOr = owner ?? '';
  const nameOr = dealName ?? '';
  const createOr = createTime ?? '';
  const goodsCategoryId = r.digitsInt('GoodsCategoryId') ?? 0;
  const voucherDecline = r.digitsInt('VoucherDecline') ?? 0;
  const actionType = r.string('Action', 'purchase');
  const timeSpan = r.float('TimeSpan', (n) => n > 0, 'must be a number > 0') ?? 1;
  const timeUnit = r.string('TimeUnit', 'm');
  const totalCost = r.float('TotalCost') ?? realTotalCost;
  const price = r.float('Price');
  // The partners view's count: how many units the total paid for, when price and span tell.
  const units = price !== undefined && price > 0 ? totalCost / (price * timeSpan) : NaN;
  const goodsNum = Number.isFinite(units) && units >= 1 && Math.abs(units - Math.round(units)) < 1e-6 ? Math.round(units) : 1;
  const payer = r.string('Payer', ownerOr);
  const refReturnDeals = r.string('RefReturnDeals', '');
  const linked = refReturnDeals.split(/[,;\s]+/).filter((s) => s !== '');
  const refundMap: RefundLink[] = actionType === 'refund' && linked.length === 1 ? [{ DealName: linked[0]!, RefundAmount: Math.abs(realTotalCost) }] : [];
  const createdAt = parseDateTime(createOr);

  const record: DealRecord = {
    deal_name: nameOr,
    deal_id: dealIdOf(nameOr),
    big_deal_id: r.string('BigDealId', nameOr),
    owner_uin: ownerOr,
    app_id: owner !== undefined ? defaultAppId(owner) : '',
    creator: r.string('Creator', ownerOr),
    payer,
    // Paid by someone else than the owner: by its agent.
    payer_mode: payer !== '' && payer !== ownerOr ? 1 : 0,
    status: status ?? 0,
    action_type: actionType,
    goods_category_id: goodsCategoryId,
    goods_name: r.string('ProductName', ''),
    sub_goods_name: r.string('SubProductName', ''),
    goods_num: goodsNum,
    real_total_cost: realTotalCost,
    original_total_cost: Math.round(totalCost),
    voucher_decline: voucherDecline,
    product_info: JSON.stringify(r.productInfo('ProductInfo', ignored)),
    payment_method: paymentMethodOf(timeSpan, timeUnit),
    // A page asked with Limit over 200 answers ResourceId null: the ids are unknown, not absent.
    resource_ids: JSON.stringify(r.get('ResourceId') === null ? [] : r.strings('ResourceId')),
    refund_map: JSON.stringify(refundMap),
    bill_id: nameOr,
    activity_id: '0',
    create_time: createOr,
    update_time: createOr,
    pay_end_time: status !== undefined && PAID_STATUSES.has(status) ? createOr : '',
    overdue_time: status === 1 && createdAt !== undefined ? formatDateTime(createdAt + 15 * DAY_MS) : '',
    client_type: null,
    project_type: null,
    sales_uin: null,
    client_remark: null,
    pay_mode: r.string('PayMode', 'prePay'),
    product_code: r.string('ProductCode', () => `p_${goodsCategoryId}`),
    sub_product_code: r.string('SubProductCode', () => `sp_${goodsCategoryId}`),
    time_span: timeSpan,
    time_unit: timeUnit,
    currency: r.string('Currency', 'CNY'),
    policy: r.float('Policy', (n) => n >= 0, 'must be ≥ 0') ?? 100,
    price: price ?? unitPrice(totalCost, timeSpan, 1),
    total_cost: totalCost,
    formula: r.string('Formula', () => refundFormula(actionType, realTotalCost)),
    ref_return_deals: refReturnDeals,
    project_id: r.digitsInt('ProjectId') ?? 0,
    zone_code: r.nullableString('ZoneCode'),
    verbatim: null,
  };
  return reasons.length === 0 ? { record, dealName, reasons } : { dealName, reasons };
}

/** Whether an object is a billing `Deal` rather than a partners element. */
function isBillingShape(input: JsonObject): boolean {
  return Object.hasOwn(input, 'OrderId') && !Object.hasOwn(input, 'DealName');
}

function decodeDeal(input: unknown, ignored: Set<string>, options: ImportOptions): Decoded {
  if (!isObject(input)) return { reasons: [`${describeValue(input)} is not a JSON object`] };
  return isBillingShape(input) ? decodeBilling(input, ignored, options) : decodePartners(input, ignored);
}

/** One record, for callers importing a single object. Throws Error with every reason, `; `-joined. */
export function dealFromImport(input: unknown, options: ImportOptions = {}): DealRecord {
  const { record, reasons } = decodeDeal(input, new Set(), options);
  if (!record) throw new Error(reasons.join('; '));
  return record;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A line of NDJSON (or an element of an array) longer than this is not a deal (a deal is ~1 KB): it is reported, not held. */
export const MAX_LINE_CHARS = 1024 * 1024;

const WHITESPACE = /^[\s\uFEFF]*$/;

/**
 * Reads an import incrementally: feed it the text as it arrives (`write`), then `end()`. Each
 * returns the good deals completed so far. Both formats stream, so memory stays bounded whatever
 * the input's size: NDJSON line by line; a JSON array (the input's first non-blank character is
 * `[`) element by element, split at its top-level commas. Problems go to `problem` as they are
 * found, with their line (or record) number; DealNames repeated within the input are problems
 * too. The caller refuses the import if there were any.
 */
export class DealImportReader {
  /** Names of fields that were not recognised (see ParsedImport.ignoredFields). */
  readonly ignored = new Set<string>();
  private readonly seen = new NameSet();
  private mode: 'unknown' | 'ndjson' | 'array' = 'unknown';
  /** Text read before the format is known (blank so far). */
  private head = '';
  private decoded = 0;
  // NDJSON
  private rest = '';
  private lineNo = 0;
  /** Skipping the rest of an overlong line or element. */
  private skipping = false;
  // JSON array
  private array?: ArrayScanner;

  constructor(
    private readonly problem: (where: string, reason: string) => void,
    private readonly options: ImportOptions = {},
  ) {}

  /** Good records (with no problem of their own) decoded so far, whether or not others had problems. */
  get recordsDecoded(): number {
    return this.decoded;
  }

  write(text: string): DealRecord[] {
    const out: DealRecord[] = [];
    if (this.mode === 'unknown') {
      this.head += text;
      // Blank so far: wait for the first character that tells the format (a bounded wait).
      if (WHITESPACE.test(this.head) && this.head.length < MAX_LINE_CHARS) return out;
      text = this.head;
      this.head = '';
      this.mode = text.replace(/^[\s\uFEFF]+/, '').startsWith('[') ? 'array' : 'ndjson';
      if (this.mode === 'array') {
        this.array = new ArrayScanner((where, reason) => this.problem(where, reason));
      }
    }
    if (this.array) this.array.write(text, (element, n) => this.element(element, n, out));
    else this.lines(text, out);
    return out;
  }

  end(): DealRecord[] {
    const out: DealRecord[] = [];
    if (this.mode === 'unknown') return out; // blank input: nothing to import
    if (this.array) this.array.end();
    else if (this.rest !== '' || this.skipping) this.line(this.rest, out);
    this.rest = '';
    return out;
  }

  private lines(text: string, out: DealRecord[]): void {
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      this.line(this.rest + text.slice(start, nl), out);
      this.rest = '';
      start = nl + 1;
    }
    if (this.skipping) return;
    this.rest += text.slice(start);
    if (this.rest.length <= MAX_LINE_CHARS) return;
    this.lineNo++;
    this.problem(`line ${this.lineNo}`, `longer than ${MAX_LINE_CHARS} characters: not a deal (NDJSON holds one deal a line)`);
    this.rest = '';
    this.skipping = true;
  }

  private line(raw: string, out: DealRecord[]): void {
    if (this.skipping) {
      // The end of an overlong line already reported.
      this.skipping = false;
      return;
    }
    this.lineNo++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.lineNo === 1 && line.startsWith('\uFEFF')) line = line.slice(1); // editors on Windows add a BOM
    const trimmed = line.trim();
    if (trimmed === '') return;
    if (trimmed.startsWith('[')) {
      this.problem(`line ${this.lineNo}`, 'a JSON array inside NDJSON: send either one deal object per line, or one JSON array as the whole input');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      this.problem(`line ${this.lineNo}`, `not valid JSON (${errorText(err)})`);
      return;
    }
    this.take(value, this.lineNo, 'line', out);
  }

  private element(text: string, n: number, out: DealRecord[]): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.problem(`record ${n}`, `not valid JSON (${errorText(err)})`);
      return;
    }
    this.take(value, n, 'record', out);
  }

  private take(value: unknown, n: number, unit: 'line' | 'record', out: DealRecord[]): void {
    const where = `${unit} ${n}`;
    const { record, dealName, reasons } = decodeDeal(value, this.ignored, this.options);
    for (const reason of reasons) this.problem(where, reason);
    if (dealName !== undefined) {
      const first = this.seen.firstSeen(dealName, n);
      if (first !== undefined) {
        this.problem(where, `duplicate DealName, first at ${unit} ${first} (DealName: ${describeValue(dealName)})`);
        return;
      }
    }
    if (record) {
      this.decoded++;
      out.push(record);
    }
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;
}

/**
 * Splits a JSON array into the text of its elements as it streams, without parsing them: it
 * tracks strings (and their escapes) and nesting, and cuts at the array's own commas. Each
 * element is then parsed on its own; the array's structure (the brackets, the commas, nothing
 * after the end) is checked here and reported for the input as a whole.
 */
class ArrayScanner {
  private state: 'open' | 'between' | 'element' | 'closed' = 'open';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pieces: string[] = [];
  private chars = 0;
  private skipping = false;
  /** Elements started so far (the 1-based number of the current one). */
  private n = 0;
  /** A comma was read and no element after it yet. */
  private afterComma = false;
  private reported = false;

  constructor(private readonly problem: (where: string, reason: string) => void) {}

  write(text: string, emit: (text: string, n: number) => void): void {
    let start = -1; // where the current element began in this text
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.state === 'element') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) this.inString = false;
          continue;
        }
        if (c === QUOTE) this.inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
        else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && this.depth > 0) this.depth--;
        else if (this.depth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
          this.keep(text, start < 0 ? 0 : start, i);
          start = -1;
          this.finish(emit);
          this.state = 'between';
          i--; // the comma or bracket is the array's: read it again between elements
        }
        continue;
      }
      if (isBlank(c)) continue;
      if (this.state === 'open') {
        // The reader saw '[' first.
        this.state = 'between';
        continue;
      }
      if (this.state === 'closed') {
        this.structure('there is text after the end of the JSON array');
        return;
      }
      // Between elements.
      if (c === CLOSE_BRACKET) {
        if (this.afterComma) this.structure(`a comma after record ${this.n} is followed by the end of the array`);
        this.state = 'closed';
      } else if (c === COMMA) {
        if (this.afterComma || this.n === 0) this.structure(`a comma without a record before it (after record ${this.n})`);
        this.afterComma = true;
      } else {
        // (An element ends only at a top-level comma or bracket: two values without a comma are one bad element.)
        this.afterComma = false;
        this.n++;
        this.state = 'element';
        this.depth = 0;
        start = i;
        i--; // read its first character as part of it
      }
    }
    if (this.state === 'element') this.keep(text, start < 0 ? 0 : start, text.length);
  }

  end(): void {
    if (this.state === 'closed') return;
    this.pieces = []; // an element cut short is not a record
    this.structure('the input ends inside it (no closing "]")');
  }

  private keep(text: string, from: number, to: number): void {
    if (this.skipping || to <= from) return;
    this.chars += to - from;
    if (this.chars > MAX_LINE_CHARS) {
      this.problem(`record ${this.n}`, `longer than ${MAX_LINE_CHARS} characters: not a deal`);
      this.pieces = [];
      this.skipping = true;
      return;
    }
    this.pieces.push(text.slice(from, to));
  }

  private finish(emit: (text: string, n: number) => void): void {
    const text = this.pieces.join('');
    const skipped = this.skipping;
    this.pieces = [];
    this.chars = 0;
    this.skipping = false;
    if (!skipped) emit(text, this.n);
  }

  /** A problem with the array as a whole: reported once, as the first one is what needs fixing. */
  private structure(reason: string): void {
    if (this.reported) return;
    this.reported = true;
    this.problem('input', `the JSON array is not valid JSON: ${reason}`);
  }
}

/** Parses a whole import; never throws on bad input. Import only when `problems` is empty. */
export function parseDealImport(text: string, options: ImportOptions = {}): ParsedImport {
  const problems: ImportProblem[] = [];
  const reader = new DealImportReader((where, reason) => problems.push({ where, reason }), options);
  const records = [...reader.write(text), ...reader.end()];
  return { records, problems, ignoredFields: [...reader.ignored].sort() };
}
