/**
 * Accounts, their API keys, and agent-client bindings:
 *   GET/POST /accounts, GET /accounts/:uin, GET/POST /accounts/:uin/keys, GET/POST /bindings.
 * Entities use the API's PascalCase names; a SecretKey is only ever shown in the answer that created it.
 */
import type { FastifyInstance } from 'fastify';
import { CLIENT_TYPES, PROJECT_TYPES } from '../../domain/deal.js';
import type { AccountsTable, AgentClientsTable } from '../../store/schema.js';
import type { AdminRoutes } from '../index.js';
import { AdminError, type AdminContext } from '../context.js';
import { booleanField, has, jsonBody, knownQuery, notFound, oneOfField, queryUin, stringField, uinField, uinValue, bad } from '../validate.js';

const SECRET_ID = /^[A-Za-z0-9_-]{1,128}$/;
const SECRET_KEY = /^[\x21-\x7e]{1,128}$/;

export function accountView(a: AccountsTable) {
  return { Uin: a.uin, AppId: a.app_id, Agent: a.is_agent === 1, CreatedAt: a.created_at };
}

export function bindingView(b: AgentClientsTable) {
  return {
    AgentUin: b.agent_uin,
    ClientUin: b.client_uin,
    ClientType: b.client_type,
    ProjectType: b.project_type,
    SalesUin: b.sales_uin,
    ClientRemark: b.client_remark,
    BoundAt: b.bound_at,
  };
}

async function accountRow(ctx: AdminContext, uin: string): Promise<AccountsTable | undefined> {
  return ctx.store.db.selectFrom('accounts').selectAll().where('uin', '=', uin).executeTakeFirst();
}

async function mustExist(ctx: AdminContext, uin: string, what = 'Account'): Promise<AccountsTable> {
  const row = await accountRow(ctx, uin);
  if (!row) throw notFound(`${what} ${uin} does not exist.`, 'AccountNotFound');
  return row;
}

function count(rows: { n: number | string | bigint }): number {
  return Number(rows.n);
}

export const accountRoutes: AdminRoutes = (app: FastifyInstance, ctx: AdminContext) => {
  const { store } = ctx;

  app.get('/accounts', async (req) => {
    knownQuery(req.query, []);
    const rows = await store.db.selectFrom('accounts').selectAll().orderBy('uin').execute();
    return { TotalCount: rows.length, Accounts: rows.map(accountView) };
  });

  app.post('/accounts', async (req, reply) => {
    const body = jsonBody(req.body, ['Uin', 'AppId', 'Agent']);
    const uin = uinField(body, 'Uin');
    const appId = has(body, 'AppId') ? uinValue(body.AppId, 'AppId') : undefined;
    const isAgent = booleanField(body, 'Agent', false);
    if (await accountRow(ctx, uin)) throw new AdminError(409, 'AccountExists', `Account ${uin} already exists.`);
    await store.createAccount({ uin, appId, isAgent });
    return reply.code(201).send(accountView((await accountRow(ctx, uin))!));
  });

  app.get<{ Params: { uin: string } }>('/accounts/:uin', async (req) => {
    knownQuery(req.query, []);
    const uin = uinValue(req.params.uin, 'The UIN in the path');
    const row = await mustExist(ctx, uin);
    const binding = await store.db.selectFrom('agent_clients').selectAll().where('client_uin', '=', uin).executeTakeFirst();
    const clients = await store.db.selectFrom('agent_clients').select((eb) => eb.fn.countAll<number | string>().as('n')).where('agent_uin', '=', uin).executeTakeFirstOrThrow();
    const deals = await store.db.selectFrom('deals').select((eb) => eb.fn.countAll<number | string>().as('n')).where('owner_uin', '=', uin).executeTakeFirstOrThrow();
    return {
      ...accountView(row),
      SecretIds: await store.listKeyIds(uin),
      Binding: binding ? bindingView(binding) : null,
      Clients: count(clients),
      Deals: count(deals),
    };
  });

  app.get<{ Params: { uin: string } }>('/accounts/:uin/keys', async (req) => {
    knownQuery(req.query, []);
    const uin = uinValue(req.params.uin, 'The UIN in the path');
    await mustExist(ctx, uin);
    return { Uin: uin, SecretIds: await store.listKeyIds(uin) };
  });

  // The body is optional: {} creates a random pair; {SecretId, SecretKey} installs a known one (fixtures, CI).
  app.post<{ Params: { uin: string } }>('/accounts/:uin/keys', async (req, reply) => {
    const uin = uinValue(req.params.uin, 'The UIN in the path');
    const body = jsonBody(req.body, ['SecretId', 'SecretKey'], true);
    await mustExist(ctx, uin);
    let fixed: { SecretId: string; SecretKey: string } | undefined;
    if (has(body, 'SecretId') || has(body, 'SecretKey')) {
      const SecretId = stringField(body, 'SecretId');
      const SecretKey = stringField(body, 'SecretKey');
      if (!SECRET_ID.test(SecretId)) throw bad(`SecretId must be 1-128 letters, digits, "_" or "-" (it travels inside the Authorization header).`);
      if (!SECRET_KEY.test(SecretKey)) throw bad('SecretKey must be 1-128 printable ASCII characters without spaces.');
      if (await store.findKey(SecretId)) throw new AdminError(409, 'KeyExists', `SecretId ${SecretId} already exists.`);
      fixed = { SecretId, SecretKey };
    }
    const key = await store.createKey(uin, fixed);
    return reply.code(201).send({ Uin: uin, SecretId: key.SecretId, SecretKey: key.SecretKey });
  });

  app.get('/bindings', async (req) => {
    knownQuery(req.query, ['agent', 'client']);
    const agent = queryUin(req.query, 'agent');
    const client = queryUin(req.query, 'client');
    let q = store.db.selectFrom('agent_clients').selectAll();
    if (agent !== undefined) q = q.where('agent_uin', '=', agent);
    if (client !== undefined) q = q.where('client_uin', '=', client);
    const rows = await q.orderBy('client_uin').execute();
    return { TotalCount: rows.length, Bindings: rows.map(bindingView) };
  });

  // Binding again moves the client (and its deals in the partners view) to the new agent.
  app.post('/bindings', async (req, reply) => {
    const body = jsonBody(req.body, ['AgentUin', 'ClientUin', 'ClientType', 'ProjectType', 'SalesUin', 'ClientRemark']);
    const agentUin = uinField(body, 'AgentUin');
    const clientUin = uinField(body, 'ClientUin');
    const clientType = oneOfField(body, 'ClientType', CLIENT_TYPES, 'new');
    const projectType = oneOfField(body, 'ProjectType', PROJECT_TYPES, 'self');
    const salesUin = uinField(body, 'SalesUin', '0');
    const clientRemark = stringField(body, 'ClientRemark', '');
    const agent = await mustExist(ctx, agentUin, 'Agent account');
    if (agent.is_agent !== 1) throw bad(`Account ${agentUin} is not an agent (create it with "Agent": true).`, 'NotAnAgent');
    await mustExist(ctx, clientUin, 'Client account');
    if (agentUin === clientUin) throw bad('An agent cannot be its own client.');
    await store.bindClient({ agentUin, clientUin, clientType, projectType, salesUin, clientRemark });
    const row = await store.db.selectFrom('agent_clients').selectAll().where('client_uin', '=', clientUin).executeTakeFirstOrThrow();
    return reply.code(201).send(bindingView(row));
  });
};
