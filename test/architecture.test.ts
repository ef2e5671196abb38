/**
 * The layering the README's Development section draws, checked on the sources: data flows one
 * way (HTTP → protocol → action → domain/store → view → envelope), so the domain imports nothing
 * below or beside it, and the store knows nothing of the layers that use it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourcesUnder(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folders of src/ each file imports from (relative imports only). */
function importedLayers(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const layers = new Set<string>();
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g)) {
    const target = relative(SRC, join(file, '..', m[1]!));
    const top = target.includes('/') ? target.split('/')[0]! : target.replace(/\.js$/, '');
    layers.add(top);
  }
  return layers;
}

/** What each layer may import besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  // Pure rules and shapes; date-times and value descriptions are the protocol's formats.
  domain: ['protocol'],
  store: ['domain', 'protocol'],
  services: ['domain', 'store', 'protocol', 'sandbox'],
};

for (const [layer, allowed] of Object.entries(ALLOWED)) {
  test(`src/${layer}/ imports only from ${[layer, ...allowed].join(', ')}`, () => {
    const offenders: string[] = [];
    for (const file of sourcesUnder(join(SRC, layer))) {
      for (const imported of importedLayers(file)) {
        if (imported !== layer && !allowed.includes(imported)) offenders.push(`${relative(SRC, file)} imports from src/${imported}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
}
