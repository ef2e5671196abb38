/** Where synced deals go: an NDJSON or CSV file, or a SQLite/PostgreSQL mirror database. */
import type { Checkpoint, SyncService } from '../checkpoint.js';

export type SyncMode = 'fresh' | 'resume' | 'incremental';

export interface Sink {
  /** Human-readable destination, without credentials. */
  readonly location: string;
  loadCheckpoint(): Promise<Checkpoint | undefined>;
  /** Prepares a run: a fresh run starts empty, a resumed one continues at its checkpoint. */
  begin(mode: SyncMode, checkpoint: Checkpoint | undefined): Promise<void>;
  /** Writes one page (upserting by the deal's key) together with the checkpoint after it. */
  writePage(deals: ReadonlyArray<Record<string, unknown>>, checkpoint: Checkpoint): Promise<void>;
  /** Ends a run: incremental file runs are merged here. */
  finish(checkpoint: Checkpoint): Promise<void>;
  /** Deals held by the destination. */
  count(): Promise<number>;
  close(): Promise<void>;
}

export interface SinkOptions {
  service: SyncService;
}

/** Picks the sink from `--out`: `.ndjson`/`.jsonl`, `.csv`, `postgres://…`, else a SQLite file. */
export async function openSink(out: string, options: SinkOptions): Promise<Sink> {
  if (/\.(ndjson|jsonl)$/i.test(out)) {
    const { NdjsonSink } = await import('./ndjson.js');
    return new NdjsonSink(out, options.service);
  }
  if (/\.csv$/i.test(out)) {
    const { CsvSink } = await import('./csv.js');
    return new CsvSink(out, options.service);
  }
  const { DatabaseSink } = await import('./database.js');
  return DatabaseSink.open(out, options.service);
}
