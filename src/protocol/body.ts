/**
 * The API's request bodies, read by the protocol layer itself rather than by Fastify: any
 * Content-Type, declared length or chunked, with the documented per-scheme limits, and an
 * answer the client can always read.
 *
 * The client must be able to read an early answer. When the server answers before it has read
 * the whole body (over the limit, a method or encoding refused on its headers alone, a broken
 * or stalled body), closing the socket at once would leave unread bytes in the kernel's receive
 * buffer; the kernel then sends a reset, and a client still writing its body sees EPIPE or
 * ECONNRESET and drops the answer it has not read yet. So an early answer carries
 * `Connection: close`, and the connection then *lingers*: the server sends its FIN, keeps
 * reading and discarding what the client still sends, and closes once the body (or the client's
 * side of the connection) has ended — or after a bound of bytes and time, whichever comes first.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from './errors.js';
import { header, type RawHttpRequest, SIZE_LIMITS, sizeError } from './incoming.js';

export interface BodyBounds {
  /** After an early answer, discard at most this many further bytes before closing. */
  readonly drainBytes: number;
  /** After an early answer, keep the connection at most this long before closing. */
  readonly drainMs: number;
  /** A body that sends nothing for this long is answered as stalled. */
  readonly idleMs: number;
}

export const DEFAULT_BODY_BOUNDS: BodyBounds = {
  drainBytes: 64 * 1024 * 1024,
  drainMs: 10_000,
  idleMs: 10_000,
};

type Headers = RawHttpRequest['headers'];

/** The size limit a request's body is read against, decided on the request line and headers alone. */
export interface BodyLimit {
  /** Bytes of body allowed (for GET: what the URL leaves of the 32 KB). */
  readonly bytes: number;
  /** The answer when the request is over it. */
  error(): ApiError;
}

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').trim().toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/**
 * GET: 32 KB for the URL and any body together. POST: TC3 (an `Authorization` header, or an
 * `X-TC-Action` header on a body that is not a form) 10 MB, v1 (a form without `Authorization`,
 * or anything else) 1 MB — the same scheme `readIncoming` settles on later, so a body is never
 * read past the limit of the scheme it turns out to use.
 */
export function bodyLimit(method: string, url: string, headers: Headers): BodyLimit {
  if (method === 'GET') {
    const left = SIZE_LIMITS.get - Buffer.byteLength(url);
    return { bytes: Math.max(left, -1), error: () => sizeError(SIZE_LIMITS.get, 'GET requests') };
  }
  const tc3 =
    header(headers, 'authorization') !== undefined ||
    (!isForm(header(headers, 'content-type')) && header(headers, 'x-tc-action') !== undefined);
  return tc3
    ? { bytes: SIZE_LIMITS.tc3Post, error: () => sizeError(SIZE_LIMITS.tc3Post, 'TC3-HMAC-SHA256 POST requests') }
    : { bytes: SIZE_LIMITS.v1Post, error: () => sizeError(SIZE_LIMITS.v1Post, 'v1 (HmacSHA1/HmacSHA256) POST requests') };
}

/** The declared `Content-Length` (Node's parser has checked its syntax), 0 for no body, undefined for chunked. */
export function declaredLength(headers: Headers): number | undefined {
  if (header(headers, 'transfer-encoding') !== undefined) return undefined;
  const cl = header(headers, 'content-length');
  return cl === undefined ? 0 : Number(cl);
}

export function hasBody(headers: Headers): boolean {
  const declared = declaredLength(headers);
  return declared === undefined || declared > 0;
}

/**
 * The protocol has no request compression, and the TC3 payload hash is over the bytes sent: a
 * body with any `Content-Encoding` but `identity` is refused, with the header named.
 */
