/**
 * The bare baseline on PostgreSQL: node:http plus node-postgres named (server-side prepared)
 * statements on a pool of the same size as tcdeals' default, answering the same queries with the
 * same JSON — no framework, no signature check, no parameter validation. Plain JavaScript.
 * Usage: node bench/servers/baseline-pg.mjs URL PORT
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { toBillingDeal } from '../../dist/domain/views.js';
import { DEFAULT_POOL_SIZE } from '../../dist/store/postgres.js';

pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
const pool = new pg.Pool({ connectionString: process.argv[2], max: DEFAULT_POOL_SIZE });

/** Statement names are the SQL's hash: PostgreSQL cuts names at 63 bytes. */
async function query(text, values) {
  const name = createHash('sha1').update(text).digest('hex');
  return (await pool.query({ name, text, values })).rows;
}

function agentQuery(p, uin) {
  const where = ['agent_uin = $1'];
  const args = [uin];
  if (p.Status !== undefined) (args.push(Number(p.Status)), where.push(`status = $${args.length}`));
  if (p.PayerMode !== undefined) (args.push(Number(p.PayerMode)), where.push(`payer_mode = $${args.length}`));
  const owners = p.OwnerUins ?? [];
  if (owners.length) (args.push(owners), where.push(`owner_uin = any($${args.length}::text[])`));
  const dir = Number(p.Order ?? 0) === 0 ? 'desc' : 'asc';
  const w = where.join(' and ');
  const n = args.length;
  return {
    count: { text: `select count(*) n from agent_deal_cache where ${w}`, args },
    page: { text: `select body from agent_deal_cache where ${w} order by create_time ${dir}, deal_name ${dir} limit $${n + 1} offset $${n + 2}`, args: [...args, Number(p.Limit), Number(p.Offset)] },
  };
}

async function answer(action, authorization, p) {
  const secretId = /Credential=([^/]+)/.exec(authorization)?.[1] ?? '';
  const uin = (await query('select uin from api_keys where secret_id = $1', [secretId]))[0]?.uin ?? '';
  if (action === 'DescribeDealsByCond') {
    const status = Number(p.Status ?? 4);
    const where = 'owner_uin = $1 and create_time >= $2 and create_time <= $3 and status = $4';
    const count = await query(`select count(*) n from deals where ${where}`, [uin, p.StartTime, p.EndTime, status]);
    const rows = await query(`select * from deals where ${where} order by create_time desc, deal_name desc limit $5 offset $6`, [uin, p.StartTime, p.EndTime, status, Number(p.Limit), Number(p.Offset ?? 0)]);
    return JSON.stringify({ Response: { Deals: rows.map((d) => toBillingDeal(d, Number(p.Limit) <= 200)), TotalCount: count[0].n, RequestId: randomUUID() } });
  }
  const q = agentQuery(p, uin);
  const count = await query(q.count.text, q.count.args);
  const rows = await query(q.page.text, q.page.args);
  return `{"Response":{"AgentDealSet":[${rows.map((r) => r.body).join(',')}],"TotalCount":${count[0].n},"RequestId":"${randomUUID()}"}}`;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const p = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    answer(req.headers['x-tc-action'], req.headers.authorization ?? '', p).then(
      (body) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end(body)),
      (err) => (res.writeHead(500), res.end(err.message)),
    );
  });
});
server.listen(Number(process.argv[3]), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
