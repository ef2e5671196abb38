/** NDJSON: each deal exactly as the API returned it, one per line — what `tcdeals deals import` reads. */
import { LineFileSink } from './line-file.js';
import { dealKey } from '../checkpoint.js';

export class NdjsonSink extends LineFileSink {
  protected header(): undefined {
    return undefined;
  }

  protected formatLine(deal: Record<string, unknown>): string {
    return JSON.stringify(deal);
  }

  protected keyOfLine(line: string): string {
    return dealKey(this.service, JSON.parse(line) as Record<string, unknown>);
  }
}
