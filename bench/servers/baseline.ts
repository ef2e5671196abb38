/**
 * The bare baseline: node:http plus better-sqlite3 prepared statements answering the same
 * queries with the same JSON — no framework, no signature check, no parameter validation. It
 * shows what the storage engine alone costs, so tcdeals' overhead is visible as a ratio.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import { toBillingDeal } from '../../src/domain/views.js';
import type { DealRecord } from '../../src/domain/deal.js';

const db = new BetterSqlite3(process.argv[2]!, { readonly: true });
const billingCount = db.prepare('select count(*) n from deals where owner_uin = ? and create_time >= ? and create_time <= ? and status = ?');
const billingPage = db.prepare('select * from deals where owner_uin = ? and create_time >= ? and create_time <= ? and status = ? order by create_time desc, deal_name desc limit ? offset ?');
const key = db.prepare('select uin from api_keys where secret_id = ?');

const prepared = new Map<string, BetterSqlite3.Statement>();
const prepare = (sql: string) => {
  let st = prepared.get(sql);
  if (!st) prepared.set(sql, (st = db.prepare(sql)));
  return st;
};

function agentQuery(p: Record<string, unknown>) {
  const where = ['agent_uin = ?'];
  const args: unknown[] = [];
  if (p.Status !== undefined) (where.push('status = ?'), args.push(Number(p.Status)));
  const owners = (p.OwnerUins as string[] | undefined) ?? [];
  if (owners.length) (where.push(`owner_uin in (${owners.map(() => '?').join(',')})`), args.push(...owners));
  const dir = Number(p.Order ?? 0) === 0 ? 'desc' : 'asc';
  const w = where.join(' and ');
  return {
    count: prepare(`select count(*) n from agent_deal_cache where ${w}`),
    page: prepare(`select body from agent_deal_cache where ${w} order by create_time ${dir}, deal_name ${dir} limit ? offset ?`),
    args,
  };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const p = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
    const secretId = /Credential=([^/]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const uin = (key.get(secretId) as { uin: string } | undefined)?.uin ?? '';
    let body: string;
    if (req.headers['x-tc-action'] === 'DescribeDealsByCond') {
      const status = Number(p.Status ?? 4);
      const total = (billingCount.get(uin, p.StartTime, p.EndTime, status) as { n: number }).n;
      const rows = billingPage.all(uin, p.StartTime, p.EndTime, status, Number(p.Limit), Number(p.Offset ?? 0)) as DealRecord[];
      body = JSON.stringify({ Response: { Deals: rows.map((d) => toBillingDeal(d, Number(p.Limit) <= 200)), TotalCount: total, RequestId: randomUUID() } });
    } else {
      const q = agentQuery(p);
      const total = (q.count.get(uin, ...q.args) as { n: number }).n;
      const rows = q.page.all(uin, ...q.args, Number(p.Limit), Number(p.Offset)) as Array<{ body: string }>;
      body = `{"Response":{"AgentDealSet":[${rows.map((r) => r.body).join(',')}],"TotalCount":${total},"RequestId":"${randomUUID()}"}}`;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
