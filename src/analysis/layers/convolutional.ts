/**
 * Convolutions (tfjs-layers `layers/convolutional.ts` and `convolutional_depthwise.ts`):
 * conv1d/2d/3d, conv2dTranspose/conv3dTranspose, separableConv2d, depthwiseConv2d.
 *
 * MAC convention (one sample, bias adds not counted, padded positions counted as work):
 *   conv:        out spatial · kernel · C_in · C_out
 *   depthwise:   out spatial · kernel · C_in · depthMultiplier
 *   separable:   depthwise + out spatial · C_in · depthMultiplier · C_out
 *   transposed:  in spatial · kernel · C_in · C_out (every input pixel scatters a full kernel)
 */
import type { Dim, Shape, WeightInfo } from '../graph';
import {
  type AxisSize,
  type DataFormat,
  PADDING_MODES,
  SAME_OR_VALID,
  type Warning,
  biasWeight,
  checkWeightShapes,
  convAxis,
  costProduct,
  deconvAxis,
  intTuple,
  joinChannels,
  paramFormula,
  readDataFormat,
  readFilters,
  readPadding,
  requireChannels,
  shapeFormula,
  sizeWarnings,
  splitChannels,
} from './conv-utils';
import { type ConfigReader, type LayerRule, type RuleOutput, ShapeError, fmtShape, mul, requireRank, single, weight } from './rule';

/** Settings every tfjs BaseConv reads and validates in its constructor. */
interface BaseConvConfig {
  kernel: Dim[];
  strides: Dim[];
  dilation: Dim[];
  padding: string | null;
  format: DataFormat | null;
  useBias: boolean | null;
}

function readBaseConv(cfg: ConfigReader, rank: number, paddings: readonly string[] = PADDING_MODES): BaseConvConfig {
  return {
    kernel: intTuple(cfg, 'kernelSize', rank),
    strides: intTuple(cfg, 'strides', rank, 1),
    // tfjs checks the padding against all modes first, then some subclasses narrow it.
    padding: readPadding(cfg, paddings),
    format: readDataFormat(cfg),
    dilation: intTuple(cfg, 'dilationRate', rank, 1),
    useBias: cfg.bool('useBias', true),
  };
}

