// Fault: ten stacked sigmoid layers on a 2-D problem: Adam rescales each weight's step, but the
// gradients that reach the first layers are ~1e-7 of the last ones' — there is nothing to rescale.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 16, activation: 'sigmoid' }));
  for (let i = 0; i < 9; i++) model.add(tf.layers.dense({ units: 16, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
