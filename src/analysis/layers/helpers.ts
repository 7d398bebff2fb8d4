/**
 * Small helpers shared by the layer families: config checks that tfjs performs in its
 * constructors, formulas from weights, and JavaScript array semantics that some tfjs
 * shape functions rely on (negative `splice` indices, out-of-range reads).
 */
import type { Count, Dim, Shape, WeightInfo } from '../graph';
import { type ConfigReader, type InnerLayer, ShapeError, UnknownValue, dot, fmtNum, fmtShape, isInnerLayer, product, sum } from './rule';

/**
 * A boolean that decides the output's rank or arity (returnSequences, returnState):
 * guessing it would invent a shape, so an unknown value is an error of its own.
 */
export function knownBool(cfg: ConfigReader, key: string, def: boolean): boolean {
  const v = cfg.bool(key, def);
  if (v === null) {
    throw new ShapeError('unknown-config', `${cfg.className}: '${key}' could not be evaluated, and the output shape depends on it.`);
  }
  return v;
}

/** tfjs's `assertPositiveInteger`, run in layer constructors (units, filters, inputDim, …). */
export function positiveInt(cfg: ConfigReader, key: string, def?: number): Dim {
  const v = cfg.num(key, def);
  if (v !== null && !(Number.isInteger(v) && v > 0)) {
    throw new ShapeError('invalid-config', `${cfg.className}: expected '${key}' to be a positive integer, but got ${v}.`);
  }
  return v;
}

/** The inner layer of a wrapper (`layer`) or an RNN (`cell`); throws when absent or unknown. */
export function innerLayer(cfg: ConfigReader, key: string): InnerLayer {
  const v = cfg.raw(key);
  if (v instanceof UnknownValue) {
    throw new ShapeError('unknown-config', `${cfg.className}: '${key}' could not be evaluated (${v.reason}).`);
  }
  if (!isInnerLayer(v)) {
    throw new ShapeError('missing-config', `${cfg.className}: '${key}' must be a layer created by tf.layers.*.`);
  }
  return v;
}

/** `32·8 + 8 = 264` from a list of weights: the formula when no closed form is nicer. */
export function weightsFormula(weights: readonly WeightInfo[]): string {
  if (weights.length === 0) return '0';
  const terms = weights.map((w) => (w.shape.length === 1 ? fmtNum(w.shape[0]) : dot(w.shape)));
  return `${terms.join(' + ')} = ${fmtNum(sum(weights.map((w) => product(w.shape))))}`;
}

/** Total parameter count of a list of weights (null when a size is unknown). */
export function weightCount(weights: readonly WeightInfo[]): Count {
  return sum(weights.map((w) => product(w.shape)));
}

/** A warning when weights have an unknown size: tfjs cannot create such a tensor. */
export function unknownWeightWarning(className: string, weights: readonly WeightInfo[]): { code: string; message: string }[] {
  const bad = weights.filter((w) => w.shape.some((d) => d === null));
  if (bad.length === 0) return [];
  return [
    {
      code: 'unknown-weight-size',
      message:
        `${className}: the size of ${bad.map((w) => `${w.name} ${fmtShape(w.shape)}`).join(', ')} is not known statically. ` +
        'If that dimension is also unknown (None) when the model is built, tfjs throws ' +
        '"Tensor must have a shape comprised of positive integers".',
    },
  ];
}

/** `Array.prototype.splice(index, 1)` on a copy: tfjs shape code relies on its negative-index rules. */
export function spliceOut(shape: Shape, index: number): Shape {
  const copy = shape.slice();
  copy.splice(index, 1);
  return copy;
}

/** `shape[index]` with JavaScript semantics: undefined out of range (negative included). */
export function jsAt(shape: Shape, index: number): Dim | undefined {
  return Number.isInteger(index) && index >= 0 && index < shape.length ? shape[index] : undefined;
}

/** Python-style axis: negative counts from the end. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Multiply a count by a factor, propagating unknown. */
export function times(factor: Count, n: Count): Count {
  return factor === null || n === null ? null : factor * n;
}
