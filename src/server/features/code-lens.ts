/**
 * CodeLens above each model's creation line: its totals as plain text (no command, so
 * VS Code shows it as a label, not a button), a `Summary` lens that opens the
 * `model.summary()`-style table of that model, and `▶ Train` (Train Current Model on that
 * model: the client's layerLens.trainModel with `[uri, ModelSelector]`).
 */
import type { CodeLens } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis, ModelGraph } from '../../analysis/graph';
import { SHOW_SUMMARY_COMMAND, type ModelSelector } from '../../protocol/lsp/common';
import { TRAIN_MODEL_COMMAND } from '../../protocol/lsp/train';
import { formatBytes, formatCompact, formatCount } from './format';
import { ENGLISH, type UiL10n, unknownIn } from './l10n';
import { inFile, variantPrefix } from './locate';

export function codeLensesFor(analysis: FileAnalysis, doc: TextDocument, l10n: UiL10n = ENGLISH): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const model of analysis.models) {
    if (!inFile(model.range, analysis.file)) continue;
    const start = doc.positionAt(model.range.startOffset);
    const range = { start: { line: start.line, character: 0 }, end: { line: start.line, character: 0 } };
    const t = model.totals;
    lenses.push({
      range,
      command: {
        title: `${variantPrefix(analysis, model)}${totalsTitle(model, l10n)}`,
        tooltip: l10n.t(
          '{0}: {1} trainable, {2} non-trainable parameters; {3} multiply-accumulates per sample',
          model.name,
          unknownIn(l10n, formatCount(t.trainable)),
          unknownIn(l10n, formatCount(t.nonTrainable)),
          unknownIn(l10n, formatCount(t.macs)),
        ),
        // An empty command id: shown as text, not as a button.
        command: '',
      },
    });
    const selector: ModelSelector = { name: model.name, offset: model.range.startOffset };
    lenses.push({
      range,
      command: {
        title: variantPrefix(analysis, model) ? l10n.t('Summary of {0}', model.name) : l10n.t('Summary'),
        tooltip: l10n.t('Show the model.summary() table of {0}', model.name),
        command: SHOW_SUMMARY_COMMAND,
        arguments: [doc.uri, selector],
      },
    });
    lenses.push({
      range,
      command: {
        title: variantPrefix(analysis, model) ? l10n.t('▶ Train {0}', model.name) : l10n.t('▶ Train'),
        tooltip: l10n.t('Train {0} in the Layer Lens training panel (Layer Lens: Train Current Model)', model.name),
        command: TRAIN_MODEL_COMMAND,
        arguments: [doc.uri, selector],
      },
    });
  }
  return lenses;
}

/** `Σ 1,199,882 params (4.6 MB fp32) · 12.3 M MACs`. */
export function totalsTitle(model: ModelGraph, l10n: UiL10n = ENGLISH): string {
  const t = model.totals;
  return l10n.t(
    'Σ {0} params ({1} fp32) · {2} MACs',
    unknownIn(l10n, formatCount(t.total)),
    unknownIn(l10n, formatBytes(t.paramBytes)),
    unknownIn(l10n, formatCompact(t.macs)),
  );
}
