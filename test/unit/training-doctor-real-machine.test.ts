/**
 * The GPU doctor on a real machine, replayed: an NVIDIA H100 (driver 580.159.04) with the
 * CUDA 13 runtime and cuDNN 9.14, and tfjs-node-gpu 4.22.0 unpacked into a workspace's
 * node_modules with a binding file. The file listing, the environment and `ldconfig -p` are
 * the ones that machine reported.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectBackend } from '../../src/training/engine/backend';
import { diagnoseGpu, explainLoadError, type SystemProbe } from '../../src/training/engine/doctor';

const WS = '/tmp/ll/ws-stub';
const GPU_DIR = `${WS}/node_modules/@tensorflow/tfjs-node-gpu`;
const CUDNN_SUBLIBS = ['ops', 'heuristic', 'graph', 'engines_runtime_compiled', 'engines_precompiled', 'cnn', 'adv'];

const DIRS: Record<string, string[]> = {
  '/usr/local/nvidia/lib64': ['libcuda.so', 'libcuda.so.1', 'libcuda.so.580.159.04'],
  '/usr/local/cuda/lib64': ['libcudart.so', 'libcudart.so.13', 'libcudart.so.13.0.96', 'libcudart_static.a'],
  '/usr/lib/x86_64-linux-gnu': ['libcudnn.so', 'libcudnn.so.9', 'libcudnn.so.9.14.0', ...CUDNN_SUBLIBS.flatMap((s) => [`libcudnn_${s}.so`, `libcudnn_${s}.so.9`, `libcudnn_${s}.so.9.14.0`])],
  '/usr/lib': ['libcuda.so', 'libcuda.so.1'],
  '/proc/driver/nvidia/gpus': ['0000:00:06.0'],
  [`${GPU_DIR}/lib`]: ['napi-v8'],
  [`${GPU_DIR}/lib/napi-v8`]: ['tfjs_binding.node'],
};

const LDCONFIG = [
  ...CUDNN_SUBLIBS.flatMap((s) => [`libcudnn_${s}.so.9`, `libcudnn_${s}.so`].map((f) => `\t${f} (libc6,x86-64) => /lib/x86_64-linux-gnu/${f}`)),
  '\tlibcudnn.so.9 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcudnn.so.9',
  '\tlibcudnn.so (libc6,x86-64) => /lib/x86_64-linux-gnu/libcudnn.so',
  '\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda/targets/x86_64-linux/lib/libcudart.so.13',
  '\tlibcudart.so (libc6,x86-64) => /usr/local/cuda/targets/x86_64-linux/lib/libcudart.so',
  '\tlibcuda.so.1 (libc6,x86-64) => /usr/local/nvidia/lib64/libcuda.so.1',
  '\tlibcuda.so.1 (libc6,x86-64) => /lib/libcuda.so.1',
  '\tlibcuda.so (libc6,x86-64) => /usr/local/nvidia/lib64/libcuda.so',
  '\tlibcuda.so (libc6,x86-64) => /lib/libcuda.so',
].join('\n');

function h100(extraDirs: Record<string, string[]> = {}, env: Record<string, string> = {}): SystemProbe {
  const dirs = { ...DIRS, ...extraDirs };
  const files = new Set(Object.entries(dirs).flatMap(([d, names]) => names.map((n) => `${d}/${n}`)));
  files.add('/dev/nvidia0');
  files.add(`${GPU_DIR}/package.json`);
  return {
    platform: 'linux',
    arch: 'x64',
    env: { LD_LIBRARY_PATH: '/usr/local/nvidia/lib64:/usr/local/nvidia/lib', CUDA_HOME: '/usr/local/cuda', ...env },
    resolvePackage: (pkg, from) => (pkg === '@tensorflow/tfjs-node-gpu' && from === WS ? GPU_DIR : null),
    exists: (f) => files.has(f) || f in dirs,
    readdir: (dir) => dirs[dir] ?? [],
    ldconfig: () => LDCONFIG,
  };
}

describe('GPU doctor on the H100 machine (CUDA 13, cuDNN 9)', () => {
  it('names both the CUDA and the cuDNN problem, once per version found, and what to install', () => {
    const d = diagnoseGpu(h100(), { resolveFrom: [WS] });
    assert.deepEqual(d, {
      ok: false,
      backend: 'gpu',
      code: 'cuda-version',
      reason: 'neither the CUDA 11.2 runtime (libcudart.so.11.0) nor cuDNN 8.1 (libcudnn.so.8) is found; found CUDA 13 (libcudart.so.13) and cuDNN 9 (libcudnn.so.9), which tfjs-node-gpu cannot use',
      fix: 'install CUDA 11.2 and cuDNN 8.1, the versions tfjs-node-gpu 4.x is built against (they can be installed beside CUDA 13 and cuDNN 9), and put the folders holding libcudart.so.11.0 and libcudnn.so.8 on LD_LIBRARY_PATH',
    });
  });

  it('with CUDA 11 libraries on LD_LIBRARY_PATH, the package copied without @tensorflow/tfjs is explained', async () => {
    const probe = h100({ '/tmp/ll/fakecuda11': ['libcudart.so.11.0', 'libcudnn.so.8'] }, { LD_LIBRARY_PATH: '/tmp/ll/fakecuda11' });
    assert.deepEqual(diagnoseGpu(probe, { resolveFrom: [WS] }), { ok: true, dir: GPU_DIR, from: WS });
    const error = Object.assign(new Error(`Cannot find module '@tensorflow/tfjs'\nRequire stack:\n- ${GPU_DIR}/dist/index.js\n- /tmp/ll/dist/train-worker.js`), { code: 'MODULE_NOT_FOUND' });
    const expected = {
      backend: 'gpu',
      code: 'dependency-missing',
      reason: `@tensorflow/tfjs-node-gpu at ${GPU_DIR} cannot load @tensorflow/tfjs, a package it depends on: it was copied or installed without its dependencies`,
      fix: `run \`npm install @tensorflow/tfjs-node-gpu\` in ${WS}, which installs its dependencies too`,
    };
    assert.deepEqual(explainLoadError('gpu', GPU_DIR, error), expected);
    const sel = await selectBackend('auto', {
      probe,
      resolveFrom: [WS],
      load: () => {
        throw error;
      },
    });
    assert.equal(sel.kind, 'wasm');
    assert.deepEqual(sel.skipped[0], expected);
  });
});
