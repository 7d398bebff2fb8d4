/// <reference lib="dom" />
/**
 * The training panel's per-layer views, drawn on canvases:
 *
 *  - the layers × steps heatmap of gradient norms (or update/weight ratios, or weight norms)
 *    on a log colour scale (heatmap-scale.ts): one row per layer in model order, the steps
 *    reduced to the canvas width (each cell the largest value of its steps, so a spike shows);
 *    grey = zero (no gradient: frozen or dead), magenta = non-finite; hover reads a cell,
 *    clicking a row (or the layer's name) reveals the layer's source line;
 *  - per-layer activation distributions over time: for each probed layer a strip whose
 *    columns are the probe steps and whose rows are activation values, shaded by the share of
 *    the probe batch's activations in that value range (from the worker's histograms), with
 *    the mean drawn over it and the latest mean / std / zeros / saturation next to it.
 *
 * Both keep one pixel per cell in a buffer and scale it onto the canvas without smoothing, and
 * an update computes only what it adds: the heatmap's cells of the new statistics columns
 * (HeatCells: cells of a power-of-two number of columns that merge as the run grows; every
 * cell is recoloured only when the colour scale moves), a strip's column of the new probe
 * (every column only when the layer's value range widens). A strip is redrawn only when its
 * layer got a new probe, and the strips due are drawn a few per frame (STRIP_BUDGET_MS), so
 * 50+ layers stay cheap to update.
 */
import type { ProbePoint, ProbeSeries, RunSeries } from '../../training/series';
import {
  decadeLabel,
  decadeTicks,
  formatValue,
  HeatCells,
  logScaleOfRange,
  RAMP_LUT,
  rampColor,
  SPECIAL,
  type LogScale,
} from './heatmap-scale';
import { t } from './strings';

export type HeatMetric = 'gradNorm' | 'updateRatio' | 'weightNorm';
/** English; shown through `heatMetricText` in the page's language. */
export const HEAT_METRICS: ReadonlyArray<{ id: HeatMetric; label: string; hint: string }> = [
  {
    id: 'gradNorm',
    label: 'Gradient norm ‖g‖',
    hint: 'L2 norm of the layer’s gradients (all its weights). Vanishing: a layer far darker than the rest; exploding: bright or magenta.',
  },
  {
    id: 'updateRatio',
    label: 'Update / weight ‖Δw‖/‖w‖',
    hint: 'How much a step changes the weights, relative to their size; around 1e-3 is the usual healthy range.',
  },
  { id: 'weightNorm', label: 'Weight norm ‖w‖', hint: 'L2 norm of the layer’s weights.' },
];

/** A heat metric's label and hint in the page's language. */
function heatMetricText(id: HeatMetric): { label: string; hint: string } {
  switch (id) {
    case 'gradNorm':
      return {
        label: t('Gradient norm ‖g‖'),
        hint: t(
          'L2 norm of the layer’s gradients (all its weights). Vanishing: a layer far darker than the rest; exploding: bright or magenta.',
        ),
      };
    case 'updateRatio':
      return {
        label: t('Update / weight ‖Δw‖/‖w‖'),
        hint: t('How much a step changes the weights, relative to their size; around 1e-3 is the usual healthy range.'),
      };
    case 'weightNorm':
      return { label: t('Weight norm ‖w‖'), hint: t('L2 norm of the layer’s weights.') };
  }
}

const ROW_H = 14;
const NAME_W = 220;

export interface LayersViewHost {
  reveal(layer: string): void;
  /** The source line of a layer, for its tooltip (null when unknown). */
  lineOf(layer: string): number | null;
}

