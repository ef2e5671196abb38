/**
 * Deal import into a store — the one pipeline behind `tcdeals deals import` and the admin API's
 * `POST /deals/import`: NDJSON streamed (or a JSON array), parsed and checked in a worker thread
 * while the bulk loader writes, all or nothing in one transaction, every problem reported by
 * line (or by record of an array). With an agent, owners without an agent are bound to it in the
 * same transaction.
 */
import type { ImportOptions } from '../domain/deal-import.js';
import { formatDateTime } from '../protocol/datetime.js';
import { importInWorker, type ImportInput, type ImportReport } from '../store/import-source.js';
import type { Store } from '../store/store.js';
import { ImportRejected } from './problems.js';

export type { ImportInput };

export interface DealImportOptions extends ImportOptions {
  /** Also bind every owner that has no agent yet to this agent (an agent account that exists). */
  agent?: string;
  /** Called after each written batch with the number of deals written so far. */
  onProgress?: (deals: number) => void;
  /** Called when every deal is written and indexes are rebuilt and the load commits. */
  onFinishing?: () => void;
}

export interface DealImportResult {
  imported: number;
  bound: number;
  ignoredFields: string[];
  ms: number;
}

/** An import refused before reading anything (bad options): nothing was changed. */
export class ImportRefused extends Error {
  constructor(
    message: string,
    readonly code: 'AccountNotFound' | 'NotAnAgent' | 'InvalidOwner',
  ) {
    super(message);
  }
}

const UIN = /^\d{1,20}$/;

export async function importDeals(store: Store, input: ImportInput, options: DealImportOptions = {}): Promise<DealImportResult> {
  const { agent, owner } = options;
  if (owner !== undefined && !UIN.test(owner)) throw new ImportRefused(`The owner ${JSON.stringify(owner)} is not a UIN (1-20 digits).`, 'InvalidOwner');
  if (agent !== undefined) {
    const a = await store.getAccount(agent);
    if (!a) throw new ImportRefused(`Agent account ${agent} does not exist; create it first as an agent.`, 'AccountNotFound');
    if (!a.isAgent) throw new ImportRefused(`Account ${agent} is not an agent.`, 'NotAnAgent');
  }
  const boundClients = agent === undefined ? [] : (await store.db.selectFrom('agent_clients').select('client_uin').execute()).map((r) => r.client_uin);
  const started = performance.now();
  let report: ImportReport | undefined;

  const loaded = await store.bulkLoad(
    {
      async *prepared(ctx) {
        const batches = importInWorker(input, ctx, { owner, agent, boundClients, now: formatDateTime(Date.now()) });
        yield* batches;
        report = await batches.result;
        // Thrown inside the load, so that it rolls back without finishing (no index rebuild for nothing).
        if (report.problemCount > 0) throw new ImportRejected(report.problems, report.problemCount);
      },
      afterDeals: () => ({ accounts: report!.accounts, bindings: report!.bindings }),
    },
    { onProgress: options.onProgress, onFinishing: options.onFinishing },
  );
  return { imported: loaded.deals, bound: report!.bindings.length, ignoredFields: report!.ignoredFields, ms: performance.now() - started };
}
