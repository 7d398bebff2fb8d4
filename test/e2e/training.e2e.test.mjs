// "Layer Lens: Train Current Model" in a real VS Code (part of `npm test` / `npm run test:e2e`):
// the packaged vsix in a fresh code-server profile, samples/ open in headless Chromium.
// mnist-cnn.ts (two conv + pool stages, 5,994 parameters) is trained on the MNIST digits with
// the wasm backend, from the command palette; the panel must show the backend line, a loss
// chart with points and a falling loss, a heatmap row per layer with weights, and end
// "completed". Then a long run is started and the panel closed: the worker must be gone
// within a few seconds (no orphan process).
// Screenshots: test-results/e2e/training-*.png.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gotoLine, openWorkbench, quickOpen, runCommand, sleep, waitFor } from '../../scripts/lib/workbench.mjs';
import { SAMPLES, e2eSuite, log, runFolderTracker, screenshot } from './harness.mjs';
import { TABS, showTab, trainingFrame } from './training-panel.mjs';

const COMMAND = 'Layer Lens: Train Current Model';
const FILE = 'mnist-cnn.ts';
/** A line inside the model code (its first conv layer). */
const IN_MODEL = (() => {
  const lines = readFileSync(join(SAMPLES, FILE), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes('filters: 8'));
  if (index < 0) throw new Error(`samples/${FILE} lost its first conv2d line`);
  return { line: index + 1, column: lines[index].indexOf('conv2d') + 3 };
})();
/** Steps of the first run: enough for the MNIST loss to fall clearly from its ~2.3 start. */
const STEPS = 60;

