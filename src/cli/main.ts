/** The `tcdeals` command. */
import { partnersCommand } from './commands/partners.js';
import { Command } from 'commander';
import { accountsCommand, clientsCommand, keysCommand } from './commands/accounts.js';
import { adminCommand } from './commands/admin.js';
import { execCommand } from './commands/exec.js';
import { cacheCommand } from './commands/cache.js';
import { caCommand } from './commands/ca.js';
import { callCommand } from './commands/call.js';
import { dbCommand } from './commands/db.js';
import { dealsCommand } from './commands/deals.js';
import { serveCommand } from './commands/serve.js';
import { seedCommand } from './commands/seed.js';
import { syncCommand } from './commands/sync.js';

export function buildCli(): Command {
  return new Command('tcdeals')
    .description('Self-hostable Tencent Cloud order-query APIs (billing DescribeDealsByCond, partners DescribeAgentDealsByCache and the reseller workflow around it)')
    .showHelpAfterError()
    .addCommand(serveCommand())
    .addCommand(accountsCommand())
    .addCommand(keysCommand())
    .addCommand(clientsCommand())
    .addCommand(partnersCommand())
    .addCommand(dealsCommand())
    .addCommand(seedCommand())
    .addCommand(syncCommand())
    .addCommand(callCommand())
    .addCommand(cacheCommand())
    .addCommand(dbCommand())
    .addCommand(adminCommand())
    .addCommand(execCommand())
    .addCommand(caCommand());
}

export async function main(argv: string[]): Promise<void> {
  // Output piped into a reader that stopped (`tcdeals … | head -1`): stop quietly, as Unix tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  await buildCli().parseAsync(argv);
}
