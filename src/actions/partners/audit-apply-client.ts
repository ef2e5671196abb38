/**
 * partners AuditApplyClient (2018-03-21): the calling agent accepts or rejects a client's pending
 * application. Accepting binds the client (its deals reach the partners cache in the same
 * transaction, or after the configured cache lag); a B-class client needs a `Note`.
 */
import { formatDateTime } from '../../protocol/datetime.js';
import { epochSeconds } from '../../domain/partners.js';
import { ApiError } from '../../protocol/errors.js';
import { defineAction } from '../action.js';
import { requireAgent } from './common.js';

export const auditApplyClient = defineAction({
  service: 'partners',
  name: 'AuditApplyClient',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  dataCodes: ['InvalidParameter', 'FailedOperation'],
  params: {
    ClientUin: { kind: 'string', required: true, format: 'uin' },
    AuditResult: { kind: 'string', required: true, oneOf: ['accept', 'reject'] },
    Note: { kind: 'string', required: true, maxLength: 256 },
  },
  async handle(p, { store, caller, now }) {
    requireAgent(caller, 'AuditApplyClient');
    const application = await store.partners.getApplication(p.ClientUin);
    if (!application || application.agentUin !== caller.uin) {
      throw new ApiError('InvalidParameter', {
        en: `The value "${p.ClientUin}" of parameter \`ClientUin\` is invalid: the account has no application to agent ${caller.uin}.`,
        zh: `参数 \`ClientUin\` 的取值 "${p.ClientUin}" 无效：该账号没有向代理商 ${caller.uin} 提交的申请。`,
      });
    }
    if (application.status !== 'pending') {
      throw new ApiError('FailedOperation', {
        en: `Operation failed: the application of client ${p.ClientUin} was already ${application.status === 'accepted' ? 'accepted' : 'rejected'}${application.decidedAt ? ` at ${application.decidedAt}` : ''}.`,
        zh: `操作失败：客户 ${p.ClientUin} 的申请已${application.status === 'accepted' ? '通过' : '驳回'}${application.decidedAt ? `（${application.decidedAt}）` : ''}。`,
      });
    }
    if (p.Note.includes('\u0000')) {
      throw new ApiError('InvalidParameter', { en: 'The value of parameter `Note` is invalid: it contains U+0000.', zh: '参数 `Note` 的取值无效：包含字符 U+0000。' });
    }
    const accept = p.AuditResult === 'accept';
    if (accept) {
      const profile = await store.partners.getProfile(p.ClientUin);
      if (profile.clientFlag === 'b' && p.Note.trim() === '') {
        throw new ApiError('InvalidParameter', {
          en: `The value "" of parameter \`Note\` is invalid: accepting a B-class client (${p.ClientUin}) needs an application reason.`,
          zh: `参数 \`Note\` 的取值 "" 无效：B 类客户（${p.ClientUin}）审核通过时必须填写申请理由。`,
        });
      }
      const boundTo = await store.partners.agentOf(p.ClientUin);
      const boundElsewhere = boundTo !== undefined && boundTo !== caller.uin;
      if (boundElsewhere) {
        throw new ApiError('FailedOperation', {
          en: `Operation failed: client ${p.ClientUin} is bound to another agent.`,
          zh: `操作失败：客户 ${p.ClientUin} 已绑定其他代理商。`,
        });
      }
    }
    await store.partners.decide(
      p.ClientUin,
      accept,
      p.Note,
      accept
        ? { agentUin: caller.uin, clientUin: p.ClientUin, clientType: application.clientType, projectType: application.projectType, salesUin: application.salesUin, clientRemark: '' }
        : undefined,
    );
    return { Uin: caller.uin, ClientUin: p.ClientUin, AuditResult: p.AuditResult, AgentTime: epochSeconds(formatDateTime(now())) };
  },
});

