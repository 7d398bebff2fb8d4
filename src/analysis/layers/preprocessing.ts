/**
 * Preprocessing layers that tfjs 4.22 exports under tf.layers (tfjs-layers
 * `layers/preprocessing/*`): rescaling, centerCrop, resizing, categoryEncoding,
 * randomWidth. None holds weights.
 *
 * Several of them report shapes that differ from what they compute when the model runs;
 * the rules reproduce what tfjs reports (that is what the next layer is built on) and
 * explain the difference in a warning.
 *
 * MACs convention: 0 (elementwise rescaling, resampling and counting are not
 * multiply-accumulates of weights).
 */
import type { Dim, Shape } from '../graph';
import { type LayerRule, ShapeError, UnknownValue, fmtShape, single } from './rule';

const rescaling: LayerRule = {
  className: 'Rescaling',
  factories: ['rescaling'],
  build(input) {
    return { outputShape: [...single(input, 'Rescaling')], weights: [], macs: 0 };
  },
};

/**
 * Replaces the height and width (the 3rd and 2nd dimensions from the end). tfjs writes
 * these into the input tensor's own shape as well, so the layer before it, or the
 * model's input, then reports the cropped size too.
 */
const centerCrop: LayerRule = {
  className: 'CenterCrop',
  factories: ['centerCrop'],
  build(input) {
    const shape = single(input, 'CenterCrop');
    if (shape.length < 3) {
      throw new ShapeError('wrong-input-rank', `CenterCrop expects images of rank ≥ 3 ([…, height, width, channels]), got ${fmtShape(shape)}.`);
    }
    const out = shape.slice();
    out[out.length - 3] = input.cfg.num('height');
    out[out.length - 2] = input.cfg.num('width');
    return {
      outputShape: out,
      weights: [],
      macs: 0,
      warnings: [
        {
          code: 'tfjs-mutates-input-shape',
          message:
            `CenterCrop: tfjs 4.22 also overwrites the input tensor's shape with ${fmtShape(out)}. ` +
            'Directly after tf.input, the model then rejects inputs of the original size; after another layer, that layer reports the cropped shape.',
        },
      ],
    };
  },
};

/**
 * tfjs 4.22's Resizing reports [height, width, inputShape[2]]: no batch axis, and for a
 * batched image the third dimension is the width, not the channels.
 */
const resizing: LayerRule = {
  className: 'Resizing',
  factories: ['resizing'],
  build(input) {
    const shape = single(input, 'Resizing');
    const interpolation = input.cfg.str('interpolation', 'bilinear');
    if (interpolation !== null && interpolation !== 'bilinear' && interpolation !== 'nearest') {
      throw new ShapeError('invalid-config', `Resizing: invalid interpolation '${interpolation}'; use 'bilinear' or 'nearest'.`);
    }
    const height = input.cfg.num('height');
    const width = input.cfg.num('width');
    const reported: Shape = [height, width, shape[2] ?? null];
    const actual: Shape = [...shape.slice(0, -3), height, width, shape[shape.length - 1] ?? null];
    return {
      outputShape: reported,
      weights: [],
      macs: 0,
      warnings: [
        {
          code: 'tfjs-wrong-output-shape',
          message:
            `Resizing: tfjs 4.22 reports the output shape as ${fmtShape(reported)} (no batch axis; its third entry is the input's dimension 2), ` +
            `while the resized tensor is ${fmtShape(actual)}. Layers after it are built on the reported shape (e.g. a following conv2d rejects rank 3).`,
        },
      ],
    };
  },
};

const OUTPUT_MODES = ['int', 'oneHot', 'multiHot', 'count', 'tfIdf'];

/**
 * oneHot adds an axis of numTokens unless the last dimension is 1; the other modes put
 * numTokens in place of the last dimension. Encoding needs an output of rank ≤ 2 when the
 * model runs (outputMode 'int' aside), which tfjs does not check while building.
 */
