/**
 * `dist/train-esm-hooks.mjs`: Node module customization hooks (registered by the preload with
 * `module.register`, Node ≥ 20.6) for user programs that are ES modules written in TypeScript
 * (`.mts`, or `.ts` in a package with `"type": "module"`, top-level await included).
 *
 *  - resolve: `./data.js` written in TypeScript's ESM style finds `./data.ts`, and an
 *    extensionless relative import finds `.ts`/`.tsx`/`index.ts`;
 *  - load: TypeScript in ESM format is transpiled (transpile.ts, inline source maps);
 *    TypeScript in CommonJS format is handed to the CommonJS loader, where the preload's
 *    require hook transpiles it.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TranspilerChoice } from './config';
import { formatOf, isTypeScriptFile, loadTranspiler, type Transpiler } from './transpile';

interface InitData {
  selfFile: string;
  userFrom: string[];
  choice: TranspilerChoice;
  bundledTypescript?: string;
}

let init: InitData | undefined;
let transpiler: Transpiler | undefined;

export function initialize(data: InitData): void {
  init = data;
}

type Next<C, R> = (specifier: string, context: C) => Promise<R>;
interface ResolveContext {
  parentURL?: string;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

function fromTypeScript(parentURL: string | undefined): boolean {
  if (!parentURL?.startsWith('file:')) return false;
  try {
    return isTypeScriptFile(fileURLToPath(parentURL));
  } catch {
    return false;
  }
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  next: Next<ResolveContext, ResolveResult>,
): Promise<ResolveResult> {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (!/^\.\.?\//.test(specifier) || !fromTypeScript(context.parentURL)) throw e;
    const candidates = /\.(c|m)?js$/.test(specifier)
      ? ['.ts', '.tsx', '.mts', '.cts'].map((ext) => specifier.replace(/\.(c|m)?js$/, ext))
      : ['.ts', '.tsx', '.mts', '/index.ts', '/index.tsx'].map((ext) => `${specifier}${ext}`);
    for (const c of candidates) {
      try {
        return await next(c, context);
      } catch {
        // next candidate
      }
    }
    throw e;
  }
}

export async function load(
  url: string,
  context: Record<string, unknown>,
  next: Next<Record<string, unknown>, LoadResult>,
): Promise<LoadResult> {
  if (url.startsWith('file:')) {
    const file = fileURLToPath(url);
    if (isTypeScriptFile(file)) {
      if (formatOf(file) === 'cjs') return { format: 'commonjs', shortCircuit: true };
      if (!transpiler) {
        transpiler = loadTranspiler({
          choice: init?.choice,
          selfFile: init?.selfFile ?? file,
          userFrom: init?.userFrom ?? [file],
          bundledTypescript: init?.bundledTypescript,
        });
      }
      return { format: 'module', source: transpiler.transform(fs.readFileSync(file, 'utf8'), file, 'esm'), shortCircuit: true };
    }
  }
  return next(url, context);
}
