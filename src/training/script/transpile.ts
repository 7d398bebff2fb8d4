/**
 * TypeScript on the fly for the user's training program: a require hook for .ts/.tsx/.cts/.mts
 * (CommonJS output) and the transform the ESM loader hooks use (esm-hooks.ts).
 *
 * Which transpiler (the first that loads, `auto`):
 *  1. esbuild next to Layer Lens (a development checkout, the CLI run from the repository);
 *  2. esbuild from the program's own node_modules (most TypeScript projects have it, often
 *     through tsx or vite);
 *  3. the TypeScript compiler (`typescript`) from the program's node_modules;
 *  4. the TypeScript compiler bundled with Layer Lens (`dist/train-typescript.js`, ~3.5 MB,
 *     loaded only when a .ts file is met and nothing above was found): esbuild's native
 *     binary cannot be bundled into a platform-neutral extension.
 * Both emit inline source maps, so stack traces (and the error events built from them) point
 * at the TypeScript lines once `process.setSourceMapsEnabled(true)` is on.
 *
 * Type errors are not reported: like tsx and ts-node's transpile-only mode, only syntax matters.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { TranspilerChoice } from './config';

export const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'] as const;

export type ModuleFormat = 'cjs' | 'esm';

export interface Transpiler {
  name: 'esbuild' | 'typescript';
  version: string;
  /** Where it was loaded from (a package folder or the bundled file). */
  from: string;
  transform(code: string, filename: string, format: ModuleFormat): string;
}

export class TranspileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'TranspileError';
  }
}

export function isTypeScriptFile(file: string): boolean {
  return (TS_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase());
}

interface EsbuildApi {
  version: string;
  transformSync(code: string, options: Record<string, unknown>): { code: string };
}

interface TsApi {
  version: string;
  transpileModule(
    code: string,
    options: Record<string, unknown>,
  ): { outputText: string; diagnostics?: { messageText: unknown; start?: number }[] };
  ModuleKind: { CommonJS: number; ESNext: number };
  ScriptTarget: { ES2022: number };
  JsxEmit: { React: number };
}

function tryRequire<T>(fromFile: string, id: string): { api: T; from: string } | undefined {
  try {
    const req = createRequire(fromFile);
    const resolved = req.resolve(id);
    return { api: req(resolved) as T, from: resolved };
  } catch {
    return undefined;
  }
}

const nodeMajor = process.versions.node.split('.')[0];

function esbuildTranspiler(api: EsbuildApi, from: string): Transpiler {
  return {
    name: 'esbuild',
    version: api.version,
    from,
    transform(code, filename, format) {
      const ext = path.extname(filename).toLowerCase();
      try {
        return api.transformSync(code, {
          loader: ext === '.tsx' ? 'tsx' : 'ts',
          format,
          sourcemap: 'inline',
          sourcefile: filename,
          target: `node${nodeMajor}`,
          logLevel: 'silent',
        }).code;
      } catch (e) {
        const first = (e as { errors?: { text: string; location?: { line: number; column: number } }[] }).errors?.[0];
        if (first) {
          const tla = /top-level await/i.test(first.text) && format === 'cjs';
          const text = tla
            ? `${first.text}: this file is run as CommonJS; to use top-level await, name it .mts or add "type": "module" to its package.json`
            : first.text;
          throw new TranspileError(
            `${path.basename(filename)}:${first.location?.line ?? '?'}: ${text}`,
            filename,
            first.location?.line,
            first.location ? first.location.column + 1 : undefined,
          );
        }
        throw e;
      }
    },
  };
}

function typescriptTranspiler(api: TsApi, from: string): Transpiler {
  return {
    name: 'typescript',
    version: api.version,
    from,
    transform(code, filename, format) {
      const out = api.transpileModule(code, {
        fileName: filename,
        reportDiagnostics: true,
        compilerOptions: {
          module: format === 'cjs' ? api.ModuleKind.CommonJS : api.ModuleKind.ESNext,
          target: api.ScriptTarget.ES2022,
          inlineSourceMap: true,
          inlineSources: true,
          esModuleInterop: true,
          jsx: api.JsxEmit.React,
        },
      });
      const d = out.diagnostics?.[0];
      if (d) {
        const msg =
          typeof d.messageText === 'string'
            ? d.messageText
            : String((d.messageText as { messageText?: string }).messageText ?? d.messageText);
        const line = d.start !== undefined ? code.slice(0, d.start).split('\n').length : undefined;
        throw new TranspileError(`${path.basename(filename)}:${line ?? '?'}: ${msg}`, filename, line);
      }
      return out.outputText;
    },
  };
}

