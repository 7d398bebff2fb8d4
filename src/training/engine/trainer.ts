/**
 * One training run of a model rebuilt from its analysed graph: compile settings (the code's
 * compile call, overridden by the request, else defaults), a dataset shaped to the model,
 * a step loop that can be paused and stopped between steps, instrumentation, the run
 * folder, and a clear error for every way it can fail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelGraph } from '../../analysis/graph';
import { finite, type ErrorKind, type LayerStat, type TrainConfig, type WorkerEvent, type WorkerMessageOf } from '../../protocol/worker';
import type { BackendSelection, TF } from './backend';
import { buildModel, ModelBuildError } from './build-model';
import { DataError, makeDataset, Rng, type DataSpec, type Dataset, type OutputKind } from './datasets';
import { dataStats } from './data-stats';
import { ActivationProbe, BatchActivationTap, installGradientHook, type ModelWeight } from './instrument';
import { RunStore } from './run-store';

type Tensor = ReturnType<TF['tensor']>;
type LayersModel = ReturnType<TF['model']>;

export interface Control {
  stopRequested: boolean;
  /** Set while paused; resolved on resume (or stop). */
  paused?: { promise: Promise<void>; resolve(): void };
  /** A save-model request to serve between steps. */
  saveRequest?: { dir?: string };
}

export class TrainingError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly extra: { step?: number; layer?: string; detail?: string } = {},
  ) {
    super(message);
  }
}

const LOSSES = new Set([
  'meanSquaredError',
  'meanAbsoluteError',
  'meanAbsolutePercentageError',
  'meanSquaredLogarithmicError',
  'squaredHinge',
  'hinge',
  'categoricalHinge',
  'logcosh',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'binaryCrossentropy',
  'kullbackLeiblerDivergence',
  'poisson',
  'cosineProximity',
]);
const METRICS = new Set([
  'accuracy',
  'acc',
  'binaryAccuracy',
  'categoricalAccuracy',
  'sparseCategoricalAccuracy',
  'precision',
  'recall',
  'mse',
  'mae',
  'mape',
  'MSE',
  'MAE',
  'MAPE',
  'cosine',
  'binaryCrossentropy',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'meanSquaredError',
  'meanAbsoluteError',
]);
export const DEFAULT_BATCH_SIZE = 32;
const DEFAULT_LR: Record<string, number> = {
  sgd: 0.01,
  momentum: 0.01,
  rmsprop: 0.001,
  adam: 0.001,
  adamax: 0.002,
  adagrad: 0.01,
  adadelta: 1,
};

export interface CompileSettings {
  optimizer: string;
  learningRate: number;
  loss: string[];
  metrics: string[];
  batchSize: number;
  sources: Record<string, 'code' | 'request' | 'default'>;
  warnings: string[];
}

function outputActivation(model: LayersModel, i: number): string | undefined {
  try {
    const layer = model.outputLayers[i];
    const cfg = layer.getConfig() as { activation?: unknown };
    return typeof cfg.activation === 'string' ? cfg.activation : undefined;
  } catch {
    return undefined;
  }
}

function defaultLoss(model: LayersModel, i: number): string {
  const act = outputActivation(model, i);
  const units = model.outputs[i].shape[model.outputs[i].shape.length - 1];
  if (act === 'softmax' && units !== 1) return 'categoricalCrossentropy';
  if (act === 'sigmoid') return 'binaryCrossentropy';
  return 'meanSquaredError';
}

