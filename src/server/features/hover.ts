/**
 * Hover text for what the cursor is on: a layer factory call (`tf.layers.conv2d(…)`), a
 * layer's `.apply(…)` / `model.add(…)` call, a model's creation call, or an identifier
 * naming a model. Markdown with shapes, the engine's parameter and output-size formulas,
 * trainable and non-trainable counts, and MACs. With a locale, a config key or value under
 * the cursor gets its concept explanation instead (./config-hover.ts).
 */
import type { Hover } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis, LayerNode, ModelGraph } from '../../analysis/graph';
import type { ExplainLocale } from '../../explain/index';
import { conceptNote, configHoverAt, layerConceptIds } from './config-hover';
import { formatBytes, formatCompact, formatCount, formatShape } from './format';
import { ENGLISH, type UiL10n, unknownIn } from './l10n';
import { type LayerEntry, type Target, targetAt } from './locate';

export interface HoverOptions {
  /**
   * Hook for concept explanations: a short markdown text about a layer class (e.g. what a
   * `Conv2D` does), appended under the numbers. Wired by the server to src/explain when
   * that module is present; absent, hovers carry the numbers only.
   */
  explainLayer?: (className: string) => string | undefined;
  /**
   * The client's locale for src/explain texts. Set, config keys and values (`activation: 'relu'`,
   * `loss`, `optimizer`, `padding`, …) get their explanation, and a layer's hover names the
   * model-level idea it stands for (a 1×1 convolution, a residual `add`).
   */
  locale?: ExplainLocale;
  /** The hover's own labels (`params`, `trainable`, …) in the client's locale; English when absent. */
  l10n?: UiL10n;
}

/** The hover at `offset` of `doc` (the text that was analysed), or null when nothing of ours is there. */
export function hoverAt(analysis: FileAnalysis, doc: TextDocument, offset: number, options: HoverOptions = {}): Hover | null {
  if (options.locale) {
    const config = safe(() => configHoverAt(analysis, doc, offset, options.locale!));
    if (config) return config;
  }
  const target = targetAt(analysis, doc.getText(), offset);
  if (!target) return null;
  const value = hoverMarkdown(target, options);
  return {
    contents: { kind: MarkupKind.Markdown, value },
    range: { start: doc.positionAt(target.range.startOffset), end: doc.positionAt(target.range.endOffset) },
  };
}

