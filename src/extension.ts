/**
 * Extension entry point: wiring only. The analysis engine (src/analysis) does the work;
 * this file turns VS Code events into engine calls and engine results into Problems
 * entries and a summary document. Nothing the engine throws may reach VS Code.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Diagnostic, FileAnalysis, ModelGraph, SourceRange } from './analysis/graph';
import { analyzeFiles, formatSummary } from './analysis/index';

const SOURCE = 'Layer Lens';
const SUMMARY_SCHEME = 'layer-lens-summary';
const DEBOUNCE_MS = 300;
const EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.mjs', '.cjs']);
/** `import … from '@tensorflow/tfjs'`, `require("@tensorflow/tfjs-node")`, `import('@tensorflow/tfjs-layers')`. */
const TFJS_IMPORT = /(['"`])@tensorflow\/tfjs(?:-[\w-]+)?(?:\/[^'"`]*)?\1/;

let log: vscode.LogOutputChannel | undefined;

export function activate(context: vscode.ExtensionContext): void {
  log = vscode.window.createOutputChannel(SOURCE, { log: true });
  const diagnostics = vscode.languages.createDiagnosticCollection('layer-lens');
  const summaries = new SummaryDocuments();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const cancel = (doc: vscode.TextDocument): void => {
    const key = doc.uri.toString();
    const timer = timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(key);
  };

  const refresh = (doc: vscode.TextDocument): void => {
    cancel(doc);
    if (!isCandidate(doc)) return;
    try {
      if (!importsTfjs(doc.getText())) {
        diagnostics.delete(doc.uri);
        return;
      }
      const analysis = analyze(doc);
      if (analysis) diagnostics.set(doc.uri, toVsDiagnostics(doc, analysis));
    } catch (err) {
      log?.error(`updating problems for ${doc.uri.fsPath} failed: ${describe(err)}`);
    }
  };

  const refreshLater = (doc: vscode.TextDocument): void => {
    if (!isCandidate(doc)) return;
    cancel(doc);
    const key = doc.uri.toString();
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        if (!doc.isClosed) refresh(doc);
      }, DEBOUNCE_MS),
    );
  };

  context.subscriptions.push(
    log,
    diagnostics,
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
    summaries,
    vscode.workspace.onDidOpenTextDocument(refreshLater),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) refreshLater(e.document);
    }),
    vscode.workspace.onDidSaveTextDocument((saved) => {
      refresh(saved);
      // Other open files may import the saved one (shared constants, helper layers).
      for (const doc of vscode.workspace.textDocuments) if (doc !== saved) refreshLater(doc);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      cancel(doc);
      diagnostics.delete(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('layerLens')) vscode.workspace.textDocuments.forEach(refreshLater);
    }),
    vscode.commands.registerCommand('layerLens.showSummary', () => showSummary(summaries)),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );

  vscode.workspace.textDocuments.forEach(refreshLater);
}

export function deactivate(): void {
  log = undefined;
}

/** A saved-or-unsaved file on disk in one of the languages the engine reads. */
function isCandidate(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && EXTENSIONS.has(path.extname(doc.uri.fsPath).toLowerCase());
}

function importsTfjs(text: string): boolean {
  return TFJS_IMPORT.test(text);
}

/** Runs the engine on one document, with the unsaved text of every open file. Never throws. */
function analyze(doc: vscode.TextDocument): FileAnalysis | undefined {
  const contents = new Map<string, string>();
  for (const open of vscode.workspace.textDocuments) {
    if (open.uri.scheme === 'file' && (open.isDirty || open === doc)) contents.set(open.uri.fsPath, open.getText());
  }
  const options = { contents, batchSize: vscode.workspace.getConfiguration('layerLens', doc.uri).get<number>('batchSize') };
  try {
    const started = Date.now();
    const results = analyzeFiles([doc.uri.fsPath], options);
    log?.debug(`analysed ${doc.uri.fsPath} in ${Date.now() - started} ms`);
    return results.find((r: FileAnalysis) => samePath(r.file, doc.uri.fsPath)) ?? results[0];
  } catch (err) {
    log?.error(`analysis of ${doc.uri.fsPath} failed: ${describe(err)}`);
    return undefined;
  }
}

function toVsDiagnostics(doc: vscode.TextDocument, analysis: FileAnalysis): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  const fileStart = new vscode.Range(0, 0, 0, 0);
  for (const d of analysis.diagnostics) out.push(toVsDiagnostic(doc, d, fileStart));
  for (const model of analysis.models) {
    const modelRange = inThisFile(doc, model.range) ? toVsRange(doc, model.range) : fileStart;
    for (const d of model.diagnostics) out.push(toVsDiagnostic(doc, d, modelRange));
  }
  return out;
}

