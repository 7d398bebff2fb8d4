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
import { UPDATE_RATIO_LOW } from './update-ratio';

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

/**
 * Ample capacity: at least one trainable parameter per training sample. A network that size can
 * memorise its training set even with random labels, and with real labels it fits some of it
 * within 100 steps; staying at chance instead means the labels carry nothing it can use.
 */
export const MEMORISE_PARAMS_PER_SAMPLE = 1;
/** Gradients flow: every trained layer's latest gradient norm is finite and at least this. */
export const FLOWING_GRAD_NORM = 1e-6;

/**
 * The labels may not depend on the inputs: ample capacity, gradients that flow and updates
 * that move the weights (so neither the optimizer nor the architecture is stuck), and still
 * chance accuracy on the training data itself. Undefined when any of that is not known.
 */
function labelsLookUnrelated(state: StreamState): { trainableParams: number; samples: number; minGradNorm: number } | undefined {
  const samples = state.dataset?.train;
  const m = state.model;
  const trainableParams = m?.trainableParams ?? m?.layers.reduce((sum, l) => sum + l.params, 0);
  if (!samples || !trainableParams || trainableParams < MEMORISE_PARAMS_PER_SAMPLE * samples) return undefined;
  const latest = state.layerOrder.map((n) => state.layerHistory(n).at(-1)).filter((r) => r !== undefined && r.trainable);
  if (latest.length === 0) return undefined;
  const flowing = latest.every(
    (r) => r!.gradNorm !== null && r!.gradNorm >= FLOWING_GRAD_NORM && r!.updateRatio !== null && r!.updateRatio > UPDATE_RATIO_LOW,
  );
  return flowing ? { trainableParams, samples, minGradNorm: Math.min(...latest.map((r) => r!.gradNorm!)) } : undefined;
}

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
  const unrelated = labelsLookUnrelated(state);
  const fixes: Fix[] = unrelated
    ? [checkLabels(1), trainLonger(2)]
    : [...stallFixes(state, ctx).filter((f) => f.id !== 'check-labels' && f.rank === 1), checkLabels(2), biggerModel(3), trainLonger(4)];
  if (regularized) fixes.push(lessRegularization(3));
  if (!fixes.some((f) => f.id === 'raise-learning-rate' || f.id === 'lower-learning-rate')) fixes.push(raiseLearningRate(ctx, 5, 3));
  return [
    finding(state, {
      code: 'underfitting',
      key: 'model',
      severity: 'warning',
      text: [
        msg('underfitting.main', {
          steps: state.step,
          accuracy: pct(acc),
          chance: pct(chance),
          classes: when(Boolean(classes), () => msg('underfitting.classes', { count: classes! })),
        }),
        ...(unrelated
          ? [
              msg('underfitting.labelsUnrelated', {
                params: unrelated.trainableParams.toLocaleString('en-US'),
                samples: unrelated.samples.toLocaleString('en-US'),
              }),
            ]
          : []),
      ],
      layers: [],
      line: ctx.compileLine(),
      evidence: {
        accuracy: acc,
        chance,
        classes,
        progress,
        steps: state.step,
        learningRate: lr,
        ...(unrelated
          ? { trainableParams: unrelated.trainableParams, samples: unrelated.samples, minGradNorm: unrelated.minGradNorm }
          : {}),
      },
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