function finish(className: string, out: RuleOutput, axes: readonly AxisSize[], extra: Warning[] = []): RuleOutput {
  checkWeightShapes(className, out.weights);
  const warnings = [...sizeWarnings(className, axes), ...extra];
  return {
    ...out,
    shapeFormula: shapeFormula(axes),
    paramFormula: paramFormula(out.weights),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** tfjs computes 'causal' like 'valid' symbolically, then refuses to run it. */
function causalWarning(className: string, padding: string | null): Warning[] {
  if (padding !== 'causal') return [];
  return [
    {
      code: 'causal-padding-unsupported',
      message: `${className}: tfjs 4.22 sizes padding 'causal' like 'valid' when building, and throws NotImplementedError when the layer runs.`,
    },
  ];
}

function ignoredDilation(className: string, dilation: readonly Dim[]): Warning[] {
  if (dilation.every((d) => d === 1)) return [];
  return [
    {
      code: 'ignored-config',
      message: `${className}: tfjs ignores dilationRate ${JSON.stringify(dilation)} for this layer; shapes and results are those of dilation 1.`,
    },
  ];
}

/** Conv1D, Conv2D, Conv3D: tfjs `Conv.build` and `Conv.computeOutputShape`. */
function conv(rank: 1 | 2 | 3, className: string, factory: string): LayerRule {
  return {
    className,
    factories: [factory],
    build(input) {
      const shape = single(input, className);
      const cfg = input.cfg;
      const filters = readFilters(cfg);
      const c = readBaseConv(cfg, rank);
      requireRank(shape, rank + 2, className);
      const { spatial, channels } = splitChannels(shape, c.format);
      requireChannels(channels, className, shape, c.format);

      const axes = spatial.map((len, i) => convAxis(len, c.kernel[i], c.strides[i], c.dilation[i], c.padding));
      const outSpatial = axes.map((a) => a.out);
      const weights: WeightInfo[] = [weight('kernel', [...c.kernel, channels, filters])];
      const bias = biasWeight(c.useBias, filters);
      if (bias) weights.push(bias);

      const extra = causalWarning(className, c.padding);
      if (rank === 1 && c.format === 'channelsFirst') {
        extra.push({
          code: 'channels-first-conv1d',
          message: `Conv1D with dataFormat 'channelsFirst': tfjs reports ${fmtShape(joinChannels(shape[0], outSpatial, filters, c.format))} when building, but its call transposes the input and returns [batch, length, filters].`,
        });
      }
      return finish(
        className,
        {
          outputShape: joinChannels(shape[0], outSpatial, filters, c.format),
          weights,
          macs: costProduct([...outSpatial, ...c.kernel, channels, filters]),
        },
        axes,
        extra,
      );
    },
  };
}

/** Conv2DTranspose, Conv3DTranspose: tfjs `deconvLength`; kernel is [...k, filters, C_in]. */
function convTranspose(rank: 2 | 3, className: string, factory: string): LayerRule {
  return {
    className,
    factories: [factory],
    build(input) {
      const shape = single(input, className);
      const cfg = input.cfg;
      const filters = readFilters(cfg);
      const c = readBaseConv(cfg, rank, SAME_OR_VALID);
      requireRank(shape, rank + 2, className);
      const { spatial, channels } = splitChannels(shape, c.format);
      requireChannels(channels, className, shape, c.format);

      const axes = spatial.map((len, i) => deconvAxis(len, c.kernel[i], c.strides[i], c.padding));
      const weights: WeightInfo[] = [weight('kernel', [...c.kernel, filters, channels])];
      const bias = biasWeight(c.useBias, filters);
      if (bias) weights.push(bias);
      return finish(
        className,
        {
          outputShape: joinChannels(shape[0], axes.map((a) => a.out), filters, c.format),
          weights,
          macs: costProduct([...spatial, ...c.kernel, channels, filters]),
        },
        axes,
        ignoredDilation(className, c.dilation),
      );
    },
  };
}

/** The channel check of DepthwiseConv2D and SeparableConv2D, which also reject negatives. */
function requireDepthwiseChannels(channels: Dim, className: string, shape: Shape, format: DataFormat | null): void {
  requireChannels(channels, className, shape, format);
  if (channels !== null && channels < 0) {
    throw new ShapeError('unknown-channels', `${className} needs a non-negative channel dimension, got ${fmtShape(shape)}.`);
  }
}

const separableConv2d: LayerRule = {
  className: 'SeparableConv2D',
  factories: ['separableConv2d'],
  build(input) {
    const className = 'SeparableConv2D';
    const shape = single(input, className);
    const cfg = input.cfg;
    const filters = readFilters(cfg);
    const c = readBaseConv(cfg, 2, SAME_OR_VALID);
    for (const key of ['kernelInitializer', 'kernelRegularizer', 'kernelConstraint']) {
      if (cfg.has(key)) {
        throw new ShapeError(
          'invalid-config',
          `SeparableConv2D does not accept '${key}'; use the depthwise…/pointwise… variants instead.`,
        );
      }
    }
    const dm = cfg.num('depthMultiplier', 1);
    requireRank(shape, 4, className);
    const { spatial, channels } = splitChannels(shape, c.format);
    requireDepthwiseChannels(channels, className, shape, c.format);

    const axes = spatial.map((len, i) => convAxis(len, c.kernel[i], c.strides[i], c.dilation[i], c.padding));
    const outSpatial = axes.map((a) => a.out);
    const mid = mul(channels, dm);
    const weights: WeightInfo[] = [
      weight('depthwise_kernel', [...c.kernel, channels, dm]),
      weight('pointwise_kernel', [1, 1, mid, filters]),
    ];
    const bias = biasWeight(c.useBias, filters);
    if (bias) weights.push(bias);

    const depthwise = costProduct([...outSpatial, ...c.kernel, channels, dm]);
    const pointwise = costProduct([...outSpatial, mid, filters]);
    return finish(
      className,
      {
        outputShape: joinChannels(shape[0], outSpatial, filters, c.format),
        weights,
        macs: depthwise === null || pointwise === null ? null : depthwise + pointwise,
      },
      axes,
    );
  },
};

/**
 * DepthwiseConv2D. tfjs quirks kept on purpose: dilationRate is validated but ignored (in
 * the shape and when running), and build only checks rank ≥ 4, reading rows, cols and
 * channels at fixed axes, so a rank-5 input builds and fails only when run.
 */
const depthwiseConv2d: LayerRule = {
  className: 'DepthwiseConv2D',
  factories: ['depthwiseConv2d'],
  build(input) {
    const className = 'DepthwiseConv2D';
    const shape = single(input, className);
    const cfg = input.cfg;
    const c = readBaseConv(cfg, 2);
    const dm = cfg.num('depthMultiplier', 1);
    if (shape.length < 4) {
      throw new ShapeError('wrong-input-rank', `DepthwiseConv2D expects input of rank 4, got rank ${shape.length}: ${fmtShape(shape)}.`);
    }
    const first = c.format === 'channelsFirst';
    const known = c.format !== null;
    const channels = known ? shape[first ? 1 : 3] : null;
    const rows = known ? shape[first ? 2 : 1] : null;
    const cols = known ? shape[first ? 3 : 2] : null;
    requireDepthwiseChannels(channels, className, shape, c.format);

    const axes = [convAxis(rows, c.kernel[0], c.strides[0], 1, c.padding), convAxis(cols, c.kernel[1], c.strides[1], 1, c.padding)];
    const outSpatial = axes.map((a) => a.out);
    const outChannels = mul(channels, dm);
    const weights: WeightInfo[] = [weight('depthwise_kernel', [...c.kernel, channels, dm])];
    const bias = biasWeight(c.useBias, outChannels);
    if (bias) weights.push(bias);

    const extra = ignoredDilation(className, c.dilation);
    if (shape.length > 4) {
      extra.push({
        code: 'wrong-input-rank',
        message: `DepthwiseConv2D expects input of rank 4; tfjs builds it on rank ${shape.length} ${fmtShape(shape)} by reading fixed axes, and throws when the layer runs.`,
      });
    }
    return finish(
      className,
      {
        outputShape: joinChannels(shape[0], outSpatial, outChannels, c.format),
        weights,
        macs: costProduct([...outSpatial, ...c.kernel, channels, dm]),
      },
      axes,
      extra,
    );
  },
};

export const convolutionalRules: LayerRule[] = [
  conv(1, 'Conv1D', 'conv1d'),
  conv(2, 'Conv2D', 'conv2d'),
  conv(3, 'Conv3D', 'conv3d'),
  convTranspose(2, 'Conv2DTranspose', 'conv2dTranspose'),
  convTranspose(3, 'Conv3DTranspose', 'conv3dTranspose'),
  separableConv2d,
  depthwiseConv2d,
];
