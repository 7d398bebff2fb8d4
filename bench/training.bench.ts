/**
 * Training speed per backend, side by side (`npm run bench:training`, alias `bench:train`):
 * samples/s of an MNIST MLP (784-256-128-10) and a two-convolution MNIST CNN (the tfjs-examples
 * one), batch 64, on the pure-JS cpu backend and on wasm with Layer Lens's training kernels
 * (convolution filter gradients composed from wasm convolutions, or delegated to the cpu kernel).
 *
 * Then the cost of the instrumentation as the trainer runs it (trainer.ts: its schedule, its
 * hook listener, the activation probe on a DEFAULT_PROBE_SIZE batch after the step), at the
 * trainer's default batch size, for the MLP and the CNN on wasm and the MLP on cpu:
 *  - defaults: the default schedule of a long run after its first EARLY_STEPS steps (statistics
 *    every DEFAULT_STATS_EVERY steps, gradient histograms and the activation probe every 50);
 *  - early: the same schedule between steps 151 and 200 (statistics every EARLY_STATS_EVERY);
 *  - every step: statistics, gradient histograms and activation statistics at every step, the
 *    activations from the training step's own forward pass (`activationsFrom: 'batch'`, what
 *    a per-step schedule is run with);
 *  - every step, probe: the same with the activations of the fixed probe batch, for comparison;
 *  - forward pass: no instrumentation, only the model's inference pass over the probe batch at
 *    every step — the least a per-step probe batch can cost.
 * One model and one batch per row, trained plain and in each mode in turn: a round runs the same
 * whole number of periods of the default schedule (50 steps; at least BENCH_ROUND_SECONDS of
 * plain training, default 2.5) in every mode, in an order that changes from round to round,
 * and each mode's time is divided by the plain time of the same round. The overhead
 * is the median of these paired ratios, with their min and max as the spread. Times are the
 * process's CPU time: the wasm and cpu backends compute on this thread only, and on a shared
 * machine wall time mostly measures the other jobs (it is printed too, for comparison).
 *
 * Not a test: it prints tables. BENCH_SECONDS (default 4): time per speed measurement.
 * BENCH_ROUNDS (default 7): rounds per overhead row (the cpu row runs half as many, at least 3).
 * BENCH_BATCH: batch size of the overhead rows (default: the trainer's). BENCH_PART=speed or
 * overhead: only that table.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/training/engine/backend';
import { ActivationProbe, BatchActivationTap, installGradientHook } from '../src/training/engine/instrument';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_HISTOGRAM_BINS,
  DEFAULT_PROBE_SIZE,
  EARLY_STATS_EVERY,
  EARLY_STEPS,
  EVERY_STEP_STATS,
  instrumentSchedule,
  modelWeightsOf,
  type InstrumentSchedule,
} from '../src/training/engine/trainer';
import { setConvFilterGradMode, type ConvFilterGradMode } from '../src/training/engine/wasm-kernels';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 7));
const PART = process.env.BENCH_PART ?? 'all';
/** Batch size of the overhead table: the trainer's default unless BENCH_BATCH says otherwise. */
const OVERHEAD_BATCH = Number(process.env.BENCH_BATCH ?? DEFAULT_BATCH_SIZE);
/** Least CPU seconds of one mode in one round of the overhead table. */
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 2.5);
const BATCH = 64;
/** A run long enough for the default schedule to reach its sparsest intervals. */
const LONG_RUN = 10_000;

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

function cnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

const MODELS = [
  { name: 'MLP 784-256-128-10', build: mlp, shape: [784] },
  { name: 'CNN conv8-pool-conv16-pool-dense10', build: cnn, shape: [28, 28, 1] },
] as const;

