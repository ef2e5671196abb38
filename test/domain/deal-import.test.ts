import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DealImportReader, dealFromImport, parseDealImport } from '../../src/domain/deal-import.js';
import { toAgentDeal, toBillingDeal, type ClientRelation } from '../../src/domain/views.js';
import { paymentMethodOf } from '../../src/domain/deal.js';
import { defaultAppId } from '../../src/store/accounts.js';

/**
 * The deal of the official DescribeAgentDealsByCache 输出示例 (a refund with RefundMap), verbatim.
 * It carries every relation field, so importing and re-rendering it must give it back unchanged.
 */
const OFFICIAL_DEAL = {
  DealId: '290644558',
  DealName: '20240108121000906445591',
  BigDealId: '20240108121000906445581',
  GoodsCategoryId: '176258',
  OwnerUin: '700000232121',
  AppId: '251205746',
  GoodsNum: '1',
  GoodsPrice: { RealTotalCost: -100000, OriginalTotalCost: -100000 },
  ProductInfo: [{ Name: '计费测试商品新购', Value: 'jfcs' }],
  Creater: '700000232121',
  CreatTime: '2024-01-08 15:56:08',
  UpdateTime: '2024-01-08 15:56:12',
  PaymentMethod: '按月:个月',
  Payer: '700000232121',
  BillId: '20240108121000906445591',
  PayEndTime: '2024-01-08 15:56:11',
  Status: '6',
  VoucherDecline: '0',
  PayerMode: '0',
  GoodsName: '计费测试商品',
  SubGoodsName: '非资源工厂验证预付费子产品(勿动)',
  ClientRemark: '客户备注',
  ClientType: 'new',
  ProjectType: 'platform',
  SalesUin: '0',
  DealStatus: '已退款',
  ActionType: 'refund',
  ActivityId: '0',
  OverdueTime: '2024-01-23 15:56:08',
  ResourceIds: ['4712106445241'],
  RefundMap: [{ DealName: '20240108121000906445241', RefundAmount: 100000 }],
} as const;

/** A binding that differs from every relation field of the example, so leaks would show. */
const BINDING: ClientRelation = { client_type: 'old', project_type: 'self', sales_uin: '123', client_remark: 'from binding' };

/** The fewest fields a deal may have. */
const MINIMAL = {
  DealName: '20250101000000123456789',
  OwnerUin: '100000000001',
  CreatTime: '2025-01-01 10:00:00',
  Status: '4',
  GoodsPrice: { RealTotalCost: 10000, OriginalTotalCost: 12000 },
} as const;

type Obj = Record<string, unknown>;

function withFields(extra: Obj, base: Obj = MINIMAL): Obj {
  return { ...structuredClone(base), ...extra };
}

function without(name: string, base: Obj = MINIMAL): Obj {
  const copy = structuredClone(base);
  delete copy[name];
  return copy;
}

function ndjson(...objects: unknown[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n');
}

/** Imports one object as a one-line NDJSON file and returns its only record. */
function importOne(obj: Obj) {
  const parsed = parseDealImport(JSON.stringify(obj));
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.records.length, 1);
  return parsed.records[0]!;
}

describe('the official example deal', () => {
  it('round-trips through import and the partners view unchanged', () => {
    const record = dealFromImport(structuredClone(OFFICIAL_DEAL));
    assert.deepEqual(toAgentDeal(record, BINDING), OFFICIAL_DEAL);
  });

  it('round-trips from NDJSON and from a JSON array alike', () => {
    for (const text of [JSON.stringify(OFFICIAL_DEAL), JSON.stringify([OFFICIAL_DEAL], null, 2)]) {
      const parsed = parseDealImport(text);
      assert.deepEqual(parsed.problems, []);
      assert.deepEqual(parsed.ignoredFields, []);
      assert.equal(parsed.records.length, 1);
      assert.deepEqual(toAgentDeal(parsed.records[0]!, BINDING), OFFICIAL_DEAL);
    }
  });

  it('derives the billing-only fields', () => {
    const record = dealFromImport(structuredClone(OFFICIAL_DEAL));
    assert.deepEqual(
      {
        pay_mode: record.pay_mode,
        time_span: record.time_span,
        time_unit: record.time_unit,
        currency: record.currency,
        policy: record.policy,
        total_cost: record.total_cost,
        price: record.price,
        product_code: record.product_code,
        sub_product_code: record.sub_product_code,
        formula: record.formula,
        ref_return_deals: record.ref_return_deals,
        project_id: record.project_id,
        zone_code: record.zone_code,
      },
      {
        pay_mode: 'prePay',
        // `按月:个月` has no number: one month.
        time_span: 1,
        time_unit: 'm',
        currency: 'CNY',
        policy: 100,
        total_cost: -100000,
        price: -100000,
        product_code: 'p_176258',
        sub_product_code: 'sp_176258',
        formula: '退款:1000.00元',
        ref_return_deals: '20240108121000906445241',
        project_id: 0,
        zone_code: null,
      },
    );
    const billing = toBillingDeal(record, true);
    assert.equal(billing.OrderId, OFFICIAL_DEAL.DealName);
    assert.equal(billing.Status, 6);
    assert.equal(billing.Action, 'refund');
    assert.equal('ZoneCode' in billing, false);
  });
});

