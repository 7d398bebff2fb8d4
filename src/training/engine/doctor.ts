/**
 * The backend chain's detection, as pure functions over a `SystemProbe` (the file system,
 * module resolution and the environment), so every message is unit-tested with fakes.
 *
 *   tfjs-node-gpu (CUDA)  →  tfjs-node  →  tfjs + wasm backend  →  tfjs cpu backend
 *
 * For tfjs-node-gpu 4.x on Linux/Windows x64, TensorFlow 2.9's libtensorflow needs CUDA
 * 11.2 (`libcudart.so.11.0`, `cudart64_110.dll`) and cuDNN 8.1 (`libcudnn.so.8`,
 * `cudnn64_8.dll`), an NVIDIA driver and a device. The "GPU doctor" is `diagnoseGpu`: it
 * says which of these is missing and how to fix it, before anything is loaded.
 */
import * as path from 'node:path';
import type { BackendKind, SkippedBackend } from '../protocol';

export interface SystemProbe {
  platform: NodeJS.Platform;
  arch: string;
  env: Record<string, string | undefined>;
  /** The directory of `pkg` (its package.json's folder) resolved from `fromDir`, or null. */
  resolvePackage(pkg: string, fromDir: string): string | null;
  exists(file: string): boolean;
  /** Entries of a directory; [] when it does not exist. */
  readdir(dir: string): string[];
  /** `ldconfig -p` output (Linux), or null when it cannot be run. */
  ldconfig(): string | null;
}

export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
export const NODE_PACKAGE = '@tensorflow/tfjs-node';

export interface Located {
  ok: true;
  /** The package folder. */
  dir: string;
  /** Where it was found: `configured path`, or the folder it resolved from. */
  from: string;
}
export type Diagnosis = Located | ({ ok: false } & SkippedBackend);

const CUDA = { version: '11.2', linux: 'libcudart.so.11.0', windows: 'cudart64_110.dll' };
const CUDNN = { version: '8.1', linux: 'libcudnn.so.8', windows: 'cudnn64_8.dll' };
const INSTALL_CUDA =
  'install CUDA 11.2 and cuDNN 8.1 (tfjs-node-gpu 4.x is built against them) and put their lib folder on LD_LIBRARY_PATH (PATH on Windows)';

/** Folders to look for a package in: the configured path first, then each resolve folder. */
export function locatePackage(probe: SystemProbe, pkg: string, configured: string | undefined, resolveFrom: string[]): Located | null {
  if (configured) {
    // The package folder itself, or a folder whose node_modules holds it.
    if (probe.exists(path.join(configured, 'package.json')) && path.basename(configured) === pkg.split('/')[1]) {
      return { ok: true, dir: configured, from: 'configured path' };
    }
    const dir = probe.resolvePackage(pkg, configured);
    if (dir) return { ok: true, dir, from: 'configured path' };
  }
  for (const from of resolveFrom) {
    const dir = probe.resolvePackage(pkg, from);
    if (dir) return { ok: true, dir, from };
  }
  return null;
}

/** The compiled binding tfjs-node's install script puts under `lib/napi-v*`. */
function hasBinding(probe: SystemProbe, dir: string): boolean {
  const lib = path.join(dir, 'lib');
  return probe.readdir(lib).some((d) => d.startsWith('napi-v') && probe.exists(path.join(lib, d, 'tfjs_binding.node')));
}

function libraryDirs(probe: SystemProbe): string[] {
  const sep = probe.platform === 'win32' ? ';' : ':';
  const env = probe.env;
  if (probe.platform === 'win32') {
    const dirs = (env.PATH ?? env.Path ?? '').split(sep).filter(Boolean);
    if (env.CUDA_PATH) dirs.push(path.join(env.CUDA_PATH, 'bin'));
    return dirs;
  }
  const dirs = (env.LD_LIBRARY_PATH ?? '').split(sep).filter(Boolean);
  for (const root of [env.CUDA_HOME, env.CUDA_PATH].filter((x): x is string => !!x)) dirs.push(path.join(root, 'lib64'));
  dirs.push('/usr/local/cuda/lib64', '/usr/local/cuda-11.2/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib');
  return [...new Set(dirs)];
}

/** Every file name under the library folders (and in `ldconfig -p`) matching `pattern`. */
function findLibraries(probe: SystemProbe, pattern: RegExp): string[] {
  const found = new Set<string>();
  for (const dir of libraryDirs(probe)) for (const f of probe.readdir(dir)) if (pattern.test(f)) found.add(f);
  if (probe.platform === 'linux') {
    for (const line of (probe.ldconfig() ?? '').split('\n')) {
      const name = line.trim().split(/\s+/)[0];
      if (name && pattern.test(name)) found.add(name);
    }
  }
  return [...found].sort();
}

