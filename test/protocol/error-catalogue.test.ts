/** The error catalogue and docs/errors.md must list the same codes (a missing or stale code fails). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CATALOGUE, ERROR_CODES } from '../../src/protocol/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| `([A-Za-z.]+)` \|/gm)].map((m) => m[1]!);

test('every error code is documented in docs/errors.md', () => {
  for (const code of ERROR_CODES) assert.ok(documented.includes(code), `${code} is missing from docs/errors.md`);
});

test('docs/errors.md lists no code the server does not have', () => {
  for (const code of documented) assert.ok(ERROR_CODES.includes(code as never), `docs/errors.md lists unknown code ${code}`);
});

test('every code has an English and a Chinese default message', () => {
  for (const [code, text] of Object.entries(ERROR_CATALOGUE)) {
    assert.ok(text.en.length > 0, `${code} en`);
    assert.match(text.zh, /[\u4e00-\u9fff]/, `${code} zh`);
  }
});

test('the documented codes are in catalogue order, so the table stays easy to diff', () => {
  assert.deepEqual(documented, [...ERROR_CODES]);
});