describe('defaults for a minimal deal', () => {
  it('fills every optional field', () => {
    const r = importOne(MINIMAL);
    assert.deepEqual(r, {
      deal_name: MINIMAL.DealName,
      deal_id: '123456789',
      big_deal_id: MINIMAL.DealName,
      owner_uin: MINIMAL.OwnerUin,
      app_id: defaultAppId(MINIMAL.OwnerUin),
      creator: MINIMAL.OwnerUin,
      payer: MINIMAL.OwnerUin,
      payer_mode: 0,
      status: 4,
      action_type: 'purchase',
      goods_category_id: 0,
      goods_name: '',
      sub_goods_name: '',
      goods_num: 1,
      real_total_cost: 10000,
      original_total_cost: 12000,
      voucher_decline: 0,
      product_info: '[]',
      payment_method: '按月:1个月',
      resource_ids: '[]',
      refund_map: '[]',
      bill_id: MINIMAL.DealName,
      activity_id: '0',
      create_time: MINIMAL.CreatTime,
      update_time: MINIMAL.CreatTime,
      pay_end_time: '',
      overdue_time: '',
      client_type: null,
      project_type: null,
      sales_uin: null,
      client_remark: null,
      pay_mode: 'prePay',
      product_code: 'p_0',
      sub_product_code: 'sp_0',
      time_span: 1,
      time_unit: 'm',
      currency: 'CNY',
      policy: 100,
      price: 12000,
      total_cost: 12000,
      formula: '',
      ref_return_deals: '',
      project_id: 0,
      zone_code: null,
      verbatim: null,
    });
  });

  it('takes absent relation fields from the binding in the partners view', () => {
    const view = toAgentDeal(importOne(MINIMAL), BINDING);
    assert.equal(view.ClientType, 'old');
    assert.equal(view.ProjectType, 'self');
    assert.equal(view.SalesUin, '123');
    assert.equal(view.ClientRemark, 'from binding');
    assert.equal(view.DealStatus, '已发货');
  });

  it('leaves DealId empty when DealName does not end in 9 digits', () => {
    assert.equal(importOne(withFields({ DealName: 'order-abc' })).deal_id, '');
    assert.equal(importOne(withFields({ DealName: '12345678' })).deal_id, '');
    assert.equal(importOne(withFields({ DealName: 'x987654321' })).deal_id, '987654321');
  });
});

describe('derivations', () => {
  const cases: { name: string; extra: Obj; expect: Obj }[] = [
    { name: '按年:1年 gives 1 y', extra: { PaymentMethod: '按年:1年' }, expect: { time_span: 1, time_unit: 'y' } },
    { name: '按月:3个月 gives 3 m', extra: { PaymentMethod: '按月:3个月' }, expect: { time_span: 3, time_unit: 'm' } },
    { name: 'a full-width colon works too', extra: { PaymentMethod: '按年：2年' }, expect: { time_span: 2, time_unit: 'y' } },
    {
      name: 'TimeSpan/TimeUnit without PaymentMethod rebuild it',
      extra: { TimeSpan: 6, TimeUnit: 'm' },
      expect: { time_span: 6, time_unit: 'm', payment_method: paymentMethodOf(6, 'm') },
    },
    {
      name: 'TimeUnit alone means one of that unit',
      extra: { TimeUnit: 'y' },
      expect: { time_span: 1, time_unit: 'y', payment_method: '按年:1年' },
    },
    {
      name: 'given TimeSpan/TimeUnit win over PaymentMethod',
      extra: { PaymentMethod: '按月:3个月', TimeSpan: '2', TimeUnit: 'y' },
      expect: { time_span: 2, time_unit: 'y', payment_method: '按月:3个月' },
    },
    {
      name: 'price divides total cost by span and count, to 2 decimals',
      extra: { PaymentMethod: '按月:3个月', GoodsNum: '2', GoodsPrice: { RealTotalCost: 10000, OriginalTotalCost: 10000 } },
      expect: { total_cost: 10000, price: 1666.67 },
    },
    {
      name: 'a zero GoodsNum counts as one for the price',
      extra: { GoodsNum: '0' },
      expect: { goods_num: 0, price: 12000 },
    },
    {
      name: 'a zero-month PaymentMethod gives price 0, not Infinity',
      extra: { PaymentMethod: '按月:0个月' },
      expect: { time_span: 0, price: 0 },
    },
    {
      name: 'a refund gets a formula and RefReturnDeals from RefundMap',
      extra: {
        ActionType: 'refund',
        GoodsPrice: { RealTotalCost: -12345, OriginalTotalCost: -12345 },
        RefundMap: [{ DealName: 'a1', RefundAmount: 10000 }, { DealName: 'b2', RefundAmount: 2345 }],
      },
      expect: { formula: '退款:123.45元', ref_return_deals: 'a1,b2', total_cost: -12345, price: -12345 },
    },
    {
      name: 'GoodsCategoryId names the product codes',
      extra: { GoodsCategoryId: '101832' },
      expect: { product_code: 'p_101832', sub_product_code: 'sp_101832' },
    },
    {
      name: 'given billing fields are kept as given',
      extra: {
        PayMode: 'postPay', ProductCode: 'p_cvm', SubProductCode: 'sp_cvm_s5', Currency: 'USD', Policy: 80,
        Price: 99.5, TotalCost: 199, Formula: 'f', RefReturnDeals: 'r', ProjectId: 7, ZoneCode: 'ap-guangzhou-3',
      },
      expect: {
        pay_mode: 'postPay', product_code: 'p_cvm', sub_product_code: 'sp_cvm_s5', currency: 'USD', policy: 80,
        price: 99.5, total_cost: 199, formula: 'f', ref_return_deals: 'r', project_id: 7, zone_code: 'ap-guangzhou-3',
      },
    },
    {
      name: 'the relation snapshot is kept, "" included',
      extra: { ClientType: '', ProjectType: 'repeat', SalesUin: '', ClientRemark: '' },
      expect: { client_type: '', project_type: 'repeat', sales_uin: '', client_remark: '' },
    },
    {
      name: 'JSON null relation fields mean "take from binding"',
      extra: { ClientType: null, ProjectType: null, SalesUin: null, ClientRemark: null, ZoneCode: null },
      expect: { client_type: null, project_type: null, sales_uin: null, client_remark: null, zone_code: null },
    },
    {
      name: 'empty times are kept empty',
      extra: { UpdateTime: '', PayEndTime: '', OverdueTime: '' },
      expect: { update_time: '', pay_end_time: '', overdue_time: '' },
    },
    {
      name: 'ProductInfo, ResourceIds and RefundMap are stored as JSON text',
      extra: {
        ProductInfo: [{ Value: 'v', Name: 'n' }],
        ResourceIds: ['ins-1', 'ins-2'],
        RefundMap: [{ RefundAmount: 5, DealName: 'd' }],
      },
      expect: {
        product_info: '[{"Name":"n","Value":"v"}]',
        resource_ids: '["ins-1","ins-2"]',
        refund_map: '[{"DealName":"d","RefundAmount":5}]',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const record = importOne(withFields(c.extra)) as unknown as Obj;
      for (const [key, value] of Object.entries(c.expect)) assert.deepEqual(record[key], value, key);
    });
  }
});

