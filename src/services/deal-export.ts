/**
 * Deals in the interchange shape (the partners element plus the billing-only fields): what
 * `tcdeals deals import` and the admin API's `/deals/import` read, and what exports write.
 */
import type { Kysely } from 'kysely';
import type { DealRecord } from '../domain/deal.js';
import { toExportDeal, type AgentDealNewElem, type BillingExtras, type ClientRelation } from '../domain/views.js';
import { bindingsOf } from '../store/accounts.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';

type Db = Kysely<Database>;
const NO_RELATION: ClientRelation = { client_type: '', project_type: '', sales_uin: '', client_remark: '' };
const RELATION_FIELDS = [
  ['client_type', 'ClientType'],
  ['project_type', 'ProjectType'],
  ['sales_uin', 'SalesUin'],
  ['client_remark', 'ClientRemark'],
] as const;

/** A deal in the interchange shape; an unbound owner's deal leaves out the relation fields it does not have (import reads absent as "none"). */
export function exportDeal(d: DealRecord, binding: ClientRelation | undefined): Record<string, unknown> {
  const out = toExportDeal(d, binding ?? NO_RELATION) as unknown as Record<string, unknown>;
  if (!binding) for (const [column, field] of RELATION_FIELDS) if (d[column] === null) delete out[field];
  return out;
}

export interface ExportFilter {
  owner?: string;
  agent?: string;
}

const PAGE = 1000;

/**
 * Every deal matching the filter in the interchange shape: owner by owner (UIN order), each
 * owner's deals oldest first (then by DealName), walked by keyset so memory stays flat.
 */
export async function* exportDeals(db: Db, filter: ExportFilter): AsyncGenerator<Record<string, unknown>> {
  let owners: string[];
  if (filter.owner !== undefined) {
    owners = [filter.owner];
    if (filter.agent !== undefined) {
      const b = await db.selectFrom('agent_clients').select('client_uin').where('client_uin', '=', filter.owner).where('agent_uin', '=', filter.agent).executeTakeFirst();
      if (!b) owners = [];
    }
  } else if (filter.agent !== undefined) {
    owners = (await db.selectFrom('agent_clients').select('client_uin').where('agent_uin', '=', filter.agent).orderBy('client_uin').execute()).map((r) => r.client_uin);
  } else {
    owners = (await db.selectFrom('deals').select('owner_uin').distinct().orderBy('owner_uin').execute()).map((r) => r.owner_uin);
  }
  for (const owner of owners) {
    const binding = (await bindingsOf(db, [owner])).get(owner);
    let after: { time: string; name: string } | undefined;
    for (;;) {
      let q = db.selectFrom('deals').selectAll().where('owner_uin', '=', owner);
      if (after) {
        const { time, name } = after;
        // A row-value comparison: both engines walk the (owner_uin, create_time, deal_name) index from there.
        q = q.where((eb) => eb(eb.refTuple('create_time', 'deal_name'), '>', eb.tuple(time, name)));
      }
      const rows = await q.orderBy('create_time').orderBy('deal_name').limit(PAGE).execute();
      for (const d of rows) yield exportDeal(d, binding);
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1]!;
      after = { time: last.create_time, name: last.deal_name };
    }
  }
}

export type ExportDeal = AgentDealNewElem & BillingExtras;

/** The relation shown for an owner bound to no agent. */
const UNBOUND: ClientRelation = { client_type: '', project_type: '', sales_uin: '0', client_remark: '' };

/** These deals in the interchange shape, an owner bound to no agent showing `SalesUin` "0" (what the lifecycle verbs print). */
export async function exportRecords(store: Store, deals: readonly DealRecord[]): Promise<ExportDeal[]> {
  const bindings = await bindingsOf(store.db, [...new Set(deals.map((d) => d.owner_uin))]);
  return deals.map((d) => toExportDeal(d, bindings.get(d.owner_uin) ?? UNBOUND));
}
