/**
 * Training instrumentation: small summaries of each optimizer step and of the layers' outputs.
 *
 * Gradients: every optimizer class's `applyGradients` is wrapped (they each override it),
 * so `model.fit`, `fitDataset`, `trainOnBatch` and custom loops calling `minimize` or
 * `applyGradients` are all seen. Per variable: gradient L2 norm and max |g|, weight norm,
 * ‖Δw‖/‖w‖ of the update, NaN and Inf counts.
 *
 * Activations: every N steps the model runs on a fixed probe batch (inference mode) and
 * each layer's output is summarised: mean, std, fraction of zeros, fraction saturated, and
 * a histogram. Or, with `activationsFrom: 'batch'`, the same summaries of the outputs of the
 * training step's own forward pass (`BatchActivationTap`), which costs no pass of its own.
 *
 * Where the summaries are computed (`summaryPlace`): on the cpu and wasm backends the tensors
 * are read in place (`hostView`) and summarised by one or two passes of JavaScript
 * (instrument-host.ts) — those
 * backends run every kernel on this thread, where the engine's bookkeeping of the twenty-odd
 * small kernels per variable or layer cost more than the arithmetic. On the other backends
 * (tfjs-node, GPUs) they are computed with tf ops into one small tensor per step, read with
 * `data()` (asynchronous) so the next step is not held up; reading every gradient back would
 * be a transfer. Both give the same figures, float32 semantics included. A gradient histogram
 * counts at most HISTOGRAM_VALUES values of a variable, the same ones on both.
 */
import type { ActivationStat, Histogram, LayerStat } from '../../protocol/worker';
import { finite } from '../../protocol/worker';
import type { TF } from './backend';
import { hostActivation, hostHistogram, scanGradient, scanUpdate, sumSquares } from './instrument-host';

type Tensor = ReturnType<TF['tensor']>;
type NamedGrads = Record<string, Tensor> | { name: string; tensor: Tensor }[];
type LayersModel = ReturnType<TF['model']>;

export const OPTIMIZER_CLASSES = [
  'SGDOptimizer',
  'MomentumOptimizer',
  'AdagradOptimizer',
  'AdadeltaOptimizer',
  'AdamOptimizer',
  'AdamaxOptimizer',
  'RMSPropOptimizer',
] as const;

export interface GradientHookListener {
  /** Whether to compute statistics for this optimizer step (1-based). */
  wantStats(step: number): boolean;
  wantHistograms(step: number): boolean;
  /** Variable name → the layer that owns it (defaults to the name before the last '/'). */
  layerOf?(variable: string): string;
  /**
   * Every weight of the model. Those the optimizer does not see at a step are reported too:
   * a frozen weight (`trainable: false`) from snapshots taken the step before (its norm and
   * ‖Δw‖/‖w‖: 0 when frozen, the moving statistics of a batch normalisation move), and a
   * trainable weight that got no gradient (a branch cut off from the loss) with gradient and
   * update 0 — the optimizer only touches the variables it was given gradients for.
   */
  weights?(): ModelWeight[];
  onStats(step: number, layers: LayerStat[]): void;
  /** A step's statistics could not be computed or read (never stops training). */
  onError?(error: Error): void;
}

export interface ModelWeight {
  /** The variable's name (the key of the optimizer's gradient map). */
  name: string;
  layer: string;
  variable: Tensor;
  trainable: boolean;
}

/** Where statistics are computed: with tf ops on the backend, or read back and summarised in JavaScript. */
export type SummaryPlace = 'device' | 'host';

/** 'host' on the backends whose tensors live in this process's memory and whose kernels run on this thread. */
export function summaryPlace(tf: TF): SummaryPlace {
  const name = tf.getBackend();
  return name === 'cpu' || name === 'wasm' ? 'host' : 'device';
}

const WRAPPED = Symbol.for('layer-lens.applyGradients');

/** Summary statistics per variable: [g², max|g|, w², Δw², NaN, Inf]. */
const K = 6;

