/**
 * `tcdeals call <service> <Action> --Param value …`: one API call, tccli-style. Values are read
 * by the action's own parameter spec (integers, strings, lists); a list is given as repeated
 * flags (`--OwnerUins 1 --OwnerUins 2`) or as JSON (`--OwnerUins '["1","2"]'`).
 */
import { Command } from 'commander';
import { ACTIONS } from '../../actions/registry.js';
import type { ParamSpec } from '../../protocol/params.js';
import { tc3Headers } from '../../client/signer.js';
import { parseIntOption, print } from '../options.js';
import { clientFromEnv } from './credentials.js';

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The same call as a curl command line, signed now (valid for the 300 s signature window), for
 * the endpoint given or the production host — through a proxy, curl's `--proxy` or `https_proxy`.
 */
export function curlCommand(o: { service: string; action: string; version: string; params: Record<string, unknown>; endpoint?: string; language?: string }): string {
  const secretId = process.env.TENCENTCLOUD_SECRET_ID;
  const secretKey = process.env.TENCENTCLOUD_SECRET_KEY;
  if (!secretId || !secretKey) throw new Error('set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (the official SDKs’ variables) to sign the call');
  const base = new URL(o.endpoint ? (o.endpoint.includes('://') ? o.endpoint : `https://${o.endpoint}`) : `https://${o.service}.tencentcloudapi.com`);
  const body = JSON.stringify(o.params);
  const headers = tc3Headers({ secretId, secretKey, service: o.service, host: base.host, timestamp: Math.floor(Date.now() / 1000), payload: body, action: o.action, version: o.version, language: o.language });
  delete (headers as Record<string, string | undefined>).Host; // curl sends the URL's host, which is what was signed
  return ['curl -sS', ...Object.entries(headers).map(([k, v]) => `-H ${shq(`${k}: ${v}`)}`), `--data-raw ${shq(body)}`, shq(`${base.origin}/`)].join(' \\\n  ');
}

function coerceScalar(spec: ParamSpec, name: string, raw: string): unknown {
  const integer = spec.kind === 'integer' || spec.kind === 'integerList';
  if (integer) {
    if (!/^-?\d+$/.test(raw)) throw new Error(`--${name} takes integers, got ${JSON.stringify(raw)}`);
    return Number(raw);
  }
  return raw;
}

/** Turns `--Name value` pairs into request parameters following the action's spec. */
export function parseCallArgs(actionName: string, args: readonly string[]): Record<string, unknown> {
  const def = ACTIONS.find((a) => a.name === actionName)!;
  const specs = new Map(Object.entries(def.params));
  const values = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (!flag.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(flag)}: parameters are given as --Name value`);
    const eq = flag.indexOf('=');
    const name = eq > 0 ? flag.slice(2, eq) : flag.slice(2);
    const value = eq > 0 ? flag.slice(eq + 1) : args[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (!specs.has(name)) throw new Error(`${actionName} has no parameter ${name}; it takes ${[...specs.keys()].join(', ')}`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const params: Record<string, unknown> = {};
  for (const [name, raws] of values) {
    const spec = specs.get(name)!;
    const isList = spec.kind === 'stringList' || spec.kind === 'integerList';
    if (isList) {
      const items = raws.length === 1 && raws[0]!.trim().startsWith('[') ? (JSON.parse(raws[0]!) as unknown[]).map(String) : raws;
      params[name] = items.map((v) => coerceScalar(spec, name, v));
    } else {
      if (raws.length > 1) throw new Error(`--${name} was given ${raws.length} times but takes one value`);
      params[name] = coerceScalar(spec, name, raws[0]!);
    }
  }
  return params;
}

export function callCommand(): Command {
  return new Command('call')
    .description('call one API action and print the JSON response, e.g. tcdeals call partners DescribeAgentDealsByCache --Offset 0 --Limit 10')
    .argument('<service>', `billing or partners`)
    .argument('<action>', `one of ${ACTIONS.map((a) => a.name).join(', ')}`)
    .argument('[params...]', '--Name value pairs')
    .option('--endpoint <url>', 'API base URL (default: the real Tencent Cloud hosts)')
    .option('--rate <n>', 'calls per second per action', parseIntOption('--rate'), 20)
    .option('--language <lang>', 'en-US or zh-CN')
    .option('--curl', 'print the signed call as a curl command instead of sending it (valid for 5 minutes)')
    .allowUnknownOption()
    .helpOption('-h, --help')
    .action(async (service: string, action: string, rest: string[], flags: { endpoint?: string; rate: number; language?: 'en-US' | 'zh-CN'; curl?: boolean }) => {
      const def = ACTIONS.find((a) => a.name === action && a.service === service);
      if (!def) {
        throw new Error(`unknown action ${service} ${action}; implemented: ${ACTIONS.map((a) => `${a.service} ${a.name}`).join(', ')}`);
      }
      const params = parseCallArgs(action, rest);
      if (flags.curl) return print(curlCommand({ service: def.service, action: def.name, version: def.version, params, endpoint: flags.endpoint, language: flags.language }));
      const client = clientFromEnv(flags);
      const response = await client.call(def.service, def.name, def.version, params);
      print(JSON.stringify({ Response: response }, null, 2));
    });
}
