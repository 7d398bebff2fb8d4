// Starts a real VS Code (code-server) with a fresh profile, for `npm start`, the smoke check
// and the real-browser end-to-end tests. See docs in README.md ("Running in a real VS Code").
//
//   const cs = await startCodeServer({ workspace, vsix });
//   console.log(cs.url);   // http://127.0.0.1:PORT/?folder=/abs/workspace
//   await cs.stop();       // kills the whole process tree and removes the temp profile
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killTree } from './proc.mjs';
import { ensureTools } from './tools.mjs';

/** User settings for a quiet, deterministic workbench (no chat view, tips, toasts or trust prompts). */
export const WORKBENCH_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
  'security.workspace.trust.enabled': false,
  'editor.inlayHints.enabled': 'on',
};

/** The environment code-server gets: no VS Code terminal hooks (they would hand the folder to
 *  an existing window and exit) and no npm_* variables from an outer `npm run`. */
export function codeServerEnv(base = process.env) {
  const env = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || /^VSCODE_/.test(k) || /^npm_/i.test(k) || k === 'ELECTRON_RUN_AS_NODE') continue;
    env[k] = v;
  }
  return env;
}

/**
 * @typedef {object} CodeServer
 * @property {string} url        workbench URL with the workspace folder open
 * @property {string} origin     http://127.0.0.1:PORT
 * @property {number} port
 * @property {number} pid        the spawned wrapper process
 * @property {string} profileDir temp dir holding user data, extensions and config
 * @property {string} workspace
 * @property {() => string} output   everything code-server printed so far
 * @property {Promise<number | null>} exited  resolves with the exit code when code-server ends
 * @property {() => Promise<void>} stop
 */

/**
 * @param {object} opts
 * @param {string} opts.workspace           folder to open
 * @param {string[]} [opts.vsix]            extensions to install into the fresh profile
 * @param {number} [opts.port]              0 (default) picks a free port
 * @param {Record<string, unknown>} [opts.settings]  extra user settings
 * @param {boolean} [opts.smokeTestDriver]  `window.driver` in the page + URL payloads (default true)
 * @param {(line: string) => void} [opts.onOutput]
 * @param {(msg: string) => void} [opts.log]
 * @param {number} [opts.timeoutMs]         how long to wait for "HTTP server listening"
 * @returns {Promise<CodeServer>}
 */
export async function startCodeServer(opts) {
  const log = opts.log ?? (() => {});
  const { node24, codeServerEntry } = ensureTools({ log, needChromium: false });
  const workspace = resolve(opts.workspace);
  const profileDir = mkdtempSync(join(tmpdir(), 'layer-lens-vscode-'));
  const dataDir = join(profileDir, 'data');
  const extDir = join(profileDir, 'extensions');
  const configFile = join(profileDir, 'config.yaml');
  mkdirSync(join(dataDir, 'User'), { recursive: true });
  mkdirSync(extDir, { recursive: true });
  // Without --config, code-server writes ~/.config/code-server/config.yaml with a password.
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify({ ...WORKBENCH_SETTINGS, ...opts.settings }, null, 2));
  const env = codeServerEnv();
  const profileArgs = ['--config', configFile, '--user-data-dir', dataDir, '--extensions-dir', extDir];

  for (const vsix of opts.vsix ?? []) {
    const started = Date.now();
    const r = spawnSync(node24, [codeServerEntry, ...profileArgs, '--install-extension', resolve(vsix), '--force'], {
      env,
      encoding: 'utf8',
    });
    const out = `${r.stdout}${r.stderr}`;
    if (r.status !== 0 || !/successfully installed/i.test(out)) {
      rmSync(profileDir, { recursive: true, force: true });
      throw new Error(`installing ${vsix} into code-server failed:\n${out}`);
    }
    log(`installed ${vsix} (${Date.now() - started} ms)`);
  }

  const args = [
    codeServerEntry,
    ...profileArgs,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${opts.port ?? 0}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...(opts.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
    workspace,
  ];
  // Its own process group: a Ctrl+C in the terminal reaches only us, and we stop the tree in order.
  const child = spawn(node24, args, { env, cwd: workspace, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  /** @type {(port: number) => void} */
  let onPort = () => {};
  const portFound = new Promise((res) => (onPort = res));
  const onData = (chunk) => {
    const text = chunk.toString();
    output += text;
    for (const line of text.split('\n')) if (line.trim()) opts.onOutput?.(line);
    const m = /HTTP server listening on https?:\/\/[^\s:]+:(\d+)/.exec(output);
    if (m) onPort(Number(m[1]));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((res) => child.on('exit', (code) => res(code)));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.pid) await killTree([child.pid]);
    rmSync(profileDir, { recursive: true, force: true });
  };

  const timeoutMs = opts.timeoutMs ?? 60_000;
  let timer;
  const port = await Promise.race([
    portFound,
    exited.then((code) => {
      throw new Error(`code-server exited (code ${code}) before listening:\n${output}`);
    }),
    new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`code-server did not start listening within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    }),
  ]).catch(async (err) => {
    await stop();
    throw err;
  });
  clearTimeout(timer);

  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?folder=${encodeURIComponent(workspace).replace(/%2F/g, '/')}`,
    origin,
    port,
    pid: child.pid,
    profileDir,
    workspace,
    output: () => output,
    exited,
    stop,
  };
}
