/** Runs the real `tcdeals` launcher (bin/tcdeals.js → dist/) as a child process. */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/tcdeals.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], input?: string, env: Record<string, string> = {}): CliResult {
  const base = { ...process.env, DATABASE_URL: '', TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SECRET_KEY: '' };
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, env: { ...base, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Waits until `predicate` holds for the output (logs travel through a pipe, a moment behind the answer). */
export async function waitFor(output: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(output())) {
    if (Date.now() > deadline) throw new Error(`output never matched ${pattern}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Like `cli`, but without blocking the event loop: needed when the server runs in this process. */
export function cliAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base = { ...process.env, DATABASE_URL: '', TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SECRET_KEY: '' };
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

export interface RunningServer {
  child: ChildProcessWithoutNullStreams;
  endpoint: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

let sharedCaDir: string | undefined;

/**
 * One local CA directory for every server this test process starts (unless TCDEALS_CA_DIR says
 * otherwise): `serve` makes its CA on start, and tests must not leave one in the working tree.
 */
export function testCaDir(): string {
  if (!sharedCaDir) {
    const dir = mkdtempSync(join(tmpdir(), 'tcdeals-test-ca-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    sharedCaDir = dir;
  }
  return sharedCaDir;
}

/** Starts `tcdeals serve --port 0 …` and resolves once it prints where it listens. */
export async function serve(args: string[], env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, DATABASE_URL: '', TCDEALS_CA_DIR: process.env.TCDEALS_CA_DIR ?? testCaDir(), ...env } });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const check = () => {
      const m = /listening on http:\/\/([\d.]+:\d+)/.exec(out);
      // The banner is one write; with demo keys it ends with the SDK snippet.
      if (m && (!/Demo keys/.test(out) || /DescribeDealsByCond\(/.test(out))) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return {
    child,
    endpoint,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
