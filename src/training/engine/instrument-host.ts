/**
 * The instrumentation's summaries computed in JavaScript over values read back from the
 * backend (instrument.ts uses them on the cpu and wasm backends). They report what the tf-op
 * versions in instrument.ts report, float32 semantics included: sums that overflow float32 are
 * Infinity, histogram bins are computed with float32 arithmetic (a value on a bin edge falls in
 * the same bin), and the histogram's range includes 0 when there are non-finite values.
 *
 * These loops are the instrumentation's hot path (a few hundred thousand values per step), so
 * they avoid what V8 compiles to unpredictable branches: float min/max (and Math.min/max, which
 * branch on equal values) are taken on order-preserving integer keys of the float32 bits.
 */
import type { ActivationStat, Histogram } from '../../protocol/worker';
import { finite } from '../../protocol/worker';

/** Float64 → float32 rounding: a float64 sum past float32's range becomes Infinity, as the device's sum would. */
const f32 = Math.fround;

const keyBits = new Int32Array(1);
const keyFloat = new Float32Array(keyBits.buffer);
const KEY_MAX = 0x7fffffff;
const KEY_MIN = -0x80000000;

/** The float32 whose order key (`b ^ ((b >> 31) & 0x7fffffff)` of its bits b) is `k`. */
function fromKey(k: number): number {
  keyBits[0] = k >= 0 ? k : k ^ KEY_MAX;
  return keyFloat[0];
}

function bitsOf(v: Float32Array): Int32Array {
  return new Int32Array(v.buffer, v.byteOffset, v.length);
}

/** [min, max] of the finite values (±Infinity when there are none). */
function finiteRange(v: Float32Array): [number, number] {
  let mn = Infinity;
  let mx = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x - x !== 0) continue;
    if (x < mn) mn = x;
    if (x > mx) mx = x;
  }
  return [mn, mx];
}

/**
 * The range `histogramTensor` bins between: that of the finite values, and 0 when there are
 * non-finite ones (it replaces them by 0 before taking the min and max).
 */
export function histogramRange(mn: number, mx: number, nonFinite: boolean): [number, number] {
  return nonFinite ? [Math.min(mn, 0), Math.max(mx, 0)] : [mn, mx];
}

/**
 * Σg², max |g| (NaN ignored), NaN and ±Infinity counts of a gradient, and with `range` the
 * range its histogram bins between (else min and max are NaN).
 */
export function scanGradient(
  g: Float32Array,
  range = true,
): { g2: number; gmax: number; nan: number; inf: number; min: number; max: number } {
  // A float64 sum of float32 squares is finite unless a value is NaN or ±Infinity.
  const bits = bitsOf(g);
  let g2 = 0;
  if (range) {
    let kmn = KEY_MAX;
    let kmx = KEY_MIN;
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      g2 += v * v;
      const b = bits[i];
      const k = b ^ ((b >> 31) & KEY_MAX);
      kmn = k < kmn ? k : kmn;
      kmx = k > kmx ? k : kmx;
    }
    if (g2 - g2 === 0) {
      const [min, max] = g.length ? [fromKey(kmn), fromKey(kmx)] : [Infinity, -Infinity];
      return { g2: f32(g2), gmax: Math.max(-min, max, 0), nan: 0, inf: 0, min, max };
    }
  } else {
    // The bits of |v| order as |v| does.
    let amx = 0;
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      g2 += v * v;
      const a = bits[i] & KEY_MAX;
      amx = a > amx ? a : amx;
    }
    if (g2 - g2 === 0) return { g2: f32(g2), gmax: fromKey(amx), nan: 0, inf: 0, min: NaN, max: NaN };
  }
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < g.length; i++) {
    const v = g[i];
    if (v !== v) nan++;
    else if (v - v !== 0) inf++;
  }
  const [mn, mx] = finiteRange(g);
  const [min, max] = range ? histogramRange(mn, mx, true) : [NaN, NaN];
  return { g2: nan > 0 ? NaN : Infinity, gmax: inf > 0 ? Infinity : Math.max(-mn, mx, 0), nan, inf, min, max };
}

