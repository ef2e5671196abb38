/**
 * Declarative request parameters. Each action lists its parameters once (kind, required,
 * bounds, allowed values, default); this module decodes a request's parameters against that
 * list and answers bad input with the documented code and a message naming the parameter, the
 * value received and the rule it broke.
 */
import { ApiError, type ErrorCode } from './errors.js';
import { DATETIME_FORMAT, isDateTime } from './datetime.js';

interface Common {
  readonly required?: boolean;
  readonly doc?: string;
}

export interface IntegerParam extends Common {
  readonly kind: 'integer';
  readonly min?: number;
  readonly max?: number;
  readonly oneOf?: readonly number[];
  readonly default?: number;
}
export interface StringParam extends Common {
  readonly kind: 'string';
  readonly maxLength?: number;
  /** The allowed values; the decoded value is the listed spelling (see `ignoreCase`). */
  readonly oneOf?: readonly string[];
  /** With `oneOf`: `asc` matches `ASC`. */
  readonly ignoreCase?: boolean;
  /** `uin`: 1-20 digits; `date`: `YYYY-MM-DD` or `YYYY-MM-DD HH:mm:ss`. */
  readonly format?: 'uin' | 'date';
}
export interface DateTimeParam extends Common {
  readonly kind: 'datetime';
}
export interface StringListParam extends Common {
  readonly kind: 'stringList';
  readonly maxItems: number;
  /** At least this many items (a required list that must not be empty). */
  readonly minItems?: number;
  readonly maxLength?: number;
}
export interface IntegerListParam extends Common {
  readonly kind: 'integerList';
  readonly maxItems: number;
  readonly oneOf?: readonly number[];
}

export type ParamSpec = IntegerParam | StringParam | DateTimeParam | StringListParam | IntegerListParam;
export type ParamsSpec = Readonly<Record<string, ParamSpec>>;

/** The decoded value type of one parameter spec. */
type ValueOf<S extends ParamSpec> = S extends IntegerParam
  ? number
  : S extends StringParam | DateTimeParam
    ? string
    : S extends StringListParam
      ? string[]
      : S extends IntegerListParam
        ? number[]
        : never;

/** Required parameters and those with defaults are always present; the rest may be absent. */
export type Decoded<P extends ParamsSpec> = {
  -readonly [K in keyof P as P[K] extends { required: true } | { default: number } ? K : never]: ValueOf<P[K]>;
} & {
  -readonly [K in keyof P as P[K] extends { required: true } | { default: number } ? never : K]?: ValueOf<P[K]>;
};

export interface DecodeContext {
  readonly action: string;
  readonly version: string;
  /** `InvalidParameterValue` on billing, `InvalidParameter` on partners, as their documents list. */
  readonly invalidCode: ErrorCode;
}

const INTEGER_STRING = /^-?\d{1,16}$/;

