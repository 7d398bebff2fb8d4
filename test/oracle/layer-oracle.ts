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

/** What real tfjs says; throws whatever tfjs throws. Input shapes include the batch dim (null). */
export function tfjsLayer(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): LayerFacts {
  const make = (tf.layers as unknown as Record<string, Factory>)[factory];
  if (typeof make !== 'function') throw new Error(`tf.layers.${factory} does not exist`);
  const layer = make(config);
  const inputs = inputShapes.map((s) => tf.input({ batchShape: s as number[] }));
  tf.tidy(() => {
    layer.apply(inputs.length === 1 ? inputs[0] : inputs);
  });
  const trainable = layer.trainableWeights.reduce((n, w) => n + w.shape.reduce((a, b) => a * (b as number), 1), 0);
  const params = layer.countParams();
  const facts = { className: layer.getClassName(), outputShape: layer.outputShape, params, trainable };
  layer.dispose();
  return facts;
}

/** What our rule says. */
export function ourLayer(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): LayerFacts {
  const rule = ruleForFactory(factory);
  if (!rule) throw new Error(`no rule for ${factory}`);
  const r = applyRule(rule, inputShapes, config);
  return { className: rule.className, outputShape: r.outputShape, params: r.params.total as number, trainable: r.params.trainable as number };
}
