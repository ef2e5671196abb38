/**
 * A raw HTTP/1.1 client that behaves like the simple clients that lose early answers: it writes
 * the request head and the whole body (honouring back-pressure), and only then reads. Until the
 * body is written the socket is paused, so the answer waits in the kernel's receive buffer — where
 * a reset from the server would destroy it. A write error (EPIPE, ECONNRESET) is reported, not
 * thrown, so a test can assert there was none.
 */
import { connect } from 'node:net';
import type { RawAnswer } from './raw-http.js';

export interface ExchangeOptions {
  /** After writing everything: half-close our side (`end`), keep it open (`keep`, default), or abort (`destroy`). */
  after?: 'end' | 'keep' | 'destroy';
  /** Give up after this long (the answer then has `timedOut`). */
  timeoutMs?: number;
  /** Read as the answer arrives instead of after the whole body is written. */
  readWhileWriting?: boolean;
  /** Stop writing the body as soon as a final answer has arrived (as curl does after `Expect: 100-continue`). */
  stopOnAnswer?: boolean;
  /** Pause this long between the head and the body. */
  pauseBeforeBodyMs?: number;
}

export interface ExchangeResult extends RawAnswer {
  /** The error a write hit (EPIPE, ECONNRESET…), if any. */
  writeError?: string;
  /** The error reading hit, if any. */
  readError?: string;
  /** Body bytes the client managed to write. */
  written: number;
  /** Interim (1xx) answers seen before the final one. */
  interim: number[];
  timedOut: boolean;
  /** The answer as received, for debugging. */
  rawText: string;
}

/** Frames `body` as chunked transfer coding in chunks of `size` bytes, with the final zero chunk. */
export function chunked(body: Buffer, size = 64 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const part = body.subarray(i, i + size);
    out.push(Buffer.from(`${part.length.toString(16)}\r\n`, 'latin1'), part, Buffer.from('\r\n'));
  }
  out.push(Buffer.from('0\r\n\r\n'));
  return out;
}

/** Splits a buffer into pieces, so big bodies are written with back-pressure. */
export function pieces(body: Buffer, size = 256 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) out.push(body.subarray(i, i + size));
  return out;
}

/** Serializes a request head (no body); no header is added. */
export function head(method: string, target: string, headers: Array<readonly [string, string]>): Buffer {
  return Buffer.from(`${method} ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1');
}

export function exchange(port: number, requestHead: Buffer, body: Buffer[] = [], options: ExchangeOptions = {}): Promise<ExchangeResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let writeError: string | undefined;
    let readError: string | undefined;
    let written = 0;
    let timedOut = false;
    let done = false;
    let answered = false;
    let writtenAll = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseAnswer(Buffer.concat(chunks)), writeError, readError, written, timedOut });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, timeoutMs);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const answer = parseAnswer(Buffer.concat(chunks));
      if (answer.status >= 200) answered = true;
      // One whole answer read, and the request written: done (the connection may stay open).
      if (answer.complete && (writtenAll || options.stopOnAnswer)) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (written < total) writeError ??= err.code ?? err.message;
      else readError ??= err.code ?? err.message;
      finish();
    });
    const total = body.reduce((n, b) => n + b.length, 0);
    if (!options.readWhileWriting) socket.pause();
    const write = (buf: Buffer) =>
      new Promise<void>((ok) => {
        if (socket.destroyed) return ok();
        if (socket.write(buf)) ok();
        else {
          const go = () => {
            socket.off('close', go);
            socket.off('drain', go);
            ok();
          };
          socket.once('drain', go);
          socket.once('close', go);
        }
      });
    socket.once('connect', async () => {
      await write(requestHead);
      if (options.pauseBeforeBodyMs) await new Promise((r) => setTimeout(r, options.pauseBeforeBodyMs));
      for (const piece of body) {
        if (socket.destroyed || writeError) break;
        if (options.stopOnAnswer && answered) break;
        await write(piece);
        if (!writeError) written += piece.length;
      }
      if (socket.destroyed) return;
      writtenAll = true;
      if (options.after === 'end') socket.end();
      else if (options.after === 'destroy') return finish();
      socket.resume();
      if (parseAnswer(Buffer.concat(chunks)).complete) finish();
    });
  });
}

/** Parses the final answer, skipping interim 1xx answers; `reset` when nothing came back. */
export function parseAnswer(all: Buffer): Omit<ExchangeResult, 'writeError' | 'readError' | 'written' | 'timedOut'> & { complete: boolean } {
  const rawText = all.toString('latin1');
  const interim: number[] = [];
  let rest = all;
  for (;;) {
    const split = rest.indexOf('\r\n\r\n');
    if (split < 0) return { status: 0, headers: new Map(), body: '', reset: true, interim, rawText, complete: false };
    const lines = rest.subarray(0, split).toString('latin1').split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    if (status >= 100 && status < 200) {
      interim.push(status);
      rest = rest.subarray(split + 4);
      continue;
    }
    const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
    let body = rest.subarray(split + 4);
    const length = headers.get('content-length');
    const complete = length !== undefined && body.length >= Number(length);
    if (length !== undefined) body = body.subarray(0, Number(length));
    return { status, headers, body: body.toString('utf8'), reset: false, interim, rawText, complete };
  }
}