describe('numbers as strings and as JSON numbers', () => {
  const pairs: { field: string; asString: unknown; asNumber: unknown; column: string; value: unknown }[] = [
    { field: 'Status', asString: '6', asNumber: 6, column: 'status', value: 6 },
    { field: 'OwnerUin', asString: '700000232121', asNumber: 700000232121, column: 'owner_uin', value: '700000232121' },
    { field: 'GoodsCategoryId', asString: '176258', asNumber: 176258, column: 'goods_category_id', value: 176258 },
    { field: 'GoodsNum', asString: '3', asNumber: 3, column: 'goods_num', value: 3 },
    { field: 'PayerMode', asString: '1', asNumber: 1, column: 'payer_mode', value: 1 },
    { field: 'VoucherDecline', asString: '10000', asNumber: 10000, column: 'voucher_decline', value: 10000 },
    { field: 'ProjectId', asString: '12', asNumber: 12, column: 'project_id', value: 12 },
    { field: 'TimeSpan', asString: '2.5', asNumber: 2.5, column: 'time_span', value: 2.5 },
    { field: 'Policy', asString: '85.5', asNumber: 85.5, column: 'policy', value: 85.5 },
    { field: 'Price', asString: '-10000.1', asNumber: -10000.1, column: 'price', value: -10000.1 },
    { field: 'TotalCost', asString: '10000.1', asNumber: 10000.1, column: 'total_cost', value: 10000.1 },
  ];
  for (const p of pairs) {
    it(`${p.field} accepts ${JSON.stringify(p.asString)} and ${String(p.asNumber)}`, () => {
      for (const raw of [p.asString, p.asNumber]) {
        const record = importOne(withFields({ [p.field]: raw })) as unknown as Obj;
        assert.deepEqual(record[p.column], p.value);
      }
    });
  }
});

describe('required fields', () => {
  for (const field of ['DealName', 'OwnerUin', 'CreatTime', 'Status', 'GoodsPrice']) {
    it(`${field} missing is a problem`, () => {
      const parsed = parseDealImport(JSON.stringify(without(field)));
      assert.deepEqual(parsed.records, []);
      assert.deepEqual(parsed.problems, [{ where: 'line 1', reason: `${field}: missing, but it is required` }]);
    });
  }

  it('reports every missing field of one record, not just the first', () => {
    const parsed = parseDealImport('{}');
    assert.deepEqual(
      parsed.problems.map((p) => p.reason.split(':')[0]),
      ['DealName', 'OwnerUin', 'CreatTime', 'Status', 'GoodsPrice'],
    );
  });
});

