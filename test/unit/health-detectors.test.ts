/**
 * Every training-health detector firing and not firing on seeded synthetic streams
 * (test/fixtures/streams/synth.ts), with and without the analysed ModelGraph.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelGraph } from '../../src/analysis/graph';
import { HealthMonitor, type Finding, type FindingCode, type HealthEvent } from '../../src/health';
import { DEAD_UNIT_FRACTION } from '../../src/health/detectors/dead-relu';
import { EXPLODING_GROWTH } from '../../src/health/detectors/exploding-gradient';
import { PLATEAU_MIN_STEPS } from '../../src/health/detectors/loss-plateau';
import { SATURATION_FRACTION } from '../../src/health/detectors/saturation';
import { UPDATE_RATIO_HIGH, UPDATE_RATIO_LOW } from '../../src/health/detectors/update-ratio';
import { VANISHING_RATIO } from '../../src/health/detectors/vanishing-gradient';
import { canLoadWeights } from '../../src/health/weight-origin';
import { decaying, graphFrom, healthyGrads, jitter, layersOf, mlpLayers, MNIST_DATA, rising, synth, type SynthSpec } from '../fixtures/streams/synth';

function monitor(events: HealthEvent[], graph?: ModelGraph): HealthMonitor {
  const m = new HealthMonitor({ graph });
  m.pushAll(events);
  return m;
}

function found(m: HealthMonitor, code: FindingCode): Finding[] {
  return m.allFindings().filter((f) => f.code === code);
}

function one(m: HealthMonitor, code: FindingCode): Finding {
  const fs = found(m, code);
  assert.equal(fs.length, 1, `expected one ${code}, got ${fs.length}: ${m.allFindings().map((f) => f.id).join(', ')}`);
  return fs[0];
}

/** A healthy 784-64-32-10 ReLU MLP on MNIST with Adam; scenarios override parts of it. */
function healthy(over: Partial<SynthSpec> = {}): SynthSpec {
  return {
    seed: 1,
    steps: 250,
    stepsPerEpoch: 50,
    layers: mlpLayers([64, 32], { input: 784, out: 10, activation: 'relu', outActivation: 'softmax' }),
    compile: { optimizer: 'adam', learningRate: 0.001, loss: ['categoricalCrossentropy'] },
    dataStats: MNIST_DATA,
    loss: decaying(2.3, 0.3, 50),
    acc: rising(0.1, 0.92, 50),
    gradNorm: healthyGrads(),
    valLoss: (e) => 0.7 - 0.08 * e,
    valAcc: (e) => 0.8 + 0.03 * e,
    ...over,
  };
}

const SIGMOID_STACK = `const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [784], units: 32, activation: 'sigmoid' }));
model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });`;

describe('a healthy run', () => {
  it('fires no detector, with or without the graph, over several seeds', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      assert.deepEqual(monitor(synth(healthy({ seed }))).allFindings(), [], `seed ${seed}`);
    }
    const g = graphFrom(`const model = tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }),
  tf.layers.dense({ units: 32, activation: 'relu' }),
  tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });`);
    assert.deepEqual(monitor(synth(healthy({ layers: layersOf(g) })), g).allFindings(), []);
  });
});

describe('vanishing gradients', () => {
  /** Gradient RMS shrinking ×`factor` per layer from the output back. */
  const shrinking = (factor: number, layers: number) => (l: number, _s: number, n: () => number) => Math.pow(factor, layers - 1 - l) * jitter(n, 0.2);

  it('fires when early layers get gradients orders of magnitude below later ones, naming them in order', () => {
    const g = graphFrom(SIGMOID_STACK);
    const layers = layersOf(g);
    const m = monitor(synth(healthy({ layers, gradNorm: shrinking(0.1, layers.length), loss: (_s, n) => 2.3 * jitter(n, 0.05) })), g);
    const f = one(m, 'vanishing-gradient');
    assert.deepEqual(f.layers.slice(0, 2), ['dense_Dense1', 'dense_Dense2']);
    assert.ok(f.evidence.ratio < VANISHING_RATIO);
    assert.equal(f.severity, 'error', 'five orders of magnitude');
    assert.equal(f.line, 3, 'the first layer’s line');
    assert.ok(f.step <= 10, `detected at step ${f.step}`);
    // Saturating hidden layers: switching them to ReLU is the first fix, as set-config edits.
    assert.equal(f.fixes[0].id, 'use-relu');
    assert.deepEqual(
      f.fixes[0].edits?.filter((e) => e.kind === 'set-config' && e.key === 'activation').map((e) => (e as { layer: string }).layer),
      ['dense_Dense1', 'dense_Dense2', 'dense_Dense3', 'dense_Dense4', 'dense_Dense5'],
    );
    assert.ok(f.fixes.some((x) => x.id === 'insert-batch-norm' && x.edits?.[0].kind === 'insert-layer-after'));
    assert.ok(f.explain.includes('concept.vanishingGradient'));
  });

  it('is a warning between three and five orders of magnitude', () => {
    const layers = mlpLayers([32, 32, 32], { input: 32, out: 10, activation: 'sigmoid', outActivation: 'softmax' });
    // Same sizes everywhere; the first layer 1e-4 of the last.
    const f = one(monitor(synth(healthy({ layers, gradNorm: (l, _s, n) => (l === 0 ? 1e-4 : 1) * jitter(n, 0.1) }))), 'vanishing-gradient');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.layers, ['dense_Dense1']);
  });

  it('does not fire on gradients within two orders of magnitude, on a transient dip, or on exactly zero gradients', () => {
    const layers = mlpLayers([32, 32, 32], { input: 32, out: 10, activation: 'relu', outActivation: 'softmax' });
    assert.deepEqual(found(monitor(synth(healthy({ layers, gradNorm: (l, _s, n) => (l === 0 ? 0.02 : 1) * jitter(n, 0.1) }))), 'vanishing-gradient'), []);
    const dip = (l: number, s: number, n: () => number) => (l === 0 && s >= 20 && s < 23 ? 1e-6 : 1) * jitter(n, 0.1);
    assert.deepEqual(found(monitor(synth(healthy({ layers, gradNorm: dip }))), 'vanishing-gradient'), []);
    const zero = (l: number, _s: number, n: () => number) => (l === 0 ? 0 : jitter(n, 0.1));
    assert.deepEqual(found(monitor(synth(healthy({ layers, gradNorm: zero }))), 'vanishing-gradient'), []);
  });

  it('compares gradients per element: a huge first layer is not vanishing because its norm is spread thinner', () => {
    const layers = [
      { name: 'emb', className: 'Dense', size: 4_000_000, units: 64, activation: 'relu' },
      { name: 'out', className: 'Dense', size: 64, units: 1, activation: 'sigmoid' },
    ];
    // Raw norms: 1 vs 1 → equal per norm; per element the big layer is 250× smaller, not 1000×.
    assert.deepEqual(found(monitor(synth(healthy({ layers, gradNorm: (_l, _s, n) => jitter(n, 0.1) }))), 'vanishing-gradient'), []);
  });
});

