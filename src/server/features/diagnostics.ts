/**
 * Engine diagnostics → LSP diagnostics for the Problems panel: source `Layer Lens`, the
 * engine's code, the formula with the user's numbers on its own line. A diagnostic located
 * in another file (an imported helper) is shown at the model's creation call, naming where
 * it really is; one without a range at the start of the file. The message is in the client's
 * language where ./diagnostic-l10n.ts has a template for it.
 */
import type { Diagnostic as LspDiagnostic, Range } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import * as path from 'node:path';
import type { Diagnostic, FileAnalysis, SourceRange } from '../../analysis/graph';
import { localizeDiagnosticMessage } from './diagnostic-l10n';
import { ENGLISH, type UiL10n } from './l10n';
import { inFile } from './locate';

export const SOURCE = 'Layer Lens';

const SEVERITY: Record<string, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function diagnosticsFor(analysis: FileAnalysis, doc: TextDocument, l10n: UiL10n = ENGLISH): LspDiagnostic[] {
  const fileStart: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const out: LspDiagnostic[] = [];
  const seen = new Set<string>();
  const push = (d: Diagnostic, fallback: Range): void => {
    const lsp = toLsp(d, analysis.file, doc, fallback, l10n);
    // The same finding can be reported by two models sharing a layer.
    const key = `${lsp.range.start.line}:${lsp.range.start.character}:${lsp.code}:${lsp.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(lsp);
  };
  for (const d of analysis.diagnostics) push(d, fileStart);
  for (const model of analysis.models) {
    const modelRange = inFile(model.range, analysis.file) ? toRange(doc, model.range) : fileStart;
    for (const d of model.diagnostics) push(d, modelRange);
  }
  return out;
}

/** `l10n`: the language of the message (the engine's English text, translated where a template fits). */
export function toLsp(d: Diagnostic, file: string, doc: TextDocument, fallback: Range, l10n: UiL10n = ENGLISH): LspDiagnostic {
  let range = fallback;
  let message = localizeDiagnosticMessage(d.code, d.message, l10n);
  if (d.range && inFile(d.range, file)) {
    range = toRange(doc, d.range);
  } else if (d.range) {
    message += l10n.t(' (at {0}:{1}:{2})', path.basename(d.range.file), d.range.start.line, d.range.start.column);
  }
  // Whether the message states the formula is judged on the engine's own text.
  const formula = d.formula && !d.message.includes(d.formula) ? `\n${d.formula}` : '';
  return {
    range,
    severity: SEVERITY[d.severity] ?? DiagnosticSeverity.Warning,
    code: d.code,
    source: SOURCE,
    message: message + formula,
  };
}

/** Offsets are exact for the analysed text; positions follow from the document. */
export function toRange(doc: TextDocument, r: SourceRange): Range {
  const start = doc.positionAt(r.startOffset);
  const end = doc.positionAt(Math.max(r.startOffset, r.endOffset));
  return { start, end };
}

/** The message, then the formula on its own line unless the message already states it. */
export function withFormula(d: Diagnostic, separator: string): string {
  return d.formula && !d.message.includes(d.formula) ? `${d.message}${separator}${d.formula}` : d.message;
}