describe('kind and rule errors', () => {
  it('quotes field, value and rule', () => {
    const parsed = parseDealImport(JSON.stringify(withFields({ Status: '99' })));
    assert.deepEqual(parsed.problems, [{ where: 'line 1', reason: 'Status: "99" is not a known status (1-13, 30)' }]);
  });

  // [field, value, the reason's expected start]: each must be the record's only problem.
  const cases: [string, unknown, string][] = [
    ['DealName', '', 'DealName: "" must be a non-empty string'],
    ['DealName', 'x'.repeat(65), 'DealName: "xxx'],
    ['DealName', 20250101, 'DealName: 20250101 is not a string'],
    ['OwnerUin', 'abc', 'OwnerUin: "abc" is not a UIN'],
    ['OwnerUin', '1'.repeat(21), `OwnerUin: "${'1'.repeat(21)}" is not a UIN`],
    ['OwnerUin', '', 'OwnerUin: "" is not a UIN'],
    ['OwnerUin', -5, 'OwnerUin: -5 is not a UIN'],
    ['OwnerUin', 1.5, 'OwnerUin: 1.5 is not a UIN'],
    ['OwnerUin', 2 ** 60, `OwnerUin: ${2 ** 60} is too large for a JSON integer`],
    ['CreatTime', '2025-02-30 00:00:00', 'CreatTime: "2025-02-30 00:00:00" is not a valid date-time (YYYY-MM-DD HH:mm:ss)'],
    ['CreatTime', '2025-01-01T00:00:00', 'CreatTime: "2025-01-01T00:00:00" is not a valid date-time'],
    ['CreatTime', '2025-01-01', 'CreatTime: "2025-01-01" is not a valid date-time'],
    ['CreatTime', '2025-01-01 24:00:00', 'CreatTime: "2025-01-01 24:00:00" is not a valid date-time'],
    ['CreatTime', '', 'CreatTime: "" is not a valid date-time'],
    ['CreatTime', 1735689600, 'CreatTime: 1735689600 is not a string'],
    ['Status', 99, 'Status: 99 is not a known status (1-13, 30)'],
    ['Status', 0, 'Status: 0 is not a known status'],
    ['Status', 'six', 'Status: "six" is not a known status'],
    ['Status', 6.5, 'Status: 6.5 is not a known status'],
    ['Status', '已退款', 'Status: "已退款" is not a known status'],
    ['GoodsPrice', 'free', 'GoodsPrice: "free" is not an object {RealTotalCost, OriginalTotalCost}'],
    ['GoodsPrice', [1, 2], 'GoodsPrice: [1,2] is not an object'],
    ['GoodsPrice', { RealTotalCost: 1.5, OriginalTotalCost: 2 }, 'GoodsPrice.RealTotalCost: 1.5 is not an integer'],
    ['GoodsPrice', { RealTotalCost: 1, OriginalTotalCost: '2' }, 'GoodsPrice.OriginalTotalCost: "2" is not an integer'],
    ['GoodsPrice', { RealTotalCost: 1 }, 'GoodsPrice.OriginalTotalCost: missing, but it is required'],
    ['GoodsCategoryId', 'abc', 'GoodsCategoryId: "abc" is not an integer (a string of digits, "" or a JSON integer)'],
    ['GoodsCategoryId', '-1', 'GoodsCategoryId: "-1" is not an integer'],
    ['GoodsCategoryId', 1.5, 'GoodsCategoryId: 1.5 is not an integer'],
    ['GoodsNum', -1, 'GoodsNum: -1 must be ≥ 0'],
    ['GoodsNum', 'x', 'GoodsNum: "x" is not an integer'],
    ['PayerMode', '2', 'PayerMode: "2" must be between 0 and 1'],
    ['PayerMode', 2, 'PayerMode: 2 must be between 0 and 1'],
    ['VoucherDecline', -5, 'VoucherDecline: -5 must be ≥ 0'],
    ['VoucherDecline', '1.5', 'VoucherDecline: "1.5" is not an integer'],
    ['ProjectId', 'x', 'ProjectId: "x" is not an integer'],
    ['ProjectId', -1, 'ProjectId: -1 must be ≥ 0'],
    ['DealId', 290644558, 'DealId: 290644558 is not a string'],
    ['BigDealId', null, 'BigDealId: null is not a string'],
    ['AppId', 251205746, 'AppId: 251205746 is not a string'],
    ['Creater', 1, 'Creater: 1 is not a string'],
    ['Payer', true, 'Payer: true is not a string'],
    ['BillId', {}, 'BillId: {} is not a string'],
    ['ActivityId', 0, 'ActivityId: 0 is not a string'],
    ['GoodsName', ['x'], 'GoodsName: ["x"] is not a string'],
    ['SubGoodsName', 1, 'SubGoodsName: 1 is not a string'],
    ['PaymentMethod', 1, 'PaymentMethod: 1 is not a string'],
    ['SalesUin', 0, 'SalesUin: 0 is not a string'],
    ['ClientRemark', 1, 'ClientRemark: 1 is not a string'],
    ['UpdateTime', '2024-13-01 00:00:00', 'UpdateTime: "2024-13-01 00:00:00" is not a valid date-time (YYYY-MM-DD HH:mm:ss), "" or "0000-00-00 00:00:00"'],
    ['ActionType', 1, 'ActionType: 1 is not a string'],
    ['PayMode', 1, 'PayMode: 1 is not a string'],
    ['TimeUnit', 1, 'TimeUnit: 1 is not a string'],
    ['ClientType', 1, 'ClientType: 1 is not a string'],
    ['DealStatus', 7, 'DealStatus: 7 is not a string'],
    ['PayEndTime', 'soon', 'PayEndTime: "soon" is not a valid date-time'],
    ['OverdueTime', '2023-02-29 10:00:00', 'OverdueTime: "2023-02-29 10:00:00" is not a valid date-time'],
    ['ProductInfo', {}, 'ProductInfo: {} is not an array of {Name, Value}'],
    ['ProductInfo', ['x'], 'ProductInfo[0]: "x" is not an object {Name, Value}'],
    ['ProductInfo', [{ Name: 'a' }], 'ProductInfo[0].Value: missing, but it is required'],
    ['ProductInfo', [{ Name: 'a', Value: 'b' }, { Name: 'a', Value: 1 }], 'ProductInfo[1].Value: 1 is not a string'],
    ['ResourceIds', 'ins-1', 'ResourceIds: "ins-1" is not an array of strings'],
    ['ResourceIds', [1], 'ResourceIds[0]: 1 is not a string'],
    ['RefundMap', {}, 'RefundMap: {} is not an array of {DealName, RefundAmount}'],
    ['RefundMap', [{ DealName: 'x', RefundAmount: '100' }], 'RefundMap[0].RefundAmount: "100" is not an integer'],
    ['RefundMap', [{ RefundAmount: 1 }], 'RefundMap[0].DealName: missing, but it is required'],
    ['TimeSpan', 0, 'TimeSpan: 0 must be a number > 0'],
    ['TimeSpan', '-1', 'TimeSpan: "-1" must be a number > 0'],
    ['TimeSpan', 'abc', 'TimeSpan: "abc" is not a number (a JSON number or a numeric string)'],
    ['TimeSpan', 'Infinity', 'TimeSpan: "Infinity" is not a number'],
    ['Policy', -1, 'Policy: -1 must be ≥ 0'],
    ['Policy', '', 'Policy: "" is not a number'],
    ['Price', 'NaN', 'Price: "NaN" is not a number'],
    ['TotalCost', '1e3', 'TotalCost: "1e3" is not a number'],
    ['Currency', 1, 'Currency: 1 is not a string'],
    ['ProductCode', 1, 'ProductCode: 1 is not a string'],
    ['SubProductCode', 1, 'SubProductCode: 1 is not a string'],
    ['Formula', 1, 'Formula: 1 is not a string'],
    ['RefReturnDeals', [], 'RefReturnDeals: [] is not a string'],
    ['ZoneCode', 5, 'ZoneCode: 5 is not a string'],
  ];
  for (const [field, value, start] of cases) {
    it(`${field} = ${JSON.stringify(value)}`, () => {
      const parsed = parseDealImport(JSON.stringify(withFields({ [field]: value })));
      assert.deepEqual(parsed.records, []);
      assert.equal(parsed.problems.length, 1, JSON.stringify(parsed.problems));
      assert.equal(parsed.problems[0]!.where, 'line 1');
      assert.ok(parsed.problems[0]!.reason.startsWith(start), parsed.problems[0]!.reason);
    });
  }

  it('collects every bad field of one record', () => {
    const parsed = parseDealImport(JSON.stringify(withFields({ Status: '99', GoodsNum: 'x', TimeUnit: 1 })));
    assert.equal(parsed.problems.length, 3);
    assert.ok(parsed.problems.every((p) => p.where === 'line 1'));
  });
});

