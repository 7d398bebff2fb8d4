/**
 * Chart data decimation for the training panel (pure: no DOM, unit-tested).
 *
 * A chart is at most ~1,000 pixel columns wide; drawing 100,000 points into it costs time
 * and shows nothing more. `decimateMinMax` cuts the visible x range into `buckets` equal
 * columns and keeps, per column and per series, the first and last point and the points
 * holding the minimum and the maximum (the M4 idea): the drawn line has the same envelope,
 * spikes (a loss that jumps) are never averaged away, and the output has at most
 * 4 × buckets × series points whatever the input length. Series share the x array, so the
 * kept indices of every series are merged (sorted, unique) per column.
 *
 * Gaps: a non-finite value (NaN: the loss diverged, or no value at that step) is kept as
 * `null` in the output where it is the first point of its column, so the line shows a break
 * and nothing is invented.
 */

export interface DecimateOptions {
  /** How many columns (≈ the chart's width in CSS pixels). */
  buckets: number;
  /** The visible x range (inclusive); default: everything. */
  from?: number;
  to?: number;
  /** Below this many points in the range, everything is returned as it is. */
  keepBelow?: number;
}

export interface Decimated {
  x: number[];
  /** One array per input series, `null` for a gap. */
  ys: Array<Array<number | null>>;
}

/** First index i with x[i] ≥ v (x sorted ascending). */
export function lowerBound(x: ArrayLike<number>, v: number, n = x.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i with x[i] > v. */
export function upperBound(x: ArrayLike<number>, v: number, n = x.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const val = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Decimates series sharing one ascending x array. `length` (default: x.length) lets a caller
 * pass a growable typed array and its used length.
 */
export function decimateMinMax(x: ArrayLike<number>, ys: ReadonlyArray<ArrayLike<number>>, opts: DecimateOptions, length = x.length): Decimated {
  const n = Math.min(length, x.length);
  const i0 = opts.from === undefined ? 0 : lowerBound(x, opts.from, n);
  const i1 = opts.to === undefined ? n : upperBound(x, opts.to, n);
  const count = Math.max(0, i1 - i0);
  const buckets = Math.max(1, Math.floor(opts.buckets));
  const keepBelow = opts.keepBelow ?? buckets * 4;
  const out: Decimated = { x: [], ys: ys.map(() => []) };
  if (count === 0) return out;
  if (count <= keepBelow) {
    for (let i = i0; i < i1; i++) {
      out.x.push(x[i]);
      for (let s = 0; s < ys.length; s++) out.ys[s].push(val(ys[s][i]));
    }
    return out;
  }
  const lo = x[i0];
  const hi = x[i1 - 1];
  const width = (hi - lo) / buckets || 1;
  const picked: number[] = [];
  let start = i0;
  while (start < i1) {
    // The column of x[start], and the first index past it.
    const b = Math.min(buckets - 1, Math.floor((x[start] - lo) / width));
    const edge = b === buckets - 1 ? Infinity : lo + (b + 1) * width;
    let end = start + 1;
    while (end < i1 && x[end] < edge) end++;
    picked.length = 0;
    picked.push(start, end - 1);
    for (let s = 0; s < ys.length; s++) {
      const y = ys[s];
      let minI = -1;
      let maxI = -1;
      let gap = -1;
      for (let i = start; i < end; i++) {
        const v = y[i];
        if (!Number.isFinite(v)) {
          if (gap < 0) gap = i;
          continue;
        }
        if (minI < 0 || v < y[minI]) minI = i;
        if (maxI < 0 || v > y[maxI]) maxI = i;
      }
      if (minI >= 0) picked.push(minI, maxI);
      if (gap >= 0) picked.push(gap);
    }
    picked.sort((a, b2) => a - b2);
    let prev = -1;
    for (const i of picked) {
      if (i === prev) continue;
      prev = i;
      out.x.push(x[i]);
      for (let s = 0; s < ys.length; s++) out.ys[s].push(val(ys[s][i]));
    }
    start = end;
  }
  return out;
}

/**
 * Thins a list in place to at most `max` items by merging neighbours pairwise with `merge`
 * (used for the heatmap's columns and the activation snapshots once a run is long): the
 * result keeps every other boundary, so repeated thinning stays evenly spaced.
 */
export function halve<T>(items: T[], merge: (a: T, b: T) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < items.length; i += 2) out.push(i + 1 < items.length ? merge(items[i], items[i + 1]) : items[i]);
  return out;
}

/**
 * Puts two decimated sets on one x axis (uPlot wants aligned columns): the sorted union of
 * their x values; each series holds null where its set has no point. Used for the sparse
 * validation points (one per epoch) next to the per-step training series.
 */
export function mergeAligned(a: Decimated, b: Decimated): Decimated {
  const x: number[] = [];
  const ys: Array<Array<number | null>> = [...a.ys.map(() => [] as Array<number | null>), ...b.ys.map(() => [] as Array<number | null>)];
  let i = 0;
  let j = 0;
  while (i < a.x.length || j < b.x.length) {
    const xa = i < a.x.length ? a.x[i] : Infinity;
    const xb = j < b.x.length ? b.x[j] : Infinity;
    const v = Math.min(xa, xb);
    x.push(v);
    a.ys.forEach((s, k) => ys[k].push(xa === v ? s[i] : null));
    b.ys.forEach((s, k) => ys[a.ys.length + k].push(xb === v ? s[j] : null));
    if (xa === v) i++;
    if (xb === v) j++;
  }
  return { x, ys };
}

/**
 * A per-block summary of series that only grow (the live run's step columns): for each
 * complete block of `block` points and each series, the index of its minimum, of its maximum
 * and of its first gap. Built incrementally (`update` looks only at the new blocks), so the
 * decimation of a 100,000-point series reads ~1,600 block entries instead of every point.
 */
export class BlockIndex {
  private built = 0;
  private mins: Int32Array[] = [];
  private maxs: Int32Array[] = [];
  private gaps: Int32Array[] = [];
  private length = 0;

  constructor(readonly block = 64) {}

  /** Complete blocks summarised. */
  get blocks(): number {
    return this.built;
  }

  update(ys: ReadonlyArray<ArrayLike<number>>, length: number): void {
    if (length < this.length || ys.length !== this.mins.length) {
      // The columns were thinned or the series changed: start over.
      this.built = 0;
      this.mins = ys.map(() => new Int32Array(64));
      this.maxs = ys.map(() => new Int32Array(64));
      this.gaps = ys.map(() => new Int32Array(64));
    }
    this.length = length;
    const complete = Math.floor(length / this.block);
    if (complete <= this.built) return;
    if (complete > this.mins[0]?.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(Math.max(complete, a.length * 2));
        b.set(a);
        return b;
      };
      this.mins = this.mins.map(grow);
      this.maxs = this.maxs.map(grow);
      this.gaps = this.gaps.map(grow);
    }
    for (let k = this.built; k < complete; k++) {
      const from = k * this.block;
      const to = from + this.block;
      for (let s = 0; s < ys.length; s++) {
        const y = ys[s];
        let minI = -1;
        let maxI = -1;
        let gap = -1;
        for (let i = from; i < to; i++) {
          const v = y[i];
          if (!Number.isFinite(v)) {
            if (gap < 0) gap = i;
            continue;
          }
          if (minI < 0 || v < y[minI]) minI = i;
          if (maxI < 0 || v > y[maxI]) maxI = i;
        }
        this.mins[s][k] = minI;
        this.maxs[s][k] = maxI;
        this.gaps[s][k] = gap;
      }
    }
    this.built = complete;
  }

  /** The summary of block k for series s: [min index, max index, first gap index] (-1: none). */
  summary(k: number, s: number): [number, number, number] {
    return [this.mins[s][k], this.maxs[s][k], this.gaps[s][k]];
  }
}

