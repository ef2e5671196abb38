/**
 * Snapshots: the complete stored state, table by table, as NDJSON lines, and loading one back.
 *
 * A snapshot is lossless: every row of every table with its stored column values (so a deal's
 * "no relation snapshot" nulls, key creation times and the meta rows survive), in primary-key
 * order, so the same state always gives the same bytes. The partners cache is derived data: it is
 * written only while changes wait in the cache-lag queue (then the cache really differs from what
 * the deals and bindings imply, and both the stale rows and the queue are kept); otherwise a load
 * rebuilds it from the deals and bindings.
 */
import type { Kysely } from 'kysely';
import type { DealRecord } from '../domain/deal.js';
import { describeValue } from '../protocol/params.js';
import { refreshClient } from '../store/agent-cache.js';
import { upsertDeals } from '../store/deals.js';
import { retryWhileLocked } from '../store/write-lock.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { clearTables, countOf } from './reset.js';
import { ProblemList, SnapshotRejected } from './problems.js';

type Db = Kysely<Database>;

/** Rows per keyset page when reading a table. */
const PAGE = 1000;

export const SNAPSHOT_FORMAT = 'tcdeals-snapshot';
export const SNAPSHOT_VERSION = 1;

type ColumnKind = 'string' | 'nullableString' | 'uin' | 'flag' | 'integer' | 'number' | 'jsonArray' | 'jsonObject' | 'nullableJsonObject';

/** Columns added after snapshots were first written: absent in an older snapshot, they load as null. */
const LATER_COLUMNS: ReadonlySet<string> = new Set(['verbatim']);

interface LineSpec {
  table: keyof Database;
  /** Columns in output order; the first ones form the primary key (keyset order). */
  columns: ReadonlyArray<readonly [string, ColumnKind]>;
  key: readonly string[];
}

/** Every DealRecord column, in a fixed order; the check below fails to compile if the record gains or loses one. */
const DEAL_COLUMNS = [
  ['deal_name', 'string'], ['deal_id', 'string'], ['big_deal_id', 'string'], ['owner_uin', 'uin'], ['app_id', 'string'],
  ['creator', 'string'], ['payer', 'string'], ['payer_mode', 'integer'], ['status', 'integer'], ['action_type', 'string'],
  ['goods_category_id', 'integer'], ['goods_name', 'string'], ['sub_goods_name', 'string'], ['goods_num', 'integer'],
  ['real_total_cost', 'integer'], ['original_total_cost', 'integer'], ['voucher_decline', 'integer'],
  ['product_info', 'jsonArray'], ['payment_method', 'string'], ['resource_ids', 'jsonArray'], ['refund_map', 'jsonArray'],
  ['bill_id', 'string'], ['activity_id', 'string'], ['create_time', 'string'], ['update_time', 'string'],
  ['pay_end_time', 'string'], ['overdue_time', 'string'], ['client_type', 'nullableString'], ['project_type', 'nullableString'],
  ['sales_uin', 'nullableString'], ['client_remark', 'nullableString'], ['pay_mode', 'string'], ['product_code', 'string'],
  ['sub_product_code', 'string'], ['time_span', 'number'], ['time_unit', 'string'], ['currency', 'string'], ['policy', 'number'],
  ['price', 'number'], ['total_cost', 'number'], ['formula', 'string'], ['ref_return_deals', 'string'], ['project_id', 'integer'],
  ['zone_code', 'nullableString'], ['verbatim', 'nullableJsonObject'],
] as const satisfies ReadonlyArray<readonly [keyof DealRecord, ColumnKind]>;
type MissingDealColumn = Exclude<keyof DealRecord, (typeof DEAL_COLUMNS)[number][0]>;
const allDealColumns: [MissingDealColumn] extends [never] ? true : MissingDealColumn = true;
void allDealColumns;

/**
 * Line types in the order a snapshot holds them (parents before children). Tables without a line
 * type are derived and rebuilt on load: `deal_resources` from the deals, `deal_counts` and
 * `agent_cache_counts` by their triggers as the deals and cache rows are written,
 * `agent_cache_order` (cache positions) lazily by the next partners read; `meta` travels in the
 * meta line.
 */
