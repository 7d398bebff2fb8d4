/**
 * A training run as chart-ready columns, folded from protocol messages (src/protocol/worker.ts).
 * Pure (no Node, no DOM, no vscode): the training panel's page folds the live events with it,
 * and the extension host folds a run folder's JSONL files with it to reopen a past run or to
 * hand a reopened panel the history of the run that is going on.
 *
 *   steps      one row per `step` event: step, loss, learning rate, samples/s, elapsed ms,
 *              and each metric
 *   epochs     one row per `epoch` event: the step it ended at, mean loss/metrics, val_*
 *   layers     per layer (in the order they first report): gradient L2 norm, update/weight
 *              ratio, weight norm, non-finite counts, at the steps the worker sent statistics;
 *              a layer's variables (kernel, bias) are combined: ‖g‖ = √Σ‖g_i‖², and
 *              ‖Δw‖/‖w‖ = √Σ(r_i‖w_i‖)² / √Σ‖w_i‖²
 *   probes     per layer activation summaries (mean, std, zeros, saturation, histogram) at
 *              the probe steps
 *
 * Long runs stay bounded: statistics columns are merged pairwise (keeping the larger value,
 * so a spike survives) once there are more than MAX_STAT_COLUMNS, probe snapshots thinned to
 * MAX_PROBES. Scalar step series are kept whole up to MAX_STEPS rows, then merged pairwise.
 *
 * `snapshot()` is plain JSON (null for a missing or non-finite value); `RunSeries.from()`
 * rebuilds a store from one, and `runSnapshotSchema` (panel-protocol.ts) validates it.
 */
import type { WorkerMessage, WorkerMessageOf } from '../protocol/worker';

export const MAX_STAT_COLUMNS = 2048;
export const MAX_PROBES = 400;
export const MAX_STEPS = 2_000_000;

/** A growable column of float64 values; NaN stands for null. */
export class Column {
  data: Float64Array;
  length = 0;
  constructor(capacity = 256) {
    this.data = new Float64Array(capacity);
  }
  push(v: number | null | undefined): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v === null || v === undefined ? NaN : v;
  }
  get(i: number): number {
    return this.data[i];
  }
  last(): number {
    return this.length ? this.data[this.length - 1] : NaN;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
  toJSON(): Array<number | null> {
    const out = new Array<number | null>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = Number.isFinite(this.data[i]) ? this.data[i] : null;
    return out;
  }
  static of(values: ReadonlyArray<number | null>): Column {
    const c = new Column(Math.max(16, values.length));
    for (const v of values) c.push(v);
    return c;
  }
  /** Merges neighbours pairwise with `merge` (NaN-aware callers). */
  halve(merge: (a: number, b: number) => number): void {
    let j = 0;
    for (let i = 0; i < this.length; i += 2) this.data[j++] = i + 1 < this.length ? merge(this.data[i], this.data[i + 1]) : this.data[i];
    this.length = j;
  }
}

const keepLast = (_a: number, b: number) => b;
const nanMax = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));
const nanMean = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : (a + b) / 2);

export interface ProbePoint {
  mean: number | null;
  std: number | null;
  fracZero: number | null;
  fracSaturated: number | null;
  histogram: { min: number | null; max: number | null; counts: number[] };
}

export interface LayerSeries {
  name: string;
  className?: string;
  gradNorm: Column;
  updateRatio: Column;
  weightNorm: Column;
  /** NaN + Inf gradient entries seen at that step. */
  nonFinite: Column;
}

export interface ProbeSeries {
  name: string;
  className: string;
  /** Aligned with RunSeries.probeSteps; null where the layer reported nothing. */
  points: Array<ProbePoint | null>;
}

export type RunInfo = {
  hello?: WorkerMessageOf<'hello'>;
  backend?: WorkerMessageOf<'backend'>;
  model?: WorkerMessageOf<'model'>;
  dataset?: WorkerMessageOf<'dataset'>;
  compile?: WorkerMessageOf<'compile'>;
  run?: WorkerMessageOf<'run'>;
  state?: WorkerMessageOf<'state'>;
  done?: WorkerMessageOf<'done'>;
  saved?: WorkerMessageOf<'saved'>;
  errors: WorkerMessageOf<'error'>[];
  logs: WorkerMessageOf<'log'>[];
  /** 'batch' once activations came from the training step's forward pass (`activationsFrom: 'batch'`). */
  activationsFrom?: 'probe' | 'batch';
};

