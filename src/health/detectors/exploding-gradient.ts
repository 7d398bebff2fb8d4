/**
 * Exploding gradients: a NaN or ±Infinity in a gradient or a weight (with the first step and
 * layer where it appeared), or a global gradient norm that has grown by orders of magnitude
 * since the start and keeps that size.
 *
 * tfjs can reach NaN at the second batch (tfjs-facts.md), so the non-finite case fires on the
 * first report that shows it. The layer it came from is the deepest one with non-finite
 * gradients while the layers after it are still finite (backpropagation carries a bad value
 * towards the input, never towards the output); when every layer is hit at once the loss
 * itself overflowed, and the output layer is named first.
 */
import type { ModelContext } from '../context';
import { finding, type Detector } from '../detector';
import { fmt, type Finding } from '../findings';
import { msg, when } from '../messages';
import { batchNormAfter, clipGradients, glorotInitialization, lowerLearningRate } from '../fixes';
import { median } from '../numeric';
import type { StreamState } from '../state';

/**
 * Global gradient norm ≥ 1000× its median over the first reports. Healthy runs move it by
 * one order of magnitude at most (a few × while leaving the initial plateau, then down);
 * three orders means every step is larger than the last and the weights are being thrown
 * around.
 */
export const EXPLODING_GROWTH = 1e3;
/** …and in each of the latest reports, so one spike from an outlier batch does not fire it. */
export const EXPLODING_SUSTAIN_REPORTS = 3;
/** Reports the start-of-run baseline is the median of. */
export const EXPLODING_BASELINE_REPORTS = 3;

const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN', 'ConvLSTM2D', 'Bidirectional']);

function fixesFor(state: StreamState, ctx: ModelContext, layer: string | undefined) {
  const recurrent = state.layerOrder.some((n) => RECURRENT.has(ctx.layer(n).className));
  const largeInit = state.layerOrder.map((n) => ctx.layer(n)).filter((l) => largeInitializer(l.node?.config.kernelInitializer));
  return [
    lowerLearningRate(ctx, recurrent ? 2 : 1),
    clipGradients(recurrent ? 1 : 2),
    ...(largeInit.length > 0
      ? [
          glorotInitialization(
            largeInit.map((l) => l.name),
            1.5,
          ),
        ]
      : []),
    batchNormAfter(layer, 4),
  ];
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const bad = state.firstNonFinite;
  if (bad) {
    const ordered = bad.layers.map((n) => ctx.layer(n)).sort((a, b) => a.index - b.index);
    const reported = state.layerOrder.map((n) => ctx.layer(n)).sort((a, b) => a.index - b.index);
    const lastReported = reported[reported.length - 1];
    const deepestBad = ordered[ordered.length - 1];
    const allBad = deepestBad === lastReported;
    // Origin first: the deepest bad layer whose successors are finite; the output when all are bad.
    const origin = deepestBad;
    const layers = [origin.name, ...ordered.filter((l) => l !== origin).map((l) => l.name)];
    const lossStep = state.firstNonFiniteLoss?.step;
    const step = lossStep !== undefined ? Math.min(lossStep, bad.step) : bad.step;
    const lastFiniteNorm = bad.lastFiniteNorm;
    const baseline = baselineOf(state);
    const growth = bad.peakNorm !== undefined && baseline ? bad.peakNorm / baseline : undefined;
    return [
      finding(state, {
        code: 'exploding-gradient',
        key: 'model',
        severity: 'error',
        text: [
          msg('exploding.nonFinite', {
            step,
            where: allBad ? msg('exploding.everyLayer') : msg('exploding.firstIn', { layer: origin.name }),
            nan: bad.nanCount,
            inf: bad.infCount,
            growth: when(growth !== undefined && growth >= 10, () => msg('exploding.grownBefore', { growth: fmt(growth) })),
          }),
        ],
        layers,
        line: origin.line,
        step,
        evidence: {
          step,
          nanCount: bad.nanCount,
          infCount: bad.infCount,
          layersAffected: bad.layers.length,
          lastFiniteGradNorm: lastFiniteNorm,
          lastFiniteLoss: state.firstNonFiniteLoss?.lastFinite,
          peakGradNorm: bad.peakNorm,
          growth,
        },
        fixes: fixesFor(state, ctx, origin.name),
        explain: ['concept.explodingGradient', 'concept.gradientClipping', 'concept.learningRate'],
      }),
    ];
  }

  const baseline = baselineOf(state);
  if (baseline === undefined || baseline <= 0) return [];
  const recent = state.totalGradNorms.last(EXPLODING_SUSTAIN_REPORTS);
  if (recent.length < EXPLODING_SUSTAIN_REPORTS || state.reports < EXPLODING_BASELINE_REPORTS + EXPLODING_SUSTAIN_REPORTS) return [];
  if (!recent.every((r) => r.norm !== null && r.norm >= baseline * EXPLODING_GROWTH)) return [];
  const latest = recent[recent.length - 1].norm!;
  // The layer whose own gradient grew most.
  let worst: { name: string; growth: number } | undefined;
  for (const name of state.layerOrder) {
    const hist = state.layerHistory(name).filter((r) => r.gradNorm !== null && r.gradNorm > 0);
    if (hist.length < 2) continue;
    const g = hist[hist.length - 1].gradNorm! / hist[0].gradNorm!;
    if (!worst || g > worst.growth) worst = { name, growth: g };
  }
  const info = worst ? ctx.layer(worst.name) : undefined;
  return [
    finding(state, {
      code: 'exploding-gradient',
      key: 'model',
      severity: 'warning',
      text: [
        msg('exploding.growth', {
          growth: fmt(latest / baseline),
          from: fmt(baseline),
          to: fmt(latest),
          where: when(info !== undefined, () => msg('exploding.fastestIn', { layer: info!.name })),
        }),
      ],
      layers: info ? [info.name] : [],
      line: info?.line,
      evidence: { growth: latest / baseline, gradNorm: latest, baselineGradNorm: baseline, layerGrowth: worst?.growth },
      fixes: fixesFor(state, ctx, info?.name),
      explain: ['concept.explodingGradient', 'concept.gradientClipping'],
    }),
  ];
}

function baselineOf(state: StreamState): number | undefined {
  const first = state.firstTotalGradNorms.slice(0, EXPLODING_BASELINE_REPORTS).map((r) => r.norm);
  return first.length < EXPLODING_BASELINE_REPORTS ? undefined : median(first);
}

/** A kernel initialiser with a large explicit scale (`randomNormal({stddev: 5})`, `ones`). */
function largeInitializer(init: unknown): boolean {
  if (init === 'ones' || init === 'Ones') return true;
  if (typeof init !== 'object' || init === null) return false;
  const cfg = ((init as { config?: unknown }).config ?? init) as Record<string, unknown>;
  for (const k of ['stddev', 'maxval', 'value', 'scale']) {
    const v = cfg[k];
    if (typeof v === 'number' && Math.abs(v) >= 1) return true;
  }
  return false;
}

export const explodingGradient: Detector = {
  name: 'exploding-gradient',
  codes: ['exploding-gradient'],
  triggers: ['layer-stats', 'step'],
  detect,
};
