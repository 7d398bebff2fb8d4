/**
 * The language server's analysis state, independent of the LSP connection: one long-lived
 * Analyzer (parsed files stay cached between edits), one result per open document and
 * version, debounced re-analysis of an edited document and of the open documents that
 * depend on it, and requests that wait for the pending analysis of the version they ask
 * about (or give up when cancelled).
 */
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import type { CancellationToken } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis } from '../analysis/graph';
import { TrackingAnalyzer } from './tracking-analyzer';

/** Long enough to skip most keystrokes of a word, short enough that debounce + re-analysis of a 2,000-line file stays under 300 ms. */
export const DEFAULT_DEBOUNCE_MS = 100;

/** Source files the engine reads. */
export const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts']);
/** `import … from '@tensorflow/tfjs'`, `require("@tensorflow/tfjs-node")`, `import('@tensorflow/tfjs-layers')`. */
const TFJS_IMPORT = /(['"`])@tensorflow\/tfjs(?:-[\w-]+)?(?:\/[^'"`]*)?\1/;

export interface AnalysisEntry {
  uri: string;
  /** Absolute path of the document. */
  file: string;
  version: number;
  /** The text that was analysed, as a document: offsets of the analysis are offsets into it. */
  document: TextDocument;
  analysis: FileAnalysis;
  /** Files the analysis read (the document itself included). */
  dependencies: ReadonlySet<string>;
  millis: number;
}

/**
 * Why an analysis ran: the document changed, a file it depends on changed, a request
 * needed it now, files appeared or vanished, a setting the engine reads changed.
 */
export type AnalysisReason = 'edit' | 'dependency' | 'request' | 'files' | 'settings';

export interface OpenDocuments {
  get(uri: string): TextDocument | undefined;
  all(): TextDocument[];
}

export interface AnalysisServiceOptions {
  debounceMs?: number;
  analyzer?: TrackingAnalyzer;
  /** Called after every analysis, with the reasons gathered since the previous one. */
  onAnalysed?: (entry: AnalysisEntry, reasons: ReadonlySet<AnalysisReason>) => void;
  log?: (message: string) => void;
}

interface Pending {
  timer: ReturnType<typeof setTimeout> | undefined;
  reasons: Set<AnalysisReason>;
  done: Promise<void>;
  resolve: () => void;
}

/** The path of a `file:` URI; undefined for other schemes. */
export function fileOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

/** A file the engine should read: a JS/TS source that imports TensorFlow.js. */
export function isAnalysable(file: string, text: string): boolean {
  return SOURCE_EXTENSIONS.has(path.extname(file).toLowerCase()) && TFJS_IMPORT.test(text);
}

export class AnalysisService {
  readonly analyzer: TrackingAnalyzer;
  private readonly debounceMs: number;
  private readonly cache = new Map<string, AnalysisEntry>();
  private readonly stale = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private disposed = false;
  private batchSize: number | undefined;

  constructor(
    private readonly documents: OpenDocuments,
    private readonly options: AnalysisServiceOptions = {},
  ) {
    this.analyzer = options.analyzer ?? new TrackingAnalyzer();
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  /** The batch size for activation memory; a change re-analyses every open document. */
  setBatchSize(batchSize: number | undefined): void {
    if (batchSize === this.batchSize) return;
    this.batchSize = batchSize;
    for (const uri of this.cache.keys()) {
      this.stale.add(uri);
      this.schedule(uri, 'settings', 0);
    }
  }

  /** The latest analysis of `uri`, whatever its version (for tests and logs). */
  cached(uri: string): AnalysisEntry | undefined {
    return this.cache.get(uri);
  }

  isPending(uri: string): boolean {
    return this.pending.has(uri);
  }

  /**
   * A document was opened or edited: analyse it after the debounce (at once the first time),
   * and the open documents that read it.
   */
  documentChanged(uri: string): void {
    this.schedule(uri, 'edit', this.cache.has(uri) ? this.debounceMs : 0);
    const file = fileOfUri(uri);
    if (file) this.dependencyChanged(file, uri);
  }

  documentClosed(uri: string): void {
    const p = this.pending.get(uri);
    if (p) {
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(uri);
      p.resolve();
    }
    this.cache.delete(uri);
    this.stale.delete(uri);
    // Its parsed tree and editor-text imports go too; a file another open document imports is read again from disk.
    const file = fileOfUri(uri);
    if (file) this.analyzer.forget(file);
  }

  /**
   * Files changed on disk. A created or deleted file can change how imports resolve, so
   * every open document is analysed again; a changed file, only the documents that read it.
   */
  filesChanged(changes: Array<{ file: string; kind: 'created' | 'changed' | 'deleted' }>): void {
    if (changes.some((c) => c.kind !== 'changed')) {
      this.analyzer.invalidateFileSystem();
      for (const uri of this.cache.keys()) {
        this.stale.add(uri);
        this.schedule(uri, 'files', this.debounceMs);
      }
      return;
    }
    for (const c of changes) this.analyzer.fileChanged(c.file);
    const open = new Set(this.documents.all().map((d) => fileOfUri(d.uri)));
    // An open document's text comes from the editor, not the disk: its own change events count.
    for (const c of changes) if (!open.has(c.file)) this.dependencyChanged(c.file);
  }

  private dependencyChanged(file: string, exceptUri?: string): void {
    for (const entry of this.cache.values()) {
      if (entry.uri === exceptUri || !entry.dependencies.has(file)) continue;
      this.stale.add(entry.uri);
      this.schedule(entry.uri, 'dependency', this.debounceMs);
    }
  }

  /**
   * The analysis of the document's current version: cached, or after the pending analysis
   * ran, or run now. Undefined when the document is not open (or not a file) or `token`
   * was cancelled while waiting.
   */
  async current(uri: string, token?: CancellationToken): Promise<AnalysisEntry | undefined> {
    for (let round = 0; round < 8; round++) {
      if (token?.isCancellationRequested || this.disposed) return undefined;
      const doc = this.documents.get(uri);
      if (!doc) return undefined;
      const cached = this.cache.get(uri);
      if (cached && cached.version === doc.version && !this.stale.has(uri)) return cached;
      const p = this.pending.get(uri);
      if (!p) break;
      await whicheverFirst(p.done, token);
    }
    if (token?.isCancellationRequested) return undefined;
    return this.analyseNow(uri, 'request');
  }

  /** Analyses the open document now (a pending timer for it is dropped). Never throws. */
  analyseNow(uri: string, reason: AnalysisReason): AnalysisEntry | undefined {
    const p = this.pending.get(uri);
    this.pending.delete(uri);
    if (p?.timer) clearTimeout(p.timer);
    const reasons = new Set<AnalysisReason>(p?.reasons ?? []);
    reasons.add(reason);
    try {
      const doc = this.documents.get(uri);
      const file = fileOfUri(uri);
      if (!doc || !file || this.disposed) return undefined;
      const text = doc.getText();
      const snapshot = TextDocument.create(uri, doc.languageId, doc.version, text);
      const started = Date.now();
      let analysis: FileAnalysis = { file, models: [], diagnostics: [] };
      let dependencies: ReadonlySet<string> = new Set([file]);
      if (isAnalysable(file, text)) {
        const tracked = this.analyzer.analyzeTracked(file, { contents: this.openContents(uri, text), batchSize: this.batchSize });
        analysis = tracked.analysis;
        dependencies = tracked.dependencies;
      }
      const entry: AnalysisEntry = { uri, file, version: doc.version, document: snapshot, analysis, dependencies, millis: Date.now() - started };
      this.cache.set(uri, entry);
      this.stale.delete(uri);
      this.options.log?.(`analysed ${path.basename(file)} v${doc.version} in ${entry.millis} ms (${[...reasons].join(', ')}): ${analysis.models.length} model(s)`);
      try {
        this.options.onAnalysed?.(entry, reasons);
      } catch (err) {
        this.options.log?.(`onAnalysed failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
      return entry;
    } finally {
      p?.resolve();
    }
  }

  /** Analyses a file that may not be open (the summary command on any file). */
  analyseFile(file: string): FileAnalysis {
    return this.analyseFileTracked(file).analysis;
  }

  /** As analyseFile, with the files the analysis read (the workspace Models view caches by them). */
  analyseFileTracked(file: string): { analysis: FileAnalysis; dependencies: ReadonlySet<string> } {
    return this.analyzer.analyzeTracked(path.resolve(file), { contents: this.openContents(), batchSize: this.batchSize });
  }

  /** The open documents (editor text wins over the disk). */
  openDocuments(): TextDocument[] {
    return this.documents.all();
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.resolve();
    }
    this.pending.clear();
  }

  private schedule(uri: string, reason: AnalysisReason, delayMs: number): void {
    if (this.disposed) return;
    let p = this.pending.get(uri);
    if (!p) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      p = { timer: undefined, reasons: new Set(), done, resolve };
      this.pending.set(uri, p);
    }
    p.reasons.add(reason);
    if (p.timer) clearTimeout(p.timer);
    const reasonNow = reason;
    p.timer = setTimeout(() => {
      this.analyseNow(uri, reasonNow);
    }, delayMs);
  }

  /** The editor text of every open file document, by path (it wins over the disk). */
  private openContents(uri?: string, text?: string): Map<string, string> {
    const contents = new Map<string, string>();
    for (const d of this.documents.all()) {
      const f = fileOfUri(d.uri);
      if (f) contents.set(f, d.uri === uri && text !== undefined ? text : d.getText());
    }
    return contents;
  }
}

/** Resolves when `p` settles or `token` is cancelled. */
function whicheverFirst(p: Promise<void>, token: CancellationToken | undefined): Promise<void> {
  if (!token) return p;
  return new Promise<void>((resolve) => {
    const sub = token.onCancellationRequested(() => {
      sub.dispose();
      resolve();
    });
    p.then(() => {
      sub.dispose();
      resolve();
    });
  });
}