/** The JSON form of a RunSeries (what the extension sends the page). */
export interface RunSnapshot {
  info: RunInfo;
  steps: {
    step: Array<number | null>;
    epoch: Array<number | null>;
    loss: Array<number | null>;
    learningRate: Array<number | null>;
    samplesPerSec: Array<number | null>;
    elapsedMs: Array<number | null>;
    metrics: Record<string, Array<number | null>>;
  };
  epochs: {
    step: Array<number | null>;
    epoch: Array<number | null>;
    loss: Array<number | null>;
    valLoss: Array<number | null>;
    metrics: Record<string, Array<number | null>>;
  };
  statSteps: Array<number | null>;
  layers: Array<{
    name: string;
    className?: string;
    gradNorm: Array<number | null>;
    updateRatio: Array<number | null>;
    weightNorm: Array<number | null>;
    nonFinite: Array<number | null>;
  }>;
  probeSteps: number[];
  probes: ProbeSeries[];
}

const MAX_LOG_LINES = 200;

export class RunSeries {
  readonly info: RunInfo = { errors: [], logs: [] };
  // Steps
  readonly step = new Column(1024);
  readonly epochOfStep = new Column(1024);
  readonly loss = new Column(1024);
  readonly learningRate = new Column(1024);
  readonly samplesPerSec = new Column(1024);
  readonly elapsedMs = new Column(1024);
  readonly metrics = new Map<string, Column>();
  // Epochs
  readonly epochStep = new Column(64);
  readonly epoch = new Column(64);
  readonly epochLoss = new Column(64);
  readonly valLoss = new Column(64);
  readonly epochMetrics = new Map<string, Column>();
  // Layer statistics
  readonly statSteps = new Column(256);
  readonly layers: LayerSeries[] = [];
  private readonly layerIndex = new Map<string, number>();
  // Activation probes
  probeSteps: number[] = [];
  readonly probes: ProbeSeries[] = [];
  private readonly probeIndex = new Map<string, number>();
  /** Bumped on every change; the page redraws what changed since it last looked. */
  version = 0;
  /** The stride the statistics columns were thinned to (1: every report kept). */
  statStride = 1;

  static fromMessages(messages: Iterable<WorkerMessage>): RunSeries {
    const s = new RunSeries();
    for (const m of messages) s.add(m);
    return s;
  }

  add(m: WorkerMessage): void {
    this.version++;
    switch (m.type) {
      case 'hello':
      case 'backend':
      case 'model':
      case 'dataset':
      case 'compile':
      case 'run':
      case 'state':
      case 'done':
      case 'saved':
        (this.info as Record<string, unknown>)[m.type] = m;
        return;
      case 'error':
        this.info.errors.push(m);
        return;
      case 'log':
        this.info.logs.push(m);
        if (this.info.logs.length > MAX_LOG_LINES) this.info.logs.splice(0, this.info.logs.length - MAX_LOG_LINES);
        return;
      case 'step':
        return this.addStep(m);
      case 'epoch':
        return this.addEpoch(m);
      case 'layer-stats':
        return this.addStats(m);
      case 'activations':
        this.info.activationsFrom = m.source ?? 'probe';
        return this.addProbe(m);
    }
  }

  private addStep(m: WorkerMessageOf<'step'>): void {
    if (this.step.length >= MAX_STEPS) this.halveSteps();
    const n = this.step.length;
    this.step.push(m.step);
    this.epochOfStep.push(m.epoch);
    this.loss.push(m.loss);
    this.learningRate.push(m.learningRate);
    this.samplesPerSec.push(m.samplesPerSec);
    this.elapsedMs.push(m.elapsedMs);
    for (const [k, v] of Object.entries(m.metrics)) {
      let c = this.metrics.get(k);
      if (!c) {
        c = new Column(Math.max(1024, n + 1));
        for (let i = 0; i < n; i++) c.push(null);
        this.metrics.set(k, c);
      }
      c.push(v);
    }
    for (const [k, c] of this.metrics) if (!(k in m.metrics)) c.push(null);
  }

  private halveSteps(): void {
    for (const c of [this.step, this.epochOfStep, this.elapsedMs]) c.halve(keepLast);
    for (const c of [this.loss, this.learningRate, this.samplesPerSec, ...this.metrics.values()]) c.halve(nanMean);
  }

