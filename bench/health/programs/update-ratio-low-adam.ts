// Fault: Adam at 1e-7: each step changes the weights by a millionth of their size.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.0000001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
