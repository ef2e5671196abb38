/**
 * Generated deals as prepared batches, made in a worker thread: generating, checking, rendering
 * the cache bodies and flattening happen there, while the loading thread only writes. On two
 * cores that roughly halves a large seed. The worker runs at most a few batches ahead, so memory
 * stays flat however many deals are generated; the data is exactly what `generate` yields in the
 * loading thread (the generator is deterministic).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { generate, type GenerateOptions } from '../domain/generator.js';
import { Preparer, type PrepareContext, type PreparedBatch } from './bulk-load.js';

/** Batches the worker may have ready before the loader asks for more. */
const AHEAD = 3;
const JOB = 'tcdeals-generate';

interface Job {
  kind: typeof JOB;
  options: GenerateOptions;
  ctx: PrepareContext;
}

type FromWorker = { type: 'batch'; batch: PreparedBatch } | { type: 'done' } | { type: 'error'; message: string; stack?: string };

/** The deals of `generate(options)`, prepared for `ctx` in a worker thread (see Store.bulkLoad's `prepared`). */
export function preparedInWorker(options: GenerateOptions, ctx: PrepareContext): AsyncIterable<PreparedBatch> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<PreparedBatch> {
      const job: Job = { kind: JOB, options, ctx };
      // A larger young generation: batches of rendered deals then die young instead of being promoted.
      const worker = new Worker(new URL(import.meta.url), { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 96 } });
      const queue: FromWorker[] = [];
      let waiting: ((m: FromWorker) => void) | undefined;
      let over = false;
      const deliver = (m: FromWorker) => {
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w(m);
        } else queue.push(m);
      };
      worker.on('message', deliver);
      worker.on('error', (err: Error) => deliver({ type: 'error', message: err.message, stack: err.stack }));
      worker.on('exit', (code) => deliver({ type: 'error', message: `the generator worker stopped (exit code ${code})` }));
      const stop = async () => {
        over = true;
        await worker.terminate();
      };
      return {
        async next() {
          if (over) return { value: undefined, done: true };
          const m = queue.length > 0 ? queue.shift()! : await new Promise<FromWorker>((resolve) => (waiting = resolve));
          if (m.type === 'batch') {
            worker.postMessage('more');
            return { value: m.batch, done: false };
          }
          await stop();
          if (m.type === 'done') return { value: undefined, done: true };
          const err = new Error(m.message);
          if (m.stack) err.stack = m.stack;
          throw err;
        },
        async return() {
          await stop();
          return { value: undefined, done: true };
        },
      };
    },
  };
}

// The worker itself: this module, started with a Job.
if (!isMainThread && (workerData as Job | undefined)?.kind === JOB) {
  const { options, ctx } = workerData as Job;
  const port = parentPort!;
  let credit = AHEAD;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    credit++;
    wake?.();
    wake = undefined;
  });
  const run = async () => {
    const preparer = new Preparer(ctx);
    for (const batch of generate(options).deals) {
      for (const prepared of preparer.prepareEach(batch)) {
        while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
        credit--;
        port.postMessage({ type: 'batch', batch: prepared } satisfies FromWorker);
      }
    }
    port.postMessage({ type: 'done' } satisfies FromWorker);
  };
  run().catch((err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ type: 'error', message: e.message, stack: e.stack } satisfies FromWorker);
  });
}
