/**
 * Training instrumentation, computed on the device and read back as small summaries.
 *
 * Gradients: every optimizer class's `applyGradients` is wrapped (they each override it),
 * so `model.fit`, `fitDataset`, `trainOnBatch` and custom loops calling `minimize` or
 * `applyGradients` are all seen. Per variable: gradient L2 norm and max |g|, weight norm,
 * ‖Δw‖/‖w‖ of the update, NaN and Inf counts — one [vars, 6] tensor per step, read with
 * `data()` (asynchronous) so the next step is not held up.
 *
 * Activations: every N steps the model runs on a fixed probe batch (inference mode) and
 * each layer's output is summarised: mean, std, fraction of zeros, fraction saturated, and
 * a histogram.
 */
import type { ActivationStat, Histogram, LayerStat } from '../protocol';
import { finite } from '../protocol';
import type { TF } from './backend';

type Tensor = ReturnType<TF['tensor']>;
type NamedGrads = Record<string, Tensor> | { name: string; tensor: Tensor }[];
type LayersModel = ReturnType<TF['model']>;

export const OPTIMIZER_CLASSES = ['SGDOptimizer', 'MomentumOptimizer', 'AdagradOptimizer', 'AdadeltaOptimizer', 'AdamOptimizer', 'AdamaxOptimizer', 'RMSPropOptimizer'] as const;

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

const WRAPPED = Symbol.for('layer-lens.applyGradients');

/** Summary statistics per variable: [g², max|g|, w², Δw², NaN, Inf]. */
const K = 6;

/**
 * Wraps `applyGradients` of every optimizer class of this tf namespace. Returns the
 * uninstall function. Only one listener at a time (a second install replaces it).
 */
