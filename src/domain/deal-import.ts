/**
 * Deal import: turns exported deals into DealRecords. The input is NDJSON (one object a line) or
 * a JSON array; each object is a partners `AgentDealNewElem` exactly as DescribeAgentDealsByCache
 * returns it, optionally carrying the billing-only `Deal` fields. Whatever the billing view needs
 * and the object lacks is derived, the same way every time, so re-importing gives the same rows.
 *
 * Nothing here throws on a bad record during a bulk parse: every problem is collected with where
 * it was found, so the operator can fix the whole file in one pass and the caller can refuse the
 * import as a whole (nothing half-imported).
 */
import { DATETIME_FORMAT, parseDateTime } from '../protocol/datetime.js';
import { describeValue } from '../protocol/params.js';
import { defaultAppId } from './account.js';
import {
  ACTION_TYPES,
  CLIENT_TYPES,
  DEAL_STATUSES,
  PAY_MODES,
  PROJECT_TYPES,
  paymentMethodOf,
  timeSpanOf,
  type DealRecord,
  type NameValue,
  type RefundLink,
} from './deal.js';
import type { AgentDealNewElem } from './views.js';

export interface ImportProblem {
  /** `line 3` for NDJSON, `record 3` for a JSON array (both 1-based), `input` for unparsable arrays. */
  where: string;
  reason: string;
}

export interface ParsedImport {
  records: DealRecord[];
  problems: ImportProblem[];
  /** Sorted, unique names of fields that were not recognised (nested ones as `GoodsPrice.X`, `ProductInfo[].X`). */
  ignoredFields: string[];
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

const BILLING_FIELDS = [
  'PayMode', 'ProductCode', 'SubProductCode', 'TimeSpan', 'TimeUnit', 'Currency', 'Policy', 'Price',
  'TotalCost', 'Formula', 'RefReturnDeals', 'ProjectId', 'ZoneCode',
] as const;

// A Set, not an object map: a `__proto__` or `constructor` key must not look "known".
const KNOWN_FIELDS: ReadonlySet<string> = new Set<string>([...PARTNER_FIELDS, ...BILLING_FIELDS]);

const TIME_UNITS = ['y', 'm', 'd', 'h'] as const;
const DEAL_NAME_MAX = 64;
const UIN = /^\d{1,20}$/;
const DIGITS = /^\d{1,15}$/; // 15 digits always fit a safe integer
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const DATETIME_RULE = `is not a valid date-time (${DATETIME_FORMAT})`;

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function listOf(values: readonly (string | number)[]): string {
  return values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ');
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

  string(name: string, fallback: string): string {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') {
      this.bad(name, v, 'is not a string');
      return fallback;
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
  nullableString(name: string, allowed?: readonly string[]): string | null {
    const v = this.get(name);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') {
      this.bad(name, v, 'is not a string');
      return null;
    }
    if (allowed && v !== '' && !allowed.includes(v)) {
      this.bad(name, v, `is not one of ${listOf(allowed)} or ""`);
      return null;
    }
    return v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: undefined): T | undefined;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T | undefined): T | undefined {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.bad(name, v, `is not one of ${listOf(allowed)}`);
      return fallback;
    }
    return v as T;
  }

  /**
   * The partners view sends counts and ids as strings of digits, the billing view as integers;
   * both are accepted. Returns undefined when absent or bad (bad is recorded).
   */
  digitsInt(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    let n: number | undefined;
    if (typeof v === 'string' && DIGITS.test(v)) n = Number(v);
    else if (typeof v === 'number' && Number.isSafeInteger(v)) n = v;
    if (n === undefined) {
      this.bad(name, v, 'is not an integer (a string of digits or a JSON integer)');
      return undefined;
    }
    if (n < min || n > max) {
      this.bad(name, v, max === Number.MAX_SAFE_INTEGER ? `must be ≥ ${min}` : `must be between ${min} and ${max}`);
      return undefined;
    }
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

  /** A date-time or "" (not yet paid, no expiry). */
  dateTimeOrEmpty(name: string, fallback: string): string {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || (v !== '' && parseDateTime(v) === undefined)) {
      this.bad(name, v, `${DATETIME_RULE} or ""`);
      return fallback;
    }
    return v;
  }

  /** Own keys this reader does not know, reported as `<label>.<key>`. */
  unknownKeys(known: ReadonlySet<string>, ignored: Set<string>, label?: string): void {
    for (const key of Object.keys(this.obj)) {
      if (!known.has(key)) ignored.add(label === undefined ? key : `${label}.${key}`);
    }
  }
}

const GOODS_PRICE_FIELDS: ReadonlySet<string> = new Set(['RealTotalCost', 'OriginalTotalCost']);
const NAME_VALUE_FIELDS: ReadonlySet<string> = new Set(['Name', 'Value']);
const REFUND_FIELDS: ReadonlySet<string> = new Set(['DealName', 'RefundAmount']);

