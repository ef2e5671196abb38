/** The optional Redis connection (REDIS_URL): shared rate-limit state across instances. */
import { Redis } from 'ioredis';

export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable url)';
  }
}

export function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    // Fail fast instead of queueing commands while Redis is away: the rate limiter then falls
    // back to memory, and readiness reports the outage.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Connection errors are expected while Redis is down; readiness reports them, so no crash here.
  redis.on('error', () => {});
  return redis;
}

/** Resolves once connected (or rejects after `timeoutMs`), for start-up. */
export async function waitForRedis(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
