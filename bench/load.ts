/** Load generation (autocannon, loopback, fixed connections and duration) and child-process servers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface RunningChild {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
  /** Resident set size in MB, read from /proc. */
  rssMb(): number;
}

export async function startChild(script: string, args: string[]): Promise<RunningChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
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