export class Heatmap {
  readonly root: HTMLElement;
  private readonly names: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly legend: HTMLCanvasElement;
  private readonly legendLabels: HTMLElement;
  private readonly axis: HTMLElement;
  private readonly tip: HTMLElement;
  private metric: HeatMetric = 'gradNorm';
  private series: RunSeries | undefined;
  private drawn = { key: '', metric: '' as string, width: 0 };
  private namesOf: { series: RunSeries | undefined; count: number } = { series: undefined, count: -1 };
  private cells = 0;
  /** Statistics columns per cell. */
  private group = 1;
  private scale: LogScale | null = null;
  private plotWidth = 0;
  /** The cells (one pixel each) and what they were computed from. */
  private heat = new HeatCells();
  private heatOf: { series: RunSeries | undefined; metric: string; stride: number } = { series: undefined, metric: '', stride: 0 };
  /** Per row, log10 of each cell (+Infinity: non-finite, -Infinity: zero, NaN: missing): recolouring reads these. */
  private logs: Float64Array[] = [];
  private img: ImageData | null = null;
  private off: OffscreenCanvas | null = null;
  private readonly axisLabels: HTMLElement[] = [];
  private legendText = '';
  /** The texts set once (`localize` sets them again in the page's language). */
  private readonly labels: { title: HTMLElement; select: HTMLElement; options: HTMLElement[]; hint: HTMLElement; special: HTMLElement[] };

  constructor(
    parent: HTMLElement,
    private readonly host: LayersViewHost,
  ) {
    this.root = el('section', 'heatmap');
    const head = el('div', 'heatmap-head');
    const title = el('h3');
    const select = document.createElement('vscode-single-select') as HTMLElement & { value: string };
    select.className = 'heatmap-metric';
    const options: HTMLElement[] = [];
    for (const m of HEAT_METRICS) {
      const o = document.createElement('vscode-option') as HTMLElement & { value: string };
      o.setAttribute('value', m.id);
      options.push(o);
      select.append(o);
    }
    select.addEventListener('change', () => {
      this.metric = (HEAT_METRICS.find((m) => m.id === select.value)?.id ?? 'gradNorm') as HeatMetric;
      hint.textContent = heatMetricText(this.metric).hint;
      this.draw(this.series, true);
    });
    const hint = el('p', 'hint');
    this.legend = document.createElement('canvas');
    this.legend.className = 'heatmap-legend';
    this.legend.width = 160;
    this.legend.height = 10;
    this.legendLabels = el('div', 'heatmap-legend-labels');
    const legendBox = el('div', 'heatmap-legend-box');
    const special = el('div', 'heatmap-special');
    special.innerHTML = '';
    const specialLabels: HTMLElement[] = [];
    for (const rgb of [SPECIAL.zero, SPECIAL.nonfinite]) {
      const sw = el('span', 'swatch');
      sw.style.background = `rgb(${rgb.join(',')})`;
      const label = el('span');
      specialLabels.push(label);
      special.append(sw, label);
    }
    this.labels = { title, select, options, hint, special: specialLabels };
    this.localize();
    legendBox.append(this.legend, this.legendLabels, special);
    this.drawRamp();
    head.append(title, select, legendBox);
    const body = el('div', 'heatmap-body');
    this.names = el('div', 'heatmap-names');
    this.names.style.width = `${NAME_W}px`;
    const plot = el('div', 'heatmap-plot');
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'heatmap-canvas';
    // A canvas pixel per plot pixel column and per layer: the rows are scaled up by the browser, without smoothing.
    this.canvas.style.imageRendering = 'pixelated';
    this.canvas.width = 0;
    this.axis = el('div', 'heatmap-axis');
    for (const align of ['left', 'center', 'right']) {
      const label = el('span');
      label.style.textAlign = align;
      this.axisLabels.push(label);
    }
    plot.append(this.canvas, this.axis);
    body.append(this.names, plot);
    this.tip = el('div', 'tooltip');
    this.tip.hidden = true;
    this.root.append(head, hint, body, this.tip);
    parent.append(this.root);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
    this.canvas.addEventListener('click', (e) => {
      const r = this.rowAt(e);
      if (r !== undefined) this.host.reveal(this.series!.layers[r].name);
    });
    new ResizeObserver(() => {
      const w = Math.floor(plot.clientWidth - 2);
      if (w === this.plotWidth || w <= 0) return;
      this.plotWidth = w;
      this.draw(this.series, true);
    }).observe(plot);
  }

