/**
 * Saturated sigmoid/tanh units: most of a hidden layer's outputs sit at the flat ends of a
 * squashing activation, where its derivative is nearly 0, probe after probe. Output layers
 * are left out: a sigmoid output of a confident, well-trained classifier is saturated by
 * design.
 */
import type { LayerInfo, ModelContext } from '../context';
import { finding, type Detector } from '../detector';
import { pct, type Finding } from '../findings';
import { msg } from '../messages';
import { batchNormAfter, glorotInitialization, lowerLearningRate, reluActivation, rescaleInputs, standardizeInputs } from '../fixes';
import type { ProbeRecord, StreamState } from '../state';
import { inputsLookUnnormalized } from './input-scale';

/**
 * Half the outputs within 1% of a bound. Healthy LSTMs were seen with up to ~22% of outputs
 * beyond 0.97 in magnitude (tfjs-facts.md), a looser cut than ours, so 50% leaves more than
 * twice that room; at 50% most units pass almost no gradient.
 */
export const SATURATION_FRACTION = 0.5;
/** Nearly every output pinned: the layer has stopped learning (error). */
export const SATURATION_SEVERE = 0.9;
/** Consecutive probes that must show it. */
export const SATURATION_SUSTAIN_PROBES = 2;

const SATURATING = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign']);
const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN', 'ConvLSTM2D']);

/**
 * A squashing activation: by the graph's activation, else the engine's, else a recurrent
 * layer (tanh by default), else by the values (the engine reports saturation only for bounded
 * activations, and the outputs stay within [−1, 1]).
 */
function saturating(info: LayerInfo, hist: ProbeRecord[]): boolean {
  const latest = hist[hist.length - 1];
  const act = info.activation ?? latest.activation;
  if (act !== undefined) return SATURATING.has(act);
  if (RECURRENT.has(latest.className)) return true;
  return hist.every((p) => p.min !== null && p.max !== null && p.min >= -1 && p.max <= 1) && hist.some((p) => (p.fracSaturated ?? 0) > 0);
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const out: Finding[] = [];
  for (const name of state.probeOrder) {
    const hist = state.probeHistory(name);
    if (hist.length < SATURATION_SUSTAIN_PROBES) continue;
    const latest = hist[hist.length - 1];
    const info = ctx.layer(name, latest.className);
    if (info.isOutput || !saturating(info, hist)) continue;
    const recent = hist.slice(-SATURATION_SUSTAIN_PROBES).map((p) => p.fracSaturated);
    if (!recent.every((f) => f !== null && f >= SATURATION_FRACTION)) continue;
    const frac = recent[recent.length - 1]!;
    const recurrent = RECURRENT.has(info.className);
    const data = inputsLookUnnormalized(state);
    const fixes = [
      ...(data ? [data.pixelLike ? rescaleInputs(ctx, data.max, 1) : standardizeInputs(1)] : []),
      ...(recurrent ? [] : [reluActivation([info.name], 2)]),
      glorotInitialization([info.name], 3),
      lowerLearningRate(ctx, 4),
      ...(recurrent ? [] : [batchNormAfter(previousLayer(state, ctx, info), 5)]),
    ];
    out.push(
      finding(state, {
        code: 'saturated-activation',
        key: info.name,
        severity: frac >= SATURATION_SEVERE ? 'error' : 'warning',
        text: [
          msg('saturation.main', {
            fraction: pct(frac),
            layer: info.name,
            activation: info.activation ?? latest.activation ?? info.className,
          }),
        ],
        layers: [info.name],
        line: info.line,
        evidence: { fracSaturated: frac, mean: latest.mean, std: latest.std, probes: hist.length },
        fixes,
        explain: [
          'concept.saturation',
          'concept.vanishingGradient',
          (info.activation ?? latest.activation) === 'sigmoid' ? 'activation.sigmoid' : 'activation.tanh',
        ],
      }),
    );
  }
  return out;
}

/** The layer just before `info` in model order (where a normalisation layer would go). */
function previousLayer(state: StreamState, ctx: ModelContext, info: LayerInfo): string | undefined {
  const before = state.layerOrder.map((n) => ctx.layer(n)).filter((l) => l.index < info.index);
  before.sort((a, b) => a.index - b.index);
  return before[before.length - 1]?.name;
}

export const saturatedActivation: Detector = {
  name: 'saturation',
  codes: ['saturated-activation'],
  triggers: ['activations'],
  detect,
};
