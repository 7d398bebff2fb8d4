/**
 * Vanishing gradients: the early layers' gradients are orders of magnitude smaller than those
 * of the layers after them, report after report. Each layer's gradient is taken per weight
 * (RMS = ‖g‖/√n when sizes are known, so a wide first layer is not favoured by its size) and
 * compared with the largest of any later layer.
 *
 * Zero gradients are left to `unchanged-weights` (a dead layer or a disconnected branch gives
 * exactly 0, which is another problem with other fixes). Measured on the recorded runs, the
 * smallest early/later ratio of a healthy network was ~5e-2 (MNIST MLP, Adam), a deep sigmoid
 * stack's 1e-6.
 */
import type { LayerInfo, ModelContext } from '../context';
import { finding, type Detector } from '../detector';
import { fmt, type Finding } from '../findings';
import { msg } from '../messages';
import { batchNormAfter, glorotInitialization, heInitialization, reluActivation, residualConnection } from '../fixes';
import { median } from '../numeric';
import type { StreamState } from '../state';

/**
 * A layer whose gradient RMS is below 1/1000 of the largest later layer's. Healthy networks
 * keep layers within one or two orders of magnitude of each other (ReLU, He/Glorot
 * initialisation); five saturating sigmoid layers already shrink gradients ~1000× (each
 * multiplies them by at most 0.25), which is where the first layers stop learning.
 */
export const VANISHING_RATIO = 1e-3;
/** Five orders of magnitude: the layer effectively does not train at all (error). */
export const VANISHING_SEVERE_RATIO = 1e-5;
/** Reports the ratio is read over (median): one noisy batch cannot fire it. */
export const VANISHING_WINDOW = 8;
/** Sustained: at least this many reports, and the ratio below the threshold in 3 of 4 of them. */
export const VANISHING_MIN_REPORTS = 5;
export const VANISHING_MIN_SHARE = 0.75;

const SATURATING = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign']);
const SPARSE_GRADIENTS = new Set(['Embedding']);

interface Row {
  info: LayerInfo;
  /** The name findings use (the graph's). */
  name: string;
  /** The stream's name (the state's key). */
  key: string;
  /** step → gradient scale */
  scale: Map<number, number>;
  grad: Map<number, number>;
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  if (state.reports < VANISHING_MIN_REPORTS) return [];
  const rows: Row[] = [];
  for (const name of state.layerOrder) {
    const hist = state.layerHistory(name).slice(-VANISHING_WINDOW);
    if (!hist.some((r) => r.trainable)) continue;
    const info = ctx.layer(name);
    rows.push({ info, name: info.name, key: name, scale: new Map(), grad: new Map() });
  }
  if (rows.length < 2) return [];
  rows.sort((a, b) => a.info.index - b.info.index);
  // Per-element scale only when every layer's size is known; else plain norms for all.
  const sizeOf = (r: Row): number | undefined => state.layerHistory(r.key).at(-1)?.size ?? r.info.trainableParams;
  const useRms = rows.every((r) => (sizeOf(r) ?? 0) > 0);
  for (const r of rows) {
    const n = useRms ? sizeOf(r)! : 1;
    for (const rec of state.layerHistory(r.key).slice(-VANISHING_WINDOW)) {
      if (rec.gradNorm === null || !rec.trainable) continue;
      r.grad.set(rec.step, rec.gradNorm);
      r.scale.set(rec.step, rec.gradNorm / Math.sqrt(n));
    }
  }
  const vanishing: { row: Row; ratio: number; later: number }[] = [];
  for (let i = 0; i < rows.length - 1; i++) {
    // An embedding's gradient touches only the rows the batch looked up: small per element by design.
    if (SPARSE_GRADIENTS.has(rows[i].info.className)) continue;
    const ratios: number[] = [];
    let laterGrad = 0;
    for (const [step, s] of rows[i].scale) {
      if (s <= 0) continue;
      let maxLater = 0;
      let maxLaterGrad = 0;
      for (let j = i + 1; j < rows.length; j++) {
        const v = rows[j].scale.get(step);
        if (v !== undefined && v > maxLater) {
          maxLater = v;
          maxLaterGrad = rows[j].grad.get(step) ?? 0;
        }
      }
      if (maxLater <= 0) continue;
      ratios.push(s / maxLater);
      laterGrad = maxLaterGrad;
    }
    if (ratios.length < VANISHING_MIN_REPORTS) continue;
    const m = median(ratios);
    const share = ratios.filter((x) => x < VANISHING_RATIO).length / ratios.length;
    if (m < VANISHING_RATIO && share >= VANISHING_MIN_SHARE) vanishing.push({ row: rows[i], ratio: m, later: laterGrad });
  }
  if (vanishing.length === 0) return [];