/** The batch losses of a run, from its folder's metrics.jsonl (what the panel was sent). */
function runLosses(folder) {
  return readFileSync(join(runs.dir, folder, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((m) => m.type === 'step' && typeof m.loss === 'number')
    .map((m) => m.loss);
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The run folders the engine writes into samples/ (git-ignored); the ones made here are removed afterwards. */
const runs = runFolderTracker();

/** Process ids of training workers (dist/train-worker.js) running now. */
function workerPids() {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes('train-worker.js')) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Sets the form through the page (vscode-elements controls keep their value in `.value`). */
async function fillForm(frame, values) {
  await frame.evaluate((v) => {
    const set = (sel, value) => {
      const el = document.querySelector(sel);
      if (!el) throw new Error(`no ${sel} in the setup form`);
      el.value = value;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    };
    set('vscode-single-select.dataset', v.dataset);
    set('vscode-single-select.backend', v.backend);
    set('vscode-textfield[aria-label="Steps"]', v.steps);
    set('vscode-textfield[aria-label="Batch size"]', v.batch);
  }, values);
  // The form must hold them (a late re-render would silently drop them).
  await sleep(300);
  const now = await frame.evaluate(() => ({
    dataset: document.querySelector('vscode-single-select.dataset')?.value,
    backend: document.querySelector('vscode-single-select.backend')?.value,
    steps: document.querySelector('vscode-textfield[aria-label="Steps"]')?.value,
    batch: document.querySelector('vscode-textfield[aria-label="Batch size"]')?.value,
  }));
  assert.deepEqual(now, values, 'the setup form took the values');
}

e2eSuite('Train Current Model in a real VS Code (code-server + headless Chromium)', { name: 'training', onEnd: () => runs.removeCreated() }, ({ check, editor }) => {

  check('mnist-cnn.ts trains on MNIST with wasm: backend line, loss chart with a falling loss, heatmap, completed', async (page) => {
    await openWorkbench(page, editor().cs.url);
    await quickOpen(page, FILE);
    // The ▶ Train lens is there (a clickable lens: never a dead button).
    await waitFor(async () => (await page.locator('.codelens-decoration a', { hasText: '▶ Train' }).count()) > 0, { timeoutMs: 60_000, what: 'the ▶ Train CodeLens above the model' });
    await gotoLine(page, IN_MODEL.line, IN_MODEL.column);
    await runCommand(page, COMMAND);
    const frame = await trainingFrame(page);
    const title = await waitFor(async () => {
      const t = await frame.evaluate(() => (document.querySelector('vscode-single-select.dataset') ? document.querySelector('.model-name')?.textContent ?? '' : ''));
      return t || null;
    }, { timeoutMs: 30_000, what: 'the setup form of the model' });
    assert.match(title, /mnist_cnn|model/, `the panel names the model: ${title}`);
    await fillForm(frame, { dataset: 'mnist', backend: 'wasm', steps: String(STEPS), batch: '32' });
    log(`setup screenshot ${await screenshot(page, 'training-setup.png')}`);
    await frame.locator('vscode-button.start').click();
    const backend = await waitFor(async () => {
      const t = await frame.evaluate(() => document.querySelector('.backend-line')?.textContent ?? '');
      return /^Backend: wasm/.test(t) ? t : null;
    }, { timeoutMs: 60_000, what: 'the backend line "Backend: wasm …"' });
    log(`backend line: ${backend}`);
    const points = await waitFor(async () => {
      const n = Number(await frame.evaluate(() => document.querySelector('.chart-loss')?.getAttribute('data-points') ?? '0'));
      return n >= 5 ? n : null;
    }, { timeoutMs: 60_000, what: 'a loss chart with points' });
    const earlyLoss = Number(/loss ([\d.]+)/.exec(await frame.evaluate(() => document.querySelector('.metrics-line')?.textContent ?? ''))?.[1]);
    const status = await waitFor(async () => {
      const s = await frame.evaluate(() => document.querySelector('vscode-badge.status')?.textContent ?? '');
      return s === 'completed' || s === 'failed' ? s : null;
    }, { timeoutMs: 90_000, what: 'the run to end' });
    const problems = await frame.evaluate(() => document.querySelector('.problems')?.textContent ?? '');
    assert.equal(status, 'completed', `the run ended ${status}: ${problems}`);
    const progress = await frame.evaluate(() => document.querySelector('.progress-line')?.textContent ?? '');
    assert.match(progress, new RegExp(`^step ${STEPS} / ${STEPS} `), `the run trained the ${STEPS} steps asked for: ${progress}`);
    const canvas = await frame.evaluate(() => document.querySelectorAll('.chart-loss canvas').length);
    assert.ok(canvas > 0, 'the loss chart draws on a canvas');
    const metrics = await frame.evaluate(() => document.querySelector('.metrics-line')?.textContent ?? '');
    assert.match(metrics, /loss \d/, `the latest loss is shown: ${metrics}`);
    // The loss falls: in the panel (the latest loss against the one shown after a few steps)
    // and in the run's history (the last ten batches against the first ten).
    const lastLoss = Number(/loss ([\d.]+)/.exec(metrics)?.[1]);
    assert.ok(lastLoss < earlyLoss, `the panel's loss fell: ${earlyLoss} after a few steps, ${lastLoss} at the end`);
    const [folder] = runs.created();
    const losses = runLosses(folder);
    assert.equal(losses.length, STEPS, `one loss per step in ${folder}/metrics.jsonl`);
    assert.ok(mean(losses.slice(-10)) < 0.8 * mean(losses.slice(0, 10)), `the loss fell: first ten ${mean(losses.slice(0, 10)).toFixed(3)}, last ten ${mean(losses.slice(-10)).toFixed(3)}`);
    log(`loss chart: ${points} points; ${metrics}; screenshot ${await screenshot(page, 'training-charts.png')}`);
    // The layers × steps heatmap: a row per layer with weights.
    await showTab(frame, 'Layers');
    const rows = await waitFor(async () => {
      const n = await frame.evaluate(() => document.querySelectorAll('.heatmap-names .layer-name').length);
      return n > 0 ? n : null;
    }, { timeoutMs: 20_000, what: 'heatmap rows' });
    assert.ok(rows >= 3, `the CNN has 3 layers with weights: ${rows} heatmap rows`);
    await sleep(600);
    log(`heatmap rows: ${rows}; screenshot ${await screenshot(page, 'training-layers.png')}`);
    await showTab(frame, 'Runs');
    const runRows = await waitFor(async () => {
      const n = await frame.evaluate(() => document.querySelectorAll('table.runs tbody tr').length);
      return n > 0 ? n : null;
    }, { timeoutMs: 10_000, what: 'the run in the Runs list' });
    log(`runs listed: ${runRows}; screenshot ${await screenshot(page, 'training-runs.png')}`);
  });

  check('closing the panel while a run trains leaves no worker process', async (page) => {
    const frame = await trainingFrame(page);
    await showTab(frame, 'Setup');
    await fillForm(frame, { dataset: 'mnist', backend: 'wasm', steps: '100000', batch: '16' });
    await frame.locator('vscode-button.start').click();
    const pids = await waitFor(async () => {
      const p = workerPids();
      return p.length > 0 ? p : null;
    }, { timeoutMs: 30_000, what: 'a training worker process' });
    await waitFor(async () => /^step \d+ \/ 100,000/.test(await frame.evaluate(() => document.querySelector('.progress-line')?.textContent ?? '')), { timeoutMs: 60_000, what: 'the long run to train' });
    log(`worker pid(s) ${pids.join(', ')}; closing the panel`);
    await runCommand(page, 'View: Close All Editors');
    await waitFor(async () => workerPids().length === 0, { timeoutMs: 10_000, what: 'the worker to exit after the panel closed' });
  });

  check('the Runs tab lists both runs, reopens one from its folder and compares two', async (page) => {
    await runCommand(page, 'Layer Lens: Show Training Runs');
    const frame = await trainingFrame(page);
    // The reopened panel first gets the last run's history (the stopped one), charts and all.
    const history = await waitFor(async () => {
      const t = await frame.evaluate(() => (document.querySelector('vscode-badge.status')?.textContent === 'stopped' ? document.querySelector('.progress-line')?.textContent ?? '' : ''));
      return t || null;
    }, { timeoutMs: 15_000, what: 'the stopped run\'s history in the reopened panel' });
    log(`reopened panel: ${history}`);
    await showTab(frame, 'Runs');
    const rows = await waitFor(async () => {
      const n = await frame.evaluate(() => document.querySelectorAll('table.runs tbody tr').length);
      return n >= 2 ? n : null;
    }, { timeoutMs: 15_000, what: 'two runs in the list' });
    // Reopen the finished run (the older one: the list is newest first): its charts come from metrics.jsonl.
    await frame.locator('table.runs tbody tr').nth(1).locator('a', { hasText: 'Open' }).click();
    // Until the extension answers, the panel still shows the stopped run, whose loss chart has points
    // too: wait for the finished run itself (all its steps, completed), which opening a run shows
    // on the Charts tab, with its own loss chart.
    const reopened = await waitFor(async () => {
      const r = await frame.evaluate(() => ({
        tab: document.querySelector('vscode-tabs')?.selectedIndex,
        status: document.querySelector('vscode-badge.status')?.textContent ?? '',
        progress: document.querySelector('.progress-line')?.textContent ?? '',
        points: Number(document.querySelector('.chart-loss')?.getAttribute('data-points') ?? '0'),
      }));
      return r.tab === TABS.indexOf('Charts') && r.status === 'completed' && r.progress.startsWith(`step ${STEPS} / ${STEPS} `) && r.points >= 5 ? r : null;
    }, { timeoutMs: 15_000, what: `the reopened finished run (completed, step ${STEPS} / ${STEPS}) with its loss chart on the Charts tab` });
    log(`reopened run: ${reopened.progress}; loss chart ${reopened.points} points`);
    await showTab(frame, 'Runs');
    const boxes = frame.locator('table.runs tbody input[type=checkbox]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await frame.locator('vscode-button.compare').click();
    const points = await waitFor(async () => {
      const n = Number(await frame.evaluate(() => document.querySelector('.chart-compare')?.getAttribute('data-points') ?? '0'));
      return n > 0 ? n : null;
    }, { timeoutMs: 15_000, what: 'the comparison chart' });
    await sleep(300);
    log(`${rows} runs; comparison chart with ${points} points; screenshot ${await screenshot(page, 'training-compare.png')}`);
  });
});