/** A short, safe rendering of any received value for error messages (bounded depth and length). */
export function describeValue(value: unknown, depth = 0): string {
  const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);
  if (value === null) return 'null';
  if (typeof value === 'string') return clip(JSON.stringify(value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (depth >= 2) return '[...]';
    const items = value.slice(0, 5).map((v) => describeValue(v, depth + 1));
    return clip(`[${items.join(',')}${value.length > 5 ? ',...' : ''}]`);
  }
  if (typeof value === 'object') {
    if (depth >= 2) return '{...}';
    const keys = Object.keys(value as object).slice(0, 5);
    return clip(`{${keys.map((k) => `${JSON.stringify(k)}:${describeValue((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`);
  }
  return typeof value;
}

function invalid(ctx: DecodeContext, name: string, value: unknown, enRule: string, zhRule: string): ApiError {
  const shown = describeValue(value);
  return new ApiError(ctx.invalidCode, {
    en: `The value ${shown} of parameter \`${name}\` is invalid: ${enRule}.`,
    zh: `参数 \`${name}\` 的取值 ${shown} 无效：${zhRule}。`,
  });
}

function decodeInteger(ctx: DecodeContext, name: string, raw: unknown, spec: { min?: number; max?: number; oneOf?: readonly number[] }): number {
  let n: number | undefined;
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) n = raw;
  else if (typeof raw === 'string' && INTEGER_STRING.test(raw)) {
    const parsed = Number(raw);
    if (Number.isSafeInteger(parsed)) n = parsed;
  }
  if (n === undefined) {
    throw invalid(ctx, name, raw, 'it must be an integer (a JSON number or a numeric string)', '必须是整数（JSON 数字或数字字符串）');
  }
  if (spec.oneOf && !spec.oneOf.includes(n)) {
    const allowed = spec.oneOf.join(', ');
    throw invalid(ctx, name, raw, `it must be one of ${allowed}`, `取值必须是 ${allowed} 之一`);
  }
  if (spec.min !== undefined && n < spec.min) {
    const rule = spec.max !== undefined ? `${spec.min}..${spec.max}` : `>= ${spec.min}`;
    throw invalid(ctx, name, raw, `it must be ${spec.max !== undefined ? 'within ' : ''}${rule}`, `取值范围为 ${rule}`);
  }
  if (spec.max !== undefined && n > spec.max) {
    const rule = spec.min !== undefined ? `${spec.min}..${spec.max}` : `<= ${spec.max}`;
    throw invalid(ctx, name, raw, `it must be within ${rule}`, `取值范围为 ${rule}`);
  }
  return n;
}

function decodeString(ctx: DecodeContext, name: string, raw: unknown, maxLength = 256, spec?: StringParam): string {
  if (typeof raw !== 'string') throw invalid(ctx, name, raw, 'it must be a string', '必须是字符串');
  if (raw.length > maxLength) {
    throw invalid(ctx, name, raw, `it must be at most ${maxLength} characters long`, `长度不能超过 ${maxLength} 个字符`);
  }
  if (spec?.oneOf) {
    const found = spec.oneOf.find((v) => (spec.ignoreCase ? v.toLowerCase() === raw.toLowerCase() : v === raw));
    if (found === undefined) {
      const allowed = spec.oneOf.join(', ');
      const how = spec.ignoreCase ? ' (any case)' : '';
      throw invalid(ctx, name, raw, `it must be one of ${allowed}${how}`, `取值必须是 ${allowed} 之一${spec.ignoreCase ? '（不区分大小写）' : ''}`);
    }
    return found;
  }
  if (spec?.format === 'uin' && !/^\d{1,20}$/.test(raw)) {
    throw invalid(ctx, name, raw, 'it must be an account ID (1-20 digits)', '必须是账号 ID（1-20 位数字）');
  }
  if (spec?.format === 'date' && !(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? isDateTime(`${raw} 00:00:00`) : isDateTime(raw))) {
    throw invalid(ctx, name, raw, `it must be a valid date YYYY-MM-DD or date-time ${DATETIME_FORMAT}`, `必须是合法的日期 YYYY-MM-DD 或时间 ${DATETIME_FORMAT}`);
  }
  return raw;
}

function decodeList(ctx: DecodeContext, name: string, raw: unknown, maxItems: number): unknown[] {
  if (!Array.isArray(raw)) throw invalid(ctx, name, raw, 'it must be an array', '必须是数组');
  if (raw.length > maxItems) {
    throw invalid(ctx, name, raw, `it holds ${raw.length} items, at most ${maxItems} are allowed`, `最多 ${maxItems} 个元素，实际 ${raw.length} 个`);
  }
  return raw;
}

function decodeOne(ctx: DecodeContext, name: string, raw: unknown, spec: ParamSpec): unknown {
  switch (spec.kind) {
    case 'integer':
      return decodeInteger(ctx, name, raw, spec);
    case 'string':
      return decodeString(ctx, name, raw, spec.maxLength, spec);
    case 'datetime': {
      if (typeof raw !== 'string' || !isDateTime(raw)) {
        throw invalid(ctx, name, raw, `it must be a valid date-time formatted ${DATETIME_FORMAT}`, `必须是合法的时间，格式为 ${DATETIME_FORMAT}`);
      }
      return raw;
    }
    case 'stringList': {
      const list = decodeList(ctx, name, raw, spec.maxItems);
      if (spec.minItems !== undefined && list.length < spec.minItems) {
        throw invalid(ctx, name, raw, `it must hold at least ${spec.minItems} item(s)`, `至少需要 ${spec.minItems} 个元素`);
      }
      return list.map((item, i) =>
        decodeString(ctx, `${name}.${i}`, item, spec.maxLength),
      );
    }
    case 'integerList':
      return decodeList(ctx, name, raw, spec.maxItems).map((item, i) =>
        decodeInteger(ctx, `${name}.${i}`, item, spec),
      );
  }
}

/**
 * Decodes `input` (own properties only: prototype keys such as `__proto__` or `toString` are
 * ordinary unknown names here) against `spec`.
 */
export function decodeParams<P extends ParamsSpec>(ctx: DecodeContext, spec: P, input: Record<string, unknown>): Decoded<P> {
  const known = new Map(Object.entries(spec));
  for (const name of Object.keys(input)) {
    if (!known.has(name)) {
      throw new ApiError('UnknownParameter', {
        en: `The parameter \`${describeName(name)}\` is not recognized by ${ctx.action} (version ${ctx.version}).`,
        zh: `参数 \`${describeName(name)}\` 不是 ${ctx.action}（版本 ${ctx.version}）定义的参数。`,
      });
    }
  }
  const out = new Map<string, unknown>();
  for (const [name, paramSpec] of known) {
    const present = Object.hasOwn(input, name) && input[name] !== null;
    if (!present) {
      if (paramSpec.required) {
        throw new ApiError('MissingParameter', {
          en: `The request is missing a required parameter \`${name}\`.`,
          zh: `缺少必选参数 \`${name}\`。`,
        });
      }
      if (paramSpec.kind === 'integer' && paramSpec.default !== undefined) out.set(name, paramSpec.default);
      continue;
    }
    out.set(name, decodeOne(ctx, name, input[name], paramSpec));
  }
  return Object.fromEntries(out) as Decoded<P>;
}

function describeName(name: string): string {
  return name.length > 64 ? `${name.slice(0, 61)}...` : name;
}
