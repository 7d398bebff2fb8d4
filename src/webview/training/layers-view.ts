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
 * Both are drawn through ImageData (one pixel per cell, scaled up without smoothing), and a
 * strip is redrawn only when its layer got a new probe, so 50+ layers stay cheap to update.
 */
import type { RunSeries } from '../../training/series';
import { aggregateColumns, cellOf, decadeLabel, decadeTicks, formatValue, logScaleOf, RAMP_LUT, rampColor, SPECIAL, type LogScale } from './heatmap-scale';

export type HeatMetric = 'gradNorm' | 'updateRatio' | 'weightNorm';
export const HEAT_METRICS: ReadonlyArray<{ id: HeatMetric; label: string; hint: string }> = [
  { id: 'gradNorm', label: 'Gradient norm ‖g‖', hint: 'L2 norm of the layer’s gradients (all its weights). Vanishing: a layer far darker than the rest; exploding: bright or magenta.' },
  { id: 'updateRatio', label: 'Update / weight ‖Δw‖/‖w‖', hint: 'How much a step changes the weights, relative to their size; around 1e-3 is the usual healthy range.' },
  { id: 'weightNorm', label: 'Weight norm ‖w‖', hint: 'L2 norm of the layer’s weights.' },
];

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
  private namesKey = '';
  private cells = 0;
  private scale: LogScale | null = null;
  private plotWidth = 0;

  constructor(
    parent: HTMLElement,
    private readonly host: LayersViewHost,
  ) {
    this.root = el('section', 'heatmap');
    const head = el('div', 'heatmap-head');
    const title = el('h3');
    title.textContent = 'Layers × steps';
    const select = document.createElement('vscode-single-select') as HTMLElement & { value: string };
    select.className = 'heatmap-metric';
    select.setAttribute('aria-label', 'Heatmap value');
    for (const m of HEAT_METRICS) {
      const o = document.createElement('vscode-option') as HTMLElement & { value: string };
      o.setAttribute('value', m.id);
      o.textContent = m.label;
      select.append(o);
    }
    select.addEventListener('change', () => {
      this.metric = (HEAT_METRICS.find((m) => m.id === select.value)?.id ?? 'gradNorm') as HeatMetric;
      hint.textContent = HEAT_METRICS.find((m) => m.id === this.metric)!.hint;
      this.draw(this.series, true);
    });
    const hint = el('p', 'hint');
    hint.textContent = HEAT_METRICS[0].hint;
    this.legend = document.createElement('canvas');
    this.legend.className = 'heatmap-legend';
    this.legend.width = 160;
    this.legend.height = 10;
    this.legendLabels = el('div', 'heatmap-legend-labels');
    const legendBox = el('div', 'heatmap-legend-box');
    const special = el('div', 'heatmap-special');
    special.innerHTML = '';
    for (const [label, rgb] of [
      ['zero', SPECIAL.zero],
      ['NaN / Inf', SPECIAL.nonfinite],
    ] as const) {
      const sw = el('span', 'swatch');
      sw.style.background = `rgb(${rgb.join(',')})`;
      const t = el('span');
      t.textContent = label;
      special.append(sw, t);
    }
    legendBox.append(this.legend, this.legendLabels, special);
    head.append(title, select, legendBox);
    const body = el('div', 'heatmap-body');
    this.names = el('div', 'heatmap-names');
    this.names.style.width = `${NAME_W}px`;
    const plot = el('div', 'heatmap-plot');
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'heatmap-canvas';
    this.axis = el('div', 'heatmap-axis');
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
    const from = n <= this.cells ? c : Math.floor((c * n) / this.cells);
    const to = n <= this.cells ? c + 1 : Math.max(from + 1, Math.floor(((c + 1) * n) / this.cells));
    const layer = s.layers[r];
    const pick = (col: { get(i: number): number }) => {
      let best = NaN;
      for (let i = from; i < to; i++) {
        const v = col.get(i);
        if (!Number.isNaN(v) && (Number.isNaN(best) || v > best)) best = v;
      }
      return best;
    };
    const steps = from + 1 === to ? `step ${s.statSteps.get(from)}` : `steps ${s.statSteps.get(from)}–${s.statSteps.get(to - 1)}`;
    const line = this.host.lineOf(layer.name);
    const nonFinite = pick(layer.nonFinite);
    this.tip.innerHTML = '';
    const rows: Array<[string, string]> = [
      ['layer', `${layer.name}${layer.className ? ` (${layer.className})` : ''}${line ? ` · line ${line}` : ''}`],
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

  /** Redraws when the series changed since the last draw (or `force`). */
  draw(series: RunSeries | undefined, force = false): void {
    this.series = series;
    // The width comes from the ResizeObserver: reading it here would force a layout per update.
    const plotWidth = Math.max(100, this.plotWidth || 600);
    if (!series) {
      this.names.replaceChildren();
      this.canvas.width = 0;
      this.cells = 0;
      return;
    }
    // Only statistics change the heatmap: steps alone do not.
    const key = `${series.statSteps.length}/${series.statStride}/${series.layers.length}/${series.statSteps.last()}`;
    if (!force && this.drawn.key === key && this.drawn.metric === this.metric && this.drawn.width === plotWidth) return;
    this.drawn = { key, metric: this.metric, width: plotWidth };
    const layers = series.layers;
    const n = series.statSteps.length;
    // Names (DOM: clickable, accessible), rebuilt only when the layer list changed.
    const namesKey = layers.map((l) => l.name).join('\n');
    if (namesKey !== this.namesKey) {
      this.namesKey = namesKey;
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
    const cells = Math.min(n, Math.max(1, Math.floor(plotWidth / 2)));
    this.cells = n === 0 ? 0 : cells;
    const rows = layers.map((l) => aggregateColumns(l[this.metric].data, n, cells));
    this.scale = logScaleOf(rows);
    const w = Math.max(1, this.cells);
    const h = Math.max(1, layers.length);
    const img = new ImageData(w, h);
    for (let r = 0; r < layers.length; r++) {
      const row = rows[r];
      for (let c = 0; c < row.length; c++) {
        const cell = cellOf(row[c], this.scale);
        const o = (r * w + c) * 4;
        let rgb: ArrayLike<number>;
        if (cell.kind === 'value') {
          const k = Math.round(cell.t * 255) * 3;
          img.data[o] = RAMP_LUT[k];
          img.data[o + 1] = RAMP_LUT[k + 1];
          img.data[o + 2] = RAMP_LUT[k + 2];
          img.data[o + 3] = 255;
          continue;
        } else if (cell.kind === 'zero') rgb = SPECIAL.zero;
        else if (cell.kind === 'nonfinite') rgb = SPECIAL.nonfinite;
        else continue; // missing: transparent
        img.data[o] = rgb[0];
        img.data[o + 1] = rgb[1];
        img.data[o + 2] = rgb[2];
        img.data[o + 3] = 255;
      }
    }
    const dpr = window.devicePixelRatio || 1;
    this.canvas.style.width = `${plotWidth}px`;
    this.canvas.style.height = `${h * ROW_H}px`;
    this.canvas.width = Math.round(plotWidth * dpr);
    this.canvas.height = Math.round(h * ROW_H * dpr);
    const ctx = this.canvas.getContext('2d')!;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.cells > 0) {
      const off = new OffscreenCanvas(w, h);
      off.getContext('2d')!.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(off, 0, 0, w, h, 0, 0, this.canvas.width, this.canvas.height);
    }
    // Step axis: first, middle, last.
    this.axis.replaceChildren();
    if (n > 0) {
      for (const [i, align] of [
        [0, 'left'],
        [Math.floor((n - 1) / 2), 'center'],
        [n - 1, 'right'],
      ] as const) {
        const t = el('span');
        t.textContent = `step ${series.statSteps.get(i)}`;
        t.style.textAlign = align;
        this.axis.append(t);
      }
    }
    this.drawLegend();
  }

  private drawLegend(): void {
    const ctx = this.legend.getContext('2d')!;
    const w = this.legend.width;
    for (let x = 0; x < w; x++) {
      const [r, g, b] = rampColor(x / (w - 1));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x, 0, 1, this.legend.height);
    }
    this.legendLabels.replaceChildren();
    if (!this.scale) return;
    const lo = el('span');
    lo.textContent = formatValue(10 ** this.scale.lo);
    const ticks = el('span');
    ticks.textContent = `log scale · ${decadeTicks(this.scale, 4).map(decadeLabel).join(' ')}`;
    const hi = el('span');
    hi.textContent = formatValue(10 ** this.scale.hi);
    this.legendLabels.append(lo, ticks, hi);
  }
}

