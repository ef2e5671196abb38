/** Refused uploads (deal imports, snapshots): the problems, and nothing of the upload kept. */
import { ProblemList, MAX_LISTED_PROBLEMS, type ImportProblem } from '../domain/problems.js';

export { ProblemList, MAX_LISTED_PROBLEMS, type ImportProblem };

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
