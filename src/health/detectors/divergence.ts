/**
 * Divergence and oscillation: the learning rate is too high.
 *
 * * `divergence` — the loss climbs to several times where it started, or turns NaN/Infinity
 *   after finite values (plain SGD past its stability limit does this).
 * * `oscillation` — the loss jumps up and down by about its own size, around a level that is
 *   not going down.
 * * `learning-rate-too-high` — the loss stays high while the optimizer rewrites the weights
 *   every few steps. Adam with a far-too-high rate rarely diverges (its step is bounded by
 *   the rate): it plateaus high, often with many dead ReLUs (tfjs-facts.md), so the
 *   evidence is the update/weight ratio or the configured rate, not the loss alone.
 */
import type { ModelContext } from '../context';
import { currentLearningRate, initialLoss, recentLoss } from '../curve';
import { finding, type Detector } from '../detector';
import { fmt, pct, type Finding } from '../findings';
import { msg, when, type MessagePart } from '../messages';
import { clipGradients, lowerLearningRate, setLearningRate } from '../fixes';
import { median, quantile, slope } from '../numeric';
import { DEFAULT_LEARNING_RATES } from '../context';
import type { StreamState } from '../state';
import { STALL_HIGH_ADAPTIVE_LR, STALL_HIGH_SGD_LR } from './loss-plateau';
import { layerRatios, UPDATE_RATIO_HIGH } from './update-ratio';
import { DEAD_UNIT_FRACTION, isReluLike } from './dead-relu';
import { SATURATION_FRACTION } from './saturation';

const SQUASHING = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign']);

/** Hidden layers that the last probes show damaged: most ReLU units dead, or most squashing outputs saturated. */
function damagedLayers(state: StreamState, ctx: ModelContext): { name: string; what: MessagePart }[] {
  const out: { name: string; what: MessagePart }[] = [];
  for (const key of state.probeOrder) {
    const hist = state.probeHistory(key).slice(-HIGH_LR_DAMAGE_PROBES);
    if (hist.length < HIGH_LR_DAMAGE_PROBES) continue;
    const latest = hist[hist.length - 1];
    const info = ctx.layer(key, latest.className);
    if (info.isOutput) continue;
    const act = info.activation ?? latest.activation;
    if (isReluLike(info, latest) && hist.every((p) => p.deadFraction !== null && p.deadFraction >= DEAD_UNIT_FRACTION)) {
      out.push({ name: info.name, what: msg('highRate.dead', { fraction: pct(latest.deadFraction!) }) });
    } else if (
      act !== undefined &&
      SQUASHING.has(act) &&
      hist.every((p) => p.fracSaturated !== null && p.fracSaturated >= SATURATION_FRACTION)
    ) {
      out.push({ name: info.name, what: msg('highRate.saturated', { fraction: pct(latest.fracSaturated!) }) });
    }
  }
  return out;
}

/**
 * The recent loss (median of 10 steps) at twice the initial one. Mini-batch noise moves a
 * median of ten batches by tens of percent at most, and no healthy run ends an early phase
 * above where it started.
 */
export const DIVERGENCE_FACTOR = 2;
/** The reference "start" is the median of the first 5 batch losses (regression batches vary 3× at init). */
export const DIVERGENCE_REFERENCE_STEPS = 5;
/**
 * An optimizer that blows up at its first update never shows a rising phase (Adam at lr 1:
 * 2.4 at step 1, then 13.6–15.1 from step 2 on), so the median of the first steps is already
 * high. That jump counts too: steps 2–5 each at least 4× step 1, and the recent loss as well.
 * A batch of a healthy run is never 4× below the next four.
 */
export const DIVERGENCE_JUMP = 4;
export const DIVERGENCE_RECENT = 10;
/** Step events before the climb is judged (the first steps' median is the reference). */
export const DIVERGENCE_MIN_EVENTS = 15;

/** Step events an oscillation is read over. */
export const OSCILLATION_WINDOW = 50;
/**
 * Spread of the detrended loss (90th − 10th percentile of the residuals around the window's
 * linear trend) of at least the loss's own median: jumps of ±50%. Batch-to-batch noise of
 * a healthy run at batch 32 stays within about ±20%.
 */
