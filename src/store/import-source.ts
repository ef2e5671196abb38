/**
 * Imported deals as prepared batches, made in a worker thread: reading the file (or the upload
 * streamed to it), parsing, checking, rendering cache rows and flattening happen there while the
 * loading thread only writes — as `tcdeals seed` does with its generator (generated-source.ts).
 * Memory stays bounded: NDJSON is read as it streams, a few batches ahead of the writer at most,
 * and repeated DealNames are found with a compact hash set (domain/name-set.ts).
 *
 * Problems are reported by line. From the first one on, no more batches are prepared (the import
 * will be refused as a whole) but the rest of the input is still read, so that every problem of
 * the file is reported at once.
 */
import { createReadStream } from 'node:fs';
import { isMainThread, workerData } from 'node:worker_threads';
import type { Binding } from '../domain/account.js';
import type { ClientType, DealRecord, ProjectType } from '../domain/deal.js';
import { DealImportReader, type ImportOptions } from '../domain/deal-import.js';
import { ProblemList, type ImportProblem } from '../domain/problems.js';
import { describeValue } from '../protocol/params.js';
import { batchesFromWorker, serveBatches, type WorkerBatches } from './batch-worker.js';
import { Preparer, type BulkAccount, type PrepareContext } from './bulk-load.js';

const JOB = 'tcdeals-import';
/**
 * Deals per prepared batch: on SQLite few, as the writer takes them one by one anyway and every
 * deal in flight between the threads is resident memory; on PostgreSQL more, as each batch is a
 * round trip (COPY, or one INSERT … SELECT).
 */
const BATCH: Readonly<Record<PrepareContext['format'], number>> = { sqlite: 500, copy: 2500, postgres: 2500 };
/** …or fewer, when their text is this long (a batch of unusually large deals stays bounded too). */
const BATCH_CHARS = 8 * 1024 * 1024;
/** Bytes per read of an input file. */
const READ_CHUNK = 1024 * 1024;
const UIN = /^\d{1,20}$/;

export interface ImportJobOptions extends ImportOptions {
  /** Bind every owner not bound to any agent yet to this agent (creating missing accounts). */
  agent?: string;
  /** Clients bound to some agent already (their bindings stay as they are). */
  boundClients?: readonly string[];
  /** `bound_at` of the new bindings. */
  now: string;
}

interface Job {
  kind: typeof JOB;
  ctx: PrepareContext;
  options: ImportJobOptions;
  /** A file the worker reads itself; otherwise the input is streamed to it. */
  path?: string;
}

export interface ImportReport {
  /** Good records read (all of them were written when there were no problems). */
  records: number;
  problems: ImportProblem[];
  problemCount: number;
  ignoredFields: string[];
  /** With an agent: accounts to create and bindings to write for the owners it met (BulkData.afterDeals). */
  accounts: BulkAccount[];
  bindings: Binding[];
}

/** Where an import reads from: a file (read by the worker itself) or a stream (an upload, stdin). */
export type ImportInput = { path: string } | AsyncIterable<Uint8Array | string>;

/** The deals of `input`, prepared for `ctx` in a worker thread; `result` reports what was read. */
export function importInWorker(input: ImportInput, ctx: PrepareContext, options: ImportJobOptions): WorkerBatches<ImportReport> {
  const path = 'path' in input ? input.path : undefined;
  const job: Job = { kind: JOB, ctx, options, path };
  return batchesFromWorker<ImportReport>(new URL(import.meta.url), job, path === undefined ? (input as AsyncIterable<Uint8Array | string>) : undefined);
}

/**
 * Plans the binding of owners to the import's agent, from the first good deal of each: the
 * relation that deal carries (ClientType, ProjectType, SalesUin, ClientRemark) or the defaults.
 */
class OwnerBinder {
  readonly accounts: BulkAccount[] = [];
  readonly bindings: Binding[] = [];
  private readonly known: Set<string>;

  constructor(
    private readonly agent: string,
    bound: readonly string[],
    private readonly now: string,
    private readonly preparer: Preparer,
    private readonly problems: ProblemList,
  ) {
    this.known = new Set(bound);
    this.known.add(agent);
  }

  meet(d: DealRecord): void {
    if (this.known.has(d.owner_uin)) return;
    this.known.add(d.owner_uin);
    const salesUin = d.sales_uin || '0';
    if (!UIN.test(salesUin)) {
      this.problems.add(`owner ${d.owner_uin}`, `cannot bind to agent ${this.agent}: its deals' SalesUin ${describeValue(salesUin)} is not a UIN`);
      return;
    }
    const binding: Binding = {
      agentUin: this.agent,
      clientUin: d.owner_uin,
      clientType: (d.client_type || 'new') as ClientType,
      projectType: (d.project_type || 'self') as ProjectType,
      salesUin,
      clientRemark: d.client_remark ?? '',
    };
    this.bindings.push(binding);
    this.accounts.push({ uin: d.owner_uin, appId: UIN.test(d.app_id) ? d.app_id : undefined });
    this.preparer.bind({
      client_uin: binding.clientUin,
      agent_uin: binding.agentUin,
      client_type: binding.clientType,
      project_type: binding.projectType,
      sales_uin: binding.salesUin,
      client_remark: binding.clientRemark,
      bound_at: this.now,
    });
  }
}

// The worker itself: this module, started with a Job.
if (!isMainThread && (workerData as Job | undefined)?.kind === JOB) {
  const { ctx, options, path } = workerData as Job;
  serveBatches<ImportReport>(async ({ send, input }) => {
    const problems = new ProblemList();
    const reader = new DealImportReader((where, reason) => problems.add(where, reason), { owner: options.owner });
    const preparer = new Preparer(ctx);
    const binder = options.agent === undefined ? undefined : new OwnerBinder(options.agent, options.boundClients ?? [], options.now, preparer, problems);
    let batch: DealRecord[] = [];
    let batchChars = 0;
    const flush = async () => {
      // After a problem nothing more is written: the import will be refused as a whole.
      if (problems.total === 0) for (const prepared of preparer.prepareEach(batch)) await send(prepared);
      batch = [];
      batchChars = 0;
    };
    const add = (records: DealRecord[]) => {
      for (const d of records) {
        binder?.meet(d);
        batch.push(d);
      }
    };
    const take = async (text: string) => {
      add(reader.write(text));
      batchChars += text.length;
      if (batch.length >= BATCH[ctx.format] || batchChars >= BATCH_CHARS) await flush();
    };
    // TextDecoder, not StringDecoder: a third faster on text full of Chinese (a sixth of the worker's time went there).
    const decoder = new TextDecoder('utf-8');
    const source: AsyncIterable<Uint8Array> = path === undefined ? input : createReadStream(path, { highWaterMark: READ_CHUNK });
    for await (const chunk of source) await take(decoder.decode(chunk, { stream: true }));
    await take(decoder.decode());
    add(reader.end());
    await flush();
    return {
      records: reader.recordsDecoded,
      problems: problems.items,
      problemCount: problems.total,
      ignoredFields: [...reader.ignored].sort(),
      accounts: binder?.accounts ?? [],
      bindings: binder?.bindings ?? [],
    };
  });
}