/** The compile settings: the request, else the code's `compile` call, else defaults. */
export function compileSettings(
  graph: ModelGraph,
  cfg: Pick<TrainConfig, 'optimizer' | 'learningRate' | 'loss' | 'metrics' | 'batchSize'>,
  model: LayersModel,
): CompileSettings {
  const code = graph.compile;
  const sources: CompileSettings['sources'] = {};
  const warnings: string[] = [];
  const pick = <T>(key: string, request: T | undefined, fromCode: T | undefined | null, dflt: T): T => {
    if (request !== undefined) return ((sources[key] = 'request'), request);
    if (fromCode !== undefined && fromCode !== null) return ((sources[key] = 'code'), fromCode);
    sources[key] = 'default';
    return dflt;
  };
  let optimizer = pick('optimizer', cfg.optimizer, code?.optimizer, 'adam');
  if (!(optimizer in DEFAULT_LR)) {
    warnings.push(`optimizer '${optimizer}' is not a tf.train optimizer Layer Lens can rebuild; adam is used`);
    optimizer = 'adam';
    sources.optimizer = 'default';
  }
  const learningRate = pick(
    'learningRate',
    cfg.learningRate,
    code?.optimizer === optimizer ? code?.learningRate : undefined,
    DEFAULT_LR[optimizer],
  );
  const outputs = model.outputs.length;
  const codeLoss = code?.loss === undefined ? undefined : Array.isArray(code.loss) ? code.loss : [code.loss];
  let loss = pick<string[]>('loss', cfg.loss ? [cfg.loss] : undefined, codeLoss, []);
  loss = Array.from({ length: outputs }, (_, i) => {
    const l = loss[Math.min(i, loss.length - 1)];
    if (l && LOSSES.has(l)) return l;
    const d = defaultLoss(model, i);
    if (l) warnings.push(`loss '${l}'${outputs > 1 ? ` (output ${i + 1})` : ''} cannot be rebuilt (a custom function?); ${d} is used`);
    return d;
  });
  let metrics = pick<string[]>(
    'metrics',
    cfg.metrics,
    code?.metrics,
    loss.some((l) => /Crossentropy|Hinge|hinge/.test(l)) ? ['accuracy'] : [],
  );
  const dropped = metrics.filter((m) => !METRICS.has(m));
  if (dropped.length)
    warnings.push(`metric${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')} left out (custom functions cannot be rebuilt)`);
  metrics = metrics.filter((m) => METRICS.has(m));
  const batchSize = pick('batchSize', cfg.batchSize, undefined, DEFAULT_BATCH_SIZE);
  return { optimizer, learningRate, loss, metrics, batchSize, sources, warnings };
}

export function makeOptimizer(tf: TF, name: string, lr: number): ReturnType<TF['train']['adam']> {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(lr) as unknown as ReturnType<TF['train']['adam']>;
    case 'momentum':
      return tf.train.momentum(lr, 0.9) as unknown as ReturnType<TF['train']['adam']>;
    case 'rmsprop':
      return tf.train.rmsprop(lr) as unknown as ReturnType<TF['train']['adam']>;
    case 'adamax':
      return tf.train.adamax(lr) as unknown as ReturnType<TF['train']['adam']>;
    case 'adagrad':
      return tf.train.adagrad(lr) as unknown as ReturnType<TF['train']['adam']>;
    case 'adadelta':
      return tf.train.adadelta(lr) as unknown as ReturnType<TF['train']['adam']>;
    default:
      return tf.train.adam(lr);
  }
}

/** What the dataset must look like for this model and these losses. */
/**
 * The length given to an input dimension the model leaves open (`shape: [null, 8]`, text of any
 * length): a built-in dataset needs every size. 20 is long enough for a recurrent layer to
 * show its behaviour over time and short enough to keep a step fast.
 */
export const OPEN_LENGTH = 20;

