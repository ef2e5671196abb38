/** NDJSON in and out, streamed: lines from a request body, a Readable of lines for an answer. */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export const NDJSON = 'application/x-ndjson';

/** The lines of a UTF-8 stream (without their `\n`; a `\r` before it is kept), multi-byte characters intact across chunks. */
export async function* readLines(stream: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    let nl: number;
    while ((nl = rest.indexOf('\n', start)) >= 0) {
      yield rest.slice(start, nl);
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

/**
 * A stream of NDJSON lines from objects, batched into chunks of about 64 KiB. Backpressure reaches
 * the producer (it is only pulled when the socket wants more); destroying the stream (the client
 * went away) returns the generator, so its `finally` blocks run.
 */
export function ndjsonStream(objects: AsyncIterable<unknown>): Readable {
  async function* chunks() {
    let buf = '';
    for await (const o of objects) {
      buf += `${JSON.stringify(o)}\n`;
      if (buf.length >= 65536) {
        yield Buffer.from(buf, 'utf8');
        buf = '';
      }
    }
    if (buf !== '') yield Buffer.from(buf, 'utf8');
  }
  return Readable.from(chunks(), { objectMode: false });
}