/**
 * Wraps `applyGradients` of every optimizer class of this tf namespace. Returns the
 * uninstall function. Only one listener at a time (a second install replaces it).
 * `place` overrides `summaryPlace(tf)` (tests compare the two).
 */
export function installGradientHook(
  tf: TF,
  listener: GradientHookListener,
  bins = 20,
  place?: SummaryPlace,
): { uninstall(): void; pending(): Promise<void>; steps(): number } {
  let step = 0;
  const inflight = new Set<Promise<void>>();
  const restore: (() => void)[] = [];
  // Frozen weights at the end of the step before a statistics step (the optimizer never sees them):
  // a tensor, or its values when the statistics are computed on the host.
  const snapshots = new Map<string, Tensor | Float32Array>();
  const dropSnapshots = () => {
    for (const t of snapshots.values()) if (!(t instanceof Float32Array)) t.dispose();
    snapshots.clear();
  };
  const takeSnapshots = () => {
    dropSnapshots();
    const host = (place ?? summaryPlace(tf)) === 'host';
    for (const w of listener.weights?.() ?? []) {
      if (!w.trainable && !w.variable.isDisposed) snapshots.set(w.name, host ? readFloats(w.variable) : tf.keep(w.variable.clone()));
    }
  };
  const track = (read: Promise<void>) => {
    const p: Promise<void> = read.catch((e) => listener.onError?.(e as Error)).finally(() => inflight.delete(p));
    inflight.add(p);
  };
  if (listener.wantStats(1)) takeSnapshots();
  const ns = tf as unknown as Record<string, { prototype: Record<string | symbol, unknown> } | undefined>;
  for (const cls of OPTIMIZER_CLASSES) {
    const proto = ns[cls]?.prototype;
    if (!proto || !Object.prototype.hasOwnProperty.call(proto, 'applyGradients')) continue;
    const original = proto.applyGradients as ((this: unknown, g: NamedGrads) => void) & { [WRAPPED]?: unknown };
    const base = (original[WRAPPED] as typeof original | undefined) ?? original;
    const wrapped = function (this: unknown, grads: NamedGrads): void {
      step++;
      const s = step;
      if (!listener.wantStats(s)) {
        base.call(this, grads);
        if (listener.wantStats(s + 1)) takeSnapshots();
        return;
      }
      const entries: [string, Tensor][] = Array.isArray(grads) ? grads.map((g) => [g.name, g.tensor]) : Object.entries(grads);
      const vars = tf.engine().registeredVariables as Record<string, Tensor>;
      const named = entries.filter(([name, g]) => g && vars[name]);
      const seen = new Set(named.map(([name]) => name));
      const others = (listener.weights?.() ?? []).filter((w) => !seen.has(w.name) && !w.variable.isDisposed);
      const hist = listener.wantHistograms(s);
      const names = named.map(([n]) => n);
      const sizes = named.map(([n]) => vars[n].size);
      if ((place ?? summaryPlace(tf)) === 'host') hostStep(this, grads);
      else deviceStep(this, grads);

      function hostStep(self: unknown, g: NamedGrads): void {
        // Summarised now, on views of the backend's memory: the gradients are disposed by the
        // caller right after this returns, and the weights before the update are kept by one
        // more reference to their buffers (`sharedCopy`), which the update replaces.
        let layers: LayerStat[] | undefined;
        let gs: ReturnType<typeof scanGradient>[] | undefined;
        let hists: (Histogram | undefined)[] | undefined;
        let before: Tensor[] = [];
        try {
          gs = [];
          hists = [];
          for (const [, t] of named) {
            const v = hostView(tf, t);
            const scan = scanGradient(v, hist);
            gs.push(scan);
            hists.push(hist ? hostHistogram(v, scan.min, scan.max, bins, scan.nan + scan.inf > 0, histogramStride(t)) : undefined);
          }
          before = named.map(([name]) => sharedCopy(tf, vars[name]));
        } catch (e) {
          gs = undefined;
          listener.onError?.(e as Error);
        }
        base.call(self, g);
        try {
          if (gs && hists) {
            const [g0, h0] = [gs, hists];
            layers = names.map((name, i): LayerStat => {
              const [w2, d2] = scanUpdate(hostView(tf, vars[name]), hostView(tf, before[i]));
              const stat = gradientStat(listener, name, [g0[i].g2, g0[i].gmax, w2, d2, g0[i].nan, g0[i].inf], sizes[i]);
              if (h0[i]) stat.gradHistogram = h0[i];
              return stat;
            });
            for (const w of others) {
              const now = hostView(tf, w.variable);
              const snap = snapshots.get(w.name);
              const w2 = sumSquares(now);
              const d2 = w.trainable ? 0 : snap ? scanUpdate(now, snap instanceof Float32Array ? snap : readFloats(snap))[1] : -1;
              layers.push(otherStat(w, w2, d2));
            }
          }
        } catch (e) {
          layers = undefined;
          listener.onError?.(e as Error);
        } finally {
          for (const t of before) t.dispose();
        }
        if (listener.wantStats(s + 1)) takeSnapshots();
        else dropSnapshots();
        if (!layers) return;
        const l0 = layers;
        track(Promise.resolve().then(() => listener.onStats(s, l0)));
      }

      function deviceStep(self: unknown, g: NamedGrads): void {
        const before = named.map(([name]) => tf.keep(vars[name].clone()));
        // Gradients are disposed by the caller right after this returns: summarise them first.
        let gradPart: Tensor | undefined;
        let histPart: Tensor | undefined;
        try {
          gradPart = tf.keep(
            tf.tidy(() =>
              tf.stack(
                named.map(([, g]) => {
                  const f = g.toFloat();
                  return tf.stack([f.square().sum(), f.abs().max(), tf.isNaN(f).toFloat().sum(), tf.isInf(f).toFloat().sum()]);
                }),
              ),
            ),
          );
          if (hist) histPart = tf.keep(tf.tidy(() => tf.stack(named.map(([, g]) => histogramTensor(tf, g, bins, histogramStride(g))))));
        } catch (e) {
          listener.onError?.(e as Error);
        }
        base.call(self, g);
        let out: Tensor | undefined;
        try {
          if (gradPart) {
            const gp = gradPart;
            out = tf.keep(
              tf.tidy(() => {
                const w = tf.stack(
                  named.map(([name], i) => tf.stack([vars[name].square().sum(), vars[name].sub(before[i]).square().sum()])),
                );
                return tf.concat([gp.slice([0, 0], [-1, 2]), w, gp.slice([0, 2], [-1, 2])], 1);
              }),
            );
          }
        } catch (e) {
          listener.onError?.(e as Error);
        } finally {
          for (const t of before) t.dispose();
          gradPart?.dispose();
        }
        // The weights the optimizer did not see: [w², Δw² since the snapshot, or -1 when there is none].
        let otherPart: Tensor | undefined;
        try {
          if (others.length > 0) {
            otherPart = tf.keep(
              tf.tidy(() =>
                tf.stack(
                  others.map((w) => {
                    const snap = snapshots.get(w.name);
                    const d2 = w.trainable
                      ? tf.scalar(0)
                      : snap
                        ? w.variable
                            .sub(snap instanceof Float32Array ? tf.tensor(snap, w.variable.shape) : snap)
                            .square()
                            .sum()
                        : tf.scalar(-1);
                    return tf.stack([w.variable.square().sum(), d2]);
                  }),
                ),
              ),
            );
          }
        } catch (e) {
          listener.onError?.(e as Error);
        }
        if (listener.wantStats(s + 1)) takeSnapshots();
        else dropSnapshots();
        if (!out) {
          histPart?.dispose();
          otherPart?.dispose();
          return;
        }
        const o0 = out;
        track(
          Promise.all([
            o0.data(),
            histPart ? histPart.data() : Promise.resolve(undefined),
            otherPart ? otherPart.data() : Promise.resolve(undefined),
          ])
            .then(([v, h, o]) => {
              const layers = names.map((name, i): LayerStat => {
                const stat = gradientStat(listener, name, Array.from(v.subarray(i * K, i * K + K)), sizes[i]);
                if (h) stat.gradHistogram = readHistogram(h as Float32Array, i * (bins + 2), bins);
                return stat;
              });
              if (o) others.forEach((w, i) => layers.push(otherStat(w, o[2 * i], o[2 * i + 1])));
              listener.onStats(s, layers);
            })
            .finally(() => {
              o0.dispose();
              histPart?.dispose();
              otherPart?.dispose();
            }),
        );
      }
    };
    (wrapped as unknown as Record<symbol, unknown>)[WRAPPED] = base;
    proto.applyGradients = wrapped;
    restore.push(() => {
      proto.applyGradients = base;
    });
  }
  return {
    uninstall: () => {
      restore.forEach((r) => r());
      dropSnapshots();
    },
    pending: async () => {
      while (inflight.size) await Promise.all([...inflight]);
    },
    steps: () => step,
  };
}