export function hoverMarkdown(target: Target, options: HoverOptions = {}): string {
  const l10n = options.l10n ?? ENGLISH;
  if (target.kind === 'model') {
    const others = (target.variants ?? []).filter((m) => m !== target.model);
    const text = modelMarkdown(target.model, l10n);
    if (others.length === 0) return text;
    const list = others.map((m) =>
      l10n.t(
        '`{0}` ({1} params, output {2})',
        m.name,
        unknownIn(l10n, formatCount(m.totals.total)),
        m.outputShapes.map((s) => `\`${formatShape(s)}\``).join(', '),
      ),
    );
    const conditional = others.every((m) => m.variant?.condition !== undefined);
    return conditional
      ? `${text}\n\n${l10n.t('Depending on a condition known only at run time, this call builds {0}.', list.join(', '))}`
      : `${text}\n\n${l10n.t('This call also builds {0}: the same code called with other arguments.', list.join(', '))}`;
  }
  const parts = target.entries.length === 1 ? [layerMarkdown(target.entries[0].layer, l10n)] : [groupMarkdown(target.entries, l10n)];
  const explanation = safeExplain(options, target.entries[0].layer.className);
  const { layer, model } = target.entries[0];
  const notes = options.locale
    ? (safe(() => layerConceptIds(layer, model)) ?? []).map((id) => conceptNote(id, options.locale!)).filter((n) => n !== undefined)
    : [];
  if (explanation || notes.length > 0) parts.push('---', ...[explanation, ...notes].filter((x) => x !== undefined));
  return parts.join('\n\n');
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function safeExplain(options: HoverOptions, className: string): string | undefined {
  if (!options.explainLayer) return undefined;
  try {
    return options.explainLayer(className)?.trim() || undefined;
  } catch {
    return undefined;
  }
}

export function layerMarkdown(layer: LayerNode, l10n: UiL10n = ENGLISH): string {
  const count = (n: number | null | undefined): string => unknownIn(l10n, formatCount(n));
  const factory = layer.factory ? ` · \`tf.layers.${layer.factory}\`` : '';
  const lines = [`**${layer.className}** \`${layer.name}\`${factory}`, shapesLine(layer, l10n)];
  const facts: string[] = [];
  const params = layer.paramFormula ? `\`${layer.paramFormula}\`` : count(layer.params.total);
  facts.push(l10n.t('params: {0}', params));
  facts.push(trainableLine(layer, l10n));
  if (layer.shapeFormula) facts.push(l10n.t('output size: {0}', `\`${layer.shapeFormula}\``));
  facts.push(l10n.t('MACs: {0}', macsText(layer.macs, l10n)));
  if (layer.weights.length > 0) {
    const weights = layer.weights
      .map((w) => `${w.name} \`${formatShape(w.shape)}\`${w.trainable ? '' : l10n.t(' (non-trainable)')}`)
      .join(', ');
    facts.push(l10n.t('weights: {0}', weights));
  }
  lines.push(facts.map((f) => `- ${f}`).join('\n'));
  return lines.join('\n\n');
}

function shapesLine(layer: LayerNode, l10n: UiL10n): string {
  const inputs = layer.inputShapes.length > 0 ? layer.inputShapes.map((s) => `\`${formatShape(s)}\``).join(' + ') : '`?`';
  if (layer.className === 'InputLayer') return l10n.t('input {0}', `\`${formatShape(layer.outputShape)}\``);
  return `${inputs} → \`${formatShape(layer.outputShape)}\``;
}

function trainableLine(layer: LayerNode, l10n: UiL10n): string {
  const { trainable, nonTrainable } = layer.params;
  const frozen = layer.trainable ? '' : l10n.t(' — frozen (`trainable: false`)');
  return (
    l10n.t('trainable {0} · non-trainable {1}', unknownIn(l10n, formatCount(trainable)), unknownIn(l10n, formatCount(nonTrainable))) +
    frozen
  );
}

function macsText(macs: number | null, l10n: UiL10n): string {
  if (macs === null) return l10n.t('unknown');
  return macs >= 1000
    ? l10n.t('{0} per sample ({1})', formatCount(macs), formatCompact(macs))
    : l10n.t('{0} per sample', formatCount(macs));
}

/** Several layers from one call site: a table, the first rows of it for long lists. */
function groupMarkdown(entries: LayerEntry[], l10n: UiL10n, maxRows = 12): string {
  const count = (n: number | null | undefined): string => unknownIn(l10n, formatCount(n));
  const first = entries[0].layer;
  const factory = first.factory ? `\`tf.layers.${first.factory}\`` : first.className;
  const total = entries.reduce<number | null>(
    (sum, e) => (sum === null || e.layer.params.total === null ? null : sum + e.layer.params.total),
    0,
  );
  const lines = [l10n.t('**{0} layers** from this {1} call · {2} params in all', entries.length, factory, count(total))];
  // Layers of different models here: variants of one builder, or a helper several models use.
  const byModel = new Set(entries.map((e) => e.model)).size > 1;
  const rows = entries.slice(0, maxRows).map(({ layer, model }) => {
    const params = layer.paramFormula ? `\`${layer.paramFormula}\`` : count(layer.params.total);
    return `| \`${layer.name}\` |${byModel ? ` \`${model.name}\` |` : ''} \`${formatShape(layer.outputShape)}\` | ${params} |`;
  });
  const header = byModel
    ? [l10n.t('| layer | model | output | params |'), '|:--|:--|:--|:--|']
    : [l10n.t('| layer | output | params |'), '|:--|:--|:--|'];
  lines.push([...header, ...rows].join('\n'));
  if (entries.length > maxRows) lines.push(l10n.t('… and {0} more', entries.length - maxRows));
  return lines.join('\n\n');
}

