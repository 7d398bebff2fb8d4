/**
 * The learning-rate range test in the training worker (config.lrRange): a fresh copy of the
 * analysed model (built as for training), the code's optimizer and loss (or the request's),
 * one batch per step from the chosen dataset while the rate grows exponentially, stopping at
 * divergence. Emits a `step` per point (loss and learning rate, as a training does), then one
 * `lr-range` message with the curve and the suggestion (src/training/lr-range.ts), and writes
 * `lr-range.json` into the run folder.
 */
import { finite, type TrainConfig, type WorkerEvent, type WorkerMessageOf } from '../../protocol/worker';
import { formatLr, lrAt, LrRangeTracker, suggestLearningRate, type LrPoint } from '../lr-range';
import type { BackendSelection, TF } from './backend';
import { buildModel } from './build-model';
import { makeDataset, Rng } from './datasets';
import { RunStore } from './run-store';
import { compileSettings, dataSpecOf, makeOptimizer, toTrainingError, TrainingError, type Control } from './trainer';

type Tensor = ReturnType<TF['tensor']>;
type LayersModel = ReturnType<TF['model']>;
type DoneEvent = Omit<WorkerMessageOf<'done'>, 'v'>;
export type LrRangeEvent = Omit<WorkerMessageOf<'lr-range'>, 'v'>;

