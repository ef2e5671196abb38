/**
 * Routing by Action and Version: each pair belongs to exactly one service. Neither the Host nor
 * the signature scope is reliable for routing (the Node SDK pointed at an IP signs as `127`).
 */
import { ApiError } from '../protocol/errors.js';
import type { ActionDef } from './action.js';
import { describeDealsByCond } from './billing/describe-deals-by-cond.js';
import { auditApplyClient } from './partners/audit-apply-client.js';
import { describeAgentAuditedClients } from './partners/describe-agent-audited-clients.js';
import { describeAgentClients } from './partners/describe-agent-clients.js';
import { describeAgentDealsByCache } from './partners/describe-agent-deals-by-cache.js';
import { describeAgentDealsPriceDetailByDealName } from './partners/describe-agent-deals-price-detail-by-deal-name.js';
import { describeAgentPayDealsV2 } from './partners/describe-agent-pay-deals-v2.js';
import { describeAgentRelateBigDealIds } from './partners/describe-agent-relate-big-deal-ids.js';
import { describeAgentSelfPayDealsV2 } from './partners/describe-agent-self-pay-deals-v2.js';
import { describeSalesmans } from './partners/describe-salesmans.js';
import { describeUnbindClientList } from './partners/describe-unbind-client-list.js';
import { modifyClientRemark } from './partners/modify-client-remark.js';

export const ACTIONS: readonly ActionDef[] = [
  describeDealsByCond,
  describeAgentDealsByCache,
  describeAgentAuditedClients,
  describeAgentClients,
  auditApplyClient,
  describeUnbindClientList,
  modifyClientRemark,
  describeSalesmans,
  describeAgentPayDealsV2,
  describeAgentSelfPayDealsV2,
  describeAgentRelateBigDealIds,
  describeAgentDealsPriceDetailByDealName,
] as unknown as ActionDef[];

export function findAction(action: string | undefined, version: string | undefined): ActionDef {
  if (!action) {
    throw new ApiError('MissingParameter', {
      en: 'The request is missing a required parameter `Action`.',
      zh: '缺少必选参数 `Action`。',
    });
  }
  const byName = ACTIONS.filter((a) => a.name === action);
  if (byName.length === 0) {
    const shown = JSON.stringify(action.slice(0, 64));
    throw new ApiError('InvalidAction', {
      en: `The request \`Action\` ${shown} is invalid or not found. Implemented: ${ACTIONS.map((a) => a.name).join(', ')}.`,
      zh: `接口 ${shown} 不存在。已实现：${ACTIONS.map((a) => a.name).join('、')}。`,
    });
  }
  if (!version) {
    throw new ApiError('MissingParameter', {
      en: 'The request is missing a required parameter `Version`.',
      zh: '缺少必选参数 `Version`。',
    });
  }
  const def = byName.find((a) => a.version === version);
  if (!def) {
    const versions = byName.map((a) => a.version).join(', ');
    throw new ApiError('NoSuchVersion', {
      en: `The API version ${JSON.stringify(version.slice(0, 32))} does not exist for ${action}; supported: ${versions}.`,
      zh: `接口 ${action} 不存在版本 ${JSON.stringify(version.slice(0, 32))}；支持的版本：${versions}。`,
    });
  }
  return def;
}
