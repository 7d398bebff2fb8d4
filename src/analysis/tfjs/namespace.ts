/**
 * The `tf` namespace as the interpreter sees it, whichever package it was imported
 * from: `tf.layers.*` factories backed by the layer rules, `tf.input`, `tf.sequential`,
 * `tf.model`, optimizers, and the base class for user-defined layers. Everything else
 * tfjs offers evaluates to an unknown value that says it is computed at run time.
 */
import type { ts } from 'ts-morph';
import type { OutputShape, Shape, WeightInfo } from '../graph';
import { countWeights } from '../layers/apply';
import { knownFactories, ruleForFactory } from '../layers/registry';
import { ShapeError } from '../layers/rule';
import type { Interpreter } from '../interpret/interpreter';
import { HostValue, NativeFunction, ObjectValue, UnknownValue, type Value, isCallable, isUnknown, toPlain, unknown } from '../interpret/values';
import { ModelInstance, OptimizerValue, createInput, customLayers, functionalModel, inputTensorOf, layerOf, sequentialAdd } from './models';
import type { Session } from './session';
import { LayerInstance, customCompute } from './symbolic';

/** Packages whose default/namespace export is the tfjs API. */
export const TFJS_MODULES = new Set([
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-core',
]);

const RUNTIME = 'a concrete tensor: its values exist only when the program runs';

class Namespace extends HostValue {
  constructor(
    readonly hostKind: string,
    private readonly members: Map<string, Value>,
    private readonly fallback: (name: string) => Value,
  ) {
    super();
  }

  getProp(name: string): Value {
    if (this.members.has(name)) return this.members.get(name);
    const v = this.fallback(name);
    this.members.set(name, v);
    return v;
  }
}

function native(name: string, impl: NativeFunction['impl']): NativeFunction {
  return new NativeFunction(name, impl);
}

/**
 * What `tf.layers` exports in tfjs 4.22 besides the factories the layer rules cover
 * (`Object.keys(tf.layers)`; an oracle test keeps the two lists in step). Any other name
 * is not a function there.
 */
export const TFJS_LAYERS_OTHER_EXPORTS = new Set(['Layer', 'RNN', 'RNNCell', 'input', 'inputLayer']);

