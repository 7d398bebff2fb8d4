/**
 * The statistics stream the health detectors consume: one event at a time, as the training
 * worker sends them (src/protocol/worker.ts), minus the protocol's `v` field.
 *
 * The shapes here are deliberately structural copies of the protocol's worker messages
 * (`step`, `layer-stats`, `activations`, `epoch`, `compile`, `dataset`, `model`, `run`,
 * `error`, `done`), so that a validated `WorkerMessage` can be handed to the HealthMonitor
 * as it is (test/unit/health-stream.test.ts checks that at compile time). The detectors
 * need a few facts the protocol does not carry yet; they are optional here and the
 * detectors that want them fall back to weaker evidence without them:
 *
 * * `data-stats` (new event): input min/max/mean/std and target facts (integer, one-hot,
 *   range, class frequencies), computed once on the training set (or a large sample) before
 *   the first step. Needed by the input-normalisation and label/loss detectors.
 * * `LayerWeightStat.trainable` / `size`: the engine snapshots every weight, frozen ones
 *   included (frozen layers never reach the optimizer, so a gradient hook alone never sees
 *   them), and reports the non-trainable ones with `trainable: false`, `gradNorm: null` and
 *   an `updateRatio` from the snapshots. `size` is the element count of the variable.
 * * `ActivationStat.deadFraction`: the fraction of units (the last axis: Dense units,
 *   conv channels) that are exactly zero for every sample and position of the probe batch.
 *   `fracZero` (zeros among all values) is about 0.5 for a healthy ReLU layer, so it cannot
 *   tell a dead unit from a merely inactive one.
 *
 * Numbers that were NaN or ±Infinity arrive as null (JSON has no such values).
 * Pure: no I/O except `parseStreamJsonl`, which parses text it is given.
 */

/** A number as the protocol sends it: null when it was NaN or ±Infinity. */
export type MaybeNum = number | null;

export interface StepEvent {
  type: 'step';
  /** Optimizer steps so far (the first step is 1; 0 is accepted too). */
  step: number;
  epoch: number;
  /** This batch's loss. */
  loss: MaybeNum;
  /** This batch's metrics, keyed as tfjs logs them (`acc`, `mse`, …). */
  metrics: Record<string, MaybeNum>;
  learningRate?: MaybeNum;
}

/** One weight variable of one layer at one step. */
export interface LayerWeightStat {
  /** The layer's name (`dense_Dense1`). */
  layer: string;
  /** The variable (`dense_Dense1/kernel`). */
  weight: string;
  /** L2 norm of this step's gradient; null when non-finite, or for a frozen weight. */
  gradNorm: MaybeNum;
  gradMaxAbs: MaybeNum;
  /** L2 norm of the weight after the update. */
  weightNorm: MaybeNum;
  /** ‖Δw‖ / ‖w‖ of this step's update (0 for a weight that did not move). */
  updateRatio: MaybeNum;
  /** Non-finite entries of the gradient. */
  nanCount: number;
  infCount: number;
  /** False for a weight the optimizer never sees (frozen layer); absent means trainable. */
  trainable?: boolean;
  /** Number of elements of the variable. */
  size?: number;
}

export interface LayerStatsEvent {
  type: 'layer-stats';
  step: number;
  layers: LayerWeightStat[];
}

export interface StreamHistogram {
  min: MaybeNum;
  max: MaybeNum;
  counts: number[];
}

/** One layer's output on the fixed probe batch. */
export interface ActivationStat {
  layer: string;
  className: string;
  /** The activation applied to this output (`relu`, `tanh`, …), when the engine knows it. */
  activation?: string;
  mean: MaybeNum;
  std: MaybeNum;
  /** Exact zeros among all output values. */
  fracZero: MaybeNum;
  /**
   * Values within 1% of the activation's range from one of its bounds (sigmoid: < 0.01 or
   * > 0.99; tanh: |y| > 0.98); 0 for unbounded activations.
   */
  fracSaturated: MaybeNum;
  /** Units (last axis) that are zero for every probe sample and position: dead ReLUs. */
  deadFraction?: MaybeNum;
  /** Number of units on the last axis. */
  units?: number;
  histogram?: StreamHistogram;
}

export interface ActivationsEvent {
  type: 'activations';
  step: number;
  layers: ActivationStat[];
}