describe('exploding gradients', () => {
  it('fires at the first NaN, naming the step and the layer it came from', () => {
    const layers = mlpLayers([64, 64], { input: 20, out: 1, activation: 'relu', outActivation: 'linear' });
    // NaN appears in the second hidden layer and everything before it; the output's gradient stays finite.
    const events = synth(healthy({ layers, compile: { optimizer: 'sgd', learningRate: 5, loss: ['meanSquaredError'] }, nan: (l, s) => (s >= 7 && l <= 1 ? 3 : 0), loss: (s, n) => (s < 7 ? 3 * jitter(n, 0.1) : null) }));
    const f = one(monitor(events), 'exploding-gradient');
    assert.equal(f.severity, 'error');
    assert.equal(f.step, 7);
    assert.equal(f.layers[0], 'dense_Dense2', 'the deepest layer with non-finite gradients whose successors are finite');
    assert.equal(f.evidence.step, 7);
    assert.ok(f.evidence.nanCount > 0);
    assert.equal(f.fixes[0].id, 'lower-learning-rate');
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-learning-rate', value: 0.5 }]);
    assert.ok(f.fixes.some((x) => x.id === 'clip-gradients' && x.edits?.[0].kind === 'set-optimizer-option'));
  });

  it('fires on a sustained growth of the gradient norm, before any NaN', () => {
    const grow = (_l: number, s: number, n: () => number) => 0.5 * Math.pow(10, s / 20) * jitter(n, 0.1);
    const f = one(monitor(synth(healthy({ gradNorm: grow, steps: 120 }))), 'exploding-gradient');
    assert.equal(f.severity, 'warning');
    assert.ok(f.evidence.growth >= EXPLODING_GROWTH);
    assert.ok(f.step <= 80, `step ${f.step}`);
  });

  it('puts gradient clipping first for recurrent models', () => {
    const layers = [
      { name: 'lstm_LSTM1', className: 'LSTM', size: 4 * 16 * 17, units: 16 },
      { name: 'dense_Dense1', className: 'Dense', size: 16, units: 1, activation: 'linear' },
    ];
    const f = one(monitor(synth(healthy({ layers, nan: (_l, s) => (s >= 30 ? 1 : 0) }))), 'exploding-gradient');
    assert.equal(f.fixes[0].id, 'clip-gradients');
  });

  it('does not fire on one outlier batch or on healthy norms', () => {
    const spike = (_l: number, s: number, n: () => number) => (s === 40 ? 1e5 : 0.5) * jitter(n, 0.1);
    assert.deepEqual(found(monitor(synth(healthy({ gradNorm: spike }))), 'exploding-gradient'), []);
    const rise10 = (_l: number, s: number, n: () => number) => 0.1 * (1 + Math.min(s, 50) / 5) * jitter(n, 0.1);
    assert.deepEqual(found(monitor(synth(healthy({ gradNorm: rise10 }))), 'exploding-gradient'), []);
  });
});

