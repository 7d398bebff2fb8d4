/** Instrumentation values against the same quantities computed directly with tf. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { LayerStat } from '../../src/protocol/worker';
import { ActivationProbe, histogramStride, histogramTensor, installGradientHook, type SummaryPlace } from '../../src/training/engine/instrument';
import { hostHistogram, scanGradient } from '../../src/training/engine/instrument-host';
import { modelWeightsOf } from '../../src/training/engine/trainer';
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

/** A model with a frozen layer, batch-normalisation moving statistics and bounded activations. */
function richModel(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [6, 6, 2] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu6', name: 'conv', kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(conv) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(bn) as tf.SymbolicTensor;
  const frozen = tf.layers.dense({ units: 8, activation: 'tanh', name: 'frozen', kernelInitializer: init(2), trainable: false }).apply(flat) as tf.SymbolicTensor;
  // A branch whose units are all 0: dead units and zeros.
  const dead = tf.layers.dense({ units: 3, activation: 'relu', name: 'dead', kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: -1 }) }).apply(flat) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([frozen, dead]) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 6, activation: 'sigmoid', name: 'hidden', kernelInitializer: init(3) }).apply(joined) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: init(4) }).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Statistics of a few training steps (and of a step that updates one variable only) with the summaries computed in `place`. */
