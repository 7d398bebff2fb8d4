/**
 * The JavaScript standard library as far as model code uses it: Math, Array and
 * its methods, Object, JSON, Number, String, console, Promise.resolve. Every native
 * works on abstract values: known in, computed out; unknown in, unknown out.
 */
import { ArgvValue } from './cli-args';
import type { Interpreter } from './interpreter';
import { describeUnknown, setBuiltinMembers, toNumber, toStringValue } from './interpreter';
import type { Scope } from './scope';
import {
  ClassValue,
  FunctionValue,
  HostValue,
  NativeFunction,
  ObjectValue,
  UnknownValue,
  type Value,
  isCallable,
  isUnknown,
  toPlain,
  truthy,
  unknown,
} from './values';

function fn(name: string, impl: NativeFunction['impl']): NativeFunction {
  return new NativeFunction(name, impl);
}

/** A native over numbers only: any unknown argument makes the result unknown. */
function numeric(name: string, f: (...xs: number[]) => number): NativeFunction {
  return fn(name, (_t, args) => {
    const xs: number[] = [];
    for (const a of args) {
      const n = toNumber(a);
      if (isUnknown(n)) return unknown(`${name}() of ${describeUnknown(n)}`);
      xs.push(n);
    }
    return f(...xs);
  });
}

/** Plain JSON-like data to abstract values. */
export function fromPlain(v: unknown): Value {
  if (Array.isArray(v)) return v.map(fromPlain);
  if (v !== null && typeof v === 'object') {
    const o = new ObjectValue();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o.props.set(k, fromPlain(x));
    return o;
  }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null || v === undefined) return v;
  return unknown('value of an unsupported kind');
}

function plainOrUnknown(v: Value): unknown {
  const p = toPlain(v);
  return containsUnknown(p) ? undefined : p;
}

function containsUnknown(p: unknown): boolean {
  if (p instanceof UnknownValue) return true;
  if (Array.isArray(p)) return p.some(containsUnknown);
  if (p !== null && typeof p === 'object') return Object.values(p).some(containsUnknown);
  return false;
}