/** A variable's statistics from [g², max|g|, w², Δw², NaN, Inf]. */
function gradientStat(listener: GradientHookListener, name: string, v: number[], size: number): LayerStat {
  const [g2, gmax, w2, d2, nan, inf] = v;
  return {
    layer: listener.layerOf?.(name) ?? layerFromVariable(name),
    weight: name,
    gradNorm: finite(Math.sqrt(g2)),
    gradMaxAbs: finite(gmax),
    weightNorm: finite(Math.sqrt(w2)),
    updateRatio: w2 > 0 ? finite(Math.sqrt(d2) / Math.sqrt(w2)) : null,
    nanCount: Math.round(nan),
    infCount: Math.round(inf),
    size,
  };
}

/** A weight the optimizer did not see: w², and Δw² since the snapshot (-1: none). */
function otherStat(w: ModelWeight, w2: number, d2: number): LayerStat {
  return {
    layer: w.layer,
    weight: w.name,
    gradNorm: w.trainable ? 0 : null,
    gradMaxAbs: w.trainable ? 0 : null,
    weightNorm: finite(Math.sqrt(w2)),
    updateRatio: d2 < 0 ? null : w2 > 0 ? finite(Math.sqrt(d2) / Math.sqrt(w2)) : d2 === 0 ? 0 : null,
    nanCount: 0,
    infCount: 0,
    ...(w.trainable ? {} : { trainable: false }),
    size: w.variable.size,
  };
}

