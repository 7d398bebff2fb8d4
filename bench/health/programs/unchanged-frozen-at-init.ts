// Fault: the first layer is frozen (trainable: false) but nothing loads trained weights into it,
// so it keeps its random initial weights for the whole run (a fine-tuning script that forgot to
// load its base). Expected: a warning naming the layer, its parameters and the unfreeze fix.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 64, activation: 'relu', trainable: false }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
