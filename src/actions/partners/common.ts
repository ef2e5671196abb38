/** What the partners actions share: who may call, "not your client", order directions and the V2 deal window. */
import { DAY_MS, formatDateTime, parseDateTime } from '../../protocol/datetime.js';
import { ApiError } from '../../protocol/errors.js';
import type { Account } from '../../store/accounts.js';

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
