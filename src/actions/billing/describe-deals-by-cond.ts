/** billing DescribeDealsByCond (2018-07-09): the caller's own deals. */
import { DEAL_STATUSES } from '../../domain/deal.js';
import { toBillingDeal } from '../../domain/views.js';
import { ApiError } from '../../protocol/errors.js';
import { defineAction } from '../action.js';

/** The SDK model: `ResourceId` is null when Limit exceeds this. */
export const RESOURCE_ID_LIMIT = 200;

export const describeDealsByCond = defineAction({
  service: 'billing',
  name: 'DescribeDealsByCond',
  version: '2018-07-09',
  invalidCode: 'InvalidParameterValue',
  params: {
    StartTime: { kind: 'datetime', required: true, doc: 'CreateTime >= StartTime' },
    EndTime: { kind: 'datetime', required: true, doc: 'CreateTime <= EndTime' },
    Limit: { kind: 'integer', required: true, min: 1, max: 1000 },
    Offset: { kind: 'integer', min: 0, max: 1_000_000_000, default: 0 },
    Status: { kind: 'integer', oneOf: DEAL_STATUSES, default: 4 },
    OrderId: { kind: 'string', maxLength: 64 },
    BigDealId: { kind: 'string', maxLength: 64 },
    ResourceId: { kind: 'string', maxLength: 256 },
    StatusSet: { kind: 'integerList', maxItems: 100, oneOf: DEAL_STATUSES },
  },
  async handle(p, { store, caller, settings }) {
    if (p.EndTime < p.StartTime) {
      throw new ApiError('InvalidParameterValue', {
        en: `The value "${p.EndTime}" of parameter \`EndTime\` is invalid: it must not be earlier than StartTime "${p.StartTime}".`,
        zh: `参数 \`EndTime\` 的取值 "${p.EndTime}" 无效：不能早于 StartTime "${p.StartTime}"。`,
      });
    }
    // StatusSet, when given, replaces the single Status (and its default of 4).
    const statuses = p.StatusSet && p.StatusSet.length > 0 ? [...new Set(p.StatusSet)] : [p.Status];
    const offset = settings.billingOffset === 'pages' ? p.Offset * p.Limit : p.Offset;
    const { total, rows } = await store.billingDeals({
      ownerUin: caller.uin,
      startTime: p.StartTime,
      endTime: p.EndTime,
      statuses,
      orderId: p.OrderId || undefined,
      bigDealId: p.BigDealId || undefined,
      resourceId: p.ResourceId || undefined,
      offset,
      limit: p.Limit,
    });
    const withResourceIds = p.Limit <= RESOURCE_ID_LIMIT;
    return { Deals: rows.map((d) => toBillingDeal(d, withResourceIds)), TotalCount: total };
  },
});