const STRIP_W = 240;
const STRIP_H = 56;

/** Per-layer activation distributions over time (small multiples). */
export class ActivationGrid {
  readonly root: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly tip: HTMLElement;
  private readonly cards = new Map<string, { card: HTMLElement; canvas: HTMLCanvasElement; stats: HTMLElement; drawn: number; probes: number }>();
  private series: RunSeries | undefined;

  constructor(
    parent: HTMLElement,
    private readonly host: LayersViewHost,
  ) {
    this.root = el('section', 'activations');
    const h = el('h3');
    h.textContent = 'Activation distributions over time';
    const hint = el('p', 'hint');
    hint.textContent = 'Each strip: probe steps left to right, activation values bottom to top, shaded by how many of the probe batch’s activations fall there; the line is the mean. Click a layer to see its source.';
    this.grid = el('div', 'activation-grid');
    this.tip = el('div', 'tooltip');
    this.tip.hidden = true;
    this.root.append(h, hint, this.grid, this.tip);
    parent.append(this.root);
  }

  draw(series: RunSeries | undefined): void {
    if (series !== this.series) {
      this.series = series;
      this.cards.clear();
      this.grid.replaceChildren();
    }
    if (!series) return;
    const steps = series.probeSteps;
    for (const p of series.probes) {
      let c = this.cards.get(p.name);
      if (!c) {
        const card = el('div', 'activation-card');
        const name = el('button', 'layer-name');
        name.type = 'button';
        name.textContent = p.name;
        name.title = `${p.name} (${p.className}): reveal its source line`;
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
        c = { card, canvas, stats, drawn: -1, probes: -1 };
        this.cards.set(p.name, c);
        const entry = c;
        canvas.addEventListener('mousemove', (e) => this.hover(e, p.name, entry.canvas));
        canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
        canvas.addEventListener('click', () => this.host.reveal(p.name));
      }
      const count = p.points.length - p.points.filter((x) => x === null).length;
      if (c.probes === steps.length && c.drawn === count) continue;
      c.probes = steps.length;
      c.drawn = count;
      this.dirty.add(p.name);
    }
    this.drawSome();
  }

