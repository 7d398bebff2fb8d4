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
import type { BackendKind, SkippedBackend } from '../../protocol/worker';

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

interface Library {
  /** How a user names it: `CUDA`, `cuDNN`. */
  name: string;
  /** What the reason calls it: `the CUDA 11.2 runtime`. */
  title: string;
  version: string;
  linux: string;
  windows: string;
  /** Every file name of the library, any version; sub-libraries (libcudnn_ops…) do not match. */
  stem: { linux: RegExp; windows: RegExp };
  /** The major version a file name stands for, or null for an unversioned name (libcudart.so). */
  major(file: string): number | null;
}

/** The major version in a Linux soname: libcudart.so.13.0.96 → 13. */
const sonameMajor = (file: string): number | null => {
  const m = /\.so\.(\d+)/.exec(file);
  return m ? Number(m[1]) : null;
};

const CUDA: Library = {
  name: 'CUDA',
  title: 'the CUDA 11.2 runtime',
  version: '11.2',
  linux: 'libcudart.so.11.0',
  windows: 'cudart64_110.dll',
  stem: { linux: /^libcudart\.so(\.\d+)*$/, windows: /^cudart64_\d+\.dll$/i },
  major(file) {
    const win = /^cudart64_(\d+)\.dll$/i.exec(file);
    if (!win) return sonameMajor(file);
    // Major and minor up to CUDA 11 (cudart64_92.dll, cudart64_101.dll, cudart64_110.dll for all of 11.x), the major alone since 12.
    const d = win[1];
    if (d.length >= 3) return Number(d.slice(0, -1));
    return d.length === 2 && Number(d) >= 50 ? Number(d[0]) : Number(d);
  },
};
const CUDNN: Library = {
  name: 'cuDNN',
  title: 'cuDNN 8.1',
  version: '8.1',
  linux: 'libcudnn.so.8',
  windows: 'cudnn64_8.dll',
  stem: { linux: /^libcudnn\.so(\.\d+)*$/, windows: /^cudnn64_\d+\.dll$/i },
  major(file) {
    const win = /^cudnn64_(\d+)\.dll$/i.exec(file);
    return win ? Number(win[1]) : sonameMajor(file);
  },
};
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

/** A version of a library that is present but not the one needed: `CUDA 13` (libcudart.so.13). */
interface FoundVersion {
  label: string;
  /** The shortest of its file names, the one the loader asks for. */
  file: string;
}

interface LibraryCheck {
  lib: Library;
  ok: boolean;
  /** The other versions present, one per major version, oldest first. */
  found: FoundVersion[];
}

/** Whether a library of the needed version is present; else the other versions that are. */
function checkLibrary(probe: SystemProbe, lib: Library): LibraryCheck {
  const win = probe.platform === 'win32';
  const wanted = win ? lib.windows : lib.linux;
  const all = findLibraries(probe, win ? lib.stem.windows : lib.stem.linux);
  if (all.some((f) => f === wanted || (!win && f.startsWith(`${wanted}.`)))) return { lib, ok: true, found: [] };
  const byMajor = new Map<number, string>();
  for (const f of all) {
    const major = lib.major(f);
    if (major === null) continue;
    const seen = byMajor.get(major);
    if (seen === undefined || f.length < seen.length || (f.length === seen.length && f < seen)) byMajor.set(major, f);
  }
  const found = [...byMajor].sort(([a], [b]) => a - b).map(([major, file]) => ({ label: `${lib.name} ${major}`, file }));
  return { lib, ok: false, found };
}

