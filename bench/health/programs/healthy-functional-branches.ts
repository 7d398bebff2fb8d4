// Healthy: a functional model with two branches (ReLU and tanh) concatenated, on blobs.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const input = tf.input({ shape: [8] });
  const a = tf.layers.dense({ units: 32, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 16, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 4, activation: 'softmax' }).apply(merged) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