/**
 * Whether a library of the needed version is present; else the versions that are (for the
 * message "found CUDA 12 (libcudart.so.12) but …").
 */
function checkLibrary(probe: SystemProbe, lib: { version: string; linux: string; windows: string }, stem: { linux: RegExp; windows: RegExp }): { ok: true } | { ok: false; others: string[] } {
  const win = probe.platform === 'win32';
  const wanted = win ? lib.windows : lib.linux;
  const all = findLibraries(probe, win ? stem.windows : stem.linux);
  if (all.some((f) => f === wanted || (!win && f.startsWith(`${wanted}.`)))) return { ok: true };
  return { ok: false, others: all };
}

function hasDevice(probe: SystemProbe): { ok: true } | { ok: false; why: string } {
  if (probe.platform === 'win32') {
    const root = probe.env.SystemRoot ?? 'C:\\Windows';
    return probe.exists(path.join(root, 'System32', 'nvcuda.dll')) ? { ok: true } : { ok: false, why: 'the NVIDIA driver (nvcuda.dll) is not installed' };
  }
  const driverLib = findLibraries(probe, /^libcuda\.so(\.\d+)*$/).length > 0;
  const gpus = probe.readdir('/proc/driver/nvidia/gpus');
  const node = probe.exists('/dev/nvidia0');
  if (!driverLib && gpus.length === 0 && !node) return { ok: false, why: 'no NVIDIA driver or device is visible (no libcuda.so, no /dev/nvidia0, /proc/driver/nvidia/gpus empty)' };
  if (gpus.length === 0 && !node) return { ok: false, why: 'the NVIDIA driver library is present but no device is (no /dev/nvidia0, /proc/driver/nvidia/gpus empty; in a container, pass the GPU in with --gpus)' };
  if (!driverLib) return { ok: false, why: 'a device is present but the NVIDIA driver library libcuda.so.1 is not found' };
  return { ok: true };
}

function platformSupported(probe: SystemProbe, gpu: boolean): string | null {
  const p = probe.platform;
  const a = probe.arch;
  if (gpu) {
    if (p === 'darwin') return 'tfjs-node-gpu has no macOS build (CUDA is not available on macOS)';
    if ((p !== 'linux' && p !== 'win32') || a !== 'x64') return `tfjs-node-gpu is built for Linux and Windows on x64 only, not ${p}/${a}`;
    return null;
  }
  const ok = (p === 'linux' && (a === 'x64' || a === 'arm64')) || (p === 'darwin' && (a === 'x64' || a === 'arm64')) || (p === 'win32' && a === 'x64');
  return ok ? null : `tfjs-node has no build for ${p}/${a}`;
}

export interface DoctorOptions {
  configuredPath?: string;
  resolveFrom: string[];
}

/** Everything that can be checked about tfjs-node-gpu before loading it. */
export function diagnoseGpu(probe: SystemProbe, opts: DoctorOptions): Diagnosis {
  const where = opts.resolveFrom.length ? opts.resolveFrom.join(', ') : 'nowhere';
  const located = locatePackage(probe, GPU_PACKAGE, opts.configuredPath, opts.resolveFrom);
  if (!located) {
    return {
      ok: false,
      backend: 'gpu',
      code: 'package-absent',
      reason: `${GPU_PACKAGE} is not installed (looked in ${opts.configuredPath ? `the configured path ${opts.configuredPath}, ` : ''}${where})`,
      fix: `npm install ${GPU_PACKAGE} in the workspace (Linux or Windows x64 with an NVIDIA GPU), or set its path in the settings; it needs CUDA ${CUDA.version} and cuDNN ${CUDNN.version}`,
    };
  }
  const unsupported = platformSupported(probe, true);
  if (unsupported) return { ok: false, backend: 'gpu', code: 'platform-unsupported', reason: unsupported };
  if (!hasBinding(probe, located.dir)) {
    return {
      ok: false,
      backend: 'gpu',
      code: 'binding-missing',
      reason: `${GPU_PACKAGE} at ${located.dir} has no compiled binding (lib/napi-v*/tfjs_binding.node): its install script, which downloads libtensorflow, did not finish`,
      fix: `run \`npm rebuild ${GPU_PACKAGE}\` where it is installed, with internet access`,
    };
  }
  const cuda = checkLibrary(probe, CUDA, { linux: /^libcudart\.so(\.\d+)*$/, windows: /^cudart64_\d+\.dll$/i });
  if (!cuda.ok) {
    const found = cuda.others.filter((f) => f !== 'libcudart.so');
    return {
      ok: false,
      backend: 'gpu',
      code: found.length ? 'cuda-version' : 'cuda-missing',
      reason: found.length
        ? `CUDA ${CUDA.version} runtime (${probe.platform === 'win32' ? CUDA.windows : CUDA.linux}) not found; found ${found.join(', ')}, another CUDA version, which tfjs-node-gpu cannot use`
        : `the CUDA ${CUDA.version} runtime (${probe.platform === 'win32' ? CUDA.windows : CUDA.linux}) is not found on ${probe.platform === 'win32' ? 'PATH' : 'LD_LIBRARY_PATH, /usr/local/cuda/lib64 or the linker cache'}`,
      fix: INSTALL_CUDA,
    };
  }
  const cudnn = checkLibrary(probe, CUDNN, { linux: /^libcudnn\.so(\.\d+)*$/, windows: /^cudnn64_\d+\.dll$/i });
  if (!cudnn.ok) {
    const found = cudnn.others.filter((f) => f !== 'libcudnn.so');
    return {
      ok: false,
      backend: 'gpu',
      code: found.length ? 'cudnn-version' : 'cudnn-missing',
      reason: found.length
        ? `cuDNN ${CUDNN.version} (${probe.platform === 'win32' ? CUDNN.windows : CUDNN.linux}) not found; found ${found.join(', ')}, another cuDNN version`
        : `cuDNN ${CUDNN.version} (${probe.platform === 'win32' ? CUDNN.windows : CUDNN.linux}) is not found`,
      fix: INSTALL_CUDA,
    };
  }
  const device = hasDevice(probe);
  if (!device.ok) {
    return { ok: false, backend: 'gpu', code: 'no-device', reason: device.why, fix: 'install the NVIDIA driver and check that `nvidia-smi` lists a GPU' };
  }
  return located;
}

