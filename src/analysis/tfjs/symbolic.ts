/**
 * The symbolic graph tfjs builds when layers are applied to `tf.input` tensors:
 * layers, call nodes and symbolic tensors, with the same bookkeeping tfjs-layers
 * keeps (inbound nodes, node and tensor indices), so that models list their layers
 * in tfjs's order. Shapes come from the layer rules; problems become diagnostics.
 */
import type { ts } from 'ts-morph';
import type { Count, LayerNode, OutputShape, Shape, TensorRef } from '../graph';
import { applyRule, countWeights, isShapeList } from '../layers/apply';
import { ShapeError, type LayerRule, UnknownValue, fmtShape, sum } from '../layers/rule';
import { ClassValue, FunctionValue, HostValue, NativeFunction, ObjectValue, type Value, toPlain, unknown } from '../interpret/values';
import type { Session } from './session';
import { toSnakeCase } from './session';

export class SymbolicTensor extends HostValue {
  readonly hostKind = 'SymbolicTensor';
  constructor(
    /** null when not even the rank is known. */
    readonly shape: Shape | null,
    readonly sourceLayer: LayerInstance,
    readonly nodeIndex: number,
    readonly tensorIndex: number,
  ) {
    super();
  }

  /**
   * Set when a null dimension past the batch may stand for a size the analyzer could not
   * evaluate (an unknown `inputShape`, `units`, …) rather than tfjs's None: such a null is
   * unknown, not a reason for a shape error.
   */
  uncertainDims = false;

  getProp(name: string): Value {
    switch (name) {
      case 'shape':
        if (this.shape && this.uncertainDims) return this.shape.map((d, i) => (d === null && i > 0 ? unknown('a dimension not known statically') : d));
        return this.shape ? [...this.shape] : unknown('the tensor shape is not known');
      case 'rank':
        return this.shape ? this.shape.length : unknown('the tensor rank is not known');
      case 'dtype':
        return 'float32';
      case 'name':
        return `${this.sourceLayer.name}/${this.sourceLayer.className}`;
      case 'sourceLayer':
        return this.sourceLayer;
      default:
        return unknown(`SymbolicTensor.${name} is not modelled`);
    }
  }
}

export class CallNode {
  constructor(
    readonly id: number,
    readonly outbound: LayerInstance,
    readonly inboundLayers: LayerInstance[],
    readonly nodeIndices: number[],
    readonly tensorIndices: number[],
    readonly inputs: SymbolicTensor[],
    public outputs: SymbolicTensor[],
  ) {}
}

let nodeIds = 0;
function newCallNode(
  outbound: LayerInstance,
  inputs: SymbolicTensor[],
  makeOutputs: (nodeIndex: number) => SymbolicTensor[],
): CallNode {
  const nodeIndex = outbound.inboundNodes.length;
  const node = new CallNode(
    ++nodeIds,
    outbound,
    inputs.map((t) => t.sourceLayer),
    inputs.map((t) => t.nodeIndex),
    inputs.map((t) => t.tensorIndex),
    inputs,
    [],
  );
  outbound.inboundNodes.push(node);
  node.outputs = makeOutputs(nodeIndex);
  return node;
}

/** What the interpreter sees for a layer object. The graph data lives in `node`. */
export class LayerInstance extends HostValue {
  readonly hostKind: string = 'Layer';
  readonly inboundNodes: CallNode[] = [];
  /** Set when the weights depend on a config value the analyzer could not evaluate. */
  weightsUnknown = false;
  /** The layer's own shape argument (`inputShape`, `batchInputShape`, …), if any. */
  batchInputShape?: Shape;
  /** That shape argument was given but is (partly) not known statically. */
  inputShapeUnknown = false;
  readonly node: LayerNode;
  readonly uid: number;
  private static nextUid = 1;

