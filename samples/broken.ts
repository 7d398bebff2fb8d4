/**
 * Two deliberate shape mistakes, for Layer Lens to point at. Neither model is usable.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * A 7×7 'valid' convolution on a 5×5 input: floor((5 − 7) / 1) + 1 = −1.
 * tfjs's functional API does not stop this; the output shape becomes [null, −1, −1, 16].
 */
export function buildKernelTooLarge(): tf.LayersModel {
  const input = tf.input({ shape: [5, 5, 1] });
  const conv = tf.layers.conv2d({ filters: 16, kernelSize: 7, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/**
 * Adding a [null, 64] tensor to a [null, 32] tensor: an `add` merge needs equal shapes.
 * tfjs throws when the add layer is applied.
 */
export function buildMismatchedMerge(): tf.LayersModel {
  const input = tf.input({ shape: [100] });
  const wide = tf.layers.dense({ units: 64, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const narrow = tf.layers.dense({ units: 32, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([wide, narrow]) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1 }).apply(sum) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}
