// The training panel's webview as the e2e tests drive it: finding its frame, switching its
// tabs the way a user does, and reading what it shows.
import assert from 'node:assert/strict';
import { waitFor } from '../../scripts/lib/workbench.mjs';

/** The panel's tabs, in order. */
export const TABS = ['Setup', 'Charts', 'Layers', 'Runs'];

/** The training panel's frame (the webview page that has the setup tab and the loss chart). */
export function trainingFrame(page) {
  return waitFor(
    async () => {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame()) continue;
        const ok = await frame.evaluate(() => !!document.querySelector('.panel-setup') && !!document.querySelector('.chart-loss')).catch(() => false);
        if (ok) return frame;
      }
      return null;
    },
    { timeoutMs: 30_000, what: 'the training panel webview' },
  );
}

/** Shows a tab of the panel with a click on its header, then waits until its panel is on screen. */
export async function showTab(frame, name) {
  const index = TABS.indexOf(name);
  assert.ok(index >= 0, `no tab ${name}`);
  await frame.locator('vscode-tab-header', { hasText: name }).click();
  await waitFor(
    () => frame.evaluate((i) => document.querySelector('vscode-tabs')?.selectedIndex === i && !!document.querySelectorAll('vscode-tabs > vscode-tab-panel')[i]?.checkVisibility(), index),
    { timeoutMs: 10_000, what: `the ${name} tab to show` },
  );
}

export const statusOf = (frame) => frame.evaluate(() => document.querySelector('vscode-badge.status')?.textContent ?? '');
export const lossPoints = (frame) => frame.evaluate(() => Number(document.querySelector('.chart-loss')?.getAttribute('data-points') ?? '0'));
export const progressLine = (frame) => frame.evaluate(() => document.querySelector('.progress-line')?.textContent ?? '');
