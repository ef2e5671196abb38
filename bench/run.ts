/**
 * `npm run bench`: measured speed, never timed assertions in the test suite. Prints a table and
 * writes bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { benchSync } from './sync.js';

const results: Record<string, unknown> = { machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, at: new Date().toISOString() };

const sync = await benchSync();
results.sync = sync;
console.log('\nsync (partners, Limit 200, server limit 20/s, client pacing 20/s)');
console.table([
  {
    deals: sync.deals,
    pages: sync.pages,
    seconds: sync.seconds.toFixed(2),
    'deals/s': sync.dealsPerSecond.toFixed(0),
    'ceiling deals/s': sync.ceiling,
    'ratio': `${(sync.ratio * 100).toFixed(1)} %`,
    retries: sync.retries,
    'RequestLimitExceeded seen': sync.rateLimited,
  },
]);

writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log('wrote bench/results.json');
