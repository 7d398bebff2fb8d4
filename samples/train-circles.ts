/**
 * A whole training program: a small classifier of points inside or outside a circle, trained
 * with model.fit on tensors made here. Layer Lens: Train Current Model offers to run this
 * program as it is — its data, compile settings, epochs and callbacks — with the training
 * panel's instrumentation (`layer-lens train samples/train-circles.ts` does the same in a
 * terminal). It takes a few seconds on tfjs's cpu backend.
 */
import * as tf from '@tensorflow/tfjs';

const SAMPLES = 2048;
const EPOCHS = 8;
const RADIUS = 0.6;

/** Points in [-1, 1]², labelled 1 inside the circle. */
function makeData(n: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const points: number[][] = [];
  const labels: number[][] = [];
  for (let i = 0; i < n; i++) {
    const x = Math.random() * 2 - 1;
    const y = Math.random() * 2 - 1;
    points.push([x, y]);
    labels.push([x * x + y * y < RADIUS * RADIUS ? 1 : 0]);
  }
  return { xs: tf.tensor2d(points), ys: tf.tensor2d(labels) };
}

export function buildClassifier(): tf.Sequential {
  const model = tf.sequential({ name: 'circles' });
  model.add(tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function main(): Promise<void> {
  const model = buildClassifier();
  const { xs, ys } = makeData(SAMPLES);
  const show = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(4));
  await model.fit(xs, ys, {
    epochs: EPOCHS,
    batchSize: 32,
    validationSplit: 0.2,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        console.log(`epoch ${epoch + 1}/${EPOCHS}: loss ${show(logs?.loss)}, val_loss ${show(logs?.val_loss)}, accuracy ${show(logs?.acc)}`);
      },
    },
  });
  xs.dispose();
  ys.dispose();
}

// A rejection ends the program with its stack trace and a non-zero exit code, as Node does.
void main();
