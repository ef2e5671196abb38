// Runs every test file under test/ with node:test (Node 20 has no glob support for --test).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'helpers' ? [] : collect(path);
      return name.endsWith('.test.ts') ? [path] : [];
    });
}

/**
 * Every test file, and every test in it, fails after this long instead of hanging the run: a
 * file that waits forever (a lock never released, a pool that cannot close) is cancelled and the
 * other files still run. The slowest file takes about a minute alone on an idle machine.
 */
const FILE_TIMEOUT_MS = 10 * 60_000;

const files = process.argv.length > 2 ? process.argv.slice(2) : collect('test');
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-timeout=${FILE_TIMEOUT_MS}`, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
