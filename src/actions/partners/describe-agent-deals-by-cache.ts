/** partners DescribeAgentDealsByCache (2018-03-21): the prepaid deals of the calling agent's clients, from the cache. */
import { DAY_MS, parseDateTime } from '../../protocol/datetime.js';
import { RawJson } from '../../protocol/envelope.js';
import { ApiError } from '../../protocol/errors.js';
import { defineAction } from '../action.js';
import { DEAL_KEYS, DEAL_RANGE, dealFilters, requiredPage, OWNER_UINS, requireAgent } from './common.js';

export const MAX_RANGE_DAYS = 90;

export const describeAgentDealsByCache = defineAction({
  service: 'partners',
  name: 'DescribeAgentDealsByCache',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  params: {
    ...requiredPage(200),
    ...DEAL_RANGE,
    ...OWNER_UINS,
    ...DEAL_KEYS,
    PayerMode: { kind: 'integer', oneOf: [0, 1] },
  },
  async handle(p, { store, caller }) {
    requireAgent(caller, 'DescribeAgentDealsByCache');
    const start = p.CreatTimeRangeStart;
    const end = p.CreatTimeRangeEnd;
    if (start !== undefined && end !== undefined) {
      const span = parseDateTime(end)! - parseDateTime(start)!;
      if (span < 0) {
        throw new ApiError('InvalidParameter', {
          en: `The value "${end}" of parameter \`CreatTimeRangeEnd\` is invalid: it must not be earlier than CreatTimeRangeStart "${start}".`,
          zh: `参数 \`CreatTimeRangeEnd\` 的取值 "${end}" 无效：不能早于 CreatTimeRangeStart "${start}"。`,
        });
      }
      if (span > MAX_RANGE_DAYS * DAY_MS) {
        throw new ApiError('InvalidParameter', {
          en: `The range CreatTimeRangeStart "${start}" .. CreatTimeRangeEnd "${end}" is invalid: it spans more than ${MAX_RANGE_DAYS} days.`,
          zh: `下单时间范围 CreatTimeRangeStart "${start}" .. CreatTimeRangeEnd "${end}" 无效：跨度超过 ${MAX_RANGE_DAYS} 天。`,
        });
      }
    }
    const { total, bodies } = await store.agentDeals({
      ...dealFilters(p),
      agentUin: caller.uin,
      startTime: start,
      endTime: end,
      ownerUins: p.OwnerUins,
      payerMode: p.PayerMode,
    });
    return { AgentDealSet: new RawJson(`[${bodies.join(',')}]`), TotalCount: total };
  },
});