describe('dead ReLU units', () => {
  it('fires per layer when most units are dead on consecutive probes', () => {
    const f = one(monitor(synth(healthy({ dead: (l, s) => (l === 1 && s >= 30 ? 0.6 : 0.1) }))), 'dead-relu');
    assert.deepEqual(f.layers, ['dense_Dense2']);
    assert.equal(f.severity, 'warning');
    assert.equal(f.evidence.deadFraction, 0.6);
    assert.equal(f.evidence.deadUnits, 19);
    assert.equal(f.step, 40, 'the second probe showing it');
    assert.equal(f.fixes[0].id, 'use-leaky-relu');
    assert.deepEqual(f.fixes[0].edits, [
      { kind: 'set-config', layer: 'dense_Dense2', key: 'activation', value: 'linear' },
      { kind: 'insert-layer-after', layer: 'dense_Dense2', factory: 'leakyReLU', config: { alpha: 0.1 } },
    ]);
  });

  it('is an error for a layer that is dead as a whole, and blames a high Adam learning rate first', () => {
    const f = one(monitor(synth(healthy({ compile: { optimizer: 'adam', learningRate: 0.05, loss: ['categoricalCrossentropy'] }, dead: (l) => (l === 0 ? 0.97 : 0.1) }))), 'dead-relu');
    assert.equal(f.severity, 'error');
    assert.equal(f.fixes[0].id, 'lower-learning-rate');
  });

  it('puts a negative bias initialiser first when the code has one', () => {
    const g = graphFrom(`const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu', biasInitializer: tf.initializers.constant({ value: -3 }) }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });`);
    const f = one(monitor(synth(healthy({ layers: layersOf(g), dead: (l) => (l === 0 ? 1 : 0) })), g), 'dead-relu');
    assert.equal(f.line, 3);
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-config', layer: 'dense_Dense1', key: 'biasInitializer', value: 'zeros' }]);
  });

  it('does not fire at 28% dead (seen in healthy nets), on a single bad probe, or on non-ReLU layers', () => {
    assert.ok(0.28 < DEAD_UNIT_FRACTION);
    assert.deepEqual(found(monitor(synth(healthy({ dead: () => 0.28 }))), 'dead-relu'), []);
    assert.deepEqual(found(monitor(synth(healthy({ dead: (_l, s) => (s === 50 ? 0.9 : 0.1) }))), 'dead-relu'), []);
    const tanh = mlpLayers([64, 32], { input: 784, out: 10, activation: 'tanh', outActivation: 'softmax' });
    assert.deepEqual(found(monitor(synth(healthy({ layers: tanh, saturated: () => 0.1, dead: () => 0.9 }))), 'dead-relu'), []);
  });

  it('falls back to the fraction of zeros when the engine sends no dead-unit count, only for nearly silent layers', () => {
    const noCount = { sendDeadFraction: false } as const;
    // dead 1.0 → fracZero 1.0; dead 0.6 → fracZero 0.78: only the first is certain without per-unit counts.
    assert.equal(one(monitor(synth(healthy({ ...noCount, dead: (l) => (l === 0 ? 1 : 0.1) }))), 'dead-relu').layers[0], 'dense_Dense1');
    assert.deepEqual(found(monitor(synth(healthy({ ...noCount, dead: () => 0.6 }))), 'dead-relu'), []);
  });
});

describe('saturated sigmoid/tanh units', () => {
  const tanh = mlpLayers([64, 32], { input: 784, out: 10, activation: 'tanh', outActivation: 'softmax' });

  it('fires on a hidden tanh layer pinned at its bounds', () => {
    const f = one(monitor(synth(healthy({ layers: tanh, saturated: (l) => (l === 0 ? 0.8 : 0.05) }))), 'saturated-activation');
    assert.deepEqual(f.layers, ['dense_Dense1']);
    assert.equal(f.severity, 'warning');
    assert.equal(f.evidence.fracSaturated, 0.8);
    assert.ok(f.explain.includes('concept.saturation'));
    assert.equal(one(monitor(synth(healthy({ layers: tanh, saturated: (l) => (l === 0 ? 0.95 : 0.05) }))), 'saturated-activation').severity, 'error');
  });

  it('puts input scaling first when the inputs are raw pixels', () => {
    const pixels = { inputs: [{ min: 0, max: 255, mean: 33, std: 78, nonFinite: 0, integer: true }], targets: MNIST_DATA.targets };
    const f = one(monitor(synth(healthy({ layers: tanh, dataStats: pixels, saturated: (l) => (l === 0 ? 0.9 : 0.05) }))), 'saturated-activation');
    assert.equal(f.fixes[0].id, 'rescale-inputs');
  });

  it('recognises a bounded layer from its values when neither graph nor engine names the activation', () => {
    const unnamed = tanh.map((l) => ({ ...l, activation: undefined }));
    assert.equal(one(monitor(synth(healthy({ layers: unnamed, saturated: (l) => (l === 1 ? 0.7 : 0.01) }))), 'saturated-activation').layers[0], 'dense_Dense2');
  });

  it('does not fire on a healthy LSTM (~20% beyond the bounds), on the output layer, or on one probe', () => {
    assert.ok(0.22 < SATURATION_FRACTION);
    const lstm = [
      { name: 'lstm_LSTM1', className: 'LSTM', size: 4 * 32 * 40, units: 32 },
      { name: 'dense_Dense1', className: 'Dense', size: 32, units: 1, activation: 'sigmoid' },
    ];
    assert.deepEqual(found(monitor(synth(healthy({ layers: lstm, saturated: (l) => (l === 0 ? 0.21 : 0.95) }))), 'saturated-activation'), []);
    assert.deepEqual(found(monitor(synth(healthy({ layers: tanh, saturated: (l, s) => (l === 0 && s === 100 ? 0.9 : 0.05) }))), 'saturated-activation'), []);
  });

  it('fires on an LSTM whose outputs are mostly saturated', () => {
    const lstm = [
      { name: 'lstm_LSTM1', className: 'LSTM', size: 4 * 32 * 40, units: 32 },
      { name: 'dense_Dense1', className: 'Dense', size: 32, units: 1, activation: 'sigmoid' },
    ];
    const f = one(monitor(synth(healthy({ layers: lstm, saturated: (l) => (l === 0 ? 0.75 : 0.95) }))), 'saturated-activation');
    assert.deepEqual(f.layers, ['lstm_LSTM1']);
    assert.ok(!f.fixes.some((x) => x.id === 'use-relu'), 'an LSTM keeps its tanh');
  });
});

