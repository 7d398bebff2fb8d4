/**
 * Every message between the training worker (`dist/train-worker.js`, a child process) and
 * its host (the CLI, the extension host, and through it the training panel).
 *
 * Transport: one JSON object per message. Over Node's IPC channel when the worker was
 * forked with one (the host's default: the worker's stdout then stays free for whatever
 * user code prints), else one JSON object per line (JSONL) on the worker's stdin/stdout.
 *
 * Versioning: every message carries `v: PROTOCOL_VERSION`. A receiver rejects a message of
 * another version with a clear error instead of misreading it; fields may be added within
 * a version (validators ignore unknown fields), never removed or retyped.
 *
 * Numbers that can be NaN or ±Infinity (a loss that diverged) are sent as null, since JSON
 * has no such values; `finite()` below is what a sender uses.
 */
import type { ModelGraph } from '../analysis/graph';
import type { Finding } from '../health/findings';
import {
  array,
  bool,
  int,
  literal,
  nullable,
  num,
  object,
  oneOf,
  optional,
  record,
  str,
  tagged,
  unknownValue,
  validate,
  type Infer,
  type Result,
  type Schema,
} from './schema';

export const PROTOCOL_VERSION = 1 as const;

const v = literal(PROTOCOL_VERSION);
/** A number that may have been NaN/±Infinity before it was sent (then null). */
const maybeNum = () => nullable(num());

// ---------------------------------------------------------------------------------------
// Shared pieces

