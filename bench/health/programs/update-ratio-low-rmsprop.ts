// Fault: RMSProp at 1e-6: each step changes the weights by a few millionths of their size.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.rmsprop(0.000001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
