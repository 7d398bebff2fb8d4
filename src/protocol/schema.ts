/**
 * A small runtime validator with static types, for the training protocol.
 *
 * Why not zod: the protocol is a dozen flat JSON messages; this file (no dependency, ~150
 * lines) gives the same two things — a TypeScript type inferred from one schema and a
 * readable error path (`layers[3].gradNorm: expected a number, got "x"`) — and it is
 * bundled into the worker, the CLI, the extension host and the webview, where every
 * kilobyte is loaded on start. JSON only: no dates, no classes, no transforms.
 */

export type Issue = { path: string; message: string };

export interface Schema<T> {
  /** Returns the issues found, or [] when `value` is a T. */
  check(value: unknown, path: string, issues: Issue[]): void;
  /** For messages: what the schema expects, e.g. `"a" | "b"`. */
  readonly describe: string;
  /** Only a type carrier: never set. */
  readonly _type?: T;
  /** Marks an object field as optional (may be absent or undefined). */
  readonly optional?: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function got(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v === 'object' ? 'an object' : typeof v;
}

function leaf<T>(describe: string, ok: (v: unknown) => boolean): Schema<T> {
  return {
    describe,
    check(v, path, issues) {
      if (!ok(v)) issues.push({ path, message: `expected ${describe}, got ${got(v)}` });
    },
  };
}

export const str = (): Schema<string> => leaf('a string', (v) => typeof v === 'string');
/** Any JSON number; NaN and ±Infinity are not JSON, so a sender writes them as null. */
export const num = (): Schema<number> => leaf('a number', (v) => typeof v === 'number' && !Number.isNaN(v));
export const int = (min = -Infinity): Schema<number> =>
  leaf(min > -Infinity ? `an integer ≥ ${min}` : 'an integer', (v) => Number.isInteger(v) && (v as number) >= min);
export const bool = (): Schema<boolean> => leaf('a boolean', (v) => typeof v === 'boolean');
export const unknownValue = (): Schema<unknown> => leaf('any value', () => true);

export function literal<const L extends string | number | boolean>(value: L): Schema<L> {
  return leaf(JSON.stringify(value), (v) => v === value);
}

export function oneOf<const L extends string>(values: readonly L[]): Schema<L> {
  const set = new Set<unknown>(values);
  return leaf(values.map((v) => JSON.stringify(v)).join(' | '), (v) => set.has(v));
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    describe: `${inner.describe} or null`,
    check(v, path, issues) {
      if (v === null) return;
      const sub: Issue[] = [];
      inner.check(v, path, sub);
      issues.push(...sub.map((i) => (i.path === path ? { path, message: `expected ${inner.describe} or null, got ${got(v)}` } : i)));
    },
  };
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> {
  return { ...inner, optional: true, check: (v, p, i) => v === undefined || inner.check(v, p, i) };
}

export function array<T>(inner: Schema<T>, maxItems = 1_000_000): Schema<T[]> {
  return {
    describe: `an array of ${inner.describe}`,
    check(v, path, issues) {
      if (!Array.isArray(v)) return void issues.push({ path, message: `expected an array, got ${got(v)}` });
      if (v.length > maxItems) return void issues.push({ path, message: `expected at most ${maxItems} items, got ${v.length}` });
      for (let i = 0; i < v.length && issues.length < 20; i++) inner.check(v[i], `${path}[${i}]`, issues);
    },
  };
}

export function record<T>(inner: Schema<T>): Schema<Record<string, T>> {
  return {
    describe: `an object of ${inner.describe}`,
    check(v, path, issues) {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return void issues.push({ path, message: `expected an object, got ${got(v)}` });
      for (const [k, x] of Object.entries(v)) inner.check(x, path ? `${path}.${k}` : k, issues);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<S extends Shape> = Simplify<{ [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }>;

/** An object with these fields; other fields are allowed (a newer sender may add some). */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    describe: 'an object',
    check(v, path, issues) {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return void issues.push({ path, message: `expected an object, got ${got(v)}` });
      const o = v as Record<string, unknown>;
      for (const [k, s] of Object.entries(shape)) {
        const p = path ? `${path}.${k}` : k;
        if (!(k in o) || o[k] === undefined) {
          if (!s.optional) issues.push({ path: p, message: `missing (expected ${s.describe})` });
          continue;
        }
        s.check(o[k], p, issues);
      }
    },
  };
}

/** A union of objects told apart by the string field `key` (e.g. `type`). */
export function tagged<K extends string, M extends Record<string, Schema<unknown>>>(key: K, members: M): Schema<Infer<M[keyof M]>> {
  const names = Object.keys(members);
  return {
    describe: `one of ${names.join(', ')}`,
    check(v, path, issues) {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return void issues.push({ path, message: `expected an object, got ${got(v)}` });
      const tag = (v as Record<string, unknown>)[key];
      const p = path ? `${path}.${key}` : key;
      if (typeof tag !== 'string' || !Object.prototype.hasOwnProperty.call(members, tag)) {
        return void issues.push({ path: p, message: `expected one of ${names.map((n) => JSON.stringify(n)).join(', ')}, got ${got(tag)}` });
      }
      members[tag].check(v, path, issues);
    },
  };
}

export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[]; message: string };

export function validate<T>(schema: Schema<T>, value: unknown): Result<T> {
  const issues: Issue[] = [];
  schema.check(value, '', issues);
  if (issues.length === 0) return { ok: true, value: value as T };
  const message = issues
    .slice(0, 5)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
  return { ok: false, issues, message: issues.length > 5 ? `${message}; … ${issues.length - 5} more` : message };
}
