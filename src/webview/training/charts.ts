/// <reference lib="dom" />
/**
 * Line charts of the training panel, drawn with uPlot (chosen by measurement:
 * bench/charts.bench.mjs — on 3 × 100,000 points it renders ~14× faster than ECharts and
 * streams updates ~60× faster). Every redraw hands uPlot only what fits the chart's width:
 * the dense per-step series are min/max-decimated (decimate.ts) — the whole run of a live
 * series incrementally, in bins at most a pixel column wide with ≤ 4 points each, so an
 * update reads only its new points and the rows are kept in place; a zoomed range through the
 * block index — and the sparse per-epoch validation points are merged onto the same x axis.
 * Drag across a chart to zoom into steps (the zoomed range is decimated again from the full
 * data, so detail appears); double-click to zoom out.
 * Hovering shows the values under the cursor in the legend. Colours are VS Code theme
 * variables (--vscode-charts-*), read again when the theme changes.
 */
import { t } from './strings';
import uPlot from 'uplot';
import { decimateIndexed, decimateMinMax, mergeAligned, StreamDecimator, type BlockIndex, type Decimated } from './decimate';

export interface SeriesDef {
  label: string;
  /** A VS Code theme variable, e.g. `--vscode-charts-blue`. */
  color: string;
  dash?: number[];
  /** Draw points (the sparse validation series). */
  points?: boolean;
}

export interface ChartData {
  /**
   * Per-step series sharing one x column (typed columns and their used length). `index`: the
   * columns only grow (a live run) — the whole-run view is then decimated incrementally
   * (decimate.ts StreamDecimator, kept while the same index is passed) and a zoomed view
   * through the block index.
   */
  dense?: { x: ArrayLike<number>; ys: ReadonlyArray<ArrayLike<number>>; length: number; index?: BlockIndex };
  /** A few points (one per epoch), already small. */
  sparse?: { x: ArrayLike<number>; ys: ReadonlyArray<ArrayLike<number>>; length: number };
}

export interface LineChartOptions {
  title: string;
  height?: number;
  logY?: boolean;
  xLabel?: string;
  /** Formats y values in the legend. */
  format?: (v: number) => string;
}

export function themeColor(name: string, fallback = '#888'): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

const FALLBACK: Record<string, string> = {
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-foreground': '#cccccc',
  '--vscode-charts-lines': 'rgba(128,128,128,0.35)',
};

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

export class LineChart {
  readonly root: HTMLElement;
  private plot: uPlot | undefined;
  private series: SeriesDef[] = [];
  private data: ChartData = {};
  private zoom: { min: number; max: number } | null = null;
  /** Points handed to uPlot in the last redraw (for tests: "the chart has points"). */
  pointCount = 0;
  private readonly body: HTMLElement;
  private readonly resize: ResizeObserver;
  /** The whole-run rows of growing columns, updated with only the new points. */
  private stream = new StreamDecimator();
  private streamOf: BlockIndex | undefined;
  /** A column of nulls for series without data (reused). */
  private readonly nulls: null[] = [];

  constructor(
    parent: HTMLElement,
    private readonly opts: LineChartOptions,
  ) {
    this.root = document.createElement('section');
    this.root.className = 'chart';
    this.heading = document.createElement('h3');
    this.heading.textContent = opts.title;
    this.body = document.createElement('div');
    this.body.className = 'chart-body';
    this.root.append(this.heading, this.body);
    parent.append(this.root);
    this.resize = new ResizeObserver(() => {
      const w = Math.floor(this.body.clientWidth);
      if (w === this.width || w === 0) return;
      this.width = w;
      if (this.plot) {
        this.plot.setSize(this.size());
        this.redraw(false);
      }
    });
    this.resize.observe(this.body);
    this.body.addEventListener('dblclick', () => {
      if (!this.zoom) return;
      this.zoom = null;
      this.redraw(true);
    });
  }

  private readonly heading: HTMLElement;

  /** The chart's title (the page's language changed). */
  setTitle(title: string): void {
    this.heading.textContent = title;
  }

  private width = 0;
  private size(): { width: number; height: number } {
    if (!this.width) this.width = Math.floor(this.body.clientWidth);
    return { width: Math.max(200, this.width || 600), height: this.opts.height ?? 220 };
  }