  private readonly dirty = new Set<string>();
  private continuing = false;

  /**
   * Redraws dirty strips for at most ~2 ms, then goes on in the next animation frame: a probe
   * of 50+ layers arrives at once, and drawing them all in one frame would stall the charts.
   */
  private drawSome(): void {
    const s = this.series;
    if (!s) return;
    const t0 = performance.now();
    const meanColor = getComputedStyle(document.body).getPropertyValue('--vscode-charts-foreground').trim() || '#ccc';
    for (const name of this.dirty) {
      if (performance.now() - t0 > 1.5) break;
      this.dirty.delete(name);
      const c = this.cards.get(name);
      const p = s.probes.find((x) => x.name === name);
      if (!c || !p) continue;
      drawStrip(c.canvas, p.points, meanColor);
      let last: (typeof p.points)[number] = null;
      for (let i = p.points.length - 1; i >= 0 && !last; i--) last = p.points[i];
      c.stats.textContent = last
        ? `mean ${formatValue(last.mean)} · std ${formatValue(last.std)} · zeros ${pct(last.fracZero)} · saturated ${pct(last.fracSaturated)}`
        : 'no probe yet';
      c.card.classList.toggle('warn', !!last && ((last.fracZero ?? 0) > 0.5 || (last.fracSaturated ?? 0) > 0.3));
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
    const lines = [`${layer} · probe at step ${s.probeSteps[i] ?? '?'}`];
    if (pt) {
      lines.push(`mean ${formatValue(pt.mean)} · std ${formatValue(pt.std)}`, `zeros ${pct(pt.fracZero)} · saturated ${pct(pt.fracSaturated)}`, `range ${formatValue(pt.histogram.min)} … ${formatValue(pt.histogram.max)}`);
    } else lines.push('no statistics at this probe');
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

/** One layer's strip: columns = probes, rows = value bins on the layer's overall range. */
export function drawStrip(canvas: HTMLCanvasElement, points: ReadonlyArray<{ mean: number | null; histogram: { min: number | null; max: number | null; counts: number[] } } | null>, meanColor = '#ccc'): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width;
  const H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const cols = points.length;
  if (cols === 0) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (!p || p.histogram.min === null || p.histogram.max === null) continue;
    lo = Math.min(lo, p.histogram.min);
    hi = Math.max(hi, p.histogram.max);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return;
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  const img = new ImageData(cols, H);
  const dens = new Float32Array(H);
  for (let c = 0; c < cols; c++) {
    const p = points[c];
    if (!p || p.histogram.min === null || p.histogram.max === null) continue;
    const { min, max, counts } = p.histogram;
    const total = counts.reduce((a, b) => a + b, 0) || 1;
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
      const o = (r * cols + c) * 4;
      img.data[o] = RAMP_LUT[k];
      img.data[o + 1] = RAMP_LUT[k + 1];
      img.data[o + 2] = RAMP_LUT[k + 2];
      img.data[o + 3] = Math.round(90 + 165 * t);
    }
  }
  const off = new OffscreenCanvas(cols, H);
  off.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, cols, H, 0, 0, W, H);
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

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}
