/**
 * The extension-tests entry point (`extensionTestsPath`): VS Code's extension host
 * `require()`s this module and awaits `run()`. The same contract in @vscode/test-electron
 * (test/integration/runTest.ts) and in code-server, where the workbench URL's `payload`
 * starts it and reports the outcome through `window.codeAutomationExit` (test/e2e).
 *
 * Besides mocha's spec output, every test's outcome is logged as one line
 * `[layer-lens-mocha] {"title":…,"state":…}` so that a driver reading the console (the
 * code-server run forwards the extension host's console to the page) can count them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export const RESULT_MARKER = '[layer-lens-mocha]';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90_000, reporter: ResultReporter });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}

/** mocha's spec reporter, plus one machine-readable line per test and one at the end. */
class ResultReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
    const emit = (data: Record<string, unknown>) => console.log(`${RESULT_MARKER} ${JSON.stringify(data)}`);
    runner.on(EVENT_TEST_PASS, (t) => emit({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
    runner.on(EVENT_TEST_PENDING, (t) => emit({ title: t.fullTitle(), state: 'pending' }));
    runner.on(EVENT_TEST_FAIL, (t, err: Error) => emit({ title: t.fullTitle(), state: 'failed', ms: t.duration, error: err?.stack ?? String(err) }));
    runner.once(EVENT_RUN_END, () => emit({ end: true, stats: runner.stats }));
  }
}