export interface TranspilerSearch {
  choice?: TranspilerChoice;
  /** A file of Layer Lens itself (its own esbuild resolves from there). */
  selfFile: string;
  /** Files or folders of the user's program (its node_modules are searched). */
  userFrom: string[];
  /** The bundled TypeScript compiler, if shipped. */
  bundledTypescript?: string;
}

/** The first transpiler that loads, in the order above; throws when none does. */
export function loadTranspiler(s: TranspilerSearch): Transpiler {
  const choice = s.choice ?? 'auto';
  const userFiles = s.userFrom.map((f) => (fs.existsSync(f) && fs.statSync(f).isDirectory() ? path.join(f, 'noop.js') : f));
  if (choice !== 'typescript') {
    for (const from of [s.selfFile, ...userFiles]) {
      const hit = tryRequire<EsbuildApi>(from, 'esbuild');
      if (hit && typeof hit.api.transformSync === 'function') return esbuildTranspiler(hit.api, hit.from);
    }
    if (choice === 'esbuild') throw new Error("esbuild was not found (neither next to Layer Lens nor in the program's node_modules)");
  }
  for (const from of userFiles) {
    const hit = tryRequire<TsApi>(from, 'typescript');
    if (hit && typeof hit.api.transpileModule === 'function') return typescriptTranspiler(hit.api, hit.from);
  }
  if (s.bundledTypescript && fs.existsSync(s.bundledTypescript)) {
    const api = createRequire(s.selfFile)(s.bundledTypescript) as TsApi;
    return typescriptTranspiler(api, s.bundledTypescript);
  }
  const self = tryRequire<TsApi>(s.selfFile, 'typescript');
  if (self) return typescriptTranspiler(self.api, self.from);
  throw new Error(
    'no TypeScript transpiler was found: install esbuild or typescript in the project (npm i -D esbuild), or compile the program to JavaScript first',
  );
}

/** The module format Node gives a file: .mts/.mjs ESM, .cts/.cjs CommonJS, else the package's "type". */
export function formatOf(file: string): ModuleFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.mts' || ext === '.mjs') return 'esm';
  if (ext === '.cts' || ext === '.cjs') return 'cjs';
  let dir = path.dirname(file);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module' ? 'esm' : 'cjs';
      } catch {
        return 'cjs';
      }
    }
    const up = path.dirname(dir);
    if (up === dir || path.basename(dir) === 'node_modules') return 'cjs';
    dir = up;
  }
}

interface ModuleInternals {
  _extensions: Record<string, (module: { _compile(code: string, filename: string): void }, filename: string) => void>;
  _resolveFilename(request: string, parent: { filename?: string } | undefined, isMain: boolean, options?: unknown): string;
}

/**
 * Installs the CommonJS require hook: .ts/.tsx/.cts/.mts files are transpiled when required
 * (and as the program's entry point), and a relative `./x.js` written in TypeScript's ESM
 * style resolves to `./x.ts` when only that exists. `getTranspiler` is called on the first
 * TypeScript file. Returns the uninstall function.
 */
export function installRequireHook(
  Module: unknown,
  getTranspiler: () => Transpiler,
  onTranspiled?: (file: string, ms: number) => void,
): () => void {
  const M = Module as ModuleInternals;
  const previous: Record<string, ModuleInternals['_extensions'][string] | undefined> = {};
  for (const ext of TS_EXTENSIONS) {
    previous[ext] = M._extensions[ext];
    M._extensions[ext] = (module, filename) => {
      const t0 = performance.now();
      const code = getTranspiler().transform(fs.readFileSync(filename, 'utf8'), filename, 'cjs');
      onTranspiled?.(filename, performance.now() - t0);
      module._compile(code, filename);
    };
  }
  const resolve = M._resolveFilename;
  M._resolveFilename = function (request, parent, isMain, options) {
    try {
      return resolve.call(this, request, parent, isMain, options);
    } catch (e) {
      const from = parent?.filename;
      if (from && isTypeScriptFile(from) && /^\.\.?[\\/]/.test(request) && /\.(c|m)?js$/.test(request)) {
        for (const ext of ['.ts', '.tsx', '.cts', '.mts']) {
          const candidate = request.replace(/\.(c|m)?js$/, ext);
          try {
            return resolve.call(this, candidate, parent, isMain, options);
          } catch {
            // next
          }
        }
      }
      throw e;
    }
  };
  return () => {
    for (const ext of TS_EXTENSIONS) {
      if (previous[ext]) M._extensions[ext] = previous[ext]!;
      else delete M._extensions[ext];
    }
    M._resolveFilename = resolve;
  };
}
