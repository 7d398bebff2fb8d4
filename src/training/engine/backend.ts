/**
 * Picks the backend and returns the `tf` namespace to train with.
 *
 * tfjs-node and tfjs-node-gpu bring their own copy of @tensorflow/tfjs (they register the
 * 'tensorflow' backend on it), so when one of them is used the whole engine works on the
 * namespace they export; wasm and cpu use the @tensorflow/tfjs bundled with the worker.
 * They are never bundled nor installed by Layer Lens: they are resolved at run time from
 * the user's workspace or a configured path (`doctor.ts` says why one was skipped).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tfBundled from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendKind, SkippedBackend } from '../../protocol/worker';
import { chainFor, diagnoseGpu, diagnoseNode, explainLoadError, GPU_PACKAGE, type SystemProbe } from './doctor';
import { registerWasmTrainingKernels, type ConvFilterGradMode, type WasmKernelReport } from './wasm-kernels';

export type TF = typeof tfBundled;

export interface BackendSelection {
  tf: TF;
  kind: BackendKind;
  tfBackend: string;
  detail: string;
  simd?: boolean;
  threads?: number;
  skipped: SkippedBackend[];
  wasmKernels?: WasmKernelReport;
}

export class BackendError extends Error {
  constructor(
    message: string,
    readonly skipped: SkippedBackend[],
  ) {
    super(message);
  }
}

const requireHere = createRequire(typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js'));

export const realProbe: SystemProbe = {
  platform: process.platform,
  arch: process.arch,
  env: process.env,
  resolvePackage(pkg, fromDir) {
    try {
      const req = createRequire(path.join(path.resolve(fromDir), 'noop.js'));
      return path.dirname(req.resolve(`${pkg}/package.json`));
    } catch {
      return null;
    }
  },
  exists: (f) => fs.existsSync(f),
  readdir(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  },
  ldconfig() {
    for (const bin of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
      try {
        return execFileSync(bin, ['-p'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        // try the next
      }
    }
    return null;
  },
};

export interface SelectOptions {
  gpuPackagePath?: string;
  resolveFrom?: string[];
  probe?: SystemProbe;
  /** Loads a package folder (tests pass a fake). */
  load?: (dir: string) => unknown;
  /** How the wasm backend computes convolution filter gradients. */
  convFilterGrad?: ConvFilterGradMode;
  /** Folders to look for the wasm binaries in before the package's own dist/. */
  wasmDirs?: string[];
}

