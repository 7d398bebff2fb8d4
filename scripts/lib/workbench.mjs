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
  // Results stream in; the first search in a fresh window takes seconds.
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label^="${base},"]`).first();
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
