// Loaded with `node --require` by the import benchmark: reports the process's peak resident
// memory (worker threads included) on stderr as it exits.
process.on('exit', () => process.stderr.write(`\ntcdeals-bench maxrss-kb ${process.resourceUsage().maxRSS}\n`));
