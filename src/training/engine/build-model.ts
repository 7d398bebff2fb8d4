/**
 * Builds the real tfjs model from an analysed ModelGraph: each layer's className and
 * config go to the `tf.layers` factory that made it; a Sequential is rebuilt in order, a
 * functional graph through each layer's `inbound` ids; a model used as a layer is rebuilt
 * from its own graph. The result is checked against the graph (layer count, classes,
 * output shapes, parameter counts) and every difference is reported.
 */
import type { LayerNode, ModelGraph, Shape } from '../../analysis/graph';
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
  const special: Record<string, string> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'simpleRNN', ConvLSTM2D: 'convLstm2d', PReLU: 'prelu', ReLU: 'reLU', ELU: 'elu', GRUCell: 'gruCell', LSTMCell: 'lstmCell', SimpleRNNCell: 'simpleRNNCell' };
  if (special[className]) return special[className];
  const m = /^(Conv|Cropping|ZeroPadding|UpSampling|MaxPooling|AveragePooling|GlobalMaxPooling|GlobalAveragePooling|SeparableConv|DepthwiseConv|SpatialDropout)(\d)D(.*)$/.exec(className);
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
      if (!first && (k === 'inputShape' || k === 'batchInputShape' || k === 'inputDim' || k === 'batchSize')) continue;
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
    const ns = (key.endsWith('Initializer') ? this.tf.initializers : key.endsWith('Regularizer') ? this.tf.regularizers : this.tf.constraints) as unknown as Record<string, (c?: unknown) => unknown>;
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

  /** Wrappers (Bidirectional, TimeDistributed, RNN): the inner layer from its class and config. */
  private wrapped(node: LayerNode, args: Record<string, unknown>): void {
    const inner = args.layer ?? args.cell;
    if (inner === undefined) return;
    const key = args.layer !== undefined ? 'layer' : 'cell';
    let className: string;
    let innerConfig: Record<string, unknown> = {};
    if (typeof inner === 'string') className = inner;
    else if (typeof inner === 'object' && inner !== null && typeof (inner as { className?: unknown }).className === 'string') {
      className = (inner as { className: string }).className;
      innerConfig = ((inner as { config?: Record<string, unknown> }).config ?? {}) as Record<string, unknown>;
    } else throw new ModelBuildError(`cannot build layer ${node.name}: its inner ${key} cannot be rebuilt`, node.name);
    const factory = factoryOfClass(className);
    const make = (this.tf.layers as unknown as Record<string, (c: unknown) => Layer>)[factory];
    if (typeof make !== 'function') throw new ModelBuildError(`cannot build layer ${node.name}: inner ${className} has no tf.layers factory`, node.name);
    // The inner config gets the same cleaning as any layer's (unknowns, functions, initializers).
    const cfg = this.layerArgs({ ...node, name: `${node.name}.${key}`, config: innerConfig }, false);
    if (typeof innerConfig.name === 'string') cfg.name = innerConfig.name;
    else delete cfg.name;
    try {
      args[key] = make.call(this.tf.layers, cfg);
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
    const same = this.others.filter((g) => g.totals.total === node.params.total && JSON.stringify(g.outputShapes[0]) === JSON.stringify(node.outputShape));
    if (same.length >= 1) return same[0];
    throw new ModelBuildError(`cannot build layer ${node.name}: it is a model whose own graph was not found in the file`, node.name);
  }

  private makeLayer(node: LayerNode, first: boolean): Layer | LayersModel {
    if (node.className === 'Sequential' || node.className === 'Model' || node.className === 'Functional' || node.nestedModelId) {
      const built = this.build(this.nestedGraph(node), node.name);
      if (!node.trainable) built.trainable = false;
      return built;
    }
    const factory = node.factory || factoryOfClass(node.className);
    const make = (this.tf.layers as unknown as Record<string, (c: unknown) => Layer>)[factory];
    if (typeof make !== 'function') {
      throw new ModelBuildError(
        `cannot build layer ${node.name}: ${node.className} is not a tf.layers layer (a user-defined layer class cannot be rebuilt from the analysis; train it with your own training code)`,
        node.name,
      );
    }
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
    const shared = graph.layers.find((l) => l.applyRanges.length > 1 && l.className !== 'InputLayer');
    if (shared && graph.kind === 'functional') {
      throw new ModelBuildError(`model ${graph.name} calls layer ${shared.name} more than once (a shared layer); rebuilding shared layers is not supported yet`, shared.name);
    }
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

  private buildFunctional(graph: ModelGraph, name: string): LayersModel {
    const tensors = new Map<string, SymbolicTensor | SymbolicTensor[]>();
    const byId = new Map(graph.layers.map((l) => [l.id, l]));
    const visiting = new Set<string>();
    const inputs: { node: LayerNode; t: SymbolicTensor }[] = [];
    const visit = (node: LayerNode): SymbolicTensor | SymbolicTensor[] => {
      const done = tensors.get(node.id);
      if (done) return done;
      if (visiting.has(node.id)) throw new ModelBuildError(`model ${graph.name} has a cycle through ${node.name}`, node.name);
      visiting.add(node.id);
      let out: SymbolicTensor | SymbolicTensor[];
      if (node.className === 'InputLayer') {
        const t = this.tf.input({ ...inputArgs(node) } as Parameters<Tf['input']>[0]);
        inputs.push({ node, t });
        out = t;
      } else {
        const ins = node.inbound.map((id) => {
          const src = byId.get(id);
          if (!src) throw new ModelBuildError(`layer ${node.name} reads from a layer that is not in model ${graph.name}`, node.name);
          const t = visit(src);
          return Array.isArray(t) ? t[0] : t;
        });
        if (ins.length === 0) throw new ModelBuildError(`layer ${node.name} has no input in model ${graph.name}`, node.name);
        const layer = this.makeLayer(node, false);
        try {
          out = layer.apply(ins.length === 1 ? ins[0] : ins) as SymbolicTensor | SymbolicTensor[];
        } catch (e) {
          throw new ModelBuildError(`cannot apply layer ${node.name} (${node.className}): ${(e as Error).message}`, node.name);
        }
      }
      visiting.delete(node.id);
      tensors.set(node.id, out);
      return out;
    };
    for (const node of graph.layers) visit(node);
    const consumed = new Set(graph.layers.flatMap((l) => l.inbound));
    const sinks = graph.layers.filter((l) => !consumed.has(l.id) && l.className !== 'InputLayer');
    const outputs = orderByShapes(sinks, graph.outputShapes, (l) => (Array.isArray(l.outputShape?.[0]) ? (l.outputShape as Shape[])[0] : (l.outputShape as Shape | null))).map((l) => {
      const t = tensors.get(l.id)!;
      return Array.isArray(t) ? t[0] : t;
    });
    const orderedInputs = orderByShapes(inputs, graph.inputShapes, (i) => i.t.shape as Shape).map((i) => i.t);
    try {
      return this.tf.model({ inputs: orderedInputs, outputs: outputs.length === 1 ? outputs[0] : outputs, name: safeName(name) });
    } catch (e) {
      throw new ModelBuildError(`cannot assemble model ${graph.name}: ${(e as Error).message}`);
    }
  }
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
  const batch = c.batchInputShape ?? c.batchShape ?? (c.inputShape ? [null, ...c.inputShape] : c.shape ? [null, ...c.shape] : node.inputShapes[0]);
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
  const real = model.layers.filter((l) => !(graph.kind === 'sequential' && l.getClassName() === 'InputLayer' && !graph.layers.some((g) => g.className === 'InputLayer')));
  if (real.length !== graph.layers.length) diffs.push(`${real.length} layers built, the analysis has ${graph.layers.length}`);
  const byName = new Map(real.map((l) => [l.name, l]));
  for (const node of graph.layers) {
    const l = byName.get(node.name);
    if (!l) {
      diffs.push(`layer ${node.name} missing from the built model`);
      continue;
    }
    if (l.getClassName() !== node.className && !(node.nestedModelId && /Sequential|Model|Functional/.test(l.getClassName()))) diffs.push(`${node.name}: class ${l.getClassName()} ≠ ${node.className}`);
    let shape: unknown;
    try {
      shape = JSON.parse(JSON.stringify(l.outputShape));
    } catch {
      shape = null;
    }
    if (node.outputShape && JSON.stringify(shape) !== JSON.stringify(node.outputShape)) diffs.push(`${node.name}: output ${JSON.stringify(shape)} ≠ ${JSON.stringify(node.outputShape)}`);
    const p = countParams(l);
    if (node.params.total !== null && p.total !== node.params.total) diffs.push(`${node.name}: ${p.total} params ≠ ${node.params.total}`);
    if (node.params.trainable !== null && p.trainable !== node.params.trainable) diffs.push(`${node.name}: ${p.trainable} trainable params ≠ ${node.params.trainable}`);
  }
  return diffs;
}

export function buildModel(tf: Tf, graph: ModelGraph, others: ModelGraph[] = []): BuiltModel {
  const builder = new ModelBuilder(tf, others.filter((g) => g.id !== graph.id));
  const model = builder.build(graph);
  return { model, warnings: builder.warnings, mismatches: compareWithGraph(model, graph) };
}
