/** Readings of the loss curve shared by the loss detectors: robust (medians), over step windows. */
import { finiteOnly, median } from './numeric';
import type { StreamState } from './state';

/** Steps whose median is the run's initial loss. */
export const INITIAL_STEPS = 10;

/** The median of the first finite losses of the run (NaN before any). */
export function initialLoss(state: StreamState, n = INITIAL_STEPS): number {
  return median(finiteOnly(state.firstSteps.slice(0, n).map((r) => r.loss)));
}

/** The median of the finite losses among the latest `n` step events. */
export function recentLoss(state: StreamState, n: number): number {
  return median(finiteOnly(state.recentSteps(n).map((r) => r.loss)));
}

/** The median of the last `n` batch accuracies (NaN when none is logged). */
export function recentAccuracy(state: StreamState, n: number): number {
  return median(finiteOnly(state.recentSteps(n).map((r) => r.acc)));
}

/** The learning rate the steps report, else compile's. */
export function currentLearningRate(state: StreamState, fallback: number | undefined): number | undefined {
  const lr = state.steps.latest()?.lr;
  return lr !== null && lr !== undefined ? lr : fallback;
}

/** Number of classes of a classifier, when it can be told (output units, or the targets). */
export function classCount(state: StreamState, outputUnits: number | undefined, losses: string[]): number | undefined {
  const loss = losses[0];
  const t = state.dataStats?.targets[0];
  if (t?.classFractions && t.classFractions.length > 1) return t.classFractions.length;
  if (loss === 'binaryCrossentropy') return 2;
  if (loss === 'categoricalCrossentropy' || loss === 'sparseCategoricalCrossentropy') {
    if (outputUnits !== undefined && outputUnits > 1) return outputUnits;
    const shape = state.dataset?.targetShapes[0];
    const last = shape?.[shape.length - 1];
    if (loss === 'categoricalCrossentropy' && typeof last === 'number' && last > 1) return last;
  }
  return undefined;
}

/** Accuracy of always answering the most frequent class (or 1/classes without class shares). */
export function chanceAccuracy(state: StreamState, classes: number | undefined): number | undefined {
  const f = state.dataStats?.targets[0]?.classFractions;
  if (f && f.length > 1) return Math.max(...f);
  return classes !== undefined && classes > 1 ? 1 / classes : undefined;
}