  constructor(
    readonly session: Session,
    readonly rule: LayerRule | undefined,
    className: string,
    factory: string,
    readonly config: Record<string, unknown>,
    createdAt: ts.Node | undefined,
    name?: string,
  ) {
    super();
    this.uid = LayerInstance.nextUid++;
    const configName = typeof config.name === 'string' ? config.name : undefined;
    this.node = {
      id: session.id('layer'),
      name: name ?? configName ?? `${toSnakeCase(className)}_${session.uid(className)}`,
      className,
      factory,
      range: createdAt ? session.range(createdAt) : undefined,
      applyRanges: [],
      inputShapes: [],
      outputShape: null,
      weights: [],
      params: { total: 0, trainable: 0, nonTrainable: 0 },
      macs: 0,
      config: plainConfig(config),
      inbound: [],
      trainable: config.trainable !== false,
    };
    this.batchInputShape = batchInputShapeOf(config, className);
    this.inputShapeUnknown = inputShapeHasUnknown(config, className);
    session.layers.push(this);
  }

  get name(): string {
    return this.node.name;
  }

  get className(): string {
    return this.node.className;
  }

  /** Was the layer ever called (so it has weights and shapes)? */
  get built(): boolean {
    return this.inboundNodes.length > 0;
  }

  /**
   * How many tensors the layer returns when its input shape is not known: from its rule on a
   * placeholder input (an LSTM with returnState returns 3); 1 when that is not known either.
   */
  outputCountWithoutShape(inputCount: number): number {
    if (!this.rule || customCompute.has(this)) return 1;
    for (const rank of [3, 2, 4, 5]) {
      try {
        const shape = [null, ...new Array<number>(rank - 1).fill(1024)];
        const out = applyRule(this.rule, Array.from({ length: Math.max(1, inputCount) }, () => shape), this.config, this.node.trainable).outputShape;
        return isShapeList(out) ? out.length : 1;
      } catch {
        // another rank
      }
    }
    return 1;
  }

  paramCounts(): { total: Count; trainable: Count; nonTrainable: Count } {
    if (this.weightsUnknown) return { total: null, trainable: null, nonTrainable: null };
    return countWeights(this.node.weights, this.node.trainable);
  }

  getProp(name: string): Value {
    switch (name) {
      case 'apply':
        return new NativeFunction('apply', (_t, [inputs, kwargs], call) => applyLayer(this, withInitialState(this, inputs, kwargs), call.node));
      case 'name':
        return this.name;
      case 'trainable':
        return this.node.trainable;
      case 'outputShape':
        return this.node.outputShape ? structuredClone(this.node.outputShape) : unknown(`layer ${this.name} was never called, so its output shape is not defined`);
      case 'output':
        return this.inboundNodes[0]?.outputs.length === 1 ? this.inboundNodes[0].outputs[0] : this.inboundNodes[0] ? [...this.inboundNodes[0].outputs] : unknown(`layer ${this.name} has no output yet`);
      case 'input':
        return this.inboundNodes[0]?.inputs.length === 1 ? this.inboundNodes[0].inputs[0] : unknown(`input of layer ${this.name}`);
      case 'countParams':
        return new NativeFunction('countParams', () => this.paramCounts().total ?? unknown('parameter count depends on unknown sizes'));
      case 'getClassName':
        return new NativeFunction('getClassName', () => this.className);
      case 'getConfig':
        return new NativeFunction('getConfig', () => unknown('layer config objects are not modelled'));
      case 'setWeights':
      case 'dispose':
        return new NativeFunction(name, () => undefined);
      default:
        return unknown(`layer.${name} is not modelled`);
    }
  }

  override setProp(name: string, value: Value): boolean {
    if (name === 'trainable' && typeof value === 'boolean') {
      this.setTrainable(value);
      return true;
    }
    return false;
  }

  setTrainable(value: boolean): void {
    this.node.trainable = value;
    this.refreshParams();
  }

  /** Multiply-accumulates for one sample (a model sums its layers). */
  macs(): Count {
    return this.node.macs;
  }

  refreshParams(): void {
    this.node.params = this.paramCounts();
  }
}

function plainConfig(config: Record<string, unknown>): Record<string, unknown> {
  return plainValue(config, 0) as Record<string, unknown>;
}

/**
 * A config value as plain JSON for the ModelGraph: layers, functions and classes by name,
 * unknowns with their reason. Nothing of the interpreter (scopes, syntax nodes) may leak
 * in: the graph is serialised and those are cyclic.
 */
