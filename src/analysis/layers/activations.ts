/**
 * Advanced activation layers (tfjs-layers `layers/advanced_activations.ts`): elu,
 * leakyReLU, prelu, reLU, softmax, thresholdedReLU. All keep the input shape.
 *
 * MACs convention: 0. Activations are elementwise, and elementwise work is not counted
 * as multiply-accumulates anywhere in Layer Lens (PReLU's alpha product included).
 */
import type { Dim } from '../graph';
import { unknownWeightWarning, weightCount } from './helpers';
import { type LayerRule, ShapeError, UnknownValue, dot, fmtNum, fmtShape, single, weight } from './rule';

function passThrough(className: string, factory: string, check?: (raw: (key: string) => unknown) => void): LayerRule {
  return {
    className,
    factories: [factory],
    build(input) {
      check?.((key) => input.cfg.raw(key));
      return { outputShape: [...single(input, className)], weights: [], macs: 0 };
    },
  };
}

/** tfjs 4.22's ELU layer only implements alpha = 1 and says so in its constructor. */
function eluAlpha(raw: (key: string) => unknown): void {
  const alpha = raw('alpha');
  if (typeof alpha === 'number' && alpha !== 1) {
    throw new ShapeError('not-implemented', `ELU: non-default alpha (${alpha}) is not supported by the tfjs ELU layer; use alpha 1.`);
  }
}

/** sharedAxes as tfjs accepts it: a number or a list of numbers (1-based, batch excluded). */
function sharedAxes(raw: unknown): number[] | null {
  if (raw === undefined || raw === null) return [];
  if (raw instanceof UnknownValue) return null;
  if (typeof raw === 'number') return [raw];
  if (Array.isArray(raw) && raw.every((a) => typeof a === 'number')) return raw as number[];
  throw new ShapeError('invalid-config', `PReLU: expected sharedAxes to be a number or an array of numbers, got ${JSON.stringify(raw)}.`);
}

/**
 * PReLU learns one alpha per input element (batch excluded); each shared axis collapses
 * to 1. tfjs writes `paramShape[axis - 1] = 1`, so an axis just past the end appends a 1
 * and one further out leaves a hole that fails weight creation.
 */
const prelu: LayerRule = {
  className: 'PReLU',
  factories: ['prelu'],
  build(input) {
    const shape = single(input, 'PReLU');
    const shared = sharedAxes(input.cfg.raw('sharedAxes'));
    const paramShape: (Dim | undefined)[] = shape.slice(1);
    if (shared === null) paramShape.fill(null);
    else for (const a of shared) if (a - 1 >= 0) paramShape[a - 1] = 1;
    const dense = Array.from(paramShape);
    if (dense.some((d) => d === undefined)) {
      throw new ShapeError('invalid-config', `PReLU: sharedAxes ${JSON.stringify(shared)} are out of range for an input of shape ${fmtShape(shape)}.`);
    }
    const alphaShape = dense as Dim[];
    const weights = [weight('alpha', alphaShape)];
    const warnings = unknownWeightWarning('PReLU', weights);
    return {
      outputShape: [...shape],
      weights,
      macs: 0,
      paramFormula: `${dot(alphaShape)} = ${fmtNum(weightCount(weights))}`,
      warnings: warnings.length > 0 ? warnings : undefined,
    };
  },
};

export const activationRules: LayerRule[] = [
  passThrough('ELU', 'elu', eluAlpha),
  passThrough('LeakyReLU', 'leakyReLU'),
  prelu,
  passThrough('ReLU', 'reLU'),
  passThrough('Softmax', 'softmax'),
  passThrough('ThresholdedReLU', 'thresholdedReLU'),
];
