import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Analyzer } from '../../src/analysis/engine';
import type { Diagnostic } from '../../src/analysis/graph';

const LINT_CODES = new Set([
  'dense-without-activation',
  'output-activation-loss-mismatch',
  'softmax-single-unit',
  'dropout-last-layer',
  'deep-saturating-stack',
  'parameter-heavy-layer',
  'extreme-learning-rate',
]);

function lint(body: string): Diagnostic[] {
  const file = '/virtual/lint-model.ts';
  const src = `import * as tf from '@tensorflow/tfjs';\n${body}`;
  const [r] = new Analyzer().analyze([file], { contents: new Map([[file, src]]) });
  return r.models.flatMap((m) => m.diagnostics).filter((d) => LINT_CODES.has(d.code));
}

const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

describe('static architecture checks', () => {
  it('flags Dense → Dense with no activation, also across dropout, at the first layer', () => {
    const ds = lint(`const m = tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [8], units: 16 }),
  tf.layers.dropout({ rate: 0.1 }),
  tf.layers.dense({ units: 4, activation: 'softmax' }),
] });
m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });`);
    assert.deepEqual(codes(ds), ['dense-without-activation']);
    assert.equal(ds[0].range?.start.line, 3);
  });

  it('accepts a hidden Dense with an activation, or followed by an activation layer', () => {
    assert.deepEqual(
      codes(lint(`const m = tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [8], units: 16 }),
  tf.layers.leakyReLU(),
  tf.layers.dense({ units: 16, activation: 'relu' }),
  tf.layers.dense({ units: 1, activation: 'sigmoid' }),
] });
m.compile({ optimizer: tf.train.adam(0.001), loss: 'binaryCrossentropy' });`)),
      [],
    );
  });

  it('flags output activations that do not fit the loss', () => {
    const cases: [string, string, string][] = [
      ["'sigmoid'", '10', 'categoricalCrossentropy'],
      ["'relu'", '10', 'sparseCategoricalCrossentropy'],
      ["'softmax'", '3', 'binaryCrossentropy'],
      ["'linear'", '1', 'binaryCrossentropy'],
    ];
    for (const [act, units, loss] of cases) {
      const ds = lint(`const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: ${units}, activation: ${act} })] });
m.compile({ optimizer: 'adam', loss: '${loss}' });`);
      assert.deepEqual(codes(ds), ['output-activation-loss-mismatch'], `${act} with ${loss}`);
    }
  });

  it('flags a one-unit softmax as an error whatever the loss', () => {
    const ds = lint(`const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1, activation: 'softmax' })] });`);
    assert.deepEqual(codes(ds), ['softmax-single-unit']);
    assert.equal(ds[0].severity, 'error');
  });

  it('flags dropout as the last layer', () => {
    const ds = lint(`const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }), tf.layers.dropout({ rate: 0.5 })] });`);
    assert.deepEqual(codes(ds), ['dropout-last-layer']);
  });

  it('flags a deep sigmoid stack, but not when batch normalization breaks it up', () => {
    const stack = (bn: boolean) =>
      lint(`const m = tf.sequential();
m.add(tf.layers.dense({ inputShape: [4], units: 8, activation: 'sigmoid' }));
for (let i = 0; i < 5; i++) {
  ${bn ? 'if (i % 2 === 0) m.add(tf.layers.batchNormalization());' : ''}
  m.add(tf.layers.dense({ units: 8, activation: i % 2 ? 'tanh' : 'sigmoid' }));
}`);
    assert.deepEqual(codes(stack(false)), ['deep-saturating-stack']);
    assert.deepEqual(codes(stack(true)), []);
  });

  it('flags the VGG-style Flatten → Dense explosion but not an embedding table', () => {
    const ds = lint(`const m = tf.sequential({ layers: [
  tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 32, kernelSize: 3, activation: 'relu' }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 64, activation: 'relu' }),
  tf.layers.dense({ units: 10, activation: 'softmax' }),
] });`);
    assert.deepEqual(codes(ds), ['parameter-heavy-layer']);
    assert.match(ds[0].message, /globalAveragePooling2d/);
    assert.equal(ds[0].range?.start.line, 5);
    const text = lint(`const m = tf.sequential({ layers: [
  tf.layers.embedding({ inputDim: 50000, outputDim: 64, inputLength: 20 }),
  tf.layers.lstm({ units: 16 }),
  tf.layers.dense({ units: 1, activation: 'sigmoid' }),
] });`);
    assert.deepEqual(codes(text), []);
  });

  it('flags extreme learning rates in compile, at the compile call', () => {
    const high = lint(`const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1 })] });
m.compile({ optimizer: tf.train.adam(0.5), loss: 'meanSquaredError' });`);
    assert.deepEqual(codes(high), ['extreme-learning-rate']);
    assert.equal(high[0].range?.start.line, 3);
    const low = lint(`const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1 })] });
m.compile({ optimizer: tf.train.sgd(1e-8), loss: 'meanSquaredError' });`);
    assert.deepEqual(codes(low), ['extreme-learning-rate']);
    const fine = lint(`const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1 })] });
m.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });`);
    assert.deepEqual(codes(fine), []);
  });

  it('raises nothing on the classic fixture models other than the parameter-share note', () => {
    const dir = path.resolve('test/fixtures/models');
    const files = ['lenet5.ts', 'resnet50.ts', 'mobilenet.ts', 'unet.ts', 'densenet.ts'].map((f) => path.join(dir, f));
    const results = new Analyzer().analyze(files);
    const found = results.flatMap((r) => r.models.flatMap((m) => m.diagnostics)).filter((d) => LINT_CODES.has(d.code) && d.code !== 'parameter-heavy-layer');
    assert.deepEqual(found.map((d) => `${d.code}: ${d.message}`), []);
  });
});
