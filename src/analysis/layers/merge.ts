/**
 * Merge layers (tfjs-layers `layers/merge.ts`): add, average, maximum, minimum, multiply,
 * concatenate and dot. They take a list of tensors and hold no weights.
 *
 * MACs convention: elementwise merges and concatenation count 0 (no multiply-accumulate
 * of a product that is summed). Dot counts its contraction: for each output element, one
 * MAC per element of the contracted axis.
 */
import type { Dim, Shape } from '../graph';
import { jsAt, normAxis, spliceOut } from './helpers';
import { type LayerRule, type RuleInput, ShapeError, UnknownValue, dot, fmtNum, fmtShape, mul, product } from './rule';

function shapesText(shapes: Shape[]): string {
  return shapes.map(fmtShape).join(' and ');
}

function requireTwoOrMore(input: RuleInput, className: string): Shape[] {
  if (input.inputShapes.length < 2) {
    throw new ShapeError(
      'merge-too-few-inputs',
      `${className} should be called on a list of at least 2 inputs, got ${input.inputShapes.length}.`,
    );
  }
  return input.inputShapes;
}

/* ---------- elementwise merges ---------- */

/**
 * tfjs's Merge.computeElementwiseOpOutputShape on shapes without the batch axis: the
 * shorter shape is aligned to the end of the longer one (numpy-style), 1 broadcasts,
 * an unknown size gives an unknown size, and two different known sizes are an error.
 */
function broadcast(a: Shape, b: Shape, all: Shape[], className: string): Shape {
  if (a.length < b.length) return broadcast(b, a, all, className);
  if (b.length === 0) return a;
  const out: Shape = a.slice(0, a.length - b.length);
  for (let k = 0; k < b.length; k++) {
    const i = a[a.length - b.length + k];
    const j = b[k];
    if (i === null || j === null || i < 0 || j < 0) out.push(null);
    else if (i === 1) out.push(j);
    else if (j === 1) out.push(i);
    else if (i !== j) {
      throw new ShapeError(
        'merge-shape-mismatch',
        `${className}: inputs ${shapesText(all)} cannot be broadcast together (${i} vs ${j}).`,
        `${fmtShape(a)} vs ${fmtShape(b)}`,
      );
    } else out.push(i);
  }
  return out;
}

/** Known batch sizes must agree; the output keeps the one known size, else null. */
function mergedBatch(shapes: Shape[], className: string): Dim {
  const known = [...new Set(shapes.map((s) => s[0]).filter((d): d is number => d !== null))];
  if (known.length > 1) {
    throw new ShapeError(
      'merge-batch-mismatch',
      `${className}: cannot merge tensors with different batch sizes: ${shapesText(shapes)}.`,
    );
  }
  return known.length === 1 ? known[0] : null;
}

function elementwise(className: string, factory: string): LayerRule {
  return {
    className,
    factories: [factory],
    multiInput: true,
    build(input) {
      const shapes = requireTwoOrMore(input, className);
      const batch = mergedBatch(shapes, className);
      let out = shapes[0].slice(1);
      for (const s of shapes.slice(1)) out = broadcast(out, s.slice(1), shapes, className);
      return { outputShape: [batch, ...out], weights: [], macs: 0 };
    },
  };
}

/* ---------- concatenate ---------- */

function concatAxis(input: RuleInput): number {
  const axis = input.cfg.num('axis', -1);
  if (axis === null) {
    throw new ShapeError('unknown-config', `Concatenate: 'axis' could not be evaluated, and the output shape depends on it.`);
  }
  return axis;
}

/**
 * tfjs compares the shapes with the concat axis removed (JavaScript `splice`, so -1 is
 * the last axis) and requires them all equal, unknown sizes included: [null,4] and
 * [5,4] differ. The output adds the sizes on the axis; one unknown makes it unknown.
 */
const concatenate: LayerRule = {
  className: 'Concatenate',
  factories: ['concatenate'],
  multiInput: true,
  build(input) {
    const shapes = requireTwoOrMore(input, 'Concatenate');
    const axis = concatAxis(input);
    const rest = shapes.map((s) => JSON.stringify(spliceOut(s, axis)));
    if (new Set(rest).size > 1) {
      throw new ShapeError(
        'concat-axis-mismatch',
        `Concatenate (axis ${axis}) requires inputs with matching shapes except for the concat axis, got ${shapesText(shapes)}.`,
      );
    }
    const first = shapes[0];
    const a = normAxis(axis, first.length);
    // tfjs writes past the end of the shape here and reports a garbled shape; it is an error.
    if (a < 0 || a >= first.length) {
      throw new ShapeError('concat-axis-out-of-range', `Concatenate: axis ${axis} is out of range for inputs ${shapesText(shapes)}.`);
    }
    const sizes = shapes.map((s) => s[a]);
    const total = sizes.some((d) => d === null) ? null : (sizes as number[]).reduce((x, y) => x + y, 0);
    const out = first.slice();
    out[a] = total;
    return {
      outputShape: out,
      weights: [],
      macs: 0,
      shapeFormula: `${sizes.map(fmtNum).join(' + ')} = ${fmtNum(total)}`,
    };
  },
};

