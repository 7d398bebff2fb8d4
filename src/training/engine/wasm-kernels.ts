/**
 * Kernels the wasm backend lacks, registered for 'wasm' so that every model the analyzer
 * supports trains there. tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter` nor `DepthwiseConv2dNativeBackpropInput` (and a few
 * kernels no layer needs), so the gradient of every convolution throws on it.
 *
 * Two ways are provided:
 *  - delegation: read the wasm tensors, write them into the cpu backend, run the cpu
 *    backend's own kernel, copy the result back into the wasm heap. Works for any
 *    float/int/bool kernel the cpu backend has.
 *  - composition (`Conv2DBackpropFilter` only, NHWC, the layers' default): the filter
 *    gradient is itself a convolution — dW = conv(xᵀ, dyᵀ) with the input's channels as
 *    the batch, the batch as the channels, and the forward stride as the dilation — so it
 *    runs on the wasm backend's own XNNPACK convolution, never leaving the wasm heap.
 */
import type * as tfType from '@tensorflow/tfjs';

type TF = typeof tfType;
type TensorInfo = tfType.TensorInfo;
type KernelConfig = tfType.KernelConfig;
type NamedAttrMap = tfType.NamedAttrMap;

/** Complex-number and string kernels: their data is not one typed array, and no layer needs them. */
const NOT_DELEGATED = new Set([
  'Complex',
  'ComplexAbs',
  'Real',
  'Imag',
  'FFT',
  'IFFT',
  'RFFT',
  'IRFFT',
  'StaticRegexReplace',
  'StringNGrams',
  'StringSplit',
  'StringToHashBucketFast',
  'Draw',
  'FromPixels',
]);

interface WasmBackendLike {
  readSync(dataId: object): tfType.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tfType.DataType, memoryOffset?: number, values?: tfType.backend_util.BackendValues): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}
interface CpuBackendLike {
  write(values: tfType.backend_util.BackendValues, shape: number[], dtype: tfType.DataType): object;
  readSync(dataId: object): tfType.backend_util.BackendValues;
  disposeData(dataId: object, force?: boolean): boolean;
}

export interface WasmKernelReport {
  /** Kernels run by the cpu backend's implementation. */
  delegated: string[];
  /** Kernels composed from the wasm backend's own kernels. */
  composed: string[];
  /** Kernels the cpu backend has and wasm still lacks (complex numbers, strings). */
  missing: string[];
}

export type ConvFilterGradMode = 'compose' | 'delegate';

/** Kernel names the cpu backend has and the wasm backend does not (as registered now). */
export function missingWasmKernels(tf: TF): string[] {
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  return tf
    .getKernelsForBackend('cpu')
    .map((k) => k.kernelName)
    .filter((k) => !wasm.has(k))
    .sort();
}

/** A wasm kernel that runs the cpu backend's kernel on copies of its inputs. */
export function delegatingKernel(tf: TF, kernelName: string): KernelConfig {
  const cpuKernel = tf.getKernel(kernelName, 'cpu');
  if (!cpuKernel) throw new Error(`the cpu backend has no ${kernelName} kernel to delegate to`);
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as unknown as WasmBackendLike;
      const cpu = tf.engine().findBackend('cpu') as unknown as CpuBackendLike;
      const written: object[] = [];
      const move = (t: TensorInfo | undefined): TensorInfo | undefined => {
        if (!t) return t;
        const dataId = cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype);
        written.push(dataId);
        return { dataId, shape: t.shape, dtype: t.dtype };
      };
      const cpuInputs = Array.isArray(inputs)
        ? (inputs as TensorInfo[]).map(move)
        : Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, move(t as TensorInfo | undefined)]));
      try {
        const out = cpuKernel.kernelFunc({
          inputs: cpuInputs as tfType.NamedTensorInfoMap,
          backend: cpu as unknown as tfType.KernelBackend,
          attrs: attrs as NamedAttrMap,
        });
        const outs = Array.isArray(out) ? out : [out];
        const back = outs.map((o) => {
          const values = cpu.readSync(o.dataId);
          if (!written.includes(o.dataId)) cpu.disposeData(o.dataId);
          return wasm.makeOutput(o.shape, o.dtype, undefined, values);
        });
        return Array.isArray(out) ? back : back[0];
      } finally {
        for (const id of written) cpu.disposeData(id, true);
      }
    },
  };
}

