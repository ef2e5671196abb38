/**
 * Against a real tcdeals server that enforces 20 calls per second per action: the client's pacing
 * keeps 120 concurrent calls of one action under the limit (no RequestLimitExceeded at all, not
 * even absorbed by a retry), and it is the pacing that does it — without it the server refuses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TencentCloudClient, TencentCloudError } from '../../src/client/index.js';
import { AGENT_A, CLIENT_1, CLIENT_2 } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REQ = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 1 };

describe('pacing against the server rate limit (20/s per action)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ rateLimit: { points: 20, durationSec: 1 } });
  });
  after(() => server.close());

  test('120 concurrent billing calls plus 40 partners calls: none limited, and billing takes >= 5 s', async () => {
    const billing = new TencentCloudClient({ secretId: CLIENT_1.key.SecretId, secretKey: CLIENT_1.key.SecretKey, baseUrl: `http://${server.endpoint}` });
    const partners = new TencentCloudClient({ secretId: AGENT_A.key.SecretId, secretKey: AGENT_A.key.SecretKey, baseUrl: `http://${server.endpoint}` });
    const started = Date.now();
    let partnersDone = 0;
    const [bills] = await Promise.all([
      Promise.all(Array.from({ length: 120 }, () => billing.describeDealsByCond(REQ))),
      Promise.all(Array.from({ length: 40 }, (_, i) => partners.describeAgentDealsByCache({ Offset: i, Limit: 1 }))).then((r) => {
        partnersDone = Date.now() - started;
        return r;
      }),
    ]);
    const elapsed = Date.now() - started;
    assert.equal(bills.length, 120);
    assert.deepEqual(billing.stats, { calls: 120, attempts: 120, retries: 0, rateLimited: 0, failures: 0 });
    assert.deepEqual(partners.stats, { calls: 40, attempts: 40, retries: 0, rateLimited: 0, failures: 0 });
    // 119 intervals of 52.5 ms: 6.25 s. 120 calls at 20/s cannot take less than 5 s.
    assert.ok(elapsed >= 5000, `billing took ${elapsed} ms`);
    // Paced per action: partners' 40 calls (~2 s) did not queue behind billing's 120.
    assert.ok(partnersDone < elapsed - 1500, `partners finished at ${partnersDone} ms, billing at ${elapsed} ms`);
  });

  test('control: unpaced, without retries, the same burst is refused by the server', async () => {
    const unpaced = new TencentCloudClient({
      secretId: CLIENT_2.key.SecretId,
      secretKey: CLIENT_2.key.SecretKey,
      baseUrl: `http://${server.endpoint}`,
      ratePerSecond: 0,
      maxRetries: 0,
    });
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => unpaced.describeDealsByCond(REQ)));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.ok(refused.length >= 9, `${refused.length} refused`);
    for (const r of refused) {
      assert.ok(r.reason instanceof TencentCloudError);
      assert.equal(r.reason.code, 'RequestLimitExceeded');
    }
    assert.equal(unpaced.stats.rateLimited, refused.length);
  });
});
