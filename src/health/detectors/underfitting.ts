/**
 * Underfitting: after enough steps the training accuracy is still close to what guessing
 * gives (the most frequent class, or 1/classes), and it is not improving.
 */
import type { ModelContext } from '../context';
import { chanceAccuracy, classCount, currentLearningRate } from '../curve';
import { finding, type Detector } from '../detector';
import { pct, type Finding, type Fix } from '../findings';
import { msg, when } from '../messages';
import { biggerModel, checkLabels, lessRegularization, raiseLearningRate, trainLonger } from '../fixes';
import { finiteOnly, mean } from '../numeric';
import type { StreamState } from '../state';
import { stallFixes } from './loss-plateau';

/** Steps before judging (the detection target is 200). */
export const UNDERFIT_MIN_STEPS = 100;
/**
 * "Near chance": within 10% of the way from chance to perfect (10 classes: below 19%;
 * two balanced classes: below 55%).
 */
export const UNDERFIT_MARGIN = 0.1;
/** Step events the accuracy is averaged over, as two halves compared for progress. */
export const UNDERFIT_WINDOW = 60;
/** Not improving: the later half at most 2 points above the earlier one. */
export const UNDERFIT_MIN_PROGRESS = 0.02;

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  if (state.step < UNDERFIT_MIN_STEPS) return [];
  const classes = classCount(state, ctx.outputUnits(), ctx.losses());
  const chance = chanceAccuracy(state, classes);
  if (chance === undefined) return [];
  const limit = chance + UNDERFIT_MARGIN * (1 - chance);

  let acc: number;
  let progress: number;
  const window = finiteOnly(state.recentSteps(UNDERFIT_WINDOW).map((r) => r.acc));
  if (window.length >= UNDERFIT_WINDOW / 2) {
    const half = Math.floor(window.length / 2);
    acc = mean(window.slice(half));
    progress = acc - mean(window.slice(0, half));
  } else {
    const epochs = state.epochs.toArray().filter((e) => e.acc !== null);
    if (epochs.length < 2) return [];
    acc = epochs[epochs.length - 1].acc!;
    progress = acc - epochs[epochs.length - 2].acc!;
  }
  if (acc > limit || progress > UNDERFIT_MIN_PROGRESS) return [];

  const lr = currentLearningRate(state, ctx.learningRate());
  const regularized = state.layerOrder.some((n) => {
    const c = ctx.layer(n).node?.config;
    return c !== undefined && (c.kernelRegularizer !== undefined || (typeof c.rate === 'number' && c.rate >= 0.5));
  });
  const fixes: Fix[] = [...stallFixes(state, ctx).filter((f) => f.id !== 'check-labels' && f.rank === 1), checkLabels(2), biggerModel(3), trainLonger(4)];
  if (regularized) fixes.push(lessRegularization(3));
  if (!fixes.some((f) => f.id === 'raise-learning-rate' || f.id === 'lower-learning-rate')) fixes.push(raiseLearningRate(ctx, 5, 3));
  return [
    finding(state, {
      code: 'underfitting',
      key: 'model',
      severity: 'warning',
      text: [msg('underfitting.main', { steps: state.step, accuracy: pct(acc), chance: pct(chance), classes: when(Boolean(classes), () => msg('underfitting.classes', { count: classes! })) })],
      layers: [],
      line: ctx.compileLine(),
      evidence: { accuracy: acc, chance, classes, progress, steps: state.step, learningRate: lr },
      fixes,
      explain: ['concept.underfitting', 'concept.learningRate'],
    }),
  ];
}

export const underfitting: Detector = {
  name: 'underfitting',
  codes: ['underfitting'],
  triggers: ['step', 'epoch'],
  detect,
};
