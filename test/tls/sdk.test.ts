/**
 * Unchanged official Node SDK clients reach tcdeals: with no endpoint setting at all through proxy
 * mode (only `http_proxy` and `NODE_EXTRA_CA_CERTS` in their environment, or under
 * `tcdeals exec --` with nothing set by the test), and with `protocol: "https://"` against the TLS
 * port. A client that does not trust the CA fails verification, so verification really happens.
 * Each runs as a child process, as an application would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frontOf } from '../../src/server.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { LocalCa } from '../../src/tls/ca.js';
import { BIN } from '../helpers/cli.js';
import { AGENT_A, CLIENT_1, expectedAgent, expectedBilling, fixtureDeals } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
const SDK = require.resolve('tencentcloud-sdk-nodejs');

/**
 * The application: both actions, then three calls that must fail with their codes. Keys come from
 * its arguments, or (under `tcdeals exec`) from the variables exec sets. `endpoint` absent: the
 * SDK's defaults, https://billing.tencentcloudapi.com and https://partners.tencentcloudapi.com.
 */
const APP = `
const [sdk, argsJson] = process.argv.slice(2);
const tc = require(sdk);
const args = JSON.parse(argsJson);
const env = process.env;
const agent = args.agent ?? { SecretId: env.TENCENTCLOUD_SECRET_ID, SecretKey: env.TENCENTCLOUD_SECRET_KEY };
const client = args.client ?? { SecretId: env.TCDEALS_CLIENT_SECRET_ID, SecretKey: env.TCDEALS_CLIENT_SECRET_KEY };
const options = (key, endpoint, protocol) => ({
  credential: { secretId: key.SecretId, secretKey: key.SecretKey },
  region: '',
  ...(endpoint ? { profile: { httpProfile: { endpoint, protocol } } } : {}),
});
const partners = (key, endpoint, protocol) => new tc.partners.v20180321.Client(options(key, endpoint, protocol));
const billing = (key, endpoint, protocol) => new tc.billing.v20180709.Client(options(key, endpoint, protocol));
const failure = (p) => p.then(() => ({ code: 'no error' }), (e) => ({ code: e.code, requestId: e.requestId, message: e.message }));
(async () => {
  const out = { env: Object.keys(env).filter((k) => /proxy|cert|bundle/i.test(k)).sort() };
  out.partners = await partners(agent, args.endpoint, args.protocol).DescribeAgentDealsByCache(args.partnersReq);
  out.billing = await billing(client, args.endpoint, args.protocol).DescribeDealsByCond(args.billingReq);
  out.unauthorized = await failure(partners(client, args.endpoint, args.protocol).DescribeAgentDealsByCache({ Offset: 0, Limit: 1 }));
  out.signature = await failure(billing({ ...client, SecretKey: 'not-the-key' }, args.endpoint, args.protocol).DescribeDealsByCond(args.billingReq));
  out.invalid = await failure(billing(client, args.endpoint, args.protocol).DescribeDealsByCond({ ...args.billingReq, Limit: 1001 }));
  if (args.compareDirect) {
    // The same pages straight from TCDEALS_ENDPOINT (plain HTTP, explicit endpoint), and the journal.
    const direct = env.TCDEALS_ENDPOINT.replace('http://', '');
    out.directPartners = await partners(agent, direct, 'http://').DescribeAgentDealsByCache(args.partnersReq);
    out.directBilling = await billing(client, direct, 'http://').DescribeDealsByCond(args.billingReq);
    const journal = await fetch(env.TCDEALS_ENDPOINT + '/_tcdeals/admin/journal', { headers: { authorization: 'Bearer ' + env.TCDEALS_ADMIN_TOKEN } });
    out.journal = (await journal.json()).entries.map((e) => ({ action: e.action, code: e.code, via: e.via, host: e.host }));
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.log(JSON.stringify({ fatal: { code: e.code, message: String(e.message) } })); process.exit(3); });
`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  out: Record<string, any>;
}

