/**
 * AlexNet (Krizhevsky et al., 2012), single-stream. Batch normalization stands in for the
 * original local response normalization, which tfjs does not provide. Sizes come from
 * config.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { DROPOUT_RATE, IMAGE_CHANNELS, IMAGE_SIZE, LEARNING_RATE, NUM_CLASSES } from './config';

export function buildAlexNet(): tf.Sequential {
  const model = tf.sequential({
    name: 'alexnet',
    layers: [
      tf.layers.conv2d({
        inputShape: [IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS],
        filters: 96,
        kernelSize: 11,
        strides: 4,
        activation: 'relu',
      }),
      tf.layers.batchNormalization(),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }),

      tf.layers.conv2d({ filters: 256, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }),

      tf.layers.conv2d({ filters: 384, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 384, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 256, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }),

      tf.layers.flatten(),
      tf.layers.dense({ units: 4096, activation: 'relu' }),
      tf.layers.dropout({ rate: DROPOUT_RATE }),
      tf.layers.dense({ units: 4096, activation: 'relu' }),
      tf.layers.dropout({ rate: DROPOUT_RATE }),
      tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax' }),
    ],
  });

  model.compile({
    optimizer: tf.train.adam(LEARNING_RATE),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}
