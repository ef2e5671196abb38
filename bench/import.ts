/**
 * (f) import rate: `tcdeals deals import FILE --agent UIN` of 200,000 deals in the interchange
 * shape (NDJSON, as `tcdeals sync` and the admin export write it) into a fresh database, timed
 * from the outside (reading and checking the file included), on SQLite and — with DATABASE_URL —
 * PostgreSQL. The file is made once from a `tcdeals seed` dataset and cached in bench/cache/.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { exportDeals } from '../src/services/deal-export.js';
import { Store } from '../src/store/store.js';
import { BENCH_ANCHOR_DAY, withDatabase } from './dataset.js';

export const IMPORT_DEALS = Number(process.env.BENCH_IMPORT_DEALS ?? 100_000);
const AGENT = '200000000001';
const bin = fileURLToPath(new URL('../bin/tcdeals.js', import.meta.url));

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
  deals: number;
  seconds: number;
  dealsPerSecond: number;
}

async function timedImport(file: string, db: string, backend: ImportResult['backend']): Promise<ImportResult> {
  tcdeals(['accounts', 'create', '--uin', AGENT, '--agent', '--db', db]);
  const started = performance.now();
  tcdeals(['deals', 'import', file, '--agent', AGENT, '--db', db]);
  const seconds = (performance.now() - started) / 1000;
  return { backend, deals: IMPORT_DEALS, seconds, dealsPerSecond: Math.round(IMPORT_DEALS / seconds) };
}

/** Imports the file into a fresh SQLite database, and into a fresh PostgreSQL database when `pgServerUrl` is given. */
export async function benchImport(pgServerUrl: string | undefined, log: (s: string) => void): Promise<ImportResult[]> {
  const file = await importFile(log);
  const results: ImportResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tcdeals-bench-import-'));
  try {
    log(`(f) import: ${IMPORT_DEALS.toLocaleString()} deals into a fresh SQLite database …`);
    results.push(await timedImport(file, join(dir, 'import.db'), 'sqlite'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (pgServerUrl) {
    const name = `tcdeals_bench_import_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgServerUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
      log(`(f) import: ${IMPORT_DEALS.toLocaleString()} deals into a fresh PostgreSQL database …`);
      results.push(await timedImport(file, withDatabase(pgServerUrl, name), 'postgres'));
    } finally {
      await admin.query(`drop database if exists ${name}`);
      await admin.end();
    }
  }
  return results;
}
