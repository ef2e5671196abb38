/**
 * partners DescribeAgentDealsByCache (2018-03-21) against the fixture (plus same-second ties):
 * who may call, every filter alone and combined, the 90-day window, order and paging, the exact
 * JSON kinds of AgentDealNewElem, and flattened GET/form arrays. Answers come from `expectedAgent`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEAL_STATUSES, type DealRecord } from '../../src/domain/deal.js';
import { DAY_MS, formatDateTime, parseDateTime } from '../../src/protocol/datetime.js';
import { errorCode, tc3, v1, type ApiAnswer, type Key, expectError, okResponse } from '../helpers/call.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_2, CLIENT_3, LONER, expectedAgent, fixtureDataset, type AgentOracleQuery } from '../helpers/fixture.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { TIE_TIME, datasetWithTies, dealsWithTies } from '../helpers/ties.js';

const ACTION = { action: 'DescribeAgentDealsByCache', version: '2018-03-21' } as const;
const FORMAT = 'YYYY-MM-DD HH:mm:ss';
const ALL_STATUSES = [...DEAL_STATUSES];

const deals = dealsWithTies();
const A_CLIENTS = [CLIENT_1.uin, CLIENT_2.uin];
const bindings = new Map(fixtureDataset().bindings.map((b) => [b.clientUin, b]));

/** What AGENT_A must see for a query. */
const expectA = (q: Partial<AgentOracleQuery> = {}) => expectedAgent(deals, { clients: A_CLIENTS, ...q });
const names = (records: readonly DealRecord[]) => records.map((d) => d.deal_name);
const shift = (time: string, seconds: number) => formatDateTime(parseDateTime(time)! + seconds * 1000);
const ofOwner = (uin: string) => deals.filter((d) => d.owner_uin === uin);

type Body = Record<string, unknown>;
interface Page {
  AgentDealSet: Array<Record<string, any>>;
  TotalCount: number;
}