export function installGlobals(interp: Interpreter, scope: Scope): void {
  const math = new ObjectValue();
  for (const name of ['floor', 'ceil', 'round', 'abs', 'sqrt', 'cbrt', 'log', 'log2', 'log10', 'exp', 'sin', 'cos', 'tan', 'atan', 'atan2', 'pow', 'min', 'max', 'sign', 'trunc', 'hypot', 'log1p', 'expm1', 'tanh'] as const) {
    const f = Math[name] as (...xs: number[]) => number;
    math.props.set(name, numeric(`Math.${name}`, (...xs) => f(...xs)));
  }
  for (const c of ['PI', 'E', 'LN2', 'LN10', 'SQRT2', 'SQRT1_2', 'LOG2E', 'LOG10E'] as const) math.props.set(c, Math[c]);
  math.props.set('random', fn('Math.random', () => unknown('Math.random() is not known statically')));
  scope.declare('Math', math);

  const arrayCtor = new NativeFunction(
    'Array',
    (_t, args) => makeArray(interp, args),
    (args) => makeArray(interp, args),
  );
  arrayCtor.props = new Map<string, Value>([
    ['isArray', fn('Array.isArray', (_t, [x]) => (isUnknown(x) ? unknown('Array.isArray of an unknown value') : Array.isArray(x)))],
    ['of', fn('Array.of', (_t, args) => sized(interp, [...args]))],
    [
      'from',
      fn('Array.from', (_t, [src, mapFn], call) => {
        let items: Value[] | undefined;
        if (Array.isArray(src)) items = [...src];
        else if (typeof src === 'string') items = [...src];
        else if (src instanceof ObjectValue) {
          const len = src.props.get('length');
          if (typeof len === 'number' && len >= 0 && len <= interp.budget.limits.maxLoopIterations && interp.budget.allocate(len)) items = new Array<Value>(len).fill(undefined);
        } else if (src instanceof HostValue) {
          const it = src.getProp('#iterate');
          if (Array.isArray(it)) items = it;
        }
        if (!items) return unknown(`Array.from(${describeUnknown(src)})`);
        if (isCallable(mapFn)) return items.map((x, i) => interp.call(mapFn, undefined, [x, i], call.node));
        return src instanceof ObjectValue ? items : sized(interp, items);
      }),
    ],
  ]);
  scope.declare('Array', arrayCtor);

  const objectCtor = fn('Object', (_t, [x]) => (x instanceof ObjectValue ? x : new ObjectValue()));
  objectCtor.props = new Map<string, Value>([
    ['keys', fn('Object.keys', (_t, [o]) => objectKeys(o))],
    ['values', fn('Object.values', (_t, [o]) => mapEntries(o, (_k, v) => v))],
    ['entries', fn('Object.entries', (_t, [o]) => mapEntries(o, (k, v) => [k, v]))],
    [
      'assign',
      fn('Object.assign', (_t, [target, ...sources]) => {
        if (!(target instanceof ObjectValue)) return unknown('Object.assign to a value that is not a known object');
        for (const s of sources) {
          if (s instanceof ObjectValue) for (const [k, v] of s.props) interp.journal.writeProp(target, k, v);
          else if (isUnknown(s)) return unknown(`Object.assign from ${describeUnknown(s)}`);
        }
        return target;
      }),
    ],
    [
      'fromEntries',
      fn('Object.fromEntries', (_t, [entries]) => {
        if (!Array.isArray(entries)) return unknown('Object.fromEntries of an unknown list');
        const o = new ObjectValue();
        for (const e of entries) {
          if (!Array.isArray(e) || isUnknown(e[0])) return unknown('Object.fromEntries with an unknown entry');
          o.props.set(toStringValue(e[0]), e[1]);
        }
        return o;
      }),
    ],
    ['freeze', fn('Object.freeze', (_t, [o]) => o)],
    ['seal', fn('Object.seal', (_t, [o]) => o)],
    ['create', fn('Object.create', () => new ObjectValue())],
    ['defineProperty', fn('Object.defineProperty', (_t, [o]) => o)],
  ]);
  scope.declare('Object', objectCtor);

  const json = new ObjectValue();
  json.props.set(
    'parse',
    fn('JSON.parse', (_t, [s]) => {
      if (typeof s !== 'string') return unknown(`JSON.parse of text that is not known statically${isUnknown(s) ? ` (${s.reason})` : ''}`);
      try {
        return fromPlain(JSON.parse(s));
      } catch {
        return unknown('JSON.parse of invalid JSON');
      }
    }),
  );
  json.props.set(
    'stringify',
    fn('JSON.stringify', (_t, [v]) => {
      const p = plainOrUnknown(v);
      return p === undefined ? unknown('JSON.stringify of a value with unknown parts') : JSON.stringify(p);
    }),
  );
  scope.declare('JSON', json);

  const numberCtor = numeric('Number', (x) => x);
  numberCtor.props = new Map<string, Value>([
    ['isInteger', fn('Number.isInteger', (_t, [x]) => (isUnknown(x) ? unknown('Number.isInteger of an unknown value') : Number.isInteger(x)))],
    ['isFinite', fn('Number.isFinite', (_t, [x]) => (isUnknown(x) ? unknown('Number.isFinite of an unknown value') : Number.isFinite(x)))],
    ['isNaN', fn('Number.isNaN', (_t, [x]) => (isUnknown(x) ? unknown('Number.isNaN of an unknown value') : Number.isNaN(x)))],
    ['parseInt', numericParse('Number.parseInt', parseInt)],
    ['parseFloat', numericParse('Number.parseFloat', parseFloat)],
    ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
    ['MIN_SAFE_INTEGER', Number.MIN_SAFE_INTEGER],
    ['EPSILON', Number.EPSILON],
    ['POSITIVE_INFINITY', Infinity],
    ['NEGATIVE_INFINITY', -Infinity],
    ['MAX_VALUE', Number.MAX_VALUE],
  ]);
  scope.declare('Number', numberCtor);
  scope.declare('parseInt', numericParse('parseInt', parseInt));
  scope.declare('parseFloat', numericParse('parseFloat', parseFloat));
  scope.declare('isNaN', numeric('isNaN', (x) => (Number.isNaN(x) ? 1 : 0)));
  scope.declare('String', fn('String', (_t, [x]) => (isUnknown(x) ? unknown(`String(${describeUnknown(x)})`) : toStringValue(x))));
  scope.declare('Boolean', fn('Boolean', (_t, [x]) => truthy(x) ?? unknown('Boolean of an unknown value')));
  scope.declare('NaN', NaN);
  scope.declare('Infinity', Infinity);
  scope.declare('undefined', undefined);
  // The global object, also `self` (a Web Worker's scope, where `self.model = tf.sequential()` is a
  // global): what code stores on it is kept, anything else on it is unknown. Message and event
  // handlers it is given run once with an unknown event, after the code that registered them.
  const global = new ObjectValue();
  global.openEnded = true;
  const handlerRunner = fn('addEventListener', (_t, args, call) => {
    for (const a of args) if (a instanceof FunctionValue) interp.pendingHandlers.push({ fn: a, node: call.node });
    return undefined;
  });
  global.props.set('addEventListener', handlerRunner);
  global.props.set('importScripts', fn('importScripts', () => undefined));
  global.props.set('postMessage', fn('postMessage', () => undefined));
  scope.declare('globalThis', global);
  scope.declare('self', global);

  const noop = fn('noop', () => undefined);
  scope.declare('console', ObjectValue.from({ log: noop, info: noop, warn: noop, error: noop, debug: noop, table: noop, time: noop, timeEnd: noop }));
  const promise = fn('Promise', () => unknown('a Promise'));
  promise.props = new Map<string, Value>([
    ['resolve', fn('Promise.resolve', (_t, [v]) => v)],
    ['all', fn('Promise.all', (_t, [v]) => v)],
  ]);
  scope.declare('Promise', promise);
  const errorCtor = (name: string) =>
    new NativeFunction(
      name,
      (_t, [m]) => ObjectValue.from({ name, message: m }),
      ([m]) => ObjectValue.from({ name, message: m }),
    );
  for (const e of ['Error', 'TypeError', 'RangeError', 'SyntaxError']) scope.declare(e, errorCtor(e));
  scope.declare('setTimeout', fn('setTimeout', () => unknown('timers are not run')));
  scope.declare('setInterval', fn('setInterval', () => unknown('timers are not run')));
  // Environment variables exist only when the program runs: never an empty guess. The
  // arguments are those of the default run (none): each one is unknown, but `?? default` is the default.
  scope.declare(
    'process',
    ObjectValue.from({
      env: unknown('process.env is known only at run time'),
      argv: new ArgvValue(2),
    }),
  );

  setBuiltinMembers((i, obj, key) => member(i, obj, key));
}

