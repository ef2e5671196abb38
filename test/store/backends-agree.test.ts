/**
 * The two storage backends must be indistinguishable on the wire: the same data loaded into
 * SQLite and into PostgreSQL, the same table of queries of both actions sent to both running
 * servers, and every answer byte-identical once its RequestId is removed.
 *
 * The PostgreSQL database is created with a natural-language default collation (ICU `en-US`, as a
 * production database made with `en_US.UTF-8` has), not the test server's default (often C): text
 * ordering that depends on the database's collation then shows up here. The data is the shared
 * fixture with its same-second ties, plus deals whose DealNames sort differently by bytes and by
 * language rules (case, punctuation, spaces, accents, CJK), all sharing one CreateTime so only the
 * DealName tie-break orders them.
 *
 * Runs only with TEST_DATABASE_URL set; otherwise it is reported as skipped, by name.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DEAL_STATUSES, type DealRecord } from '../../src/domain/deal.js';
import { POSTGRES, SQLITE, createPostgresDatabase, type TestBackend } from '../helpers/backends.js';
import { tc3, v1, type ApiAnswer, type Key } from '../helpers/call.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_2, CLIENT_3, LONER, deal, expectedAgent, expectedBilling } from '../helpers/fixture.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { TIE_RESOURCE, TIE_TIME, datasetWithTies, dealsWithTies } from '../helpers/ties.js';

const BILLING = { action: 'DescribeDealsByCond', version: '2018-07-09' } as const;
const PARTNERS = { action: 'DescribeAgentDealsByCache', version: '2018-03-21' } as const;
const YEAR = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59' } as const;
const ALL_STATUSES = [...DEAL_STATUSES];

/** One second shared by deals whose names collate differently by bytes and by language rules. */
const PROBE_TIME = '2025-08-20 09:30:00';
const PROBE_RESOURCE = 'ins-collation';
const PROBE_NAMES = [
  'B-probe', 'a-probe', 'a probe', 'aprobe', 'A_probe', '_probe', 'Zprobe', 'zprobe', 'éprobe', 'eprobe', 'Éprobe',
  '10probe', '9probe', '中文probe', 'ärger-probe', 'arger-probe', 'a.probe', 'a~probe',
];

/** Prepaid, delivered deals of CLIENT_1 (so AGENT_A sees them too), half of them payer mode 1. */
function probeDeals(): DealRecord[] {
  return PROBE_NAMES.map((deal_name, i) =>
    deal({
      deal_name,
      owner_uin: CLIENT_1.uin,
      create_time: PROBE_TIME,
      payer_mode: i % 2,
      big_deal_id: `BIG-probe-${i % 3}`,
      resource_ids: JSON.stringify([PROBE_RESOURCE, `ins-probe-${i}`]),
    }),
  );
}

const dataset = () => {
  const base = datasetWithTies();
  return { ...base, deals: [...base.deals, ...probeDeals()] };
};
const deals = [...dealsWithTies(), ...probeDeals()];

/** PostgreSQL with an ICU `en-US` default collation, in its own database dropped afterwards. */
const NATURAL_POSTGRES: TestBackend = {
  name: 'postgres',
  create: () => createPostgresDatabase(undefined, { icuLocale: 'en-US' }),
};

const billingTotal = expectedBilling(deals, { owner: CLIENT_1.uin, start: YEAR.StartTime, end: YEAR.EndTime, statuses: ALL_STATUSES }).length;
const agentTotal = expectedAgent(deals, { clients: [CLIENT_1.uin, CLIENT_2.uin] }).length;
const someBig = deals.find((d) => d.owner_uin === CLIENT_1.uin && deals.filter((x) => x.big_deal_id === d.big_deal_id).length > 1)!.big_deal_id;

interface Query {
  name: string;
  action: typeof BILLING | typeof PARTNERS;
  key: Key;
  body: Record<string, unknown>;
  /** Sent as a signed v1 GET with these flattened parameters instead of a TC3 JSON body. */
  v1?: Record<string, string>;
  /** The answer is an error of this code (on both backends); otherwise it must not be one. */
  error?: string;
}

const billing = (name: string, body: Record<string, unknown>, o: Partial<Query> = {}): Query => ({
  name: `billing: ${name}`, action: BILLING, key: CLIENT_1.key, body: { ...YEAR, ...body }, ...o,
});
const partners = (name: string, body: Record<string, unknown>, o: Partial<Query> = {}): Query => ({
  name: `partners: ${name}`, action: PARTNERS, key: AGENT_A.key, body: { Offset: 0, Limit: 200, ...body }, ...o,
});

