/**
 * Update/weight ratios far from healthy. ‖Δw‖/‖w‖ per step is the clearest reading of the
 * learning rate's effect on each layer: around 1e-3 the weights are refined a little every
 * step; far above, they are rewritten every few steps; far below, nothing visibly moves.
 *
 * A ratio of exactly 0 is `unchanged-weights`; one layer much lower than the others is what
 * `vanishing-gradient` reports. This detector reports a layer whose ratio is too high, and a
 * model whose layers are all too low (a learning rate too small for the optimizer).
 */
import type { ModelContext } from '../context';
import { currentLearningRate } from '../curve';
import { finding, type Detector } from '../detector';
import { fmt, type Finding } from '../findings';
import { msg, when } from '../messages';
import { lowerLearningRate, raiseLearningRate } from '../fixes';
import { median } from '../numeric';
import type { StreamState } from '../state';

/** The rule-of-thumb healthy ratio, quoted in messages. */
export const HEALTHY_UPDATE_RATIO = 1e-3;
/**
 * Half of the weight norm per step. Adam moves each weight by ~lr per step, so a wide layer
 * with small (Glorot) weights reaches ~0.2 at lr 0.01, which still trains; at 0.5 and above
 * (lr ≥ ~0.1) the weights are replaced rather than refined.
 */
export const UPDATE_RATIO_HIGH = 0.5;
/**
 * All layers below 1e-5, 100× under healthy: with lr 1e-7 Adam gives ~2e-6 on a 784-wide
 * layer; healthy SGD runs stay above ~1e-4 in their trained layers.
 */
export const UPDATE_RATIO_LOW = 1e-5;
/** Reports the median is taken over, and the fewest that count. */
export const UPDATE_RATIO_WINDOW = 8;
export const UPDATE_RATIO_MIN_REPORTS = 5;
/** Adam's first steps are ~lr per weight regardless of the gradient (bias correction): skip them. */
export const UPDATE_RATIO_MIN_STEP = 10;
/** Below this a ratio is "exactly zero" (float32 cannot represent a smaller real update): unchanged-weights owns it. */
export const ZERO_RATIO = 1e-10;

/** Median update ratio of each trained layer over the window (the state's names). */
export function layerRatios(state: StreamState): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of state.layerOrder) {
    const hist = state
      .layerHistory(name)
      .slice(-UPDATE_RATIO_WINDOW)
      .filter((r) => r.trainable && r.step >= UPDATE_RATIO_MIN_STEP);
    const ratios = hist.map((r) => r.updateRatio).filter((x): x is number => x !== null);
    if (ratios.length >= UPDATE_RATIO_MIN_REPORTS) out.set(name, median(ratios));
  }
  return out;
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const ratios = layerRatios(state);
  if (ratios.size === 0) return [];
  const out: Finding[] = [];
  const lr = currentLearningRate(state, ctx.learningRate());
  const named = [...ratios].map(([n, r]) => ({ info: ctx.layer(n), r })).sort((a, b) => a.info.index - b.info.index);

  const high = named.filter((x) => x.r >= UPDATE_RATIO_HIGH);
  if (high.length > 0) {
    const worst = high.reduce((a, b) => (b.r > a.r ? b : a));
    out.push(
      finding(state, {
        code: 'update-ratio-high',
        key: 'model',
        severity: worst.r >= 10 * UPDATE_RATIO_HIGH ? 'error' : 'warning',
        text: [
          msg('updateRatio.high', {
            layer: worst.info.name,
            ratio: fmt(worst.r),
            healthy: fmt(HEALTHY_UPDATE_RATIO),
            others: when(high.length > 1, () =>
              msg(high.length > 2 ? 'updateRatio.otherLayers' : 'updateRatio.otherLayer', { count: high.length - 1 }),
            ),
            lr: when(lr !== undefined, () => msg('updateRatio.rate', { lr: lr! })),
          }),
        ],
        layers: high.map((x) => x.info.name),
        line: worst.info.line,
        evidence: { updateRatio: worst.r, healthy: HEALTHY_UPDATE_RATIO, layersAffected: high.length, learningRate: lr },
        fixes: [lowerLearningRate(ctx, 1, Math.min(100, Math.max(10, Math.round(worst.r / HEALTHY_UPDATE_RATIO / 10))))],
        explain: ['concept.updateRatio', 'concept.learningRate'],
      }),
    );
  }

  const moving = named.filter((x) => x.r > ZERO_RATIO);
  if (moving.length > 0) {
    const overall = median(moving.map((x) => x.r));
    if (overall <= UPDATE_RATIO_LOW) {
      const low = moving.filter((x) => x.r <= UPDATE_RATIO_LOW);
      out.push(
        finding(state, {
          code: 'update-ratio-low',
          key: 'model',
          severity: 'warning',
          text: [
            msg('updateRatio.low', {
              ratio: fmt(overall),
              count: moving.length,
              healthy: fmt(HEALTHY_UPDATE_RATIO),
              lr: when(lr !== undefined, () => msg('updateRatio.lowRate', { lr: lr! })),
            }),
          ],
          layers: low.map((x) => x.info.name),
          line: ctx.compileLine(),
          evidence: { updateRatio: overall, healthy: HEALTHY_UPDATE_RATIO, layersAffected: low.length, learningRate: lr },
          fixes: [raiseLearningRate(ctx, 1, Math.min(1000, Math.max(10, Math.round(HEALTHY_UPDATE_RATIO / overall / 10))))],
          explain: ['concept.updateRatio', 'concept.learningRate'],
        }),
      );
    }
  }
  return out;
}

export const updateRatio: Detector = {
  name: 'update-ratio',
  codes: ['update-ratio-high', 'update-ratio-low'],
  triggers: ['layer-stats'],
  detect,
};
