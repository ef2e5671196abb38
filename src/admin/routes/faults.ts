/**
 * Fault rules: GET /faults, POST /faults (a rule), DELETE /faults/:id, DELETE /faults. Each rule
 * in the list shows how often it `fired`, how many calls it `matched`, and the firings `remaining`.
 */
import type { FastifyInstance } from 'fastify';
import { validateFaultRule } from '../../sandbox/faults.js';
import type { AdminRoutes } from '../index.js';
import type { AdminContext } from '../context.js';
import { bad, knownQuery, notFound } from '../validate.js';

export const faultRoutes: AdminRoutes = (app: FastifyInstance, ctx: AdminContext) => {
  const { faults } = ctx.sandbox;

  app.get('/faults', async (req) => {
    knownQuery(req.query, []);
    return { rules: faults.list() };
  });

  app.post('/faults', async (req, reply) => {
    if (req.body === undefined || Buffer.isBuffer(req.body)) throw bad('A fault rule is a JSON object sent with Content-Type: application/json.', 'InvalidFaultRule');
    let rule;
    try {
      rule = validateFaultRule(req.body);
    } catch (err) {
      throw bad(err instanceof Error ? err.message : String(err), 'InvalidFaultRule');
    }
    return reply.code(201).send(faults.add(rule));
  });

  app.delete<{ Params: { id: string } }>('/faults/:id', async (req) => {
    if (!faults.remove(req.params.id)) throw notFound(`No fault rule has the id ${JSON.stringify(req.params.id.slice(0, 64))}; GET /faults lists them.`, 'FaultNotFound');
    return { removed: req.params.id };
  });

  app.delete('/faults', async () => {
    const cleared = faults.list().length;
    faults.clear();
    return { cleared };
  });
};
