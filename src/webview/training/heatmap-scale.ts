/**
 * The layers × steps heatmap's numbers (pure: no DOM, unit-tested): the log-scale colour
 * mapping of gradient norms / update ratios, and the reduction of many statistics columns to
 * the cells that fit the canvas.
 *
 * Scale: log10 of the positive finite values, from the smallest to the largest seen (a flat
 * field is widened to one decade around its value). Values outside that range clamp to the
 * ends. Special cells are told apart from any colour of the ramp: zero (a frozen or dead
 * layer: no gradient at all), non-finite (NaN/Inf gradients, an overflowed norm) and missing.
 */

import { t } from './strings';

export interface LogScale {
  /** log10 of the smallest and largest positive finite value. */
  lo: number;
  hi: number;
}

export type Cell = { kind: 'value'; t: number } | { kind: 'zero' } | { kind: 'nonfinite' } | { kind: 'missing' };

/** The scale of the values (null when there is no positive finite value). */
export function logScaleOf(rows: ReadonlyArray<ArrayLike<number>>, lengths?: ReadonlyArray<number>): LogScale | null {
  // The extremes first, then their logarithms (log10 is monotonic): one log per end, not per value.
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const n = lengths?.[r] ?? row.length;
    for (let i = 0; i < n; i++) {
      const v = row[i];
      if (!(v > 0) || v === Infinity) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return logScaleOfRange(min, max);
}

/** The scale from the smallest and largest positive finite value (Infinity, -Infinity: none). */
export function logScaleOfRange(min: number, max: number): LogScale | null {
  if (min === Infinity) return null;
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  if (hi - lo < 1e-9) return { lo: lo - 0.5, hi: hi + 0.5 };
  return { lo, hi };
}

/** Where a value falls: t in [0, 1] on the log scale, or a special cell. */
export function cellOf(v: number, scale: LogScale | null): Cell {
  if (Number.isNaN(v)) return { kind: 'missing' };
  if (!Number.isFinite(v) || v >= Number.MAX_VALUE) return { kind: 'nonfinite' };
  if (v <= 0) return { kind: 'zero' };
  if (!scale) return { kind: 'value', t: 0.5 };
  const t = (Math.log10(v) - scale.lo) / (scale.hi - scale.lo);
  return { kind: 'value', t: Math.min(1, Math.max(0, t)) };
}

/** Viridis (matplotlib's perceptually uniform, colour-blind safe ramp), 9 stops. */
export const RAMP: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The ramp's colour at t ∈ [0, 1], as [r, g, b]. */
export function rampColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i];
  const b = RAMP[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** The ramp as a 256-entry RGB lookup table (drawing reads it, not `rampColor`). */
export const RAMP_LUT: Uint8ClampedArray = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(rampColor(i / 255), i * 3);
  return lut;
})();

/** Colours of the special cells (fixed, outside the ramp: readable on light and dark themes). */
export const SPECIAL = {
  zero: [128, 128, 128] as const,
  nonfinite: [255, 0, 96] as const,
};

/** Decade ticks for the legend: 10^k for every integer k in the scale (at most `max`, evenly picked). */
export function decadeTicks(scale: LogScale, max = 6): number[] {
  const first = Math.ceil(scale.lo - 1e-9);
  const last = Math.floor(scale.hi + 1e-9);
  const all: number[] = [];
  for (let k = first; k <= last; k++) all.push(k);
  if (all.length <= max) return all;
  const step = Math.ceil(all.length / max);
  return all.filter((_, i) => i % step === 0);
}

/**
 * Reduces `n` columns of a row to `cells` cells (n ≤ cells: unchanged). Each cell holds the
 * largest finite value of its columns (a spike stays visible), Infinity when one of them is
 * non-finite, NaN when none has a value.
 */
export function aggregateColumns(row: ArrayLike<number>, n: number, cells: number): Float64Array {
  if (n <= cells) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = row[i];
    return out;
  }
  const out = new Float64Array(cells).fill(NaN);
  for (let c = 0; c < cells; c++) {
    const from = Math.floor((c * n) / cells);
    const to = Math.floor(((c + 1) * n) / cells);
    let best = NaN;
    for (let i = from; i < to; i++) {
      const v = row[i];
      if (Number.isNaN(v)) continue;
      if (!Number.isFinite(v) || v >= Number.MAX_VALUE) {
        best = Infinity;
        break;
      }
      if (Number.isNaN(best) || v > best) best = v;
    }
    out[c] = best;
  }
  return out;
}

/** `1e-3`, `0.01`, `1`, `100`, `1e4`: a decade as a short label. */
export function decadeLabel(k: number): string {
  if (k >= -2 && k <= 3)
    return String(10 ** k)
      .replace(/^0\./, '.')
      .replace(/^\./, '0.');
  return `1e${k}`;
}

