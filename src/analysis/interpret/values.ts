/**
 * Abstract values. Known JavaScript primitives are represented by themselves;
 * everything else by a small class. `UnknownValue` carries the reason the
 * interpreter could not know a value, so whoever reads it can say why.
 */
import type { ts } from 'ts-morph';
import { UnknownValue } from '../layers/rule';
import type { Scope } from './scope';

export { UnknownValue };

export type Value =
  | number
  | string
  | boolean
  | null
  | undefined
  | bigint
  | UnknownValue
  | Value[]
  | ObjectValue
  | FunctionValue
  | NativeFunction
  | ClassValue
  | HostValue;

export class ObjectValue {
  readonly props = new Map<string, Value>();
  /** Getters/setters declared with `get x()` / `set x(v)` on a class or literal. */
  accessors?: Map<string, { get?: FunctionValue; set?: FunctionValue }>;
  /** Missing properties are unknown, not undefined: the global object, whose host defines far more than is modelled. */
  openEnded = false;
  constructor(
    /** The user class this object is an instance of, if any. */
    public classRef?: ClassValue,
  ) {}

  static from(entries: Record<string, Value>): ObjectValue {
    const o = new ObjectValue();
    for (const [k, v] of Object.entries(entries)) o.props.set(k, v);
    return o;
  }
}

export type FunctionNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

export class FunctionValue {
  constructor(
    readonly node: FunctionNode,
    readonly closure: Scope,
    /** `this` captured by an arrow function, or bound with `.bind`. */
    readonly boundThis?: Value,
    /** The class whose method this is, for `super`. */
    readonly homeClass?: ClassValue,
    readonly boundArgs: Value[] = [],
  ) {}
}

export interface CallContext {
  /** The call expression being evaluated (for source ranges). */
  node: ts.Node;
}

export class NativeFunction {
  props?: Map<string, Value>;
  constructor(
    readonly name: string,
    readonly impl: (thisArg: Value, args: Value[], call: CallContext) => Value,
    /** Called for `new X(...)`; plain call is used when absent. */
    readonly construct?: (args: Value[], call: CallContext) => Value,
  ) {}
}

export class ClassValue {
  readonly statics = new ObjectValue();
  constructor(
    readonly name: string,
    readonly node: ts.ClassLikeDeclaration,
    readonly closure: Scope,
    readonly superClass: Value,
  ) {}
}

/**
 * Values that belong to the host API being modelled (tfjs layers, models, symbolic
 * tensors). The interpreter asks them for properties and calls them through this
 * interface and knows nothing else about them.
 */
export abstract class HostValue {
  abstract readonly hostKind: string;
  abstract getProp(name: string): Value;
  setProp(_name: string, _value: Value): boolean {
    return false;
  }
}

export function unknown(reason: string): UnknownValue {
  return new UnknownValue(reason);
}

export function isUnknown(v: Value): v is UnknownValue {
  return v instanceof UnknownValue;
}

export function isCallable(v: Value): v is FunctionValue | NativeFunction | ClassValue {
  return v instanceof FunctionValue || v instanceof NativeFunction || v instanceof ClassValue;
}

/** JavaScript truthiness; undefined when the value is unknown. */
export function truthy(v: Value): boolean | undefined {
  if (v instanceof UnknownValue) return undefined;
  if (v === null || v === undefined) return false;
  if (typeof v === 'object' || typeof v === 'function') return true;
  return Boolean(v);
}

/** Join of the values two paths produced: equal values stay, others become unknown. */
export function join(a: Value, b: Value, reason: string): Value {
  if (a === b) return a;
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return a;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.map((x, i) => join(x, b[i], reason));
  }
  if (a instanceof UnknownValue) return a;
  if (b instanceof UnknownValue) return b;
  return new UnknownValue(reason);
}

/** Plain JavaScript for a config object: arrays and objects converted, unknowns kept as markers. */
export function toPlain(v: Value, depth = 0): unknown {
  if (depth > 20) return new UnknownValue('value nested too deeply');
  if (Array.isArray(v)) return v.map((x) => toPlain(x, depth + 1));
  if (v instanceof ObjectValue) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v.props) out[k] = toPlain(x, depth + 1);
    return out;
  }
  return v;
}

export function typeOf(v: Value): string | undefined {
  if (v instanceof UnknownValue) return undefined;
  if (v === null) return 'object';
  if (v instanceof FunctionValue || v instanceof NativeFunction || v instanceof ClassValue) return 'function';
  if (Array.isArray(v) || v instanceof ObjectValue || v instanceof HostValue) return 'object';
  return typeof v;
}

/** Short human text of a value for messages. */
export function show(v: Value, depth = 0): string {
  if (v instanceof UnknownValue) return 'unknown';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return depth > 2 ? '[…]' : `[${v.map((x) => show(x, depth + 1)).join(',')}]`;
  if (v instanceof ObjectValue) return '{…}';
  if (v instanceof FunctionValue || v instanceof NativeFunction) return 'function';
  if (v instanceof ClassValue) return `class ${v.name}`;
  if (v instanceof HostValue) return v.hostKind;
  return String(v);
}
