// What the real-browser end-to-end tests (test/e2e/*.e2e.test.mjs) and `npm run bench:e2e`
// share: installing the tools (Node 24 + code-server into .tools/, chromium as root), packaging
// the vsix once, starting code-server with a fresh profile and headless Chromium on it, running
// the mocha integration suite inside code-server's extension host, and stopping every process
// started here, on failure and on Ctrl+C too. Built on scripts/lib (tools, code-server, proc,
// workbench).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as nodeTest from 'node:test';
import { format } from 'node:util';
import { startCodeServer } from '../../scripts/lib/code-server.mjs';
import { CHROMIUM, ROOT, cleanNpmEnv, ensureTools } from '../../scripts/lib/tools.mjs';
import { launchBrowser } from '../../scripts/lib/workbench.mjs';
import { buildIntegrationTests } from '../integration/build.mjs';

export { ROOT };
export const SAMPLES = join(ROOT, 'samples');
export const VSIX = join(ROOT, 'dist', 'layer-lens.vsix');
export const RESULTS_DIR = join(ROOT, 'test-results', 'e2e');
/** The browser the tests drive: Debian's chromium, or LAYER_LENS_CHROMIUM. */
export const CHROMIUM_PATH = process.env.LAYER_LENS_CHROMIUM || CHROMIUM;
/** The line the mocha runner (test/integration/suite/index.ts) logs for each test. */
const MOCHA_MARKER = '[layer-lens-mocha]';

const t0 = Date.now();
/** Progress lines on stderr (the test reporter owns stdout), with seconds since start. */
export function log(message) {
  process.stderr.write(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
}

/** Everything started here that is still running; `stopAll()` stops it. */
const running = new Set();
let signalsHooked = false;

/** Registers `stop` to run at `stopAll()`, and on SIGINT/SIGTERM/SIGHUP before exiting. */
export function track(stop) {
  running.add(stop);
  if (!signalsHooked) {
    signalsHooked = true;
    let stopping = false;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      // Stays installed: a second signal (the test runner passing one on) must not cut the
      // clean-up short.
      process.on(sig, () => {
        if (stopping) return;
        stopping = true;
        log(`${sig}: stopping code-server, Chromium and their processes…`);
        stopAll().finally(() => process.exit(130));
      });
    }
  }
  return () => running.delete(stop);
}

export async function stopAll() {
  const stops = [...running];
  running.clear();
  await Promise.allSettled(stops.map((s) => s()));
}

function attempt(what, fn, { tries = 2, log: say = log } = {}) {
  for (let i = 1; ; i++) {
    try {
      return fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (i >= tries) throw new Error(`${what} failed after ${tries} attempt(s): ${message}`, { cause: err });
      say(`${what} failed (attempt ${i} of ${tries}): ${message.split('\n')[0]} — trying again`);
    }
  }
}

let prepared;
/**
 * Once per process: the tools (Node 24 + code-server; chromium and libkrb5-dev via apt-get as
 * root), the vsix (`npm run package`) and the compiled integration suite. Throws one error
 * whose message says which step failed and what to do.
 */
export function prepare() {
  prepared ??= (async () => {
    const started = Date.now();
    // npm and apt-get hiccups are worth one more try; a second failure is reported as it is.
    const tools = attempt('installing the e2e tools (Node 24, code-server; chromium and libkrb5-dev as root)', () =>
      ensureTools({ log, needChromium: !process.env.LAYER_LENS_CHROMIUM }),
    );
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(
        `no Chromium at ${CHROMIUM_PATH}: install the Debian package "chromium" (apt-get install -y chromium, as root), ` +
          'or point LAYER_LENS_CHROMIUM at a Chromium or Chrome binary; the e2e tests drive it headlessly',
      );
    }
    log(`tools ready (${Date.now() - started} ms)`);
    const p0 = Date.now();
    const r = spawnSync('npm', ['run', 'package', '--silent'], { cwd: ROOT, env: cleanNpmEnv(process.env), encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(VSIX)) {
      throw new Error(`npm run package failed (exit ${r.status ?? r.signal}):\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-4000)}`);
    }
    log(`packaged ${VSIX} (${Date.now() - p0} ms)`);
    const testsEntry = await buildIntegrationTests();
    mkdirSync(RESULTS_DIR, { recursive: true });
    return { ...tools, testsEntry };
  })();
  return prepared;
}

