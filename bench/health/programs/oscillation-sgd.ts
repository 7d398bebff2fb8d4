// Fault: plain SGD at 0.03 on targets of size ~10 (regression-x10.csv), just under where it
// diverges: the loss jumps up and down by its own size from batch to batch instead of settling.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.03), loss: 'meanSquaredError' });
  return model;
}
