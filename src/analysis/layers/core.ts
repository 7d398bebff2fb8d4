/** Core layers: dense, activation, dropout family, flatten, … (tfjs-layers `layers/core.ts`). */
import type { Shape } from '../graph';
import { type LayerRule, ShapeError, dot, fmtNum, fmtShape, mul, product, single, weight } from './rule';

const dense: LayerRule = {
  className: 'Dense',
  factories: ['dense'],
  build(input) {
    const shape = single(input, 'Dense');
    const units = input.cfg.num('units');
    const useBias = input.cfg.bool('useBias', true);
    if (shape.length < 2) {
      throw new ShapeError('wrong-input-rank', `Dense expects input of rank ≥ 2, got ${fmtShape(shape)}.`);
    }
    const inDim = shape[shape.length - 1];
    const weights = [weight('kernel', [inDim, units])];
    if (useBias !== false) weights.push(weight('bias', [units]));
    const kernel = mul(inDim, units);
    const params = useBias === false ? kernel : kernel === null || units === null ? null : kernel + units;
    return {
      outputShape: [...shape.slice(0, -1), units],
      weights,
      macs: mul(product(shape.slice(1, -1)), inDim, units),
      paramFormula: `${dot([inDim, units])}${useBias === false ? '' : ` + ${fmtNum(units)}`} = ${fmtNum(params)}`,
    };
  },
};

/** Layers whose output shape equals their input shape and that hold no weights. */
function identity(className: string, factories: string[]): LayerRule {
  return {
    className,
    factories,
    build(input) {
      return { outputShape: [...single(input, className)], weights: [], macs: 0 };
    },
  };
}

const flatten: LayerRule = {
  className: 'Flatten',
  factories: ['flatten'],
  build(input) {
    const shape = single(input, 'Flatten');
    if (shape.length < 2) {
      throw new ShapeError('wrong-input-rank', `Flatten expects input of rank ≥ 2, got ${fmtShape(shape)}.`);
    }
    const rest: Shape = shape.slice(1);
    const n = product(rest);
    return {
      outputShape: [shape[0], n],
      weights: [],
      macs: 0,
      shapeFormula: `${dot(rest)} = ${fmtNum(n)}`,
    };
  },
};

export const coreRules: LayerRule[] = [
  dense,
  flatten,
  identity('Activation', ['activation']),
  identity('Dropout', ['dropout']),
  identity('GaussianNoise', ['gaussianNoise']),
  identity('GaussianDropout', ['gaussianDropout']),
  identity('AlphaDropout', ['alphaDropout']),
  identity('Masking', ['masking']),
];