const QUERIES: Query[] = [
  billing('default Status 4, Limit 1000', { Limit: 1000 }),
  billing('every status, Limit 1000 (ResourceId null)', { StatusSet: ALL_STATUSES, Limit: 1000 }),
  billing('every status, Limit 200 (ResourceId arrays)', { StatusSet: ALL_STATUSES, Limit: 200 }),
  billing('every status, Limit 201', { StatusSet: ALL_STATUSES, Limit: 201 }),
  billing('Limit 5, Offset 3', { StatusSet: ALL_STATUSES, Limit: 5, Offset: 3 }),
  billing('deep Offset: the last two rows', { StatusSet: ALL_STATUSES, Limit: 10, Offset: billingTotal - 2 }),
  billing('Offset exactly at the end', { StatusSet: ALL_STATUSES, Limit: 10, Offset: billingTotal }),
  billing('Offset far past the end', { StatusSet: ALL_STATUSES, Limit: 10, Offset: 1_000_000 }),
  billing('StatusSet [4, 6]', { StatusSet: [4, 6], Limit: 300 }),
  billing('Status 1', { Status: 1, Limit: 100 }),
  billing('ResourceId ins-shared, every status', { ResourceId: 'ins-shared', StatusSet: ALL_STATUSES, Limit: 100 }),
  billing('ResourceId on same-second ties', { ResourceId: TIE_RESOURCE, StatusSet: ALL_STATUSES, Limit: 100 }),
  billing('ResourceId on the collation probes, Limit 250', { ResourceId: PROBE_RESOURCE, Limit: 250 }),
  billing('collation probes: one second, paged', { StartTime: PROBE_TIME, EndTime: PROBE_TIME, Limit: 7, Offset: 7 }),
  billing('ties: one second', { StartTime: TIE_TIME, EndTime: TIE_TIME, StatusSet: ALL_STATUSES, Limit: 20 }),
  billing('BigDealId shared with other customers', { BigDealId: someBig, StatusSet: ALL_STATUSES, Limit: 20 }),
  billing('OrderId of a mixed-case probe', { OrderId: 'B-probe', Limit: 10 }),
  billing('OrderId differing only in case finds nothing', { OrderId: 'b-PROBE', Limit: 10 }),
  billing('OrderId with a NUL character finds nothing', { OrderId: 'B-probe\u0000', Limit: 10 }),
  billing('ResourceId with a lone surrogate finds nothing', { ResourceId: '\ud800', Limit: 10 }),
  billing('CLIENT_2, every status', { StatusSet: ALL_STATUSES, Limit: 1000 }, { key: CLIENT_2.key }),
  billing('AGENT_A’s own deals', { StatusSet: ALL_STATUSES, Limit: 50 }, { key: AGENT_A.key }),
  billing('a half-year window', { StartTime: '2025-03-15 00:00:00', EndTime: '2025-09-15 23:59:59', StatusSet: [1, 4, 6, 30], Limit: 40, Offset: 2 }),
  billing('v1 GET with flattened StatusSet', {}, { v1: { ...YEAR, Limit: '30', Offset: '4', 'StatusSet.0': '4', 'StatusSet.1': '6' } }),
  billing('error: Limit 1001', { Limit: 1001 }, { error: 'InvalidParameterValue' }),
  billing('error: a v1 SecretId with a NUL character names no key', {}, {
    key: { SecretId: `${CLIENT_1.key.SecretId}\u0000`, SecretKey: CLIENT_1.key.SecretKey },
    v1: { ...YEAR, Limit: '10' },
    error: 'AuthFailure.SecretIdNotFound',
  }),

  partners('everything, newest first', {}),
  partners('everything, oldest first', { Order: 1 }),
  partners('Offset 7, Limit 5, oldest first', { Offset: 7, Limit: 5, Order: 1 }),
  partners('deep Offset: the last row', { Offset: agentTotal - 1, Limit: 10 }),
  partners('Offset far past the end', { Offset: 5_000_000, Limit: 10 }),
  partners('Status 4', { Status: 4 }),
  partners('PayerMode 1, oldest first', { PayerMode: 1, Order: 1 }),
  partners('OwnerUins [CLIENT_2]', { OwnerUins: [CLIENT_2.uin] }),
  partners('OwnerUins of another agent’s client', { OwnerUins: [CLIENT_3.uin, LONER.uin] }),
  partners('DealNames of collation probes', { DealNames: ['zprobe', 'Zprobe', 'a probe', 'aprobe', '中文probe', 'nothing'] }),
  partners('BigDealIds of the probes, oldest first', { BigDealIds: ['BIG-probe-0', 'BIG-probe-2'], Order: 1 }),
  partners('collation probes: one second, newest first', { CreatTimeRangeStart: PROBE_TIME, CreatTimeRangeEnd: PROBE_TIME }),
  partners('collation probes: one second, oldest first, paged', { CreatTimeRangeStart: PROBE_TIME, CreatTimeRangeEnd: PROBE_TIME, Order: 1, Offset: 4, Limit: 6 }),
  partners('ties: one second, oldest first', { CreatTimeRangeStart: TIE_TIME, CreatTimeRangeEnd: TIE_TIME, Order: 1 }),
  partners('a 90-day window', { CreatTimeRangeStart: '2025-06-01 00:00:00', CreatTimeRangeEnd: '2025-08-30 00:00:00' }),
  partners('Status + PayerMode + OwnerUins + window, oldest first', {
    Status: 4, PayerMode: 0, OwnerUins: [CLIENT_1.uin], CreatTimeRangeStart: '2025-06-01 00:00:00', CreatTimeRangeEnd: '2025-08-30 00:00:00', Order: 1,
  }),
  partners('OwnerUins and DealNames with a NUL character find nothing', { OwnerUins: ['800000000001\u0000'], DealNames: ['\u0000'] }),
  partners('BigDealIds with a lone surrogate find nothing', { BigDealIds: ['\udfff'] }),
  partners('AGENT_B', {}, { key: AGENT_B.key }),
  partners('v1 GET with flattened OwnerUins', {}, { v1: { Offset: '0', Limit: '50', Order: '1', 'OwnerUins.0': CLIENT_1.uin, 'OwnerUins.1': CLIENT_3.uin } }),
  partners('error: not an agent', {}, { key: CLIENT_1.key, error: 'UnauthorizedOperation' }),
];

