/**
 * The bounded memory of a run that the detectors read: rolling windows of the latest steps,
 * layer statistics, probes and epochs, plus a few fixed summaries of the start of the run
 * (the first losses, the first gradient norms) and of its extremes (the best validation
 * loss, the first non-finite value). Memory does not grow with the length of the run: every
 * list is a ring of fixed capacity, and per-layer rings exist once per layer.
 */
import { fin, type HealthEvent, type LayerWeightStat, type MaybeNum } from './stream';
import { Ring } from './numeric';

/** Steps kept (loss, accuracy, learning rate): the longest window any detector reads is 200. */
export const STEP_WINDOW = 256;
/** Steps kept from the start of the run: the "initial loss" is the median of the first ones. */
export const FIRST_STEPS_KEPT = 20;
/** Layer-statistics reports kept per layer. */
export const LAYER_WINDOW = 32;
/** Probe reports kept per layer. */
export const PROBE_WINDOW = 8;
/** Epochs kept. */
export const EPOCH_WINDOW = 128;
/** Gradient-norm reports kept from the start (the baseline of growth). */
export const FIRST_REPORTS_KEPT = 5;

export interface StepRecord {
  step: number;
  epoch: number;
  loss: number | null;
  /** Training accuracy of the batch, when a metric of that kind is logged. */
  acc: number | null;
  lr: number | null;
}

/** One layer at one report, its weights combined. */
export interface LayerRecord {
  step: number;
  /** L2 norm of the gradients of the layer's trainable weights; null when none was reported or one was non-finite. */
  gradNorm: number | null;
  gradMaxAbs: number | null;
  weightNorm: number | null;
  /** ‖Δw‖ / ‖w‖ over all its weights; null when not computable. */
  updateRatio: number | null;
  /** Non-finite gradient entries, plus 1 per gradient or weight norm that was sent as null. */
  nonFinite: number;
  /** Some weight of it is trained by the optimizer. */
  trainable: boolean;
  /** Elements of its trainable weights, when every one reported its size. */
  size?: number;
}

export interface ProbeRecord {
  step: number;
  className: string;
  activation?: string;
  /** Smallest and largest value seen (from the histogram). */
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  fracZero: number | null;
  fracSaturated: number | null;
  deadFraction: number | null;
  units?: number;
}

export interface EpochRecord {
  epoch: number;
  step: number;
  loss: number | null;
  acc: number | null;
  valLoss: number | null;
  valAcc: number | null;
}

/** Metric keys tfjs logs for accuracy (`metrics: ['accuracy']` logs `acc`). */
const ACCURACY_KEYS = [
  'acc',
  'accuracy',
  'categoricalAccuracy',
  'binaryAccuracy',
  'sparseCategoricalAccuracy',
  'categorical_accuracy',
  'binary_accuracy',
  'sparse_categorical_accuracy',
];

export function accuracyOf(metrics: Record<string, MaybeNum> | undefined): number | null {
  if (!metrics) return null;
  for (const k of ACCURACY_KEYS) if (k in metrics) return fin(metrics[k]);
  for (const k of ACCURACY_KEYS) if (`val_${k}` in metrics) return fin(metrics[`val_${k}`]);
  return null;
}

export class StreamState {
  /** The latest optimizer step seen in any event. */
  step = 0;
  stepEvents = 0;
  readonly steps = new Ring<StepRecord>(STEP_WINDOW);
  readonly firstSteps: StepRecord[] = [];
  /** First step whose loss was finite and negative (a cross-entropy can never be). */
  firstNegativeLoss?: { step: number; loss: number };
  /** First step whose loss was non-finite, and the last finite loss before it. */
  firstNonFiniteLoss?: { step: number; lastFinite: number | null };

  reports = 0;
  readonly layers = new Map<string, Ring<LayerRecord>>();
  /** Layer names in the order first reported (the optimizer's variable order). */
  readonly layerOrder: string[] = [];
  /** Global gradient norm of each of the first reports, and of recent ones. */
  readonly firstTotalGradNorms: { step: number; norm: number }[] = [];
  readonly totalGradNorms = new Ring<{ step: number; norm: number | null }>(LAYER_WINDOW);
  /** First report with a non-finite gradient or weight: the step and the layers. */
  firstNonFinite?: { step: number; layers: string[]; nanCount: number; infCount: number; lastFiniteNorm?: number; peakNorm?: number };

