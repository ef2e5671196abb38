// Runs the wire fuzz properties (test/fuzz/wire.test.ts) longer than `npm test` does:
//   npm run fuzz -- --runs 100000 [--seed 42]
// --runs is the number of cases over all properties; --seed replays a run.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '100000' }, seed: { type: 'string' } } });
if (!/^\d+$/.test(values.runs)) throw new Error(`--runs must be a number, got ${values.runs}`);
const env = { ...process.env, TCDEALS_FUZZ_RUNS: values.runs, ...(values.seed !== undefined ? { TCDEALS_FUZZ_SEED: values.seed } : {}) };
const started = Date.now();
const result = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'test/fuzz/wire.test.ts'], { stdio: 'inherit', env });
console.log(`fuzz: ${values.runs} cases${values.seed !== undefined ? ` (seed ${values.seed})` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(result.status ?? 1);
