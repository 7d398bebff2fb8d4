// Fault: Adam at 0.3 (its usual rate is 0.001) on a ReLU regression network: the first
// oversized steps kill most ReLU units and the loss never gets anywhere.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.adam(0.3), loss: 'meanSquaredError' });
  return model;
}