describe('loss not decreasing', () => {
  const stuck = (level: number, spread = 0.1) => (_s: number, n: () => number) => level * jitter(n, spread);

  it('fires when the loss stays where it started for 100 steps, and says it is the level of guessing', () => {
    const f = one(monitor(synth(healthy({ loss: stuck(Math.log(10)), acc: (_s, n) => 0.1 * jitter(n, 0.3) }))), 'loss-not-decreasing');
    assert.equal(f.step, PLATEAU_MIN_STEPS);
    assert.ok(Math.abs(f.evidence.chanceLoss - Math.log(10)) < 1e-3);
    assert.match(f.message, /guessing among 10 classes/);
  });

  it('fires at once (error) when the loss is bit-for-bit constant', () => {
    const f = one(monitor(synth(healthy({ loss: () => 0.6931 }))), 'loss-not-decreasing');
    assert.equal(f.severity, 'error');
    assert.equal(f.step, 20);
  });

  it('suggests raising a tiny learning rate and lowering a huge one', () => {
    const low = one(monitor(synth(healthy({ loss: stuck(2.3), compile: { optimizer: 'adam', learningRate: 1e-7, loss: ['categoricalCrossentropy'] } }))), 'loss-not-decreasing');
    assert.equal(low.fixes[0].id, 'raise-learning-rate');
    assert.deepEqual(low.fixes[0].edits, [{ kind: 'set-learning-rate', value: 1e-6 }]);
    const high = monitor(synth(healthy({ loss: stuck(2.3), compile: { optimizer: 'adam', learningRate: 0.5, loss: ['categoricalCrossentropy'] } })));
    assert.equal(one(high, 'loss-not-decreasing').fixes[0].id, 'lower-learning-rate');
  });

  it('does not fire on a healthy run, a slow steady decline, or a run that improved and then levelled off', () => {
    assert.deepEqual(found(monitor(synth(healthy())), 'loss-not-decreasing'), []);
    const slow = (s: number, n: () => number) => 2.3 * (1 - 0.0006 * s) * jitter(n, 0.05);
    assert.deepEqual(found(monitor(synth(healthy({ loss: slow }))), 'loss-not-decreasing'), []);
    const converged = (s: number, n: () => number) => (s < 60 ? 2.3 - s * 0.03 : 0.5) * jitter(n, 0.1);
    assert.deepEqual(found(monitor(synth(healthy({ loss: converged }))), 'loss-not-decreasing'), []);
  });
});

describe('divergence, oscillation and a learning rate too high', () => {
  const sgd = (lr: number) => ({ optimizer: 'sgd', learningRate: lr, loss: ['meanSquaredError'] });

  it('reports a climbing loss as divergence within a few dozen steps', () => {
    const f = one(monitor(synth(healthy({ compile: sgd(2), loss: (s, n) => 1 * Math.pow(1.1, s) * jitter(n, 0.1) }))), 'divergence');
    assert.equal(f.severity, 'error');
    assert.ok(f.step <= 20, `step ${f.step}`);
    assert.equal(f.fixes[0].id, 'lower-learning-rate');
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-learning-rate', value: 0.2 }]);
  });

  it('reports a loss that turns NaN after finite values, at that step', () => {
    const f = one(monitor(synth(healthy({ compile: sgd(10), loss: (s) => (s < 4 ? 1 : null) }))), 'divergence');
    assert.equal(f.step, 4);
  });

  it('reports wild swings without progress as oscillation', () => {
    const swing = (s: number, n: () => number) => (s % 7 < 3 ? 0.15 : 1.3) * jitter(n, 0.2);
    const f = one(monitor(synth(healthy({ compile: sgd(0.5), loss: swing }))), 'oscillation');
    assert.ok(f.evidence.spread >= 1);
    assert.ok(f.step <= 200);
  });

  it('reports Adam with a far-too-high rate that plateaus high instead of diverging', () => {
    const adam1 = { optimizer: 'adam', learningRate: 1, loss: ['categoricalCrossentropy'] };
    const f = one(monitor(synth(healthy({ compile: adam1, loss: (_s, n) => 2.3 * jitter(n, 0.05), updateRatio: (_l, _s, n) => 3 * jitter(n, 0.2) }))), 'learning-rate-too-high');
    assert.equal(f.step, 50);
    assert.equal(f.fixes[0].id, 'set-learning-rate', 'back to the standard rate rather than a tenth of an absurd one');
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-learning-rate', value: 0.001 }]);
    // The plateau finding is superseded by the more precise one.
    const m = monitor(synth(healthy({ compile: adam1, loss: (_s, n) => 2.3 * jitter(n, 0.05), updateRatio: () => 3 })));
    assert.ok(m.allFindings().some((x) => x.code === 'loss-not-decreasing'));
    assert.ok(!m.findings().some((x) => x.code === 'loss-not-decreasing'));
  });

  it('does not mistake an unusually easy first batch for the start of a climb', () => {
    const mse = { optimizer: 'adam', learningRate: 0.003, loss: ['meanSquaredError'] };
    const easyFirst = (s: number, n: () => number) => (s === 1 ? 0.3 : (0.2 + Math.exp(-s / 60)) * jitter(n, 0.3));
    assert.deepEqual(found(monitor(synth(healthy({ compile: mse, dataStats: undefined, acc: undefined, loss: easyFirst }))), 'divergence'), []);
  });

  it('does not fire on healthy batch noise, or on a stuck loss with a normal rate and normal updates', () => {
    const m = monitor(synth(healthy({ loss: decaying(2.3, 0.3, 50, 0.3) })));
    assert.deepEqual([...found(m, 'divergence'), ...found(m, 'oscillation'), ...found(m, 'learning-rate-too-high')], []);
    const s = monitor(synth(healthy({ loss: (_s, n) => 2.3 * jitter(n, 0.05) })));
    assert.deepEqual(found(s, 'learning-rate-too-high'), []);
  });
});

