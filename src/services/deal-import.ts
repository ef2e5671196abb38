/**
 * Deal import into a store: NDJSON (streamed line by line) or a JSON array, all or nothing, every
 * problem reported by line (or by record of an array). With an agent, owners without an agent
 * are bound to it in the same transaction.
 */
import type { DealRecord } from '../domain/deal.js';
import { parseDealImport } from '../domain/deal-import.js';
import { describeValue } from '../protocol/params.js';
import type { Store } from '../store/store.js';
import { ImportRejected, ProblemList } from './problems.js';

export interface DealImportResult {
  imported: number;
  bound: number;
  ignoredFields: string[];
}

const IMPORT_BATCH = 500;

/**
 * Imports deals line by line as they arrive, inside one transaction: every problem is collected
 * (by line, or by record for a JSON array) and then the whole import is rolled back. `agentUin`
 * also binds every owner without an agent to that agent, creating missing accounts, like
 * `tcdeals deals import --agent`.
 */
export async function importDeals(store: Store, lines: AsyncIterable<string>, agentUin?: string): Promise<DealImportResult> {
  const problems = new ProblemList();
  const ignored = new Set<string>();
  const firstSeen = new Map<string, number>();
  const owners = new Map<string, DealRecord>();
  let imported = 0;
  let bound = 0;
  const result = await store.exclusive('tcdeals:admin-import', async (tx) => {
    let batch: DealRecord[] = [];
    const flush = async () => {
      if (problems.total === 0 && batch.length > 0) await tx.upsertDeals(batch);
      batch = [];
    };
    const take = (records: DealRecord[]) => {
      for (const r of records) {
        imported++;
        if (!owners.has(r.owner_uin)) owners.set(r.owner_uin, r);
        batch.push(r);
      }
    };

    let n = 0;
    let arrayText: string[] | undefined;
    for await (const raw of lines) {
      n++;
      if (arrayText) {
        arrayText.push(raw);
        continue;
      }
      let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (n === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
      const trimmed = line.trim();
      if (trimmed === '') continue;
      if (trimmed.startsWith('[')) {
        if (imported > 0 || problems.total > 0) {
          problems.add(`line ${n}`, 'a JSON array inside NDJSON: send either one deal object per line, or one JSON array as the whole body');
          continue;
        }
        arrayText = [line]; // the whole body is one JSON array (possibly over many lines)
        continue;
      }
      const parsed = parseDealImport(line);
      for (const f of parsed.ignoredFields) ignored.add(f);
      for (const p of parsed.problems) problems.add(`line ${n}`, p.reason);
      for (const r of parsed.records) {
        const first = firstSeen.get(r.deal_name);
        if (first !== undefined) {
          problems.add(`line ${n}`, `duplicate DealName, first at line ${first} (DealName: ${describeValue(r.deal_name)})`);
          continue;
        }
        firstSeen.set(r.deal_name, n);
        take([r]);
      }
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    if (arrayText) {
      const parsed = parseDealImport(arrayText.join('\n'));
      for (const f of parsed.ignoredFields) ignored.add(f);
      for (const p of parsed.problems) problems.add(p.where, p.reason);
      take(parsed.records);
    }
    await flush();
    if (problems.total === 0 && agentUin !== undefined) bound = await bindOwners(tx, agentUin, owners, problems);
    if (problems.total > 0) throw new ImportRejected(problems.items, problems.total);
    return { imported, bound, ignoredFields: [...ignored].sort() };
  });
  return result!;
}

/** Binds each owner that has no agent yet to `agentUin` (creating missing accounts); bad bindings become problems. */
async function bindOwners(tx: Store, agentUin: string, owners: Map<string, DealRecord>, problems: ProblemList): Promise<number> {
  if (owners.size === 0) return 0;
  const already = new Set<string>();
  const uins = [...owners.keys()];
  for (let i = 0; i < uins.length; i += 500) {
    const rows = await tx.db.selectFrom('agent_clients').select('client_uin').where('client_uin', 'in', uins.slice(i, i + 500)).execute();
    for (const r of rows) already.add(r.client_uin);
  }
  let bound = 0;
  for (const [uin, sample] of owners) {
    if (already.has(uin) || uin === agentUin) continue;
    const salesUin = sample.sales_uin || '0';
    if (!/^\d{1,20}$/.test(salesUin)) {
      problems.add(`owner ${uin}`, `cannot bind to agent ${agentUin}: its deals' SalesUin ${describeValue(salesUin)} is not a UIN`);
      continue;
    }
    if (!(await tx.getAccount(uin))) await tx.createAccount({ uin, appId: /^\d{1,20}$/.test(sample.app_id) ? sample.app_id : undefined });
    await tx.bindClient({
      agentUin,
      clientUin: uin,
      clientType: (sample.client_type || 'new') as never,
      projectType: (sample.project_type || 'self') as never,
      salesUin,
      clientRemark: sample.client_remark ?? '',
    });
    bound++;
  }
  return bound;
}
