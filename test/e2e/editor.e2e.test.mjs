// Real-browser end-to-end tests (`npm run test:e2e`, part of `npm test`): the packaged vsix
// installed into a fresh code-server profile (a real VS Code 1.139 with its Node extension
// host), samples/ open in headless Debian Chromium driven by playwright-core, and what a user
// sees: inlay hints, CodeLens, the hover formula, the summary, Problems, the quick fix and the
// Models view (these two are skipped, with the reason, where the code does not have them yet).
// All UI checks share one VS Code window. Then the mocha integration suite (test/integration) runs inside a
// second code-server's extension host, each of its tests reported here.
//
// The first run installs Node 24 and code-server into .tools/ (a few minutes; chromium and
// libkrb5-dev via apt-get as root when missing). Screenshots go to test-results/e2e/.
// Every process started here is stopped in `after`, whatever happened.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  activeEditorText,
  activeTabLabel,
  codeLenses,
  gotoLine,
  hoverText,
  inlayHints,
  openWorkbench,
  quickOpen,
  runCommand,
  waitFor,
} from '../../scripts/lib/workbench.mjs';
import { RESULTS_DIR, ROOT, SAMPLES, bare, e2eSuite, log, prepare, runMochaInCodeServer, screenshot, stopAll } from './harness.mjs';

const SETUP_TIMEOUT = 30 * 60_000; // a first run installs code-server: minutes
const TEST_TIMEOUT = 120_000;
const COMMAND = 'Layer Lens: Show Model Summary';
/** samples/lenet.ts: LeNet-5 as real tfjs counts it, and its first conv layer (C1). */
const LENET_TOTAL = 'Σ 61,706 params';
const C1_PARAMS = '5·5·1·6 + 6 = 156';
const C1_HINT = '→ [null,28,28,6] · 156';
const C1 = (() => {
  const lines = readFileSync(join(SAMPLES, 'lenet.ts'), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes('inputShape: [32, 32, 1], filters: 6'));
  if (index < 0) throw new Error('samples/lenet.ts lost its first conv2d line');
  return { line: index + 1, column: lines[index].indexOf('conv2d') + 3 }; // 1-based, inside `conv2d`
})();

/** The Models view as the manifest declares it (its name is part of the focus command). */
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const MODELS_VIEW = Object.values(manifest.contributes?.views ?? {})
  .flat()
  .find((v) => v.id === 'layerLens.models');
if (!MODELS_VIEW) throw new Error('package.json declares no layerLens.models view');
/** Its name in English: a `%key%` of the manifest is looked up in package.nls.json, as VS Code does. */
const MODELS_VIEW_NAME = (() => {
  const key = /^%(.+)%$/.exec(MODELS_VIEW.name)?.[1];
  if (!key) return MODELS_VIEW.name;
  const name = JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8'))[key];
  if (typeof name !== 'string') throw new Error(`package.nls.json has no ${key}`);
  return name;
})();
/** samples/broken.ts: the 7×7 kernel on a 5×5 input, and where to put the cursor on it. */
const BROKEN_CONV = (() => {
  const lines = readFileSync(join(SAMPLES, 'broken.ts'), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes('kernelSize: 7'));
  if (index < 0) throw new Error('samples/broken.ts lost its kernelSize: 7 line');
  return { line: index + 1, column: lines[index].indexOf('conv2d') + 3 };
})();



