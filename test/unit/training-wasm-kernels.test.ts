/**
 * The kernels registered for the wasm backend give the cpu backend's gradients: conv2d
 * filter gradients (composed from wasm convolutions, and delegated to the cpu kernel) and
 * depthwise gradients (delegated), over strides and paddings.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/training/engine/backend';
import { missingWasmKernels, setConvFilterGradMode } from '../../src/training/engine/wasm-kernels';

function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    a[i] = s / 2147483647 - 0.5;
  }
  return a;
}

type Pad = 'valid' | 'same';
async function grads(backend: string, xs: number[], fs: number[], strides: number, pad: Pad, depthwise: boolean): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(values(xs.reduce((a, b) => a * b), 7), xs as [number, number, number, number]);
  const f = tf.tensor4d(values(fs.reduce((a, b) => a * b), 11), fs as [number, number, number, number]);
  const g = tf.grads((a, b) => (depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad) : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad)).square().sum());
  const out = g([x, f]);
  const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([x, f, ...out]);
  return data;
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  const scale = Math.max(1e-6, ...Array.from(a, Math.abs));
  return Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i]))) / scale;
}

const CASES: [string, number[], number[], number, Pad, boolean][] = [
  ['conv 3×3 stride 1 valid', [2, 9, 9, 3], [3, 3, 3, 4], 1, 'valid', false],
  ['conv 3×3 stride 2 same', [2, 9, 9, 3], [3, 3, 3, 4], 2, 'same', false],
  ['conv 5×5 stride 2 valid, odd sizes', [2, 8, 7, 2], [5, 5, 2, 3], 2, 'valid', false],
  ['conv 4×4 stride 3 same', [1, 10, 10, 1], [4, 4, 1, 2], 3, 'same', false],
  ['depthwise ×2 stride 1 same', [2, 9, 9, 3], [3, 3, 3, 2], 1, 'same', true],
  ['depthwise ×2 stride 2 valid', [2, 9, 9, 3], [3, 3, 3, 2], 2, 'valid', true],
];

describe('wasm training kernels', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('leaves only complex-number and string kernels missing on wasm', () => {
    assert.deepEqual(missingWasmKernels(tf), ['Complex', 'ComplexAbs', 'Draw', 'FFT', 'IFFT', 'Imag', 'Real', 'StaticRegexReplace']);
  });

  for (const mode of ['compose', 'delegate'] as const) {
    for (const [name, xs, fs, s, pad, dw] of CASES) {
      it(`${mode}: ${name} — dx and dW match the cpu backend`, async () => {
        setConvFilterGradMode(tf, mode);
        const cpu = await grads('cpu', xs, fs, s, pad, dw);
        const wasm = await grads('wasm', xs, fs, s, pad, dw);
        assert.ok(maxRelError(cpu[0], wasm[0]) < 1e-5, `dx differs by ${maxRelError(cpu[0], wasm[0])}`);
        assert.ok(maxRelError(cpu[1], wasm[1]) < 1e-5, `dW differs by ${maxRelError(cpu[1], wasm[1])}`);
      });
    }
  }

  it('does not leak wasm tensors', async () => {
    setConvFilterGradMode(tf, 'compose');
    await tf.setBackend('wasm');
    await grads('wasm', [1, 6, 6, 2], [3, 3, 2, 2], 1, 'same', false);
    const before = tf.memory().numTensors;
    const b = tf.engine().backend as unknown as { numDataIds(): number };
    const ids = b.numDataIds();
    await grads('wasm', [1, 6, 6, 2], [3, 3, 2, 2], 2, 'same', false);
    await grads('wasm', [1, 6, 6, 2], [3, 3, 2, 2], 1, 'valid', true);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(b.numDataIds(), ids);
  });
});
