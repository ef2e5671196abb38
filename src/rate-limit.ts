/**
 * The documented rate limit: 20 requests per second per action per account. Over it the caller
 * gets exactly `RequestLimitExceeded` (the code the Go SDK's retry looks for).
 *
 * State lives in memory, or in Redis when several instances must share one limit. If Redis stops
 * answering, an in-memory limiter takes over so the limit still holds per instance, and the
 * ready endpoint reports Redis as down.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from './protocol/errors.js';

export interface RateLimitOptions {
  /** Requests allowed per window. */
  readonly points: number;
  /** Window length in seconds. */
  readonly durationSec: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { points: 20, durationSec: 1 };

export const REDIS_KEY_PREFIX = 'tcdeals:rl';

export class RateLimit {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    readonly options: RateLimitOptions = DEFAULT_RATE_LIMIT,
    redis?: Redis,
    keyPrefix = REDIS_KEY_PREFIX,
  ) {
    const memory = new RateLimiterMemory({ points: options.points, duration: options.durationSec });
    this.limiter = redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points: options.points, duration: options.durationSec, insuranceLimiter: memory })
      : memory;
  }

  /** Counts one call of `action` by `uin`; throws `RequestLimitExceeded` past the limit. */
  async consume(action: string, uin: string): Promise<void> {
    try {
      await this.limiter.consume(`${action}:${uin}`);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      const { points, durationSec } = this.options;
      const per = durationSec === 1 ? 'a second' : `${durationSec} seconds`;
      throw new ApiError('RequestLimitExceeded', {
        en: `Your current request times equals to \`${res.consumedPoints}\` in ${per}, which exceeds the frequency limit \`${points}\` of ${action} for account ${uin}.`,
        zh: `账号 ${uin} 调用 ${action} 的请求次数在 ${durationSec} 秒内达到 \`${res.consumedPoints}\` 次，超过了频率限制 \`${points}\` 次。`,
      });
    }
  }
}
