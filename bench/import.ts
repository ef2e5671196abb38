/**
 * (f) import and seed rates: `tcdeals deals import FILE --agent UIN` of 200,000 deals in the
 * interchange shape (NDJSON of ~1.1 KB records, as `tcdeals sync` and the admin export write it)
 * into a fresh database, and `tcdeals seed` of as many deals into another, each timed from the
 * outside (process start to exit, reading and checking the file included), with the command's
 * peak RSS and — for the import — when it first wrote; on SQLite and, with DATABASE_URL,
 * PostgreSQL. The file is made once from a `tcdeals seed` dataset and cached in bench/cache/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { exportDeals } from '../src/services/deal-export.js';
import { Store } from '../src/store/store.js';
import { BENCH_ANCHOR_DAY, withDatabase } from './dataset.js';

export const IMPORT_DEALS = Number(process.env.BENCH_IMPORT_DEALS ?? 200_000);
const AGENT = '200000000001';
const bin = fileURLToPath(new URL('../bin/tcdeals.js', import.meta.url));
const maxRssHook = fileURLToPath(new URL('./maxrss.cjs', import.meta.url));

function tcdeals(args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`tcdeals ${args[0]} ${args[1] ?? ''} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The NDJSON file to import, made once. */
async function importFile(log: (s: string) => void): Promise<string> {
  const path = fileURLToPath(new URL(`./cache/import-${IMPORT_DEALS}-v1.ndjson`, import.meta.url));
  if (existsSync(path)) return path;
  log(`making the ${IMPORT_DEALS.toLocaleString()}-deal import file once (cached in bench/cache/) …`);
  mkdirSync(dirname(path), { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'tcdeals-bench-import-'));
  try {
    const db = join(dir, 'source.db');
    tcdeals(['seed', '--db', db, '--agents', '1', '--clients', '50', '--deals', String(IMPORT_DEALS), '--seed', '11', '--anchor', BENCH_ANCHOR_DAY, '--no-progress']);
    const store = await Store.open(db);
    const out = createWriteStream(`${path}.building`);
    try {
      for await (const d of exportDeals(store.db, {})) if (!out.write(`${JSON.stringify(d)}\n`)) await once(out, 'drain');
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
      await store.close();
    }
    renameSync(`${path}.building`, path);
    return path;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ImportResult {
  backend: 'sqlite' | 'postgres';
  command: 'import' | 'seed';
  deals: number;
  /** From process start to exit. */
  seconds: number;
  dealsPerSecond: number;
  /** Import: seconds from process start to the first batch written. */
  firstWriteSeconds?: number;
  peakRssMb: number;
  /** The input file's size (import). */
  fileMb?: number;
}

/** Runs a tcdeals command to completion, timed, with its peak RSS (through the maxrss hook). */
function timed(args: string[]): Promise<{ seconds: number; stdout: string; peakRssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--require', maxRssHook, bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve, reject) =>
    child.once('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`tcdeals ${args.slice(0, 2).join(' ')} failed (${code}): ${stderr}`));
      const kb = Number(/tcdeals-bench maxrss-kb (\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ seconds, stdout, peakRssMb: Math.round(kb / 1024) });
    }),
  );
}

async function timedImport(file: string, db: string, backend: ImportResult['backend'], deals = IMPORT_DEALS): Promise<ImportResult> {
  tcdeals(['accounts', 'create', '--uin', AGENT, '--agent', '--db', db]);
  const r = await timed(['deals', 'import', file, '--agent', AGENT, '--db', db, '--no-progress']);
  const first = /first write ([\d.]+) s after start/.exec(r.stdout);
  return {
    backend,
    command: 'import',
    deals,
    seconds: r.seconds,
    dealsPerSecond: Math.round(deals / r.seconds),
    firstWriteSeconds: first ? Number(first[1]) : undefined,
    peakRssMb: r.peakRssMb,
    fileMb: Math.round(statSync(file).size / 2 ** 20),
  };
}

