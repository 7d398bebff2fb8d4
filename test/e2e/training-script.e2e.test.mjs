// The training panel on the user's own training code, in a real VS Code (code-server + headless
// Chromium, the packaged vsix; part of `npm test` / `npm run test:e2e`).
// samples/train-circles.ts calls model.fit: Train Current Model must offer "My training code"
// (checked by default), run the program with the instrumentation preloaded, draw its loss and
// end "completed". Then a script chosen with "Choose a script…" (a TypeScript program that throws
// at line 13 after 4 steps) must end "failed" with the error, the mapped source line (a link that
// reveals it in the editor) and the history so far; "Forget" goes back to the file's own code.
// Screenshots: test-results/e2e/training-script-*.png.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeTabLabel, gotoLine, openWorkbench, quickOpen, runCommand, sleep, waitFor } from '../../scripts/lib/workbench.mjs';
import { ROOT, SAMPLES, e2eSuite, log, runFolderTracker, screenshot } from './harness.mjs';
import { lossPoints, progressLine, showTab, statusOf, trainingFrame } from './training-panel.mjs';

const COMMAND = 'Layer Lens: Train Current Model';
const SAMPLE = 'train-circles.ts';
/** A line inside the sample's model code (its first dense layer). */
const IN_MODEL = (() => {
  const lines = readFileSync(join(SAMPLES, SAMPLE), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes('inputShape: [2]'));
  if (index < 0) throw new Error(`samples/${SAMPLE} lost its first dense layer`);
  return { line: index + 1, column: lines[index].indexOf('dense') + 2 };
})();
/** A program that trains 4 steps, then throws at line 13 (the unit tests' fixture). */
const THROWS = join(ROOT, 'test', 'fixtures', 'training', 'user-programs', 'throws.ts');
const THROW_LINE = 13;

const runs = runFolderTracker();
/** The "Training code" choice as the page shows it. */
function codeChoice(frame) {
  return frame.evaluate(() => {
    const user = document.querySelector('vscode-radio.code-user');
    const builtin = document.querySelector('vscode-radio.code-builtin');
    return {
      userLabel: user?.getAttribute('label') ?? '',
      userChecked: !!user?.checked,
      userDisabled: !!user?.disabled,
      builtinChecked: !!builtin?.checked,
      builtinHidden: !!document.querySelector('.builtin-fields')?.hidden,
      scriptHidden: !!document.querySelector('.script-fields')?.hidden,
      forget: !!document.querySelector('vscode-button.forget-script'),
      help: document.querySelector('.code-field .help')?.textContent ?? '',
    };
  });
}


// Histograms at every step from the program's own training batches (the statistics settings).
const SETTINGS = { 'layerLens.training.histogramsEvery': 1, 'layerLens.training.activationsFrom': 'batch' };

