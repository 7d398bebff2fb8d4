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
 *
 * A live run's chart of the whole run uses `StreamDecimator`: the same rule over columns that
 * stay put as the run grows, so an update costs its new points, not the run's length.
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
export function decimateMinMax(
  x: ArrayLike<number>,
  ys: ReadonlyArray<ArrayLike<number>>,
  opts: DecimateOptions,
  length = x.length,
): Decimated {
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
export function decimateIndexed(
  x: ArrayLike<number>,
  ys: ReadonlyArray<ArrayLike<number>>,
  opts: DecimateOptions,
  length: number,
  index: BlockIndex,
): Decimated {
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

/** The sparse series merged onto a stream's rows (one point per epoch: validation loss, metrics). */
export interface SparseSeries {
  x: ArrayLike<number>;
  ys: ReadonlyArray<ArrayLike<number>>;
  length: number;
}

/**
 * Incremental min/max decimation of series that only grow (the live run's step columns), for
 * the chart showing the whole run: an update reads only the points added since the last one.
 *
 * Columns that do not move as the run grows: the x range from the first point is cut into bins
 * of a power-of-two width `w` aligned at that point (bin k: x0 + k·w ≤ x < x0 + (k+1)·w), `w`
 * the smallest that keeps the bins under `2 × buckets`, so a bin is never wider than a pixel
 * column of a chart `buckets` pixels wide. When the run outgrows `w`, it doubles and
 * neighbouring bins merge: a merged bin's first and last point, minimum, maximum and first gap
 * are read from its two halves, so the rows are always exactly those of a one-pass
 * decimation of everything so far with that `w`. Each bin keeps, as `decimateMinMax` does,
 * its first and last point and per series the points holding its minimum and its maximum (the
 * envelope and every spike survive) and its first gap (a null); while there are at most
 * 4 × buckets points, every point is kept.
 *
 * Only the last bin changes as points arrive: the rows of the bins before it stay, the last
 * bin's rows are redone and new bins appended. `sparse` series are merged onto the same rows as
 * `mergeAligned` does (their columns follow the dense ones in `out.ys`).
 *
 * The series must only grow: a shorter length, other series counts, a different first point or
 * another chart width start over.
 */
export class StreamDecimator {
  /** The rows: updated in place by `update` (the same arrays every time). */
  readonly out: Decimated = { x: [], ys: [] };
  private buckets = 0;
  private dense = -1;
  private sparseCount = -1;
  /** Dense and sparse points consumed. */
  private n = 0;
  private sn = 0;
  private x0 = NaN;
  private lastX = NaN;
  /** Bin width (0: every point is kept). */
  private w = 0;
  /** Bins, the last one open: id, first and last index; per bin and series the min, max and first-gap index (-1: none). */
  private nb = 0;
  private ids = new Float64Array(0);
  private firsts = new Int32Array(0);
  private lasts = new Int32Array(0);
  private mins = new Int32Array(0);
  private maxs = new Int32Array(0);
  private gaps = new Int32Array(0);
  private readonly picked: number[] = [];
  /** Bins merged during this update. */
  private merged = false;

  /** Bins at most (a bin is at most one pixel column wide). */
  get maxBins(): number {
    return 2 * this.buckets;
  }

  /** The current bin width (0 while every point is kept). */
  get binWidth(): number {
    return this.w;
  }

  /** Brings `out` up to date with the series (`length` points used) and returns it. */
  update(x: ArrayLike<number>, ys: ReadonlyArray<ArrayLike<number>>, length: number, buckets: number, sparse?: SparseSeries): Decimated {
    const n = Math.min(length, x.length);
    const sn = sparse ? Math.min(sparse.length, sparse.x.length) : 0;
    const b = Math.max(1, Math.floor(buckets));
    const sparseCount = sparse ? sparse.ys.length : 0;
    if (
      b !== this.buckets ||
      ys.length !== this.dense ||
      sparseCount !== this.sparseCount ||
      n < this.n ||
      sn < this.sn ||
      (this.n > 0 && (x[0] !== this.x0 || x[this.n - 1] !== this.lastX))
    ) {
      this.buckets = b;
      this.dense = ys.length;
      this.sparseCount = sparseCount;
      this.rebuild(x, ys, n, sparse, sn);
      return this.out;
    }
    if (n === this.n && sn === this.sn) return this.out;
    if (this.w === 0 && n > 4 * b) {
      this.rebuild(x, ys, n, sparse, sn);
      return this.out;
    }
    // Rows from tailX on may change: the open bin's (or the new points', when every point is kept).
    const tailX = this.w === 0 ? (n > this.n ? x[this.n] : Infinity) : this.x0 + this.ids[this.nb - 1] * this.w;
    const firstBin = this.nb - 1;
    // Epoch points that arrived after the rows around them were final: put them in place.
    if (sparse) for (let j = this.sn; j < sn && sparse.x[j] < tailX; j++) this.insertSparse(sparse, j);
    const from = this.n;
    this.n = n;
    this.sn = sn;
    this.lastX = n > 0 ? x[n - 1] : NaN;
    if (this.w === 0) {
      this.truncate(lowerBound(this.out.x, tailX));
      this.emitPoints(x, ys, from, n, sparse, sparse ? lowerBound(sparse.x, tailX, sn) : 0, sn);
      return this.out;
    }
    this.merged = false;
    for (let i = from; i < n; i++) this.add(x, ys, i);
    this.fit(ys);
    if (this.merged) {
      // The bins merged: every row moves.
      this.truncate(0);
      this.emitBins(x, ys, 0, sparse, 0, sn);
    } else {
      this.truncate(lowerBound(this.out.x, tailX));
      this.emitBins(x, ys, firstBin, sparse, sparse ? lowerBound(sparse.x, tailX, sn) : 0, sn);
    }
    return this.out;
  }

  private rebuild(
    x: ArrayLike<number>,
    ys: ReadonlyArray<ArrayLike<number>>,
    n: number,
    sparse: SparseSeries | undefined,
    sn: number,
  ): void {
    const S = ys.length;
    const cols = S + (sparse ? sparse.ys.length : 0);
    if (this.out.ys.length !== cols) {
      this.out.ys.length = 0;
      for (let s = 0; s < cols; s++) this.out.ys.push([]);
    }
    this.truncate(0);
    this.n = n;
    this.sn = sn;
    this.nb = 0;
    this.x0 = n > 0 ? x[0] : NaN;
    this.lastX = n > 0 ? x[n - 1] : NaN;
    const cap = 2 * this.buckets + 2;
    if (this.ids.length !== cap || this.mins.length !== cap * S) {
      this.ids = new Float64Array(cap);
      this.firsts = new Int32Array(cap);
      this.lasts = new Int32Array(cap);
      this.mins = new Int32Array(cap * S);
      this.maxs = new Int32Array(cap * S);
      this.gaps = new Int32Array(cap * S);
    }
    if (n <= 4 * this.buckets) {
      this.w = 0;
      this.emitPoints(x, ys, 0, n, sparse, 0, sn);
      return;
    }
    // The smallest power of two that keeps the bins under maxBins.
    const range = x[n - 1] - this.x0;
    let w = range > 0 ? 2 ** Math.ceil(Math.log2(range / this.maxBins)) : 1;
    while (w / 2 > 0 && Math.floor(range / (w / 2)) < this.maxBins) w /= 2;
    while (Math.floor(range / w) >= this.maxBins) w *= 2;
    this.w = w;
    for (let i = 0; i < n; i++) this.add(x, ys, i);
    this.emitBins(x, ys, 0, sparse, 0, sn);
  }

  /** Puts point i into its bin (a new bin when it starts one). */
  private add(x: ArrayLike<number>, ys: ReadonlyArray<ArrayLike<number>>, i: number): void {
    const S = ys.length;
    let id = Math.floor((x[i] - this.x0) / this.w);
    let k = this.nb - 1;
    while (this.nb === this.ids.length && this.ids[k] !== id) {
      // No room for another bin: coarser bins (the caller redoes every row).
      this.mergePairs(ys);
      id = Math.floor((x[i] - this.x0) / this.w);
      k = this.nb - 1;
    }
    if (k < 0 || this.ids[k] !== id) {
      k = this.nb++;
      this.ids[k] = id;
      this.firsts[k] = i;
      for (let s = 0; s < S; s++) {
        this.mins[k * S + s] = -1;
        this.maxs[k * S + s] = -1;
        this.gaps[k * S + s] = -1;
      }
    }
    this.lasts[k] = i;
    for (let s = 0; s < S; s++) {
      const y = ys[s];
      const v = y[i];
      const o = k * S + s;
      if (!Number.isFinite(v)) {
        if (this.gaps[o] < 0) this.gaps[o] = i;
        continue;
      }
      if (this.mins[o] < 0 || v < y[this.mins[o]]) this.mins[o] = i;
      if (this.maxs[o] < 0 || v > y[this.maxs[o]]) this.maxs[o] = i;
    }
  }

  /** Doubles the bin width while the bins exceed maxBins. */
  private fit(ys: ReadonlyArray<ArrayLike<number>>): void {
    while (this.nb > 0 && this.ids[this.nb - 1] >= this.maxBins) this.mergePairs(ys);
  }

  /** w → 2w: bins 2k and 2k+1 become bin k. */
  private mergePairs(ys: ReadonlyArray<ArrayLike<number>>): void {
    const S = ys.length;
    let j = -1;
    for (let k = 0; k < this.nb; k++) {
      const id = Math.floor(this.ids[k] / 2);
      if (j >= 0 && this.ids[j] === id) {
        this.lasts[j] = this.lasts[k];
        for (let s = 0; s < S; s++) {
          const y = ys[s];
          const a = j * S + s;
          const b = k * S + s;
          if (this.mins[b] >= 0 && (this.mins[a] < 0 || y[this.mins[b]] < y[this.mins[a]])) this.mins[a] = this.mins[b];
          if (this.maxs[b] >= 0 && (this.maxs[a] < 0 || y[this.maxs[b]] > y[this.maxs[a]])) this.maxs[a] = this.maxs[b];
          if (this.gaps[a] < 0) this.gaps[a] = this.gaps[b];
        }
        continue;
      }
      j++;
      this.ids[j] = id;
      this.firsts[j] = this.firsts[k];
      this.lasts[j] = this.lasts[k];
      for (let s = 0; s < S; s++) {
        this.mins[j * S + s] = this.mins[k * S + s];
        this.maxs[j * S + s] = this.maxs[k * S + s];
        this.gaps[j * S + s] = this.gaps[k * S + s];
      }
    }
    this.nb = j + 1;
    this.w *= 2;
    this.merged = true;
  }

  private truncate(rows: number): void {
    this.out.x.length = rows;
    for (const c of this.out.ys) c.length = rows;
  }

  /** Appends the rows of bins from..nb-1, merged with sparse points j0..sn-1. */
  private emitBins(
    x: ArrayLike<number>,
    ys: ReadonlyArray<ArrayLike<number>>,
    from: number,
    sparse: SparseSeries | undefined,
    j0: number,
    sn: number,
  ): void {
    const S = ys.length;
    const picked = this.picked;
    let j = j0;
    for (let k = Math.max(0, from); k < this.nb; k++) {
      picked.length = 0;
      picked.push(this.firsts[k], this.lasts[k]);
      for (let s = 0; s < S; s++) {
        const o = k * S + s;
        if (this.mins[o] >= 0) picked.push(this.mins[o], this.maxs[o]);
        if (this.gaps[o] >= 0) picked.push(this.gaps[o]);
      }
      // Insertion sort: a handful of indices.
      for (let a = 1; a < picked.length; a++) {
        const v = picked[a];
        let c = a - 1;
        while (c >= 0 && picked[c] > v) {
          picked[c + 1] = picked[c];
          c--;
        }
        picked[c + 1] = v;
      }
      let prev = -1;
      for (const i of picked) {
        if (i === prev) continue;
        prev = i;
        j = this.emitRow(x, ys, i, sparse, j, sn);
      }
    }
    for (; j < sn; j++) this.pushSparseRow(ys.length, sparse!, j);
  }

  /** Appends the rows of points from..to-1 (every point kept), merged with sparse points j0..sn-1. */
  private emitPoints(
    x: ArrayLike<number>,
    ys: ReadonlyArray<ArrayLike<number>>,
    from: number,
    to: number,
    sparse: SparseSeries | undefined,
    j0: number,
    sn: number,
  ): void {
    let j = j0;
    for (let i = from; i < to; i++) j = this.emitRow(x, ys, i, sparse, j, sn);
    for (; j < sn; j++) this.pushSparseRow(ys.length, sparse!, j);
  }

  /** Appends the sparse rows before x[i], then the row of point i (with the sparse point at the same x); the next sparse index. */
  private emitRow(
    x: ArrayLike<number>,
    ys: ReadonlyArray<ArrayLike<number>>,
    i: number,
    sparse: SparseSeries | undefined,
    j: number,
    sn: number,
  ): number {
    const xv = x[i];
    const S = ys.length;
    if (sparse) while (j < sn && sparse.x[j] < xv) this.pushSparseRow(S, sparse, j++);
    const same = sparse !== undefined && j < sn && sparse.x[j] === xv;
    const out = this.out;
    out.x.push(xv);
    for (let s = 0; s < S; s++) out.ys[s].push(val(ys[s][i]));
    if (sparse) for (let k = 0; k < sparse.ys.length; k++) out.ys[S + k].push(same ? val(sparse.ys[k][j]) : null);
    return same ? j + 1 : j;
  }

  private pushSparseRow(S: number, sparse: SparseSeries, j: number): void {
    const out = this.out;
    out.x.push(sparse.x[j]);
    for (let s = 0; s < S; s++) out.ys[s].push(null);
    for (let k = 0; k < sparse.ys.length; k++) out.ys[S + k].push(val(sparse.ys[k][j]));
  }

  /** A sparse point among rows that are already final: its own row, or the row at its x. */
  private insertSparse(sparse: SparseSeries, j: number): void {
    const out = this.out;
    const S = this.dense;
    const xv = sparse.x[j];
    const at = lowerBound(out.x, xv);
    if (at < out.x.length && out.x[at] === xv && sparse.ys.every((_, k) => out.ys[S + k][at] === null)) {
      for (let k = 0; k < sparse.ys.length; k++) out.ys[S + k][at] = val(sparse.ys[k][j]);
      return;
    }
    out.x.splice(at, 0, xv);
    for (let s = 0; s < S; s++) out.ys[s].splice(at, 0, null);
    for (let k = 0; k < sparse.ys.length; k++) out.ys[S + k].splice(at, 0, val(sparse.ys[k][j]));
  }
}
