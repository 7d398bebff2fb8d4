/**
 * The instrumentation of a user's own training program, inside its process (the preload).
 *
 * It hooks the tfjs the program loads (every copy: the preload sees each `@tensorflow/*`
 * module as it is required):
 *  - tfjs-core: the optimizers' `applyGradients` (engine/instrument.ts: per-variable gradient
 *    and update statistics) — every step of `fit`, `fitDataset`, `trainOnBatch` and custom
 *    loops goes through it, so it is also the step boundary (pause, stop, step limit); and
 *    `Optimizer.prototype.minimize`, to read the loss of custom loops;
 *  - tfjs-layers: `fit`, `fitDataset` and `trainOnBatch` of LayersModel and Sequential, to add
 *    a callback (batch and epoch logs, the activation probe, pause without blocking the event
 *    loop) and to describe the model, its compile settings and the data.
 *
 * Activation statistics (`activationsFrom`, as the built-in trainer's): a fixed probe batch run
 * through the model (default), or with 'batch' the layers' outputs of the program's own training
 * step, kept by a `BatchActivationTap` armed before a probe-due step's forward pass. Both need
 * a model-level step (fit, fitDataset, trainOnBatch): a custom loop (`optimizer.minimize`,
 * `applyGradients`) has no model to run or tap, so it gets no activation statistics in either
 * mode — only the gradient statistics of its variables.
 *
 * Events are the built-in worker's (protocol.ts), so the CLI, the panel, the run folder and
 * the health monitor read both the same way.
 */
import { finite, type LayerStat, type WorkerEvent } from '../../protocol/worker';
import type { TF } from '../engine/backend';
import { dataStats } from '../engine/data-stats';
import { ActivationProbe, BatchActivationTap, installGradientHook, OPTIMIZER_CLASSES, type ModelWeight } from '../engine/instrument';
import { instrumentSchedule, type InstrumentSchedule } from '../engine/trainer';
import type { ScriptConfig, ControlState } from './config';
import { formatLocation, sourceLine, userLocation, type SourceLocation } from './source-location';

type Tensor = ReturnType<TF['tensor']>;
type LayersModel = ReturnType<TF['model']>;
type Logs = Record<string, number | undefined>;
type Fn = (...args: unknown[]) => unknown;

/** Thrown at a step boundary to end the program's training (stop, step limit, an error already reported). */
export class StopRun extends Error {
  constructor(readonly status: 'completed' | 'stopped' | 'failed') {
    super(`Layer Lens ended the run (${status})`);
    this.name = 'StopRun';
  }
}

export interface ErrorInfo {
  kind: 'nan' | 'oom' | 'data' | 'kernel' | 'crash' | 'config';
  message: string;
  source?: SourceLocation & { text?: string };
  detail?: string;
  step?: number;
  layer?: string;
}

export interface SessionIO {
  emit(ev: WorkerEvent): void;
  /** Resolves once the event has left the process (IPC callback). */
  emitAndFlush(ev: WorkerEvent): Promise<void>;
  /** Merge into run.json. */
  record(fields: Record<string, unknown>): void;
  /** The control file's state, re-read when `force` or 100 ms passed since the last read. */
  readControl(force?: boolean): ControlState;
  /** Blocks the thread for `ms` (Atomics.wait), for a pause inside a synchronous loop. */
  sleepSync(ms: number): void;
  exit(code: number): void;
  /** Saves a model in tfjs format into `dir`. */
  saveModel(core: TF, model: LayersModel, dir: string): Promise<void>;
  /** Files of Layer Lens itself, left out of user stack frames. */
  ownFiles: string[];
  cwd: string;
  now(): number;
}

interface WeightRef {
  layer: string;
  lv: { name: string; trainable: boolean; read(): Tensor };
}

interface ModelInfo {
  name: string;
  /** Its weights (nested models' included), read with their trainability at each statistics step. */
  weights: WeightRef[];
  probe?: ActivationProbe;
  probeXs?: Tensor[];
  probeNs?: TF;
  /** With `activationsFrom: 'batch'` (instead of the probe): the layers' outputs of the step's own forward pass. */
  tap?: BatchActivationTap;
  /** The tap keeps the outputs of the step under way (armed before it, collected at its end). */
  tapArmed?: boolean;
  /** The input shapes of the first batch fitDataset gets (its `dataset` event; no probe batch is kept with the tap). */
  inputShapes?: (number | null)[][];
  compiled?: boolean;
  datasetSent?: boolean;
  dataStatsSent?: boolean;
  probed?: boolean;
}

/** `data-stats` reads at most this many samples of the program's training tensors. */
const DATA_STATS_SAMPLES = 4096;

const OPTIMIZER_NAMES: Record<string, string> = {
  SGD: 'sgd',
  Momentum: 'momentum',
  Adam: 'adam',
  Adamax: 'adamax',
  RMSProp: 'rmsprop',
  Adagrad: 'adagrad',
  Adadelta: 'adadelta',
};

function optimizerName(opt: unknown): string {
  try {
    const cls = (opt as { getClassName(): string }).getClassName();
    return OPTIMIZER_NAMES[cls] ?? cls;
  } catch {
    return 'custom';
  }
}

function learningRateOf(opt: unknown): number | null {
  const lr = (opt as { learningRate?: unknown } | undefined)?.learningRate;
  return typeof lr === 'number' ? finite(lr) : null;
}

function lossNames(loss: unknown): string[] {
  const one = (l: unknown): string => (typeof l === 'string' ? l : typeof l === 'function' ? l.name || 'custom' : 'custom');
  if (Array.isArray(loss)) return loss.map(one);
  if (loss && typeof loss === 'object') return Object.values(loss).map(one);
  return loss === undefined ? [] : [one(loss)];
}

function taskOf(losses: string[], targetLast: number | undefined): 'classification' | 'binary' | 'regression' | 'multi-label' {
  const l = losses[0] ?? '';
  if (/categoricalCrossentropy|categoricalHinge|kullbackLeibler/i.test(l)) return 'classification';
  if (/binaryCrossentropy|hinge/i.test(l)) return targetLast === 1 ? 'binary' : 'multi-label';
  return 'regression';
}

function tensorsOf(x: unknown): Tensor[] {
  if (!x) return [];
  if (Array.isArray(x)) return x.filter((t) => t && typeof (t as Tensor).shape === 'object') as Tensor[];
  if (typeof (x as Tensor).shape === 'object' && typeof (x as Tensor).dataId === 'object') return [x as Tensor];
  return Object.values(x as Record<string, Tensor>).filter((t) => t && typeof t.shape === 'object');
}