export function encodingError(headers: Headers): ApiError | undefined {
  const raw = header(headers, 'content-encoding');
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'identity' || !hasBody(headers)) return undefined;
  const shown = JSON.stringify(raw!.trim().slice(0, 32));
  return new ApiError('UnsupportedProtocol', {
    en: `The request body has \`Content-Encoding: ${shown.slice(1, -1)}\`: Tencent Cloud API 3.0 has no request compression (the TC3 payload hash is over the bytes sent); send the body uncompressed, without a Content-Encoding header.`,
    zh: `请求体带有 \`Content-Encoding: ${shown.slice(1, -1)}\`：云 API 3.0 不支持请求压缩（TC3 签名的负载哈希按实际发送的字节计算），请发送未压缩的请求体，且不带 Content-Encoding 头。`,
  });
}

/** A body that ended early, broke its chunked framing, or stalled. */
export function brokenBodyError(reason: string, zhReason: string): ApiError {
  return new ApiError('UnsupportedProtocol', {
    en: `The HTTP request is malformed: ${reason}.`,
    zh: `HTTP 请求格式错误：${zhReason}。`,
  });
}

export type BodyResult =
  | { readonly kind: 'complete'; readonly body: Buffer }
  | { readonly kind: 'tooLarge'; readonly received: number }
  /** Framing broke or the client ended its side before the body was complete; the socket can still carry an answer. */
  | { readonly kind: 'broken'; readonly received: number; readonly error: ApiError }
  /** Nothing arrived for `idleMs`. */
  | { readonly kind: 'stalled'; readonly received: number }
  /** The connection is gone: nobody to answer. */
  | { readonly kind: 'gone' };

/**
 * Who owns a socket's errors. While an API request is in flight on a socket, a parse error
 * Node reports on it (`clientError`: a broken chunk, a FIN in mid-body) belongs to that request,
 * which answers it in the envelope; once the socket lingers, further errors are only bytes to
 * discard.
 */
interface SocketOwner {
  clientError(err: Error & { code?: string }): void;
}

const owners = new WeakMap<Socket, SocketOwner>();

/** For the server's `clientError` handler: true when the socket's error was handed to its owner. */
export function handOverClientError(socket: Socket, err: Error & { code?: string }): boolean {
  const owner = owners.get(socket);
  if (!owner) return false;
  owner.clientError(err);
  return true;
}

/**
 * One API request's hold on its connection: reads the body, collects parse errors Node reports
 * on the socket meanwhile, and decides how the answer ends the exchange.
 */
export class BodyReader {
  private readonly socket: Socket;
  private readonly owner: SocketOwner;
  private result: ((r: BodyResult) => void) | undefined;
  /** A parse error reported after the body was read (pipelined garbage): the answer closes the connection. */
  private lateError = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly bounds: BodyBounds,
    private readonly lingering: Set<Socket>,
  ) {
    this.socket = req.socket;
    // Node destroys the request with an error when the connection dies; never let that go unheard.
    req.on('error', () => {});
    this.owner = {
      clientError: (err) => {
        // Once the body is complete, the error is in what follows it (a broken pipelined request):
        // this request is answered, then the connection closes.
        if (this.result && !req.complete) this.result({ kind: 'broken', received: -1, error: parseErrorAnswer(err) });
        else this.lateError = true;
      },
    };
    owners.set(this.socket, this.owner);
  }

  /** Reads the whole body up to `limit` bytes. Past the limit, the rest is discarded, not kept. */
  read(limit: number): Promise<BodyResult> {
    const req = this.req;
    return new Promise<BodyResult>((resolve) => {
      const chunks: Buffer[] = [];
      let received = 0;
      let idle: NodeJS.Timeout | undefined;
      const finish = (r: BodyResult) => {
        if (!this.result) return;
        this.result = undefined;
        clearTimeout(idle);
        chunks.length = 0;
        resolve(r.kind === 'broken' ? { ...r, received } : r);
      };
      this.result = finish;
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(() => finish({ kind: 'stalled', received }), this.bounds.idleMs);
      };
      // The listener stays after `finish`: the request keeps flowing, and what is left is discarded.
      req.on('data', (chunk: Buffer) => {
        if (!this.result) return;
        received += chunk.length;
        if (received > limit) return finish({ kind: 'tooLarge', received });
        chunks.push(chunk);
        arm();
      });
      req.once('end', () => finish({ kind: 'complete', body: Buffer.concat(chunks, received) }));
      req.once('close', () => finish(req.complete ? { kind: 'complete', body: Buffer.concat(chunks, received) } : { kind: 'gone' }));
      if (req.readableEnded) finish({ kind: 'complete', body: Buffer.alloc(0) });
      else arm();
    });
  }

  /** True when the answer must close the connection: the body was not read to its end, or the framing broke. */
  get mustClose(): boolean {
    return !this.req.complete || this.lateError;
  }

  /** See `closeAfterAnswer`. */
  closeAfterAnswer(): void {
    closeAfterAnswer(this.req, this.bounds, this.lingering);
  }

  /** The request is answered and the connection stays open: its socket errors are Node's business again. */
  release(): void {
    if (owners.get(this.socket) === this.owner) owners.delete(this.socket);
  }
}