/**
 * A float32 tensor's values without a copy, to be read before anything else runs on the
 * backend: a view of the wasm backend's memory (which a later allocation may move or reuse),
 * the cpu backend's own array; a copy elsewhere.
 */
export function hostView(tf: TF, t: Tensor): Float32Array {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?(t: Tensor): Float32Array };
  if (t.dtype === 'float32' && typeof backend.typedArrayFromHeap === 'function') return backend.typedArrayFromHeap(t);
  return readFloats(t);
}

/** A tensor's values as float32: a copy on wasm, the backend's own (never rewritten) array on cpu. */
function readFloats(t: Tensor): Float32Array {
  const v = t.dataSync();
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}

/** `dense_Dense1/kernel` → `dense_Dense1`. */
export function layerFromVariable(name: string): string {
  const i = name.lastIndexOf('/');
  return i > 0 ? name.slice(0, i) : name;
}

/**
 * The most values a gradient histogram counts: a larger variable's histogram counts every
 * `histogramStride`-th value (its min, max and every other statistic are of all values). The
 * shape of a distribution of a few hundred thousand values shows as well in 65,536 of them,
 * and the binning pass is the largest part of per-step statistics (`npm run bench:train`).
 */
export const HISTOGRAM_VALUES = 65_536;

/**
 * Every how many values a gradient histogram of `t` counts: the least stride that keeps at most
 * HISTOGRAM_VALUES and is coprime to the last axis, so that every column (a unit, a filter's
 * output channel) is sampled in some rows rather than the same few in all.
 */