export const OSCILLATION_SPREAD = 1;
/**
 * …with little progress: the window's median is still ≥ half the initial loss. Healthy runs
 * are far below half by the time 60 steps have passed (batch noise is only large relative to
 * a loss that has already dropped a lot); an oscillating SGD run was seen swinging between
 * 0.1× and 1.3× its start with a median of 0.6×.
 */
export const OSCILLATION_MAX_PROGRESS = 0.5;

/** Step events before a high loss is blamed on the rate, and how high "high" is (≥ 90% of the start). */
export const HIGH_LR_MIN_EVENTS = 50;
export const HIGH_LR_STUCK = 0.9;
/**
 * A configured rate far above the optimizer's usual range (adaptive ≥ 0.05, 50× Adam's default;
 * SGD ≥ 1) is also the cause when the steps have visibly damaged the network: a hidden layer
 * with most of its ReLU units dead, or most of its sigmoid/tanh outputs saturated, on the last
 * probes. Oversized first steps do exactly that (Adam at 0.3 kills a ReLU layer within 40 steps),
 * and then the loss can sit anywhere — below its chaotic start, too — so "stuck" is not a
 * reliable sign. The damage alone is reported by dead-relu / saturation; with such a rate, the
 * rate is the root cause to fix first.
 */
export const HIGH_LR_DAMAGE_PROBES = 2;

