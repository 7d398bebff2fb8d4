/**
 * A layer rule is data plus small pure functions: given the shapes flowing in and
 * the layer's config, the output shape, the weights (from which parameters follow)
 * and the multiply-accumulates for one sample. Rules mirror tfjs-layers 4.22's own
 * `computeOutputShape` and `build`; each is checked against real tfjs in test/oracle.
 */
import type { Count, Dim, OutputShape, Shape, WeightInfo } from '../graph';

/** A config value the interpreter could not evaluate, with the reason. */
export class UnknownValue {
  constructor(readonly reason: string) {}
}

/** Raised where tfjs itself would throw while building the layer. */
export class ShapeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly formula?: string,
  ) {
    super(message);
  }
}

export interface RuleInput {
  /** One shape per input tensor (most layers take exactly one). */
  inputShapes: Shape[];
  cfg: ConfigReader;
}

export interface RuleOutput {
  outputShape: OutputShape;
  weights: WeightInfo[];
  /** Multiply-accumulates for one sample; null when a size is unknown. */
  macs: Count;
  /** Output-size formula with the user's numbers, e.g. `floor((32 − 5 + 2·2)/1) + 1 = 32`. */
  shapeFormula?: string;
  /** Parameter formula with the user's numbers; derived from weights when absent. */
  paramFormula?: string;
  /** Problems tfjs does not throw for but a user wants to know (e.g. a size of 0). */
  warnings?: { code: string; message: string; formula?: string }[];
}

export interface LayerRule {
  /** tfjs class name, as `layer.getClassName()` returns it. */
  className: string;
  /** `tf.layers.<factory>` names that create this class (aliases included). */
  factories: string[];
  /** True for layers that take a list of tensors (merge layers). */
  multiInput?: boolean;
  build(input: RuleInput): RuleOutput;
}

/**
 * Typed access to a layer config whose values come from the abstract interpreter.
 * Unknown values read as null (numbers) or null (strings): rules propagate null
 * into the shape rather than guessing.
 */
export class ConfigReader {
  constructor(
    readonly values: Record<string, unknown>,
    readonly className: string,
  ) {}

  has(key: string): boolean {
    return this.values[key] !== undefined;
  }

  isUnknown(key: string): boolean {
    return this.values[key] instanceof UnknownValue;
  }

  raw(key: string): unknown {
    return this.values[key];
  }

  /** A number, its default when absent, null when unknown. Throws when required and absent. */
  num(key: string, def?: number | null): Dim {
    const v = this.values[key];
    if (v === undefined || v === null) {
      if (def === undefined) throw new ShapeError('missing-config', `${this.className}: '${key}' is required.`);
      return def;
    }
    if (v instanceof UnknownValue) return null;
    if (typeof v === 'number') return v;
    throw new ShapeError('invalid-config', `${this.className}: '${key}' must be a number, got ${describe(v)}.`);
  }

  str(key: string, def: string | null): string | null {
    const v = this.values[key];
    if (v === undefined || v === null) return def;
    if (v instanceof UnknownValue) return null;
    if (typeof v === 'string') return v;
    throw new ShapeError('invalid-config', `${this.className}: '${key}' must be a string, got ${describe(v)}.`);
  }

  bool(key: string, def: boolean): boolean | null {
    const v = this.values[key];
    if (v === undefined || v === null) return def;
    if (v instanceof UnknownValue) return null;
    return Boolean(v);
  }

  /** A number or a list of n numbers (tfjs's `normalizeArray`), e.g. kernelSize. */
  tuple(key: string, n: number, def?: number | number[]): Dim[] {
    let v = this.values[key];
    if (v === undefined || v === null) {
      if (def === undefined) throw new ShapeError('missing-config', `${this.className}: '${key}' is required.`);
      v = def;
    }
    if (v instanceof UnknownValue) return new Array<Dim>(n).fill(null);
    if (typeof v === 'number') return new Array<Dim>(n).fill(v);
    if (Array.isArray(v)) {
      if (v.length !== n) {
        throw new ShapeError(
          'invalid-config',
          `${this.className}: '${key}' must be a number or an array of ${n} numbers, got ${describe(v)}.`,
        );
      }
      return v.map((x) => (typeof x === 'number' ? x : null));
    }
    throw new ShapeError('invalid-config', `${this.className}: '${key}' must be a number or an array, got ${describe(v)}.`);
  }

  /** A list of numbers of any length (targetShape, dims), or null when unknown. */
  list(key: string): Dim[] | null {
    const v = this.values[key];
    if (v === undefined || v === null || v instanceof UnknownValue) return null;
    if (!Array.isArray(v)) {
      throw new ShapeError('invalid-config', `${this.className}: '${key}' must be an array, got ${describe(v)}.`);
    }
    return v.map((x) => (typeof x === 'number' ? x : null));
  }
}

function describe(v: unknown): string {
  if (v instanceof UnknownValue) return 'an unknown value';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/* ---------- small shared helpers for rules ---------- */

/** Product of dims; null if any is unknown. */
export function product(dims: readonly Dim[]): Dim {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

export function sum(xs: readonly Count[]): Count {
  let s = 0;
  for (const x of xs) {
    if (x === null) return null;
    s += x;
  }
  return s;
}

/** Multiply, propagating unknown. */
export function mul(...xs: Dim[]): Dim {
  return product(xs);
}

export function weight(name: string, shape: Shape, trainable = true): WeightInfo {
  return { name, shape, trainable };
}

/** The single input shape of a one-input layer; throws like tfjs when several are given. */
export function single(input: RuleInput, className: string): Shape {
  if (input.inputShapes.length !== 1) {
    throw new ShapeError(
      'wrong-input-count',
      `${className} expects a single input tensor, got ${input.inputShapes.length}.`,
    );
  }
  return input.inputShapes[0];
}

export function requireRank(shape: Shape, rank: number, className: string, what = 'input'): void {
  if (shape.length !== rank) {
    throw new ShapeError(
      'wrong-input-rank',
      `${className} expects ${what} of rank ${rank} (e.g. [${['null', ...new Array(rank - 1).fill('…')].join(',')}]), got rank ${shape.length}: ${fmtShape(shape)}.`,
    );
  }
}

export function fmtShape(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

export function fmtNum(n: Count): string {
  return n === null ? '?' : String(n);
}

/** `5·5·3·10` from dims. */
export function dot(dims: readonly Dim[]): string {
  return dims.map(fmtNum).join('·');
}

/**
 * A layer passed inside another layer's config (`bidirectional({layer})`,
 * `timeDistributed({layer})`): its rule and its own config.
 */
export interface InnerLayer {
  rule: LayerRule;
  config: Record<string, unknown>;
}

export function isInnerLayer(v: unknown): v is InnerLayer {
  return typeof v === 'object' && v !== null && 'rule' in v && 'config' in v;
}
