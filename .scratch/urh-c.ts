import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 32, activation: 'relu', kernelRegularizer: tf.regularizers.l2({ l2: 1 }) }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu', kernelRegularizer: tf.regularizers.l2({ l2: 1 }) }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.4), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
