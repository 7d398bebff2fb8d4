/**
 * The data every part of Layer Lens shares: models, layers, shapes, diagnostics.
 * Plain JSON-serialisable values only, so the language server, the CLI and the
 * training engine can pass them around without knowing how they were computed.
 */

/** One dimension: a size, or null when it is the batch or not known statically. */
export type Dim = number | null;
/** A tensor shape as tfjs reports it (`layer.outputShape`): null for the batch. */
export type Shape = Dim[];
/** Several outputs (e.g. LSTM with returnState) are reported as a list of shapes. */
export type OutputShape = Shape | Shape[];

/** 1-based line and column, as editors and the CLI show them. */
export interface Position {
  line: number;
  column: number;
}

export interface SourceRange {
  file: string;
  start: Position;
  end: Position;
  /** 0-based character offsets into the file text. */
  startOffset: number;
  endOffset: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  /** Stable kebab-case identifier, e.g. `negative-output-size`. */
  code: string;
  message: string;
  range?: SourceRange;
  /** The formula with the user's numbers, when one explains the problem. */
  formula?: string;
}

/** A parameter count that may not be known (a config value the engine cannot evaluate). */
export type Count = number | null;

export interface ParamCounts {
  total: Count;
  trainable: Count;
  nonTrainable: Count;
}

/** One weight tensor of a layer, e.g. `kernel [5,5,3,10]`. */
export interface WeightInfo {
  name: string;
  shape: Shape;
  trainable: boolean;
}

/** One symbolic tensor: output `tensor` of call `node` of the layer whose id is `layer`. */
export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

export interface LayerNode {
  /** Unique within one analysis run. */
  id: string;
  /** The layer's name: from its config, or tfjs's automatic `conv2d_Conv2D1` style. */
  name: string;
  /** tfjs class name, e.g. `Conv2D`, `InputLayer`, `Sequential`. */
  className: string;
  /** The factory that created it, e.g. `conv2d`; empty for implicit layers. */
  factory: string;
  /** Where the layer was created (the factory call). */
  range?: SourceRange;
  /** Every `.apply(...)` call site of this layer. */
  applyRanges: SourceRange[];
  /** Shapes of the tensors flowing in (one per input) for the first call. */
  inputShapes: Shape[];
  /** Output shape as `layer.outputShape`; null while the layer was never called. */
  outputShape: OutputShape | null;
  weights: WeightInfo[];
  params: ParamCounts;
  /** Multiply-accumulates for one sample; null when not known. */
  macs: Count;
  /** How the parameter count was computed, in the user's numbers: `5·5·3·10 + 10 = 760`. */
  paramFormula?: string;
  /** How the output size was computed, in the user's numbers. */
  shapeFormula?: string;
  /** The layer's configuration as the engine understood it (Keras-style keys). */
  config: Record<string, unknown>;
  /** Ids of the layers feeding this one (first call). */
  inbound: string[];
  /**
   * Every call of the layer in order (tfjs's inbound nodes, so `calls[i]` is node index i): the
   * tensors each call was applied to, initial states of an RNN included. A layer called twice
   * (a shared layer) has two; an InputLayer (whose one node has no inputs) has none.
   */
  calls?: TensorRef[][];
  trainable: boolean;
  /** For a model used as a layer: the id of that model. */
  nestedModelId?: string;
}

export interface CompileConfig {
  optimizer?: string;
  learningRate?: number | null;
  loss?: string | string[];
  metrics?: string[];
  range?: SourceRange;
}

export interface ModelTotals {
  total: Count;
  trainable: Count;
  nonTrainable: Count;
  macs: Count;
  /** Parameter memory in bytes, fp32. */
  paramBytes: Count;
  /**
   * Elements of every layer output (inputs included) for one sample: what a forward pass
   * keeps for the backward pass. Several outputs of one layer all count.
   */
  activationsPerSample: Count;
  /** The batch size `activationBytes` is computed for. */
  batchSize: number;
  /** activationsPerSample × batchSize × 4 bytes (fp32). */
  activationBytes: Count;
}

export interface ModelGraph {
  id: string;
  /** The variable or function the model belongs to; for one of several instances of a builder, the variable its result is bound to. */
  name: string;
  /**
   * Set on a variant: an architecture the creating site builds only in another context
   * than the default one (a test's arguments, a second program), or under one side of a
   * condition not known statically.
   */
  variant?: ModelVariant;
  /** Where the numbers came from when a program in another file built the model: `train.ts:12`. */
  via?: string;
  /**
   * Set when the layers depend on a condition not known statically: the names of the
   * variants built for each side (empty when there were too many to build). `layers` then
   * holds only the leading layers every alternative shares, and totals they disagree on are null.
   */
  alternatives?: string[];
  kind: 'sequential' | 'functional';
  /** Where the model was created (`tf.sequential(` / `tf.model(`). */
  range: SourceRange;
  /** In tfjs's `model.layers` order. */
  layers: LayerNode[];
  inputShapes: Shape[];
  outputShapes: Shape[];
  /** The model's input and output tensors, in order (tfjs's `model.inputs` / `model.outputs`). */
  inputs?: TensorRef[];
  outputs?: TensorRef[];
  totals: ModelTotals;
  compile?: CompileConfig;
  fitSites: SourceRange[];
  diagnostics: Diagnostic[];
}

export interface ModelVariant {
  /** The name of the model this is a variant of. */
  of: string;
  /** The call that builds it, `file:line` relative to the project. */
  context: string;
  /** The condition that decides it, when a branch does: `rnnType = 'GRU'`. */
  condition?: string;
}

export interface FileAnalysis {
  file: string;
  models: ModelGraph[];
  /** Diagnostics not tied to one model (unknown imports, analysis bounds reached). */
  diagnostics: Diagnostic[];
}
