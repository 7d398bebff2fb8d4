/**
 * Where in the user's code something happened: the first stack frame that belongs to the
 * user's program (not Node's internals, not node_modules, not Layer Lens's preload). Stack
 * traces are already mapped to the TypeScript source when the program was transpiled with
 * inline source maps and `process.setSourceMapsEnabled(true)` is on (the preload does both).
 * Pure except `sourceLine`, which reads the file.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  column?: number;
  /** The function the frame is in, when the stack names one. */
  function?: string;
}

export interface Frame extends SourceLocation {
  async: boolean;
}

const FRAME = /^\s*at (async )?(?:(.*?) \()?((?:file:\/\/)?[^()]*?):(\d+):(\d+)\)?\s*$/;

/** Parses V8 stack lines (`at f (/a/b.ts:3:5)`, `at /a/b.ts:3:5`, `at async main (file:///…)`). */
export function parseStack(stack: string | undefined): Frame[] {
  const frames: Frame[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[3];
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    frames.push({ file, line: Number(m[4]), column: Number(m[5]), async: Boolean(m[1]), ...(m[2] ? { function: m[2] } : {}) });
  }
  return frames;
}

/** Whether a frame's file is the user's code. `exclude`: files of Layer Lens itself (the preload). */
export function isUserFrame(file: string, exclude: readonly string[] = []): boolean {
  if (!file || file.startsWith('node:') || file === 'native' || file.startsWith('<') || file.startsWith('internal/')) return false;
  if (/[\\/]node_modules[\\/]/.test(file)) return false;
  if (!/^([a-zA-Z]:)?[\\/]/.test(file)) return false; // `evalmachine.<anonymous>`, `[eval]`
  return !exclude.includes(file);
}

/**
 * The first user frame of a stack, else undefined. A frame whose file is not on disk is not
 * the user's: tfjs's bundles carry source maps, so with source maps on, a throw inside tfjs
 * is reported at `<project>/tfjs-layers/src/….ts`, a path outside node_modules that exists
 * only in tfjs's own repository.
 */
export function userLocation(
  stack: string | undefined,
  exclude: readonly string[] = [],
  exists: (file: string) => boolean = fs.existsSync,
): SourceLocation | undefined {
  const f = parseStack(stack).find((fr) => isUserFrame(fr.file, exclude) && exists(fr.file));
  if (!f) return undefined;
  return { file: f.file, line: f.line, ...(f.column ? { column: f.column } : {}), ...(f.function ? { function: f.function } : {}) };
}

/** The text of a 1-based line of a file (trimmed, at most 200 characters), or undefined. */
export function sourceLine(file: string, line: number): string | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8').split(/\r?\n/)[line - 1];
    return text === undefined ? undefined : text.trim().slice(0, 200);
  } catch {
    return undefined;
  }
}

/** `src/train.ts:12:5` relative to `cwd` when inside it. */
export function formatLocation(loc: SourceLocation, cwd?: string): string {
  let file = loc.file;
  if (cwd && (file.startsWith(`${cwd}/`) || file.startsWith(`${cwd}\\`))) file = file.slice(cwd.length + 1);
  return `${file}:${loc.line}${loc.column ? `:${loc.column}` : ''}`;
}
