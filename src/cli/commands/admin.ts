/**
 * `tcdeals admin <subcommand>`: the admin HTTP API of a running server, from a shell or CI.
 * `--endpoint` (env TCDEALS_ENDPOINT, default http://127.0.0.1:8080) and `--token` (env
 * TCDEALS_ADMIN_TOKEN) name the server; answers print as pretty JSON, or as one short line for
 * changes (`--json` prints the server's answer instead).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { CLIENT_TYPES, PROJECT_TYPES } from '../../domain/deal.js';
import { SIGNATURE_MODES } from '../../sandbox/sandbox.js';
import { print } from '../options.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

interface Globals {
  endpoint: string;
  token?: string;
  json: boolean;
}

/** An admin API refusal, printed by the launcher as `tcdeals: [Code] message`. */
export class AdminCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function globals(cmd: Command): Globals {
  const o = cmd.optsWithGlobals() as Globals;
  // Read here rather than as the option's default, so `--help` never prints the token.
  return { ...o, token: o.token || process.env.TCDEALS_ADMIN_TOKEN || undefined };
}

function baseUrl(g: Globals): string {
  const e = g.endpoint.includes('://') ? g.endpoint : `http://${g.endpoint}`;
  return `${e.replace(/\/+$/, '')}/_tcdeals/admin`;
}

interface RequestOptions {
  json?: unknown;
  /** A streamed body (file or stdin), sent as NDJSON. */
  stream?: Readable;
  query?: Record<string, string | number | undefined>;
}

async function call(g: Globals, method: string, path: string, o: RequestOptions = {}): Promise<Response> {
  if (!g.token) throw new Error('no admin token: set TCDEALS_ADMIN_TOKEN or pass --token (the token the server was started with, e.g. serve --admin-token)');
  const url = new URL(`${baseUrl(g)}${path}`);
  for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { authorization: `Bearer ${g.token}` };
  let body: RequestInit['body'];
  if (o.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(o.json);
  } else if (o.stream) {
    headers['content-type'] = 'application/x-ndjson';
    body = Readable.toWeb(o.stream) as unknown as RequestInit['body'];
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, ...(o.stream ? { duplex: 'half' } : {}) } as RequestInit);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach the tcdeals admin API at ${url.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (res.ok) return res;
  const text = await res.text();
  let error: { code?: string; message?: string; problems?: Array<{ where: string; reason: string }>; problemCount?: number } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    // not JSON: reported below as it is
  }
  if (error?.problems?.length) {
    for (const p of error.problems.slice(0, 50)) process.stderr.write(`${p.where}: ${p.reason}\n`);
    const total = error.problemCount ?? error.problems.length;
    if (total > 50) process.stderr.write(`… and ${total - 50} more\n`);
  }
  if (!error?.message && res.status === 200) throw new Error(`unexpected answer from ${url.origin}: ${text.slice(0, 200)}`);
  throw new AdminCallError(error?.code ?? `HTTP${res.status}`, error?.message ?? `HTTP ${res.status}: ${text.slice(0, 200)}`, res.status);
}

async function callJson(g: Globals, method: string, path: string, o: RequestOptions = {}): Promise<any> {
  const res = await call(g, method, path, o);
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the server at ${g.endpoint} did not answer JSON (is it a tcdeals server?): ${text.slice(0, 200)}`);
  }
}

/** Pretty JSON, or the short line unless `--json`. */
function show(g: Globals, answer: unknown, line?: string): void {
  print(line !== undefined && !g.json ? line : JSON.stringify(answer, null, 2));
}

async function download(res: Response, file: string | undefined): Promise<void> {
  if (!res.body) return;
  const source = Readable.fromWeb(res.body as never);
  if (file === undefined || file === '-') await pipeline(source, process.stdout, { end: false });
  else await pipeline(source, createWriteStream(file));
}

function upload(file: string): Readable {
  return file === '-' ? process.stdin : createReadStream(file);
}

function uinArg(name: string) {
  return (v: string): string => {
    if (!/^\d{1,20}$/.test(v)) throw new Error(`${name} must be a UIN (1-20 digits), got ${JSON.stringify(v)}`);
    return v;
  };
}

function intArg(name: string, min = 0) {
  return (v: string): number => {
    if (!/^-?\d+$/.test(v) || Number(v) < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return Number(v);
  };
}

function numberArg(name: string) {
  return (v: string): number => {
    if (!/^\d+(\.\d+)?$/.test(v)) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`);
    return Number(v);
  };
}