describe('NDJSON', () => {
  it('numbers lines as an editor does, blank lines included', () => {
    const good = (n: number) => JSON.stringify(withFields({ DealName: `deal-${n}` }));
    const text = [
      good(1), // line 1
      '', // line 2
      JSON.stringify(withFields({ DealName: 'deal-3', Status: '99' })), // line 3
      '   \t', // line 4
      '{"DealName": ', // line 5: not JSON
      '42', // line 6: not an object
      good(7), // line 7
      '[1, 2]', // line 8: an array, not an object
      'null', // line 9
    ].join('\r\n');
    const parsed = parseDealImport(`${text}\n\n`);
    assert.deepEqual(
      parsed.problems.map((p) => p.where),
      ['line 3', 'line 5', 'line 6', 'line 8', 'line 9'],
    );
    assert.match(parsed.problems[1]!.reason, /^not valid JSON \(/);
    assert.equal(parsed.problems[2]!.reason, '42 is not a JSON object');
    assert.equal(parsed.problems[3]!.reason, 'a JSON array inside NDJSON: send either one deal object per line, or one JSON array as the whole input');
    assert.equal(parsed.problems[4]!.reason, 'null is not a JSON object');
    // Good records are still listed; the caller refuses the whole import when problems exist.
    assert.deepEqual(parsed.records.map((r) => r.deal_name), ['deal-1', 'deal-7']);
  });

  it('accepts an empty input and a leading byte-order mark', () => {
    assert.deepEqual(parseDealImport(''), { records: [], problems: [], ignoredFields: [] });
    assert.deepEqual(parseDealImport('\n  \n'), { records: [], problems: [], ignoredFields: [] });
    const parsed = parseDealImport(`\uFEFF${JSON.stringify(MINIMAL)}`);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.records.length, 1);
  });
});