describe('unchanged weights', () => {
  it('reports a learning rate of 0 as one model-wide error with the standard rate as the fix', () => {
    const f = one(monitor(synth(healthy({ compile: { optimizer: 'sgd', learningRate: 0, loss: ['categoricalCrossentropy'] }, updateRatio: () => 0 }))), 'unchanged-weights');
    assert.equal(f.id, 'unchanged-weights:all');
    assert.equal(f.severity, 'error');
    assert.equal(f.layers.length, 3);
    assert.equal(f.step, 5);
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-learning-rate', value: 0.01 }]);
  });

  it('reports one frozen layer as info (freezing is often deliberate) and all frozen as an error', () => {
    const layers = mlpLayers([64, 32], { input: 784, out: 10, activation: 'relu', outActivation: 'softmax' });
    const partly = one(monitor(synth(healthy({ layers: layers.map((l, i) => (i === 0 ? { ...l, frozen: true } : l)) }))), 'unchanged-weights');
    assert.equal(partly.severity, 'info');
    assert.deepEqual(partly.layers, ['dense_Dense1']);
    assert.deepEqual(partly.fixes[0].edits, [{ kind: 'set-config', layer: 'dense_Dense1', key: 'trainable', value: true }]);
    const all = one(monitor(synth(healthy({ layers: layers.map((l) => ({ ...l, frozen: true })) }))), 'unchanged-weights');
    assert.equal(all.severity, 'error');
    assert.match(all.message, /every layer is frozen/);
  });

  it('reports a frozen layer as a warning with its parameter count when the code never loads weights', () => {
    const layers = mlpLayers([64, 32], { input: 784, out: 10, activation: 'relu', outActivation: 'softmax' });
    const events = synth(healthy({ layers: layers.map((l, i) => (i === 0 ? { ...l, frozen: true } : l)) }));
    const m = new HealthMonitor({ weightsLoaded: false });
    m.pushAll(events);
    const f = one(m, 'unchanged-weights');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.layers, ['dense_Dense1']);
    // 784·64 + 64: the first Dense layer's kernel and bias, as the stream's model event counts them.
    assert.equal(f.evidence.frozenParams, 784 * 64 + 64);
    assert.match(f.message, /random initial values/);
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-config', layer: 'dense_Dense1', key: 'trainable', value: true }]);
    const loaded = new HealthMonitor({ weightsLoaded: true });
    loaded.pushAll(events);
    assert.equal(one(loaded, 'unchanged-weights').severity, 'info');
  });

  it('tells code that can load trained weights from code that cannot', () => {
    assert.equal(canLoadWeights("const base = await tf.loadLayersModel('file://m/model.json'); base.layers[0].trainable = false;"), true);
    assert.equal(canLoadWeights('model.getLayer(\'d\').setWeights(w);'), true);
    assert.equal(canLoadWeights("const m = tf.sequential(); m.add(tf.layers.dense({units: 4, trainable: false, inputShape: [2]}));"), false);
  });

  it('reports a layer with exactly zero gradient (disconnected or blocked) as a warning', () => {
    const f = one(monitor(synth(healthy({ gradNorm: (l, _s, n) => (l === 1 ? 0 : jitter(n, 0.2)), updateRatio: (l, _s, n) => (l === 1 ? 0 : 1e-3 * jitter(n, 0.2)) }))), 'unchanged-weights');
    assert.deepEqual(f.layers, ['dense_Dense2']);
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /gradient is exactly 0/);
  });

  it('finds a layer with weights that the stream never reports, from the graph (frozen at run time or disconnected)', () => {
    const g = graphFrom(`const input = tf.input({ shape: [16] });
const a = tf.layers.dense({ units: 8, activation: 'relu' }).apply(input);
const unused = tf.layers.dense({ units: 8, activation: 'relu', name: 'side' }).apply(input);
const out = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(a);
const model = tf.model({ inputs: input, outputs: [out, unused] });
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });`);
    const layers = layersOf(g).filter((l) => l.name !== 'side');
    const f = one(monitor(synth(healthy({ layers, dataStats: undefined })), g), 'unchanged-weights');
    assert.deepEqual(f.layers, ['side']);
    assert.match(f.message, /never reached the optimizer/);
    assert.equal(f.line, 4);
  });

  it('explains a one-unit softmax from the graph, with the sigmoid fix at the output line', () => {
    const g = graphFrom(`const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [8], units: 16, activation: 'relu' }));
model.add(tf.layers.dense({ units: 1, activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });`);
    const f = one(monitor(synth(healthy({ layers: layersOf(g), dataStats: undefined, gradNorm: () => 0, updateRatio: () => 0, loss: (_s, n) => 8 * jitter(n, 0.1) })), g), 'unchanged-weights');
    assert.match(f.message, /softmax to a single unit/);
    assert.equal(f.line, 4);
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-config', layer: 'dense_Dense2', key: 'activation', value: 'sigmoid' }]);
  });

  it('does not fire on layers that move, however slowly', () => {
    assert.deepEqual(found(monitor(synth(healthy({ updateRatio: () => 1e-7 }))), 'unchanged-weights'), []);
  });
});

describe('update/weight ratios', () => {
  it('reports ratios far above 1e-3 per layer', () => {
    const f = one(monitor(synth(healthy({ updateRatio: (l, _s, n) => (l === 0 ? 0.8 : 2e-3) * jitter(n, 0.1) }))), 'update-ratio-high');
    assert.deepEqual(f.layers, ['dense_Dense1']);
    assert.ok(f.evidence.updateRatio >= UPDATE_RATIO_HIGH);
    assert.equal(f.fixes[0].id, 'lower-learning-rate');
    assert.ok(f.step >= 10 && f.step <= 20, `step ${f.step}`);
  });

  it('reports a model whose layers all barely move', () => {
    const f = one(monitor(synth(healthy({ updateRatio: (_l, _s, n) => 3e-7 * jitter(n, 0.1), compile: { optimizer: 'adam', learningRate: 1e-7, loss: ['categoricalCrossentropy'] } }))), 'update-ratio-low');
    assert.ok(f.evidence.updateRatio <= UPDATE_RATIO_LOW);
    assert.equal(f.fixes[0].id, 'raise-learning-rate');
  });

  it('leaves healthy ratios (1e-4…0.2), one slow layer, and zero ratios alone', () => {
    for (const r of [1e-4, 1e-3, 0.2]) assert.deepEqual(monitor(synth(healthy({ updateRatio: (_l, _s, n) => r * jitter(n, 0.1) }))).allFindings(), [], `ratio ${r}`);
    const oneSlow = monitor(synth(healthy({ updateRatio: (l, _s, n) => (l === 0 ? 1e-7 : 1e-3) * jitter(n, 0.1) })));
    assert.deepEqual(found(oneSlow, 'update-ratio-low'), []);
    assert.deepEqual(found(monitor(synth(healthy({ updateRatio: () => 0 }))), 'update-ratio-low'), []);
  });
});

