/**
 * Core layers: dense, activation, dropout family, flatten, reshape, permute, repeatVector,
 * embedding (tfjs-layers `layers/core.ts`, `layers/embeddings.ts`, `layers/noise.ts`).
 *
 * MACs convention: one multiply-accumulate per weight used in a matrix product, per
 * sample (dense: inDim·units per position; the bias add is not counted). Layers that
 * only move, copy or look up values (reshape, permute, repeatVector, embedding,
 * dropout, masking) count 0.
 */
import type { Dim, Shape } from '../graph';
import { positiveInt } from './helpers';
import { type LayerRule, ShapeError, UnknownValue, dot, fmtNum, fmtShape, mul, product, requireRank, single, weight } from './rule';

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
    // tfjs's inputSpec is {minNDim: 3}: a [batch, features] tensor is rejected, not passed through.
    if (shape.length < 3) {
      throw new ShapeError('wrong-input-rank', `Flatten expects input of rank ≥ 3, got rank ${shape.length}: ${fmtShape(shape)}.`);
    }
    const rest: Shape = shape.slice(1);
    // tfjs refuses to flatten an unknown size (e.g. after reshape's -1) instead of reporting null.
    if (rest.some((d) => d === null)) {
      throw new ShapeError(
        'flatten-undefined-dim',
        `Flatten: the shape of the input is not fully defined (${fmtShape(shape)}); every dimension but the batch must be known.`,
      );
    }
    const n = product(rest);
    return {
      outputShape: [shape[0], n],
      weights: [],
      macs: 0,
      shapeFormula: `${dot(rest)} = ${fmtNum(n)}`,
    };
  },
};

/* ---------- reshape ---------- */

/** What tfjs's `fixUnknownDimension` does with concrete sizes: the resolved shape or why it fails. */
type Resolved = { ok: true; shape: number[]; formula?: string } | { ok: false; code: string; message: string; formula: string };

function resolveReshape(inputDims: number[], target: Dim[]): Resolved {
  const size = inputDims.reduce((a, b) => a * b, 1);
  const sizeText = `${dot(inputDims)} = ${size}`;
  const unknown = target.flatMap((d, i) => (d === null ? [i] : []));
  const known = target.reduce<number>((a, d) => (d === null ? a : a * d), 1);
  const targetText = fmtShape(target.map((d) => (d === null ? -1 : d)));
  if (unknown.length > 1) {
    return {
      ok: false,
      code: 'reshape-multiple-unknown',
      message: `Reshape: targetShape ${targetText} has ${unknown.length} unknown (-1) dimensions; only one can be inferred.`,
      formula: targetText,
    };
  }
  if (unknown.length === 1) {
    if (known === 0 || size % known !== 0) {
      return {
        ok: false,
        code: 'reshape-size-mismatch',
        message: `Reshape: ${size} values per sample cannot fill targetShape ${targetText}: ${size} is not a multiple of ${known}.`,
        formula: `${sizeText}, ${size} mod ${known} = ${known === 0 ? '∞' : size % known}`,
      };
    }
    const shape = target.map((d) => (d === null ? size / known : d));
    return { ok: true, shape, formula: `-1 = ${dot(inputDims)} / ${known} = ${size / known}` };
  }
  if (known !== size) {
    return {
      ok: false,
      code: 'reshape-size-mismatch',
      message: `Reshape: input has ${size} values per sample but targetShape ${targetText} holds ${known}.`,
      formula: `${sizeText} ≠ ${dot(target)} = ${known}`,
    };
  }
  return { ok: true, shape: target as number[] };
}

function allKnown(dims: Dim[]): dims is number[] {
  return dims.every((d) => d !== null);
}

/**
 * tfjs resolves -1 only when every input dimension, the batch included, is known. With
 * the usual null batch it reports -1 as null and never checks the size; the mismatch
 * then surfaces when the model runs, so it is reported here as a warning.
 */
const reshape: LayerRule = {
  className: 'Reshape',
  factories: ['reshape'],
  build(input) {
    const shape = single(input, 'Reshape');
    const raw = input.cfg.raw('targetShape');
    if (raw instanceof UnknownValue) {
      throw new ShapeError('unknown-config', `Reshape: 'targetShape' could not be evaluated (${raw.reason}).`);
    }
    const list = input.cfg.list('targetShape');
    if (list === null) throw new ShapeError('missing-config', `Reshape: 'targetShape' is required.`);
    // An element the interpreter could not evaluate is unknown to us, not a -1: no size checks then.
    const evaluated = (raw as unknown[]).every((d) => typeof d === 'number' || d === null);
    const target: Dim[] = list.map((d) => (d === null || d < 0 ? null : d));
    const rest = shape.slice(1);
    if (evaluated && allKnown(shape)) {
      const r = resolveReshape(rest as number[], target);
      if (!r.ok) throw new ShapeError(r.code, `${r.message} Input shape ${fmtShape(shape)}.`, r.formula);
      return { outputShape: [shape[0], ...r.shape], weights: [], macs: 0, shapeFormula: r.formula };
    }
    const out = { outputShape: [shape[0], ...target], weights: [], macs: 0 };
    if (!evaluated || !allKnown(rest)) return out;
    const r = resolveReshape(rest, target);
    if (!r.ok) {
      return { ...out, warnings: [{ code: r.code, message: `${r.message} tfjs accepts this while building and fails when the model runs.`, formula: r.formula }] };
    }
    return r.formula ? { ...out, shapeFormula: `${r.formula} when the model runs (tfjs reports null)` } : out;
  },
};

