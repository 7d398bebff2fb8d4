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
    const none = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), cuda11[1]] }), opts);
    assert.equal(!none.ok && none.code, 'cuda-missing');
    assert.match(!none.ok ? none.reason : '', /CUDA 11\.2 runtime \(libcudart\.so\.11\.0\) is not found on LD_LIBRARY_PATH/);
    const v12 = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), cuda11[1], '/usr/local/cuda/lib64/libcudart.so.12', '/usr/local/cuda/lib64/libcudart.so'] }), opts);
    assert.equal(!v12.ok && v12.code, 'cuda-version');
    assert.equal(!v12.ok && v12.reason, 'the CUDA 11.2 runtime (libcudart.so.11.0) is not found; found CUDA 12 (libcudart.so.12), which tfjs-node-gpu cannot use');
    assert.equal(!v12.ok && v12.fix, 'install CUDA 11.2, the version tfjs-node-gpu 4.x is built against (it can be installed beside CUDA 12), and put the folder holding libcudart.so.11.0 on LD_LIBRARY_PATH');
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
    assert.equal(!v9.ok && v9.reason, 'cuDNN 8.1 (libcudnn.so.8) is not found; found cuDNN 9 (libcudnn.so.9), which tfjs-node-gpu cannot use');
    assert.equal(!v9.ok && v9.fix, 'install cuDNN 8.1, the version tfjs-node-gpu 4.x is built against (it can be installed beside cuDNN 9), and put the folder holding libcudnn.so.8 on LD_LIBRARY_PATH');
  });

  it('CUDA and cuDNN both wrong: one diagnosis names both, with the code of the CUDA problem', () => {
    const base = { packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR } };
    const both = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), '/usr/local/cuda/lib64/libcudart.so.12', '/usr/lib/x86_64-linux-gnu/libcudnn.so.9', ...device] }), opts);
    assert.equal(!both.ok && both.code, 'cuda-version');
    assert.equal(!both.ok && both.reason, 'neither the CUDA 11.2 runtime (libcudart.so.11.0) nor cuDNN 8.1 (libcudnn.so.8) is found; found CUDA 12 (libcudart.so.12) and cuDNN 9 (libcudnn.so.9), which tfjs-node-gpu cannot use');
    assert.equal(
      !both.ok && both.fix,
      'install CUDA 11.2 and cuDNN 8.1, the versions tfjs-node-gpu 4.x is built against (they can be installed beside CUDA 12 and cuDNN 9), and put the folders holding libcudart.so.11.0 and libcudnn.so.8 on LD_LIBRARY_PATH',
    );
    const none = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), ...device] }), opts);
    assert.equal(!none.ok && none.code, 'cuda-missing');
    assert.equal(!none.ok && none.reason, 'neither the CUDA 11.2 runtime (libcudart.so.11.0) nor cuDNN 8.1 (libcudnn.so.8) is found on LD_LIBRARY_PATH, /usr/local/cuda/lib64 or the linker cache');
    assert.equal(!none.ok && none.fix, 'install CUDA 11.2 and cuDNN 8.1, the versions tfjs-node-gpu 4.x is built against, and put the folders holding libcudart.so.11.0 and libcudnn.so.8 on LD_LIBRARY_PATH');
    // CUDA absent, cuDNN of another version: still the CUDA code, and the cuDNN found is named.
    const mixed = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), '/usr/lib/x86_64-linux-gnu/libcudnn.so.9', ...device] }), opts);
    assert.equal(!mixed.ok && mixed.code, 'cuda-missing');
    assert.match(!mixed.ok ? mixed.reason : '', /^neither .* is found; found cuDNN 9 \(libcudnn\.so\.9\), which tfjs-node-gpu cannot use$/);
  });

  it('found libraries are named once per major version; cuDNN sub-libraries are not counted', () => {
    const base = { packages: { '@tensorflow/tfjs-node-gpu': GPU_DIR } };
    const lib = (f: string) => `/usr/local/cuda/lib64/${f}`;
    const files = [binding(GPU_DIR), cuda11[0], ...['libcudart.so.12', 'libcudart.so.12.4.127', 'libcudart.so.10.1', 'libcudart.so'].map(lib)];
    files.push(...['libcudnn.so', 'libcudnn.so.9', 'libcudnn.so.9.14.0', 'libcudnn.so.7.6.5', 'libcudnn_ops.so.9', 'libcudnn_cnn.so.8', 'libcudnn_ops_infer.so.8'].map((f) => `/usr/lib/x86_64-linux-gnu/${f}`));
    const d = diagnoseGpu(fakeProbe({ ...base, files }), opts);
    assert.equal(!d.ok && d.code, 'cudnn-version');
    assert.equal(!d.ok && d.reason, 'cuDNN 8.1 (libcudnn.so.8) is not found; found cuDNN 7 (libcudnn.so.7.6.5) and cuDNN 9 (libcudnn.so.9), which tfjs-node-gpu cannot use');
    const cudaOnly = diagnoseGpu(fakeProbe({ ...base, files: files.filter((f) => f !== cuda11[0]).concat('/usr/lib/x86_64-linux-gnu/libcudnn.so.8') }), opts);
    assert.equal(!cudaOnly.ok && cudaOnly.reason, 'the CUDA 11.2 runtime (libcudart.so.11.0) is not found; found CUDA 10 (libcudart.so.10.1) and CUDA 12 (libcudart.so.12), which tfjs-node-gpu cannot use');
    // Only sub-libraries of cuDNN: that is no cuDNN.
    const subOnly = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), cuda11[0], '/usr/lib/x86_64-linux-gnu/libcudnn_ops.so.9'] }), opts);
    assert.equal(!subOnly.ok && subOnly.code, 'cudnn-missing');
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
    const missing = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), p('cudnn64_8.dll')], env: { PATH: bin } }), opts);
    assert.match(!missing.ok ? missing.reason : '', /cudart64_110\.dll\) is not found on PATH/);
    const wrong = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), p('cudnn64_8.dll'), p('cudart64_12.dll')], env: { PATH: bin } }), opts);
    assert.match(!wrong.ok ? wrong.reason : '', /found CUDA 12 \(cudart64_12\.dll\)/);
    // cudart64_110.dll is every CUDA 11.x, cudart64_101.dll CUDA 10.1, cudart64_92.dll CUDA 9.2; cuDNN sub-libraries are not counted.
    const dlls = ['cudart64_101.dll', 'cudart64_92.dll', 'cudart64_12.dll', 'cudart64_13.dll', 'cudnn64_9.dll', 'cudnn_ops64_9.dll', 'cudnn_ops_infer64_8.dll'].map(p);
    const both = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), ...dlls], env: { PATH: bin } }), opts);
    assert.equal(!both.ok && both.code, 'cuda-version');
    assert.equal(
      !both.ok && both.reason,
      'neither the CUDA 11.2 runtime (cudart64_110.dll) nor cuDNN 8.1 (cudnn64_8.dll) is found; found CUDA 9 (cudart64_92.dll), CUDA 10 (cudart64_101.dll), CUDA 12 (cudart64_12.dll), CUDA 13 (cudart64_13.dll) and cuDNN 9 (cudnn64_9.dll), which tfjs-node-gpu cannot use',
    );
    assert.match(!both.ok ? (both.fix ?? '') : '', /put the folders holding cudart64_110\.dll and cudnn64_8\.dll on PATH$/);
    const cuda11dll = diagnoseGpu(fakeProbe({ ...base, files: [binding(GPU_DIR), p('cudart64_110.dll'), p('cudnn64_9.dll')], env: { PATH: bin } }), opts);
    assert.equal(!cuda11dll.ok && cuda11dll.reason, 'cuDNN 8.1 (cudnn64_8.dll) is not found; found cuDNN 9 (cudnn64_9.dll), which tfjs-node-gpu cannot use');
  });

  it('load errors are explained by the library that failed', () => {
    const e = explainLoadError('gpu', GPU_DIR, new Error('libcudnn.so.8: cannot open shared object file: No such file or directory'));
    assert.equal(e.code, 'cudnn-missing');
    assert.match(e.reason, /libcudnn\.so\.8 cannot be loaded/);
    const abi = explainLoadError('node', NODE_DIR, new Error('The module was compiled against a different Node.js version using NODE_MODULE_VERSION 93'));
    assert.equal(abi.code, 'abi-mismatch');
    assert.equal(explainLoadError('node', NODE_DIR, new Error('boom')).code, 'load-failed');
    assert.equal(explainLoadError('gpu', GPU_DIR, new Error('tfjs_binding.node: invalid ELF header')).fix, 'run `npm rebuild @tensorflow/tfjs-node-gpu` in /ws with internet access');
  });

  it('a package copied or installed without its dependencies: npm install where it is', () => {
    const stack = `Require stack:\n- ${GPU_DIR}/dist/index.js\n- /ext/dist/train-worker.js`;
    const cjs = explainLoadError('gpu', GPU_DIR, Object.assign(new Error(`Cannot find module '@tensorflow/tfjs'\n${stack}`), { code: 'MODULE_NOT_FOUND' }));
    assert.equal(cjs.code, 'dependency-missing');
    assert.equal(cjs.reason, `@tensorflow/tfjs-node-gpu at ${GPU_DIR} cannot load @tensorflow/tfjs, a package it depends on: it was copied or installed without its dependencies`);
    assert.equal(cjs.fix, 'run `npm install @tensorflow/tfjs-node-gpu` in /ws, which installs its dependencies too');
    for (const dep of ['adm-zip', 'google-protobuf', 'rimraf', 'tar', '@mapbox/node-pre-gyp', 'https-proxy-agent', 'progress']) {
      const e = explainLoadError('gpu', GPU_DIR, new Error(`Cannot find module '${dep}/lib/index.js'\n${stack}`));
      assert.equal(e.code, 'dependency-missing', dep);
      assert.match(e.reason, new RegExp(`cannot load ${dep}, a package`));
    }
    const esm = explainLoadError('node', NODE_DIR, Object.assign(new Error(`Cannot find package 'google-protobuf' imported from ${NODE_DIR}/dist/index.js`), { code: 'ERR_MODULE_NOT_FOUND' }));
    assert.equal(esm.code, 'dependency-missing');
    assert.equal(esm.fix, 'run `npm install @tensorflow/tfjs-node` in /ws, which installs its dependencies too');
    // A package folder of its own (a configured path outside any node_modules): npm install in it.
    const own = explainLoadError('gpu', '/opt/gpu/tfjs-node-gpu', new Error("Cannot find module 'adm-zip'"));
    assert.equal(own.fix, 'run `npm install` in /opt/gpu/tfjs-node-gpu, which installs its dependencies');
    const win = explainLoadError('gpu', 'C:\\ws\\node_modules\\@tensorflow\\tfjs-node-gpu', new Error("Cannot find module '@tensorflow/tfjs'"));
    assert.equal(win.fix, 'run `npm install @tensorflow/tfjs-node-gpu` in C:\\ws, which installs its dependencies too');
    // A missing file of the package itself is not a missing dependency.
    const file = explainLoadError('gpu', GPU_DIR, new Error(`Cannot find module '${GPU_DIR}/dist/index.js'`));
    assert.equal(file.code, 'load-failed');
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