export function installGradientHook(tf: TF, listener: GradientHookListener, bins = 20): { uninstall(): void; pending(): Promise<void>; steps(): number } {
  let step = 0;
  const inflight = new Set<Promise<void>>();
  const restore: (() => void)[] = [];
  // Frozen weights at the end of the step before a statistics step (the optimizer never sees them).
  const snapshots = new Map<string, Tensor>();
  const dropSnapshots = () => {
    for (const t of snapshots.values()) t.dispose();
    snapshots.clear();
  };
  const takeSnapshots = () => {
    dropSnapshots();
    for (const w of listener.weights?.() ?? []) if (!w.trainable && !w.variable.isDisposed) snapshots.set(w.name, tf.keep(w.variable.clone()));
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
      const before = named.map(([name]) => tf.keep(vars[name].clone()));
      const hist = listener.wantHistograms(s);
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
        if (hist) histPart = tf.keep(tf.tidy(() => tf.stack(named.map(([, g]) => histogramTensor(tf, g, bins)))));
      } catch (e) {
        listener.onError?.(e as Error);
      }
      base.call(this, grads);
      let out: Tensor | undefined;
      try {
        if (gradPart) {
          const gp = gradPart;
          out = tf.keep(
            tf.tidy(() => {
              const w = tf.stack(named.map(([name], i) => tf.stack([vars[name].square().sum(), vars[name].sub(before[i]).square().sum()])));
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
                  const d2 = w.trainable ? tf.scalar(0) : snap ? w.variable.sub(snap).square().sum() : tf.scalar(-1);
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
      const names = named.map(([n]) => n);
      const sizes = named.map(([n]) => vars[n].size);
      const read = Promise.all([out.data(), histPart ? histPart.data() : Promise.resolve(undefined), otherPart ? otherPart.data() : Promise.resolve(undefined)])
        .then(([v, h, o]) => {
          const layers = names.map((name, i): LayerStat => {
            const r = i * K;
            const [g2, gmax, w2, d2, nan, inf] = [v[r], v[r + 1], v[r + 2], v[r + 3], v[r + 4], v[r + 5]];
            const stat: LayerStat = {
              layer: listener.layerOf?.(name) ?? layerFromVariable(name),
              weight: name,
              gradNorm: finite(Math.sqrt(g2)),
              gradMaxAbs: finite(gmax),
              weightNorm: finite(Math.sqrt(w2)),
              updateRatio: w2 > 0 ? finite(Math.sqrt(d2) / Math.sqrt(w2)) : null,
              nanCount: Math.round(nan),
              infCount: Math.round(inf),
              size: sizes[i],
            };
            if (h) stat.gradHistogram = readHistogram(h as Float32Array, i * (bins + 2), bins);
            return stat;
          });
          if (o) {
            others.forEach((w, i) => {
              const w2 = o[2 * i];
              const d2 = o[2 * i + 1];
              layers.push({
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
              });
            });
          }
          listener.onStats(s, layers);
        })
        .catch((e) => listener.onError?.(e as Error))
        .finally(() => {
          out!.dispose();
          histPart?.dispose();
          otherPart?.dispose();
          inflight.delete(read);
        });
      inflight.add(read);
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

/** `dense_Dense1/kernel` → `dense_Dense1`. */
export function layerFromVariable(name: string): string {
  const i = name.lastIndexOf('/');
  return i > 0 ? name.slice(0, i) : name;
}

/** [min, max, count per bin…] of a tensor, on the device. */
export function histogramTensor(tf: TF, x: Tensor, bins: number): Tensor {
  return tf.tidy(() => {
    const flat = x.toFloat().reshape([-1]);
    const finiteMask = tf.isFinite(flat);
    const safe = tf.where(finiteMask, flat, tf.zerosLike(flat));
    const mn = safe.min();
    const mx = safe.max();
    const range = mx.sub(mn).maximum(tf.scalar(1e-12));
    const idx = safe.sub(mn).div(range).mul(bins).floor().clipByValue(0, bins - 1).toInt();
    const counts = tf.bincount(idx as ReturnType<TF["tensor1d"]>, finiteMask.toFloat() as ReturnType<TF["tensor1d"]>, bins);
    return tf.concat([mn.reshape([1]), mx.reshape([1]), counts.toFloat()]);
  });
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

/**
 * The model's layers' outputs on a fixed batch. Built once; `run` summarises each output on
 * the device and resolves with one small array per call.
 */
export class ActivationProbe {
  private readonly probeModel: LayersModel | undefined;
  readonly layers: ProbeLayer[] = [];
  readonly skipped: string[] = [];

  constructor(
    private readonly tf: TF,
    model: LayersModel,
    private readonly bins = 20,
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
      let activation: string | undefined;
      try {
        activation = (layer.getConfig() as { activation?: string }).activation;
      } catch {
        activation = undefined;
      }
      this.layers.push({ name: layer.name, className: layer.getClassName(), activation: layer.getClassName() === 'Activation' || typeof activation === 'string' ? activation : undefined });
    }
    try {
      this.probeModel = outputs.length ? tf.model({ inputs: model.inputs, outputs }) : undefined;
    } catch {
      this.probeModel = undefined;
      this.skipped.push(...this.layers.map((l) => l.name));
      this.layers.length = 0;
    }
  }

  async run(xs: Tensor[]): Promise<ActivationStat[]> {
    if (!this.probeModel) return [];
    const { tf, bins } = this;
    const summary = tf.tidy(() => {
      const outs = this.probeModel!.predict(xs.length === 1 ? xs[0] : xs) as Tensor | Tensor[];
      const list = Array.isArray(outs) ? outs : [outs];
      return tf.stack(
        list.map((y, i) => {
          const f = y.toFloat();
          const { mean, variance } = tf.moments(f);
          const zero = f.equal(0).toFloat().mean();
          const sat = saturationTest(tf, this.layers[i].activation, f);
          // Dead units: the last axis's entries that are 0 for every sample and position.
          const units = f.shape[f.shape.length - 1] ?? 1;
          const dead = f.reshape([-1, units]).abs().max(0).equal(0).toFloat().mean();
          return tf.concat([tf.stack([mean, variance.sqrt(), zero, sat, dead, tf.scalar(units)]), histogramTensor(tf, f, bins)]);
        }),
      );
    });
    try {
      const v = (await summary.data()) as Float32Array;
      const W = 6 + 2 + bins;
      return this.layers.map((l, i) => ({
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

  dispose(): void {
    // The probe model shares the trained model's layers and weights: nothing of its own to free.
  }
}
