/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * the n-th retry (n from 0) waits a uniformly random time in [0, min(cap, base * 2^n)). Full jitter
 * spreads retrying clients apart, which matters most after a rate-limit rejection hit them together.
 */

export const DEFAULT_RETRY_BASE_MS = 200;
export const DEFAULT_RETRY_CAP_MS = 10_000;

/** The upper bound of the n-th retry's wait. */
export function backoffCeiling(retry: number, baseMs: number, capMs = DEFAULT_RETRY_CAP_MS): number {
  return Math.min(capMs, baseMs * 2 ** retry);
}

/** The n-th retry's wait; `random` returns a number in [0, 1) like `Math.random`. */
export function backoffDelay(retry: number, baseMs: number, capMs = DEFAULT_RETRY_CAP_MS, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(retry, baseMs, capMs));
}