describe('overfitting and underfitting', () => {
  it('reports validation loss rising while training loss falls', () => {
    const f = one(monitor(synth(healthy({ steps: 400, valLoss: (e) => 0.8 - 0.1 * Math.min(e, 3) + 0.1 * Math.max(0, e - 3) }))), 'overfitting');
    assert.equal(f.severity, 'warning');
    assert.equal(f.evidence.bestEpoch, 3);
    assert.ok(f.step <= 300);
    assert.equal(f.fixes[0].id, 'early-stopping');
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'add-callback', factory: 'earlyStopping', config: { monitor: 'val_loss', patience: 3 } }]);
    assert.deepEqual(f.fixes[1].edits, [{ kind: 'insert-layer-after', layer: 'dense_Dense1', factory: 'dropout', config: { rate: 0.3 } }]);
  });

  it('reports a large generalisation gap in accuracy', () => {
    const f = one(monitor(synth(healthy({ acc: rising(0.1, 1, 30, 0.01), valAcc: () => 0.7 }))), 'overfitting');
    assert.ok(f.evidence.accuracy - f.evidence.valAccuracy >= 0.2);
  });

  it('does not report a noisy but falling validation loss, or validation rising together with training (that is divergence)', () => {
    assert.deepEqual(found(monitor(synth(healthy({ steps: 500, valLoss: (e, n) => (0.8 - 0.05 * e) * jitter(n, 0.04) }))), 'overfitting'), []);
    const both = monitor(synth(healthy({ steps: 400, loss: (s, n) => (1 + s / 100) * jitter(n, 0.05), valLoss: (e) => 1 + e })));
    assert.deepEqual(found(both, 'overfitting'), []);
  });

  it('reports training accuracy stuck at chance, including the majority class of imbalanced data', () => {
    const f = one(monitor(synth(healthy({ loss: (_s, n) => 2.3 * jitter(n, 0.1), acc: (_s, n) => 0.1 * jitter(n, 0.3) }))), 'underfitting');
    assert.equal(f.evidence.chance, 0.1);
    assert.equal(f.step, 100);
    const imbalanced = { inputs: MNIST_DATA.inputs, targets: [{ min: 0, max: 1, mean: 0.1, integer: true, lastDim: 1, oneHot: false, classFractions: [0.9, 0.1] }] };
    const bin = { optimizer: 'adam', learningRate: 0.001, loss: ['binaryCrossentropy'] };
    const g = one(monitor(synth(healthy({ compile: bin, dataStats: imbalanced, loss: decaying(0.69, 0.33, 30), acc: (_s, n) => 0.9 * jitter(n, 0.02) }))), 'underfitting');
    assert.equal(g.evidence.chance, 0.9);
  });

  it('says the labels may not depend on the inputs when a model big enough to memorise stays at chance with flowing gradients', () => {
    const stuck = { loss: (_s: number, n: () => number) => 2.3 * jitter(n, 0.05), acc: (_s: number, n: () => number) => 0.1 * jitter(n, 0.3) };
    // 784·64+64 + 64·32+32 + 32·10+10 = 52,650 trainable parameters (the synthetic model event) for 2,000 samples.
    const f = one(monitor(synth(healthy({ ...stuck, trainSamples: 2000 }))), 'underfitting');
    assert.match(f.message, /labels may not depend on the inputs/);
    assert.equal(f.evidence.samples, 2000);
    assert.ok(f.evidence.trainableParams! > 2000);
    assert.ok(f.evidence.minGradNorm! > 0);
    assert.equal(f.fixes[0].id, 'check-labels');
    // Too few parameters to memorise the samples: plain underfitting, a bigger model among the fixes.
    const small = one(monitor(synth(healthy({ ...stuck, trainSamples: 1_000_000 }))), 'underfitting');
    assert.doesNotMatch(small.message, /labels may not depend/);
    assert.ok(small.fixes.some((x) => x.id === 'bigger-model'));
    // Gradients that do not flow (vanishing): the labels are not blamed.
    const vanishing = one(monitor(synth(healthy({ ...stuck, trainSamples: 2000, gradNorm: () => 1e-9 }))), 'underfitting');
    assert.doesNotMatch(vanishing.message, /labels may not depend/);
    // Updates too small to move the weights (a learning rate far too low): not the labels either.
    const frozenish = one(monitor(synth(healthy({ ...stuck, trainSamples: 2000, updateRatio: () => 1e-7 }))), 'underfitting');
    assert.doesNotMatch(frozenish.message, /labels may not depend/);
  });

  it('does not report accuracy that is low but improving, or before 100 steps', () => {
    const slow = (s: number, n: () => number) => (0.1 + s / 1000) * jitter(n, 0.05);
    assert.deepEqual(found(monitor(synth(healthy({ acc: slow }))), 'underfitting'), []);
    assert.deepEqual(found(monitor(synth(healthy({ steps: 90, acc: () => 0.1 }))), 'underfitting'), []);
  });
});

