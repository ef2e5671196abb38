/**
 * JSON kinds from the official SDK model file, generated at test time: every interface of
 * `partners_models.d.ts` with each field's TypeScript type, and a checker that walks an answer
 * field by field — a field of the wrong kind, a field the model does not declare, or a declared
 * field that is missing fails with its path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export type Model = Map<string, Map<string, { type: string; optional: boolean }>>;

export function loadModel(service: 'partners' | 'billing', version: string): Model {
  const root = dirname(require.resolve('tencentcloud-sdk-nodejs/package.json'));
  const text = readFileSync(join(root, 'tencentcloud', 'services', service, version, `${service}_models.d.ts`), 'utf8');
  const model: Model = new Map();
  for (const m of text.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
    const fields = new Map<string, { type: string; optional: boolean }>();
    for (const f of m[2]!.replace(/\/\*\*[\s\S]*?\*\//g, '').matchAll(/^\s*(\w+)(\??):\s*([^;]+);/gm)) fields.set(f[1]!, { type: f[3]!.trim(), optional: f[2] === '?' });
    model.set(m[1]!, fields);
  }
  return model;
}

/** Problems of `value` against model type `type` (empty: it conforms). */
export function kindProblems(model: Model, type: string, value: unknown, path = '$', out: string[] = []): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) out.push(`${path}: expected an array (${type}), got ${JSON.stringify(value)?.slice(0, 60)}`);
    else value.forEach((v, i) => kindProblems(model, array[1]!, v, `${path}[${i}]`, out));
    return out;
  }
  if (type === 'string') {
    if (typeof value !== 'string') out.push(`${path}: expected a string, got ${JSON.stringify(value)?.slice(0, 60)}`);
    return out;
  }
  if (type === 'number' || type === 'number | bigint') {
    if (typeof value !== 'number' || !Number.isFinite(value)) out.push(`${path}: expected a number, got ${JSON.stringify(value)?.slice(0, 60)}`);
    return out;
  }
  if (type === 'boolean') {
    if (typeof value !== 'boolean') out.push(`${path}: expected a boolean, got ${JSON.stringify(value)?.slice(0, 60)}`);
    return out;
  }
  const fields = model.get(type);
  if (!fields) {
    out.push(`${path}: the model has no type ${type}`);
    return out;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(`${path}: expected an object (${type}), got ${JSON.stringify(value)?.slice(0, 60)}`);
    return out;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (!fields.has(key)) out.push(`${path}.${key}: not a field of ${type}`);
  for (const [name, f] of fields) {
    if (!(name in obj)) out.push(`${path}.${name}: missing (${type})`);
    else kindProblems(model, f.type, obj[name], `${path}.${name}`, out);
  }
  return out;
}