/** [Σw², Σ(w − w₀)²] of a weight after an update and before it (or at a snapshot). */
export function scanUpdate(w: Float32Array, w0: Float32Array): [number, number] {
  // Two values per iteration into separate sums: the additions do not wait on each other.
  let w2 = 0;
  let d2 = 0;
  let x2 = 0;
  let e2 = 0;
  const even = w.length & ~1;
  let i = 0;
  for (; i < even; i += 2) {
    const a = w[i];
    const b = w[i + 1];
    const d = a - w0[i];
    const e = b - w0[i + 1];
    w2 += a * a;
    d2 += d * d;
    x2 += b * b;
    e2 += e * e;
  }
  if (i < w.length) {
    const a = w[i];
    const d = a - w0[i];
    w2 += a * a;
    d2 += d * d;
  }
  return [f32(w2 + x2), f32(d2 + e2)];
}

export function sumSquares(w: Float32Array): number {
  let w2 = 0;
  for (let i = 0; i < w.length; i++) w2 += w[i] * w[i];
  return f32(w2);
}

const TINY_RANGE = f32(1e-12);

/** A value's bin as `histogramTensor` computes it, in float32 arithmetic. */
function exactBin(v: number, min: number, range: number, bins: number): number {
  const k = Math.floor(f32(f32(f32(v - min) / range) * bins));
  return k < 0 ? 0 : k >= bins ? bins - 1 : k;
}

/**
 * The bin edges in value terms: `edges[j]` is the least float32 value in [min, max] that
 * `exactBin` puts in bin j or above (+Infinity when none), for j = 1 … bins − 1; `edges[0]` is
 * −Infinity and `edges[bins]`, `edges[bins + 1]` are +Infinity. `exactBin` only ever grows
 * with its value (each of its roundings does), so each edge is found by bisecting the order
 * keys of the float32 values between min and max.
 */
/** Below this many values the float32 arithmetic per value costs less than finding the edges. */
const EDGE_TABLE_FROM = 4096;

function binEdges(min: number, max: number, range: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 2);
  edges[0] = -Infinity;
  edges[bins] = Infinity;
  edges[bins + 1] = Infinity;
  keyFloat[0] = min;
  const kmin = keyBits[0] ^ ((keyBits[0] >> 31) & KEY_MAX);
  keyFloat[0] = max;
  const kmax = keyBits[0] ^ ((keyBits[0] >> 31) & KEY_MAX);
  for (let j = 1; j < bins; j++) {
    if (exactBin(max, min, range, bins) < j) {
      edges[j] = Infinity;
      continue;
    }
    let lo = kmin;
    let hi = kmax;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (exactBin(fromKey(mid), min, range, bins) >= j) hi = mid;
      else lo = mid + 1;
    }
    edges[j] = fromKey(lo);
  }
  return edges;
}

/** The hot loop of `hostHistogram`, on its own so that V8 optimises it for these types alone. */
function countBins(x: Float32Array, stride: number, min: number, scale: number, edges: Float64Array, counts: Int32Array): void {
  for (let i = 0; i < x.length; i += stride) {
    const v = x[i];
    // 0 ≤ k ≤ bins: min ≤ v ≤ max.
    let k = ((v - min) * scale) | 0;
    if (v < edges[k]) k--;
    else if (v >= edges[k + 1]) k++;
    counts[k]++;
  }
}

/**
 * `histogramTensor` in JavaScript (`nonFinite`: whether `x` may hold NaN or ±Infinity, which
 * are not counted; `stride`: count every stride-th value, between the min and max of all). The device computes a value's bin as floor(f32(f32(f32(x − min) / range) ·
 * bins)); the same in float64 differs from it by less than 3 float32 roundings, never by a
 * whole bin, so the float64 bin is corrected by comparing the value with the edges of that
 * bin, found once per histogram in the float32 arithmetic (`binEdges`). On a value the
 * comparisons almost always agree (the branches are predictable), also for the zeros that sit
 * exactly on an edge of a gradient's symmetric range.
 */