/** Reads an optional array field, each element through `item`; absent means []. */
function readArray<T>(
  r: FieldReader,
  name: string,
  shape: string,
  item: (value: unknown, path: string) => T | undefined,
): T[] {
  const v = r.get(name);
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    r.bad(name, v, `is not an array of ${shape}`);
    return [];
  }
  const out: T[] = [];
  v.forEach((element: unknown, i) => {
    const got = item(element, `${name}[${i}]`);
    if (got !== undefined) out.push(got);
  });
  return out;
}

interface Decoded {
  record?: DealRecord;
  /** The DealName when it alone is valid, so duplicates are found even among bad records. */
  dealName?: string;
  reasons: string[];
}

function decodeDeal(input: unknown, ignored: Set<string>): Decoded {
  const reasons: string[] = [];
  if (!isObject(input)) {
    reasons.push(`${describeValue(input)} is not a JSON object`);
    return { reasons };
  }
  const r = new FieldReader(input, reasons);
  r.unknownKeys(KNOWN_FIELDS, ignored);

  // Required identity, owner, time, status and money.
  let dealName = r.requiredString('DealName');
  if (dealName !== undefined && (dealName === '' || dealName.length > DEAL_NAME_MAX)) {
    r.bad('DealName', dealName, `must be a non-empty string of at most ${DEAL_NAME_MAX} characters`);
    dealName = undefined;
  }

  let owner: string | undefined;
  const ownerRaw = r.required('OwnerUin');
  if (typeof ownerRaw === 'string' && UIN.test(ownerRaw)) owner = ownerRaw;
  else if (typeof ownerRaw === 'number' && Number.isSafeInteger(ownerRaw) && ownerRaw >= 0) owner = String(ownerRaw);
  else if (typeof ownerRaw === 'number' && Number.isInteger(ownerRaw) && !Number.isSafeInteger(ownerRaw)) {
    // Precision is already lost at JSON.parse; only the string form can carry such a UIN.
    r.bad('OwnerUin', ownerRaw, 'is too large for a JSON integer; send a UIN this long as a string');
  } else if (ownerRaw !== undefined) r.bad('OwnerUin', ownerRaw, 'is not a UIN (1-20 digits, as a string or an integer)');

  const createTime = r.requiredString('CreatTime');
  if (createTime !== undefined && parseDateTime(createTime) === undefined) r.bad('CreatTime', createTime, DATETIME_RULE);

  let status: number | undefined;
  const statusRaw = r.required('Status');
  if (statusRaw !== undefined) {
    const n = typeof statusRaw === 'string' && DIGITS.test(statusRaw) ? Number(statusRaw) : statusRaw;
    if (typeof n === 'number' && (DEAL_STATUSES as readonly number[]).includes(n)) status = n;
    else r.bad('Status', statusRaw, 'is not a known status (1-13, 30)');
  }

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

  // Partners fields with defaults. Fallbacks for a bad owner/name only keep the checks going.
  const ownerOr = owner ?? '';
  const nameOr = dealName ?? '';
  const goodsCategoryId = r.digitsInt('GoodsCategoryId') ?? 0;
  const goodsNum = r.digitsInt('GoodsNum') ?? 1;
  const payerMode = r.digitsInt('PayerMode', 0, 1) ?? 0;
  const voucherDecline = r.digitsInt('VoucherDecline') ?? 0;
  const projectId = r.digitsInt('ProjectId') ?? 0;
  const actionType = r.oneOf('ActionType', ACTION_TYPES, 'purchase');

  const timeSpanIn = r.float('TimeSpan', (n) => n > 0, 'must be a number > 0');
  const timeUnitIn = r.oneOf('TimeUnit', TIME_UNITS, undefined);
  // A billing-style record may lack PaymentMethod; rebuild it from its TimeSpan/TimeUnit then.
  const paymentMethod = r.string(
    'PaymentMethod',
    timeSpanIn !== undefined || timeUnitIn !== undefined ? paymentMethodOf(timeSpanIn ?? 1, timeUnitIn ?? 'm') : '按月:1个月',
  );
  const fromMethod = timeSpanOf(paymentMethod);
  const timeSpan = timeSpanIn ?? fromMethod.span;
  const timeUnit = timeUnitIn ?? fromMethod.unit;

  const productInfo = readArray<NameValue>(r, 'ProductInfo', '{Name, Value}', (v, path) => {
    if (!isObject(v)) {
      r.bad(path, v, 'is not an object {Name, Value}');
      return undefined;
    }
    const e = new FieldReader(v, reasons, `${path}.`);
    e.unknownKeys(NAME_VALUE_FIELDS, ignored, 'ProductInfo[]');
    const Name = e.requiredString('Name');
    const Value = e.requiredString('Value');
    return Name !== undefined && Value !== undefined ? { Name, Value } : undefined;
  });
  const resourceIds = readArray<string>(r, 'ResourceIds', 'strings', (v, path) => {
    if (typeof v === 'string') return v;
    r.bad(path, v, 'is not a string');
    return undefined;
  });
  const refundMap = readArray<RefundLink>(r, 'RefundMap', '{DealName, RefundAmount}', (v, path) => {
    if (!isObject(v)) {
      r.bad(path, v, 'is not an object {DealName, RefundAmount}');
      return undefined;
    }
    const e = new FieldReader(v, reasons, `${path}.`);
    e.unknownKeys(REFUND_FIELDS, ignored, 'RefundMap[]');
    const DealName = e.requiredString('DealName');
    const RefundAmount = e.integer('RefundAmount');
    return DealName !== undefined ? { DealName, RefundAmount } : undefined;
  });

  const createOr = createTime ?? '';
  const record: DealRecord = {
    deal_name: nameOr,
    // The docs warn DealId is not a key; a long numeric DealName ends in a plausible one.
    deal_id: r.string('DealId', /\d{9}$/.exec(nameOr)?.[0] ?? ''),
    big_deal_id: r.string('BigDealId', nameOr),
    owner_uin: ownerOr,
    app_id: r.string('AppId', owner !== undefined ? defaultAppId(owner) : ''),
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
    client_type: r.nullableString('ClientType', CLIENT_TYPES),
    project_type: r.nullableString('ProjectType', PROJECT_TYPES),
    sales_uin: r.nullableString('SalesUin'),
    client_remark: r.nullableString('ClientRemark'),
    pay_mode: r.oneOf('PayMode', PAY_MODES, 'prePay'),
    product_code: r.string('ProductCode', `p_${goodsCategoryId}`),
    sub_product_code: r.string('SubProductCode', `sp_${goodsCategoryId}`),
    time_span: timeSpan,
    time_unit: timeUnit,
    currency: r.string('Currency', 'CNY'),
    policy: r.float('Policy', (n) => n >= 0, 'must be ≥ 0') ?? 100,
    price: 0, // derived below, once total_cost is known
    total_cost: r.float('TotalCost') ?? originalTotalCost,
    formula: r.string(
      'Formula',
      actionType === 'refund' ? `退款:${(Math.abs(realTotalCost) / 100).toFixed(2)}元` : '',
    ),
    ref_return_deals: r.string('RefReturnDeals', refundMap.map((m) => m.DealName).join(',')),
    project_id: projectId,
    zone_code: r.nullableString('ZoneCode'),
  };
  // Unit price per period and item; a zero span (e.g. `按月:0个月`) must not produce Infinity.
  const perUnit = record.time_span * Math.max(record.goods_num, 1);
  record.price = r.float('Price') ?? (perUnit > 0 ? round2(record.total_cost / perUnit) : 0);

  // DealStatus is deliberately unread: it is always re-derived from Status.
  return reasons.length === 0 ? { record, dealName, reasons } : { dealName, reasons };
}

