/**
 * A convolutional autoencoder for 28×28 grey images (MNIST / Fashion-MNIST). The
 * encoder and decoder are models of their own, so they can be used separately after
 * training; the autoencoder nests both.
 */
import * as tf from '@tensorflow/tfjs';

export const LATENT_DIM = 32;

export function buildEncoder(): tf.Sequential {
  return tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }), // 14×14
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }), // 7×7
      tf.layers.flatten(),
      tf.layers.dense({ units: LATENT_DIM, activation: 'relu', name: 'code' }),
    ],
  });
}

export function buildDecoder(): tf.Sequential {
  return tf.sequential({
    name: 'decoder',
    layers: [
      tf.layers.dense({ inputShape: [LATENT_DIM], units: 7 * 7 * 64, activation: 'relu' }),
      tf.layers.reshape({ targetShape: [7, 7, 64] }),
      tf.layers.conv2dTranspose({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), // 14×14
      tf.layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), // 28×28
      tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
    ],
  });
}

export function buildAutoencoder(): tf.Sequential {
  const encoder = buildEncoder();
  const decoder = buildDecoder();
  const autoencoder = tf.sequential({ name: 'autoencoder' });
  autoencoder.add(encoder);
  autoencoder.add(decoder);
  autoencoder.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return autoencoder;
}
