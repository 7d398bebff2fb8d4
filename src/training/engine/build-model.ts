/**
 * Builds the real tfjs model from an analysed ModelGraph: each layer's className and
 * config go to the `tf.layers` factory that made it; a Sequential is rebuilt in order, a
 * functional graph call by call from its outputs (each layer's `calls`: the tensors, by
 * layer, node index and tensor index, every call was applied to); a model used as a layer
 * is rebuilt from its own graph. One analysed layer is one tfjs layer, however many times it
 * is called (shared layers, a model applied twice), and an RNN's initial states are inputs
 * of its call as tfjs records them. The result is checked against the graph (layer count,
 * classes, output shapes, parameter counts) and every difference is reported.
 */
import type { LayerNode, ModelGraph, Shape, TensorRef } from '../../analysis/graph';
import type { TF } from './backend';

type Tf = TF;
type SymbolicTensor = ReturnType<Tf['input']>;
type Layer = InstanceType<Tf['layers']['Layer']>;
type LayersModel = ReturnType<Tf['model']>;

export class ModelBuildError extends Error {
  constructor(
    message: string,
    readonly layer?: string,
  ) {
    super(message);
  }
}

export interface BuiltModel {
  model: LayersModel;
  /** Config values left out or replaced (custom activations, unknown initializers…). */
  warnings: string[];
  /** Differences between the built model and the graph (empty when they agree). */
  mismatches: string[];
}

/** Config keys whose value may be dropped (tfjs's default used) when it cannot be rebuilt. */
const DROPPABLE = /Initializer$|Regularizer$|Constraint$|^name$|^trainable$|^dtype$|^seed$|^weights$/;