  private addEpoch(m: WorkerMessageOf<'epoch'>): void {
    const n = this.epochStep.length;
    this.epochStep.push(m.step);
    this.epoch.push(m.epoch);
    this.epochLoss.push(m.loss);
    this.valLoss.push(m.valLoss ?? null);
    const all = { ...m.metrics, ...(m.valMetrics ?? {}) };
    for (const [k, v] of Object.entries(all)) {
      let c = this.epochMetrics.get(k);
      if (!c) {
        c = new Column(64);
        for (let i = 0; i < n; i++) c.push(null);
        this.epochMetrics.set(k, c);
      }
      c.push(v);
    }
    for (const [k, c] of this.epochMetrics) if (!(k in all)) c.push(null);
  }

  private layer(name: string): LayerSeries {
    let i = this.layerIndex.get(name);
    if (i === undefined) {
      i = this.layers.length;
      this.layerIndex.set(name, i);
      const cols = this.statSteps.length;
      const make = () => {
        const c = new Column(Math.max(256, cols + 1));
        for (let j = 0; j < cols; j++) c.push(null);
        return c;
      };
      this.layers.push({ name, gradNorm: make(), updateRatio: make(), weightNorm: make(), nonFinite: make() });
    }
    return this.layers[i];
  }

  private addStats(m: WorkerMessageOf<'layer-stats'>): void {
    if (this.statSteps.length >= MAX_STAT_COLUMNS) {
      this.statSteps.halve(keepLast);
      for (const l of this.layers) {
        l.gradNorm.halve(nanMax);
        l.updateRatio.halve(nanMax);
        l.weightNorm.halve(keepLast);
        l.nonFinite.halve(nanMax);
      }
      this.statStride *= 2;
    }
    // Per layer: the sums over its variables.
    const acc = new Map<string, { g2: number; w2: number; d2: number; bad: boolean; badW: boolean; badU: boolean; nonFinite: number }>();
    for (const s of m.layers) {
      const a = acc.get(s.layer) ?? { g2: 0, w2: 0, d2: 0, bad: false, badW: false, badU: false, nonFinite: 0 };
      if (s.gradNorm === null) a.bad = true;
      else a.g2 += s.gradNorm * s.gradNorm;
      if (s.weightNorm === null) a.badW = true;
      else a.w2 += s.weightNorm * s.weightNorm;
      if (s.updateRatio === null || s.weightNorm === null) a.badU = true;
      else a.d2 += (s.updateRatio * s.weightNorm) ** 2;
      a.nonFinite += s.nanCount + s.infCount;
      acc.set(s.layer, a);
    }
    for (const name of acc.keys()) this.layer(name);
    this.statSteps.push(m.step);
    for (const l of this.layers) {
      const a = acc.get(l.name);
      if (!a) {
        l.gradNorm.push(null);
        l.updateRatio.push(null);
        l.weightNorm.push(null);
        l.nonFinite.push(null);
        continue;
      }
      l.gradNorm.push(a.bad || !Number.isFinite(a.g2) ? Infinity : Math.sqrt(a.g2));
      l.weightNorm.push(a.badW ? Infinity : Math.sqrt(a.w2));
      l.updateRatio.push(a.badU || a.w2 === 0 ? null : Math.sqrt(a.d2) / Math.sqrt(a.w2));
      l.nonFinite.push(a.nonFinite);
    }
  }

  private addProbe(m: WorkerMessageOf<'activations'>): void {
    if (this.probeSteps.length >= MAX_PROBES) {
      this.probeSteps = this.probeSteps.filter((_, i) => i % 2 === 1);
      for (const p of this.probes) p.points = p.points.filter((_, i) => i % 2 === 1);
    }
    const col = this.probeSteps.length;
    this.probeSteps.push(m.step);
    const seen = new Set<string>();
    for (const a of m.layers) {
      let i = this.probeIndex.get(a.layer);
      if (i === undefined) {
        i = this.probes.length;
        this.probeIndex.set(a.layer, i);
        this.probes.push({ name: a.layer, className: a.className, points: new Array(col).fill(null) });
      }
      const l = this.layers[this.layerIndex.get(a.layer) ?? -1];
      if (l) l.className ??= a.className;
      seen.add(a.layer);
      this.probes[i].points.push({
        mean: a.mean,
        std: a.std,
        fracZero: a.fracZero,
        fracSaturated: a.fracSaturated,
        histogram: a.histogram,
      });
    }
    for (const p of this.probes) if (!seen.has(p.name)) p.points.push(null);
  }

