/**
 * A file of one deal per line (NDJSON or CSV), written so a killed sync can resume: each page is
 * appended and flushed, then the checkpoint (with the file's length) replaces the old one
 * atomically. On resume the file is cut back to that length, so a page written after the last
 * checkpoint is never duplicated.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import type { Checkpoint, SyncService } from '../checkpoint.js';
import { dealKey } from '../checkpoint.js';
import type { Sink, SyncMode } from './sink.js';

export abstract class LineFileSink implements Sink {
  private fd: number | undefined;
  private mode: SyncMode = 'fresh';
  /** Incremental runs: existing lines by key, then the changed ones. */
  private existing = new Map<string, string>();
  private readonly delta = new Map<string, string>();

  constructor(
    readonly location: string,
    protected readonly service: SyncService,
  ) {}

  protected abstract header(): string | undefined;
  protected abstract formatLine(deal: Record<string, unknown>): string;
  /** The deal key of an existing line (for incremental merges). */
  protected abstract keyOfLine(line: string): string;

  private get checkpointPath(): string {
    return `${this.location}.checkpoint.json`;
  }

  async loadCheckpoint(): Promise<Checkpoint | undefined> {
    if (!existsSync(this.checkpointPath)) return undefined;
    return JSON.parse(readFileSync(this.checkpointPath, 'utf8')) as Checkpoint;
  }

  private saveCheckpoint(cp: Checkpoint): void {
    const tmp = `${this.checkpointPath}.tmp`;
    writeFileSync(tmp, JSON.stringify(cp));
    renameSync(tmp, this.checkpointPath);
  }

  async begin(mode: SyncMode, checkpoint: Checkpoint | undefined): Promise<void> {
    this.mode = mode;
    if (mode === 'incremental') {
      for (const line of this.dataLines()) this.existing.set(this.keyOfLine(line), line);
      return;
    }
    if (mode === 'resume' && checkpoint?.bytes !== undefined && existsSync(this.location)) {
      truncateSync(this.location, checkpoint.bytes);
      this.fd = openSync(this.location, 'a');
      return;
    }
    this.fd = openSync(this.location, 'w');
    const header = this.header();
    if (header !== undefined) writeSync(this.fd, `${header}\n`);
  }

  async writePage(deals: ReadonlyArray<Record<string, unknown>>, checkpoint: Checkpoint): Promise<void> {
    if (this.mode === 'incremental') {
      for (const d of deals) this.delta.set(dealKey(this.service, d), this.formatLine(d));
      return;
    }
    if (deals.length > 0) {
      writeSync(this.fd!, deals.map((d) => `${this.formatLine(d)}\n`).join(''));
      fsyncSync(this.fd!);
    }
    this.saveCheckpoint({ ...checkpoint, bytes: statSync(this.location).size });
  }

  async finish(checkpoint: Checkpoint): Promise<void> {
    if (this.mode === 'incremental') {
      // Changed deals replace their line in place; new ones follow. Written aside, then renamed.
      const lines = [...this.existing.entries()].map(([k, line]) => this.delta.get(k) ?? line);
      for (const [k, line] of this.delta) if (!this.existing.has(k)) lines.push(line);
      const header = this.header();
      const tmp = `${this.location}.tmp`;
      writeFileSync(tmp, (header !== undefined ? `${header}\n` : '') + lines.map((l) => `${l}\n`).join(''));
      renameSync(tmp, this.location);
    }
    this.saveCheckpoint({ ...checkpoint, bytes: existsSync(this.location) ? statSync(this.location).size : 0 });
  }

  private dataLines(): string[] {
    if (!existsSync(this.location)) return [];
    const lines = readFileSync(this.location, 'utf8').split('\n').filter((l) => l !== '');
    return this.header() !== undefined ? lines.slice(1) : lines;
  }

  async count(): Promise<number> {
    return this.dataLines().length;
  }

  async close(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
