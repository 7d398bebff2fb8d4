// Fault: targets 0…4 (labels-5.csv) with binaryCrossentropy on a sigmoid unit, which expects
// targets in [0, 1]: the loss goes negative and training follows it the wrong way.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}
