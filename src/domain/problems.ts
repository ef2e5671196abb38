/** Problems found in an uploaded file (a deal import, a snapshot), by where they were found. */

export interface ImportProblem {
  /** `line 3` for NDJSON, `record 3` for a JSON array (both 1-based), `input` for the file as a whole. */
  where: string;
  reason: string;
}

/** Problems listed in an answer; the count says how many there were in all. */
export const MAX_LISTED_PROBLEMS = 1000;

/** Every problem counted, the first MAX_LISTED_PROBLEMS kept: a file of a million bad lines stays small to report. */
export class ProblemList {
  readonly items: ImportProblem[] = [];
  total = 0;
  add(where: string, reason: string): void {
    this.total++;
    if (this.items.length < MAX_LISTED_PROBLEMS) this.items.push({ where, reason });
  }
}
