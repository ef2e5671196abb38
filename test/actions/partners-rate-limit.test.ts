/**
 * 20 requests per second per action per account for every partners action of the reseller's
 * workflow: a concurrent burst of 30 lets exactly 20 through (any answer but
 * RequestLimitExceeded) and refuses the rest, in English and Chinese; each action is counted apart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { errorCode, tc3, type ApiAnswer } from '../helpers/call.js';
import { AGENT_A } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { NOW_MS, partnersDataset, RESELLER_CALLS } from '../helpers/partners-fixture.js';

let server: TestServer;
before(async () => {
  const sandbox = new Sandbox();
  sandbox.clock.set(NOW_MS, true);
  server = await startServer({ dataset: partnersDataset(), sandbox, now: Date.now, rateLimit: { points: 20, durationSec: 1 } });
});
after(() => server.close());

async function burst(action: string, n: number, language?: string): Promise<{ passed: number; limited: ApiAnswer[]; ms: number }> {
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: n }, () => tc3(server.url, { action, version: '2018-03-21', key: AGENT_A.key, body: RESELLER_CALLS[action]!, ...(language ? { language } : {}) })));
  const limited = answers.filter((a) => errorCode(a) === 'RequestLimitExceeded');
  return { passed: n - limited.length, limited, ms: Date.now() - started };
}

for (const action of Object.keys(RESELLER_CALLS)) {
  test(`${action}: 20 per second per account, then RequestLimitExceeded`, async () => {
    let r = await burst(action, 30);
    if (r.ms > 250) {
      await sleep(1100);
      r = await burst(action, 30);
    }
    if (r.ms <= 250) assert.equal(r.passed, 20, `burst of ${r.ms} ms`);
    else assert.ok(Math.abs(r.passed - 20) <= 1, `${r.passed} passed in a slow burst (${r.ms} ms)`);
    assert.match(r.limited[0]!.json.Response.Error.Message, new RegExp(`${action}.*${AGENT_A.uin}|${AGENT_A.uin}.*${action}`));
    await sleep(1100);
    const zh = await burst(action, 22, 'zh-CN');
    assert.ok(zh.limited.length >= 1);
    assert.match(zh.limited[0]!.json.Response.Error.Message, /频率限制/);
    await sleep(1100);
  });
}