describe('JSON array', () => {
  it('numbers records from 1', () => {
    const text = `  \n[${JSON.stringify(withFields({ DealName: 'a' }))}, 5, ${JSON.stringify(without('Status'))}, "x", ${JSON.stringify(withFields({ DealName: 'b' }))}]`;
    const parsed = parseDealImport(text);
    assert.deepEqual(parsed.problems, [
      { where: 'record 2', reason: '5 is not a JSON object' },
      { where: 'record 3', reason: 'Status: missing, but it is required' },
      { where: 'record 4', reason: '"x" is not a JSON object' },
    ]);
    assert.deepEqual(parsed.records.map((r) => r.deal_name), ['a', 'b']);
  });

  it('reports a broken array once, for the whole input, beside its records’ own problems', () => {
    const parsed = parseDealImport(`[${JSON.stringify(MINIMAL)},`);
    assert.equal(parsed.records.length, 1, 'the elements before the break are read (the import is refused anyway)');
    assert.deepEqual(parsed.problems, [{ where: 'input', reason: 'the JSON array is not valid JSON: the input ends inside it (no closing "]")' }]);
  });

  const structure: Array<[string, string]> = [
    ['[{"a":1},]', 'a comma after record 1 is followed by the end of the array'],
    ['[,{"a":1}]', 'a comma without a record before it (after record 0)'],
    ['[{"a":1},,{"b":2}]', 'a comma without a record before it (after record 1)'],
    ['[{"a":1}] x', 'there is text after the end of the JSON array'],
  ];
  for (const [text, reason] of structure) {
    it(`structure: ${text}`, () => {
      const parsed = parseDealImport(text);
      assert.deepEqual(parsed.problems.filter((p) => p.where === 'input'), [{ where: 'input', reason: `the JSON array is not valid JSON: ${reason}` }]);
    });
  }

  it('two values without a comma between them are one bad record', () => {
    const parsed = parseDealImport('[{"a":1} {"b":2}]');
    assert.deepEqual(parsed.problems.map((p) => p.where), ['record 1']);
    assert.match(parsed.problems[0]!.reason, /^not valid JSON/);
  });

  it('splits only at the array’s own commas: brackets, braces, commas and escaped quotes inside strings and nesting stay in the element', () => {
    const tricky = withFields({ DealName: 'a,]}[{"\\', GoodsName: 'x"],[{', ProductInfo: [{ Name: '[,]', Value: '{,}' }], ResourceIds: ['a', 'b'] });
    const text = `\uFEFF \n[ ${JSON.stringify(tricky)} ,\n${JSON.stringify(withFields({ DealName: 'b' }))}\n]\n`;
    for (const size of [1, 3, 1000]) {
      const problems: string[] = [];
      const reader = new DealImportReader((where, reason) => problems.push(`${where}: ${reason}`));
      const records = [];
      for (let i = 0; i < text.length; i += size) records.push(...reader.write(text.slice(i, i + size)));
      records.push(...reader.end());
      assert.deepEqual(problems, [], `chunks of ${size}`);
      assert.deepEqual(records.map((r) => [r.deal_name, r.goods_name]), [['a,]}[{"\\', 'x"],[{'], ['b', '']]);
    }
  });

  it('reports an overlong element and goes on with the next', () => {
    const huge = withFields({ DealName: 'h', GoodsName: 'x'.repeat(1_100_000) });
    const parsed = parseDealImport(JSON.stringify([withFields({ DealName: 'a' }), huge, withFields({ DealName: 'c' })]));
    assert.deepEqual(parsed.records.map((r) => r.deal_name), ['a', 'c']);
    assert.deepEqual(parsed.problems, [{ where: 'record 2', reason: 'longer than 1048576 characters: not a deal' }]);
  });
});

describe('duplicate DealNames', () => {
  it('flags the second and later occurrences in NDJSON, pointing at the first', () => {
    const a = withFields({ DealName: 'dup' });
    const text = [ndjson(withFields({ DealName: 'other' })), '', ndjson(a), ndjson(a), ndjson(withFields({ DealName: 'dup', Status: '7' }))].join('\n');
    const parsed = parseDealImport(text);
    assert.deepEqual(parsed.problems, [
      { where: 'line 4', reason: 'duplicate DealName, first at line 3 (DealName: "dup")' },
      { where: 'line 5', reason: 'duplicate DealName, first at line 3 (DealName: "dup")' },
    ]);
    assert.deepEqual(parsed.records.map((r) => r.deal_name), ['other', 'dup']);
  });

  it('flags them in arrays by record number', () => {
    const parsed = parseDealImport(JSON.stringify([MINIMAL, withFields({ DealName: 'b' }), MINIMAL]));
    assert.deepEqual(parsed.problems, [
      { where: 'record 3', reason: `duplicate DealName, first at record 1 (DealName: "${MINIMAL.DealName}")` },
    ]);
  });

  it('counts a DealName seen first in an otherwise bad record', () => {
    const parsed = parseDealImport(ndjson(withFields({ DealName: 'x', Status: '99' }), withFields({ DealName: 'x' })));
    assert.deepEqual(parsed.problems.map((p) => p.where), ['line 1', 'line 2']);
    assert.match(parsed.problems[1]!.reason, /^duplicate DealName, first at line 1/);
  });
});

describe('prototype keys and unknown fields', () => {
  it('never reads a field through __proto__', () => {
    // JSON.parse makes "__proto__" an ordinary own key; its contents must not supply Status.
    const text = `{"__proto__": {"Status": "6"}, ${JSON.stringify(without('Status')).slice(1)}`;
    const parsed = parseDealImport(text);
    assert.deepEqual(parsed.problems, [{ where: 'line 1', reason: 'Status: missing, but it is required' }]);
    assert.deepEqual(parsed.ignoredFields, ['__proto__']);
    assert.equal((({}) as Obj).Status, undefined);
  });

  it('ignores inherited properties of objects passed directly', () => {
    const inherited = Object.create({ Status: 6, GoodsPrice: { RealTotalCost: 1, OriginalTotalCost: 1 } }) as Obj;
    Object.assign(inherited, without('Status', without('GoodsPrice')));
    assert.throws(() => dealFromImport(inherited), {
      message: 'Status: missing, but it is required; GoodsPrice: missing, but it is required',
    });
  });

  it('reports constructor, toString and other unknown keys as ignored, sorted and unique', () => {
    const text = ndjson(
      withFields({ DealName: 'a', constructor: 'x', zeta: 1, GoodsPrice: { RealTotalCost: 1, OriginalTotalCost: 1, Tax: 0 } }),
      withFields({ DealName: 'b', toString: 'y', zeta: 2, ProductInfo: [{ Name: 'n', Value: 'v', Unit: 'u' }], RefundMap: [{ DealName: 'a', RefundAmount: 1, Extra: true }] }),
    );
    const parsed = parseDealImport(text);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.ignoredFields, ['GoodsPrice.Tax', 'ProductInfo[].Unit', 'RefundMap[].Extra', 'constructor', 'toString', 'zeta']);
    assert.equal(parsed.records[1]!.product_info, '[{"Name":"n","Value":"v"}]');
  });

  it('handles "__proto__" and "constructor" as DealNames', () => {
    const parsed = parseDealImport(ndjson(withFields({ DealName: '__proto__' }), withFields({ DealName: 'constructor' }), withFields({ DealName: '__proto__' })));
    assert.deepEqual(parsed.records.map((r) => r.deal_name), ['__proto__', 'constructor']);
    assert.deepEqual(parsed.problems, [{ where: 'line 3', reason: 'duplicate DealName, first at line 1 (DealName: "__proto__")' }]);
  });

  it('keeps any DealStatus text as given, and never reports it as ignored', () => {
    const parsed = parseDealImport(JSON.stringify(withFields({ DealStatus: 'bogus' })));
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.ignoredFields, []);
    assert.equal(toAgentDeal(parsed.records[0]!, BINDING).DealStatus, 'bogus');
  });
});