  /** Non-finite values are kept: Infinity marks a gradient or weight norm that overflowed. */
  snapshot(): RunSnapshot {
    const metricCols = (map: Map<string, Column>) => Object.fromEntries([...map].map(([k, c]) => [k, c.toJSON()]));
    const inf = (c: Column) => {
      // Infinity (an overflowed norm) is sent as a very large number: JSON has no Infinity.
      const out = c.toJSON();
      for (let i = 0; i < c.length; i++) if (c.get(i) === Infinity) out[i] = Number.MAX_VALUE;
      return out;
    };
    return {
      info: this.info,
      steps: {
        step: this.step.toJSON(),
        epoch: this.epochOfStep.toJSON(),
        loss: this.loss.toJSON(),
        learningRate: this.learningRate.toJSON(),
        samplesPerSec: this.samplesPerSec.toJSON(),
        elapsedMs: this.elapsedMs.toJSON(),
        metrics: metricCols(this.metrics),
      },
      epochs: {
        step: this.epochStep.toJSON(),
        epoch: this.epoch.toJSON(),
        loss: this.epochLoss.toJSON(),
        valLoss: this.valLoss.toJSON(),
        metrics: metricCols(this.epochMetrics),
      },
      statSteps: this.statSteps.toJSON(),
      layers: this.layers.map((l) => ({
        name: l.name,
        ...(l.className ? { className: l.className } : {}),
        gradNorm: inf(l.gradNorm),
        updateRatio: l.updateRatio.toJSON(),
        weightNorm: inf(l.weightNorm),
        nonFinite: l.nonFinite.toJSON(),
      })),
      probeSteps: this.probeSteps,
      probes: this.probes,
    };
  }

  static from(s: RunSnapshot): RunSeries {
    const r = new RunSeries();
    Object.assign(r.info, s.info);
    const fill = (c: Column, v: ReadonlyArray<number | null>) => {
      for (const x of v) c.push(x);
    };
    const big = (v: ReadonlyArray<number | null>) => v.map((x) => (x === Number.MAX_VALUE ? Infinity : x));
    fill(r.step, s.steps.step);
    fill(r.epochOfStep, s.steps.epoch);
    fill(r.loss, s.steps.loss);
    fill(r.learningRate, s.steps.learningRate);
    fill(r.samplesPerSec, s.steps.samplesPerSec);
    fill(r.elapsedMs, s.steps.elapsedMs);
    for (const [k, v] of Object.entries(s.steps.metrics)) r.metrics.set(k, Column.of(v));
    fill(r.epochStep, s.epochs.step);
    fill(r.epoch, s.epochs.epoch);
    fill(r.epochLoss, s.epochs.loss);
    fill(r.valLoss, s.epochs.valLoss);
    for (const [k, v] of Object.entries(s.epochs.metrics)) r.epochMetrics.set(k, Column.of(v));
    fill(r.statSteps, s.statSteps);
    for (const l of s.layers) {
      r.layerIndex.set(l.name, r.layers.length);
      r.layers.push({
        name: l.name,
        ...(l.className ? { className: l.className } : {}),
        gradNorm: Column.of(big(l.gradNorm)),
        updateRatio: Column.of(l.updateRatio),
        weightNorm: Column.of(big(l.weightNorm)),
        nonFinite: Column.of(l.nonFinite),
      });
    }
    r.probeSteps = [...s.probeSteps];
    for (const p of s.probes) {
      r.probeIndex.set(p.name, r.probes.length);
      r.probes.push({ name: p.name, className: p.className, points: [...p.points] });
    }
    r.version = 1;
    return r;
  }

  /** The last step's numbers, for the header line. */
  latest(): { step: number; loss: number | null; samplesPerSec: number | null; elapsedMs: number | null } | undefined {
    const n = this.step.length;
    if (!n) return undefined;
    const f = (c: Column) => (Number.isFinite(c.get(n - 1)) ? c.get(n - 1) : null);
    return { step: this.step.get(n - 1), loss: f(this.loss), samplesPerSec: f(this.samplesPerSec), elapsedMs: f(this.elapsedMs) };
  }

  /** Steps per second over the last `window` step events (null before two). */
  stepsPerSecond(window = 20): number | null {
    const n = this.step.length;
    if (n < 2) return null;
    const a = Math.max(0, n - 1 - window);
    const dt = this.elapsedMs.get(n - 1) - this.elapsedMs.get(a);
    const ds = this.step.get(n - 1) - this.step.get(a);
    return dt > 0 && ds > 0 ? (ds * 1000) / dt : null;
  }
}

/** Seconds left, from the recent speed (null when unknown). */
export function etaSeconds(series: RunSeries): number | null {
  const total = series.info.run?.totalSteps;
  const last = series.latest();
  const sps = series.stepsPerSecond();
  if (!total || !last || !sps) return null;
  return Math.max(0, (total - last.step) / sps);
}
