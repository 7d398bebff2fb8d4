// Fault: plain SGD at 3 on a small tanh network: every step throws the weights so far that the
// units saturate and the loss jumps around above where it started.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 16, activation: 'tanh' }));
  model.add(tf.layers.dense({ units: 16, activation: 'tanh' }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
