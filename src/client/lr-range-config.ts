/**
 * The pure parts of "Layer Lens: Find Learning Rate (Range Test)" (src/client/lr-range-command.ts):
 * the TrainConfig it runs (what the training panel would start by default, turned into a range
 * test) and the page that shows the curve (an SVG drawn here, log-x; no script in the page).
 * No `vscode` import, so the unit tests load it directly; the texts are English unless a
 * `UiL10n` is passed (the command passes `vscode.l10n`).
 */
import * as path from 'node:path';
import { lrRangeConfig } from '../training/lr-range-host';
import { checkLrRange, DEFAULT_LR_RANGE, formatLr, type LrRangeSettings } from '../training/lr-range';
import type { BackendChoice, TrainConfig, WorkerMessageOf } from '../protocol/worker';
import type { TrainTargetResult } from '../protocol/lsp/train';
import { escapeHtml, htmlDocument } from '../shared/html';
import { ENGLISH, type UiL10n } from '../shared/ui-l10n';

export type LrRangeCurve = WorkerMessageOf<'lr-range'>;

/** The training panel's defaults (TrainingPanel.sendInit): the built-in dataset picked for the model, batch 32. */
export const PANEL_DEFAULTS = { dataset: 'auto', batchSize: 32, validationSplit: 0.1 } as const;

/** The backend the panel would offer: the setting, but only the bundled wasm/cpu in Restricted Mode. */
export function defaultBackend(setting: string | undefined, trusted: boolean): BackendChoice {
  let backend = (setting ?? 'auto') as BackendChoice;
  if (!['auto', 'gpu', 'node', 'wasm', 'cpu'].includes(backend)) backend = 'auto';
  if (!trusted && (backend === 'gpu' || backend === 'node' || backend === 'auto')) backend = 'wasm';
  return backend;
}

export interface LrRangeCommandOptions {
  trusted: boolean;
  /** layerLens.training.backend and .gpuPackagePath (ignored in Restricted Mode). */
  backendSetting?: string;
  gpuPackagePath?: string;
  /** The folder the run folder goes under (the workspace folder of the file). */
  root: string;
  runDir: string;
  settings?: Partial<LrRangeSettings>;
}

/** The range test's config: the analysed model, the panel's default dataset and backend, nothing from the workspace in Restricted Mode. */
export function lrRangeCommandConfig(t: Extract<TrainTargetResult, { ok: true }>, o: LrRangeCommandOptions): TrainConfig {
  const gpu = o.trusted ? (o.gpuPackagePath ?? '').trim() : '';
  return lrRangeConfig(
    {
      model: t.model,
      otherModels: t.otherModels,
      file: t.file,
      codeHash: t.codeHash,
      dataset: PANEL_DEFAULTS.dataset,
      batchSize: PANEL_DEFAULTS.batchSize,
      backend: defaultBackend(o.backendSetting, o.trusted),
      ...(gpu ? { gpuPackagePath: gpu } : {}),
      // Restricted Mode: resolve nothing from the workspace.
      resolveFrom: o.trusted ? [...new Set([path.dirname(t.file), o.root])] : [],
      runDir: o.runDir,
      stepEventMs: 0,
    },
    o.settings ?? {},
  );
}

/**
 * The sweep from the `layerLens.lrRangeTest.*` settings (`get` reads one key of that section):
 * the defaults where a key is unset, an error naming the setting where the values cannot make
 * a sweep (VS Code only warns about a value outside the schema; it still hands it over).
 */
export function lrRangeSettingsFrom(
  get: (key: 'steps' | 'minLr' | 'maxLr') => unknown,
): { settings: Pick<LrRangeSettings, 'steps' | 'minLr' | 'maxLr'> } | { error: string } {
  const num = (key: 'steps' | 'minLr' | 'maxLr') => {
    const v = get(key);
    return v === undefined || v === null ? DEFAULT_LR_RANGE[key] : typeof v === 'number' ? v : Number.NaN;
  };
  const settings = { steps: num('steps'), minLr: num('minLr'), maxLr: num('maxLr') };
  const problem = checkLrRange(settings);
  return problem ? { error: `layerLens.lrRangeTest: ${problem}` } : { settings };
}

/** The offset of the model's compile call in its own file, for `layerLens/lrEdit`. */
export function compileOffsetOf(t: Extract<TrainTargetResult, { ok: true }>): number | undefined {
  const r = t.model.compile?.range;
  return r && path.resolve(r.file) === path.resolve(t.file) ? r.startOffset : undefined;
}

export function suggestionMessage(curve: LrRangeCurve, l10n: UiL10n = ENGLISH): string | undefined {
  const s = curve.suggestion;
  if (!s) return undefined;
  const how =
    s.method === 'steepest'
      ? l10n.t('steepest descent of the smoothed loss')
      : l10n.t('a tenth of the rate at the smoothed loss’s minimum');
  return l10n.t('Suggested learning rate {0} ({1}). Write it into compile?', formatLr(s.lr), how);
}

const esc = escapeHtml;