export function histogramStride(t: { size: number; shape: number[] }): number {
  let s = Math.ceil(t.size / HISTOGRAM_VALUES);
  if (s <= 1) return 1;
  const last = t.shape[t.shape.length - 1] ?? 1;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  while (gcd(s, last) !== 1) s++;
  return s;
}

/** [min, max, count per bin…] of a tensor, on the device: min and max of all values, counts of every `stride`-th. */
export function histogramTensor(tf: TF, x: Tensor, bins: number, stride = 1): Tensor {
  return tf.tidy(() => {
    const flat = x.toFloat().reshape([-1]);
    const finiteMask = tf.isFinite(flat);
    const safe = tf.where(finiteMask, flat, tf.zerosLike(flat));
    const mn = safe.min();
    const mx = safe.max();
    const range = mx.sub(mn).maximum(tf.scalar(1e-12));
    // The mask is sliced as float32: tfjs-backend-wasm 4.22's StridedSlice reads a bool tensor as float32.
    const weights = finiteMask.toFloat();
    const [counted, mask] =
      stride > 1 ? [safe.stridedSlice([0], [flat.size], [stride]), weights.stridedSlice([0], [flat.size], [stride])] : [safe, weights];
    const idx = counted
      .sub(mn)
      .div(range)
      .mul(bins)
      .floor()
      .clipByValue(0, bins - 1)
      .toInt();
    const counts = tf.bincount(idx as ReturnType<TF['tensor1d']>, mask as ReturnType<TF['tensor1d']>, bins);
    return tf.concat([mn.reshape([1]), mx.reshape([1]), counts.toFloat()]);
  });
}

/**
 * A tensor holding `t`'s current values that outlives `t`'s next assignment: on backends that
 * count references to their buffers (cpu, wasm) the same buffer with one more reference, as the
 * cpu backend's own identity kernel does — no copy; elsewhere a clone.
 */
function sharedCopy(tf: TF, t: Tensor): Tensor {
  const backend = tf.backend() as unknown as { incRef?(dataId: unknown): void };
  const engine = tf.engine() as unknown as { makeTensorFromDataId?(dataId: unknown, shape: number[], dtype: string): Tensor };
  if (typeof backend.incRef === 'function' && typeof engine.makeTensorFromDataId === 'function') {
    backend.incRef(t.dataId);
    return tf.keep(engine.makeTensorFromDataId(t.dataId, t.shape, t.dtype));
  }
  return tf.keep(t.clone());
}

export function readHistogram(v: Float32Array | Int32Array | Uint8Array, offset: number, bins: number): Histogram {
  return {
    min: finite(v[offset]),
    max: finite(v[offset + 1]),
    counts: Array.from(v.subarray(offset + 2, offset + 2 + bins), (c) => Math.round(c)),
  };
}

/** Bounds an activation saturates at (fraction within 1% of them), by activation name. */
function saturationTest(tf: TF, activation: string | undefined, y: Tensor): Tensor {
  switch (activation) {
    case 'tanh':
    case 'softsign':
      return y.abs().greater(0.99).toFloat().mean();
    case 'sigmoid':
    case 'hardSigmoid':
    case 'softmax':
      return y.less(0.01).logicalOr(y.greater(0.99)).toFloat().mean();
    case 'relu6':
      return y.greaterEqual(5.94).toFloat().mean();
    default:
      return tf.scalar(0);
  }
}

interface ProbeLayer {
  name: string;
  className: string;
  activation?: string;
}

function probeLayerOf(layer: LayersModel['layers'][number]): ProbeLayer {
  let activation: string | undefined;
  try {
    activation = (layer.getConfig() as { activation?: string }).activation;
  } catch {
    activation = undefined;
  }
  return {
    name: layer.name,
    className: layer.getClassName(),
    activation: layer.getClassName() === 'Activation' || typeof activation === 'string' ? activation : undefined,
  };
}