export function dataSpecOf(model: LayersModel, losses: string[]): DataSpec {
  const known = (s: (number | null)[], what: string) =>
    s.slice(1).map((d) => {
      if (d === null)
        throw new DataError(
          `the model's ${what} has a dimension of unknown size (${JSON.stringify(s)}); a synthetic dataset needs every size`,
        );
      return d;
    });
  const notes: string[] = [];
  const inputShapes = model.inputs.map((t, i) => {
    if (!t.shape.slice(1).includes(null)) return t.shape;
    const filled = [null, ...t.shape.slice(1).map((d) => d ?? OPEN_LENGTH)];
    notes.push(`input ${i + 1} ${JSON.stringify(t.shape)} has open dimensions: the dataset uses ${JSON.stringify(filled)}`);
    return filled;
  });
  // With an open input, the outputs' sizes follow from the sizes chosen for it.
  const outputShapes = notes.length ? outputShapesFor(model, inputShapes) : model.outputs.map((t) => t.shape);
  const inputs = model.inputs.map((t, i) => {
    const shape = known(inputShapes[i], `input ${i + 1}`);
    // An input read by an Embedding carries token ids.
    const consumer = model.layers.find((l) => l.getClassName() === 'Embedding' && l.inboundNodes.some((n) => n.inputTensors.includes(t)));
    const first = model.layers.find((l) => l.getClassName() !== 'InputLayer');
    const emb = consumer ?? (model.inputs.length === 1 && first?.getClassName() === 'Embedding' ? first : undefined);
    const vocab = emb ? ((emb.getConfig() as { inputDim?: number }).inputDim ?? undefined) : undefined;
    return { shape, ...(vocab ? { vocab } : {}) };
  });
  const outputs = model.outputs.map((t, i) => {
    const shape = known(outputShapes[i] ?? t.shape, `output ${i + 1}`);
    const loss = losses[Math.min(i, losses.length - 1)];
    const same = inputs.findIndex((inp) => !inp.vocab && inp.shape.join(',') === shape.join(','));
    let kind: OutputKind;
    if (loss === 'categoricalCrossentropy' || loss === 'categoricalHinge' || loss === 'kullbackLeiblerDivergence') kind = 'classification';
    else if (loss === 'sparseCategoricalCrossentropy') kind = 'sparse';
    else if (same >= 0 && shape.length > 1) kind = 'reconstruction';
    else if (loss === 'binaryCrossentropy' || loss === 'hinge' || loss === 'squaredHinge')
      kind = shape.length === 1 && shape[0] === 1 ? 'binary' : 'multi-label';
    else kind = 'regression';
    return { shape, kind, ...(kind === 'reconstruction' ? { sameAsInput: same } : {}) };
  });
  return { inputs, outputs, ...(notes.length ? { notes } : {}) };
}

/** The model's output shapes for the given input shapes (tfjs's own shape inference); the declared ones when it cannot say. */
function outputShapesFor(model: LayersModel, inputShapes: (number | null)[][]): (number | null)[][] {
  try {
    const r = model.computeOutputShape(inputShapes.length === 1 ? inputShapes[0] : inputShapes) as (number | null)[] | (number | null)[][];
    return model.outputs.length === 1 ? [r as (number | null)[]] : (r as (number | null)[][]);
  } catch {
    return model.outputs.map((t) => t.shape);
  }
}

function errorKindOf(e: unknown): ErrorKind {
  const text = e instanceof Error ? `${e.message}` : String(e);
  if (
    /out of memory|Cannot enlarge memory|allocation failed|Array buffer allocation|OOM|RESOURCE_EXHAUSTED|Invalid typed array length|WebAssembly\.Memory/i.test(
      text,
    )
  )
    return 'oom';
  if (/Kernel '.*' not registered/.test(text)) return 'kernel';
  if (e instanceof DataError) return 'data';
  if (e instanceof ModelBuildError) return 'model';
  if (/Error when checking (input|target)|expected .* to have shape|Input arrays should have the same number of samples/i.test(text))
    return 'data';
  return 'crash';
}

export function toTrainingError(e: unknown, step?: number): TrainingError {
  if (e instanceof TrainingError) return e;
  const kind = errorKindOf(e);
  const err = e instanceof Error ? e : new Error(String(e));
  const prefix =
    kind === 'oom'
      ? 'out of memory'
      : kind === 'kernel'
        ? 'a kernel is missing on this backend'
        : kind === 'data'
          ? 'bad data'
          : kind === 'model'
            ? 'the model cannot be built'
            : 'training failed';
  const message = err.message.startsWith(prefix) ? err.message : `${prefix}: ${err.message}`;
  return new TrainingError(kind, message, { step, layer: (e as ModelBuildError).layer, detail: err.stack });
}

