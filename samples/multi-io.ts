/**
 * A functional model with two inputs and two outputs: a product photo and a vector of
 * tabular features go in; a category (softmax) and a price estimate (regression) come out.
 */
import * as tf from '@tensorflow/tfjs';

const NUM_CATEGORIES = 12;
const NUM_FEATURES = 10;

export function buildProductModel(): tf.LayersModel {
  const image = tf.input({ shape: [64, 64, 3], name: 'image' });
  const features = tf.input({ shape: [NUM_FEATURES], name: 'features' });

  // Image branch: two conv blocks, then a global average.
  let x = tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }).apply(image) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;

  // Tabular branch.
  let f = tf.layers.dense({ units: 32, activation: 'relu' }).apply(features) as tf.SymbolicTensor;
  f = tf.layers.batchNormalization().apply(f) as tf.SymbolicTensor;

  const merged = tf.layers.concatenate().apply([x, f]) as tf.SymbolicTensor;
  const shared = tf.layers.dense({ units: 64, activation: 'relu' }).apply(merged) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: 0.3 }).apply(shared) as tf.SymbolicTensor;

  const category = tf.layers
    .dense({ units: NUM_CATEGORIES, activation: 'softmax', name: 'category' })
    .apply(dropped) as tf.SymbolicTensor;
  const price = tf.layers.dense({ units: 1, name: 'price' }).apply(dropped) as tf.SymbolicTensor;

  const model = tf.model({ inputs: [image, features], outputs: [category, price], name: 'product' });
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: { category: 'categoricalCrossentropy', price: 'meanSquaredError' },
    metrics: { category: 'accuracy' },
  });
  return model;
}
