/**
 * Loss not decreasing: after a hundred steps the loss is where it started, and it is not
 * going down lately either; or it does not change at all. A run that improved and then
 * levelled off has converged (or needs a schedule) and is not reported here.
 */
import type { ModelContext } from '../context';
import { classCount, currentLearningRate, initialLoss, recentLoss } from '../curve';
import { finding, type Detector } from '../detector';
import { fmt, pct, type Finding, type Fix } from '../findings';
import { msg, when } from '../messages';
import { checkLabels, heInitialization, lowerLearningRate, raiseLearningRate, rescaleInputs, standardizeInputs } from '../fixes';
import { finiteOnly, slope } from '../numeric';
import type { StreamState } from '../state';
import { inputsLookUnnormalized } from './input-scale';

/**
 * Steps before judging. Healthy runs seen on MNIST-sized problems lose a third or more of
 * their initial loss in the first 100 steps; the detection target is 200 steps.
 */
export const PLATEAU_MIN_STEPS = 100;
/** Step events needed in the window (the worker may send fewer than one per step). */
export const PLATEAU_MIN_EVENTS = 30;
/** Improvement over the initial loss below 3% of it counts as none. */
export const PLATEAU_MIN_IMPROVEMENT = 0.03;
/** Step events the recent loss is the median of (batch losses are noisy). */
export const PLATEAU_RECENT = 20;
/**
 * …and it must not be improving lately either: the least-squares trend over the last 100 step
 * events, extrapolated to 100 steps, is less than a 2% drop of the level. A trend over many
 * batches is far less noisy than comparing two medians (one standard error ≈ 1% at ±10%
 * batch noise), so a slow but steady decline is not mistaken for a stall.
 */
export const PLATEAU_TREND_EVENTS = 100;
export const PLATEAU_MIN_TREND = 0.02;
/** A loss that is bit-for-bit constant over this many events is not learning at all. */
export const FLAT_EVENTS = 20;
export const FLAT_TOLERANCE = 1e-7;
/**
 * Learning rates outside which a stalled loss is most likely the rate's fault: adaptive
 * optimizers stall above ~0.05 (their step is ~lr per weight) and crawl below 1e-5; SGD
 * diverges rather than stalls when too high, and crawls below 1e-4.
 */
export const STALL_HIGH_ADAPTIVE_LR = 0.05;
export const STALL_HIGH_SGD_LR = 1;
export const STALL_LOW_ADAPTIVE_LR = 1e-5;
export const STALL_LOW_SGD_LR = 1e-4;

/** The fixes for a stalled loss, most likely first given the learning rate and the data. */
export function stallFixes(state: StreamState, ctx: ModelContext): Fix[] {
  const lr = currentLearningRate(state, ctx.learningRate());
  const adaptive = ctx.adaptive();
  const fixes: Fix[] = [];
  const data = inputsLookUnnormalized(state);
  if (data) fixes.push(data.pixelLike ? rescaleInputs(ctx, 255, 1) : standardizeInputs(1));
  if (lr !== undefined && lr >= (adaptive ? STALL_HIGH_ADAPTIVE_LR : STALL_HIGH_SGD_LR)) fixes.push(lowerLearningRate(ctx, 1));
  else if (lr !== undefined && lr <= (adaptive ? STALL_LOW_ADAPTIVE_LR : STALL_LOW_SGD_LR)) fixes.push(raiseLearningRate(ctx, 1));
  else fixes.push(raiseLearningRate(ctx, 3, 3), lowerLearningRate(ctx, 4, 3));
  fixes.push(checkLabels(2));
  const relu = state.layerOrder.map((n) => ctx.layer(n)).filter((l) => l.activation === 'relu' && !l.isOutput);
  if (relu.length > 0)
    fixes.push(
      heInitialization(
        relu.map((l) => l.name),
        5,
      ),
    );
  return fixes;
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const initial = initialLoss(state);
  if (!Number.isFinite(initial)) return [];
  const lr = currentLearningRate(state, ctx.learningRate());
  const losses = ctx.losses();
  const classes = classCount(state, ctx.outputUnits(), losses);
  const chance =
    classes !== undefined && /Crossentropy$/.test(losses[0] ?? '')
      ? losses[0] === 'binaryCrossentropy'
        ? Math.log(2)
        : Math.log(classes)
      : undefined;
  const line = ctx.compileLine();

  // Bit-for-bit constant: nothing reaches the weights, or the output ignores them.
  const last = finiteOnly(state.recentSteps(FLAT_EVENTS).map((r) => r.loss));
  if (state.stepEvents >= FLAT_EVENTS && last.length === FLAT_EVENTS) {
    const lo = Math.min(...last);
    const hi = Math.max(...last);
    if (
      hi - lo <= FLAT_TOLERANCE * Math.max(1, Math.abs(hi)) &&
      Math.abs(hi - initial) <= FLAT_TOLERANCE * Math.max(1, Math.abs(initial)) &&
      Math.abs(hi) > FLAT_TOLERANCE
    ) {
      return [
        finding(state, {
          code: 'loss-not-decreasing',
          key: 'model',
          severity: 'error',
          text: [msg('plateau.flat', { count: state.stepEvents, loss: fmt(hi) })],
          layers: [],
          line,
          evidence: { initialLoss: initial, recentLoss: hi, improvement: 0, steps: state.step, learningRate: lr },
          fixes: stallFixes(state, ctx),
          explain: ['concept.lossPlateau', 'concept.learningRate'],
        }),
      ];
    }
  }

  if (state.step < PLATEAU_MIN_STEPS || state.stepEvents < PLATEAU_MIN_EVENTS) return [];
  const recent = recentLoss(state, PLATEAU_RECENT);
  if (!Number.isFinite(recent) || Math.abs(initial) < 1e-12) return [];
  const improvement = (initial - recent) / Math.abs(initial);
  if (improvement >= PLATEAU_MIN_IMPROVEMENT) return [];
  const window = state.recentSteps(PLATEAU_TREND_EVENTS).filter((r) => r.loss !== null);
  const trend = slope(
    window.map((r) => r.step),
    window.map((r) => r.loss!),
  );
  const drop100 = Number.isFinite(trend) ? (-trend * 100) / Math.abs(recent) : 0;
  if (drop100 >= PLATEAU_MIN_TREND) return [];
  const atChance = chance !== undefined && Math.abs(recent - chance) <= 0.1 * chance;
  return [
    finding(state, {
      code: 'loss-not-decreasing',
      key: 'model',
      severity: 'warning',
      text: [
        msg('plateau.main', {
          steps: state.step,
          recent: fmt(recent),
          change:
            improvement >= 0
              ? msg('plateau.below', { fraction: pct(improvement), initial: fmt(initial) })
              : msg('plateau.above', { fraction: pct(-improvement), initial: fmt(initial) }),
          chance: when(atChance, () => msg('plateau.chance', { classes: classes! })),
        }),
      ],
      layers: [],
      line,
      evidence: {
        initialLoss: initial,
        recentLoss: recent,
        improvement,
        trendPer100Steps: -drop100,
        steps: state.step,
        chanceLoss: chance,
        learningRate: lr,
      },
      fixes: stallFixes(state, ctx),
      explain: ['concept.lossPlateau', 'concept.learningRate', 'concept.underfitting'],
    }),
  ];
}

export const lossPlateau: Detector = {
  name: 'loss-plateau',
  codes: ['loss-not-decreasing'],
  triggers: ['step'],
  detect,
};
