/**
 * Pooling (tfjs-layers `layers/pooling.ts`): max/average pooling in 1, 2 and 3 dims with
 * every alias tfjs exports, and global average/max pooling in 1 and 2 dims.
 *
 * MAC convention: one comparison (max) or one addition (average) per window element counts
 * as one MAC, so windowed pooling costs out elements × window size (windows overlapping
 * 'same' padding count in full) and global pooling costs one per input element. The final
 * division of an average is not counted.
 */
import type { Dim } from '../graph';
import {
  type AxisSize,
  type Warning,
  assertPositiveIntegers,
  convAxis,
  costProduct,
  joinChannels,
  readDataFormat,
  readPadding,
  shapeFormula,
  sizeWarnings,
  splitChannels,
} from './conv-utils';
import { type ConfigReader, type LayerRule, type RuleOutput, ShapeError, UnknownValue, requireRank, single } from './rule';

/**
 * Pooling1D's `poolSize`/`strides`: a number or an array of exactly one number.
 * Unlike convolutions, pooling validates sizes as positive integers.
 */
function read1d(cfg: ConfigReader, key: string, def: Dim[]): Dim[] {
  const v = cfg.raw(key);
  let out: Dim[];
  if (v === undefined || v === null) out = def;
  else if (v instanceof UnknownValue) out = [null];
  else if (typeof v === 'number') out = [v];
  else if (Array.isArray(v) && v.length === 1 && (typeof v[0] === 'number' || v[0] instanceof UnknownValue)) {
    out = [typeof v[0] === 'number' ? v[0] : null];
  } else {
    throw new ShapeError(
      'invalid-config',
      `${cfg.className}: '${key}' must be a number or an array of a single number, got ${JSON.stringify(v)}.`,
    );
  }
  assertPositiveIntegers(cfg.className, key, out);
  return out;
}

/**
 * Pooling2D/3D's `poolSize`: a number is repeated; an array is taken as is (tfjs checks
 * neither its length nor, for `strides`' default, anything else), so a short array leaves
 * the missing sizes NaN, read here as unknown.
 */
function readPoolSize(cfg: ConfigReader, n: number, warnings: Warning[]): Dim[] {
  const v = cfg.raw('poolSize');
  if (v === undefined || v === null) return new Array<Dim>(n).fill(2);
  if (v instanceof UnknownValue) return new Array<Dim>(n).fill(null);
  if (typeof v === 'number') {
    assertPositiveIntegers(cfg.className, 'poolSize', [v]);
    return new Array<Dim>(n).fill(v);
  }
  if (!Array.isArray(v)) {
    throw new ShapeError('invalid-config', `${cfg.className}: 'poolSize' must be a number or an array, got ${JSON.stringify(v)}.`);
  }
  const given: Dim[] = v.map((x) => (typeof x === 'number' ? x : null));
  v.forEach((x) => {
    if (!(x instanceof UnknownValue) && typeof x !== 'number') {
      throw new ShapeError('invalid-config', `${cfg.className}: 'poolSize' must hold numbers, got ${JSON.stringify(v)}.`);
    }
  });
  assertPositiveIntegers(cfg.className, 'poolSize', given);
  if (given.length < n) {
    warnings.push({
      code: 'invalid-config',
      message: `${cfg.className}: 'poolSize' ${JSON.stringify(v)} has ${given.length} of ${n} sizes; tfjs reads the missing ones as undefined and gets NaN sizes.`,
    });
  }
  return Array.from({ length: n }, (_, i) => (i < given.length ? given[i] : null));
}

/** Pooling2D/3D's `strides`: defaults to poolSize; an array must have exactly n entries. */
function readPoolStrides(cfg: ConfigReader, n: number, poolSize: Dim[]): Dim[] {
  const v = cfg.raw('strides');
  let out: Dim[];
  if (v === undefined || v === null) return poolSize;
  if (v instanceof UnknownValue) out = new Array<Dim>(n).fill(null);
  else if (typeof v === 'number') out = new Array<Dim>(n).fill(v);
  else if (Array.isArray(v)) {
    if (v.length !== n) {
      throw new ShapeError(
        'invalid-config',
        `${cfg.className}: an array 'strides' must have length ${n}, got length ${v.length}.`,
      );
    }
    out = v.map((x) => (typeof x === 'number' ? x : null));
  } else {
    throw new ShapeError('invalid-config', `${cfg.className}: 'strides' must be a number or an array, got ${JSON.stringify(v)}.`);
  }
  assertPositiveIntegers(cfg.className, 'strides', out);
  return out;
}

