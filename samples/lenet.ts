/**
 * LeNet-5 (LeCun et al., 1998): the classic digit recogniser. 32×32 grey images,
 * tanh activations and average pooling, as in the original paper.
 */
import * as tf from '@tensorflow/tfjs';

export function buildLeNet(numClasses = 10): tf.Sequential {
  const model = tf.sequential({ name: 'lenet5' });

  // C1: 6 feature maps 28×28
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 1], filters: 6, kernelSize: 5, activation: 'tanh' }));
  // S2: subsampling to 14×14
  model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
  // C3: 16 feature maps 10×10
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }));
  // S4: subsampling to 5×5
  model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
  // C5: 120 maps of 1×1 (a 5×5 convolution over the whole 5×5 input)
  model.add(tf.layers.conv2d({ filters: 120, kernelSize: 5, activation: 'tanh' }));
  model.add(tf.layers.flatten());
  // F6 and the output layer
  model.add(tf.layers.dense({ units: 84, activation: 'tanh' }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));

  model.compile({
    optimizer: tf.train.sgd(0.01),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}
