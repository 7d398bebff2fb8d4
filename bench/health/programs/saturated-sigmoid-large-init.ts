// Fault: sigmoid layers initialised with σ = 3: almost every unit is pinned at 0 or 1.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 32, activation: 'sigmoid', kernelInitializer: tf.initializers.randomNormal({ stddev: 3 }) }));
  model.add(tf.layers.dense({ units: 32, activation: 'sigmoid', kernelInitializer: tf.initializers.randomNormal({ stddev: 3 }) }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