function shapeOf(t: Tensor): (number | null)[] {
  return [null, ...t.shape.slice(1)];
}

export class Session {
  step = 0;
  private started = false;
  private fitDepth = 0;
  private inMinimize = 0;
  private readonly t0: number;
  private epochsDone = 0;
  private firstLoss: number | null = null;
  private firstLossStep = Infinity;
  private lastLossStep = -Infinity;
  private last: { loss: number | null; metrics: Record<string, number | null> } = { loss: null, metrics: {} };
  private lastVal: { valLoss?: number | null; valMetrics?: Record<string, number | null> } = {};
  private samples = 0;
  private seconds = 0;
  private lastStepEvent = 0;
  private heldStep?: Extract<WorkerEvent, { type: 'step' }>;
  private readonly cores: { ns: TF; hook: ReturnType<typeof installGradientHook> }[] = [];
  private readonly patched = new WeakSet<object>();
  private readonly models = new Map<object, ModelInfo>();
  private readonly layerOfVar = new Map<string, string>();
  /** The model a fit/fitDataset/trainOnBatch call is training now (its weights are reported, frozen ones included). */
  private activeModel?: ModelInfo;
  private layersNs?: { ns: Record<string, unknown>; core?: TF };
  private lastCore?: TF;
  private lastModel?: { model: LayersModel; core: TF };
  private firstBad?: { step: number; stats: LayerStat[] };
  private lastStats?: { step: number; stats: LayerStat[] };
  private customSite?: SourceLocation;
  /**
   * Where the program last called fit/fitDataset/trainOnBatch (or first used its own
   * optimizer): the place to point at when a throw inside tfjs has no user frame in its
   * stack (a rejected `model.fit(…)` promise carries only tfjs's frames).
   */
  lastCallSite?: SourceLocation;
  private customOptimizers = new WeakSet<object>();
  private controlState: ControlState = 'running';
  private wake?: () => void;
  private saveRequest?: { dir?: string };
  /** Set once the run must end; every later step boundary throws StopRun. */
  ending?: { status: 'completed' | 'stopped' | 'failed'; reason?: string };
  private finishing = false;
  finished = false;
  private errored = false;
  /** The built-in trainer's schedule (trainer.ts), dense early on for the health detectors; the run's length is not known ahead. */
  private readonly schedule: InstrumentSchedule;
  private readonly bins: number;
  private readonly tfModules: { path: string; version?: string }[] = [];

  constructor(
    private readonly cfg: ScriptConfig,
    private readonly io: SessionIO,
  ) {
    this.t0 = io.now();
    this.schedule = instrumentSchedule({ statsEvery: cfg.statsEvery, probeEvery: cfg.probeEvery ?? 50 }, Infinity);
    this.bins = cfg.histogramBins ?? 20;
  }

  // -------------------------------------------------------------------------------------
  // tfjs modules, as the program loads them

  /** Called with the exports of every `@tensorflow/*` module the program loads. */
  onTfModule(exports: unknown, file: string): void {
    if (!exports || typeof exports !== 'object') return;
    const ns = exports as Record<string, unknown>;
    if (typeof ns.Optimizer === 'function' && typeof ns.engine === 'function' && typeof ns.tidy === 'function')
      this.patchCore(ns as unknown as TF, file);
    if (typeof ns.LayersModel === 'function' && typeof ns.CustomCallback === 'function') this.patchLayers(ns, file);
  }

  private patchCore(core: TF, file: string): void {
    const Optimizer = (core as unknown as { Optimizer: { prototype: Record<string, unknown> } }).Optimizer;
    if (this.patched.has(Optimizer)) return;
    this.patched.add(Optimizer);
    this.lastCore = core;
    this.tfModules.push({ path: file, version: (core as unknown as { version_core?: string }).version_core });
    const hook = installGradientHook(
      core,
      {
        wantStats: (s) => this.schedule.statsDue(s),
        wantHistograms: (s) => this.schedule.probeDue(s),
        weights: () => this.activeWeights(),
        // tf.variable() without a name is named by its id ("0", "1"): say what it is.
        layerOf: (v) =>
          this.layerOfVar.get(v) ?? (v.lastIndexOf('/') > 0 ? v.slice(0, v.lastIndexOf('/')) : /^\d+$/.test(v) ? `variable ${v}` : v),
        onStats: (s, layers) => {
          const bad = layers.filter((l) => l.nanCount > 0 || l.infCount > 0 || l.gradNorm === null || l.weightNorm === null);
          if (bad.length && !this.firstBad) this.firstBad = { step: s, stats: bad };
          this.lastStats = { step: s, stats: layers };
          if (!this.finished) this.io.emit({ type: 'layer-stats', step: s, layers });
        },
        onError: (e) => this.io.emit({ type: 'log', level: 'warning', message: `gradient statistics failed: ${e.message}` }),
      },
      this.bins,
    );
    this.cores.push({ ns: core, hook });
    const session = this;
    // The step boundary, outside the statistics hook: pause, stop and the step limit act
    // before a step's update is applied.
    const classes = core as unknown as Record<string, { prototype: Record<string, unknown> } | undefined>;
    for (const cls of OPTIMIZER_CLASSES) {
      const p = classes[cls]?.prototype;
      if (!p || !Object.prototype.hasOwnProperty.call(p, 'applyGradients')) continue;
      const inner = p.applyGradients as Fn;
      p.applyGradients = function (this: unknown, grads: unknown) {
        session.beginStep(core);
        return inner.call(this, grads);
      };
    }
    const proto = Optimizer.prototype;
    const minimize = proto.minimize as Fn;
    proto.minimize = function (this: unknown, f: unknown, returnCost = false, varList?: unknown) {
      if (session.fitDepth > 0) return minimize.call(this, f, returnCost, varList);
      session.onCustomOptimizer(this, core);
      session.inMinimize++;
      let cost: Tensor | null;
      try {
        cost = minimize.call(this, f, true, varList) as Tensor | null;
      } finally {
        session.inMinimize--;
      }
      if (cost) {
        const step = session.step;
        if (session.syncLoop()) {
          // A loop that never yields: a promise would resolve only after it ends.
          let v = NaN;
          try {
            v = cost.dataSync()[0];
          } catch {
            // leave NaN out: no loss for this step
          }
          session.onCustomLoss(step, v, learningRateOf(this));
        } else {
          const kept = core.keep(cost.clone());
          void kept
            .data()
            .then((v) => session.onCustomLoss(step, v[0], learningRateOf(this)))
            .catch(() => undefined)
            .finally(() => kept.dispose());
        }
      }
      if (returnCost) return cost;
      cost?.dispose();
      return null;
    };
  }