  probes = 0;
  readonly activations = new Map<string, Ring<ProbeRecord>>();
  readonly probeOrder: string[] = [];

  readonly epochs = new Ring<EpochRecord>(EPOCH_WINDOW);
  bestVal?: { valLoss: number; epoch: number; step: number; trainLoss: number | null };

  model?: Extract<HealthEvent, { type: 'model' }>;
  compile?: Extract<HealthEvent, { type: 'compile' }>;
  dataset?: Extract<HealthEvent, { type: 'dataset' }>;
  dataStats?: Extract<HealthEvent, { type: 'data-stats' }>;
  run?: Extract<HealthEvent, { type: 'run' }>;
  readonly errors = new Ring<Extract<HealthEvent, { type: 'error' }>>(16);
  done?: Extract<HealthEvent, { type: 'done' }>;

  observe(e: HealthEvent): void {
    switch (e.type) {
      case 'step':
        return this.onStep(e);
      case 'layer-stats':
        return this.onLayerStats(e.step, e.layers);
      case 'activations': {
        this.advance(e.step);
        this.probes++;
        for (const a of e.layers) {
          let ring = this.activations.get(a.layer);
          if (!ring) {
            this.activations.set(a.layer, (ring = new Ring(PROBE_WINDOW)));
            this.probeOrder.push(a.layer);
          }
          ring.push({
            step: e.step,
            className: a.className,
            activation: a.activation,
            min: fin(a.histogram?.min),
            max: fin(a.histogram?.max),
            mean: fin(a.mean),
            std: fin(a.std),
            fracZero: fin(a.fracZero),
            fracSaturated: fin(a.fracSaturated),
            deadFraction: fin(a.deadFraction),
            units: a.units,
          });
        }
        return;
      }
      case 'epoch': {
        this.advance(e.step);
        const rec: EpochRecord = {
          epoch: e.epoch,
          step: e.step,
          loss: fin(e.loss),
          acc: accuracyOf(e.metrics),
          valLoss: fin(e.valLoss),
          valAcc: accuracyOf(e.valMetrics),
        };
        this.epochs.push(rec);
        if (rec.valLoss !== null && (!this.bestVal || rec.valLoss < this.bestVal.valLoss)) {
          this.bestVal = { valLoss: rec.valLoss, epoch: rec.epoch, step: rec.step, trainLoss: rec.loss };
        }
        return;
      }
      case 'compile':
        this.compile = e;
        return;
      case 'dataset':
        this.dataset = e;
        return;
      case 'data-stats':
        this.dataStats = e;
        return;
      case 'run':
        this.run = e;
        return;
      case 'error':
        if (e.step !== undefined) this.advance(e.step);
        this.errors.push(e);
        return;
      case 'done':
        this.advance(e.steps);
        this.done = e;
        return;
      case 'model':
        this.model = e;
        return;
    }
  }

  /** Step records oldest first (at most STEP_WINDOW). */
  recentSteps(n = STEP_WINDOW): StepRecord[] {
    return this.steps.last(n);
  }

  layerHistory(name: string): LayerRecord[] {
    return this.layers.get(name)?.toArray() ?? [];
  }

  probeHistory(name: string): ProbeRecord[] {
    return this.activations.get(name)?.toArray() ?? [];
  }

  private advance(step: number): void {
    if (Number.isFinite(step) && step > this.step) this.step = step;
  }

  private onStep(e: Extract<HealthEvent, { type: 'step' }>): void {
    this.advance(e.step);
    this.stepEvents++;
    const loss = fin(e.loss);
    const rec: StepRecord = { step: e.step, epoch: e.epoch, loss, acc: accuracyOf(e.metrics), lr: fin(e.learningRate) };
    this.steps.push(rec);
    if (this.firstSteps.length < FIRST_STEPS_KEPT) this.firstSteps.push(rec);
    if (loss !== null && loss < 0 && !this.firstNegativeLoss) this.firstNegativeLoss = { step: e.step, loss };
    if (loss === null && !this.firstNonFiniteLoss) {
      const prev = this.steps.last(2)[0];
      this.firstNonFiniteLoss = { step: e.step, lastFinite: prev && prev !== rec ? prev.loss : null };
    }
  }

