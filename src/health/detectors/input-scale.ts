/**
 * Inputs not normalised (raw 0–255 pixels, unscaled tabular columns) and inputs that hold
 * NaN/Infinity. Decided from the dataset facts (`data-stats`) before the first step; without
 * them, from the first layer's outputs on an early probe.
 *
 * With raw pixels, tfjs's cross-entropy does not produce NaN: it clips probabilities to
 * [1e-7, 1−1e-7], whose gradient is 0, so each confidently wrong sample costs ~16.1 and
 * teaches nothing. Training then stalls at a loss of about 16.1 × the fraction wrong, which
 * is reported as extra evidence when the loss sits there.
 */
import type { ModelContext } from '../context';
import { finding, type Detector } from '../detector';
import { fmt, type Finding } from '../findings';
import { msg, when, type EvidenceDraft } from '../messages';
import { batchNormFirst, removeBadValues, rescaleInputs, standardizeInputs } from '../fixes';
import { finiteOnly, median } from '../numeric';
import type { StreamState } from '../state';

/**
 * The largest |value| an input may have before its scale is questioned. Standardised
 * features (mean 0, std 1) rarely pass ±10 even with outliers; pixels in [0, 1] or [−1, 1]
 * never do.
 */
export const INPUT_MAX_ABS = 20;
/**
 * …together with a spread or offset this large (std or |mean|). Both are needed: a
 * standardised column with one extreme outlier has a large max but a std of 1.
 */
export const INPUT_SCALE = 3;
/**
 * Without data statistics: the first layer's output on an early probe with |mean| + std above
 * this. Normalised inputs and standard initialisers give outputs of order 1; 0–255 pixels give
 * tens to hundreds.
 */
export const FIRST_LAYER_OUTPUT_SCALE = 50;
/** "Early": the first layer's probes up to this step (training can legitimately grow activations later). */
export const FIRST_LAYER_PROBE_MAX_STEP = 50;
/** Cross-entropy of a confidently wrong sample after tfjs clips the probability to 1e-7: −ln(1e-7). */
export const CLIPPED_CROSS_ENTROPY = -Math.log(1e-7);

/** Layers that take care of their input's scale themselves (or take ids, not measurements). */
const SELF_SCALING = new Set([
  'Rescaling',
  'Normalization',
  'BatchNormalization',
  'LayerNormalization',
  'Embedding',
  'CategoryEncoding',
  'StringLookup',
  'IntegerLookup',
]);

export interface UnnormalizedInputs {
  index: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Whole numbers in [0, 255] reaching above 1: raw image bytes. */
  pixelLike: boolean;
}

/** The first input whose scale is far from normalised, per the data statistics. */
export function inputsLookUnnormalized(state: StreamState): UnnormalizedInputs | undefined {
  const inputs = state.dataStats?.inputs ?? [];
  for (let i = 0; i < inputs.length; i++) {
    const s = inputs[i];
    if (s.min === null || s.max === null || s.mean === null || s.std === null) continue;
    const maxAbs = Math.max(Math.abs(s.min), Math.abs(s.max));
    if (maxAbs > INPUT_MAX_ABS && Math.max(s.std, Math.abs(s.mean)) > INPUT_SCALE) {
      const pixelLike = s.min >= 0 && s.max <= 255 && s.max > 1 && s.integer !== false;
      return { index: i, min: s.min, max: s.max, mean: s.mean, std: s.std, pixelLike };
    }
  }
  return undefined;
}

/** Evidence of tfjs's clipped-cross-entropy stall: the loss ≈ 16.1 × the fraction wrong. */
export function clipStall(state: StreamState, ctx: ModelContext): EvidenceDraft {
  if (!ctx.losses().some((l) => /Crossentropy$/.test(l))) return {};
  const recent = state.recentSteps(20);
  const loss = median(finiteOnly(recent.map((r) => r.loss)));
  const acc = median(finiteOnly(recent.map((r) => r.acc)));
  if (!Number.isFinite(loss) || !Number.isFinite(acc) || acc >= 1) return {};
  const expected = CLIPPED_CROSS_ENTROPY * (1 - acc);
  return Math.abs(loss - expected) <= 0.15 * expected ? { loss, accuracy: acc, clippedLossEstimate: expected } : {};
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const out: Finding[] = [];
  const first = ctx.firstLayer();
  const line = ctx.fitLine() ?? first?.line;

  const bad = (state.dataStats?.inputs ?? []).findIndex((s) => (s.nonFinite ?? 0) > 0);
  if (bad >= 0) {
    const n = state.dataStats!.inputs[bad].nonFinite!;
    out.push(
      finding(state, {
        code: 'non-finite-inputs',
        key: `input-${bad}`,
        severity: 'error',
        text: [msg(n > 1 ? 'inputs.nonFiniteMany' : 'inputs.nonFiniteOne', { input: bad, count: n })],
        layers: first ? [first.name] : [],
        line,
        evidence: { input: bad, nonFinite: n },
        fixes: [removeBadValues(1)],
        explain: ['concept.normalization'],
      }),
    );
  }

  if (first && SELF_SCALING.has(first.className)) return out;
  const u = inputsLookUnnormalized(state);
  if (u) {
    out.push(
      finding(state, {
        code: 'inputs-not-normalized',
        key: `input-${u.index}`,
        severity: 'warning',
        text: [
          msg('inputs.range', {
            min: fmt(u.min),
            max: fmt(u.max),
            mean: fmt(u.mean),
            std: fmt(u.std),
            pixels: when(u.pixelLike, () => msg('inputs.pixels')),
          }),
        ],
        layers: first ? [first.name] : [],
        line,
        evidence: {
          input: u.index,
          min: u.min,
          max: u.max,
          mean: u.mean,
          std: u.std,
          pixelLike: u.pixelLike ? 1 : 0,
          ...clipStall(state, ctx),
        },
        fixes: u.pixelLike
          ? [rescaleInputs(ctx, u.max > 1 ? 255 : u.max, 1), standardizeInputs(2), batchNormFirst(ctx, 3)]
          : [standardizeInputs(1), batchNormFirst(ctx, 2)],
        explain: ['concept.normalization', 'layer.Rescaling'],
      }),
    );
    return out;
  }

  // No data statistics: the first layer's early outputs show the scale of what it was fed.
  if (!state.dataStats && first) {
    const key = state.probeOrder.find((n) => ctx.layer(n) === first);
    const early = key ? state.probeHistory(key).filter((p) => p.step <= FIRST_LAYER_PROBE_MAX_STEP) : [];
    const p = early[0];
    if (p && p.mean !== null && p.std !== null && Math.abs(p.mean) + p.std >= FIRST_LAYER_OUTPUT_SCALE) {
      out.push(
        finding(state, {
          code: 'inputs-not-normalized',
          key: 'input-0',
          severity: 'warning',
          text: [msg('inputs.firstLayer', { layer: first.name, mean: fmt(p.mean), std: fmt(p.std), step: p.step })],
          layers: [first.name],
          line,
          evidence: { firstLayerMean: p.mean, firstLayerStd: p.std, probeStep: p.step, ...clipStall(state, ctx) },
          fixes: [standardizeInputs(1), batchNormFirst(ctx, 2)],
          explain: ['concept.normalization'],
        }),
      );
    }
  }
  return out;
}

export const inputScale: Detector = {
  name: 'input-scale',
  codes: ['inputs-not-normalized', 'non-finite-inputs'],
  triggers: ['data-stats', 'activations', 'step'],
  detect,
};
