/**
 * Activation statistics from the training step's own forward pass (`BatchActivationTap`):
 * the same figures as the probe on the same batch where training and inference agree, the
 * training-mode figures where they do not (dropout), nothing disposed that is not its own,
 * no tensor left behind; and the trainer's `activationsFrom: 'batch'` runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ActivationProbe, BatchActivationTap, TAP_VALUES_PER_LAYER, type SummaryPlace } from '../../src/training/engine/instrument';
import { hostActivation } from '../../src/training/engine/instrument-host';
import { selectBackend } from '../../src/training/engine/backend';
import type { ActivationStat } from '../../src/protocol/worker';

const close = (a: number | null | undefined, b: number | null | undefined, tol = 1e-4) =>
  assert.ok(a != null && b != null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

function sameStats(a: ActivationStat[], b: ActivationStat[]): void {
  assert.deepEqual(
    a.map((l) => [l.layer, l.className, l.activation, l.units]),
    b.map((l) => [l.layer, l.className, l.activation, l.units]),
  );
  for (const [i, x] of a.entries()) {
    for (const k of ['mean', 'std', 'fracZero', 'fracSaturated', 'deadFraction'] as const) close(x[k], b[i][k]);
    assert.deepEqual(x.histogram, b[i].histogram, x.layer);
  }
}

/** A functional model whose first layer returns its input unchanged in training (a linear activation). */
function model(withDropout: boolean): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [6] });
  let h = tf.layers.activation({ activation: 'linear', name: 'same' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 12, activation: 'relu', name: 'hidden', kernelInitializer: init(1) }).apply(h) as tf.SymbolicTensor;
  if (withDropout) h = tf.layers.dropout({ rate: 0.5, name: 'drop', seed: 3 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 4, activation: 'tanh', name: 'squash', kernelInitializer: init(2) }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: init(3) }).apply(h) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return m;
}

