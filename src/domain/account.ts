/** Accounts and the agent-client relation, as the domain sees them (storage lives in src/store/accounts.ts). */
import type { ClientType, ProjectType } from './deal.js';

/** A client account bound to an agent (reseller), with the relation the partners view shows. */
export interface Binding {
  agentUin: string;
  clientUin: string;
  clientType: ClientType;
  projectType: ProjectType;
  salesUin: string;
  clientRemark: string;
}

/** A stable AppId for an account created without one (derived from its UIN). */
export function defaultAppId(uin: string): string {
  return String(1250000000 + Number(BigInt(uin) % 100000000n));
}