const LINE_SPECS = {
  account: {
    table: 'accounts',
    key: ['uin'],
    columns: [['uin', 'uin'], ['app_id', 'string'], ['is_agent', 'flag'], ['created_at', 'string']],
  },
  key: {
    table: 'api_keys',
    key: ['secret_id'],
    columns: [['secret_id', 'string'], ['secret_key', 'string'], ['uin', 'uin'], ['created_at', 'string']],
  },
  binding: {
    table: 'agent_clients',
    key: ['client_uin'],
    columns: [
      ['client_uin', 'uin'], ['agent_uin', 'uin'], ['client_type', 'string'], ['project_type', 'string'],
      ['sales_uin', 'string'], ['client_remark', 'string'], ['bound_at', 'string'],
    ],
  },
  deal: { table: 'deals', key: ['deal_name'], columns: DEAL_COLUMNS },
  cache: {
    table: 'agent_deal_cache',
    key: ['deal_name'],
    columns: [
      ['deal_name', 'string'], ['agent_uin', 'uin'], ['owner_uin', 'uin'], ['create_time', 'string'], ['status', 'integer'],
      ['payer_mode', 'integer'], ['big_deal_id', 'string'], ['body', 'jsonObject'],
    ],
  },
  pending: {
    table: 'agent_cache_pending',
    key: ['kind', 'key'],
    columns: [['kind', 'string'], ['key', 'string'], ['changed_at', 'integer']],
  },
  profile: {
    table: 'client_profiles',
    key: ['client_uin'],
    columns: [
      ['client_uin', 'uin'], ['client_name', 'string'], ['client_flag', 'string'], ['mail', 'string'], ['phone', 'string'],
      ['has_overdue_bill', 'flag'], ['auth_type', 'string'], ['transaction_type', 'string'],
    ],
  },
  salesman: {
    table: 'salesmen',
    key: ['sales_uin'],
    columns: [['sales_uin', 'uin'], ['agent_uin', 'uin'], ['sales_name', 'string'], ['create_time', 'string']],
  },
  application: {
    table: 'client_applications',
    key: ['client_uin'],
    columns: [
      ['client_uin', 'uin'], ['agent_uin', 'uin'], ['apply_time', 'string'], ['status', 'string'], ['sales_uin', 'string'],
      ['client_type', 'string'], ['project_type', 'string'], ['increase_goal', 'string'], ['note', 'string'], ['decided_at', 'nullableString'],
    ],
  },
  unbind: {
    table: 'unbind_applications',
    key: ['id'],
    columns: [['id', 'string'], ['agent_uin', 'uin'], ['client_uin', 'uin'], ['status', 'integer'], ['apply_time', 'string'], ['action_time', 'string']],
  },
} as const satisfies Record<string, LineSpec>;

type LineType = keyof typeof LINE_SPECS;
const LINE_TYPES = Object.keys(LINE_SPECS) as LineType[];
/** Line types added after snapshots were first written: an older snapshot's meta line has no count for them (0). */
const LATER_LINE_TYPES: ReadonlySet<LineType> = new Set(['profile', 'salesman', 'application', 'unbind']);

export interface SnapshotMeta {
  type: 'meta';
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  /** Lines of each type that follow: a load refuses a snapshot that does not have exactly these. */
  counts: Record<LineType, number>;
  /** The store's meta rows (demo seed marker, cache refresh time), by key. */
  meta: Record<string, string>;
}

function lineOf(type: LineType, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { type };
  for (const [column] of LINE_SPECS[type].columns) out[column] = row[column];
  return out;
}

/** All rows of a table in primary-key order, by keyset pages. */
async function* rowsOf(db: Db, type: LineType): AsyncGenerator<Record<string, unknown>> {
  const spec: LineSpec = LINE_SPECS[type];
  if (spec.key.length === 2) {
    // agent_cache_pending: (kind, key); walk each kind by key.
    for (const kind of ['client', 'deal'] as const) {
      let after = '';
      for (;;) {
        const rows = await db.selectFrom('agent_cache_pending').selectAll().where('kind', '=', kind).where('key', '>', after).orderBy('key').limit(PAGE).execute();
        for (const r of rows) yield r as unknown as Record<string, unknown>;
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1]!.key;
      }
    }
    return;
  }
  const key = spec.key[0]!;
  let after: string | undefined;
  for (;;) {
    let q = db.selectFrom(spec.table).selectAll();
    if (after !== undefined) q = q.where(key as never, '>', after as never);
    const rows = (await q.orderBy(key as never).limit(PAGE).execute()) as Array<Record<string, unknown>>;
    for (const r of rows) yield r;
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]![key] as string;
  }
}

