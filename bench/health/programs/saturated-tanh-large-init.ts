// Fault: tanh layers initialised with σ = 1 on 784 inputs: the pre-activations are tens of
// units wide, so nearly every output sits at ±1 where tanh's slope is 0.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [784], units: 64, activation: 'tanh', kernelInitializer: tf.initializers.randomNormal({ stddev: 1 }) }));
  model.add(tf.layers.dense({ units: 64, activation: 'tanh', kernelInitializer: tf.initializers.randomNormal({ stddev: 1 }) }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
