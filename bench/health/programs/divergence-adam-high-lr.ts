// Fault: Adam at 0.5, five hundred times its usual rate: the first steps throw the softmax into
// confident wrong answers and the loss climbs far above where it started.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.5), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
