/**
 * Host names and addresses as the local CA and the proxy see them.
 *
 * The CA's name constraints permit exactly: the DNS subtree `tencentcloudapi.com` (the name and
 * every subdomain), the DNS subtree `localhost`, the IPv4 loopback block 127.0.0.0/8 and `::1`.
 * `permitted` applies the same rules (RFC 5280 §4.2.1.10: a DNS constraint is satisfied by the
 * name itself and any name formed by adding labels on the left), so the CA refuses to mint what
 * a verifier would refuse to accept.
 */
import { isIP } from 'node:net';

export const API_DOMAIN = 'tencentcloudapi.com';

/** The name constraints of the CA, for the certificate and for the documentation. */
export const PERMITTED = {
  dns: [API_DOMAIN, 'localhost'],
  ip: ['127.0.0.0/8', '::1/128'],
} as const;

/** Lower-case, without a trailing dot and without IPv6 brackets. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A syntactically valid DNS name (LDH labels; a leading `*` label when `wildcard`). */
export function isDnsName(name: string, wildcard = false): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((l, i) => LABEL.test(l) || (wildcard && i === 0 && l === '*' && labels.length > 2));
}

function withinDomain(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/** A Tencent Cloud API host name: `tencentcloudapi.com` or any name under it. */
export function isApiName(host: string): boolean {
  const h = normalizeHost(host);
  return isDnsName(h) && withinDomain(h, API_DOMAIN);
}

/** 127.0.0.0/8, `::1` (and `::ffff:127.x.y.z`). */
export function isLoopbackAddress(host: string): boolean {
  const h = normalizeHost(host);
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** `localhost`, `*.localhost` or a loopback address. */
export function isLoopbackHost(host: string): boolean {
  const h = normalizeHost(host);
  return withinDomain(h, 'localhost') || isLoopbackAddress(h);
}

/**
 * Whether the CA may sign this name: a DNS name (or a `*.` wildcard) inside `tencentcloudapi.com`
 * or `localhost`, or a loopback address. Anything else is refused before a certificate is made.
 */
export function permitted(name: string): boolean {
  const h = normalizeHost(name);
  if (isIP(h)) return isLoopbackAddress(h) && !h.startsWith('::ffff:');
  return isDnsName(h, true) && PERMITTED.dns.some((d) => withinDomain(h.startsWith('*.') ? h.slice(2) : h, d));
}

export class NameNotPermittedError extends Error {
  readonly code = 'NameNotPermitted';
  constructor(readonly names: readonly string[]) {
    super(
      `the tcdeals CA may only sign ${PERMITTED.dns.map((d) => `${d} (and its subdomains)`).join(', ')} and loopback addresses; refused: ${names.join(', ')}. ` +
        'For any other name, serve a certificate of your own with --tls-cert and --tls-key.',
    );
  }
}

/**
 * A CONNECT target (`host:port`, `[v6]:port`) or absolute-form authority. Undefined when it is not
 * one: no port, a port outside 1–65535, a path, user info, or a host that is neither a DNS name nor
 * an IP address.
 */
export function parseAuthority(target: string, defaultPort?: number): { host: string; port: number } | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:/?#@[\]\s]+)(?::(\d{1,5}))?$/.exec(target);
  if (!m) return undefined;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const host = normalizeHost(m[1]!);
  if (m[1]!.startsWith('[') ? isIP(host) !== 6 : !(isIP(host) === 4 || isDnsName(host))) return undefined;
  return { host, port };
}

/** `host:port` as written in a Host header or CONNECT line (IPv6 in brackets). */
export function formatAuthority(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/**
 * A bounded label for metrics: the two hosts of the implemented services by name, any other API
 * name, loopback, or anything else (client-controlled values never become label values).
 */
export function hostLabel(host: string | undefined): string {
  if (!host) return 'none';
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(host.trim());
  const h = normalizeHost(bracketed ? bracketed[1]! : isIP(host.trim()) === 6 ? host : host.replace(/:\d+$/, ''));
  if (h === `billing.${API_DOMAIN}` || h === `partners.${API_DOMAIN}`) return h;
  if (isApiName(h)) return `other.${API_DOMAIN}`;
  if (isLoopbackHost(h)) return 'loopback';
  return 'other';
}
