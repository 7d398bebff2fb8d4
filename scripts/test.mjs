#!/usr/bin/env node
// Runs the test suites with node's test runner (through tsx for TypeScript).
// Node 20's `node --test` does not expand glob patterns itself, so the files are listed here.
//
//   node scripts/test.mjs                  test/unit and test/oracle
//   node scripts/test.mjs test/oracle      only the files under the given folders or globs
//   TEST_REPORTER=dot node scripts/test.mjs
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const selectors = process.argv.slice(2);
const patterns = (selectors.length > 0 ? selectors : ['test/unit', 'test/oracle']).map((s) =>
  /[*?{]/.test(s) || s.endsWith('.ts') ? s : `${s.replace(/\/$/, '')}/**/*.test.ts`,
);
const files = (await fg(patterns, { cwd: root, ignore: ['**/node_modules/**', 'test/fixtures/**'] })).sort();
if (files.length === 0) {
  console.error(`no test files match ${patterns.join(', ')}`);
  process.exit(1);
}
const reporter = process.env.TEST_REPORTER ?? 'spec';
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
