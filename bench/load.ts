/** Load generation (autocannon, loopback, fixed connections and duration) and child-process servers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export interface RunningChild {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
  /** Resident set size in MB, read from /proc. */
  rssMb(): number;
}

/** A free loopback port, from the kernel. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `node ARGS…` (with `{port}` in ARGS replaced by a free port) and waits until it accepts
 * connections on that port. Servers run as plain node, without a TypeScript loader, as in production.
 * Their standard output (the server log) is dropped unless `stdout` is a file descriptor to write it to.
 */
export async function startChild(args: string[], nodeOptions: string[] = [], stdout: 'ignore' | number = 'ignore'): Promise<RunningChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeOptions, ...args.map((a) => a.replace('{port}', String(port)))], { stdio: ['ignore', stdout, 'inherit'] });
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (const started = Date.now(); ; ) {
    if (exited !== undefined) throw new Error(`${args.join(' ')} exited with ${exited}`);
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve()));
        socket.once('error', reject);
      });
      break;
    } catch {
      if (Date.now() - started > 120_000) throw new Error(`${args.join(' ')} did not answer on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    child,
    port,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
    rssMb: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    },
  };
}

/** `tcdeals serve` itself on `db`: no demo seeding, no rate limit, warnings only in the log. */
export function tcdealsServeArgs(db: string): string[] {
  return [fileURLToPath(new URL('../bin/tcdeals.js', import.meta.url)), 'serve', '--db', db, '--no-demo', '--port', '{port}', '--rate-limit', '0', '--log-level', 'warn'];
}

export interface LoadResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  maxRssMb: number;
}

export async function load(target: RunningChild, request: { headers: Record<string, string>; body: string }, connections: number, durationSec: number): Promise<LoadResult> {
  let maxRss = target.rssMb();
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, target.rssMb())), 200);
  try {
    const r = await autocannon({
      url: `http://127.0.0.1:${target.port}/`,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      connections,
      duration: durationSec,
    });
    return { reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, maxRssMb: Math.round(maxRss) };
  } finally {
    clearInterval(sampler);
  }
}
