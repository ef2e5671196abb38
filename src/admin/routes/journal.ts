/**
 * The request journal: GET /journal?action=&uin=&code=&after=&limit=, DELETE /journal,
 * PUT /journal/size {size}. Entries are already redacted when recorded (no key, no signature).
 */
import type { FastifyInstance } from 'fastify';
import type { AdminRoutes } from '../index.js';
import type { AdminContext } from '../context.js';
import { jsonBody, knownQuery, numberValue, queryInt, queryString, queryUin, requiredField } from '../validate.js';

export const MAX_JOURNAL_SIZE = 1_000_000;

export const journalRoutes: AdminRoutes = (app: FastifyInstance, ctx: AdminContext) => {
  const { journal } = ctx.sandbox;

  app.get('/journal', async (req) => {
    knownQuery(req.query, ['action', 'uin', 'code', 'after', 'limit']);
    const entries = journal.list({
      action: queryString(req.query, 'action'),
      uin: queryUin(req.query, 'uin'),
      code: queryString(req.query, 'code'),
      after: queryInt(req.query, 'after', 0, Number.MAX_SAFE_INTEGER),
      limit: queryInt(req.query, 'limit', 1, MAX_JOURNAL_SIZE),
    });
    return { size: journal.size, count: entries.length, entries };
  });

  app.delete('/journal', async () => {
    const cleared = journal.list().length;
    journal.clear();
    return { cleared };
  });

  app.put('/journal/size', async (req) => {
    const body = jsonBody(req.body, ['size']);
    const size = numberValue(requiredField(body, 'size'), 'size', 0, MAX_JOURNAL_SIZE, true);
    journal.resize(size);
    return { size: journal.size };
  });
};