/** Saves the model in tfjs format (model.json + weights.bin), as tfjs-node's file:// does. */
export async function saveModel(tf: TF, model: LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData ? Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : Buffer.alloc(0);
      fs.writeFileSync(path.join(dir, 'weights.bin'), weights);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
    }),
  );
}

/**
 * What the training-health detectors (src/health) need early in a run, whatever the configured
 * intervals: they must be able to report within the first 200 steps. Up to EARLY_STEPS: a
 * `step` event for every step (the loss-curve detectors read windows of up to 200 steps),
 * layer statistics at least every EARLY_STATS_EVERY steps (the gradient detectors want ≥ 5
 * reports, sustained, before they judge: 5 × 5 = 25 steps), the activation probe after step 1
 * and at least every EARLY_PROBE_EVERY steps (dead/saturated units must show on 2 probes in a
 * row). This early schedule costs about 1–3% of a training step, as the later defaults do
 * (`npm run bench:train`: 'early', 'defaults'). The first EVERY_STEP_STATS steps have
 * statistics at every step: tfjs can overflow to NaN at the second or third batch, and the
 * step and layer where the gradients first went non-finite are the finding's evidence.
 */
export const EARLY_STEPS = 200;
export const EVERY_STEP_STATS = 10;
export const EARLY_STATS_EVERY = 5;
export const EARLY_PROBE_EVERY = 50;
/** Layer statistics every this many steps after EARLY_STEPS, unless `statsEvery` says otherwise. */
export const DEFAULT_STATS_EVERY = 10;
export const DEFAULT_HISTOGRAM_BINS = 20;
export const DEFAULT_PROBE_SIZE = 64;

export interface InstrumentSchedule {
  statsEvery: number;
  probeEvery: number;
  /** Whether the optimizer step `s` (1-based) computes layer statistics. */
  statsDue(s: number): boolean;
  /** Whether step `s` runs the activation probe and computes gradient histograms. */
  probeDue(s: number): boolean;
}

/**
 * When a run of `totalSteps` steps computes layer statistics and runs the activation probe:
 * `statsEvery` (default DEFAULT_STATS_EVERY) and `probeEvery` (default a tenth of the run,
 * between 10 and 50 steps), denser up to EARLY_STEPS (above).
 */
export function instrumentSchedule(cfg: Pick<TrainConfig, 'statsEvery' | 'probeEvery'>, totalSteps: number): InstrumentSchedule {
  const statsEvery = cfg.statsEvery ?? DEFAULT_STATS_EVERY;
  const probeEvery = cfg.probeEvery ?? Math.max(10, Math.min(50, Math.floor(totalSteps / 10)));
  return {
    statsEvery,
    probeEvery,
    statsDue: (s) =>
      s <= EVERY_STEP_STATS || s === totalSteps || s % (s <= EARLY_STEPS ? Math.min(statsEvery, EARLY_STATS_EVERY) : statsEvery) === 0,
    probeDue: (s) => s === 1 || s % (s <= EARLY_STEPS ? Math.min(probeEvery, EARLY_PROBE_EVERY) : probeEvery) === 0,
  };
}

/** Every weight of the model, frozen ones included (the optimizer never sees those, the hook snapshots them), and the layer owning each variable. */
export function modelWeightsOf(m: LayersModel): { layerOfVar: Map<string, string>; weights: ModelWeight[] } {
  const layerOfVar = new Map<string, string>();
  const trainableNames = new Set(m.trainableWeights.map((w) => w.name));
  const weights: ModelWeight[] = [];
  const add = (l: (typeof m.layers)[number]) => {
    for (const w of l.weights) {
      layerOfVar.set(w.name, l.name);
      weights.push({ name: w.name, layer: l.name, variable: w.read(), trainable: trainableNames.has(w.name) });
    }
  };
  for (const l of m.layers) {
    const nested = (l as unknown as { layers?: typeof m.layers }).layers;
    if (nested) nested.forEach(add);
    else add(l);
  }
  return { layerOfVar, weights };
}

