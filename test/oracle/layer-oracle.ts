/**
 * Single-layer oracle: build a layer with real @tensorflow/tfjs (cpu backend) and with
 * our rule, on the same config and input shapes, and return both for comparison.
 */
import * as tf from '@tensorflow/tfjs';
import type { Shape } from '../../src/analysis/graph';
import { applyRule } from '../../src/analysis/layers/apply';
import { ruleForFactory } from '../../src/analysis/layers/registry';

tf.setBackend('cpu');

export interface LayerFacts {
  className: string;
  outputShape: unknown;
  params: number;
  trainable: number;
}

type Factory = (config: Record<string, unknown>) => tf.layers.Layer;

/** One weight as both sides describe it: tfjs's name without the layer prefix. */
export interface WeightFacts {
  name: string;
  shape: unknown;
  trainable: boolean;
}

export interface FullLayerFacts extends LayerFacts {
  weights: WeightFacts[];
}

/**
 * A copy of the plain parts of a config: some tfjs constructors write defaults into the
 * object they are given (Pooling1D sets `args.poolSize`), which must not leak into the
 * other side of a comparison. Non-plain values (an inner layer) are shared, not cloned.
 */
function copyConfig<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copyConfig) as T;
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyConfig(x)])) as T;
  }
  return v;
}

function buildTfjs(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): FullLayerFacts {
  const make = (tf.layers as unknown as Record<string, Factory>)[factory];
  if (typeof make !== 'function') throw new Error(`tf.layers.${factory} does not exist`);
  const layer = make(copyConfig(config));
  const inputs = inputShapes.map((s) => tf.input({ batchShape: s as number[] }));
  tf.tidy(() => {
    layer.apply(inputs.length === 1 ? inputs[0] : inputs);
  });
  const size = (shape: readonly (number | null)[]) => shape.reduce<number>((a, b) => a * (b as number), 1);
  const trainable = layer.trainableWeights.reduce((n, w) => n + size(w.shape), 0);
  const params = layer.countParams();
  const weights = layer.weights.map((w) => ({
    name: w.originalName.slice(w.originalName.lastIndexOf('/') + 1),
    shape: [...w.shape],
    // Membership, not the variable's flag: a layer with trainable: false keeps its
    // variables' flags but lists them as non-trainable (so does a wrapper or RNN around it).
    trainable: layer.trainableWeights.includes(w),
  }));
  const facts = { className: layer.getClassName(), outputShape: layer.outputShape, params, trainable, weights };
  layer.dispose();
  return facts;
}

function buildOurs(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): FullLayerFacts {
  const rule = ruleForFactory(factory);
  if (!rule) throw new Error(`no rule for ${factory}`);
  const r = applyRule(rule, inputShapes, copyConfig(config));
  return {
    className: rule.className,
    outputShape: r.outputShape,
    params: r.params.total as number,
    trainable: r.params.trainable as number,
    weights: r.weights.map((w) => ({ name: w.name, shape: [...w.shape], trainable: w.trainable })),
  };
}

/** What real tfjs says; throws whatever tfjs throws. Input shapes include the batch dim (null). */
export function tfjsLayer(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): LayerFacts {
  const { weights: _, ...facts } = buildTfjs(factory, config, inputShapes);
  return facts;
}

/** What our rule says. */
export function ourLayer(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): LayerFacts {
  const { weights: _, ...facts } = buildOurs(factory, config, inputShapes);
  return facts;
}

/** Like tfjsLayer, plus each weight's name, shape and trainability. */
export function tfjsLayerFull(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): FullLayerFacts {
  return buildTfjs(factory, config, inputShapes);
}

/** Like ourLayer, plus each weight's name, shape and trainability. */
export function ourLayerFull(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): FullLayerFacts {
  return buildOurs(factory, config, inputShapes);
}