/**
 * The whole state as snapshot lines, read in one transaction (repeatable read on PostgreSQL), so
 * the snapshot is one consistent point in time. The transaction ends when the generator does
 * (finished, failed, or returned because the client went away). On SQLite other calls wait
 * while a snapshot is being read.
 */
export async function* snapshotLines(store: Store): AsyncGenerator<Record<string, unknown>> {
  const trx = await retryWhileLocked(() => store.db.startTransaction().setIsolationLevel('repeatable read').execute());
  let done = false;
  try {
    const db = trx as unknown as Db;
    const pending = await countOf(db, 'agent_cache_pending');
    const counts = {} as Record<LineType, number>;
    for (const type of LINE_TYPES) {
      counts[type] = type === 'cache' && pending === 0 ? 0 : await countOf(db, LINE_SPECS[type].table);
    }
    const metaRows = await db.selectFrom('meta').selectAll().orderBy('key').execute();
    const meta: SnapshotMeta = {
      type: 'meta',
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      counts,
      meta: Object.fromEntries(metaRows.map((r) => [r.key, r.value])),
    };
    yield meta as unknown as Record<string, unknown>;
    for (const type of LINE_TYPES) {
      if (counts[type] === 0) continue;
      for await (const row of rowsOf(db, type)) yield lineOf(type, row);
    }
    await trx.commit().execute();
    done = true;
  } finally {
    if (!done) await trx.rollback().execute().catch(() => {});
  }
}

const UIN = /^\d{1,20}$/;

/** Checks one column value; returns the reason it is bad, or undefined. */
function columnProblem(kind: ColumnKind, value: unknown): string | undefined {
  if (typeof value === 'string' && value.includes('\u0000')) return 'contains U+0000, which cannot be stored';
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? undefined : 'is not a string';
    case 'nullableString':
      return typeof value === 'string' || value === null ? undefined : 'is not a string or null';
    case 'uin':
      return typeof value === 'string' && UIN.test(value) ? undefined : 'is not a UIN (1-20 digits, as a string)';
    case 'flag':
      return value === 0 || value === 1 ? undefined : 'is not 0 or 1';
    case 'integer':
      return Number.isSafeInteger(value) ? undefined : 'is not an integer';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'is not a number';
    case 'nullableJsonObject':
      return value === null ? undefined : columnProblem('jsonObject', value);
    case 'jsonArray':
    case 'jsonObject': {
      if (typeof value !== 'string') return 'is not a string holding JSON';
      try {
        const parsed: unknown = JSON.parse(value);
        const ok = kind === 'jsonArray' ? Array.isArray(parsed) : typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
        return ok ? undefined : `is not a string holding a JSON ${kind === 'jsonArray' ? 'array' : 'object'}`;
      } catch {
        return 'is not a string holding valid JSON';
      }
    }
  }
}

