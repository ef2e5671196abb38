/**
 * `tcdeals partners …`: the reseller's workflow records straight in the database — client
 * profiles, salespeople, client applications and unbinding applications (see docs/partners.md).
 * The admin API has the same under /_tcdeals/admin/client-profiles, /salesmen,
 * /client-applications and /unbind-applications.
 */
import { Command } from 'commander';
import { addApplication, addSalesman, addUnbind, setProfile } from '../../services/partners.js';
import { print, usingStore, withDb } from '../options.js';

type Db = { db: string; json?: boolean };

function show(rows: readonly object[], json: boolean | undefined, line: (r: any) => string): void {
  if (json) print(JSON.stringify(rows));
  else for (const r of rows) print(line(r));
}

export function partnersCommand(): Command {
  const cmd = new Command('partners').description('client profiles, salespeople, client applications and unbinding applications (partners workflow)');

  withDb(cmd.command('profile'))
    .description("set a client account's profile (name, flag, mail, phone, overdue)")
    .requiredOption('--client <uin>', 'client UIN')
    .option('--name <name>', 'client name')
    .option('--flag <flag>', 'client flag: a, b, c or other')
    .option('--mail <mail>', 'mail (shown masked)')
    .option('--phone <phone>', 'phone (shown masked)')
    .option('--overdue <0|1>', 'has an overdue bill')
    .option('--json', 'print JSON', false)
    .action(async (o: Db & { client: string; name?: string; flag?: string; mail?: string; phone?: string; overdue?: string }) =>
      usingStore(o, async (store) => {
        const p = await setProfile(store, { clientUin: o.client, clientName: o.name, clientFlag: o.flag, mail: o.mail, phone: o.phone, hasOverdueBill: o.overdue === undefined ? undefined : Number(o.overdue) });
        print(o.json ? JSON.stringify(p) : `profile of ${p.clientUin}: ${p.clientName} (flag ${p.clientFlag}${p.hasOverdueBill ? ', overdue' : ''})`);
      }),
    );
  withDb(cmd.command('profiles'))
    .description('list client profiles')
    .option('--client <uin>', 'only this client')
    .option('--json', 'print JSON', false)
    .action(async (o: Db & { client?: string }) =>
      usingStore(o, async (store) => show(await store.partners.listProfiles(o.client ? [o.client] : undefined), o.json, (p) => `${p.clientUin}\t${p.clientFlag}\t${p.hasOverdueBill}\t${p.clientName}`)),
    );

  withDb(cmd.command('salesman'))
    .description("add (or rename) one of an agent's salespeople")
    .requiredOption('--agent <uin>', 'agent UIN')
    .requiredOption('--sales-uin <uin>', 'salesperson UIN')
    .requiredOption('--name <name>', 'salesperson name')
    .option('--json', 'print JSON', false)
    .action(async (o: Db & { agent: string; salesUin: string; name: string }) =>
      usingStore(o, async (store) => {
        const s = await addSalesman(store, { agentUin: o.agent, salesUin: o.salesUin, salesName: o.name }, Date.now());
        print(o.json ? JSON.stringify(s) : `salesperson ${s.salesUin} (${s.salesName}) of agent ${s.agentUin}`);
      }),
    );
  withDb(cmd.command('salesmen'))
    .description('list salespeople')
    .option('--agent <uin>', 'only this agent’s')
    .option('--json', 'print JSON', false)
    .action(async (o: Db & { agent?: string }) =>
      usingStore(o, async (store) => show(await store.partners.listSalesmen(o.agent), o.json, (s) => `${s.agentUin}\t${s.salesUin}\t${s.createTime}\t${s.salesName}`)),
    );

  withDb(cmd.command('apply'))
    .description('a client applies to an agent (pending until AuditApplyClient, or --rejected)')
    .requiredOption('--agent <uin>', 'agent UIN')
    .requiredOption('--client <uin>', 'client UIN')
    .option('--sales-uin <uin>', 'salesperson UIN', '0')
    .option('--client-type <type>', 'client type once accepted', 'new')
    .option('--project-type <type>', 'project type once accepted', 'self')
    .option('--rejected', 'record a rejected application', false)
    .option('--json', 'print JSON', false)
    .action(async (o: Db & { agent: string; client: string; salesUin: string; clientType: string; projectType: string; rejected: boolean }) =>
      usingStore(o, async (store) => {
        const a = await addApplication(
          store,
          { agentUin: o.agent, clientUin: o.client, salesUin: o.salesUin, clientType: o.clientType, projectType: o.projectType, status: o.rejected ? 'rejected' : 'pending' },
          Date.now(),
        );
        print(o.json ? JSON.stringify(a) : `application of ${a.clientUin} to agent ${a.agentUin}: ${a.status}`);
      }),
    );
  withDb(cmd.command('applications'))
    .description('list client applications (pending, rejected, accepted)')
    .option('--agent <uin>', 'only to this agent')
    .option('--json', 'print JSON', false)
    .action(async (o: Db & { agent?: string }) =>
      usingStore(o, async (store) => show(await store.partners.listApplications(o.agent), o.json, (a) => `${a.agentUin}\t${a.clientUin}\t${a.status}\t${a.applyTime}`)),
    );

  withDb(cmd.command('unbind'))
    .description('record an unbinding application (status 0 in review, 1 unbound, 2 withdrawn, 3 withdrawn with a related one, 4 rejected)')
    .requiredOption('--agent <uin>', 'agent UIN')
    .requiredOption('--client <uin>', 'client UIN')
    .option('--status <n>', 'status', '0')
    .option('--json', 'print JSON', false)
    .action(async (o: Db & { agent: string; client: string; status: string }) =>
      usingStore(o, async (store) => {
        const u = await addUnbind(store, { agentUin: o.agent, clientUin: o.client, status: Number(o.status) }, Date.now());
        print(o.json ? JSON.stringify(u) : `unbinding application ${u.id} of ${u.clientUin} (agent ${u.agentUin}): status ${u.status}`);
      }),
    );
  withDb(cmd.command('unbinds'))
    .description('list unbinding applications')
    .option('--agent <uin>', 'only this agent’s')
    .option('--json', 'print JSON', false)
    .action(async (o: Db & { agent?: string }) =>
      usingStore(o, async (store) => show(await store.partners.listUnbinds(o.agent), o.json, (u) => `${u.id}\t${u.agentUin}\t${u.clientUin}\t${u.status}\t${u.applyTime}`)),
    );
  return cmd;
}
