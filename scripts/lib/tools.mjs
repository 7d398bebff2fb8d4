// Installs the tools needed to run Layer Lens in a real VS Code (code-server) into the
// git-ignored `.tools/` folder. Idempotent: when everything is in place it only checks a
// few files and returns in well under a second.
//
//   Debian packages  chromium (headless browser for smoke/e2e), libkrb5-dev (code-server's
//                    native `kerberos` module) — installed with apt-get when running as root
//   .tools/node24    Node 24 from the npm package `node@24` (code-server 4.139 needs it)
//   .tools/code-server  code-server 4.139.1, installed by npm running under Node 24 and
//                    compiled against Node 24's headers
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOOLS = join(ROOT, '.tools');
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = '/usr/bin/chromium';

const NODE24_DIR = join(TOOLS, 'node24');
const NODE24_PKG = join(NODE24_DIR, 'node_modules', 'node');
export const NODE24_BIN = join(NODE24_PKG, 'bin', 'node');
/** The platform package `node` pulls in holds the full distribution, headers included. */
const NODE24_DIST = join(NODE24_PKG, 'node_modules', `node-${process.platform}-${process.arch}`);
const CS_DIR = join(TOOLS, 'code-server');
export const CODE_SERVER_ENTRY = join(CS_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CS_MARKER = join(CS_DIR, `.installed-${CODE_SERVER_VERSION}`);

/** Native modules code-server's server needs, loaded from lib/vscode to prove the ABI matches. */
const NATIVE_MODULES = ['@vscode/spdlog', 'node-pty', 'kerberos', '@vscode/sqlite3', '@parcel/watcher', '@vscode/native-watchdog'];

/**
 * Makes sure Node 24 and code-server are installed (and, as root, the Debian packages).
 * @param {{ log?: (msg: string) => void, needChromium?: boolean }} [opts]
 * @returns {{ node24: string, codeServerEntry: string, chromium: string | null }}
 */
export function ensureTools(opts = {}) {
  const log = opts.log ?? ((m) => console.log(m));
  mkdirSync(TOOLS, { recursive: true });
  const codeServerReady = existsSync(CS_MARKER) && existsSync(CODE_SERVER_ENTRY);
  ensureDebianPackages(log, { chromium: opts.needChromium ?? true, krb5: !codeServerReady });
  const node24 = ensureNode24(log);
  if (!codeServerReady) installCodeServer(node24, log);
  return { node24, codeServerEntry: CODE_SERVER_ENTRY, chromium: existsSync(CHROMIUM) ? CHROMIUM : null };
}

function ensureDebianPackages(log, need) {
  const missing = [];
  if (need.chromium && !existsSync(CHROMIUM)) missing.push('chromium');
  if (need.krb5 && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    const why = isRoot ? 'apt-get is not available' : 'not running as root';
    const message = `Missing system packages: ${missing.join(', ')} (${why}). Install them, e.g.: sudo apt-get install -y ${missing.join(' ')}`;
    if (missing.includes('libkrb5-dev')) throw new Error(message);
    log(`warning: ${message}. The headless browser checks need chromium; the editor itself does not.`);
    return;
  }
  log(`Installing Debian packages: ${missing.join(', ')} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', ...missing], { env });
}

function ensureNode24(log) {
  if (nodeMajor(NODE24_BIN) === 24 && existsSync(join(NODE24_DIST, 'include', 'node', 'node.h'))) return NODE24_BIN;
  log('Installing Node 24 into .tools/node24 (npm package node@24)…');
  rmSync(NODE24_DIR, { recursive: true, force: true });
  mkdirSync(NODE24_DIR, { recursive: true });
  // A package.json of its own, or npm would walk up and install into the repository.
  writeFileSync(join(NODE24_DIR, 'package.json'), JSON.stringify({ name: 'layer-lens-node24', private: true }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', 'node@24'], { cwd: NODE24_DIR, env: cleanNpmEnv(process.env) });
  if (nodeMajor(NODE24_BIN) !== 24) throw new Error(`Node 24 install failed: ${NODE24_BIN} does not run as Node 24`);
  if (!existsSync(join(NODE24_DIST, 'include', 'node', 'node.h'))) throw new Error(`Node 24 headers not found under ${NODE24_DIST}`);
  return NODE24_BIN;
}

function installCodeServer(node24, log) {
  log(`Installing code-server ${CODE_SERVER_VERSION} into .tools/code-server (compiles native modules; takes a few minutes)…`);
  rmSync(CS_DIR, { recursive: true, force: true });
  mkdirSync(CS_DIR, { recursive: true });
  writeFileSync(join(CS_DIR, 'package.json'), JSON.stringify({ name: 'layer-lens-code-server', private: true }, null, 2));
  const env = cleanNpmEnv(process.env);
  // npm must run under Node 24 (code-server's postinstall reads the version from npm's user
  // agent) and node-gyp must build against Node 24's headers: the env variable overrides any
  // `nodedir` in ~/.npmrc (which may point at the system Node's headers).
  env.PATH = `${dirname(node24)}:${env.PATH ?? ''}`;
  env.npm_config_nodedir = NODE24_DIST;
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: CS_DIR, env });
  verifyCodeServer(node24);
  writeFileSync(CS_MARKER, `${new Date().toISOString()}\n`);
  log('code-server installed.');
}

function verifyCodeServer(node24) {
  const version = spawnSync(node24, [CODE_SERVER_ENTRY, '--version'], { encoding: 'utf8' });
  if (version.status !== 0 || !version.stdout.includes(CODE_SERVER_VERSION)) {
    throw new Error(`code-server --version failed:\n${version.stdout}\n${version.stderr}`);
  }
  const vscodeDir = join(CS_DIR, 'node_modules', 'code-server', 'lib', 'vscode');
  const script = `for (const m of ${JSON.stringify(NATIVE_MODULES)}) require(m);`;
  const load = spawnSync(node24, ['-e', script], { cwd: vscodeDir, encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`code-server's native modules do not load under Node 24:\n${load.stderr}`);
}

/** Drops the npm_* variables an outer `npm run` exports; a nested npm would read them as config. */
export function cleanNpmEnv(env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (!/^npm_/i.test(k) && v !== undefined) out[k] = v;
  }
  return out;
}

function nodeMajor(bin) {
  if (!existsSync(bin)) return null;
  const r = spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim().split('.')[0]) : null;
}

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}
