// The smoke check behind `npm run smoke`: in a running code-server with samples/ open,
// drive headless Chromium through what a newcomer does first, and keep screenshots:
// lenet.ts shows inlay hints and a CodeLens from the Layer Lens language server, the hover
// on a conv layer gives its parameter formula, the summary opens from the Command Palette
// and from the Summary lens, and broken.ts gets Layer Lens problems.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activeEditorText,
  activeTabLabel,
  codeLenses,
  gotoLine,
  hoverText,
  inlayHints,
  launchBrowser,
  openWorkbench,
  quickOpen,
  runCommand,
  waitFor,
} from './workbench.mjs';

/** LeNet-5 in samples/lenet.ts, as real tfjs counts it. */
const LENET_PARAMS = 61706;
const COMMAND = 'Layer Lens: Show Model Summary';
/** samples/lenet.ts, line 11: C1, `tf.layers.conv2d({ inputShape: [32, 32, 1], filters: 6, kernelSize: 5, … })`. */
const CONV_LINE = 11;
const CONV_COLUMN = 25; // inside `conv2d`
const CONV_PARAM_FORMULA = '5·5·1·6 + 6 = 156';
const CONV_HINT = '→ [null,28,28,6] · 156';
const LENS_TOTAL = 'Σ 61,706 params';

/**
 * @param {import('./code-server.mjs').CodeServer} cs
 * @param {{ log: (m: string) => void, resultsDir: string }} opts
 * @returns {Promise<boolean>} true when every check passed
 */
