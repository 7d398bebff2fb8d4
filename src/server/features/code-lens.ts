/**
 * CodeLens above each model's creation line: its totals as plain text (no command, so
 * VS Code shows it as a label, not a button), a `Summary` lens that opens the
 * `model.summary()`-style table of that model, and `▶ Train` (Train Current Model on that
 * model: the client's layerLens.trainModel with `[uri, ModelSelector]`).
 */
import type { CodeLens } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis, ModelGraph } from '../../analysis/graph';
import { SHOW_SUMMARY_COMMAND, type ModelSelector } from '../protocol';
import { TRAIN_MODEL_COMMAND } from '../train-protocol';
import { formatBytes, formatCompact, formatCount } from './format';
import { inFile, variantPrefix } from './locate';

export function codeLensesFor(analysis: FileAnalysis, doc: TextDocument): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const model of analysis.models) {
    if (!inFile(model.range, analysis.file)) continue;
    const start = doc.positionAt(model.range.startOffset);
    const range = { start: { line: start.line, character: 0 }, end: { line: start.line, character: 0 } };
    const t = model.totals;
    lenses.push({
      range,
      command: {
        title: `${variantPrefix(analysis, model)}${totalsTitle(model)}`,
        tooltip: `${model.name}: ${formatCount(t.trainable)} trainable, ${formatCount(t.nonTrainable)} non-trainable parameters; ${formatCount(t.macs)} multiply-accumulates per sample`,
        // An empty command id: shown as text, not as a button.
        command: '',
      },
    });
    const selector: ModelSelector = { name: model.name, offset: model.range.startOffset };
    lenses.push({
      range,
      command: { title: variantPrefix(analysis, model) ? `Summary of ${model.name}` : 'Summary', tooltip: `Show the model.summary() table of ${model.name}`, command: SHOW_SUMMARY_COMMAND, arguments: [doc.uri, selector] },
    });
    lenses.push({
      range,
      command: { title: variantPrefix(analysis, model) ? `▶ Train ${model.name}` : '▶ Train', tooltip: `Train ${model.name} in the Layer Lens training panel (Layer Lens: Train Current Model)`, command: TRAIN_MODEL_COMMAND, arguments: [doc.uri, selector] },
    });
  }
  return lenses;
}

/** `Σ 1,199,882 params (4.6 MB fp32) · 12.3 M MACs`. */
export function totalsTitle(model: ModelGraph): string {
  const t = model.totals;
  return `Σ ${formatCount(t.total)} params (${formatBytes(t.paramBytes)} fp32) · ${formatCompact(t.macs)} MACs`;
}
