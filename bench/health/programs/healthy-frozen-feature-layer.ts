// Healthy (on purpose): the first layer is frozen, as when fine-tuning a pretrained feature
// extractor whose weights `loadBase` copies in; the layers after it train. The benchmark trains
// `build()` itself, but the code loads weights, so the frozen layer is taken as deliberate.
// Expected: an info that the layer does not change.
import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 64, activation: 'relu', trainable: false }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export async function loadBase(model: tf.LayersModel, url: string) {
  const base = await tf.loadLayersModel(url);
  model.layers[0].setWeights(base.layers[0].getWeights());
}