function result(className: string, outputShape: Dim[], macs: Dim, axes: AxisSize[], extra: Warning[] = []): RuleOutput {
  const warnings = [...extra, ...sizeWarnings(className, axes)];
  return {
    outputShape,
    weights: [],
    macs,
    shapeFormula: shapeFormula(axes),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** MaxPooling1D / AveragePooling1D: pools axis 1 of [batch, steps, channels]; no dataFormat. */
function pool1d(className: string, factories: string[]): LayerRule {
  return {
    className,
    factories,
    build(input) {
      const shape = single(input, className);
      const cfg = input.cfg;
      const poolSize = read1d(cfg, 'poolSize', [2]);
      const strides = cfg.has('strides') ? read1d(cfg, 'strides', poolSize) : poolSize;
      const padding = readPadding(cfg);
      requireRank(shape, 3, className);
      const extra: Warning[] = [];
      if (cfg.has('dataFormat')) {
        extra.push({
          code: 'ignored-config',
          message: `${className}: tfjs ignores dataFormat for 1D pooling and always pools axis 1 ([batch, steps, channels]).`,
        });
      }
      const axis = convAxis(shape[1], poolSize[0], strides[0], 1, padding, 'pool');
      return result(
        className,
        [shape[0], axis.out, shape[2]],
        costProduct([axis.out, shape[2], poolSize[0]]),
        [axis],
        extra,
      );
    },
  };
}

/** Max/AveragePooling2D and 3D: tfjs `Pooling2D`/`Pooling3D.computeOutputShape`. */
function poolNd(n: 2 | 3, className: string, factories: string[]): LayerRule {
  return {
    className,
    factories,
    build(input) {
      const shape = single(input, className);
      const cfg = input.cfg;
      const warnings: Warning[] = [];
      const poolSize = readPoolSize(cfg, n, warnings);
      const strides = readPoolStrides(cfg, n, poolSize);
      const padding = readPadding(cfg);
      const format = readDataFormat(cfg);
      requireRank(shape, n + 2, className);
      const { spatial, channels } = splitChannels(shape, format);
      const axes = spatial.map((len, i) => convAxis(len, poolSize[i], strides[i], 1, padding, 'pool'));
      const outSpatial = axes.map((a) => a.out);
      return result(
        className,
        joinChannels(shape[0], outSpatial, channels, format),
        costProduct([...outSpatial, channels, ...poolSize]),
        axes,
        warnings,
      );
    },
  };
}

/** GlobalAverage/MaxPooling1D: [batch, steps, channels] → [batch, channels]. */
function global1d(className: string, factories: string[]): LayerRule {
  return {
    className,
    factories,
    build(input) {
      const shape = single(input, className);
      requireRank(shape, 3, className);
      return { outputShape: [shape[0], shape[2]], weights: [], macs: costProduct(shape.slice(1)) };
    },
  };
}

/** GlobalAverage/MaxPooling2D: keeps only the channel axis chosen by dataFormat. */
function global2d(className: string, factories: string[]): LayerRule {
  return {
    className,
    factories,
    build(input) {
      const shape = single(input, className);
      const format = readDataFormat(input.cfg);
      requireRank(shape, 4, className);
      const { channels } = splitChannels(shape, format);
      return { outputShape: [shape[0], channels], weights: [], macs: costProduct(shape.slice(1)) };
    },
  };
}

export const poolingRules: LayerRule[] = [
  pool1d('MaxPooling1D', ['maxPooling1d', 'maxPool1d']),
  poolNd(2, 'MaxPooling2D', ['maxPooling2d', 'maxPool2d']),
  poolNd(3, 'MaxPooling3D', ['maxPooling3d']),
  pool1d('AveragePooling1D', ['averagePooling1d', 'avgPool1d', 'avgPooling1d']),
  poolNd(2, 'AveragePooling2D', ['averagePooling2d', 'avgPool2d', 'avgPooling2d']),
  poolNd(3, 'AveragePooling3D', ['averagePooling3d', 'avgPool3d', 'avgPooling3d']),
  global1d('GlobalAveragePooling1D', ['globalAveragePooling1d']),
  global1d('GlobalMaxPooling1D', ['globalMaxPooling1d', 'globalMaxPool1d']),
  global2d('GlobalAveragePooling2D', ['globalAveragePooling2d']),
  global2d('GlobalMaxPooling2D', ['globalMaxPooling2d', 'globalMaxPool2d']),
];