export interface EpochEvent {
  type: 'epoch';
  epoch: number;
  /** Optimizer steps at the end of this epoch. */
  step: number;
  loss: MaybeNum;
  metrics: Record<string, MaybeNum>;
  valLoss?: MaybeNum;
  valMetrics?: Record<string, MaybeNum>;
}

export interface CompileEvent {
  type: 'compile';
  /** `adam`, `sgd`, … (any case). */
  optimizer: string;
  learningRate: number;
  /** One loss per output. */
  loss: string[];
  metrics: string[];
  batchSize: number;
}

export interface DatasetEvent {
  type: 'dataset';
  name: string;
  task: string;
  train: number;
  validation: number;
  inputShapes: (number | null)[][];
  targetShapes: (number | null)[][];
}

/** Facts about one input tensor of the training set. */
export interface InputStats {
  min: MaybeNum;
  max: MaybeNum;
  mean: MaybeNum;
  std: MaybeNum;
  /** Non-finite values in the input. */
  nonFinite?: number;
  /** Every value is a whole number (token ids, raw pixel bytes). */
  integer?: boolean;
}

/** Facts about one target tensor of the training set. */
export interface TargetStats {
  min: MaybeNum;
  max: MaybeNum;
  mean: MaybeNum;
  /** Every value is a whole number. */
  integer: boolean;
  /** Size of the last axis (1 for a column of class indices or a single regression target). */
  lastDim: number;
  /** Every row is all zeros except one 1 (a one-hot encoding). */
  oneHot: boolean;
  /** Every row's values lie in [0, 1] and sum to 1 (one-hot or soft labels). */
  rowSumOne?: boolean;
  /** Share of each class, for class labels (index i: class i); absent for regression. */
  classFractions?: number[];
  /**
   * The training engine one-hot encoded these class indices (a data file's label column) to fit
   * the loss for its own run: the mismatch is real for the user's code, not for that run.
   */
  engineOneHot?: boolean;
}

export interface DataStatsEvent {
  type: 'data-stats';
  inputs: InputStats[];
  targets: TargetStats[];
}

export interface ModelEvent {
  type: 'model';
  name: string;
  layers: { name: string; className: string; params: number }[];
  /** Parameters of the built model, and those the optimizer trains (0: everything is frozen). */
  totalParams?: number;
  trainableParams?: number;
}

export interface RunEvent {
  type: 'run';
  totalSteps: number;
  epochs: number;
  stepsPerEpoch: number;
}

export interface ErrorEvent {
  type: 'error';
  kind: string;
  message: string;
  step?: number;
  layer?: string;
  fatal: boolean;
}

export interface DoneEvent {
  type: 'done';
  status: string;
  steps: number;
}

/** Every event the health layer reads; the monitor ignores any other `type`. */
export type HealthEvent =
  | StepEvent
  | LayerStatsEvent
  | ActivationsEvent
  | EpochEvent
  | CompileEvent
  | DatasetEvent
  | DataStatsEvent
  | ModelEvent
  | RunEvent
  | ErrorEvent
  | DoneEvent;

export type HealthEventType = HealthEvent['type'];

export const HEALTH_EVENT_TYPES: readonly HealthEventType[] = [
  'step',
  'layer-stats',
  'activations',
  'epoch',
  'compile',
  'dataset',
  'data-stats',
  'model',
  'run',
  'error',
  'done',
];

const TYPES = new Set<string>(HEALTH_EVENT_TYPES);

/** True when `e` is an event the health layer reads (by its `type`). */
export function isHealthEvent(e: unknown): e is HealthEvent {
  return typeof e === 'object' && e !== null && TYPES.has((e as { type?: unknown }).type as string);
}

/** A finite number, or null. */
export function fin(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/**
 * Events from JSONL text (a recorded `metrics.jsonl`, a test fixture): one JSON object per
 * line; blank lines and lines starting with `//` or `#` are skipped, and so are objects of
 * other types (`hello`, `backend`, `log`, …). A line that is not JSON throws with its number.
 */
export function parseStreamJsonl(text: string): HealthEvent[] {
  const out: HealthEvent[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('//') || line.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`line ${i + 1}: not JSON (${(e as Error).message})`, { cause: e });
    }
    if (isHealthEvent(value)) out.push(value);
  });
  return out;
}