  private onLayerStats(step: number, stats: LayerWeightStat[]): void {
    this.advance(step);
    this.reports++;
    const byLayer = new Map<string, LayerWeightStat[]>();
    for (const s of stats) byLayer.set(s.layer, [...(byLayer.get(s.layer) ?? []), s]);
    const bad: string[] = [];
    let nan = 0;
    let inf = 0;
    let total2 = 0;
    let totalOk = true;
    for (const [name, ws] of byLayer) {
      const rec = combine(step, ws);
      let ring = this.layers.get(name);
      if (!ring) {
        this.layers.set(name, (ring = new Ring(LAYER_WINDOW)));
        this.layerOrder.push(name);
      }
      ring.push(rec);
      if (rec.nonFinite > 0) {
        bad.push(name);
        for (const w of ws) {
          nan += w.nanCount;
          inf += w.infCount;
        }
      }
      if (rec.trainable) {
        if (rec.gradNorm === null) {
          if (rec.nonFinite > 0) totalOk = false;
        } else total2 += rec.gradNorm ** 2;
      }
    }
    const total = totalOk ? Math.sqrt(total2) : null;
    if (bad.length > 0 && !this.firstNonFinite) {
      // Frozen at first sight: the window will soon hold only non-finite reports.
      const finite = this.totalGradNorms.toArray().flatMap((r) => (r.norm === null ? [] : [r.norm]));
      this.firstNonFinite = {
        step,
        layers: bad,
        nanCount: nan,
        infCount: inf,
        lastFiniteNorm: finite.at(-1),
        peakNorm: finite.length > 0 ? Math.max(...finite) : undefined,
      };
    }
    this.totalGradNorms.push({ step, norm: total });
    if (total !== null && this.firstTotalGradNorms.length < FIRST_REPORTS_KEPT) this.firstTotalGradNorms.push({ step, norm: total });
  }
}

/** One layer's weights at one report, combined into a layer record. */
function combine(step: number, ws: LayerWeightStat[]): LayerRecord {
  const trained = ws.filter((w) => w.trainable !== false);
  let g2 = 0;
  let anyGrad = false;
  let gradOk = true;
  let maxAbs: number | null = null;
  let nonFinite = 0;
  for (const w of trained) {
    // A trained weight's gradient norm is null only when it was NaN/±Infinity (the protocol's
    // convention); a weight with no gradient at all (a disconnected branch) reports 0.
    nonFinite += w.nanCount + w.infCount + (w.gradNorm === null && w.nanCount + w.infCount === 0 ? 1 : 0);
    const g = fin(w.gradNorm);
    if (g === null) gradOk = false;
    if (g !== null) {
      g2 += g * g;
      anyGrad = true;
    }
    const m = fin(w.gradMaxAbs);
    if (m !== null) maxAbs = Math.max(maxAbs ?? 0, m);
  }
  let w2 = 0;
  let d2 = 0;
  let ratioOk = ws.length > 0;
  let weightOk = true;
  for (const w of ws) {
    const n = fin(w.weightNorm);
    if (n === null) {
      if (w.weightNorm === null) {
        weightOk = false;
        nonFinite += 1;
      }
      ratioOk = false;
      continue;
    }
    const r = fin(w.updateRatio);
    w2 += n * n;
    if (r === null) {
      // A zero-norm weight (a bias at its zero start) has no ratio; its change is unknown but small.
      if (n > 0) ratioOk = false;
    } else d2 += (r * n) ** 2;
  }
  const sizes = trained.map((w) => w.size);
  return {
    step,
    gradNorm: gradOk && anyGrad ? Math.sqrt(g2) : null,
    gradMaxAbs: maxAbs,
    weightNorm: weightOk ? Math.sqrt(w2) : null,
    updateRatio: ratioOk && w2 > 0 ? Math.sqrt(d2) / Math.sqrt(w2) : null,
    nonFinite,
    trainable: trained.length > 0,
    size: sizes.length > 0 && sizes.every((s) => typeof s === 'number') ? sizes.reduce((a, b) => a! + b!, 0) : undefined,
  };
}
