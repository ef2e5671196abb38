/**
 * Case (h): the partners page of case (b) through proxy mode — a CONNECT tunnel to
 * partners.tencentcloudapi.com:443, TLS terminated by tcdeals with a leaf from its local CA,
 * keep-alive — beside the same page over direct HTTP, both driven by the same small keep-alive
 * client (autocannon speaks neither CONNECT nor TLS through a proxy), with the same connections
 * and duration. The ratio is tunnel ÷ direct requests per second.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { signTc3 } from '../src/client/signer.js';

export interface KeepAliveResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

/** A signed partners POST as raw HTTP/1.1, for `host` (sent and signed). */
export function partnersRequest(host: string, key: { SecretId: string; SecretKey: string }, body: Record<string, unknown>): Buffer {
  const payload = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000);
  const sig = signTc3({ secretId: key.SecretId, secretKey: key.SecretKey, service: 'partners', host, timestamp, payload });
  return Buffer.from(
    'POST / HTTP/1.1\r\n' +
      `Host: ${host}\r\n` +
      'Content-Type: application/json\r\n' +
      'X-TC-Action: DescribeAgentDealsByCache\r\n' +
      'X-TC-Version: 2018-03-21\r\n' +
      `X-TC-Timestamp: ${timestamp}\r\n` +
      `Authorization: ${sig.authorization}\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  );
}

/** Opens one connection: plain to the port, or CONNECT `tunnel.target` then TLS trusting `tunnel.ca`. */
async function open(port: number, tunnel?: { target: string; servername: string; ca: string }): Promise<Socket | TLSSocket> {
  const raw = netConnect(port, '127.0.0.1');
  raw.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    raw.once('connect', resolve);
    raw.once('error', reject);
  });
  if (!tunnel) return raw;
  raw.write(`CONNECT ${tunnel.target} HTTP/1.1\r\nHost: ${tunnel.target}\r\n\r\n`);
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      raw.off('data', onData);
      raw.pause();
      if (!/^HTTP\/1\.1 200/.test(head)) return reject(new Error(`CONNECT refused: ${head}`));
      resolve();
    };
    raw.on('data', onData);
    raw.once('error', reject);
  });
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ socket: raw, servername: tunnel.servername, ca: tunnel.ca, ALPNProtocols: ['http/1.1'] }, () => resolve(s));
    s.once('error', reject);
  });
}

/** One call, its answer's JSON body (to check both ways answer the same page before timing). */
export async function oneCall(port: number, request: Buffer, tunnel?: { target: string; servername: string; ca: string }): Promise<{ Response: { Error?: { Code: string; Message: string }; TotalCount?: number; AgentDealSet?: unknown[] } }> {
  const socket = await open(port, tunnel);
  try {
    return await new Promise((resolve, reject) => {
      let buf: Buffer = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (buf.length >= end + 4 + length) resolve(JSON.parse(buf.subarray(end + 4, end + 4 + length).toString('utf8')));
      });
      socket.once('error', reject);
      socket.resume();
      socket.write(request);
    });
  } finally {
    socket.destroy();
  }
}

/** Keeps one request in flight on each of `connections` keep-alive connections for `durationSec`. */
export async function keepAliveLoad(o: { port: number; request: Buffer; connections: number; durationSec: number; tunnel?: { target: string; servername: string; ca: string } }): Promise<KeepAliveResult> {
  const sockets = await Promise.all(Array.from({ length: o.connections }, () => open(o.port, o.tunnel)));
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + o.durationSec * 1000;
  const started = performance.now();
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let buf: Buffer = Buffer.alloc(0);
          let sent = 0;
          let need = -1;
          const send = () => {
            if (performance.now() >= deadline) {
              socket.destroy();
              return resolve();
            }
            sent = performance.now();
            socket.write(o.request);
          };
          socket.on('data', (d: Buffer) => {
            buf = buf.length ? Buffer.concat([buf, d]) : d;
            for (;;) {
              if (need < 0) {
                const end = buf.indexOf('\r\n\r\n');
                if (end < 0) return;
                const head = buf.subarray(0, end).toString('latin1');
                const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
                if (!head.startsWith('HTTP/1.1 200')) errors++;
                need = end + 4 + length;
              }
              if (buf.length < need) return;
              buf = buf.subarray(need);
              need = -1;
              latencies.push(performance.now() - sent);
              send();
              if (buf.length === 0) return;
            }
          });
          socket.on('error', () => {
            errors++;
            resolve();
          });
          socket.resume();
          send();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100) / 100;
  return { reqPerSec: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors, requests: latencies.length };
}
