/** The `tcdeals` command. */
import { Command } from 'commander';
import { accountsCommand, clientsCommand, keysCommand } from './commands/accounts.js';
import { cacheCommand } from './commands/cache.js';
import { callCommand } from './commands/call.js';
import { dbCommand } from './commands/db.js';
import { dealsCommand } from './commands/deals.js';
import { serveCommand } from './commands/serve.js';
import { syncCommand } from './commands/sync.js';

export function buildCli(): Command {
  return new Command('tcdeals')
    .description('Self-hostable Tencent Cloud order-query APIs (billing DescribeDealsByCond, partners DescribeAgentDealsByCache)')
    .showHelpAfterError()
    .addCommand(serveCommand())
    .addCommand(accountsCommand())
    .addCommand(keysCommand())
    .addCommand(clientsCommand())
    .addCommand(dealsCommand())
    .addCommand(syncCommand())
    .addCommand(callCommand())
    .addCommand(cacheCommand())
    .addCommand(dbCommand());
}

export async function main(argv: string[]): Promise<void> {
  await buildCli().parseAsync(argv);
}
