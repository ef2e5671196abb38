/**
 * The bulk loader writes exactly what the normal path writes — accounts, keys, bindings, deals,
 * resource-id rows, partners cache rows (bodies byte for byte), positions bookkeeping, the
 * pending queue under a cache lag, the cache timestamp — into an empty store and into one that
 * already holds data (upserts, re-bindings); and a failure anywhere leaves nothing behind.
 * On SQLite and on PostgreSQL (skipped by name without TEST_DATABASE_URL).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { DealRecord } from '../../src/domain/deal.js';
import { generate, type GeneratedDataset } from '../../src/domain/generator.js';
import { toAgentDeal } from '../../src/domain/views.js';
import { agentDealJson } from '../../src/store/bulk-load.js';
import { Store, type Binding } from '../../src/store/store.js';
import { forEachBackend, type TestBackend } from '../helpers/backends.js';

const NOW = Date.UTC(2026, 10, 24, 3, 0, 0);
const KEYS = {
  agent: { SecretId: 'AKIDbulkLoadAgent0000000000000000001', SecretKey: 'bulkLoadAgentSecretKey0000000001' },
  client: { SecretId: 'AKIDbulkLoadClient000000000000000001', SecretKey: 'bulkLoadClientSecretKey000000001' },
};

function dataset(deals = 3000, seed = 5): GeneratedDataset {
  return generate({ agents: 2, clients: 6, deals, seed, anchorMs: NOW, batchSize: 700, keys: KEYS });
}

function flat(data: GeneratedDataset): DealRecord[] {
  const out: DealRecord[] = [];
  for (const batch of data.deals) out.push(...batch);
  return out;
}

/** The normal path, one call at a time (as applyDataset does). */
async function loadNormally(store: Store, data: { accounts: GeneratedDataset['accounts']; bindings: Binding[]; deals: DealRecord[] }): Promise<void> {
  for (const a of data.accounts) {
    if (!(await store.getAccount(a.uin))) await store.createAccount({ uin: a.uin, appId: a.appId, isAgent: a.isAgent });
    if (a.key && !(await store.findKey(a.key.SecretId))) await store.createKey(a.uin, a.key);
  }
  await store.upsertDeals(data.deals);
  for (const b of data.bindings) await store.bindClient(b);
}

const TABLES: Record<string, string[]> = {
  accounts: ['uin'],
  api_keys: ['secret_id'],
  agent_clients: ['client_uin'],
  deals: ['deal_name'],
  deal_resources: ['resource_id', 'deal_name'],
  agent_deal_cache: ['deal_name'],
  agent_cache_order: ['agent_uin'],
  agent_cache_pending: ['kind', 'key'],
  meta: ['key'],
};

async function dump(store: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, keys] of Object.entries(TABLES)) {
    let q = store.db.selectFrom(table as 'deals').selectAll();
    for (const k of keys) q = q.orderBy(k as 'deal_name');
    out[table] = await q.execute();
  }
  return out;
}

/** Stage two: changes to existing deals (status, pay mode, resources, owner), new deals, a re-binding and a new binding. */
function stageTwo(first: DealRecord[], data: GeneratedDataset): { bindings: Binding[]; deals: DealRecord[] } {
  const changed = first.filter((_, i) => i % 10 === 3).map((d, i): DealRecord => {
    switch (i % 4) {
      case 0:
        return { ...d, status: 7, update_time: '2026-11-23 10:00:00' };
      case 1:
        return { ...d, pay_mode: d.pay_mode === 'prePay' ? 'postPay' : 'prePay' };
      case 2:
        return { ...d, resource_ids: JSON.stringify(['ins-moved001', 'ins-moved002', 'ins-moved001']) };
      default:
        return { ...d, owner_uin: '110000000001', client_remark: '快照备注' };
    }
  });
  const fresh = flat(dataset(600, 99)).map((d) => ({ ...d, deal_name: `S2-${d.deal_name}` }));
  const moved = data.bindings.find((b) => b.clientUin === '100000000002')!;
  return {
    bindings: [
      { ...moved, agentUin: '200000000002', clientType: 'assign', clientRemark: '转移客户' },
      { agentUin: '200000000001', clientUin: '110000000001', clientType: 'direct', projectType: 'self', salesUin: '0', clientRemark: '新绑定' },
    ],
    deals: [...changed, ...fresh],
  };
}

/**
 * Table by table, row by row: the first difference is reported on its own, not as two huge dumps.
 * A cache row's `pos` is left out: positions are derived (the normal path keeps a re-rendered
 * row's position, a bulk load ranks its agent again), and agent-positions.test.ts checks that
 * the answers are the same either way.
 */