  /** Sets the fixed texts in the page's language (the legend and axis follow on the next draw). */
  localize(): void {
    const l = this.labels;
    l.title.textContent = t('Layers × steps');
    l.select.setAttribute('aria-label', t('Heatmap value'));
    HEAT_METRICS.forEach((m, i) => (l.options[i].textContent = heatMetricText(m.id).label));
    l.hint.textContent = heatMetricText(this.metric).hint;
    l.special[0].textContent = t('zero');
    l.special[1].textContent = t('NaN / Inf');
    this.legendText = '';
    if (this.scale) this.drawLegend();
  }

  private rowAt(e: MouseEvent): number | undefined {
    if (!this.series) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    const r = Math.floor((e.clientY - rect.top) / ROW_H);
    return r >= 0 && r < this.series.layers.length ? r : undefined;
  }

  private hover(e: MouseEvent): void {
    const s = this.series;
    const r = this.rowAt(e);
    if (!s || r === undefined || this.cells === 0) {
      this.tip.hidden = true;
      return;
    }
    const rect = this.canvas.getBoundingClientRect();
    const n = s.statSteps.length;
    const c = Math.min(this.cells - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * this.cells)));
    const from = Math.min(n - 1, c * this.group);
    const to = Math.min(n, from + this.group);
    const layer = s.layers[r];
    const pick = (col: { get(i: number): number }) => {
      let best = NaN;
      for (let i = from; i < to; i++) {
        const v = col.get(i);
        if (!Number.isNaN(v) && (Number.isNaN(best) || v > best)) best = v;
      }
      return best;
    };
    const steps =
      from + 1 === to ? t('step {0}', s.statSteps.get(from)) : t('steps {0}–{1}', s.statSteps.get(from), s.statSteps.get(to - 1));
    const line = this.host.lineOf(layer.name);
    const nonFinite = pick(layer.nonFinite);
    this.tip.innerHTML = '';
    const rows: Array<[string, string]> = [
      [t('layer'), `${layer.name}${layer.className ? ` (${layer.className})` : ''}${line ? t(' · line {0}', line) : ''}`],
      ['', steps],
      ['‖g‖', formatValue(pick(layer.gradNorm))],
      ['‖Δw‖/‖w‖', formatValue(pick(layer.updateRatio))],
      ['‖w‖', formatValue(pick(layer.weightNorm))],
    ];
    if (nonFinite > 0) rows.push(['NaN/Inf', String(nonFinite)]);
    for (const [k, v] of rows) {
      const d = el('div');
      if (k) {
        const b = el('b');
        b.textContent = `${k} `;
        d.append(b);
      }
      d.append(v);
      this.tip.append(d);
    }
    this.tip.hidden = false;
    const host = this.root.getBoundingClientRect();
    this.tip.style.left = `${Math.min(e.clientX - host.left + 12, host.width - 260)}px`;
    this.tip.style.top = `${e.clientY - host.top + 12}px`;
  }

  setMetric(metric: HeatMetric): void {
    this.metric = metric;
    this.draw(this.series, true);
  }

  /**
   * Redraws when the series changed since the last draw (or `force`). Only what changed is
   * recomputed: the cells of the new statistics columns (HeatCells) and their pixels (every
   * cell's when the colour scale moved), uploaded from the first changed cell on; the cells
   * are then stretched onto the canvas in one blit.
   */
  draw(series: RunSeries | undefined, force = false): void {
    this.series = series;
    // The width comes from the ResizeObserver: reading it here would force a layout per update.
    const plotWidth = Math.max(100, this.plotWidth || 600);
    if (!series) {
      this.names.replaceChildren();
      this.namesOf = { series: undefined, count: -1 };
      this.canvas.width = 0;
      this.cells = 0;
      this.heatOf = { series: undefined, metric: '', stride: 0 };
      return;
    }
    // Only statistics change the heatmap: steps alone do not.
    const key = `${series.statSteps.length}/${series.statStride}/${series.layers.length}/${series.statSteps.last()}`;
    if (!force && this.drawn.key === key && this.drawn.metric === this.metric && this.drawn.width === plotWidth) return;
    this.drawn = { key, metric: this.metric, width: plotWidth };
    const layers = series.layers;
    const n = series.statSteps.length;
    // Names (DOM: clickable, accessible), rebuilt only when the layer list changed (layers are only added).
    if (this.namesOf.series !== series || this.namesOf.count !== layers.length) {
      this.namesOf = { series, count: layers.length };
      this.names.replaceChildren(
        ...layers.map((l) => {
          const b = el('button', 'layer-name');
          b.type = 'button';
          b.textContent = l.name;
          b.title = `${l.name}${l.className ? ` (${l.className})` : ''}: reveal its source line`;
          b.style.height = `${ROW_H}px`;
          b.addEventListener('click', () => this.host.reveal(l.name));
          return b;
        }),
      );
    }
    // Cells: at most one per pixel column of the plot.
    const of = this.heatOf;
    if (force || of.series !== series || of.metric !== this.metric || of.stride !== series.statStride) {
      this.heat = new HeatCells();
      this.heatOf = { series, metric: this.metric, stride: series.statStride };
    }
    const heat = this.heat;
    const changed = heat.update(
      layers.map((l) => l[this.metric].data),
      n,
      plotWidth,
    );
    this.cells = n === 0 ? 0 : heat.cells;
    this.group = heat.group;
    const cap = heat.rows[0]?.length ?? 0;
    let logFrom = changed;
    if (this.logs.length !== layers.length || (this.logs[0]?.length ?? 0) < cap) {
      this.logs = heat.rows.map((row) => new Float64Array(row.length));
      logFrom = 0;
    }
    for (let r = 0; r < layers.length; r++) {
      const row = heat.rows[r];
      const logs = this.logs[r];
      for (let c = logFrom; c < this.cells; c++) logs[c] = logOf(row[c]);
    }
    const { min, max } = heat.extremes();
    const scale = logScaleOfRange(min, max);
    const rescaled = !this.scale || !scale ? this.scale !== scale : scale.lo !== this.scale.lo || scale.hi !== this.scale.hi;
    this.scale = scale;
    const h = Math.max(1, layers.length);
    const w = Math.max(1, cap);
    // One pixel per cell in an offscreen canvas: the changed cells, every cell when the colours
    // moved (or the buffer is new); then blitted, stretched, onto the visible canvas.
    let from = rescaled ? 0 : changed;
    if (!this.img || this.img.width !== w || this.img.height !== h) {
      this.img = new ImageData(w, h);
      this.off = new OffscreenCanvas(w, h);
      from = 0;
    }
    const img = this.img;
    const px = new Uint32Array(img.data.buffer);
    const lo = scale?.lo ?? 0;
    const span = scale ? scale.hi - scale.lo : 1;
    for (let r = 0; r < layers.length; r++) {
      const logs = this.logs[r];
      const o = r * w;
      for (let c = from; c < this.cells; c++) {
        // The colours of cellOf (heatmap-scale.ts): the ramp on the log scale, grey for zero,
        // magenta for non-finite, transparent when missing.
        const l = logs[c];
        if (Number.isNaN(l)) px[o + c] = COLOURS[MISSING];
        else if (l === Infinity) px[o + c] = COLOURS[NONFINITE];
        else if (l === -Infinity) px[o + c] = COLOURS[ZERO];
        else px[o + c] = COLOURS[Math.round((scale ? Math.min(1, Math.max(0, (l - lo) / span)) : 0.5) * 255)];
      }
    }
    const off = this.off!;
    if (this.cells > from) off.getContext('2d')!.putImageData(img, 0, 0, from, 0, this.cells - from, h);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const style = this.canvas.style;
    const cssW = `${plotWidth}px`;
    const cssH = `${h * ROW_H}px`;
    if (style.width !== cssW) style.width = cssW;
    if (style.height !== cssH) style.height = cssH;
    const ctx = this.canvas.getContext('2d')!;
    ctx.clearRect(0, 0, w, h);
    if (this.cells > 0) {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(off, 0, 0, this.cells, h, 0, 0, w, h);
    }
    // Step axis: first, middle, last.
    if (n > 0) {
      if (!this.axis.firstChild) this.axis.append(...this.axisLabels);
      const at = [0, Math.floor((n - 1) / 2), n - 1];
      this.axisLabels.forEach((label, i) => {
        const text = t('step {0}', series.statSteps.get(at[i]));
        if (label.textContent !== text) label.textContent = text;
      });
    } else if (this.axis.firstChild) this.axis.replaceChildren();
    if (rescaled || force) this.drawLegend();
  }

  /** The colour ramp of the legend (fixed: drawn once). */
  private drawRamp(): void {
    const ctx = this.legend.getContext('2d')!;
    const w = this.legend.width;
    for (let x = 0; x < w; x++) {
      const [r, g, b] = rampColor(x / (w - 1));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x, 0, 1, this.legend.height);
    }
  }

  private drawLegend(): void {
    const text = this.scale ? `${this.scale.lo}|${this.scale.hi}` : '';
    if (text === this.legendText) return;
    this.legendText = text;
    this.legendLabels.replaceChildren();
    if (!this.scale) return;
    const lo = el('span');
    lo.textContent = formatValue(10 ** this.scale.lo);
    const ticks = el('span');
    ticks.textContent = t('log scale · {0}', decadeTicks(this.scale, 4).map(decadeLabel).join(' '));
    const hi = el('span');
    hi.textContent = formatValue(10 ** this.scale.hi);
    this.legendLabels.append(lo, ticks, hi);
  }
}

