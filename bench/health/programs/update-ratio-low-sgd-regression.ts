// Fault: plain SGD at 1e-6 on an otherwise healthy regression network (the same layers train
// well with Adam at 0.003): each step moves the weights by a few ten-millionths of their size.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.000001), loss: 'meanSquaredError' });
  return model;
}