describe('inputs not normalised', () => {
  const data = (inputs: SynthSpec['dataStats'] extends infer D ? (D extends { inputs: infer I } ? I : never) : never) => ({ inputs, targets: MNIST_DATA.targets });

  it('reports raw 0–255 pixels before the first step, with a Rescaling layer as the quick fix', () => {
    const g = graphFrom(`const model = tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }),
  tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
model.fit(xs, ys, { epochs: 5 });`);
    const f = one(monitor(synth(healthy({ layers: layersOf(g), dataStats: data([{ min: 0, max: 255, mean: 33.3, std: 78.6, nonFinite: 0, integer: true }]) })), g), 'inputs-not-normalized');
    assert.equal(f.step, 0);
    assert.equal(f.evidence.pixelLike, 1);
    assert.equal(f.line, 7, 'the fit call');
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'insert-layer-before', layer: 'dense_Dense1', factory: 'rescaling', config: { scale: 0.00392157 } }]);
  });

  it('reports unscaled tabular columns with standardisation first', () => {
    const f = one(monitor(synth(healthy({ dataStats: data([{ min: 1950, max: 2024, mean: 1999, std: 18, nonFinite: 0, integer: true }]) }))), 'inputs-not-normalized');
    assert.equal(f.evidence.pixelLike, 0);
    assert.equal(f.fixes[0].id, 'standardize-inputs');
  });

  it('adds the clipped-cross-entropy stall to the evidence when the loss sits at 16.1 × the fraction wrong', () => {
    const stall = (_s: number, n: () => number) => 16.118 * 0.6 * jitter(n, 0.02);
    const f = one(monitor(synth(healthy({ loss: stall, acc: (_s, n) => 0.4 * jitter(n, 0.02), dataStats: data([{ min: 0, max: 255, mean: 33, std: 78, nonFinite: 0, integer: true }]) }))), 'inputs-not-normalized');
    assert.ok(Math.abs(f.evidence.clippedLossEstimate - 16.118 * 0.6) < 0.5);
  });

  it('falls back to the first layer’s early outputs when the engine sends no data statistics', () => {
    const events = synth(healthy({ dataStats: undefined })).map((e) =>
      e.type === 'activations' && e.step <= 10 ? { ...e, layers: e.layers.map((a, i) => (i === 0 ? { ...a, mean: 120, std: 80 } : a)) } : e,
    );
    const f = one(monitor(events), 'inputs-not-normalized');
    assert.equal(f.evidence.firstLayerMean, 120);
  });

  it('does not fire on [0, 1] pixels, standardised columns with an outlier, or token ids fed to an Embedding', () => {
    assert.deepEqual(found(monitor(synth(healthy())), 'inputs-not-normalized'), []);
    assert.deepEqual(found(monitor(synth(healthy({ dataStats: data([{ min: -4, max: 25, mean: 0, std: 1, nonFinite: 0 }]) }))), 'inputs-not-normalized'), []);
    const g = graphFrom(`const model = tf.sequential({ layers: [
  tf.layers.embedding({ inputDim: 5000, outputDim: 16, inputLength: 20 }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 1, activation: 'sigmoid' }),
] });
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });`);
    const ids = { inputs: [{ min: 0, max: 4999, mean: 800, std: 900, nonFinite: 0, integer: true }], targets: [{ min: 0, max: 1, mean: 0.5, integer: true, lastDim: 1, oneHot: false }] };
    assert.deepEqual(found(monitor(synth(healthy({ layers: layersOf(g), dataStats: ids })), g), 'inputs-not-normalized'), []);
  });

  it('reports NaN in the inputs as its own error, and lets it explain the NaN gradients that follow', () => {
    const m = monitor(synth(healthy({ dataStats: data([{ min: 0, max: 1, mean: 0.5, std: 0.3, nonFinite: 12 }]), nan: (_l, s) => (s > 3 ? 5 : 0), loss: (s) => (s > 3 ? null : 2.3) })));
    assert.equal(one(m, 'non-finite-inputs').severity, 'error');
    assert.deepEqual(m.findings().map((f) => f.code), ['non-finite-inputs']);
  });
});

describe('labels that do not fit the loss', () => {
  const target = (t: Partial<NonNullable<SynthSpec['dataStats']>['targets'][0]>) => ({ inputs: MNIST_DATA.inputs, targets: [{ min: 0, max: 1, mean: 0.5, integer: true, lastDim: 1, oneHot: false, ...t }] });
  const compile = (loss: string) => ({ optimizer: 'adam', learningRate: 0.001, loss: [loss] });

  it('reports class indices with categoricalCrossentropy, suggesting the sparse loss', () => {
    const g = graphFrom(`const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });`);
    const f = one(monitor(synth(healthy({ layers: layersOf(g), compile: compile('categoricalCrossentropy'), dataStats: target({ max: 9, mean: 4.5, lastDim: 1 }) })), g), 'label-loss-mismatch');
    assert.equal(f.severity, 'error');
    assert.equal(f.step, 0);
    assert.equal(f.line, 3, 'the compile call');
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-compile', key: 'loss', value: 'sparseCategoricalCrossentropy' }]);
    assert.match(f.message, /one-hot rows of 10 values/);
  });

  it('reports one-hot rows with sparseCategoricalCrossentropy', () => {
    const f = one(monitor(synth(healthy({ compile: compile('sparseCategoricalCrossentropy'), dataStats: MNIST_DATA }))), 'label-loss-mismatch');
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-compile', key: 'loss', value: 'categoricalCrossentropy' }]);
  });

  it('reports targets outside [0, 1] with binaryCrossentropy, from the data or from a negative loss', () => {
    const f = one(monitor(synth(healthy({ compile: compile('binaryCrossentropy'), dataStats: target({ max: 9, mean: 4.5 }) }))), 'label-loss-mismatch');
    assert.match(f.message, /class indices/);
    const neg = one(monitor(synth(healthy({ compile: compile('binaryCrossentropy'), dataStats: undefined, loss: (s) => 3 - s / 10 }))), 'label-loss-mismatch');
    assert.equal(neg.step, 31, 'the first negative loss');
    assert.ok(neg.evidence.loss < 0);
  });

  it('warns about several 1s per row with categoricalCrossentropy (multi-label data)', () => {
    const f = one(monitor(synth(healthy({ compile: compile('categoricalCrossentropy'), dataStats: target({ lastDim: 5, oneHot: false, rowSumOne: false }) }))), 'label-loss-mismatch');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.fixes[0].edits, [{ kind: 'set-compile', key: 'loss', value: 'binaryCrossentropy' }]);
  });

  it('accepts the right pairings', () => {
    const ok: [string, SynthSpec['dataStats']][] = [
      ['categoricalCrossentropy', MNIST_DATA],
      ['sparseCategoricalCrossentropy', target({ max: 9, lastDim: 1, classFractions: Array.from({ length: 10 }, () => 0.1) })],
      ['binaryCrossentropy', target({})],
      ['binaryCrossentropy', target({ lastDim: 5, rowSumOne: false })],
      ['meanSquaredError', target({ min: -30, max: 250, integer: false })],
    ];
    for (const [loss, dataStats] of ok) {
      assert.deepEqual(found(monitor(synth(healthy({ compile: compile(loss), dataStats }))), 'label-loss-mismatch'), [], loss);
    }
  });
});

