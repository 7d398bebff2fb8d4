/**
 * tfjs models: `tf.sequential` (layers added one by one, shapes checked as tfjs's
 * `Sequential.add` does) and `tf.model` (a functional graph whose layers are listed in
 * tfjs's own depth order). A model is itself a layer, so models nest.
 */
import type { ts } from 'ts-morph';
import type { CompileConfig, Count, OutputShape, Shape, SourceRange } from '../graph';
import { applyRule, isShapeList } from '../layers/apply';
import { ShapeError, fmtShape } from '../layers/rule';
import { NativeFunction, ObjectValue, UnknownValue, type Value, unknown, show } from '../interpret/values';
import type { JournaledHost } from '../interpret/scope';
import type { RunContext, Session } from './session';
import { CallNode, LayerInstance, SymbolicTensor, applyLayer, customCompute, describeShape, symbolicInputs, totalsOf, weightsWithoutInputShape } from './symbolic';

/** What an undecided branch can change in a model: the journal saves, restores and joins it. */
interface ModelState {
  layers: LayerInstance[];
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  brokenReason?: string;
  uncertain: boolean;
  totalUnknown: boolean;
}

export class ModelInstance extends LayerInstance implements JournaledHost {
  override readonly hostKind: string;
  inputs: SymbolicTensor[] = [];
  outputs: SymbolicTensor[] = [];
  /** In tfjs's `model.layers` order. */
  layers: LayerInstance[] = [];
  compileConfig?: CompileConfig;
  readonly fitSites: SourceRange[] = [];
  /** Set when layers were added under a condition the analyzer could not decide. */
  uncertain = false;
  /** The function this model's construction was entered through (module level: undefined). */
  readonly entry: ts.Node | undefined;
  /** The shapes are unknown because the model could not be built (reason). */
  brokenReason?: string;
  /** The two sides of an undecided condition left layers of different sizes: the total is not known. */
  totalUnknown = false;
  readonly bornIn: readonly unknown[];
  /** The program that built this instance, and the calls it came through (outermost first). */
  readonly context: RunContext | undefined;
  readonly callChain: readonly ts.Node[];

  constructor(
    session: Session,
    readonly kind: 'sequential' | 'functional',
    readonly createdAt: ts.Node,
    name: string | undefined,
  ) {
    const className = kind === 'sequential' ? 'Sequential' : 'Model';
    const autoName = kind === 'sequential' ? session.uid('sequential_') : session.uid('model');
    super(session, undefined, className, kind === 'sequential' ? 'sequential' : 'model', {}, createdAt, name ?? autoName);
    this.hostKind = className;
    this.entry = session.entryFunction();
    this.bornIn = session.openBranches();
    this.context = session.context();
    this.callChain = session.callChain();
    session.models.push(this);
    customCompute.set(this, (inputShapes) => this.computeAsLayer(inputShapes));
  }

  override paramCounts(): { total: Count; trainable: Count; nonTrainable: Count } {
    // A model whose layers are not all known (an unknown graph, an unknown or broken layer): unknown, not 0.
    if (this.brokenReason || this.totalUnknown) return { total: null, trainable: null, nonTrainable: null };
    const t = totalsOf(this.layers);
    if (this.node.trainable) return t;
    return { total: t.total, trainable: 0, nonTrainable: t.total };
  }

  override macs(): Count {
    return totalsOf(this.layers).macs;
  }

  /* JournaledHost: layers added under a condition the analyzer cannot decide. */
  snapshot(): ModelState {
    return { layers: [...this.layers], inputs: [...this.inputs], outputs: [...this.outputs], brokenReason: this.brokenReason, uncertain: this.uncertain, totalUnknown: this.totalUnknown };
  }

  restore(state: unknown): void {
    const s = state as ModelState;
    this.layers = [...s.layers];
    this.inputs = [...s.inputs];
    this.outputs = [...s.outputs];
    this.brokenReason = s.brokenReason;
    this.uncertain = s.uncertain;
    this.totalUnknown = s.totalUnknown;
  }