function isUnknown(v: unknown): v is { unknown: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'unknown' in v && Object.keys(v).length === 1;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** tfjs-style factory name of a class: LSTM → lstm, SimpleRNN → simpleRNN, Conv2D → conv2d. */
export function factoryOfClass(className: string): string {
  const special: Record<string, string> = {
    LSTM: 'lstm',
    GRU: 'gru',
    SimpleRNN: 'simpleRNN',
    ConvLSTM2D: 'convLstm2d',
    PReLU: 'prelu',
    ReLU: 'reLU',
    ELU: 'elu',
    GRUCell: 'gruCell',
    LSTMCell: 'lstmCell',
    SimpleRNNCell: 'simpleRNNCell',
  };
  if (special[className]) return special[className];
  const m =
    /^(Conv|Cropping|ZeroPadding|UpSampling|MaxPooling|AveragePooling|GlobalMaxPooling|GlobalAveragePooling|SeparableConv|DepthwiseConv|SpatialDropout)(\d)D(.*)$/.exec(
      className,
    );
  if (m) return `${lowerFirst(m[1])}${m[2]}d${m[3]}`;
  return lowerFirst(className);
}

function sizeOf(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((a, b) => a * (b ?? 0), 1);
}

function countParams(layer: Layer): { total: number; trainable: number } {
  let total = 0;
  let trainable = 0;
  for (const w of layer.weights) total += sizeOf(w.shape);
  for (const w of layer.trainableWeights) trainable += sizeOf(w.shape);
  return { total, trainable };
}

export class ModelBuilder {
  readonly warnings: string[] = [];
  /** Analysed layer id → its tfjs layer (or model), shared by every call and every model built here. */
  private readonly made = new Map<string, Layer | LayersModel>();
  /** InputLayer id → its tf.input tensor (an input read by a nested model and by the model around it is one input). */
  private readonly inputs = new Map<string, SymbolicTensor>();
  private readonly byId = new Map<string, ModelGraph>();
  private readonly byName = new Map<string, ModelGraph>();

  constructor(
    private readonly tf: Tf,
    private readonly others: ModelGraph[] = [],
  ) {
    for (const g of others) {
      this.byId.set(g.id, g);
      if (!this.byName.has(g.name)) this.byName.set(g.name, g);
    }
  }

  /** The `tf.layers` factory config for a layer, from the graph's plain config. */
  layerArgs(node: LayerNode, first: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node.config)) {
      const where = `${node.name}.${k}`;
      // Shape arguments only matter to a Sequential's first layer (Dense's inputDim is one; Embedding's is its vocabulary).
      if (
        !first &&
        (k === 'inputShape' || k === 'batchInputShape' || k === 'batchSize' || (k === 'inputDim' && node.className !== 'Embedding'))
      )
        continue;
      if (isUnknown(v)) {
        if (DROPPABLE.test(k)) {
          this.warnings.push(`${where} is not known statically (${v.unknown}); tfjs's default is used`);
          continue;
        }
        throw new ModelBuildError(`cannot build layer ${node.name}: its ${k} is not known statically (${v.unknown})`, node.name);
      }
      if (v === 'function') {
        if (k === 'activation' || k === 'recurrentActivation') {
          this.warnings.push(`${where} is a custom function; 'linear' is used instead`);
          out[k] = 'linear';
          continue;
        }
        if (DROPPABLE.test(k)) {
          this.warnings.push(`${where} is a custom function; tfjs's default is used`);
          continue;
        }
        throw new ModelBuildError(`cannot build layer ${node.name}: its ${k} is a function, which cannot be rebuilt`, node.name);
      }
      if (/Initializer$|Regularizer$|Constraint$/.test(k) && typeof v === 'object' && v !== null && !Array.isArray(v)) {
        out[k] = this.namedObject(k, v as { className?: unknown; config?: unknown }, where);
        if (out[k] === undefined) delete out[k];
        continue;
      }
      out[k] = v;
    }
    out.name = node.name;
    return out;
  }

  /** `{className: 'heNormal', config: {seed: 1}}` → tf.initializers.heNormal({seed: 1}). */
  private namedObject(key: string, v: { className?: unknown; config?: unknown }, where: string): unknown {
    const ns = (key.endsWith('Initializer')
      ? this.tf.initializers
      : key.endsWith('Regularizer')
        ? this.tf.regularizers
        : this.tf.constraints) as unknown as Record<string, (c?: unknown) => unknown>;
    const name = typeof v.className === 'string' ? v.className : '';
    const fn = ns[name] ?? ns[lowerFirst(name)];
    if (typeof fn !== 'function') {
      this.warnings.push(`${where}: ${name || 'object'} cannot be rebuilt; tfjs's default is used`);
      return undefined;
    }
    try {
      return fn.call(ns, v.config ?? {});
    } catch (e) {
      this.warnings.push(`${where}: ${name}(${JSON.stringify(v.config ?? {})}) failed (${(e as Error).message}); tfjs's default is used`);
      return undefined;
    }
  }

  /**
   * Inner layers (Bidirectional's and TimeDistributed's `layer`, an RNN's `cell` or list of
   * cells, StackedRNNCells' `cells`): each built from its class and config, inner ones first.
   */
  private wrapped(node: LayerNode, args: Record<string, unknown>, depth = 0): void {
    for (const key of ['layer', 'cell', 'cells']) {
      const inner = args[key];
      if (inner === undefined) continue;
      args[key] = Array.isArray(inner)
        ? inner.map((x, i) => this.innerLayer(node, `${key}[${i}]`, x, depth))
        : this.innerLayer(node, key, inner, depth);
    }
  }

  private innerLayer(node: LayerNode, key: string, inner: unknown, depth: number): Layer {
    let className: string;
    let innerConfig: Record<string, unknown> = {};
    if (typeof inner === 'string') className = inner;
    else if (typeof inner === 'object' && inner !== null && typeof (inner as { className?: unknown }).className === 'string') {
      className = (inner as { className: string }).className;
      innerConfig = ((inner as { config?: Record<string, unknown> }).config ?? {}) as Record<string, unknown>;
    } else throw new ModelBuildError(`cannot build layer ${node.name}: its inner ${key} cannot be rebuilt`, node.name);
    if (depth > 8) throw new ModelBuildError(`cannot build layer ${node.name}: its inner layers nest too deep`, node.name);
    const factory = factoryOfClass(className);
    const make = (this.tf.layers as unknown as Record<string, (c: unknown) => Layer>)[factory];
    if (typeof make !== 'function')
      throw new ModelBuildError(`cannot build layer ${node.name}: inner ${className} has no tf.layers factory`, node.name);
    // The inner config gets the same cleaning as any layer's (unknowns, functions, initializers).
    const cfg = this.layerArgs({ ...node, className, name: `${node.name}.${key}`, config: innerConfig }, false);
    if (typeof innerConfig.name === 'string') cfg.name = innerConfig.name;
    else delete cfg.name;
    this.wrapped(node, cfg, depth + 1);
    try {
      return make.call(this.tf.layers, cfg);
    } catch (e) {
      throw new ModelBuildError(`cannot build the ${className} inside ${node.name}: ${(e as Error).message}`, node.name);
    }
  }

  private nestedGraph(node: LayerNode): ModelGraph {
    const byId = node.nestedModelId ? this.byId.get(node.nestedModelId) : undefined;
    if (byId && byId.layers.length) return byId;
    const byName = this.byName.get(node.name);
    if (byName) return byName;
    // The same model reached from another call: match by output shape and parameter count.
    const same = this.others.filter(
      (g) => g.totals.total === node.params.total && JSON.stringify(g.outputShapes[0]) === JSON.stringify(node.outputShape),
    );
    if (same.length >= 1) return same[0];
    throw new ModelBuildError(`cannot build layer ${node.name}: it is a model whose own graph was not found in the file`, node.name);
  }

  /** The tfjs layer of an analysed layer: made once, then the same object for every call and every model. */
  private makeLayer(node: LayerNode, first: boolean): Layer | LayersModel {
    const done = this.made.get(node.id);
    if (done) return done;
    const layer = this.newLayer(node, first);
    this.made.set(node.id, layer);
    return layer;
  }

  private newLayer(node: LayerNode, first: boolean): Layer | LayersModel {
    if (node.className === 'Sequential' || node.className === 'Model' || node.className === 'Functional' || node.nestedModelId) {
      const built = this.build(this.nestedGraph(node), node.name);
      if (!node.trainable) built.trainable = false;
      return built;
    }
    const factory = node.factory || factoryOfClass(node.className);
    const make = (this.tf.layers as unknown as Record<string, (c: unknown) => Layer>)[factory];
    if (typeof make !== 'function') throw new ModelBuildError(notAFactory(node), node.name);
    const args = this.layerArgs(node, first);
    this.wrapped(node, args);
    try {
      const layer = make.call(this.tf.layers, args);
      if (!node.trainable) layer.trainable = false;
      return layer;
    } catch (e) {
      throw new ModelBuildError(`cannot build layer ${node.name} (${node.className}): ${(e as Error).message}`, node.name);
    }
  }

  build(graph: ModelGraph, name = graph.name): LayersModel {
    if (graph.layers.length === 0) throw new ModelBuildError(`model ${graph.name} has no layers`);
    return graph.kind === 'sequential' ? this.buildSequential(graph, name) : this.buildFunctional(graph, name);
  }

  private buildSequential(graph: ModelGraph, name: string): LayersModel {
    const model = this.tf.sequential({ name: safeName(name) });
    graph.layers.forEach((node, i) => {
      if (i === 0 && node.className !== 'InputLayer' && !hasInputShape(node) && graph.inputShapes[0]) {
        model.add(this.tf.layers.inputLayer({ batchInputShape: graph.inputShapes[0] }));
      }
      const layer = node.className === 'InputLayer' ? this.tf.layers.inputLayer(inputArgs(node)) : this.makeLayer(node, i === 0);
      try {
        model.add(layer);
      } catch (e) {
        throw new ModelBuildError(`cannot add layer ${node.name} (${node.className}): ${(e as Error).message}`, node.name);
      }
    });
    return model;
  }

  /**
   * tfjs's own way of building a functional model: each output tensor from the call that made
   * it, each call from the tensors it was applied to (by layer, node index and tensor index),
   * back to the model's inputs. Graphs without call records (made before they were kept) are
   * read from `inbound` (first call, first tensor) and the layers no other layer reads.
   */
  private buildFunctional(graph: ModelGraph, name: string): LayersModel {
    const byId = new Map(graph.layers.map((l) => [l.id, l]));
    const inputs = this.inputs;
    const results = new Map<string, SymbolicTensor[]>();
    const visiting = new Set<string>();
    const recorded = graph.outputs !== undefined && graph.layers.every((l) => l.className === 'InputLayer' || l.calls !== undefined);
    const callsOf = (node: LayerNode): TensorRef[][] =>
      recorded ? (node.calls ?? []) : [node.inbound.map((layer) => ({ layer, node: 0, tensor: 0 }))];

    const inputOf = (node: LayerNode): SymbolicTensor => {
      let t = inputs.get(node.id);
      if (!t) {
        t = this.tf.input({ ...inputArgs(node) } as Parameters<Tf['input']>[0]);
        inputs.set(node.id, t);
      }
      return t;
    };
    const tensorOf = (ref: TensorRef, reader?: LayerNode): SymbolicTensor => {
      const node = byId.get(ref.layer);
      if (!node)
        throw new ModelBuildError(
          `${reader ? `layer ${reader.name}` : `an output of model ${graph.name}`} reads from a layer that is not in model ${graph.name}`,
          reader?.name,
        );
      if (node.className === 'InputLayer') return inputOf(node);
      const key = `${node.id}/${ref.node}`;
      let outs = results.get(key);
      if (!outs) {
        if (visiting.has(key)) throw new ModelBuildError(`model ${graph.name} has a cycle through ${node.name}`, node.name);
        visiting.add(key);
        // A layer's earlier calls in this model first, so its calls keep the order (node indices) they have in the code.
        for (let m = 0; m < ref.node; m++) if (needed.has(`${node.id}/${m}`)) tensorOf({ layer: node.id, node: m, tensor: 0 }, reader);
        const call = callsOf(node)[ref.node];
        if (!call)
          throw new ModelBuildError(`layer ${node.name} is read at its call ${ref.node + 1}, which the analysis did not record`, node.name);
        if (call.length === 0) throw new ModelBuildError(`layer ${node.name} has no input in model ${graph.name}`, node.name);
        // An RNN's initial states follow its input in the list, as tfjs's RNN.apply records them.
        const ins = call.map((r) => tensorOf(r, node));
        const layer = this.makeLayer(node, false);
        let out: SymbolicTensor | SymbolicTensor[];
        try {
          out = layer.apply(ins.length === 1 ? ins[0] : ins) as SymbolicTensor | SymbolicTensor[];
        } catch (e) {
          throw new ModelBuildError(`cannot apply layer ${node.name} (${node.className}): ${(e as Error).message}`, node.name);
        }
        outs = Array.isArray(out) ? out : [out];
        visiting.delete(key);
        results.set(key, outs);
      }
      const t = outs[ref.tensor];
      if (!t)
        throw new ModelBuildError(
          `layer ${node.name} returns ${outs.length} tensor(s); the model reads its tensor ${ref.tensor + 1}`,
          node.name,
        );
      return t;
    };

    let inputRefs: TensorRef[];
    let outputRefs: TensorRef[];
    if (recorded) {
      inputRefs = graph.inputs ?? [];
      outputRefs = graph.outputs ?? [];
    } else {
      const consumed = new Set(graph.layers.flatMap((l) => l.inbound));
      const sinks = graph.layers.filter((l) => !consumed.has(l.id) && l.className !== 'InputLayer');
      const first = (l: LayerNode) => (Array.isArray(l.outputShape?.[0]) ? (l.outputShape as Shape[])[0] : (l.outputShape as Shape | null));
      outputRefs = orderByShapes(sinks, graph.outputShapes, first).map((l) => ({ layer: l.id, node: 0, tensor: 0 }));
      const inputLayers = graph.layers.filter((l) => l.className === 'InputLayer');
      inputRefs = orderByShapes(inputLayers, graph.inputShapes, (l) => inputArgs(l).batchShape).map((l) => ({
        layer: l.id,
        node: 0,
        tensor: 0,
      }));
    }
    if (outputRefs.length === 0) throw new ModelBuildError(`model ${graph.name} has no outputs`);
    // The calls the outputs depend on (tfjs's model holds only those).
    const needed = new Set<string>();
    const mark = (ref: TensorRef): void => {
      const node = byId.get(ref.layer);
      const key = `${ref.layer}/${ref.node}`;
      if (!node || node.className === 'InputLayer' || needed.has(key)) return;
      needed.add(key);
      for (const r of callsOf(node)[ref.node] ?? []) mark(r);
    };
    outputRefs.forEach(mark);
    const orderedInputs = inputRefs.map((r) => tensorOf(r));
    const outputs = outputRefs.map((r) => tensorOf(r));
    try {
      return this.tf.model({ inputs: orderedInputs, outputs: outputs.length === 1 ? outputs[0] : outputs, name: safeName(name) });
    } catch (e) {
      throw new ModelBuildError(`cannot assemble model ${graph.name}: ${(e as Error).message}`);
    }
  }
}

