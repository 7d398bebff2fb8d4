#!/usr/bin/env node
// `npm start`: try Layer Lens in a real VS Code with the samples/ folder open.
//
//   npm start                      desktop `code` on PATH → install the vsix there and open samples/;
//                                  otherwise install code-server (once, into .tools/) and serve
//                                  VS Code on http://127.0.0.1:PORT until Ctrl+C
//   npm start -- --code-server     always use code-server, even when `code` is on PATH
//   npm start -- --no-build        reuse dist/layer-lens.vsix as it is
//   npm run smoke                  (= --smoke) headless check: code-server + Chromium, open
//                                  samples/lenet.ts, run "Layer Lens: Show Model Summary",
//                                  screenshot to test-results/, then shut everything down
//
// Environment: PORT picks the port (default: a free one).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer } from './lib/code-server.mjs';
import { ROOT, ensureTools } from './lib/tools.mjs';

const args = new Set(process.argv.slice(2));
const smoke = args.has('--smoke');
const forceCodeServer = smoke || args.has('--code-server');
const noBuild = args.has('--no-build');
const SAMPLES = join(ROOT, 'samples');
const VSIX = join(ROOT, 'dist', 'layer-lens.vsix');
const t0 = Date.now();
const log = (msg) => console.log(`[layer-lens ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

function sh(cmd, cmdArgs, what) {
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${what} failed (${cmd} ${cmdArgs.join(' ')} exited with ${r.status ?? r.signal})`);
}

function desktopCode() {
  if (forceCodeServer) return null;
  const r = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function packageExtension() {
  if (noBuild && existsSync(VSIX)) return log(`Using ${VSIX} as it is (--no-build).`);
  log('Building and packaging the extension (npm run package)…');
  sh('npm', ['run', 'package', '--silent'], 'npm run package');
}

async function main() {
  const code = desktopCode();
  if (code) {
    packageExtension();
    log(`Installing into VS Code (${code})…`);
    sh(code, ['--install-extension', VSIX, '--force'], 'code --install-extension');
    sh(code, [SAMPLES], 'code samples/');
    log(`Opened ${SAMPLES} in VS Code. Open lenet.ts and run "Layer Lens: Show Model Summary" (F1).`);
    return 0;
  }

  ensureTools({ log });
  packageExtension();
  const port = process.env.PORT ? Number(process.env.PORT) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${process.env.PORT}"`);
  log('Starting code-server…');
  const cs = await startCodeServer({
    workspace: SAMPLES,
    vsix: [VSIX],
    port,
    // The smoke check types into editors: never let an edit reach samples/ on disk.
    settings: smoke ? { 'files.autoSave': 'off' } : undefined,
    log,
    onOutput: process.env.LAYER_LENS_VERBOSE ? (line) => console.log(`  code-server: ${line}`) : undefined,
  });

  let stopping = false;
  const shutdown = async (why) => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping code-server and its processes…`);
    await cs.stop();
    log('Stopped.');
  };

  if (smoke) {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.once(sig, () => shutdown(sig).then(() => process.exit(130)));
    }
    let status;
    try {
      const { runSmoke } = await import('./lib/smoke.mjs');
      status = (await runSmoke(cs, { log, resultsDir: join(ROOT, 'test-results') })) ? 0 : 1;
    } finally {
      await shutdown('Smoke check done');
    }
    return status;
  }

  const line = '─'.repeat(cs.url.length + 4);
  console.log(`\n┌${line}┐\n│  ${cs.url}  │\n└${line}┘`);
  console.log(`Layer Lens is installed in this VS Code, with samples/ open. Open the URL in a browser,`);
  console.log(`open lenet.ts, and run "Layer Lens: Show Model Summary" (F1). Press Ctrl+C to stop.\n`);

  return new Promise((resolveExit) => {
    const onSignal = (sig) => shutdown(sig).then(() => resolveExit(0));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
    cs.exited.then((codeOrNull) => {
      if (stopping) return;
      log(`code-server exited unexpectedly (code ${codeOrNull}). Last output:\n${cs.output().slice(-3000)}`);
      shutdown('code-server exited').then(() => resolveExit(1));
    });
  });
}

main().then(
  (status) => process.exit(status),
  (err) => {
    console.error(`\nlayer-lens start failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
