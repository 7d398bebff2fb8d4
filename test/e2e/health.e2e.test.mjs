// Training health in a real VS Code (part of `npm test` / `npm run test:e2e`): the packaged vsix
// in a fresh code-server profile, samples/ open in headless Chromium. A deliberately vanishing
// model (eight stacked sigmoid layers, written into samples/health-e2e/ for the test and removed
// after) is trained from the Train command on wasm; then the Training Health view must list
// "Vanishing gradients", the layer's line must carry the gutter mark and the inline note
// `∇ vanishing · …`, Problems must have the "Layer Lens training" entry, and the quick fix
// "Use ReLU in hidden layers" must rewrite the layer's activation. After the fix the findings are
// from before the edit: the view says so (with Retrain, the finding marked as applied) and the
// finding leaves Problems and the editor; reverting the file brings them back as they were.
// Screenshots: test-results/e2e/health-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeEditorText, gotoLine, openWorkbench, runCommand, sleep, waitFor } from '../../scripts/lib/workbench.mjs';
import { SAMPLES, e2eSuite, log, runFolderTracker, screenshot } from './harness.mjs';

const TEST_TIMEOUT = 180_000;
const DIR = join(SAMPLES, 'health-e2e');
const FILE = join(DIR, 'vanishing.ts');
const SOURCE = `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 16, activation: 'sigmoid' }));
  for (let i = 0; i < 7; i++) model.add(tf.layers.dense({ units: 16, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
`;
/** The first layer's line (1-based): where the finding is placed. */
const FIRST_LAYER = { line: 5, column: 20 };

const runs = runFolderTracker();


/** Opens the test's model file with Quick Open (its row label differs from a top-level file's). */
async function openModel(page) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill('health-e2e/vanishing.ts');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'vanishing.ts' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active[aria-label^="vanishing.ts"]').waitFor({ timeout: 30_000 });
}

/** The Problems rows that mention `text` (their aria labels). */
async function problemRows(page, text) {
  const labels = await page.locator('.markers-panel .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return labels.filter((l) => l.includes(text));
}

/** The text of the editor's `after` decorations (inline notes) that contain `text`. */
function inlineNotes(page, text) {
  return page.evaluate((t) => {
    const out = [];
    for (const el of document.querySelectorAll('.monaco-editor .view-lines *')) {
      for (const pseudo of ['::after', '::before']) {
        const content = getComputedStyle(el, pseudo).content;
        if (content && content.includes(t)) out.push(content);
      }
    }
    return out;
  }, text);
}

/** A webview frame whose document satisfies `test` (evaluated in the frame). */
async function frameWith(page, test, what) {
  return waitFor(
    async () => {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame()) continue;
        if (await frame.evaluate(test).catch(() => false)) return frame;
      }
      return null;
    },
    { timeoutMs: 30_000, what },
  );
}