function compiled(build: () => tf.LayersModel): tf.LayersModel {
  const model = build();
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function batch(n: number, shape: readonly number[]): { x: tf.Tensor; y: tf.Tensor } {
  return { x: tf.randomUniform([n, ...shape]), y: tf.oneHot(tf.randomUniform([n], 0, 10, 'int32') as tf.Tensor1D, 10) };
}

/** Samples per second of trainOnBatch, after two warm-up steps. */
async function measure(build: () => tf.LayersModel, shape: readonly number[]): Promise<number> {
  const model = compiled(build);
  const { x, y } = batch(BATCH, shape);
  await model.trainOnBatch(x, y);
  await model.trainOnBatch(x, y);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000 || n < 2) {
    await model.trainOnBatch(x, y);
    n++;
  }
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return (n * BATCH) / seconds;
}

async function on(backend: 'cpu' | 'wasm', mode?: ConvFilterGradMode): Promise<void> {
  if (backend === 'wasm') {
    await selectBackend('wasm');
    setConvFilterGradMode(tf, mode ?? 'compose');
  } else await tf.setBackend('cpu');
}

const fmt = (x: number) => x.toFixed(x < 100 ? 1 : 0).padStart(8);

async function speedTable(): Promise<void> {
  console.log(`training samples/s, batch ${BATCH}, ${SECONDS} s per measurement, Node ${process.version}, tfjs ${tf.version.tfjs}`);
  const rows: [string, number, number, number][] = [];
  for (const { name, build, shape } of MODELS) {
    await on('cpu');
    const cpu = await measure(build, shape);
    await on('wasm', 'compose');
    const composed = await measure(build, shape);
    await on('wasm', 'delegate');
    const delegated = await measure(build, shape);
    rows.push([name, cpu, composed, delegated]);
  }
  console.log(`\n${'model'.padEnd(36)}${'cpu'.padStart(8)}${'wasm'.padStart(8)}${'wasm*'.padStart(8)}  wasm/cpu  wasm*/cpu`);
  for (const [name, cpu, w, d] of rows) console.log(`${name.padEnd(36)}${fmt(cpu)}${fmt(w)}${fmt(d)}  ${(w / cpu).toFixed(1).padStart(7)}×  ${(d / cpu).toFixed(1).padStart(8)}×`);
  console.log('wasm: Conv2DBackpropFilter composed from wasm convolutions (the default); wasm*: delegated to the cpu kernel');
}

