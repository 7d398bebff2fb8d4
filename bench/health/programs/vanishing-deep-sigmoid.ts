// Fault: 8 stacked sigmoid layers trained with plain SGD: each layer multiplies the gradient by
// at most 0.25, so the first layers get ~1e-6 of what the last ones get.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [784], units: 32, activation: 'sigmoid' }));
  for (let i = 0; i < 7; i++) model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
