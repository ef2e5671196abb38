/** partners DescribeAgentDealsByCache (2018-03-21): the prepaid deals of the calling agent's clients, from the cache. */
import { DEAL_STATUSES } from '../../domain/deal.js';
import { DAY_MS, parseDateTime } from '../../protocol/datetime.js';
import { RawJson } from '../../protocol/envelope.js';
import { ApiError } from '../../protocol/errors.js';
import { defineAction } from '../action.js';

export const MAX_RANGE_DAYS = 90;

export const describeAgentDealsByCache = defineAction({
  service: 'partners',
  name: 'DescribeAgentDealsByCache',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  params: {
    Offset: { kind: 'integer', required: true, min: 0, max: Number.MAX_SAFE_INTEGER },
    Limit: { kind: 'integer', required: true, min: 1, max: 200 },
    CreatTimeRangeStart: { kind: 'datetime' },
    CreatTimeRangeEnd: { kind: 'datetime' },
    Order: { kind: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
    Status: { kind: 'integer', oneOf: DEAL_STATUSES },
    OwnerUins: { kind: 'stringList', maxItems: 1000, maxLength: 32 },
    DealNames: { kind: 'stringList', maxItems: 1000, maxLength: 64 },
    BigDealIds: { kind: 'stringList', maxItems: 1000, maxLength: 64 },
    PayerMode: { kind: 'integer', oneOf: [0, 1] },
  },
  async handle(p, { store, caller }) {
    if (!caller.isAgent) {
      throw new ApiError('UnauthorizedOperation', {
        en: `Unauthorized operation: account ${caller.uin} is not an agent (reseller); DescribeAgentDealsByCache serves agents only.`,
        zh: `未授权操作：账号 ${caller.uin} 不是代理商，DescribeAgentDealsByCache 仅供代理商调用。`,
      });
    }
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
      agentUin: caller.uin,
      startTime: start,
      endTime: end,
      ascending: (p.Order ?? 0) !== 0,
      status: p.Status,
      ownerUins: p.OwnerUins,
      dealNames: p.DealNames,
      bigDealIds: p.BigDealIds,
      payerMode: p.PayerMode,
      offset: p.Offset,
      limit: p.Limit,
    });
    return { AgentDealSet: new RawJson(`[${bodies.join(',')}]`), TotalCount: total };
  },
});