e2eSuite('Layer Lens in a real VS Code (code-server + headless Chromium)', { name: 'editor', testTimeoutMs: TEST_TIMEOUT }, ({ check, editor }) => {

  check('the workbench opens samples/ and lenet.ts', async (page) => {
    await openWorkbench(page, editor().cs.url);
    await quickOpen(page, 'lenet.ts');
    assert.match(await activeTabLabel(page), /^lenet\.ts/);
  });

  check('inlay hints show an output shape on every layer line and the model total', async (page) => {
    const rows = await waitFor(
      async () => {
        const r = await inlayHints(page);
        return r.some((row) => row.hints.includes(C1_HINT)) && r.some((row) => row.hints.includes(LENET_TOTAL)) ? r : null;
      },
      { timeoutMs: 60_000, what: `inlay hints "${C1_HINT}" and "${LENET_TOTAL}" in lenet.ts` },
    );
    const shown = rows.filter((row) => row.hints.length > 0);
    const shapes = shown.filter((row) => row.hints.some((h) => /^(×\d+ )?→ \[/.test(h)));
    assert.equal(shapes.length, 8, `a shape hint on each of LeNet's 8 layer lines: ${JSON.stringify(shown)}`);
    assert.match(shown.find((row) => row.hints.includes(LENET_TOTAL)).line, /tf\.sequential\(/);
  });

  check('the CodeLens shows the total parameters', async (page) => {
    const lenses = await waitFor(
      async () => {
        const l = await codeLenses(page);
        return l.some((row) => row.some((x) => x.text.startsWith(LENET_TOTAL))) ? l : null;
      },
      { timeoutMs: 30_000, what: `a CodeLens starting "${LENET_TOTAL}"` },
    );
    const row = lenses.find((r) => r.some((x) => x.text.startsWith(LENET_TOTAL)));
    const total = row.find((x) => x.text.startsWith(LENET_TOTAL));
    assert.match(total.text, /^Σ 61,706 params \(241\.0 KB fp32\) · [\d.]+ K MACs$/);
    assert.ok(row.some((x) => x.text === 'Summary' && x.link), `a clickable "Summary" lens: ${JSON.stringify(row)}`);
    log(`screenshot ${await screenshot(page, 'inlay-codelens.png')}`);
  });

  check('hover on a conv layer shows the parameter formula', async (page) => {
    await gotoLine(page, C1.line, C1.column);
    const text = await hoverText(page, (t) => t.includes(C1_PARAMS), { timeoutMs: 45_000, what: `a hover containing "${C1_PARAMS}"` });
    for (const expected of ['Conv2D', '[null,32,32,1]', '[null,28,28,6]', 'out = floor((32 − 5)/1) + 1 = 28', 'MACs']) {
      assert.ok(text.includes(expected), `hover lacks "${expected}": ${JSON.stringify(text)}`);
    }
    writeFileSync(join(RESULTS_DIR, 'hover.txt'), text);
    log(`screenshot ${await screenshot(page, 'hover.png')}`);
    await page.keyboard.press('Escape');
  });

  check(`"${COMMAND}" opens the model summary`, async (page) => {
    await runCommand(page, COMMAND);
    // A read-only text tab today; a webview panel is accepted too (its text is read from the frame).
    const shown = await waitFor(
      async () => {
        const t = await activeEditorText(page);
        if (/Total params/i.test(t)) return { where: 'editor', text: t };
        for (const frame of page.frames()) {
          if (frame === page.mainFrame()) continue;
          const body = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
          if (/61,706/.test(body)) return { where: 'webview', text: body };
        }
        return null;
      },
      { timeoutMs: 30_000, what: 'the summary of lenet.ts ("61,706" parameters)' },
    );
    assert.match(shown.text, /61,706/);
    assert.match((await activeTabLabel(page)) ?? '', /summary/i);
    writeFileSync(join(RESULTS_DIR, 'summary.txt'), shown.text);
    log(`summary shown in the ${shown.where}; screenshot ${await screenshot(page, 'summary.png')}`);
  });

  check('Problems lists the Layer Lens errors of broken.ts', async (page) => {
    await quickOpen(page, 'broken.ts');
    await page.keyboard.press('Control+Shift+M');
    const rows = await waitFor(
      async () => {
        const labels = await page.locator('.markers-panel .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
        const errors = labels.filter((l) => /^Error:/.test(l) && l.includes('Layer Lens'));
        return errors.length >= 2 ? errors : null;
      },
      { timeoutMs: 30_000, what: 'two Layer Lens errors for broken.ts in Problems' },
    );
    // samples/broken.ts: a 7×7 kernel on a 5×5 input (size −1), and an add of [null,64] and [null,32].
    assert.ok(rows.some((r) => r.includes('−1')), `no problem states the −1 output size: ${rows.join(' | ')}`);
    assert.ok(rows.some((r) => /64/.test(r) && /32/.test(r)), `no problem names the [null,64] + [null,32] merge: ${rows.join(' | ')}`);
    log(`screenshot ${await screenshot(page, 'problems.png')}`);
  });

  check(
    "the quick fix on broken.ts's conv layer sets padding 'same' and clears the error",
    async (page) => {
      await quickOpen(page, 'broken.ts');
      await gotoLine(page, BROKEN_CONV.line, BROKEN_CONV.column);
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: "Use padding 'same'" }).first();
      // The light bulb menu (Ctrl+.) lists the server's fixes once the analysis is there.
      await waitFor(
        async () => {
          if (await fix.isVisible()) return true;
          await page.keyboard.press('Escape');
          await page.keyboard.press('Control+.');
          await fix.waitFor({ state: 'visible', timeout: 3000 });
          return true;
        },
        { timeoutMs: 30_000, what: `the quick fix "Use padding 'same' …" in the Ctrl+. menu` },
      );
      const title = (await fix.innerText()).trim();
      log(`screenshot ${await screenshot(page, 'quick-fix.png')}`);
      await fix.click();
      try {
        await waitFor(async () => (await activeEditorText(page)).includes("padding: 'same'"), { timeoutMs: 10_000, what: "padding: 'same' in broken.ts" });
        await waitFor(
          async () => {
            const labels = await page.locator('.markers-panel .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
            const errors = labels.filter((l) => /^Error:/.test(l) && l.includes('Layer Lens'));
            return errors.length === 1 && !errors[0].includes('−1');
          },
          { timeoutMs: 20_000, what: 'the −1 error to leave Problems (one Layer Lens error left)' },
        );
        log(`applied "${title}"; screenshot ${await screenshot(page, 'quick-fix-applied.png')}`);
      } finally {
        // Back to the text on disk (auto save is off: nothing was written).
        await runCommand(page, 'File: Revert File').catch(() => {});
      }
    },
  );

  check(
    'the Models view lists lenet.ts and its model with 61,706 parameters',
    async (page) => {
      await runCommand(page, `Layer Lens: Focus on ${MODELS_VIEW_NAME} View`);
      const rows = await waitFor(
        async () => {
          const texts = (await page.locator('.part.sidebar .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
          return texts.some((t) => t.startsWith('lenet.ts')) && texts.some((t) => t.includes('61,706 params')) ? texts : null;
        },
        { timeoutMs: 45_000, what: 'lenet.ts and a model with "61,706 params" in the Models view' },
      );
      log(`Models view: ${rows.slice(0, 12).join(' | ')}; screenshot ${await screenshot(page, 'models-view.png')}`);
    },
  );
});

describe("the mocha integration suite inside code-server's extension host", () => {
  after(() => stopAll());

  it('test/integration passes in a real extension host', { timeout: SETUP_TIMEOUT }, async (t) => {
    const { testsEntry } = await prepare().catch((err) => {
      throw bare(`e2e setup failed: ${err instanceof Error ? err.message : err}`);
    });
    const { code, results, lines } = await runMochaInCodeServer(testsEntry);
    // Each mocha test as a subtest here, so the counts include them.
    for (const r of results) {
      await t.test(`[mocha] ${r.title}`, { skip: r.state === 'pending' }, () => {
        if (r.state === 'failed') throw new Error(r.error);
      });
    }
    const tail = lines.slice(-60).join('\n');
    assert.ok(results.length > 0, `no mocha test results came back (exit code ${code}); last output:\n${tail}`);
    assert.equal(code, 0, `the suite exited with ${code}; see test-results/e2e/integration-in-code-server.log\n${tail}`);
  });
});
