/**
 * The pacer on a virtual clock: even spacing per key, calls admitted in call order, and — whatever
 * the latencies — no N+1 calls that a server could count within one second.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer } from '../../src/client/index.js';

/** A discrete-event clock: `sleep` registers a timer, `run` advances time from timer to timer. */
class VirtualTime {
  t = 0;
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  private seq = 0;
  readonly sleeps: number[] = [];
  now = () => this.t;
  sleep = (ms: number) => {
    this.sleeps.push(ms);
    return new Promise<void>((resolve) => this.timers.push({ at: this.t + ms, seq: this.seq++, resolve }));
  };
  /** Runs until `done` settles, firing timers in time order. */
  async run<T>(done: Promise<T>): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    done.then(
      (value) => (outcome = { ok: true, value }),
      (error: unknown) => (outcome = { ok: false, error }),
    );
    for (;;) {
      await new Promise((r) => setImmediate(r)); // let every ready continuation run
      if (outcome) {
        if (outcome.ok) return outcome.value;
        throw outcome.error;
      }
      if (this.timers.length === 0) throw new Error('stuck: nothing scheduled and not done');
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
  }
}

test('defaults: 20 per second, a start every 50 ms; validation', () => {
  const p = new Pacer();
  assert.equal(p.intervalMs, 50);
  assert.equal(p.perWindow, 20);
  assert.equal(new Pacer({ ratePerSecond: 10 }).intervalMs, 100);
  assert.equal(new Pacer({ ratePerSecond: 0.5 }).perWindow, 1);
  assert.equal(new Pacer({ ratePerSecond: 0 }).intervalMs, 0);
  assert.throws(() => new Pacer({ ratePerSecond: -1 }), RangeError);
  assert.throws(() => new Pacer({ ratePerSecond: Number.NaN }), RangeError);
  assert.throws(() => new Pacer({ marginMs: -1 }), RangeError);
});

test('instant answers: 20 starts 50 ms apart, then the 21st one second (+5 ms) after the 1st answer', async () => {
  const vt = new VirtualTime();
  const p = new Pacer({ now: vt.now, sleep: vt.sleep });
  const slots: number[] = [];
  await vt.run(
    (async () => {
      for (let i = 0; i < 42; i++) await p.schedule('A', async () => void slots.push(vt.t));
    })(),
  );
  assert.deepEqual(slots.slice(0, 21), [...Array.from({ length: 20 }, (_, i) => i * 50), 1005]);
  assert.equal(slots[40], 2010);
  for (let i = 1; i < slots.length; i++) assert.ok(slots[i]! - slots[i - 1]! >= 50);
});

test('concurrent callers are admitted in call order, one interval apart', async () => {
  const vt = new VirtualTime();
  const p = new Pacer({ now: vt.now, sleep: vt.sleep });
  const order: number[] = [];
  const slots = await vt.run(Promise.all(Array.from({ length: 6 }, (_, i) => p.schedule('A', async () => (order.push(i), vt.t)))));
  assert.deepEqual(slots, [0, 50, 100, 150, 200, 250]);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
});

test('a slow answer holds back the call N places later (the server may count a call as late as its answer)', async () => {
  const vt = new VirtualTime();
  const p = new Pacer({ ratePerSecond: 2, marginMs: 0, now: vt.now, sleep: vt.sleep });
  // Call 0 takes 3 s to answer; calls 1 and 2 answer at once.
  const latency = [3000, 0, 0, 0];
  const starts = await vt.run(
    Promise.all(latency.map((ms) => p.schedule('A', async () => {
      const start = vt.t;
      if (ms) await vt.sleep(ms);
      return start;
    }))),
  );
  // Call 1 by spacing (500 ms); call 2 only a second after call 0's answer (3000 + 1000), call 3 after it by spacing.
  assert.deepEqual(starts, [0, 500, 4000, 4500]);
});

test('keys are paced independently (the server counts per action); idle time is not saved up', async () => {
  const vt = new VirtualTime();
  const p = new Pacer({ now: vt.now, sleep: vt.sleep });
  const at = () => async () => vt.t;
  const slots = await vt.run(Promise.all([p.schedule('A', at()), p.schedule('A', at()), p.schedule('B', at()), p.schedule('A', at()), p.schedule('B', at())]));
  assert.deepEqual(slots, [0, 50, 0, 100, 50]);
  vt.t = 60_000;
  assert.equal(await vt.run(p.schedule('A', at())), 60_000, 'after a long idle the next call goes at once');
});

test('acquire/release by hand; a failing call still counts as answered', async () => {
  const vt = new VirtualTime();
  const p = new Pacer({ ratePerSecond: 1, marginMs: 0, now: vt.now, sleep: vt.sleep });
  const first = await vt.run(p.acquire('A'));
  vt.t = 200;
  first.release();
  first.release(); // idempotent
  await assert.rejects(vt.run(p.schedule('A', async () => Promise.reject(new Error('boom')))), /boom/);
  assert.equal(vt.t, 1200);
  const third = await vt.run(p.acquire('A'));
  assert.equal(third.slot, 2200);
});

test('rate 0 disables pacing', async () => {
  const vt = new VirtualTime();
  const p = new Pacer({ ratePerSecond: 0, now: vt.now, sleep: vt.sleep });
  await vt.run(Promise.all(Array.from({ length: 100 }, () => p.schedule('A', async () => {}))));
  assert.deepEqual(vt.sleeps, []);
});

test('property: random arrivals and latencies — no 21 calls a server could count within one second', async () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 10; round++) {
    const vt = new VirtualTime();
    const p = new Pacer({ now: vt.now, sleep: vt.sleep });
    const calls: Array<{ send: number; answer: number }> = [];
    const callers = Array.from({ length: 150 }, async (_, i) => {
      // Callers arrive in bursts and gaps; answers take 0..400 ms, now and then 1.5 s.
      const arrive = Math.floor(i / 10) * rnd() * 600 + rnd() * 50;
      await vt.sleep(arrive);
      const r = rnd();
      const latency = r < 0.05 ? 1500 : r * 400;
      await p.schedule('A', async () => {
        const send = vt.t;
        await vt.sleep(latency);
        calls.push({ send, answer: vt.t });
      });
    });
    await vt.run(Promise.all(callers));
    const bySend = calls.sort((a, b) => a.send - b.send);
    for (let b = 0; b < bySend.length; b++) {
      if (b > 0) assert.ok(bySend[b]!.send - bySend[b - 1]!.send >= 50, 'evenly spaced');
      // Any 21 calls include two, a and b, at least 20 places apart; the server counts a no
      // later than its answer and b no earlier than its send.
      for (let a = 0; a <= b - 20; a++) {
        assert.ok(bySend[b]!.send - bySend[a]!.answer >= 1000, `round ${round}: call ${b} sent ${bySend[b]!.send - bySend[a]!.answer} ms after call ${a}'s answer`);
      }
    }
  }
});
