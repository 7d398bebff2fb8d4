/**
 * A tiny typed validator for data that crosses a trust boundary (webview ⇄ extension
 * messages). A validator checks an `unknown` value and returns it typed, or throws a
 * ValidationError naming where it failed (`$.data.models[2].layers[0].params`). Schemas are
 * values, so the type of what they accept is inferred from them (`Infer<typeof schema>`).
 *
 * Objects are closed: a key the schema does not name is an error. Strings and arrays have a
 * maximum length, so a message cannot make the receiver hold arbitrary amounts of data.
 * No `vscode` or DOM import: the extension, the webview bundle and the unit tests use it.
 */

export class ValidationError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'ValidationError';
  }
}

export interface Validator<T> {
  (value: unknown, path?: string): T;
  /** Set on validators made by `optional`: the key may be absent from an object. */
  readonly optional?: boolean;
}

export interface OptionalValidator<T> extends Validator<T | undefined> {
  readonly optional: true;
}

export type Infer<V> = V extends Validator<infer T> ? T : never;

type Shape = Record<string, Validator<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalValidator<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>;

/** Default maximum length of strings (characters) and arrays (items). */
export const MAX_STRING = 100_000;
export const MAX_ITEMS = 100_000;

function fail(path: string, problem: string): never {
  throw new ValidationError(path, problem);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v}`;
}

export function string(opts: { max?: number; min?: number; pattern?: RegExp } = {}): Validator<string> {
  const max = opts.max ?? MAX_STRING;
  return (v, path = '$') => {
    if (typeof v !== 'string') fail(path, `expected a string, got ${describe(v)}`);
    if (v.length > max) fail(path, `string longer than ${max} characters`);
    if (opts.min !== undefined && v.length < opts.min) fail(path, `string shorter than ${opts.min} characters`);
    if (opts.pattern && !opts.pattern.test(v)) fail(path, `string does not match ${opts.pattern}`);
    return v;
  };
}

/** A finite number (no NaN or ±Infinity); `integer` and bounds optional. */
export function number(opts: { integer?: boolean; min?: number; max?: number } = {}): Validator<number> {
  return (v, path = '$') => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `expected a finite number, got ${describe(v)}`);
    if (opts.integer && !Number.isInteger(v)) fail(path, 'expected an integer');
    if (opts.min !== undefined && v < opts.min) fail(path, `expected at least ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) fail(path, `expected at most ${opts.max}`);
    return v;
  };
}

export const boolean: Validator<boolean> = (v, path = '$') => {
  if (typeof v !== 'boolean') fail(path, `expected a boolean, got ${describe(v)}`);
  return v;
};

/** One of the given strings (or numbers, booleans). */
export function literal<const L extends ReadonlyArray<string | number | boolean>>(...values: L): Validator<L[number]> {
  return (v, path = '$') => {
    if (!values.includes(v as L[number])) fail(path, `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
    return v as L[number];
  };
}

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (v, path = '$') => (v === null ? null : inner(v, path));
}

/** An object key that may be absent (or `undefined`). */
export function optional<T>(inner: Validator<T>): OptionalValidator<T> {
  const v = ((value: unknown, path = '$') => (value === undefined ? undefined : inner(value, path))) as OptionalValidator<T>;
  Object.defineProperty(v, 'optional', { value: true });
  return v;
}

export function array<T>(item: Validator<T>, opts: { max?: number } = {}): Validator<T[]> {
  const max = opts.max ?? MAX_ITEMS;
  return (v, path = '$') => {
    if (!Array.isArray(v)) fail(path, `expected an array, got ${describe(v)}`);
    if (v.length > max) fail(path, `more than ${max} items`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

/** A plain object with exactly these keys (optional ones may be missing); returns a fresh copy. */
export function object<S extends Shape>(shape: S): Validator<ObjectOf<S>> {
  const keys = Object.keys(shape);
  return (v, path = '$') => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `expected an object, got ${describe(v)}`);
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) fail(path, 'expected a plain object');
    const record = v as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      if (!Object.prototype.hasOwnProperty.call(shape, k)) fail(`${path}.${k}`, 'unexpected key');
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const has = Object.prototype.hasOwnProperty.call(record, k);
      if (!has && !shape[k].optional) fail(`${path}.${k}`, 'missing');
      const value = shape[k](has ? record[k] : undefined, `${path}.${k}`);
      if (value !== undefined) out[k] = value;
    }
    return out as ObjectOf<S>;
  };
}

/**
 * A union of object schemas told apart by a string `key` (e.g. `type`): the value's `key`
 * picks the schema, so errors name the right variant.
 */
export function tagged<K extends string, M extends Record<string, Validator<Record<K, unknown>>>>(
  key: K,
  variants: M,
): Validator<Infer<M[keyof M]>> {
  return (v, path = '$') => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `expected an object, got ${describe(v)}`);
    const tag = (v as Record<string, unknown>)[key];
    if (typeof tag !== 'string' || !Object.prototype.hasOwnProperty.call(variants, tag)) {
      fail(
        `${path}.${key}`,
        `expected one of ${Object.keys(variants)
          .map((x) => JSON.stringify(x))
          .join(', ')}`,
      );
    }
    return variants[tag](v, path) as Infer<M[keyof M]>;
  };
}

/** Runs `validator` without throwing: the value, or the first problem found. */
export function check<T>(validator: Validator<T>, value: unknown): { ok: true; value: T } | { ok: false; error: string } {
  try {
    return { ok: true, value: validator(value, '$') };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, error: err.message };
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
