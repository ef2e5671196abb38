/** Accounts, their API keys, and the agent-client bindings. */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { KeyRecord } from '../protocol/authenticate.js';
import { defaultAppId, type Binding } from '../domain/account.js';
import type { AccountsTable, AgentClientsTable, Database } from './schema.js';
import { assertStorable, hasNul } from './text.js';

export { defaultAppId, type Binding };

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomToken(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely.
  for (const b of bytes) {
    if (b < 248) out += BASE62[b % 62];
    if (out.length === length) return out;
  }
  return out + randomToken(length - out.length);
}

export interface NewAccount {
  uin: string;
  appId?: string;
  isAgent?: boolean;
}

export interface Account {
  uin: string;
  appId: string;
  isAgent: boolean;
}

export interface NewKey {
  SecretId: string;
  SecretKey: string;
}


const UIN = /^\d{1,20}$/;

export function assertUin(uin: string, what = 'UIN'): void {
  if (!UIN.test(uin)) throw new Error(`${what} ${JSON.stringify(uin)} is not valid: it must be 1-20 digits.`);
}

function toAccount(row: AccountsTable): Account {
  return { uin: row.uin, appId: row.app_id, isAgent: row.is_agent === 1 };
}


export async function createAccount(db: Kysely<Database>, a: NewAccount, now: string): Promise<Account> {
  assertUin(a.uin);
  if (a.appId !== undefined) assertUin(a.appId, 'AppId');
  const existing = await getAccount(db, a.uin);
  if (existing) throw new Error(`Account ${a.uin} already exists.`);
  const row: AccountsTable = { uin: a.uin, app_id: a.appId ?? defaultAppId(a.uin), is_agent: a.isAgent ? 1 : 0, created_at: now };
  await db.insertInto('accounts').values(row).execute();
  return toAccount(row);
}

export async function getAccount(db: Kysely<Database>, uin: string): Promise<Account | undefined> {
  if (hasNul(uin)) return undefined; // equals nothing stored (see text.ts)
  const row = await db.selectFrom('accounts').selectAll().where('uin', '=', uin).executeTakeFirst();
  return row && toAccount(row);
}

export async function createKey(db: Kysely<Database>, uin: string, now: string, fixed?: NewKey): Promise<NewKey> {
  if (!(await getAccount(db, uin))) throw new Error(`Account ${uin} does not exist; create it first.`);
  const key = fixed ?? { SecretId: `AKID${randomToken(32)}`, SecretKey: randomToken(32) };
  assertStorable(key, 'API key');
  await db.insertInto('api_keys').values({ secret_id: key.SecretId, secret_key: key.SecretKey, uin, created_at: now }).execute();
  return key;
}

export async function findKey(db: Kysely<Database>, secretId: string): Promise<KeyRecord | undefined> {
  // A SecretId from a request (a v1 form may carry %00) can hold U+0000: it names no key (see text.ts).
  if (hasNul(secretId)) return undefined;
  // The account comes along in the same query: every API call needs both.
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('accounts', 'accounts.uin', 'api_keys.uin')
    .select(['api_keys.secret_id', 'api_keys.secret_key', 'api_keys.uin', 'accounts.app_id', 'accounts.is_agent'])
    .where('api_keys.secret_id', '=', secretId)
    .executeTakeFirst();
  return row && { secretId: row.secret_id, secretKey: row.secret_key, uin: row.uin, account: { uin: row.uin, appId: row.app_id, isAgent: Number(row.is_agent) === 1 } };
}

export async function listKeyIds(db: Kysely<Database>, uin: string): Promise<string[]> {
  const rows = await db.selectFrom('api_keys').select('secret_id').where('uin', '=', uin).orderBy('created_at').execute();
  return rows.map((r) => r.secret_id);
}

/** Binds (or re-binds) a client to an agent. Both accounts must exist and the agent must be one. */
/**
 * The row for a binding, after the checks every path (single binds and bulk loads) shares:
 * `agentIsAgent` is undefined when the agent account does not exist.
 */
export function bindingRow(b: Binding, agentIsAgent: boolean | undefined, clientExists: boolean, now: string): AgentClientsTable {
  if (agentIsAgent === undefined) throw new Error(`Agent account ${b.agentUin} does not exist.`);
  if (!agentIsAgent) throw new Error(`Account ${b.agentUin} is not an agent (create it with --agent).`);
  if (!clientExists) throw new Error(`Client account ${b.clientUin} does not exist.`);
  if (b.clientUin === b.agentUin) throw new Error('An agent cannot be its own client.');
  assertUin(b.salesUin, 'Sales UIN');
  return {
    client_uin: b.clientUin,
    agent_uin: b.agentUin,
    client_type: b.clientType,
    project_type: b.projectType,
    sales_uin: b.salesUin,
    client_remark: b.clientRemark,
    bound_at: now,
  };
}

export async function bindClient(db: Kysely<Database>, b: Binding, now: string): Promise<void> {
  const agent = await getAccount(db, b.agentUin);
  const row = bindingRow(b, agent?.isAgent, (await getAccount(db, b.clientUin)) !== undefined, now);
  assertStorable(row, `Binding of client ${b.clientUin}`);
  await db
    .insertInto('agent_clients')
    .values(row)
    .onConflict((oc) =>
      oc.column('client_uin').doUpdateSet({
        agent_uin: row.agent_uin,
        client_type: row.client_type,
        project_type: row.project_type,
        sales_uin: row.sales_uin,
        client_remark: row.client_remark,
        bound_at: row.bound_at,
      }),
    )
    .execute();
}

export async function bindingsOf(db: Kysely<Database>, clientUins: readonly string[]): Promise<Map<string, AgentClientsTable>> {
  const out = new Map<string, AgentClientsTable>();
  if (clientUins.length === 0) return out;
  const rows = await db.selectFrom('agent_clients').selectAll().where('client_uin', 'in', [...clientUins]).execute();
  for (const r of rows) out.set(r.client_uin, r);
  return out;
}