/** Everything that can be checked about tfjs-node before loading it. */
export function diagnoseNode(probe: SystemProbe, opts: DoctorOptions): Diagnosis {
  const located = locatePackage(probe, NODE_PACKAGE, undefined, opts.resolveFrom);
  if (!located) {
    return {
      ok: false,
      backend: 'node',
      code: 'package-absent',
      reason: `${NODE_PACKAGE} is not installed (looked in ${opts.resolveFrom.join(', ') || 'nowhere'})`,
      fix: `npm install ${NODE_PACKAGE} in the workspace for native TensorFlow on the CPU (usually several times faster than wasm)`,
    };
  }
  const unsupported = platformSupported(probe, false);
  if (unsupported) return { ok: false, backend: 'node', code: 'platform-unsupported', reason: unsupported };
  if (!hasBinding(probe, located.dir)) {
    return {
      ok: false,
      backend: 'node',
      code: 'binding-missing',
      reason: `${NODE_PACKAGE} at ${located.dir} has no compiled binding (lib/napi-v*/tfjs_binding.node): its install script, which downloads libtensorflow, did not finish`,
      fix: `run \`npm rebuild ${NODE_PACKAGE}\` where it is installed, with internet access`,
    };
  }
  return located;
}

/** Turns an error thrown while loading tfjs-node(-gpu) into a reason a user can act on. */
export function explainLoadError(kind: 'gpu' | 'node', dir: string, error: unknown): SkippedBackend {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n')[0];
  const pkg = kind === 'gpu' ? GPU_PACKAGE : NODE_PACKAGE;
  let m = /(libcudart\.so[.\d]*|libcudnn\.so[.\d]*|libcublas\w*\.so[.\d]*|libcufft\.so[.\d]*|libcurand\.so[.\d]*|libcusolver\.so[.\d]*|libcusparse\.so[.\d]*|cudart64_\d+\.dll|cudnn64_\d+\.dll)/.exec(text);
  if (m) {
    return {
      backend: kind,
      code: /cudnn/i.test(m[1]) ? 'cudnn-missing' : 'cuda-missing',
      reason: `loading ${pkg} failed: ${m[1]} cannot be loaded (${first})`,
      fix: INSTALL_CUDA,
    };
  }
  m = /(libtensorflow[\w.]*|tfjs_binding\.node)/.exec(text);
  if (m) {
    return {
      backend: kind,
      code: 'binding-missing',
      reason: `loading ${pkg} failed: ${m[1]} cannot be loaded (${first})`,
      fix: `run \`npm rebuild ${pkg}\` in ${path.dirname(path.dirname(dir))} with internet access`,
    };
  }
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(text)) {
    return { backend: kind, code: 'abi-mismatch', reason: `${pkg} was built for another Node.js version (${first})`, fix: `run \`npm rebuild ${pkg}\` with the Node.js that runs the training` };
  }
  return { backend: kind, code: 'load-failed', reason: `loading ${pkg} from ${dir} failed: ${first}` };
}

/** The order tried for each request. */
export function chainFor(requested: 'auto' | BackendKind): BackendKind[] {
  return requested === 'auto' ? ['gpu', 'node', 'wasm', 'cpu'] : [requested];
}