describe('dealFromImport', () => {
  it('returns the record for a good object', () => {
    assert.equal(dealFromImport(structuredClone(MINIMAL)).deal_name, MINIMAL.DealName);
  });

  it('throws every reason of a bad object', () => {
    assert.throws(() => dealFromImport(withFields({ Status: '99', CreatTime: '2025-02-30 00:00:00' })), {
      message:
        'CreatTime: "2025-02-30 00:00:00" is not a valid date-time (YYYY-MM-DD HH:mm:ss); Status: "99" is not a known status (1-13, 30)',
    });
  });

  for (const input of [null, undefined, 'deal', 5, [MINIMAL]]) {
    it(`throws for a non-object: ${JSON.stringify(input) ?? 'undefined'}`, () => {
      assert.throws(() => dealFromImport(input), /is not a JSON object$/);
    });
  }
});

describe('lossless: what an import is given comes back from its view', () => {
  const render = (obj: Obj) => toAgentDeal(importOne(obj), BINDING);

  it('keeps the DealStatus text of either vintage (status 7: 已关单 in one document, 已取消 in the other)', () => {
    for (const text of ['已关单', '已取消']) {
      const record = importOne(withFields({ Status: '7', DealStatus: text }));
      assert.equal(toAgentDeal(record, BINDING).DealStatus, text);
      assert.equal(toAgentDeal(record, BINDING).Status, '7');
      assert.equal(record.status, 7);
    }
    // The label tcdeals itself renders needs nothing kept.
    assert.equal(importOne(withFields({ Status: '7', DealStatus: '已关单' })).verbatim, null);
  });

  it('keeps "" and leading zeros of numeric strings, with the number in the column for filters and billing', () => {
    const record = importOne(withFields({ GoodsCategoryId: '', GoodsNum: '', VoucherDecline: '', PayerMode: '', Status: '04' }));
    const view = toAgentDeal(record, BINDING);
    assert.deepEqual([view.GoodsCategoryId, view.GoodsNum, view.VoucherDecline, view.PayerMode, view.Status], ['', '', '', '', '04']);
    assert.deepEqual([record.goods_category_id, record.goods_num, record.voucher_decline, record.payer_mode, record.status], [0, 1, 0, 0, 4]);
    const billing = toBillingDeal(record, true);
    assert.deepEqual([billing.GoodsCategoryId, billing.VoucherDecline, billing.Status], [0, 0, 4]);
    assert.equal(toAgentDeal(importOne(withFields({ GoodsCategoryId: '007' })), BINDING).GoodsCategoryId, '007');
  });

  it('keeps null lists as null in partners (and [] in billing)', () => {
    const record = importOne(withFields({ ProductInfo: null, ResourceIds: null, RefundMap: null }));
    const view = toAgentDeal(record, BINDING);
    assert.deepEqual([view.ProductInfo, view.ResourceIds, view.RefundMap], [null, null, null]);
    assert.deepEqual([record.product_info, record.resource_ids, record.refund_map], ['[]', '[]', '[]']);
    assert.deepEqual(toBillingDeal(record, true).ResourceId, []);
    // An empty list stays an empty list.
    assert.deepEqual(render(withFields({ ResourceIds: [], RefundMap: [] })).ResourceIds, []);
  });

  it('keeps texts outside the documented lists as given', () => {
    const record = importOne(
      withFields({ ActionType: 'buy', PayMode: '1', TimeUnit: 'w', ClientType: 'vip', ProjectType: 'other', PayEndTime: '0000-00-00 00:00:00', OverdueTime: '0000-00-00 00:00:00' }),
    );
    const view = toAgentDeal(record, BINDING);
    assert.deepEqual([view.ActionType, view.ClientType, view.ProjectType, view.PayEndTime, view.OverdueTime], ['buy', 'vip', 'other', '0000-00-00 00:00:00', '0000-00-00 00:00:00']);
    const billing = toBillingDeal(record, true);
    assert.deepEqual([billing.Action, billing.PayMode, billing.TimeUnit], ['buy', '1', 'w']);
  });

  it('a deal with every kept field renders byte for byte as imported', () => {
    // In the order tcdeals renders an element (what a sync of it writes).
    const rendered = toAgentDeal(dealFromImport(structuredClone(OFFICIAL_DEAL)), BINDING);
    const given = { ...rendered, Status: '7', DealStatus: '已取消', GoodsNum: '', ResourceIds: null, ProductInfo: null } as Obj;
    const parsed = parseDealImport(JSON.stringify(given));
    assert.deepEqual(parsed.problems, []);
    assert.equal(JSON.stringify(toAgentDeal(parsed.records[0]!, BINDING)), JSON.stringify(given));
  });
});

