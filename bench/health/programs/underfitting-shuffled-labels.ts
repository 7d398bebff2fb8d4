// Fault: the labels do not depend on the inputs (shuffled-labels.csv: tabular.csv with its label
// column permuted, as after a misaligned join). The model (8·64+64 + 64·32+32 + 32·3+3 =
// 2,755 parameters) has more parameters than rows, its gradients flow, and its training
// accuracy still stays at chance. Expected: underfitting that says the labels may be unrelated.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