function plainValue(v: unknown, depth: number): unknown {
  if (depth > 16) return null;
  if (v instanceof UnknownValue) return { unknown: v.reason };
  if (v instanceof HostValue) return v.hostKind;
  if (v instanceof FunctionValue || v instanceof NativeFunction) return 'function';
  if (v instanceof ClassValue) return `class ${v.name}`;
  if (v instanceof ObjectValue) return plainValue(toPlain(v), depth + 1);
  if (Array.isArray(v)) return v.map((x) => (x instanceof UnknownValue ? null : plainValue(x, depth + 1)));
  if (typeof v === 'object' && v !== null) {
    // An inner layer (bidirectional's `layer`, rnn's `cell`): its class and its own config.
    if ('rule' in v && 'config' in v) {
      const inner = v as { rule: LayerRule; config: unknown };
      return { className: inner.rule.className, config: plainValue(inner.config, depth + 1) };
    }
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return String(v);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plainValue(x, depth + 1);
    return out;
  }
  if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function') return String(v);
  return v;
}

function asDims(v: unknown): Shape | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((d) => (typeof d === 'number' ? d : null));
}

/**
 * tfjs Layer constructor: `batchInputShape`, else `[batchSize].concat(inputShape)` (so a
 * single number is a rank-1 shape: `inputShape: 1` is `[null, 1]`); Dense's inputDim;
 * Embedding's inputLength.
 */
function batchInputShapeOf(config: Record<string, unknown>, className: string): Shape | undefined {
  const batchSize = typeof config.batchSize === 'number' ? config.batchSize : null;
  const bis = asDims(config.batchInputShape);
  if (bis) return bis;
  const is = asDims(typeof config.inputShape === 'number' ? [config.inputShape] : config.inputShape);
  if (is) return [batchSize, ...is];
  if (config.inputShape instanceof UnknownValue) return undefined;
  if (className === 'Dense' && typeof config.inputDim === 'number') return [batchSize, config.inputDim];
  if (className === 'Embedding') {
    const len = config.inputLength;
    // An inputLength not known statically is still one length: a rank-2 input of unknown size.
    if (len === undefined || len === null || len instanceof UnknownValue) return [batchSize, null];
    if (typeof len === 'number') return [batchSize, len];
    const l = asDims(len);
    if (l) return [batchSize, ...l];
  }
  return undefined;
}

/** Is the layer's shape argument, or a size in it, a value the analyzer could not evaluate? */
function inputShapeHasUnknown(config: Record<string, unknown>, className: string): boolean {
  const unknownIn = (v: unknown) => v instanceof UnknownValue || (Array.isArray(v) && v.some((d) => d instanceof UnknownValue));
  if (config.batchInputShape !== undefined && config.batchInputShape !== null) return unknownIn(config.batchInputShape);
  if (config.inputShape !== undefined && config.inputShape !== null) return unknownIn(config.inputShape);
  if (className === 'Dense') return config.inputDim instanceof UnknownValue;
  if (className === 'Embedding') return unknownIn(config.inputLength);
  return false;
}

/** The symbolic tensors in a layer input (`x` or `[x, y]`), or a reason they are not symbolic. */
export function symbolicInputs(v: Value): SymbolicTensor[] | string {
  if (v instanceof SymbolicTensor) return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof SymbolicTensor)) return v as SymbolicTensor[];
  if (v instanceof UnknownValue) return v.reason;
  return 'the input is not a symbolic tensor from tf.input() or another layer';
}

/** Something that can be applied like a layer: a layer, a model, or a user-defined layer. */
export interface Applicable {
  instance: LayerInstance;
  /** Computes the output shape(s) and weights for these input shapes; throws ShapeError like tfjs. */
  compute(inputShapes: Shape[], callNode: ts.Node): { outputShape: OutputShape; result?: ReturnType<typeof applyRule> };
}

/** Layers built on tfjs's RNN base class, whose `apply` takes `{initialState}`. */
const RECURRENT_CLASSES = new Set(['SimpleRNN', 'GRU', 'LSTM', 'RNN', 'ConvLSTM2D']);

/**
 * `rnn.apply(x, {initialState: [h, c]})`: tfjs's RNN.apply appends symbolic initial states
 * to the inputs, so they become inbound tensors of the call node (`apply([x, h, c])`).
 */
