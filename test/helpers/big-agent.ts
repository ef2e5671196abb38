/** A large agent for sync tests: every deal prepaid and owned by one of the demo agent's clients. */
import { buildDemoDataset, DEMO_AGENT, type DemoDataset } from '../../src/domain/demo-seed.js';

export const BIG_ANCHOR = Date.UTC(2026, 10, 24, 4, 0, 0);

export function bigAgentDataset(deals: number, seed = 42): DemoDataset {
  const data = buildDemoDataset({ deals, clients: 20, seed, anchorMs: BIG_ANCHOR });
  const clients = data.bindings.map((b) => b.clientUin);
  const all = data.deals.map((d, i) => ({ ...d, owner_uin: clients[i % clients.length]!, creator: clients[i % clients.length]!, pay_mode: 'prePay' }));
  return { ...data, deals: all.slice(0, deals) };
}

export { DEMO_AGENT };
