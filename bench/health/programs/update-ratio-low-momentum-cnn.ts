// Fault: SGD with momentum at 1e-6 on the small CNN that trains well with Adam at 0.003: even
// with momentum's tenfold boost each step moves the weights by about a millionth of their size.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.momentum(0.000001, 0.9), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
