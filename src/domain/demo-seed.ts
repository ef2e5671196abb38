/**
 * The deterministic demo dataset `tcdeals serve` creates on first start: one agent with several
 * clients, a few thousand deals over the last 12 months across every status and action type,
 * both payer modes, prepaid and postpaid, and refunds as separate negative deals linked to their
 * originals. It is the generator (./generator.ts) at a small size, with the well-known demo keys
 * on the first agent and the first client. The same seed and anchor day give the same data, byte
 * for byte.
 */
import { generate, type GeneratedAccount, type GeneratedBinding } from './generator.js';
import type { DealRecord } from './deal.js';
import { parseDateTime } from '../protocol/datetime.js';
import { generatePartnersData, type PartnersData } from './partners.js';

export type DemoAccount = GeneratedAccount;
export type DemoBinding = GeneratedBinding;

export interface DemoDataset {
  accounts: DemoAccount[];
  bindings: DemoBinding[];
  deals: DealRecord[];
  /** Client profiles, applications, unbinds and salespeople (partners workflow); absent: none. */
  partners?: PartnersData;
}

/** Well-known demo credentials (like Azurite's dev account): a sandbox on loopback, never production. */
export const DEMO_AGENT = {
  uin: '200000000001',
  appId: '1300000001',
  key: { SecretId: 'AKIDtcdealsDemoAgent000000000000001', SecretKey: 'tcdealsDemoAgentSecretKey0000001' },
};
export const DEMO_CLIENT = {
  uin: '100000000001',
  appId: '1250000001',
  key: { SecretId: 'AKIDtcdealsDemoClient00000000000001', SecretKey: 'tcdealsDemoClientSecretKey000001' },
};

export const DEMO_SEED = 20180709;

export interface DemoOptions {
  seed?: number;
  clients?: number;
  deals?: number;
  /** The instant the 12 months end at; defaults to now. */
  anchorMs?: number;
}

export function buildDemoDataset(options: DemoOptions = {}): DemoDataset {
  const data = generate({
    agents: 1,
    clients: options.clients ?? 8,
    deals: options.deals ?? 3000,
    months: 12,
    seed: options.seed ?? DEMO_SEED,
    // Anchored on the start of the (Beijing) day, so a restart the same day gives identical data.
    anchorMs: options.anchorMs ?? Date.now(),
    keys: { agent: DEMO_AGENT.key, client: DEMO_CLIENT.key },
  });
  const deals: DealRecord[] = [];
  for (const batch of data.deals) for (const d of batch) deals.push(d);
  const partners = generatePartnersData({ accounts: data.accounts, bindings: data.bindings, seed: options.seed ?? DEMO_SEED, anchorMs: parseDateTime(data.to) ?? 0 });
  return { accounts: data.accounts, bindings: data.bindings, deals, partners };
}
