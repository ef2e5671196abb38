/** What every admin route module receives. */
import type { Logger } from 'pino';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Store } from '../store/store.js';

export interface AdminContext {
  readonly store: Store;
  readonly sandbox: Sandbox;
  readonly logger?: Logger;
}

/** A 4xx answer of the admin API: `{ "error": { "code", "message" } }`. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
