#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci` via `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((err) => {
  // API errors carry their Tencent Cloud code and RequestId; show both, as tccli does.
  const code = err && typeof err.code === 'string' && !err.code.startsWith('commander.') ? `[${err.code}] ` : '';
  const requestId = err && err.requestId ? ` (RequestId ${err.requestId})` : '';
  process.stderr.write(`tcdeals: ${code}${err instanceof Error ? err.message : String(err)}${requestId}\n`);
  process.exit(1);
});