/** The factory a misspelt name most likely meant: same letters in another case, or within two edits. */
export function nearestFactory(name: string): string | undefined {
  const factories = knownFactories();
  const lower = name.toLowerCase();
  const sameCase = factories.find((f) => f.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: string | undefined;
  let bestDistance = 3;
  const digits = (s: string) => s.replace(/\D/g, '');
  for (const f of factories) {
    // conv3d is not a typo of conv2d: a different dimensionality is no suggestion.
    if (digits(f) !== digits(name)) continue;
    const d = editDistance(lower, f.toLowerCase());
    if (d < bestDistance) {
      best = f;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Layer config from a factory argument: plain values, inner layers (and lists of cells) as {rule, config}. */
function layerConfig(arg: Value): Record<string, unknown> {
  if (!(arg instanceof ObjectValue)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of arg.props) {
    const inner = layerOf(v);
    if (inner && (k === 'layer' || k === 'cell')) {
      out[k] = inner.rule ? { rule: inner.rule, config: inner.config } : unknown(`the ${k} is a ${inner.className}, which has no static rule`);
    } else if (Array.isArray(v) && (k === 'cell' || k === 'cells') && v.every((x) => layerOf(x)?.rule)) {
      out[k] = v.map((x) => ({ rule: layerOf(x)!.rule!, config: layerOf(x)!.config }));
    } else {
      out[k] = toPlain(v);
    }
  }
  return out;
}

export function createTfNamespace(session: Session, interp: Interpreter): Value {
  const layerFactory = (factory: string) =>
    native(`tf.layers.${factory}`, (_t, [arg], call) => {
      const rule = ruleForFactory(factory);
      const config = layerConfig(arg);
      if (arg !== undefined && !(arg instanceof ObjectValue) && isUnknown(arg)) {
        session.report({
          severity: 'info',
          code: 'unknown-value',
          message: `The config of tf.layers.${factory}() is not known statically (${arg.reason}).`,
          range: session.range(call.node),
        });
      }
      if (!rule) {
        const exists = TFJS_LAYERS_OTHER_EXPORTS.has(factory);
        const near = exists ? undefined : nearestFactory(factory);
        session.report({
          severity: exists ? 'warning' : 'error',
          code: exists ? 'unsupported-layer' : 'not-a-tfjs-layer',
          message: exists
            ? `tf.layers.${factory} is not a layer Layer Lens knows; shapes after it are unknown.`
            : `tf.layers.${factory} does not exist in tfjs 4.22 (calling it throws a TypeError)${near ? `; did you mean tf.layers.${near}?` : '.'}`,
          range: session.range(call.node),
        });
        return new LayerInstance(session, undefined, factory, factory, config, call.node);
      }
      return new LayerInstance(session, rule, rule.className, factory, config, call.node);
    });

  const inputFn = native('tf.input', (_t, [arg], call) => {
    const cfg = arg instanceof ObjectValue ? arg : new ObjectValue();
    const shape = toPlain(cfg.props.get('shape'));
    const batchShape = toPlain(cfg.props.get('batchShape'));
    const name = cfg.props.get('name');
    let dims: Shape | undefined;
    // tfjs concatenates `shape` after the batch size, so a single number is a rank-1 shape.
    const shapeList = typeof shape === 'number' ? [shape] : shape;
    if (Array.isArray(batchShape)) dims = batchShape.map((d) => (typeof d === 'number' ? d : null));
    else if (Array.isArray(shapeList)) {
      const bs = cfg.props.get('batchSize');
      dims = [typeof bs === 'number' ? bs : null, ...shapeList.map((d) => (typeof d === 'number' ? d : null))];
    }
    const given = Array.isArray(batchShape) ? batchShape : shapeList;
    const uncertain = !Array.isArray(given) || given.some((d) => d instanceof UnknownValue);
    if (!dims) {
      session.report({
        severity: 'info',
        code: 'unknown-value',
        message: 'The shape of this tf.input() is not known statically; shapes that depend on it are unknown.',
        range: session.range(call.node),
      });
    }
    const t = createInput(session, dims ?? null, typeof name === 'string' ? name : undefined, call.node);
    t.uncertainDims = uncertain;
    return t;
  });

  const inputLayerFn = native('tf.layers.inputLayer', (_t, [arg], call) => {
    const config = layerConfig(arg);
    const layer = new LayerInstance(session, undefined, 'InputLayer', 'inputLayer', config, call.node);
    const bis = layer.batchInputShape;
    if (!bis) {
      session.report({
        severity: 'error',
        code: 'missing-input-shape',
        message: 'An InputLayer should be passed either a `batchInputShape` or an `inputShape`.',
        range: session.range(call.node),
        layerId: layer.node.id,
      });
      return layer;
    }
    inputTensorOf(layer, bis);
    return layer;
  });

  const layerMembers = new Map<string, Value>([
    ['inputLayer', inputLayerFn],
    ['input', inputFn],
    ['Layer', userLayerBase(session, interp)],
  ]);
  for (const f of knownFactories()) layerMembers.set(f, layerFactory(f));
  const layers = new Namespace('tf.layers', layerMembers, (name) => layerFactory(name));

  const newSequential = (arg: Value, node: ts.Node): ModelInstance => {
    const cfg = arg instanceof ObjectValue ? arg : undefined;
    const name = cfg?.props.get('name');
    const model = new ModelInstance(session, 'sequential', node, typeof name === 'string' ? name : undefined);
    const list = cfg?.props.get('layers');
    if (Array.isArray(list)) for (const l of list) sequentialAdd(model, l, node);
    else if (list !== undefined) sequentialAdd(model, list, node);
    return model;
  };
  const sequential = native('tf.sequential', (_t, [arg], call) => newSequential(arg, call.node));

  const model = native('tf.model', (_t, [arg], call) => functionalModel(session, arg, call.node));

  const optimizer = (name: string) =>
    native(`tf.train.${name}`, (_t, [lr]) => new OptimizerValue(name, typeof lr === 'number' ? lr : lr === undefined ? defaultLearningRate(name) : null));
  const train = new Namespace(
    'tf.train',
    new Map(['sgd', 'momentum', 'adam', 'adamax', 'rmsprop', 'adagrad', 'adadelta'].map((n) => [n, optimizer(n)])),
    (name) => unknown(`tf.train.${name} is not modelled`),
  );

  const named = (prefix: string) => new Namespace(prefix, new Map(), (name) => native(`${prefix}.${name}`, () => unknown(`${prefix}.${name}() computes values at run time`)));
  const configObject = (prefix: string) =>
    new Namespace(prefix, new Map(), (name) => native(`${prefix}.${name}`, (_t, [arg]) => ObjectValue.from({ className: name, config: arg })));

  const runtime = (name: string) => native(`tf.${name}`, () => unknown(RUNTIME));

  const members = new Map<string, Value>([
    ['layers', layers],
    ['input', inputFn],
    ['sequential', sequential],
    ['model', model],
    ['train', train],
    ['losses', named('tf.losses')],
    ['metrics', named('tf.metrics')],
    ['regularizers', configObject('tf.regularizers')],
    ['initializers', configObject('tf.initializers')],
    ['constraints', configObject('tf.constraints')],
    ['serialization', new Namespace('tf.serialization', new Map([['registerClass', native('registerClass', () => undefined)]]), () => unknown('tf.serialization is not modelled'))],
    ['tidy', native('tf.tidy', (_t, args, call) => {
      const f = args.find(isCallable);
      return f ? interp.call(f, undefined, [], call.node) : undefined;
    })],
    ['loadLayersModel', native('tf.loadLayersModel', () => unknown('a model loaded at run time'))],
    ['loadGraphModel', native('tf.loadGraphModel', () => unknown('a model loaded at run time'))],
    ['Sequential', modelBase('tf.Sequential', newSequential)],
    ['LayersModel', modelBase('tf.LayersModel', (arg, node) => functionalModel(session, arg, node))],
  ]);
  const tf = new Namespace('tf', members, (name) => runtime(name));
  // `import { default as tf } from '@tensorflow/tfjs'` (and `tf.default` of a CommonJS interop): the namespace itself.
  members.set('default', tf);
  return tf;
}

/**
 * `tf.Sequential` and `tf.LayersModel` as classes: `new tf.Sequential({layers})` is
 * `tf.sequential(…)`, and an instance of `class Net extends tf.Sequential` is a model
 * created at its `super(…)` call, with the layers its constructor and methods add to
 * `this`. What the user class does not define (`add`, `compile`, `layers`…) is the model's.
 */
function modelBase(name: string, make: (arg: Value, node: ts.Node) => ModelInstance): NativeFunction {
  const base = new NativeFunction(
    name,
    (_t, [arg], call) => make(arg, call.node),
    ([arg], call) => make(arg, call.node),
  );
  base.props = new Map<string, Value>();
  base.props.set(
    '#init',
    native('#init', (self, [arg], call) => {
      if (self instanceof ObjectValue && !customLayers.has(self)) customLayers.set(self, make(arg, call.node));
      return undefined;
    }),
  );
  base.props.set(
    '#instance',
    native('#instance', (self, [key]) => {
      const m = self instanceof ObjectValue ? customLayers.get(self) : undefined;
      if (!m) return unknown(`${name} base class used before super()`);
      return m.getProp(key as string);
    }),
  );
  return base;
}

function defaultLearningRate(name: string): number | null {
  // tfjs's defaults: sgd/momentum need an explicit rate; these have one.
  const d: Record<string, number> = { adam: 0.001, adamax: 0.002, rmsprop: 0.001, adagrad: 0.01, adadelta: 0.001 };
  return d[name] ?? null;
}

/**
 * `class X extends tf.layers.Layer`: the instance gets a layer whose output shape comes
 * from the user's `computeOutputShape` and whose weights from the `addWeight` calls
 * their `build` makes — both run by the interpreter on the actual input shapes.
 */
function userLayerBase(session: Session, interp: Interpreter): NativeFunction {
  const base = native('tf.layers.Layer', () => unknown('tf.layers.Layer must be called with new'));
  base.props = new Map<string, Value>();
  base.props.set(
    '#init',
    native('#init', (self, [arg], call) => {
      if (!(self instanceof ObjectValue) || customLayers.has(self)) return undefined;
      const cls = self.classRef;
      // A static field or a static getter (`static get className()`), inherited too.
      const staticName = cls ? interp.getProp(cls, 'className', call.node) : undefined;
      const className = typeof staticName === 'string' ? staticName : (cls?.name ?? 'Layer');
      const layer = new LayerInstance(session, undefined, className, className, layerConfig(arg), newExpressionOf(call.node));
      customLayers.set(self, layer);
      customCompute.set(layer, (inputShapes, callNode) => computeUserLayer(interp, self, layer, inputShapes, callNode));
      return undefined;
    }),
  );
  base.props.set(
    '#instance',
    native('#instance', (self, [key]) => {
      const layer = self instanceof ObjectValue ? customLayers.get(self) : undefined;
      if (!layer) return unknown('layer base class used before super()');
      switch (key) {
        case 'addWeight':
          return native('addWeight', (_t, [name, shape, _dtype, _init, _reg, trainable]) => {
            const dims = Array.isArray(shape) ? shape.map((d) => (typeof d === 'number' ? d : null)) : [null];
            pendingWeights.get(layer)?.push({ name: typeof name === 'string' ? name : 'weight', shape: dims, trainable: trainable !== false });
            return unknown('a weight variable (values exist at run time)');
          });
        case 'computeOutputShape':
          return native('computeOutputShape', (_t, [s]) => s);
        case 'build':
          return native('build', () => undefined);
        case 'call':
          return native('call', (_t, [x]) => x);
        case 'getConfig':
          return native('getConfig', () => new ObjectValue());
        default:
          return layer.getProp(key as string);
      }
    }),
  );
  return base;
}

const pendingWeights = new WeakMap<LayerInstance, WeightInfo[]>();

function newExpressionOf(node: ts.Node): ts.Node {
  // The constructor runs inside `new X(...)`; the layer is created there.
  return node;
}

function computeUserLayer(interp: Interpreter, self: ObjectValue, layer: LayerInstance, inputShapes: Shape[], callNode: ts.Node): OutputShape | null {
  const shapeArg: Value = inputShapes.length === 1 ? [...inputShapes[0]] : inputShapes.map((s) => [...s]);
  if (!layer.built) {
    const weights: WeightInfo[] = [];
    pendingWeights.set(layer, weights);
    const build = interp.getProp(self, 'build', callNode);
    if (build !== undefined && !isUnknown(build)) interp.call(build, self, [shapeArg], callNode);
    pendingWeights.delete(layer);
    layer.node.weights = weights;
    layer.node.params = countWeights(weights, layer.node.trainable);
    layer.node.macs = null;
  }
  const cos = interp.getProp(self, 'computeOutputShape', callNode);
  const out = cos !== undefined && !isUnknown(cos) ? interp.call(cos, self, [shapeArg], callNode) : shapeArg;
  const plain = toPlain(out);
  if (!Array.isArray(plain)) {
    throw new ShapeError('unknown-output-shape', `${layer.className}.computeOutputShape did not return a shape the analyzer can evaluate.`);
  }
  const asShape = (v: unknown[]): Shape => v.map((d) => (typeof d === 'number' ? d : null));
  if (plain.length > 0 && plain.every(Array.isArray)) return (plain as unknown[][]).map(asShape);
  return asShape(plain);
}

