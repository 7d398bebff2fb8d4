// Drives the VS Code web workbench in headless Debian Chromium with playwright-core.
// Shared by the smoke check (`npm run smoke`) and the real-browser end-to-end tests.
// Selectors are those of VS Code 1.139 (code-server 4.139.1).
import { chromium } from 'playwright-core';
import { CHROMIUM } from './tools.mjs';
import { children, killTree } from './proc.mjs';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * @param {{ headless?: boolean, viewport?: { width: number, height: number }, executablePath?: string }} [opts]
 */
export async function launchBrowser(opts = {}) {
  const before = new Set(children(process.pid).map((c) => c.pid));
  const browser = await chromium.launch({
    executablePath: opts.executablePath ?? CHROMIUM,
    headless: opts.headless ?? true,
    args: CHROMIUM_ARGS,
  });
  // Playwright's Browser has no pid: remember the chromium process it just started.
  const pids = children(process.pid)
    .filter((c) => !before.has(c.pid) && /chrom/i.test(c.comm))
    .map((c) => c.pid);
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
  const page = await context.newPage();
  /** Browser console lines, for failure reports. */
  const consoleLines = [];
  page.on('console', (msg) => consoleLines.push(`[${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));
  const close = async () => {
    await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
    await killTree(pids);
  };
  return { browser, page, pids, consoleLines, close };
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value; returns that value or throws after `timeoutMs`. */
export async function waitFor(fn, { timeoutMs = 15_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Loads the workbench and waits until it is usable: status bar, lifecycle "Restored"
 * (smoke-test driver), the folder's files in the Explorer, and (best effort) the end of
 * "Activating Extensions...".
 * @param {import('playwright-core').Page} page
 */
export async function openWorkbench(page, url, { timeoutMs = 60_000 } = {}) {
  await page.goto(url, { timeout: timeoutMs });
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: timeoutMs });
  const hasDriver = await page.evaluate(() => typeof window.driver?.whenWorkbenchRestored === 'function');
  if (hasDriver) await page.evaluate(() => window.driver.whenWorkbenchRestored());
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: timeoutMs });
  await waitFor(
    async () => {
      const text = await page.locator('[id="status.progress"]').allInnerTexts();
      return !text.join(' ').includes('Activating Extensions');
    },
    { timeoutMs: 15_000, what: 'extensions to activate' },
  ).catch(() => {});
}

/** Opens a workspace file with Quick Open (Ctrl+P) and waits for its tab to be active. */
export async function quickOpen(page, relativePath, { timeoutMs = 30_000 } = {}) {
  const base = relativePath.split('/').pop();
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(relativePath);
  // Results stream in; the first search in a fresh window takes seconds. The row is found by
  // its label, not its aria-label: an open file with unsaved changes reads
  // "lenet.ts unsaved changes, recently opened" there.
  const name = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: name }) }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
  await page.locator(`.tab.active[aria-label^="${base}"]`).waitFor({ timeout: timeoutMs });
}

/** Runs a command from the Command Palette (F1), choosing the row whose label is exactly `label`. */
export async function runCommand(page, label, { timeoutMs = 20_000 } = {}) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${label}`);
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: label }) })
    .first();
  await waitFor(
    async () => {
      const names = await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
      return names.some((n) => n.trim() === label);
    },
    { timeoutMs, what: `command "${label}" in the Command Palette` },
  );
  await row.click();
}

/** The visible lines of the active editor, top to bottom (spaces normalised). */
export async function activeEditorText(page) {
  return page.evaluate(() => {
    const editor = document.querySelector('.editor-group-container.active .monaco-editor');
    if (!editor) return '';
    const lines = [...editor.querySelectorAll('.view-lines .view-line')].map((el) => ({
      top: parseFloat(el.style.top || '0'),
      text: (el.textContent ?? '').replace(/\u00a0/g, ' '),
    }));
    lines.sort((a, b) => a.top - b.top);
    return lines.map((l) => l.text).join('\n');
  });
}

/** Label of the active editor tab, e.g. `lenet.ts`. */
export async function activeTabLabel(page) {
  return page.locator('.editor-group-container.active .tab.active').first().getAttribute('aria-label');
}

/** Moves the cursor of the active editor to `line:column` (1-based) with Go to Line (Ctrl+G). */
export async function gotoLine(page, line, column = 1, { timeoutMs = 10_000 } = {}) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await waitFor(
    async () => ((await page.locator('[id="status.editor.selection"]').innerText()).includes(`Ln ${line}, Col ${column}`) ? true : null),
    { timeoutMs, what: `the cursor at Ln ${line}, Col ${column}` },
  );
}