e2eSuite(
  'Training health in a real VS Code (code-server + headless Chromium)',
  {
    name: 'health',
    testTimeoutMs: TEST_TIMEOUT,
    onStart: () => {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(FILE, SOURCE);
    },
    onEnd: () => {
      rmSync(DIR, { recursive: true, force: true });
      runs.removeCreated();
    },
  },
  ({ check, editor }) => {

  check('a vanishing model trains; the view, the inline note, Problems and the quick fix show it', async (page) => {
    await openWorkbench(page, editor().cs.url);
    await openModel(page);
    // The analysis is there once the ▶ Train lens is (the command needs the analysed model).
    await waitFor(async () => (await page.locator('.codelens-decoration a', { hasText: '▶ Train' }).count()) > 0, { timeoutMs: 60_000, what: 'the ▶ Train CodeLens above the model' });
    await gotoLine(page, FIRST_LAYER.line, FIRST_LAYER.column);
    await runCommand(page, 'Layer Lens: Train Current Model');
    const panel = await frameWith(page, () => !!document.querySelector('.panel-setup') && !!document.querySelector('vscode-single-select.dataset'), 'the training panel');
    await panel.evaluate(() => {
      const set = (sel, value) => {
        const el = document.querySelector(sel);
        el.value = value;
        el.dispatchEvent(new Event('change', { bubbles: true }));
      };
      set('vscode-single-select.dataset', 'spirals');
      set('vscode-single-select.backend', 'wasm');
      set('vscode-textfield[aria-label="Steps"]', '60');
    });
    await sleep(300);
    await panel.locator('vscode-button.start').click();
    const status = await waitFor(async () => {
      const s = await panel.evaluate(() => document.querySelector('vscode-badge.status')?.textContent ?? '');
      return s === 'completed' || s === 'failed' ? s : null;
    }, { timeoutMs: 120_000, what: 'the run to end' });
    assert.equal(status, 'completed');

    // The Training Health view.
    await runCommand(page, 'Layer Lens: Focus on Training Health View');
    const view = await frameWith(page, () => !!document.querySelector('vscode-collapsible.finding'), 'the Training Health view with a finding');
    const titles = await waitFor(async () => {
      const t = await view.evaluate(() => [...document.querySelectorAll('vscode-collapsible.finding')].map((c) => c.getAttribute('title') ?? ''));
      return t.includes('Vanishing gradients') ? t : null;
    }, { timeoutMs: 20_000, what: '"Vanishing gradients" in the Training Health view' });
    const fixes = await view.evaluate(() => [...document.querySelectorAll('vscode-collapsible.finding')][0].querySelectorAll('vscode-button.apply').length);
    assert.ok(fixes > 0, 'the first finding has fixes to apply');
    log(`Training Health view: ${titles.join(' | ')}; screenshot ${await screenshot(page, 'health-view.png')}`);

    // The inline note and the gutter mark at the first layer's line (the panel closed, for room).
    await runCommand(page, 'View: Close All Editors');
    await openModel(page);
    const note = await waitFor(
      () =>
        page.evaluate(() => {
          // An `after` decoration is an empty span whose ::after (or ::before) holds the text.
          for (const el of document.querySelectorAll('.monaco-editor .view-lines *')) {
            for (const pseudo of ['::after', '::before']) {
              const content = getComputedStyle(el, pseudo).content;
              if (content && content.includes('∇ vanishing')) return content;
            }
            if (el.childElementCount === 0 && el.textContent?.includes('∇ vanishing')) return el.textContent;
          }
          return null;
        }),
      { timeoutMs: 20_000, what: 'the inline note "∇ vanishing · …" in the editor' },
    ).catch(async (err) => {
      const classes = await page.evaluate(() => [...document.querySelectorAll('.monaco-editor .view-lines span[class]')].map((e) => `${e.className}:${getComputedStyle(e, '::after').content}`).filter((c) => !/^mtk\d+:none$/.test(c)).slice(0, 30));
      log(`decoration spans: ${classes.join(' | ')}`);
      throw err;
    });
    const gutter = await page.evaluate(
      () => [...document.querySelectorAll('.monaco-editor .glyph-margin-widgets *, .monaco-editor .margin-view-overlays *')].filter((e) => getComputedStyle(e).backgroundImage.includes('health-')).length,
    );
    assert.ok(gutter > 0, 'a gutter mark');
    log(`inline note ${note}; gutter marks ${gutter}; screenshot ${await screenshot(page, 'health-editor.png')}`);

    // Problems: the "Layer Lens training" entry.
    await page.keyboard.press('Control+Shift+M');
    const rows = await waitFor(
      async () => {
        const labels = await page.locator('.markers-panel .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
        const ours = labels.filter((l) => l.includes('Vanishing gradients'));
        return ours.length > 0 ? ours : null;
      },
      { timeoutMs: 20_000, what: 'the vanishing-gradient entry in Problems' },
    );
    log(`Problems: ${rows[0].slice(0, 160)}; screenshot ${await screenshot(page, 'health-problems.png')}`);

    // The quick fix.
    await openModel(page);
    await gotoLine(page, FIRST_LAYER.line, FIRST_LAYER.column);
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Use ReLU in hidden layers' }).first();
    await waitFor(
      async () => {
        if (await fix.isVisible()) return true;
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+.');
        await fix.waitFor({ state: 'visible', timeout: 3000 });
        return true;
      },
      { timeoutMs: 30_000, what: 'the quick fix "Use ReLU in hidden layers" in the Ctrl+. menu' },
    );
    log(`screenshot ${await screenshot(page, 'health-quick-fix.png')}`);
    await fix.click();
    try {
      await waitFor(async () => (await activeEditorText(page)).includes("activation: 'relu', kernelInitializer: 'heNormal'"), { timeoutMs: 10_000, what: "activation: 'relu' in the first layer" });
      log(`quick fix applied; screenshot ${await screenshot(page, 'health-quick-fix-applied.png')}`);

      // The findings are from before the edit now: the applied one leaves the editor and Problems…
      await waitFor(async () => (await inlineNotes(page, '∇ vanishing')).length === 0, { timeoutMs: 10_000, what: 'the inline note of the applied finding to go' });
      await page.keyboard.press('Control+Shift+M');
      await waitFor(async () => (await problemRows(page, 'Vanishing gradients')).length === 0, { timeoutMs: 10_000, what: 'the applied finding to leave Problems' });
      // …and the view lists it under "Before your edit", marked as applied, with Retrain.
      await runCommand(page, 'Layer Lens: Focus on Training Health View');
      const stale = await frameWith(page, () => !!document.querySelector('section.stale-note vscode-button.retrain'), 'the "Before your edit" note with Retrain in the Training Health view');
      const marked = await waitFor(
        async () => {
          const t = await stale.evaluate(() => [...document.querySelectorAll('vscode-collapsible.finding.applied p.applied')].map((p) => p.textContent ?? ''));
          return t.length > 0 ? t : null;
        },
        { timeoutMs: 10_000, what: 'the applied finding marked in the view' },
      );
      assert.match(marked[0], /Fix applied: Use ReLU in hidden layers/);
      log(`stale findings: ${marked.join(' | ')}; screenshot ${await screenshot(page, 'health-stale.png')}`);
    } finally {
      await openModel(page).catch(() => {});
      await runCommand(page, 'File: Revert File').catch(() => {});
    }

    // Reverted to the trained code (its hash): the findings are current again.
    await waitFor(async () => (await inlineNotes(page, '∇ vanishing')).length > 0, { timeoutMs: 20_000, what: 'the inline note back after the revert' });
    await page.keyboard.press('Control+Shift+M');
    await waitFor(async () => (await problemRows(page, 'Vanishing gradients')).length > 0, { timeoutMs: 20_000, what: 'the Problems entry back after the revert' });
    log('reverted: the findings are current again');
  });
});