/**
 * Prepares a request's answer to close the connection without losing the answer (see the module
 * comment). The caller sets `Connection: close` on the answer; here the rest of the body is
 * discarded and, where Node closes the socket right after a `Connection: close` answer (its
 * `socket.destroySoon()`), the socket lingers instead.
 */
export function closeAfterAnswer(req: IncomingMessage, bounds: BodyBounds, lingering: Set<Socket>): void {
  const socket = req.socket;
  req.on('error', () => {});
  req.resume();
  socket.destroySoon = () => lingerThenClose(socket, req, bounds, lingering);
}

/**
 * Sends the FIN after the answer, discards what the client still sends, and closes the socket
 * when the request body has ended, when the client has ended its side, or past the byte or time
 * bound. Closing with nothing unread sends no reset, so the client reads the whole answer.
 */
export function lingerThenClose(socket: Socket, req: IncomingMessage | undefined, bounds: BodyBounds, lingering: Set<Socket>): void {
  if (socket.destroyed || lingering.has(socket)) return;
  lingering.add(socket);
  const startBytes = socket.bytesRead;
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    if (socket.destroyed) return;
    // The answer must reach the kernel before the socket closes; a stuck write ends at the bound.
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  };
  const check = () => {
    if (socket.readableEnded) close();
    else if (socket.bytesRead - startBytes > bounds.drainBytes) socket.destroy();
  };
  const timer = setTimeout(() => socket.destroy(), bounds.drainMs);
  timer.unref();
  socket.once('close', () => {
    clearTimeout(timer);
    lingering.delete(socket);
    owners.delete(socket);
  });
  // Later parse errors on this socket (the rest of a broken request) are discarded bytes.
  owners.set(socket, { clientError: check });
  socket.on('error', () => {});
  socket.once('end', close);
  if (!socket.writableEnded) socket.end();
  if (req) {
    if (req.complete) return close();
    req.on('data', check);
    req.once('end', close);
    req.resume();
  } else {
    // Nothing parses this socket's bytes any more once its request line or headers broke.
    socket.resume();
  }
}

/** The envelope answer to a parse error Node reports on a socket (see `clientError`). */
export function parseErrorAnswer(err: Error & { code?: string }): ApiError {
  switch (err.code) {
    case 'HPE_INVALID_EOF_STATE':
      return brokenBodyError('the connection was half-closed before the request body was complete', '请求体尚未发送完整，连接就已半关闭');
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_STRICT':
    case 'HPE_CR_EXPECTED':
    case 'HPE_LF_EXPECTED':
      return brokenBodyError(`the chunked body is not valid chunked transfer coding (${err.code})`, `分块传输编码的请求体格式错误（${err.code}）`);
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return brokenBodyError('the chunk extensions are too long', '分块扩展过长');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return brokenBodyError('the request was not received in time', '请求未在限定时间内接收完毕');
    default:
      return brokenBodyError(`the request is not valid HTTP/1.1 (${String(err.code ?? 'parse error').slice(0, 40)})`, `请求不是合法的 HTTP/1.1（${String(err.code ?? 'parse error').slice(0, 40)}）`);
  }
}