/**
 * code-server with samples/ open and `opts.vsix` installed into a fresh profile, plus a
 * headless Chromium page (not yet navigated). `stop()` ends both, however far they got.
 * @param {{ vsix?: string[], settings?: Record<string, unknown> }} [opts]
 */
export async function startEditor(opts = {}) {
  const cs = await startCodeServer({
    workspace: SAMPLES,
    vsix: opts.vsix ?? [VSIX],
    // The tests type into editors: never let an edit reach samples/ on disk.
    settings: { 'files.autoSave': 'off', ...opts.settings },
    log,
  });
  const untrackCs = track(() => cs.stop());
  let browser;
  try {
    browser = await launchBrowser({ executablePath: CHROMIUM_PATH });
  } catch (err) {
    await cs.stop();
    untrackCs();
    throw new Error(`launching ${CHROMIUM_PATH} failed: ${err instanceof Error ? err.message : err}`, { cause: err });
  }
  const untrackBrowser = track(() => browser.close());
  const stop = async () => {
    untrackBrowser();
    untrackCs();
    await browser.close().catch(() => {});
    await cs.stop();
  };
  return { cs, ...browser, stop };
}

/** Writes the browser console and code-server's output next to the screenshots, for a failure. */
export function saveLogs(name, editor) {
  const file = join(RESULTS_DIR, `${name}.log`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, `${editor.consoleLines.join('\n')}\n\n--- code-server ---\n${editor.cs.output()}`);
  return file;
}

/**
 * Runs the mocha suite of test/integration inside code-server's real (remote) extension host:
 * the workbench URL's `payload` names this repository as extensionDevelopmentPath (the
 * extension loads from dist/, no vsix) and the compiled suite as extensionTestsPath; the
 * workbench reports the outcome through `window.codeAutomationExit(code)`.
 * @returns {Promise<{ code: number, results: Array<{ title: string, state: string, ms?: number, error?: string }>, lines: string[] }>}
 */