describe('billing-shaped deals (a DescribeDealsByCond Deal)', () => {
  /** The deal of the official DescribeDealsByCond 输出示例, in the order tcdeals renders a Deal. */
  const OFFICIAL_BILLING = {
    OrderId: '20220214710000851640811', Status: 4, Payer: '1007416710', CreateTime: '2020-09-22 00:00:00', Creator: '1007416710',
    RealTotalCost: 17000, VoucherDecline: 0, ProjectId: 0, GoodsCategoryId: 100019, ProductInfo: [{ Name: '规格名称', Value: '规格值' }],
    TimeSpan: 1, TimeUnit: 'm', Currency: 'CNY', Policy: 100, Price: 0, TotalCost: 0, ProductCode: 'p_abc', SubProductCode: 'sp_abc',
    BigDealId: '20220214710000851640801', Formula: '退款：xxxxx元，代金券不退（xxxxxxxx', RefReturnDeals: '', PayMode: '1', Action: 'purchase',
    ProductName: 'xx商品', SubProductName: 'xx商品', ResourceId: ['ins-abscde'],
  };

  it('comes back from billing byte for byte, owned by the import’s owner', () => {
    const parsed = parseDealImport(JSON.stringify(OFFICIAL_BILLING), { owner: '1007416710' });
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.ignoredFields, []);
    const record = parsed.records[0]!;
    assert.equal(record.owner_uin, '1007416710');
    assert.equal(JSON.stringify(toBillingDeal(record, true)), JSON.stringify(OFFICIAL_BILLING));
  });

  it('derives the partners fields', () => {
    const record = dealFromImport({ ...OFFICIAL_BILLING, Payer: '200000000001', Status: 1 }, { owner: '1007416710' });
    const view = toAgentDeal(record, BINDING);
    assert.equal(view.DealName, OFFICIAL_BILLING.OrderId);
    assert.equal(view.PayerMode, '1', 'paid by another account: by its agent');
    assert.equal(view.DealStatus, '未支付');
    assert.equal(view.OverdueTime, '2020-10-07 00:00:00', 'unpaid deals lapse after 15 days');
    assert.equal(view.PaymentMethod, '按月:1个月');
    assert.deepEqual(view.ResourceIds, ['ins-abscde']);
    assert.equal(view.ClientType, 'old', 'the relation comes from the binding');
  });

  it('needs an owner: from the import, or its own OwnerUin', () => {
    const parsed = parseDealImport(JSON.stringify(OFFICIAL_BILLING));
    assert.equal(parsed.records.length, 0);
    assert.match(parsed.problems[0]!.reason, /^OwnerUin: a billing Deal \(OrderId, no DealName\) does not name its owner/);
    assert.equal(dealFromImport({ ...OFFICIAL_BILLING, OwnerUin: '100000000009' }, { owner: '1007416710' }).owner_uin, '100000000009');
  });

  it('checks the billing kinds', () => {
    const parsed = parseDealImport(JSON.stringify({ ...OFFICIAL_BILLING, Status: 99, RealTotalCost: '17000', CreateTime: '2020-02-30 00:00:00', Bogus: 1 }), { owner: '1' });
    assert.deepEqual(parsed.problems.map((p) => p.reason.split(':')[0]), ['CreateTime', 'Status', 'RealTotalCost']);
    assert.deepEqual(parsed.ignoredFields, ['Bogus']);
  });

  it('a refund links to the deal it names in RefReturnDeals', () => {
    const record = dealFromImport({ ...OFFICIAL_BILLING, Action: 'refund', RealTotalCost: -500, RefReturnDeals: '20220214710000851640000', Status: 6 }, { owner: '1' });
    assert.deepEqual(JSON.parse(record.refund_map), [{ DealName: '20220214710000851640000', RefundAmount: 500 }]);
  });
});

describe('reading as the input streams', () => {
  it('gives the same records and problems whatever the chunks', () => {
    const text = [ndjson(withFields({ DealName: 'a' })), '{"bad', ndjson(withFields({ DealName: 'b', Status: '7', DealStatus: '已取消' })), ndjson(withFields({ DealName: 'a' }))].join('\r\n');
    const whole = parseDealImport(text);
    for (const size of [1, 2, 7, 64]) {
      const problems: Array<{ where: string; reason: string }> = [];
      const reader = new DealImportReader((where, reason) => problems.push({ where, reason }));
      const records = [];
      for (let i = 0; i < text.length; i += size) records.push(...reader.write(text.slice(i, i + size)));
      records.push(...reader.end());
      assert.deepEqual(records, whole.records, `chunks of ${size}`);
      assert.deepEqual(problems, whole.problems, `chunks of ${size}`);
    }
  });

  it('reports an overlong NDJSON line once, without holding it, and goes on', () => {
    const problems: string[] = [];
    const reader = new DealImportReader((where, reason) => problems.push(`${where}: ${reason}`));
    const out = reader.write(`${JSON.stringify(withFields({ DealName: 'a' }))}\n{"DealName":"`);
    for (let i = 0; i < 20; i++) out.push(...reader.write('x'.repeat(100_000)));
    out.push(...reader.write(`"}\n${JSON.stringify(withFields({ DealName: 'c' }))}`), ...reader.end());
    assert.deepEqual(out.map((r) => r.deal_name), ['a', 'c']);
    assert.deepEqual(problems, ['line 2: longer than 1048576 characters: not a deal (NDJSON holds one deal a line)']);
  });
});
