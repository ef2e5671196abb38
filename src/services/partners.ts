/**
 * Creating the reseller's workflow records by hand (the admin API and the CLI): client profiles,
 * salespeople, client applications and unbinding applications, checked against the accounts and
 * bindings they refer to. Errors are plain `Error`s with a message for a person.
 */
import { CLIENT_TYPES, PROJECT_TYPES, type ClientType, type ProjectType } from '../domain/deal.js';
import { CLIENT_FLAGS, UNBIND_STATUSES, defaultProfile, type ClientApplication, type ClientFlag, type ClientProfile, type Salesman, type UnbindApplication } from '../domain/partners.js';
import { formatDateTime, isDateTime } from '../protocol/datetime.js';
import { applyPartnersData } from '../store/seed.js';
import type { Store } from '../store/store.js';

const UIN = /^\d{1,20}$/;

function uin(value: string, what: string): string {
  if (!UIN.test(value)) throw new Error(`${what} ${JSON.stringify(value)} is not a UIN (1-20 digits).`);
  return value;
}

function time(value: string | undefined, what: string, now: number): string {
  if (value === undefined) return formatDateTime(now);
  if (!isDateTime(value)) throw new Error(`${what} ${JSON.stringify(value)} is not a date-time YYYY-MM-DD HH:mm:ss.`);
  return value;
}

function oneOf<T extends string | number>(value: T, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value)) throw new Error(`${what} ${JSON.stringify(value)} must be one of ${allowed.join(', ')}.`);
  return value;
}

async function account(store: Store, u: string, what: string, agent?: boolean) {
  const a = await store.getAccount(uin(u, what));
  if (!a) throw new Error(`${what} ${u} does not exist.`);
  if (agent === true && !a.isAgent) throw new Error(`${what} ${u} is not an agent.`);
  if (agent === false && a.isAgent) throw new Error(`${what} ${u} is an agent, not a client account.`);
  return a;
}

export interface ProfileInput {
  clientUin: string;
  clientName?: string;
  clientFlag?: string;
  mail?: string;
  phone?: string;
  hasOverdueBill?: number;
  authType?: string;
  transactionType?: string;
}

/** Creates or changes a client account's profile (fields not given keep their value, or the default). */
export async function setProfile(store: Store, p: ProfileInput): Promise<ClientProfile> {
  await account(store, p.clientUin, 'Client account', false);
  const current = (await store.partners.listProfiles([p.clientUin]))[0] ?? defaultProfile(p.clientUin);
  const next: ClientProfile = {
    clientUin: p.clientUin,
    clientName: p.clientName ?? current.clientName,
    clientFlag: oneOf((p.clientFlag ?? current.clientFlag) as ClientFlag, CLIENT_FLAGS, 'ClientFlag'),
    mail: p.mail ?? current.mail,
    phone: p.phone ?? current.phone,
    hasOverdueBill: oneOf(p.hasOverdueBill ?? current.hasOverdueBill, [0, 1] as const, 'HasOverdueBill') as 0 | 1,
    authType: oneOf(p.authType ?? current.authType, ['-1', '0', '1'], 'AuthType'),
    transactionType: oneOf(p.transactionType ?? current.transactionType, ['1', '2', '3'], 'TransactionType'),
  };
  await store.partners.write({ profiles: [next], salesmen: [], applications: [], unbinds: [] });
  return next;
}

export async function addSalesman(store: Store, s: { agentUin: string; salesUin: string; salesName: string; createTime?: string }, now: number): Promise<Salesman> {
  await account(store, s.agentUin, 'Agent account', true);
  uin(s.salesUin, 'SalesUin');
  if (s.salesUin === '0') throw new Error('SalesUin 0 means "no salesperson".');
  const existing = (await store.partners.listSalesmen()).find((x) => x.salesUin === s.salesUin);
  if (existing && existing.agentUin !== s.agentUin) throw new Error(`Salesperson ${s.salesUin} belongs to agent ${existing.agentUin}.`);
  if (s.salesName.trim() === '') throw new Error('SalesName must not be empty.');
  const row: Salesman = { salesUin: s.salesUin, agentUin: s.agentUin, salesName: s.salesName, createTime: time(s.createTime, 'CreateTime', now) };
  await store.partners.write({ profiles: [], salesmen: [row], applications: [], unbinds: [] });
  return row;
}

export interface ApplicationInput {
  agentUin: string;
  clientUin: string;
  salesUin?: string;
  clientType?: string;
  projectType?: string;
  increaseGoal?: string;
  applyTime?: string;
  status?: 'pending' | 'rejected';
}

/** A client's application to an agent (pending unless told otherwise); replaces the client's previous one. */
export async function addApplication(store: Store, a: ApplicationInput, now: number): Promise<ClientApplication> {
  await account(store, a.agentUin, 'Agent account', true);
  await account(store, a.clientUin, 'Client account', false);
  if (await store.partners.isClientOf(a.agentUin, a.clientUin)) throw new Error(`Client ${a.clientUin} is already bound to agent ${a.agentUin}.`);
  const row: ClientApplication = {
    clientUin: a.clientUin,
    agentUin: a.agentUin,
    applyTime: time(a.applyTime, 'ApplyTime', now),
    status: oneOf(a.status ?? 'pending', ['pending', 'rejected'] as const, 'Status'),
    salesUin: uin(a.salesUin ?? '0', 'SalesUin'),
    clientType: oneOf((a.clientType ?? 'new') as ClientType, CLIENT_TYPES, 'ClientType'),
    projectType: oneOf((a.projectType ?? 'self') as ProjectType, PROJECT_TYPES, 'ProjectType'),
    increaseGoal: /^\d{1,15}$/.test(a.increaseGoal ?? '0') ? (a.increaseGoal ?? '0') : (() => { throw new Error('IncreaseGoal must be a whole number of fen.'); })(),
    note: '',
    decidedAt: a.status === 'rejected' ? formatDateTime(now) : null,
  };
  await store.partners.write({ profiles: [], salesmen: [], applications: [row], unbinds: [] });
  return row;
}

export async function addUnbind(store: Store, u: { agentUin: string; clientUin: string; status?: number; applyTime?: string; actionTime?: string }, now: number): Promise<UnbindApplication> {
  await account(store, u.agentUin, 'Agent account', true);
  await account(store, u.clientUin, 'Client account', false);
  const status = oneOf(u.status ?? 0, UNBIND_STATUSES, 'Status');
  const row: UnbindApplication = {
    id: await store.partners.nextUnbindId(),
    agentUin: u.agentUin,
    clientUin: u.clientUin,
    status,
    applyTime: time(u.applyTime, 'ApplyTime', now),
    actionTime: status === 0 ? '' : time(u.actionTime, 'ActionTime', now),
  };
  await store.partners.write({ profiles: [], salesmen: [], applications: [], unbinds: [row] });
  return row;
}

export { applyPartnersData };
