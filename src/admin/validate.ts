/**
 * Reading admin request bodies and query strings: every refusal is a 400 AdminError whose message
 * names the field, the value received and the rule, like the API's own parameter errors.
 */
import { describeValue } from '../protocol/params.js';
import { AdminError } from './context.js';

export type JsonObject = Record<string, unknown>;

const UIN = /^\d{1,20}$/;

export function bad(message: string, code = 'InvalidParameter'): AdminError {
  return new AdminError(400, code, message);
}

export function notFound(message: string, code = 'NotFound'): AdminError {
  return new AdminError(404, code, message);
}

/**
 * The request body as a JSON object with only `allowed` fields. An absent body is `{}` when
 * `optional`; anything that is not a JSON object (or not sent as application/json) is refused.
 */
export function jsonBody(body: unknown, allowed: readonly string[], optional = false): JsonObject {
  if (body === undefined || body === null || (Buffer.isBuffer(body) && body.length === 0)) {
    if (optional) return {};
    throw bad(`This endpoint needs a JSON object body (Content-Type: application/json) with ${allowed.join(', ')}.`, 'InvalidBody');
  }
  if (Buffer.isBuffer(body)) throw bad('The body must be JSON: send it with Content-Type: application/json.', 'InvalidBody');
  if (typeof body !== 'object' || Array.isArray(body)) throw bad(`The body must be a JSON object, got ${describeValue(body)}.`, 'InvalidBody');
  const obj = body as JsonObject;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw bad(`Unknown field ${JSON.stringify(key)}; this endpoint takes ${allowed.join(', ')}.`, 'UnknownParameter');
  }
  return obj;
}

export function has(obj: JsonObject, name: string): boolean {
  return Object.hasOwn(obj, name) && obj[name] !== undefined;
}

export function requiredField(obj: JsonObject, name: string): unknown {
  if (!has(obj, name)) throw bad(`${name} is required.`, 'MissingParameter');
  return obj[name];
}

export function stringField(obj: JsonObject, name: string, fallback?: string): string {
  if (!has(obj, name)) {
    if (fallback !== undefined) return fallback;
    throw bad(`${name} is required.`, 'MissingParameter');
  }
  const v = obj[name];
  if (typeof v !== 'string') throw bad(`${name}: ${describeValue(v)} is not a string.`);
  if (v.includes('\u0000')) throw bad(`${name} contains the character U+0000, which cannot be stored.`);
  return v;
}

/** A UIN as a string of 1-20 digits, or as a JSON integer (safe ones only: larger ones lost digits in JSON.parse). */
export function uinValue(value: unknown, name: string): string {
  if (typeof value === 'string' && UIN.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw bad(`${name}: ${describeValue(value)} is not a UIN (1-20 digits, as a string).`);
}

export function uinField(obj: JsonObject, name: string, fallback?: string): string {
  if (!has(obj, name)) {
    if (fallback !== undefined) return fallback;
    throw bad(`${name} is required.`, 'MissingParameter');
  }
  return uinValue(obj[name], name);
}

export function booleanField(obj: JsonObject, name: string, fallback: boolean): boolean {
  if (!has(obj, name)) return fallback;
  const v = obj[name];
  if (typeof v !== 'boolean') throw bad(`${name}: ${describeValue(v)} is not a boolean (true or false).`);
  return v;
}

export function oneOfField<T extends string>(obj: JsonObject, name: string, allowed: readonly T[], fallback?: T): T {
  if (!has(obj, name)) {
    if (fallback !== undefined) return fallback;
    throw bad(`${name} is required; one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}.`, 'MissingParameter');
  }
  const v = obj[name];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw bad(`${name}: ${describeValue(v)} is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}.`);
  }
  return v as T;
}

/** A finite number within [min, max]; `integer` also refuses fractions. */
export function numberValue(value: unknown, name: string, min: number, max: number, integer = false): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw bad(`${name}: ${describeValue(value)} is not ${integer ? 'an integer' : 'a number'}.`);
  }
  if (n < min || n > max) throw bad(`${name}: ${describeValue(value)} must be between ${min} and ${max}.`);
  return n;
}

/** An optional query parameter: absent or empty means undefined. */
export function queryString(query: unknown, name: string): string | undefined {
  const q = (query ?? {}) as Record<string, unknown>;
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw bad(`Query parameter ${name} was given more than once.`);
  return v;
}

export function queryUin(query: unknown, name: string): string | undefined {
  const v = queryString(query, name);
  return v === undefined ? undefined : uinValue(v, `Query parameter ${name}`);
}

export function queryInt(query: unknown, name: string, min: number, max: number): number | undefined {
  const v = queryString(query, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw bad(`Query parameter ${name}: ${describeValue(v)} is not a non-negative integer.`);
  return numberValue(Number(v), `Query parameter ${name}`, min, max, true);
}

/** Refuses query parameters this endpoint does not know (a typo would otherwise silently widen a filter). */
export function knownQuery(query: unknown, allowed: readonly string[]): void {
  for (const key of Object.keys((query ?? {}) as object)) {
    if (!allowed.includes(key)) {
      throw bad(`Unknown query parameter ${JSON.stringify(key)}; this endpoint takes ${allowed.length ? allowed.join(', ') : 'none'}.`, 'UnknownParameter');
    }
  }
}