/** The loss against the learning rate (log-x): the batch losses as dots, the smoothed loss as a line, the suggestion as a vertical line. */
export function lrChartSvg(curve: LrRangeCurve, width = 640, height = 360, l10n: UiL10n = ENGLISH): string {
  const pts = curve.points.filter((p) => p.lr > 0 && Number.isFinite(p.lr));
  const losses = pts.flatMap((p) => [p.loss, p.smoothed]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const m = { l: 56, r: 16, t: 16, b: 40 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  if (pts.length === 0 || losses.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${esc(l10n.t('no curve'))}"><text x="${width / 2}" y="${height / 2}" text-anchor="middle">${esc(l10n.t('No finite loss was recorded.'))}</text></svg>`;
  const x0 = Math.log10(Math.min(curve.minLr, ...pts.map((p) => p.lr)));
  const x1 = Math.max(x0 + 1e-9, Math.log10(Math.max(...pts.map((p) => p.lr))));
  // The y range: from the lowest loss to a bit above the first smoothed loss (a diverging tail would flatten the rest).
  const lo = Math.min(...losses);
  const firstSmoothed = pts.find((p) => typeof p.smoothed === 'number')?.smoothed ?? Math.max(...losses);
  const hi = Math.max(lo + 1e-9, Math.min(Math.max(...losses), Math.max(firstSmoothed, lo) * 1.5));
  const X = (lr: number) => m.l + ((Math.log10(lr) - x0) / (x1 - x0)) * w;
  const Y = (v: number) => m.t + (1 - (Math.min(v, hi) - lo) / (hi - lo)) * h;
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [];
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" class="frame"/>`);
  for (let d = Math.ceil(x0); d <= Math.floor(x1); d++) {
    const x = X(10 ** d);
    parts.push(
      `<line x1="${f(x)}" y1="${m.t}" x2="${f(x)}" y2="${m.t + h}" class="grid"/><text x="${f(x)}" y="${m.t + h + 16}" text-anchor="middle" class="tick">1e${d}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(`<text x="${m.l - 6}" y="${f(Y(v) + 4)}" text-anchor="end" class="tick">${esc(v.toPrecision(3))}</text>`);
  }
  for (const p of pts)
    if (typeof p.loss === 'number' && Number.isFinite(p.loss))
      parts.push(`<circle cx="${f(X(p.lr))}" cy="${f(Y(p.loss))}" r="1.8" class="raw"/>`);
  const line = pts
    .filter((p) => typeof p.smoothed === 'number' && Number.isFinite(p.smoothed))
    .map((p, i) => `${i ? 'L' : 'M'}${f(X(p.lr))},${f(Y(p.smoothed as number))}`)
    .join('');
  if (line) parts.push(`<path d="${line}" class="smoothed"/>`);
  const s = curve.suggestion;
  if (s && s.lr > 0) {
    const x = X(Math.min(Math.max(s.lr, 10 ** x0), 10 ** x1));
    parts.push(
      `<line x1="${f(x)}" y1="${m.t}" x2="${f(x)}" y2="${m.t + h}" class="suggestion" data-lr="${s.lr}"/><text x="${f(x + 4)}" y="${m.t + 14}" class="suggestion-label">${esc(formatLr(s.lr))}</text>`,
    );
  }
  parts.push(
    `<text x="${m.l + w / 2}" y="${height - 6}" text-anchor="middle" class="axis">${esc(l10n.t('learning rate (log scale)'))}</text>`,
  );
  parts.push(
    `<text x="14" y="${m.t + h / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.t + h / 2})" class="axis">${esc(l10n.t('loss'))}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(l10n.t('loss against learning rate'))}" class="lr-chart">${parts.join('')}</svg>`;
}

/** The page: no script, a strict CSP (style by nonce only). */
export function lrRangeHtml(title: string, curve: LrRangeCurve, nonce: string, l10n: UiL10n = ENGLISH): string {
  const s = curve.suggestion;
  const facts = [
    l10n.t(
      'optimizer {0}, learning rate {1} → {2}, {3} steps',
      curve.optimizer,
      formatLr(curve.minLr),
      formatLr(curve.maxLr),
      curve.points.length,
    ),
    ...(curve.stoppedEarly
      ? [l10n.t('stopped at step {0} (lr {1}): {2}', curve.stoppedEarly.step, formatLr(curve.stoppedEarly.lr), curve.stoppedEarly.reason)]
      : []),
    s
      ? l10n.t('suggestion: {0} ({1}) — {2}', formatLr(s.lr), s.method, s.reason)
      : l10n.t('no suggestion: the curve has no usable falling region'),
  ];
  return htmlDocument({
    csp: ["default-src 'none'", `style-src 'nonce-${nonce}'`],
    title,
    head: `<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 12px; }
.lr-chart { max-width: 100%; height: auto; }
.frame { fill: none; stroke: var(--vscode-panel-border, #8884); }
.grid { stroke: var(--vscode-panel-border, #8884); stroke-dasharray: 2 3; }
.tick, .axis, .suggestion-label { fill: var(--vscode-descriptionForeground, currentColor); font-size: 11px; }
.raw { fill: var(--vscode-charts-blue, #3794ff); opacity: 0.45; }
.smoothed { fill: none; stroke: var(--vscode-charts-blue, #3794ff); stroke-width: 2; }
.suggestion { stroke: var(--vscode-charts-green, #89d185); stroke-width: 2; stroke-dasharray: 5 3; }
.suggestion-label { fill: var(--vscode-charts-green, #89d185); font-weight: bold; }
</style>
`,
    body: `<h2>${esc(title)}</h2>
<div id="chart" data-suggested-lr="${s ? s.lr : ''}">${lrChartSvg(curve, undefined, undefined, l10n)}</div>
<ul>${facts.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>`,
  });
}