function withInitialState(layer: LayerInstance, inputs: Value, kwargs: Value): Value {
  if (!RECURRENT_CLASSES.has(layer.className) || !(kwargs instanceof ObjectValue)) return inputs;
  const state = kwargs.props.get('initialState');
  if (state === undefined || state === null) return inputs;
  const states = Array.isArray(state) ? state : [state];
  if (!states.every((s) => s instanceof SymbolicTensor)) return inputs;
  const xs = Array.isArray(inputs) ? inputs : [inputs];
  return [...xs, ...states];
}

/** Where a tensor comes from, as the ModelGraph names it. */
export function tensorRef(t: SymbolicTensor): TensorRef {
  return { layer: t.sourceLayer.node.id, node: t.nodeIndex, tensor: t.tensorIndex };
}

/** `layer.apply(inputs)`: shapes through the rule, a new call node, output tensors. */
export function applyLayer(layer: LayerInstance, inputs: Value, callNode: ts.Node): Value {
  const tensors = symbolicInputs(inputs);
  if (typeof tensors === 'string') {
    return unknown(`${layer.className}.apply on a value that is not symbolic: ${tensors}`);
  }
  const session = layer.session;
  const range = session.range(callNode);
  layer.node.applyRanges.push(range);
  const inputShapes = tensors.map((t) => t.shape);
  // Null sizes that may come from values not known statically: unknown, never an error.
  const uncertain = tensors.some((t) => t.uncertainDims) || configHasUnknown(layer.config);
  let outShape: OutputShape | null = null;
  if (inputShapes.every((s): s is Shape => s !== null)) {
    outShape = computeLayer(layer, inputShapes, callNode, uncertain);
  } else if (!layer.built) {
    weightsWithoutInputShape(layer, tensors.length);
  }
  const first = !layer.built;
  const outCount = outShape ? (isShapeList(outShape) ? outShape.length : 1) : layer.outputCountWithoutShape(tensors.length);
  const call = newCallNode(layer, tensors, (nodeIndex) =>
    Array.from({ length: outCount }, (_, i) =>
      new SymbolicTensor(outShape ? (isShapeList(outShape) ? outShape[i] : (outShape as Shape)) : null, layer, nodeIndex, i),
    ),
  );
  if (uncertain) for (const t of call.outputs) t.uncertainDims = true;
  (layer.node.calls ??= []).push(tensors.map(tensorRef));
  if (first) {
    layer.node.inbound = tensors.map((t) => t.sourceLayer.node.id);
    layer.node.inputShapes = inputShapes.map((s) => s ?? []);
    layer.node.outputShape = outShape;
  }
  // A multi-output layer returns a list of tensors; a list of one (a model with one output) unwraps.
  return call.outputs.length === 1 && !(outShape && isShapeList(outShape)) ? call.outputs[0] : [...call.outputs];
}

/**
 * A layer applied to a tensor of unknown rank (or `shapes` whose null sizes are not known): its
 * weights are those its config alone fixes (none for Dropout, Embedding's table), else unknown
 * (null), never 0.
 */
export function weightsWithoutInputShape(layer: LayerInstance, inputCount: number, shapes?: Shape[]): void {
  layer.node.macs = null;
  if (layer.rule && !customCompute.has(layer)) {
    const rule = layer.rule;
    // Two inputs that differ only in size: weights that do not change between them are fixed by the config.
    const probe = (rank: number, size: number) => {
      try {
        const given = shapes?.map((s) => s.map((d, i) => (d === null && i > 0 ? size : d)));
        const ranked = () => Array.from({ length: Math.max(1, inputCount) }, () => [null, ...new Array<number>(rank - 1).fill(size)]);
        return applyRule(rule, given ?? ranked(), layer.config, layer.node.trainable).weights;
      } catch {
        return undefined;
      }
    };
    for (const rank of shapes ? [0] : [2, 3, 4, 5]) {
      const a = probe(rank, 1024);
      const b = probe(rank, 2048);
      if (!a || !b) continue;
      if (JSON.stringify(a) === JSON.stringify(b) && a.every((w) => w.shape.every((d) => d !== null))) {
        layer.node.weights = a;
        layer.node.params = layer.paramCounts();
        return;
      }
      break;
    }
  }
  layer.weightsUnknown = true;
  layer.node.params = layer.paramCounts();
}