  const first = vanishing[0];
  const worst = Math.min(...vanishing.map((v) => v.ratio));
  const names = vanishing.map((v) => v.row.name);
  const hidden = rows.filter((r) => !r.info.isOutput);
  const saturating = hidden.filter((r) => r.info.activation !== undefined && SATURATING.has(r.info.activation) && !isRecurrent(r.info));
  const tinyInit = vanishing.filter((v) => tinyInitializer(v.row.info));
  const fixes = [
    ...(saturating.length > 0
      ? [
          reluActivation(
            saturating.map((r) => r.name),
            1,
          ),
        ]
      : []),
    ...(tinyInit.length > 0
      ? [
          (saturating.length > 0 ? glorotInitialization : heInitialization)(
            tinyInit.map((v) => v.row.name),
            saturating.length > 0 ? 2 : 1,
          ),
        ]
      : []),
    batchNormAfter(first.row.name, 3),
    residualConnection(4),
    ...(saturating.length === 0 && tinyInit.length === 0 ? [heInitialization(names, 2)] : []),
  ];
  const gradNorm = first.row.grad.size > 0 ? [...first.row.grad.values()].at(-1) : undefined;
  return [
    finding(state, {
      code: 'vanishing-gradient',
      key: 'model',
      severity: worst < VANISHING_SEVERE_RATIO ? 'error' : 'warning',
      text: [
        msg('vanishing.main', {
          layer: first.row.name,
          ratio: fmt(first.ratio),
          layers: msg(vanishing.length > 1 ? 'vanishing.earlyLayers' : 'vanishing.earlyLayer', { count: vanishing.length }),
          threshold: fmt(VANISHING_RATIO),
        }),
        ...(saturating.length > 0
          ? [msg(saturating.length > 1 ? 'vanishing.saturatingMany' : 'vanishing.saturatingOne', { count: saturating.length })]
          : []),
      ],
      layers: names,
      line: first.row.info.line,
      evidence: {
        ratio: first.ratio,
        worstRatio: worst,
        gradNorm,
        laterGradNorm: first.later,
        layersAffected: vanishing.length,
        reports: first.row.scale.size,
        perElement: useRms ? 1 : 0,
      },
      fixes,
      explain: ['concept.vanishingGradient', ...(saturating.length > 0 ? ['activation.sigmoid'] : []), 'concept.initialization'],
    }),
  ];
}

function isRecurrent(l: LayerInfo): boolean {
  return ['LSTM', 'GRU', 'SimpleRNN', 'ConvLSTM2D', 'Bidirectional'].includes(l.className);
}

/** A kernel initialiser configured with a small explicit scale (`randomNormal({stddev: 0.01})`, zeros). */
export function tinyInitializer(l: LayerInfo): boolean {
  const init = l.node?.config.kernelInitializer;
  if (init === 'zeros' || init === 'Zeros') return true;
  if (typeof init !== 'object' || init === null) return false;
  const cfg = ((init as { config?: unknown }).config ?? init) as Record<string, unknown>;
  for (const k of ['stddev', 'maxval', 'value']) {
    const v = cfg[k];
    if (typeof v === 'number' && Math.abs(v) < 0.05) return true;
  }
  const scale = cfg.scale;
  return typeof scale === 'number' && scale < 0.05;
}

export const vanishingGradient: Detector = {
  name: 'vanishing-gradient',
  codes: ['vanishing-gradient'],
  triggers: ['layer-stats'],
  detect,
};