/** `a`, `a and b`, `a, b and c`. */
function listOf(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * One diagnosis for every library that is missing or of another version, so that fixing it
 * does not uncover the next; its code is the first problem's (cuda-* before cudnn-*).
 */
function libraryProblem(probe: SystemProbe, checks: LibraryCheck[]): { ok: false } & SkippedBackend {
  const win = probe.platform === 'win32';
  const failed = checks.filter((c) => !c.ok);
  const first = failed[0];
  const found = failed.flatMap((c) => c.found);
  const fileOf = (lib: Library) => (win ? lib.windows : lib.linux);
  const named = failed.map((c) => `${c.lib.title} (${fileOf(c.lib)})`);
  const subject = named.length > 1 ? `neither ${named.join(' nor ')} is found` : `${named[0]} is not found`;
  const where = win ? 'PATH' : 'LD_LIBRARY_PATH, /usr/local/cuda/lib64 or the linker cache';
  const reason = found.length
    ? `${subject}; found ${listOf(found.map((f) => `${f.label} (${f.file})`))}, which tfjs-node-gpu cannot use`
    : `${subject} on ${where}`;
  const one = failed.length === 1;
  const beside = found.length ? ` (${one ? 'it' : 'they'} can be installed beside ${listOf(found.map((f) => f.label))})` : '';
  const fix =
    `install ${listOf(failed.map((c) => `${c.lib.name} ${c.lib.version}`))}, the version${one ? '' : 's'} tfjs-node-gpu 4.x is built against${beside}, ` +
    `and put the folder${one ? '' : 's'} holding ${listOf(failed.map((c) => fileOf(c.lib)))} on ${win ? 'PATH' : 'LD_LIBRARY_PATH'}`;
  const prefix = first.lib === CUDA ? 'cuda' : 'cudnn';
  return { ok: false, backend: 'gpu', code: `${prefix}-${first.found.length ? 'version' : 'missing'}`, reason, fix };
}

/**
 * The folder whose node_modules holds the package folder `dir` (where to run npm for it), or
 * `dir` itself when it is a package folder of its own.
 */
function installRoot(dir: string): { root: string; inNodeModules: boolean } {
  const m = /^(.*)[\\/]node_modules[\\/]/.exec(dir);
  return m ? { root: m[1] || '/', inNodeModules: true } : { root: dir, inNodeModules: false };
}

function hasDevice(probe: SystemProbe): { ok: true } | { ok: false; why: string } {
  if (probe.platform === 'win32') {
    const root = probe.env.SystemRoot ?? 'C:\\Windows';
    return probe.exists(path.join(root, 'System32', 'nvcuda.dll'))
      ? { ok: true }
      : { ok: false, why: 'the NVIDIA driver (nvcuda.dll) is not installed' };
  }
  const driverLib = findLibraries(probe, /^libcuda\.so(\.\d+)*$/).length > 0;
  const gpus = probe.readdir('/proc/driver/nvidia/gpus');
  const node = probe.exists('/dev/nvidia0');
  if (!driverLib && gpus.length === 0 && !node)
    return { ok: false, why: 'no NVIDIA driver or device is visible (no libcuda.so, no /dev/nvidia0, /proc/driver/nvidia/gpus empty)' };
  if (gpus.length === 0 && !node)
    return {
      ok: false,
      why: 'the NVIDIA driver library is present but no device is (no /dev/nvidia0, /proc/driver/nvidia/gpus empty; in a container, pass the GPU in with --gpus)',
    };
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
  const ok =
    (p === 'linux' && (a === 'x64' || a === 'arm64')) ||
    (p === 'darwin' && (a === 'x64' || a === 'arm64')) ||
    (p === 'win32' && a === 'x64');
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
  const libraries = [checkLibrary(probe, CUDA), checkLibrary(probe, CUDNN)];
  if (libraries.some((c) => !c.ok)) return libraryProblem(probe, libraries);
  const device = hasDevice(probe);
  if (!device.ok) {
    return {
      ok: false,
      backend: 'gpu',
      code: 'no-device',
      reason: device.why,
      fix: 'install the NVIDIA driver and check that `nvidia-smi` lists a GPU',
    };
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
  let m =
    /(libcudart\.so[.\d]*|libcudnn\.so[.\d]*|libcublas\w*\.so[.\d]*|libcufft\.so[.\d]*|libcurand\.so[.\d]*|libcusolver\.so[.\d]*|libcusparse\.so[.\d]*|cudart64_\d+\.dll|cudnn64_\d+\.dll)/.exec(
      text,
    );
  if (m) {
    return {
      backend: kind,
      code: /cudnn/i.test(m[1]) ? 'cudnn-missing' : 'cuda-missing',
      reason: `loading ${pkg} failed: ${m[1]} cannot be loaded (${first})`,
      fix: INSTALL_CUDA,
    };
  }
  const { root, inNodeModules } = installRoot(dir);
  m = /(libtensorflow[\w.]*|tfjs_binding\.node)/.exec(text);
  if (m) {
    return {
      backend: kind,
      code: 'binding-missing',
      reason: `loading ${pkg} failed: ${m[1]} cannot be loaded (${first})`,
      fix: inNodeModules
        ? `run \`npm rebuild ${pkg}\` in ${root} with internet access`
        : `run \`npm install\` in ${root} with internet access`,
    };
  }
  // A package name, not a file: the package folder is there but what it requires is not.
  m = /Cannot find (?:module|package) '((?:@[^/'\s]+\/)?[^./\\'\s][^/'\s]*)[^']*'/.exec(text);
  if (m && !/^[A-Za-z]:/.test(m[1]) && !m[1].startsWith('node:')) {
    return {
      backend: kind,
      code: 'dependency-missing',
      reason: `${pkg} at ${dir} cannot load ${m[1]}, a package it depends on: it was copied or installed without its dependencies`,
      fix: inNodeModules
        ? `run \`npm install ${pkg}\` in ${root}, which installs its dependencies too`
        : `run \`npm install\` in ${root}, which installs its dependencies`,
    };
  }
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(text)) {
    return {
      backend: kind,
      code: 'abi-mismatch',
      reason: `${pkg} was built for another Node.js version (${first})`,
      fix: `run \`npm rebuild ${pkg}\` with the Node.js that runs the training`,
    };
  }
  return { backend: kind, code: 'load-failed', reason: `loading ${pkg} from ${dir} failed: ${first}` };
}

/** The order tried for each request. */
export function chainFor(requested: 'auto' | BackendKind): BackendKind[] {
  return requested === 'auto' ? ['gpu', 'node', 'wasm', 'cpu'] : [requested];
}
