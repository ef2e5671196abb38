/**
 * billing DescribeDealsByCond (2018-07-09) against the fixture (plus same-second ties): every
 * filter, default, bound and error path, each answer compared with the `expectedBilling` oracle.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEAL_STATUSES, type DealRecord } from '../../src/domain/deal.js';
import { formatDateTime, parseDateTime } from '../../src/protocol/datetime.js';
import { errorCode, tc3, v1, type ApiAnswer, type Key, expectError, okResponse } from '../helpers/call.js';
import { CLIENT_1, CLIENT_2, expectedBilling, type BillingOracleQuery } from '../helpers/fixture.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { TIE_RESOURCE, TIE_TIME, datasetWithTies, dealsWithTies } from '../helpers/ties.js';

const ACTION = { action: 'DescribeDealsByCond', version: '2018-07-09' } as const;
const YEAR = { StartTime: '2025-01-01 00:00:00', EndTime: '2025-12-31 23:59:59' } as const;
const ALL_STATUSES = [...DEAL_STATUSES];
const FORMAT = 'YYYY-MM-DD HH:mm:ss';

const deals = dealsWithTies();
const mine = deals.filter((d) => d.owner_uin === CLIENT_1.uin);

/** CLIENT_1's deals for the whole year, status 4 unless the query says otherwise. */
const expect1 = (q: Partial<BillingOracleQuery> = {}) =>
  expectedBilling(deals, { owner: CLIENT_1.uin, start: YEAR.StartTime, end: YEAR.EndTime, statuses: [4], ...q });
const names = (records: readonly DealRecord[]) => records.map((d) => d.deal_name);
const shift = (time: string, seconds: number) => formatDateTime(parseDateTime(time)! + seconds * 1000);

type Body = Record<string, unknown>;
interface Page {
  Deals: Array<Record<string, unknown>>;
  TotalCount: number;
}

