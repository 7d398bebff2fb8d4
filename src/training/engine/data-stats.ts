/**
 * The `data-stats` event: facts about the training data that the training-health detectors
 * judge before the first step (src/health/detectors/input-scale.ts, label-loss.ts,
 * underfitting.ts): per input its range, mean, std, non-finite values and whether it is whole
 * numbers; per target the same, its encoding (one-hot rows, a column of class indices, rows
 * summing to 1) and the share of each class.
 *
 * Plain typed arrays, no tfjs: one pass over the training samples (MNIST's 9,000 × 784 values
 * take ~20 ms). Pure.
 */
import { finite, type WorkerMessageOf } from '../../protocol/worker';
import type { Array2 } from './datasets';

export type DataStatsEvent = Omit<WorkerMessageOf<'data-stats'>, 'v'>;
type InputStats = DataStatsEvent['inputs'][number];
type TargetStats = DataStatsEvent['targets'][number];

/** Class shares are listed for at most this many classes (a larger "class index" is more likely a count). */
export const MAX_CLASSES = 1000;

/** Statistics of the first `n` samples of an input. */
export function inputStats(a: Array2, n: number): InputStats {
  const per = a.shape.slice(1).reduce((x, y) => x * y, 1);
  const end = Math.min(a.data.length, n * per);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  let nonFinite = 0;
  let integer = true;
  for (let i = 0; i < end; i++) {
    const v = a.data[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
    if (integer && v !== Math.round(v)) integer = false;
  }
  const mean = count > 0 ? sum / count : NaN;
  // Second pass for the variance (numerically safer than Σx² − n·mean² on pixel values).
  let ss = 0;
  for (let i = 0; i < end; i++) {
    const v = a.data[i];
    if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
  }
  return {
    min: finite(count ? min : NaN),
    max: finite(count ? max : NaN),
    mean: finite(mean),
    std: finite(count ? Math.sqrt(ss / count) : NaN),
    nonFinite,
    integer: count > 0 && integer,
  };
}

/** Statistics of the first `n` samples of a target. */
export function targetStats(a: Array2, n: number): TargetStats {
  const lastDim = a.shape.length > 1 ? a.shape[a.shape.length - 1] : 1;
  const per = a.shape.slice(1).reduce((x, y) => x * y, 1);
  const end = Math.min(a.data.length, n * per);
  const rows = Math.floor(end / lastDim);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let integer = true;
  let oneHot = lastDim > 1;
  let rowSumOne = lastDim > 1;
  const counts = new Map<number, number>();
  for (let r = 0; r < rows; r++) {
    let rowSum = 0;
    let ones = 0;
    let best = 0;
    for (let c = 0; c < lastDim; c++) {
      const v = a.data[r * lastDim + c];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      rowSum += v;
      if (integer && v !== Math.round(v)) integer = false;
      if (v === 1) ones++;
      else if (v !== 0) oneHot = false;
      if (v < 0 || v > 1) rowSumOne = false;
      if (v > a.data[r * lastDim + best]) best = c;
    }
    if (ones !== 1) oneHot = false;
    if (Math.abs(rowSum - 1) > 1e-4) rowSumOne = false;
    if (lastDim > 1) counts.set(best, (counts.get(best) ?? 0) + 1);
    else counts.set(a.data[r], (counts.get(a.data[r]) ?? 0) + 1);
  }
  const out: TargetStats = {
    min: finite(rows ? min : NaN),
    max: finite(rows ? max : NaN),
    mean: finite(rows ? sum / (rows * lastDim) : NaN),
    integer: rows > 0 && integer,
    lastDim,
    oneHot: rows > 0 && oneHot,
  };
  if (lastDim > 1) out.rowSumOne = rows > 0 && rowSumOne;
  // Classes: one-hot (or probability) rows by their largest entry; a column of whole numbers ≥ 0 by value.
  const classLabels = lastDim > 1 ? out.oneHot || out.rowSumOne === true : integer && min >= 0 && max < MAX_CLASSES;
  if (rows > 0 && classLabels) {
    const k = lastDim > 1 ? lastDim : Math.round(max) + 1;
    if (k > 1 && k <= MAX_CLASSES)
      out.classFractions = Array.from({ length: k }, (_, i) => Number(((counts.get(i) ?? 0) / rows).toPrecision(4)));
  }
  return out;
}

/** The event for a dataset: its first `nTrain` samples (the training part), the targets as the data gave them. */
export function dataStats(xs: Array2[], ys: Array2[], nTrain: number, note?: string): DataStatsEvent {
  return {
    type: 'data-stats',
    samples: nTrain,
    inputs: xs.map((x) => inputStats(x, nTrain)),
    targets: ys.map((y) => targetStats(y, nTrain)),
    ...(note ? { note } : {}),
  };
}
