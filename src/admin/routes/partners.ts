/**
 * The reseller's workflow records (see docs/partners.md):
 *   GET/POST /client-profiles, GET/POST /salesmen, GET/POST /client-applications,
 *   GET/POST /unbind-applications — lists take ?agent= (and profiles ?client=).
 * Entities use the API's PascalCase names.
 */
import type { FastifyInstance } from 'fastify';
import type { ClientApplication, ClientProfile, Salesman, UnbindApplication } from '../../domain/partners.js';
import { addApplication, addSalesman, addUnbind, setProfile } from '../../services/partners.js';
import type { AdminRoutes } from '../index.js';
import type { AdminContext } from '../context.js';
import { bad, has, jsonBody, knownQuery, numberValue, queryUin, stringField, uinField } from '../validate.js';

export const profileView = (p: ClientProfile) => ({
  ClientUin: p.clientUin, ClientName: p.clientName, ClientFlag: p.clientFlag, Mail: p.mail, Phone: p.phone,
  HasOverdueBill: p.hasOverdueBill, AuthType: p.authType, TransactionType: p.transactionType,
});
export const salesmanView = (s: Salesman) => ({ AgentUin: s.agentUin, SalesUin: s.salesUin, SalesName: s.salesName, CreateTime: s.createTime });
export const applicationView = (a: ClientApplication) => ({
  AgentUin: a.agentUin, ClientUin: a.clientUin, ApplyTime: a.applyTime, Status: a.status, SalesUin: a.salesUin, ClientType: a.clientType,
  ProjectType: a.projectType, IncreaseGoal: a.increaseGoal, Note: a.note, DecidedAt: a.decidedAt,
});
export const unbindView = (u: UnbindApplication) => ({ Id: u.id, AgentUin: u.agentUin, ClientUin: u.clientUin, Status: u.status, ApplyTime: u.applyTime, ActionTime: u.actionTime });

/** A service's refusal (a plain Error) as a 400 of the admin API. */
async function checked<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && !(err as { status?: number }).status) throw bad(err.message);
    throw err;
  }
}

const opt = (body: Record<string, unknown>, name: string) => (has(body, name) ? stringField(body, name) : undefined);

export const partnersRoutes: AdminRoutes = (app: FastifyInstance, ctx: AdminContext) => {
  const { store, sandbox } = ctx;
  const now = () => sandbox.clock.now();

  app.get('/client-profiles', async (req) => {
    knownQuery(req.query, ['client']);
    const client = queryUin(req.query, 'client');
    const rows = await store.partners.listProfiles(client === undefined ? undefined : [client]);
    return { TotalCount: rows.length, ClientProfiles: rows.map(profileView) };
  });
  app.post('/client-profiles', async (req, reply) => {
    const body = jsonBody(req.body, ['ClientUin', 'ClientName', 'ClientFlag', 'Mail', 'Phone', 'HasOverdueBill', 'AuthType', 'TransactionType']);
    const p = await checked(() =>
      setProfile(store, {
        clientUin: uinField(body, 'ClientUin'),
        clientName: opt(body, 'ClientName'),
        clientFlag: opt(body, 'ClientFlag'),
        mail: opt(body, 'Mail'),
        phone: opt(body, 'Phone'),
        hasOverdueBill: has(body, 'HasOverdueBill') ? numberValue(body.HasOverdueBill, 'HasOverdueBill', 0, 1, true) : undefined,
        authType: opt(body, 'AuthType'),
        transactionType: opt(body, 'TransactionType'),
      }),
    );
    return reply.code(201).send(profileView(p));
  });

  app.get('/salesmen', async (req) => {
    knownQuery(req.query, ['agent']);
    const rows = await store.partners.listSalesmen(queryUin(req.query, 'agent'));
    return { TotalCount: rows.length, Salesmen: rows.map(salesmanView) };
  });
  app.post('/salesmen', async (req, reply) => {
    const body = jsonBody(req.body, ['AgentUin', 'SalesUin', 'SalesName', 'CreateTime']);
    const s = await checked(() =>
      addSalesman(store, { agentUin: uinField(body, 'AgentUin'), salesUin: uinField(body, 'SalesUin'), salesName: stringField(body, 'SalesName'), createTime: opt(body, 'CreateTime') }, now()),
    );
    return reply.code(201).send(salesmanView(s));
  });

  app.get('/client-applications', async (req) => {
    knownQuery(req.query, ['agent']);
    const rows = await store.partners.listApplications(queryUin(req.query, 'agent'));
    return { TotalCount: rows.length, ClientApplications: rows.map(applicationView) };
  });
  app.post('/client-applications', async (req, reply) => {
    const body = jsonBody(req.body, ['AgentUin', 'ClientUin', 'SalesUin', 'ClientType', 'ProjectType', 'IncreaseGoal', 'ApplyTime', 'Status']);
    const a = await checked(() =>
      addApplication(
        store,
        {
          agentUin: uinField(body, 'AgentUin'),
          clientUin: uinField(body, 'ClientUin'),
          salesUin: has(body, 'SalesUin') ? uinField(body, 'SalesUin') : undefined,
          clientType: opt(body, 'ClientType'),
          projectType: opt(body, 'ProjectType'),
          increaseGoal: opt(body, 'IncreaseGoal'),
          applyTime: opt(body, 'ApplyTime'),
          status: opt(body, 'Status') as 'pending' | 'rejected' | undefined,
        },
        now(),
      ),
    );
    return reply.code(201).send(applicationView(a));
  });

  app.get('/unbind-applications', async (req) => {
    knownQuery(req.query, ['agent']);
    const rows = await store.partners.listUnbinds(queryUin(req.query, 'agent'));
    return { TotalCount: rows.length, UnbindApplications: rows.map(unbindView) };
  });
  app.post('/unbind-applications', async (req, reply) => {
    const body = jsonBody(req.body, ['AgentUin', 'ClientUin', 'Status', 'ApplyTime', 'ActionTime']);
    const u = await checked(() =>
      addUnbind(
        store,
        {
          agentUin: uinField(body, 'AgentUin'),
          clientUin: uinField(body, 'ClientUin'),
          status: has(body, 'Status') ? numberValue(body.Status, 'Status', 0, 4, true) : undefined,
          applyTime: opt(body, 'ApplyTime'),
          actionTime: opt(body, 'ActionTime'),
        },
        now(),
      ),
    );
    return reply.code(201).send(unbindView(u));
  });
};
