// Fault: SGD at 2.0 on a regression MLP: the loss climbs step after step.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 16, activation: 'tanh' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(2), loss: 'meanSquaredError' });
  return model;
}