/**
 * Why a layer has no tf.layers factory. A user-defined layer class runs its own `call` (and
 * `build`) code, which the analysis reads but the rebuild does not run; the user's program
 * can train it.
 */
function notAFactory(node: LayerNode): string {
  const userClass = /^[A-Z]/.test(node.className);
  if (userClass) {
    return (
      `cannot build layer ${node.name}: ${node.className} is a user-defined layer class (it extends tf.layers.Layer). ` +
      `Training on a built-in dataset rebuilds the model from the analysis with tf.layers factories and never runs code from your files, so it cannot compute what ${node.className}.call() does. ` +
      `Train this model with your own training code: in the training panel's Setup tab choose "My training code" (the file's model.fit, or a program picked with "Choose a script…"), ` +
      `or run \`layer-lens train <file>\` (\`--script <program>\` names the program).`
    );
  }
  return `cannot build layer ${node.name}: tf.layers.${node.factory || node.className} does not exist in this version of tfjs, so the layer cannot be built (tfjs itself throws a TypeError there)`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.\-/]/g, '_') || 'model';
}

function hasInputShape(node: LayerNode): boolean {
  const c = node.config;
  return c.inputShape !== undefined || c.batchInputShape !== undefined || c.inputDim !== undefined;
}

function inputArgs(node: LayerNode): { batchShape?: Shape; batchInputShape?: Shape; name: string; dtype?: 'float32' | 'int32' } {
  const c = node.config as { batchInputShape?: Shape; inputShape?: Shape; shape?: Shape; batchShape?: Shape; dtype?: 'float32' | 'int32' };
  const batch =
    c.batchInputShape ?? c.batchShape ?? (c.inputShape ? [null, ...c.inputShape] : c.shape ? [null, ...c.shape] : node.inputShapes[0]);
  return { batchShape: batch, batchInputShape: batch, name: node.name, ...(c.dtype ? { dtype: c.dtype } : {}) };
}

