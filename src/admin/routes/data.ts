/**
 * The data as a whole:
 *   POST /deals/import[?agent=UIN]  NDJSON (or a JSON array) streamed in, all or nothing, problems by line
 *   GET  /deals/export[?owner=&agent=]  NDJSON in the interchange shape (what /deals/import reads)
 *   POST /reset {to: "empty"|"demo"}  every table emptied (and the demo seeded); journal, faults, clock reset
 *   GET  /snapshot  the whole stored state as NDJSON (keys included: admin only)
 *   POST /snapshot  replaces the state with a snapshot's, in one transaction
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AdminRoutes } from '../index.js';
import type { AdminContext } from '../context.js';
import { NDJSON, ndjsonStream, readLines } from '../ndjson.js';
import { exportDeals } from '../../services/deal-export.js';
import { importDeals, ImportRefused } from '../../services/deal-import.js';
import { ImportRejected, SnapshotRejected, type UploadRejected } from '../../services/problems.js';
import { resetStore, stateCounts } from '../../services/reset.js';
import { loadSnapshot, snapshotLines } from '../../services/snapshot.js';
import { bad, jsonBody, knownQuery, notFound, oneOfField, queryUin } from '../validate.js';

/** A request body as chunks, whatever its content type; no body reads as none. */
function bodyChunks(body: unknown): AsyncIterable<Uint8Array | string> {
  if (body === undefined || body === null) return (async function* () {})();
  if (Buffer.isBuffer(body) || typeof body === 'string') return (async function* () { yield body; })();
  return body as AsyncIterable<Uint8Array>;
}

/** A request body as lines, whatever its content type; no body reads as no lines. */
async function* bodyLines(body: unknown): AsyncGenerator<string> {
  if (body === undefined || body === null) return;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    yield* readLines([body]);
    return;
  }
  yield* readLines(body as AsyncIterable<Buffer>);
}

function rejected(reply: FastifyReply, code: string, err: UploadRejected) {
  return reply
    .code(400)
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify({ error: { code, message: err.message, problemCount: err.total, problems: err.problems } })));
}

export const dataRoutes: AdminRoutes = async (app: FastifyInstance, ctx: AdminContext) => {
  const { store, sandbox } = ctx;

  // Uploads are read as a stream, line by line, whatever the content type (NDJSON, a JSON
  // array as application/json, text/plain…): nothing is buffered whole except a JSON array.
  await app.register(async (uploads) => {
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    uploads.post('/deals/import', async (req, reply) => {
      knownQuery(req.query, ['agent', 'owner']);
      const agent = queryUin(req.query, 'agent');
      const owner = queryUin(req.query, 'owner');
      try {
        const r = await importDeals(store, bodyChunks(req.body), { agent, owner });
        return { imported: r.imported, bound: r.bound, ignoredFields: r.ignoredFields };
      } catch (err) {
        if (err instanceof ImportRejected) return rejected(reply, 'InvalidImport', err);
        if (err instanceof ImportRefused) throw err.code === 'AccountNotFound' ? notFound(err.message, err.code) : bad(err.message, err.code);
        throw err;
      }
    });

    uploads.post('/snapshot', async (req, reply) => {
      knownQuery(req.query, []);
      try {
        const loaded = await loadSnapshot(store, bodyLines(req.body));
        sandbox.reset();
        return { restored: loaded };
      } catch (err) {
        if (err instanceof SnapshotRejected) return rejected(reply, 'InvalidSnapshot', err);
        throw err;
      }
    });
  });

  app.get('/deals/export', async (req, reply) => {
    knownQuery(req.query, ['owner', 'agent']);
    const owner = queryUin(req.query, 'owner');
    const agent = queryUin(req.query, 'agent');
    return reply.header('content-type', NDJSON).send(ndjsonStream(exportDeals(store.db, { owner, agent })));
  });

  app.post('/reset', async (req) => {
    const body = jsonBody(req.body, ['to'], true);
    const to = oneOfField(body, 'to', ['empty', 'demo'] as const, 'empty');
    sandbox.reset();
    const r = await resetStore(store, to);
    return { reset: to, deals: r.deals, counts: await stateCounts(store.db) };
  });

  app.get('/snapshot', async (req, reply) => {
    knownQuery(req.query, []);
    return reply.header('content-type', NDJSON).header('cache-control', 'no-store').send(ndjsonStream(snapshotLines(store)));
  });
};