function assertSameRows(actual: Record<string, unknown[]>, expected: Record<string, unknown[]>): void {
  const withoutPos = (row: unknown) => {
    if (typeof row !== 'object' || row === null || !('pos' in row)) return row;
    const { pos: _, ...rest } = row as Record<string, unknown>;
    return rest;
  };
  for (const table of Object.keys(TABLES)) {
    const a = actual[table]!;
    const e = expected[table]!;
    for (let i = 0; i < Math.max(a.length, e.length); i++) assert.deepStrictEqual(withoutPos(a[i]), withoutPos(e[i]), `${table} row ${i} of ${e.length}`);
  }
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function indexNames(store: Store): Promise<string[]> {
  if (store.kind === 'sqlite') {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'index' order by name`.execute(store.db);
    return rows.map((r) => r.name);
  }
  const { rows } = await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() order by indexname`.execute(store.db);
  return rows.map((r) => r.name);
}

forEachBackend((backend: TestBackend) => {
  const opened: Array<{ store: Store; drop: () => Promise<void> }> = [];
  async function open(): Promise<Store> {
    const database = await backend.create();
    const store = await Store.open(database.url, { now: () => NOW });
    opened.push({ store, drop: database.drop });
    return store;
  }
  after(async () => {
    for (const { store, drop } of opened) {
      await store.close();
      await drop();
    }
  });

  const data = dataset();
  const deals = flat(data);

  let normal: Store;
  let bulk: Store;
  before(async () => {
    normal = await open();
    bulk = await open();
  });

  test('into an empty store: the same rows as the normal path', async () => {
    await loadNormally(normal, { accounts: data.accounts, bindings: data.bindings, deals });
    const result = await bulk.bulkLoad({ accounts: data.accounts, bindings: data.bindings, deals: data.deals });
    assert.equal(result.fresh, true);
    assert.equal(result.deals, deals.length);
    assert.equal(result.accountsCreated, data.accounts.length);
    assert.equal(result.keysCreated, 2);
    assert.equal(result.bindings, data.bindings.length);
    const expected = await dump(normal);
    assert.ok((expected.agent_deal_cache?.length ?? 0) > 1000, 'the cache has rows to compare');
    assert.equal(result.cacheRows, expected.agent_deal_cache!.length);
    assertSameRows(await dump(bulk), expected);
    assert.deepEqual(await indexNames(bulk), await indexNames(normal), 'the indexes dropped for the load are back');
  });

  test('into a store with data: upserts, re-bindings and new bindings, the same rows as the normal path', async () => {
    // Positions computed first, so that their bookkeeping is compared too.
    await normal.recomputeAllPositions();
    await bulk.recomputeAllPositions();
    const two = stageTwo(deals, data);
    await normal.upsertDeals(two.deals);
    for (const b of two.bindings) await normal.bindClient(b);
    const result = await bulk.bulkLoad({ bindings: two.bindings, deals: batches(two.deals, 250) });
    assert.equal(result.fresh, false);
    assert.equal(result.deals, two.deals.length);
    assertSameRows(await dump(bulk), await dump(normal));
  });

  test('with a partners cache lag: the same queue of pending changes', async () => {
    const [a, b] = [await open(), await open()];
    a.cacheLagMs = 5000;
    b.cacheLagMs = 5000;
    const small = dataset(400, 11);
    await loadNormally(a, { accounts: small.accounts, bindings: small.bindings, deals: flat(small) });
    await b.bulkLoad({ accounts: small.accounts, bindings: small.bindings, deals: small.deals });
    const expected = await dump(a);
    assert.ok(expected.agent_cache_pending!.length > 100);
    assertSameRows(await dump(b), expected);
  });

  test('a bad deal anywhere: nothing is written, indexes included', async () => {
    const store = await open();
    const indexes = await indexNames(store);
    const small = dataset(900, 12);
    const all = flat(small);
    all[700] = { ...all[700]!, goods_name: 'bad\u0000name' };
    await assert.rejects(
      store.bulkLoad({ accounts: small.accounts, bindings: small.bindings, deals: batches(all, 300) }),
      /goods_name contains the character U\+0000/,
    );
    const empty = await dump(store);
    for (const t of ['accounts', 'api_keys', 'agent_clients', 'deals', 'deal_resources', 'agent_deal_cache']) assert.equal(empty[t]!.length, 0, t);
    assert.deepEqual(await indexNames(store), indexes);

    // A DealName twice in one load.
    const twice = flat(dataset(300, 13));
    await assert.rejects(store.bulkLoad({ accounts: small.accounts, deals: [twice.slice(0, 200), [twice[5]!]] }));
    assert.equal((await dump(store)).deals!.length, 0);
    assert.deepEqual(await indexNames(store), indexes);
  });

  test('odd text survives exactly: tabs, newlines, backslashes, a literal \\N, quotes, emoji (COPY and INSERT paths)', async () => {
    const small = dataset(120, 31);
    const odd = ['tab\there', 'line\nbreak', 'cr\rhere', 'back\\slash', '\\N', '\\.', '"quoted"', '😀 中文', 'end\\', ' '];
    const deals = flat(small).map((d, i) => {
      const s = odd[i % odd.length]!;
      return {
        ...d,
        goods_name: `${d.goods_name}${s}`,
        formula: s,
        client_remark: i % 3 === 0 ? s : null,
        zone_code: i % 4 === 0 ? '\\N' : d.zone_code,
        product_info: JSON.stringify([{ Name: s, Value: `v${s}` }]),
        resource_ids: JSON.stringify([`ins-${i}`, s]),
      };
    });
    const input = { accounts: small.accounts, bindings: small.bindings, deals };
    const reference = await open();
    await loadNormally(reference, input);
    const expected = await dump(reference);
    // Top level (COPY on PostgreSQL), and inside a caller's transaction (INSERTs).
    const top = await open();
    await top.bulkLoad({ ...input, deals: [deals] });
    assertSameRows(await dump(top), expected);
    const nested = await open();
    await nested.exclusive('test', (tx) => tx.bulkLoad({ ...input, deals: batches(deals, 50) }));
    assertSameRows(await dump(nested), expected);
  });

  test('bindings are checked as bindClient checks them', async () => {
    const store = await open();
    await store.bulkLoad({ accounts: [{ uin: '900000000001', isAgent: true }, { uin: '900000000002' }] });
    const b: Binding = { agentUin: '900000000001', clientUin: '900000000002', clientType: 'new', projectType: 'self', salesUin: '0', clientRemark: '' };
    await assert.rejects(store.bulkLoad({ bindings: [{ ...b, agentUin: '900000000009' }] }), /Agent account 900000000009 does not exist/);
    await assert.rejects(store.bulkLoad({ bindings: [{ ...b, agentUin: '900000000002', clientUin: '900000000001' }] }), /is not an agent/);
    await assert.rejects(store.bulkLoad({ bindings: [{ ...b, clientUin: '900000000008' }] }), /Client account 900000000008 does not exist/);
    await assert.rejects(store.bulkLoad({ bindings: [{ ...b, salesUin: 'x' }] }), /Sales UIN/);
    await assert.rejects(store.bulkLoad({ accounts: [{ uin: 'abc' }] }), /UIN "abc" is not valid/);
    assert.equal((await store.bulkLoad({ bindings: [b, { ...b, clientType: 'old' }] })).bindings, 1);
    const row = await store.db.selectFrom('agent_clients').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.client_type, 'old', 'the last binding of a client wins');
  });
});

test('the fast cache-body renderer gives exactly JSON.stringify(toAgentDeal(…))', () => {
  const base = flat(dataset(200, 21));
  const odd = ['"quoted" \\ back\\slash', 'ctl \u0001\u0007\b\f\n\r\t\u001f end', 'line\u2028sep\u2029', '😀 emoji 中文', 'lone \ud800 surrogate', '</script>', ''];
  const relations = [
    { client_type: 'new', project_type: 'self', sales_uin: '0', client_remark: '' },
    { client_type: 'direct_newopp', project_type: 'platform', sales_uin: '300000000101', client_remark: odd[0]! },
  ];
  const cases: DealRecord[] = [...base];
  odd.forEach((s, i) => {
    const d = base[i]!;
    cases.push({
      ...d,
      goods_name: s,
      sub_goods_name: s,
      deal_id: s,
      creator: s,
      formula: s,
      payment_method: s,
      client_remark: i % 2 ? s : null,
      client_type: i % 3 ? 'old' : null,
      product_info: JSON.stringify([{ Name: s, Value: s }]),
      resource_ids: JSON.stringify([s, 'ins-1']),
      refund_map: JSON.stringify([{ DealName: s, RefundAmount: 12 }]),
      real_total_cost: i % 2 ? -0 : -1234,
      status: i % 2 ? 99 : 13,
    });
  });
  // JSON columns written by something else than JSON.stringify (spaces, escapes) come out normalized.
  cases.push({ ...base[0]!, product_info: '[ {"Name" : "\\u4e2d", "Value": "a\\/b"} ]', refund_map: '[ ]', resource_ids: '[ "x" ]' });
  for (const d of cases) for (const b of relations) assert.equal(agentDealJson(d, b), JSON.stringify(toAgentDeal(d, b)));
});