/** Does a layer config hold a value the analyzer could not evaluate (that may change a shape)? */
function configHasUnknown(config: Record<string, unknown>): boolean {
  const has = (v: unknown, depth: number): boolean => {
    if (v instanceof UnknownValue) return true;
    if (depth > 4 || v === null || typeof v !== 'object') return false;
    if (Array.isArray(v)) return v.some((x) => has(x, depth + 1));
    if (Object.getPrototypeOf(v) !== Object.prototype) return false;
    return Object.entries(v).some(([k, x]) => !SHAPE_NEUTRAL.test(k) && has(x, depth + 1));
  };
  return Object.entries(config).some(([k, v]) => !SHAPE_NEUTRAL.test(k) && has(v, 0));
}

/**
 * The rule run with the null sizes (past the batch) of `inputShapes` given two different
 * sizes: the output dims both runs agree on are known, the others unknown (null). Undefined
 * when the rule rejects the input whatever those sizes are.
 */
function throughUnknownSizes(layer: LayerInstance, inputShapes: Shape[]): OutputShape | null | undefined {
  if (!layer.rule) return undefined;
  const run = (size: number) => {
    try {
      return applyRule(layer.rule!, inputShapes.map((s) => s.map((d, i) => (d === null && i > 0 ? size : d))), layer.config, layer.node.trainable).outputShape;
    } catch {
      return undefined;
    }
  };
  const a = run(1024);
  const b = run(2048);
  if (!a || !b) return undefined;
  const joinShape = (x: Shape, y: Shape): Shape | null => (x.length === y.length ? x.map((d, i) => (d === y[i] ? d : null)) : null);
  if (isShapeList(a) !== isShapeList(b)) return null;
  if (!isShapeList(a)) return joinShape(a, b as Shape);
  const bs = b as Shape[];
  if (a.length !== bs.length) return null;
  const joined = a.map((x, i) => joinShape(x, bs[i]));
  return joined.every((x): x is Shape => x !== null) ? joined : null;
}

/** Runs the layer's shape computation; on a tfjs error reports it and yields null (unknown). */
function computeLayer(layer: LayerInstance, inputShapes: Shape[], callNode: ts.Node, uncertain = false): OutputShape | null {
  const session = layer.session;
  const custom = customCompute.get(layer);
  try {
    if (custom) return custom(inputShapes, callNode);
    if (!layer.rule) {
      // A layer Layer Lens has no rule for: its weights are not known (it was reported as unsupported).
      if (!layer.built) {
        layer.weightsUnknown = true;
        layer.node.params = layer.paramCounts();
        layer.node.macs = null;
      }
      return null;
    }
    const r = applyRule(layer.rule, inputShapes, layer.config, layer.node.trainable);
    if (layer.built) checkReapplied(layer, r.weights, inputShapes);
    if (!layer.built) {
      layer.node.weights = r.weights;
      layer.node.params = r.params;
      layer.node.macs = r.macs;
      layer.node.paramFormula = r.paramFormula;
      layer.node.shapeFormula = r.shapeFormula;
    }
    for (const w of r.warnings ?? []) {
      // A weight of unknown size behind a size the analyzer could not evaluate is unknown, not a tfjs error.
      if (uncertain && w.code === 'unknown-weight-size') continue;
      session.report({ severity: 'error', code: w.code, message: `${layer.name}: ${w.message}`, formula: w.formula, range: layer.node.range ?? session.range(callNode), layerId: layer.node.id });
    }
    reportUnknownConfig(layer, r.outputShape, inputShapes, callNode);
    return r.outputShape;
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    // A config value the analyzer could not evaluate is not a bug in the user's code:
    // the layer's output and parameters are unknown (null), not an error and not 0.
    // Likewise a size that is null because it was not known statically (not tfjs's None),
    // when the layer would accept the input once that size is given.
    const sized = !custom && uncertain && !['unknown-config', 'unknown-output-shape'].includes(e.code) ? throughUnknownSizes(layer, inputShapes) : undefined;
    const unknownInput = sized !== undefined;
    const notKnown = e.code === 'unknown-config' || e.code === 'unknown-output-shape' || unknownInput;
    if (unknownInput && !layer.built) weightsWithoutInputShape(layer, inputShapes.length, inputShapes);
    else if (notKnown && !layer.built) {
      layer.weightsUnknown = true;
      layer.node.params = layer.paramCounts();
      layer.node.macs = null;
    }
    session.report({
      severity: notKnown ? 'info' : 'error',
      code: unknownInput ? 'unknown-value' : e.code,
      // Rule messages start with the class name; the layer's own name says more.
      message: unknownInput
        ? `${layer.name} (${layer.className}): its input shape ${inputShapes.map(fmtShape).join(', ')} holds sizes not known statically, so ${layer.node.params.total === null ? 'its output shape and parameters are' : 'its output shape is'} not fully known.`
        : `${layer.name} (${layer.className}): ${e.message.replace(new RegExp(`^${layer.className}: `), '')}`,
      formula: e.formula,
      range: session.range(callNode),
      layerId: layer.node.id,
    });
    return sized ?? null;
  }
}