/** Where the .wasm binaries are: next to the bundled worker (dist/), else in the package. */
export function locateWasmFiles(extraDirs: string[] = []): string | null {
  const candidates = [...extraDirs];
  if (typeof __dirname === 'string') candidates.push(__dirname);
  try {
    candidates.push(path.join(path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // not installed next to us: the bundle's own folder must have them
  }
  return candidates.find((d) => fs.existsSync(path.join(d, 'tfjs-backend-wasm-simd.wasm'))) ?? null;
}

async function tryNative(
  kind: 'gpu' | 'node',
  dir: string,
  load: (dir: string) => unknown,
): Promise<{ ok: true; tf: TF; gpu: boolean } | { ok: false; skipped: SkippedBackend }> {
  let mod: TF;
  try {
    mod = load(dir) as TF;
  } catch (e) {
    return { ok: false, skipped: explainLoadError(kind, dir, e) };
  }
  try {
    await mod.ready();
  } catch (e) {
    return { ok: false, skipped: explainLoadError(kind, dir, e) };
  }
  if (mod.getBackend() !== 'tensorflow') {
    return {
      ok: false,
      skipped: {
        backend: kind,
        code: 'load-failed',
        reason: `${kind === 'gpu' ? GPU_PACKAGE : '@tensorflow/tfjs-node'} loaded but its 'tensorflow' backend did not start (backend is '${mod.getBackend()}')`,
      },
    };
  }
  const b = mod.backend() as unknown as { isUsingGpuDevice?: boolean };
  return { ok: true, tf: mod, gpu: b.isUsingGpuDevice === true };
}

async function startWasm(
  opts: SelectOptions,
): Promise<{ ok: true; simd: boolean; threads: number; kernels: WasmKernelReport } | { ok: false; skipped: SkippedBackend }> {
  const dir = locateWasmFiles(opts.wasmDirs);
  if (!dir) {
    return {
      ok: false,
      skipped: {
        backend: 'wasm',
        code: 'wasm-files-missing',
        reason: 'the tfjs-backend-wasm binaries (tfjs-backend-wasm*.wasm) were found neither next to the worker nor in node_modules',
        fix: 'rebuild Layer Lens (npm run build copies them into dist/)',
      },
    };
  }
  tfWasm.setWasmPaths(`${dir}${path.sep}`);
  const kernels = registerWasmTrainingKernels(tfBundled, opts.convFilterGrad);
  let ok = false;
  let why = '';
  const warn = console.warn;
  try {
    console.warn = (...a: unknown[]) => void (why ||= a.map(String).join(' '));
    ok = await tfBundled.setBackend('wasm');
  } catch (e) {
    why = (e as Error).message;
  } finally {
    console.warn = warn;
  }
  if (!ok)
    return {
      ok: false,
      skipped: { backend: 'wasm', code: 'wasm-init-failed', reason: `the wasm backend did not start${why ? `: ${why}` : ''}` },
    };
  const simd = (await tfBundled.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  return { ok: true, simd, threads: tfWasm.getThreadsCount(), kernels };
}

/**
 * Tries the chain for `requested` and returns the first backend that starts. An explicit
 * request (gpu, node, wasm, cpu) that cannot be met throws a BackendError with the reason;
 * `auto` falls back and lists every skipped step.
 */
export async function selectBackend(requested: BackendChoice, opts: SelectOptions = {}): Promise<BackendSelection> {
  const probe = opts.probe ?? realProbe;
  const load = opts.load ?? ((dir: string) => requireHere(dir));
  const resolveFrom = opts.resolveFrom ?? [process.cwd()];
  const skipped: SkippedBackend[] = [];
  for (const kind of chainFor(requested)) {
    if (kind === 'gpu' || kind === 'node') {
      const d =
        kind === 'gpu' ? diagnoseGpu(probe, { configuredPath: opts.gpuPackagePath, resolveFrom }) : diagnoseNode(probe, { resolveFrom });
      if (!d.ok) {
        const { ok: _ok, ...s } = d;
        skipped.push(s);
        continue;
      }
      const r = await tryNative(kind, d.dir, load);
      if (!r.ok) {
        skipped.push(r.skipped);
        continue;
      }
      if (kind === 'gpu' && !r.gpu) {
        skipped.push({
          backend: 'gpu',
          code: 'no-device',
          reason: `${GPU_PACKAGE} loaded, but TensorFlow found no usable CUDA device (it runs on the CPU)`,
          fix: 'check `nvidia-smi`, the driver version (CUDA 11.2 needs driver ≥ 460) and CUDA_VISIBLE_DEVICES',
        });
        if (requested === 'auto') {
          return { tf: r.tf, kind: 'node', tfBackend: 'tensorflow', detail: `${GPU_PACKAGE} on the CPU (from ${d.from})`, skipped };
        }
        continue;
      }
      return {
        tf: r.tf,
        kind,
        tfBackend: 'tensorflow',
        detail: kind === 'gpu' ? `${GPU_PACKAGE} on a CUDA device (from ${d.from})` : `@tensorflow/tfjs-node (from ${d.from})`,
        skipped,
      };
    }
    if (kind === 'wasm') {
      const r = await startWasm(opts);
      if (!r.ok) {
        skipped.push(r.skipped);
        continue;
      }
      const detail = `@tensorflow/tfjs-backend-wasm ${r.simd ? 'with SIMD' : 'without SIMD'}, ${r.threads} thread${r.threads === 1 ? '' : 's'} (tfjs disables wasm threads under Node.js)`;
      return { tf: tfBundled, kind, tfBackend: 'wasm', detail, simd: r.simd, threads: r.threads, skipped, wasmKernels: r.kernels };
    }
    await tfBundled.setBackend('cpu');
    return { tf: tfBundled, kind: 'cpu', tfBackend: 'cpu', detail: '@tensorflow/tfjs pure-JavaScript cpu backend', skipped };
  }
  const last = skipped[skipped.length - 1];
  throw new BackendError(
    `backend '${requested}' is not available: ${last?.reason ?? 'unknown reason'}${last?.fix ? ` — ${last.fix}` : ''}`,
    skipped,
  );
}