/* ---------- dot ---------- */

/** `axes` as tfjs reads it: one number for both inputs (normalized), or a pair (taken as is). */
function dotAxes(input: RuleInput, s1: Shape, s2: Shape): { axes: [number, number]; normalized: boolean } {
  const raw = input.cfg.raw('axes');
  if (raw instanceof UnknownValue) {
    throw new ShapeError('unknown-config', `Dot: 'axes' could not be evaluated, and the output shape depends on it.`);
  }
  if (typeof raw === 'number') return { axes: [normAxis(raw, s1.length), normAxis(raw, s2.length)], normalized: true };
  if (Array.isArray(raw) && raw.length === 2 && raw.every((a) => typeof a === 'number')) {
    return { axes: [raw[0], raw[1]], normalized: false };
  }
  throw new ShapeError('invalid-config', `Dot: 'axes' must be a number or a pair of numbers, got ${JSON.stringify(raw)}.`);
}

/**
 * tfjs's Dot: inputs of rank ≤ 3, the two contracted sizes equal, output = the first
 * shape without its axis followed by the second without its axis and batch ([b,1] when
 * that leaves only the batch). A pair of negative axes skips tfjs's size check (it reads
 * `shape[-1]`, i.e. undefined on both sides); the mismatch is then reported as a warning.
 */
const dotLayer: LayerRule = {
  className: 'Dot',
  factories: ['dot'],
  multiInput: true,
  build(input) {
    if (input.inputShapes.length !== 2) {
      throw new ShapeError('merge-too-few-inputs', `Dot should be called on a list of exactly 2 inputs, got ${input.inputShapes.length}.`);
    }
    const [s1, s2] = input.inputShapes;
    if (s1.length > 3 || s2.length > 3) {
      throw new ShapeError('dot-rank-unsupported', `Dot: tfjs does not support inputs of rank 4 or more, got ${shapesText([s1, s2])}.`);
    }
    const { axes } = dotAxes(input, s1, s2);
    const d1 = jsAt(s1, axes[0]);
    const d2 = jsAt(s2, axes[1]);
    if (d1 !== d2) {
      throw new ShapeError(
        'dot-dim-mismatch',
        `Dot: dimension incompatibility: ${fmtNum(d1 ?? null)} (axis ${axes[0]} of ${fmtShape(s1)}) ≠ ${fmtNum(d2 ?? null)} (axis ${axes[1]} of ${fmtShape(s2)}).`,
      );
    }
    const out = [...spliceOut(s1, axes[0]), ...spliceOut(s2, axes[1]).slice(1)];
    if (out.length === 1) out.push(1);
    // MACs and the runtime check use Python-style axes, as tfjs's batchDot does.
    const a1 = normAxis(axes[0], s1.length);
    const a2 = normAxis(axes[1], s2.length);
    const k1 = s1[a1] ?? null;
    const k2 = s2[a2] ?? null;
    const free1 = s1.filter((_, i) => i !== 0 && i !== a1);
    const free2 = s2.filter((_, i) => i !== 0 && i !== a2);
    const warnings =
      k1 !== null && k2 !== null && k1 !== k2
        ? [
            {
              code: 'dot-dim-mismatch',
              message: `Dot: contracted sizes differ (${k1} on axis ${axes[0]} of ${fmtShape(s1)}, ${k2} on axis ${axes[1]} of ${fmtShape(s2)}); tfjs does not check negative axes while building, and fails when the model runs.`,
            },
          ]
        : undefined;
    return {
      outputShape: out,
      weights: [],
      macs: mul(product(free1), product(free2), k1),
      shapeFormula: `contract ${fmtNum(k1)}: ${dot(free1.length ? free1 : [1])} × ${dot(free2.length ? free2 : [1])}`,
      warnings,
    };
  },
};

export const mergeRules: LayerRule[] = [
  elementwise('Add', 'add'),
  elementwise('Average', 'average'),
  elementwise('Maximum', 'maximum'),
  elementwise('Minimum', 'minimum'),
  elementwise('Multiply', 'multiply'),
  concatenate,
  dotLayer,
];