/**
 * Conv2DBackpropFilter on the wasm backend's own kernels. For NHWC input x [B,H,W,Ci],
 * output gradient dy [B,oh,ow,Co], strides (sh,sw), padding (top,left):
 *
 *   dW[i,j,c,o] = Σ_{b,y,x} x[b, y·sh + i − top, x·sw + j − left, c] · dy[b,y,x,o]
 *
 * which is a stride-1 convolution of X' = xᵀ [Ci,H,W,B] (batch and channels swapped) with
 * the filter F' = dy as [oh,ow,B,Co] dilated by (sh,sw), padded by (top,left), giving
 * [Ci,kh',kw',Co] → transposed to [kh,kw,Ci,Co] (sliced when the padding leaves more rows).
 */
export function composedConv2DBackpropFilter(tf: TF): KernelConfig {
  const fallback = delegatingKernel(tf, 'Conv2DBackpropFilter');
  const run = (name: string, backend: unknown, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo => {
    const k = tf.getKernel(name, 'wasm');
    if (!k) throw new Error(`wasm backend has no ${name} kernel`);
    return k.kernelFunc({ inputs, backend: backend as tfType.KernelBackend, attrs }) as TensorInfo;
  };
  return {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
        strides: [number, number] | number;
        pad: 'valid' | 'same' | number | tfType.backend_util.ExplicitPadding;
        dataFormat: 'NHWC' | 'NCHW';
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        filterShape: [number, number, number, number];
      };
      if (dataFormat === 'NCHW' || x.dtype !== 'float32') return fallback.kernelFunc(args);
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
        false,
        'channelsLast',
      );
      const {
        strideHeight: sh,
        strideWidth: sw,
        filterHeight: kh,
        filterWidth: kw,
        outHeight: oh,
        outWidth: ow,
        inHeight: H,
        inWidth: W,
      } = info;
      const top = info.padInfo.top;
      const left = info.padInfo.left;
      // Rows the dilated dy spans from the padded top; pad the bottom so at least kh outputs come out.
      const bottom = Math.max(0, (oh - 1) * sh + kh - H - top);
      const right = Math.max(0, (ow - 1) * sw + kw - W - left);
      const wasm = backend as unknown as WasmBackendLike;
      const temps: TensorInfo[] = [];
      const keep = (t: TensorInfo) => (temps.push(t), t);
      try {
        const xT = keep(run('Transpose', backend, { x }, { perm: [3, 1, 2, 0] }));
        const dyT = keep(run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }));
        const conv = keep(
          run('Conv2D', backend, { x: xT, filter: dyT }, {
            strides: [1, 1],
            pad: [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ] as unknown as tfType.backend_util.ExplicitPadding,
            dataFormat: 'NHWC',
            dilations: [sh, sw],
            dimRoundingMode: undefined as unknown as string,
          } as unknown as NamedAttrMap),
        );
        let src = conv;
        if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
          src = keep(run('Slice', backend, { x: conv }, { begin: [0, 0, 0, 0], size: [conv.shape[0], kh, kw, conv.shape[3]] }));
        }
        return run('Transpose', backend, { x: src }, { perm: [1, 2, 0, 3] });
      } finally {
        for (const t of temps) wasm.disposeData(t.dataId);
      }
    },
  };
}

let registered: WasmKernelReport | undefined;

/**
 * Registers, for 'wasm', every kernel the cpu backend has and wasm lacks (but complex and
 * string ones). Idempotent per process; `mode` picks how Conv2DBackpropFilter is done.
 */
export function registerWasmTrainingKernels(tf: TF, mode: ConvFilterGradMode = 'compose'): WasmKernelReport {
  if (registered) return registered;
  const report: WasmKernelReport = { delegated: [], composed: [], missing: [] };
  for (const name of missingWasmKernels(tf)) {
    if (NOT_DELEGATED.has(name)) {
      report.missing.push(name);
      continue;
    }
    if (name === 'Conv2DBackpropFilter' && mode === 'compose') {
      tf.registerKernel(composedConv2DBackpropFilter(tf));
      report.composed.push(name);
    } else {
      tf.registerKernel(delegatingKernel(tf, name));
      report.delegated.push(name);
    }
  }
  registered = report;
  return report;
}

/** For benchmarks and tests: replaces the Conv2DBackpropFilter registration. */
export function setConvFilterGradMode(tf: TF, mode: ConvFilterGradMode): void {
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel(mode === 'compose' ? composedConv2DBackpropFilter(tf) : delegatingKernel(tf, 'Conv2DBackpropFilter'));
}