export async function runMochaInCodeServer(testsEntry, { timeoutMs = 240_000 } = {}) {
  const editor = await startEditor({ vsix: [] });
  const { cs, page } = editor;
  try {
    const remote = (p) => `vscode-remote://127.0.0.1:${cs.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(ROOT)],
      ['extensionTestsPath', remote(testsEntry)],
    ];
    /** The extension host's console as readable lines (mocha's spec output included). */
    const lines = [];
    page.on('console', async (msg) => {
      try {
        const args = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => '')));
        // The extension host's console arrives as console.log('%c INFO', 'color: #33f', fmt, ...args).
        const text = typeof args[0] === 'string' && args[0].startsWith('%c') ? format(...args.slice(2)) : msg.text();
        for (const line of text.split('\n')) lines.push(line);
      } catch {
        lines.push(msg.text());
      }
    });
    let onExit;
    const exited = new Promise((resolve) => (onExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => onExit(Number(code)));
    const started = Date.now();
    await page.goto(`${cs.url}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer;
    const code = await Promise.race([
      exited,
      cs.exited.then((c) => {
        throw new Error(`code-server exited (code ${c}) while the integration suite ran`);
      }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the integration suite did not finish within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    log(`integration suite finished in code-server with exit code ${code} (${Date.now() - started} ms)`);
    // Console messages are delivered asynchronously: wait for the run-end line (best effort).
    for (let i = 0; i < 40 && !lines.some((l) => l.includes(`${MOCHA_MARKER} {"end"`)); i++) await new Promise((r) => setTimeout(r, 50));
    const results = [];
    for (const line of lines) {
      const at = line.indexOf(MOCHA_MARKER);
      if (at < 0) continue;
      try {
        const r = JSON.parse(line.slice(at + MOCHA_MARKER.length));
        if (!r.end) results.push(r);
      } catch {
        // a marker inside some other text
      }
    }
    writeFileSync(join(RESULTS_DIR, 'integration-in-code-server.log'), `${lines.join('\n')}\n\n--- code-server ---\n${cs.output()}`);
    return { code, results, lines };
  } finally {
    await editor.stop();
  }
}

/** Saves a screenshot of the page under test-results/e2e/ and returns its repository path. */
export function screenshot(page, name) {
  return page.screenshot({ path: join(RESULTS_DIR, name) }).then(() => `test-results/e2e/${name}`);
}

/** An error reported by its message alone: the stack of a setup failure only repeats the test file. */
export function bare(message) {
  const err = new Error(message);
  err.stack = `Error: ${message}`;
  return err;
}

/**
 * One e2e test file's suite: one code-server window (the vsix installed, `settings` in its
 * fresh profile) shared by its checks, in order. `body({ check, editor })` declares them:
 * `check(title, fn(page), options?)` is an `it` that reports a failed setup once (the rest say
 * they did not run), and on failure saves a screenshot (`<name>-failure-N.png`, named in the
 * error) and, after the suite, the browser console and code-server's output (`<name>.log`).
 * `editor()` is the started editor. `onStart` runs before the editor starts (a failure there is
 * a setup failure); `onEnd` after the suite, before the editor stops.
 * @param {string} title
 * @param {{ name: string, settings?: Record<string, unknown>, testTimeoutMs?: number, onStart?: () => void | Promise<void>, onEnd?: () => void | Promise<void> }} opts
 * @param {(s: { check: (title: string, fn: (page: any) => Promise<void>, options?: object) => void, editor: () => any }) => void} body
 */
export function e2eSuite(title, opts, body) {
  const { describe, it, before, after } = nodeTest;
  describe(title, () => {
    let editor;
    let setupError;
    let setupReported = false;
    let failures = 0;

    before(
      async () => {
        try {
          await opts.onStart?.();
          await prepare();
          editor = await startEditor(opts.settings ? { settings: opts.settings } : {});
          log(`code-server at ${editor.cs.url}`);
        } catch (err) {
          setupError = err;
        }
      },
      { timeout: SETUP_TIMEOUT_MS },
    );

    after(async () => {
      try {
        await opts.onEnd?.();
      } finally {
        if (editor && failures > 0) log(`browser console and code-server output: ${saveLogs(opts.name, editor)}`);
        await editor?.stop();
        await stopAll();
      }
    });

    const check = (name, fn, options = {}) =>
      it(name, { timeout: opts.testTimeoutMs ?? 150_000, ...options }, async () => {
        if (setupError) {
          const first = !setupReported;
          setupReported = true;
          throw bare(first ? `e2e setup failed: ${setupError instanceof Error ? setupError.message : setupError}` : 'not run: the e2e setup failed (see the first failing e2e test)');
        }
        try {
          await fn(editor.page);
        } catch (err) {
          failures++;
          const shot = await screenshot(editor.page, `${opts.name}-failure-${failures}.png`).catch(() => '');
          if (shot && err instanceof Error) err.message += ` (screenshot ${shot})`;
          throw err;
        }
      });

    body({ check, editor: () => editor });
  });
}

/** A first run installs code-server and Chromium: minutes. */
const SETUP_TIMEOUT_MS = 30 * 60_000;

/**
 * The run folders the engine writes into samples/.layer-lens/runs (git-ignored): `created()`
 * lists those made since this was called, `removeCreated()` deletes them.
 */
export function runFolderTracker(root = SAMPLES) {
  const runs = join(root, '.layer-lens', 'runs');
  const list = () => (existsSync(runs) ? readdirSync(runs) : []);
  const before = new Set(list());
  return {
    dir: runs,
    created: () => list().filter((f) => !before.has(f)),
    removeCreated: () => {
      for (const f of list()) if (!before.has(f)) rmSync(join(runs, f), { recursive: true, force: true });
    },
  };
}
