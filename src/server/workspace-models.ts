/**
 * Every model of the workspace, for the Models view (`layerLens/models`): finds the JS/TS
 * sources under the workspace folders that import TensorFlow.js (skipping node_modules and
 * dot-folders such as .git), analyses each (open documents: their current editor text through
 * the AnalysisService; other files: from disk, cached by modification time and size, and
 * dropped when a file they read changes), and returns the models file by file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CancellationToken } from 'vscode-languageserver';
import type { FileAnalysis } from '../analysis/graph';
import { type AnalysisService, SOURCE_EXTENSIONS, fileOfUri, isAnalysable } from './analysis-service';
import { modelViews } from './features/models';
import { samePath } from './features/locate';
import type { FileModels, ModelsResult } from '../protocol/lsp/models';

/** At most this many source files are read per scan. */
export const MAX_SOURCE_FILES = 5000;
/** Larger files are skipped (bundles, generated code). */
export const MAX_FILE_BYTES = 1024 * 1024;
const SKIPPED_DIRS = new Set(['node_modules']);

interface CacheEntry {
  mtimeMs: number;
  size: number;
  analysis: FileAnalysis;
  dependencies: ReadonlySet<string>;
}

export interface WorkspaceModelsOptions {
  log?: (message: string) => void;
}

export class WorkspaceModels {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly service: AnalysisService,
    private readonly options: WorkspaceModelsOptions = {},
  ) {}

  /** Files changed on disk or in an editor: forget the analyses that read them. */
  invalidate(files: Iterable<string>): void {
    const changed = [...files];
    if (changed.length === 0) return;
    for (const [file, entry] of this.cache) {
      if (changed.some((c) => samePath(c, file) || entry.dependencies.has(c))) this.cache.delete(file);
    }
  }

  invalidateAll(): void {
    this.cache.clear();
  }

  /** The editor URI of an open document at `file`, else the file's own `file:` URI. */
  uriOf(file: string): string {
    for (const d of this.service.openDocuments()) {
      const f = fileOfUri(d.uri);
      if (f && samePath(f, file)) return d.uri;
    }
    return pathToFileURL(file).href;
  }

  /**
   * Scans `folders` (absolute paths) and returns the models of every file that has some.
   * Stops early (returning what it has) when `token` is cancelled.
   */
  async list(folders: string[], token?: CancellationToken): Promise<ModelsResult> {
    const started = Date.now();
    const roots = dedupeRoots(folders);
    const { files, truncated } = await findSources(roots, token);
    const out: FileModels[] = [];
    let analysed = 0;
    const uriOf = (f: string): string => this.uriOf(f);
    for (const { file, root } of files) {
      if (token?.isCancellationRequested) break;
      const analysis = await this.analysisOf(file);
      // Let other requests (hover, cancellation) in between files.
      await new Promise((r) => setImmediate(r));
      if (!analysis) continue;
      analysed++;
      const models = modelViews(analysis, uriOf, { ownOnly: true });
      if (models.length === 0) continue;
      out.push({ uri: uriOf(file), path: path.relative(root, file).split(path.sep).join('/'), folder: path.basename(root), models });
    }
    this.options.log?.(
      `models: ${analysed} TensorFlow.js file(s), ${out.reduce((n, f) => n + f.models.length, 0)} model(s) in ${Date.now() - started} ms`,
    );
    return { files: out, analysed, truncated };
  }

  /** The analysis of one file, undefined when it does not import TensorFlow.js or cannot be read. */
  private async analysisOf(file: string): Promise<FileAnalysis | undefined> {
    const open = this.service.openDocuments().find((d) => {
      const f = fileOfUri(d.uri);
      return f !== undefined && samePath(f, file);
    });
    if (open) {
      if (!isAnalysable(file, open.getText())) return undefined;
      return (await this.service.current(open.uri))?.analysis;
    }
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      this.cache.delete(file);
      return undefined;
    }
    if (stat.size > MAX_FILE_BYTES) return undefined;
    const cached = this.cache.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.analysis;
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    if (!isAnalysable(file, text)) {
      this.cache.delete(file);
      return undefined;
    }
    try {
      const { analysis, dependencies } = this.service.analyseFileTracked(file);
      this.cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, analysis, dependencies });
      return analysis;
    } catch (err) {
      this.options.log?.(`models: analysing ${file} failed: ${err instanceof Error ? err.stack : String(err)}`);
      return undefined;
    }
  }
}

/** Folders without those nested in another one of the list (a file is listed once). */
function dedupeRoots(folders: string[]): string[] {
  const roots = folders.map((f) => path.resolve(f));
  return roots.filter((r, i) => roots.findIndex((o) => samePath(o, r)) === i && !roots.some((o) => !samePath(o, r) && isInside(r, o)));
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Source files under the roots, breadth-first, sorted within each root; at most MAX_SOURCE_FILES. */
async function findSources(
  roots: string[],
  token?: CancellationToken,
): Promise<{ files: Array<{ file: string; root: string }>; truncated: boolean }> {
  const files: Array<{ file: string; root: string }> = [];
  let truncated = false;
  for (const root of roots) {
    const found: string[] = [];
    const queue = [root];
    while (queue.length > 0) {
      if (token?.isCancellationRequested) return { files, truncated: false };
      const dir = queue.shift()!;
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.')) queue.push(full);
        } else if (e.isFile() && SOURCE_EXTENSIONS.has(path.extname(e.name).toLowerCase()) && !e.name.endsWith('.d.ts')) {
          found.push(full);
        }
      }
      if (files.length + found.length > MAX_SOURCE_FILES) {
        truncated = true;
        break;
      }
    }
    found.sort();
    for (const file of found) {
      if (files.length >= MAX_SOURCE_FILES) return { files, truncated: true };
      files.push({ file, root });
    }
    if (truncated) break;
  }
  return { files, truncated };
}
