/**
 * Client-side pacing: at most `ratePerSecond` calls per second per key (the client uses one key
 * per action, as the server counts), started at evenly spaced instants.
 *
 * Why fixed spacing and not a token bucket: a bucket holding N tokens lets N calls out at once and
 * then one every 1/N s, so nearly 2N calls can land in one server second. The server counts fixed
 * one-second windows that open at the first call it sees (rate-limiter-flexible), and a burst that
 * straddles a window boundary gets rejected. Evenly spaced starts never burst.
 *
 * Spacing alone is not enough, though: the server counts a call when it *processes* it, which is
 * some unknown time between our send and its answer. If call k is counted late (a cold server, a
 * slow network, a GC pause) and call k+N on time, N+1 calls land in one server window even though
 * we sent them more than a second apart — the tests saw exactly that with a 55 ms first call. So
 * a second rule makes it provable: call k is not started before one second (plus `marginMs`)
 * after the *answers* of calls k-N and earlier have arrived. Each call is counted between its send
 * and its answer, so any N+1 calls are then counted more than a second apart, whatever the
 * latencies, and no window of any alignment — fixed or sliding — holds more than N of them. The
 * price is throughput under high latency (about N per second-plus-round-trip); on a fast link the
 * spacing rule is the one that binds.
 *
 * Calls are admitted in call order (one queue per key), and the clock and sleep are injectable, so
 * the schedule is deterministic under test. Use `schedule(key, fn)`, which reports the answer's
 * time when `fn` settles; with `acquire` the caller must call `release()` itself.
 */

export interface PacerOptions {
  /** Calls per second per key; 0 disables pacing. Default 20. */
  ratePerSecond?: number;
  /** Added to the one-second rule, against timer and clock granularity. Default 5 ms. */
  marginMs?: number;
  /** Milliseconds clock. Default `Date.now`. */
  now?: () => number;
  /** Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RATE_PER_SECOND = 20;
export const DEFAULT_MARGIN_MS = 5;
const WINDOW_MS = 1000;

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A started call. `release()` records that its answer arrived (or that it failed); idempotent. */
export interface PacerTicket {
  /** The instant the call was allowed to start. */
  readonly slot: number;
  release(): void;
}

interface Pending {
  readonly index: number;
  doneAt?: number;
  readonly finished: Promise<void>;
  finish(at: number): void;
}

interface Lane {
  /** Admission queue: each acquire runs after the previous one has its slot. */
  queue: Promise<unknown>;
  issued: number;
  lastSlot?: number;
  /** Calls whose answers still matter, in call order. */
  pending: Pending[];
  /** Latest answer among the calls already dropped from `pending`. */
  latestAnswer: number;
}

function pending(index: number): Pending {
  let resolve!: () => void;
  const finished = new Promise<void>((r) => (resolve = r));
  const p: Pending = {
    index,
    finished,
    finish(at) {
      if (p.doneAt !== undefined) return;
      p.doneAt = at;
      resolve();
    },
  };
  return p;
}

export class Pacer {
  /** Milliseconds between two starts of one key (0 when pacing is off). */
  readonly intervalMs: number;
  /** N: at most this many calls of one key may be counted within any second. */
  readonly perWindow: number;
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly lanes = new Map<string, Lane>();

  constructor(options: PacerOptions = {}) {
    const rate = options.ratePerSecond ?? DEFAULT_RATE_PER_SECOND;
    const margin = options.marginMs ?? DEFAULT_MARGIN_MS;
    if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`ratePerSecond must be a finite number >= 0, got ${rate}`);
    if (!Number.isFinite(margin) || margin < 0) throw new RangeError(`marginMs must be a finite number >= 0, got ${margin}`);
    this.intervalMs = rate === 0 ? 0 : WINDOW_MS / rate;
    this.perWindow = rate === 0 ? Infinity : Math.max(1, Math.floor(rate));
    this.marginMs = margin;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Runs `fn` in `key`'s next slot; its settling is taken as the answer's arrival. */
  async schedule<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const ticket = await this.acquire(key);
    try {
      return await fn();
    } finally {
      ticket.release();
    }
  }

  /** Waits for `key`'s next slot. The caller must `release()` the ticket once the answer is in. */
  async acquire(key: string): Promise<PacerTicket> {
    if (this.intervalMs === 0) return { slot: this.now(), release() {} };
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { queue: Promise.resolve(), issued: 0, pending: [], latestAnswer: -Infinity };
      this.lanes.set(key, lane);
    }
    const self = pending(lane.issued++);
    lane.pending.push(self);
    const l = lane;
    const admitted = l.queue.then(() => this.admit(l, self.index));
    l.queue = admitted.catch(() => {});
    let slot: number;
    try {
      slot = await admitted;
    } catch (err) {
      self.finish(this.now());
      throw err;
    }
    return { slot, release: () => self.finish(this.now()) };
  }

  private async admit(lane: Lane, index: number): Promise<number> {
    // The answers of calls index-N and earlier must be in: wait for them, keep the latest.
    while (lane.pending.length > 0 && lane.pending[0]!.index <= index - this.perWindow) {
      const oldest = lane.pending[0]!;
      await oldest.finished;
      lane.latestAnswer = Math.max(lane.latestAnswer, oldest.doneAt!);
      lane.pending.shift();
    }
    const now = this.now();
    let slot = now;
    if (lane.lastSlot !== undefined) slot = Math.max(slot, lane.lastSlot + this.intervalMs);
    slot = Math.max(slot, lane.latestAnswer + WINDOW_MS + this.marginMs);
    lane.lastSlot = slot;
    // Round the wait up: a timer may round a fractional delay down, and early is what must not happen.
    const wait = Math.ceil(slot - now);
    if (wait > 0) await this.sleep(wait);
    return slot;
  }
}
