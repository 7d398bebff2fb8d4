/**
 * What the detectors know about the model being trained: its layers (names, classes,
 * activations, source lines, trainability, order), its compile settings, and where its
 * output layers are. Built from the analysed ModelGraph when there is one, completed by the
 * stream's own `model` and `compile` events (what actually ran wins over what the code said).
 *
 * Layer names in the stream are tfjs's runtime names. They equal the graph's names when the
 * engine builds the model from the graph, and usually when it runs the user's program (the
 * analyzer reproduces tfjs's automatic `dense_Dense1` naming); when a name is not in the
 * graph, the n-th layer of a class in the stream is matched to the n-th of that class in the
 * graph.
 */
import type { LayerNode, ModelGraph } from '../analysis/graph';
import { activationOf } from '../analysis/lint/checks';
import type { CompileEvent, ModelEvent } from './stream';

export interface LayerInfo {
  /** The name used in findings: the graph's name when the layer was matched. */
  name: string;
  className: string;
  /** The activation applied to its output (`relu`, `tanh`, …), when it has one. */
  activation?: string;
  line?: number;
  /** Position in model order (graph order, else first seen in the stream). */
  index: number;
  trainable: boolean;
  /** Trainable parameter count, when known. */
  trainableParams?: number;
  /** It feeds nothing: a model output. */
  isOutput: boolean;
  /** The graph layer it was matched to. */
  node?: LayerNode;
}

/** Recurrent layers output tanh (their default activation) unless configured otherwise. */
const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN', 'ConvLSTM2D']);
const ADAPTIVE = new Set(['adam', 'adamax', 'rmsprop', 'adagrad', 'adadelta']);

/** tfjs's learning rates for optimizers given by name in `compile` (tfjs-layers getOptimizer). */
export const DEFAULT_LEARNING_RATES: Record<string, number> = {
  adam: 0.001,
  adamax: 0.002,
  rmsprop: 0.001,
  adagrad: 0.01,
  adadelta: 1,
  sgd: 0.01,
};

/** `categorical_crossentropy` → `categoricalCrossentropy`; tfjs's short names expanded. */
export function normalizeLoss(name: string): string {
  const camel = name
    .trim()
    .replace(/^(tf\.)?(losses|metrics)\./, '')
    .replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  const aliases: Record<string, string> = {
    mse: 'meanSquaredError',
    mae: 'meanAbsoluteError',
    mape: 'meanAbsolutePercentageError',
    msle: 'meanSquaredLogarithmicError',
    logLoss: 'binaryCrossentropy',
    softmaxCrossEntropy: 'softmaxCrossEntropy',
    sigmoidCrossEntropy: 'sigmoidCrossEntropy',
  };
  return aliases[camel] ?? camel;
}

/** `RMSProp`, `tf.train.adam` → `rmsprop`, `adam`. */
export function normalizeOptimizer(name: string): string {
  return name
    .trim()
    .replace(/^(tf\.)?train\./, '')
    .toLowerCase();
}

/** The class name inside a tfjs automatic name: `dense_Dense3` → `Dense`. */
function classOfAutoName(name: string): string | undefined {
  return /^[a-z0-9_]+_([A-Z][A-Za-z0-9]*?)\d*$/.exec(name)?.[1];
}

export class ModelContext {
  readonly graph?: ModelGraph;
  private readonly byName = new Map<string, LayerInfo>();
  /** Stream name → resolved info (also unresolved names, once seen). */
  private readonly resolved = new Map<string, LayerInfo>();
  private readonly graphLayers: LayerInfo[] = [];
  private streamOrder: { name: string; className: string }[] = [];
  private compileEvent?: CompileEvent;

  /** False when the code never loads trained weights (see MonitorOptions.weightsLoaded). */
  readonly weightsLoaded?: boolean;

  constructor(graph?: ModelGraph, weightsLoaded?: boolean) {
    this.graph = graph;
    this.weightsLoaded = weightsLoaded;
    if (!graph) return;
    const consumers = new Set<string>();
    graph.layers.forEach((l, i) => {
      const inbound = graph.kind === 'sequential' && i > 0 ? [graph.layers[i - 1].id] : l.inbound;
      for (const id of inbound) consumers.add(id);
    });
    const real = graph.layers.filter((l) => l.className !== 'InputLayer');
    graph.layers.forEach((l, i) => {
      if (l.className === 'InputLayer') return;
      const isOutput = graph.kind === 'sequential' ? l === real[real.length - 1] : !consumers.has(l.id);
      const info: LayerInfo = {
        name: l.name,
        className: l.className,
        activation: activationOf(l) ?? (RECURRENT.has(l.className) ? 'tanh' : undefined),
        line: (l.range ?? l.applyRanges[0])?.start.line,
        index: i,
        trainable: l.trainable,
        trainableParams: l.params.trainable ?? undefined,
        isOutput,
        node: l,
      };
      this.byName.set(l.name, info);
      this.graphLayers.push(info);
    });
  }

  /** The stream's `model` event: the runtime layer list, for order and name matching. */
  observeModel(e: ModelEvent): void {
    this.streamOrder = e.layers.map((l) => ({ name: l.name, className: l.className }));
    this.resolved.clear();
  }

