#!/usr/bin/env node
// Runs the test suites with node's test runner (through tsx for TypeScript).
// Node 20's `node --test` does not expand glob patterns itself, so the files are listed here.
//
//   node scripts/test.mjs                  test/unit, test/oracle and test/e2e (a real VS Code in
//                                          headless Chromium; its first run installs code-server
//                                          into .tools/). The runner orders the files by path,
//                                          one at a time on a 2-core machine.
//   node scripts/test.mjs test/oracle      only the files under the given folders or globs
//   TEST_REPORTER=dot node scripts/test.mjs
//
// All files run in one `node --test`, so its summary (ℹ tests … ℹ fail …) counts every suite;
// when the output is not a terminal (CI), those summary lines are repeated at the very end if
// the reporter printed anything after them (the list of failing tests).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const selectors = process.argv.slice(2);
const groups = (selectors.length > 0 ? selectors : ['test/unit', 'test/oracle', 'test/e2e']).map((s) =>
  /[*?{]/.test(s) || /\.m?[jt]s$/.test(s) ? s : `${s.replace(/\/$/, '')}/**/*.test.{ts,mjs}`,
);
const files = [];
for (const pattern of groups) {
  for (const f of (await fg(pattern, { cwd: root, ignore: ['**/node_modules/**', 'test/fixtures/**'] })).sort()) {
    if (!files.includes(f)) files.push(f);
  }
}
if (files.length === 0) {
  console.error(`no test files match ${groups.join(', ')}`);
  process.exit(1);
}
const reporter = process.env.TEST_REPORTER ?? 'spec';
const args = ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, ...files];
const tty = process.stdout.isTTY;
const child = spawn(process.execPath, args, { cwd: root, stdio: tty ? 'inherit' : ['inherit', 'pipe', 'inherit'] });

/** The reporter's summary block (`ℹ tests 12` … `ℹ duration_ms …`) and whether output followed it. */
let summary = [];
let afterSummary = false;
if (!tty) {
  let pending = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) track(line);
  });
  child.stdout.on('end', () => pending && track(pending));
}
function track(line) {
  if (/^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(line)) {
    if (afterSummary || summary.length >= 8) summary = [];
    afterSummary = false;
    summary.push(line);
  } else if (summary.length > 0 && line.trim() !== '') {
    afterSummary = true;
  }
}

// Ctrl+C reaches the whole process group already (each test file stops what it started);
// a SIGTERM/SIGHUP sent to this process alone is passed on.
process.on('SIGINT', () => {});
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('close', (code, signal) => {
  if (!tty && afterSummary && summary.length > 0) process.stdout.write(`\n${summary.join('\n')}\n`);
  process.exit(code ?? (signal ? 1 : 0));
});