/** A mode: the trainer's schedule over steps `offset + 1` to `offset + PERIOD`, or only the probe batch's forward pass at every step. */
interface Mode {
  label: string;
  schedule?: InstrumentSchedule;
  offset: number;
  forwardOnly?: boolean;
  /** Activation statistics from the training step's forward pass instead of the probe batch. */
  batchActivations?: boolean;
  /** The overhead this mode must stay within. */
  target?: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

const defaults = instrumentSchedule({}, LONG_RUN);
/** One period of the default schedule: every round holds the same statistics and probe steps. */
const PERIOD = (defaults.statsEvery * defaults.probeEvery) / gcd(defaults.statsEvery, defaults.probeEvery);
const MODES: Mode[] = [
  { label: 'plain', offset: 0 },
  { label: 'defaults', schedule: defaults, offset: EARLY_STEPS, target: 0.05 },
  { label: 'early', schedule: defaults, offset: EARLY_STEPS - PERIOD, target: 0.05 },
  { label: 'every step', schedule: instrumentSchedule({ statsEvery: 1, probeEvery: 1 }, LONG_RUN), offset: EARLY_STEPS, batchActivations: true, target: 0.15 },
  { label: 'every step, probe', schedule: instrumentSchedule({ statsEvery: 1, probeEvery: 1 }, LONG_RUN), offset: EARLY_STEPS },
  { label: 'forward pass', offset: 0, forwardOnly: true },
];

/** What the worker does with a report: serialise it (the IPC message and the run folder's line). */
let sink = 0;
const emit = (value: unknown) => {
  sink += JSON.stringify(value).length;
};

interface Setup {
  model: tf.LayersModel;
  x: tf.Tensor;
  y: tf.Tensor;
  xProbe: tf.Tensor;
  probe: ActivationProbe;
}

/** CPU time and wall time (ms) of `steps` optimizer steps in one mode, as the trainer's step loop runs them. */
async function runMode({ model, x, y, xProbe, probe }: Setup, mode: Mode, steps: number): Promise<{ cpu: number; wall: number }> {
  const sched = mode.schedule;
  // Step s of a round is step `at(s)` of the run: the mode's window of one period, repeated.
  const at = (s: number) => mode.offset + ((s - 1) % PERIOD) + 1;
  const { layerOfVar, weights } = modelWeightsOf(model);
  const hook = sched
    ? installGradientHook(
        tf,
        {
          wantStats: (s) => sched.statsDue(at(s)),
          wantHistograms: (s) => sched.probeDue(at(s)),
          weights: () => weights,
          layerOf: (v) => layerOfVar.get(v) ?? v,
          onStats: (step, layers) => emit({ type: 'layer-stats', step, layers }),
          onError: (e) => {
            throw e;
          },
        },
        DEFAULT_HISTOGRAM_BINS,
      )
    : undefined;
  const tap = mode.batchActivations ? new BatchActivationTap(tf, model, DEFAULT_HISTOGRAM_BINS) : undefined;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 1; i <= steps; i++) {
    const probeStep = sched?.probeDue(at(i)) ?? false;
    if (tap && probeStep) tap.arm();
    await model.trainOnBatch(x, y);
    if (probeStep) emit({ type: 'activations', step: i, layers: tap ? await tap.collect() : await probe.run([xProbe]) });
    if (mode.forwardOnly) {
      const out = model.predict(xProbe, { batchSize: DEFAULT_PROBE_SIZE }) as tf.Tensor;
      await out.data();
      out.dispose();
    }
  }
  await hook?.pending();
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  hook?.uninstall();
  tap?.uninstall();
  return { cpu: (c.user + c.system) / 1000, wall };
}

/**
 * The order of the modes in round `r`: a fixed pseudo-random permutation per round, so that no
 * mode always runs right after the same other one (and pays for its garbage collection).
 */
