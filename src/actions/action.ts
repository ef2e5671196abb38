/** What an action is: its service and version, its declarative parameters, and its handler. */
import type { Account } from '../store/accounts.js';
import type { Store } from '../store/store.js';
import type { ErrorCode } from '../protocol/errors.js';
import type { ResponseFields } from '../protocol/envelope.js';
import type { Decoded, ParamsSpec } from '../protocol/params.js';

export type Service = 'billing' | 'partners';

/** Server settings that change action behaviour. */
export interface ActionSettings {
  /** How billing `Offset` is read: a row offset (default) or a page index ("第多少页"). */
  readonly billingOffset: 'rows' | 'pages';
}

export interface ActionContext {
  readonly store: Store;
  readonly caller: Account;
  readonly settings: ActionSettings;
  /** The server clock (the sandbox's): relative windows such as "the last 15 days" and "this month". */
  readonly now: () => number;
}

export interface ActionDef<P extends ParamsSpec = ParamsSpec> {
  readonly service: Service;
  readonly name: string;
  readonly version: string;
  /** The code for wrong kinds and out-of-range values, as the action's document lists it. */
  readonly invalidCode: ErrorCode;
  /** Only agents (resellers) may call it; others get UnauthorizedOperation. */
  readonly agentOnly?: boolean;
  /**
   * Codes a well-formed call may still get from what the store holds (a client that is not the
   * caller's, an application already decided, a window outside the documented one).
   */
  readonly dataCodes?: readonly ErrorCode[];
  readonly params: P;
  handle(params: Decoded<P>, ctx: ActionContext): Promise<ResponseFields>;
}

/** Keeps the parameter spec's literal types so the handler sees exact decoded types. */
export function defineAction<P extends ParamsSpec>(def: ActionDef<P>): ActionDef<P> {
  return def;
}