describe('across seeds', () => {
  const variants: Record<string, Partial<SynthSpec>> = {
    'Adam, default': {},
    'noisy batches (±35%)': { loss: decaying(2.3, 0.3, 50, 0.35) },
    'slow learner': { loss: decaying(2.3, 0.3, 250, 0.15), acc: rising(0.1, 0.9, 250) },
    'SGD with larger steps': { compile: { optimizer: 'sgd', learningRate: 0.1, loss: ['categoricalCrossentropy'] }, updateRatio: (_l, _s, n) => 1e-2 * jitter(n, 0.5) },
    '27% dead units': { dead: (l, _s, n) => (l < 2 ? 0.27 * jitter(n, 0.04) : 0) },
    'sparse statistics': { statsEvery: 10, probeEvery: 50 },
    'Adam, fast start': { updateRatio: (_l, s, n) => 0.2 * Math.exp(-s / 100) * jitter(n, 0.3) },
    'uneven layer gradients': { gradNorm: (l, _s, n) => [0.2, 0.5, 1][l] * jitter(n, 0.4) },
  };

  it('raises nothing on healthy variants, 10 seeds each', () => {
    const raised: string[] = [];
    for (const [name, v] of Object.entries(variants)) {
      for (let seed = 1; seed <= 10; seed++) {
        for (const f of monitor(synth(healthy({ seed, steps: 400, ...v }))).allFindings()) raised.push(`${name} #${seed}: ${f.id} @${f.step}`);
      }
    }
    assert.deepEqual(raised, []);
  });

  const faults: [FindingCode, Partial<SynthSpec>][] = [
    ['vanishing-gradient', { layers: mlpLayers([32, 32, 32, 32], { input: 32, out: 10, activation: 'sigmoid', outActivation: 'softmax' }), gradNorm: (l, _s, n) => Math.pow(0.15, 4 - l) * jitter(n, 0.3) }],
    ['exploding-gradient', { gradNorm: (_l, s, n) => 0.5 * Math.pow(10, s / 25) * jitter(n, 0.3) }],
    ['dead-relu', { dead: (l) => (l === 0 ? 0.65 : 0.1) }],
    ['saturated-activation', { layers: mlpLayers([64, 32], { input: 784, out: 10, activation: 'tanh', outActivation: 'softmax' }), saturated: (l, _s, n) => (l === 1 ? 0.6 * jitter(n, 0.1) : 0.05) }],
    ['loss-not-decreasing', { loss: (_s, n) => 2.3 * jitter(n, 0.2) }],
    ['divergence', { compile: { optimizer: 'sgd', learningRate: 3, loss: ['meanSquaredError'] }, loss: (s, n) => Math.pow(1.05, s) * jitter(n, 0.2) }],
    ['oscillation', { compile: { optimizer: 'sgd', learningRate: 0.5, loss: ['meanSquaredError'] }, loss: (s, n) => (s % 4 < 2 ? 1.2 : 0.15) * jitter(n, 0.3) }],
    ['learning-rate-too-high', { compile: { optimizer: 'adam', learningRate: 0.5, loss: ['categoricalCrossentropy'] }, loss: (_s, n) => 2.3 * jitter(n, 0.1), updateRatio: (_l, _s, n) => jitter(n, 0.3) }],
    ['unchanged-weights', { updateRatio: (l) => (l === 1 ? 0 : 1e-3), gradNorm: (l, _s, n) => (l === 1 ? 0 : jitter(n, 0.2)) }],
    ['update-ratio-high', { updateRatio: (_l, _s, n) => 0.9 * jitter(n, 0.3) }],
    ['update-ratio-low', { updateRatio: (_l, _s, n) => 2e-6 * jitter(n, 0.3) }],
    ['overfitting', { valLoss: (e, n) => (0.6 + 0.15 * Math.max(0, e - 1)) * jitter(n, 0.03) }],
    ['underfitting', { loss: (_s, n) => 2.3 * jitter(n, 0.1), acc: (_s, n) => 0.1 * jitter(n, 0.4) }],
    ['inputs-not-normalized', { dataStats: { inputs: [{ min: 0, max: 255, mean: 60, std: 70, integer: true }], targets: MNIST_DATA.targets } }],
    ['label-loss-mismatch', { compile: { optimizer: 'adam', learningRate: 0.001, loss: ['sparseCategoricalCrossentropy'] } }],
  ];

  for (const [code, v] of faults) {
    it(`detects ${code} within 200 steps on 10 seeds`, () => {
      for (let seed = 1; seed <= 10; seed++) {
        const f = found(monitor(synth(healthy({ seed, ...v }))), code)[0];
        assert.ok(f, `seed ${seed}: no ${code}`);
        assert.ok(f.step <= 200, `seed ${seed}: step ${f.step}`);
      }
    });
  }
});