  /**
   * After `if (c) model.add(a) else model.add(b)` with `c` unknown: the layers of both sides
   * are listed (each with the shapes of its own side), the output is what both sides agree
   * on (a size they differ in is unknown), and the total is unknown when the sides differ in it.
   */
  join(a: unknown, b: unknown): ModelState {
    const sa = a as ModelState;
    const sb = b as ModelState;
    const same = sa.layers.length === sb.layers.length && sa.layers.every((l, i) => l === sb.layers[i]) && sameTensors(sa.outputs, sb.outputs);
    if (same) return { ...sa, brokenReason: sa.brokenReason ?? sb.brokenReason, uncertain: sa.uncertain || sb.uncertain, totalUnknown: sa.totalUnknown || sb.totalUnknown };
    const total = (s: ModelState) => (s.brokenReason ? null : totalsOf(s.layers).total);
    this.session.noteFork(this);
    return {
      layers: [...sa.layers, ...sb.layers.filter((l) => !sa.layers.includes(l))],
      inputs: joinTensors(sa.inputs, sb.inputs),
      outputs: joinTensors(sa.outputs, sb.outputs),
      // A side whose layers are not known leaves the model unknown after the condition too.
      brokenReason: sa.brokenReason ?? sb.brokenReason,
      uncertain: true,
      totalUnknown: sa.totalUnknown || sb.totalUnknown || total(sa) === null || total(sa) !== total(sb),
    };
  }

  override outputCountWithoutShape(): number {
    return Math.max(1, this.outputs.length);
  }

  override setTrainable(value: boolean): void {
    // tfjs flips the weights of every layer, so every model holding them sees the change.
    // A nested model owns no weights itself (they are its layers'), so tfjs leaves it as it is:
    // it reports its own weights as before, only this model counts them as non-trainable.
    for (const l of this.layers) if (!(l instanceof ModelInstance)) l.setTrainable(value);
    super.setTrainable(value);
  }

  /** A model applied as a layer: its outputs, after checking the input matches. */
  private computeAsLayer(inputShapes: Shape[]): OutputShape | null {
    if (inputShapes.length !== this.inputs.length) {
      throw new ShapeError('wrong-input-count', `model ${this.name} expects ${this.inputs.length} input(s), got ${inputShapes.length}.`);
    }
    let recomputed: Shape | undefined;
    inputShapes.forEach((s, i) => {
      const expected = this.inputs[i].shape;
      if (!expected) return;
      const mismatch = s.length !== expected.length || s.some((d, j) => j > 0 && d !== null && expected[j] !== null && d !== expected[j]);
      if (mismatch) {
        const error = new ShapeError(
          'incompatible-input-shape',
          `model ${this.name} expects input ${describeShape(expected)}, got ${fmtShape(s)}.`,
        );
        // tfjs does not check a model's input when it is applied: it runs each layer's
        // computeOutputShape on it (a Dense built on [null,100] takes [null,1,100]). What
        // fails is a layer whose weights do not fit the new input.
        recomputed = this.kind === 'sequential' && this.inputs.length === 1 ? this.sequentialOutputFor(s, error) : undefined;
        if (!recomputed) throw error;
      }
    });
    this.node.weights = this.layers.flatMap((l) => l.node.weights);
    this.node.params = this.paramCounts();
    this.node.macs = this.macs();
    if (recomputed) return recomputed;
    const shapes = this.outputs.map((o) => o.shape);
    if (shapes.some((s) => s === null)) return null;
    return shapes.length === 1 ? (shapes[0] as Shape) : (shapes as Shape[]);
  }

  /**
   * tfjs's Container.computeOutputShape for a Sequential applied to another input: each
   * layer's rule on it, with the weights it was built with. Undefined when a layer has no
   * rule (user-defined, a nested model); throws `mismatch` where a built weight does not fit.
   */
  private sequentialOutputFor(input: Shape, mismatch: ShapeError): Shape | undefined {
    let shape = input;
    for (const l of this.layers) {
      if (l.className === 'InputLayer') continue;
      if (!l.rule || customCompute.has(l)) return undefined;
      const r = applyRule(l.rule, [shape], l.config, l.node.trainable);
      const fits =
        r.weights.length === l.node.weights.length &&
        r.weights.every((w, i) => {
          const built = l.node.weights[i].shape;
          return w.shape.length === built.length && w.shape.every((d, j) => d === null || built[j] === null || d === built[j]);
        });
      if (!fits) throw mismatch;
      if (isShapeList(r.outputShape)) return undefined;
      shape = r.outputShape;
    }
    return shape;
  }

