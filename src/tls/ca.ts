/**
 * The local CA: one per installation, kept beside the data.
 *
 *   <dir>/ca.pem       the CA certificate (what clients trust)
 *   <dir>/ca-key.pem   its private key, mode 0600, in a 0700 directory; read only by this module
 *   <dir>/bundle.pem   the system's roots plus the CA, for variables that replace the roots
 *                      (REQUESTS_CA_BUNDLE, SSL_CERT_FILE) so other HTTPS keeps working
 *   <dir>/*-merged.pem the file a caller's NODE_EXTRA_CA_CERTS, SSL_CERT_FILE or
 *                      REQUESTS_CA_BUNDLE already named, plus the CA (see writeMergedWith)
 *
 * The directory is `TCDEALS_CA_DIR`, or `ca/` beside a SQLite database file (`./data/ca/` for the
 * default `./data/tcdeals.db`), or `./data/ca/` for `:memory:` and PostgreSQL — so `serve` and
 * `exec` in one working directory share one CA. It is made on first need. Concurrent first uses
 * (a server and `exec` starting together) take turns on a lock file, so both end up with the same CA.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { CaSigner, createCaMaterial } from './x509.js';

export const CA_DIR_ENV = 'TCDEALS_CA_DIR';

export interface CaPaths {
  dir: string;
  cert: string;
  key: string;
  bundle: string;
}

export function caPaths(dir: string): CaPaths {
  const abs = resolve(dir);
  return { dir: abs, cert: join(abs, 'ca.pem'), key: join(abs, 'ca-key.pem'), bundle: join(abs, 'bundle.pem') };
}

/** Where the CA lives for this database (see the module comment). */
export function resolveCaDir(o: { caDir?: string; db?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const env = o.env ?? process.env;
  if (o.caDir) return resolve(o.caDir);
  if (env[CA_DIR_ENV]) return resolve(env[CA_DIR_ENV]!);
  const db = o.db;
  if (db && db !== ':memory:' && !/^postgres(ql)?:\/\//.test(db) && !db.startsWith('file:')) return resolve(dirname(db), 'ca');
  return resolve('data', 'ca');
}

/** The system trust store files Go and OpenSSL look for, first match wins. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem', '/etc/pki/tls/cacert.pem', '/etc/ssl/cert.pem'];

function systemRoots(): string {
  for (const file of SYSTEM_BUNDLES) {
    try {
      const text = readFileSync(file, 'utf8');
      if (text.includes('BEGIN CERTIFICATE')) return text.endsWith('\n') ? text : `${text}\n`;
    } catch {
      // next
    }
  }
  return `${rootCertificates.join('\n')}\n`;
}

export class LocalCa {
  private constructor(
    readonly paths: CaPaths,
    readonly signer: CaSigner,
  ) {}

  get certPem(): string {
    return this.signer.certPem;
  }

  get fingerprint(): string {
    return this.signer.fingerprint;
  }

  /** Loads the CA in `dir`, making it first when there is none (unless `create` is false). */
  static async open(dir: string, o: { create?: boolean } = {}): Promise<LocalCa> {
    const paths = caPaths(dir);
    if (!complete(paths)) {
      if (o.create === false) throw new Error(`no tcdeals CA in ${paths.dir} (it is made by \`tcdeals serve\`, \`tcdeals exec\` or \`tcdeals ca path\`)`);
      await withLock(paths, async () => {
        if (!complete(paths)) await writeNew(paths);
      });
    }
    return LocalCa.read(paths);
  }

  /** Replaces the CA in `dir` with a new one (running servers keep theirs until restarted). */
  static async rotate(dir: string): Promise<{ previous?: string; ca: LocalCa }> {
    const paths = caPaths(dir);
    let previous: string | undefined;
    await withLock(paths, async () => {
      if (complete(paths)) previous = (await LocalCa.read(paths)).fingerprint;
      await writeNew(paths);
    });
    return { previous, ca: await LocalCa.read(paths) };
  }

  private static async read(paths: CaPaths): Promise<LocalCa> {
    const mode = statSync(paths.key).mode & 0o777;
    if (mode & 0o077) chmodSync(paths.key, 0o600);
    const signer = await CaSigner.load({ certPem: readFileSync(paths.cert, 'utf8'), keyPem: readFileSync(paths.key, 'utf8') }).catch((err: Error) => {
      throw new Error(`the tcdeals CA in ${paths.dir} cannot be used: ${err.message} (\`tcdeals ca rotate\` makes a new one)`);
    });
    if (signer.notAfter.getTime() < Date.now()) throw new Error(`the tcdeals CA in ${paths.dir} expired on ${signer.notAfter.toISOString()}; \`tcdeals ca rotate\` makes a new one`);
    return new LocalCa(paths, signer);
  }

  /**
   * Writes `bundle.pem` (the system's roots, then this CA) when it is missing or differs: for
   * REQUESTS_CA_BUNDLE and SSL_CERT_FILE, which replace a client's roots rather than add to them.
   */
  writeBundle(): string {
    return this.writeAfter(systemRoots(), this.paths.bundle);
  }

  /**
   * The certificates of a file the caller's environment already names (NODE_EXTRA_CA_CERTS,
   * SSL_CERT_FILE, REQUESTS_CA_BUNDLE), then this CA, in `<dir>/<name>`: pointing such a variable
   * at the CA alone would silently drop the roots the user added for something else. Undefined
   * when there is nothing to keep (unset, unreadable, or already a file of this CA directory).
   */
  writeMergedWith(file: string | undefined, name: string): string | undefined {
    if (!file || resolve(file).startsWith(`${this.paths.dir}/`)) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    if (!text.includes('BEGIN CERTIFICATE')) return undefined;
    return this.writeAfter(text.endsWith('\n') ? text : `${text}\n`, join(this.paths.dir, name));
  }

  private writeAfter(head: string, file: string): string {
    const text = `${head}\n# tcdeals local CA ${this.signer.subject}\n# SHA256 Fingerprint: ${this.fingerprint}\n${this.certPem}`;
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) atomicWrite(file, text, 0o644);
    return file;
  }
}

function complete(paths: CaPaths): boolean {
  return existsSync(paths.cert) && existsSync(paths.key);
}

async function writeNew(paths: CaPaths): Promise<void> {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  const label = `tcdeals local CA ${user}@${hostname()} ${new Date().toISOString().slice(0, 10)}`.replace(/[,+=<>#;"\\]/g, ' ');
  const material = await createCaMaterial(label);
  // Key first: a reader that finds the new certificate finds its key.
  atomicWrite(paths.key, material.keyPem, 0o600);
  atomicWrite(paths.cert, material.certPem, 0o644);
  rmSync(paths.bundle, { force: true });
}

function atomicWrite(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

const LOCK_STALE_MS = 30_000;

/** Runs `fn` holding `<dir>/.lock` (exclusive create); waits for another holder, breaks a stale lock. */
async function withLock(paths: CaPaths, fn: () => Promise<void>): Promise<void> {
  mkdirSync(dirname(paths.dir), { recursive: true });
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const lock = join(paths.dir, '.lock');
  const deadline = Date.now() + 2 * LOCK_STALE_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`the tcdeals CA directory ${paths.dir} stays locked (${lock})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