type Emit = (ev: WorkerEvent) => void;
type DoneEvent = Omit<WorkerMessageOf<'done'>, 'v'>;

function shuffled(n: number, rng: Rng): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

function sizeFromShape(s: number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

/** Runs one training; always resolves with the `done` event (also on failure). */
export async function train(cfg: TrainConfig, sel: BackendSelection, store: RunStore, emit: Emit, control: Control): Promise<DoneEvent> {
  const tf = sel.tf;
  const started = Date.now();
  let step = 0;
  let epoch = 0;
  let firstLoss: number | null = null;
  let last: { loss: number | null; metrics: Record<string, number | null> } = { loss: null, metrics: {} };
  let lastVal: { valLoss?: number | null; valMetrics?: Record<string, number | null> } = {};
  let trainSeconds = 0;
  let trainSamples = 0;
  let modelDir: string | undefined;
  let model: LayersModel | undefined;
  const tensors: Tensor[] = [];
  let hook: ReturnType<typeof installGradientHook> | undefined;
  let tap: BatchActivationTap | undefined;
  const done = (status: DoneEvent['status']): DoneEvent => ({
    type: 'done',
    status,
    steps: step,
    epochs: epoch,
    loss: last.loss,
    metrics: last.metrics,
    ...lastVal,
    firstLoss,
    samplesPerSec: trainSeconds > 0 ? finite(trainSamples / trainSeconds) : null,
    durationMs: Date.now() - started,
    backend: sel.kind,
    runDir: store.dir,
    ...(modelDir ? { modelDir } : {}),
  });
  try {
    // tfjs's initialisers (and dropout) draw from Math.random: with a seed, the whole run repeats
    // (the worker is a process of its own, so nothing else depends on Math.random here).
    if (cfg.seed !== undefined) {
      const rng = new Rng(cfg.seed * 7919 + 17);
      Math.random = () => rng.next();
    }
    // The model
    let built;
    try {
      built = buildModel(tf, cfg.model, cfg.otherModels ?? []);
    } catch (e) {
      throw toTrainingError(e);
    }
    model = built.model;
    const m = model;
    const layerSummaries = m.layers.map((l) => {
      let outputShape: unknown;
      try {
        outputShape = JSON.parse(JSON.stringify(l.outputShape));
      } catch {
        outputShape = null;
      }
      return { name: l.name, className: l.getClassName(), outputShape, params: l.countParams() };
    });
    const trainableParams = m.trainableWeights.reduce((n, w) => n + sizeFromShape(w.shape as number[]), 0);
    const warnings = [...built.warnings, ...built.mismatches.map((d) => `differs from the analysis: ${d}`)];
    emit({ type: 'model', name: cfg.model.name, layers: layerSummaries, totalParams: m.countParams(), trainableParams, warnings });

    // Compile settings and data
    const settings = compileSettings(cfg.model, cfg, m);
    const optimizer = makeOptimizer(tf, settings.optimizer, settings.learningRate);
    m.compile({ optimizer, loss: settings.loss.length === 1 ? settings.loss[0] : settings.loss, metrics: settings.metrics });
    emit({
      type: 'compile',
      optimizer: settings.optimizer,
      learningRate: settings.learningRate,
      loss: settings.loss,
      metrics: settings.metrics,
      batchSize: settings.batchSize,
      sources: settings.sources,
    });
    for (const w of settings.warnings) emit({ type: 'log', level: 'warning', message: w });

    let data: Dataset;
    try {
      const spec = dataSpecOf(m, settings.loss);
      for (const note of spec.notes ?? []) emit({ type: 'log', level: 'info', message: note });
      data = makeDataset(cfg.dataset, spec, { samples: cfg.samples, seed: cfg.seed, ...(cfg.columns ? { columns: cfg.columns } : {}) });
    } catch (e) {
      throw toTrainingError(e);
    }
    const valSplit = cfg.validationSplit ?? 0.1;
    const nVal = Math.min(Math.floor(data.n * valSplit), data.n - 1);
    const nTrain = data.n - nVal;
    if (nTrain < 1) throw new TrainingError('data', `the dataset has ${data.n} samples: too few to train`);
    emit({
      type: 'dataset',
      name: data.name,
      task: data.task,
      train: nTrain,
      validation: nVal,
      inputShapes: data.xs.map((x) => [null, ...x.shape.slice(1)]),
      targetShapes: data.ys.map((y) => [null, ...y.shape.slice(1)]),
      ...(data.note ? { note: data.note } : {}),
    });
    // The data as given (a file's class-index column, not the one-hot rows made of it for the loss).
    const facts = dataStats(data.xs, data.rawYs ?? data.ys, nTrain);
    if (data.rawYs) facts.targets.forEach((t, i) => data.rawYs![i] && (t.engineOneHot = true));
    emit(facts);

    const toTensor = (a: { data: Float32Array; shape: number[] }, dtype: 'float32' | 'int32', from: number, to: number) => {
      const per = sizeFromShape(a.shape.slice(1));
      const t = tf.tensor(
        dtype === 'int32' ? Int32Array.from(a.data.subarray(from * per, to * per)) : a.data.subarray(from * per, to * per),
        [to - from, ...a.shape.slice(1)],
        dtype,
      );
      tensors.push(t);
      return t;
    };
    const spec = dataSpecOf(m, settings.loss);
    const dtypeOf = (i: number) => (spec.inputs[i]?.vocab ? 'int32' : 'float32') as 'float32' | 'int32';
    const xTrain = data.xs.map((x, i) => toTensor(x, dtypeOf(i), 0, nTrain));
    const yTrain = data.ys.map((y) => toTensor(y, 'float32', 0, nTrain));
    const xVal = nVal > 0 ? data.xs.map((x, i) => toTensor(x, dtypeOf(i), nTrain, data.n)) : [];
    const yVal = nVal > 0 ? data.ys.map((y) => toTensor(y, 'float32', nTrain, data.n)) : [];
    const probeN = Math.min(cfg.probeSize ?? DEFAULT_PROBE_SIZE, nTrain);
    // With activations from the training batch there is no probe batch.
    const xProbe = cfg.activationsFrom === 'batch' ? [] : data.xs.map((x, i) => toTensor(x, dtypeOf(i), 0, probeN));

    // The run
    const batchSize = Math.min(settings.batchSize, nTrain);
    const stepsPerEpoch = Math.ceil(nTrain / batchSize);
    const epochs = cfg.steps ? Math.ceil(cfg.steps / stepsPerEpoch) : (cfg.epochs ?? 1);
    const totalSteps = cfg.steps ?? epochs * stepsPerEpoch;
    store.update({
      compile: settings,
      dataset: { name: data.name, task: data.task, train: nTrain, validation: nVal, note: data.note },
      totalSteps,
      epochs,
      stepsPerEpoch,
    });
    emit({ type: 'run', runDir: store.dir, totalSteps, epochs, stepsPerEpoch });

    const { statsDue, probeDue } = instrumentSchedule(cfg, totalSteps);
    const bins = cfg.histogramBins ?? DEFAULT_HISTOGRAM_BINS;
    const { layerOfVar, weights: modelWeights } = modelWeightsOf(m);
    let firstBad: { step: number; stats: LayerStat[] } | undefined;
    let lastStats: { step: number; stats: LayerStat[] } | undefined;
    hook = installGradientHook(
      tf,
      {
        wantStats: statsDue,
        wantHistograms: probeDue,
        weights: () => modelWeights,
        layerOf: (v) => layerOfVar.get(v) ?? v.slice(0, Math.max(0, v.lastIndexOf('/'))) ?? v,
        onStats: (s, layers) => {
          const bad = layers.filter((l) => l.nanCount > 0 || l.infCount > 0 || l.gradNorm === null || l.weightNorm === null);
          if (bad.length && !firstBad) firstBad = { step: s, stats: bad };
          lastStats = { step: s, stats: layers };
          emit({ type: 'layer-stats', step: s, layers });
        },
        onError: (e) => emit({ type: 'log', level: 'warning', message: `gradient statistics failed: ${e.message}` }),
      },
      bins,
    );
    const probe = cfg.activationsFrom === 'batch' ? undefined : new ActivationProbe(tf, m, bins);
    if (probe?.skipped.length) emit({ type: 'log', level: 'info', message: `no activation statistics for ${probe.skipped.join(', ')}` });
    tap = cfg.activationsFrom === 'batch' ? new BatchActivationTap(tf, m, bins) : undefined;
    const runProbe = async (s: number) => {
      try {
        const layers = tap ? await tap.collect() : probe ? await probe.run(xProbe) : [];
        if (layers.length) emit({ type: 'activations', step: s, layers, ...(tap ? { source: 'batch' as const } : {}) });
      } catch (e) {
        emit({ type: 'log', level: 'warning', message: `activation statistics failed: ${(e as Error).message}` });
      }
    };

    const rng = new Rng((cfg.seed ?? 42) + 1);
    const names = m.metricsNames;
    const window: { samples: number; seconds: number }[] = [];
    let lastStepEvent = 0;
    const stepEventMs = cfg.stepEventMs ?? 0;
    emit({ type: 'state', state: 'running' });
    // Before the first step: the probe batch only (the tap has no forward pass to read yet).
    if (!tap) await runProbe(0);
    outer: for (epoch = 0; epoch < epochs;) {
      const order = shuffled(nTrain, rng);
      const epochLosses: number[] = [];
      const epochMetrics: Record<string, number[]> = {};
      for (let b = 0; b < stepsPerEpoch; b++) {
        // Between steps: messages (stop, pause, save) are handled.
        await new Promise((r) => setImmediate(r));
        if (control.paused && !control.stopRequested) {
          emit({ type: 'state', state: 'paused' });
          await control.paused.promise;
          if (!control.stopRequested) emit({ type: 'state', state: 'running' });
        }
        if (control.saveRequest) {
          const dir = control.saveRequest.dir ?? path.join(store.dir, 'model');
          control.saveRequest = undefined;
          await saveModel(tf, m, dir);
          modelDir = dir;
          emit({ type: 'saved', modelDir: dir });
        }
        if (control.stopRequested) break outer;
        if (cfg.steps && step >= cfg.steps) break;
        const from = b * batchSize;
        const to = Math.min(nTrain, from + batchSize);
        const idx = tf.tensor1d(order.slice(from, to), 'int32');
        const xb = xTrain.map((x) => tf.gather(x, idx));
        const yb = yTrain.map((y) => tf.gather(y, idx));
        if (tap && probeDue(step + 1)) tap.arm();
        const t0 = performance.now();
        let out: number | number[];
        try {
          out = await m.trainOnBatch(xb.length === 1 ? xb[0] : xb, yb.length === 1 ? yb[0] : yb);
        } catch (e) {
          throw toTrainingError(e, step + 1);
        } finally {
          tf.dispose([idx, ...xb, ...yb]);
        }
        const seconds = (performance.now() - t0) / 1000;
        step++;
        trainSeconds += seconds;
        trainSamples += to - from;
        window.push({ samples: to - from, seconds });
        if (window.length > 20) window.shift();
        const values = Array.isArray(out) ? out : [out];
        const loss = values[0];
        const metrics: Record<string, number | null> = {};
        names.slice(1).forEach((n, i) => (metrics[n] = finite(values[i + 1])));
        if (firstLoss === null) firstLoss = finite(loss);
        last = { loss: finite(loss), metrics };
        epochLosses.push(loss);
        for (const [k, v] of Object.entries(metrics)) if (v !== null) (epochMetrics[k] ??= []).push(v);
        const ws = window.reduce((a, w) => a + w.samples, 0);
        const wt = window.reduce((a, w) => a + w.seconds, 0);
        const now = Date.now();
        if (
          !Number.isFinite(loss) ||
          stepEventMs === 0 ||
          step <= EARLY_STEPS ||
          now - lastStepEvent >= stepEventMs ||
          step === totalSteps
        ) {
          lastStepEvent = now;
          emit({
            type: 'step',
            step,
            epoch: epoch + 1,
            loss: finite(loss),
            metrics,
            learningRate: finite((optimizer as unknown as { learningRate?: number }).learningRate),
            samplesPerSec: wt > 0 ? finite(ws / wt) : null,
            elapsedMs: now - started,
          });
        }
        if (!Number.isFinite(loss)) {
          await hook.pending();
          const largest = lastStats
            ? [...lastStats.stats].sort((a, b) => (b.gradNorm ?? Infinity) - (a.gradNorm ?? Infinity))[0]
            : undefined;
          const where = firstBad
            ? ` Non-finite gradients or weights first appeared at step ${firstBad.step} in ${firstBad.stats.map((s) => `${s.weight} (${s.nanCount + s.infCount > 0 ? `${s.nanCount} NaN, ${s.infCount} Inf gradients` : s.gradNorm === null ? 'gradient norm overflows float32' : 'weight norm overflows float32'})`).join(', ')}.`
            : largest
              ? ` The largest gradient at step ${lastStats!.step} was in ${largest.weight} (norm ${largest.gradNorm?.toExponential(2)}).`
              : '';
          const layer = firstBad ? firstBad.stats[0].layer : largest?.layer;
          throw new TrainingError(
            'nan',
            `the loss became ${loss} at step ${step} (epoch ${epoch + 1}).${where} Lower the learning rate (now ${settings.learningRate}), normalise the inputs, or clip gradients.`,
            { step, ...(layer ? { layer } : {}) },
          );
        }
        if (probeDue(step)) await runProbe(step);
      }
      if (epochLosses.length === 0) break;
      epoch++;
      const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
      const epochEv: Omit<WorkerMessageOf<'epoch'>, 'v'> = {
        type: 'epoch',
        epoch,
        step,
        loss: finite(mean(epochLosses)),
        metrics: Object.fromEntries(Object.entries(epochMetrics).map(([k, v]) => [k, finite(mean(v))])),
      };
      if (nVal > 0) {
        const ev = m.evaluate(xVal.length === 1 ? xVal[0] : xVal, yVal.length === 1 ? yVal[0] : yVal, {
          batchSize: Math.max(batchSize, 64),
        });
        const list = Array.isArray(ev) ? ev : [ev];
        const vals = await Promise.all(list.map(async (t) => (await t.data())[0]));
        tf.dispose(list);
        epochEv.valLoss = finite(vals[0]);
        epochEv.valMetrics = Object.fromEntries(names.slice(1).map((n, i) => [`val_${n}`, finite(vals[i + 1])]));
        lastVal = { valLoss: epochEv.valLoss, valMetrics: epochEv.valMetrics };
      }
      emit(epochEv);
      if (cfg.steps && step >= cfg.steps) break;
    }
    await hook.pending();
    if (!tap && !probeDue(step)) await runProbe(step);
    if (cfg.saveModel) {
      modelDir = path.join(store.dir, 'model');
      await saveModel(tf, m, modelDir);
      emit({ type: 'saved', modelDir });
    }
    return done(control.stopRequested ? 'stopped' : 'completed');
  } catch (e) {
    const err = toTrainingError(e, step || undefined);
    try {
      await hook?.pending();
    } catch {
      // keep the first error
    }
    emit({
      type: 'error',
      kind: err.kind,
      message: err.message,
      ...(err.extra.step ? { step: err.extra.step } : {}),
      ...(err.extra.layer ? { layer: err.extra.layer } : {}),
      ...(err.extra.detail ? { detail: err.extra.detail } : {}),
      fatal: true,
    });
    return done('failed');
  } finally {
    hook?.uninstall();
    tap?.uninstall();
    tf.dispose(tensors);
    model?.dispose();
  }
}