  override getProp(name: string): Value {
    switch (name) {
      case 'add':
        return new NativeFunction('add', (_t, [layer], call) => {
          if (this.kind !== 'sequential') return unknown('add() exists only on Sequential models');
          sequentialAdd(this, layer, call.node);
          return undefined;
        });
      case 'pop':
        return new NativeFunction('pop', () => {
          this.session.touch(this);
          this.layers.pop();
          const last = this.layers[this.layers.length - 1];
          this.outputs = last?.inboundNodes[0] ? [...last.inboundNodes[0].outputs] : [];
          return undefined;
        });
      case 'compile':
        return new NativeFunction('compile', (_t, [args], call) => {
          this.compileConfig = compileConfigOf(args, this.session.range(call.node));
          return undefined;
        });
      case 'fit':
      case 'fitDataset':
      case 'trainOnBatch':
        return new NativeFunction(name, (_t, _args, call) => {
          this.fitSites.push(this.session.range(call.node));
          return unknown(`${name}() results are known only at run time`);
        });
      case 'layers':
        return [...this.layers];
      case 'inputs':
        return [...this.inputs];
      case 'outputs':
        return [...this.outputs];
      case 'input':
        return this.inputs.length === 1 ? this.inputs[0] : [...this.inputs];
      case 'output':
        return this.outputs.length === 1 ? this.outputs[0] : [...this.outputs];
      case 'outputShape': {
        const s = this.outputs.map((o) => o.shape);
        if (s.some((x) => x === null) || s.length === 0) return unknown(`output shape of ${this.name} is not known`);
        return s.length === 1 ? [...(s[0] as Shape)] : s.map((x) => [...(x as Shape)]);
      }
      case 'getLayer':
        // tfjs's getLayer(nameOrIndex, index): an index given second wins over the first argument.
        return new NativeFunction('getLayer', (_t, [first, index]) => {
          const key = index !== undefined && index !== null ? index : first;
          const l = typeof key === 'string' ? this.layers.find((x) => x.name === key) : typeof key === 'number' ? this.layers[key] : undefined;
          return l ?? unknown(`getLayer(${show(key)}) did not find a layer`);
        });
      case 'summary':
      case 'save':
      case 'dispose':
        return new NativeFunction(name, () => undefined);
      case 'predict':
      case 'evaluate':
      case 'execute':
      case 'evaluateDataset':
        return new NativeFunction(name, () => unknown(`${name}() computes values at run time`));
      case 'optimizer':
        return unknown('the optimizer object is not modelled');
      default:
        return super.getProp(name);
    }
  }
}

function compileConfigOf(args: Value, range: SourceRange): CompileConfig {
  const cfg: CompileConfig = { range };
  if (!(args instanceof ObjectValue)) return cfg;
  const opt = args.props.get('optimizer');
  if (typeof opt === 'string') cfg.optimizer = opt;
  else if (opt instanceof OptimizerValue) {
    cfg.optimizer = opt.optimizerName;
    cfg.learningRate = opt.learningRate;
  }
  const name = (v: Value): string | undefined =>
    typeof v === 'string' ? v : v instanceof NativeFunction ? v.name.replace(/^tf\.(losses|metrics)\./, '') : undefined;
  const loss = args.props.get('loss');
  if (Array.isArray(loss)) cfg.loss = loss.map((l) => name(l) ?? 'custom');
  else if (loss instanceof ObjectValue) cfg.loss = [...loss.props.values()].map((l) => name(l) ?? 'custom');
  else if (loss !== undefined) cfg.loss = name(loss) ?? 'custom';
  const metrics = args.props.get('metrics');
  if (Array.isArray(metrics)) cfg.metrics = metrics.map((m) => name(m) ?? 'custom');
  else if (metrics !== undefined) cfg.metrics = [name(metrics) ?? 'custom'];
  return cfg;
}

/** `tf.train.adam(0.001)` and friends: the name and learning rate are what the analysis needs. */
export class OptimizerValue extends ObjectValue {
  constructor(
    readonly optimizerName: string,
    readonly learningRate: number | null,
  ) {
    super();
    this.props.set('learningRate', learningRate ?? unknown('learning rate not known'));
  }
}