/** A diagnostic located in another file (e.g. an imported helper) is shown at `fallback`. */
function toVsDiagnostic(doc: vscode.TextDocument, d: Diagnostic, fallback: vscode.Range): vscode.Diagnostic {
  let range = fallback;
  let message = d.message;
  if (d.range && inThisFile(doc, d.range)) {
    range = toVsRange(doc, d.range);
  } else if (d.range) {
    message += ` (at ${path.basename(d.range.file)}:${d.range.start.line}:${d.range.start.column})`;
  }
  message = withFormula({ ...d, message }, '\n');
  const vs = new vscode.Diagnostic(range, message, SEVERITY[d.severity] ?? vscode.DiagnosticSeverity.Warning);
  vs.source = SOURCE;
  vs.code = d.code;
  return vs;
}

const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** graph.ts positions are 1-based; VS Code's are 0-based. */
function toVsRange(doc: vscode.TextDocument, r: SourceRange): vscode.Range {
  const start = new vscode.Position(Math.max(0, r.start.line - 1), Math.max(0, r.start.column - 1));
  const end = new vscode.Position(Math.max(0, r.end.line - 1), Math.max(0, r.end.column - 1));
  return doc.validateRange(new vscode.Range(start, end.isBefore(start) ? start : end));
}

function inThisFile(doc: vscode.TextDocument, r: SourceRange): boolean {
  return samePath(r.file, doc.uri.fsPath);
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string): string => {
    const n = path.resolve(p);
    return process.platform === 'win32' ? n.toLowerCase() : n;
  };
  return norm(a) === norm(b);
}

async function showSummary(summaries: SummaryDocuments): Promise<void> {
  try {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !isCandidate(doc)) {
      void vscode.window.showInformationMessage('Layer Lens: open a TypeScript or JavaScript file that builds a TensorFlow.js model.');
      return;
    }
    const analysis = analyze(doc);
    if (!analysis) {
      void vscode.window.showErrorMessage('Layer Lens could not analyse this file; see the "Layer Lens" output for details.');
      log?.show(true);
      return;
    }
    if (analysis.models.length === 0) {
      void vscode.window.showInformationMessage(`Layer Lens found no TensorFlow.js model in ${path.basename(doc.uri.fsPath)}.`);
      return;
    }
    const text = summaryText(doc, analysis);
    const uri = summaries.put(doc.uri, text);
    const summaryDoc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(summaryDoc, { viewColumn: vscode.ViewColumn.Active, preview: true });
  } catch (err) {
    log?.error(`showSummary failed: ${describe(err)}`);
    void vscode.window.showErrorMessage(`Layer Lens: ${describe(err, false)}`);
  }
}

function summaryText(doc: vscode.TextDocument, analysis: FileAnalysis): string {
  const file = vscode.workspace.asRelativePath(doc.uri, false);
  const parts: string[] = [];
  for (const model of analysis.models) parts.push(safeFormat(model, file));
  const notes = [...analysis.diagnostics, ...analysis.models.flatMap((m) => m.diagnostics)];
  if (notes.length > 0) {
    const lines = notes.map((d) => {
      const at = d.range ? `${path.basename(d.range.file)}:${d.range.start.line}:${d.range.start.column}` : file;
      return `${d.severity} ${at} ${withFormula(d, '\n    ')}`;
    });
    parts.push(`Problems\n\n${lines.join('\n')}`);
  }
  return `${parts.join('\n\n')}\n`;
}

function safeFormat(model: ModelGraph, displayFile: string): string {
  try {
    return formatSummary(model, displayFile);
  } catch (err) {
    log?.error(`formatSummary(${model.name}) failed: ${describe(err)}`);
    return `(summary unavailable: ${describe(err, false)})`;
  }
}

/** Read-only documents holding the latest summary of each analysed file. */
class SummaryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  put(source: vscode.Uri, text: string): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: SUMMARY_SCHEME,
      path: `/${path.basename(source.fsPath)} — model summary`,
      query: source.toString(),
    });
    const key = uri.toString();
    const existed = this.texts.has(key);
    this.texts.set(key, text);
    if (existed) this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'Run "Layer Lens: Show Model Summary" again to refresh this summary.\n';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The message, then the formula on its own line unless the message already states it. */
function withFormula(d: Diagnostic, separator: string): string {
  return d.formula && !d.message.includes(d.formula) ? `${d.message}${separator}${d.formula}` : d.message;
}

function describe(err: unknown, withStack = true): string {
  if (err instanceof Error) return withStack && err.stack ? err.stack : err.message;
  return String(err);
}
