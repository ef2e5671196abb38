/**
 * partners DescribeUnbindClientList (2018-03-21): the calling agent's unbinding applications.
 * Request `Status` 0 all, 1 in review, 2 unbound; each element's `Status` is 0 in review,
 * 1 unbound, 2 withdrawn, 3 withdrawn with a related application, 4 rejected. Apply-time bounds
 * take a date (`2020-09-22`, the whole day) or a date-time.
 */
import { dateBound, toUnbindClientElem } from '../../domain/partners.js';
import { ApiError } from '../../protocol/errors.js';
import { defineAction } from '../action.js';
import { requireAgent } from './common.js';

export const describeUnbindClientList = defineAction({
  service: 'partners',
  name: 'DescribeUnbindClientList',
  version: '2018-03-21',
  invalidCode: 'InvalidParameter',
  agentOnly: true,
  params: {
    Status: { kind: 'integer', required: true, oneOf: [0, 1, 2] },
    Offset: { kind: 'integer', required: true, min: 0, max: Number.MAX_SAFE_INTEGER },
    Limit: { kind: 'integer', required: true, min: 1, max: 100 },
    UnbindUin: { kind: 'string', maxLength: 32 },
    ApplyTimeStart: { kind: 'string', format: 'date' },
    ApplyTimeEnd: { kind: 'string', format: 'date' },
    OrderDirection: { kind: 'string', oneOf: ['asc', 'desc'], ignoreCase: true },
  },
  dataCodes: ['InvalidParameter'],
  async handle(p, { store, caller }) {
    requireAgent(caller, 'DescribeUnbindClientList');
    const from = p.ApplyTimeStart === undefined ? undefined : dateBound(p.ApplyTimeStart, 'start');
    const to = p.ApplyTimeEnd === undefined ? undefined : dateBound(p.ApplyTimeEnd, 'end');
    if (from !== undefined && to !== undefined && to < from) {
      throw new ApiError('InvalidParameter', {
        en: `The value "${p.ApplyTimeEnd}" of parameter \`ApplyTimeEnd\` is invalid: it must not be earlier than ApplyTimeStart "${p.ApplyTimeStart}".`,
        zh: `参数 \`ApplyTimeEnd\` 的取值 "${p.ApplyTimeEnd}" 无效：不能早于 ApplyTimeStart "${p.ApplyTimeStart}"。`,
      });
    }
    const { total, rows } = await store.partners.unbinds({
      agentUin: caller.uin,
      statuses: p.Status === 1 ? [0] : p.Status === 2 ? [1] : undefined,
      clientUin: p.UnbindUin,
      applyFrom: from,
      applyTo: to,
      ascending: (p.OrderDirection ?? 'desc') === 'asc',
      offset: p.Offset,
      limit: p.Limit,
    });
    return { TotalCount: total, UnbindClientList: rows.map((r) => toUnbindClientElem(r.unbind, r.name)) };
  },
});
