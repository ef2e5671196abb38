/**
 * `tcdeals ca`: the local CA that proxy mode and the TLS port use (see src/tls/ca.ts).
 *
 *   tcdeals ca path                       the CA certificate's path (made on first need)
 *   tcdeals ca env [--endpoint URL]       `export …` lines for `eval`: proxy and CA variables
 *   tcdeals ca info                       subject, fingerprint, validity, constraints, files
 *   tcdeals ca rotate                     a new CA in place of the old one
 *   tcdeals ca install --certifi [PYTHON] | --system
 *   tcdeals ca uninstall --certifi [PYTHON] | --system
 *
 * Every subcommand takes `--ca-dir DIR` (default `TCDEALS_CA_DIR`, else beside `--db`).
 */
import { Command } from 'commander';
import { print, withDb } from '../options.js';

interface CaOptions {
  db: string;
  caDir?: string;
}

export const DEFAULT_PROXY_URL = 'http://127.0.0.1:8080';

function withCaDir(cmd: Command): Command {
  return withDb(cmd).option('--ca-dir <dir>', 'the CA directory (env TCDEALS_CA_DIR; default: ca/ beside the --db file, ./data/ca otherwise)');
}

async function tls() {
  const [ca, install, names] = await Promise.all([import('../../tls/ca.js'), import('../../tls/install.js'), import('../../tls/names.js')]);
  return { ...ca, ...install, ...names };
}

async function openCa(o: CaOptions, note = true) {
  const { LocalCa, resolveCaDir, caPaths } = await tls();
  const dir = resolveCaDir({ caDir: o.caDir, db: o.db });
  const existed = (await import('node:fs')).existsSync(caPaths(dir).cert);
  const ca = await LocalCa.open(dir);
  if (!existed && note) process.stderr.write(`tcdeals: made a new local CA in ${ca.paths.dir} (SHA-256 ${ca.fingerprint})\n`);
  return ca;
}

/** `--certifi [PYTHON]` parsed by commander: true (no value) or the interpreter. */
function pythonOf(v: string | boolean | undefined): string | undefined {
  if (v === undefined || v === false) return undefined;
  return v === true ? 'python3' : v;
}

export function caCommand(): Command {
  const ca = new Command('ca').description('the local CA for HTTPS and proxy mode: path, env, info, rotate, install, uninstall');

  ca.addCommand(
    withCaDir(new Command('path'))
      .description("print the CA certificate's path (the CA is made on first need)")
      .action(async (o: CaOptions) => print((await openCa(o)).paths.cert)),
  );

  ca.addCommand(
    withCaDir(new Command('env'))
      .description('print export lines for eval: NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, SSL_CERT_FILE, HTTPS_PROXY, https_proxy, http_proxy')
      .option('--endpoint <url>', 'the tcdeals server (its main port is the proxy) (env TCDEALS_ENDPOINT)', process.env.TCDEALS_ENDPOINT || DEFAULT_PROXY_URL)
      .action(async (o: CaOptions & { endpoint: string }) => {
        const { caEnv, shellExports } = await tls();
        const url = new URL(o.endpoint);
        if (url.protocol !== 'http:') throw new Error(`--endpoint must be the server's plain http:// address (its main port is the proxy), not ${o.endpoint}`);
        print(shellExports(caEnv(await openCa(o), url.origin)));
      }),
  );

  ca.addCommand(
    withCaDir(new Command('info'))
      .description('show the CA: subject, fingerprint, validity, name constraints, files')
      .action(async (o: CaOptions) => {
        const { PERMITTED } = await tls();
        const c = await openCa(o);
        print(
          [
            `subject      ${c.signer.subject}`,
            `SHA-256      ${c.fingerprint}`,
            `valid until  ${c.signer.notAfter.toISOString()}`,
            `may sign     ${PERMITTED.dns.map((d) => `${d} and its subdomains`).join(', ')}, ${PERMITTED.ip.join(', ')} (critical name constraints)`,
            `certificate  ${c.paths.cert}`,
            `key          ${c.paths.key} (mode 0600; never printed)`,
          ].join('\n'),
        );
      }),
  );

  ca.addCommand(
    withCaDir(new Command('rotate'))
      .description('replace the CA with a new one (restart servers; install again where it was installed)')
      .action(async (o: CaOptions) => {
        const { LocalCa, resolveCaDir } = await tls();
        const { previous, ca: next } = await LocalCa.rotate(resolveCaDir({ caDir: o.caDir, db: o.db }));
        print(`replaced the tcdeals CA in ${next.paths.dir}${previous ? ` (was SHA-256 ${previous})` : ''}: now SHA-256 ${next.fingerprint}`);
        print('Running servers keep the previous CA until they restart. Where the previous one was installed, run the same');
        print('`tcdeals ca install …` again: it replaces it (`tcdeals ca uninstall …` removes it).');
      }),
  );

  const target = (cmd: Command) =>
    withCaDir(cmd)
      .option('--certifi [python]', "the certifi bundle that PYTHON (default python3, with its PYTHONPATH/virtualenv) imports: the Python SDK's and tccli's roots")
      .option('--system', 'the Debian/Ubuntu system store: /usr/local/share/ca-certificates + update-ca-certificates (needs root)');

  ca.addCommand(
    target(new Command('install'))
      .description('add the CA to the roots of unchanged clients (say what changed, change nothing else)')
      .action(async (o: CaOptions & { certifi?: string | boolean; system?: boolean }) => {
        const { installCertifi, installSystem } = await tls();
        const python = pythonOf(o.certifi);
        if (!python && !o.system) throw new Error('say where: --certifi [PYTHON] and/or --system');
        const c = await openCa(o);
        if (python) print(installCertifi(c, python).message);
        if (o.system) print(installSystem(c).message);
      }),
  );

  ca.addCommand(
    target(new Command('uninstall'))
      .description('remove exactly what `tcdeals ca install` added')
      .action(async (o: CaOptions & { certifi?: string | boolean; system?: boolean }) => {
        const { resolveCaDir, uninstallCertifi, uninstallSystem } = await tls();
        const python = pythonOf(o.certifi);
        if (!python && !o.system) throw new Error('say where: --certifi [PYTHON] and/or --system');
        const dir = resolveCaDir({ caDir: o.caDir, db: o.db });
        if (python) print(uninstallCertifi(dir, python).message);
        if (o.system) print(uninstallSystem(dir).message);
      }),
  );

  return ca;
}
