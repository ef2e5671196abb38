/** `tcdeals deals import FILE`: load deals (NDJSON or a JSON array in the AgentDealNewElem shape), all or nothing. */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseDealImport } from '../../domain/deal-import.js';
import { print, usingStore, withDb } from '../options.js';

export function dealsCommand(): Command {
  const cmd = new Command('deals').description('manage deals (orders)');
  withDb(cmd.command('import'))
    .description('import deals from NDJSON or a JSON array (the AgentDealNewElem shape, plus billing fields); upserts by DealName')
    .argument('<file>', 'file to import, or - for standard input')
    .option('--agent <uin>', 'also bind every owner that has no agent yet to this agent (creating missing accounts)')
    .action(async (file: string, o: { db: string; agent?: string }) => {
      const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      const parsed = parseDealImport(text);
      if (parsed.problems.length > 0) {
        for (const p of parsed.problems.slice(0, 50)) process.stderr.write(`${p.where}: ${p.reason}\n`);
        if (parsed.problems.length > 50) process.stderr.write(`… and ${parsed.problems.length - 50} more\n`);
        throw new Error(`${parsed.problems.length} bad record(s); nothing was imported.`);
      }
      if (parsed.ignoredFields.length > 0) process.stderr.write(`ignored unknown fields: ${parsed.ignoredFields.join(', ')}\n`);
      await usingStore(o, async (store) => {
        await store.upsertDeals(parsed.records);
        let bound = 0;
        if (o.agent) bound = await bindOwners(store, o.agent, parsed.records);
        print(`imported ${parsed.records.length} deal(s)${o.agent ? `, bound ${bound} new client(s) to agent ${o.agent}` : ''}`);
      });
    });
  return cmd;
}

async function bindOwners(store: Awaited<Parameters<Parameters<typeof usingStore>[1]>[0]>, agentUin: string, records: ReturnType<typeof parseDealImport>['records']): Promise<number> {
  const owners = new Map<string, (typeof records)[number]>();
  for (const r of records) if (!owners.has(r.owner_uin)) owners.set(r.owner_uin, r);
  const existing = await store.db.selectFrom('agent_clients').select('client_uin').where('client_uin', 'in', [...owners.keys()]).execute();
  const already = new Set(existing.map((r) => r.client_uin));
  let bound = 0;
  for (const [uin, sample] of owners) {
    if (already.has(uin) || uin === agentUin) continue;
    if (!(await store.getAccount(uin))) await store.createAccount({ uin, appId: sample.app_id });
    await store.bindClient({
      agentUin,
      clientUin: uin,
      clientType: (sample.client_type || 'new') as never,
      projectType: (sample.project_type || 'self') as never,
      salesUin: sample.sales_uin || '0',
      clientRemark: sample.client_remark ?? '',
    });
    bound++;
  }
  return bound;
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