async function timedSeed(db: string, backend: ImportResult['backend']): Promise<ImportResult> {
  const r = await timed(['seed', '--db', db, '--agents', '1', '--clients', '50', '--deals', String(IMPORT_DEALS), '--seed', '11', '--anchor', BENCH_ANCHOR_DAY, '--no-progress']);
  return { backend, command: 'seed', deals: IMPORT_DEALS, seconds: r.seconds, dealsPerSecond: Math.round(IMPORT_DEALS / r.seconds), peakRssMb: r.peakRssMb };
}

/** Copies of the import file in the big one: 5 × ~245 MB, about 1.2 GB of NDJSON. */
const BIG_COPIES = 5;

/**
 * A file of about a gigabyte: the import file again and again, each copy's DealNames (and the
 * links to them) renamed so that every deal is new. Made once, cached in bench/cache/.
 */
async function bigImportFile(small: string, log: (s: string) => void): Promise<string> {
  const path = small.replace(/\.ndjson$/, `-x${BIG_COPIES}.ndjson`);
  if (existsSync(path)) return path;
  log(`making the ${BIG_COPIES}× import file once (cached in bench/cache/) …`);
  const out = createWriteStream(`${path}.building`);
  try {
    for (let k = 0; k < BIG_COPIES; k++) {
      for await (const line of createInterface({ input: createReadStream(small), crlfDelay: Infinity })) {
        const renamed = k === 0 ? line : line.replaceAll('"DealName":"', `"DealName":"${k}-`).replaceAll('"BigDealId":"', `"BigDealId":"${k}-`);
        if (!out.write(`${renamed}\n`)) await once(out, 'drain');
      }
    }
  } finally {
    await new Promise<void>((resolve) => out.end(resolve));
  }
  renameSync(`${path}.building`, path);
  return path;
}

/**
 * The memory bound of a streamed import: a file of about a gigabyte into a fresh SQLite database,
 * its peak RSS (the target is at most 300 MB whatever the file's size).
 */
export async function benchBigImport(log: (s: string) => void): Promise<ImportResult> {
  const file = await bigImportFile(await importFile(log), log);
  const dir = mkdtempSync(join(tmpdir(), 'tcdeals-bench-import-'));
  try {
    log(`(f) import: ${(IMPORT_DEALS * BIG_COPIES).toLocaleString()} deals (${Math.round(statSync(file).size / 2 ** 20)} MB of NDJSON) into a fresh SQLite database …`);
    return await timedImport(file, join(dir, 'big.db'), 'sqlite', IMPORT_DEALS * BIG_COPIES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Imports the file into a fresh database and seeds as many deals into another: on SQLite, and on PostgreSQL when `pgServerUrl` is given. */
export async function benchImport(pgServerUrl: string | undefined, log: (s: string) => void): Promise<ImportResult[]> {
  const file = await importFile(log);
  const results: ImportResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tcdeals-bench-import-'));
  try {
    log(`(f) import: ${IMPORT_DEALS.toLocaleString()} deals into a fresh SQLite database …`);
    results.push(await timedImport(file, join(dir, 'import.db'), 'sqlite'));
    log(`(f) seed: ${IMPORT_DEALS.toLocaleString()} deals into a fresh SQLite database …`);
    results.push(await timedSeed(join(dir, 'seed.db'), 'sqlite'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (pgServerUrl) {
    const admin = new pg.Client({ connectionString: pgServerUrl });
    await admin.connect();
    try {
      for (const command of ['import', 'seed'] as const) {
        const name = `tcdeals_bench_${command}_${process.pid}`;
        await admin.query(`create database ${name}`);
        try {
          log(`(f) ${command}: ${IMPORT_DEALS.toLocaleString()} deals into a fresh PostgreSQL database …`);
          const url = withDatabase(pgServerUrl, name);
          results.push(command === 'import' ? await timedImport(file, url, 'postgres') : await timedSeed(url, 'postgres'));
        } finally {
          await admin.query(`drop database if exists ${name}`);
        }
      }
    } finally {
      await admin.end();
    }
  }
  return results;
}
