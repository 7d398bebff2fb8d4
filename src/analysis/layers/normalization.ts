/**
 * Normalization layers (tfjs-layers `layers/normalization.ts`): batchNormalization and
 * layerNormalization.
 *
 * MACs convention: 0. Normalization is elementwise arithmetic (subtract, scale, shift),
 * and elementwise work is not counted as multiply-accumulates anywhere in Layer Lens.
 */
import type { Dim, WeightInfo } from '../graph';
import { unknownWeightWarning, weightCount } from './helpers';
import { type ConfigReader, type LayerRule, ShapeError, UnknownValue, dot, fmtNum, fmtShape, single, weight } from './rule';

/** gamma (scale) and beta (center), in tfjs's order. */
function affineWeights(cfg: ConfigReader, shape: Dim[]): WeightInfo[] {
  const weights: WeightInfo[] = [];
  if (cfg.bool('scale', true) !== false) weights.push(weight('gamma', shape));
  if (cfg.bool('center', true) !== false) weights.push(weight('beta', shape));
  return weights;
}

/**
 * BatchNormalization keeps 2 trainable vectors (gamma, beta) and 2 statistics that
 * training updates without gradients (moving mean and variance): 4·C parameters, half
 * of them non-trainable; 3·C with scale or center off.
 */
const batchNormalization: LayerRule = {
  className: 'BatchNormalization',
  factories: ['batchNormalization'],
  build(input) {
    const shape = single(input, 'BatchNormalization');
    const axisValue = input.cfg.num('axis', -1);
    if (axisValue === null) {
      throw new ShapeError('unknown-config', `BatchNormalization: 'axis' could not be evaluated, so the normalized dimension is not known.`);
    }
    const axis = axisValue >= 0 ? axisValue : axisValue + shape.length;
    const dim = shape[axis];
    // tfjs checks exactly this: an absent or unknown dimension on the axis cannot size the weights.
    if (dim === undefined || dim === null) {
      throw new ShapeError(
        'undefined-channel-dim',
        `BatchNormalization: axis ${axis} of the input should have a defined dimension, but the input has shape ${fmtShape(shape)}.`,
      );
    }
    const affine = affineWeights(input.cfg, [dim]);
    const weights = [...affine, weight('moving_mean', [dim], false), weight('moving_variance', [dim], false)];
    const total = weightCount(weights);
    return {
      outputShape: [...shape],
      weights,
      macs: 0,
      paramFormula: `${weights.length}·${dim} = ${fmtNum(total)} (${2 * dim} non-trainable)`,
    };
  },
};

/** LayerNormalization's axis: a number or a list of numbers, each an integer. */
function lnAxes(cfg: ConfigReader): number[] {
  const raw = cfg.raw('axis');
  if (raw === undefined || raw === null) return [-1];
  if (raw instanceof UnknownValue) {
    throw new ShapeError('unknown-config', `LayerNormalization: 'axis' could not be evaluated, so the weight shape is not known.`);
  }
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.every((a) => Number.isInteger(a))) {
    throw new ShapeError('invalid-config', `LayerNormalization: expected axis to be an integer or an array of integers, got ${JSON.stringify(raw)}.`);
  }
  return list as number[];
}

/** gamma and beta over the normalized axes: shape = the input's sizes on those axes. */
const layerNormalization: LayerRule = {
  className: 'LayerNormalization',
  factories: ['layerNormalization'],
  build(input) {
    const shape = single(input, 'LayerNormalization');
    const rank = shape.length;
    const axes = lnAxes(input.cfg).map((a) => (a < 0 ? a + rank : a));
    for (const a of axes) {
      if (a < 0 || a >= rank) {
        throw new ShapeError('invalid-axis', `LayerNormalization: invalid axis ${a} for an input of shape ${fmtShape(shape)}.`);
      }
    }
    if (new Set(axes).size !== axes.length) {
      throw new ShapeError('invalid-axis', `LayerNormalization: found duplicate axes in ${fmtShape(axes)}.`);
    }
    const paramShape = axes.map((a) => shape[a]);
    const weights = affineWeights(input.cfg, paramShape);
    const warnings = unknownWeightWarning('LayerNormalization', weights);
    return {
      outputShape: [...shape],
      weights,
      macs: 0,
      paramFormula: `${weights.length}·${dot(paramShape)} = ${fmtNum(weightCount(weights))}`,
      warnings: warnings.length > 0 ? warnings : undefined,
    };
  },
};

export const normalizationRules: LayerRule[] = [batchNormalization, layerNormalization];
