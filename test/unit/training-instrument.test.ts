/** Instrumentation values against the same quantities computed directly with tf. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { LayerStat } from '../../src/training/protocol';
import { ActivationProbe, histogramTensor, installGradientHook } from '../../src/training/engine/instrument';
import { selectBackend } from '../../src/training/engine/backend';

const close = (a: number | null, b: number, tol = 1e-4) => assert.ok(a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

function model(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.dense({ units: 2, activation: 'tanh', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  return m;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`instrumentation on ${backend}`, () => {
    const seen: { step: number; layers: LayerStat[] }[] = [];
    let hook: ReturnType<typeof installGradientHook>;
    before(async () => {
      if (backend === 'wasm') await selectBackend('wasm');
      else await tf.setBackend('cpu');
      hook = installGradientHook(tf, { wantStats: () => true, wantHistograms: (s) => s === 1, onStats: (step, layers) => seen.push({ step, layers }) }, 8);
    });
    after(() => hook.uninstall());

    it('gradient norm, max |g|, weight norm and update ratio equal direct computations (custom loop with minimize)', async () => {
      seen.length = 0;
      const m = model();
      const x = tf.randomNormal([16, 4], 0, 1, 'float32', 3);
      const y = tf.randomNormal([16, 2], 0, 1, 'float32', 4);
      const loss = () => tf.losses.meanSquaredError(y, m.predict(x) as tf.Tensor) as tf.Scalar;
      const vars = m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      const { grads } = tf.variableGrads(loss, vars);
      const expected = await Promise.all(
        vars.map(async (v) => ({ name: v.name, g: (await grads[v.name].data()) as Float32Array, w: (await v.data()) as Float32Array })),
      );
      const lr = 0.1;
      const opt = tf.train.sgd(lr);
      opt.minimize(loss, false, vars);
      await hook.pending();
      assert.equal(seen.length, 1);
      const stats = seen[0].layers;
      assert.deepEqual(stats.map((s) => s.weight).sort(), expected.map((e) => e.name).sort());
      for (const e of expected) {
        const s = stats.find((x) => x.weight === e.name)!;
        const gNorm = Math.sqrt(e.g.reduce((a, b) => a + b * b, 0));
        const gMax = Math.max(...Array.from(e.g, Math.abs));
        const after = Array.from(e.w, (w, i) => w - lr * e.g[i]);
        const wNorm = Math.sqrt(after.reduce((a, b) => a + b * b, 0));
        close(s.gradNorm, gNorm);
        close(s.gradMaxAbs, gMax);
        close(s.weightNorm, wNorm);
        close(s.updateRatio, (lr * gNorm) / wNorm, 1e-3);
        assert.equal(s.nanCount, 0);
        assert.equal(s.layer, e.name.split('/')[0]);
        assert.equal(s.gradHistogram?.counts.reduce((a, b) => a + b, 0), e.g.length);
      }
      tf.dispose([x, y, ...Object.values(grads)]);
      m.dispose();
    });

    it('sees every batch of model.fit, and counts NaN and Inf gradients', async () => {
      seen.length = 0;
      const m = model();
      m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const x = tf.randomNormal([20, 4]);
      const y = tf.randomNormal([20, 2]);
      await m.fit(x, y, { epochs: 2, batchSize: 5, verbose: 0 });
      await hook.pending();
      assert.equal(seen.length, 8);
      assert.deepEqual(seen.map((s) => s.step), [...seen.map((s) => s.step)].sort((a, b) => a - b));
      seen.length = 0;
      const v = tf.variable(tf.ones([3]), true, 'probe_nan/w');
      tf.train.sgd(0.1).applyGradients({ 'probe_nan/w': tf.tensor1d([NaN, Infinity, 1]) });
      await hook.pending();
      const s = seen[0].layers[0];
      assert.deepEqual([s.layer, s.nanCount, s.infCount, s.gradNorm], ['probe_nan', 1, 1, null]);
      tf.dispose([x, y, v]);
      m.dispose();
    });

    it('activation probe: mean, std, zeros and saturation of each layer on the probe batch', async () => {
      const m = model();
      const x = tf.randomNormal([32, 4], 0, 3, 'float32', 9);
      const probe = new ActivationProbe(tf, m, 10);
      const stats = await probe.run([x]);
      assert.deepEqual(stats.map((s) => s.layer), ['hidden', 'out']);
      const hidden = (await (m.layers[0].apply(x) as tf.Tensor).data()) as Float32Array;
      const out = (await (m.predict(x) as tf.Tensor).data()) as Float32Array;
      const mean = (a: Float32Array) => a.reduce((p, q) => p + q, 0) / a.length;
      close(stats[0].mean, mean(hidden));
      close(stats[0].fracZero, hidden.filter((v) => v === 0).length / hidden.length);
      close(stats[1].fracSaturated, out.filter((v) => Math.abs(v) > 0.99).length / out.length);
      const m0 = mean(out);
      close(stats[1].std, Math.sqrt(out.reduce((p, q) => p + (q - m0) ** 2, 0) / out.length), 1e-3);
      assert.equal(stats[0].histogram.counts.reduce((a, b) => a + b, 0), hidden.length);
      x.dispose();
      m.dispose();
    });
  });
}

describe('histograms', () => {
  it('bins between min and max, skipping non-finite values', async () => {
    await tf.setBackend('cpu');
    const h = await histogramTensor(tf, tf.tensor1d([0, 0.1, 0.5, 0.99, 1, NaN]), 4).data();
    assert.deepEqual(Array.from(h), [0, 1, 2, 0, 1, 2]);
  });
});
