/**
 * Whole-state operations behind the admin API: counting, emptying, importing and exporting deals,
 * and snapshots (the complete stored state, table by table, as NDJSON).
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
import { parseDealImport, type ImportProblem } from '../domain/deal-import.js';
import { toExportDeal, type ClientRelation } from '../domain/views.js';
import { describeValue } from '../protocol/params.js';
import { bindingsOf } from '../store/accounts.js';
import { refreshClient } from '../store/agent-cache.js';
import { upsertDeals } from '../store/deals.js';
import type { Database } from '../store/schema.js';
import { DEMO_META_KEY, seedDemoIfEmpty } from '../store/seed.js';
import type { Store } from '../store/store.js';
import type { Sandbox } from '../sandbox/sandbox.js';

type Db = Kysely<Database>;

// ---------------------------------------------------------------------------------------------
// Counting and emptying

export interface StateCounts {
  accounts: number;
  agents: number;
  keys: number;
  bindings: number;
  deals: number;
  cachedDeals: number;
  pendingCacheChanges: number;
}

async function countOf(db: Db, table: keyof Database, where?: [string, number]): Promise<number> {
  let q = db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n'));
  if (where) q = q.where(where[0] as never, '=', where[1] as never);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function stateCounts(db: Db): Promise<StateCounts> {
  return {
    accounts: await countOf(db, 'accounts'),
    agents: await countOf(db, 'accounts', ['is_agent', 1]),
    keys: await countOf(db, 'api_keys'),
    bindings: await countOf(db, 'agent_clients'),
    deals: await countOf(db, 'deals'),
    cachedDeals: await countOf(db, 'agent_deal_cache'),
    pendingCacheChanges: await countOf(db, 'agent_cache_pending'),
  };
}

/**
 * Every table, children before parents (api_keys references accounts). The cache's derived
 * tables go too: a position state left behind would describe rows that no longer exist.
 */
const TABLES_TO_CLEAR = [
  'agent_deal_cache', 'agent_cache_order', 'agent_cache_pending', 'deal_resources', 'deals', 'deal_counts', 'agent_clients', 'api_keys', 'accounts', 'meta',
] as const satisfies ReadonlyArray<keyof Database>;
// A new table fails to compile here until it is cleared above and its place in snapshots decided below.
type UnclearedTable = Exclude<keyof Database, (typeof TABLES_TO_CLEAR)[number]>;
const everyTableCleared: [UnclearedTable] extends [never] ? true : UnclearedTable = true;
void everyTableCleared;

async function clearTables(db: Db): Promise<void> {
  for (const table of TABLES_TO_CLEAR) await db.deleteFrom(table).execute();
}

/** What `reset` to empty leaves in `meta`: the demo seed counts as settled, so a restart with the demo on does not re-seed (and readiness stays ready). */
export const EMPTY_RESET_MARK = JSON.stringify({ reset: 'empty' });

/** The sandbox controls a reset or a snapshot load returns to their start: journal, fault rules, clock, lifecycle progression. */
export function resetSandbox(sandbox: Sandbox): void {
  sandbox.journal.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.progression.set({ mode: 'off' }, sandbox.clock.now());
}

/**
 * Empties every table (accounts, keys, bindings, deals, the partners cache and its queue, meta)
 * in one transaction, then seeds the demo dataset when `to` is `demo`. The demo is visible in the
 * partners view at once, whatever the cache lag: it is a fresh start, not a change.
 */
export async function resetStore(store: Store, to: 'empty' | 'demo'): Promise<{ deals: number }> {
  const result = await store.exclusive('tcdeals:admin-reset', async (tx) => {
    await clearTables(tx.db);
    if (to === 'empty') {
      await tx.setMeta(DEMO_META_KEY, EMPTY_RESET_MARK);
      return { deals: 0 };
    }
    tx.cacheLagMs = 0;
    const seeded = await seedDemoIfEmpty(tx);
    return { deals: seeded.deals };
  });
  return result!;
}

// ---------------------------------------------------------------------------------------------
// Deals: import (NDJSON streamed, or a JSON array) and export (the interchange shape)

export interface DealImportResult {
  imported: number;
  bound: number;
  ignoredFields: string[];
}

/** Refused imports roll back: nothing of them stays. */
export class ImportRejected extends Error {
  constructor(
    readonly problems: ImportProblem[],
    readonly total: number,
  ) {
    super(`${total} problem(s); nothing was imported. ${problems.slice(0, 5).map((p) => `${p.where}: ${p.reason}`).join('; ')}${total > 5 ? '; …' : ''}`);
  }
}

