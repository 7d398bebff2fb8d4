/**
 * Layers that only move or repeat pixels: cropping2D, zeroPadding2d
 * (tfjs-layers `layers/convolutional.ts`, `layers/padding.ts`) and upSampling2d.
 *
 * MAC convention: copying, cropping and zero padding cost 0 MACs. Nearest-neighbour
 * upsampling is a copy (0); bilinear blends 4 neighbours per output element (4 MACs each).
 */
import type { Dim, Shape } from '../graph';
import {
  type AxisSize,
  type DataFormat,
  type Warning,
  costProduct,
  joinChannels,
  num,
  readDataFormat,
  shapeFormula,
  sizeWarnings,
  splitChannels,
} from './conv-utils';
import { type ConfigReader, type LayerRule, ShapeError, UnknownValue, requireRank, single } from './rule';

type Pair = [Dim, Dim];

function asDim(v: unknown): Dim {
  return typeof v === 'number' ? v : null;
}

/** `[[top, bottom], [left, right]]` from tfjs's three accepted forms (n, [h, w], nested). */
function readPairs(cfg: ConfigReader, key: string, def: [Pair, Pair] | undefined, strictLengths: boolean): [Pair, Pair] {
  const v = cfg.raw(key);
  if (v === undefined || v === null) {
    if (def === undefined) throw new ShapeError('missing-config', `${cfg.className}: '${key}' is required.`);
    return def;
  }
  if (v instanceof UnknownValue) {
    return [
      [null, null],
      [null, null],
    ];
  }
  if (typeof v === 'number') {
    return [
      [v, v],
      [v, v],
    ];
  }
  if (!Array.isArray(v)) {
    throw new ShapeError('invalid-config', `${cfg.className}: '${key}' must be a number or an array, got ${JSON.stringify(v)}.`);
  }
  // ZeroPadding2D checks every length; Cropping2D takes what it is given.
  if (strictLengths && v.length !== 2) {
    throw new ShapeError('invalid-config', `${cfg.className}: '${key}' must be a length-2 array, got length ${v.length}.`);
  }
  if (typeof v[0] === 'number') {
    return [
      [v[0], v[0]],
      [asDim(v[1]), asDim(v[1])],
    ];
  }
  const pair = (p: unknown, what: string): Pair => {
    if (!Array.isArray(p)) return [null, null];
    if (strictLengths && p.length !== 2) {
      throw new ShapeError('invalid-config', `${cfg.className}: the ${what} part of '${key}' must be a length-2 array, got length ${p.length}.`);
    }
    return [asDim(p[0]), asDim(p[1])];
  };
  return [pair(v[0], 'height'), pair(v[1], 'width')];
}

const cropping2D: LayerRule = {
  className: 'Cropping2D',
  factories: ['cropping2D'],
  build(input) {
    const shape = single(input, 'Cropping2D');
    const crop = readPairs(input.cfg, 'cropping', undefined, false);
    const format = readDataFormat(input.cfg, false);
    requireRank(shape, 4, 'Cropping2D');
    const { spatial, channels } = splitChannels(shape, format);
    // tfjs computes `null − a − b` here, a meaningless negative number; unknown stays unknown.
    const axes: AxisSize[] = spatial.map((len, i) => {
      const [a, b] = crop[i];
      const out = len === null || a === null || b === null ? null : len - a - b;
      return { out, formula: `${num(len)} − ${num(a)} − ${num(b)} = ${num(out)}`, detail: `crops ${num(a)} + ${num(b)} from ${num(len)}` };
    });
    const warnings = sizeWarnings('Cropping2D', axes);
    return {
      outputShape: joinChannels(shape[0], axes.map((a) => a.out), channels, format),
      weights: [],
      macs: 0,
      shapeFormula: shapeFormula(axes),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  },
};

const zeroPadding2d: LayerRule = {
  className: 'ZeroPadding2D',
  factories: ['zeroPadding2d'],
  build(input) {
    const shape = single(input, 'ZeroPadding2D');
    const pad = readPairs(
      input.cfg,
      'padding',
      [
        [1, 1],
        [1, 1],
      ],
      true,
    );
    const format = readDataFormat(input.cfg, false);
    requireRank(shape, 4, 'ZeroPadding2D');
    const { spatial, channels } = splitChannels(shape, format);
    const axes: AxisSize[] = spatial.map((len, i) => {
      const [a, b] = pad[i];
      // tfjs leaves a negative (already broken) size unknown rather than padding it.
      const out = len === null || len < 0 || a === null || b === null ? null : len + a + b;
      return { out, formula: `${num(len)} + ${num(a)} + ${num(b)} = ${num(out)}`, detail: `pads ${num(a)} + ${num(b)} onto ${num(len)}` };
    });
    return {
      outputShape: joinChannels(shape[0], axes.map((a) => a.out), channels, format),
      weights: [],
      macs: 0,
      shapeFormula: shapeFormula(axes),
    };
  },
};

const INTERPOLATIONS = ['nearest', 'bilinear'];

const upSampling2d: LayerRule = {
  className: 'UpSampling2D',
  factories: ['upSampling2d'],
  build(input) {
    const shape = single(input, 'UpSampling2D');
    const cfg = input.cfg;
    const warnings: Warning[] = [];
    const size = readSize(cfg, warnings);
    const format: DataFormat | null = readDataFormat(cfg);
    const interpolation = cfg.str('interpolation', 'nearest');
    if (interpolation !== null && !INTERPOLATIONS.includes(interpolation)) {
      throw new ShapeError('invalid-config', `UpSampling2D: interpolation '${interpolation}' is not valid; tfjs accepts 'nearest' or 'bilinear'.`);
    }
    requireRank(shape, 4, 'UpSampling2D');
    const { spatial, channels } = splitChannels(shape, format);
    const axes: AxisSize[] = spatial.map((len, i) => {
      const s = size[i];
      const out = len === null || s === null ? null : s * len;
      return { out, formula: `${num(len)}·${num(s)} = ${num(out)}`, detail: `size ${num(s)} on input ${num(len)}` };
    });
    const out: Shape = joinChannels(shape[0], axes.map((a) => a.out), channels, format);
    const outElements = costProduct(out.slice(1));
    const macs = interpolation === 'nearest' ? 0 : outElements === null ? null : 4 * outElements;
    warnings.push(...sizeWarnings('UpSampling2D', axes));
    return {
      outputShape: out,
      weights: [],
      macs,
      shapeFormula: shapeFormula(axes),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  },
};

/**
 * `size` is `[rows, cols]` (default [2, 2]). tfjs indexes it without checking, so a plain
 * number or a short array gives NaN sizes; those read as unknown, with a warning.
 */
function readSize(cfg: ConfigReader, warnings: Warning[]): Pair {
  const v = cfg.raw('size');
  if (v === undefined || v === null) return [2, 2];
  if (v instanceof UnknownValue) return [null, null];
  if (Array.isArray(v) && v.length >= 2) return [asDim(v[0]), asDim(v[1])];
  warnings.push({
    code: 'invalid-config',
    message: `UpSampling2D: 'size' must be an array [rows, cols]; tfjs reads ${JSON.stringify(v)} by index and gets NaN sizes.`,
  });
  return Array.isArray(v) ? [asDim(v[0]), null] : [null, null];
}

export const spatialRules: LayerRule[] = [cropping2D, zeroPadding2d, upSampling2d];