forEachBackend((backend) => {
  let server: TestServer;
  let pagesServer: TestServer;

  function call(body: Body | string, o: { key?: Key; language?: string; on?: TestServer } = {}): Promise<ApiAnswer> {
    return tc3((o.on ?? server).url, { ...ACTION, key: o.key ?? CLIENT_1.key, body, ...(o.language ? { language: o.language } : {}) });
  }

  const ok = (a: ApiAnswer) => okResponse<Page>(a);
  const fails = expectError;

  const orderIds = (p: Page) => p.Deals.map((d) => d.OrderId as string);

  /** Asks one query and compares the whole answer (TotalCount and order) with the oracle. */
  async function expectAnswer(body: Body, expected: DealRecord[], o: { allowEmpty?: boolean; on?: TestServer } = {}) {
    if (!o.allowEmpty) assert.ok(expected.length > 0, 'the fixture exercises this case');
    const page = ok(await call({ ...YEAR, Limit: 1000, ...body }, { on: o.on }));
    assert.equal(page.TotalCount, expected.length);
    assert.deepEqual(orderIds(page), names(expected));
  }

  before(async () => {
    server = await startServer({ backend, dataset: datasetWithTies() });
    pagesServer = await startServer({ backend, dataset: datasetWithTies(), settings: { billingOffset: 'pages' } });
  });
  after(async () => {
    await server.close();
    await pagesServer.close();
  });

  describe('StartTime ≤ CreateTime ≤ EndTime', () => {
    const edge = mine.find((d) => d.status === 4 && d.create_time !== TIE_TIME)!;
    const t = edge.create_time;
    const cases: Array<{ name: string; start: string; end: string; includesEdge: boolean }> = [
      { name: 'StartTime equal to a CreateTime includes that deal', start: t, end: YEAR.EndTime, includesEdge: true },
      { name: 'EndTime equal to a CreateTime includes that deal', start: YEAR.StartTime, end: t, includesEdge: true },
      { name: 'StartTime = EndTime = CreateTime gives exactly that second', start: t, end: t, includesEdge: true },
      { name: 'StartTime one second later excludes it', start: shift(t, 1), end: YEAR.EndTime, includesEdge: false },
      { name: 'EndTime one second earlier excludes it', start: YEAR.StartTime, end: shift(t, -1), includesEdge: false },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const expected = expect1({ start: c.start, end: c.end });
        assert.equal(names(expected).includes(edge.deal_name), c.includesEdge, 'oracle agrees with the case');
        await expectAnswer({ StartTime: c.start, EndTime: c.end }, expected, { allowEmpty: !c.includesEdge });
      });
    }

    test('a window holding only other deals answers nothing for this second', async () => {
      const page = ok(await call({ StartTime: shift(t, 1), EndTime: shift(t, 1), Limit: 10 }));
      assert.equal(page.TotalCount, expect1({ start: shift(t, 1), end: shift(t, 1) }).length);
    });

    test('EndTime earlier than StartTime → InvalidParameterValue', async () => {
      fails(await call({ StartTime: t, EndTime: shift(t, -1), Limit: 10 }), 'InvalidParameterValue', 'EndTime', shift(t, -1));
    });
  });

  describe('Limit 1..1000', () => {
    const all = expect1({ statuses: ALL_STATUSES });
    const good: Array<{ limit: unknown; size: number }> = [
      { limit: 1, size: 1 },
      { limit: 2, size: 2 },
      { limit: '20', size: 20 },
      { limit: 200, size: 200 },
      { limit: 1000, size: 1000 },
      { limit: '1000', size: 1000 },
    ];
    for (const c of good) {
      test(`Limit ${JSON.stringify(c.limit)} is accepted`, async () => {
        assert.ok(all.length > 20, 'more matches than the smaller limits');
        const page = ok(await call({ ...YEAR, StatusSet: ALL_STATUSES, Limit: c.limit }));
        assert.equal(page.TotalCount, all.length);
        assert.deepEqual(orderIds(page), names(all.slice(0, c.size)));
      });
    }
    for (const bad of [0, 1001, -1, 1.5, 'abc', '1.5', '', true, [20], {}]) {
      test(`Limit ${JSON.stringify(bad)} → InvalidParameterValue`, async () => {
        fails(await call({ ...YEAR, Limit: bad }), 'InvalidParameterValue', '`Limit`');
      });
    }
  });

  describe('Offset: a row offset by default', () => {
    const all = expect1({ statuses: ALL_STATUSES });
    const cases: Array<{ name: string; offset?: unknown; from: number }> = [
      { name: 'absent means 0', from: 0 },
      { name: '0', offset: 0, from: 0 },
      { name: '1', offset: 1, from: 1 },
      { name: '5', offset: 5, from: 5 },
      { name: 'numeric string "3"', offset: '3', from: 3 },
      { name: 'the last row', offset: all.length - 1, from: all.length - 1 },
      { name: 'exactly past the end', offset: all.length, from: all.length },
      { name: 'far past the end', offset: all.length + 100, from: all.length + 100 },
    ];
    for (const c of cases) {
      test(`Offset ${c.name}`, async () => {
        const body: Body = { ...YEAR, StatusSet: ALL_STATUSES, Limit: 4, ...(c.offset === undefined ? {} : { Offset: c.offset }) };
        const page = ok(await call(body));
        assert.equal(page.TotalCount, all.length, 'TotalCount ignores Offset');
        assert.deepEqual(orderIds(page), names(all.slice(c.from, c.from + 4)));
      });
    }
    for (const bad of [-1, '-1', 1.5, 'x', 1_000_000_001]) {
      test(`Offset ${JSON.stringify(bad)} → InvalidParameterValue`, async () => {
        fails(await call({ ...YEAR, Limit: 10, Offset: bad }), 'InvalidParameterValue', '`Offset`');
      });
    }
  });

  describe('Offset: a page index with settings.billingOffset = "pages"', () => {
    const all = expect1({ statuses: ALL_STATUSES });
    const LIMIT = 5;
    const lastPage = Math.ceil(all.length / LIMIT) - 1;
    for (const p of [0, 1, 2, lastPage, lastPage + 1]) {
      test(`Offset ${p} is page ${p} of ${LIMIT} rows`, async () => {
        assert.ok(lastPage >= 3, 'several pages');
        const page = ok(await call({ ...YEAR, StatusSet: ALL_STATUSES, Limit: LIMIT, Offset: p }, { on: pagesServer }));
        assert.equal(page.TotalCount, all.length);
        assert.deepEqual(orderIds(page), names(all.slice(p * LIMIT, (p + 1) * LIMIT)));
      });
    }
    test('the same request reads Offset differently on the two servers', async () => {
      const body = { ...YEAR, StatusSet: ALL_STATUSES, Limit: LIMIT, Offset: 1 };
      const rows = ok(await call(body));
      const pages = ok(await call(body, { on: pagesServer }));
      assert.deepEqual(orderIds(rows), names(all.slice(1, 1 + LIMIT)));
      assert.deepEqual(orderIds(pages), names(all.slice(LIMIT, 2 * LIMIT)));
    });
    test('paging by page index yields every match exactly once', async () => {
      const seen: string[] = [];
      for (let p = 0; ; p++) {
        const page = ok(await call({ ...YEAR, StatusSet: ALL_STATUSES, Limit: 3, Offset: p }, { on: pagesServer }));
        if (page.Deals.length === 0) break;
        seen.push(...orderIds(page));
      }
      assert.deepEqual(seen, names(all));
    });
  });

  describe('Status and StatusSet', () => {
    const cases: Array<{ name: string; body: Body; statuses: number[] }> = [
      { name: 'Status absent defaults to 4', body: {}, statuses: [4] },
      ...ALL_STATUSES.map((s) => ({ name: `Status ${s}`, body: { Status: s }, statuses: [s] })),
      { name: 'Status as numeric string "6"', body: { Status: '6' }, statuses: [6] },
      { name: 'StatusSet [4, 6]', body: { StatusSet: [4, 6] }, statuses: [4, 6] },
      { name: 'StatusSet [1, 2, 3] replaces Status 4', body: { Status: 4, StatusSet: [1, 2, 3] }, statuses: [1, 2, 3] },
      { name: 'StatusSet [6] replaces the default', body: { StatusSet: [6] }, statuses: [6] },
      { name: 'StatusSet with duplicates [4, 4, 6]', body: { StatusSet: [4, 4, 6] }, statuses: [4, 6] },
      { name: 'StatusSet of numeric strings', body: { StatusSet: ['4', '6'] }, statuses: [4, 6] },
      { name: 'StatusSet of every status', body: { StatusSet: ALL_STATUSES }, statuses: ALL_STATUSES },
      { name: 'empty StatusSet falls back to Status', body: { Status: 6, StatusSet: [] }, statuses: [6] },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        await expectAnswer(c.body, expect1({ statuses: c.statuses }));
      });
    }
    test('the fixture holds every status for CLIENT_1', () => {
      for (const s of ALL_STATUSES) assert.ok(mine.some((d) => d.status === s), `status ${s}`);
    });

    const bad: Array<{ body: Body; names: string }> = [
      { body: { Status: 0 }, names: '`Status`' },
      { body: { Status: 14 }, names: '`Status`' },
      { body: { Status: 31 }, names: '`Status`' },
      { body: { Status: -4 }, names: '`Status`' },
      { body: { Status: 'four' }, names: '`Status`' },
      { body: { StatusSet: [4, 14] }, names: '`StatusSet.1`' },
      { body: { StatusSet: [0] }, names: '`StatusSet.0`' },
      { body: { StatusSet: [4, 6, 'x'] }, names: '`StatusSet.2`' },
      { body: { StatusSet: [4, null] }, names: '`StatusSet.1`' },
      { body: { StatusSet: [4, [6]] }, names: '`StatusSet.1`' },
      { body: { StatusSet: 4 }, names: '`StatusSet`' },
      { body: { StatusSet: '4,6' }, names: '`StatusSet`' },
    ];
    for (const c of bad) {
      test(`${JSON.stringify(c.body)} → InvalidParameterValue naming ${c.names}`, async () => {
        fails(await call({ ...YEAR, Limit: 10, ...c.body }), 'InvalidParameterValue', c.names);
      });
    }
  });

  describe('OrderId, BigDealId and ResourceId filters', () => {
    const delivered = mine.find((d) => d.status === 4 && d.create_time !== TIE_TIME)!;
    const refunded = mine.find((d) => d.status === 6)!;
    const othersDeal = deals.find((d) => d.owner_uin === CLIENT_2.uin)!;
    const big = mine.find((d) => deals.filter((x) => x.big_deal_id === d.big_deal_id).length > 1)!;
    const cases: Array<{ name: string; body: Body; q: Partial<BillingOracleQuery>; empty?: boolean }> = [
      { name: 'OrderId of one of mine', body: { OrderId: delivered.deal_name }, q: { orderId: delivered.deal_name } },
      { name: 'OrderId of a refund with the default Status 4 finds nothing', body: { OrderId: refunded.deal_name }, q: { orderId: refunded.deal_name }, empty: true },
      { name: 'OrderId of a refund with Status 6', body: { OrderId: refunded.deal_name, Status: 6 }, q: { orderId: refunded.deal_name, statuses: [6] } },
      { name: 'OrderId of another customer’s deal finds nothing', body: { OrderId: othersDeal.deal_name, StatusSet: ALL_STATUSES }, q: { orderId: othersDeal.deal_name, statuses: ALL_STATUSES }, empty: true },
      { name: 'OrderId "" is no filter', body: { OrderId: '' }, q: {} },
      { name: 'BigDealId shared with other customers’ deals', body: { BigDealId: big.big_deal_id, StatusSet: ALL_STATUSES }, q: { bigDealId: big.big_deal_id, statuses: ALL_STATUSES } },
      { name: 'BigDealId "" is no filter', body: { BigDealId: '' }, q: {} },
      { name: 'ResourceId ins-shared, every status', body: { ResourceId: 'ins-shared', StatusSet: ALL_STATUSES }, q: { resourceId: 'ins-shared', statuses: ALL_STATUSES } },
      { name: 'ResourceId ins-shared with Status 1', body: { ResourceId: 'ins-shared', Status: 1 }, q: { resourceId: 'ins-shared', statuses: [1] } },
      { name: 'ResourceId ins-shared with the default Status 4 finds nothing', body: { ResourceId: 'ins-shared' }, q: { resourceId: 'ins-shared' }, empty: true },
      { name: 'ResourceId "" is no filter', body: { ResourceId: '' }, q: {} },
      { name: 'ResourceId on several same-second deals keeps the DealName tie-break', body: { ResourceId: TIE_RESOURCE, StatusSet: ALL_STATUSES }, q: { resourceId: TIE_RESOURCE, statuses: ALL_STATUSES } },
      { name: 'ResourceId that is a prefix of real ids finds nothing', body: { ResourceId: 'ins-', StatusSet: ALL_STATUSES }, q: { resourceId: 'ins-', statuses: ALL_STATUSES }, empty: true },
      { name: 'all three empty strings are no filter', body: { OrderId: '', BigDealId: '', ResourceId: '', StatusSet: ALL_STATUSES }, q: { statuses: ALL_STATUSES } },
      {
        name: 'OrderId and ResourceId combine (AND)',
        body: { OrderId: delivered.deal_name, ResourceId: 'ins-shared', StatusSet: ALL_STATUSES },
        q: { orderId: delivered.deal_name, resourceId: 'ins-shared', statuses: ALL_STATUSES },
        empty: true,
      },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const expected = expect1(c.q);
        if (c.empty) assert.equal(expected.length, 0, 'oracle agrees the answer is empty');
        await expectAnswer(c.body, expected, { allowEmpty: c.empty });
      });
    }
    test('ins-shared is on several of CLIENT_1’s deals', () => {
      assert.ok(expect1({ resourceId: 'ins-shared', statuses: ALL_STATUSES }).length >= 2);
    });
    test('BigDealId of another customer’s big order shows only my part of it', async () => {
      const page = ok(await call({ ...YEAR, Limit: 100, BigDealId: big.big_deal_id, StatusSet: ALL_STATUSES }));
      assert.ok(page.Deals.every((d) => d.Creator === CLIENT_1.uin));
    });
    for (const [name, value] of [['OrderId', 123], ['BigDealId', ['x']], ['ResourceId', { id: 'x' }], ['ResourceId', 'x'.repeat(257)]] as const) {
      test(`${name} ${JSON.stringify(value).slice(0, 20)} → InvalidParameterValue`, async () => {
        fails(await call({ ...YEAR, Limit: 10, [name]: value }), 'InvalidParameterValue', `\`${name}\``);
      });
    }
  });

  describe('ResourceId is an array up to Limit 200 and null above', () => {
    const cases: Array<{ limit: unknown; isNull: boolean }> = [
      { limit: 1, isNull: false },
      { limit: 200, isNull: false },
      { limit: '200', isNull: false },
      { limit: 201, isNull: true },
      { limit: '201', isNull: true },
      { limit: 1000, isNull: true },
    ];
    for (const c of cases) {
      test(`Limit ${JSON.stringify(c.limit)} → ${c.isNull ? 'null' : 'array'}`, async () => {
        const a = await call({ ...YEAR, StatusSet: ALL_STATUSES, Limit: c.limit });
        const page = ok(a);
        assert.ok(page.Deals.length > 0);
        const nulls = a.raw.split('"ResourceId":null').length - 1;
        const arrays = a.raw.split('"ResourceId":[').length - 1;
        assert.equal(nulls, c.isNull ? page.Deals.length : 0, 'raw JSON null count');
        assert.equal(arrays, c.isNull ? 0 : page.Deals.length, 'raw JSON array count');
        for (const d of page.Deals) {
          assert.ok(Object.hasOwn(d, 'ResourceId'), 'the key is always present');
          if (c.isNull) assert.equal(d.ResourceId, null);
          else assert.deepEqual(d.ResourceId, JSON.parse(mine.find((r) => r.deal_name === d.OrderId)!.resource_ids));
        }
      });
    }
  });

  describe('order: newest first, DealName descending within a second', () => {
    const all = expect1({ statuses: ALL_STATUSES });
    test('the fixture has ties among CLIENT_1’s deals', () => {
      assert.ok(all.filter((d) => d.create_time === TIE_TIME).length >= 3);
    });
    test('one page holds everything in the oracle’s order, ties by DealName descending', async () => {
      const page = ok(await call({ ...YEAR, StatusSet: ALL_STATUSES, Limit: 1000 }));
      assert.deepEqual(orderIds(page), names(all));
      const ties = page.Deals.filter((d) => d.CreateTime === TIE_TIME).map((d) => d.OrderId as string);
      assert.deepEqual(ties, [...ties].sort().reverse());
      for (let i = 1; i < page.Deals.length; i++) assert.ok(page.Deals[i - 1]!.CreateTime! >= page.Deals[i]!.CreateTime!);
    });
    test('the same query twice gives the same order', async () => {
      const body = { ...YEAR, StatusSet: ALL_STATUSES, Limit: 1000 };
      assert.deepEqual(orderIds(ok(await call(body))), orderIds(ok(await call(body))));
    });
    for (const limit of [1, 2, 3, 7, all.length - 1, all.length]) {
      test(`paging with Limit ${limit} yields every match exactly once`, async () => {
        const seen: string[] = [];
        for (let offset = 0; offset < all.length + limit; offset += limit) {
          const page = ok(await call({ ...YEAR, StatusSet: ALL_STATUSES, Limit: limit, Offset: offset }));
          assert.equal(page.TotalCount, all.length);
          seen.push(...orderIds(page));
        }
        assert.equal(new Set(seen).size, seen.length, 'no duplicates');
        assert.deepEqual(seen, names(all));
      });
    }
  });

  describe('Deal JSON kinds', () => {
    type Kind = 'string' | 'integer' | 'number' | 'datetime' | 'string[]' | 'nameValue[]';
    const KINDS: Record<string, Kind> = {
      OrderId: 'string', Status: 'integer', Payer: 'string', CreateTime: 'datetime', Creator: 'string',
      RealTotalCost: 'integer', VoucherDecline: 'integer', ProjectId: 'integer', GoodsCategoryId: 'integer',
      ProductInfo: 'nameValue[]', TimeSpan: 'number', TimeUnit: 'string', Currency: 'string', Policy: 'number',
      Price: 'number', TotalCost: 'number', ProductCode: 'string', SubProductCode: 'string', BigDealId: 'string',
      Formula: 'string', RefReturnDeals: 'string', PayMode: 'string', Action: 'string', ProductName: 'string',
      SubProductName: 'string', ResourceId: 'string[]', ZoneCode: 'string',
    };
    const isKind = (v: unknown, k: Kind): boolean => {
      switch (k) {
        case 'string': return typeof v === 'string';
        case 'integer': return typeof v === 'number' && Number.isInteger(v);
        case 'number': return typeof v === 'number' && Number.isFinite(v);
        case 'datetime': return typeof v === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v);
        case 'string[]': return Array.isArray(v) && v.every((s) => typeof s === 'string');
        case 'nameValue[]':
          return Array.isArray(v) && v.every((o) => o && typeof o.Name === 'string' && typeof o.Value === 'string' && Object.keys(o).length === 2);
      }
    };
    /** The record as the billing view must show it, written independently of src/domain/views.ts. */
    const view = (d: DealRecord) => ({
      OrderId: d.deal_name, Status: d.status, Payer: d.payer, CreateTime: d.create_time, Creator: d.creator,
      RealTotalCost: d.real_total_cost, VoucherDecline: d.voucher_decline, ProjectId: d.project_id,
      GoodsCategoryId: d.goods_category_id, ProductInfo: JSON.parse(d.product_info), TimeSpan: d.time_span,
      TimeUnit: d.time_unit, Currency: d.currency, Policy: d.policy, Price: d.price, TotalCost: d.total_cost,
      ProductCode: d.product_code, SubProductCode: d.sub_product_code, BigDealId: d.big_deal_id, Formula: d.formula,
      RefReturnDeals: d.ref_return_deals, PayMode: d.pay_mode, Action: d.action_type, ProductName: d.goods_name,
      SubProductName: d.sub_goods_name, ResourceId: JSON.parse(d.resource_ids), ZoneCode: d.zone_code,
    });
    let page: Page;
    before(async () => {
      page = ok(await call({ ...YEAR, StatusSet: ALL_STATUSES, Limit: 200 }));
    });

    test('every field of every deal has its exact JSON kind', () => {
      assert.equal(page.Deals.length, mine.length);
      for (const d of page.Deals) {
        assert.deepEqual(Object.keys(d).sort(), Object.keys(KINDS).sort(), `fields of ${d.OrderId}`);
        for (const [field, kind] of Object.entries(KINDS)) {
          assert.ok(isKind(d[field], kind), `${d.OrderId}.${field} = ${JSON.stringify(d[field])} should be ${kind}`);
        }
      }
    });
    test('every deal equals its record, field by field', () => {
      for (const d of page.Deals) assert.deepEqual(d, view(mine.find((r) => r.deal_name === d.OrderId)!));
    });
    test('fractional floats stay fractional, integer fen stay integers', () => {
      assert.ok(page.Deals.some((d) => d.TimeSpan === 1.5), 'TimeSpan 1.5 is in the fixture');
      assert.ok(page.Deals.some((d) => d.Price === 100.25), 'Price 100.25 is in the fixture');
      assert.ok(page.Deals.every((d) => Number.isInteger(d.RealTotalCost) && Number.isInteger(d.VoucherDecline)));
    });
    test('the refund has a negative RealTotalCost, a Formula and RefReturnDeals', () => {
      const refunds = page.Deals.filter((d) => d.Action === 'refund');
      assert.ok(refunds.length > 0, 'the fixture holds a refund');
      for (const r of refunds) {
        assert.equal(r.Status, 6);
        assert.ok((r.RealTotalCost as number) < 0);
        assert.ok((r.Formula as string).length > 0);
        assert.ok(names(mine).includes(r.RefReturnDeals as string), 'RefReturnDeals names the refunded deal');
      }
      for (const d of page.Deals.filter((x) => x.Action !== 'refund')) assert.ok((d.RealTotalCost as number) >= 0);
    });
    test('the envelope: Deals, TotalCount, RequestId and nothing else', async () => {
      const a = await call({ ...YEAR, Limit: 1 });
      assert.deepEqual(Object.keys(a.json.Response).sort(), ['Deals', 'RequestId', 'TotalCount']);
      assert.ok(Number.isInteger(a.json.Response.TotalCount));
      assert.match(a.contentType ?? '', /^application\/json/);
    });
  });

  describe('parameter errors', () => {
    for (const name of ['StartTime', 'EndTime', 'Limit']) {
      test(`missing ${name} → MissingParameter naming it`, async () => {
        const body: Body = { ...YEAR, Limit: 10 };
        delete body[name];
        fails(await call(body), 'MissingParameter', `\`${name}\``);
      });
      test(`${name}: null → MissingParameter naming it`, async () => {
        fails(await call({ ...YEAR, Limit: 10, [name]: null }), 'MissingParameter', `\`${name}\``);
      });
    }
    test('an empty body → MissingParameter', async () => {
      fails(await call({}), 'MissingParameter');
    });

    const base = JSON.stringify({ ...YEAR, Limit: 10 }).slice(0, -1);
    for (const name of ['Foo', '__proto__', 'toString', 'constructor', 'hasOwnProperty', 'limit', 'OwnerUins']) {
      test(`unknown parameter ${name} → UnknownParameter`, async () => {
        // Raw JSON, so `__proto__` reaches the server as an ordinary key.
        fails(await call(`${base},${JSON.stringify(name)}:1}`), 'UnknownParameter', name);
      });
    }

    for (const name of ['Foo', '__proto__', 'toString', 'constructor.0', '__proto__.Limit']) {
      test(`unknown flattened parameter ${name} in a v1 form → UnknownParameter`, async () => {
        const a = await v1(server.url, { ...ACTION, key: CLIENT_1.key, params: { ...YEAR, Limit: '10', [name]: '1' } });
        fails(a, 'UnknownParameter', name.split('.')[0]!);
      });
    }

    const badDates = ['2025-02-30 00:00:00', '2025-01-01T00:00:00', '2025/01/01 00:00:00', '2025-1-1 00:00:00', '2025-01-01 24:00:00', '2025-01-01', ''];
    for (const name of ['StartTime', 'EndTime'] as const) {
      for (const value of badDates) {
        test(`${name} ${JSON.stringify(value)} → InvalidParameterValue naming parameter, value and format`, async () => {
          fails(await call({ ...YEAR, Limit: 10, [name]: value }), 'InvalidParameterValue', `\`${name}\``, JSON.stringify(value), FORMAT);
        });
      }
      test(`${name} as a number → InvalidParameterValue`, async () => {
        fails(await call({ ...YEAR, Limit: 10, [name]: 20250101 }), 'InvalidParameterValue', `\`${name}\``, FORMAT);
      });
    }
    test('a body that is not a JSON object → InvalidParameterValue', async () => {
      fails(await call('[1,2]'), 'InvalidParameterValue');
      fails(await call('{"Limit":'), 'InvalidParameterValue');
    });
  });

  describe('flattened v1 and GET requests give the JSON answer', () => {
    const json: Body = { ...YEAR, Limit: 5, Offset: 1, StatusSet: [4, 6] };
    const flat: Record<string, string> = { ...YEAR, Limit: '5', Offset: '1', 'StatusSet.0': '4', 'StatusSet.1': '6' };
    const strip = (a: ApiAnswer) => {
      const { RequestId, ...rest } = a.json.Response;
      assert.ok(RequestId);
      return rest;
    };
    const query = Object.entries(flat).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const transports: Array<{ name: string; send: () => Promise<ApiAnswer> }> = [
      { name: 'v1 HmacSHA256 form POST', send: () => v1(server.url, { ...ACTION, key: CLIENT_1.key, params: flat }) },
      { name: 'v1 HmacSHA256 GET', send: () => v1(server.url, { ...ACTION, key: CLIENT_1.key, params: flat, method: 'GET' }) },
      { name: 'v1 HmacSHA1 GET', send: () => v1(server.url, { ...ACTION, key: CLIENT_1.key, params: flat, method: 'GET', signatureMethod: 'HmacSHA1' }) },
      { name: 'TC3 GET query', send: () => tc3(server.url, { ...ACTION, key: CLIENT_1.key, method: 'GET', query }) },
    ];
    for (const t of transports) {
      test(t.name, async () => {
        const expected = expect1({ statuses: [4, 6] });
        assert.ok(expected.length > 6);
        const viaJson = strip(await call(json));
        assert.deepEqual((viaJson.Deals as Array<{ OrderId: string }>).map((d) => d.OrderId), names(expected.slice(1, 6)));
        assert.deepEqual(strip(await t.send()), viaJson);
      });
    }
    test('v1 form: empty OrderId is no filter, ResourceId filters', async () => {
      const a = await v1(server.url, { ...ACTION, key: CLIENT_1.key, params: { ...YEAR, Limit: '100', OrderId: '', ResourceId: 'ins-shared', Status: '1' } });
      assert.deepEqual(orderIds(ok(a)), names(expect1({ resourceId: 'ins-shared', statuses: [1] })));
    });
    test('v1: StatusSet.1 without StatusSet.0 → InvalidParameterValue', async () => {
      const a = await v1(server.url, { ...ACTION, key: CLIENT_1.key, params: { ...YEAR, Limit: '5', 'StatusSet.1': '6' } });
      fails(a, 'InvalidParameterValue', 'StatusSet');
    });
    test('v1: StatusSet.N with a bad member names it', async () => {
      const a = await v1(server.url, { ...ACTION, key: CLIENT_1.key, params: { ...YEAR, Limit: '5', 'StatusSet.0': '4', 'StatusSet.1': '99' } });
      fails(a, 'InvalidParameterValue', '`StatusSet.1`');
    });
    test('v1: a huge flattened index is refused at once', async () => {
      const a = await v1(server.url, { ...ACTION, key: CLIENT_1.key, params: { ...YEAR, Limit: '5', 'StatusSet.4294967294': '4' } });
      fails(a, 'InvalidParameterValue');
    });
  });

  describe('language', () => {
    const cjk = /[\u4e00-\u9fff]/;
    const cases: Array<{ name: string; body: Body; code: string }> = [
      { name: 'bad Limit', body: { ...YEAR, Limit: 0 }, code: 'InvalidParameterValue' },
      { name: 'missing Limit', body: { ...YEAR }, code: 'MissingParameter' },
      { name: 'EndTime before StartTime', body: { StartTime: YEAR.EndTime, EndTime: YEAR.StartTime, Limit: 1 }, code: 'InvalidParameterValue' },
      { name: 'unknown parameter', body: { ...YEAR, Limit: 1, Foo: 1 }, code: 'UnknownParameter' },
    ];
    for (const c of cases) {
      test(`X-TC-Language zh-CN: ${c.name} answers in Chinese`, async () => {
        const zh = fails(await call(c.body, { language: 'zh-CN' }), c.code);
        assert.match(zh, cjk);
        const en = fails(await call(c.body), c.code);
        assert.doesNotMatch(en, cjk);
        assert.notEqual(zh, en);
      });
    }
    test('v1 Language=zh-CN answers in Chinese', async () => {
      const a = await v1(server.url, { ...ACTION, key: CLIENT_1.key, params: { ...YEAR, Limit: '0', Language: 'zh-CN' } });
      assert.match(fails(a, 'InvalidParameterValue', '`Limit`'), cjk);
    });
  });
});
