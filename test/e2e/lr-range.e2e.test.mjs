// "Layer Lens: Find Learning Rate (Range Test)" in a real VS Code (part of `npm test` /
// `npm run test:e2e`): the packaged vsix in a fresh code-server profile, samples/ open in
// headless Chromium. With the cursor in LeNet-5 (samples/lenet.ts) the command runs the sweep
// under a progress notification, shows the loss-against-learning-rate chart, offers the
// suggested rate, and "Write into compile" puts it into the model's compile call.
// Screenshots: test-results/e2e/lr-range-*.png.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeEditorText, gotoLine, openWorkbench, quickOpen, runCommand, waitFor } from '../../scripts/lib/workbench.mjs';
import { SAMPLES, e2eSuite, log, runFolderTracker, screenshot } from './harness.mjs';

const COMMAND = 'Layer Lens: Find Learning Rate (Range Test)';
/** The sweep still spans 1e-7 → 10; 60 steps rather than the default 100 keep the test short. */
const STEPS = 60;
const FILE = 'lenet.ts';
const SOURCE = readFileSync(join(SAMPLES, FILE), 'utf8');
const IN_MODEL = (() => {
  const lines = SOURCE.split('\n');
  const index = lines.findIndex((l) => l.includes('filters: 6'));
  if (index < 0) throw new Error(`samples/${FILE} lost its first conv2d line`);
  return { line: index + 1, column: lines[index].indexOf('conv2d') + 3 };
})();

const COMPILE_LINE = SOURCE.split('\n').findIndex((l) => l.includes('model.compile(')) + 1;

const runs = runFolderTracker();

/**
 * The notifications' texts, from the notification center: with the smoke-test driver on (as
 * here) the workbench shows no toasts, so the center is opened (the bell) when it is closed —
 * it closes itself whenever it runs empty.
 */
async function notifications(page) {
  const visible = () => page.evaluate(() => !!document.querySelector('.notifications-center.visible'));
  if (!(await visible())) await page.locator('[id="status.notifications"] a').click();
  return page.evaluate(() => [...document.querySelectorAll('.notifications-center .monaco-list-row')].map((n) => n.textContent ?? ''));
}

/** The range test's chart: the webview frame whose page has the loss-vs-rate SVG. */
async function chartFrame(page) {
  return waitFor(
    async () => {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame()) continue;
        const ok = await frame.evaluate(() => !!document.querySelector('svg.lr-chart')).catch(() => false);
        if (ok) return frame;
      }
      return null;
    },
    { timeoutMs: 30_000, what: 'the learning-rate chart webview' },
  );
}

e2eSuite(
  'Find Learning Rate (Range Test) in a real VS Code (code-server + headless Chromium)',
  { name: 'lr-range', settings: { 'layerLens.lrRangeTest.steps': STEPS, 'layerLens.training.backend': 'wasm' }, testTimeoutMs: 180_000, onEnd: () => runs.removeCreated() },
  ({ check, editor }) => {
    check('sweeps with a progress notification, charts loss against rate and writes the suggestion into compile', async (page) => {
      await openWorkbench(page, editor().cs.url);
      await quickOpen(page, FILE);
      await waitFor(async () => (await page.locator('.codelens-decoration a', { hasText: '▶ Train' }).count()) > 0, { timeoutMs: 60_000, what: 'the analysis of lenet.ts (its ▶ Train lens)' });
      await gotoLine(page, IN_MODEL.line, IN_MODEL.column);
      await runCommand(page, COMMAND);
      // The progress notification counts the steps.
      const progress = await waitFor(
        async () => (await notifications(page)).find((t) => /learning-rate range test/.test(t) && /step \d+\/\d+/.test(t)) ?? null,
        { timeoutMs: 60_000, intervalMs: 200, what: 'the progress notification with the step count' },
      );
      log(`progress notification: ${progress}; screenshot ${await screenshot(page, 'lr-range-progress.png')}`);
      assert.match(progress, new RegExp(`step \\d+/${STEPS}`), 'the notification counts the configured steps');
      // The chart: dots for the batch losses, the smoothed line, the suggestion.
      const frame = await chartFrame(page);
      const chart = await frame.evaluate(() => ({
        dots: document.querySelectorAll('svg.lr-chart circle').length,
        paths: document.querySelectorAll('svg.lr-chart path').length,
        text: document.body.textContent ?? '',
      }));
      assert.ok(chart.dots >= 10, `the chart has a dot per step: ${chart.dots}`);
      assert.ok(chart.paths >= 1, 'the chart draws the smoothed loss');
      const offer = await waitFor(async () => (await notifications(page)).find((t) => /Suggested learning rate/.test(t)) ?? null, { timeoutMs: 30_000, what: 'the suggestion notification' });
      log(`suggestion: ${offer}; screenshot ${await screenshot(page, 'lr-range-chart.png')}`);
      const suggested = /Suggested learning rate ([0-9.e+-]+)/.exec(offer)?.[1];
      assert.ok(suggested && Number(suggested) > 0, `the notification names a rate: ${offer}`);
      assert.match(chart.text, new RegExp(suggested.replace(/[.+]/g, '\\$&')), 'the chart names the same suggestion');
      // Accept: the rate goes into lenet.ts's compile call (in the editor; nothing is saved).
      // The bell's hover would take the click: move the pointer off it first.
      await page.mouse.move(400, 300);
      await waitFor(async () => (await page.locator('.monaco-hover.workbench-hover').count()) === 0, { timeoutMs: 10_000, what: 'the bell\'s hover to go' });
      await page.locator('.notifications-center .monaco-list-row').filter({ hasText: 'Suggested learning rate' }).getByRole('button', { name: 'Write into compile' }).click();
      await quickOpen(page, FILE);
      await gotoLine(page, COMPILE_LINE);
      const text = await waitFor(async () => {
        const t = await activeEditorText(page);
        return t.includes(suggested) ? t : null;
      }, { timeoutMs: 15_000, what: `the rate ${suggested} in lenet.ts` });
      const compileLine = text.split('\n').find((l) => l.includes(suggested)) ?? '';
      log(`written: ${compileLine.trim()}; screenshot ${await screenshot(page, 'lr-range-written.png')}`);
      assert.match(compileLine, /tf\.train\.\w+\(|learningRate/, `the rate lands in the optimizer: ${compileLine}`);
    });
  },
);
