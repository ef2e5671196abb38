/**
 * The documented rate limit, 20 requests per second per action per account: a concurrent burst
 * gets exactly 20 answers and exactly `RequestLimitExceeded` (the code Go's retry looks for) for
 * the rest; other accounts and the other action are counted apart; the window recovers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, tc3, v1, type ApiAnswer, type Key } from '../helpers/call.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_2, CLIENT_3, LONER } from '../helpers/fixture.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';

const POINTS = 20;
const WINDOW_MS = 1000;
const BURST = 30;
/** A burst that takes longer than this may have crossed a window boundary. */
const QUICK_MS = 200;

const BILLING = { action: 'DescribeDealsByCond', version: '2018-07-09' } as const;
const PARTNERS = { action: 'DescribeAgentDealsByCache', version: '2018-03-21' } as const;
const BILLING_BODY = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 1 };
const PARTNERS_BODY = { Offset: 0, Limit: 1 };

interface Tally {
  ok: number;
  limited: number;
  other: string[];
  ms: number;
  startedAt: number;
}

function tally(answers: ApiAnswer[], startedAt: number): Tally {
  const t: Tally = { ok: 0, limited: 0, other: [], ms: Date.now() - startedAt, startedAt };
  for (const a of answers) {
    assert.equal(a.status, 200);
    assert.equal(a.contentType, 'application/json');
    const code = errorCode(a);
    if (code === undefined) t.ok++;
    else if (code === 'RequestLimitExceeded') {
      t.limited++;
      assert.match(a.json.Response.RequestId, /^[0-9a-f-]{36}$/);
      assert.match(a.json.Response.Error.Message, /20/);
    } else t.other.push(code);
  }
  return t;
}

async function burst(n: number, call: (i: number) => Promise<ApiAnswer>): Promise<Tally> {
  const startedAt = Date.now();
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => call(i)));
  return tally(answers, startedAt);
}

/**
 * Runs the burst; when it was too slow to be sure it fell in one window, waits the window out
 * and runs it once more. Exactly 20 must pass in a quick burst; 20±1 only in a slow one.
 */
async function assertBurstLimited(call: (i: number) => Promise<ApiAnswer>, n = BURST): Promise<Tally> {
  let t = await burst(n, call);
  if (t.ms > QUICK_MS) {
    await sleep(WINDOW_MS + 100);
    t = await burst(n, call);
  }
  assert.deepEqual(t.other, [], 'no other error codes');
  assert.equal(t.ok + t.limited, n);
  if (t.ms <= QUICK_MS) {
    assert.equal(t.ok, POINTS, `exactly ${POINTS} succeed (burst took ${t.ms} ms)`);
    assert.equal(t.limited, n - POINTS);
  } else {
    assert.ok(Math.abs(t.ok - POINTS) <= 1, `${t.ok} succeeded in a slow burst (${t.ms} ms)`);
  }
  return t;
}

const billing = (url: string, key: Key) => tc3(url, { ...BILLING, body: BILLING_BODY, key });
const partners = (url: string, key: Key) => tc3(url, { ...PARTNERS, body: PARTNERS_BODY, key });

forEachBackend((backend) => {
  describe('rate limit (20 per second per action per account)', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ backend, rateLimit: { points: POINTS, durationSec: WINDOW_MS / 1000 } });
    });
    after(() => server.close());

    test('30 concurrent calls of one action by one account: exactly 20 succeed, 10 get RequestLimitExceeded; others are counted apart; the window recovers', async () => {
      const t = await assertBurstLimited(() => billing(server.url, AGENT_A.key));
      const inWindow = () => Date.now() - t.startedAt < WINDOW_MS - 200;

      // Same account, other action: its own budget.
      const other = await partners(server.url, AGENT_A.key);
      assert.equal(errorCode(other), undefined, other.raw);
      // Same action, another account: its own budget.
      const another = await billing(server.url, CLIENT_1.key);
      assert.equal(errorCode(another), undefined, another.raw);
      // Same action, same account, same window: still refused.
      const again = await billing(server.url, AGENT_A.key);
      if (inWindow()) assert.equal(errorCode(again), 'RequestLimitExceeded');

      // After the window the account is served again.
      await sleep(Math.max(0, t.startedAt + WINDOW_MS + 150 - Date.now()));
      const later = await billing(server.url, AGENT_A.key);
      assert.equal(errorCode(later), undefined, later.raw);
    });

    test('the other action has its own 20 (a burst on partners by an agent)', async () => {
      await assertBurstLimited(() => partners(server.url, AGENT_B.key));
      const billingStillFine = await billing(server.url, AGENT_B.key);
      assert.equal(errorCode(billingStillFine), undefined, billingStillFine.raw);
    });

    test('two accounts bursting together each get their own 20', async () => {
      let t = await burst(2 * BURST, (i) => billing(server.url, i % 2 ? CLIENT_2.key : CLIENT_3.key));
      if (t.ms > QUICK_MS) {
        await sleep(WINDOW_MS + 100);
        t = await burst(2 * BURST, (i) => billing(server.url, i % 2 ? CLIENT_2.key : CLIENT_3.key));
      }
      assert.deepEqual(t.other, []);
      if (t.ms <= QUICK_MS) {
        assert.equal(t.ok, 2 * POINTS);
        assert.equal(t.limited, 2 * (BURST - POINTS));
      } else {
        assert.ok(Math.abs(t.ok - 2 * POINTS) <= 2);
      }
    });

    test('TC3 and v1 calls share the account’s budget for the action', async () => {
      await sleep(WINDOW_MS + 100); // CLIENT_2 / CLIENT_3 windows from the previous test are over
      await assertBurstLimited((i) =>
        i % 2
          ? billing(server.url, CLIENT_2.key)
          : v1(server.url, { ...BILLING, key: CLIENT_2.key, params: { StartTime: BILLING_BODY.StartTime, EndTime: BILLING_BODY.EndTime, Limit: '1' } }),
      );
    });

    test('calls refused before authentication do not spend the account’s budget', async () => {
      const wrongKey = { SecretId: LONER.key.SecretId, SecretKey: 'not-the-key' };
      const refused = await burst(BURST, () => billing(server.url, wrongKey));
      assert.equal(refused.ok, 0);
      assert.equal(refused.limited, 0);
      assert.deepEqual([...new Set(refused.other)], ['AuthFailure.SignatureFailure']);
      await assertBurstLimited(() => billing(server.url, LONER.key));
    });
  });

  describe('rate limit off', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ backend, rateLimit: false });
    });
    after(() => server.close());

    test('with the limit off a burst of 30 all succeed', async () => {
      const t = await burst(BURST, () => billing(server.url, CLIENT_1.key));
      assert.deepEqual(t.other, []);
      assert.equal(t.ok, BURST);
    });
  });
});