forEachBackend((backend) => {
  let server: TestServer;

  function call(body: Body | string, key: Key = AGENT_A.key, language?: string): Promise<ApiAnswer> {
    return tc3(server.url, { ...ACTION, key, body, ...(language ? { language } : {}) });
  }

  const ok = (a: ApiAnswer) => okResponse<Page>(a);
  const fails = expectError;

  const dealNames = (p: Page) => p.AgentDealSet.map((d) => d.DealName as string);

  /** One query with a page big enough for everything, compared in full with the oracle. */
  async function expectAnswer(body: Body, expected: DealRecord[], o: { allowEmpty?: boolean; key?: Key } = {}) {
    if (!o.allowEmpty) assert.ok(expected.length > 0, 'the fixture exercises this case');
    const page = ok(await call({ Offset: 0, Limit: 200, ...body }, o.key));
    assert.equal(page.TotalCount, expected.length);
    assert.deepEqual(dealNames(page), names(expected));
  }

  before(async () => {
    server = await startServer({ backend, dataset: datasetWithTies() });
  });
  after(() => server.close());

  describe('only agents may call', () => {
    for (const who of [CLIENT_1, CLIENT_2, CLIENT_3, LONER]) {
      test(`${who.uin} (not an agent) → UnauthorizedOperation`, async () => {
        fails(await call({ Offset: 0, Limit: 10 }, who.key), 'UnauthorizedOperation', who.uin);
      });
    }
    test('an agent without clients gets an empty answer, not an error', async () => {
      const srv = await startServer({ backend, dataset: { ...datasetWithTies(), bindings: [] } });
      try {
        const page = ok(await tc3(srv.url, { ...ACTION, key: AGENT_A.key, body: { Offset: 0, Limit: 10 } }));
        assert.deepEqual(page, { ...page, AgentDealSet: [], TotalCount: 0 });
      } finally {
        await srv.close();
      }
    });
  });

  describe('Offset and Limit', () => {
    const all = expectA();
    for (const name of ['Offset', 'Limit']) {
      test(`missing ${name} → MissingParameter naming it`, async () => {
        const body: Body = { Offset: 0, Limit: 10 };
        delete body[name];
        fails(await call(body), 'MissingParameter', `\`${name}\``);
      });
    }
    test('an empty body → MissingParameter', async () => {
      fails(await call({}), 'MissingParameter');
    });

    const good: Array<{ offset: unknown; limit: unknown; from: number; size: number }> = [
      { offset: '0', limit: '1', from: 0, size: 1 },
      { offset: 0, limit: 1, from: 0, size: 1 },
      { offset: '3', limit: '7', from: 3, size: 7 },
      { offset: 0, limit: 200, from: 0, size: 200 },
      { offset: '0', limit: '200', from: 0, size: 200 },
    ];
    for (const c of good) {
      test(`Offset ${JSON.stringify(c.offset)}, Limit ${JSON.stringify(c.limit)} accepted`, async () => {
        const page = ok(await call({ Offset: c.offset, Limit: c.limit }));
        assert.equal(page.TotalCount, all.length);
        assert.deepEqual(dealNames(page), names(all.slice(c.from, c.from + c.size)));
      });
    }
    test('the seed example {"Limit": "1", "Offset": "0"} equals the numeric request', async () => {
      const strings = ok(await call({ Limit: '1', Offset: '0' }));
      const numbers = ok(await call({ Limit: 1, Offset: 0 }));
      assert.deepEqual(strings.AgentDealSet, numbers.AgentDealSet);
      assert.equal(strings.AgentDealSet.length, 1);
    });
    const bad: Array<{ body: Body; names: string }> = [
      { body: { Offset: 0, Limit: 0 }, names: '`Limit`' },
      { body: { Offset: 0, Limit: 201 }, names: '`Limit`' },
      { body: { Offset: 0, Limit: '201' }, names: '`Limit`' },
      { body: { Offset: 0, Limit: -1 }, names: '`Limit`' },
      { body: { Offset: 0, Limit: 1.5 }, names: '`Limit`' },
      { body: { Offset: 0, Limit: 'abc' }, names: '`Limit`' },
      { body: { Offset: -1, Limit: 10 }, names: '`Offset`' },
      { body: { Offset: '-1', Limit: 10 }, names: '`Offset`' },
      { body: { Offset: 0.5, Limit: 10 }, names: '`Offset`' },
      { body: { Offset: 'x', Limit: 10 }, names: '`Offset`' },
    ];
    for (const c of bad) {
      test(`${JSON.stringify(c.body)} → InvalidParameter naming ${c.names}`, async () => {
        fails(await call(c.body), 'InvalidParameter', c.names);
      });
    }
  });

  describe('CreatTimeRangeStart / CreatTimeRangeEnd', () => {
    // A deal in the middle, so that both sides of each edge hold other deals.
    const untied = expectA().filter((d) => d.create_time !== TIE_TIME);
    const edge = untied[Math.floor(untied.length / 2)]!;
    const t = edge.create_time;
    const start90 = '2025-03-01 00:00:00';
    const end90 = formatDateTime(parseDateTime(start90)! + 90 * DAY_MS);
    const cases: Array<{ name: string; start?: string; end?: string; includesEdge?: boolean }> = [
      { name: 'Start = End = CreatTime includes that deal', start: t, end: t, includesEdge: true },
      { name: 'Start = CreatTime alone includes it', start: t, includesEdge: true },
      { name: 'End = CreatTime alone includes it', end: t, includesEdge: true },
      { name: 'Start one second later excludes it', start: shift(t, 1), includesEdge: false },
      { name: 'End one second earlier excludes it', end: shift(t, -1), includesEdge: false },
      { name: 'Start alone keeps everything after it', start: '2025-11-01 00:00:00' },
      { name: 'End alone keeps everything before it', end: '2025-02-01 00:00:00' },
      { name: `a span of exactly 90 days (${start90} .. ${end90})`, start: start90, end: end90 },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const expected = expectA({ start: c.start, end: c.end });
        if (c.includesEdge !== undefined) assert.equal(names(expected).includes(edge.deal_name), c.includesEdge);
        const body: Body = {};
        if (c.start !== undefined) body.CreatTimeRangeStart = c.start;
        if (c.end !== undefined) body.CreatTimeRangeEnd = c.end;
        await expectAnswer(body, expected);
      });
    }
    test('the 90-day window really is 90 days and holds less than the whole year', () => {
      assert.equal(parseDateTime(end90)! - parseDateTime(start90)!, 90 * DAY_MS);
      assert.ok(expectA({ start: start90, end: end90 }).length < expectA().length);
    });

    const bad: Array<{ name: string; body: Body; mentions: string[] }> = [
      { name: '90 days + 1 second', body: { CreatTimeRangeStart: start90, CreatTimeRangeEnd: shift(end90, 1) }, mentions: ['90'] },
      { name: 'a whole year', body: { CreatTimeRangeStart: '2025-01-01 00:00:00', CreatTimeRangeEnd: '2025-12-31 23:59:59' }, mentions: ['90'] },
      { name: 'End one second before Start', body: { CreatTimeRangeStart: t, CreatTimeRangeEnd: shift(t, -1) }, mentions: ['`CreatTimeRangeEnd`'] },
      ...['2025-02-30 00:00:00', '2025-01-01T00:00:00', '2025/01/01 00:00:00', '2025-1-1 00:00:00', '2025-01-01', ''].flatMap((v) => [
        { name: `Start ${JSON.stringify(v)}`, body: { CreatTimeRangeStart: v }, mentions: ['`CreatTimeRangeStart`', JSON.stringify(v), FORMAT] },
        { name: `End ${JSON.stringify(v)}`, body: { CreatTimeRangeEnd: v }, mentions: ['`CreatTimeRangeEnd`', JSON.stringify(v), FORMAT] },
      ]),
      { name: 'Start as a number', body: { CreatTimeRangeStart: 20250101 }, mentions: ['`CreatTimeRangeStart`'] },
    ];
    for (const c of bad) {
      test(`${c.name} → InvalidParameter`, async () => {
        fails(await call({ Offset: 0, Limit: 10, ...c.body }), 'InvalidParameter', ...c.mentions);
      });
    }
  });

  describe('Order: 0 newest first, anything else oldest first', () => {
    const cases: Array<{ order?: unknown; ascending: boolean }> = [
      { ascending: false },
      { order: 0, ascending: false },
      { order: '0', ascending: false },
      { order: 1, ascending: true },
      { order: '1', ascending: true },
      { order: 7, ascending: true },
      { order: 4294967295, ascending: true },
    ];
    for (const c of cases) {
      test(`Order ${c.order === undefined ? 'absent' : JSON.stringify(c.order)} → ${c.ascending ? 'oldest' : 'newest'} first`, async () => {
        await expectAnswer(c.order === undefined ? {} : { Order: c.order }, expectA({ ascending: c.ascending }));
      });
    }
    test('ties sort by DealName, reversed with the order', async () => {
      const tied = expectA().filter((d) => d.create_time === TIE_TIME);
      assert.ok(tied.length >= 3, 'the fixture has ties among AGENT_A’s deals');
      const desc = dealNames(ok(await call({ Offset: 0, Limit: 200 }))).filter((n) => names(tied).includes(n));
      const asc = dealNames(ok(await call({ Offset: 0, Limit: 200, Order: 1 }))).filter((n) => names(tied).includes(n));
      assert.deepEqual(desc, [...names(tied)].sort().reverse());
      assert.deepEqual(asc, [...names(tied)].sort());
    });
    test('ties keep their order when the owner filter picks another index', async () => {
      await expectAnswer({ OwnerUins: A_CLIENTS, CreatTimeRangeStart: TIE_TIME, CreatTimeRangeEnd: TIE_TIME }, expectA({ start: TIE_TIME, end: TIE_TIME }));
      await expectAnswer({ OwnerUins: A_CLIENTS, Order: 1, Status: 4 }, expectA({ ascending: true, status: 4 }));
    });
    for (const [order, limit] of [[0, 1], [0, 3], [1, 2], [1, 7], [0, 200]] as const) {
      test(`paging with Order ${order}, Limit ${limit} yields every match exactly once`, async () => {
        const all = expectA({ ascending: order !== 0 });
        const seen: string[] = [];
        for (let offset = 0; offset < all.length + limit; offset += limit) {
          const page = ok(await call({ Offset: offset, Limit: limit, Order: order }));
          assert.equal(page.TotalCount, all.length);
          seen.push(...dealNames(page));
        }
        assert.equal(new Set(seen).size, seen.length, 'no duplicates');
        assert.deepEqual(seen, names(all));
      });
    }
    for (const bad of [-1, 1.5, 'desc']) {
      test(`Order ${JSON.stringify(bad)} → InvalidParameter`, async () => {
        fails(await call({ Offset: 0, Limit: 10, Order: bad }), 'InvalidParameter', '`Order`');
      });
    }
  });

  describe('filters, alone and combined', () => {
    const c1 = expectA({ ownerUins: [CLIENT_1.uin] });
    const two = [c1[0]!, expectA({ ownerUins: [CLIENT_2.uin] })[0]!];
    const postPay = deals.find((d) => A_CLIENTS.includes(d.owner_uin) && d.pay_mode === 'postPay')!;
    const big = expectA().find((d) => deals.filter((x) => x.big_deal_id === d.big_deal_id).length > 1)!;
    const bigs = [...new Set(expectA().slice(0, 6).map((d) => d.big_deal_id))];
    const cases: Array<{ name: string; body: Body; q: Partial<AgentOracleQuery>; empty?: boolean }> = [
      ...ALL_STATUSES.map((s) => ({ name: `Status ${s}`, body: { Status: s }, q: { status: s } })),
      { name: 'Status as numeric string "6"', body: { Status: '6' }, q: { status: 6 } },
      { name: 'OwnerUins [CLIENT_1]', body: { OwnerUins: [CLIENT_1.uin] }, q: { ownerUins: [CLIENT_1.uin] } },
      { name: 'OwnerUins [CLIENT_1, CLIENT_2]', body: { OwnerUins: A_CLIENTS }, q: { ownerUins: A_CLIENTS } },
      { name: 'OwnerUins [CLIENT_2, CLIENT_3]: CLIENT_3 is not A’s', body: { OwnerUins: [CLIENT_2.uin, CLIENT_3.uin] }, q: { ownerUins: [CLIENT_2.uin, CLIENT_3.uin] } },
      { name: 'OwnerUins [CLIENT_3] (B’s client) → nothing', body: { OwnerUins: [CLIENT_3.uin] }, q: { ownerUins: [CLIENT_3.uin] }, empty: true },
      { name: 'OwnerUins [LONER] → nothing', body: { OwnerUins: [LONER.uin] }, q: { ownerUins: [LONER.uin] }, empty: true },
      { name: 'OwnerUins [AGENT_A] (the agent itself) → nothing', body: { OwnerUins: [AGENT_A.uin] }, q: { ownerUins: [AGENT_A.uin] }, empty: true },
      { name: 'OwnerUins [] is no filter', body: { OwnerUins: [] }, q: {} },
      { name: 'DealNames of two deals', body: { DealNames: names(two) }, q: { dealNames: names(two) } },
      { name: 'DealNames of a postPay deal → nothing', body: { DealNames: [postPay.deal_name] }, q: { dealNames: [postPay.deal_name] }, empty: true },
      { name: 'DealNames of CLIENT_3’s deal → nothing', body: { DealNames: [ofOwner(CLIENT_3.uin)[0]!.deal_name] }, q: { dealNames: [ofOwner(CLIENT_3.uin)[0]!.deal_name] }, empty: true },
      { name: 'DealNames of an unknown deal → nothing', body: { DealNames: ['20990101000000000001'] }, q: { dealNames: ['20990101000000000001'] }, empty: true },
      { name: 'DealNames [] is no filter', body: { DealNames: [] }, q: {} },
      { name: 'BigDealIds of one big order shared with other customers', body: { BigDealIds: [big.big_deal_id] }, q: { bigDealIds: [big.big_deal_id] } },
      { name: 'BigDealIds of several big orders', body: { BigDealIds: bigs }, q: { bigDealIds: bigs } },
      { name: 'BigDealIds [] is no filter', body: { BigDealIds: [] }, q: {} },
      { name: 'PayerMode 0', body: { PayerMode: 0 }, q: { payerMode: 0 } },
      { name: 'PayerMode 1', body: { PayerMode: 1 }, q: { payerMode: 1 } },
      { name: 'PayerMode "1"', body: { PayerMode: '1' }, q: { payerMode: 1 } },
      { name: 'Status 4 + PayerMode 0 + OwnerUins [CLIENT_1]', body: { Status: 4, PayerMode: 0, OwnerUins: [CLIENT_1.uin] }, q: { status: 4, payerMode: 0, ownerUins: [CLIENT_1.uin] } },
      { name: 'Status 1 + PayerMode 1, oldest first', body: { Status: 1, PayerMode: 1, Order: 1 }, q: { status: 1, payerMode: 1, ascending: true } },
      {
        name: 'OwnerUins + time range + PayerMode',
        body: { OwnerUins: [CLIENT_2.uin], CreatTimeRangeStart: '2025-04-01 00:00:00', CreatTimeRangeEnd: '2025-06-29 23:59:59', PayerMode: 0 },
        q: { ownerUins: [CLIENT_2.uin], start: '2025-04-01 00:00:00', end: '2025-06-29 23:59:59', payerMode: 0 },
      },
      { name: 'DealNames + OwnerUins of the other client → nothing', body: { DealNames: [two[0]!.deal_name], OwnerUins: [CLIENT_2.uin] }, q: { dealNames: [two[0]!.deal_name], ownerUins: [CLIENT_2.uin] }, empty: true },
      { name: 'BigDealIds + DealNames', body: { BigDealIds: bigs, DealNames: names(two) }, q: { bigDealIds: bigs, dealNames: names(two) } },
      { name: 'DealNames + a Status they do not have → nothing', body: { DealNames: names(two), Status: 30 }, q: { dealNames: names(two), status: 30 }, empty: true },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const expected = expectA(c.q);
        if (c.empty) assert.equal(expected.length, 0, 'oracle agrees the answer is empty');
        await expectAnswer(c.body, expected, { allowEmpty: c.empty });
      });
    }
    test('the fixture gives both clients, both payer modes and postPay deals', () => {
      assert.ok(c1.length > 0 && expectA({ ownerUins: [CLIENT_2.uin] }).length > 0);
      assert.ok(expectA({ payerMode: 0 }).length > 0 && expectA({ payerMode: 1 }).length > 0);
      assert.ok(postPay);
    });

    const pages: Array<{ offset: number; limit: number }> = [
      { offset: 0, limit: 1 },
      { offset: 2, limit: 3 },
      { offset: 5, limit: 200 },
    ];
    for (const p of pages) {
      test(`TotalCount counts every match at Offset ${p.offset}, Limit ${p.limit}`, async () => {
        const expected = expectA({ payerMode: 0, status: 4 });
        assert.ok(expected.length > 5);
        const page = ok(await call({ Offset: p.offset, Limit: p.limit, PayerMode: 0, Status: 4 }));
        assert.equal(page.TotalCount, expected.length);
        assert.deepEqual(dealNames(page), names(expected.slice(p.offset, p.offset + p.limit)));
      });
    }
    for (const offset of [expectA().length, expectA().length + 1, 1_000_000]) {
      test(`Offset ${offset} past the end → empty AgentDealSet, full TotalCount`, async () => {
        const a = await call({ Offset: offset, Limit: 10 });
        const page = ok(a);
        assert.deepEqual(page.AgentDealSet, []);
        assert.equal(page.TotalCount, expectA().length);
        assert.match(a.raw, /"AgentDealSet":\[\]/);
      });
    }
    for (const bad of [2, -1, '2', 0.5]) {
      test(`PayerMode ${JSON.stringify(bad)} → InvalidParameter`, async () => {
        fails(await call({ Offset: 0, Limit: 10, PayerMode: bad }), 'InvalidParameter', '`PayerMode`');
      });
    }
    for (const bad of [0, 14, 31]) {
      test(`Status ${bad} → InvalidParameter`, async () => {
        fails(await call({ Offset: 0, Limit: 10, Status: bad }), 'InvalidParameter', '`Status`');
      });
    }
  });

  describe('whose deals: the caller’s bound clients, prepaid only', () => {
    test('AGENT_A sees exactly the prepaid deals of CLIENT_1 and CLIENT_2', async () => {
      const page = ok(await call({ Offset: 0, Limit: 200 }));
      assert.deepEqual(dealNames(page), names(expectA()));
      assert.deepEqual(new Set(page.AgentDealSet.map((d) => d.OwnerUin)), new Set(A_CLIENTS));
    });
    test('AGENT_B sees exactly the prepaid deals of CLIENT_3', async () => {
      const expected = expectedAgent(deals, { clients: [CLIENT_3.uin] });
      await expectAnswer({}, expected, { key: AGENT_B.key });
      assert.ok(expected.every((d) => d.owner_uin === CLIENT_3.uin));
    });
    const never: Array<{ name: string; records: DealRecord[] }> = [
      { name: 'postPay deals of its own clients', records: deals.filter((d) => A_CLIENTS.includes(d.owner_uin) && d.pay_mode !== 'prePay') },
      { name: 'CLIENT_3’s deals', records: ofOwner(CLIENT_3.uin) },
      { name: 'LONER’s deals', records: ofOwner(LONER.uin) },
      { name: 'its own deals', records: ofOwner(AGENT_A.uin) },
    ];
    for (const c of never) {
      test(`AGENT_A never sees ${c.name}`, async () => {
        assert.ok(c.records.length > 0, 'the fixture has such deals');
        const seen = new Set(dealNames(ok(await call({ Offset: 0, Limit: 200 }))));
        for (const d of c.records) assert.ok(!seen.has(d.deal_name), d.deal_name);
        // Asking for them by name does not reveal them either.
        const asked = ok(await call({ Offset: 0, Limit: 200, DealNames: names(c.records) }));
        assert.equal(asked.TotalCount, 0);
      });
    }
  });

  describe('list kinds', () => {
    const bad: Array<{ body: Body; names: string }> = [
      { body: { OwnerUins: [{}] }, names: '`OwnerUins.0`' },
      { body: { OwnerUins: [['x']] }, names: '`OwnerUins.0`' },
      { body: { OwnerUins: [CLIENT_1.uin, 800000000002] }, names: '`OwnerUins.1`' },
      { body: { OwnerUins: [CLIENT_1.uin, null] }, names: '`OwnerUins.1`' },
      { body: { OwnerUins: CLIENT_1.uin }, names: '`OwnerUins`' },
      { body: { OwnerUins: { 0: CLIENT_1.uin } }, names: '`OwnerUins`' },
      { body: { OwnerUins: 5 }, names: '`OwnerUins`' },
      { body: { DealNames: [{}] }, names: '`DealNames.0`' },
      { body: { DealNames: 'x' }, names: '`DealNames`' },
      { body: { BigDealIds: [['x']] }, names: '`BigDealIds.0`' },
      { body: { BigDealIds: 'x' }, names: '`BigDealIds`' },
    ];
    for (const c of bad) {
      test(`${JSON.stringify(c.body)} → InvalidParameter naming ${c.names}`, async () => {
        fails(await call({ Offset: 0, Limit: 10, ...c.body }), 'InvalidParameter', c.names);
      });
    }
    test('a deeply nested list is a parameter error, not a crash', async () => {
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      fails(await call(`{"Offset":0,"Limit":10,"OwnerUins":${deep}}`), 'InvalidParameter', '`OwnerUins.0`');
    });
    for (const name of ['Foo', '__proto__', 'toString', 'StartTime', 'StatusSet']) {
      test(`unknown parameter ${name} → UnknownParameter`, async () => {
        fails(await call(`{"Offset":0,"Limit":10,${JSON.stringify(name)}:1}`), 'UnknownParameter', name);
      });
    }
  });

  describe('AgentDealNewElem JSON kinds', () => {
    type Kind = 'string' | 'datetime' | 'string[]' | 'nameValue[]' | 'price' | 'refundMap';
    const KINDS: Record<string, Kind> = {
      DealId: 'string', DealName: 'string', BigDealId: 'string', GoodsCategoryId: 'string', OwnerUin: 'string',
      AppId: 'string', GoodsNum: 'string', GoodsPrice: 'price', ProductInfo: 'nameValue[]', Creater: 'string',
      CreatTime: 'datetime', UpdateTime: 'datetime', PaymentMethod: 'string', Payer: 'string', BillId: 'string',
      PayEndTime: 'datetime', Status: 'string', VoucherDecline: 'string', PayerMode: 'string', GoodsName: 'string',
      SubGoodsName: 'string', ClientRemark: 'string', ClientType: 'string', ProjectType: 'string', SalesUin: 'string',
      DealStatus: 'string', ActionType: 'string', ActivityId: 'string', OverdueTime: 'datetime', ResourceIds: 'string[]',
      RefundMap: 'refundMap',
    };
    const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
    const isKind = (v: any, k: Kind): boolean => {
      switch (k) {
        case 'string': return typeof v === 'string';
        case 'datetime': return typeof v === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v);
        case 'string[]': return Array.isArray(v) && v.every((s) => typeof s === 'string');
        case 'nameValue[]': return Array.isArray(v) && v.every((o) => typeof o?.Name === 'string' && typeof o?.Value === 'string' && Object.keys(o).length === 2);
        case 'price': return v !== null && typeof v === 'object' && Object.keys(v).sort().join() === 'OriginalTotalCost,RealTotalCost' && int(v.RealTotalCost) && int(v.OriginalTotalCost);
        case 'refundMap': return Array.isArray(v) && v.every((o) => typeof o?.DealName === 'string' && int(o?.RefundAmount) && Object.keys(o).length === 2);
      }
    };
    /** The official example element from the seed document's output example, verbatim. */
    const SEED_EXAMPLE = {
      DealId: '290644558', DealName: '20240108121000906445591', BigDealId: '20240108121000906445581', GoodsCategoryId: '176258',
      OwnerUin: '700000232121', AppId: '251205746', GoodsNum: '1', GoodsPrice: { RealTotalCost: -100000, OriginalTotalCost: -100000 },
      ProductInfo: [{ Name: '计费测试商品新购', Value: 'jfcs' }], Creater: '700000232121', CreatTime: '2024-01-08 15:56:08',
      UpdateTime: '2024-01-08 15:56:12', PaymentMethod: '按月:个月', Payer: '700000232121', BillId: '20240108121000906445591',
      PayEndTime: '2024-01-08 15:56:11', Status: '6', VoucherDecline: '0', PayerMode: '0', GoodsName: '计费测试商品',
      SubGoodsName: '非资源工厂验证预付费子产品(勿动)', ClientRemark: '客户备注', ClientType: 'new', ProjectType: 'platform',
      SalesUin: '0', DealStatus: '已退款', ActionType: 'refund', ActivityId: '0', OverdueTime: '2024-01-23 15:56:08',
      ResourceIds: ['4712106445241'], RefundMap: [{ DealName: '20240108121000906445241', RefundAmount: 100000 }],
    };
    /** The record as the partners view must show it through a binding, written independently of src/domain/views.ts. */
    const view = (d: DealRecord) => {
      const b = bindings.get(d.owner_uin)!;
      return {
        DealId: d.deal_id, DealName: d.deal_name, BigDealId: d.big_deal_id, GoodsCategoryId: String(d.goods_category_id),
        OwnerUin: d.owner_uin, AppId: d.app_id, GoodsNum: String(d.goods_num),
        GoodsPrice: { RealTotalCost: d.real_total_cost, OriginalTotalCost: d.original_total_cost },
        ProductInfo: JSON.parse(d.product_info), Creater: d.creator, CreatTime: d.create_time, UpdateTime: d.update_time,
        PaymentMethod: d.payment_method, Payer: d.payer, BillId: d.bill_id, PayEndTime: d.pay_end_time, Status: String(d.status),
        VoucherDecline: String(d.voucher_decline), PayerMode: String(d.payer_mode), GoodsName: d.goods_name,
        SubGoodsName: d.sub_goods_name, ClientRemark: b.clientRemark, ClientType: b.clientType, ProjectType: b.projectType,
        SalesUin: b.salesUin, DealStatus: LABELS[d.status], ActionType: d.action_type, ActivityId: d.activity_id,
        OverdueTime: d.overdue_time, ResourceIds: JSON.parse(d.resource_ids), RefundMap: JSON.parse(d.refund_map),
      };
    };
    /** 未支付 and 已退款 are in the official examples; the rest follow the documents' status lists. */
    const LABELS: Record<number, string> = {
      1: '未支付', 2: '已支付', 3: '发货中', 4: '已发货', 5: '发货失败', 6: '已退款', 7: '已关单', 8: '订单过期',
      9: '订单已失效', 10: '产品已失效', 11: '代付拒绝', 12: '支付中', 13: '退款中', 30: '处理中',
    };
    let pageA: Page;
    let pageB: Page;
    before(async () => {
      pageA = ok(await call({ Offset: 0, Limit: 200 }));
      pageB = ok(await call({ Offset: 0, Limit: 200 }, AGENT_B.key));
    });

    test('the kind table describes the seed’s own example exactly', () => {
      assert.deepEqual(Object.keys(SEED_EXAMPLE).sort(), Object.keys(KINDS).sort());
      for (const [field, kind] of Object.entries(KINDS)) assert.ok(isKind((SEED_EXAMPLE as Record<string, unknown>)[field], kind), field);
    });
    test('every field of every deal has the seed example’s JSON kind', () => {
      const all = [...pageA.AgentDealSet, ...pageB.AgentDealSet];
      assert.ok(all.length > 0);
      for (const d of all) {
        assert.deepEqual(Object.keys(d).sort(), Object.keys(KINDS).sort(), `fields of ${d.DealName}`);
        for (const [field, kind] of Object.entries(KINDS)) {
          assert.ok(isKind(d[field], kind), `${d.DealName}.${field} = ${JSON.stringify(d[field])} should be ${kind}`);
        }
      }
    });
    test('every deal equals its record seen through its binding', () => {
      for (const d of [...pageA.AgentDealSet, ...pageB.AgentDealSet]) assert.deepEqual(d, view(deals.find((r) => r.deal_name === d.DealName)!));
    });
    const relations: Array<{ client: string; page: () => Page; ClientType: string; ProjectType: string; SalesUin: string; ClientRemark: string }> = [
      { client: CLIENT_1.uin, page: () => pageA, ClientType: 'new', ProjectType: 'self', SalesUin: '600000000001', ClientRemark: 'client one' },
      { client: CLIENT_2.uin, page: () => pageA, ClientType: 'old', ProjectType: 'platform', SalesUin: '0', ClientRemark: '' },
      { client: CLIENT_3.uin, page: () => pageB, ClientType: 'assign', ProjectType: 'repeat', SalesUin: '600000000002', ClientRemark: 'client three' },
    ];
    for (const r of relations) {
      test(`ClientType/ProjectType/SalesUin/ClientRemark of ${r.client} come from its binding`, () => {
        const mine = r.page().AgentDealSet.filter((d) => d.OwnerUin === r.client);
        assert.ok(mine.length > 0);
        for (const d of mine) {
          assert.deepEqual(
            { ClientType: d.ClientType, ProjectType: d.ProjectType, SalesUin: d.SalesUin, ClientRemark: d.ClientRemark },
            { ClientType: r.ClientType, ProjectType: r.ProjectType, SalesUin: r.SalesUin, ClientRemark: r.ClientRemark },
          );
        }
      });
    }
    test('the refund: negative amounts, status "6" 已退款, RefundMap with a positive RefundAmount', () => {
      const refunds = pageA.AgentDealSet.filter((d) => d.ActionType === 'refund');
      assert.ok(refunds.length > 0, 'the fixture holds a refund');
      for (const r of refunds) {
        assert.equal(r.Status, '6');
        assert.equal(r.DealStatus, '已退款');
        assert.ok(r.GoodsPrice.RealTotalCost < 0 && r.GoodsPrice.OriginalTotalCost < 0);
        assert.equal(r.RefundMap.length, 1);
        assert.ok(r.RefundMap[0].RefundAmount > 0);
        assert.equal(r.RefundMap[0].RefundAmount, -r.GoodsPrice.RealTotalCost);
        assert.ok(deals.some((d) => d.deal_name === r.RefundMap[0].DealName && d.owner_uin === r.OwnerUin), 'RefundMap names the refunded deal');
      }
      for (const d of pageA.AgentDealSet.filter((x) => x.ActionType !== 'refund')) assert.deepEqual(d.RefundMap, []);
    });
    test('status "1" is 未支付, as in the official example', () => {
      const unpaid = pageA.AgentDealSet.filter((d) => d.Status === '1');
      assert.ok(unpaid.length > 0);
      for (const d of unpaid) assert.equal(d.DealStatus, '未支付');
    });
    test('the envelope: AgentDealSet, TotalCount (an integer), RequestId and nothing else', async () => {
      const a = await call({ Offset: 0, Limit: 1 });
      assert.deepEqual(Object.keys(a.json.Response).sort(), ['AgentDealSet', 'RequestId', 'TotalCount']);
      assert.ok(Number.isInteger(a.json.Response.TotalCount));
    });
  });

  describe('flattened arrays via GET and form bodies', () => {
    const json: Body = { Offset: 0, Limit: 50, Order: 1, OwnerUins: [CLIENT_2.uin, CLIENT_3.uin], PayerMode: 0 };
    const flat: Record<string, string> = { Offset: '0', Limit: '50', Order: '1', 'OwnerUins.0': CLIENT_2.uin, 'OwnerUins.1': CLIENT_3.uin, PayerMode: '0' };
    const query = (params: Record<string, string>) => Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const strip = (a: ApiAnswer) => {
      const { RequestId, ...rest } = a.json.Response;
      assert.ok(RequestId);
      return rest;
    };
    const transports: Array<{ name: string; send: (p: Record<string, string>) => Promise<ApiAnswer> }> = [
      { name: 'v1 HmacSHA256 form POST', send: (p) => v1(server.url, { ...ACTION, key: AGENT_A.key, params: p }) },
      { name: 'v1 HmacSHA256 GET', send: (p) => v1(server.url, { ...ACTION, key: AGENT_A.key, params: p, method: 'GET' }) },
      { name: 'TC3 GET query', send: (p) => tc3(server.url, { ...ACTION, key: AGENT_A.key, method: 'GET', query: query(p) }) },
    ];
    for (const t of transports) {
      test(`${t.name}: OwnerUins.0/.1 equals the JSON array`, async () => {
        const expected = expectA({ ascending: true, ownerUins: [CLIENT_2.uin, CLIENT_3.uin], payerMode: 0 });
        assert.ok(expected.length > 0);
        const viaJson = strip(await call(json));
        assert.deepEqual((viaJson.AgentDealSet as Array<{ DealName: string }>).map((d) => d.DealName), names(expected));
        assert.deepEqual(strip(await t.send(flat)), viaJson);
      });
      test(`${t.name}: DealNames.N and BigDealIds.N`, async () => {
        const two = expectA().slice(0, 2);
        const params = { Offset: '0', Limit: '10', 'DealNames.0': two[0]!.deal_name, 'DealNames.1': two[1]!.deal_name, 'BigDealIds.0': two[1]!.big_deal_id };
        const expected = expectA({ dealNames: names(two), bigDealIds: [two[1]!.big_deal_id] });
        assert.ok(expected.length > 0);
        assert.deepEqual(dealNames(ok(await t.send(params))), names(expected));
      });
      test(`${t.name}: OwnerUins.1 without OwnerUins.0 → InvalidParameter`, async () => {
        fails(await t.send({ Offset: '0', Limit: '10', 'OwnerUins.1': CLIENT_1.uin }), 'InvalidParameter', 'OwnerUins');
      });
      test(`${t.name}: OwnerUins given both plain and flattened → InvalidParameter`, async () => {
        fails(await t.send({ Offset: '0', Limit: '10', OwnerUins: CLIENT_1.uin, 'OwnerUins.0': CLIENT_1.uin }), 'InvalidParameter', 'OwnerUins');
      });
      test(`${t.name}: OwnerUins.0.Name=… is not a string → InvalidParameter naming OwnerUins.0`, async () => {
        fails(await t.send({ Offset: '0', Limit: '10', 'OwnerUins.0.Name': CLIENT_1.uin }), 'InvalidParameter', '`OwnerUins.0`');
      });
      test(`${t.name}: a bare OwnerUins=… is not a list → InvalidParameter`, async () => {
        fails(await t.send({ Offset: '0', Limit: '10', OwnerUins: CLIENT_1.uin }), 'InvalidParameter', '`OwnerUins`');
      });
    }
  });

  describe('language', () => {
    test('X-TC-Language zh-CN answers in Chinese', async () => {
      const zh = fails(await call({ Offset: 0, Limit: 201 }, AGENT_A.key, 'zh-CN'), 'InvalidParameter', '`Limit`');
      assert.match(zh, /[\u4e00-\u9fff]/);
      assert.match(fails(await call({ Offset: 0, Limit: 1 }, LONER.key, 'zh-CN'), 'UnauthorizedOperation'), /未授权操作/);
      assert.doesNotMatch(fails(await call({ Offset: 0, Limit: 201 }), 'InvalidParameter'), /[\u4e00-\u9fff]/);
    });
  });
});