const data = () => ({ x: tf.randomNormal([32, 6], 0, 1.5, 'float32', 11), y: tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32'), 3) });

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`training-batch activations on ${backend}`, () => {
    before(async () => {
      if (backend === 'wasm') await selectBackend('wasm');
      else await tf.setBackend('cpu');
    });

    for (const place of ['host', 'device'] as SummaryPlace[]) {
      it(`equal the probe's on the same batch and weights when training and inference agree (${place})`, async () => {
        const m = model(false);
        const { x, y } = data();
        const expected = await new ActivationProbe(tf, m, 9, place).run([x]);
        const tap = new BatchActivationTap(tf, m, 9, place);
        tap.arm();
        await m.trainOnBatch(x, y);
        const got = await tap.collect();
        sameStats(got, expected);
        assert.deepEqual(
          got.map((l) => l.layer),
          ['same', 'hidden', 'squash', 'out'],
        );
        // The input the linear layer handed on is the caller's: still there.
        assert.equal(x.isDisposed, false);
        assert.equal((await x.data()).length, 32 * 6);
        tap.uninstall();
        tf.dispose([x, y]);
        m.dispose();
      });
    }

    it(`summarise an output larger than ${TAP_VALUES_PER_LAYER} values over the batch's first whole samples, the rest whole`, async () => {
      const input = tf.input({ shape: [40, 40, 1] });
      const conv = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(input) as tf.SymbolicTensor;
      const pool = tf.layers.maxPooling2d({ poolSize: 4, name: 'pool' }).apply(conv) as tf.SymbolicTensor;
      const flat = tf.layers.flatten({ name: 'flat' }).apply(pool) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }).apply(flat) as tf.SymbolicTensor;
      const m = tf.model({ inputs: input, outputs: out });
      m.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
      const x = tf.randomNormal([32, 40, 40, 1], 0, 1, 'float32', 12);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32'), 3);
      // conv: 40·40·16 = 25,600 values a sample, over the bound for the batch: its first 2 samples.
      const kept = Math.floor(TAP_VALUES_PER_LAYER / (40 * 40 * 16));
      assert.equal(kept, 2);
      const head = x.slice(0, kept);
      const [expectedConv] = await new ActivationProbe(tf, tf.model({ inputs: input, outputs: conv }), 9).run([head]);
      const expectedRest = (await new ActivationProbe(tf, m, 9).run([x])).filter((l) => l.layer !== 'conv');
      const tap = new BatchActivationTap(tf, m, 9);
      tap.arm();
      await m.trainOnBatch(x, y);
      const got = await tap.collect();
      sameStats(got, [{ ...expectedConv, layer: 'conv' }, ...expectedRest]);
      assert.equal(got[0].histogram.counts.reduce((a, b) => a + b, 0), kept * 40 * 40 * 16);
      assert.equal(got[1].histogram.counts.reduce((a, b) => a + b, 0), 32 * 10 * 10 * 16, 'the pooled output fits: the whole batch');
      tap.uninstall();
      tf.dispose([x, y, head]);
      m.dispose();
    });

    it('report training mode: dropout zeros half the units, which the inference-mode probe never sees', async () => {
      const m = model(true);
      const { x, y } = data();
      const probe = await new ActivationProbe(tf, m, 9).run([x]);
      const tap = new BatchActivationTap(tf, m, 9);
      tap.arm();
      await m.trainOnBatch(x, y);
      const got = await tap.collect();
      const zeros = (stats: ActivationStat[], layer: string) => stats.find((l) => l.layer === layer)!.fracZero!;
      assert.equal(zeros(probe, 'drop'), zeros(probe, 'hidden'), 'inference: dropout passes its input on');
      assert.ok(zeros(got, 'drop') > zeros(got, 'hidden') + 0.25, `training: ${zeros(got, 'drop')} vs ${zeros(got, 'hidden')}`);
      tap.uninstall();
      tf.dispose([x, y]);
      m.dispose();
    });

    it('capture only while armed, leave no tensor behind, and restore the layers on uninstall', async () => {
      const m = model(true);
      const { x, y } = data();
      await m.trainOnBatch(x, y); // the optimizer's own variables exist from here on
      const tap = new BatchActivationTap(tf, m, 9);
      const count = tf.memory().numTensors;
      (m.predict(x) as tf.Tensor).dispose();
      assert.deepEqual(await tap.collect(), [], 'nothing captured unarmed');
      for (let i = 0; i < 3; i++) {
        tap.arm();
        await m.trainOnBatch(x, y);
        assert.equal((await tap.collect()).length, 5);
      }
      tap.arm();
      await m.trainOnBatch(x, y);
      tap.arm(); // armed again before collecting: the first capture is dropped
      assert.equal(tf.memory().numTensors, count);
      tap.uninstall();
      assert.equal(tf.memory().numTensors, count);
      assert.ok(m.layers.every((l) => !Object.prototype.hasOwnProperty.call(l, 'call')));
      tf.dispose([x, y]);
      m.dispose();
    });
  });
}

describe('activation summaries in JavaScript', () => {
  let t: tf.Tensor | undefined;
  after(() => t?.dispose());
  it('mean and std far from 0, with non-finite values, and of one value, as tf computes them', async () => {
    await tf.setBackend('cpu');
    const cases = [
      Array.from({ length: 1000 }, (_, i) => 1000 + Math.sin(i) * 1e-3),
      Array.from({ length: 999 }, (_, i) => (i === 0 ? 1e6 : Math.cos(i))),
      [3, Infinity, 1],
      [Infinity, 2, 2.5],
      [-Infinity, Infinity, 0],
      [NaN, 1, 2],
      [7],
    ];
    for (const values of cases) {
      const v = Float32Array.from(values);
      const got = hostActivation(v, 1, undefined, 5);
      t = tf.tensor1d(v);
      const { mean, variance } = tf.moments(t);
      const [m, s] = [(await mean.data())[0], Math.sqrt((await variance.data())[0])];
      tf.dispose([mean, variance, t]);
      const where = values.slice(0, 3).join(',');
      if (Number.isFinite(m)) close(got.mean, m, 1e-5);
      else assert.equal(got.mean, null, where);
      if (Number.isFinite(s)) close(got.std, s, 1e-3);
      else assert.equal(got.std, null, where);
    }
  });
});
