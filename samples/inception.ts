/**
 * GoogLeNet / Inception v1 (Szegedy et al., 2014), main classifier only (no auxiliary
 * heads). Each inception module runs 1×1, 3×3, 5×5 and pooling branches side by side
 * and concatenates them along the channel axis.
 */
import * as tf from '@tensorflow/tfjs';

interface InceptionSpec {
  /** 1×1 branch */
  b1: number;
  /** 3×3 branch: 1×1 reduction, then 3×3 */
  b3Reduce: number;
  b3: number;
  /** 5×5 branch: 1×1 reduction, then 5×5 */
  b5Reduce: number;
  b5: number;
  /** 3×3 max-pool, then 1×1 projection */
  poolProj: number;
}

const conv = (filters: number, kernelSize: number, name: string, strides = 1) =>
  tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', activation: 'relu', name });

function inceptionModule(x: tf.SymbolicTensor, spec: InceptionSpec, name: string): tf.SymbolicTensor {
  const branch1 = conv(spec.b1, 1, `${name}_1x1`).apply(x) as tf.SymbolicTensor;

  const reduce3 = conv(spec.b3Reduce, 1, `${name}_3x3_reduce`).apply(x) as tf.SymbolicTensor;
  const branch3 = conv(spec.b3, 3, `${name}_3x3`).apply(reduce3) as tf.SymbolicTensor;

  const reduce5 = conv(spec.b5Reduce, 1, `${name}_5x5_reduce`).apply(x) as tf.SymbolicTensor;
  const branch5 = conv(spec.b5, 5, `${name}_5x5`).apply(reduce5) as tf.SymbolicTensor;

  const pool = tf.layers
    .maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: `${name}_pool` })
    .apply(x) as tf.SymbolicTensor;
  const branchPool = conv(spec.poolProj, 1, `${name}_pool_proj`).apply(pool) as tf.SymbolicTensor;

  return tf.layers
    .concatenate({ axis: -1, name: `${name}_output` })
    .apply([branch1, branch3, branch5, branchPool]) as tf.SymbolicTensor;
}

const maxPool = (name: string) => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name });

export function buildGoogLeNet(classes = 1000): tf.LayersModel {
  const input = tf.input({ shape: [224, 224, 3] });

  let x = conv(64, 7, 'conv1_7x7_s2', 2).apply(input) as tf.SymbolicTensor;
  x = maxPool('pool1_3x3_s2').apply(x) as tf.SymbolicTensor;
  x = conv(64, 1, 'conv2_3x3_reduce').apply(x) as tf.SymbolicTensor;
  x = conv(192, 3, 'conv2_3x3').apply(x) as tf.SymbolicTensor;
  x = maxPool('pool2_3x3_s2').apply(x) as tf.SymbolicTensor;

  x = inceptionModule(x, { b1: 64, b3Reduce: 96, b3: 128, b5Reduce: 16, b5: 32, poolProj: 32 }, 'inception_3a');
  x = inceptionModule(x, { b1: 128, b3Reduce: 128, b3: 192, b5Reduce: 32, b5: 96, poolProj: 64 }, 'inception_3b');
  x = maxPool('pool3_3x3_s2').apply(x) as tf.SymbolicTensor;

  x = inceptionModule(x, { b1: 192, b3Reduce: 96, b3: 208, b5Reduce: 16, b5: 48, poolProj: 64 }, 'inception_4a');
  x = inceptionModule(x, { b1: 160, b3Reduce: 112, b3: 224, b5Reduce: 24, b5: 64, poolProj: 64 }, 'inception_4b');
  x = inceptionModule(x, { b1: 128, b3Reduce: 128, b3: 256, b5Reduce: 24, b5: 64, poolProj: 64 }, 'inception_4c');
  x = inceptionModule(x, { b1: 112, b3Reduce: 144, b3: 288, b5Reduce: 32, b5: 64, poolProj: 64 }, 'inception_4d');
  x = inceptionModule(x, { b1: 256, b3Reduce: 160, b3: 320, b5Reduce: 32, b5: 128, poolProj: 128 }, 'inception_4e');
  x = maxPool('pool4_3x3_s2').apply(x) as tf.SymbolicTensor;

  x = inceptionModule(x, { b1: 256, b3Reduce: 160, b3: 320, b5Reduce: 32, b5: 128, poolProj: 128 }, 'inception_5a');
  x = inceptionModule(x, { b1: 384, b3Reduce: 192, b3: 384, b5Reduce: 48, b5: 128, poolProj: 128 }, 'inception_5b');

  x = tf.layers.globalAveragePooling2d({ name: 'pool5' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.4 }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: classes, activation: 'softmax', name: 'loss3_classifier' }).apply(x) as tf.SymbolicTensor;

  const model = tf.model({ inputs: input, outputs: output, name: 'googlenet' });
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
