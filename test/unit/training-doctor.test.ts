import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { selectBackend } from '../../src/training/engine/backend';
import { diagnoseGpu, diagnoseNode, explainLoadError, type SystemProbe } from '../../src/training/engine/doctor';

/** A fake machine: files that exist, packages that resolve, ldconfig output. */
function fakeProbe(opts: { files?: string[]; packages?: Record<string, string>; ldconfig?: string; platform?: NodeJS.Platform; arch?: string; env?: Record<string, string> }): SystemProbe {
  const files = new Set(opts.files ?? []);
  return {
    platform: opts.platform ?? 'linux',
    arch: opts.arch ?? 'x64',
    env: opts.env ?? {},
    resolvePackage: (pkg, from) => (opts.packages?.[pkg] && from === '/ws' ? opts.packages[pkg] : null),
    exists: (f) => files.has(f) || [...files].some((x) => x.startsWith(`${f}/`)),
    readdir: (dir) => [...new Set([...files].filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split('/')[0]))],
    ldconfig: () => opts.ldconfig ?? null,
  };
}

const GPU_DIR = '/ws/node_modules/@tensorflow/tfjs-node-gpu';
const NODE_DIR = '/ws/node_modules/@tensorflow/tfjs-node';
const binding = (dir: string) => `${dir}/lib/napi-v8/tfjs_binding.node`;
const cuda11 = ['/usr/local/cuda/lib64/libcudart.so.11.0', '/usr/local/cuda/lib64/libcudnn.so.8'];
const device = ['/usr/lib/x86_64-linux-gnu/libcuda.so.1', '/dev/nvidia0', '/proc/driver/nvidia/gpus/0000:01:00.0/information'];
const opts = { resolveFrom: ['/ws'] };

describe('GPU doctor', () => {
  it('package absent: says where it looked and how to install it', () => {
    const d = diagnoseGpu(fakeProbe({}), opts);
    assert.equal(d.ok, false);
    assert.equal(!d.ok && d.code, 'package-absent');
    assert.match(!d.ok ? d.reason : '', /@tensorflow\/tfjs-node-gpu is not installed \(looked in \/ws\)/);
    assert.match(!d.ok ? (d.fix ?? '') : '', /npm install @tensorflow\/tfjs-node-gpu .*CUDA 11\.2 and cuDNN 8\.1/);
  });

  it('finds the package at a configured path (the package folder or a folder holding it)', () => {
    const probe = fakeProbe({ files: ['/opt/gpu/tfjs-node-gpu/package.json', binding('/opt/gpu/tfjs-node-gpu'), ...cuda11, ...device] });
    const d = diagnoseGpu(probe, { configuredPath: '/opt/gpu/tfjs-node-gpu', resolveFrom: [] });
    assert.deepEqual(d, { ok: true, dir: '/opt/gpu/tfjs-node-gpu', from: 'configured path' });
  });

  it('macOS and arm64 have no tfjs-node-gpu build', () => {
    const mac = diagnoseGpu(fakeProbe({ packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR }, platform: 'darwin' }), opts);
    assert.equal(!mac.ok && mac.code, 'platform-unsupported');
    assert.match(!mac.ok ? mac.reason : '', /no macOS build/);
    const arm = diagnoseGpu(fakeProbe({ packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR }, arch: 'arm64' }), opts);
    assert.match(!arm.ok ? arm.reason : '', /Linux and Windows on x64 only, not linux\/arm64/);
  });

  it('an install whose libtensorflow download failed has no binding', () => {
    const d = diagnoseGpu(fakeProbe({ packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR }, files: [`${GPU_DIR}/package.json`] }), opts);
    assert.equal(!d.ok && d.code, 'binding-missing');
    assert.match(!d.ok ? (d.fix ?? '') : '', /npm rebuild @tensorflow\/tfjs-node-gpu/);
  });

  it('CUDA missing, and CUDA of another version named', () => {
    const base = { packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR } };
    const none = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR)] }), opts);
    assert.equal(!none.ok && none.code, 'cuda-missing');
    assert.match(!none.ok ? none.reason : '', /CUDA 11\.2 runtime \(libcudart\.so\.11\.0\) is not found on LD_LIBRARY_PATH/);
    const v12 = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), '/usr/local/cuda/lib64/libcudart.so.12', '/usr/local/cuda/lib64/libcudart.so'] }), opts);
    assert.equal(!v12.ok && v12.code, 'cuda-version');
    assert.match(!v12.ok ? v12.reason : '', /not found; found libcudart\.so\.12, another CUDA version/);
    // The linker cache counts too, and LD_LIBRARY_PATH folders are searched.
    const viaLdconfig = diagnoseGpu(
      fakeProbe({ ...base, files: [binding(GPU_DIR), '/opt/cudnn/libcudnn.so.8.1.0', ...device], env: { LD_LIBRARY_PATH: '/opt/cudnn' }, ldconfig: '\tlibcudart.so.11.0 (libc6,x86-64) => /usr/lib/libcudart.so.11.0\n' }),
      opts,
    );
    assert.equal(viaLdconfig.ok, true);
  });

  it('cuDNN missing or of another version', () => {
    const base = { packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR } };
    const none = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), cuda11[0]] }), opts);
    assert.equal(!none.ok && none.code, 'cudnn-missing');
    assert.match(!none.ok ? none.reason : '', /cuDNN 8\.1 \(libcudnn\.so\.8\) is not found/);
    const v9 = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), cuda11[0], '/usr/lib/x86_64-linux-gnu/libcudnn.so.9'] }), opts);
    assert.equal(!v9.ok && v9.code, 'cudnn-version');
    assert.match(!v9.ok ? v9.reason : '', /found libcudnn\.so\.9, another cuDNN version/);
  });

  it('no device: no driver, or a driver without a device', () => {
    const base = { packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR } };
    const none = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), ...cuda11] }), opts);
    assert.equal(!none.ok && none.code, 'no-device');
    assert.match(!none.ok ? none.reason : '', /no NVIDIA driver or device is visible/);
    const driverOnly = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), ...cuda11, device[0]] }), opts);
    assert.match(!driverOnly.ok ? driverOnly.reason : '', /driver library is present but no device is .*--gpus/);
    const ok = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), ...cuda11, ...device] }), opts);
    assert.deepEqual(ok, { ok: true, dir: GPU_DIR, from: '/ws' });
  });

  it('Windows: the DLL names and PATH', () => {
    const base = { packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR }, platform: 'win32' as const };
    const bin = 'C:\\CUDA\\bin';
    const p = (f: string) => path.join(bin, f);
    const missing = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR)], env: { PATH: bin } }), opts);
    assert.match(!missing.ok ? missing.reason : '', /cudart64_110\.dll\) is not found on PATH/);
    const wrong = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), p('cudart64_12.dll')], env: { PATH: bin } }), opts);
    assert.match(!wrong.ok ? wrong.reason : '', /found cudart64_12\.dll/);
  });

  it('load errors are explained by the library that failed', () => {
    const e = explainLoadError('gpu', GPU_DIR, new Error('libcudnn.so.8: cannot open shared object file: No such file or directory'));
    assert.equal(e.code, 'cudnn-missing');
    assert.match(e.reason, /libcudnn\.so\.8 cannot be loaded/);
    const abi = explainLoadError('node', NODE_DIR, new Error('The module was compiled against a different Node.js version using NODE_MODULE_VERSION 93'));
    assert.equal(abi.code, 'abi-mismatch');
    assert.equal(explainLoadError('node', NODE_DIR, new Error('boom')).code, 'load-failed');
  });

  it('tfjs-node: absent, or present without its binding', () => {
    assert.equal((diagnoseNode(fakeProbe({}), opts) as { code: string }).code, 'package-absent');
    const noBinding = diagnoseNode(fakeProbe({ packages: { '@tensorflow/tfjs-node': NODE_DIR } }), opts);
    assert.equal(!noBinding.ok && noBinding.code, 'binding-missing');
  });
});