async function trainedStats(place: SummaryPlace): Promise<{ step: number; layers: LayerStat[] }[]> {
  const m = richModel();
  m.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
  const { layerOfVar, weights } = modelWeightsOf(m);
  const seen: { step: number; layers: LayerStat[] }[] = [];
  const hook = installGradientHook(
    tf,
    { wantStats: (s) => s !== 2, wantHistograms: (s) => s % 2 === 1, weights: () => weights, layerOf: (v) => layerOfVar.get(v) ?? v, onStats: (step, layers) => seen.push({ step, layers }) },
    7,
    place,
  );
  try {
    const x = tf.randomNormal([10, 6, 6, 2], 0, 2, 'float32', 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3);
    for (let i = 0; i < 4; i++) await m.trainOnBatch(x, y);
    // Only the output kernel gets a gradient: every other trainable weight is reported with gradient 0.
    const kernel = m.getLayer('out').trainableWeights[0] as unknown as { val: tf.Variable };
    tf.train.sgd(0.1).minimize(() => tf.losses.softmaxCrossEntropy(y, m.predict(x) as tf.Tensor) as tf.Scalar, false, [kernel.val]);
    await hook.pending();
    tf.dispose([x, y]);
  } finally {
    hook.uninstall();
    m.dispose();
  }
  return seen;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`statistics read back (host) equal those computed with tf ops (device) on ${backend}`, () => {
    before(async () => {
      if (backend === 'wasm') await selectBackend('wasm');
      else await tf.setBackend('cpu');
    });

    it('layer statistics: trained, frozen, moving and gradient-less weights, histograms bin for bin', async () => {
      const device = await trainedStats('device');
      const host = await trainedStats('host');
      assert.deepEqual(host.map((s) => s.step), [1, 3, 4, 5]);
      assert.deepEqual(host.map((s) => s.step), device.map((s) => s.step));
      for (const [i, h] of host.entries()) {
        const d = device[i];
        // Each model's variables get a unique suffix (conv/kernel_3): compare the names without it.
        const base = (l: LayerStat) => l.weight.replace(/_\d+$/, '');
        assert.deepEqual(h.layers.map(base), d.layers.map(base));
        for (const [j, a] of h.layers.entries()) {
          const b = d.layers[j];
          const where = `step ${h.step} ${a.weight}`;
          assert.deepEqual([a.layer, a.nanCount, a.infCount, a.trainable, a.size], [b.layer, b.nanCount, b.infCount, b.trainable, b.size], where);
          for (const k of ['gradNorm', 'gradMaxAbs', 'weightNorm', 'updateRatio'] as const) {
            if (b[k] === null || b[k] === 0) assert.equal(a[k], b[k], `${where} ${k}`);
            else close(a[k], b[k]!, 1e-4);
          }
          assert.deepEqual(a.gradHistogram, b.gradHistogram, where);
        }
      }
      const last = host[3].layers;
      assert.ok(last.find((l) => l.weight.startsWith('frozen'))!.trainable === false);
      assert.ok(host[1].layers.some((l) => l.trainable === false && (l.updateRatio ?? 0) > 0), 'the moving statistics moved');
      assert.equal(last.find((l) => l.layer === 'conv')!.gradNorm, 0);
      assert.ok((last.find((l) => l.layer === 'out' && /kernel/.test(l.weight))!.gradNorm ?? 0) > 0);
    });

    it('activation probe: every figure, histograms bin for bin', async () => {
      const m = richModel();
      const x = tf.randomNormal([16, 6, 6, 2], 0, 2, 'float32', 8);
      const device = await new ActivationProbe(tf, m, 9, 'device').run([x]);
      const host = await new ActivationProbe(tf, m, 9, 'host').run([x]);
      assert.deepEqual(host.map((l) => [l.layer, l.className, l.activation, l.units]), device.map((l) => [l.layer, l.className, l.activation, l.units]));
      for (const [i, a] of host.entries()) {
        const b = device[i];
        for (const k of ['mean', 'std', 'fracZero', 'fracSaturated', 'deadFraction'] as const) close(a[k] ?? null, b[k]!, 1e-4);
        assert.deepEqual(a.histogram, b.histogram, a.layer);
      }
      const dead = host.find((l) => l.layer === 'dead')!;
      assert.deepEqual([dead.deadFraction, dead.fracZero], [1, 1]);
      assert.ok(host.find((l) => l.layer === 'out')!.fracSaturated! >= 0);
      x.dispose();
      m.dispose();
    });

    it('a gradient histogram of a large variable counts every histogramStride-th value, between the min and max of all, on both paths; nothing is left allocated', async () => {
      // A 300×256 kernel: 76,800 values, stride 3 (2 would sample every other of the 256 columns only).
      const build = () => {
        const m = tf.sequential({
          layers: [
            tf.layers.dense({ inputShape: [300], units: 256, activation: 'relu', name: 'wide', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }),
            tf.layers.dense({ units: 4, activation: 'softmax', name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 10 }) }),
          ],
        });
        m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
        return m;
      };
      const x = tf.randomNormal([16, 300], 0, 1, 'float32', 21);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 4), 'int32'), 4);
      assert.equal(histogramStride({ size: 76_800, shape: [300, 256] }), 3);
      assert.equal(histogramStride({ size: 65_536, shape: [256, 256] }), 1);
      assert.equal(histogramStride({ size: 76_800, shape: [256, 300] }), 7, '2 to 6 share a factor with 300');
      const byPlace: Record<string, LayerStat[]> = {};
      for (const place of ['host', 'device'] as SummaryPlace[]) {
        const m = build();
        await m.trainOnBatch(x, y); // the optimizer's own variables exist from here on
        const before = tf.memory().numTensors;
        const bytes = tf.memory().numBytes;
        const seen: LayerStat[][] = [];
        const hook = installGradientHook(tf, { wantStats: () => true, wantHistograms: () => true, onStats: (_s, layers) => seen.push(layers) }, 10, place);
        await m.trainOnBatch(x, y);
        await hook.pending();
        hook.uninstall();
        assert.equal(tf.memory().numTensors, before, `${place}: tensors`);
        assert.equal(tf.memory().numBytes, bytes, `${place}: bytes`);
        byPlace[place] = seen[0];
        m.dispose();
      }
      const wide = (stats: LayerStat[]) => stats.find((s) => /wide.*kernel/.test(s.weight))!;
      const host = wide(byPlace.host).gradHistogram!;
      assert.equal(host.counts.reduce((a, b) => a + b, 0), Math.ceil(76_800 / 3));
      assert.ok(host.min! < 0 && host.max! > 0);
      const device = wide(byPlace.device).gradHistogram!;
      assert.deepEqual(host, device, 'the same values counted, between the same min and max');
      close(wide(byPlace.host).updateRatio, wide(byPlace.device).updateRatio!);
      tf.dispose([x, y]);
    });

    it('histograms of awkward values: bin edges, constants, non-finite values', async () => {
      const edges = Array.from({ length: 41 }, (_, i) => i / 40);
      // Values at and a float32 step around every bin edge of a range that is not a power of two.
      const around = Array.from({ length: 21 }, (_, i) => -0.7 + (i * 2.3) / 20).flatMap((v) => [v, Math.fround(v) * (1 + 2 ** -23), Math.fround(v) * (1 - 2 ** -23)]);
      // Long arrays take the edge-table loop: the same values again, and a gradient-like spread
      // symmetric about 0 whose many exact zeros sit on a bin edge.
      const long = (v: number[]) => Array.from({ length: 5000 }, (_, i) => v[(i * 7919) % v.length]);
      const gradientLike = Array.from({ length: 6000 }, (_, i) => (i % 9 === 0 ? 0 : Math.sin(i * 1.3) ** 3 * 1e-3 * (i % 2 ? 1 : -1)));
      gradientLike.push(-1e-3, 1e-3);
      const cases = [edges, edges.map((v) => -3 * v), around, [3, 3, 3], [5, 6, 7, NaN, Infinity], [-Infinity, 2, 2.5], [NaN, NaN], [0.1, 0.2, 0.30000001, -0, 1e-30], Array.from({ length: 999 }, (_, i) => Math.sin(i) * 1e-3), long(edges), long(edges.map((v) => -3 * v)), long(around), long([3, 3, 3]), long([0.1, 0.2, 0.30000001, -0, 1e-30]), gradientLike];
      for (const values of cases) {
        for (const bins of [4, 7, 20]) {
          const x = Float32Array.from(values);
          const { min, max, nan, inf } = scanGradient(x);
          const t = tf.tensor1d(x);
          const expected = Array.from(await histogramTensor(tf, t, bins).data());
          t.dispose();
          // The loop for values known to be finite, and the one that checks every value.
          for (const nonFinite of nan + inf > 0 ? [true] : [false, true]) {
            const h = hostHistogram(x, min, max, bins, nonFinite);
            assert.deepEqual([h.min ?? NaN, h.max ?? NaN, ...h.counts], expected.map((v) => (Number.isFinite(v) ? v : NaN)), `${values.slice(0, 5).join(',')}… in ${bins} bins`);
          }
        }
      }
    });
  });
}