function numericParse(name: string, f: (s: string) => number): NativeFunction {
  return fn(name, (_t, [s]) => (isUnknown(s) ? unknown(`${name} of ${describeUnknown(s)}`) : f(toStringValue(s))));
}

function makeArray(interp: Interpreter, args: Value[]): Value {
  if (args.length === 1 && typeof args[0] === 'number') {
    if (args[0] > 1e7 || args[0] < 0 || !interp.budget.allocate(args[0])) return unknown('array too large to model');
    return new Array<Value>(args[0]).fill(undefined);
  }
  if (args.length === 1 && isUnknown(args[0])) return unknown(`Array of ${describeUnknown(args[0])} elements`);
  return [...args];
}

/**
 * An array a builtin just built, counted against the step budget: work in one call
 * proportional to its size (`a = a.concat(a)` in a loop) cannot exhaust memory.
 */
function sized(interp: Interpreter, items: Value[]): Value {
  return interp.budget.allocate(items.length) ? items : unknown('array too large to model');
}

function objectKeys(o: Value): Value {
  if (o instanceof ObjectValue) return [...o.props.keys()];
  if (Array.isArray(o)) return o.map((_, i) => String(i));
  return unknown(`keys of ${describeUnknown(o)}`);
}

function mapEntries(o: Value, f: (k: string, v: Value) => Value): Value {
  if (o instanceof ObjectValue) return [...o.props].map(([k, v]) => f(k, v));
  if (Array.isArray(o)) return o.map((v, i) => f(String(i), v));
  return unknown(`entries of ${describeUnknown(o)}`);
}

/* ---------------------------------------------------------------- members */

function member(interp: Interpreter, obj: Value, key: string): Value | undefined {
  if (Array.isArray(obj)) return arrayMethod(interp, obj, key);
  if (typeof obj === 'string') return stringMethod(interp, obj, key);
  if (typeof obj === 'number') return numberMethod(obj, key);
  if (obj instanceof FunctionValue || obj instanceof NativeFunction || obj instanceof ClassValue) return functionMethod(interp, obj, key);
  if (obj instanceof ObjectValue && obj.props.has('#resolved')) {
    // A resolved promise (a dynamic import): `.then` calls back with its value.
    const value = obj.props.get('#resolved');
    if (key === 'then') return fn('then', (_t, [onValue], c) => (isCallable(onValue) ? interp.call(onValue, undefined, [value], c.node) : obj));
    if (key === 'catch' || key === 'finally') return fn(key, () => obj);
  }
  if (obj instanceof ObjectValue) {
    if (key === 'hasOwnProperty') return fn('hasOwnProperty', (_t, [k]) => (isUnknown(k) ? unknown('hasOwnProperty of an unknown key') : obj.props.has(toStringValue(k))));
    if (key === 'toString') return fn('toString', () => '[object Object]');
  }
  return undefined;
}

