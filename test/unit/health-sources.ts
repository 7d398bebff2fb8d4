/**
 * Model sources the Training Health editor tests share: a three-layer Sequential whose two
 * hidden layers are sigmoid (the vanishing-gradient case), analysed in memory as `model.ts`.
 */
export const SIGMOID_STACK = `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 32, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return model;
}
`;
