/**
 * `npm run test:integration`: the mocha suite of test/integration/suite in a desktop VS Code
 * downloaded by @vscode/test-electron, with the extension loaded from this repository
 * (extensionDevelopmentPath) and samples/ open.
 *
 * @vscode/test-electron downloads VS Code from update.code.visualstudio.com at run time. Where
 * that is not reachable (the build machines of this project), the same suite runs inside
 * code-server's real extension host as part of `npm run test:e2e` (test/e2e).
 *
 *   VSCODE_VERSION=1.91.0 npm run test:integration     a given VS Code (default: stable)
 */
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<number> {
  // Bundled to out/test/integration/runTest.js: the repository root is three levels up.
  const root = path.resolve(__dirname, '..', '..', '..');
  const extensionTestsPath = path.join(__dirname, 'suite', 'index.js');
  try {
    return await runTests({
      version: process.env.VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath,
      launchArgs: [path.join(root, 'samples'), '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`\n@vscode/test-electron failed: ${message}`);
    if (/download|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|fetch|socket|status code/i.test(message)) {
      console.error(
        'It downloads VS Code from update.code.visualstudio.com, which is not reachable from here.\n' +
          'The same mocha suite runs inside code-server (a real VS Code from npm) with: npm run test:e2e',
      );
    }
    return 1;
  }
}

main().then((code) => process.exit(code));