/** Problems listed in an answer; the count says how many there were in all. */
export const MAX_LISTED_PROBLEMS = 1000;

class ProblemList {
  readonly items: ImportProblem[] = [];
  total = 0;
  add(where: string, reason: string): void {
    this.total++;
    if (this.items.length < MAX_LISTED_PROBLEMS) this.items.push({ where, reason });
  }
}

const IMPORT_BATCH = 500;

/**
 * Imports deals line by line as they arrive, inside one transaction: every problem is collected
 * (by line, or by record for a JSON array) and then the whole import is rolled back. `agentUin`
 * also binds every owner without an agent to that agent, creating missing accounts, like
 * `tcdeals deals import --agent`.
 */
export async function importDeals(store: Store, lines: AsyncIterable<string>, agentUin?: string): Promise<DealImportResult> {
  const problems = new ProblemList();
  const ignored = new Set<string>();
  const firstSeen = new Map<string, number>();
  const owners = new Map<string, DealRecord>();
  let imported = 0;
  let bound = 0;
  const result = await store.exclusive('tcdeals:admin-import', async (tx) => {
    let batch: DealRecord[] = [];
    const flush = async () => {
      if (problems.total === 0 && batch.length > 0) await tx.upsertDeals(batch);
      batch = [];
    };
    const take = (records: DealRecord[]) => {
      for (const r of records) {
        imported++;
        if (!owners.has(r.owner_uin)) owners.set(r.owner_uin, r);
        batch.push(r);
      }
    };

    let n = 0;
    let arrayText: string[] | undefined;
    for await (const raw of lines) {
      n++;
      if (arrayText) {
        arrayText.push(raw);
        continue;
      }
      let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (n === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
      const trimmed = line.trim();
      if (trimmed === '') continue;
      if (trimmed.startsWith('[')) {
        if (imported > 0 || problems.total > 0) {
          problems.add(`line ${n}`, 'a JSON array inside NDJSON: send either one deal object per line, or one JSON array as the whole body');
          continue;
        }
        arrayText = [line]; // the whole body is one JSON array (possibly over many lines)
        continue;
      }
      const parsed = parseDealImport(line);
      for (const f of parsed.ignoredFields) ignored.add(f);
      for (const p of parsed.problems) problems.add(`line ${n}`, p.reason);
      for (const r of parsed.records) {
        const first = firstSeen.get(r.deal_name);
        if (first !== undefined) {
          problems.add(`line ${n}`, `duplicate DealName, first at line ${first} (DealName: ${describeValue(r.deal_name)})`);
          continue;
        }
        firstSeen.set(r.deal_name, n);
        take([r]);
      }
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    if (arrayText) {
      const parsed = parseDealImport(arrayText.join('\n'));
      for (const f of parsed.ignoredFields) ignored.add(f);
      for (const p of parsed.problems) problems.add(p.where, p.reason);
      take(parsed.records);
    }
    await flush();
    if (problems.total === 0 && agentUin !== undefined) bound = await bindOwners(tx, agentUin, owners, problems);
    if (problems.total > 0) throw new ImportRejected(problems.items, problems.total);
    return { imported, bound, ignoredFields: [...ignored].sort() };
  });
  return result!;
}

/** Binds each owner that has no agent yet to `agentUin` (creating missing accounts); bad bindings become problems. */
async function bindOwners(tx: Store, agentUin: string, owners: Map<string, DealRecord>, problems: ProblemList): Promise<number> {
  if (owners.size === 0) return 0;
  const already = new Set<string>();
  const uins = [...owners.keys()];
  for (let i = 0; i < uins.length; i += 500) {
    const rows = await tx.db.selectFrom('agent_clients').select('client_uin').where('client_uin', 'in', uins.slice(i, i + 500)).execute();
    for (const r of rows) already.add(r.client_uin);
  }
  let bound = 0;
  for (const [uin, sample] of owners) {
    if (already.has(uin) || uin === agentUin) continue;
    const salesUin = sample.sales_uin || '0';
    if (!/^\d{1,20}$/.test(salesUin)) {
      problems.add(`owner ${uin}`, `cannot bind to agent ${agentUin}: its deals' SalesUin ${describeValue(salesUin)} is not a UIN`);
      continue;
    }
    if (!(await tx.getAccount(uin))) await tx.createAccount({ uin, appId: /^\d{1,20}$/.test(sample.app_id) ? sample.app_id : undefined });
    await tx.bindClient({
      agentUin,
      clientUin: uin,
      clientType: (sample.client_type || 'new') as never,
      projectType: (sample.project_type || 'self') as never,
      salesUin,
      clientRemark: sample.client_remark ?? '',
    });
    bound++;
  }
  return bound;
}

const NO_RELATION: ClientRelation = { client_type: '', project_type: '', sales_uin: '', client_remark: '' };
const RELATION_FIELDS = [
  ['client_type', 'ClientType'],
  ['project_type', 'ProjectType'],
  ['sales_uin', 'SalesUin'],
  ['client_remark', 'ClientRemark'],
] as const;

/** A deal in the interchange shape; an unbound owner's deal leaves out the relation fields it does not have (import reads absent as "none"). */
export function exportDeal(d: DealRecord, binding: ClientRelation | undefined): Record<string, unknown> {
  const out = toExportDeal(d, binding ?? NO_RELATION) as unknown as Record<string, unknown>;
  if (!binding) for (const [column, field] of RELATION_FIELDS) if (d[column] === null) delete out[field];
  return out;
}

export interface ExportFilter {
  owner?: string;
  agent?: string;
}

const PAGE = 1000;

/**
 * Every deal matching the filter in the interchange shape: owner by owner (UIN order), each
 * owner's deals oldest first (then by DealName), walked by keyset so memory stays flat.
 */
export async function* exportDeals(db: Db, filter: ExportFilter): AsyncGenerator<Record<string, unknown>> {
  let owners: string[];
  if (filter.owner !== undefined) {
    owners = [filter.owner];
    if (filter.agent !== undefined) {
      const b = await db.selectFrom('agent_clients').select('client_uin').where('client_uin', '=', filter.owner).where('agent_uin', '=', filter.agent).executeTakeFirst();
      if (!b) owners = [];
    }
  } else if (filter.agent !== undefined) {
    owners = (await db.selectFrom('agent_clients').select('client_uin').where('agent_uin', '=', filter.agent).orderBy('client_uin').execute()).map((r) => r.client_uin);
  } else {
    owners = (await db.selectFrom('deals').select('owner_uin').distinct().orderBy('owner_uin').execute()).map((r) => r.owner_uin);
  }
  for (const owner of owners) {
    const binding = (await bindingsOf(db, [owner])).get(owner);
    let after: { time: string; name: string } | undefined;
    for (;;) {
      let q = db.selectFrom('deals').selectAll().where('owner_uin', '=', owner);
      if (after) {
        const { time, name } = after;
        // A row-value comparison: both engines walk the (owner_uin, create_time, deal_name) index from there.
        q = q.where((eb) => eb(eb.refTuple('create_time', 'deal_name'), '>', eb.tuple(time, name)));
      }
      const rows = await q.orderBy('create_time').orderBy('deal_name').limit(PAGE).execute();
      for (const d of rows) yield exportDeal(d, binding);
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1]!;
      after = { time: last.create_time, name: last.deal_name };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Snapshots

export const SNAPSHOT_FORMAT = 'tcdeals-snapshot';
export const SNAPSHOT_VERSION = 1;

type ColumnKind = 'string' | 'nullableString' | 'uin' | 'flag' | 'integer' | 'number' | 'jsonArray' | 'jsonObject';

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
  ['zone_code', 'nullableString'],
] as const satisfies ReadonlyArray<readonly [keyof DealRecord, ColumnKind]>;
type MissingDealColumn = Exclude<keyof DealRecord, (typeof DEAL_COLUMNS)[number][0]>;
const allDealColumns: [MissingDealColumn] extends [never] ? true : MissingDealColumn = true;
void allDealColumns;

/**
 * Line types in the order a snapshot holds them (parents before children). Tables without a line
 * type are derived and rebuilt on load: `deal_resources` from the deals, `deal_counts` by its
 * triggers as the deals are written, `agent_cache_order` (cache positions) lazily by the next
 * partners read; `meta` travels in the meta line.
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
} as const satisfies Record<string, LineSpec>;

type LineType = keyof typeof LINE_SPECS;
const LINE_TYPES = Object.keys(LINE_SPECS) as LineType[];

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
  const trx = await store.db.startTransaction().setIsolationLevel('repeatable read').execute();
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

export class SnapshotRejected extends Error {
  constructor(
    readonly problems: ImportProblem[],
    readonly total: number,
  ) {
    super(`${total} problem(s) in the snapshot; nothing was changed. ${problems.slice(0, 5).map((p) => `${p.where}: ${p.reason}`).join('; ')}${total > 5 ? '; …' : ''}`);
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

