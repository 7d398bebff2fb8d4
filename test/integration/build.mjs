// Compiles the integration tests (TypeScript) to CommonJS in out/test/integration/, the form
// VS Code's extension host `require()`s: suite/index.js (the mocha runner), suite/*.test.js,
// and runTest.js (@vscode/test-electron). Packages (vscode, mocha, @vscode/test-electron)
// stay external; local imports (../helpers) are bundled into each file.
import * as esbuild from 'esbuild';
import fg from 'fast-glob';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT_DIR = join(ROOT, 'out', 'test', 'integration');
/** The module VS Code loads as `extensionTestsPath`. */
export const TESTS_ENTRY = join(OUT_DIR, 'suite', 'index.js');

export async function buildIntegrationTests() {
  const entryPoints = await fg(['test/integration/suite/*.ts', 'test/integration/runTest.ts'], { cwd: ROOT, absolute: true });
  await esbuild.build({
    entryPoints,
    outbase: join(ROOT, 'test', 'integration'),
    outdir: OUT_DIR,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  return TESTS_ENTRY;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildIntegrationTests();
  console.log(`built the integration tests into ${OUT_DIR}`);
}
