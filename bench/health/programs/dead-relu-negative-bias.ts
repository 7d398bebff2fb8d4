// Fault: the ReLU layers' biases start at −4: almost every unit outputs 0 for every input, gets
// no gradient, and never comes back.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu', biasInitializer: tf.initializers.constant({ value: -4 }) }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu', biasInitializer: tf.initializers.constant({ value: -4 }) }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