/* ---------- permute, repeatVector ---------- */

const permute: LayerRule = {
  className: 'Permute',
  factories: ['permute'],
  build(input) {
    const shape = single(input, 'Permute');
    const dims = input.cfg.list('dims');
    if (dims === null) {
      const code = input.cfg.isUnknown('dims') ? 'unknown-config' : 'missing-config';
      throw new ShapeError(code, `Permute: 'dims' is required and must be an array.`);
    }
    // Same check as tfjs, including its default (string) sort: dims are 1-based.
    if (dims.every((d) => d !== null)) {
      const sorted = (dims as number[]).slice().sort();
      if (!sorted.every((d, i) => d === i + 1)) {
        throw new ShapeError(
          'invalid-config',
          `Permute: invalid permutation dims ${fmtShape(dims)}: dims must contain consecutive integers starting from 1 (the batch axis is not permuted).`,
        );
      }
    }
    requireRank(shape, dims.length + 1, 'Permute');
    return {
      outputShape: [shape[0], ...dims.map((d) => (d === null ? null : shape[d]))],
      weights: [],
      macs: 0,
    };
  },
};

const repeatVector: LayerRule = {
  className: 'RepeatVector',
  factories: ['repeatVector'],
  build(input) {
    const shape = single(input, 'RepeatVector');
    requireRank(shape, 2, 'RepeatVector');
    return { outputShape: [shape[0], input.cfg.num('n'), shape[1]], weights: [], macs: 0 };
  },
};

/** SpatialDropout1D drops whole feature maps of a [batch, steps, channels] tensor. */
const spatialDropout1d: LayerRule = {
  className: 'SpatialDropout1D',
  factories: ['spatialDropout1d'],
  build(input) {
    const shape = single(input, 'SpatialDropout1D');
    requireRank(shape, 3, 'SpatialDropout1D');
    return { outputShape: [...shape], weights: [], macs: 0 };
  },
};

/* ---------- embedding ---------- */

/** `inputLength` as tfjs's `toList`: a number or a list; null when unknown. */
function inputLengths(raw: unknown): Dim[] | null | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw instanceof UnknownValue) return null;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((d) => (typeof d === 'number' ? d : null));
}

const embedding: LayerRule = {
  className: 'Embedding',
  factories: ['embedding'],
  build(input) {
    const shape = single(input, 'Embedding');
    const inputDim = positiveInt(input.cfg, 'inputDim');
    const outputDim = positiveInt(input.cfg, 'outputDim');
    const weights = [weight('embeddings', [inputDim, outputDim])];
    const base = { weights, macs: 0, paramFormula: `${dot([inputDim, outputDim])} = ${fmtNum(mul(inputDim, outputDim))}` };
    const lens = inputLengths(input.cfg.raw('inputLength'));
    // An unknown inputLength can only agree with known input sizes (tfjs throws otherwise),
    // so the input's own sizes are the answer either way.
    if (lens === undefined || lens === null) return { ...base, outputShape: [...shape, outputDim] };
    const mismatch = () =>
      new ShapeError(
        'embedding-input-length',
        `Embedding: inputLength is ${fmtShape(lens)}, but the input has shape ${fmtShape(shape)}.`,
      );
    if (lens.length !== shape.length - 1) throw mismatch();
    // A declared length fills an unknown input dimension; a conflicting one is an error.
    const out = lens.map((len, k) => {
      const actual = shape[k + 1];
      if (len !== null && actual !== null && len !== actual) throw mismatch();
      return len === null ? actual : len;
    });
    return { ...base, outputShape: [shape[0], ...out, outputDim] };
  },
};

export const coreRules: LayerRule[] = [
  dense,
  flatten,
  reshape,
  permute,
  repeatVector,
  embedding,
  spatialDropout1d,
  identity('Activation', ['activation']),
  identity('Dropout', ['dropout']),
  identity('GaussianNoise', ['gaussianNoise']),
  identity('GaussianDropout', ['gaussianDropout']),
  identity('AlphaDropout', ['alphaDropout']),
  identity('Masking', ['masking']),
];