function functionMethod(interp: Interpreter, f: FunctionValue | NativeFunction | ClassValue, key: string): Value | undefined {
  switch (key) {
    case 'call':
      return fn('call', (_t, [self, ...args], c) => interp.call(f, self, args, c.node));
    case 'apply':
      return fn('apply', (_t, [self, args], c) => {
        if (args !== undefined && !Array.isArray(args)) return unknown('apply with unknown arguments');
        return interp.call(f, self, args ?? [], c.node);
      });
    case 'bind':
      return fn('bind', (_t, [self, ...args]) =>
        f instanceof FunctionValue ? new FunctionValue(f.node, f.closure, self, f.homeClass, [...f.boundArgs, ...args]) : f,
      );
    case 'name':
      return f instanceof ClassValue || f instanceof NativeFunction ? f.name : undefined;
    default:
      return undefined;
  }
}

function numberMethod(n: number, key: string): Value | undefined {
  const m: Record<string, (...a: number[]) => string> = {
    toFixed: (d = 0) => n.toFixed(d),
    toString: (r = 10) => n.toString(r),
    toPrecision: (p) => n.toPrecision(p),
    toLocaleString: () => n.toLocaleString('en-US'),
  };
  const f = m[key];
  if (!f) return undefined;
  return fn(key, (_t, args) => {
    const xs = args.map(toNumber);
    if (xs.some(isUnknown)) return unknown(`${key} with an unknown argument`);
    return f(...(xs as number[]));
  });
}

function stringMethod(interp: Interpreter, s: string, key: string): Value | undefined {
  const proto = String.prototype as unknown as Record<string, unknown>;
  if (typeof proto[key] !== 'function' || key === 'constructor') return undefined;
  return fn(key, (_t, args) => {
    if (args.some((a) => isUnknown(a) || (typeof a === 'object' && a !== null && !Array.isArray(a)))) {
      return unknown(`string ${key}() with an argument that is not known`);
    }
    // Work and memory grow with the string, and with what repeat() and padStart() make.
    const made = key === 'repeat' ? s.length * Number(args[0]) : key === 'padStart' || key === 'padEnd' ? Number(args[0]) : 0;
    if (!interp.budget.allocate(s.length + (Number.isFinite(made) && made > 0 ? made : 0))) return unknown(`string ${key}() too large to model`);
    try {
      const r = (proto[key] as (...a: unknown[]) => unknown).apply(s, args.map((a) => toPlain(a)));
      return fromPlain(r);
    } catch {
      return unknown(`string ${key}() failed`);
    }
  });
}

