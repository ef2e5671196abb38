/** `tcdeals accounts …`, `tcdeals keys …`, `tcdeals clients …`: who may call, and who is whose client. */
import { Command, Option } from 'commander';
import { CLIENT_TYPES, PROJECT_TYPES, type ClientType, type ProjectType } from '../../domain/deal.js';
import { print, usingStore, withDb } from '../options.js';

export function accountsCommand(): Command {
  const cmd = new Command('accounts').description('manage accounts (callers)');
  withDb(cmd.command('create'))
    .description('create an account')
    .requiredOption('--uin <uin>', 'account UIN (digits)')
    .option('--app-id <appId>', 'AppId (default: derived from the UIN)')
    .option('--agent', 'the account is an agent (reseller) and may call DescribeAgentDealsByCache', false)
    .option('--json', 'print the account as JSON', false)
    .action(async (o: { db: string; uin: string; appId?: string; agent: boolean; json: boolean }) =>
      usingStore(o, async (store) => {
        const a = await store.createAccount({ uin: o.uin, appId: o.appId, isAgent: o.agent });
        print(o.json ? JSON.stringify({ Uin: a.uin, AppId: a.appId, Agent: a.isAgent }) : `created ${a.isAgent ? 'agent' : 'account'} ${a.uin} (AppId ${a.appId})`);
      }),
    );
  return cmd;
}

export function keysCommand(): Command {
  const cmd = new Command('keys').description('manage API keys (SecretId/SecretKey)');
  withDb(cmd.command('create'))
    .description('create a key pair for an account; the SecretKey is shown once')
    .requiredOption('--uin <uin>', 'account UIN')
    .option('--json', 'print {"SecretId":…,"SecretKey":…}', false)
    .action(async (o: { db: string; uin: string; json: boolean }) =>
      usingStore(o, async (store) => {
        const key = await store.createKey(o.uin);
        print(o.json ? JSON.stringify(key) : `SecretId:  ${key.SecretId}\nSecretKey: ${key.SecretKey}`);
      }),
    );
  withDb(cmd.command('list'))
    .description('list the SecretIds of an account (never the keys)')
    .requiredOption('--uin <uin>', 'account UIN')
    .action(async (o: { db: string; uin: string }) =>
      usingStore(o, async (store) => {
        for (const id of await store.listKeyIds(o.uin)) print(id);
      }),
    );
  return cmd;
}

export function clientsCommand(): Command {
  const cmd = new Command('clients').description('bind client accounts to agents');
  withDb(cmd.command('bind'))
    .description('bind a client to an agent (re-binding moves it)')
    .requiredOption('--agent <uin>', 'agent UIN')
    .requiredOption('--client <uin>', 'client UIN')
    .addOption(new Option('--client-type <type>', 'client type').choices([...CLIENT_TYPES]).default('new'))
    .addOption(new Option('--project-type <type>', 'project type').choices([...PROJECT_TYPES]).default('self'))
    .option('--sales-uin <uin>', 'sales representative UIN', '0')
    .option('--remark <text>', 'client remark', '')
    .action(async (o: { db: string; agent: string; client: string; clientType: ClientType; projectType: ProjectType; salesUin: string; remark: string }) =>
      usingStore(o, async (store) => {
        await store.bindClient({
          agentUin: o.agent,
          clientUin: o.client,
          clientType: o.clientType,
          projectType: o.projectType,
          salesUin: o.salesUin,
          clientRemark: o.remark,
        });
        print(`bound client ${o.client} to agent ${o.agent}`);
      }),
    );
  return cmd;
}
