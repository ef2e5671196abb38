/** Loading a whole dataset (accounts, keys, bindings, deals) into a store, and the first-start demo. */
import { buildDemoDataset, DEMO_AGENT, DEMO_CLIENT, type DemoDataset, type DemoOptions } from '../domain/demo-seed.js';
import type { PartnersData } from '../domain/partners.js';
import type { Store } from './store.js';

export const DEMO_META_KEY = 'demo_seed';

export async function applyDataset(store: Store, data: DemoDataset): Promise<void> {
  for (const a of data.accounts) {
    if (!(await store.getAccount(a.uin))) await store.createAccount({ uin: a.uin, appId: a.appId, isAgent: a.isAgent });
    if (a.key && !(await store.findKey(a.key.SecretId))) await store.createKey(a.uin, a.key);
  }
  // Deals first, then bindings: each bind builds that client's cache rows in one pass.
  await store.upsertDeals(data.deals);
  for (const b of data.bindings) await store.bindClient(b);
  if (data.partners) await applyPartnersData(store, data.partners);
}

/** Writes partners workflow data (its extra accounts first); existing rows with the same keys are replaced. */
export async function applyPartnersData(store: Store, data: PartnersData): Promise<void> {
  for (const a of data.accounts) if (!(await store.getAccount(a.uin))) await store.createAccount({ uin: a.uin, appId: a.appId, isAgent: false });
  await store.partners.write(data);
}

export interface DemoSeedResult {
  seeded: boolean;
  deals: number;
}

/**
 * Seeds the demo dataset into an empty store (no accounts yet) and remembers that it did. A
 * store that already holds anything is left alone. Instances starting together on one
 * PostgreSQL database take turns: the first seeds, the others then find it done.
 */
export async function seedDemoIfEmpty(store: Store, options: DemoOptions = {}): Promise<DemoSeedResult> {
  const result = await store.exclusive('tcdeals:demo-seed', async (tx) => {
    if ((await tx.getMeta(DEMO_META_KEY)) !== undefined || (await tx.hasAccounts())) return { seeded: false, deals: 0 };
    const data = buildDemoDataset(options);
    await applyDataset(tx, data);
    await tx.setMeta(DEMO_META_KEY, JSON.stringify({ seed: options.seed ?? 20180709, deals: data.deals.length }));
    return { seeded: true, deals: data.deals.length };
  });
  return result!;
}

/** True once the demo seed ran, or the store holds data of its own (so no seed is due). */
export async function seedSettled(store: Store): Promise<boolean> {
  return (await store.getMeta(DEMO_META_KEY)) !== undefined || (await store.hasAccounts());
}

/** The demo keys, if the demo accounts exist in this store. */
export async function demoKeys(store: Store) {
  const out: Array<{ role: 'agent' | 'client'; uin: string; SecretId: string; SecretKey: string }> = [];
  for (const [role, demo] of [['agent', DEMO_AGENT], ['client', DEMO_CLIENT]] as const) {
    const key = await store.findKey(demo.key.SecretId);
    if (key) out.push({ role, uin: key.uin, SecretId: key.secretId, SecretKey: key.secretKey });
  }
  return out;
}