function checkMeta(value: unknown, problems: ProblemList, where: string): SnapshotMeta | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (value as { type?: unknown }).type !== 'meta') {
    problems.add(where, `the first line must be the snapshot's {"type":"meta",…} line, got ${describeValue(value)}`);
    return undefined;
  }
  const m = value as Partial<SnapshotMeta>;
  const before = problems.total;
  if (m.format !== SNAPSHOT_FORMAT) problems.add(where, `format: ${describeValue(m.format)} is not ${JSON.stringify(SNAPSHOT_FORMAT)} (is this a tcdeals snapshot?)`);
  if (m.version !== SNAPSHOT_VERSION) problems.add(where, `version: ${describeValue(m.version)} is not supported (this tcdeals reads version ${SNAPSHOT_VERSION})`);
  if (typeof m.counts !== 'object' || m.counts === null) problems.add(where, 'counts: missing; it is the number of lines of each type');
  else {
    for (const type of LINE_TYPES) {
      if (!Object.hasOwn(m.counts, type) && LATER_LINE_TYPES.has(type)) m.counts[type] = 0;
      if (!Number.isSafeInteger(m.counts[type]) || m.counts[type] < 0) problems.add(where, `counts.${type}: ${describeValue(m.counts[type])} is not a count`);
    }
    for (const k of Object.keys(m.counts)) if (!(LINE_TYPES as string[]).includes(k)) problems.add(where, `counts: unknown line type ${JSON.stringify(k)}`);
  }
  if (typeof m.meta !== 'object' || m.meta === null || Array.isArray(m.meta)) problems.add(where, 'meta: missing; it is an object of strings');
  else for (const [k, v] of Object.entries(m.meta)) if (typeof v !== 'string' || v.includes('\u0000') || k.includes('\u0000')) problems.add(where, `meta.${k}: ${describeValue(v)} is not a storable string`);
  for (const k of Object.keys(m)) if (!['type', 'format', 'version', 'counts', 'meta'].includes(k)) problems.add(where, `unknown field ${JSON.stringify(k)} in the meta line`);
  return problems.total === before ? (m as SnapshotMeta) : undefined;
}

const SNAPSHOT_BATCH = 200;

/**
 * Replaces the whole state with a snapshot's, in one transaction: everything is emptied, the
 * lines are checked and written as they arrive, the partners cache is rebuilt (unless the
 * snapshot carries it), and the meta rows are restored last. Any problem rolls everything back.
 */