/** Where the model's numbers come from when not from the file alone: another file's call, a test, a run-time condition. */
function originOf(model: ModelGraph, l10n: UiL10n): string | undefined {
  if (model.alternatives) {
    return model.alternatives.length
      ? l10n.t(
          'Its layers depend on a condition known only at run time: it is one of {0}.',
          model.alternatives.map((n) => `\`${n}\``).join(', '),
        )
      : l10n.t('Its layers depend on conditions known only at run time, with too many combinations to list.');
  }
  if (model.variant?.condition)
    return l10n.t('Built when {0} (called at {1}).', `\`${model.variant.condition}\``, `\`${model.variant.context}\``);
  if (model.variant)
    return l10n.t('Built by the call at {0}, a variant of {1}.', `\`${model.variant.context}\``, `\`${model.variant.of}\``);
  if (model.via) return l10n.t('Sizes from the call at {0}.', `\`${model.via}\``);
  return undefined;
}

export function modelMarkdown(model: ModelGraph, l10n: UiL10n = ENGLISH): string {
  const count = (n: number | null | undefined): string => unknownIn(l10n, formatCount(n));
  const bytes = (n: number | null | undefined): string => unknownIn(l10n, formatBytes(n));
  const kind = model.kind === 'sequential' ? l10n.t('Sequential model') : l10n.t('Functional model');
  const t = model.totals;
  const inputs = model.inputShapes.map((s) => `\`${formatShape(s)}\``).join(', ') || '`?`';
  const outputs = model.outputShapes.map((s) => `\`${formatShape(s)}\``).join(', ') || '`?`';
  const layers = model.layers.length === 1 ? l10n.t('1 layer') : l10n.t('{0} layers', model.layers.length);
  const lines = [`**${kind}** \`${model.name}\` · ${layers}`, `${inputs} → ${outputs}`];
  const origin = originOf(model, l10n);
  if (origin) lines.push(origin);
  const facts = [
    l10n.t('params: {0} ({1} fp32)', count(t.total), bytes(t.paramBytes)),
    l10n.t('trainable {0} · non-trainable {1}', count(t.trainable), count(t.nonTrainable)),
    l10n.t('MACs: {0}', macsText(t.macs, l10n)),
  ];
  if (t.activationsPerSample !== undefined) {
    facts.push(
      l10n.t(
        'activations: {0} values per sample ({1} fp32 at batch {2})',
        count(t.activationsPerSample),
        bytes(t.activationBytes),
        String(t.batchSize),
      ),
    );
  }
  const c = model.compile;
  if (c) {
    const bits: string[] = [];
    if (c.optimizer) {
      const lr = typeof c.learningRate === 'number' ? l10n.t(' (learning rate {0})', c.learningRate) : '';
      bits.push(l10n.t('optimizer {0}', `\`${c.optimizer}\``) + lr);
    }
    if (c.loss) bits.push(l10n.t('loss {0}', `\`${Array.isArray(c.loss) ? c.loss.join(', ') : c.loss}\``));
    if (c.metrics && c.metrics.length > 0) bits.push(l10n.t('metrics {0}', `\`${c.metrics.join(', ')}\``));
    if (bits.length > 0) facts.push(l10n.t('compiled: {0}', bits.join(', ')));
  }
  const errors = model.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = model.diagnostics.filter((d) => d.severity === 'warning').length;
  if (errors + warnings > 0) {
    const e = errors === 0 ? '' : errors === 1 ? l10n.t('1 error') : l10n.t('{0} errors', errors);
    const w = warnings === 0 ? '' : warnings === 1 ? l10n.t('1 warning') : l10n.t('{0} warnings', warnings);
    facts.push(l10n.t('problems: {0}', [e, w].filter(Boolean).join(', ')));
  }
  lines.push(facts.map((f) => `- ${f}`).join('\n'));
  return lines.join('\n\n');
}