/**
 * Shows the hover at the cursor (Ctrl+K Ctrl+I) and waits until its text satisfies `accept`.
 * An open hover is never re-queried, so each try closes it and asks again (the extension may
 * still be starting). Returns the hover's text.
 */
export async function hoverText(page, accept, { timeoutMs = 30_000, what = 'the hover text' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const tryUntil = Math.min(deadline, Date.now() + 4000);
    while (Date.now() < tryUntil) {
      last = await page
        .locator('.editor-group-container.active .monaco-hover:not(.hidden) .monaco-hover-content')
        .allInnerTexts()
        .then((t) => t.join('\n'))
        .catch(() => '');
      if (accept(last)) return last;
      await sleep(150);
    }
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last hover text: ${JSON.stringify(last.slice(0, 400))}`);
}

/**
 * Inlay hints rendered in the visible lines of the active editor, top to bottom:
 * `{ line, text, hints }` where `line` is the text without hints and `hints` the hint labels.
 * Hints are the injected spans whose generated `dyn-rule-*` class styles them with the
 * editorInlayHint colours; adjacent such spans form one label.
 */
export async function inlayHints(page) {
  return page.evaluate(() => {
    const hintClasses = new Set();
    for (const sheet of document.styleSheets) {
      let rules;
      try {
        rules = sheet.cssRules;
      } catch {
        continue;
      }
      for (const rule of rules) {
        const css = rule.cssText ?? '';
        if (!css.includes('--vscode-editorInlayHint-')) continue;
        for (const m of (rule.selectorText ?? '').matchAll(/\.(dyn-rule-[\w-]+)/g)) hintClasses.add(m[1]);
      }
    }
    const editor = document.querySelector('.editor-group-container.active .monaco-editor');
    if (!editor) return [];
    const rows = [];
    for (const el of editor.querySelectorAll('.view-lines .view-line')) {
      const leaves = [...el.querySelectorAll('span')].filter((s) => s.children.length === 0);
      let text = '';
      const hints = [];
      let open = false;
      for (const leaf of leaves) {
        const t = (leaf.textContent ?? '').replace(/\u00a0/g, ' ');
        const isHint = [...leaf.classList].some((c) => hintClasses.has(c));
        if (isHint) {
          if (open) hints[hints.length - 1] += t;
          else hints.push(t);
          open = true;
        } else {
          text += t;
          open = false;
        }
      }
      rows.push({ top: parseFloat(el.style.top || '0'), line: text, hints: hints.map((h) => h.trim()) });
    }
    rows.sort((a, b) => a.top - b.top);
    return rows.map(({ line, hints }) => ({ line, hints }));
  });
}

/** The CodeLens rows of the active editor: each row its lenses, `{ text, link }` (link: an `<a>`, i.e. a command). */
export async function codeLenses(page) {
  return page
    .locator('.editor-group-container.active .monaco-editor .contentWidgets .codelens-decoration')
    .evaluateAll((els) =>
      els.map((e) =>
        [...e.children]
          .map((x) => ({ text: (x.textContent ?? '').replace(/\u00a0/g, ' ').trim(), link: x.tagName === 'A' }))
          // VS Code separates lenses with a ` | ` span.
          .filter((x) => x.text !== '' && x.text !== '|'),
      ),
    );
}

/**
 * The page inside the visible webview (two nested iframes hung off the workbench; see
 * docs of real-vscode-testing): a Playwright FrameLocator. Click the panel's tab first when
 * several webviews are open.
 */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/**
 * The rows of a tree in the view container `containerSelector` (e.g. the Models view in
 * `[id="workbench.view.extension.layerLens"]`), top to bottom as rendered:
 * `{ label, description, level, expanded }` (expanded: 'true' | 'false' | null for leaves).
 */
export async function treeRows(page, containerSelector) {
  return page.locator(`${containerSelector} .monaco-list-row`).evaluateAll((els) =>
    els
      .map((e) => ({
        top: parseFloat(e.style.top || '0'),
        label: (e.querySelector('.label-name')?.textContent ?? '').trim(),
        description: (e.querySelector('.label-description')?.textContent ?? '').trim(),
        level: Number(e.getAttribute('aria-level') ?? 0),
        expanded: e.getAttribute('aria-expanded'),
      }))
      .sort((a, b) => a.top - b.top)
      .map(({ top, ...row }) => row),
  );
}

/** Texts of the status bar items, left to right. */
export async function statusBarTexts(page) {
  return page.locator('.part.statusbar .statusbar-item').evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()).filter(Boolean));
}
