/**
 * Storage of the reseller's workflow: client profiles, salespeople, client applications and
 * unbinding applications, and the queries of the partners actions over them (and over the
 * bindings, deals and partners cache they relate to). Every query is scoped to one agent.
 */
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import {
  countsAsConsumption,
  defaultProfile,
  type AuditedClientRow,
  type ClientApplication,
  type ClientFlag,
  type ClientProfile,
  type MonthAmounts,
  type PartnersData,
  type Salesman,
  type UnbindApplication,
} from '../domain/partners.js';
import type { ClientType, DealRecord, ProjectType } from '../domain/deal.js';
import type { ClientApplicationsTable, ClientProfilesTable, Database, SalesmenTable, UnbindApplicationsTable } from './schema.js';
import { assertStorable, hasNul } from './text.js';

type Db = Kysely<Database>;
export type Kind = 'sqlite' | 'postgres';

/** `column` contains `value` (case-sensitive, byte-wise, the same on both engines; no LIKE wildcards). */
function contains(kind: Kind, column: Expression<unknown> | ReturnType<typeof sql>, value: string) {
  return kind === 'postgres' ? sql<SqlBool>`strpos(${column}, ${value}) > 0` : sql<SqlBool>`instr(${column}, ${value}) > 0`;
}

/** A text filter: absent or empty means none; a value holding U+0000 matches nothing (see text.ts). */
const given = (v: string | undefined): v is string => v !== undefined && v !== '';

// ---------------------------------------------------------------------------------------------
// Rows

function profileRow(p: ClientProfile): ClientProfilesTable {
  return {
    client_uin: p.clientUin,
    client_name: p.clientName,
    client_flag: p.clientFlag,
    mail: p.mail,
    phone: p.phone,
    has_overdue_bill: p.hasOverdueBill,
    auth_type: p.authType,
    transaction_type: p.transactionType,
  };
}

export function toProfile(r: ClientProfilesTable): ClientProfile {
  return {
    clientUin: r.client_uin,
    clientName: r.client_name,
    clientFlag: r.client_flag as ClientFlag,
    mail: r.mail,
    phone: r.phone,
    hasOverdueBill: Number(r.has_overdue_bill) === 1 ? 1 : 0,
    authType: r.auth_type,
    transactionType: r.transaction_type,
  };
}

function applicationRow(a: ClientApplication): ClientApplicationsTable {
  return {
    client_uin: a.clientUin,
    agent_uin: a.agentUin,
    apply_time: a.applyTime,
    status: a.status,
    sales_uin: a.salesUin,
    client_type: a.clientType,
    project_type: a.projectType,
    increase_goal: a.increaseGoal,
    note: a.note,
    decided_at: a.decidedAt,
  };
}

export function toApplication(r: ClientApplicationsTable): ClientApplication {
  return {
    clientUin: r.client_uin,
    agentUin: r.agent_uin,
    applyTime: r.apply_time,
    status: r.status as ClientApplication['status'],
    salesUin: r.sales_uin,
    clientType: r.client_type as ClientType,
    projectType: r.project_type as ProjectType,
    increaseGoal: r.increase_goal,
    note: r.note,
    decidedAt: r.decided_at,
  };
}

function unbindRow(u: UnbindApplication): UnbindApplicationsTable {
  return { id: u.id, agent_uin: u.agentUin, client_uin: u.clientUin, status: u.status, apply_time: u.applyTime, action_time: u.actionTime };
}

export function toUnbind(r: UnbindApplicationsTable): UnbindApplication {
  return { id: r.id, agentUin: r.agent_uin, clientUin: r.client_uin, status: Number(r.status), applyTime: r.apply_time, actionTime: r.action_time };
}

function salesmanRow(s: Salesman): SalesmenTable {
  return { sales_uin: s.salesUin, agent_uin: s.agentUin, sales_name: s.salesName, create_time: s.createTime };
}

export function toSalesman(r: SalesmenTable): Salesman {
  return { salesUin: r.sales_uin, agentUin: r.agent_uin, salesName: r.sales_name, createTime: r.create_time };
}

// ---------------------------------------------------------------------------------------------
// Writes (insert or replace by primary key)

const CHUNK = 200;

async function upsertRows<T extends keyof Database>(db: Db, table: T, key: string, rows: ReadonlyArray<Database[T]>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    for (const row of part) assertStorable(row as object, `${table} row`);
    const columns = Object.keys(part[0] as object).filter((c) => c !== key);
    await db
      .insertInto(table)
      .values(part as never)
      .onConflict((oc) => oc.column(key as never).doUpdateSet(Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])) as never))
      .execute();
  }
}