export function hostHistogram(x: Float32Array, min: number, max: number, bins: number, nonFinite = true, stride = 1): Histogram {
  const counts = new Int32Array(bins);
  const range = Math.max(f32(max - min), TINY_RANGE);
  if (nonFinite || x.length < EDGE_TABLE_FROM * stride) {
    for (let i = 0; i < x.length; i += stride) {
      const v = x[i];
      if (v - v === 0) counts[exactBin(v, min, range, bins)]++;
    }
  } else {
    countBins(x, stride, min, bins / range, binEdges(min, max, range, bins), counts);
  }
  return { min: finite(min), max: finite(max), counts: Array.from(counts) };
}

const SAT_HIGH = f32(0.99);
const SAT_LOW = f32(0.01);
const SAT_RELU6 = f32(5.94);

/** The fraction of values within 1% of the activation's bounds (the tf version: `saturationTest` in instrument.ts). */
function hostSaturation(activation: string | undefined, v: Float32Array): number {
  let n = 0;
  switch (activation) {
    case 'tanh':
    case 'softsign':
      for (let i = 0; i < v.length; i++) n += v[i] > SAT_HIGH || v[i] < -SAT_HIGH ? 1 : 0;
      break;
    case 'sigmoid':
    case 'hardSigmoid':
    case 'softmax':
      for (let i = 0; i < v.length; i++) n += v[i] < SAT_LOW || v[i] > SAT_HIGH ? 1 : 0;
      break;
    case 'relu6':
      for (let i = 0; i < v.length; i++) n += v[i] >= SAT_RELU6 ? 1 : 0;
      break;
    default:
      return 0;
  }
  return n / v.length;
}

/** The mean as tf computes it when values are NaN or ±Infinity (±Infinity, or NaN). */
function plainMean(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i];
  return sum / v.length;
}

/** What `ActivationProbe.run` reports of one layer's output, from its values (`units`: the size of its last axis). */
export function hostActivation(
  v: Float32Array,
  units: number,
  activation: string | undefined,
  bins: number,
): Omit<ActivationStat, 'layer' | 'className' | 'activation'> {
  const n = v.length;
  const bits = bitsOf(v);
  // Sums of the values shifted by the first one give the variance in the same pass, exactly
  // enough in float64 (no cancellation between large sums when the values sit far from 0).
  const shift = n ? v[0] : 0;
  let sum = 0;
  let ss = 0;
  let zeros = 0;
  let kmn = KEY_MAX;
  let kmx = KEY_MIN;
  for (let i = 0; i < n; i++) {
    const d = v[i] - shift;
    sum += d;
    ss += d * d;
    const b = bits[i];
    // 1 when |v| is 0 (±0), without a branch; NaN is not 0, as for tf.equal.
    zeros += (((b & KEY_MAX) - 1) >> 31) & 1;
    const k = b ^ ((b >> 31) & KEY_MAX);
    kmn = k < kmn ? k : kmn;
    kmx = k > kmx ? k : kmx;
  }
  // A float64 sum of float32 values is finite unless one of them is NaN or ±Infinity.
  const nonFinite = sum - sum !== 0 || shift - shift !== 0;
  const [lo, hi] = nonFinite ? histogramRange(...finiteRange(v), true) : n ? [fromKey(kmn), fromKey(kmx)] : [Infinity, -Infinity];
  const mean = nonFinite ? plainMean(v) : shift + sum / n;
  const variance = nonFinite ? NaN : Math.max(0, ss / n - (sum / n) ** 2);
  // Dead units: a unit's values are read until one is not 0, which for a live unit is at once.
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let i = u;
    while (i < n && (bits[i] & KEY_MAX) === 0) i += units;
    if (i >= n) dead++;
  }
  return {
    mean: finite(mean),
    std: finite(Math.sqrt(variance)),
    fracZero: finite(zeros / n),
    fracSaturated: finite(hostSaturation(activation, v)),
    histogram: hostHistogram(v, lo, hi, bins, nonFinite),
    deadFraction: finite(dead / units),
    units,
  };
}
