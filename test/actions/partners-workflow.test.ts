/**
 * The reseller's workflow actions (partners 2018-03-21) against the partners fixture on both
 * backends: every filter, bound, default and error of each action against plain-JS oracles, and
 * the writes (AuditApplyClient, ModifyClientRemark) with what they change in the other actions.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DealRecord } from '../../src/domain/deal.js';
import { maskMail, maskPhone, priceDetailOf } from '../../src/domain/partners.js';
import { parseDateTime } from '../../src/protocol/datetime.js';
import { tc3, type ApiAnswer, type Key, expectError, okResponse } from '../helpers/call.js';
import { AGENT_A, AGENT_B, CLIENT_1, CLIENT_2, CLIENT_3, LONER } from '../helpers/fixture.js';
import { forEachBackend } from '../helpers/backends.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  APPLICANT_1, APPLICANT_2, APPLICANT_B, NOW_MS, partnersServer, RESELLER_CALLS, NOW_TEXT, REJECTED_1, SALES_A1, SALES_A2, allDeals, expectedAmounts, expectedRelated, expectedV2, profileOf,
} from '../helpers/partners-fixture.js';

const VERSION = '2018-03-21';
const A_CLIENTS = [CLIENT_1.uin, CLIENT_2.uin];
const deals = allDeals();
const names = (records: readonly DealRecord[]) => records.map((d) => d.deal_name);
type Body = Record<string, unknown>;

forEachBackend((backend) => {
  let server: TestServer;
  before(async () => {
    server = await partnersServer(backend);
  });
  after(() => server.close());

  const call = (action: string, body: Body, key: Key = AGENT_A.key, language?: string): Promise<ApiAnswer> =>
    tc3(server.url, { action, version: VERSION, key, body, ...(language ? { language } : {}) });
  const ok = async (action: string, body: Body, key: Key = AGENT_A.key) => okResponse<Record<string, any>>(await call(action, body, key));

  describe('every action: non-agents get UnauthorizedOperation', () => {
    const bodies: Record<string, Body> = RESELLER_CALLS;
    for (const [action, body] of Object.entries(bodies)) {
      test(`${action}: clients and loners are refused, in English and Chinese`, async () => {
        for (const who of [CLIENT_1, CLIENT_3, LONER, APPLICANT_1]) expectError(await call(action, body, who.key), 'UnauthorizedOperation', who.uin, action);
        expectError(await call(action, body, CLIENT_1.key, 'zh-CN'), 'UnauthorizedOperation', '未授权操作');
      });
    }
  });

  describe('DescribeAgentAuditedClients', () => {
    const all = async (body: Body = {}, key: Key = AGENT_A.key) => {
      const r = await ok('DescribeAgentAuditedClients', { Offset: 0, Limit: 2000, ...body }, key);
      assert.equal(r.TotalCount, r.AgentClientSet.length);
      return r.AgentClientSet as Array<Record<string, any>>;
    };
    const uins = (set: Array<Record<string, any>>) => set.map((c) => c.ClientUin);

    test('lists the agent’s bound clients with every field; DESC by approval time, then UIN', async () => {
      const set = await all();
      assert.deepEqual(uins(set), [...A_CLIENTS].sort().reverse());
      const c1 = set.find((c) => c.ClientUin === CLIENT_1.uin)!;
      const p = profileOf(CLIENT_1.uin);
      const amounts = expectedAmounts(deals, CLIENT_1.uin);
      assert.deepEqual(c1, {
        Uin: AGENT_A.uin, ClientUin: CLIENT_1.uin, AgentTime: String(Math.floor(NOW_MS / 1000)), ClientFlag: p.clientFlag, ClientRemark: 'client one',
        ClientName: p.clientName, AuthType: p.authType, AppId: CLIENT_1.appId, LastMonthAmt: amounts.last, ThisMonthAmt: amounts.this,
        HasOverdueBill: 0, ClientType: 'new', ProjectType: 'self', SalesUin: SALES_A1, SalesName: '张伟', Mail: maskMail(p.mail), TransactionType: '1',
      });
      assert.ok(amounts.this > 0 && amounts.last > 0, 'the fixture has consumption in both months');
      const c2 = set.find((c) => c.ClientUin === CLIENT_2.uin)!;
      assert.equal(c2.SalesName, '', 'sales UIN 0 has no name');
      assert.equal(c2.LastMonthAmt, expectedAmounts(deals, CLIENT_2.uin).last);
    });

    test('the month rule: delivered deals and refunds of the Beijing calendar month, any pay mode, never below 0', async () => {
      for (const c of await all()) {
        const e = expectedAmounts(deals, c.ClientUin);
        assert.deepEqual([c.LastMonthAmt, c.ThisMonthAmt], [e.last, e.this], c.ClientUin);
      }
    });

    const cases: Array<[string, Body, string[]]> = [
      ['ClientUin', { ClientUin: CLIENT_1.uin }, [CLIENT_1.uin]],
      ['ClientUin of another agent’s client', { ClientUin: CLIENT_3.uin }, []],
      ['ClientUins', { ClientUins: [CLIENT_2.uin, CLIENT_3.uin, LONER.uin] }, [CLIENT_2.uin]],
      ['ClientName substring', { ClientName: '星河' }, [CLIENT_2.uin]],
      ['ClientName no match', { ClientName: '不存在' }, []],
      ['ClientFlag a', { ClientFlag: 'a' }, [CLIENT_1.uin]],
      ['ClientFlag b', { ClientFlag: 'b' }, [CLIENT_2.uin]],
      ['ClientFlag empty = no filter', { ClientFlag: '' }, [CLIENT_2.uin, CLIENT_1.uin]],
      ['ClientRemark substring', { ClientRemark: 'one' }, [CLIENT_1.uin]],
      ['ClientType old', { ClientType: 'old' }, [CLIENT_2.uin]],
      ['ProjectType self', { ProjectType: 'self' }, [CLIENT_1.uin]],
      ['SalesUin', { SalesUin: SALES_A1 }, [CLIENT_1.uin]],
      ['SalesName substring', { SalesName: '张' }, [CLIENT_1.uin]],
      ['SalesName of a salesman without clients', { SalesName: '王芳' }, []],
      ['HasOverdueBill 1', { HasOverdueBill: 1 }, [CLIENT_2.uin]],
      ['HasOverdueBill 0', { HasOverdueBill: 0 }, [CLIENT_1.uin]],
      ['OrderDirection asc (any case)', { OrderDirection: 'asc' }, [CLIENT_1.uin, CLIENT_2.uin]],
      ['combined', { ClientFlag: 'a', SalesUin: SALES_A1, HasOverdueBill: 0, ClientType: 'new' }, [CLIENT_1.uin]],
    ];
    for (const [name, body, expected] of cases) {
      test(`filter: ${name}`, async () => assert.deepEqual(uins(await all(body)), expected));
    }

    test('Offset and Limit page; defaults Offset 0, Limit 20', async () => {
      const r = await ok('DescribeAgentAuditedClients', { Offset: 1, Limit: 1, OrderDirection: 'ASC' });
      assert.equal(r.TotalCount, 2);
      assert.deepEqual(uins(r.AgentClientSet), [CLIENT_2.uin]);
      const d = await ok('DescribeAgentAuditedClients', {});
      assert.equal(d.AgentClientSet.length, 2);
      const past = await ok('DescribeAgentAuditedClients', { Offset: 5, Limit: 10 });
      assert.deepEqual([past.TotalCount, past.AgentClientSet], [2, []]);
    });

    const errors: Array<[string, Body, string, string]> = [
      ['Limit 0', { Limit: 0 }, 'InvalidParameter', 'Limit'],
      ['Limit 2001', { Limit: 2001 }, 'InvalidParameter', 'Limit'],
      ['Offset -1', { Offset: -1 }, 'InvalidParameter', 'Offset'],
      ['HasOverdueBill 2', { HasOverdueBill: 2 }, 'InvalidParameter', 'HasOverdueBill'],
      ['ClientFlag z', { ClientFlag: 'z' }, 'InvalidParameter', 'ClientFlag'],
      ['ClientType x', { ClientType: 'x' }, 'InvalidParameter', 'ClientType'],
      ['ProjectType x', { ProjectType: 'x' }, 'InvalidParameter', 'ProjectType'],
      ['OrderDirection up', { OrderDirection: 'up' }, 'InvalidParameter', 'OrderDirection'],
      ['ClientUins not a list', { ClientUins: 'x' }, 'InvalidParameter', 'ClientUins'],
      ['ClientUin a number', { ClientUin: 800000000001 }, 'InvalidParameter', 'ClientUin'],
      ['unknown parameter', { Uin: '1' }, 'UnknownParameter', 'Uin'],
    ];
    for (const [name, body, code, mention] of errors) {
      test(`error: ${name} → ${code}`, async () => {
        expectError(await call('DescribeAgentAuditedClients', body), code, mention);
      });
    }

    test('agent B sees only its own client', async () => {
      assert.deepEqual(uins(await all({}, AGENT_B.key)), [CLIENT_3.uin]);
    });
  });

  describe('DescribeAgentClients', () => {
    test('pending applications only (not rejected ones), newest first, every field', async () => {
      const r = await ok('DescribeAgentClients', {});
      assert.equal(r.TotalCount, 2);
      assert.deepEqual(r.AgentClientSet.map((c: any) => c.ClientUin), [APPLICANT_2.uin, APPLICANT_1.uin]);
      const p = profileOf(APPLICANT_1.uin);
      assert.deepEqual(r.AgentClientSet[1], {
        Uin: AGENT_A.uin, ClientUin: APPLICANT_1.uin, ApplyTime: Math.floor(parseDateTime('2025-12-20 10:00:00')! / 1000), ClientFlag: 'a',
        Mail: maskMail(p.mail), Phone: maskPhone(p.phone), HasOverdueBill: 0, Status: 1, SalesUin: SALES_A1, SalesName: '张伟', ClientName: p.clientName, IncreaseGoal: '100000',
      });
      assert.match(r.AgentClientSet[1].Phone, /^138\*{4}\d{4}$/);
    });
    const cases: Array<[string, Body, string[]]> = [
      ['ClientUin', { ClientUin: APPLICANT_1.uin }, [APPLICANT_1.uin]],
      ['ClientUin of a rejected one', { ClientUin: REJECTED_1.uin }, []],
      ['ClientUin of agent B’s applicant', { ClientUin: APPLICANT_B.uin }, []],
      ['ClientName', { ClientName: '启明' }, [APPLICANT_2.uin]],
      ['ClientFlag b', { ClientFlag: 'b' }, [APPLICANT_2.uin]],
      ['SalesUin', { SalesUin: SALES_A1 }, [APPLICANT_1.uin]],
      ['SalesName', { SalesName: '张伟' }, [APPLICANT_1.uin]],
      ['OrderDirection ASC', { OrderDirection: 'ASC' }, [APPLICANT_1.uin, APPLICANT_2.uin]],
      ['Offset 1 Limit 1', { Offset: 1, Limit: 1 }, [APPLICANT_1.uin]],
    ];
    for (const [name, body, expected] of cases) {
      test(`filter: ${name}`, async () => assert.deepEqual((await ok('DescribeAgentClients', body)).AgentClientSet.map((c: any) => c.ClientUin), expected));
    }
    test('errors: Limit 0 (as the document’s example), Limit 101, unknown flag', async () => {
      expectError(await call('DescribeAgentClients', { Offset: 0, Limit: 0 }), 'InvalidParameter', 'Limit');
      expectError(await call('DescribeAgentClients', { Limit: 101 }), 'InvalidParameter', 'Limit');
      expectError(await call('DescribeAgentClients', { ClientFlag: 'B ' }), 'InvalidParameter', 'ClientFlag');
    });
    test('agent B sees only its applicant', async () => {
      assert.deepEqual((await ok('DescribeAgentClients', {}, AGENT_B.key)).AgentClientSet.map((c: any) => c.ClientUin), [APPLICANT_B.uin]);
    });
  });

  describe('DescribeUnbindClientList', () => {
    const list = async (body: Body, key: Key = AGENT_A.key) => (await ok('DescribeUnbindClientList', { Status: 0, Offset: 0, Limit: 100, ...body }, key)).UnbindClientList as Array<Record<string, any>>;
    test('every application of the agent, newest first, with names and times', async () => {
      const l = await list({});
      assert.deepEqual(l.map((u) => u.Uin), [CLIENT_2.uin, REJECTED_1.uin, LONER.uin]);
      assert.deepEqual(l[0], { Uin: CLIENT_2.uin, Name: profileOf(CLIENT_2.uin).clientName, Status: 0, ApplyTime: '2025-12-28 10:00:00', ActionTime: '' });
      assert.equal(l[2]!.Name, LONER.uin, 'an account without a profile is named by its UIN');
    });
    const cases: Array<[string, Body, string[]]> = [
      ['Status 1 (in review)', { Status: 1 }, [CLIENT_2.uin]],
      ['Status 2 (unbound)', { Status: 2 }, [LONER.uin]],
      ['UnbindUin', { UnbindUin: REJECTED_1.uin }, [REJECTED_1.uin]],
      ['ApplyTimeStart as a date', { ApplyTimeStart: '2025-11-11' }, [CLIENT_2.uin, REJECTED_1.uin]],
      ['ApplyTimeEnd as a date (whole day)', { ApplyTimeEnd: '2025-11-11' }, [REJECTED_1.uin, LONER.uin]],
      ['both as date-times', { ApplyTimeStart: '2025-10-01 10:00:00', ApplyTimeEnd: '2025-11-11 09:59:59' }, [LONER.uin]],
      ['OrderDirection asc', { OrderDirection: 'ASC' }, [LONER.uin, REJECTED_1.uin, CLIENT_2.uin]],
      ['Offset 2', { Offset: 2 }, [LONER.uin]],
    ];
    for (const [name, body, expected] of cases) test(`filter: ${name}`, async () => assert.deepEqual((await list(body)).map((u) => u.Uin), expected));
    test('errors: Status missing or 3, reversed dates, bad date, Limit 0', async () => {
      expectError(await call('DescribeUnbindClientList', { Offset: 0, Limit: 10 }), 'MissingParameter', 'Status');
      expectError(await call('DescribeUnbindClientList', { Status: 3, Offset: 0, Limit: 10 }), 'InvalidParameter', 'Status');
      expectError(await call('DescribeUnbindClientList', { Status: 0, Offset: 0, Limit: 10, ApplyTimeStart: '2025-12-02', ApplyTimeEnd: '2025-12-01' }), 'InvalidParameter', 'ApplyTimeEnd');
      expectError(await call('DescribeUnbindClientList', { Status: 0, Offset: 0, Limit: 10, ApplyTimeStart: '2025-02-30' }), 'InvalidParameter', 'ApplyTimeStart');
      expectError(await call('DescribeUnbindClientList', { Status: 0, Offset: 0, Limit: 0 }), 'InvalidParameter', 'Limit');
    });
    test('agent B sees only its own', async () => assert.deepEqual((await list({}, AGENT_B.key)).map((u) => u.Uin), [CLIENT_3.uin]));
  });

  describe('DescribeSalesmans', () => {
    test('the agent’s salespeople, newest first, with every field', async () => {
      const r = await ok('DescribeSalesmans', { Offset: 0, Limit: 10 });
      assert.equal(r.TotalCount, 2);
      assert.deepEqual(r.AgentSalesmanSet, [
        { Uin: AGENT_A.uin, SalesUin: SALES_A2, SalesName: '王芳', CreateTime: '2024-07-01 10:00:00' },
        { Uin: AGENT_A.uin, SalesUin: SALES_A1, SalesName: '张伟', CreateTime: '2024-03-01 10:00:00' },
      ]);
    });
    const cases: Array<[string, Body, string[]]> = [
      ['SalesUin', { SalesUin: SALES_A1 }, [SALES_A1]],
      ['SalesUin of agent B', { SalesUin: '600000000002' }, []],
      ['SalesName fuzzy', { SalesName: '芳' }, [SALES_A2]],
      ['OrderDirection asc', { OrderDirection: 'asc' }, [SALES_A1, SALES_A2]],
      ['Offset 1', { Offset: 1 }, [SALES_A1]],
    ];
    for (const [name, body, expected] of cases) {
      test(`filter: ${name}`, async () => assert.deepEqual((await ok('DescribeSalesmans', { Offset: 0, Limit: 10, ...body })).AgentSalesmanSet.map((s: any) => s.SalesUin), expected));
    }
    test('errors: Offset and Limit are required; Limit 1..100', async () => {
      expectError(await call('DescribeSalesmans', { Limit: 10 }), 'MissingParameter', 'Offset');
      expectError(await call('DescribeSalesmans', { Offset: 0 }), 'MissingParameter', 'Limit');
      expectError(await call('DescribeSalesmans', { Offset: 0, Limit: 101 }), 'InvalidParameter', 'Limit');
    });
  });

  describe('DescribeAgentPayDealsV2 and DescribeAgentSelfPayDealsV2', () => {
    const pay = async (body: Body, key: Key = AGENT_A.key) => ok('DescribeAgentPayDealsV2', { Offset: 0, Limit: 100, ...body }, key);
    const self = async (owner: string, body: Body = {}, key: Key = AGENT_A.key) => ok('DescribeAgentSelfPayDealsV2', { OwnerUin: owner, Offset: 0, Limit: 100, ...body }, key);
    const dn = (r: Record<string, any>) => r.AgentPayDealSet.map((d: any) => d.DealName);

    test('PayDealsV2 defaults to the last 15 days of the server clock, newest first, agent-paid only', async () => {
      const expected = expectedV2(deals, { clients: A_CLIENTS, payerMode: 1 });
      assert.ok(expected.length > 3);
      const r = await pay({});
      assert.equal(r.TotalCount, expected.length);
      assert.deepEqual(dn(r), names(expected));
      for (const d of r.AgentPayDealSet) assert.equal(d.PayerMode, '1');
    });
    const payCases: Array<[string, Body, Parameters<typeof expectedV2>[1]]> = [
      ['Order 1 ascending', { Order: 1 }, { clients: A_CLIENTS, payerMode: 1, ascending: true }],
      ['Status 4', { Status: 4 }, { clients: A_CLIENTS, payerMode: 1, status: 4 }],
      ['OwnerUins', { OwnerUins: [CLIENT_2.uin, CLIENT_3.uin] }, { clients: A_CLIENTS, payerMode: 1, ownerUins: [CLIENT_2.uin, CLIENT_3.uin] }],
      ['a window', { CreatTimeRangeStart: '2025-12-20 00:00:00', CreatTimeRangeEnd: '2025-12-25 23:59:59' }, { clients: A_CLIENTS, payerMode: 1, start: '2025-12-20 00:00:00', end: '2025-12-25 23:59:59' }],
      ['only an end', { CreatTimeRangeEnd: '2025-12-24 00:00:00' }, { clients: A_CLIENTS, payerMode: 1, end: '2025-12-24 00:00:00' }],
      ['BigDealIds', { BigDealIds: ['RBIG0', 'RBIG2', 'RBIG5'] }, { clients: A_CLIENTS, payerMode: 1, bigDealIds: ['RBIG0', 'RBIG2', 'RBIG5'] }],
    ];
    for (const [name, body, q] of payCases) {
      test(`PayDealsV2 ${name}`, async () => {
        const r = await pay(body);
        const e = expectedV2(deals, q);
        assert.equal(r.TotalCount, e.length);
        assert.deepEqual(dn(r), names(e));
      });
    }
    test('PayDealsV2 DealNames and paging', async () => {
      const e = expectedV2(deals, { clients: A_CLIENTS, payerMode: 1 });
      const r = await pay({ DealNames: names(e.slice(0, 2)) });
      assert.deepEqual(dn(r), names(e.slice(0, 2)));
      const p2 = await pay({ Offset: 1, Limit: 2 });
      assert.deepEqual(dn(p2), names(e.slice(1, 3)));
    });
    test('SelfPayDealsV2: one client’s self-paid deals, every filter', async () => {
      for (const owner of A_CLIENTS) {
        const e = expectedV2(deals, { clients: [owner], payerMode: 0 });
        const r = await self(owner);
        assert.equal(r.TotalCount, e.length);
        assert.deepEqual(dn(r), names(e));
        for (const d of r.AgentPayDealSet) assert.deepEqual([d.PayerMode, d.OwnerUin], ['0', owner]);
      }
      const w = { CreatTimeRangeStart: '2025-12-18 00:00:00', CreatTimeRangeEnd: '2025-12-30 00:00:00', Status: 4, Order: 1 };
      assert.deepEqual(dn(await self(CLIENT_1.uin, w)), names(expectedV2(deals, { clients: [CLIENT_1.uin], payerMode: 0, start: w.CreatTimeRangeStart, end: w.CreatTimeRangeEnd, status: 4, ascending: true })));
      const big = expectedV2(deals, { clients: [CLIENT_1.uin], payerMode: 0 })[0]!.big_deal_id;
      assert.deepEqual(dn(await self(CLIENT_1.uin, { BigDealIds: [big] })), names(expectedV2(deals, { clients: [CLIENT_1.uin], payerMode: 0, bigDealIds: [big] })));
    });
    test('the same AgentDealNewElem as DescribeAgentDealsByCache, byte for byte', async () => {
      const cache = await ok('DescribeAgentDealsByCache', { Offset: 0, Limit: 200, CreatTimeRangeStart: '2025-12-16 20:00:00', CreatTimeRangeEnd: NOW_TEXT });
      const byName = new Map(cache.AgentDealSet.map((d: any) => [d.DealName, d]));
      const r = await pay({});
      for (const d of [...r.AgentPayDealSet, ...(await self(CLIENT_1.uin)).AgentPayDealSet]) assert.deepEqual(d, byName.get(d.DealName));
    });
    const errors: Array<[string, string, Body, string, string]> = [
      ['Pay: start older than 15 days', 'DescribeAgentPayDealsV2', { Offset: 0, Limit: 10, CreatTimeRangeStart: '2025-12-01 00:00:00' }, 'InvalidParameter', 'CreatTimeRangeStart'],
      ['Pay: end before start', 'DescribeAgentPayDealsV2', { Offset: 0, Limit: 10, CreatTimeRangeStart: '2025-12-20 00:00:00', CreatTimeRangeEnd: '2025-12-19 00:00:00' }, 'InvalidParameter', 'CreatTimeRangeEnd'],
      ['Pay: Limit 101', 'DescribeAgentPayDealsV2', { Offset: 0, Limit: 101 }, 'InvalidParameter', 'Limit'],
      ['Pay: Limit missing', 'DescribeAgentPayDealsV2', { Offset: 0 }, 'MissingParameter', 'Limit'],
      ['Pay: Status 14', 'DescribeAgentPayDealsV2', { Offset: 0, Limit: 10, Status: 14 }, 'InvalidParameter', 'Status'],
      ['Pay: PayerMode is not a parameter', 'DescribeAgentPayDealsV2', { Offset: 0, Limit: 10, PayerMode: 1 }, 'UnknownParameter', 'PayerMode'],
      ['Self: OwnerUin missing', 'DescribeAgentSelfPayDealsV2', { Offset: 0, Limit: 10 }, 'MissingParameter', 'OwnerUin'],
      ['Self: OwnerUin not a UIN', 'DescribeAgentSelfPayDealsV2', { OwnerUin: 'abc', Offset: 0, Limit: 10 }, 'InvalidParameter', 'OwnerUin'],
      ['Self: another agent’s client', 'DescribeAgentSelfPayDealsV2', { OwnerUin: CLIENT_3.uin, Offset: 0, Limit: 10 }, 'InvalidParameter', CLIENT_3.uin],
      ['Self: an unbound account', 'DescribeAgentSelfPayDealsV2', { OwnerUin: LONER.uin, Offset: 0, Limit: 10 }, 'InvalidParameter', LONER.uin],
      ['Self: OwnerUins is not a parameter', 'DescribeAgentSelfPayDealsV2', { OwnerUin: CLIENT_1.uin, OwnerUins: [CLIENT_1.uin], Offset: 0, Limit: 10 }, 'UnknownParameter', 'OwnerUins'],
    ];
    for (const [name, action, body, code, mention] of errors) {
      test(`error: ${name} → ${code}`, async () => {
        expectError(await call(action, body), code, mention);
      });
    }
  });

  describe('DescribeAgentRelateBigDealIds', () => {
    const related = async (big: string, key: Key = AGENT_A.key) => (await ok('DescribeAgentRelateBigDealIds', { BigDealId: big }, key)).BigDealIdList as string[];
    test('big deals of the same client sharing a resource (purchase, renewals, refunds), the asked one excluded', async () => {
      const bigs = [...new Set(deals.filter((d) => A_CLIENTS.includes(d.owner_uin) && d.pay_mode === 'prePay').map((d) => d.big_deal_id))];
      let nonEmpty = 0;
      for (const big of bigs) {
        const e = expectedRelated(deals, A_CLIENTS, big);
        assert.deepEqual(await related(big), e, big);
        if (e.length) nonEmpty++;
        assert.ok(!e.includes(big));
      }
      assert.ok(nonEmpty >= 2, 'the fixture relates some big deals');
      assert.ok((await related('RBIGREFUND')).length > 0, 'a refund relates to the purchase it refunds');
    });
    test('a big deal the agent does not see gives an empty list; BigDealId is required', async () => {
      const bOnly = deals.find((d) => d.owner_uin === CLIENT_3.uin && d.pay_mode === 'prePay')!.big_deal_id;
      assert.deepEqual(await related('nope'), []);
      if (!deals.some((d) => A_CLIENTS.includes(d.owner_uin) && d.big_deal_id === bOnly)) assert.deepEqual(await related(bOnly), []);
      expectError(await call('DescribeAgentRelateBigDealIds', {}), 'MissingParameter', 'BigDealId');
      expectError(await call('DescribeAgentRelateBigDealIds', { BigDealId: 5 }), 'InvalidParameter', 'BigDealId');
    });
  });

  describe('DescribeAgentDealsPriceDetailByDealName', () => {
    const detail = async (body: Body, key: Key = AGENT_A.key) => (await ok('DescribeAgentDealsPriceDetailByDealName', body, key)).DealList as Array<Record<string, any>>;
    const mine = deals.filter((d) => A_CLIENTS.includes(d.owner_uin) && d.pay_mode === 'prePay');
    test('the agent’s deals of that year, in the order asked, with their price components', async () => {
      const asked = [mine[3]!, mine[0]!, mine[40]!].map((d) => d.deal_name);
      const got = await detail({ DealCreatYear: 2025, DealNames: [...asked, 'missing', asked[0]] });
      assert.deepEqual(got, asked.map((n) => priceDetailOf(mine.find((d) => d.deal_name === n)!)));
      const c = got[0]!.SubProductPriceDetail[0];
      assert.ok(Number.isInteger(c.DiscountValue) && c.DiscountValue <= 100);
    });
    test('another year, another owner, another agent’s or a postpaid deal: left out', async () => {
      const one = mine[0]!;
      assert.deepEqual(await detail({ DealCreatYear: 2024, DealNames: [one.deal_name] }), []);
      assert.deepEqual(await detail({ DealCreatYear: 2025, DealNames: [one.deal_name], OwnerUin: one.owner_uin === CLIENT_1.uin ? CLIENT_2.uin : CLIENT_1.uin }), []);
      assert.equal((await detail({ DealCreatYear: 2025, DealNames: [one.deal_name], OwnerUin: one.owner_uin })).length, 1);
      const b = deals.find((d) => d.owner_uin === CLIENT_3.uin && d.pay_mode === 'prePay')!;
      assert.deepEqual(await detail({ DealCreatYear: 2025, DealNames: [b.deal_name] }), []);
      const post = deals.find((d) => A_CLIENTS.includes(d.owner_uin) && d.pay_mode === 'postPay')!;
      assert.deepEqual(await detail({ DealCreatYear: 2025, DealNames: [post.deal_name] }), []);
    });
    test('errors: DealCreatYear and DealNames required; at most 100 names', async () => {
      expectError(await call('DescribeAgentDealsPriceDetailByDealName', { DealNames: ['x'] }), 'MissingParameter', 'DealCreatYear');
      expectError(await call('DescribeAgentDealsPriceDetailByDealName', { DealCreatYear: 2025 }), 'MissingParameter', 'DealNames');
      expectError(await call('DescribeAgentDealsPriceDetailByDealName', { DealCreatYear: 2025, DealNames: Array.from({ length: 101 }, (_, i) => `d${i}`) }), 'InvalidParameter', 'DealNames');
      expectError(await call('DescribeAgentDealsPriceDetailByDealName', { DealCreatYear: 'x', DealNames: ['a'] }), 'InvalidParameter', 'DealCreatYear');
    });
  });

  describe('writes', () => {
    test('ModifyClientRemark: shows in the client list and in the client’s deals of every deal action', async () => {
      const before = await ok('DescribeAgentDealsByCache', { Offset: 0, Limit: 200, OwnerUins: [CLIENT_2.uin] });
      assert.ok(before.AgentDealSet.length > 0);
      assert.deepEqual(Object.keys(await ok('ModifyClientRemark', { ClientUin: CLIENT_2.uin, ClientRemark: '重点客户' })), ['RequestId']);
      const list = await ok('DescribeAgentAuditedClients', { ClientUin: CLIENT_2.uin });
      assert.equal(list.AgentClientSet[0].ClientRemark, '重点客户');
      const after = await ok('DescribeAgentDealsByCache', { Offset: 0, Limit: 200, OwnerUins: [CLIENT_2.uin] });
      assert.deepEqual(after.AgentDealSet.map((d: any) => d.ClientRemark), after.AgentDealSet.map(() => '重点客户'));
      const self = await ok('DescribeAgentSelfPayDealsV2', { OwnerUin: CLIENT_2.uin, Offset: 0, Limit: 100 });
      for (const d of self.AgentPayDealSet) assert.equal(d.ClientRemark, '重点客户');
      assert.deepEqual((await ok('DescribeAgentAuditedClients', { ClientRemark: '重点' })).AgentClientSet.map((c: any) => c.ClientUin), [CLIENT_2.uin]);
    });
    test('refusals name the parameter and the value, in Chinese too', async () => {
      expectError(await call('DescribeAgentSelfPayDealsV2', { OwnerUin: CLIENT_3.uin, Offset: 0, Limit: 10 }, AGENT_A.key, 'zh-CN'), 'InvalidParameter', 'OwnerUin', CLIENT_3.uin, '不是代理商');
      expectError(await call('AuditApplyClient', { ClientUin: REJECTED_1.uin, AuditResult: 'accept', Note: 'x' }, AGENT_A.key, 'zh-CN'), 'FailedOperation', '已驳回');
      expectError(await call('DescribeAgentPayDealsV2', { Offset: 0, Limit: 10, CreatTimeRangeStart: '2025-01-01 00:00:00' }, AGENT_A.key, 'zh-CN'), 'InvalidParameter', '最近 15 天');
      expectError(await call('DescribeAgentAuditedClients', { ClientFlag: 'q' }, AGENT_A.key, 'zh-CN'), 'InvalidParameter', 'ClientFlag', '取值必须是');
    });
    test('ModifyClientRemark: another agent’s client or an unbound account → InvalidParameter; required parameters', async () => {
      expectError(await call('ModifyClientRemark', { ClientUin: CLIENT_3.uin, ClientRemark: 'x' }), 'InvalidParameter', CLIENT_3.uin);
      expectError(await call('ModifyClientRemark', { ClientUin: APPLICANT_1.uin, ClientRemark: 'x' }), 'InvalidParameter', APPLICANT_1.uin);
      expectError(await call('ModifyClientRemark', { ClientUin: CLIENT_1.uin }), 'MissingParameter', 'ClientRemark');
      expectError(await call('ModifyClientRemark', { ClientRemark: 'x' }), 'MissingParameter', 'ClientUin');
      expectError(await call('ModifyClientRemark', { ClientUin: CLIENT_1.uin, ClientRemark: 'x'.repeat(257) }), 'InvalidParameter', 'ClientRemark');
      const c3 = await ok('DescribeAgentAuditedClients', {}, AGENT_B.key);
      assert.equal(c3.AgentClientSet[0].ClientRemark, 'client three', 'agent B’s client is untouched');
    });
    test('AuditApplyClient: errors for strangers, unknown results, B-class without a note, decided applications', async () => {
      expectError(await call('AuditApplyClient', { ClientUin: APPLICANT_B.uin, AuditResult: 'accept', Note: 'x' }), 'InvalidParameter', APPLICANT_B.uin);
      expectError(await call('AuditApplyClient', { ClientUin: CLIENT_1.uin, AuditResult: 'accept', Note: 'x' }), 'InvalidParameter', CLIENT_1.uin);
      expectError(await call('AuditApplyClient', { ClientUin: APPLICANT_1.uin, AuditResult: 'ok', Note: '' }), 'InvalidParameter', 'AuditResult');
      expectError(await call('AuditApplyClient', { ClientUin: APPLICANT_1.uin, AuditResult: 'accept' }), 'MissingParameter', 'Note');
      expectError(await call('AuditApplyClient', { ClientUin: APPLICANT_2.uin, AuditResult: 'accept', Note: '' }), 'InvalidParameter', 'Note');
      expectError(await call('AuditApplyClient', { ClientUin: REJECTED_1.uin, AuditResult: 'accept', Note: 'again' }), 'FailedOperation', REJECTED_1.uin);
    });
    test('AuditApplyClient accept: the applicant becomes a client and its deals appear in every deal action', async () => {
      const own = deals.filter((d) => d.owner_uin === APPLICANT_1.uin && d.pay_mode === 'prePay');
      assert.ok(own.length > 0);
      const none = await ok('DescribeAgentDealsByCache', { Offset: 0, Limit: 200, OwnerUins: [APPLICANT_1.uin] });
      assert.equal(none.TotalCount, 0);
      const r = await ok('AuditApplyClient', { ClientUin: APPLICANT_1.uin, AuditResult: 'accept', Note: '' });
      assert.deepEqual({ ...r, RequestId: undefined }, { Uin: AGENT_A.uin, ClientUin: APPLICANT_1.uin, AuditResult: 'accept', AgentTime: Math.floor(NOW_MS / 1000), RequestId: undefined });
      const cache = await ok('DescribeAgentDealsByCache', { Offset: 0, Limit: 200, OwnerUins: [APPLICANT_1.uin] });
      assert.equal(cache.TotalCount, own.length);
      const clients = [...A_CLIENTS, APPLICANT_1.uin];
      const pay = await ok('DescribeAgentPayDealsV2', { Offset: 0, Limit: 100, OwnerUins: [APPLICANT_1.uin] });
      assert.deepEqual(pay.AgentPayDealSet.map((d: any) => d.DealName), names(expectedV2(deals, { clients, payerMode: 1, ownerUins: [APPLICANT_1.uin] })));
      const self = await ok('DescribeAgentSelfPayDealsV2', { OwnerUin: APPLICANT_1.uin, Offset: 0, Limit: 100 });
      assert.deepEqual(self.AgentPayDealSet.map((d: any) => d.DealName), names(expectedV2(deals, { clients, payerMode: 0 }).filter((d) => d.owner_uin === APPLICANT_1.uin)));
      assert.ok(pay.TotalCount + self.TotalCount > 0);
      const audited = await ok('DescribeAgentAuditedClients', { ClientUin: APPLICANT_1.uin });
      assert.deepEqual([audited.TotalCount, audited.AgentClientSet[0].ClientType, audited.AgentClientSet[0].SalesUin], [1, 'new', SALES_A1]);
      const pending = await ok('DescribeAgentClients', {});
      assert.deepEqual(pending.AgentClientSet.map((c: any) => c.ClientUin), [APPLICANT_2.uin]);
      expectError(await call('AuditApplyClient', { ClientUin: APPLICANT_1.uin, AuditResult: 'reject', Note: '' }), 'FailedOperation', APPLICANT_1.uin);
    });
    test('AuditApplyClient: a client bound to another agent meanwhile → FailedOperation', async () => {
      await server.store.partners.write({
        profiles: [], salesmen: [], unbinds: [],
        applications: [{ clientUin: LONER.uin, agentUin: AGENT_A.uin, applyTime: '2025-12-30 10:00:00', status: 'pending', salesUin: '0', clientType: 'new', projectType: 'self', increaseGoal: '0', note: '', decidedAt: null }],
      });
      await server.store.bindClient({ agentUin: AGENT_B.uin, clientUin: LONER.uin, clientType: 'new', projectType: 'self', salesUin: '0', clientRemark: '' });
      expectError(await call('AuditApplyClient', { ClientUin: LONER.uin, AuditResult: 'accept', Note: 'x' }), 'FailedOperation', LONER.uin, 'another agent');
      assert.equal((await ok('DescribeAgentAuditedClients', { ClientUin: LONER.uin })).TotalCount, 0);
      assert.equal((await ok('AuditApplyClient', { ClientUin: LONER.uin, AuditResult: 'reject', Note: '' })).AuditResult, 'reject', 'rejecting still works');
    });
    test('AuditApplyClient reject: the application leaves the list, nothing is bound', async () => {
      const r = await ok('AuditApplyClient', { ClientUin: APPLICANT_2.uin, AuditResult: 'reject', Note: '资料不全' });
      assert.equal(r.AuditResult, 'reject');
      assert.equal((await ok('DescribeAgentClients', {})).TotalCount, 0);
      assert.equal((await ok('DescribeAgentAuditedClients', { ClientUin: APPLICANT_2.uin })).TotalCount, 0);
      expectError(await call('ModifyClientRemark', { ClientUin: APPLICANT_2.uin, ClientRemark: 'x' }), 'InvalidParameter');
    });
  });
});

