// Bundles the extension, the CLI and (once it exists) the language server into dist/.
//
// The vsix is packaged with `vsce package --no-dependencies`, so node_modules never ships:
// everything needed at run time (ts-morph and its bundled TypeScript included) is inlined
// here. Only `vscode` stays external; the extension host provides it.
//
//   node esbuild.mjs            one production build (minified, with source maps)
//   node esbuild.mjs --watch    rebuild on change (unminified)
//   node esbuild.mjs --dev      one unminified build
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTrainingAssets } from './scripts/training-assets.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const watch = process.argv.includes('--watch');
const dev = watch || process.argv.includes('--dev');

/** [entry point, output file, externals]. An entry whose file is missing is skipped. */
const targets = [
  ['src/extension.ts', 'dist/extension.js', ['vscode']],
  ['src/cli/main.ts', 'dist/cli.js', []],
  ['src/server/server.ts', 'dist/server.js', []],
  ['src/training/engine/worker.ts', 'dist/train-worker.js', []],
  // Preloaded into the user's own training program (node --require): instrumentation + TS require hook.
  ['src/training/script/preload.ts', 'dist/train-preload.js', []],
  // The preload's last-resort TypeScript transpiler (loaded only without esbuild/typescript in the project).
  ['src/training/script/ts-fallback.ts', 'dist/train-typescript.js', []],
];

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  minify: !dev,
  keepNames: true,
  logLevel: 'warning',
  // TypeScript's compiler (inside @ts-morph/common) probes for optional modules it can
  // live without (source-map-support, inspector hooks); leave those requires as they are.
  logOverride: { 'require-resolve-not-external': 'silent' },
  absWorkingDir: root,
};

const builds = targets
  .filter(([entry]) => existsSync(join(root, entry)))
  .map(([entry, outfile, external]) => ({ ...common, entryPoints: [entry], outfile, external }));
// The ES module loader hooks the preload registers (module.register) for TypeScript ES modules.
if (existsSync(join(root, 'src/training/script/esm-hooks.ts'))) {
  builds.push({ ...common, entryPoints: ['src/training/script/esm-hooks.ts'], outfile: 'dist/train-esm-hooks.mjs', format: 'esm', external: [] });
}

// Webview pages: browser bundles (script + stylesheet) under dist/webview/, loaded by the
// extension through webview.asWebviewUri (its localResourceRoots is dist/webview).
/** [entry point, output file]. */
const webviewTargets = [
  ['src/webview/summary/main.ts', 'dist/webview/summary.js'],
  ['src/webview/summary/summary.css', 'dist/webview/summary.css'],
  ['src/webview/training/main.ts', 'dist/webview/training.js'],
  ['src/webview/training/training.css', 'dist/webview/training.css'],
  ['src/webview/health/main.ts', 'dist/webview/health.js'],
  ['src/webview/health/health.css', 'dist/webview/health.css'],
];
// elkjs's layout engine runs in a Web Worker of the summary page (off its main thread): ship
// the worker script elkjs provides as it is.
const elkWorker = [join(root, 'node_modules', 'elkjs', 'lib', 'elk-worker.min.js'), join(root, 'dist', 'webview', 'elk-worker.js')];
for (const [entry, outfile] of webviewTargets) {
  if (!existsSync(join(root, entry))) continue;
  builds.push({
    ...common,
    entryPoints: [entry],
    outfile,
    platform: 'browser',
    format: 'iife',
    target: ['chrome120'],
    external: [],
    keepNames: false,
  });
}
if (existsSync(elkWorker[0])) {
  mkdirSync(dirname(elkWorker[1]), { recursive: true });
  copyFileSync(elkWorker[0], elkWorker[1]);
}

if (builds.length === 0) {
  console.error('esbuild.mjs: no entry point found');
  process.exit(1);
}

if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    console.log(`watching ${options.entryPoints[0]} → ${options.outfile}`);
  }
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  writeTrainingAssets(root, join(root, 'dist'));
  const names = builds.map((b) => b.outfile).join(', ');
  console.log(`built ${names} in ${Date.now() - started} ms`);
}