/** One record, for callers importing a single object. Throws Error with every reason, `; `-joined. */
export function dealFromImport(input: unknown): DealRecord {
  const { record, reasons } = decodeDeal(input, new Set());
  if (!record) throw new Error(reasons.join('; '));
  return record;
}

interface Entry {
  where: string;
  /** Parsed JSON, unless `parseError` is set. */
  value?: unknown;
  parseError?: string;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Splits the text into entries: array elements (`record N`) or non-blank NDJSON lines (`line N`). */
function entriesOf(text: string): { entries: Entry[]; problems: ImportProblem[] } {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text; // editors on Windows add a BOM
  if (body.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      return { entries: [], problems: [{ where: 'input', reason: `the JSON array is not valid JSON (${errorText(err)})` }] };
    }
    if (!Array.isArray(parsed)) {
      return { entries: [], problems: [{ where: 'input', reason: 'the input starts with "[" but is not a JSON array' }] };
    }
    return { entries: parsed.map((value: unknown, i) => ({ where: `record ${i + 1}`, value })), problems: [] };
  }
  const entries: Entry[] = [];
  // Line numbers count blank lines too, so they match what an editor shows.
  body.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    try {
      entries.push({ where, value: JSON.parse(line) });
    } catch (err) {
      entries.push({ where, parseError: `not valid JSON (${errorText(err)})` });
    }
  });
  return { entries, problems: [] };
}

/** Parses a whole import; never throws on bad input. Import only when `problems` is empty. */
export function parseDealImport(text: string): ParsedImport {
  const { entries, problems } = entriesOf(text);
  const records: DealRecord[] = [];
  const ignored = new Set<string>();
  // A Map, so any DealName (even "__proto__") is a plain key.
  const firstSeen = new Map<string, string>();
  for (const entry of entries) {
    if (entry.parseError !== undefined) {
      problems.push({ where: entry.where, reason: entry.parseError });
      continue;
    }
    const { record, dealName, reasons } = decodeDeal(entry.value, ignored);
    for (const reason of reasons) problems.push({ where: entry.where, reason });
    if (dealName !== undefined) {
      const first = firstSeen.get(dealName);
      if (first !== undefined) {
        problems.push({ where: entry.where, reason: `duplicate DealName, first at ${first} (DealName: ${describeValue(dealName)})` });
        continue;
      }
      firstSeen.set(dealName, entry.where);
    }
    if (record) records.push(record);
  }
  return { records, problems, ignoredFields: [...ignored].sort() };
}
