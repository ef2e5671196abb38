/**
 * Generated deals as prepared batches, made in a worker thread: generating, checking, rendering
 * the cache bodies and flattening happen there, while the loading thread only writes. On two
 * cores that roughly halves a large seed. The data is exactly what `generate` yields in the
 * loading thread (the generator is deterministic).
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { generate, type GenerateOptions } from '../domain/generator.js';
import { batchesFromWorker, serveBatches } from './batch-worker.js';
import { Preparer, type PrepareContext, type PreparedBatch } from './bulk-load.js';

const JOB = 'tcdeals-generate';

interface Job {
  kind: typeof JOB;
  options: GenerateOptions;
  ctx: PrepareContext;
}

/** The deals of `generate(options)`, prepared for `ctx` in a worker thread (see Store.bulkLoad's `prepared`). */
export function preparedInWorker(options: GenerateOptions, ctx: PrepareContext): AsyncIterable<PreparedBatch> {
  return batchesFromWorker<null>(new URL(import.meta.url), { kind: JOB, options, ctx } satisfies Job);
}

// The worker itself: this module, started with a Job.
if (!isMainThread && (workerData as Job | undefined)?.kind === JOB) {
  const { options, ctx } = workerData as Job;
  serveBatches(async ({ send }) => {
    const preparer = new Preparer(ctx);
    for (const batch of generate(options).deals) {
      for (const prepared of preparer.prepareEach(batch)) await send(prepared);
    }
    return null;
  });
}