/**
 * `decimateMinMax` through a BlockIndex: whole blocks contribute their summarised indices,
 * the partial blocks at the range's ends and after the last complete block are read point by
 * point. Each block is put in the column of its first point, so a column's envelope is exact
 * to within one block. Falls back to `decimateMinMax` when the range is short.
 */
export function decimateIndexed(x: ArrayLike<number>, ys: ReadonlyArray<ArrayLike<number>>, opts: DecimateOptions, length: number, index: BlockIndex): Decimated {
  const n = Math.min(length, x.length);
  index.update(ys, n);
  const i0 = opts.from === undefined ? 0 : lowerBound(x, opts.from, n);
  const i1 = opts.to === undefined ? n : upperBound(x, opts.to, n);
  const buckets = Math.max(1, Math.floor(opts.buckets));
  const B = index.block;
  if (i1 - i0 < buckets * B * 2) return decimateMinMax(x, ys, opts, length);
  const out: Decimated = { x: [], ys: ys.map(() => []) };
  const lo = x[i0];
  const hi = x[i1 - 1];
  const width = (hi - lo) / buckets || 1;
  const bucketOf = (i: number) => Math.min(buckets - 1, Math.floor((x[i] - lo) / width));
  // Per column: its first and last index, and per series the indices of its min, max and first gap.
  let current = -1;
  let first = -1;
  let last = -1;
  const mins = new Int32Array(ys.length).fill(-1);
  const maxs = new Int32Array(ys.length).fill(-1);
  const gaps = new Int32Array(ys.length).fill(-1);
  const picked: number[] = [];
  const flush = () => {
    if (current < 0) return;
    picked.length = 0;
    picked.push(first, last);
    for (let s = 0; s < ys.length; s++) picked.push(mins[s], maxs[s], gaps[s]);
    picked.sort((a, b) => a - b);
    let prev = -1;
    for (const i of picked) {
      if (i < 0 || i === prev) continue;
      prev = i;
      out.x.push(x[i]);
      for (let s = 0; s < ys.length; s++) out.ys[s].push(val(ys[s][i]));
    }
    mins.fill(-1);
    maxs.fill(-1);
    gaps.fill(-1);
    first = -1;
  };
  const enter = (b: number, i: number) => {
    if (b !== current) {
      flush();
      current = b;
      first = i;
    }
  };
  const consider = (s: number, minI: number, maxI: number, gap: number) => {
    const y = ys[s];
    if (minI >= 0 && (mins[s] < 0 || y[minI] < y[mins[s]])) mins[s] = minI;
    if (maxI >= 0 && (maxs[s] < 0 || y[maxI] > y[maxs[s]])) maxs[s] = maxI;
    if (gap >= 0 && gaps[s] < 0) gaps[s] = gap;
  };
  const addRaw = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      enter(bucketOf(i), i);
      last = i;
      for (let s = 0; s < ys.length; s++) {
        const v = ys[s][i];
        if (Number.isFinite(v)) consider(s, i, i, -1);
        else consider(s, -1, -1, i);
      }
    }
  };
  const firstBlock = Math.ceil(i0 / B);
  const lastBlock = Math.min(index.blocks, Math.floor(i1 / B));
  addRaw(i0, Math.min(i1, firstBlock * B));
  for (let k = firstBlock; k < lastBlock; k++) {
    enter(bucketOf(k * B), k * B);
    last = k * B + B - 1;
    for (let s = 0; s < ys.length; s++) {
      const [minI, maxI, gap] = index.summary(k, s);
      consider(s, minI, maxI, gap);
    }
  }
  addRaw(Math.max(i0, lastBlock * B), i1);
  flush();
  return out;
}