/**
 * What the probe and the tap report of each layer's output: on the host from views of the
 * values, or with tf ops into one small tensor read asynchronously. `outs[i]` is `layers[i]`'s
 * output; the caller disposes them.
 */
async function summariseOutputs(
  tf: TF,
  layers: ProbeLayer[],
  outs: Tensor[],
  bins: number,
  place: SummaryPlace,
): Promise<ActivationStat[]> {
  if (place === 'host') {
    return layers.map((l, i) => {
      const y = outs[i];
      return {
        layer: l.name,
        className: l.className,
        ...hostActivation(hostView(tf, y), y.shape[y.shape.length - 1] ?? 1, l.activation, bins),
        ...(l.activation ? { activation: l.activation } : {}),
      };
    });
  }
  const summary = tf.tidy(() =>
    tf.stack(
      outs.map((y, i) => {
        const f = y.toFloat();
        const { mean, variance } = tf.moments(f);
        const zero = f.equal(0).toFloat().mean();
        const sat = saturationTest(tf, layers[i].activation, f);
        // Dead units: the last axis's entries that are 0 for every sample and position.
        const units = f.shape[f.shape.length - 1] ?? 1;
        const dead = f.reshape([-1, units]).abs().max(0).equal(0).toFloat().mean();
        return tf.concat([tf.stack([mean, variance.sqrt(), zero, sat, dead, tf.scalar(units)]), histogramTensor(tf, f, bins)]);
      }),
    ),
  );
  try {
    const v = (await summary.data()) as Float32Array;
    const W = 6 + 2 + bins;
    return layers.map((l, i) => ({
      layer: l.name,
      className: l.className,
      mean: finite(v[i * W]),
      std: finite(v[i * W + 1]),
      fracZero: finite(v[i * W + 2]),
      fracSaturated: finite(v[i * W + 3]),
      histogram: readHistogram(v, i * W + 6, bins),
      ...(l.activation ? { activation: l.activation } : {}),
      deadFraction: finite(v[i * W + 4]),
      units: Math.round(v[i * W + 5]),
    }));
  } finally {
    summary.dispose();
  }
}

/**
 * The model's layers' outputs on a fixed batch. Built once; `run` summarises each output on
 * the device and resolves with one small array per call.
 */
export class ActivationProbe {
  private readonly probeModel: LayersModel | undefined;
  readonly layers: ProbeLayer[] = [];
  readonly skipped: string[] = [];

  /** `place` overrides `summaryPlace(tf)` (tests compare the two). */
  constructor(
    private readonly tf: TF,
    model: LayersModel,
    private readonly bins = 20,
    private readonly place?: SummaryPlace,
  ) {
    const outputs: ReturnType<TF['input']>[] = [];
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      let out: unknown;
      try {
        out = layer.output;
      } catch {
        try {
          out = layer.getOutputAt(layer.inboundNodes.length - 1);
        } catch {
          this.skipped.push(layer.name);
          continue;
        }
      }
      const t = (Array.isArray(out) ? out[0] : out) as ReturnType<TF['input']>;
      outputs.push(t);
      this.layers.push(probeLayerOf(layer));
    }
    try {
      this.probeModel = outputs.length ? tf.model({ inputs: model.inputs, outputs }) : undefined;
    } catch {
      this.probeModel = undefined;
      this.skipped.push(...this.layers.map((l) => l.name));
      this.layers.length = 0;
    }
  }

  /**
   * Every probed layer's output on the probe batch, computed as one batch (`predict` would split
   * it into batches of 32 and concatenate each output's parts).
   */
  private outputs(probeModel: LayersModel, xs: Tensor[]): Tensor[] {
    const o = probeModel.predict(xs.length === 1 ? xs[0] : xs, { batchSize: Math.max(1, xs[0]?.shape[0] ?? 1) }) as Tensor | Tensor[];
    return Array.isArray(o) ? o : [o];
  }

  async run(xs: Tensor[]): Promise<ActivationStat[]> {
    const probeModel = this.probeModel;
    if (!probeModel) return [];
    const { tf } = this;
    const outs = tf.tidy(() => this.outputs(probeModel, xs));
    try {
      return await summariseOutputs(tf, this.layers, outs, this.bins, this.place ?? summaryPlace(tf));
    } finally {
      tf.dispose(outs);
    }
  }

  dispose(): void {
    // The probe model shares the trained model's layers and weights: nothing of its own to free.
  }
}

