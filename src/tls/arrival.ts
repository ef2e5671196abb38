/**
 * How a call reached the server, for its log line, metrics and journal entry: `direct` (plain
 * HTTP on the main port), `tls` (the TLS port), or `proxy` (an absolute-form request or a CONNECT
 * tunnel on the main port, TLS-terminated or plain), with the target the client asked the proxy for.
 */
import type { IncomingMessage } from 'node:http';

export type Via = 'direct' | 'tls' | 'proxy';

export interface Arrival {
  readonly via: Via;
  /** The CONNECT or absolute-form authority (`billing.tencentcloudapi.com:443`), or the TLS server name. */
  readonly target?: string;
  /** Whether the client spoke TLS to tcdeals. */
  readonly tls: boolean;
}

export const DIRECT: Arrival = Object.freeze({ via: 'direct', tls: false });

const bySocket = new WeakMap<object, Arrival>();
const byRequest = new WeakMap<object, Arrival>();

/** Every request on this connection arrived this way (TLS port, CONNECT tunnel). */
export function tagSocket(socket: object, arrival: Arrival): void {
  bySocket.set(socket, arrival);
}

/** This request arrived this way (an absolute-form request on a plain connection). */
export function tagRequest(req: IncomingMessage, arrival: Arrival): void {
  byRequest.set(req, arrival);
}

export function arrivalOf(req: IncomingMessage): Arrival {
  return byRequest.get(req) ?? bySocket.get(req.socket) ?? DIRECT;
}
