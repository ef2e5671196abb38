/**
 * Prepared batches made in a worker thread while the loading thread writes (see bulk-load.ts):
 * the plumbing shared by `tcdeals seed` (generated-source.ts) and deal imports
 * (import-source.ts). The worker runs at most a few batches ahead of the writer, so memory stays
 * flat however many deals go through; an input stream the worker needs (an upload) is fed to it
 * in chunks, at most a few MB ahead of what it has read.
 */
import { parentPort, Worker } from 'node:worker_threads';
import type { PreparedBatch } from './bulk-load.js';

/** Batches the worker may have ready before the loader asks for more. */
const AHEAD = 3;
/** Input bytes sent to the worker and not yet read by it. */
const INPUT_AHEAD_BYTES = 8 * 1024 * 1024;

type FromWorker<R> =
  | { type: 'batch'; batch: PreparedBatch }
  | { type: 'read'; bytes: number }
  | { type: 'done'; result: R }
  | { type: 'error'; message: string; stack?: string };

type ToWorker = { type: 'more' } | { type: 'chunk'; data: Uint8Array } | { type: 'end' } | { type: 'abort'; message: string };

export interface WorkerBatches<R> extends AsyncIterable<PreparedBatch> {
  /** What the worker reported when it finished (settles once the batches are iterated to the end). */
  readonly result: Promise<R>;
}

function startWorker(module: URL, workerData: unknown): Worker {
  // A larger young generation than the default: batches of rendered deals then die young instead
  // of being promoted. The old generation is capped: a worker holds a few batches at a time, so
  // whatever it grows beyond that is garbage the process's resident memory would carry.
  const options = { workerData, resourceLimits: { maxYoungGenerationSizeMb: 48, maxOldGenerationSizeMb: 256 } };
  if (!module.pathname.endsWith('.ts')) return new Worker(module, options);
  // Running from the TypeScript sources (tests and benchmarks under tsx): a worker does not inherit
  // the loader hooks of its parent on Node 20, so it loads the module through tsx's API itself.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

/**
 * Starts `module` (a worker script calling `serveBatches`) with `job` when the batches are first
 * iterated. `input`, if given, is streamed to the worker (its `input` in serveBatches).
 */
export function batchesFromWorker<R>(module: URL, job: unknown, input?: AsyncIterable<Uint8Array | string>): WorkerBatches<R> {
  let settle!: { resolve: (r: R) => void; reject: (e: Error) => void };
  const result = new Promise<R>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => {}); // observed through the iterator; this only keeps it from being "unhandled"
  return {
    result,
    [Symbol.asyncIterator](): AsyncIterator<PreparedBatch> {
      const worker = startWorker(module, job);
      const queue: Array<FromWorker<R>> = [];
      let waiting: ((m: FromWorker<R>) => void) | undefined;
      let over = false;
      const deliver = (m: FromWorker<R>) => {
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w(m);
        } else queue.push(m);
      };
      let unread = 0;
      let wakePump: (() => void) | undefined;
      worker.on('message', (m: FromWorker<R>) => {
        if (m.type === 'read') {
          unread -= m.bytes;
          wakePump?.();
          wakePump = undefined;
        } else deliver(m);
      });
      worker.on('error', (err: Error) => deliver({ type: 'error', message: err.message, stack: err.stack }));
      worker.on('exit', (code) => deliver({ type: 'error', message: `the worker stopped (exit code ${code})` }));
      const send = (m: ToWorker) => {
        if (!over) worker.postMessage(m);
      };
      if (input) {
        void (async () => {
          try {
            for await (const chunk of input) {
              if (over) return;
              // A chunk of its own (a view into a shared pool would clone the whole pool), moved, not copied.
              const own = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
              const data = own.byteOffset === 0 && own.byteLength === own.buffer.byteLength ? own : new Uint8Array(own);
              while (unread > INPUT_AHEAD_BYTES && !over) await new Promise<void>((resolve) => (wakePump = resolve));
              unread += data.byteLength;
              if (!over) worker.postMessage({ type: 'chunk', data } satisfies ToWorker, [data.buffer as ArrayBuffer]);
            }
            send({ type: 'end' });
          } catch (err) {
            send({ type: 'abort', message: err instanceof Error ? err.message : String(err) });
          }
        })();
      }
      const stop = async () => {
        over = true;
        wakePump?.();
        await worker.terminate();
      };
      return {
        async next() {
          if (over) return { value: undefined, done: true };
          const m = queue.length > 0 ? queue.shift()! : await new Promise<FromWorker<R>>((resolve) => (waiting = resolve));
          if (m.type === 'batch') {
            send({ type: 'more' });
            return { value: m.batch, done: false };
          }
          await stop();
          if (m.type === 'done') {
            settle.resolve(m.result);
            return { value: undefined, done: true };
          }
          const err = new Error(m.type === 'error' ? m.message : 'unexpected message from the worker');
          if (m.type === 'error' && m.stack) err.stack = m.stack;
          settle.reject(err);
          throw err;
        },
        async return() {
          await stop();
          settle.reject(new Error('the batches were not read to the end'));
          return { value: undefined, done: true };
        },
      };
    },
  };
}

/** What a worker's producer gets: a way to hand over a batch (waits while the writer is behind) and its input. */
export interface BatchProducer {
  send(batch: PreparedBatch): Promise<void>;
  /** The input streamed by batchesFromWorker, chunk by chunk (empty when none was given). */
  input: AsyncIterable<Uint8Array>;
}

/** The worker side: runs `produce`, handing its batches and its final result to the loading thread. */
export function serveBatches<R>(produce: (p: BatchProducer) => Promise<R>): void {
  const port = parentPort!;
  let credit = AHEAD;
  let wakeProducer: (() => void) | undefined;
  const chunks: Uint8Array[] = [];
  let ended = false;
  let aborted: string | undefined;
  let wakeReader: (() => void) | undefined;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'more') {
      credit++;
      wakeProducer?.();
      wakeProducer = undefined;
      return;
    }
    if (m.type === 'chunk') chunks.push(m.data);
    else if (m.type === 'end') ended = true;
    else aborted = m.message;
    wakeReader?.();
    wakeReader = undefined;
  });
  const input: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (chunks.length > 0) {
          const chunk = chunks.shift()!;
          port.postMessage({ type: 'read', bytes: chunk.byteLength } satisfies FromWorker<R>);
          yield chunk;
          continue;
        }
        if (aborted !== undefined) throw new Error(`reading the input failed: ${aborted}`);
        if (ended) return;
        await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    },
  };
  const send = async (batch: PreparedBatch) => {
    while (credit === 0) await new Promise<void>((resolve) => (wakeProducer = resolve));
    credit--;
    port.postMessage({ type: 'batch', batch } satisfies FromWorker<R>);
  };
  produce({ send, input }).then(
    (result) => port.postMessage({ type: 'done', result } satisfies FromWorker<R>),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ type: 'error', message: e.message, stack: e.stack } satisfies FromWorker<R>);
    },
  );
}
