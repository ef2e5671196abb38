/**
 * The web console end to end: Debian's Chromium (playwright-core) against a real tcdeals server
 * on the demo data, with the real rate limit and the admin API on. Every table is checked against
 * the API's own answer for the same parameters; every view gets an axe-core check and a 1280×800
 * screenshot under docs/console/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { transformWithEsbuild } from 'vite';
import { buildDemoDataset, DEMO_AGENT, DEMO_CLIENT } from '../../src/domain/demo-seed.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { openSink } from '../../src/sync/sinks/sink.js';
import { runSync } from '../../src/sync/sync.js';
import { TencentCloudClient } from '../../src/client/index.js';
import { PARTNERS_COLUMNS, csvField } from '../../src/sync/sinks/csv.js';
import { adminClient, type AdminCall } from '../helpers/admin.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { AGGREGATE, allDeals, BILLING, ok, PARTNERS, signed } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'docs', 'console');
const CHROMIUM = process.env.TCDEALS_CHROMIUM ?? '/usr/bin/chromium';
const TOKEN = 'console-test-admin-token';
const ALL_STATUSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30];
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

type Deal = Record<string, any>;

// Used inside page.evaluate callbacks, which run in the browser (this project's types are Node's only).
declare const document: any;
declare const location: any;
declare const window: any;
declare const localStorage: any;

describe('web console in Chromium', { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM} (apt-get install chromium)` }, () => {
  let server: TestServer;
  let admin: AdminCall;
  let context: BrowserContext;
  let page: Page;
  let userData: string;
  let base: string;
  const problems: string[] = [];

  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist', 'console', 'index.html')), 'the console is built (npm run build)');
    const sandbox = new Sandbox();
    server = await startServer({ dataset: buildDemoDataset(), adminToken: TOKEN, sandbox, rateLimit: { points: 20, durationSec: 1 } });
    admin = adminClient(server.url, TOKEN);
    base = `${server.url}console/`;
    userData = mkdtempSync(join(tmpdir(), 'tcdeals-chromium-'));
    mkdirSync(SHOTS, { recursive: true });
    context = await chromium.launchPersistentContext(userData, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      colorScheme: 'light',
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
    });
    page.on('dialog', (d) => void d.accept());
  });

  after(async () => {
    await context?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
    await server?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

  async function axe(view: string) {
    await page.evaluate(AXE);
    const violations = (await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe.run(document, {
        resultTypes: ['violations'],
      });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
    })) as Array<{ id: string; impact: string; help: string; targets: string[] }>;
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${view}: serious/critical axe violations`);
  }

  /** The deal keys the table shows, in order, once it has loaded. */
  async function shownRows(): Promise<{ keys: string[]; total: number }> {
    await page.waitForFunction(() => {
      const el = document.querySelector('p.total[data-for]');
      if (!el || el.getAttribute('data-total') === '') return false;
      const h = location.hash;
      const p = new URLSearchParams(h.includes('?') ? h.slice(h.indexOf('?') + 1) : '');
      p.delete('deal');
      return el.getAttribute('data-for') === p.toString();
    });
    const total = Number(await page.locator('p.total').getAttribute('data-total'));
    const keys = await page.locator('tr[data-row]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-row')!));
    return { keys, total };
  }

  async function goto(hash: string) {
    await page.goto(`${base}#${hash}`);
    // A hash change on the same document does not reload: force the app to see it.
    await page.waitForFunction((h) => location.hash === `#${h}` || location.hash.startsWith(`#${h.split('?')[0]}`), hash);
  }

  /** The API parameters the page's URL stands for (what the table asked for). */
  async function urlParams(): Promise<URLSearchParams> {
    const hash = await page.evaluate(() => location.hash);
    return new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  }

  function partnersParams(p: URLSearchParams): Record<string, unknown> {
    const out: Record<string, unknown> = { Offset: Number(p.get('Offset') ?? 0), Limit: Number(p.get('Limit') ?? 20) };
    for (const k of ['CreatTimeRangeStart', 'CreatTimeRangeEnd']) if (p.get(k)) out[k] = p.get(k);
    for (const k of ['Order', 'Status', 'PayerMode']) if (p.get(k)) out[k] = Number(p.get(k));
    for (const k of ['OwnerUins', 'DealNames', 'BigDealIds']) if (p.get(k)) out[k] = p.get(k)!.split(',');
    return out;
  }

  async function expectPartnersTable(label: string) {
    const shown = await shownRows();
    const params = partnersParams(await urlParams());
    const api = await ok(server.url, PARTNERS, DEMO_AGENT.key, params);
    assert.deepEqual(shown.keys, (api.AgentDealSet as Deal[]).map((d) => d.DealName), `${label}: rows equal the API's for ${JSON.stringify(params)}`);
    assert.equal(shown.total, api.TotalCount, `${label}: TotalCount`);
    return { params, api };
  }

  test('the browser signer reproduces the official TC3 test vector inside Chromium', async () => {
    await page.goto(base);
    const { code } = await transformWithEsbuild(readFileSync(join(ROOT, 'console', 'src', 'tc3.ts'), 'utf8'), 'tc3.ts', { format: 'iife', globalName: '__tc3', loader: 'ts' });
    await page.evaluate(code);
    const sig = await page.evaluate(async () => {
      const m = (window as unknown as { __tc3: { signTc3(i: unknown): Promise<{ authorization: string }> } }).__tc3;
      return (
        await m.signTc3({
          secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
          secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
          service: 'cvm',
          host: 'cvm.tencentcloudapi.com',
          timestamp: 1551113065,
          payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
          contentType: 'application/json; charset=utf-8',
        })
      ).authorization;
    });
    assert.equal(
      sig,
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  test('served with a strict CSP, same-origin only, no inline script', async () => {
    const res = await fetch(base);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script>');
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin (no CDN)');
  });

  test('sign in: a wrong key shows the API error; pasted keys; the demo buttons', async () => {
    await page.goto(base);
    await page.waitForSelector('h1#signin-title');
    await axe('sign-in');
    await page.getByRole('button', { name: 'Demo agent' }).waitFor();
    await shot('signin');

    // A wrong key: the message is the API's own.
    const wrong = { SecretId: DEMO_AGENT.key.SecretId, SecretKey: 'not-the-key' };
    await page.getByLabel('SecretId').fill(wrong.SecretId);
    await page.getByLabel('SecretKey').fill(wrong.SecretKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const error = await page.getByTestId('signin-error').textContent();
    const api = await signed(server.url, PARTNERS, wrong, { Offset: 0, Limit: 1 });
    assert.equal(error, `[${api.json.Response.Error.Code}] ${api.json.Response.Error.Message}`);
    assert.equal(api.json.Response.Error.Code, 'AuthFailure.SignatureFailure');
    assert.ok(!(await page.evaluate(() => location.href)).includes('not-the-key'), 'no secret in the URL');

    // Pasted keys of the demo client: a billing client, its deals over the default window.
    await page.getByLabel('SecretId').fill(DEMO_CLIENT.key.SecretId);
    await page.getByLabel('SecretKey').fill(DEMO_CLIENT.key.SecretKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForSelector('h1#deals-title');
    const shown = await shownRows();
    const p = await urlParams();
    const apiDeals = await ok(server.url, BILLING, DEMO_CLIENT.key, { StartTime: p.get('StartTime'), EndTime: p.get('EndTime'), Offset: 0, Limit: 20 });
    assert.deepEqual(shown.keys, (apiDeals.Deals as Deal[]).map((d) => d.OrderId));
    const url = await page.evaluate(() => location.href);
    assert.ok(!url.includes(DEMO_CLIENT.key.SecretKey) && !url.includes(DEMO_CLIENT.key.SecretId), 'no key in the URL');
    assert.equal(await page.evaluate(() => localStorage.length === 0 || !Object.keys(localStorage).some((k) => localStorage.getItem(k)!.includes('Secret'))), true, 'no key in localStorage');
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByRole('button', { name: 'Demo agent' }).click();
    await page.waitForSelector('h1#deals-title');
    await expectPartnersTable('first page');
    await axe('agent deals');
    await shot('agent-deals');
  });

  test('agent deals: each filter, both orders, page size, a deep page, the URL and the back button', async () => {
    const all = await allDeals(server.url, PARTNERS, DEMO_AGENT.key, {});
    const owner = all[3]!.OwnerUin as string;
    const big = all.find((d) => all.filter((x) => x.BigDealId === d.BigDealId).length > 1)?.BigDealId ?? all[0]!.BigDealId;
    const created = all.map((d) => d.CreatTime as string).sort();
    const mid = created[Math.floor(created.length / 2)]!;
    const from = `${mid.slice(0, 10)} 00:00:00`;
    const to = `${mid.slice(0, 8)}28 23:59:59`;

    // Through the form: status, payer, order, client, page size.
    await goto('/deals?Offset=0&Limit=20');
    await shownRows();
    await page.getByLabel('Status', { exact: true }).selectOption('4');
    await page.getByLabel('Payer').selectOption('1');
    await page.getByLabel('Order').selectOption('1');
    await page.getByLabel('Client UINs').fill(owner);
    await page.getByLabel('Page size').selectOption('50');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => location.hash.includes('Status=4'));
    const p = await urlParams();
    assert.equal(p.get('Status'), '4');
    assert.equal(p.get('PayerMode'), '1');
    assert.equal(p.get('Order'), '1');
    assert.equal(p.get('OwnerUins'), owner);
    assert.equal(p.get('Limit'), '50');
    await expectPartnersTable('form filters');

    // Each filter alone, from a shareable URL.
    const urls = [
      `Status=6`,
      `PayerMode=0`,
      `Order=1`,
      `Order=0`,
      `OwnerUins=${owner}`,
      `DealNames=${all[5]!.DealName},${all[9]!.DealName}`,
      `BigDealIds=${big}`,
      `CreatTimeRangeStart=${encodeURIComponent(from)}&CreatTimeRangeEnd=${encodeURIComponent(to)}`,
      `Limit=200`,
    ];
    for (const q of urls) {
      await goto(`/deals?Offset=0&Limit=20&${q}`);
      await expectPartnersTable(q);
    }

    // Both orders differ as the API's do; the back button restores the previous list.
    await goto('/deals?Offset=0&Limit=10&Order=0');
    const newest = await expectPartnersTable('newest first');
    await page.getByLabel('Order').selectOption('1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => location.hash.includes('Order=1'));
    const oldest = await expectPartnersTable('oldest first');
    assert.notDeepEqual((newest.api.AgentDealSet as Deal[])[0].DealName, (oldest.api.AgentDealSet as Deal[])[0].DealName);
    await page.goBack();
    await page.waitForFunction(() => location.hash.includes('Order=0'));
    await expectPartnersTable('after back');

    // A deep page by "go to page": the last one.
    await goto('/deals?Offset=0&Limit=10');
    const { total } = await shownRows();
    const last = Math.ceil(total / 10);
    await page.getByLabel('Go to page').fill(String(last));
    await page.getByRole('button', { name: 'Go', exact: true }).click();
    await page.waitForFunction((o) => location.hash.includes(`Offset=${o}`), (last - 1) * 10);
    const deep = await expectPartnersTable('last page');
    assert.equal(deep.params.Offset, (last - 1) * 10);
  });

  test('the drawer: every field, agent-paid marked, a refund and its original linked both ways, a big deal grouped', async () => {
    const all = await allDeals(server.url, PARTNERS, DEMO_AGENT.key, {});
    const names = new Set(all.map((d) => d.DealName));
    const refund = all.find((d) => (d.RefundMap ?? []).length > 0 && names.has(d.RefundMap[0].DealName))!;
    assert.ok(refund, 'the demo data holds a refund of a visible deal');
    const original = refund.RefundMap[0].DealName as string;

    await goto(`/deals?Offset=0&Limit=20&DealNames=${refund.DealName}`);
    await shownRows();
    await page.locator(`button[data-deal="${refund.DealName}"]`).click();
    await page.waitForSelector('.drawer');
    for (const [k, v] of Object.entries(refund)) {
      const text = await page.locator(`.drawer dd[data-field="${k}"]`).textContent();
      assert.equal(text, v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v), `field ${k}`);
    }
    assert.equal((await page.locator('.drawer .summary .badge').textContent())!.trim(), refund.PayerMode === '1' ? 'Agent-paid' : 'Self-paid');
    await axe('drawer');
    await shot('drawer');

    // Refund → original …
    await page.locator(`[data-testid="refund-of"] button[data-link="${original}"]`).click();
    await page.waitForFunction((o) => location.hash.includes(`deal=${o}`), original);
    await page.waitForSelector(`.drawer dd[data-field="DealName"]:text-is("${original}")`);
    // … and back.
    await page.locator(`[data-testid="refunded-by"] button[data-link="${refund.DealName}"]`).click();
    await page.waitForSelector(`.drawer dd[data-field="DealName"]:text-is("${refund.DealName}")`);
    await page.keyboard.press('Escape');
    await page.waitForSelector('.drawer', { state: 'detached' });

    // A big deal's parts, grouped under one header.
    const big = all.find((d) => all.filter((x) => x.BigDealId === d.BigDealId).length > 1);
    if (big) {
      await goto(`/deals?Offset=0&Limit=20&BigDealIds=${big.BigDealId}`);
      await expectPartnersTable('big deal');
      assert.equal(await page.locator('tr.group').count(), 1);
      assert.equal(await page.locator('tr.part').count(), all.filter((x) => x.BigDealId === big.BigDealId).length);
    }
  });

  test('export: CSV and NDJSON of the filtered set equal the API rows and tcdeals sync\'s file, with progress', async () => {
    const all = await allDeals(server.url, PARTNERS, DEMO_AGENT.key, {});
    const to = all[0]!.CreatTime as string;
    const from = `${new Date(Date.parse(`${to.replace(' ', 'T')}Z`) - 60 * 86400_000).toISOString().slice(0, 10)} 00:00:00`;
    const q = `CreatTimeRangeStart=${encodeURIComponent(from)}&CreatTimeRangeEnd=${encodeURIComponent(to)}`;
    await goto(`/deals?Offset=0&Limit=20&${q}`);
    await shownRows();
    const api = await allDeals(server.url, PARTNERS, DEMO_AGENT.key, { CreatTimeRangeStart: from, CreatTimeRangeEnd: to });
    assert.ok(api.length > 200, 'more than one export page');

    const [ndjson] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export NDJSON' }).click()]);
    const lines = readFileSync((await ndjson.path())!, 'utf8');
    assert.equal(lines, api.map((d) => `${JSON.stringify(d)}\n`).join(''));

    // tcdeals sync writes the same lines (it walks oldest first; the set is the same).
    const dir = mkdtempSync(join(tmpdir(), 'tcdeals-sync-'));
    try {
      const out = join(dir, 'deals.ndjson');
      const sink = await openSink(out, { service: 'partners' });
      const client = new TencentCloudClient({ secretId: DEMO_AGENT.key.SecretId, secretKey: DEMO_AGENT.key.SecretKey, baseUrl: server.url.replace(/\/$/, '') });
      await runSync({ client, service: 'partners', from, to, sink });
      await sink.close();
      const synced = readFileSync(out, 'utf8').split('\n').filter(Boolean).sort();
      assert.deepEqual(lines.split('\n').filter(Boolean).sort(), synced);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    const expected = [PARTNERS_COLUMNS.join(','), ...api.map((d) => PARTNERS_COLUMNS.map((c) => csvField(Object.hasOwn(d, c) ? d[c] : undefined)).join(','))];
    assert.equal(csvText, expected.map((l) => `${l}\n`).join(''));
    assert.match((await page.locator('.export-msg').textContent())!, new RegExp(`Exported: ${api.length}`));

    // Cancel: a slow API (latency fault) and the cancel button.
    await admin('POST', '/faults', { kind: 'latency', action: 'DescribeAgentDealsByCache', latencyMs: 400 });
    await page.getByRole('button', { name: 'Export NDJSON' }).click();
    await page.locator('.export progress').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForSelector('.export-msg:text-is("Export cancelled")');
    await admin('DELETE', '/faults');
  });

  test('charts: the numbers shown equal the aggregate; the clients view', async () => {
    await goto('/charts');
    await page.waitForSelector('[data-chart="spend"] .chart svg');
    const p = await page.locator('p.total').getAttribute('data-total');
    const start = await page.locator('p.total').getAttribute('data-start');
    const end = await page.locator('p.total').getAttribute('data-end');
    const agg = await ok(server.url, AGGREGATE, DEMO_AGENT.key, { View: 'partners', StartTime: start, EndTime: end });
    assert.equal(Number(p), agg.TotalCount);
    const fen = async (chart: string, col: number) =>
      page.locator(`[data-chart="${chart}"] table.data tbody tr`).evaluateAll((trs, c) => trs.map((tr) => Number(tr.children[c]!.getAttribute('data-fen'))), col);
    const text = async (chart: string, col: number) => page.locator(`[data-chart="${chart}"] table.data tbody tr`).evaluateAll((trs, c) => trs.map((tr) => tr.children[c]!.textContent), col);
    assert.deepEqual(await fen('spend', 2), agg.SpendByMonth.map((r: Deal) => r.RealTotalCost));
    assert.deepEqual(await text('spend', 0), agg.SpendByMonth.map((r: Deal) => r.Month));
    assert.deepEqual(await text('top-clients', 0), agg.TopClients.map((r: Deal) => r.OwnerUin));
    assert.deepEqual(await fen('top-clients', 1), agg.TopClients.map((r: Deal) => r.RealTotalCost));
    assert.deepEqual((await text('status', 1)).map(Number), agg.StatusMix.map((r: Deal) => r.Count));
    assert.deepEqual(await fen('refunds', 1), agg.PurchasesRefunds.map((r: Deal) => r.Purchases));
    assert.deepEqual(await fen('refunds', 2), agg.PurchasesRefunds.map((r: Deal) => r.Refunds));
    assert.deepEqual(await fen('payer', 1), agg.PayerModes.map((r: Deal) => r.RealTotalCost));
    await axe('charts');
    await shot('charts');

    // Another window through the form (whole days): the numbers follow the aggregate.
    const from = `${end!.slice(0, 7)}-01`;
    await page.getByLabel('Created from').fill(from);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForSelector(`p.total[data-start="${from} 00:00:00"]`);
    const month = await ok(server.url, AGGREGATE, DEMO_AGENT.key, { View: 'partners', StartTime: `${from} 00:00:00`, EndTime: end });
    assert.equal(Number(await page.locator('p.total').getAttribute('data-total')), month.TotalCount);
    assert.equal(Number(await page.locator('p.total').getAttribute('data-cost')), month.RealTotalCost);
    assert.deepEqual(await fen('spend', 2), month.SpendByMonth.map((r: Deal) => r.RealTotalCost));

    await goto('/clients');
    await page.waitForSelector('tr[data-client]');
    const clients = await page.locator('tr[data-client]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-client')));
    assert.ok(clients.length > 0);
    await axe('clients');
    await shot('clients');
  });

  test('language switch: zh-CN and back; dark theme; phone width', async () => {
    await goto('/deals?Offset=0&Limit=20');
    await shownRows();
    await page.getByTestId('lang').selectOption('zh-CN');
    await page.waitForSelector('h1#deals-title:text-is("代理商订单（DescribeAgentDealsByCache）")');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal(await page.getByRole('button', { name: '查询' }).count(), 1);
    await page.getByRole('button', { name: '深色' }).click();
    // The theme is applied on the next render: wait for it rather than race it.
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark', undefined, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await axe('agent deals, zh-CN, dark');
    await shot('agent-deals-zh-dark');
    await page.getByRole('button', { name: '浅色' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme !== 'dark', undefined, { timeout: 10_000 });
    await page.getByTestId('lang').selectOption('en-US');
    await page.waitForSelector('h1#deals-title:text-is("Agent deals (DescribeAgentDealsByCache)")');

    await page.setViewportSize({ width: 390, height: 844 });
    await goto('/deals?Offset=0&Limit=20&Status=4');
    await shownRows();
    assert.equal(await page.locator('details.filters-box').getAttribute('open'), null, 'the filters fold on a phone');
    await page.screenshot({ path: join(SHOTS, 'phone.png') });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e: any) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap')).slice(0, 5).map((e: any) => `${e.tagName}.${e.className}`));
    assert.ok(overflow <= 1, `no horizontal scroll of the page at phone width (${overflow}px): ${wide.join(' ')}`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('sandbox panel: a fault shows in the next table load and its fired count rises; journal; lifecycle verb; reset', async () => {
    await goto('/sandbox');
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForSelector('h2:text-is("Fault rules")');
    await page.getByLabel('Action', { exact: true }).selectOption('DescribeAgentDealsByCache');
    await page.getByLabel('Code', { exact: true }).fill('FailedOperation');
    await page.getByLabel('Message', { exact: true }).fill('Injected by the console test.');
    await page.getByLabel('Times').fill('1');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.waitForSelector('tr[data-rule] td[data-fired="0"]');

    await goto('/deals?Offset=0&Limit=20&Status=4');
    const err = await page.getByTestId('api-error').textContent();
    assert.equal(err, '[FailedOperation] Injected by the console test.');

    await goto('/sandbox');
    await page.waitForSelector('tr[data-rule] td[data-fired="1"]');
    // The live journal shows the failed call without a reload, with no secret in it.
    await page.waitForSelector('table.journal td:has-text("FailedOperation")');
    const journal = await page.locator('table.journal').textContent();
    assert.ok(!journal!.includes(DEMO_AGENT.key.SecretKey));
    await axe('sandbox');
    await shot('sandbox');

    // A lifecycle verb from a deal's drawer: pay an unpaid deal.
    const unpaid = (await ok(server.url, PARTNERS, DEMO_AGENT.key, { Offset: 0, Limit: 1, Status: 1 })).AgentDealSet[0] as Deal;
    await goto(`/deals?Offset=0&Limit=20&DealNames=${unpaid.DealName}&deal=${unpaid.DealName}`);
    await page.waitForSelector('.drawer button[data-verb="pay"]');
    await page.locator('.drawer button[data-verb="pay"]').click();
    await page.waitForSelector('.drawer .verb-msg:not(:empty)');
    const after = (await ok(server.url, PARTNERS, DEMO_AGENT.key, { Offset: 0, Limit: 1, DealNames: [unpaid.DealName] })).AgentDealSet[0] as Deal;
    assert.notEqual(after.Status, '1');
    await page.keyboard.press('Escape');

    // Reset to demo: the rules are gone.
    await goto('/sandbox');
    await page.locator('button[data-reset="demo"]').click();
    await page.waitForSelector('p[role="status"]:text-is("Reset to demo data")');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-rule]').length === 0);
    assert.deepEqual((await admin('GET', '/faults')).json.rules, []);
  });

  test('the billing client: StatusSet, OrderId, BigDealId, ResourceId and the window equal the API', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Demo client' }).click();
    await page.waitForSelector('h1#deals-title');
    await shownRows();
    const p0 = await urlParams();
    const window = { StartTime: p0.get('StartTime')!, EndTime: p0.get('EndTime')! };
    const every = await allDeals(server.url, BILLING, DEMO_CLIENT.key, { ...window, StatusSet: ALL_STATUSES });
    const withResource = every.find((d) => (d.ResourceId ?? []).length > 0) ?? every[0]!;

    // StatusSet through the form's checkboxes.
    await page.getByRole('checkbox', { name: 'Delivered' }).check();
    await page.getByRole('checkbox', { name: 'Refunded' }).check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => location.hash.includes('StatusSet='));
    const cases = [
      '',
      `OrderId=${every[2]!.OrderId}&StatusSet=${ALL_STATUSES.join(',')}`,
      `BigDealId=${every[4]!.BigDealId}&StatusSet=${ALL_STATUSES.join(',')}`,
      `ResourceId=${encodeURIComponent(withResource.ResourceId?.[0] ?? '')}&StatusSet=${ALL_STATUSES.join(',')}`,
    ];
    for (const c of cases) {
      if (c) await goto(`/deals?StartTime=${encodeURIComponent(window.StartTime)}&EndTime=${encodeURIComponent(window.EndTime)}&Offset=0&Limit=20&${c}`);
      const shown = await shownRows();
      const p = await urlParams();
      const params: Record<string, unknown> = { StartTime: p.get('StartTime'), EndTime: p.get('EndTime'), Offset: 0, Limit: 20 };
      if (p.get('StatusSet')) params.StatusSet = p.get('StatusSet')!.split(',').map(Number);
      for (const k of ['OrderId', 'BigDealId', 'ResourceId']) if (p.get(k)) params[k] = p.get(k);
      const api = await ok(server.url, BILLING, DEMO_CLIENT.key, params);
      assert.deepEqual(shown.keys, (api.Deals as Deal[]).map((d) => d.OrderId), `billing ${c || 'StatusSet form'}`);
      assert.equal(shown.total, api.TotalCount);
    }
    await goto(`/deals?StartTime=${encodeURIComponent(window.StartTime)}&EndTime=${encodeURIComponent(window.EndTime)}&Offset=0&Limit=20&StatusSet=4,6`);
    await shownRows();
    await axe('billing deals');
    await shot('billing-deals');
    assert.deepEqual(problems, [], 'no page errors and no CSP violations');
  });
});
