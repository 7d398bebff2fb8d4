// Fault: a learning rate of 0: no weight ever changes.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
