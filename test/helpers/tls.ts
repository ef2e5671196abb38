/**
 * TLS and proxy helpers for tests: self-signed certificates made with the same X.509 library the
 * CA uses (never openssl), CONNECT tunnels over raw sockets, one request over a socket, and a
 * count of the process's open handles (a test of bad input must leave none behind).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;

function pem(label: string, der: ArrayBuffer): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

export interface KeyPairPem {
  cert: string;
  key: string;
}

/** A self-signed server certificate for `names` (its own root: trust it with `ca: cert`). */
export async function selfSigned(names: string[]): Promise<KeyPairPem> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: ['another local HTTPS server'] }],
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys: keys as never,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n }))), new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { cert: cert.toString('pem'), key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

/**
 * A certificate for `names` signed with a CA key, with none of the CA's own checks — what a thief
 * of the key could make. The constraints in the CA certificate must make verifiers refuse it.
 */
export async function forgeWithCaKey(caCertPem: string, caKeyPem: string, names: string[]): Promise<KeyPairPem> {
  const caCert = new x509.X509Certificate(caCertPem);
  const der = Buffer.from(caKeyPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  const signingKey = await webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    subject: [{ O: ['forged'] }],
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingKey: signingKey as never,
    publicKey: keys.publicKey as never,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n }))),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  return { cert: cert.toString('pem'), key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

export interface ProxyAnswer {
  status: number;
  /** The answer's head and whatever body came with it (for refusals: everything until close). */
  text: string;
  socket: Socket;
}

/**
 * Sends `CONNECT target` (or `line` verbatim) to the proxy and reads its answer head. On 200 the
 * socket is the tunnel; otherwise the whole answer is read until the proxy closes.
 */
export function connectVia(proxyPort: number, target: string, o: { line?: string; head?: Buffer; timeoutMs?: number } = {}): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(proxyPort, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to CONNECT ${target}: ${buf.toString('latin1')}`));
    }, o.timeoutMs ?? 10_000);
    socket.on('error', () => {});
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(buf.toString('latin1'))?.[1] ?? 0);
      if (status === 200) {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.pause();
        const rest = buf.subarray(end + 4);
        if (rest.length) socket.unshift(rest);
        resolve({ status, text: buf.subarray(0, end + 4).toString('latin1'), socket });
      }
    };
    socket.on('data', onData);
    socket.once('close', () => {
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(buf.toString('latin1'))?.[1] ?? 0);
      resolve({ status, text: buf.toString('utf8'), socket });
    });
    socket.write(o.line ?? `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    if (o.head) socket.write(o.head);
  });
}

/** A TLS client over an open tunnel. Resolves once the handshake is done, rejects on a verification error. */
export function tlsOver(socket: Socket, o: ConnectionOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tlsConnect({ socket, ALPNProtocols: ['http/1.1'], ...o }, () => resolve(t));
    t.once('error', reject);
  });
}

export interface SimpleAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/**
 * Writes one HTTP/1.1 request on a connected socket (plain or TLS) and reads one answer with a
 * Content-Length; the connection stays open for the next request.
 */
export function requestOn(socket: Socket | TLSSocket, text: string | Buffer): Promise<SimpleAnswer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
      const length = Number(headers.get('content-length') ?? 0);
      if (buf.length < end + 4 + length) return;
      cleanup();
      resolve({ status: Number(lines[0]!.split(' ')[1]), headers, body: buf.subarray(end + 4, end + 4 + length).toString('utf8') });
    };
    const onClose = () => {
      cleanup();
      reject(new Error(`connection closed before a whole answer: ${buf.toString('latin1').slice(0, 300)}`));
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
    socket.write(text);
  });
}

/** Reads until the peer closes; resolves to everything read and whether it ended with a reset. */
export function readToClose(socket: Socket, timeoutMs = 10_000): Promise<{ text: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve({ text: '', timedOut: false });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: buf.toString('utf8'), timedOut: true });
    }, timeoutMs);
    socket.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ text: buf.toString('utf8'), timedOut: false });
    });
    socket.resume();
  });
}

/** The process's open handles of kinds that matter (sockets, servers), by kind. */
export function openHandles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'Timeout' || kind === 'Immediate' || kind === 'FSReqCallback' || kind === 'PipeWrap' || kind === 'TTYWrap') continue;
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

/** Waits until the open handles are back to `baseline` (closes travel through the event loop). */
export async function settleHandles(baseline: Record<string, number>, timeoutMs = 5000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = openHandles();
    const same = JSON.stringify(Object.entries(now).sort()) === JSON.stringify(Object.entries(baseline).sort());
    if (same || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 25));
  }
}
