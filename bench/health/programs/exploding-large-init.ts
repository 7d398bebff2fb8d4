// Fault: ReLU layers initialised with σ = 2 (He would be ~0.25): activations and gradients grow
// by an order of magnitude per layer and the first SGD steps overflow.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 64, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ stddev: 2 }) }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ stddev: 2 }) }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ stddev: 2 }) }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  return model;
}