export async function writePartnersData(db: Db, data: Omit<PartnersData, 'accounts'>): Promise<void> {
  if (data.profiles.length) await upsertRows(db, 'client_profiles', 'client_uin', data.profiles.map(profileRow));
  if (data.salesmen.length) await upsertRows(db, 'salesmen', 'sales_uin', data.salesmen.map(salesmanRow));
  if (data.applications.length) await upsertRows(db, 'client_applications', 'client_uin', data.applications.map(applicationRow));
  if (data.unbinds.length) await upsertRows(db, 'unbind_applications', 'id', data.unbinds.map(unbindRow));
}

export async function nextUnbindId(db: Db): Promise<string> {
  const row = await db.selectFrom('unbind_applications').select('id').where('id', 'like', 'UB%').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const n = row ? Number(row.id.slice(2)) || 0 : 0;
  return `UB${String(n + 1).padStart(8, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Reads for the admin API and the CLI

export async function listProfiles(db: Db, clientUins?: readonly string[]): Promise<ClientProfile[]> {
  let q = db.selectFrom('client_profiles').selectAll();
  if (clientUins) q = q.where('client_uin', 'in', clientUins.length ? [...clientUins] : ['']);
  return (await q.orderBy('client_uin').execute()).map(toProfile);
}

export async function listApplications(db: Db, agentUin?: string): Promise<ClientApplication[]> {
  let q = db.selectFrom('client_applications').selectAll();
  if (agentUin !== undefined) q = q.where('agent_uin', '=', agentUin);
  return (await q.orderBy('apply_time').orderBy('client_uin').execute()).map(toApplication);
}

export async function listUnbinds(db: Db, agentUin?: string): Promise<UnbindApplication[]> {
  let q = db.selectFrom('unbind_applications').selectAll();
  if (agentUin !== undefined) q = q.where('agent_uin', '=', agentUin);
  return (await q.orderBy('apply_time').orderBy('id').execute()).map(toUnbind);
}

export async function listSalesmen(db: Db, agentUin?: string): Promise<Salesman[]> {
  let q = db.selectFrom('salesmen').selectAll();
  if (agentUin !== undefined) q = q.where('agent_uin', '=', agentUin);
  return (await q.orderBy('create_time').orderBy('sales_uin').execute()).map(toSalesman);
}

export async function getApplication(db: Db, clientUin: string): Promise<ClientApplication | undefined> {
  if (hasNul(clientUin)) return undefined;
  const row = await db.selectFrom('client_applications').selectAll().where('client_uin', '=', clientUin).executeTakeFirst();
  return row && toApplication(row);
}

export async function getProfile(db: Db, clientUin: string): Promise<ClientProfile> {
  const row = hasNul(clientUin) ? undefined : await db.selectFrom('client_profiles').selectAll().where('client_uin', '=', clientUin).executeTakeFirst();
  return row ? toProfile(row) : defaultProfile(clientUin);
}

export async function decideApplication(db: Db, clientUin: string, status: 'accepted' | 'rejected', note: string, at: string): Promise<void> {
  assertStorable({ note }, 'Audit note');
  await db.updateTable('client_applications').set({ status, note, decided_at: at }).where('client_uin', '=', clientUin).execute();
}

/** Sets a bound client's remark; false when the client is not bound to the agent. */
export async function setRemark(db: Db, agentUin: string, clientUin: string, remark: string): Promise<boolean> {
  assertStorable({ remark }, 'Client remark');
  if (hasNul(clientUin)) return false;
  const r = await db.updateTable('agent_clients').set({ client_remark: remark }).where('client_uin', '=', clientUin).where('agent_uin', '=', agentUin).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The agent a client is bound to, if any. */
export async function agentOf(db: Db, clientUin: string): Promise<string | undefined> {
  if (hasNul(clientUin)) return undefined;
  const row = await db.selectFrom('agent_clients').select('agent_uin').where('client_uin', '=', clientUin).executeTakeFirst();
  return row?.agent_uin;
}

export async function isClientOf(db: Db, agentUin: string, clientUin: string): Promise<boolean> {
  if (hasNul(clientUin)) return false;
  const row = await db.selectFrom('agent_clients').select('client_uin').where('client_uin', '=', clientUin).where('agent_uin', '=', agentUin).executeTakeFirst();
  return row !== undefined;
}

// ---------------------------------------------------------------------------------------------
// DescribeAgentAuditedClients

export interface AuditedClientsQuery {
  agentUin: string;
  clientUin?: string;
  clientUins?: readonly string[];
  clientName?: string;
  clientFlag?: string;
  clientRemark?: string;
  clientType?: string;
  projectType?: string;
  salesUin?: string;
  salesName?: string;
  hasOverdueBill?: number;
  ascending: boolean;
  offset: number;
  limit: number;
}

export async function queryAuditedClients(db: Db, kind: Kind, q: AuditedClientsQuery): Promise<{ total: number; rows: AuditedClientRow[] }> {
  const texts = [q.clientUin, q.clientName, q.clientFlag, q.clientRemark, q.clientType, q.projectType, q.salesUin, q.salesName, ...(q.clientUins ?? [])];
  if (texts.some((t) => t !== undefined && hasNul(t))) return { total: 0, rows: [] };
  let base = db
    .selectFrom('agent_clients as ac')
    .innerJoin('accounts as a', 'a.uin', 'ac.client_uin')
    .leftJoin('client_profiles as p', 'p.client_uin', 'ac.client_uin')
    .leftJoin('salesmen as s', (j) => j.onRef('s.sales_uin', '=', 'ac.sales_uin').onRef('s.agent_uin', '=', 'ac.agent_uin'))
    .where('ac.agent_uin', '=', q.agentUin);
  if (given(q.clientUin)) base = base.where('ac.client_uin', '=', q.clientUin);
  if (q.clientUins?.length) base = base.where('ac.client_uin', 'in', [...q.clientUins]);
  if (given(q.clientName)) base = base.where(contains(kind, sql`coalesce(p.client_name, ac.client_uin)`, q.clientName));
  if (given(q.clientFlag)) base = base.where(sql<SqlBool>`coalesce(p.client_flag, 'a') = ${q.clientFlag}`);
  if (given(q.clientRemark)) base = base.where(contains(kind, sql`ac.client_remark`, q.clientRemark));
  if (given(q.clientType)) base = base.where('ac.client_type', '=', q.clientType);
  if (given(q.projectType)) base = base.where('ac.project_type', '=', q.projectType);
  if (given(q.salesUin)) base = base.where('ac.sales_uin', '=', q.salesUin);
  if (given(q.salesName)) base = base.where(contains(kind, sql`coalesce(s.sales_name, '')`, q.salesName));
  if (q.hasOverdueBill !== undefined) base = base.where(sql<SqlBool>`coalesce(p.has_overdue_bill, 0) = ${q.hasOverdueBill}`);
  const count = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  const total = Number(count.n);
  if (q.offset >= total) return { total, rows: [] };
  const dir = q.ascending ? 'asc' : 'desc';
  const rows = await base
    .select([
      'ac.agent_uin', 'ac.client_uin', 'a.app_id', 'ac.bound_at', 'ac.client_type', 'ac.project_type', 'ac.sales_uin', 'ac.client_remark', 's.sales_name',
      'p.client_name', 'p.client_flag', 'p.mail', 'p.phone', 'p.has_overdue_bill', 'p.auth_type', 'p.transaction_type',
    ])
    .orderBy('ac.bound_at', dir)
    .orderBy('ac.client_uin', dir)
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return {
    total,
    rows: rows.map((r) => ({
      agentUin: r.agent_uin,
      clientUin: r.client_uin,
      appId: r.app_id,
      boundAt: r.bound_at,
      clientType: r.client_type,
      projectType: r.project_type,
      salesUin: r.sales_uin,
      clientRemark: r.client_remark,
      salesName: r.sales_name,
      profile:
        r.client_name === null
          ? defaultProfile(r.client_uin)
          : toProfile({
              client_uin: r.client_uin,
              client_name: r.client_name,
              client_flag: r.client_flag!,
              mail: r.mail!,
              phone: r.phone!,
              has_overdue_bill: r.has_overdue_bill!,
              auth_type: r.auth_type!,
              transaction_type: r.transaction_type!,
            }),
    })),
  };
}

/** Each client's consumption last month and this month (see countsAsConsumption), in fen, at least 0. */
export async function monthAmounts(db: Db, clientUins: readonly string[], w: { lastStart: string; thisStart: string; nextStart: string }): Promise<Map<string, MonthAmounts>> {
  const out = new Map<string, MonthAmounts>(clientUins.map((u) => [u, { lastMonth: 0, thisMonth: 0 }]));
  if (clientUins.length === 0) return out;
  // Along (owner_uin, status, create_time): two statuses a client, each a range seek.
  const rows = await db
    .selectFrom('deals')
    .select(['owner_uin', 'status', 'action_type', 'create_time', 'real_total_cost'])
    .where('owner_uin', 'in', [...clientUins])
    .where('status', 'in', [4, 6])
    .where('create_time', '>=', w.lastStart)
    .where('create_time', '<', w.nextStart)
    .execute();
  for (const r of rows) {
    if (!countsAsConsumption({ status: Number(r.status), action_type: r.action_type })) continue;
    const m = out.get(r.owner_uin)!;
    if (r.create_time >= w.thisStart) m.thisMonth += Number(r.real_total_cost);
    else m.lastMonth += Number(r.real_total_cost);
  }
  for (const m of out.values()) {
    m.lastMonth = Math.max(0, m.lastMonth);
    m.thisMonth = Math.max(0, m.thisMonth);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DescribeAgentClients

export interface ApplicationsQuery {
  agentUin: string;
  clientUin?: string;
  clientName?: string;
  clientFlag?: string;
  salesUin?: string;
  salesName?: string;
  ascending: boolean;
  offset: number;
  limit: number;
}

export interface ApplicationRow {
  application: ClientApplication;
  profile: ClientProfile;
  salesName: string | null;
}

export async function queryApplications(db: Db, kind: Kind, q: ApplicationsQuery): Promise<{ total: number; rows: ApplicationRow[] }> {
  const texts = [q.clientUin, q.clientName, q.clientFlag, q.salesUin, q.salesName];
  if (texts.some((t) => t !== undefined && hasNul(t))) return { total: 0, rows: [] };
  let base = db
    .selectFrom('client_applications as ca')
    .leftJoin('client_profiles as p', 'p.client_uin', 'ca.client_uin')
    .leftJoin('salesmen as s', (j) => j.onRef('s.sales_uin', '=', 'ca.sales_uin').onRef('s.agent_uin', '=', 'ca.agent_uin'))
    .where('ca.agent_uin', '=', q.agentUin)
    .where('ca.status', '=', 'pending');
  if (given(q.clientUin)) base = base.where('ca.client_uin', '=', q.clientUin);
  if (given(q.clientName)) base = base.where(contains(kind, sql`coalesce(p.client_name, ca.client_uin)`, q.clientName));
  if (given(q.clientFlag)) base = base.where(sql<SqlBool>`coalesce(p.client_flag, 'a') = ${q.clientFlag}`);
  if (given(q.salesUin)) base = base.where('ca.sales_uin', '=', q.salesUin);
  if (given(q.salesName)) base = base.where(contains(kind, sql`coalesce(s.sales_name, '')`, q.salesName));
  const count = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  const total = Number(count.n);
  if (q.offset >= total) return { total, rows: [] };
  const dir = q.ascending ? 'asc' : 'desc';
  const rows = await base.selectAll('ca').select('s.sales_name').orderBy('ca.apply_time', dir).orderBy('ca.client_uin', dir).limit(q.limit).offset(q.offset).execute();
  const profiles = new Map((await listProfiles(db, rows.map((r) => r.client_uin))).map((p) => [p.clientUin, p]));
  return {
    total,
    rows: rows.map((r) => ({
      application: toApplication(r),
      profile: profiles.get(r.client_uin) ?? defaultProfile(r.client_uin),
      salesName: r.sales_name,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// DescribeUnbindClientList

export interface UnbindsQuery {
  agentUin: string;
  /** UnbindClientElem statuses to include; undefined: all. */
  statuses?: readonly number[];
  clientUin?: string;
  applyFrom?: string;
  applyTo?: string;
  ascending: boolean;
  offset: number;
  limit: number;
}

export async function queryUnbinds(db: Db, q: UnbindsQuery): Promise<{ total: number; rows: Array<{ unbind: UnbindApplication; name: string }> }> {
  if (q.clientUin !== undefined && hasNul(q.clientUin)) return { total: 0, rows: [] };
  let base = db.selectFrom('unbind_applications as u').leftJoin('client_profiles as p', 'p.client_uin', 'u.client_uin').where('u.agent_uin', '=', q.agentUin);
  if (q.statuses) base = base.where('u.status', 'in', [...q.statuses]);
  if (given(q.clientUin)) base = base.where('u.client_uin', '=', q.clientUin);
  if (q.applyFrom !== undefined) base = base.where('u.apply_time', '>=', q.applyFrom);
  if (q.applyTo !== undefined) base = base.where('u.apply_time', '<=', q.applyTo);
  const count = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  const total = Number(count.n);
  if (q.offset >= total) return { total, rows: [] };
  const dir = q.ascending ? 'asc' : 'desc';
  const rows = await base.selectAll('u').select('p.client_name').orderBy('u.apply_time', dir).orderBy('u.id', dir).limit(q.limit).offset(q.offset).execute();
  return { total, rows: rows.map((r) => ({ unbind: toUnbind(r), name: r.client_name ?? r.client_uin })) };
}

// ---------------------------------------------------------------------------------------------
// DescribeSalesmans

export interface SalesmenQuery {
  agentUin: string;
  salesUin?: string;
  salesName?: string;
  ascending: boolean;
  offset: number;
  limit: number;
}

export async function querySalesmen(db: Db, kind: Kind, q: SalesmenQuery): Promise<{ total: number; rows: Salesman[] }> {
  if ([q.salesUin, q.salesName].some((t) => t !== undefined && hasNul(t))) return { total: 0, rows: [] };
  let base = db.selectFrom('salesmen').where('agent_uin', '=', q.agentUin);
  if (given(q.salesUin)) base = base.where('sales_uin', '=', q.salesUin);
  if (given(q.salesName)) base = base.where(contains(kind, sql.ref('sales_name'), q.salesName));
  const count = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  const total = Number(count.n);
  if (q.offset >= total) return { total, rows: [] };
  const dir = q.ascending ? 'asc' : 'desc';
  const rows = await base.selectAll().orderBy('create_time', dir).orderBy('sales_uin', dir).limit(q.limit).offset(q.offset).execute();
  return { total, rows: rows.map(toSalesman) };
}

// ---------------------------------------------------------------------------------------------
// Deals: related big deals and price details, over what the agent sees in the partners cache

/**
 * The big deals related to `bigDealId` for the agent: other big deals of the same client, among
 * the agent's cached deals, holding a deal that acts on a resource a deal of `bigDealId` acts on
 * (its purchase, renewals, changes, moves and refunds). Empty when the agent sees no deal of
 * `bigDealId`. Sorted by big deal id.
 */
export async function relatedBigDealIds(db: Db, agentUin: string, bigDealId: string): Promise<string[]> {
  if (hasNul(bigDealId)) return [];
  const own = await db.selectFrom('agent_deal_cache').select(['deal_name', 'owner_uin']).where('agent_uin', '=', agentUin).where('big_deal_id', '=', bigDealId).execute();
  if (own.length === 0) return [];
  const owners = [...new Set(own.map((r) => r.owner_uin))];
  const rows = await db
    .selectFrom('deal_resources as mine')
    .innerJoin('deal_resources as other', 'other.resource_id', 'mine.resource_id')
    .innerJoin('agent_deal_cache as c', 'c.deal_name', 'other.deal_name')
    .select('c.big_deal_id')
    .distinct()
    .where('mine.deal_name', 'in', own.map((r) => r.deal_name))
    .where('c.agent_uin', '=', agentUin)
    .where('c.owner_uin', 'in', owners)
    .where('c.big_deal_id', '<>', bigDealId)
    .orderBy('c.big_deal_id')
    .execute();
  return rows.map((r) => r.big_deal_id);
}

/** The agent's cached deals of `year` among `dealNames` (optionally of one owner), in the order asked. */
export async function priceDetailDeals(db: Db, agentUin: string, dealNames: readonly string[], year: number, ownerUin?: string): Promise<DealRecord[]> {
  const names = [...new Set(dealNames.filter((n) => !hasNul(n)))];
  if (names.length === 0 || (ownerUin !== undefined && hasNul(ownerUin))) return [];
  let q = db
    .selectFrom('deals as d')
    .innerJoin('agent_deal_cache as c', 'c.deal_name', 'd.deal_name')
    .selectAll('d')
    .where('c.agent_uin', '=', agentUin)
    .where('d.deal_name', 'in', names)
    .where('d.create_time', '>=', `${year}-01-01 00:00:00`)
    .where('d.create_time', '<=', `${year}-12-31 23:59:59`);
  if (ownerUin !== undefined) q = q.where('d.owner_uin', '=', ownerUin);
  const byName = new Map((await q.execute()).map((d) => [d.deal_name, d as DealRecord]));
  return names.flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []));
}