  /** Sets the series (recreating the chart when they changed) and the data, then redraws. */
  set(series: SeriesDef[], data: ChartData): void {
    const key = (s: SeriesDef[]) => s.map((d) => `${d.label}|${d.color}|${d.points ? 1 : 0}`).join(';');
    if (!this.plot || key(series) !== key(this.series)) {
      this.series = series;
      this.data = data;
      this.create();
      return;
    }
    this.data = data;
    this.redraw(false);
  }

  /** Recreates the chart (a theme change). */
  restyle(): void {
    if (this.plot) this.create();
  }

  private aligned(): Decimated {
    const width = this.size().width;
    const { dense, sparse } = this.data;
    if (dense?.index && !this.zoom) {
      if (dense.index !== this.streamOf) {
        this.stream = new StreamDecimator();
        this.streamOf = dense.index;
      }
      return this.stream.update(dense.x, dense.ys, dense.length, width, sparse);
    }
    const range = this.zoom ? { from: this.zoom.min, to: this.zoom.max } : {};
    const d = dense
      ? dense.index
        ? decimateIndexed(dense.x, dense.ys, { buckets: width, ...range }, dense.length, dense.index)
        : decimateMinMax(dense.x, dense.ys, { buckets: width, ...range }, dense.length)
      : { x: [], ys: [] };
    if (!sparse || sparse.length === 0) return d;
    const s = decimateMinMax(sparse.x, sparse.ys, { buckets: width, ...range, keepBelow: 100_000 }, sparse.length);
    if (!dense) return s;
    return mergeAligned(d, s);
  }

  private uData(d: Decimated): uPlot.AlignedData {
    const cols: unknown[] = [d.x];
    for (let s = 0; s < this.series.length; s++) {
      // Series declared but without data (no validation yet): empty columns.
      if (s < d.ys.length) cols.push(d.ys[s]);
      else {
        if (this.nulls.length > d.x.length) this.nulls.length = d.x.length;
        while (this.nulls.length < d.x.length) this.nulls.push(null);
        cols.push(this.nulls);
      }
    }
    return cols as uPlot.AlignedData;
  }

  private redraw(resetScales: boolean): void {
    if (!this.plot) return;
    const d = this.aligned();
    this.pointCount = d.x.length;
    this.root.dataset.points = String(d.x.length);
    this.plot.setData(this.uData(d), resetScales || !this.zoom);
    if (this.zoom) this.plot.setScale('x', { min: this.zoom.min, max: this.zoom.max });
  }

  private create(): void {
    this.plot?.destroy();
    const axis = themeColor('--vscode-charts-foreground', FALLBACK['--vscode-charts-foreground']);
    const grid = themeColor('--vscode-charts-lines', FALLBACK['--vscode-charts-lines']);
    const font = `11px ${themeColor('--vscode-font-family', 'sans-serif')}`;
    const d = this.aligned();
    this.pointCount = d.x.length;
    this.root.dataset.points = String(d.x.length);
    const yFmt = this.opts.format ?? fmt;
    const opts: uPlot.Options = {
      ...this.size(),
      scales: { x: { time: false }, y: this.opts.logY ? { distr: 3 } : {} },
      legend: { live: true },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          font,
          label: this.opts.xLabel,
          labelFont: font,
          labelSize: this.opts.xLabel ? 14 : 0,
        },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          font,
          size: 56,
          values: (_u, vals) => vals.map((v) => yFmt(v)),
        },
      ],
      series: [
        { label: this.opts.xLabel ?? t('step'), value: (_u, v) => (v === null || v === undefined ? '—' : String(Math.round(v))) },
        ...this.series.map((s) => ({
          label: s.label,
          stroke: themeColor(s.color, FALLBACK[s.color] ?? '#888'),
          width: 1.5,
          dash: s.dash,
          spanGaps: s.points === true,
          points: s.points ? { show: true, size: 5 } : { show: false },
          value: (_u: uPlot, v: number | null) => yFmt(v as number),
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const min = u.posToVal(u.select.left, 'x');
            const max = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (!(max > min)) return;
            this.zoom = { min, max };
            this.redraw(true);
          },
        ],
      },
    };
    this.plot = new uPlot(opts, this.uData(d), this.body);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
    this.root.remove();
  }
}