function sameTensors(a: SymbolicTensor[], b: SymbolicTensor[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/**
 * The tensors a model ends in after two sides of a condition: the same tensor stays; else
 * one with the sizes both agree on (null where they differ, unknown rank where ranks differ).
 */
function joinTensors(a: SymbolicTensor[], b: SymbolicTensor[]): SymbolicTensor[] {
  if (a.length === 0 || sameTensors(a, b)) return b.length > a.length ? [...b] : [...a];
  if (b.length === 0) return [...a];
  if (a.length !== b.length) return [new SymbolicTensor(null, a[0].sourceLayer, a[0].nodeIndex, a[0].tensorIndex)];
  return a.map((t, i) => {
    const u = b[i];
    if (t === u) return t;
    const shape = t.shape && u.shape && t.shape.length === u.shape.length ? t.shape.map((d, j) => (d === u.shape![j] ? d : null)) : null;
    const joined = new SymbolicTensor(shape, t.sourceLayer, t.nodeIndex, t.tensorIndex);
    joined.uncertainDims = true;
    return joined;
  });
}

/** Mirrors tfjs's `Sequential.add`, reporting what tfjs would throw instead of throwing. */
export function sequentialAdd(model: ModelInstance, value: Value, callNode: ts.Node): void {
  const session = model.session;
  // Under a condition the analyzer cannot decide, the model is saved first (to join both sides).
  session.touch(model);
  const layer = layerOf(value);
  if (!layer) {
    session.report({
      severity: value instanceof UnknownValue ? 'info' : 'error',
      code: value instanceof UnknownValue ? 'unknown-layer' : 'not-a-layer',
      message:
        value instanceof UnknownValue
          ? `A layer added to ${model.name} is not known statically (${value.reason}); the shapes after it are unknown.`
          : `${model.name}.add() expects a layer, got ${show(value)}.`,
      range: session.range(callNode),
      modelId: model.node.id,
    });
    model.brokenReason ??= 'a layer added to it is not known';
    model.outputs = model.outputs.length ? [new SymbolicTensor(null, model, 0, 0)] : [];
    return;
  }
  const isModel = layer instanceof ModelInstance;
  if (isModel && (layer.outputs.length > 1 || layer.inputs.length > 1)) {
    session.report({
      severity: 'error',
      code: 'multi-io-in-sequential',
      message: `All layers in a Sequential model should have a single input and output tensor; ${layer.name} has ${layer.inputs.length} input(s) and ${layer.outputs.length} output(s). Use the functional API.`,
      range: session.range(callNode),
      layerId: layer.node.id,
    });
  }
  if (model.outputs.length === 0 && !model.brokenReason) {
    // A built model has a node from birth in tfjs (its own inputs → outputs), so it needs no inputShape.
    const hasNode = layer.inboundNodes.length > 0 || (isModel && layer.inputs.length > 0);
    if (!hasNode) {
      if (!layer.batchInputShape && !layer.inputShapeUnknown) {
        session.report({
          severity: 'error',
          code: 'missing-input-shape',
          message: `The first layer in a Sequential model must get an \`inputShape\` or \`batchInputShape\` argument (${layer.name} has neither).`,
          range: layer.node.range ?? session.range(callNode),
          layerId: layer.node.id,
        });
        model.brokenReason = 'its first layer has no inputShape';
        weightsWithoutInputShape(layer, 1);
        model.layers.push(layer);
        return;
      }
      // An inputShape that is not known statically: the input's rank and sizes are unknown, not missing.
      const x = createInput(session, layer.batchInputShape ?? null, `${layer.name}_input`, layer.node.range ? undefined : callNode);
      x.uncertainDims = layer.inputShapeUnknown;
      applyLayer(layer, x, layer.node.range ? rangeNodeOf(callNode) : callNode);
    }
    if (isModel) {
      model.outputs = [...layer.outputs];
      model.inputs = [...layer.inputs];
    } else {
      const out = layer.inboundNodes[0].outputs;
      if (out.length !== 1) reportMultiOutput(model, layer, callNode);
      model.outputs = [out[0]];
      model.inputs = sourceInputs(out[0]);
    }
  } else if (model.brokenReason) {
    // Shapes are unknown from here on; keep the layer so the model's structure is still listed.
    layer.node.outputShape ??= null;
    if (!layer.built) weightsWithoutInputShape(layer, 1);
  } else {
    const out = applyLayer(layer, model.outputs[0], callNode);
    if (Array.isArray(out)) {
      reportMultiOutput(model, layer, callNode);
      model.outputs = [out[0] as SymbolicTensor];
    } else if (out instanceof SymbolicTensor) {
      model.outputs = [out];
    }
  }
  const shape = model.outputs[0]?.shape;
  // The layer's rule may already have explained the negative size (with its formula): one error, not two.
  const explained = session.diagnostics.some((d) => d.code === 'negative-output-size' && d.layerId === layer.node.id);
  if (shape && shape.some((d) => d !== null && d < 0) && !explained) {
    session.report({
      severity: 'error',
      code: 'negative-output-size',
      message: `Negative dimension size caused by adding layer ${layer.name} with input shape ${describeShape(layer.node.inputShapes[0] ?? null)}: output ${fmtShape(shape)}.`,
      formula: layer.node.shapeFormula,
      range: layer.node.range ?? session.range(callNode),
      layerId: layer.node.id,
    });
  }
  model.layers.push(layer);
}

/** The call node used to record an apply made implicitly by `add` (the `add(...)` call). */
function rangeNodeOf(callNode: ts.Node): ts.Node {
  return callNode;
}

function reportMultiOutput(model: ModelInstance, layer: LayerInstance, callNode: ts.Node): void {
  model.session.report({
    severity: 'error',
    code: 'multi-output-in-sequential',
    message: `All layers in a Sequential model should have a single output tensor; ${layer.name} returns several (e.g. returnState). Use the functional API.`,
    range: layer.node.range ?? model.session.range(callNode),
    layerId: layer.node.id,
  });
}

/** tfjs's `getSourceInputs`: the input tensors a tensor ultimately comes from. */
function sourceInputs(t: SymbolicTensor): SymbolicTensor[] {
  const node = t.sourceLayer.inboundNodes[t.nodeIndex];
  if (!node || node.inboundLayers.length === 0) return [t];
  const out: SymbolicTensor[] = [];
  for (const x of node.inputs) for (const s of sourceInputs(x)) if (!out.includes(s)) out.push(s);
  return out;
}

/** Layers, models and user-defined layers all act as layers. */
export function layerOf(v: Value): LayerInstance | undefined {
  if (v instanceof LayerInstance) return v;
  if (v instanceof ObjectValue) return customLayers.get(v);
  return undefined;
}

/** Instances of `class X extends tf.layers.Layer`, with the layer that represents them. */
export const customLayers = new WeakMap<ObjectValue, LayerInstance>();

/** `tf.input()`: an InputLayer with one call node and its output tensor. */
export function createInput(session: Session, batchShape: Shape | null, name: string | undefined, createdAt: ts.Node | undefined): SymbolicTensor {
  const layer = new LayerInstance(session, undefined, 'InputLayer', 'inputLayer', { batchInputShape: batchShape }, createdAt, name ?? session.uid('input'));
  return inputTensorOf(layer, batchShape);
}

/** The one call node and output tensor an InputLayer has from birth. A null shape: rank unknown. */
export function inputTensorOf(layer: LayerInstance, batchShape: Shape | null): SymbolicTensor {
  const node = new CallNode(0, layer, [], [], [], [], []);
  layer.inboundNodes.push(node);
  const t = new SymbolicTensor(batchShape ? [...batchShape] : null, layer, 0, 0);
  t.uncertainDims = layer.inputShapeUnknown;
  node.outputs = [t];
  layer.node.inputShapes = batchShape ? [[...batchShape]] : [];
  layer.node.outputShape = batchShape ? [...batchShape] : null;
  return t;
}

/** `tf.model({inputs, outputs})`. */
export function functionalModel(session: Session, args: Value, callNode: ts.Node): ModelInstance {
  const cfg = args instanceof ObjectValue ? args : undefined;
  const name = cfg?.props.get('name');
  const model = new ModelInstance(session, 'functional', callNode, typeof name === 'string' ? name : undefined);
  const inputs = symbolicInputs(cfg?.props.get('inputs'));
  const outputs = symbolicInputs(cfg?.props.get('outputs'));
  if (typeof inputs === 'string' || typeof outputs === 'string') {
    const reason = typeof inputs === 'string' ? `inputs: ${inputs}` : `outputs: ${outputs as string}`;
    model.brokenReason = reason;
    session.report({
      severity: 'info',
      code: 'unknown-model-graph',
      message: `The graph of ${model.name} is not known statically (${reason}).`,
      range: session.range(callNode),
      modelId: model.node.id,
    });
    return model;
  }
  model.inputs = inputs;
  model.outputs = outputs;
  for (const t of inputs) {
    if (t.sourceLayer.className !== 'InputLayer') {
      session.report({
        severity: 'error',
        code: 'input-not-from-input-layer',
        message: `Input tensors to a LayersModel must come from tf.input(); got the output of ${t.sourceLayer.name} (${t.sourceLayer.className}).`,
        range: session.range(callNode),
        modelId: model.node.id,
      });
    }
  }
  model.layers = containerLayers(model, callNode);
  return model;
}

/**
 * tfjs's last check in the Container constructor: walking nodes from the deepest, every
 * input tensor of a node must already be computable. A node's input list is the very
 * array passed to `apply` (tfjs keeps it, and so do we), so pushing to that array after
 * the call (`features.push(y)` after `concatenate().apply(features)`) breaks the graph.
 */
function checkComputable(model: ModelInstance, nodesDepths: Map<CallNode, number>, callNode: ts.Node): void {
  const computable = new Set<unknown>(model.inputs);
  // Deepest first; within a depth, by node id (tfjs iterates an object keyed by numeric node ids).
  const nodes = [...nodesDepths].sort((a, b) => b[1] - a[1] || a[0].id - b[0].id).map(([n]) => n);
  for (const node of nodes) {
    const missing = (node.inputs as unknown[]).find((x) => !computable.has(x));
    if (missing !== undefined) {
      const what = missing instanceof SymbolicTensor ? `the output of ${missing.sourceLayer.name}` : show(missing as Value);
      const pushedLater = node.inputs.length !== node.inboundLayers.length;
      model.session.report({
        severity: 'error',
        code: 'graph-disconnected',
        message:
          `Graph disconnected: ${model.name} cannot obtain ${what}, an input of ${node.outbound.name} (${node.outbound.className}).` +
          (pushedLater ? ` The array passed to ${node.outbound.name}.apply() was changed after the call; tfjs keeps that array as the layer's inputs, so pass a copy ([...array]).` : ''),
        range: model.session.range(callNode),
        modelId: model.node.id,
        layerId: node.outbound.node.id,
      });
      return;
    }
    for (const t of node.outputs) computable.add(t);
  }
}

/**
 * The layers of a functional model in tfjs's order: a depth-first walk from the
 * outputs records traversal order; layers are grouped by depth (longest distance to
 * an output), deepest first, ties broken by traversal order (tfjs-layers container.ts).
 */
function containerLayers(model: ModelInstance, callNode: ts.Node): LayerInstance[] {
  const nodesDepths = new Map<CallNode, number>();
  const layersDepths = new Map<LayerInstance, number>();
  const layerIndices = new Map<LayerInstance, number>();
  const nodesInDecreasingDepth: CallNode[] = [];
  const finished = new Set<CallNode>();
  const inProgress = new Set<CallNode>();

  const visit = (layer: LayerInstance, nodeIndex: number): void => {
    const node = layer.inboundNodes[nodeIndex];
    if (!node || inProgress.has(node) || finished.has(node)) return;
    if (!layerIndices.has(layer)) layerIndices.set(layer, layerIndices.size);
    inProgress.add(node);
    node.inboundLayers.forEach((l, i) => visit(l, node.nodeIndices[i]));
    finished.add(node);
    inProgress.delete(node);
    nodesInDecreasingDepth.push(node);
  };
  for (const t of model.outputs) visit(t.sourceLayer, t.nodeIndex);

  for (const node of [...nodesInDecreasingDepth].reverse()) {
    if (!nodesDepths.has(node)) nodesDepths.set(node, 0);
    let depth = nodesDepths.get(node)!;
    depth = Math.max(depth, layersDepths.get(node.outbound) ?? 0);
    layersDepths.set(node.outbound, depth);
    nodesDepths.set(node, depth);
    node.inboundLayers.forEach((l, i) => {
      const inbound = l.inboundNodes[node.nodeIndices[i]];
      nodesDepths.set(inbound, Math.max(depth + 1, nodesDepths.get(inbound) ?? 0));
    });
  }

  const modelInputLayers = new Set(model.inputs.map((t) => t.sourceLayer));
  let disconnected = false;
  for (const layer of layersDepths.keys()) {
    if (layer.className === 'InputLayer' && !modelInputLayers.has(layer)) {
      disconnected = true;
      model.session.report({
        severity: 'error',
        code: 'graph-disconnected',
        message: `Graph disconnected: the outputs of ${model.name} depend on input ${layer.name} ${describeShape(layer.node.outputShape as Shape)}, which is not among its inputs.`,
        range: model.session.range(callNode),
        modelId: model.node.id,
      });
    }
  }
  if (!disconnected) checkComputable(model, nodesDepths, callNode);

  const byDepth = new Map<number, LayerInstance[]>();
  for (const [layer, depth] of layersDepths) {
    if (!byDepth.has(depth)) byDepth.set(depth, []);
    byDepth.get(depth)!.push(layer);
  }
  const layers: LayerInstance[] = [];
  for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
    const group = byDepth.get(depth)!;
    group.sort((a, b) => layerIndices.get(a)! - layerIndices.get(b)!);
    layers.push(...group);
  }
  return layers;
}
