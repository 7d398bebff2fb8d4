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
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const watch = process.argv.includes('--watch');
const dev = watch || process.argv.includes('--dev');

/** [entry point, output file, externals]. An entry whose file is missing is skipped. */
const targets = [
  ['src/extension.ts', 'dist/extension.js', ['vscode']],
  ['src/cli/main.ts', 'dist/cli.js', []],
  ['src/server/server.ts', 'dist/server.js', []],
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
  const names = builds.map((b) => b.outfile).join(', ');
  console.log(`built ${names} in ${Date.now() - started} ms`);
}
