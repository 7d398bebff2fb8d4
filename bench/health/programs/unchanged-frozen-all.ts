// Fault: every trainable layer is frozen (trainable: false), as a transfer-learning script that
// forgot to unfreeze its head: nothing can learn.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 32, activation: 'relu', trainable: false }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu', trainable: false }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', trainable: false }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