/** Orders items to follow `shapes` (the graph's model inputs/outputs order), keeping the rest after. */
function orderByShapes<T>(items: T[], shapes: Shape[], shapeOf: (t: T) => Shape | null | undefined): T[] {
  const left = [...items];
  const out: T[] = [];
  for (const s of shapes) {
    const i = left.findIndex((x) => JSON.stringify(shapeOf(x)) === JSON.stringify(s));
    if (i >= 0) out.push(...left.splice(i, 1));
  }
  return [...out, ...left];
}

/** Compares the built model with the graph, layer by layer (skipping Sequential's implicit input). */
export function compareWithGraph(model: LayersModel, graph: ModelGraph): string[] {
  const diffs: string[] = [];
  const real = model.layers.filter(
    (l) => !(graph.kind === 'sequential' && l.getClassName() === 'InputLayer' && !graph.layers.some((g) => g.className === 'InputLayer')),
  );
  if (real.length !== graph.layers.length) diffs.push(`${real.length} layers built, the analysis has ${graph.layers.length}`);
  const byName = new Map(real.map((l) => [l.name, l]));
  for (const node of graph.layers) {
    const l = byName.get(node.name);
    if (!l) {
      diffs.push(`layer ${node.name} missing from the built model`);
      continue;
    }
    if (l.getClassName() !== node.className && !(node.nestedModelId && /Sequential|Model|Functional/.test(l.getClassName())))
      diffs.push(`${node.name}: class ${l.getClassName()} ≠ ${node.className}`);
    const shape = outputShapeOf(l, node.outputShape);
    if (node.outputShape && JSON.stringify(shape) !== JSON.stringify(node.outputShape))
      diffs.push(`${node.name}: output ${JSON.stringify(shape)} ≠ ${JSON.stringify(node.outputShape)}`);
    const p = countParams(l);
    if (node.params.total !== null && p.total !== node.params.total) diffs.push(`${node.name}: ${p.total} params ≠ ${node.params.total}`);
    if (node.params.trainable !== null && p.trainable !== node.params.trainable)
      diffs.push(`${node.name}: ${p.trainable} trainable params ≠ ${node.params.trainable}`);
  }
  return diffs;
}

/**
 * `layer.outputShape`; for a shared layer called on inputs of different shapes (tfjs has no
 * single output shape then) the shape of the call that matches the analysis's first call.
 */
function outputShapeOf(l: Layer, expected: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(l.outputShape));
  } catch {
    // A node lists its output shapes; one output is reported as its shape, as layer.outputShape does.
    const shapes = l.inboundNodes.map(
      (n) => JSON.parse(JSON.stringify(n.outputShapes.length === 1 ? n.outputShapes[0] : n.outputShapes)) as unknown,
    );
    return shapes.find((s) => JSON.stringify(s) === JSON.stringify(expected)) ?? shapes[0] ?? null;
  }
}

export function buildModel(tf: Tf, graph: ModelGraph, others: ModelGraph[] = []): BuiltModel {
  const builder = new ModelBuilder(
    tf,
    others.filter((g) => g.id !== graph.id),
  );
  const model = builder.build(graph);
  return { model, warnings: builder.warnings, mismatches: compareWithGraph(model, graph) };
}