export async function loadSnapshot(store: Store, lines: AsyncIterable<string>): Promise<Record<LineType, number>> {
  const problems = new ProblemList();
  const result = await store.exclusive('tcdeals:admin-snapshot', async (tx) => {
    const db = tx.db;
    await clearTables(db);
    const seen = Object.fromEntries(LINE_TYPES.map((t) => [t, 0])) as Record<LineType, number>;
    const buffers = Object.fromEntries(LINE_TYPES.map((t) => [t, [] as Record<string, unknown>[]])) as Record<LineType, Record<string, unknown>[]>;
    const accounts = new Set<string>();
    const keys = new Set<string>();
    const clients = new Set<string>();
    const cached = new Set<string>();
    const pending = new Set<string>();
    let meta: SnapshotMeta | undefined;
    let lastType = -1;

    const flush = async () => {
      // Parents first, so references hold whichever buffer filled up.
      for (const type of LINE_TYPES) {
        const rows = buffers[type];
        if (rows.length === 0) continue;
        buffers[type] = [];
        if (problems.total > 0) continue;
        if (type === 'deal') await upsertDeals(db, rows as unknown as DealRecord[]);
        else await db.insertInto(LINE_SPECS[type].table).values(rows as never).execute();
      }
    };

    let n = 0;
    let first = true;
    for await (const raw of lines) {
      n++;
      let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (n === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
      if (line.trim() === '') continue;
      const where = `line ${n}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        problems.add(where, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
        first = false;
        continue;
      }
      if (first) {
        first = false;
        meta = checkMeta(value, problems, where);
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.add(where, `${describeValue(value)} is not a JSON object`);
        continue;
      }
      const obj = value as Record<string, unknown>;
      const type = obj.type as LineType;
      if (typeof obj.type !== 'string' || !Object.hasOwn(LINE_SPECS, obj.type)) {
        problems.add(where, `type: ${describeValue(obj.type)} is not one of ${LINE_TYPES.map((t) => JSON.stringify(t)).join(', ')}${obj.type === 'meta' ? ' (the meta line comes first, once)' : ''}`);
        continue;
      }
      const order = LINE_TYPES.indexOf(type);
      if (order < lastType) problems.add(where, `a ${type} line after ${LINE_TYPES[lastType]} lines: a snapshot lists ${LINE_TYPES.join(', ')} in that order`);
      lastType = Math.max(lastType, order);
      seen[type]++;
      const spec: LineSpec = LINE_SPECS[type];
      const row: Record<string, unknown> = {};
      let ok = true;
      for (const [column, kind] of spec.columns) {
        if (!Object.hasOwn(obj, column) && LATER_COLUMNS.has(column)) {
          row[column] = null;
          continue;
        }
        if (!Object.hasOwn(obj, column)) {
          problems.add(where, `${type}: ${column} is missing`);
          ok = false;
          continue;
        }
        const reason = columnProblem(kind, obj[column]);
        if (reason) {
          problems.add(where, `${type}: ${column}: ${describeValue(obj[column])} ${reason}`);
          ok = false;
        }
        row[column] = obj[column];
      }
      const known = new Set(['type', ...spec.columns.map(([c]) => c)]);
      for (const k of Object.keys(obj)) {
        if (!known.has(k)) {
          problems.add(where, `${type}: unknown column ${JSON.stringify(k)}`);
          ok = false;
        }
      }
      if (!ok) continue;
      // References and duplicates the database would otherwise refuse with a less helpful error.
      if (type === 'account') {
        if (accounts.has(row.uin as string)) problems.add(where, `account ${row.uin} is listed twice`);
        accounts.add(row.uin as string);
      } else if (type === 'key') {
        if (keys.has(row.secret_id as string)) problems.add(where, `key ${row.secret_id} is listed twice`);
        keys.add(row.secret_id as string);
        if (!accounts.has(row.uin as string)) problems.add(where, `key ${row.secret_id}: account ${row.uin} is not in the snapshot`);
      } else if (type === 'binding') {
        if (clients.has(row.client_uin as string)) problems.add(where, `client ${row.client_uin} is bound twice`);
        clients.add(row.client_uin as string);
        for (const c of ['agent_uin', 'client_uin']) if (!accounts.has(row[c] as string)) problems.add(where, `binding: ${c} ${row[c]} is not an account in the snapshot`);
      } else if (type === 'deal') {
        // Repeats across batches are caught by the count at the end (an upsert keeps one row).
        if (buffers.deal.some((d) => d.deal_name === row.deal_name)) problems.add(where, `deal ${describeValue(row.deal_name)} is listed twice`);
      } else if (type === 'cache') {
        if (cached.has(row.deal_name as string)) problems.add(where, `the cache row of deal ${describeValue(row.deal_name)} is listed twice`);
        cached.add(row.deal_name as string);
      } else if (type === 'pending') {
        if (row.kind !== 'deal' && row.kind !== 'client') problems.add(where, `pending: kind: ${describeValue(row.kind)} is not "deal" or "client"`);
        const id = `${row.kind}\u0000${row.key}`;
        if (pending.has(id)) problems.add(where, `pending change ${row.kind} ${describeValue(row.key)} is listed twice`);
        pending.add(id);
      }
      buffers[type].push(row);
      if (buffers[type].length >= SNAPSHOT_BATCH) await flush();
    }
    await flush();
    if (first) problems.add('input', 'the snapshot is empty: it starts with a {"type":"meta",…} line');
    if (meta) {
      for (const type of LINE_TYPES) {
        if (seen[type] !== meta.counts[type]) {
          problems.add('input', `the meta line announces ${meta.counts[type]} ${type} line(s) but the snapshot has ${seen[type]}: it is incomplete or was edited`);
        }
      }
    }
    if (problems.total === 0) {
      const deals = await countOf(db, 'deals');
      if (deals !== seen.deal) problems.add('input', `${seen.deal - deals} deal line(s) repeat a deal_name listed before`);
    }
    if (problems.total > 0) throw new SnapshotRejected(problems.items, problems.total);
    if (seen.cache === 0) {
      let after = '';
      for (;;) {
        const rows = await db.selectFrom('agent_clients').select('client_uin').where('client_uin', '>', after).orderBy('client_uin').limit(PAGE).execute();
        for (const r of rows) await refreshClient(db, r.client_uin);
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1]!.client_uin;
      }
    }
    const metaRows = Object.entries(meta!.meta).map(([key, value]) => ({ key, value }));
    for (let i = 0; i < metaRows.length; i += SNAPSHOT_BATCH) await db.insertInto('meta').values(metaRows.slice(i, i + SNAPSHOT_BATCH)).execute();
    return seen;
  });
  return result!;
}
