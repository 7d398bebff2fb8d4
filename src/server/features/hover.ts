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
import { formatBytes, formatCompact, formatCount, formatShape, plural } from './format';
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
  if (target.kind === 'model') {
    const others = (target.variants ?? []).filter((m) => m !== target.model);
    const text = modelMarkdown(target.model);
    if (others.length === 0) return text;
    const list = others.map((m) => `\`${m.name}\` (${formatCount(m.totals.total)} params, output ${m.outputShapes.map((s) => `\`${formatShape(s)}\``).join(', ')})`);
    return `${text}\n\nThis call also builds ${list.join(', ')}: the same code called with other arguments.`;
  }
  const parts = target.entries.length === 1 ? [layerMarkdown(target.entries[0].layer)] : [groupMarkdown(target.entries)];
  const explanation = safeExplain(options, target.entries[0].layer.className);
  const { layer, model } = target.entries[0];
  const notes = options.locale ? (safe(() => layerConceptIds(layer, model)) ?? []).map((id) => conceptNote(id, options.locale!)).filter((n) => n !== undefined) : [];
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

export function layerMarkdown(layer: LayerNode): string {
  const factory = layer.factory ? ` · \`tf.layers.${layer.factory}\`` : '';
  const lines = [`**${layer.className}** \`${layer.name}\`${factory}`, shapesLine(layer)];
  const facts: string[] = [];
  const params = layer.paramFormula ? `\`${layer.paramFormula}\`` : formatCount(layer.params.total);
  facts.push(`params: ${params}`);
  facts.push(trainableLine(layer));
  if (layer.shapeFormula) facts.push(`output size: \`${layer.shapeFormula}\``);
  facts.push(`MACs: ${macsText(layer.macs)}`);
  if (layer.weights.length > 0) facts.push(`weights: ${layer.weights.map((w) => `${w.name} \`${formatShape(w.shape)}\`${w.trainable ? '' : ' (non-trainable)'}`).join(', ')}`);
  lines.push(facts.map((f) => `- ${f}`).join('\n'));
  return lines.join('\n\n');
}

function shapesLine(layer: LayerNode): string {
  const inputs = layer.inputShapes.length > 0 ? layer.inputShapes.map((s) => `\`${formatShape(s)}\``).join(' + ') : '`?`';
  if (layer.className === 'InputLayer') return `input \`${formatShape(layer.outputShape)}\``;
  return `${inputs} → \`${formatShape(layer.outputShape)}\``;
}

function trainableLine(layer: LayerNode): string {
  const { trainable, nonTrainable } = layer.params;
  const frozen = layer.trainable ? '' : ' — frozen (`trainable: false`)';
  return `trainable ${formatCount(trainable)} · non-trainable ${formatCount(nonTrainable)}${frozen}`;
}

function macsText(macs: number | null): string {
  if (macs === null) return 'unknown';
  return macs >= 1000 ? `${formatCount(macs)} per sample (${formatCompact(macs)})` : `${formatCount(macs)} per sample`;
}

/** Several layers from one call site: a table, the first rows of it for long lists. */
function groupMarkdown(entries: LayerEntry[], maxRows = 12): string {
  const first = entries[0].layer;
  const factory = first.factory ? `\`tf.layers.${first.factory}\`` : first.className;
  const total = entries.reduce<number | null>((sum, e) => (sum === null || e.layer.params.total === null ? null : sum + e.layer.params.total), 0);
  const lines = [`**${entries.length} layers** from this ${factory} call · ${formatCount(total)} params in all`];
  // Layers of different models here: variants of one builder, or a helper several models use.
  const byModel = new Set(entries.map((e) => e.model)).size > 1;
  const rows = entries.slice(0, maxRows).map(({ layer, model }) => {
    const params = layer.paramFormula ? `\`${layer.paramFormula}\`` : formatCount(layer.params.total);
    return `| \`${layer.name}\` |${byModel ? ` \`${model.name}\` |` : ''} \`${formatShape(layer.outputShape)}\` | ${params} |`;
  });
  const header = byModel ? ['| layer | model | output | params |', '|:--|:--|:--|:--|'] : ['| layer | output | params |', '|:--|:--|:--|'];
  lines.push([...header, ...rows].join('\n'));
  if (entries.length > maxRows) lines.push(`… and ${entries.length - maxRows} more`);
  return lines.join('\n\n');
}

export function modelMarkdown(model: ModelGraph): string {
  const kind = model.kind === 'sequential' ? 'Sequential model' : 'Functional model';
  const t = model.totals;
  const inputs = model.inputShapes.map((s) => `\`${formatShape(s)}\``).join(', ') || '`?`';
  const outputs = model.outputShapes.map((s) => `\`${formatShape(s)}\``).join(', ') || '`?`';
  const lines = [`**${kind}** \`${model.name}\` · ${plural(model.layers.length, 'layer')}`, `${inputs} → ${outputs}`];
  const facts = [
    `params: ${formatCount(t.total)} (${formatBytes(t.paramBytes)} fp32)`,
    `trainable ${formatCount(t.trainable)} · non-trainable ${formatCount(t.nonTrainable)}`,
    `MACs: ${macsText(t.macs)}`,
  ];
  if (t.activationsPerSample !== undefined) {
    facts.push(`activations: ${formatCount(t.activationsPerSample)} values per sample (${formatBytes(t.activationBytes)} fp32 at batch ${t.batchSize})`);
  }
  const c = model.compile;
  if (c) {
    const bits: string[] = [];
    if (c.optimizer) bits.push(`optimizer \`${c.optimizer}\`${typeof c.learningRate === 'number' ? ` (learning rate ${c.learningRate})` : ''}`);
    if (c.loss) bits.push(`loss \`${Array.isArray(c.loss) ? c.loss.join(', ') : c.loss}\``);
    if (c.metrics && c.metrics.length > 0) bits.push(`metrics \`${c.metrics.join(', ')}\``);
    if (bits.length > 0) facts.push(`compiled: ${bits.join(', ')}`);
  }
  const errors = model.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = model.diagnostics.filter((d) => d.severity === 'warning').length;
  if (errors + warnings > 0) facts.push(`problems: ${[errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : ''].filter(Boolean).join(', ')}`);
  lines.push(facts.map((f) => `- ${f}`).join('\n'));
  return lines.join('\n\n');
}