/** Sets an optimizer's rate for its next step: SGD and momentum keep it as a tensor (setLearningRate), the others read the field. */
export function setLearningRate(optimizer: unknown, lr: number): void {
  const o = optimizer as { setLearningRate?(lr: number): void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

export async function lrRangeTest(
  cfg: TrainConfig,
  sel: BackendSelection,
  store: RunStore,
  emit: (ev: WorkerEvent) => void,
  control: Control,
): Promise<DoneEvent> {
  const range = cfg.lrRange!;
  const tf = sel.tf;
  const started = Date.now();
  const tracker = new LrRangeTracker(range);
  const tensors: Tensor[] = [];
  let model: LayersModel | undefined;
  let firstLoss: number | null = null;
  let last: number | null = null;
  let samples = 0;
  let seconds = 0;
  let optimizerName = cfg.optimizer ?? 'adam';
  const done = (status: DoneEvent['status']): DoneEvent => ({
    type: 'done',
    status,
    steps: tracker.points.length,
    epochs: 0,
    loss: last,
    metrics: {},
    firstLoss,
    samplesPerSec: seconds > 0 ? finite(samples / seconds) : null,
    durationMs: Date.now() - started,
    backend: sel.kind,
    runDir: store.dir,
  });
  const result = (stoppedEarly?: LrRangeEvent['stoppedEarly']): LrRangeEvent => ({
    type: 'lr-range',
    optimizer: optimizerName,
    minLr: range.minLr,
    maxLr: range.maxLr,
    points: tracker.points.map((p: LrPoint) => ({ step: p.step, lr: p.lr, loss: p.loss, smoothed: p.smoothed })),
    ...(stoppedEarly ? { stoppedEarly } : {}),
    suggestion: suggestLearningRate(tracker.points),
  });
  try {
    const built = buildModel(tf, cfg.model, cfg.otherModels ?? []);
    model = built.model;
    const m = model;
    emit({
      type: 'model',
      name: cfg.model.name,
      layers: m.layers.map((l) => ({
        name: l.name,
        className: l.getClassName(),
        outputShape: safeShape(l.outputShape),
        params: l.countParams(),
      })),
      totalParams: m.countParams(),
      trainableParams: m.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0),
      warnings: [...built.warnings, ...built.mismatches.map((d) => `differs from the analysis: ${d}`)],
    });
    const settings = compileSettings(cfg.model, cfg, m);
    optimizerName = settings.optimizer;
    const optimizer = makeOptimizer(tf, settings.optimizer, range.minLr);
    m.compile({ optimizer, loss: settings.loss.length === 1 ? settings.loss[0] : settings.loss, metrics: [] });
    emit({
      type: 'compile',
      optimizer: settings.optimizer,
      learningRate: range.minLr,
      loss: settings.loss,
      metrics: [],
      batchSize: settings.batchSize,
      sources: { ...settings.sources, learningRate: 'request' },
    });
    for (const w of settings.warnings) emit({ type: 'log', level: 'warning', message: w });

    const spec = dataSpecOf(m, settings.loss);
    let data;
    try {
      data = makeDataset(cfg.dataset, spec, { samples: cfg.samples, seed: cfg.seed, ...(cfg.columns ? { columns: cfg.columns } : {}) });
    } catch (e) {
      throw toTrainingError(e);
    }
    const n = data.n;
    if (n < 1) throw new TrainingError('data', `the dataset has no samples`);
    emit({
      type: 'dataset',
      name: data.name,
      task: data.task,
      train: n,
      validation: 0,
      inputShapes: data.xs.map((x) => [null, ...x.shape.slice(1)]),
      targetShapes: data.ys.map((y) => [null, ...y.shape.slice(1)]),
      ...(data.note ? { note: data.note } : {}),
    });
    const keep = (t: Tensor) => (tensors.push(t), t);
    const xs = data.xs.map((x, i) =>
      keep(tf.tensor(spec.inputs[i]?.vocab ? Int32Array.from(x.data) : x.data, x.shape, spec.inputs[i]?.vocab ? 'int32' : 'float32')),
    );
    const ys = data.ys.map((y) => keep(tf.tensor(y.data, y.shape, 'float32')));
    const batchSize = Math.min(settings.batchSize, n);
    const perEpoch = Math.ceil(n / batchSize);
    emit({ type: 'run', runDir: store.dir, totalSteps: range.steps, epochs: Math.ceil(range.steps / perEpoch), stepsPerEpoch: perEpoch });
    store.update({ lrRange: range, compile: settings, dataset: { name: data.name, task: data.task, samples: n } });
    emit({ type: 'state', state: 'running' });

    const rng = new Rng((cfg.seed ?? 42) + 7);
    let order = shuffle(n, rng);
    let stoppedEarly: LrRangeEvent['stoppedEarly'];
    for (let i = 0; i < range.steps; i++) {
      await new Promise((r) => setImmediate(r));
      if (control.paused && !control.stopRequested) {
        emit({ type: 'state', state: 'paused' });
        await control.paused.promise;
        if (!control.stopRequested) emit({ type: 'state', state: 'running' });
      }
      if (control.stopRequested) break;
      const b = i % perEpoch;
      if (b === 0 && i > 0) order = shuffle(n, rng);
      const idx = tf.tensor1d(order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize)), 'int32');
      const xb = xs.map((x) => tf.gather(x, idx));
      const yb = ys.map((y) => tf.gather(y, idx));
      const lr = lrAt(i, range);
      setLearningRate(optimizer, lr);
      const t0 = performance.now();
      let out: number | number[];
      try {
        out = await m.trainOnBatch(xb.length === 1 ? xb[0] : xb, yb.length === 1 ? yb[0] : yb);
      } catch (e) {
        throw toTrainingError(e, i + 1);
      } finally {
        tf.dispose([idx, ...xb, ...yb]);
      }
      const dt = (performance.now() - t0) / 1000;
      seconds += dt;
      samples += idx.shape[0];
      const loss = Array.isArray(out) ? out[0] : out;
      if (firstLoss === null) firstLoss = finite(loss);
      last = finite(loss);
      const r = tracker.add(lr, loss);
      emit({
        type: 'step',
        step: i + 1,
        epoch: Math.floor(i / perEpoch) + 1,
        loss: finite(loss),
        metrics: r.point.smoothed !== null ? { smoothedLoss: r.point.smoothed } : {},
        learningRate: lr,
        samplesPerSec: dt > 0 ? finite(idx.shape[0] / dt) : null,
        elapsedMs: Date.now() - started,
      });
      if (r.stop) {
        stoppedEarly = { step: i + 1, lr, reason: r.stop };
        break;
      }
    }
    const ev = result(stoppedEarly);
    store.writeJson('lr-range.json', { ...ev, type: undefined, file: cfg.file, model: cfg.model.name, dataset: cfg.dataset });
    store.update({ lrRangeResult: { suggestion: ev.suggestion, stoppedEarly: ev.stoppedEarly ?? null, points: ev.points.length } });
    emit(ev);
    if (ev.suggestion)
      emit({
        type: 'log',
        level: 'info',
        message: `suggested learning rate ${formatLr(ev.suggestion.lr)} (${ev.suggestion.method}): ${ev.suggestion.reason}`,
      });
    return done(control.stopRequested ? 'stopped' : 'completed');
  } catch (e) {
    const err = toTrainingError(e, tracker.points.length || undefined);
    if (tracker.points.length) emit(result());
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
    tf.dispose(tensors);
    model?.dispose();
  }
}

function safeShape(s: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(s));
  } catch {
    return null;
  }
}

function shuffle(n: number, rng: Rng): Int32Array {
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
