import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Analyzer } from '../../src/analysis/engine';

function analyse(source: string, batchSize?: number) {
  const file = '/virtual/memory-model.ts';
  const [r] = new Analyzer().analyze([file], { contents: new Map([[file, source]]), batchSize });
  return r.models[0];
}

describe('parameter and activation memory', () => {
  it('counts fp32 parameter bytes and every activation once, input included', () => {
    const m = analyse(`import * as tf from '@tensorflow/tfjs';
const model = tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [784], units: 128 }),
  tf.layers.dense({ units: 10 }),
] });`);
    assert.equal(m.totals.total, 784 * 128 + 128 + 128 * 10 + 10);
    assert.equal(m.totals.paramBytes, (784 * 128 + 128 + 128 * 10 + 10) * 4);
    assert.equal(m.totals.activationsPerSample, 784 + 128 + 10);
    assert.equal(m.totals.batchSize, 32);
    assert.equal(m.totals.activationBytes, (784 + 128 + 10) * 32 * 4);
  });

  it("uses the given batch size and counts a functional model's input layer once", () => {
    const m = analyse(
      `import * as tf from '@tensorflow/tfjs';
const x = tf.input({ shape: [8, 8, 3] });
const y = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
const z = tf.layers.flatten().apply(y) as tf.SymbolicTensor;
export const net = tf.model({ inputs: x, outputs: z });`,
      64,
    );
    const per = 8 * 8 * 3 + 8 * 8 * 4 + 8 * 8 * 4;
    assert.equal(m.totals.activationsPerSample, per);
    assert.equal(m.totals.activationBytes, per * 64 * 4);
  });

  it('reports unknown activation memory when a shape is unknown', () => {
    const m = analyse(`import * as tf from '@tensorflow/tfjs';
const n = Number(process.argv[2]);
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [n], units: 4 })] });`);
    assert.equal(m.totals.activationsPerSample, null);
    assert.equal(m.totals.activationBytes, null);
  });

  it('counts the MACs of a model nested as the first layer of a Sequential', () => {
    const file = '/virtual/nested-macs.ts';
    const src = `import * as tf from '@tensorflow/tfjs';
const encoder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [20], units: 8 })] });
const model = tf.sequential();
model.add(encoder);
model.add(tf.layers.dense({ units: 3 }));`;
    const [r] = new Analyzer().analyze([file], { contents: new Map([[file, src]]) });
    const outer = r.models.find((x) => x.name === 'model')!;
    assert.equal(outer.layers[0].macs, 20 * 8);
    assert.equal(outer.totals.macs, 20 * 8 + 8 * 3);
  });
});