function run(command: string, args: string[], o: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<Run> {
  const child = spawn(command, args, { env: o.env as NodeJS.ProcessEnv, cwd: o.cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) =>
    child.once('close', (status) => {
      let out: Record<string, any> = {};
      try {
        out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
      } catch {
        out = { unparsed: stdout };
      }
      resolve({ status, stdout, stderr, out });
    }),
  );
}

const BILLING_REQ = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59', Limit: 3, Offset: 1, StatusSet: [4, 6] };
const PARTNERS_REQ = { Offset: 2, Limit: 5, Order: 1, CreatTimeRangeStart: '2025-03-01 00:00:00', CreatTimeRangeEnd: '2025-05-29 23:59:59' };

describe('official Node SDK, unchanged: proxy mode and HTTPS', () => {
  const deals = fixtureDeals();
  const sandbox = new Sandbox();
  let dir: string;
  let app: string;
  let ca: LocalCa;
  let server: TestServer;
  let tlsPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tcdeals-sdk-tls-'));
    app = join(dir, 'app.cjs');
    writeFileSync(app, APP);
    ca = await LocalCa.open(join(dir, 'ca'));
    server = await startServer({ ca, proxy: {}, sandbox });
    tlsPort = (await frontOf(server.app).listenTls({ port: 0, host: '127.0.0.1' })).port;
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The pages and failures a fixture run must show. */
  function expectFixtureAnswers(out: Record<string, any>): void {
    assert.equal(out.fatal, undefined, JSON.stringify(out.fatal));
    const agentDeals = expectedAgent(deals, { clients: ['800000000001', '800000000002'], start: PARTNERS_REQ.CreatTimeRangeStart, end: PARTNERS_REQ.CreatTimeRangeEnd, ascending: true });
    assert.equal(out.partners.TotalCount, agentDeals.length);
    assert.deepEqual(out.partners.AgentDealSet.map((d: { DealName: string }) => d.DealName), agentDeals.slice(2, 7).map((d) => d.deal_name));
    const own = expectedBilling(deals, { owner: CLIENT_1.uin, start: BILLING_REQ.StartTime, end: BILLING_REQ.EndTime, statuses: [4, 6] });
    assert.equal(out.billing.TotalCount, own.length);
    assert.deepEqual(out.billing.Deals.map((d: { OrderId: string }) => d.OrderId), own.slice(1, 4).map((d) => d.deal_name));
    assert.equal(out.unauthorized.code, 'UnauthorizedOperation');
    assert.equal(out.signature.code, 'AuthFailure.SignatureFailure');
    assert.equal(out.invalid.code, 'InvalidParameterValue');
    for (const k of ['unauthorized', 'signature', 'invalid']) assert.match(out[k].requestId, /^[0-9a-f-]{36}$/);
  }

  test('no endpoint setting at all, only http_proxy and NODE_EXTRA_CA_CERTS in the environment', async () => {
    sandbox.journal.clear();
    const env = { http_proxy: `http://127.0.0.1:${server.port}`, NODE_EXTRA_CA_CERTS: ca.paths.cert };
    const r = await run(process.execPath, [app, SDK, JSON.stringify({ agent: AGENT_A.key, client: CLIENT_1.key, billingReq: BILLING_REQ, partnersReq: PARTNERS_REQ })], { env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(r.out.env, ['NODE_EXTRA_CA_CERTS', 'http_proxy']);
    expectFixtureAnswers(r.out);
    // The production hosts, signed and verified as in production, arrived through the proxy.
    const seen = new Set(sandbox.journal.list().map((e) => `${e.via} ${e.host} ${e.action} ${e.code}`));
    for (const line of [
      'proxy partners.tencentcloudapi.com DescribeAgentDealsByCache OK',
      'proxy billing.tencentcloudapi.com DescribeDealsByCond OK',
      'proxy partners.tencentcloudapi.com DescribeAgentDealsByCache UnauthorizedOperation',
      'proxy billing.tencentcloudapi.com DescribeDealsByCond AuthFailure.SignatureFailure',
      'proxy billing.tencentcloudapi.com DescribeDealsByCond InvalidParameterValue',
    ]) {
      assert.ok(seen.has(line), `${line} in ${[...seen].join(' | ')}`);
    }
  });

  test('protocol "https://" and endpoint 127.0.0.1:<TLS port>, trusting the CA through NODE_EXTRA_CA_CERTS', async () => {
    sandbox.journal.clear();
    const args = { agent: AGENT_A.key, client: CLIENT_1.key, billingReq: BILLING_REQ, partnersReq: PARTNERS_REQ, endpoint: `127.0.0.1:${tlsPort}`, protocol: 'https://' };
    const r = await run(process.execPath, [app, SDK, JSON.stringify(args)], { env: { NODE_EXTRA_CA_CERTS: ca.paths.cert } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    expectFixtureAnswers(r.out);
    assert.deepEqual([...new Set(sandbox.journal.list().map((e) => `${e.via} ${e.host}`))], [`tls 127.0.0.1:${tlsPort}`]);
  });

  test('a client that does not trust the CA fails certificate verification (TLS port and proxy alike)', async () => {
    sandbox.journal.clear();
    const args = { agent: AGENT_A.key, client: CLIENT_1.key, billingReq: BILLING_REQ, partnersReq: PARTNERS_REQ, endpoint: `127.0.0.1:${tlsPort}`, protocol: 'https://' };
    const direct = await run(process.execPath, [app, SDK, JSON.stringify(args)], { env: {} });
    assert.equal(direct.status, 3, direct.stdout + direct.stderr);
    assert.match(direct.out.fatal.message, /certificate/i);
    const proxied = await run(process.execPath, [app, SDK, JSON.stringify({ ...args, endpoint: undefined, protocol: undefined })], { env: { http_proxy: `http://127.0.0.1:${server.port}` } });
    assert.equal(proxied.status, 3, proxied.stdout + proxied.stderr);
    assert.match(proxied.out.fatal.message, /certificate/i);
    assert.deepEqual(sandbox.journal.list(), [], 'no call got through');
  });

  test('the same application under `tcdeals exec --`, with no variable set by the test', async () => {
    const cwd = join(dir, 'exec-cwd');
    mkdirSync(cwd);
    // The test's own environment, minus anything that would point the SDK somewhere or trust something.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/proxy|^NODE_EXTRA_CA_CERTS$|^SSL_CERT|BUNDLE|^TCDEALS_|^TENCENTCLOUD_|^DATABASE_URL$/i.test(k)) env[k] = v;
    const args = { billingReq: { ...BILLING_REQ, StartTime: '2000-01-01 00:00:00', EndTime: '2100-01-01 00:00:00', StatusSet: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30] }, partnersReq: { Offset: 3, Limit: 7 }, compareDirect: true };
    const r = await run(process.execPath, [BIN, 'exec', '--', process.execPath, app, SDK, JSON.stringify(args)], { env, cwd });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = r.out;
    assert.equal(out.fatal, undefined, JSON.stringify(out.fatal));
    for (const name of ['HTTPS_PROXY', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'http_proxy', 'https_proxy']) assert.ok(out.env.includes(name), `exec sets ${name}`);
    // Correct pages: the demo data, exactly as the same SDK reads it over plain HTTP from TCDEALS_ENDPOINT.
    assert.ok(out.partners.TotalCount > 10 && out.partners.AgentDealSet.length === 7);
    assert.ok(out.billing.TotalCount > 3 && out.billing.Deals.length === 3);
    const strip = (r: Record<string, unknown>) => ({ ...r, RequestId: undefined });
    assert.deepEqual(strip(out.partners), strip(out.directPartners));
    assert.deepEqual(strip(out.billing), strip(out.directBilling));
    assert.equal(out.unauthorized.code, 'UnauthorizedOperation');
    assert.equal(out.signature.code, 'AuthFailure.SignatureFailure');
    assert.equal(out.invalid.code, 'InvalidParameterValue');
    const arrivals = new Set(out.journal.map((e: { via: string; host: string }) => `${e.via} ${e.host}`));
    assert.ok(arrivals.has('proxy partners.tencentcloudapi.com') && arrivals.has('proxy billing.tencentcloudapi.com'), [...arrivals].join(' | '));
  });
});
