/**
 * VGG16 (Simonyan & Zisserman, 2014), configuration D: five blocks of 3×3 convolutions,
 * built from a table of (filters, convolutions) per block. With a 224×224×3 input and
 * 1000 classes it has 138,357,544 parameters.
 */
import * as tf from '@tensorflow/tfjs';

/** [filters, number of 3×3 convolutions] for each block. */
const VGG16_BLOCKS: Array<[number, number]> = [
  [64, 2],
  [128, 2],
  [256, 3],
  [512, 3],
  [512, 3],
];

export function buildVGG16(inputShape: [number, number, number] = [224, 224, 3], classes = 1000): tf.Sequential {
  const model = tf.sequential({ name: 'vgg16' });

  VGG16_BLOCKS.forEach(([filters, convs], b) => {
    for (let i = 0; i < convs; i++) {
      model.add(
        tf.layers.conv2d({
          ...(b === 0 && i === 0 ? { inputShape } : {}),
          filters,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          name: `block${b + 1}_conv${i + 1}`,
        }),
      );
    }
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }));
  });

  model.add(tf.layers.flatten({ name: 'flatten' }));
  for (const name of ['fc1', 'fc2']) {
    model.add(tf.layers.dense({ units: 4096, activation: 'relu', name }));
  }
  model.add(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }));
  return model;
}