  private patchLayers(ns: Record<string, unknown>, file: string): void {
    const LayersModel = ns.LayersModel as { prototype: Record<string, unknown> };
    if (this.patched.has(LayersModel)) return;
    this.patched.add(LayersModel);
    // tfjs-layers requires its tfjs-core first: the core loaded last is its own.
    this.layersNs = { ns, core: this.lastCore };
    this.tfModules.push({ path: file, version: ns.version_layers as string | undefined });
    const session = this;
    for (const cls of [LayersModel, ns.Sequential as { prototype: Record<string, unknown> } | undefined]) {
      if (!cls) continue;
      const proto = cls.prototype;
      for (const method of ['fit', 'fitDataset', 'trainOnBatch'] as const) {
        if (!Object.prototype.hasOwnProperty.call(proto, method)) continue;
        const original = proto[method] as Fn;
        proto[method] = function (this: LayersModel, ...args: unknown[]) {
          // Sequential delegates to its inner LayersModel: only the outer call is instrumented.
          if (session.fitDepth > 0 || session.finished) return original.apply(this, args);
          const site = userLocation(new Error().stack, session.io.ownFiles);
          if (site) session.lastCallSite = site;
          session.fitDepth++;
          const done = () => {
            session.fitDepth--;
            session.activeModel = undefined;
          };
          let p: Promise<unknown>;
          try {
            p = session.instrumented(method, this, original, args, site, ns);
          } catch (e) {
            done();
            throw e;
          }
          return p.finally(done);
        };
      }
    }
  }

