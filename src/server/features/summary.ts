/**
 * The text behind "Layer Lens: Show Model Summary": tfjs-style summary tables of the
 * file's models (or of one of them) followed by the problems found.
 */
import * as path from 'node:path';
import type { FileAnalysis, ModelGraph } from '../../analysis/graph';
import { formatSummary } from '../../analysis/index';
import type { ModelSelector, SummaryResult } from '../../protocol/lsp/common';
import { withFormula } from './diagnostics';
import { inFile } from './locate';

/** The model `selector` names: same name, creation call nearest its offset. */
export function selectModel(analysis: FileAnalysis, selector: ModelSelector): ModelGraph | undefined {
  const named = analysis.models.filter((m) => m.name === selector.name);
  const pool = named.length > 0 ? named : analysis.models;
  let best: ModelGraph | undefined;
  for (const m of pool) {
    if (!best || Math.abs(m.range.startOffset - selector.offset) < Math.abs(best.range.startOffset - selector.offset)) best = m;
  }
  return named.length > 0 ? best : undefined;
}

/**
 * @param displayFile how the file is named in the text (e.g. relative to the workspace folder)
 * @param selector    one model only; all models of the file when absent or when it matches none
 */
export function summaryFor(analysis: FileAnalysis, displayFile: string, selector?: ModelSelector): SummaryResult {
  const chosen = selector ? selectModel(analysis, selector) : undefined;
  const models = chosen ? [chosen] : analysis.models;
  if (models.length === 0) return { text: '', modelCount: 0 };
  const parts = models.map((m) => safeFormat(m, displayFile));
  const notes = [...(chosen ? [] : analysis.diagnostics), ...models.flatMap((m) => m.diagnostics)];
  if (notes.length > 0) {
    const lines = notes.map((d) => {
      const at = d.range
        ? `${inFile(d.range, analysis.file) ? displayFile : path.basename(d.range.file)}:${d.range.start.line}:${d.range.start.column}`
        : displayFile;
      return `${d.severity} ${at} ${withFormula(d, '\n    ')}`;
    });
    parts.push(`Problems\n\n${lines.join('\n')}`);
  }
  return { text: `${parts.join('\n\n')}\n`, modelCount: models.length };
}

function safeFormat(model: ModelGraph, displayFile: string): string {
  try {
    return formatSummary(model, displayFile);
  } catch (err) {
    return `(summary of ${model.name} unavailable: ${err instanceof Error ? err.message : String(err)})`;
  }
}
