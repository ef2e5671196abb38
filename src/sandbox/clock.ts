/**
 * The server's clock. Sandbox users set "now" (for the ±300 s signature window and lifecycle
 * timestamps) so tests stay deterministic; left alone it is the real time.
 */
export interface ClockState {
  now: number;
  /** Frozen: time stands still at `now`. Otherwise it runs from `now` at real speed. */
  frozen: boolean;
  /** Distance from the real clock in milliseconds. */
  offsetMs: number;
}

export class Clock {
  private offsetMs = 0;
  private frozenAt: number | undefined;

  constructor(private readonly real: () => number = Date.now) {}

  readonly now = (): number => this.frozenAt ?? this.real() + this.offsetMs;

  /** Moves "now" to `ms`; frozen keeps it there, otherwise it keeps running from there. */
  set(ms: number, frozen = false): void {
    if (frozen) {
      this.frozenAt = ms;
      this.offsetMs = 0;
    } else {
      this.frozenAt = undefined;
      this.offsetMs = ms - this.real();
    }
  }

  /** Moves "now" by `ms` (frozen or not). */
  advance(ms: number): void {
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
    this.frozenAt = undefined;
  }

  state(): ClockState {
    return { now: this.now(), frozen: this.frozenAt !== undefined, offsetMs: this.frozenAt !== undefined ? this.frozenAt - this.real() : this.offsetMs };
  }
}