const categoryEncoding: LayerRule = {
  className: 'CategoryEncoding',
  factories: ['categoryEncoding'],
  build(input) {
    const shape = single(input, 'CategoryEncoding');
    const numTokens = input.cfg.num('numTokens');
    const mode = input.cfg.str('outputMode', 'multiHot');
    if (mode !== null && !OUTPUT_MODES.includes(mode)) {
      // tfjs only notices an unknown mode when the model runs; the shape is the default one.
      return { ...encodedShape(shape, numTokens, mode), warnings: [{ code: 'invalid-config', message: `CategoryEncoding: unknown outputMode '${mode}'; valid modes are ${OUTPUT_MODES.join(', ')}.` }] };
    }
    const out = encodedShape(shape, numTokens, mode);
    const tooDeep = mode !== 'int' && mode !== null && (out.outputShape as Shape).length > 2;
    return tooDeep
      ? {
          ...out,
          warnings: [
            {
              code: 'category-encoding-rank',
              message: `CategoryEncoding: outputMode '${mode}' gives ${fmtShape(out.outputShape as Shape)} here, but tfjs only encodes to rank ≤ 2 and fails when the model runs.`,
            },
          ],
        }
      : out;
  },
};

function encodedShape(shape: Shape, numTokens: Dim, mode: string | null) {
  const out = shape.slice();
  if (mode === 'oneHot' && out[out.length - 1] !== 1) out.push(numTokens);
  else out[out.length - 1] = numTokens;
  return { outputShape: out, weights: [], macs: 0 };
}

/**
 * RandomWidth's width is drawn per call; tfjs 4.22 reports [undefined, -1, inputShape[2]]
 * (a placeholder that also drops the batch axis). It is reproduced, with undefined as null.
 */
const randomWidth: LayerRule = {
  className: 'RandomWidth',
  factories: ['randomWidth'],
  build(input) {
    const shape = single(input, 'RandomWidth');
    checkWidthFactor(input.cfg.raw('factor'));
    const interpolation = input.cfg.str('interpolation', 'bilinear');
    if (interpolation !== null && interpolation !== 'bilinear' && interpolation !== 'nearest') {
      throw new ShapeError('invalid-config', `RandomWidth: invalid interpolation '${interpolation}'; use 'bilinear' or 'nearest'.`);
    }
    const reported: Shape = [null, -1, shape[2] ?? null];
    return {
      outputShape: reported,
      weights: [],
      macs: 0,
      warnings: [
        {
          code: 'tfjs-wrong-output-shape',
          message:
            `RandomWidth: tfjs 4.22 reports a placeholder output shape ${fmtShape(reported)} (-1 for the random width, the third entry is the input's dimension 2); ` +
            'layers after it are built on that shape.',
        },
      ],
    };
  },
};

/** tfjs's constructor checks: a positive number or a [lower, upper] pair, both above -1. */
function checkWidthFactor(factor: unknown): void {
  // A factor the interpreter could not evaluate cannot be checked.
  if (factor instanceof UnknownValue || (Array.isArray(factor) && factor.some((f) => f instanceof UnknownValue))) return;
  let lower: number;
  let upper: number;
  if (Array.isArray(factor) && factor.length === 2 && factor.every((f) => typeof f === 'number')) {
    [lower, upper] = factor as number[];
  } else if (typeof factor === 'number' && factor > 0) {
    [lower, upper] = [-factor, factor];
  } else {
    throw new ShapeError('invalid-config', `RandomWidth: invalid factor ${JSON.stringify(factor)}; it must be a positive number or a pair of numbers.`);
  }
  if (lower < -1 || upper < -1) {
    throw new ShapeError('invalid-config', `RandomWidth: factor must have values larger than -1, got ${JSON.stringify(factor)}.`);
  }
  if (upper < lower) {
    throw new ShapeError('invalid-config', `RandomWidth: factor's upper bound ${upper} is less than its lower bound ${lower}.`);
  }
}

export const preprocessingRules: LayerRule[] = [rescaling, centerCrop, resizing, categoryEncoding, randomWidth];
