/**
 * ResNet-50 (He et al., 2015) with the functional API, following keras.applications:
 * bottleneck blocks with a projection shortcut at the start of each stage. With a
 * 224×224×3 input and 1000 classes it has 25,636,712 parameters (53,120 of them the
 * non-trainable moving statistics of batch normalization).
 */
import * as tf from '@tensorflow/tfjs';

type Tensor = tf.SymbolicTensor;

function bn(x: Tensor, name: string): Tensor {
  return tf.layers.batchNormalization({ axis: 3, epsilon: 1.001e-5, name }).apply(x) as Tensor;
}

function relu(x: Tensor, name: string): Tensor {
  return tf.layers.activation({ activation: 'relu', name }).apply(x) as Tensor;
}

/** Bottleneck block whose shortcut is the identity (input and output shapes match). */
function identityBlock(input: Tensor, kernelSize: number, filters: [number, number, number], stage: number, block: string): Tensor {
  const [f1, f2, f3] = filters;
  const base = `res${stage}${block}`;

  let x = tf.layers.conv2d({ filters: f1, kernelSize: 1, name: `${base}_branch2a` }).apply(input) as Tensor;
  x = relu(bn(x, `bn${stage}${block}_branch2a`), `${base}_relu_a`);

  x = tf.layers.conv2d({ filters: f2, kernelSize, padding: 'same', name: `${base}_branch2b` }).apply(x) as Tensor;
  x = relu(bn(x, `bn${stage}${block}_branch2b`), `${base}_relu_b`);

  x = tf.layers.conv2d({ filters: f3, kernelSize: 1, name: `${base}_branch2c` }).apply(x) as Tensor;
  x = bn(x, `bn${stage}${block}_branch2c`);

  x = tf.layers.add({ name: `${base}_add` }).apply([x, input]) as Tensor;
  return relu(x, `${base}_out`);
}

/** Bottleneck block with a strided 1×1 projection on the shortcut. */
function convBlock(input: Tensor, kernelSize: number, filters: [number, number, number], stage: number, block: string, strides = 2): Tensor {
  const [f1, f2, f3] = filters;
  const base = `res${stage}${block}`;

  let x = tf.layers.conv2d({ filters: f1, kernelSize: 1, strides, name: `${base}_branch2a` }).apply(input) as Tensor;
  x = relu(bn(x, `bn${stage}${block}_branch2a`), `${base}_relu_a`);

  x = tf.layers.conv2d({ filters: f2, kernelSize, padding: 'same', name: `${base}_branch2b` }).apply(x) as Tensor;
  x = relu(bn(x, `bn${stage}${block}_branch2b`), `${base}_relu_b`);

  x = tf.layers.conv2d({ filters: f3, kernelSize: 1, name: `${base}_branch2c` }).apply(x) as Tensor;
  x = bn(x, `bn${stage}${block}_branch2c`);

  let shortcut = tf.layers.conv2d({ filters: f3, kernelSize: 1, strides, name: `${base}_branch1` }).apply(input) as Tensor;
  shortcut = bn(shortcut, `bn${stage}${block}_branch1`);

  x = tf.layers.add({ name: `${base}_add` }).apply([x, shortcut]) as Tensor;
  return relu(x, `${base}_out`);
}

export function buildResNet50(classes = 1000): tf.LayersModel {
  const input = tf.input({ shape: [224, 224, 3], name: 'image' });

  let x = tf.layers.zeroPadding2d({ padding: 3, name: 'conv1_pad' }).apply(input) as Tensor;
  x = tf.layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, name: 'conv1' }).apply(x) as Tensor;
  x = relu(bn(x, 'bn_conv1'), 'conv1_relu');
  x = tf.layers.zeroPadding2d({ padding: 1, name: 'pool1_pad' }).apply(x) as Tensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }).apply(x) as Tensor;

  x = convBlock(x, 3, [64, 64, 256], 2, 'a', 1);
  x = identityBlock(x, 3, [64, 64, 256], 2, 'b');
  x = identityBlock(x, 3, [64, 64, 256], 2, 'c');

  x = convBlock(x, 3, [128, 128, 512], 3, 'a');
  for (const block of ['b', 'c', 'd']) x = identityBlock(x, 3, [128, 128, 512], 3, block);

  x = convBlock(x, 3, [256, 256, 1024], 4, 'a');
  for (const block of ['b', 'c', 'd', 'e', 'f']) x = identityBlock(x, 3, [256, 256, 1024], 4, block);

  x = convBlock(x, 3, [512, 512, 2048], 5, 'a');
  x = identityBlock(x, 3, [512, 512, 2048], 5, 'b');
  x = identityBlock(x, 3, [512, 512, 2048], 5, 'c');

  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as Tensor;
  const output = tf.layers.dense({ units: classes, activation: 'softmax', name: 'fc1000' }).apply(x) as Tensor;

  return tf.model({ inputs: input, outputs: output, name: 'resnet50' });
}