/** The most values of one layer's output the tap summarises per step (see BatchActivationTap). */
export const TAP_VALUES_PER_LAYER = 65_536;

/**
 * Activation statistics from the training step's own forward pass, for schedules that want
 * them at (nearly) every step: the fixed probe needs an inference pass of its own, which alone
 * costs 15–35% of a training step on wasm and cpu (`npm run bench:train`, 'forward pass').
 * Each top-level layer's `call` is wrapped on the instance; while armed, a copy of each layer's
 * first output is kept, and `collect` summarises them as the probe does. These are the training
 * batch's figures in training mode — dropout active, batch normalisation on the batch's own
 * statistics — and they change with the batch, where the probe's are comparable step to step.
 * An output larger than TAP_VALUES_PER_LAYER values is summarised over the batch's first samples
 * that fit (every position and channel of each, so dead channels still show): the summaries
 * cost about 10 ns a value, and a first convolution's feature maps of a whole batch would be
 * most of that cost.
 */
export class BatchActivationTap {
  readonly layers: ProbeLayer[] = [];
  private readonly captured = new Map<number, Tensor>();
  private armed = false;
  private readonly restore: (() => void)[] = [];

  constructor(
    private readonly tf: TF,
    model: LayersModel,
    private readonly bins = 20,
    private readonly place?: SummaryPlace,
  ) {
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      const index = this.layers.length;
      this.layers.push(probeLayerOf(layer));
      const target = layer as unknown as { call: (inputs: unknown, kwargs: unknown) => unknown };
      const own = Object.prototype.hasOwnProperty.call(target, 'call');
      const original = target.call;
      target.call = (inputs: unknown, kwargs: unknown) => {
        const out = original.call(target, inputs, kwargs);
        if (this.armed && !this.captured.has(index)) {
          const first = (Array.isArray(out) ? out[0] : out) as Tensor | undefined;
          // A copy: a layer may return its input (a linear activation, dropout at rate 0), which
          // is not ours to dispose. A clone on cpu shares the values; wasm copies within its memory.
          if (first && typeof first === 'object' && 'dataId' in first) {
            const n = first.shape[0] ?? 1;
            const per = n > 0 ? first.size / n : 0;
            const keep = per > 0 && first.size > TAP_VALUES_PER_LAYER ? Math.max(1, Math.floor(TAP_VALUES_PER_LAYER / per)) : n;
            this.captured.set(index, tf.keep(keep < n ? first.slice(0, keep) : first.clone()));
          }
        }
        return out;
      };
      this.restore.push(() => {
        if (own) target.call = original;
        else delete (target as Partial<typeof target>).call;
      });
    }
  }

  /** Keep the layers' outputs of the next forward pass. */
  arm(): void {
    this.drop();
    this.armed = true;
  }

  /** The summaries of what the armed forward pass produced (layers it did not reach are left out); disarms. */
  async collect(): Promise<ActivationStat[]> {
    this.armed = false;
    const order = [...this.captured.keys()].sort((a, b) => a - b);
    const outs = order.map((i) => this.captured.get(i) as Tensor);
    try {
      return await summariseOutputs(
        this.tf,
        order.map((i) => this.layers[i]),
        outs,
        this.bins,
        this.place ?? summaryPlace(this.tf),
      );
    } finally {
      this.drop();
    }
  }

  private drop(): void {
    for (const t of this.captured.values()) t.dispose();
    this.captured.clear();
  }

  uninstall(): void {
    this.armed = false;
    this.drop();
    this.restore.forEach((r) => r());
  }
}
