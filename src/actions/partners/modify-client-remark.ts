/**
 * partners ModifyClientRemark (2018-03-21): sets the remark of one of the calling agent's clients.
 * It shows in DescribeAgentAuditedClients at once, and in `ClientRemark` of the client's deals in
 * DescribeAgentDealsByCache (and the V2 deal actions) through the cache, after its configured lag.
 */
import { ApiError } from '../../protocol/errors.js';
import { defineAction } from '../action.js';
import { notYourClient, requireAgent } from './common.js';

export const modifyClientRemark = defineAction({
  service: 'partners',
  name: 'ModifyClientRemark',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  dataCodes: ['InvalidParameter'],
  params: {
    ClientRemark: { kind: 'string', required: true, maxLength: 256 },
    ClientUin: { kind: 'string', required: true, format: 'uin' },
  },
  async handle(p, { store, caller }) {
    requireAgent(caller, 'ModifyClientRemark');
    if (p.ClientRemark.includes('\u0000')) {
      throw new ApiError('InvalidParameter', { en: 'The value of parameter `ClientRemark` is invalid: it contains U+0000.', zh: '参数 `ClientRemark` 的取值无效：包含字符 U+0000。' });
    }
    if (!(await store.partners.setRemark(caller.uin, p.ClientUin, p.ClientRemark))) throw notYourClient('ClientUin', p.ClientUin, caller.uin);
    return {};
  },
});