function rateFixes(ctx: ModelContext, factor = 10) {
  const opt = ctx.optimizer();
  const lr = ctx.learningRate();
  const standard = opt ? DEFAULT_LEARNING_RATES[opt] : undefined;
  // An adaptive optimizer far above its standard rate: go back to it, rather than a tenth of an
  // absurd value (their good range is narrow; plain SGD's depends on the problem).
  if (ctx.adaptive() && lr !== undefined && standard !== undefined && lr / factor > standard * 3)
    return [setLearningRate(1, standard), clipGradients(3)];
  return [lowerLearningRate(ctx, 1, factor), clipGradients(3)];
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const out: Finding[] = [];
  const reference = initialLoss(state, DIVERGENCE_REFERENCE_STEPS);
  const first = state.firstSteps[0]?.loss ?? NaN;
  const early = state.firstSteps.slice(1, DIVERGENCE_REFERENCE_STEPS).map((r) => r.loss);
  const jumped =
    first > 0 && early.length === DIVERGENCE_REFERENCE_STEPS - 1 && early.every((l) => l !== null && l >= DIVERGENCE_JUMP * first);
  // After a jump the start is the first step's loss; otherwise the median of the first few.
  const initial = jumped ? first : reference;
  const lr = currentLearningRate(state, ctx.learningRate());
  const line = ctx.compileLine();
  if (!Number.isFinite(initial)) return out;

  const nonFinite = state.firstNonFiniteLoss;
  const recent = recentLoss(state, DIVERGENCE_RECENT);
  if (nonFinite && nonFinite.lastFinite !== null) {
    out.push(
      finding(state, {
        code: 'divergence',
        key: 'model',
        severity: 'error',
        text: [
          msg('divergence.nonFinite', {
            initial: fmt(initial),
            step: nonFinite.step,
            rate: when(lr !== undefined, () =>
              ctx.optimizer()
                ? msg('divergence.rateOptimizer', { lr: lr!, optimizer: ctx.optimizer()! })
                : msg('divergence.rate', { lr: lr! }),
            ),
          }),
        ],
        layers: [],
        line,
        step: nonFinite.step,
        evidence: { initialLoss: initial, lastFiniteLoss: nonFinite.lastFinite, step: nonFinite.step, learningRate: lr },
        fixes: rateFixes(ctx),
        explain: ['concept.learningRate', 'concept.explodingGradient'],
      }),
    );
    return out;
  }

  if (state.stepEvents >= DIVERGENCE_MIN_EVENTS && initial > 0 && recent >= (jumped ? DIVERGENCE_JUMP : DIVERGENCE_FACTOR) * initial) {
    out.push(
      finding(state, {
        code: 'divergence',
        key: 'model',
        severity: 'error',
        text: [
          msg('divergence.climb', {
            initial: fmt(initial),
            recent: fmt(recent),
            factor: fmt(recent / initial),
            rate: when(lr !== undefined, () => msg('divergence.withRate', { lr: lr! })),
          }),
        ],
        layers: [],
        line,
        evidence: { initialLoss: initial, recentLoss: recent, factor: recent / initial, learningRate: lr },
        fixes: rateFixes(ctx),
        explain: ['concept.learningRate', 'concept.gradientDescent'],
      }),
    );
    return out;
  }

  const window = state.recentSteps(OSCILLATION_WINDOW).filter((r) => r.loss !== null);
  if (state.stepEvents >= OSCILLATION_WINDOW + 10 && window.length >= OSCILLATION_WINDOW * 0.9 && initial > 0) {
    const xs = window.map((r) => r.step);
    const ys = window.map((r) => r.loss!);
    const m = median(ys);
    const k = slope(xs, ys);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const residuals = ys.map((y, i) => y - (my + (Number.isFinite(k) ? k : 0) * (xs[i] - mx)));
    const spread = (quantile(residuals, 0.9) - quantile(residuals, 0.1)) / m;
    if (m > 0 && spread >= OSCILLATION_SPREAD && m >= OSCILLATION_MAX_PROGRESS * initial) {
      out.push(
        finding(state, {
          code: 'oscillation',
          key: 'model',
          severity: 'warning',
          text: [
            msg('oscillation.main', {
              spread: fmt(spread),
              median: fmt(m),
              initial: fmt(initial),
              rate: when(lr !== undefined, () => msg('oscillation.rate', { lr: lr! })),
            }),
          ],
          layers: [],
          line,
          evidence: { spread, medianLoss: m, initialLoss: initial, learningRate: lr },
          fixes: rateFixes(ctx, 3),
          explain: ['concept.learningRate', 'concept.learningRateDecay'],
        }),
      );
      return out;
    }
  }

  if (state.stepEvents >= HIGH_LR_MIN_EVENTS) {
    const stuck = recentLoss(state, 20);
    const ratios = [...layerRatios(state).values()];
    const ratio = ratios.length > 0 ? median(ratios) : undefined;
    const configured = lr !== undefined && lr >= (ctx.adaptive() ? STALL_HIGH_ADAPTIVE_LR : STALL_HIGH_SGD_LR);
    const isStuck =
      Number.isFinite(stuck) && stuck >= HIGH_LR_STUCK * initial && ((ratio !== undefined && ratio >= UPDATE_RATIO_HIGH) || configured);
    const damaged = configured && !isStuck ? damagedLayers(state, ctx) : [];
    if (isStuck || damaged.length > 0) {
      const rate =
        lr !== undefined
          ? msg('highRate.rateFor', { lr, optimizer: ctx.optimizer() ?? msg('thisOptimizer') })
          : msg('highRate.rateUnknown');
      out.push(
        finding(state, {
          code: 'learning-rate-too-high',
          key: 'model',
          severity: 'error',
          text: [
            isStuck
              ? msg('highRate.stuck', {
                  loss: fmt(stuck),
                  initial: fmt(initial),
                  ratio: when(ratio !== undefined && ratio >= UPDATE_RATIO_HIGH, () => msg('highRate.ratio', { ratio: fmt(ratio) })),
                  rate,
                })
              : msg('highRate.damaged', {
                  rate,
                  layers: damaged.length === 1 ? msg('highRate.oneLayer') : msg('highRate.layers', { count: damaged.length }),
                  list: damaged.slice(0, 3).map((d) => msg('namedItem', { name: d.name, text: d.what })),
                }),
          ],
          // Model-wide: the place to fix is the compile call's rate, not the damaged layers.
          layers: [],
          line,
          evidence: {
            recentLoss: Number.isFinite(stuck) ? stuck : undefined,
            initialLoss: initial,
            updateRatio: ratio,
            learningRate: lr,
            layersDamaged: damaged.length || undefined,
          },
          fixes: rateFixes(ctx),
          explain: ['concept.learningRate', 'concept.updateRatio', 'concept.deadRelu'],
        }),
      );
    }
  }
  return out;
}

export const divergence: Detector = {
  name: 'divergence',
  codes: ['divergence', 'oscillation', 'learning-rate-too-high'],
  triggers: ['step', 'layer-stats', 'activations'],
  detect,
};
