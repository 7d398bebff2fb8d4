/** Runs a layer rule and derives what every caller wants from it: parameter counts. */
import type { Count, OutputShape, ParamCounts, Shape, WeightInfo } from '../graph';
import { ConfigReader, type LayerRule, type RuleOutput, product } from './rule';

export interface LayerResult extends RuleOutput {
  params: ParamCounts;
}

export function countWeights(weights: readonly WeightInfo[], trainable: boolean): ParamCounts {
  let t: Count = 0;
  let nt: Count = 0;
  for (const w of weights) {
    const n = product(w.shape);
    if (w.trainable && trainable) t = t === null || n === null ? null : t + n;
    else nt = nt === null || n === null ? null : nt + n;
  }
  return { total: t === null || nt === null ? null : t + nt, trainable: t, nonTrainable: nt };
}

/**
 * Applies `rule` to the given input shapes and config. Throws ShapeError where tfjs
 * would throw while building the layer.
 */
export function applyRule(
  rule: LayerRule,
  inputShapes: Shape[],
  config: Record<string, unknown>,
  trainable = true,
): LayerResult {
  const out = rule.build({ inputShapes, cfg: new ConfigReader(config, rule.className) });
  return { ...out, params: countWeights(out.weights, trainable) };
}

export function isShapeList(s: OutputShape): s is Shape[] {
  return s.length > 0 && Array.isArray(s[0]);
}
