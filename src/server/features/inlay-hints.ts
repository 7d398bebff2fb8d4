/**
 * Inlay hints: at the end of each layer's source line its output shape and parameter
 * count (`→ [null,28,28,32] · 320`), and at the end of a model's creation line the model's
 * total (`Σ 61,706 params`). Layers created by one call that runs several times (a loop, a
 * helper) share one hint: `×13 → [null,224,224,64] … [null,14,14,512] · 14,710,464`.
 */
import type { InlayHint, Range } from 'vscode-languageserver';
import { InlayHintKind, MarkupKind } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis, ModelGraph, SourceRange } from '../../analysis/graph';
import type { LayerLensSettings } from '../../protocol/lsp/common';
import { formatBytes, formatCount, formatShape, sumCounts } from './format';
import { ENGLISH, type UiL10n, unknownIn } from './l10n';
import { type LayerEntry, anchorOf, inFile, layersOf, variantPrefix } from './locate';

export type InlayHintSettings = LayerLensSettings['inlayHints'];

/** The hints whose position lies in `range` (the whole document when absent). */
export function inlayHintsFor(
  analysis: FileAnalysis,
  doc: TextDocument,
  range: Range | undefined,
  settings: InlayHintSettings,
  l10n: UiL10n = ENGLISH,
): InlayHint[] {
  if (!settings.enabled) return [];
  const hints: Array<InlayHint & { order: number }> = [];

  // Layers grouped by the call that created (or applied) them. When several models run the
  // same code (variants of one builder called with other arguments), a line shows the first
  // model's layers; the hover lists them all.
  const groups = new Map<string, { anchor: SourceRange; model: ModelGraph; entries: LayerEntry[] }>();
  for (const entry of layersOf(analysis)) {
    const anchor = anchorOf(entry.layer, analysis);
    if (!anchor) continue;
    const key = `${anchor.startOffset}:${anchor.endOffset}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { anchor, model: entry.model, entries: [entry] });
    else if (group.model === entry.model) group.entries.push(entry);
  }
  for (const { anchor, entries } of groups.values()) {
    hints.push({
      position: lineEnd(doc, anchor.endOffset),
      label: layerLabel(entries, settings),
      kind: InlayHintKind.Type,
      paddingLeft: true,
      tooltip: { kind: MarkupKind.Markdown, value: layerTooltip(entries, l10n) },
      order: anchor.startOffset,
    });
  }

  if (settings.showParams) {
    for (const model of analysis.models) {
      if (!inFile(model.range, analysis.file)) continue;
      const t = model.totals;
      hints.push({
        position: lineEnd(doc, model.range.startOffset),
        label: `${variantPrefix(analysis, model)}${l10n.t('Σ {0} params', unknownIn(l10n, formatCount(t.total)))}`,
        kind: InlayHintKind.Type,
        paddingLeft: true,
        tooltip: l10n.t(
          '{0}: {1} parameters ({2} fp32), {3} trainable, {4} non-trainable',
          model.name,
          unknownIn(l10n, formatCount(t.total)),
          unknownIn(l10n, formatBytes(t.paramBytes)),
          unknownIn(l10n, formatCount(t.trainable)),
          unknownIn(l10n, formatCount(t.nonTrainable)),
        ),
        // After the layer hints of the same line.
        order: Number.MAX_SAFE_INTEGER - 1,
      });
    }
  }

  const inRange = (h: InlayHint): boolean => !range || (!before(h.position, range.start) && !before(range.end, h.position));
  return hints
    .filter(inRange)
    .sort((a, b) => a.position.line - b.position.line || a.position.character - b.position.character || a.order - b.order)
    .map(({ order: _order, ...hint }) => hint);
}

export function layerLabel(entries: LayerEntry[], settings: Pick<InlayHintSettings, 'showBatchDim' | 'showParams'>): string {
  const shapes = entries.map((e) => formatShape(e.layer.outputShape, settings.showBatchDim));
  const distinct = [...new Set(shapes)];
  const shapeText = distinct.length === 1 ? distinct[0] : `${shapes[0]} … ${shapes[shapes.length - 1]}`;
  const count = entries.length > 1 ? `×${entries.length} ` : '';
  let label = `${count}→ ${shapeText}`;
  if (settings.showParams) {
    const params = sumCounts(entries.map((e) => e.layer.params.total));
    if (params !== 0) label += ` · ${formatCount(params)}`;
  }
  return label;
}

function layerTooltip(entries: LayerEntry[], l10n: UiL10n): string {
  const rows = entries.slice(0, 12).map(({ layer }) => {
    const params = layer.paramFormula ?? unknownIn(l10n, formatCount(layer.params.total));
    return `\`${layer.name}\` (${layer.className}) → \`${formatShape(layer.outputShape)}\` · ${l10n.t('params {0}', `\`${params}\``)}`;
  });
  if (entries.length > 12) rows.push(l10n.t('… and {0} more', entries.length - 12));
  return rows.join('  \n');
}

/** The end of the line holding `offset`, before trailing white space. */
function lineEnd(doc: TextDocument, offset: number): { line: number; character: number } {
  const line = doc.positionAt(offset).line;
  const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  return { line, character: text.replace(/\s+$/, '').length };
}

function before(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}