/**
 * A layer applied again (shared) keeps the weights of its first call. tfjs's input spec
 * (e.g. Dense's last axis) rejects an input that would need other weights: "Input 0 is
 * incompatible with layer …". Weights of unknown size are not compared.
 */
function checkReapplied(layer: LayerInstance, weights: readonly { name: string; shape: Shape }[], inputShapes: Shape[]): void {
  const built = layer.node.weights;
  if (built.length !== weights.length) return;
  for (let i = 0; i < built.length; i++) {
    const a = built[i].shape;
    const b = weights[i].shape;
    const differs = a.length !== b.length || a.some((d, j) => d !== null && b[j] !== null && d !== b[j]);
    if (differs) {
      const first = layer.node.inputShapes.map(fmtShape).join(', ');
      throw new ShapeError(
        'incompatible-input-shape',
        `the layer was built on input ${first} and is applied again to ${inputShapes.map(fmtShape).join(', ')}; ` +
          `its ${built[i].name} is ${fmtShape(a)} but this input would need ${fmtShape(b)}. A shared layer needs inputs of the same size.`,
      );
    }
  }
}

/** Config keys that never change an output shape or a parameter count. */
const SHAPE_NEUTRAL = /^(name|trainable|dtype|activation|recurrentActivation|rate|dropout|recurrentDropout|seed|.*(Initializer|Regularizer|Constraint))$/;

/** Keys describing the input rather than the layer: unknown there is already reported upstream. */
function isInherited(key: string): boolean {
  return key === 'inputShape' || key === 'batchInputShape' || key === 'inputDim';
}

/** When an output dim is unknown because a config value is unknown, say which value and why. */
function reportUnknownConfig(layer: LayerInstance, out: OutputShape, inputShapes: Shape[], callNode: ts.Node): void {
  const shapes = isShapeList(out) ? out : [out as Shape];
  const inputsKnown = inputShapes.every((s) => s.slice(1).every((d) => d !== null));
  const outUnknown = shapes.some((s) => s.slice(1).some((d) => d === null));
  const paramsUnknown = layer.node.params.total === null;
  if (!outUnknown && !paramsUnknown) return;
  for (const [k, v] of Object.entries(layer.config)) {
    // Behind an unknown input, the layer's own unknown sizes are still worth naming
    // (`units: classes`); keys that never change a shape are not.
    if (v instanceof UnknownValue && !SHAPE_NEUTRAL.test(k) && (inputsKnown || !isInherited(k))) {
      layer.session.report({
        severity: 'info',
        code: 'unknown-value',
        message: `${layer.name}: '${k}' is not known statically (${v.reason}), so ${outUnknown ? 'its output shape' : 'its parameter count'} is not known.`,
        range: layer.node.range ?? layer.session.range(callNode),
        layerId: layer.node.id,
      });
    }
  }
}

/** Shape computations of layers defined in user code (`class X extends tf.layers.Layer`). */
export const customCompute = new WeakMap<LayerInstance, (inputShapes: Shape[], callNode: ts.Node) => OutputShape | null>();

export function totalsOf(layers: LayerInstance[]): { total: Count; trainable: Count; nonTrainable: Count; macs: Count } {
  const counts = layers.map((l) => l.paramCounts());
  return {
    total: sum(counts.map((c) => c.total)),
    trainable: sum(counts.map((c) => c.trainable)),
    nonTrainable: sum(counts.map((c) => c.nonTrainable)),
    macs: sum(layers.map((l) => l.macs())),
  };
}

export function describeShape(s: Shape | null): string {
  return s ? fmtShape(s) : '[unknown]';
}