  observeCompile(e: CompileEvent): void {
    this.compileEvent = e;
  }

  /** The layer behind a stream name (resolving runtime names to graph layers), or a bare record. */
  layer(streamName: string, className?: string): LayerInfo {
    const hit = this.resolved.get(streamName);
    if (hit) return hit;
    let info = this.byName.get(streamName) ?? this.matchByClass(streamName, className);
    if (!info) {
      const order = this.streamOrder.findIndex((l) => l.name === streamName);
      const cls = className ?? this.streamOrder[order]?.className ?? classOfAutoName(streamName) ?? '';
      info = {
        name: streamName,
        className: cls,
        activation: RECURRENT.has(cls) ? 'tanh' : cls === 'ReLU' ? 'relu' : undefined,
        index: order >= 0 ? order : 10_000 + this.resolved.size,
        trainable: true,
        isOutput: order >= 0 && order === this.streamOrder.length - 1,
      };
    }
    this.resolved.set(streamName, info);
    return info;
  }

  /** Graph layers that hold trainable parameters per the analysis (for "never reported" checks). */
  graphLayersWithWeights(): LayerInfo[] {
    return this.graphLayers.filter((l) => (l.node?.weights.length ?? 0) > 0 && !l.node?.nestedModelId);
  }

  /** The first layer that computes something (not an input). */
  firstLayer(): LayerInfo | undefined {
    if (this.graphLayers.length > 0) return this.graphLayers[0];
    const first = this.streamOrder.find((l) => l.className !== 'InputLayer');
    return first ? this.layer(first.name, first.className) : undefined;
  }

  outputLayers(): LayerInfo[] {
    if (this.graphLayers.length > 0) return this.graphLayers.filter((l) => l.isOutput);
    const last = this.streamOrder[this.streamOrder.length - 1];
    return last ? [this.layer(last.name, last.className)] : [];
  }

  /** Units of the (first) output: the last dimension of its shape. */
  outputUnits(): number | undefined {
    const s = this.graph?.outputShapes[0];
    const d = s?.[s.length - 1];
    return typeof d === 'number' ? d : undefined;
  }

  /** The optimizer actually used, lower case (`adam`), when known. */
  optimizer(): string | undefined {
    const o = this.compileEvent?.optimizer ?? this.graph?.compile?.optimizer;
    return o ? normalizeOptimizer(o) : undefined;
  }

  /** Adam, RMSProp and the other per-weight adaptive optimizers (their step is bounded by the rate). */
  adaptive(): boolean {
    const o = this.optimizer();
    return o !== undefined && ADAPTIVE.has(o);
  }

  /** The learning rate from compile (the stream's, else the code's, else tfjs's default for the named optimizer). */
  learningRate(): number | undefined {
    if (this.compileEvent && Number.isFinite(this.compileEvent.learningRate)) return this.compileEvent.learningRate;
    const c = this.graph?.compile;
    if (typeof c?.learningRate === 'number') return c.learningRate;
    const o = this.optimizer();
    return o ? DEFAULT_LEARNING_RATES[o] : undefined;
  }

  /** The losses, normalised (`categoricalCrossentropy`), one per output. */
  losses(): string[] {
    const l = this.compileEvent?.loss ?? this.graph?.compile?.loss;
    if (l === undefined) return [];
    return (Array.isArray(l) ? l : [l]).map(normalizeLoss);
  }

  /** Line of the compile call (for model-wide and optimizer findings). */
  compileLine(): number | undefined {
    return this.graph?.compile?.range?.start.line;
  }

  /** Line of the first fit/fitDataset/trainOnBatch call (for data findings). */
  fitLine(): number | undefined {
    return this.graph?.fitSites[0]?.start.line ?? this.compileLine();
  }

  /** Line of the model's creation. */
  modelLine(): number | undefined {
    return this.graph?.range.start.line;
  }

  private matchByClass(streamName: string, className?: string): LayerInfo | undefined {
    if (this.graphLayers.length === 0) return undefined;
    const cls = className ?? this.streamOrder.find((l) => l.name === streamName)?.className ?? classOfAutoName(streamName);
    if (!cls) return undefined;
    const sameClass = this.graphLayers.filter((l) => l.className === cls);
    if (sameClass.length === 1) return sameClass[0];
    // The n-th layer of this class in the stream's order ↔ the n-th in the graph.
    const streamSame = this.streamOrder.filter((l) => l.className === cls);
    const n = streamSame.findIndex((l) => l.name === streamName);
    if (n >= 0 && n < sameClass.length) return sameClass[n];
    // Automatic names count up per class: dense_Dense3 is the third Dense made in the process.
    const k = /(\d+)$/.exec(streamName);
    if (k && sameClass.length > 0) {
      const graphNums = sameClass.map((l) => Number(/(\d+)$/.exec(l.name)?.[1] ?? NaN));
      const offset = Number(k[1]) - Math.min(...graphNums.filter((x) => Number.isFinite(x)));
      if (Number.isFinite(offset) && offset >= 0 && offset < sameClass.length) return sameClass[offset];
    }
    return undefined;
  }
}