/** The cells' colours as RGBA words (in the byte order of ImageData): the ramp's 256, then zero, non-finite, missing. */
const ZERO = 256;
const NONFINITE = 257;
const MISSING = 258;
const COLOURS: Uint32Array = (() => {
  const bytes = new Uint8ClampedArray(259 * 4);
  for (let k = 0; k < 256; k++) bytes.set([RAMP_LUT[k * 3], RAMP_LUT[k * 3 + 1], RAMP_LUT[k * 3 + 2], 255], k * 4);
  bytes.set([...SPECIAL.zero, 255], ZERO * 4);
  bytes.set([...SPECIAL.nonfinite, 255], NONFINITE * 4);
  bytes.set([0, 0, 0, 0], MISSING * 4);
  return new Uint32Array(bytes.buffer);
})();

/** A cell's value as the colouring reads it: log10, +Infinity for non-finite, -Infinity for zero, NaN when missing. */
function logOf(v: number): number {
  if (Number.isNaN(v)) return NaN;
  if (!Number.isFinite(v) || v >= Number.MAX_VALUE) return Infinity;
  return v <= 0 ? -Infinity : Math.log10(v);
}

const STRIP_W = 240;
const STRIP_H = 56;

/** Per-layer activation distributions over time (small multiples). */
export class ActivationGrid {
  readonly root: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly tip: HTMLElement;
  private readonly cards = new Map<string, Card>();
  private series: RunSeries | undefined;
  /** The mean line's colour (a theme variable, read again when the theme changes). */
  private meanColor = '';