export async function runSmoke(cs, { log, resultsDir }) {
  mkdirSync(resultsDir, { recursive: true });
  const { page, consoleLines, close } = await launchBrowser();
  const failures = [];
  const check = async (name, fn) => {
    const started = Date.now();
    try {
      const detail = await fn();
      log(`ok   ${name} (${Date.now() - started} ms)${detail ? `: ${detail}` : ''}`);
      return true;
    } catch (err) {
      failures.push(name);
      log(`FAIL ${name} (${Date.now() - started} ms): ${err instanceof Error ? err.message : err}`);
      await page.screenshot({ path: join(resultsDir, `smoke-failure-${failures.length}.png`) }).catch(() => {});
      return false;
    }
  };

  try {
    const ready = await check('workbench ready', async () => {
      await openWorkbench(page, cs.url);
      return cs.url;
    });
    if (ready) {
      await check('open lenet.ts with Quick Open', async () => {
        await quickOpen(page, 'lenet.ts');
        return await activeTabLabel(page);
      });

      await check('lenet.ts: inlay hints with output shapes', async () => {
        const rows = await waitFor(
          async () => {
            const r = await inlayHints(page);
            return r.some((row) => row.hints.includes(CONV_HINT)) ? r : null;
          },
          { timeoutMs: 45_000, what: `an inlay hint "${CONV_HINT}" in lenet.ts` },
        );
        const shown = rows.filter((row) => row.hints.length > 0);
        const shapes = shown.filter((row) => row.hints.some((h) => /^(×\d+ )?→ \[/.test(h)));
        if (shapes.length < 8) throw new Error(`expected a shape hint on each of LeNet's 8 layer lines, saw ${shapes.length}: ${JSON.stringify(shown)}`);
        const total = shown.find((row) => row.hints.includes('Σ 61,706 params'));
        if (!total || !/tf\.sequential\(/.test(total.line)) throw new Error(`no "Σ 61,706 params" hint on the tf.sequential line: ${JSON.stringify(shown)}`);
        return shown.map((row) => `${row.line.trim().slice(0, 40)}… ⟨${row.hints.join(' | ')}⟩`).join(' ; ');
      });

      await check('lenet.ts: CodeLens with the model total', async () => {
        const lenses = await waitFor(
          async () => {
            const l = await codeLenses(page);
            return l.some((row) => row.some((x) => x.text.startsWith(LENS_TOTAL))) ? l : null;
          },
          { timeoutMs: 30_000, what: `a CodeLens starting "${LENS_TOTAL}"` },
        );
        const row = lenses.find((r) => r.some((x) => x.text.startsWith(LENS_TOTAL)));
        const total = row.find((x) => x.text.startsWith(LENS_TOTAL));
        const summary = row.find((x) => x.text === 'Summary');
        if (!/^Σ 61,706 params \(241\.0 KB fp32\) · [\d.]+ K MACs$/.test(total.text)) throw new Error(`unexpected lens text "${total.text}"`);
        if (total.link) throw new Error('the totals lens should be text, not a button');
        if (!summary?.link) throw new Error(`no clickable "Summary" lens next to it: ${JSON.stringify(row)}`);
        await page.screenshot({ path: join(resultsDir, 'smoke-inlay-codelens.png') });
        return `${row.map((x) => (x.link ? `[${x.text}]` : x.text)).join(' | ')} (screenshot test-results/smoke-inlay-codelens.png)`;
      });

      await check('hover on a conv layer shows the parameter formula', async () => {
        await gotoLine(page, CONV_LINE, CONV_COLUMN);
        const text = await hoverText(page, (t) => t.includes(CONV_PARAM_FORMULA), { what: `a hover containing "${CONV_PARAM_FORMULA}"` });
        // Shapes, output-size formula, MACs, and the concept explanation (src/explain, English here).
        for (const expected of ['Conv2D', '[null,32,32,1]', '[null,28,28,6]', 'out = floor((32 − 5)/1) + 1 = 28', 'MACs', 'Conv2D — 2-D convolution']) {
          if (!text.includes(expected)) throw new Error(`hover lacks "${expected}": ${JSON.stringify(text)}`);
        }
        await page.screenshot({ path: join(resultsDir, 'smoke-hover.png') });
        writeFileSync(join(resultsDir, 'smoke-hover.txt'), text);
        await page.keyboard.press('Escape');
        return `${text.replace(/\s+/g, ' ').slice(0, 300)} (screenshot test-results/smoke-hover.png)`;
      });

      await check(`run "${COMMAND}"`, async () => {
        await runCommand(page, COMMAND);
        const text = await waitFor(
          async () => {
            const t = await activeEditorText(page);
            return /Total params/i.test(t) ? t : null;
          },
          { timeoutMs: 30_000, what: 'the summary text ("Total params") in the active editor' },
        );
        await page.screenshot({ path: join(resultsDir, 'smoke-summary.png') });
        writeFileSync(join(resultsDir, 'smoke-summary.txt'), text);
        const m = /Total params:?\s*([\d,. ]+)/i.exec(text);
        const total = m ? Number(m[1].replace(/[^\d]/g, '')) : NaN;
        if (total !== LENET_PARAMS) throw new Error(`summary says Total params ${m?.[1]?.trim() ?? '?'}, expected ${LENET_PARAMS}`);
        return `Total params ${total} (screenshot test-results/smoke-summary.png)`;
      });

      await check('the Summary lens opens the summary of that model', async () => {
        await quickOpen(page, 'lenet.ts');
        const lens = page.locator('.editor-group-container.active .monaco-editor .codelens-decoration a', { hasText: /^Summary$/ }).first();
        await lens.waitFor({ state: 'visible', timeout: 30_000 });
        await lens.click();
        await page.locator('.tab.active[aria-label*="model summary"]').waitFor({ timeout: 20_000 });
        const text = await waitFor(
          async () => {
            const t = await activeEditorText(page);
            return /Total params/i.test(t) ? t : null;
          },
          { timeoutMs: 20_000, what: 'the summary text after clicking the lens' },
        );
        if (!/Model: model \(sequential\) — lenet\.ts:8/.test(text)) throw new Error(`not the summary of lenet.ts's model: ${text.slice(0, 200)}`);
        if (!/Total params: 61,706/.test(text)) throw new Error(`summary total is not 61,706: ${text.slice(0, 400)}`);
        return await activeTabLabel(page);
      });

      await check('broken.ts shows Layer Lens problems', async () => {
        await quickOpen(page, 'broken.ts');
        await page.keyboard.press('Control+Shift+M');
        const rows = await waitFor(
          async () => {
            const labels = await page.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
              els.map((e) => e.getAttribute('aria-label') ?? ''),
            );
            const ours = labels.filter((l) => l.includes('Layer Lens'));
            return ours.length > 0 ? ours : null;
          },
          { timeoutMs: 20_000, what: 'a Problems entry generated by Layer Lens' },
        );
        await page.screenshot({ path: join(resultsDir, 'smoke-problems.png') });
        // samples/broken.ts: a 7×7 kernel on a 5×5 input (size −1), and an add of [null,64] and [null,32].
        const errors = rows.filter((r) => /^Error:/.test(r));
        if (errors.length < 2) throw new Error(`expected 2 Layer Lens errors in broken.ts, saw ${errors.length}: ${rows.join(' | ')}`);
        if (!rows.some((r) => r.includes('−1'))) throw new Error(`no problem states the −1 output size: ${rows.join(' | ')}`);
        return `${rows.length} problem(s): ${rows.map((r) => r.replace(/\s+/g, ' ').slice(0, 200)).join(' | ')}`;
      });
    }
  } finally {
    if (failures.length > 0) {
      writeFileSync(join(resultsDir, 'smoke-console.log'), `${consoleLines.join('\n')}\n\n--- code-server ---\n${cs.output()}`);
      log(`browser console and code-server output: ${join(resultsDir, 'smoke-console.log')}`);
    }
    await close();
  }
  log(failures.length === 0 ? 'Smoke check passed.' : `Smoke check FAILED: ${failures.join('; ')}`);
  return failures.length === 0;
}
