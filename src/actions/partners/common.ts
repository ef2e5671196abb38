/**
 * What the partners actions share: who may call, "not your client", order directions, the V2 deal
 * window, and the parameters their documents repeat (the deal actions' page and filters, the
 * client lists' filters) — written once, so the three deal actions cannot drift apart.
 */
import { DEAL_STATUSES } from '../../domain/deal.js';
import { CLIENT_FLAGS } from '../../domain/partners.js';
import { DAY_MS, formatDateTime, parseDateTime } from '../../protocol/datetime.js';
import { ApiError } from '../../protocol/errors.js';
import type { Decoded, ParamsSpec } from '../../protocol/params.js';
import type { Account } from '../../store/accounts.js';
import type { AgentDealsQuery } from '../../store/agent-cache.js';

/** Every partners action serves agents (resellers) only. */
export function requireAgent(caller: Account, action: string): void {
  if (!caller.isAgent) {
    throw new ApiError('UnauthorizedOperation', {
      en: `Unauthorized operation: account ${caller.uin} is not an agent (reseller); ${action} serves agents only.`,
      zh: `未授权操作：账号 ${caller.uin} 不是代理商，${action} 仅供代理商调用。`,
    });
  }
}

/** A client UIN that is not one of the caller's bound clients (the document lists InvalidParameter for it). */
export function notYourClient(param: string, uin: string, agentUin: string): ApiError {
  const shown = JSON.stringify(uin.slice(0, 32));
  return new ApiError('InvalidParameter', {
    en: `The value ${shown} of parameter \`${param}\` is invalid: it is not a client bound to agent ${agentUin}.`,
    zh: `参数 \`${param}\` 的取值 ${shown} 无效：该账号不是代理商 ${agentUin} 名下的代客。`,
  });
}

/** `OrderDirection` values (case-insensitive on the wire, decoded to these spellings). */
export const DIRECTIONS = ['ASC', 'DESC'] as const;

/** The V2 deal actions read the last 15 days unless told otherwise, and only within them. */
export const RECENT_DAYS = 15;

/**
 * The V2 deal window: without `CreatTimeRangeStart`, the last 15 days up to now (or to the given
 * end); with it, the start must lie within the last 15 days (as the document asks), and the end,
 * when given, not before the start.
 */
export function recentWindow(start: string | undefined, end: string | undefined, nowMs: number): { start: string; end: string | undefined } {
  const earliestMs = nowMs - RECENT_DAYS * DAY_MS;
  const earliest = formatDateTime(earliestMs);
  if (start !== undefined && parseDateTime(start)! < earliestMs) {
    throw new ApiError('InvalidParameter', {
      en: `The value "${start}" of parameter \`CreatTimeRangeStart\` is invalid: it must lie within the last ${RECENT_DAYS} days (not before ${earliest}).`,
      zh: `参数 \`CreatTimeRangeStart\` 的取值 "${start}" 无效：起始时间须在最近 ${RECENT_DAYS} 天内（不早于 ${earliest}）。`,
    });
  }
  const from = start ?? earliest;
  if (end !== undefined && parseDateTime(end)! < parseDateTime(from)!) {
    throw new ApiError('InvalidParameter', {
      en: `The value "${end}" of parameter \`CreatTimeRangeEnd\` is invalid: it must not be earlier than the range start "${from}".`,
      zh: `参数 \`CreatTimeRangeEnd\` 的取值 "${end}" 无效：不能早于起始时间 "${from}"。`,
    });
  }
  return { start: from, end };
}

/** A page both of whose parameters are required (the deal actions, salespeople): a row `Offset`, and a `Limit` up to what each document allows. */
export function requiredPage<Max extends number>(maxLimit: Max) {
  return {
    Offset: { kind: 'integer', required: true, min: 0, max: Number.MAX_SAFE_INTEGER },
    Limit: { kind: 'integer', required: true, min: 1, max: maxLimit },
  } satisfies ParamsSpec;
}

/** The deal actions' time range, order and status, in their documents' order. */
export const DEAL_RANGE = {
  CreatTimeRangeStart: { kind: 'datetime' },
  CreatTimeRangeEnd: { kind: 'datetime' },
  Order: { kind: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
  Status: { kind: 'integer', oneOf: DEAL_STATUSES },
} satisfies ParamsSpec;

/** The deal actions' client filter (the self-paid action takes one `OwnerUin` instead). */
export const OWNER_UINS = { OwnerUins: { kind: 'stringList', maxItems: 1000, maxLength: 32 } } satisfies ParamsSpec;

/** The deal actions' lookups by name. */
export const DEAL_KEYS = {
  DealNames: { kind: 'stringList', maxItems: 1000, maxLength: 64 },
  BigDealIds: { kind: 'stringList', maxItems: 1000, maxLength: 64 },
} satisfies ParamsSpec;

type DealFilterParams = Decoded<ReturnType<typeof requiredPage<number>> & typeof DEAL_RANGE & typeof DEAL_KEYS>;

/** What a deal action's decoded page, order, status and name lookups ask of the cache. */
export function dealFilters(p: DealFilterParams): Pick<AgentDealsQuery, 'ascending' | 'status' | 'dealNames' | 'bigDealIds' | 'offset' | 'limit'> {
  return { ascending: (p.Order ?? 0) !== 0, status: p.Status, dealNames: p.DealNames, bigDealIds: p.BigDealIds, offset: p.Offset, limit: p.Limit };
}

/** The client lists' leading filters (applications and audited clients), in their documents' order. */
export const CLIENT_FILTERS = {
  ClientUin: { kind: 'string', maxLength: 32 },
  ClientName: { kind: 'string', maxLength: 256 },
  ClientFlag: { kind: 'string', oneOf: ['', ...CLIENT_FLAGS] },
  OrderDirection: { kind: 'string', oneOf: DIRECTIONS, ignoreCase: true },
} satisfies ParamsSpec;

/** A page the client lists default: `Offset` 0 and `Limit` 20 unless given, up to what each document allows. */
export function defaultedPage<Max extends number>(maxLimit: Max) {
  return {
    Offset: { kind: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 },
    Limit: { kind: 'integer', min: 1, max: maxLimit, default: 20 },
  } satisfies ParamsSpec;
}

/** The client lists' salesperson filters. */
export const SALES_FILTERS = {
  SalesUin: { kind: 'string', maxLength: 32 },
  SalesName: { kind: 'string', maxLength: 256 },
} satisfies ParamsSpec;

/** `OrderDirection`: newest first unless ASC. */
export function ascendingOf(direction: string | undefined): boolean {
  return (direction ?? 'DESC') === 'ASC';
}