function roundOrder(r: number): number[] {
  let seed = 0x9e3779b9 ^ (r * 0x85ebca6b);
  const next = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    return (seed >>> 0) / 2 ** 32;
  };
  const order = MODES.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const median = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (r: number, unit = '%') => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}${unit}`;
const COL = 26;
const LABEL = 50;

/** One row of the table: per mode, the median CPU-time ratio [min, max] and whether it meets its target; the wall-time medians. */
async function overheadRow(name: string, backend: 'cpu' | 'wasm', build: () => tf.LayersModel, shape: readonly number[], rounds: number): Promise<{ cpu: string; wall: string }> {
  await on(backend, 'compose');
  const model = compiled(build);
  const { x, y } = batch(OVERHEAD_BATCH, shape);
  const setup: Setup = { model, x, y, xProbe: tf.randomUniform([DEFAULT_PROBE_SIZE, ...shape]), probe: new ActivationProbe(tf, model, DEFAULT_HISTOGRAM_BINS) };
  // Warm-up: every mode once, through a probe step; then one period plain sizes the rounds.
  for (const mode of MODES) await runMode(setup, mode, 3);
  const periodMs = (await runMode(setup, MODES[0], PERIOD)).cpu;
  const steps = PERIOD * Math.max(1, Math.round((ROUND_SECONDS * 1000) / periodMs));
  const times = MODES.map(() => [] as { cpu: number; wall: number }[]);
  for (let r = 0; r < rounds; r++) {
    for (const m of roundOrder(r)) times[m].push(await runMode(setup, MODES[m], steps));
  }
  tf.dispose([x, y, setup.xProbe]);
  model.dispose();
  const label = `${name} (${backend}, ${rounds}×${steps})`.padEnd(LABEL);
  const plainMs = (median(times[0].map((t) => t.cpu)) / steps).toFixed(1).padStart(9);
  const cells = MODES.slice(1).map((mode, j) => {
    const ratios = times[j + 1].map((t, r) => t.cpu / times[0][r].cpu);
    const mid = median(ratios);
    const mark = mode.target === undefined ? '' : mid - 1 <= mode.target ? ' ✓' : ' ✗';
    return `${pct(mid).padStart(6)} [${pct(Math.min(...ratios), '')}, ${pct(Math.max(...ratios), '')}]${mark}`.padEnd(COL);
  });
  const walls = MODES.slice(1).map((_, j) => pct(median(times[j + 1].map((t, r) => t.wall / times[0][r].wall))).padStart(6).padEnd(COL));
  const plainWall = (median(times[0].map((t) => t.wall)) / steps).toFixed(1).padStart(9);
  return { cpu: `${label}${plainMs}  ${cells.join('')}`, wall: `${label}${plainWall}  ${walls.join('')}` };
}

async function overheadTable(): Promise<void> {
  const cpuRounds = Math.max(3, Math.ceil(ROUNDS / 2));
  console.log(
    `\ninstrumentation overhead, batch ${OVERHEAD_BATCH}, probe batch ${DEFAULT_PROBE_SIZE}: rounds × steps per mode (whole periods of ${PERIOD} steps, ≥ ${ROUND_SECONDS} s plain), modes in a different order each round\n` +
      'CPU time instrumented ÷ plain in the same round − 1: median of the rounds [min, max], ✓/✗ against the target (defaults, early ≤ 5%, every step ≤ 15%)',
  );
  const header = `${'model (backend, rounds×steps)'.padEnd(LABEL)}${'plain ms'.padStart(9)}  ${MODES.slice(1).map((m) => m.label.padEnd(COL)).join('')}`;
  console.log(header);
  const rows: [string, 'cpu' | 'wasm', () => tf.LayersModel, readonly number[]][] = [
    [MODELS[0].name, 'wasm', MODELS[0].build, MODELS[0].shape],
    [MODELS[1].name, 'wasm', MODELS[1].build, MODELS[1].shape],
    [MODELS[0].name, 'cpu', MODELS[0].build, MODELS[0].shape],
  ];
  const walls: string[] = [];
  for (const [name, backend, build, shape] of rows) {
    const row = await overheadRow(name, backend, build, shape, backend === 'cpu' ? cpuRounds : ROUNDS);
    console.log(row.cpu);
    walls.push(row.wall);
  }
  console.log(
    `plain ms: CPU milliseconds per plain step (median)\n` +
      `defaults: steps ${EARLY_STEPS + 1}–${EARLY_STEPS + PERIOD} of a long run, as every later ${PERIOD} steps (statistics every ${defaults.statsEvery} steps, gradient histograms and probe every ${defaults.probeEvery})\n` +
      `early: steps ${EARLY_STEPS - PERIOD + 1}–${EARLY_STEPS}, as every ${PERIOD} steps from step ${PERIOD + 1} to ${EARLY_STEPS} (statistics every ${EARLY_STATS_EVERY} steps, probe every ${PERIOD}; the first ${EVERY_STEP_STATS} steps, not measured, have statistics at every step)\n` +
      'every step: statistics, gradient histograms and activation statistics of the training batch at every step (--stats-every 1 --probe-every 1 --activations-from batch)\n' +
      'every step, probe: the same with the activations of the fixed probe batch (--activations-from probe)\n' +
      'forward pass: no instrumentation, only the model\'s inference pass over the probe batch at every step: what a per-step probe costs at the least',
  );
  console.log(`\nthe same rounds in wall time (median of the ratios; the machine's other load shows in these)\n${header.replace(' plain ms', '  wall ms')}`);
  for (const w of walls) console.log(w);
  if (sink < 0) console.log(sink);
}

async function main(): Promise<void> {
  if (PART !== 'overhead') await speedTable();
  if (PART !== 'speed') await overheadTable();
}

void main();
