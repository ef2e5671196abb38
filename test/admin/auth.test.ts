/** The admin API is off without a token, and refuses every request without the right bearer token. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminClient } from '../helpers/admin.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { TOKEN } from './support.js';

/** Every admin endpoint of these route modules, with a body that would change state if it got through. */
const ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/state'],
  ['GET', '/accounts'],
  ['POST', '/accounts', { Uin: '123456', Agent: true }],
  ['GET', '/accounts/900000000001'],
  ['GET', '/accounts/900000000001/keys'],
  ['POST', '/accounts/900000000001/keys', {}],
  ['GET', '/bindings'],
  ['POST', '/bindings', { AgentUin: '900000000002', ClientUin: '800000000001' }],
  ['POST', '/deals/import', undefined],
  ['GET', '/deals/export'],
  ['POST', '/reset', { to: 'empty' }],
  ['GET', '/snapshot'],
  ['POST', '/snapshot', undefined],
  ['GET', '/journal'],
  ['DELETE', '/journal'],
  ['PUT', '/journal/size', { size: 1 }],
  ['GET', '/faults'],
  ['POST', '/faults', { kind: 'drop' }],
  ['DELETE', '/faults/some-id'],
  ['DELETE', '/faults'],
  ['GET', '/clock'],
  ['PUT', '/clock', { advanceMs: 86_400_000 }],
  ['GET', '/cache-lag'],
  ['PUT', '/cache-lag', { seconds: 100 }],
  ['GET', '/signature-mode'],
  ['PUT', '/signature-mode', { mode: 'off' }],
  ['GET', '/no-such-endpoint'],
];

describe('admin authentication', () => {
  let on: TestServer;
  let off: TestServer;
  before(async () => {
    on = await startServer({ adminToken: TOKEN });
    off = await startServer();
  });
  after(async () => {
    await on.close();
    await off.close();
  });

  test('a missing, wrong or malformed token is refused with 401 on every endpoint, and nothing changes', async () => {
    const variants: Array<[string, Record<string, string>]> = [
      ['no Authorization', {}],
      ['a wrong token', { authorization: `Bearer ${TOKEN}x` }],
      ['a token prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
      ['another scheme', { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
      ['the bare token', { authorization: TOKEN }],
    ];
    const anonymous = adminClient(on.url, undefined);
    for (const [what, headers] of variants) {
      for (const [method, path, body] of ROUTES) {
        const raw = body === undefined && method === 'POST' ? '{"type":"meta"}\n' : undefined;
        const r = await anonymous(method, path, body, { headers, ...(raw ? { raw } : {}) });
        assert.equal(r.status, 401, `${what}: ${method} ${path} answered ${r.status} ${r.text}`);
        assert.equal(r.json.error.code, 'Unauthorized');
        assert.equal(r.headers.get('www-authenticate'), 'Bearer');
      }
    }
    const st = (await adminClient(on.url, TOKEN)('GET', '/state')).json;
    assert.deepEqual([st.counts.accounts, st.counts.deals, st.settings.signatureMode, st.settings.cacheLagSeconds, st.settings.faultRules], [6, 121, 'strict', 0, 0]);
    assert.equal(st.settings.clock.offsetMs, 0);
  });

  test('with the token an unknown admin path is a JSON 404', async () => {
    const r = await adminClient(on.url, TOKEN)('GET', '/no-such-endpoint');
    assert.deepEqual([r.status, r.json.error.code], [404, 'NotFound']);
  });

  test('without a configured token every admin endpoint is 404, whatever the request carries', async () => {
    for (const token of [undefined, TOKEN, '']) {
      const client = adminClient(off.url, token);
      for (const [method, path, body] of ROUTES) {
        const r = await client(method, path, body);
        assert.equal(r.status, 404, `${method} ${path} answered ${r.status} ${r.text}`);
        assert.equal(r.json.error.code, 'AdminDisabled');
      }
    }
  });
});
