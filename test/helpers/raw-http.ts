/**
 * Raw HTTP/1.1 over a socket, for requests fetch() will not send as-is: header names in a
 * client's own casing (Go's `X-Tc-Action`), captured bytes replayed verbatim, odd methods.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  /** Lower-cased names. */
  headers: Map<string, string>;
  body: string;
  /** True when the server closed the socket without answering. */
  reset: boolean;
}

/** Writes `text` (which should carry `Connection: close`) and reads the whole answer. */
export function rawHttp(port: number, text: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      if (all.length === 0) return resolve({ status: 0, headers: new Map(), body: '', reset: true });
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers = new Map(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
      let body: Buffer = all.subarray(split + 4);
      if (headers.get('transfer-encoding') === 'chunked') body = dechunk(body);
      resolve({ status: Number(head[0]!.split(' ')[1]), headers, body: body.toString('utf8'), reset: false });
    };
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? finish() : (clearTimeout(timer), reject(err))));
    socket.on('close', finish);
    socket.write(text);
  });
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let rest = body;
  for (;;) {
    const nl = rest.indexOf('\r\n');
    if (nl < 0) return Buffer.concat(out);
    const size = parseInt(rest.subarray(0, nl).toString('latin1'), 16);
    if (!size) return Buffer.concat(out);
    out.push(rest.subarray(nl + 2, nl + 2 + size));
    rest = rest.subarray(nl + 2 + size + 2);
  }
}

/** Serializes a request; `Connection: close` is added unless given. */
export function httpRequest(method: string, url: string, headers: Array<readonly [string, string]>, body = ''): string {
  const lines = headers.map(([k, v]) => `${k}: ${v}`);
  if (!headers.some(([k]) => k.toLowerCase() === 'connection')) lines.push('Connection: close');
  if (body !== '' && !headers.some(([k]) => k.toLowerCase() === 'content-length')) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${method} ${url} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