describe('backend chain', () => {
  it('auto on this machine: gpu and node skipped with reasons, wasm chosen', async () => {
    const sel = await selectBackend('auto', { probe: fakeProbe({}), resolveFrom: ['/ws'] });
    assert.equal(sel.kind, 'wasm');
    assert.deepEqual(sel.skipped.map((s) => [s.backend, s.code]), [['gpu', 'package-absent'], ['node', 'package-absent']]);
    assert.match(sel.detail, /with SIMD/);
    assert.ok(sel.wasmKernels?.composed.includes('Conv2DBackpropFilter'));
    assert.ok(sel.wasmKernels?.delegated.includes('DepthwiseConv2dNativeBackpropFilter'));
  });

  it('an explicit gpu request that cannot be met throws with the reason and fix', async () => {
    await assert.rejects(selectBackend('gpu', { probe: fakeProbe({}), resolveFrom: ['/ws'] }), /backend 'gpu' is not available: @tensorflow\/tfjs-node-gpu is not installed.* — npm install/);
  });

  it('a tfjs-node-gpu that loads but sees no CUDA device runs as node under auto, and says why', async () => {
    const probe = fakeProbe({ packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR }, files: [binding(GPU_DIR), ...cuda11, ...device] });
    const fakeTf = { ready: async () => undefined, getBackend: () => 'tensorflow', backend: () => ({ isUsingGpuDevice: false }) };
    const sel = await selectBackend('auto', { probe, resolveFrom: ['/ws'], load: () => fakeTf });
    assert.equal(sel.kind, 'node');
    assert.equal(sel.tf as unknown, fakeTf);
    assert.equal(sel.skipped[0].code, 'no-device');
    assert.match(sel.skipped[0].reason, /found no usable CUDA device/);
  });

  it('a tfjs-node-gpu on a device is chosen; a load failure falls through to the next step', async () => {
    const probe = fakeProbe({ packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR, '@tensorflow/tfjs-node': NODE_DIR }, files: [binding(GPU_DIR), binding(NODE_DIR), ...cuda11, ...device] });
    const gpuTf = { ready: async () => undefined, getBackend: () => 'tensorflow', backend: () => ({ isUsingGpuDevice: true }) };
    const gpu = await selectBackend('auto', { probe, resolveFrom: ['/ws'], load: () => gpuTf });
    assert.equal(gpu.kind, 'gpu');
    assert.match(gpu.detail, /on a CUDA device \(from \/ws\)/);
    const nodeTf = { ready: async () => undefined, getBackend: () => 'tensorflow', backend: () => ({}) };
    const fallback = await selectBackend('auto', {
      probe,
      resolveFrom: ['/ws'],
      load: (dir) => {
        if (dir === GPU_DIR) throw new Error('libcudart.so.11.0: cannot open shared object file');
        return nodeTf;
      },
    });
    assert.equal(fallback.kind, 'node');
    assert.deepEqual(fallback.skipped.map((s) => s.code), ['cuda-missing']);
  });
});