  /**
   * The weights of the model being trained, frozen ones included: the statistics hook reports
   * those the optimizer did not see at a step from snapshots (instrument.ts). Trainability is
   * read now: a GAN freezes and unfreezes its discriminator between steps.
   */
  private activeWeights(): ModelWeight[] {
    const out: ModelWeight[] = [];
    for (const w of this.activeModel?.weights ?? []) {
      try {
        out.push({ name: w.lv.name, layer: w.layer, variable: w.lv.read(), trainable: w.lv.trainable });
      } catch {
        // disposed
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------
  // Steps

  private coreFor(): TF | undefined {
    return this.layersNs?.core ?? this.lastCore;
  }

  /** The first optimizer step: what runs where. */
  private startRun(core: TF): void {
    this.started = true;
    let tfBackend = 'unknown';
    let gpu = false;
    try {
      core.backend(); // initialises the backend the program would get at its first op
      tfBackend = core.getBackend() ?? 'unknown';
      gpu = tfBackend === 'tensorflow' && (core.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
    } catch {
      // keep unknown
    }
    const kind = tfBackend === 'tensorflow' ? (gpu ? 'gpu' : 'node') : tfBackend === 'wasm' ? 'wasm' : 'cpu';
    const mods = this.tfModules.map((m) => `${m.path}${m.version ? ` (${m.version})` : ''}`);
    const detail = `the program's own tfjs: backend '${tfBackend}'${mods.length ? `; ${this.tfModules[0].path.includes('node_modules') ? 'from ' : ''}${mods[0]}` : ''}`;
    const ev = {
      type: 'backend' as const,
      requested: 'auto' as const,
      kind: kind as 'gpu' | 'node' | 'wasm' | 'cpu',
      tfBackend,
      detail,
      skipped: [],
    };
    this.io.record({ backend: { requested: 'auto', kind, tfBackend, detail }, tfjs: this.tfModules });
    this.io.emit(ev);
    this.io.emit({ type: 'state', state: 'running' });
  }

  /** Called synchronously as each optimizer step begins (inside applyGradients). */
  private beginStep(core: TF): void {
    if (this.ending || this.finishing) throw new StopRun(this.ending?.status ?? 'stopped');
    if (!this.started) this.startRun(core);
    this.step++;
    if (this.fitDepth > 0) return;
    // A custom loop: this is the only place it can be paused or stopped.
    if (this.cfg.maxSteps && this.step > this.cfg.maxSteps) {
      this.step--;
      this.endWith('completed', `the step limit (${this.cfg.maxSteps}) was reached`);
      throw new StopRun('completed');
    }
    this.syncControl();
    if (!this.inMinimize) {
      // applyGradients called directly (tf.variableGrads loops): no loss to read.
      this.emitStep({ loss: null, metrics: {}, learningRate: null, samples: 0, seconds: 0 });
    }
  }

  private syncControl(): void {
    let state = this.io.readControl();
    if (state === 'paused') {
      this.io.emit({ type: 'state', state: 'paused' });
      while (state === 'paused') {
        this.io.sleepSync(50);
        state = this.io.readControl(true);
      }
      if (state === 'running') this.io.emit({ type: 'state', state: 'running' });
    }
    this.controlState = state;
    if (state === 'stopping') {
      this.endWith('stopped');
      throw new StopRun('stopped');
    }
  }

  /** Between steps, with the event loop free: pause (without blocking), stop, save. */
  private async asyncBoundary(): Promise<void> {
    if (this.ending) return this.finish(this.ending.status);
    let state = this.io.readControl();
    if (state === 'paused' || this.controlState === 'paused') {
      this.io.emit({ type: 'state', state: 'paused' });
      for (;;) {
        state = this.io.readControl(true);
        if (this.controlState !== 'paused' && state !== 'paused') break;
        if (state === 'stopping' || this.controlState === 'stopping') break;
        await new Promise<void>((r) => {
          this.wake = r;
          setTimeout(r, 50);
        });
      }
      if (state !== 'stopping' && this.controlState !== 'stopping') this.io.emit({ type: 'state', state: 'running' });
    }
    if (state === 'stopping' || this.controlState === 'stopping') {
      this.endWith('stopped');
      return this.finish('stopped');
    }
    if (this.saveRequest) await this.serveSave();
  }

  /** Host messages (IPC). They arrive only while the event loop is free, i.e. between steps. */
  onHostMessage(type: 'stop' | 'pause' | 'resume' | 'save-model', dir?: string): void {
    if (type === 'save-model') {
      this.saveRequest = { dir };
      if (this.fitDepth === 0) void this.serveSave();
      return;
    }
    this.controlState = type === 'stop' ? 'stopping' : type === 'pause' ? 'paused' : 'running';
    this.wake?.();
    if (type === 'stop') {
      if (this.finishing) return;
      this.io.emit({ type: 'state', state: 'stopping' });
      this.endWith('stopped');
      void this.finish('stopped');
    }
  }

  private async serveSave(): Promise<void> {
    const req = this.saveRequest;
    this.saveRequest = undefined;
    if (!req) return;
    if (!this.lastModel) {
      this.io.emit({
        type: 'log',
        level: 'warning',
        message: 'no model to save yet: the program has not trained a LayersModel (fit, fitDataset, trainOnBatch)',
      });
      return;
    }
    const dir = req.dir ?? `${this.cfg.runDir}/model`;
    try {
      await this.io.saveModel(this.lastModel.core, this.lastModel.model, dir);
      this.io.emit({ type: 'saved', modelDir: dir });
    } catch (e) {
      this.io.emit({ type: 'log', level: 'warning', message: `saving the model failed: ${(e as Error).message}` });
    }
  }

  private emitStep(s: {
    loss: number | null;
    metrics: Record<string, number | null>;
    learningRate: number | null;
    samples: number;
    seconds: number;
    step?: number;
    epoch?: number;
  }): void {
    const step = s.step ?? this.step;
    // Losses read asynchronously can arrive out of order: keep the earliest and the latest step's.
    if (s.loss !== null && (this.firstLoss === null || step < this.firstLossStep)) {
      this.firstLoss = s.loss;
      this.firstLossStep = step;
    }
    if ((s.loss !== null || Object.keys(s.metrics).length) && step >= this.lastLossStep) {
      this.last = { loss: s.loss, metrics: s.metrics };
      this.lastLossStep = step;
    }
    this.samples += s.samples;
    this.seconds += s.seconds;
    const now = this.io.now();
    const event: Extract<WorkerEvent, { type: 'step' }> = {
      type: 'step',
      step,
      epoch: s.epoch ?? this.epochsDone + 1,
      loss: s.loss,
      metrics: s.metrics,
      learningRate: s.learningRate,
      samplesPerSec: s.seconds > 0 && s.samples > 0 ? finite(s.samples / s.seconds) : null,
      elapsedMs: Math.round(now - this.t0),
    };
    const every = this.cfg.stepEventMs ?? 0;
    if (every > 0 && now - this.lastStepEvent < every && s.loss !== null) {
      // Held back, not dropped: the run's last step reaches the host when the run ends.
      this.heldStep = event;
      return;
    }
    this.heldStep = undefined;
    this.lastStepEvent = now;
    this.io.emit(event);
  }

  /** Sends the step the throttle held back, so the host's history ends at the run's real last step. */
  private flushHeldStep(): void {
    const held = this.heldStep;
    this.heldStep = undefined;
    if (held) this.io.emit(held);
  }

  // -------------------------------------------------------------------------------------
  // Custom loops

  private onCustomOptimizer(opt: unknown, core: TF): void {
    if (this.customOptimizers.has(opt as object)) return;
    this.customOptimizers.add(opt as object);
    if (!this.customSite) this.customSite = userLocation(new Error().stack, this.io.ownFiles);
    if (this.customSite) this.lastCallSite ??= this.customSite;
    const first = !this.started;
    if (first) this.startRun(core);
    const where = this.customSite ? ` at ${formatLocation(this.customSite, this.io.cwd)}` : '';
    this.io.emit({
      type: 'log',
      level: 'info',
      message: `custom training loop${where}: optimizer ${optimizerName(opt)} (learning rate ${learningRateOf(opt) ?? 'unknown'})`,
    });
    if (first) this.io.emit({ type: 'run', runDir: this.cfg.runDir, totalSteps: this.cfg.maxSteps ?? 0, epochs: 0, stepsPerEpoch: 0 });
  }

  private loopTurned = true;
  private turnScheduled = false;

  /** Whether the event loop has not turned since the previous call: a custom loop that never awaits. */
  syncLoop(): boolean {
    const sync = !this.loopTurned;
    this.loopTurned = false;
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(() => {
        this.loopTurned = true;
        this.turnScheduled = false;
      });
    }
    return sync;
  }

  private onCustomLoss(step: number, loss: number, lr: number | null): void {
    if (this.finished) return;
    this.emitStep({ step, loss: finite(loss), metrics: {}, learningRate: lr, samples: 0, seconds: 0, epoch: 0 });
    if (!Number.isFinite(loss) && (this.cfg.stopOnNaN ?? true)) void this.failNaN(step, loss, this.customSite, lr);
  }

  // -------------------------------------------------------------------------------------
  // fit, fitDataset, trainOnBatch

  private registerModel(model: LayersModel, ns: Record<string, unknown>): ModelInfo {
    let info = this.models.get(model);
    if (info) return info;
    // The analysed model's name for the tfjs model that is it (same layers), else tfjs's own name.
    const layerNames = model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name);
    const wanted = this.cfg.modelLayers;
    const isAnalysed = wanted ? wanted.length === layerNames.length && wanted.every((n) => layerNames.includes(n)) : this.models.size === 0;
    const name = isAnalysed && this.cfg.modelName ? this.cfg.modelName : model.name;
    info = { name, weights: [] };
    this.models.set(model, info);
    const core0 = this.coreFor();
    if (core0 && !this.started) this.startRun(core0);
    const index = (l: { name: string; weights: WeightRef['lv'][] }) => {
      for (const w of l.weights) {
        this.layerOfVar.set(w.name, l.name);
        if (!info!.weights.some((x) => x.lv === w)) info!.weights.push({ layer: l.name, lv: w });
      }
    };
    const layers = model.layers.map((l) => {
      const nested = (l as unknown as { layers?: typeof model.layers }).layers;
      if (nested) for (const n of nested) index(n);
      else index(l);
      let outputShape: unknown;
      try {
        outputShape = JSON.parse(JSON.stringify(l.outputShape));
      } catch {
        outputShape = null;
      }
      return { name: l.name, className: l.getClassName(), outputShape, params: l.countParams() };
    });
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const trainableParams = model.trainableWeights.reduce((n, w) => n + size(w.shape as number[]), 0);
    this.io.emit({ type: 'model', name, layers, totalParams: model.countParams(), trainableParams, warnings: [] });
    const core = this.coreFor();
    if (core) {
      try {
        const probeNs = Object.assign(Object.create(core) as TF, { model: ns.model });
        if (this.cfg.activationsFrom === 'batch') info.tap = new BatchActivationTap(probeNs, model, this.bins);
        else info.probe = new ActivationProbe(probeNs, model, this.bins);
        info.probeNs = probeNs;
        if (info.probe?.skipped.length)
          this.io.emit({ type: 'log', level: 'info', message: `no activation statistics for ${info.probe.skipped.join(', ')}` });
      } catch (e) {
        this.io.emit({ type: 'log', level: 'info', message: `no activation statistics for ${name}: ${(e as Error).message}` });
      }
      this.lastModel = { model, core };
    }
    return info;
  }

  private setProbeBatch(info: ModelInfo, xs: Tensor[]): void {
    const core = this.coreFor();
    if (info.probeXs || !core || xs.length === 0 || !info.probe) return;
    try {
      const n = Math.min(this.cfg.probeSize ?? 64, xs[0].shape[0] ?? 0);
      if (n < 1) return;
      info.probeXs = xs.map((x) => core.keep(x.slice(0, n)));
    } catch {
      info.probeXs = undefined;
    }
  }

  /** The probe batch through the model: activation statistics at `step` (before training: step 0). */
  private async runProbe(info: ModelInfo, step: number): Promise<void> {
    if (!info.probe || !info.probeXs) return;
    info.probed = true;
    try {
      const layers = await info.probe.run(info.probeXs);
      if (layers.length && !this.finished) this.io.emit({ type: 'activations', step, layers });
    } catch (e) {
      this.io.emit({ type: 'log', level: 'warning', message: `activation statistics failed: ${(e as Error).message}` });
    }
  }

  /**
   * activationsFrom 'batch', before a step's forward pass: the tap keeps the layers' outputs when
   * the coming step (this.step + 1) is probe-due.
   */
  private armTap(info: ModelInfo): void {
    if (!info.tap || !this.schedule.probeDue(this.step + 1)) return;
    try {
      info.tap.arm();
      info.tapArmed = true;
    } catch (e) {
      this.warnOnce(`activation statistics failed: ${(e as Error).message}`);
    }
  }

  /**
   * activationsFrom 'batch', at the end of a step the tap was armed for: the statistics of what
   * its forward pass produced, as the `activations` of `step` (source 'batch'). A failure is a
   * warning, never the program's.
   */
  private async collectTap(info: ModelInfo, step: number): Promise<void> {
    if (!info.tap || !info.tapArmed) return;
    info.tapArmed = false;
    try {
      const layers = await info.tap.collect();
      if (layers.length && !this.finished) this.io.emit({ type: 'activations', step, layers, source: 'batch' });
    } catch (e) {
      this.warnOnce(`activation statistics failed: ${(e as Error).message}`);
    }
  }

  /** A training call threw with the tap armed: let go of what it kept, so no later step reports it. */
  private async dropTap(info: ModelInfo | undefined): Promise<void> {
    if (!info?.tap || !info.tapArmed) return;
    info.tapArmed = false;
    try {
      await info.tap.collect();
    } catch {
      // nothing kept, nothing to report
    }
  }

  /** The `data-stats` event (training-health input/label checks) from the first samples fit gets. */
  private async emitDataStats(info: ModelInfo, xs: Tensor[], ys: Tensor[], nTrain: number, what?: string): Promise<void> {
    if (info.dataStatsSent || !xs.length || !ys.length || nTrain < 1) return;
    info.dataStatsSent = true;
    const n = Math.min(nTrain, DATA_STATS_SAMPLES);
    const read = async (t: Tensor) => {
      const part = t.shape[0] > n ? t.slice(0, n) : t;
      try {
        const data = await part.data();
        return { data: Float32Array.from(data as ArrayLike<number>), shape: [n, ...t.shape.slice(1)] };
      } finally {
        if (part !== t) part.dispose();
      }
    };
    try {
      const ev = dataStats(
        await Promise.all(xs.map(read)),
        await Promise.all(ys.map(read)),
        n,
        what ?? (n < nTrain ? `the first ${n} of ${nTrain} training samples` : undefined),
      );
      this.io.emit(ev);
    } catch (e) {
      this.io.emit({ type: 'log', level: 'info', message: `no data statistics: ${(e as Error).message}` });
    }
  }

  private emitCompile(model: LayersModel, info: ModelInfo, batchSize: number): string[] {
    const losses = lossNames((model as unknown as { loss?: unknown }).loss);
    if (info.compiled) return losses;
    info.compiled = true;
    const opt = (model as unknown as { optimizer?: unknown }).optimizer;
    const metrics = (model.metricsNames ?? []).filter((m) => m !== 'loss');
    this.io.emit({
      type: 'compile',
      optimizer: optimizerName(opt),
      learningRate: learningRateOf(opt) ?? 0,
      loss: losses,
      metrics,
      batchSize: Math.max(1, Math.round(batchSize)),
      sources: { optimizer: 'code', learningRate: 'code', loss: 'code', metrics: 'code', batchSize: 'code' },
    });
    return losses;
  }

  private callbackFor(
    model: LayersModel,
    info: ModelInfo,
    ns: Record<string, unknown>,
    site: SourceLocation | undefined,
    onFirstBatch?: (logs: Logs) => void,
  ): unknown {
    const session = this;
    let batchStart = 0;
    let first = true;
    let lastStep = this.step;
    const Custom = ns.CustomCallback as new (args: Record<string, unknown>, yieldEvery?: unknown) => unknown;
    // A failure of Layer Lens's callback must not fail the program's fit: it is logged once.
    const guard =
      <A extends unknown[]>(name: string, fn: (...a: A) => Promise<void>) =>
      async (...a: A): Promise<void> => {
        try {
          await fn(...a);
        } catch (e) {
          session.warnOnce(`instrumentation (${name}) failed: ${(e as Error).message}`);
        }
      };
    const callbacks: Record<string, (...a: never[]) => Promise<void>> = {
      onTrainBegin: async () => {
        // Before training: the probe batch only (the tap has no forward pass to read yet).
        if (!info.tap && !info.probed) await session.runProbe(info, session.step);
      },
      onBatchBegin: async () => {
        batchStart = session.io.now();
        // fit and fitDataset call onBatchBegin (ours last) right before the step's trainFunction.
        session.armTap(info);
      },
      onBatchEnd: async (_batch: number, logs: Logs = {}) => {
        if (first) {
          first = false;
          onFirstBatch?.(logs);
        }
        // An optimizer the hook does not know (a user subclass): count the step here.
        if (session.step === lastStep) session.step++;
        lastStep = session.step;
        const seconds = (session.io.now() - batchStart) / 1000;
        const loss = typeof logs.loss === 'number' ? logs.loss : NaN;
        const metrics: Record<string, number | null> = {};
        for (const [k, v] of Object.entries(logs))
          if (k !== 'loss' && k !== 'batch' && k !== 'size' && typeof v === 'number') metrics[k] = finite(v);
        const opt = (model as unknown as { optimizer?: unknown }).optimizer;
        session.emitStep({ loss: finite(loss), metrics, learningRate: learningRateOf(opt), samples: logs.size ?? 0, seconds });
        // The tap's figures are this step's (fit's validation pass, on an epoch's last batch, runs
        // before onBatchEnd but after the training pass, whose outputs the tap kept first).
        if (info.tap) await session.collectTap(info, session.step);
        if (!Number.isFinite(loss) && (session.cfg.stopOnNaN ?? true))
          return session.failNaN(session.step, loss, site, learningRateOf(opt));
        if (!info.tap && session.schedule.probeDue(session.step)) await session.runProbe(info, session.step);
        if (session.cfg.maxSteps && session.step >= session.cfg.maxSteps) {
          session.endWith('completed', `the step limit (${session.cfg.maxSteps}) was reached`);
        }
        await session.asyncBoundary();
      },
      onEpochEnd: async (_epoch: number, logs: Logs = {}) => {
        session.epochsDone++;
        const metrics: Record<string, number | null> = {};
        const valMetrics: Record<string, number | null> = {};
        for (const [k, v] of Object.entries(logs)) {
          if (typeof v !== 'number' || k === 'loss' || k === 'val_loss') continue;
          if (k.startsWith('val_')) valMetrics[k] = finite(v);
          else metrics[k] = finite(v);
        }
        const ev: WorkerEvent = { type: 'epoch', epoch: session.epochsDone, step: session.step, loss: finite(logs.loss), metrics };
        if (logs.val_loss !== undefined) {
          Object.assign(ev, { valLoss: finite(logs.val_loss), valMetrics });
          session.lastVal = { valLoss: finite(logs.val_loss), valMetrics };
        }
        session.io.emit(ev);
      },
      onTrainEnd: async () => {
        // The probe's last figures; the tap reads only training steps (none here).
        if (!info.tap && !session.schedule.probeDue(session.step)) await session.runProbe(info, session.step);
      },
    };
    const guarded = Object.fromEntries(Object.entries(callbacks).map(([k, f]) => [k, guard(k, f as (...a: unknown[]) => Promise<void>)]));
    return new Custom(guarded, 'never');
  }

  private withCallback(args: Record<string, unknown> | undefined, ours: unknown, ns: Record<string, unknown>): Record<string, unknown> {
    const a = { ...(args ?? {}) };
    const Custom = ns.CustomCallback as new (args: unknown, yieldEvery?: unknown) => unknown;
    const Base = Object.getPrototypeOf(Custom) as abstract new () => unknown;
    const given = a.callbacks === undefined || a.callbacks === null ? [] : Array.isArray(a.callbacks) ? a.callbacks : [a.callbacks];
    // tfjs takes either callback objects or plain {onBatchEnd…} configs: make them all objects.
    a.callbacks = [...given.map((c) => (c instanceof Base ? c : new Custom(c, a.yieldEvery))), ours];
    return a;
  }

  /**
   * fit, fitDataset, trainOnBatch as the program called them, instrumented. Anything that goes
   * wrong in the instrumentation itself (an unusual model or argument) leaves the call as the
   * program made it, with a warning: Layer Lens must never break the user's training.
   */
  private async instrumented(
    method: 'fit' | 'fitDataset' | 'trainOnBatch',
    model: LayersModel,
    original: Fn,
    args: unknown[],
    site: SourceLocation | undefined,
    ns: Record<string, unknown>,
  ): Promise<unknown> {
    let prepared: unknown[];
    try {
      prepared = await this.prepare(method, model, args, site, ns);
      this.activeModel = this.models.get(model);
    } catch (e) {
      this.warnOnce(`${method} runs without instrumentation: ${(e as Error).message}`);
      return original.apply(model, args);
    }
    if (method !== 'trainOnBatch') {
      try {
        return await original.apply(model, prepared);
      } finally {
        await this.dropTap(this.models.get(model));
      }
    }
    const info = this.models.get(model)!;
    const xs = tensorsOf(args[0]);
    const batch = xs[0]?.shape[0] ?? 0;
    const t = this.io.now();
    const before = this.step;
    this.armTap(info);
    let out: number | number[];
    try {
      out = (await original.apply(model, args)) as number | number[];
    } catch (e) {
      await this.dropTap(info);
      throw e;
    }
    if (this.step === before) this.step++; // an optimizer the hook does not know
    const seconds = (this.io.now() - t) / 1000;
    const values = Array.isArray(out) ? out : [out];
    const opt = (model as unknown as { optimizer?: unknown }).optimizer;
    try {
      const names = model.metricsNames ?? [];
      const metrics: Record<string, number | null> = {};
      names.slice(1).forEach((m, i) => (metrics[m] = finite(values[i + 1])));
      this.emitStep({ loss: finite(values[0]), metrics, learningRate: learningRateOf(opt), samples: batch, seconds, epoch: 0 });
      if (info.tap) await this.collectTap(info, this.step);
      else if (Number.isFinite(values[0]) && this.schedule.probeDue(this.step)) await this.runProbe(info, this.step);
    } catch (e) {
      this.warnOnce(`trainOnBatch statistics failed: ${(e as Error).message}`);
    }
    if (!Number.isFinite(values[0]) && (this.cfg.stopOnNaN ?? true)) await this.failNaN(this.step, values[0], site, learningRateOf(opt));
    if (this.cfg.maxSteps && this.step >= this.cfg.maxSteps) this.endWith('completed', `the step limit (${this.cfg.maxSteps}) was reached`);
    await this.asyncBoundary();
    return out;
  }

  private warned = new Set<string>();
  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.io.emit({ type: 'log', level: 'warning', message });
  }

  /** Describes the call (events, probe batch, data statistics) and returns its arguments with Layer Lens's callback added. */
  private async prepare(
    method: 'fit' | 'fitDataset' | 'trainOnBatch',
    model: LayersModel,
    args: unknown[],
    site: SourceLocation | undefined,
    ns: Record<string, unknown>,
  ): Promise<unknown[]> {
    const info = this.registerModel(model, ns);
    const stepsBefore = this.step;
    if (method === 'fit') {
      const [x, y, rawArgs] = args as [unknown, unknown, Record<string, unknown> | undefined];
      const a = rawArgs ?? {};
      const xs = tensorsOf(x);
      const ys = tensorsOf(y);
      const batchSize = typeof a.batchSize === 'number' ? a.batchSize : 32;
      const losses = this.emitCompile(model, info, batchSize);
      const n = xs[0]?.shape[0] ?? 0;
      const split = typeof a.validationSplit === 'number' && !a.validationData ? a.validationSplit : 0;
      const nTrain = split > 0 ? Math.floor(n * (1 - split)) : n;
      const valData = a.validationData as unknown[] | undefined;
      const nVal = split > 0 ? n - nTrain : Array.isArray(valData) ? (tensorsOf(valData[0])[0]?.shape[0] ?? 0) : 0;
      const lastY = ys[0]?.shape[ys[0].shape.length - 1];
      if (!info.datasetSent)
        this.io.emit({
          type: 'dataset',
          name: "the program's data (fit)",
          task: taskOf(losses, lastY),
          train: nTrain,
          validation: nVal,
          inputShapes: xs.map(shapeOf),
          targetShapes: ys.map(shapeOf),
          note: 'the tensors the program passes to fit; the task is read from the loss',
        });
      info.datasetSent = true;
      const epochs = typeof a.epochs === 'number' ? a.epochs : 1;
      const initial = typeof a.initialEpoch === 'number' ? a.initialEpoch : 0;
      const stepsPerEpoch = Math.ceil(nTrain / batchSize);
      this.io.emit({
        type: 'run',
        runDir: this.cfg.runDir,
        totalSteps: stepsBefore + stepsPerEpoch * Math.max(0, epochs - initial),
        epochs: Math.max(0, epochs - initial),
        stepsPerEpoch,
      });
      this.setProbeBatch(info, xs);
      await this.emitDataStats(info, xs, ys, nTrain);
      const ours = this.callbackFor(model, info, ns, site);
      return [x, y, this.withCallback(a, ours, ns)];
    }
    if (method === 'fitDataset') {
      const [dataset, rawArgs] = args as [
        Record<string, unknown> & { iterator(): Promise<{ next(): Promise<{ value: unknown; done: boolean }> }> },
        Record<string, unknown> | undefined,
      ];
      const a = rawArgs ?? {};
      const epochs = typeof a.epochs === 'number' ? a.epochs : 1;
      const perEpoch =
        typeof a.batchesPerEpoch === 'number'
          ? a.batchesPerEpoch
          : typeof dataset.size === 'number' && Number.isFinite(dataset.size)
            ? (dataset.size as number)
            : 0;
      this.io.emit({
        type: 'run',
        runDir: this.cfg.runDir,
        totalSteps: perEpoch ? stepsBefore + perEpoch * epochs : 0,
        epochs,
        stepsPerEpoch: perEpoch,
      });
      // The probe batch: the first batch the dataset yields (copied before fitDataset disposes it).
      const session = this;
      const wrapped = Object.create(dataset) as typeof dataset;
      wrapped.iterator = async function () {
        const it = await dataset.iterator();
        return {
          async next() {
            const r = await it.next();
            const value = r.value as { xs?: unknown; ys?: unknown } | undefined;
            if (!info.inputShapes && value && !r.done) info.inputShapes = tensorsOf(value.xs).map(shapeOf);
            if (!info.probeXs && value && !r.done) session.setProbeBatch(info, tensorsOf(value.xs));
            if (!info.dataStatsSent && value && !r.done) {
              // Copies: fitDataset disposes the batch once trained, the statistics read it later.
              const xs = tensorsOf(value.xs).map((t) => t.clone());
              const ys = tensorsOf(value.ys).map((t) => t.clone());
              void session
                .emitDataStats(
                  info,
                  xs,
                  ys,
                  xs[0]?.shape[0] ?? 0,
                  `the first batch of the tf.data pipeline (${xs[0]?.shape[0] ?? 0} samples)`,
                )
                .finally(() => [...xs, ...ys].forEach((t) => t.dispose()));
            }
            return r;
          },
        };
      };
      const ours = this.callbackFor(model, info, ns, site, (logs) => {
        const losses = this.emitCompile(model, info, logs.size ?? 1);
        if (info.datasetSent) return;
        info.datasetSent = true;
        this.io.emit({
          type: 'dataset',
          name: "the program's data (fitDataset)",
          task: taskOf(losses, undefined),
          train: 0,
          validation: 0,
          inputShapes: info.inputShapes ?? [],
          targetShapes: [],
          note: "batches from the program's tf.data pipeline (its size is not known ahead)",
        });
      });
      return [wrapped, this.withCallback(a, ours, ns)];
    }
    // trainOnBatch
    const xs = tensorsOf(args[0]);
    if (!info.compiled) {
      this.emitCompile(model, info, xs[0]?.shape[0] || 1);
      this.io.emit({ type: 'run', runDir: this.cfg.runDir, totalSteps: this.cfg.maxSteps ?? 0, epochs: 0, stepsPerEpoch: 0 });
    }
    this.setProbeBatch(info, xs);
    await this.emitDataStats(
      info,
      xs,
      tensorsOf(args[1]),
      xs[0]?.shape[0] ?? 0,
      `the first batch given to trainOnBatch (${xs[0]?.shape[0] ?? 0} samples)`,
    );
    // Before the model's first step: the probe batch only (the tap reads the step's own forward pass).
    if (!info.tap && !info.probed) await this.runProbe(info, this.step);
    return args;
  }

  // -------------------------------------------------------------------------------------
  // Endings

  endWith(status: 'completed' | 'stopped' | 'failed', reason?: string): void {
    if (!this.ending) this.ending = { status, ...(reason ? { reason } : {}) };
  }

  private withSource(loc: SourceLocation | undefined): ErrorInfo['source'] {
    if (!loc) return undefined;
    const text = sourceLine(loc.file, loc.line);
    return { ...loc, ...(text ? { text } : {}) };
  }

  private async failNaN(step: number, loss: number, site: SourceLocation | undefined, lr: number | null): Promise<void> {
    if (this.errored) return;
    await this.pending();
    const bad = this.firstBad;
    const largest = this.lastStats
      ? [...this.lastStats.stats].sort((a, b) => (b.gradNorm ?? Infinity) - (a.gradNorm ?? Infinity))[0]
      : undefined;
    const where = bad
      ? ` Non-finite gradients or weights first appeared at step ${bad.step} in ${bad.stats.map((s) => `${s.weight} (${s.nanCount + s.infCount > 0 ? `${s.nanCount} NaN, ${s.infCount} Inf gradients` : s.gradNorm === null ? 'gradient norm overflows float32' : 'weight norm overflows float32'})`).join(', ')}.`
      : largest
        ? ` The largest gradient at step ${this.lastStats!.step} was in ${largest.weight} (norm ${largest.gradNorm?.toExponential(2)}).`
        : '';
    const at = site ? ` (training call at ${formatLocation(site, this.io.cwd)})` : '';
    const layer = bad ? bad.stats[0].layer : largest?.layer;
    this.endWith('failed');
    await this.fail({
      kind: 'nan',
      message: `the loss became ${loss} at step ${step}${at}.${where} Lower the learning rate${lr !== null ? ` (now ${lr})` : ''}, normalise the inputs, or clip gradients.`,
      step,
      ...(layer ? { layer } : {}),
      source: this.withSource(site),
    });
  }

  /** Reports a fatal error and ends the run as failed. */
  async fail(err: ErrorInfo): Promise<void> {
    if (this.errored) return;
    this.errored = true;
    this.flushHeldStep();
    this.endWith('failed');
    const source = err.source && !('text' in err.source) ? this.withSource(err.source) : err.source;
    this.io.emit({
      type: 'error',
      kind: err.kind,
      message: err.message,
      ...((err.step ?? (this.step || undefined)) ? { step: err.step ?? this.step } : {}),
      ...(err.layer ? { layer: err.layer } : {}),
      ...(err.detail ? { detail: err.detail } : {}),
      ...(source ? { source } : {}),
      fatal: true,
    });
    this.io.record({ error: err.message, ...(source ? { errorSource: source } : {}) });
    await this.finish('failed');
  }

  async pending(timeoutMs = 1000): Promise<void> {
    const all = Promise.all(this.cores.map((c) => c.hook.pending()));
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private doneEvent(status: 'completed' | 'stopped' | 'failed'): WorkerEvent {
    const backend = (() => {
      const core = this.coreFor();
      try {
        const b = core?.getBackend();
        return b === 'tensorflow' ? 'node' : b === 'wasm' ? 'wasm' : 'cpu';
      } catch {
        return 'cpu';
      }
    })() as 'node' | 'wasm' | 'cpu';
    return {
      type: 'done',
      status,
      steps: this.step,
      epochs: this.epochsDone,
      loss: this.last.loss,
      metrics: this.last.metrics,
      ...this.lastVal,
      firstLoss: this.firstLoss,
      samplesPerSec: this.seconds > 0 && this.samples > 0 ? finite(this.samples / this.seconds) : null,
      durationMs: Math.round(this.io.now() - this.t0),
      backend,
      runDir: this.cfg.runDir,
      ...(this.savedDir ? { modelDir: this.savedDir } : {}),
    };
  }

  private savedDir?: string;

  /**
   * Ends the run: waits for the statistics in flight, saves the model when asked, sends
   * `done` and exits the program (0, or 1 when failed). Never resolves for a second caller.
   */
  async finish(status: 'completed' | 'stopped' | 'failed'): Promise<void> {
    if (this.finishing) return new Promise<void>(() => undefined);
    this.finishing = true;
    await this.pending();
    this.flushHeldStep();
    if (this.cfg.saveModel && this.lastModel && status !== 'failed') {
      const dir = `${this.cfg.runDir}/model`;
      try {
        await this.io.saveModel(this.lastModel.core, this.lastModel.model, dir);
        this.savedDir = dir;
        this.io.emit({ type: 'saved', modelDir: dir });
      } catch (e) {
        this.io.emit({ type: 'log', level: 'warning', message: `saving the model failed: ${(e as Error).message}` });
      }
    }
    if (this.ending?.reason) this.io.emit({ type: 'log', level: 'info', message: `ended: ${this.ending.reason}` });
    const done = this.doneEvent(status);
    this.finished = true;
    this.io.record({
      status,
      finishedAt: new Date().toISOString(),
      ...(this.ending?.reason ? { endedBy: this.ending.reason } : {}),
      final: { ...done, type: undefined },
    });
    await this.io.emitAndFlush(done);
    this.io.exit(status === 'failed' ? 1 : 0);
  }

  /** The program ended on its own (the event loop emptied). */
  async onProgramEnd(): Promise<void> {
    if (this.finishing) return;
    if (this.ending) return this.finish(this.ending.status);
    if (this.step === 0) {
      const script = formatLocation({ file: this.cfg.script, line: 1 }, this.io.cwd).replace(/:1$/, '');
      return this.fail({
        kind: 'config',
        message:
          this.tfModules.length === 0
            ? `the program ended without loading @tensorflow/tfjs from node_modules (is tfjs bundled into it?), so Layer Lens saw no training. Run the unbundled program, or the script that trains (--script <file>).`
            : `the program ended without a training step: no fit, fitDataset, trainOnBatch or optimizer minimize/applyGradients call ran. If ${script} only defines the training code, run the script that calls it (--script <file>).`,
      });
    }
    return this.finish('completed');
  }

  /**
   * The process is exiting and `finish` did not run (the program called process.exit, or
   * died): record the ending synchronously and send what can still be sent.
   */
  onExit(code: number): void {
    if (this.finished) return;
    this.finished = true;
    const status = this.ending?.status ?? (code === 0 && this.step > 0 ? 'completed' : 'failed');
    if (status === 'failed' && !this.errored) {
      const message = code === 0 ? 'the program exited (process.exit) without a training step' : `the program exited with code ${code}`;
      this.errored = true;
      this.io.emit({
        type: 'error',
        kind: code === 0 ? 'config' : 'crash',
        message,
        ...(this.step ? { step: this.step } : {}),
        fatal: true,
      });
      this.io.record({ error: message });
    }
    const done = this.doneEvent(status);
    this.io.record({ status, finishedAt: new Date().toISOString(), exitCode: code, final: { ...done, type: undefined } });
    this.io.emit(done);
  }
}
