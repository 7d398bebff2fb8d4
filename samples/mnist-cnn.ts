/**
 * A small convolutional digit classifier for the 28×28 grey MNIST images: two convolution +
 * max-pooling stages pick up strokes and their combinations, a softmax layer names the digit.
 * Put the cursor in the model and run "Layer Lens: Train Current Model": the panel trains it
 * on the MNIST digits bundled with Layer Lens.
 */
import * as tf from '@tensorflow/tfjs';

export const IMAGE_SIZE = 28;
export const NUM_CLASSES = 10;

export function buildMnistCnn(): tf.Sequential {
  const model = tf.sequential({ name: 'mnist_cnn' });
  model.add(tf.layers.conv2d({ inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], filters: 8, kernelSize: 5, activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax' }));

  model.compile({
    optimizer: tf.train.adam(0.001),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}
