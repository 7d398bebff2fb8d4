/**
 * Shared arithmetic for the sliding-window families (convolution, pooling, padding):
 * tfjs-layers' `utils/conv_utils.ts`, readers for the config conventions those layers
 * share, and the formulas shown to the user with their own numbers.
 */
import type { Dim, Shape, WeightInfo } from '../graph';
import { type ConfigReader, type RuleOutput, ShapeError, UnknownValue, fmtShape, product } from './rule';

export type DataFormat = 'channelsFirst' | 'channelsLast';
export type Warning = NonNullable<RuleOutput['warnings']>[number];

/** tfjs `VALID_PADDING_MODE_VALUES`. */
export const PADDING_MODES: readonly string[] = ['valid', 'same', 'causal'];
/** Transposed and separable convolutions reject 'causal' in their constructors. */
export const SAME_OR_VALID: readonly string[] = ['valid', 'same'];
const DATA_FORMATS: readonly string[] = ['channelsFirst', 'channelsLast'];

/** A number as a formula prints it: a true minus sign, `?` when unknown. */
export function num(n: Dim): string {
  if (n === null || Number.isNaN(n)) return '?';
  return n < 0 ? `−${-n}` : String(n);
}

function show(v: unknown): string {
  if (v instanceof UnknownValue) return 'an unknown value';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function invalid(className: string, message: string): ShapeError {
  return new ShapeError('invalid-config', `${className}: ${message}`);
}

/* ---------- config readers ---------- */

/** `padding`, defaulting to 'valid'; throws like tfjs for a mode outside `allowed`. */
export function readPadding(cfg: ConfigReader, allowed: readonly string[] = PADDING_MODES): string | null {
  const p = cfg.str('padding', 'valid');
  if (p !== null && !allowed.includes(p)) {
    throw invalid(cfg.className, `padding '${p}' is not supported; tfjs accepts ${allowed.map((m) => `'${m}'`).join(', ')}.`);
  }
  return p;
}

/**
 * `dataFormat`, defaulting to channelsLast. Most layers validate it (`checkDataFormat`);
 * Cropping2D and ZeroPadding2D do not, and treat anything but 'channelsFirst' as last.
 */
export function readDataFormat(cfg: ConfigReader, validated = true): DataFormat | null {
  const f = cfg.str('dataFormat', 'channelsLast');
  if (f === null) return null;
  if (validated && !DATA_FORMATS.includes(f)) {
    throw invalid(cfg.className, `dataFormat '${f}' is not valid; tfjs accepts 'channelsFirst' or 'channelsLast'.`);
  }
  return f === 'channelsFirst' ? 'channelsFirst' : 'channelsLast';
}

function integers(n: number): string {
  return n === 1 ? 'one integer' : `${n} integers`;
}

/**
 * tfjs `normalizeArray`: a number is repeated n times (and never checked), an array must
 * hold exactly n integers. Unknown values read as null.
 */
export function intTuple(cfg: ConfigReader, key: string, n: number, def?: number): Dim[] {
  const v = cfg.raw(key);
  if (v === undefined || v === null) {
    if (def === undefined) throw new ShapeError('missing-config', `${cfg.className}: '${key}' is required.`);
    return new Array<Dim>(n).fill(def);
  }
  if (v instanceof UnknownValue) return new Array<Dim>(n).fill(null);
  if (typeof v === 'number') return new Array<Dim>(n).fill(v);
  if (Array.isArray(v)) {
    if (v.length !== n) {
      throw invalid(cfg.className, `'${key}' must be an integer or an array of ${integers(n)}, got ${show(v)} (length ${v.length}).`);
    }
    return v.map((x) => {
      if (x instanceof UnknownValue) return null;
      if (typeof x === 'number' && Number.isInteger(x)) return x;
      throw invalid(cfg.className, `'${key}' must be an integer or an array of ${integers(n)}, got ${show(v)}.`);
    });
  }
  throw invalid(cfg.className, `'${key}' must be a number or an array, got ${show(v)}.`);
}

/** tfjs `assertPositiveInteger` on each known entry (pooling sizes and strides, conv filters). */
export function assertPositiveIntegers(className: string, key: string, values: readonly Dim[]): void {
  if (values.length === 0) throw invalid(className, `'${key}' is an empty array.`);
  for (const v of values) {
    if (v !== null && !(Number.isInteger(v) && v > 0)) {
      throw invalid(className, `'${key}' must be a positive integer, got ${v}.`);
    }
  }
}

/** `filters` of a convolution: required, a positive integer (Conv.verifyArgs). */
export function readFilters(cfg: ConfigReader): Dim {
  const f = cfg.num('filters');
  if (f !== null) assertPositiveIntegers(cfg.className, 'filters', [f]);
  return f;
}

/**
 * `useBias`, or null when unknown. An unknown flag gives a bias of unknown size, so the
 * parameter count stays unknown instead of guessing either way.
 */
export function biasWeight(useBias: boolean | null, units: Dim): WeightInfo | undefined {
  if (useBias === false) return undefined;
  return { name: 'bias', shape: [useBias === null ? null : units], trainable: true };
}

/* ---------- shapes ---------- */

/** The spatial dims and the channel dim of an N-spatial-dim input, per dataFormat. */
export function splitChannels(shape: Shape, format: DataFormat | null): { spatial: Dim[]; channels: Dim } {
  const n = shape.length - 2;
  if (format === null) return { spatial: new Array<Dim>(n).fill(null), channels: null };
  return format === 'channelsFirst'
    ? { spatial: shape.slice(2), channels: shape[1] }
    : { spatial: shape.slice(1, -1), channels: shape[shape.length - 1] };
}

/** Puts batch, spatial and channel dims back in dataFormat order. */
export function joinChannels(batch: Dim, spatial: Dim[], channels: Dim, format: DataFormat | null): Shape {
  if (format === null) return [batch, ...spatial.map(() => null), null];
  return format === 'channelsFirst' ? [batch, channels, ...spatial] : [batch, ...spatial, channels];
}

/** tfjs throws while building when the channel dim is unknown (or, for some layers, negative). */
export function requireChannels(channels: Dim, className: string, shape: Shape, format: DataFormat | null): void {
  if (format !== null && channels === null) {
    throw new ShapeError(
      'unknown-channels',
      `${className} needs a known channel dimension (${format === 'channelsFirst' ? 'axis 1' : 'last axis'}), got ${fmtShape(shape)}.`,
    );
  }
}

/** tfjs-core refuses to create a variable whose shape is not made of non-negative integers. */
export function checkWeightShapes(className: string, weights: readonly WeightInfo[]): void {
  for (const w of weights) {
    for (const d of w.shape) {
      if (d !== null && !(Number.isInteger(d) && d >= 0)) {
        throw new ShapeError(
          'invalid-weight-shape',
          `${className}: weight '${w.name}' would have shape ${fmtShape(w.shape)}; tfjs needs non-negative integer sizes.`,
        );
      }
    }
  }
}

/**
 * Product of dims for a cost estimate: null if any is unknown, 0 if any is zero or negative
 * (a negative output size is a bug to report, not a negative cost).
 */
export function costProduct(dims: readonly Dim[]): Dim {
  if (dims.some((d) => d === null)) return null;
  if (dims.some((d) => (d as number) <= 0)) return 0;
  return product(dims);
}

/* ---------- sizes along one axis, with their formula ---------- */

/** One spatial axis: its output size, the formula that gave it and a phrase for messages. */
export interface AxisSize {
  out: Dim;
  /** With the user's numbers and the result: `floor((32 − 5)/1) + 1 = 28`. */
  formula: string;
  /** What went in, for warnings: `kernel 7 on input 5, padding 'valid'`. */
  detail: string;
}

/**
 * tfjs `convOutputLength`: `floor((len + s − 1)/s)` where len is the input for 'same' and
 * `in − dk + 1` otherwise ('causal' falls into the 'valid' branch). For integers this is
 * `ceil(in/s)` and `floor((in − dk)/s) + 1`, which is how the formula is shown.
 */
export function convAxis(input: Dim, k: Dim, s: Dim, d: Dim, padding: string | null, what = 'kernel'): AxisSize {
  const dilated = d === 1 ? num(k) : `((${num(k)}−1)·${num(d)}+1)`;
  const detail = `${what} ${num(k)}${d !== 1 ? ` (dilation ${num(d)})` : ''} on input ${num(input)}${s !== 1 ? `, stride ${num(s)}` : ''}, padding '${padding ?? '?'}'`;
  let out: Dim = null;
  if (input !== null && k !== null && s !== null && d !== null && padding !== null) {
    const dk = k + (k - 1) * (d - 1);
    const len = padding === 'same' ? input : input - dk + 1;
    const r = Math.floor((len + s - 1) / s);
    out = Number.isFinite(r) ? r : null;
  }
  const formula =
    padding === 'same'
      ? `ceil(${num(input)}/${num(s)}) = ${num(out)}`
      : `floor((${num(input)} − ${dilated})/${num(s)}) + 1 = ${num(out)}`;
  return { out, formula, detail };
}

/** tfjs `deconvLength` (transposed convolution; it has no dilation and no outputPadding). */
export function deconvAxis(input: Dim, k: Dim, s: Dim, padding: string | null): AxisSize {
  let out: Dim = null;
  if (input !== null && s !== null && padding !== null && (padding === 'same' || k !== null)) {
    out = padding === 'valid' ? input * s + Math.max((k as number) - s, 0) : input * s;
  }
  const formula =
    padding === 'valid'
      ? `${num(input)}·${num(s)} + max(${num(k)} − ${num(s)}, 0) = ${num(out)}`
      : `${num(input)}·${num(s)} = ${num(out)}`;
  return { out, formula, detail: `kernel ${num(k)} on input ${num(input)}, stride ${num(s)}, padding '${padding ?? '?'}'` };
}

/** Axis names for messages: L for 1-D, H W for 2-D, D H W for 3-D. */
export function axisLabels(n: number): string[] {
  return n === 1 ? ['L'] : n === 2 ? ['H', 'W'] : n === 3 ? ['D', 'H', 'W'] : Array.from({ length: n }, (_, i) => `dim${i + 1}`);
}

/** One formula when every axis computes the same thing (`out = …`), else one per axis. */
export function shapeFormula(axes: readonly AxisSize[]): string {
  if (axes.length === 0) return '';
  if (axes.every((a) => a.formula === axes[0].formula)) return `out = ${axes[0].formula}`;
  const labels = axisLabels(axes.length);
  return axes.map((a, i) => `${labels[i]} = ${a.formula}`).join('; ');
}

/**
 * tfjs builds a layer with a zero or negative size without complaint in the functional API
 * (only Sequential.add rejects negatives); the user still wants to know.
 */
export function sizeWarnings(className: string, axes: readonly AxisSize[]): Warning[] {
  const labels = axisLabels(axes.length);
  const uniform = axes.every((a) => a.formula === axes[0]?.formula);
  const seen = new Set<string>();
  const warnings: Warning[] = [];
  axes.forEach((a, i) => {
    if (a.out === null || a.out > 0) return;
    const key = `${a.detail}|${a.formula}`;
    if (seen.has(key)) return;
    seen.add(key);
    const where = uniform || axes.length === 1 ? '' : ` (${labels[i]})`;
    warnings.push({
      code: a.out < 0 ? 'negative-output-size' : 'zero-output-size',
      message: `${className} ${a.detail}${where}: ${a.formula}`,
      formula: a.formula,
    });
  });
  return warnings;
}

/** `5·5·3·10 + 10 = 760` from the weights, one term per weight. */
export function paramFormula(weights: readonly WeightInfo[]): string | undefined {
  if (weights.length === 0) return undefined;
  const terms = weights.map((w) => w.shape.map(num).join('·'));
  let total: Dim = 0;
  for (const w of weights) {
    const n = product(w.shape);
    total = total === null || n === null ? null : total + n;
  }
  return `${terms.join(' + ')} = ${num(total)}`;
}
