// Fault: plain SGD at 0.05 on targets of size ~10 (regression-x10.csv) through narrow ReLU
// layers: a few large steps push every unit of the second layer below zero for all inputs; it
// dies, passes nothing on, and the loss stops improving.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 16, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 16, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  return model;
}
