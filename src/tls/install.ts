/**
 * Putting the local CA where unchanged clients look for roots, and taking it out again — like
 * `mkcert -install`: say what was changed, change nothing else.
 *
 *  - certifi: the Python SDK and tccli pass certifi's bundle to `requests` explicitly, so an
 *    unchanged Python application trusts a new root only when it is in the `cacert.pem` of the
 *    certifi its interpreter imports. The CA is appended between two marker lines naming the CA
 *    directory; uninstalling removes exactly those lines, which restores the file byte for byte.
 *    Installing again (after `tcdeals ca rotate`) replaces the block.
 *  - the Debian system store: `/usr/local/share/ca-certificates/tcdeals-<id>.crt`, then
 *    `update-ca-certificates` (which rebuilds /etc/ssl/certs); uninstalling removes the file and
 *    runs it again.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCa } from './ca.js';

const beginLine = (dir: string, joined: boolean) => `# BEGIN tcdeals local CA${joined ? ' (joined)' : ''} ${dir}`;
const endLine = (dir: string) => `# END tcdeals local CA ${dir}`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface Change {
  /** What was done, in a sentence for the user. */
  message: string;
  changed: boolean;
  file: string;
}

/** Where `python`'s certifi bundle is, as that interpreter (with the caller's PYTHONPATH, venv…) imports it. */
export function certifiWhere(python: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(python, ['-c', 'import certifi, sys; sys.stdout.write(certifi.where())'], { encoding: 'utf8', env });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new Error(`cannot run ${JSON.stringify(python)}: ${code === 'ENOENT' ? 'command not found' : r.error.message}`);
  }
  if (r.status !== 0 || !r.stdout) {
    throw new Error(`${python} cannot import certifi (pip install certifi, or name the interpreter of your virtualenv): ${r.stderr.trim().split('\n').pop() ?? ''}`);
  }
  return r.stdout.trim();
}

/** The block for `ca`, without the leading newline a file not ending in one gets. */
function block(ca: LocalCa, joined: boolean): string {
  return `${beginLine(ca.paths.dir, joined)}\n# ${ca.signer.subject}\n# SHA256 Fingerprint: ${ca.fingerprint}\n${ca.certPem}${endLine(ca.paths.dir)}\n`;
}

/** Finds this directory's block: its start (with the newline a joined block added) and end offsets. */
function findBlock(text: string, dir: string): { start: number; end: number; joined: boolean } | undefined {
  const begin = new RegExp(`(^|\\n)# BEGIN tcdeals local CA( \\(joined\\))? ${escapeRegExp(dir)}\\n`).exec(text);
  if (!begin) return undefined;
  const joined = begin[2] !== undefined;
  const lineStart = begin.index + begin[1]!.length;
  const endMarker = `\n${endLine(dir)}\n`;
  const endAt = text.indexOf(endMarker, lineStart);
  if (endAt < 0) throw new Error(`the tcdeals block for ${dir} has no end line; fix the file by hand`);
  return { start: joined ? lineStart - 1 : lineStart, end: endAt + endMarker.length, joined };
}