e2eSuite("Train Current Model on the user's own training code (code-server + headless Chromium)", { name: 'training-script', settings: SETTINGS, onEnd: () => runs.removeCreated() }, ({ check, editor }) => {

  check(`${SAMPLE} calls model.fit: "My training code" is offered and checked, runs the program, draws its loss, completes`, async (page) => {
    await openWorkbench(page, editor().cs.url);
    await quickOpen(page, SAMPLE);
    await waitFor(async () => (await page.locator('.codelens-decoration a', { hasText: '▶ Train' }).count()) > 0, { timeoutMs: 60_000, what: 'the ▶ Train CodeLens above the model' });
    await gotoLine(page, IN_MODEL.line, IN_MODEL.column);
    await runCommand(page, COMMAND);
    const frame = await trainingFrame(page);
    const choice = await waitFor(async () => {
      const c = await codeChoice(frame);
      return c.userLabel.startsWith('My training code:') ? c : null;
    }, { timeoutMs: 30_000, what: 'the "Training code" choice in the Setup tab' });
    assert.match(choice.userLabel, /^My training code: train-circles\.ts \(fit\(\) at line \d+\)$/, choice.userLabel);
    assert.deepEqual(
      [choice.userChecked, choice.userDisabled, choice.builtinChecked, choice.builtinHidden, choice.scriptHidden],
      [true, false, false, true, false],
      `the user's code is the default, the built-in form hidden: ${JSON.stringify(choice)}`,
    );
    assert.match(choice.help, /with Layer Lens's instrumentation preloaded/);
    log(`setup: ${choice.userLabel}; screenshot ${await screenshot(page, 'training-script-setup.png')}`);

    await frame.locator('vscode-button.start').click();
    const backend = await waitFor(async () => {
      const t = await frame.evaluate(() => document.querySelector('.backend-line')?.textContent ?? '');
      return /^Backend: cpu/.test(t) ? t : null;
    }, { timeoutMs: 60_000, what: 'the backend line of the program ("Backend: cpu — the program\'s own tfjs …")' });
    assert.match(backend, /the program's own tfjs/, backend);
    const points = await waitFor(async () => {
      const n = await lossPoints(frame);
      return n >= 5 ? n : null;
    }, { timeoutMs: 60_000, what: 'a loss chart with points' });
    const status = await waitFor(async () => {
      const s = await statusOf(frame);
      return s === 'completed' || s === 'failed' ? s : null;
    }, { timeoutMs: 90_000, what: 'the program to end' });
    const problems = await frame.evaluate(() => document.querySelector('.problems')?.textContent ?? '');
    assert.equal(status, 'completed', `the program ended ${status}: ${problems}`);
    const progress = await progressLine(frame);
    const m = /^step ([\d,]+) \/ ([\d,]+) /.exec(progress);
    assert.ok(m && m[1] === m[2], `every step of the program's 12 epochs was seen: ${progress}`);
    const setup = await frame.evaluate(() => document.querySelector('.setup-line')?.textContent ?? '');
    assert.match(setup, /adam lr 0\.01 \(code\), loss binaryCrossentropy, batch 32/, `the program's own compile settings: ${setup}`);
    await sleep(400);
    log(`${backend}; ${progress}; loss chart ${points}+ points; screenshot ${await screenshot(page, 'training-script-charts.png')}`);

    // The settings reached the run: activation statistics of the training batch at every step.
    const dir = runs.created().map((f) => join(runs.dir, f)).find((d) => existsSync(join(d, 'layers.jsonl')));
    assert.ok(dir, 'the run folder');
    const acts = readFileSync(join(dir, 'layers.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'activations');
    const total = Number(m[2].replace(/,/g, ''));
    assert.deepEqual(acts.map((a) => a.step), Array.from({ length: total }, (_, i) => i + 1), 'activations at every step, none before training');
    assert.ok(acts.every((a) => a.source === 'batch'), 'from the training batch');
    await showTab(frame, 'Layers');
    const hint = await waitFor(async () => {
      const t = await frame.evaluate(() => document.querySelector('section.activations p.hint')?.textContent ?? '');
      return t.includes('training-batch') ? t : null;
    }, { timeoutMs: 10_000, what: 'the activation strips to say they show the training batch' });
    log(`${acts.length} activation reports, source batch; "${hint.slice(0, 60)}…"; screenshot ${await screenshot(page, 'training-script-layers.png')}`);
    await showTab(frame, 'Charts');
  });

  check('a chosen script that throws: the error with its mapped source line (revealed on click), the history kept; Forget', async (page) => {
    const frame = await trainingFrame(page);
    await showTab(frame, 'Setup');
    await frame.locator('vscode-button.choose-script').click();
    // VS Code's own open dialog (the simple one in a browser): type the path, accept.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // The dialog fills in its starting folder asynchronously, which can overwrite a path typed
    // too early: type until the box holds the path and stays so.
    await waitFor(
      async () => {
        await input.fill(THROWS);
        await sleep(300);
        return (await input.inputValue()) === THROWS ? true : null;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: `the open dialog to hold ${THROWS}` },
    );
    await page.keyboard.press('Enter');
    const chosen = await waitFor(async () => {
      const c = await codeChoice(frame);
      return c.forget && /throws\.ts/.test(c.userLabel) ? c : null;
    }, { timeoutMs: 20_000, what: 'the chosen script as "My training code"' });
    assert.equal(chosen.userChecked, true, 'the chosen script is the default');
    log(`chosen: ${chosen.userLabel}`);

    await frame.locator('vscode-button.start').click();
    // The badge says "completed" (the previous run) until the new run has started.
    await waitFor(async () => ((await statusOf(frame)) !== 'completed' ? true : null), { timeoutMs: 20_000, what: 'the new run to start' });
    const status = await waitFor(async () => {
      const s = await statusOf(frame);
      return s === 'failed' || s === 'completed' ? s : null;
    }, { timeoutMs: 60_000, what: 'the throwing program to end' });
    assert.equal(status, 'failed');
    const box = await waitFor(async () => {
      const b = await frame.evaluate(() => {
        const link = document.querySelector('.problems .error-box .source-link');
        return link ? { title: document.querySelector('.problems .error-box b')?.textContent ?? '', link: link.textContent ?? '', code: document.querySelector('.problems pre.source-code')?.textContent ?? '', message: document.querySelector('.problems .error-message')?.textContent ?? '' } : null;
      });
      return b;
    }, { timeoutMs: 15_000, what: 'the error box with the source link' });
    assert.match(box.title, /^Your training program failed/, box.title);
    assert.match(box.link, new RegExp(`throws\\.ts:${THROW_LINE}(:\\d+)?$`), `the mapped TypeScript line: ${box.link}`);
    assert.match(box.code, new RegExp(`^${THROW_LINE} \\| throw new Error\\(\`evaluation threshold missing`), box.code);
    assert.match(box.message, /evaluation threshold missing/);
    // The history so far stays: the 4 steps before the throw, on the Charts tab.
    await showTab(frame, 'Charts');
    const kept = await waitFor(async () => {
      const n = await lossPoints(frame);
      const p = await progressLine(frame);
      return n >= 1 && /^step 4\b/.test(p) ? { n, p } : null;
    }, { timeoutMs: 10_000, what: 'the loss chart and progress of the 4 steps before the throw' });
    await sleep(300);
    log(`error: ${box.title} ${box.link}; kept ${kept.p} (${kept.n} points); screenshot ${await screenshot(page, 'training-script-error.png')}`);

    await frame.locator('.problems .source-link').first().click();
    await waitFor(async () => ((await activeTabLabel(page)) ?? '').startsWith('throws.ts'), { timeoutMs: 15_000, what: 'throws.ts opened in the editor' });
    await waitFor(async () => ((await page.locator('[id="status.editor.selection"]').innerText()).includes(`Ln ${THROW_LINE},`) ? true : null), {
      timeoutMs: 10_000,
      what: `the cursor at line ${THROW_LINE}`,
    });
    log(`revealed throws.ts:${THROW_LINE}; screenshot ${await screenshot(page, 'training-script-reveal.png')}`);

    const again = await trainingFrame(page);
    await showTab(again, 'Setup');
    await again.locator('vscode-button.forget-script').click();
    const back = await waitFor(async () => {
      const c = await codeChoice(again);
      return !c.forget && c.userLabel.startsWith(`My training code: ${SAMPLE}`) ? c : null;
    }, { timeoutMs: 15_000, what: `"Forget" to go back to ${SAMPLE}'s own code` });
    assert.equal(back.userChecked, true);
  });
});