  constructor(
    parent: HTMLElement,
    private readonly host: LayersViewHost,
  ) {
    this.root = el('section', 'activations');
    const h = el('h3');
    const hint = el('p', 'hint');
    this.labels = { title: h, hint };
    this.localize();
    this.grid = el('div', 'activation-grid');
    this.tip = el('div', 'tooltip');
    this.tip.hidden = true;
    this.root.append(h, hint, this.grid, this.tip);
    parent.append(this.root);
    // Theme changes (VS Code swaps the body class): the mean lines take the new colour.
    new MutationObserver(() => {
      this.meanColor = '';
      for (const [name, c] of this.cards) {
        c.strip.reset();
        this.dirty.add(name);
      }
      this.drawSome();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  private readonly labels: { title: HTMLElement; hint: HTMLElement };
  /** Where the shown activations come from: the hint says the probe batch or the training batch. */
  private shownSource: 'probe' | 'batch' | undefined;

  /** Sets the fixed texts in the page's language. */
  localize(): void {
    this.labels.title.textContent = t('Activation distributions over time');
    this.labels.hint.textContent =
      this.series?.info.activationsFrom === 'batch'
        ? t(
            'Each strip: steps left to right, activation values bottom to top, shaded by how many of that step’s training-batch activations fall there (training mode: dropout on); the line is the mean. Click a layer to see its source.',
          )
        : t(
            'Each strip: probe steps left to right, activation values bottom to top, shaded by how many of the probe batch’s activations fall there; the line is the mean. Click a layer to see its source.',
          );
  }

  draw(series: RunSeries | undefined): void {
    if (series !== this.series) {
      this.series = series;
      this.cards.clear();
      this.grid.replaceChildren();
    }
    if (!series) return;
    if (series.info.activationsFrom !== this.shownSource) {
      this.shownSource = series.info.activationsFrom;
      this.localize();
    }
    const steps = series.probeSteps;
    for (const p of series.probes) {
      let c = this.cards.get(p.name);
      if (!c) {
        const card = el('div', 'activation-card');
        const name = el('button', 'layer-name');
        name.type = 'button';
        name.textContent = p.name;
        name.title = t('{0} ({1}): reveal its source line', p.name, p.className);
        name.addEventListener('click', () => this.host.reveal(p.name));
        const kind = el('span', 'muted');
        kind.textContent = p.className;
        const canvas = document.createElement('canvas');
        canvas.width = STRIP_W;
        canvas.height = STRIP_H;
        canvas.className = 'activation-canvas';
        const stats = el('div', 'activation-stats');
        card.append(name, kind, canvas, stats);
        this.grid.append(card);
        c = { card, canvas, stats, probe: p, points: null, cols: -1, strip: new Strip() };
        this.cards.set(p.name, c);
        const entry = c;
        canvas.addEventListener('mousemove', (e) => this.hover(e, p.name, entry.canvas));
        canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
        canvas.addEventListener('click', () => this.host.reveal(p.name));
      }
      // Points are only appended, or thinned into a new array.
      if (c.points === p.points && c.cols === p.points.length && c.cols === steps.length) continue;
      c.probe = p;
      c.points = p.points;
      c.cols = p.points.length;
      this.dirty.add(p.name);
    }
    this.drawSome();
  }

  private readonly dirty = new Set<string>();
  private continuing = false;

  /** Strips still to redraw: they wait for the next frames when a frame's budget is spent. */
  get pending(): number {
    return this.dirty.size;
  }

  /**
   * Redraws dirty strips for at most STRIP_BUDGET_MS, then goes on in the next animation frame:
   * a probe of 50+ layers arrives at once, and drawing them all in one frame would stall the
   * charts. A strip only draws its new probe columns (Strip).
   */
  private drawSome(): void {
    const s = this.series;
    if (!s) return;
    const t0 = performance.now();
    this.meanColor ||= getComputedStyle(document.body).getPropertyValue('--vscode-charts-foreground').trim() || '#ccc';
    let last = 0;
    let drawn = 0;
    for (const name of this.dirty) {
      // At least one strip per frame; another only if it fits, assuming it costs what the last one did.
      const spent = performance.now() - t0;
      if (drawn++ > 0 && spent + last > STRIP_BUDGET_MS) break;
      this.dirty.delete(name);
      const c = this.cards.get(name);
      if (!c) continue;
      const p = c.probe;
      c.strip.paint(c.canvas, p.points, this.meanColor);
      let latest: (typeof p.points)[number] = null;
      for (let i = p.points.length - 1; i >= 0 && !latest; i--) latest = p.points[i];
      const text = latest
        ? t(
            'mean {0} · std {1} · zeros {2} · saturated {3}',
            formatValue(latest.mean),
            formatValue(latest.std),
            pct(latest.fracZero),
            pct(latest.fracSaturated),
          )
        : t('no probe yet');
      if (c.stats.textContent !== text) c.stats.textContent = text;
      c.card.classList.toggle('warn', !!latest && ((latest.fracZero ?? 0) > 0.5 || (latest.fracSaturated ?? 0) > 0.3));
      last = performance.now() - t0 - spent;
    }
    if (this.dirty.size > 0 && !this.continuing) {
      this.continuing = true;
      requestAnimationFrame(() => {
        this.continuing = false;
        this.drawSome();
      });
    }
  }

  private hover(e: MouseEvent, layer: string, canvas: HTMLCanvasElement): void {
    const s = this.series;
    const p = s?.probes.find((x) => x.name === layer);
    if (!s || !p || p.points.length === 0) return;
    const rect = canvas.getBoundingClientRect();
    const i = Math.min(p.points.length - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * p.points.length)));
    const pt = p.points[i];
    this.tip.replaceChildren();
    const lines = [
      s.info.activationsFrom === 'batch'
        ? t('{0} · training batch at step {1}', layer, s.probeSteps[i] ?? '?')
        : t('{0} · probe at step {1}', layer, s.probeSteps[i] ?? '?'),
    ];
    if (pt) {
      lines.push(
        t('mean {0} · std {1}', formatValue(pt.mean), formatValue(pt.std)),
        t('zeros {0} · saturated {1}', pct(pt.fracZero), pct(pt.fracSaturated)),
        t('range {0} … {1}', formatValue(pt.histogram.min), formatValue(pt.histogram.max)),
      );
    } else lines.push(t('no statistics at this probe'));
    for (const l of lines) {
      const d = el('div');
      d.textContent = l;
      this.tip.append(d);
    }
    this.tip.hidden = false;
    const host = this.root.getBoundingClientRect();
    this.tip.style.left = `${Math.min(e.clientX - host.left + 12, host.width - 260)}px`;
    this.tip.style.top = `${e.clientY - host.top + 12}px`;
  }
}

function pct(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(v < 0.1 && v > 0 ? 1 : 0)}%`;
}

interface Card {
  card: HTMLElement;
  canvas: HTMLCanvasElement;
  stats: HTMLElement;
  probe: ProbeSeries;
  /** The points array and length last marked for drawing. */
  points: ReadonlyArray<ProbePoint | null> | null;
  cols: number;
  strip: Strip;
}

/** Time a frame may spend on activation strips; the rest waits for the next frames. */
const STRIP_BUDGET_MS = 0.6;

type StripPoint = { mean: number | null; histogram: { min: number | null; max: number | null; counts: number[] } } | null;

/**
 * One layer's strip: columns = probes, rows = value bins on the layer's overall range. The
 * columns are kept at one pixel each (a pixel buffer and an offscreen canvas) and scaled onto
 * the strip without smoothing. A new probe computes only its own column; when the probes were
 * thinned (a new points array holding some of the old points), the kept columns are moved, not
 * recomputed; every column is recomputed only when the value range changed.
 */
export class Strip {
  private off: OffscreenCanvas | null = null;
  /** RGBA, `cap` columns per row. */
  private pix = new Uint8ClampedArray(0);
  private cap = 0;
  private rows = 0;
  private points: ReadonlyArray<StripPoint> | null = null;
  private cols = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private dens = new Float32Array(STRIP_H);

  /** Forgets what was drawn (the next paint draws every column). */
  reset(): void {
    this.points = null;
    this.cols = 0;
  }

  paint(canvas: HTMLCanvasElement, points: ReadonlyArray<StripPoint>, meanColor = '#ccc'): void {
    const ctx = canvas.getContext('2d')!;
    const W = canvas.width;
    const H = canvas.height;
    const cols = points.length;
    const appended = this.points === points && cols >= this.cols;
    let lo = appended ? this.lo : Infinity;
    let hi = appended ? this.hi : -Infinity;
    for (let c = appended ? this.cols : 0; c < cols; c++) {
      const p = points[c];
      if (!p || p.histogram.min === null || p.histogram.max === null) continue;
      if (p.histogram.min < lo) lo = p.histogram.min;
      if (p.histogram.max > hi) hi = p.histogram.max;
    }
    const sameRange = lo === this.lo && hi === this.hi && H === this.rows;
    const old = this.points;
    const oldCols = this.cols;
    this.points = points;
    this.cols = cols;
    this.lo = lo;
    this.hi = hi;
    ctx.clearRect(0, 0, W, H);
    if (cols === 0 || !Number.isFinite(lo) || !Number.isFinite(hi)) {
      this.cols = 0;
      return;
    }
    if (hi - lo < 1e-12) {
      lo -= 0.5;
      hi += 0.5;
    }
    const keep = sameRange ? oldCols : 0;
    if (!this.off || cols > this.cap || H !== this.rows) {
      // More room: the kept columns move into the wider buffer.
      const cap = Math.max(64, cols, 2 * this.cap);
      const pix = new Uint8ClampedArray(cap * H * 4);
      if (keep > 0) for (let r = 0; r < H; r++) pix.set(this.pix.subarray(r * this.cap * 4, (r * this.cap + keep) * 4), r * cap * 4);
      this.pix = pix;
      this.cap = cap;
      this.rows = H;
      this.off = new OffscreenCanvas(cap, H);
      if (keep > 0) this.off.getContext('2d')!.putImageData(new ImageData(pix, cap, H), 0, 0, 0, 0, keep, H);
    }
    let from = 0;
    if (appended && sameRange) from = oldCols;
    else if (sameRange && old) {
      // Thinned: column i shows a point that column k ≥ i showed (same order): move it.
      const px = new Uint32Array(this.pix.buffer);
      for (let i = 0, k = 0; i < cols; i++) {
        const p = points[i];
        while (p && k < oldCols && old[k] !== p) k++;
        if (p && k < oldCols) {
          if (k !== i) for (let r = 0; r < H; r++) px[r * this.cap + i] = px[r * this.cap + k];
          k++;
        } else this.column(p, lo, hi, H, i);
      }
      from = cols;
      this.off!.getContext('2d')!.putImageData(new ImageData(this.pix, this.cap, H), 0, 0, 0, 0, cols, H);
    }
    if (from < cols) {
      for (let c = from; c < cols; c++) this.column(points[c], lo, hi, H, c);
      this.off!.getContext('2d')!.putImageData(new ImageData(this.pix, this.cap, H), 0, 0, from, 0, cols - from, H);
    }
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.off!, 0, 0, cols, H, 0, 0, W, H);
    // The mean over time.
    ctx.strokeStyle = meanColor;
    ctx.lineWidth = 1;
    ctx.beginPath();
    let started = false;
    for (let c = 0; c < cols; c++) {
      const m = points[c]?.mean;
      if (m === null || m === undefined) continue;
      const x = ((c + 0.5) / cols) * W;
      const y = ((hi - m) / (hi - lo)) * (H - 1);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
  }

  /** Column c of the buffer: each value row shaded by its share of the probe's activations (transparent: none). */
  private column(p: StripPoint, lo: number, hi: number, H: number, c: number): void {
    const px = this.pix;
    const width = this.cap;
    for (let r = 0; r < H; r++) px[(r * width + c) * 4 + 3] = 0;
    if (!p || p.histogram.min === null || p.histogram.max === null) return;
    const { min, max, counts } = p.histogram;
    if (this.dens.length !== H) this.dens = new Float32Array(H);
    const dens = this.dens;
    let total = 0;
    for (const n of counts) total += n;
    total ||= 1;
    dens.fill(0);
    const bw = (max - min) / counts.length || 0;
    for (let b = 0; b < counts.length; b++) {
      if (counts[b] === 0) continue;
      const v0 = min + b * bw;
      const v1 = bw > 0 ? v0 + bw : v0;
      // Value → pixel row (row 0 at the top: the largest values).
      const r0 = Math.max(0, Math.min(H - 1, Math.floor(((hi - v1) / (hi - lo)) * (H - 1))));
      const r1 = Math.max(0, Math.min(H - 1, Math.floor(((hi - v0) / (hi - lo)) * (H - 1))));
      const share = counts[b] / total / (r1 - r0 + 1);
      for (let r = r0; r <= r1; r++) dens[r] += share;
    }
    let top = 0;
    for (let r = 0; r < H; r++) top = Math.max(top, dens[r]);
    for (let r = 0; r < H; r++) {
      if (dens[r] <= 0) continue;
      const t = Math.sqrt(dens[r] / (top || 1));
      const k = Math.round((0.15 + 0.85 * t) * 255) * 3;
      const o = (r * width + c) * 4;
      px[o] = RAMP_LUT[k];
      px[o + 1] = RAMP_LUT[k + 1];
      px[o + 2] = RAMP_LUT[k + 2];
      px[o + 3] = Math.round(90 + 165 * t);
    }
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}
