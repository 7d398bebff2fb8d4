/**
 * Training speed per backend, side by side (`npm run bench:training`): samples/s of an MNIST
 * MLP (784-256-128-10) and a two-convolution MNIST CNN (the tfjs-examples one), batch 64,
 * on the pure-JS cpu backend and on wasm with Layer Lens's training kernels (convolution
 * filter gradients composed from wasm convolutions, or delegated to the cpu kernel); and
 * the cost of the instrumentation (per-step layer statistics, probe histograms) on wasm.
 *
 * Not a test: it prints a table. BENCH_SECONDS (default 4) is the time per measurement.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/training/engine/backend';
import { ActivationProbe, installGradientHook } from '../src/training/engine/instrument';
import { setConvFilterGradMode, type ConvFilterGradMode } from '../src/training/engine/wasm-kernels';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const BATCH = 64;

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

/** plain; every step's layer statistics; the trainer's defaults (statistics every 10 steps, probe every 50). */
type Instrument = 'plain' | 'stats' | 'defaults';

/** Samples per second of trainOnBatch, after two warm-up steps. */
async function measure(build: () => tf.LayersModel, inputShape: number[], instrument: Instrument = 'plain'): Promise<number> {
  const model = build();
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.randomUniform([BATCH, ...inputShape]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32') as tf.Tensor1D, 10);
  let hook: ReturnType<typeof installGradientHook> | undefined;
  let probe: ActivationProbe | undefined;
  if (instrument !== 'plain') {
    const every = instrument === 'stats' ? 1 : 10;
    hook = installGradientHook(tf, { wantStats: (s) => s % every === 0, wantHistograms: (s) => s % 50 === 0, onStats: () => undefined });
    if (instrument === 'defaults') probe = new ActivationProbe(tf, model);
  }
  const step = async (i: number) => {
    await model.trainOnBatch(x, y);
    if (probe && i % 50 === 0) await probe.run([x]);
  };
  await step(1);
  await step(2);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000 || n < 2) await step(++n + 2);
  await hook?.pending();
  const seconds = (performance.now() - t0) / 1000;
  hook?.uninstall();
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

async function main(): Promise<void> {
  console.log(`training samples/s, batch ${BATCH}, ${SECONDS} s per measurement, Node ${process.version}, tfjs ${tf.version.tfjs}`);
  const rows: [string, number, number, number][] = [];
  for (const [name, build, shape] of [
    ['MLP 784-256-128-10', mlp, [784]],
    ['CNN conv8-pool-conv16-pool-dense10', cnn, [28, 28, 1]],
  ] as const) {
    await on('cpu');
    const cpu = await measure(build, [...shape]);
    await on('wasm', 'compose');
    const composed = await measure(build, [...shape]);
    await on('wasm', 'delegate');
    const delegated = await measure(build, [...shape]);
    rows.push([name, cpu, composed, delegated]);
  }
  console.log(`\n${'model'.padEnd(36)}${'cpu'.padStart(8)}${'wasm'.padStart(8)}${'wasm*'.padStart(8)}  wasm/cpu  wasm*/cpu`);
  for (const [name, cpu, w, d] of rows) console.log(`${name.padEnd(36)}${fmt(cpu)}${fmt(w)}${fmt(d)}  ${(w / cpu).toFixed(1).padStart(7)}×  ${(d / cpu).toFixed(1).padStart(8)}×`);
  console.log('wasm: Conv2DBackpropFilter composed from wasm convolutions (the default); wasm*: delegated to the cpu kernel');

  console.log('\ninstrumentation cost on wasm (samples/s):');
  console.log(`${'model'.padEnd(36)}${'plain'.padStart(8)}${'every'.padStart(8)}${'default'.padStart(8)}  overhead(every step)  overhead(defaults)`);
  await on('wasm', 'compose');
  for (const [name, build, shape] of [
    ['MLP 784-256-128-10', mlp, [784]],
    ['CNN conv8-pool-conv16-pool-dense10', cnn, [28, 28, 1]],
  ] as const) {
    const plain = await measure(build, [...shape]);
    const stats = await measure(build, [...shape], 'stats');
    const defaults = await measure(build, [...shape], 'defaults');
    console.log(`${name.padEnd(36)}${fmt(plain)}${fmt(stats)}${fmt(defaults)}  ${(((plain - stats) / plain) * 100).toFixed(1).padStart(19)}%  ${(((plain - defaults) / plain) * 100).toFixed(1).padStart(17)}%`);
  }
  console.log('every: gradient/weight/update statistics of every variable at every step; default: the trainer\'s defaults, statistics every 10 steps, gradient histograms and the activation probe (64 samples) every 50');
}

void main();