export function adminCommand(): Command {
  const admin = new Command('admin')
    .description('control a running server through its admin API (sandbox: accounts, data, journal, faults, clock, …)')
    .option('--endpoint <url>', 'the server (env TCDEALS_ENDPOINT)', process.env.TCDEALS_ENDPOINT || DEFAULT_ENDPOINT)
    .option('--token <token>', 'the admin token the server was started with (env TCDEALS_ADMIN_TOKEN)')
    .option('--json', "print the server's JSON answer instead of a short line", false);

  // accounts, keys, clients
  const accounts = admin.command('accounts').description('accounts (callers)');
  accounts
    .command('create')
    .description('create an account')
    .requiredOption('--uin <uin>', 'account UIN', uinArg('--uin'))
    .option('--app-id <appId>', 'AppId (default: derived from the UIN)', uinArg('--app-id'))
    .option('--agent', 'the account is an agent (reseller)', false)
    .action(async (o: { uin: string; appId?: string; agent: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const a = await callJson(g, 'POST', '/accounts', { json: { Uin: o.uin, ...(o.appId ? { AppId: o.appId } : {}), Agent: o.agent } });
      show(g, a, `created ${a.Agent ? 'agent' : 'account'} ${a.Uin} (AppId ${a.AppId})`);
    });
  accounts
    .command('list')
    .description('list every account')
    .action(async (_o: unknown, cmd: Command) => show(globals(cmd), await callJson(globals(cmd), 'GET', '/accounts')));
  accounts
    .command('show')
    .description('one account: its SecretIds, binding, clients and deal count')
    .argument('<uin>', 'account UIN', uinArg('UIN'))
    .action(async (uin: string, _o: unknown, cmd: Command) => show(globals(cmd), await callJson(globals(cmd), 'GET', `/accounts/${uin}`)));

  const keys = admin.command('keys').description('API keys');
  keys
    .command('create')
    .description('create a key pair; prints {"SecretId","SecretKey"} (the key is shown once)')
    .requiredOption('--uin <uin>', 'account UIN', uinArg('--uin'))
    .option('--secret-id <id>', 'install this SecretId (with --secret-key) instead of a random pair')
    .option('--secret-key <key>', 'the SecretKey for --secret-id')
    .action(async (o: { uin: string; secretId?: string; secretKey?: string }, cmd: Command) => {
      if ((o.secretId === undefined) !== (o.secretKey === undefined)) throw new Error('--secret-id and --secret-key go together');
      const body = o.secretId !== undefined ? { SecretId: o.secretId, SecretKey: o.secretKey } : {};
      const k = await callJson(globals(cmd), 'POST', `/accounts/${o.uin}/keys`, { json: body });
      print(JSON.stringify({ SecretId: k.SecretId, SecretKey: k.SecretKey }, null, 2));
    });
  keys
    .command('list')
    .description("an account's SecretIds (never the keys), one a line")
    .requiredOption('--uin <uin>', 'account UIN', uinArg('--uin'))
    .action(async (o: { uin: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await callJson(g, 'GET', `/accounts/${o.uin}/keys`);
      show(g, r, (r.SecretIds as string[]).join('\n'));
    });

  const clients = admin.command('clients').description('agent-client bindings');
  clients
    .command('bind')
    .description('bind a client to an agent (binding again moves it)')
    .requiredOption('--agent <uin>', 'agent UIN', uinArg('--agent'))
    .requiredOption('--client <uin>', 'client UIN', uinArg('--client'))
    .addOption(new Option('--client-type <type>', 'client type').choices([...CLIENT_TYPES]).default('new'))
    .addOption(new Option('--project-type <type>', 'project type').choices([...PROJECT_TYPES]).default('self'))
    .option('--sales-uin <uin>', 'sales representative UIN', uinArg('--sales-uin'), '0')
    .option('--remark <text>', 'client remark', '')
    .action(async (o: { agent: string; client: string; clientType: string; projectType: string; salesUin: string; remark: string }, cmd: Command) => {
      const g = globals(cmd);
      const b = await callJson(g, 'POST', '/bindings', {
        json: { AgentUin: o.agent, ClientUin: o.client, ClientType: o.clientType, ProjectType: o.projectType, SalesUin: o.salesUin, ClientRemark: o.remark },
      });
      show(g, b, `bound client ${b.ClientUin} to agent ${b.AgentUin}`);
    });
  clients
    .command('list')
    .description('list bindings')
    .option('--agent <uin>', "only this agent's clients", uinArg('--agent'))
    .action(async (o: { agent?: string }, cmd: Command) => show(globals(cmd), await callJson(globals(cmd), 'GET', '/bindings', { query: { agent: o.agent } })));

  // data
  admin
    .command('import')
    .description('import deals (NDJSON or a JSON array: partners AgentDealNewElem plus billing fields, or billing Deal with --owner), streamed; all or nothing')
    .argument('<file>', 'file, or - for standard input')
    .option('--agent <uin>', 'also bind every owner without an agent to this agent (creating missing accounts)', uinArg('--agent'))
    .option('--owner <uin>', 'the owner of billing-shaped deals (a DescribeDealsByCond Deal has no OwnerUin)', uinArg('--owner'))
    .action(async (file: string, o: { agent?: string; owner?: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await callJson(g, 'POST', '/deals/import', { stream: upload(file), query: { agent: o.agent, owner: o.owner } });
      if (r.ignoredFields?.length && !g.json) process.stderr.write(`ignored unknown fields: ${(r.ignoredFields as string[]).join(', ')}\n`);
      show(g, r, `imported ${r.imported} deal(s)${o.agent ? `, bound ${r.bound} new client(s) to agent ${o.agent}` : ''}`);
    });
  admin
    .command('export')
    .description('export deals as NDJSON in the interchange shape (what import reads)')
    .option('--owner <uin>', "only this account's deals", uinArg('--owner'))
    .option('--agent <uin>', "only this agent's clients' deals", uinArg('--agent'))
    .option('-o, --out <file>', 'write to this file (default: standard output)')
    .action(async (o: { owner?: string; agent?: string; out?: string }, cmd: Command) => {
      await download(await call(globals(cmd), 'GET', '/deals/export', { query: { owner: o.owner, agent: o.agent } }), o.out);
    });
  admin
    .command('reset')
    .description('empty every table (and reset the journal, fault rules and clock); --demo seeds the demo data again')
    .option('--demo', 'reset to the demo dataset instead of empty', false)
    .action(async (o: { demo: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const r = await callJson(g, 'POST', '/reset', { json: { to: o.demo ? 'demo' : 'empty' } });
      show(g, r, o.demo ? `reset to the demo data (${r.deals} deals)` : 'reset to empty');
    });

  const snapshot = admin.command('snapshot').description('the whole state (accounts, keys, bindings, deals) as one NDJSON file');
  snapshot
    .command('export')
    .description('write a snapshot (it holds SecretKeys: keep it private)')
    .argument('[file]', 'file (default: standard output)')
    .action(async (file: string | undefined, _o: unknown, cmd: Command) => {
      await download(await call(globals(cmd), 'GET', '/snapshot'), file);
      if (file !== undefined && file !== '-') process.stderr.write(`wrote the snapshot to ${file}\n`);
    });
  snapshot
    .command('import')
    .description('replace the whole state with a snapshot, in one transaction')
    .argument('<file>', 'file, or - for standard input')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await callJson(g, 'POST', '/snapshot', { stream: upload(file) });
      const c = r.restored as Record<string, number>;
      show(g, r, `restored ${c.account} account(s), ${c.key} key(s), ${c.binding} binding(s), ${c.deal} deal(s)`);
    });

  // journal, faults
  admin
    .command('journal')
    .description('the last API calls (redacted), oldest first; --clear empties it')
    .option('--action <name>', 'only this action')
    .option('--uin <uin>', "only this caller's calls", uinArg('--uin'))
    .option('--code <code>', 'only calls answered with this code (OK for successes)')
    .option('--after <seq>', 'only entries after this sequence number', intArg('--after'))
    .option('--limit <n>', 'only the last n entries', intArg('--limit', 1))
    .option('--size <n>', 'set how many calls the journal keeps', intArg('--size'))
    .option('--clear', 'empty the journal', false)
    .action(async (o: { action?: string; uin?: string; code?: string; after?: number; limit?: number; size?: number; clear: boolean }, cmd: Command) => {
      const g = globals(cmd);
      if (o.clear || o.size !== undefined) {
        if (o.size !== undefined) {
          const r = await callJson(g, 'PUT', '/journal/size', { json: { size: o.size } });
          show(g, r, `journal size: ${r.size}`);
        }
        if (o.clear) {
          const r = await callJson(g, 'DELETE', '/journal');
          show(g, r, `cleared ${r.cleared} journal entr${r.cleared === 1 ? 'y' : 'ies'}`);
        }
        return;
      }
      show(g, await callJson(g, 'GET', '/journal', { query: { action: o.action, uin: o.uin, code: o.code, after: o.after, limit: o.limit } }));
    });

  const faults = admin.command('faults').description('fault injection rules');
  faults
    .command('add')
    .description('add a rule: matching calls get an error code, extra latency, or a dropped connection')
    .addOption(new Option('--kind <kind>', 'what the fault does').choices(['error', 'latency', 'drop']).makeOptionMandatory())
    .option('--action <name>', 'only calls of this action')
    .option('--uin <uin>', 'only calls by this account', uinArg('--uin'))
    .option('--code <code>', 'error: the code to answer with, e.g. InternalError')
    .option('--message <text>', 'error: the message')
    .option('--latency-ms <ms>', 'latency: milliseconds to add', intArg('--latency-ms'))
    .option('--times <n>', 'fire for the next n matching calls only', intArg('--times', 1))
    .option('--probability <p>', 'fire with this probability, 0..1', numberArg('--probability'))
    .action(async (o: Record<string, unknown>, cmd: Command) => {
      const g = globals(cmd);
      const rule = Object.fromEntries(['kind', 'action', 'uin', 'code', 'message', 'latencyMs', 'times', 'probability'].filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
      const r = await callJson(g, 'POST', '/faults', { json: rule });
      show(g, r, `added fault rule ${r.id}`);
    });
  faults
    .command('list')
    .description('the rules, with how often each fired')
    .action(async (_o: unknown, cmd: Command) => show(globals(cmd), await callJson(globals(cmd), 'GET', '/faults')));
  faults
    .command('remove')
    .description('remove one rule')
    .argument('<id>', 'rule id (from faults list)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      show(g, await callJson(g, 'DELETE', `/faults/${encodeURIComponent(id)}`), `removed fault rule ${id}`);
    });
  faults
    .command('clear')
    .description('remove every rule')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await callJson(g, 'DELETE', '/faults');
      show(g, r, `cleared ${r.cleared} fault rule(s)`);
    });

  // settings
  admin
    .command('clock')
    .description('show or set the server clock (signature window, timestamps of changes)')
    .option('--set <time>', 'set "now": "YYYY-MM-DD HH:mm:ss" (Beijing) or epoch milliseconds')
    .option('--frozen', 'stop the clock (at --set, or where it is)')
    .option('--no-frozen', 'let the clock run again')
    .option('--advance-ms <ms>', 'move the clock by this many milliseconds (negative goes back)', intArg('--advance-ms', Number.MIN_SAFE_INTEGER))
    .option('--reset', 'back to the real time')
    .action(async (o: { set?: string; frozen?: boolean; advanceMs?: number; reset?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const given = [o.set !== undefined, o.advanceMs !== undefined, o.reset === true].filter(Boolean).length;
      if (given > 1) throw new Error('give one of --set, --advance-ms or --reset');
      let body: Record<string, unknown> | undefined;
      if (o.reset) body = { reset: true };
      else if (o.advanceMs !== undefined) body = { advanceMs: o.advanceMs };
      else if (o.set !== undefined) body = { now: /^\d+$/.test(o.set) ? Number(o.set) : o.set, ...(o.frozen !== undefined ? { frozen: o.frozen } : {}) };
      else if (o.frozen !== undefined) body = { frozen: o.frozen };
      if (body && o.frozen !== undefined && (o.reset || o.advanceMs !== undefined)) throw new Error('--frozen goes with --set (or alone)');
      const c = body ? await callJson(g, 'PUT', '/clock', { json: body }) : await callJson(g, 'GET', '/clock');
      show(g, c, `${c.beijingTime} Beijing (${c.iso})${c.frozen ? ', frozen' : ''}${c.offsetMs !== 0 && !c.frozen ? `, ${c.offsetMs} ms from real time` : ''}`);
    });
  admin
    .command('cache-lag')
    .description('show or set how many seconds partners-cache changes take to show')
    .argument('[seconds]', 'new lag in seconds (0 = at once)', numberArg('SECONDS'))
    .action(async (seconds: number | undefined, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = seconds === undefined ? await callJson(g, 'GET', '/cache-lag') : await callJson(g, 'PUT', '/cache-lag', { json: { seconds } });
      show(g, r, `cache lag: ${r.seconds} s`);
    });
  admin
    .command('signature-mode')
    .description('show or set the signature check: strict (refuse), soft (log and answer), off (SecretId only)')
    .argument('[mode]', SIGNATURE_MODES.join(', '))
    .action(async (mode: string | undefined, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      if (mode !== undefined && !(SIGNATURE_MODES as readonly string[]).includes(mode)) throw new Error(`mode must be one of ${SIGNATURE_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
      const r = mode === undefined ? await callJson(g, 'GET', '/signature-mode') : await callJson(g, 'PUT', '/signature-mode', { json: { mode } });
      show(g, r, `signature mode: ${r.mode}`);
    });
  // order lifecycle
  admin
    .command('deal')
    .description('move a deal through its lifecycle: paying, pay, delivering, deliver, fail, cancel, expire, refund')
    .argument('<verb>', 'the transition')
    .argument('<dealName>', 'the deal (DealName)')
    .option('--amount <fen>', 'refund: amount in fen (default: all not yet refunded)', intArg('--amount', 1))
    .option('--pending', 'refund: leave the refund in status 13 (refunding)')
    .action(async (verb: string, dealName: string, o: { amount?: number; pending?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const json = verb === 'refund' ? { ...(o.amount !== undefined ? { amount: o.amount } : {}), ...(o.pending ? { pending: true } : {}) } : {};
      const r = await callJson(g, 'POST', `/deals/${encodeURIComponent(dealName)}/${encodeURIComponent(verb)}`, { json });
      show(g, r, `${r.message}${r.refund ? ` (refund deal ${r.refund.DealName})` : ''}`);
    });
  admin
    .command('progression')
    .description('show or set automatic lifecycle progression (unpaid → paying → paid → delivering → delivered)')
    .addOption(new Option('--mode <mode>', 'off, or advance by time or by reads').choices(['off', 'time', 'reads']))
    .option('--seconds <n>', 'time mode: seconds per step', intArg('--seconds', 1))
    .option('--reads <n>', 'reads mode: reads per step', intArg('--reads', 1))
    .action(async (o: { mode?: string; seconds?: number; reads?: number }, cmd: Command) => {
      const g = globals(cmd);
      const r =
        o.mode === undefined
          ? await callJson(g, 'GET', '/lifecycle/progression')
          : await callJson(g, 'PUT', '/lifecycle/progression', { json: { mode: o.mode, ...(o.seconds !== undefined ? { seconds: o.seconds } : {}), ...(o.reads !== undefined ? { reads: o.reads } : {}) } });
      show(g, r, `progression: ${r.mode}${r.seconds ? ` every ${r.seconds} s` : ''}${r.reads ? ` every ${r.reads} reads` : ''}`);
    });
  admin
    .command('state')
    .description('counts and settings at a glance')
    .action(async (_o: unknown, cmd: Command) => show(globals(cmd), await callJson(globals(cmd), 'GET', '/state')));

  return admin;
}