function send(server: TestServer, q: Query): Promise<ApiAnswer> {
  if (q.v1) return v1(server.url, { ...q.action, key: q.key, params: q.v1, method: 'GET' });
  return tc3(server.url, { ...q.action, key: q.key, body: q.body });
}

const listedNames = (a: ApiAnswer): unknown => {
  const list = a.json.Response.Deals ?? a.json.Response.AgentDealSet;
  return Array.isArray(list) ? list.map((d: Record<string, unknown>) => d.OrderId ?? d.DealName) : list;
};

/** The raw answer with its one `"RequestId":"…"` member removed, every other byte kept. */
function withoutRequestId(a: ApiAnswer): string {
  const ids = a.raw.match(/"RequestId":"[^"]*"/g) ?? [];
  assert.equal(ids.length, 1, `exactly one RequestId in ${a.raw.slice(0, 300)}`);
  return a.raw.replace(/,"RequestId":"[^"]*"|"RequestId":"[^"]*",?/, '');
}

describe('SQLite and PostgreSQL answer byte-identically', { skip: POSTGRES.skip }, () => {
  let sqlite: TestServer | undefined;
  let postgres: TestServer | undefined;
  const listed: number[] = [];
  before(async () => {
    const [a, b] = await Promise.allSettled([
      startServer({ backend: SQLITE, dataset: dataset() }),
      startServer({ backend: NATURAL_POSTGRES, dataset: dataset() }),
    ]);
    // Whichever started is closed in `after`; a start that failed has already cleaned up after itself.
    if (a.status === 'fulfilled') sqlite = a.value;
    if (b.status === 'fulfilled') postgres = b.value;
    for (const r of [a, b]) if (r.status === 'rejected') throw r.reason;
  });
  after(async () => {
    await Promise.all([sqlite?.close(), postgres?.close()]);
  });

  test('the PostgreSQL database really sorts text by language rules, not bytes', async () => {
    const rows = await sql<{ x: string }>`select x from (values ('B'), ('a')) v(x) order by x`.execute(postgres!.store.db);
    assert.deepEqual(rows.rows.map((r) => r.x), ['a', 'B'], 'an en-US default collation puts a before B (bytes put B first)');
  });

  for (const q of QUERIES) {
    test(q.name, async () => {
      const [a, b] = await Promise.all([send(sqlite!, q), send(postgres!, q)]);
      assert.equal(a.json.Response.Error?.Code, q.error, `SQLite: ${a.raw.slice(0, 500)}`);
      assert.equal(b.json.Response.Error?.Code, q.error, `PostgreSQL: ${b.raw.slice(0, 500)}`);
      // The listed deals first, for a readable failure; then every byte.
      assert.deepEqual(listedNames(b), listedNames(a), 'the same deals in the same order');
      assert.equal(b.status, a.status);
      assert.equal(b.contentType, a.contentType);
      assert.equal(withoutRequestId(b), withoutRequestId(a));
      const list = a.json.Response.Deals ?? a.json.Response.AgentDealSet;
      if (Array.isArray(list)) listed.push(list.length);
    });
  }

  test('the table exercises real data: most answers list deals, some list none', () => {
    assert.equal(QUERIES.length, listed.length + QUERIES.filter((q) => q.error).length, 'every query answered');
    assert.ok(listed.filter((n) => n > 0).length >= 30, `answers with deals: ${listed.filter((n) => n > 0).length}`);
    assert.ok(listed.some((n) => n === 0), 'some answers are empty');
  });
});
