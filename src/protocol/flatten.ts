/**
 * GET queries and form bodies carry arrays flattened: `OwnerUins.0=a&OwnerUins.1=b`, nested
 * as `Filters.0.Name=x`. The indices are chosen by the sender, so they are bounded and must be
 * dense before any array is built (a `StatusSet.4294967294=1` must not allocate four billion
 * slots).
 */
import { ApiError, type ErrorCode } from './errors.js';

const INDEX = /^(0|[1-9]\d{0,5})$/;
const MAX_DEPTH = 4;

type Node = Map<string, Node | string>;

function conflict(code: ErrorCode, key: string): ApiError {
  return new ApiError(code, {
    en: `The flattened parameter \`${key}\` conflicts with another parameter of the same name (a value and a list or object at once, or given twice).`,
    zh: `展开参数 \`${key}\` 与同名参数冲突（同时作为值与数组/对象，或重复出现）。`,
  });
}

/** Turns ordered flat pairs into a plain object of strings, arrays and objects. */
export function unflatten(pairs: Iterable<readonly [string, string]>, code: ErrorCode): Record<string, unknown> {
  const root: Node = new Map();
  for (const [key, value] of pairs) {
    const path = key.split('.');
    if (path.length > MAX_DEPTH || path.some((p) => p === '')) {
      throw new ApiError(code, {
        en: `The parameter name \`${key.slice(0, 64)}\` is malformed: at most ${MAX_DEPTH} dot-separated, non-empty segments.`,
        zh: `参数名 \`${key.slice(0, 64)}\` 格式错误：最多 ${MAX_DEPTH} 段且不能为空。`,
      });
    }
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      const next = node.get(seg);
      if (next === undefined) {
        const child: Node = new Map();
        node.set(seg, child);
        node = child;
      } else if (typeof next === 'string') {
        throw conflict(code, key);
      } else {
        node = next;
      }
    }
    const last = path[path.length - 1]!;
    if (node.has(last)) throw conflict(code, key);
    node.set(last, value);
  }
  return toPlain(root, code, '') as Record<string, unknown>;
}

function toPlain(node: Node, code: ErrorCode, prefix: string): unknown {
  const keys = [...node.keys()];
  const isList = keys.length > 0 && keys.every((k) => INDEX.test(k));
  if (isList) {
    // Dense 0..n-1 only: n keys whose indices are all < n and distinct cover exactly 0..n-1.
    const n = keys.length;
    if (!keys.every((k) => Number(k) < n)) {
      throw new ApiError(code, {
        en: `The list parameter \`${prefix}\` has indices that are not dense from 0 (got ${keys.slice(0, 5).join(', ')}${n > 5 ? ', ...' : ''}).`,
        zh: `数组参数 \`${prefix}\` 的下标必须从 0 开始连续（实际为 ${keys.slice(0, 5).join(', ')}${n > 5 ? ', ...' : ''}）。`,
      });
    }
    const list: unknown[] = new Array(n);
    for (const [k, v] of node) {
      list[Number(k)] = typeof v === 'string' ? v : toPlain(v, code, `${prefix}.${k}`);
    }
    return list;
  }
  const obj: Record<string, unknown> = {};
  for (const [k, v] of node) {
    // defineProperty: a key named `__proto__` stays an ordinary (unknown) parameter.
    Object.defineProperty(obj, k, {
      value: typeof v === 'string' ? v : toPlain(v, code, prefix ? `${prefix}.${k}` : k),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return obj;
}

/**
 * Parses an `application/x-www-form-urlencoded` string (a query or a form body) into ordered
 * pairs of decoded names and values. `+` is a space, as forms define it.
 */
export function parseForm(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (text === '') return pairs;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([decodeFormComponent(rawKey), decodeFormComponent(rawValue)]);
  }
  return pairs;
}

function decodeFormComponent(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Malformed percent-escapes are kept literally rather than failing the whole request.
    return spaced;
  }
}