/** A value as the hover shows it: 3 significant digits, exponent form when tiny or huge. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v) || v >= Number.MAX_VALUE) return t('non-finite');
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

/** A column value as a cell sees it: NaN (no value), Infinity (non-finite or an overflowed norm) or the value. */
function cellValue(v: number): number {
  if (Number.isNaN(v)) return NaN;
  return !Number.isFinite(v) || v >= Number.MAX_VALUE ? Infinity : v;
}

/** Two cells as one: the larger value, NaN only when both are NaN, Infinity winning. */
function combine(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return a > b ? a : b;
}

/**
 * Reduces `n` columns of a row to cells of `group` consecutive columns (the last one may hold
 * fewer), by the rule of `aggregateColumns`: the largest finite value, Infinity when one of the
 * columns is non-finite, NaN when none has a value.
 */
export function aggregateGroups(row: ArrayLike<number>, n: number, group: number): Float64Array {
  const out = new Float64Array(Math.ceil(n / group));
  for (let c = 0, i = 0; c < out.length; c++) {
    let best = NaN;
    for (const end = Math.min(n, i + group); i < end; i++) best = combine(best, cellValue(row[i]));
    out[c] = best;
  }
  return out;
}

/**
 * The heatmap's cells, kept up to date as statistics columns arrive (the steps reduced to the
 * canvas width without redoing the whole run at every update): cell c of a row covers the
 * columns [c·group, (c+1)·group), `group` the smallest power of two that keeps the cells within
 * `maxCells`. A new column changes only the last cell (or starts one); when the cells would
 * exceed `maxCells`, `group` doubles and neighbouring cells merge, which is exact (the rule is a
 * maximum), so the cells always equal `aggregateGroups` of every row. Fewer columns (the run's
 * columns were thinned), other rows or another `maxCells` start over.
 */
export class HeatCells {
  /** Columns per cell (a power of two). */
  group = 1;
  /** Cells per row. */
  cells = 0;
  /** Per row, its cells (the first `cells` entries). */
  rows: Float64Array[] = [];
  private n = 0;
  private maxCells = 0;
  /** The smallest and largest positive finite value of the cells before `settled` (cells that no longer change). */
  private settled = 0;
  private settledMin = Infinity;
  private settledMax = -Infinity;

  /**
   * The smallest and largest positive finite cell (Infinity and -Infinity when there is none):
   * the colour scale (logScaleOfRange). Reads only the cells that changed since the last call.
   */
  extremes(): { min: number; max: number } {
    // Every cell but the last of each row is final until the next merge.
    const final = Math.max(0, this.cells - 1);
    if (final < this.settled) {
      this.settled = 0;
      this.settledMin = Infinity;
      this.settledMax = -Infinity;
    }
    let min = this.settledMin;
    let max = this.settledMax;
    for (const row of this.rows) {
      for (let c = this.settled; c < final; c++) {
        const v = row[c];
        if (!(v > 0) || v === Infinity) continue;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    this.settled = final;
    this.settledMin = min;
    this.settledMax = max;
    for (const row of this.rows) {
      for (let c = final; c < this.cells; c++) {
        const v = row[c];
        if (!(v > 0) || v === Infinity) continue;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    return { min, max };
  }

  /**
   * Takes the rows' first `n` columns; returns the first cell that changed (every cell from it
   * on is to be redrawn: 0 after a rebuild or a merge, `cells` when nothing changed).
   */
  update(columns: ReadonlyArray<ArrayLike<number>>, n: number, maxCells: number): number {
    const max = Math.max(1, Math.floor(maxCells));
    if (max !== this.maxCells || columns.length !== this.rows.length || n < this.n) {
      this.maxCells = max;
      this.group = 1;
      while (Math.ceil(n / this.group) > max) this.group *= 2;
      this.cells = Math.ceil(n / this.group);
      this.rows = columns.map((c) => {
        const row = new Float64Array(max).fill(NaN);
        row.set(aggregateGroups(c, n, this.group));
        return row;
      });
      this.n = n;
      this.settled = 0;
      this.settledMin = Infinity;
      this.settledMax = -Infinity;
      return 0;
    }
    if (n === this.n) return this.cells;
    let changed = Math.floor(this.n / this.group);
    while (Math.ceil(n / this.group) > max) {
      // Neighbouring cells merge: cell c becomes the cells 2c and 2c+1.
      for (const row of this.rows) {
        for (let c = 0; c < this.cells; c += 2) row[c >> 1] = c + 1 < this.cells ? combine(row[c], row[c + 1]) : row[c];
        row.fill(NaN, Math.ceil(this.cells / 2));
      }
      this.cells = Math.ceil(this.cells / 2);
      this.group *= 2;
      changed = 0;
      this.settled = 0;
      this.settledMin = Infinity;
      this.settledMax = -Infinity;
    }
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      const col = columns[r];
      for (let i = this.n; i < n; i++) {
        const c = Math.floor(i / this.group);
        row[c] = combine(row[c], cellValue(col[i]));
      }
    }
    this.cells = Math.ceil(n / this.group);
    this.n = n;
    return Math.min(changed, this.cells);
  }
}