function writeInPlace(file: string, text: string): void {
  try {
    // In place: the file keeps its owner, mode and inode (other tools may hold it open).
    writeFileSync(file, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new Error(`cannot write ${file}: ${code} (run as its owner, e.g. with sudo, or use a virtualenv's python)`);
    throw err;
  }
}

/** Adds (or replaces) the CA's block at the end of a PEM bundle. */
export function addToBundle(file: string, ca: LocalCa): Change {
  const text = readFileSync(file, 'utf8');
  const found = findBlock(text, ca.paths.dir);
  const base = found ? text.slice(0, found.start) + text.slice(found.end) : text;
  const joined = base.length > 0 && !base.endsWith('\n');
  const next = `${base}${joined ? '\n' : ''}${block(ca, joined)}`;
  if (found && text.slice(found.start, found.end) === next.slice(base.length)) {
    return { changed: false, file, message: `the tcdeals CA (${ca.fingerprint.slice(0, 23)}…) is already in ${file}; nothing changed` };
  }
  writeInPlace(file, next);
  return {
    changed: true,
    file,
    message: `${found ? 'replaced the previous tcdeals CA with' : 'added'} the tcdeals CA (SHA-256 ${ca.fingerprint.slice(0, 23)}…) ${found ? 'in' : 'to'} ${file}, between the lines "${beginLine(ca.paths.dir, joined)}" and "${endLine(ca.paths.dir)}"`,
  };
}

/** Removes the block of the CA in `dir` from a PEM bundle, exactly as it was added. */
export function removeFromBundle(file: string, dir: string): Change {
  const text = readFileSync(file, 'utf8');
  const found = findBlock(text, dir);
  if (!found) return { changed: false, file, message: `no tcdeals CA of ${dir} in ${file}; nothing changed` };
  writeInPlace(file, text.slice(0, found.start) + text.slice(found.end));
  return { changed: true, file, message: `removed the tcdeals CA of ${dir} from ${file}` };
}

export function installCertifi(ca: LocalCa, python = 'python3', env: NodeJS.ProcessEnv = process.env): Change {
  return addToBundle(certifiWhere(python, env), ca);
}

export function uninstallCertifi(dir: string, python = 'python3', env: NodeJS.ProcessEnv = process.env): Change {
  return removeFromBundle(certifiWhere(python, env), dir);
}

export interface SystemStore {
  /** `/` on a real system; tests give a directory of their own. */
  readonly root: string;
  /** The command that rebuilds the store. */
  readonly update: readonly string[];
}

export const DEBIAN_STORE: SystemStore = { root: '/', update: ['update-ca-certificates'] };

/** The file of the CA in `dir` under the store: one per CA directory, so several installations coexist. */
export function systemCertFile(dir: string, store: SystemStore = DEBIAN_STORE): string {
  const id = createHash('sha256').update(dir).digest('hex').slice(0, 12);
  return join(store.root, 'usr/local/share/ca-certificates', `tcdeals-${id}.crt`);
}

function runUpdate(store: SystemStore): string {
  const [command, ...args] = store.update;
  const r = spawnSync(command!, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${command}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'command not found (not a Debian-like system? install the CA by hand: tcdeals ca path)' : r.error.message}`);
  if (r.status !== 0) throw new Error(`${store.update.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
  return (r.stdout + r.stderr).trim().split('\n').filter((l) => /added|removed/i.test(l)).join('; ');
}

export function installSystem(ca: LocalCa, store: SystemStore = DEBIAN_STORE): Change {
  const file = systemCertFile(ca.paths.dir, store);
  if (existsSync(file) && readFileSync(file, 'utf8') === ca.certPem) {
    return { changed: false, file, message: `the tcdeals CA is already in the system store (${file}); nothing changed` };
  }
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, ca.certPem, { mode: 0o644 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new Error(`cannot write ${file}: ${code} (run as root: sudo tcdeals ca install --system)`);
    throw err;
  }
  const summary = runUpdate(store);
  return { changed: true, file, message: `wrote ${file} and ran ${store.update.join(' ')}${summary ? ` (${summary})` : ''}` };
}

export function uninstallSystem(dir: string, store: SystemStore = DEBIAN_STORE): Change {
  const file = systemCertFile(dir, store);
  if (!existsSync(file)) return { changed: false, file, message: `the tcdeals CA of ${dir} is not in the system store (${file}); nothing changed` };
  try {
    rmSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new Error(`cannot remove ${file}: ${code} (run as root: sudo tcdeals ca uninstall --system)`);
    throw err;
  }
  const summary = runUpdate(store);
  return { changed: true, file, message: `removed ${file} and ran ${store.update.join(' ')}${summary ? ` (${summary})` : ''}` };
}

/**
 * The variables that point unchanged clients at the proxy and make them trust the CA. A CA file
 * the environment (`inherited`) already names keeps its certificates: the variable then names a
 * copy with the CA appended.
 */
export function caEnv(ca: LocalCa, proxyUrl: string, inherited: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const bundle = ca.writeBundle();
  return {
    NODE_EXTRA_CA_CERTS: ca.writeMergedWith(inherited.NODE_EXTRA_CA_CERTS, 'node-extra-ca-certs-merged.pem') ?? ca.paths.cert,
    REQUESTS_CA_BUNDLE: ca.writeMergedWith(inherited.REQUESTS_CA_BUNDLE, 'requests-ca-bundle-merged.pem') ?? bundle,
    SSL_CERT_FILE: ca.writeMergedWith(inherited.SSL_CERT_FILE, 'ssl-cert-file-merged.pem') ?? bundle,
    HTTPS_PROXY: proxyUrl,
    https_proxy: proxyUrl,
    http_proxy: proxyUrl,
  };
}

/** `export NAME='value'` lines for a POSIX shell. */
export function shellExports(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`)
    .join('\n');
}
