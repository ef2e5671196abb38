/** Problems found in an uploaded file (an import, a snapshot), by where they were found. */
import type { ImportProblem } from '../domain/deal-import.js';

export type { ImportProblem };

/** Problems listed in an answer; the count says how many there were in all. */
export const MAX_LISTED_PROBLEMS = 1000;

export class ProblemList {
  readonly items: ImportProblem[] = [];
  total = 0;
  add(where: string, reason: string): void {
    this.total++;
    if (this.items.length < MAX_LISTED_PROBLEMS) this.items.push({ where, reason });
  }
}

/** A refused upload rolled back: nothing of it stays. `problems` lists the first ones, `total` counts them all. */
export class UploadRejected extends Error {
  constructor(
    readonly problems: ImportProblem[],
    readonly total: number,
    summary: string,
  ) {
    super(`${summary} ${problems.slice(0, 5).map((p) => `${p.where}: ${p.reason}`).join('; ')}${total > 5 ? '; …' : ''}`);
  }
}

export class ImportRejected extends UploadRejected {
  constructor(problems: ImportProblem[], total: number) {
    super(problems, total, `${total} problem(s); nothing was imported.`);
  }
}

export class SnapshotRejected extends UploadRejected {
  constructor(problems: ImportProblem[], total: number) {
    super(problems, total, `${total} problem(s) in the snapshot; nothing was changed.`);
  }
}