export const BACKEND_CHOICES = ['auto', 'gpu', 'node', 'wasm', 'cpu'] as const;
export const ACTIVATION_SOURCES = ['probe', 'batch'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type ActivationSource = (typeof ACTIVATION_SOURCES)[number];
/** What actually runs: tfjs-node-gpu, tfjs-node, the wasm backend, the pure-JS cpu backend. */
export const BACKEND_KINDS = ['gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

const layerGraphSchema = object({
  id: str(),
  name: str(),
  className: str(),
  config: record(unknownValue()),
  inbound: array(str()),
  inputShapes: array(array(nullable(num()))),
  outputShape: unknownValue(),
  trainable: bool(),
  nestedModelId: optional(str()),
});

/** The parts of a ModelGraph the worker reads (the whole graph is sent; the rest is ignored). */
const modelGraphSchema = object({
  id: str(),
  name: str(),
  kind: oneOf(['sequential', 'functional']),
  layers: array(layerGraphSchema),
  inputShapes: array(array(nullable(num()))),
  outputShapes: array(array(nullable(num()))),
  compile: optional(
    object({
      optimizer: optional(str()),
      learningRate: optional(nullable(num())),
      loss: optional(unknownValue()),
      metrics: optional(array(str())),
    }),
  ),
});

export const trainConfigSchema = object({
  /** The model to build and train, as the analysis found it. */
  model: modelGraphSchema,
  /** The other models of the file, for models used as layers inside `model`. */
  otherModels: optional(array(modelGraphSchema)),
  /** The analysed source file (absolute) and a hash of its text. */
  file: str(),
  codeHash: str(),
  /** A dataset name (`mnist`, `spirals`, … or `auto`) or a path to a JSON/CSV file. */
  dataset: str(),
  /** For a CSV file or a JSON array of objects: the input and target columns (default: the last column is the target). */
  columns: optional(object({ inputs: array(str()), targets: array(str()) })),
  /** How many samples to draw for synthetic sets (and the most taken from MNIST). */
  samples: optional(int(1)),
  epochs: optional(int(1)),
  /** When set, training stops after this many optimizer steps (across epochs). */
  steps: optional(int(1)),
  batchSize: optional(int(1)),
  validationSplit: optional(num()),
  /** Overrides of the code's compile call. */
  optimizer: optional(str()),
  learningRate: optional(num()),
  loss: optional(str()),
  metrics: optional(array(str())),
  backend: oneOf(BACKEND_CHOICES),
  /** A configured path to @tensorflow/tfjs-node-gpu (or a folder whose node_modules has it). */
  gpuPackagePath: optional(str()),
  /** Folders to resolve tfjs-node(-gpu) from (the workspace, the file's folder). */
  resolveFrom: optional(array(str())),
  /** The run folder to write (created); the worker writes config, events and metrics there. */
  runDir: str(),
  /** Save the trained model (tfjs format) into `<runDir>/model` at the end. */
  saveModel: optional(bool()),
  /** Per-layer gradient statistics every N steps (1: every step). */
  statsEvery: optional(int(1)),
  /** Activation statistics and histograms, and gradient histograms, every N steps. */
  probeEvery: optional(int(1)),
  probeSize: optional(int(1)),
  /**
   * Where activation statistics come from: the fixed probe batch in inference mode (default),
   * or the training step's own forward pass ('batch': no extra pass, training mode).
   */
  activationsFrom: optional(oneOf(ACTIVATION_SOURCES)),
  histogramBins: optional(int(2)),
  seed: optional(int(0)),
  /** The worker emits a `step` event at most every this many ms (0: every step). */
  stepEventMs: optional(int(0)),
  /**
   * Run a learning-rate range test instead of a training (src/training/lr-range.ts): the rate
   * grows exponentially from minLr to maxLr over `steps` steps on a fresh copy of the model.
   */
  lrRange: optional(
    object({
      minLr: num(),
      maxLr: num(),
      steps: int(2),
      /** Stop once the smoothed loss exceeds this many times its best (default 4). */
      divergeFactor: optional(num()),
      /** Exponential smoothing of the loss, 0 ≤ β < 1 (default from the number of steps). */
      smoothing: optional(num()),
    }),
  ),
});
export type TrainConfig = Omit<Infer<typeof trainConfigSchema>, 'model' | 'otherModels'> & {
  model: ModelGraph;
  otherModels?: ModelGraph[];
};

// ---------------------------------------------------------------------------------------
// Host → worker

export const hostMessageSchema = tagged('type', {
  start: object({ v, type: literal('start'), config: trainConfigSchema }),
  stop: object({ v, type: literal('stop') }),
  pause: object({ v, type: literal('pause') }),
  resume: object({ v, type: literal('resume') }),
  /** Save the model now (tfjs format), into `dir` or `<runDir>/model`. */
  'save-model': object({ v, type: literal('save-model'), dir: optional(str()) }),
});
export type HostMessage =
  | { v: 1; type: 'start'; config: TrainConfig }
  | { v: 1; type: 'stop' }
  | { v: 1; type: 'pause' }
  | { v: 1; type: 'resume' }
  | { v: 1; type: 'save-model'; dir?: string };

// ---------------------------------------------------------------------------------------
// Worker → host

const skippedSchema = object({
  backend: oneOf(BACKEND_KINDS),
  /** Stable id of the reason: package-absent, cuda-missing, cuda-version, cudnn-missing, cudnn-version, binding-missing, dependency-missing, abi-mismatch, load-failed, … */
  code: str(),
  reason: str(),
  /** What to do about it, when something can be done. */
  fix: optional(str()),
});
export type SkippedBackend = Infer<typeof skippedSchema>;

const histogramSchema = object({ min: maybeNum(), max: maybeNum(), counts: array(int(0)) });
export type Histogram = Infer<typeof histogramSchema>;

const layerStatSchema = object({
  layer: str(),
  /** The variable, e.g. `dense_Dense1/kernel`. */
  weight: str(),
  gradNorm: maybeNum(),
  gradMaxAbs: maybeNum(),
  weightNorm: maybeNum(),
  /** ‖Δw‖ / ‖w‖ of this step's update. */
  updateRatio: maybeNum(),
  nanCount: int(0),
  infCount: int(0),
  gradHistogram: optional(histogramSchema),
  /**
   * False for a weight the optimizer does not train (a frozen layer): reported from snapshots
   * of the weight (gradNorm null, updateRatio ‖Δw‖/‖w‖ since the previous statistics step).
   * Absent: trainable. A trainable weight that got no gradient (a branch cut off from the
   * loss) is reported with gradNorm 0.
   */
  trainable: optional(bool()),
  /** Elements of the variable. */
  size: optional(int(0)),
});
export type LayerStat = Infer<typeof layerStatSchema>;

const activationStatSchema = object({
  layer: str(),
  className: str(),
  mean: maybeNum(),
  std: maybeNum(),
  /** Fraction of exact zeros (dead ReLUs). */
  fracZero: maybeNum(),
  /** Fraction within 1% of the activation's bounds (tanh, sigmoid, softmax…); 0 when unbounded. */
  fracSaturated: maybeNum(),
  histogram: histogramSchema,
  /** The activation the layer applies (`relu`, `tanh`, …), when its config names one. */
  activation: optional(str()),
  /** Units (the last axis: Dense units, conv channels) that are exactly 0 for every probe sample and position. */
  deadFraction: optional(maybeNum()),
  /** Size of the last axis. */
  units: optional(int(0)),
});
export type ActivationStat = Infer<typeof activationStatSchema>;

const metricsSchema = record(maybeNum());

const sourceLocationSchema = object({
  file: str(),
  line: int(1),
  column: optional(int(0)),
  function: optional(str()),
  text: optional(str()),
});
export type SourceLocationInfo = Infer<typeof sourceLocationSchema>;

/** Facts about one input of the training set (`data-stats`). */
const inputStatsSchema = object({
  min: maybeNum(),
  max: maybeNum(),
  mean: maybeNum(),
  std: maybeNum(),
  /** NaN/±Infinity values in it. */
  nonFinite: optional(int(0)),
  /** Every value is a whole number (raw pixel bytes, token ids). */
  integer: optional(bool()),
});

/** Facts about one target of the training set (`data-stats`), as the data gave it. */
const targetStatsSchema = object({
  min: maybeNum(),
  max: maybeNum(),
  mean: maybeNum(),
  integer: bool(),
  /** Size of the last axis (1: a column of class indices or one regression value). */
  lastDim: int(0),
  /** Every row is zeros with a single 1. */
  oneHot: bool(),
  /** Every row lies in [0, 1] and sums to 1 (only for lastDim > 1). */
  rowSumOne: optional(bool()),
  /** Share of each class (index i: class i), for class labels. */
  classFractions: optional(array(num(), 100_000)),
  /** The engine one-hot encoded these class indices (a data file's label column) for the loss it trains with. */
  engineOneHot: optional(bool()),
});

export const FIX_EDIT_KINDS = [
  'set-config',
  'set-optimizer-option',
  'set-learning-rate',
  'set-compile',
  'insert-layer-after',
  'insert-layer-before',
  'add-callback',
] as const;

/** One structured edit of a fix (src/health/findings.ts FixEdit); which fields are set depends on `kind`. */
const fixEditSchema = object({
  kind: oneOf(FIX_EDIT_KINDS),
  layer: optional(str()),
  key: optional(str()),
  value: optional(unknownValue()),
  factory: optional(str()),
  config: optional(record(unknownValue())),
});

/** A training-health finding (src/health/findings.ts Finding). */
export const findingSchema = object({
  id: str(),
  code: str(),
  severity: oneOf(['error', 'warning', 'info']),
  title: str(),
  message: str(),
  layers: array(str(), 10_000),
  line: optional(int(1)),
  step: int(0),
  lastStep: int(0),
  evidence: record(num()),
  fixes: array(
    object({ id: str(), title: str(), rank: num(), edits: optional(array(fixEditSchema, 10_000)), explain: array(str(), 100) }),
    100,
  ),
  explain: array(str(), 100),
});

export const ERROR_KINDS = ['nan', 'oom', 'data', 'model', 'backend', 'kernel', 'crash', 'protocol', 'config'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export const workerMessageSchema = tagged('type', {
  hello: object({
    v,
    type: literal('hello'),
    pid: int(0),
    node: str(),
    /** Set when the process is the user's own training program (src/training/script/preload.ts). */
    script: optional(object({ file: str(), args: array(str()) })),
  }),
  backend: object({
    v,
    type: literal('backend'),
    requested: oneOf(BACKEND_CHOICES),
    kind: oneOf(BACKEND_KINDS),
    /** tfjs's backend name: tensorflow, wasm, cpu. */
    tfBackend: str(),
    detail: str(),
    simd: optional(bool()),
    threads: optional(int(0)),
    skipped: array(skippedSchema),
  }),
  model: object({
    v,
    type: literal('model'),
    name: str(),
    layers: array(object({ name: str(), className: str(), outputShape: unknownValue(), params: int(0) })),
    totalParams: int(0),
    trainableParams: int(0),
    warnings: array(str()),
  }),
  dataset: object({
    v,
    type: literal('dataset'),
    name: str(),
    task: oneOf(['classification', 'binary', 'regression', 'multi-label']),
    train: int(0),
    validation: int(0),
    inputShapes: array(array(nullable(num()))),
    targetShapes: array(array(nullable(num()))),
    note: optional(str()),
  }),
  compile: object({
    v,
    type: literal('compile'),
    optimizer: str(),
    learningRate: num(),
    loss: array(str()),
    metrics: array(str()),
    batchSize: int(1),
    /** Where each setting came from: the code's compile call, the request, or a default. */
    sources: record(oneOf(['code', 'request', 'default'])),
  }),
  /**
   * Facts about the training data, sent once before the first step: per input its range,
   * mean, std, non-finite count and whether it is whole numbers; per target the same plus its
   * encoding (one-hot, class indices) and class shares. The training-health detectors judge
   * input scaling and label/loss fit from it (src/health/detectors/input-scale.ts, label-loss.ts).
   */
  'data-stats': object({
    v,
    type: literal('data-stats'),
    samples: int(0),
    inputs: array(inputStatsSchema, 1000),
    targets: array(targetStatsSchema, 1000),
    note: optional(str()),
  }),
  run: object({ v, type: literal('run'), runDir: str(), totalSteps: int(0), epochs: int(0), stepsPerEpoch: int(0) }),
  state: object({ v, type: literal('state'), state: oneOf(['running', 'paused', 'stopping']) }),
  step: object({
    v,
    type: literal('step'),
    step: int(0),
    epoch: int(0),
    loss: maybeNum(),
    metrics: metricsSchema,
    learningRate: maybeNum(),
    samplesPerSec: maybeNum(),
    elapsedMs: num(),
  }),
  'layer-stats': object({ v, type: literal('layer-stats'), step: int(0), layers: array(layerStatSchema) }),
  /** `source` 'batch': the training step's forward pass (absent: the probe batch). */
  activations: object({
    v,
    type: literal('activations'),
    step: int(0),
    layers: array(activationStatSchema),
    source: optional(oneOf(ACTIVATION_SOURCES)),
  }),
  epoch: object({
    v,
    type: literal('epoch'),
    epoch: int(0),
    step: int(0),
    loss: maybeNum(),
    metrics: metricsSchema,
    valLoss: optional(maybeNum()),
    valMetrics: optional(metricsSchema),
  }),
  log: object({ v, type: literal('log'), level: oneOf(['info', 'warning']), message: str() }),
  error: object({
    v,
    type: literal('error'),
    kind: oneOf(ERROR_KINDS),
    message: str(),
    step: optional(int(0)),
    layer: optional(str()),
    /** A stack trace or the underlying error's text. */
    detail: optional(str()),
    /** Where in the user's code (source-mapped to TypeScript): the throw, or the fit/minimize call. */
    source: optional(sourceLocationSchema),
    fatal: bool(),
  }),
  saved: object({ v, type: literal('saved'), modelDir: str() }),
  /**
   * Written by the host, never by the worker: the training-health findings after a worker
   * message changed them (src/training/health-host.ts runs the HealthMonitor over every
   * message). `findings` is the whole current list, ranked (severity, root causes first);
   * `changed` the ids that are new or whose evidence moved. It travels with the worker's
   * messages (to the panel, into the run's history) so every consumer reads one stream.
   */
  health: object({ v, type: literal('health'), step: int(0), findings: array(findingSchema, 1000), changed: array(str(), 1000) }),
  /** The result of a learning-rate range test (config.lrRange), sent before `done`. */
  'lr-range': object({
    v,
    type: literal('lr-range'),
    optimizer: str(),
    minLr: num(),
    maxLr: num(),
    /** One point per step: the rate used, the batch loss (null when not finite), the smoothed loss. */
    points: array(object({ step: int(1), lr: num(), loss: maybeNum(), smoothed: maybeNum() })),
    /** Why the sweep ended before maxLr (the loss diverged), when it did. */
    stoppedEarly: optional(object({ step: int(1), lr: num(), reason: str() })),
    suggestion: nullable(
      object({
        lr: num(),
        method: oneOf(['steepest', 'min/10']),
        reason: str(),
        steepestLr: optional(num()),
        minLossLr: optional(num()),
      }),
    ),
  }),
  done: object({
    v,
    type: literal('done'),
    status: oneOf(['completed', 'stopped', 'failed']),
    steps: int(0),
    epochs: int(0),
    loss: maybeNum(),
    metrics: metricsSchema,
    valLoss: optional(maybeNum()),
    valMetrics: optional(metricsSchema),
    /** The first loss seen, for a quick "did it learn" reading. */
    firstLoss: maybeNum(),
    samplesPerSec: maybeNum(),
    durationMs: num(),
    backend: oneOf(BACKEND_KINDS),
    runDir: str(),
    modelDir: optional(str()),
  }),
});

type Distribute<U> = U extends unknown ? U : never;
/** The `health` message with its findings at their precise type. */
export interface HealthMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'health';
  step: number;
  findings: Finding[];
  changed: string[];
}
export type WorkerMessage = Exclude<Distribute<Infer<typeof workerMessageSchema>>, { type: 'health' }> | HealthMessage;
export type WorkerMessageOf<T extends WorkerMessage['type']> = Extract<WorkerMessage, { type: T }>;
/** A worker message as the sender writes it: without `v` (added by `send`). */
export type WorkerEvent = WorkerMessage extends infer M ? (M extends { v: 1 } ? Omit<M, 'v'> : never) : never;

function versionFirst(value: unknown): Result<never> | undefined {
  if (typeof value === 'object' && value !== null && 'v' in value && (value as { v: unknown }).v !== PROTOCOL_VERSION) {
    const got = JSON.stringify((value as { v: unknown }).v);
    return {
      ok: false,
      issues: [{ path: 'v', message: `protocol version ${got}, expected ${PROTOCOL_VERSION}` }],
      message: `protocol version mismatch: message has v=${got}, this side speaks v=${PROTOCOL_VERSION} (the worker and its host come from different builds)`,
    };
  }
  return undefined;
}

export function parseHostMessage(value: unknown): Result<HostMessage> {
  return versionFirst(value) ?? (validate(hostMessageSchema, value) as Result<HostMessage>);
}

export function parseWorkerMessage(value: unknown): Result<WorkerMessage> {
  return versionFirst(value) ?? (validate(workerMessageSchema, value) as Result<WorkerMessage>);
}

/** Parses one JSONL line (either direction). */
export function parseLine<T>(line: string, parse: (v: unknown) => Result<T>): Result<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { ok: false, issues: [{ path: '', message: 'not JSON' }], message: `not a JSON line: ${(e as Error).message}` };
  }
  return parse(value);
}

/** A number as the protocol sends it: NaN and ±Infinity become null. */
export function finite(x: number | undefined | null): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export const schemas = { hostMessageSchema, workerMessageSchema, trainConfigSchema } satisfies Record<string, Schema<unknown>>;
