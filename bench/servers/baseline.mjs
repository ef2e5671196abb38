/**
 * The bare baseline: node:http plus better-sqlite3 prepared statements answering the same
 * queries with the same JSON — no framework, no signature check, no parameter validation. It
 * shows what the storage engine alone costs, so tcdeals' overhead is visible as a ratio. Plain
 * JavaScript, run by node itself like `tcdeals serve` (no TypeScript loader in either process).
 * Usage: node bench/servers/baseline.mjs DB PORT
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import { toBillingDeal } from '../../dist/domain/views.js';

const db = new BetterSqlite3(process.argv[2], { readonly: true });
const billingCount = db.prepare('select count(*) n from deals where owner_uin = ? and create_time >= ? and create_time <= ? and status = ?');
const billingPage = db.prepare('select * from deals where owner_uin = ? and create_time >= ? and create_time <= ? and status = ? order by create_time desc, deal_name desc limit ? offset ?');
const key = db.prepare('select uin from api_keys where secret_id = ?');

const prepared = new Map();
const prepare = (sql) => {
  let st = prepared.get(sql);
  if (!st) prepared.set(sql, (st = db.prepare(sql)));
  return st;
};

function agentQuery(p) {
  const where = ['agent_uin = ?'];
  const args = [];
  if (p.Status !== undefined) (where.push('status = ?'), args.push(Number(p.Status)));
  if (p.PayerMode !== undefined) (where.push('payer_mode = ?'), args.push(Number(p.PayerMode)));
  const owners = p.OwnerUins ?? [];
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
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const p = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const secretId = /Credential=([^/]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const uin = key.get(secretId)?.uin ?? '';
    let body;
    if (req.headers['x-tc-action'] === 'DescribeDealsByCond') {
      const status = Number(p.Status ?? 4);
      const total = billingCount.get(uin, p.StartTime, p.EndTime, status).n;
      const rows = billingPage.all(uin, p.StartTime, p.EndTime, status, Number(p.Limit), Number(p.Offset ?? 0));
      body = JSON.stringify({ Response: { Deals: rows.map((d) => toBillingDeal(d, Number(p.Limit) <= 200)), TotalCount: total, RequestId: randomUUID() } });
    } else {
      const q = agentQuery(p);
      const total = q.count.get(uin, ...q.args).n;
      const rows = q.page.all(uin, ...q.args, Number(p.Limit), Number(p.Offset));
      body = `{"Response":{"AgentDealSet":[${rows.map((r) => r.body).join(',')}],"TotalCount":${total},"RequestId":"${randomUUID()}"}}`;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
});
server.listen(Number(process.argv[3]), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
