/**
 * The API 3.0 answer: always HTTP 200, `Content-Type: application/json` exactly (the Python SDK
 * ignores errors under any other content type), and a `Response` object carrying a fresh
 * `RequestId`, errors included.
 */
import { randomUUID } from 'node:crypto';
import type { ApiError, Lang } from './errors.js';

/**
 * A pre-serialized JSON fragment, inlined verbatim into the answer. The partners cache stores
 * each deal already rendered, so a page is spliced together instead of parsed and re-encoded.
 */
export class RawJson {
  constructor(readonly json: string) {}
}

export type ResponseFields = Record<string, unknown>;

export const CONTENT_TYPE = 'application/json';

export function newRequestId(): string {
  return randomUUID();
}

/** Serializes `{"Response": {...fields, "RequestId": id}}`, inlining top-level RawJson values. */
export function successBody(fields: ResponseFields, requestId: string): string {
  let out = '{"Response":{';
  for (const [key, value] of Object.entries(fields)) {
    const json = value instanceof RawJson ? value.json : JSON.stringify(value);
    out += `${JSON.stringify(key)}:${json},`;
  }
  return `${out}"RequestId":${JSON.stringify(requestId)}}}`;
}

export function errorBody(error: ApiError, lang: Lang, requestId: string): string {
  return JSON.stringify({
    Response: {
      Error: { Code: error.code, Message: error.messageIn(lang) },
      RequestId: requestId,
    },
  });
}