function arrayMethod(interp: Interpreter, arr: Value[], key: string): Value | undefined {
  const cb = (f: Value, c: { node: import('ts-morph').ts.Node }) => (x: Value, i: number) => interp.call(f, undefined, [x, i, arr], c.node);
  switch (key) {
    case 'push':
      return fn('push', (_t, args) => {
        interp.journal.touchArray(arr);
        arr.push(...args);
        return arr.length;
      });
    case 'pop':
      return fn('pop', () => {
        interp.journal.touchArray(arr);
        return arr.pop();
      });
    case 'shift':
      return fn('shift', () => {
        interp.journal.touchArray(arr);
        return arr.shift();
      });
    case 'unshift':
      return fn('unshift', (_t, args) => {
        interp.journal.touchArray(arr);
        arr.unshift(...args);
        return arr.length;
      });
    case 'splice':
      return fn('splice', (_t, [start, count, ...items]) => {
        if (isUnknown(start) || isUnknown(count)) return unknown('splice at an unknown position');
        interp.journal.touchArray(arr);
        return arr.splice(Number(start), count === undefined ? arr.length : Number(count), ...items);
      });
    case 'reverse':
      return fn('reverse', () => {
        interp.journal.touchArray(arr);
        return arr.reverse();
      });
    case 'map':
      return fn('map', (_t, [f], c) => sized(interp, arr.map(cb(f, c))));
    case 'forEach':
      return fn('forEach', (_t, [f], c) => {
        arr.forEach(cb(f, c));
        return undefined;
      });
    case 'filter':
      return fn('filter', (_t, [f], c) => {
        const out: Value[] = [];
        for (let i = 0; i < arr.length; i++) {
          const t = truthy(cb(f, c)(arr[i], i));
          if (t === undefined) return unknown('filter with a condition that is not known');
          if (t) out.push(arr[i]);
        }
        return out;
      });
    case 'find':
    case 'findIndex':
    case 'some':
    case 'every':
      return fn(key, (_t, [f], c) => {
        for (let i = 0; i < arr.length; i++) {
          const t = truthy(cb(f, c)(arr[i], i));
          if (t === undefined) return unknown(`${key} with a condition that is not known`);
          if (key === 'every' && !t) return false;
          if (t && key !== 'every') return key === 'find' ? arr[i] : key === 'findIndex' ? i : true;
        }
        return key === 'find' ? undefined : key === 'findIndex' ? -1 : key === 'every';
      });
    case 'reduce':
    case 'reduceRight':
      return fn(key, (_t, args, c) => {
        const items = key === 'reduce' ? arr.map((x, i) => [x, i] as const) : arr.map((x, i) => [x, i] as const).reverse();
        let acc: Value;
        let start = 0;
        if (args.length >= 2) acc = args[1];
        else {
          if (!items.length) return unknown('reduce of an empty array with no initial value');
          acc = items[0][0];
          start = 1;
        }
        for (let k = start; k < items.length; k++) acc = interp.call(args[0], undefined, [acc, items[k][0], items[k][1], arr], c.node);
        return acc;
      });
    case 'slice':
      return fn('slice', (_t, [a, b]) => {
        if (isUnknown(a) || isUnknown(b)) return unknown('slice with unknown bounds');
        return sized(interp, arr.slice(a as number | undefined, b as number | undefined));
      });
    case 'concat':
      return fn('concat', (_t, args) => {
        const out = [...arr];
        for (const a of args) {
          if (Array.isArray(a)) for (const x of a) out.push(x);
          else if (isUnknown(a)) return unknown(`concat with ${describeUnknown(a)}`);
          else out.push(a);
        }
        return sized(interp, out);
      });
    case 'fill':
      return fn('fill', (_t, [v, a, b]) => {
        interp.journal.touchArray(arr);
        arr.fill(v, typeof a === 'number' ? a : undefined, typeof b === 'number' ? b : undefined);
        return arr;
      });
    case 'entries':
      return fn('entries', () => sized(interp, arr.map((x, i) => [i, x])));
    case 'keys':
      return fn('keys', () => sized(interp, arr.map((_, i) => i)));
    case 'values':
      return fn('values', () => sized(interp, [...arr]));
    case 'flat':
      return fn('flat', () => sized(interp, arr.flatMap((x) => (Array.isArray(x) ? x : [x]))));
    case 'flatMap':
      return fn('flatMap', (_t, [f], c) => sized(interp, arr.map(cb(f, c)).flatMap((x) => (Array.isArray(x) ? x : [x]))));
    case 'includes':
    case 'indexOf':
    case 'lastIndexOf':
      return fn(key, (_t, [v]) => {
        if (isUnknown(v) || arr.some(isUnknown)) return unknown(`${key} over unknown values`);
        return key === 'includes' ? arr.includes(v) : key === 'indexOf' ? arr.indexOf(v) : arr.lastIndexOf(v);
      });
    case 'join':
      return fn('join', (_t, [sep]) => {
        if (arr.some(isUnknown)) return unknown('join of unknown values');
        return arr.map((x) => (x === null || x === undefined ? '' : toStringValue(x))).join(sep === undefined ? ',' : toStringValue(sep));
      });
    case 'at':
      return fn('at', (_t, [i]) => (typeof i === 'number' ? arr.at(i) : unknown('at() with an unknown index')));
    case 'sort':
      return fn('sort', (_t, [f], c) => {
        if (arr.some(isUnknown)) return unknown('sort of unknown values');
        interp.journal.touchArray(arr);
        if (f === undefined) arr.sort((a, b) => (toStringValue(a) < toStringValue(b) ? -1 : toStringValue(a) > toStringValue(b) ? 1 : 0));
        else
          arr.sort((a, b) => {
            const r = toNumber(interp.call(f, undefined, [a, b], c.node));
            return isUnknown(r) ? 0 : r;
          });
        return arr;
      });
    case 'toString':
      return fn('toString', () => toStringValue(arr));
    default:
      return undefined;
  }
}
