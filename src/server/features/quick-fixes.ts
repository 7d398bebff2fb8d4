/**
 * Quick fixes (LSP code actions of kind `quickfix`) for the engine's diagnostics, where the fix
 * is an edit the user would make by hand:
 *
 *   negative-output-size, zero-output-size   a 'valid' conv/pooling window larger than its input →
 *                                            `padding: 'same'` (set, or added to the config)
 *   wrong-input-rank                         an `inputShape` / `tf.input` shape without its channel
 *                                            axis → the axis added; else a `reshape` that adds it,
 *                                            or a `flatten()` / `reshape` before a layer that needs
 *                                            fewer axes; a Flatten of an already flat input → removed
 *   incompatible-input-shape                 a model (or shared layer) applied to the wrong size →
 *                                            the nested model's inputShape, the `tf.input` shape, or
 *                                            the producing layer's units/filters changed to match
 *   concat-axis-mismatch, -out-of-range      → `axis` set to the one axis on which the inputs differ
 *   merge-shape-mismatch                     add/multiply/… of widths that differ → the units/filters
 *                                            of the branch(es) that differ set to the other width
 *   reshape-size-mismatch                    → the units of the Dense layer before it set to what
 *                                            `targetShape` holds
 *   missing-input-shape                      → `inputShape` from the data later given to the model's
 *                                            fit / predict / evaluate (none when that is not known)
 *   not-a-tfjs-layer                         a misspelt factory → the factory it most likely meant
 *   dense-without-activation                 → `activation: 'relu'`
 *   softmax-single-unit                      → `activation: 'sigmoid'`
 *   output-activation-loss-mismatch          → the output activation the compiled loss expects
 *                                            (softmax for categorical losses, sigmoid for binary)
 *   dropout-last-layer                       → the dropout moved before the layer in front of it
 *   extreme-learning-rate                    → the learning rate the check suggests (0.001; 0.01
 *                                            for SGD and momentum)
 *
 * Every fix is computed from the engine's graph (shapes, config, ranges) and the document's syntax
 * tree (the config object literal at the layer's factory call); a fix that changes a layer's
 * config is checked with the engine's own layer rule before it is offered. Pure.
 */
import { ts } from 'ts-morph';
import type { CodeAction, CodeActionContext, Diagnostic as LspDiagnostic, Range, WorkspaceEdit } from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, FileAnalysis, LayerNode, ModelGraph, OutputShape, Shape, SourceRange } from '../../analysis/graph';
import { applyRule, nearestFactory, ruleForFactory } from '../../analysis/index';
import { toLsp } from './diagnostics';
import { formatShape, isShapeList } from './format';
import { ENGLISH, type UiL10n } from './l10n';
import { inFile, sameRange } from './locate';
import {
  type OffsetEdit,
  callWithRange,
  calleeName,
  configArgument,
  findProperty,
  indentAt,
  layersPrefix,
  listText,
  numberList,
  parseSource,
  propertyValue,
  resolveConst,
  resolveExpression,
  setPropertyEdit,
  startsLine,
  toTextEdits,
  unwrap,
} from './syntax';

export interface QuickFix {
  title: string;
  /** Offset edits of the analysed text (the document the analysis was made of). */
  edits: OffsetEdit[];
  /** The fix VS Code applies with "Auto Fix" (one per diagnostic at most). */
  preferred?: boolean;
}

export interface DiagnosticFixes {
  diagnostic: Diagnostic;
  fixes: QuickFix[];
}

/** The diagnostic codes this module can offer a fix for (when the code's situation allows one). */
export const FIXABLE_CODES = [
  'negative-output-size',
  'zero-output-size',
  'wrong-input-rank',
  'incompatible-input-shape',
  'concat-axis-mismatch',
  'concat-axis-out-of-range',
  'merge-shape-mismatch',
  'reshape-size-mismatch',
  'missing-input-shape',
  'not-a-tfjs-layer',
  'dense-without-activation',
  'softmax-single-unit',
  'output-activation-loss-mismatch',
  'dropout-last-layer',
  'extreme-learning-rate',
] as const;

interface Ctx {
  analysis: FileAnalysis;
  sf: ts.SourceFile;
  text: string;
  diag: Diagnostic & { range: SourceRange };
  /** The model whose diagnostics hold this one (none for file-level diagnostics). */
  model?: ModelGraph;
  /** Every layer of the file's models, nested models' layers and implicit inputs included, by id. */
  byId: Map<string, LayerNode>;
  /** The fix titles' language. */
  l10n: UiL10n;
}

type Fixer = (ctx: Ctx) => QuickFix[];

const FIXERS: Record<(typeof FIXABLE_CODES)[number], Fixer> = {
  'negative-output-size': paddingFixes,
  'zero-output-size': paddingFixes,
  'wrong-input-rank': rankFixes,
  'incompatible-input-shape': incompatibleInputFixes,
  'concat-axis-mismatch': concatAxisFixes,
  'concat-axis-out-of-range': concatAxisFixes,
  'merge-shape-mismatch': mergeFixes,
  'reshape-size-mismatch': reshapeFixes,
  'missing-input-shape': missingInputShapeFixes,
  'not-a-tfjs-layer': factoryTypoFixes,
  'dense-without-activation': (ctx) => activationFixes(ctx, () => 'relu'),
  'softmax-single-unit': (ctx) => activationFixes(ctx, () => 'sigmoid'),
  'output-activation-loss-mismatch': (ctx) => activationFixes(ctx, activationForLoss),
  'dropout-last-layer': dropoutLastFixes,
  'extreme-learning-rate': learningRateFixes,
};

/**
 * The fixes for the diagnostics of the file located in it (`text` is the analysed text), of
 * those `wanted` accepts when given.
 */
export function quickFixesFor(
  analysis: FileAnalysis,
  text: string,
  wanted?: (d: Diagnostic) => boolean,
  l10n: UiL10n = ENGLISH,
): DiagnosticFixes[] {
  const sf = parseSource(analysis.file, text);
  const byId = new Map<string, LayerNode>();
  for (const m of analysis.models) for (const l of m.layers) if (!byId.has(l.id)) byId.set(l.id, l);
  const out: DiagnosticFixes[] = [];
  const seen = new Set<Diagnostic>();
  const visit = (d: Diagnostic, model?: ModelGraph): void => {
    if (seen.has(d) || !d.range || !inFile(d.range, analysis.file)) return;
    seen.add(d);
    const fixer = (FIXERS as Record<string, Fixer | undefined>)[d.code];
    if (!fixer || (wanted && !wanted(d))) return;
    let fixes: QuickFix[];
    try {
      fixes = fixer({ analysis, sf, text, diag: d as Ctx['diag'], model, byId, l10n }).filter((f) => f.edits.length > 0);
    } catch {
      fixes = [];
    }
    if (fixes.length > 0) out.push({ diagnostic: d, fixes });
  };
  for (const d of analysis.diagnostics) visit(d);
  for (const m of analysis.models) for (const d of m.diagnostics) visit(d, m);
  return out;
}

/**
 * LSP code actions for the diagnostics overlapping `range`, each attached to the diagnostic it
 * fixes (the client's own copy when `context` carries it). `version`: the analysed document's
 * version, so that a client applies the edit only to the text it was computed for.
 */
export function codeActionsFor(
  analysis: FileAnalysis,
  doc: TextDocument,
  range: Range | undefined,
  context?: CodeActionContext,
  version?: number,
  l10n: UiL10n = ENGLISH,
): CodeAction[] {
  if (context?.only && !context.only.some((k) => k === '' || k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`)))
    return [];
  const actions: CodeAction[] = [];
  // The same edit fixing several diagnostics (one problem reported twice) is one action.
  const byEdit = new Map<string, CodeAction>();
  const fallback: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const near = (d: Diagnostic): boolean => !range || overlaps(toLsp(d, analysis.file, doc, fallback, l10n).range, range);
  for (const { diagnostic, fixes } of quickFixesFor(analysis, doc.getText(), near, l10n)) {
    const ours = toLsp(diagnostic, analysis.file, doc, fallback, l10n);
    const theirs = context?.diagnostics.find((d) => d.code === ours.code && d.source === ours.source && sameLspRange(d.range, ours.range));
    const attached: LspDiagnostic = theirs ?? ours;
    for (const fix of fixes) {
      const key = `${fix.title}|${JSON.stringify(fix.edits)}`;
      const same = byEdit.get(key);
      if (same) {
        if (!same.diagnostics!.includes(attached)) same.diagnostics!.push(attached);
        continue;
      }
      const edits = toTextEdits(doc, fix.edits);
      const edit: WorkspaceEdit =
        version === undefined
          ? { changes: { [doc.uri]: edits } }
          : { documentChanges: [{ textDocument: { uri: doc.uri, version }, edits }] };
      const action: CodeAction = {
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [attached],
        isPreferred: fix.preferred === true,
        edit,
      };
      byEdit.set(key, action);
      actions.push(action);
    }
  }
  return actions;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function sameLspRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/* ---------- finding the layer, its call sites and its neighbours ---------- */

function contains(outer: { startOffset: number; endOffset: number }, inner: { startOffset: number; endOffset: number }): boolean {
  return outer.startOffset <= inner.startOffset && inner.endOffset <= outer.endOffset;
}

/**
 * The layer a diagnostic is about: created by the call the diagnostic points at, applied or
 * added by it, or created inside it (`model.add(tf.layers.x(…))`); a name at the start of the
 * message decides between several.
 */
function layerOf(ctx: Ctx): LayerNode | undefined {
  const d = ctx.diag;
  let best: { layer: LayerNode; score: number } | undefined;
  for (const layer of ctx.byId.values()) {
    let score = 0;
    const own = layer.range && inFile(layer.range, ctx.analysis.file) ? layer.range : undefined;
    if (own && sameRange(own, d.range)) score = 3;
    else if (layer.applyRanges.some((r) => inFile(r, ctx.analysis.file) && sameRange(r, d.range))) score = 2;
    else if (own && contains(d.range, own)) score = 1;
    if (score === 0) continue;
    if (d.message.startsWith(`${layer.name}:`) || d.message.startsWith(`${layer.name} (`)) score += 10;
    else if (mentions(d.message, layer.name)) score += 5;
    if (!best || score > best.score) best = { layer, score };
  }
  return best?.layer;
}

/** `name` appears in `message` as a whole word. */
function mentions(message: string, name: string): boolean {
  const isWord = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);
  for (let i = message.indexOf(name); i >= 0; i = message.indexOf(name, i + 1)) {
    if (!isWord(message[i - 1]) && !isWord(message[i + name.length])) return true;
  }
  return false;
}

/** The call that created `layer` (its factory call), when it is in this file. */
function factoryCall(ctx: Ctx, layer: LayerNode): ts.CallExpression | undefined {
  return layer.range && inFile(layer.range, ctx.analysis.file) ? callWithRange(ctx.sf, layer.range) : undefined;
}

function singleShape(s: OutputShape | null | undefined): Shape | undefined {
  if (!s || isShapeList(s)) return undefined;
  return s;
}

function known(dims: readonly (number | null)[]): dims is number[] {
  return dims.every((d) => d !== null && d > 0);
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** The layer's rule run on other inputs or another config: its output shape, or undefined where it throws. */
function tryRule(layer: LayerNode, inputShapes: Shape[], config: Record<string, unknown> = layer.config): OutputShape | undefined {
  const rule = layer.factory ? ruleForFactory(layer.factory) : undefined;
  if (!rule) return undefined;
  try {
    return applyRule(rule, inputShapes, config).outputShape;
  } catch {
    return undefined;
  }
}

function positive(s: OutputShape | undefined): boolean {
  if (!s) return false;
  const shapes = isShapeList(s) ? s : [s];
  return shapes.every((x) => x.every((d) => d === null || d > 0));
}

/** The quote the file writes strings with (that of its first string literal). */
function quote(ctx: Ctx, s: string): string {
  let q = "'";
  const visit = (n: ts.Node): boolean => {
    if (ts.isStringLiteral(n)) {
      q = n.getText(ctx.sf).startsWith('"') ? '"' : "'";
      return true;
    }
    return ts.forEachChild(n, visit) ?? false;
  };
  visit(ctx.sf);
  return `${q}${s}${q}`;
}

/** Layers listing `id` as their (first call's) input. */
function consumers(ctx: Ctx, id: string): LayerNode[] {
  return [...ctx.byId.values()].filter((l) => l.inbound.includes(id));
}

/** The model `layer` belongs to: the diagnostic's model when it lists it, else the first that does. */
function modelHolding(ctx: Ctx, layer: LayerNode): ModelGraph | undefined {
  if (ctx.model?.layers.some((l) => l.id === layer.id)) return ctx.model;
  return ctx.analysis.models.find((m) => m.layers.some((l) => l.id === layer.id));
}

/** Where `layer` takes its input in this file: `model.add(…)`, `….apply(x)`, or an element of `layers: [...]`. */
type Site =
  | { kind: 'add'; call: ts.CallExpression; statement: ts.ExpressionStatement; receiver: string }
  | { kind: 'apply'; call: ts.CallExpression; arg: ts.Expression }
  | { kind: 'element'; element: ts.Expression; array: ts.ArrayLiteralExpression };

function siteOf(ctx: Ctx, layer: LayerNode, atDiagnostic = true): Site | undefined {
  const ranges = [...(atDiagnostic ? [ctx.diag.range] : []), ...layer.applyRanges.filter((r) => inFile(r, ctx.analysis.file))];
  for (const r of ranges) {
    const call = callWithRange(ctx.sf, r);
    if (!call) continue;
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) continue;
    if (callee.name.text === 'add' && call.arguments.length === 1 && ts.isExpressionStatement(call.parent)) {
      return { kind: 'add', call, statement: call.parent, receiver: callee.expression.getText(ctx.sf) };
    }
    if (callee.name.text === 'apply' && call.arguments.length >= 1 && !ts.isArrayLiteralExpression(unwrap(call.arguments[0]))) {
      return { kind: 'apply', call, arg: call.arguments[0] };
    }
  }
  // tf.sequential({ layers: [ …, tf.layers.x(…), … ] })
  const created = factoryCall(ctx, layer);
  if (created) {
    let el: ts.Expression = created;
    while (ts.isParenthesizedExpression(el.parent) || ts.isAsExpression(el.parent)) el = el.parent;
    const array = el.parent;
    if (ts.isArrayLiteralExpression(array) && ts.isPropertyAssignment(array.parent) && array.parent.name.getText(ctx.sf) === 'layers') {
      return { kind: 'element', element: el, array };
    }
  }
  return undefined;
}

/** An edit putting the layer written `factory` (e.g. `flatten()`) in front of `layer`, in the file's own style. */
function insertBefore(ctx: Ctx, layer: LayerNode, factory: string): { edit: OffsetEdit; text: string } | undefined {
  const prefix = layersPrefix(ctx.sf, factoryCall(ctx, layer));
  const site = siteOf(ctx, layer);
  if (!prefix || !site) return undefined;
  const created = `${prefix}${factory}`;
  const text = ctx.text;
  if (site.kind === 'add') {
    const start = site.statement.getStart(ctx.sf);
    const line = `${site.receiver}.add(${created});`;
    if (startsLine(text, start)) {
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      return { edit: { start: lineStart, end: lineStart, newText: `${indentAt(text, start)}${line}\n` }, text: created };
    }
    return { edit: { start, end: start, newText: `${line} ` }, text: created };
  }
  if (site.kind === 'apply') {
    return {
      edit: { start: site.arg.getStart(ctx.sf), end: site.arg.getEnd(), newText: `${created}.apply(${site.arg.getText(ctx.sf)})` },
      text: created,
    };
  }
  const start = site.element.getStart(ctx.sf);
  const newText = startsLine(text, start) ? `${created},\n${indentAt(text, start)}` : `${created}, `;
  return { edit: { start, end: start, newText }, text: created };
}

/** An edit taking `layer` out of the model (a Flatten that has nothing to flatten). */
function removeLayer(ctx: Ctx, layer: LayerNode): OffsetEdit | undefined {
  const site = siteOf(ctx, layer);
  const text = ctx.text;
  if (!site) return undefined;
  if (site.kind === 'add') {
    const start = site.statement.getStart(ctx.sf);
    const end = site.statement.getEnd();
    const lineEnd = text.indexOf('\n', end);
    const rest = text.slice(end, lineEnd < 0 ? text.length : lineEnd);
    if (startsLine(text, start) && rest.trim() === '') {
      return { start: text.lastIndexOf('\n', start - 1) + 1, end: lineEnd < 0 ? text.length : lineEnd + 1, newText: '' };
    }
    return { start, end, newText: '' };
  }
  if (site.kind === 'apply') {
    // `flatten.apply(x)` → `x`: the layer would not change its input.
    return { start: site.call.getStart(ctx.sf), end: site.call.getEnd(), newText: site.arg.getText(ctx.sf) };
  }
  const els = site.array.elements;
  const i = els.indexOf(site.element);
  if (i < 0) return undefined;
  if (i < els.length - 1) return { start: site.element.getStart(ctx.sf), end: els[i + 1].getStart(ctx.sf), newText: '' };
  if (i > 0) return { start: els[i - 1].getEnd(), end: site.element.getEnd(), newText: '' };
  return { start: site.element.getStart(ctx.sf), end: site.element.getEnd(), newText: '' };
}

/* ---------- negative-output-size, zero-output-size ---------- */

const PADDED = new Set([
  'Conv1D',
  'Conv2D',
  'Conv3D',
  'SeparableConv2D',
  'DepthwiseConv2D',
  'MaxPooling1D',
  'MaxPooling2D',
  'MaxPooling3D',
  'AveragePooling1D',
  'AveragePooling2D',
  'AveragePooling3D',
  'ConvLSTM2D',
]);

function paddingFixes(ctx: Ctx): QuickFix[] {
  const layer = layerOf(ctx);
  if (!layer || !PADDED.has(layer.className) || layer.config.padding === 'same') return [];
  const input = singleShape(layer.inputShapes[0]);
  // A window too large for an input that is itself empty: the fix belongs to an earlier layer.
  if (!input || input.slice(1).some((d) => d !== null && d <= 0)) return [];
  const out = tryRule(layer, [input], { ...layer.config, padding: 'same' });
  if (!positive(out)) return [];
  const call = factoryCall(ctx, layer);
  const edit = call && setPropertyEdit(ctx.sf, call, 'padding', quote(ctx, 'same'));
  if (!edit) return [];
  return [{ title: ctx.l10n.t("Use padding 'same' in {0} (output {1})", layer.name, formatShape(out!)), edits: [edit], preferred: true }];
}

/* ---------- wrong-input-rank ---------- */

function rankFixes(ctx: Ctx): QuickFix[] {
  const layer = layerOf(ctx);
  const got = singleShape(layer?.inputShapes[0]);
  if (!layer || !got || got.length < 2) return [];
  const dims = got.slice(1);
  if (!known(dims)) return [];

  if (layer.className === 'Flatten') {
    if (got.length !== 2) return [];
    const edit = removeLayer(ctx, layer);
    return edit
      ? [{ title: ctx.l10n.t('Remove {0}: its input {1} is already flat', layer.name, formatShape(got)), edits: [edit], preferred: true }]
      : [];
  }

  const fixes: QuickFix[] = [];
  // One axis short (an image without its channel axis, a sequence without its feature axis).
  const up = [...dims, 1];
  if (positive(tryRule(layer, [[null, ...up]]))) {
    const fix = ownInputShapeFix(ctx, layer, dims, up) ?? inputLayerShapeFix(ctx, layer, dims, up);
    if (fix) fixes.push(fix);
    else {
      const ins = insertBefore(ctx, layer, `reshape({ targetShape: ${listText(up)} })`);
      if (ins) fixes.push({ title: ctx.l10n.t('Insert {0} before {1}', ins.text, layer.name), edits: [ins.edit], preferred: true });
    }
  }
  // Too many axes: merge the trailing ones, down to a flat vector.
  for (let rank = got.length - 1; rank >= 2 && fixes.length === 0; rank--) {
    const keep = dims.slice(0, rank - 2);
    const merged = [...keep, product(dims.slice(rank - 2))];
    if (!positive(tryRule(layer, [[null, ...merged]]))) continue;
    const ins = insertBefore(ctx, layer, rank === 2 ? 'flatten()' : `reshape({ targetShape: ${listText(merged)} })`);
    if (ins) fixes.push({ title: ctx.l10n.t('Insert {0} before {1}', ins.text, layer.name), edits: [ins.edit], preferred: true });
  }
  return fixes;
}

/** The first layer of a Sequential whose own `inputShape` gave the wrong rank: that inputShape, fixed. */
function ownInputShapeFix(ctx: Ctx, layer: LayerNode, dims: number[], fixed: number[]): QuickFix | undefined {
  const model = modelHolding(ctx, layer);
  if (model?.kind !== 'sequential' || model.layers[0]?.id !== layer.id) return undefined;
  const call = factoryCall(ctx, layer);
  const cfg = call && configArgument(call);
  if (!cfg || cfg === 'none') return undefined;
  const written = propertyValue(cfg, 'inputShape');
  const list = written && numberList(written);
  if (!list || list.join() !== dims.join()) return undefined;
  const edit = setPropertyEdit(ctx.sf, call, 'inputShape', listText(fixed));
  return edit && { title: ctx.l10n.t('Change inputShape to {0}', listText(fixed)), edits: [edit], preferred: true };
}

/** A `tf.input` feeding only this layer whose shape gave the wrong rank: that shape, fixed. */
function inputLayerShapeFix(ctx: Ctx, layer: LayerNode, dims: number[], fixed: number[]): QuickFix | undefined {
  const producer = ctx.byId.get(layer.inbound[0] ?? '');
  if (producer?.className !== 'InputLayer' || consumers(ctx, producer.id).length !== 1) return undefined;
  return tfInputShapeFix(ctx, producer, dims, fixed, ctx.l10n.t('Change the input shape to {0}', listText(fixed)));
}

function tfInputShapeFix(ctx: Ctx, input: LayerNode, dims: number[], fixed: number[], title: string): QuickFix | undefined {
  const call = factoryCall(ctx, input);
  const cfg = call && configArgument(call);
  if (!cfg || cfg === 'none' || findProperty(cfg, 'batchShape')) return undefined;
  const written = propertyValue(cfg, 'shape');
  const list = written && numberList(written);
  if (!list || list.join() !== dims.join()) return undefined;
  const edit = setPropertyEdit(ctx.sf, call, 'shape', listText(fixed));
  return edit && { title, edits: [edit], preferred: true };
}

/* ---------- incompatible-input-shape ---------- */

/** The layer whose output reaches the call the diagnostic points at (`model.add(x)`: the layer before; `x.apply(t)`: what made t). */
function producerAtCall(ctx: Ctx, layer: LayerNode): LayerNode | undefined {
  const call = callWithRange(ctx.sf, ctx.diag.range);
  if (!call) return undefined;
  const name = calleeName(call);
  if (name === 'add') {
    const model = ctx.model;
    const i = model ? model.layers.findIndex((l) => l.id === layer.id) : -1;
    return i > 0 ? model!.layers[i - 1] : undefined;
  }
  if (name !== 'apply' || call.arguments.length === 0) return undefined;
  const made = resolveExpression(call.arguments[0]);
  if (!ts.isCallExpression(made)) return undefined;
  const start = made.getStart(ctx.sf);
  const end = made.getEnd();
  for (const l of ctx.byId.values()) {
    if (
      l.className === 'InputLayer' &&
      l.range &&
      inFile(l.range, ctx.analysis.file) &&
      l.range.startOffset === start &&
      l.range.endOffset === end
    )
      return l;
    if (l.applyRanges.some((r) => inFile(r, ctx.analysis.file) && r.startOffset === start && r.endOffset === end)) return l;
  }
  return undefined;
}

function incompatibleInputFixes(ctx: Ctx): QuickFix[] {
  const layer = layerOf(ctx);
  if (!layer) return [];
  const nested = layer.nestedModelId ? ctx.analysis.models.find((m) => m.id === layer.nestedModelId) : undefined;
  const producer = producerAtCall(ctx, layer);
  const produced = singleShape(producer?.outputShape);
  let expected: Shape | undefined;
  let got: Shape | undefined;
  if (nested) {
    if (nested.inputShapes.length !== 1) return [];
    expected = nested.inputShapes[0];
    got = produced ?? singleShape(layer.inputShapes[0]);
  } else {
    expected = singleShape(layer.inputShapes[0]);
    got = produced;
  }
  if (!expected || !got || expected.length !== got.length) return [];
  const want = expected.slice(1);
  const have = got.slice(1);
  if (!known(want) || !known(have) || want.join() === have.join()) return [];

  const fixes: QuickFix[] = [];
  const who = nested ? nested.name : layer.name;
  // The input itself, when it is a tf.input written here.
  if (producer?.className === 'InputLayer') {
    const fix = tfInputShapeFix(
      ctx,
      producer,
      have,
      want,
      ctx.l10n.t('Change the input shape to {0} (what {1} expects)', listText(want), who),
    );
    if (fix) fixes.push(fix);
  }
  // The nested model's own input, made to take what it is given.
  if (nested?.kind === 'sequential') {
    const first = nested.layers.find((l) => l.className !== 'InputLayer');
    const call = first && factoryCall(ctx, first);
    const cfg = call && configArgument(call);
    const written = cfg && cfg !== 'none' ? propertyValue(cfg, 'inputShape') : undefined;
    if (first && call && written && numberList(written)?.join() === want.join() && positive(tryRule(first, [[null, ...have]]))) {
      const edit = setPropertyEdit(ctx.sf, call, 'inputShape', listText(have));
      if (edit)
        fixes.push({
          title: ctx.l10n.t(
            'Change the inputShape of {0} to {1} (what {2} produces)',
            nested.name,
            listText(have),
            producer?.name ?? ctx.l10n.t('its input'),
          ),
          edits: [edit],
        });
    }
  }
  // The layer before, made to produce what is expected (only the last axis differs).
  if (producer && producer.className !== 'InputLayer' && want.slice(0, -1).join() === have.slice(0, -1).join()) {
    const fix = widthFix(ctx, [producer], want[want.length - 1]);
    if (fix) fixes.push(fix);
  }
  if (fixes.length > 0 && !fixes.some((f) => f.preferred)) fixes[0].preferred = true;
  return fixes;
}

/** The config key that sets a layer's last output axis, and its edit to `width`, checked with the layer's rule. */
function widthEdit(ctx: Ctx, layer: LayerNode, width: number): { key: string; edit: OffsetEdit } | undefined {
  const call = factoryCall(ctx, layer);
  const cfg = call && configArgument(call);
  if (!call || !cfg || cfg === 'none' || layer.config.dataFormat === 'channelsFirst') return undefined;
  const input = singleShape(layer.inputShapes[0]);
  if (!input) return undefined;
  for (const key of ['units', 'filters', 'outputDim']) {
    const written = propertyValue(cfg, key);
    if (!written || typeof layer.config[key] !== 'number') continue;
    const out = singleShape(tryRule(layer, [input], { ...layer.config, [key]: width }));
    if (!out || out[out.length - 1] !== width) continue;
    const edit = setPropertyEdit(ctx.sf, call, key, String(width));
    return edit && { key, edit };
  }
  return undefined;
}

function widthFix(ctx: Ctx, layers: LayerNode[], width: number): QuickFix | undefined {
  const edits = layers.map((l) => widthEdit(ctx, l, width));
  if (edits.some((e) => !e)) return undefined;
  const key = edits[0]!.key;
  const names = layers.map((l) => l.name).join(ctx.l10n.t(' and '));
  return { title: ctx.l10n.t('Set {0} of {1} to {2}', key, names, width), edits: edits.map((e) => e!.edit) };
}

/* ---------- concatenate axis ---------- */

function concatAxisFixes(ctx: Ctx): QuickFix[] {
  const layer = layerOf(ctx);
  if (!layer || layer.className !== 'Concatenate') return [];
  const shapes = layer.inputShapes;
  if (shapes.length < 2) return [];
  const rank = shapes[0].length;
  if (rank < 2 || shapes.some((s) => s.length !== rank || !known(s.slice(1)))) return [];
  const differ: number[] = [];
  for (let a = 1; a < rank; a++) if (new Set(shapes.map((s) => s[a])).size > 1) differ.push(a);
  if (differ.length > 1) return [];
  const a = differ[0] ?? rank - 1;
  const axis = a === rank - 1 ? -1 : a;
  const current = typeof layer.config.axis === 'number' ? layer.config.axis : -1;
  if (current === axis || (current < 0 ? current + rank : current) === a) return [];
  const out = tryRule(layer, shapes, { ...layer.config, axis });
  if (!positive(out)) return [];
  const call = factoryCall(ctx, layer);
  const edit = call && setPropertyEdit(ctx.sf, call, 'axis', String(axis));
  return edit
    ? [{ title: ctx.l10n.t('Concatenate on axis {0} (output {1})', axis, formatShape(out!)), edits: [edit], preferred: true }]
    : [];
}

/* ---------- add / multiply / … of different widths ---------- */

const ELEMENTWISE = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum']);

function mergeFixes(ctx: Ctx): QuickFix[] {
  const layer = layerOf(ctx);
  if (!layer || !ELEMENTWISE.has(layer.className)) return [];
  const shapes = layer.inputShapes;
  const producers = layer.inbound.map((id) => ctx.byId.get(id));
  if (shapes.length < 2 || producers.length !== shapes.length || producers.some((p) => !p)) return [];
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank || !known(s.slice(1)))) return [];
  // Only the last axis may differ: that is what a layer's units/filters set.
  const head = (s: Shape) => s.slice(1, -1).join();
  if (new Set(shapes.map(head)).size > 1) return [];
  const widths = shapes.map((s) => s[rank - 1] as number);
  const counts = new Map<number, number>();
  for (const w of widths) counts.set(w, (counts.get(w) ?? 0) + 1);
  if (counts.size < 2) return [];
  const targets = [...counts.keys()].sort((x, y) => counts.get(y)! - counts.get(x)! || widths.indexOf(x) - widths.indexOf(y));
  const fixes: QuickFix[] = [];
  for (const width of targets) {
    const change = producers.filter((_, i) => widths[i] !== width) as LayerNode[];
    // A layer feeding the merge twice is changed once.
    const unique = change.filter((l, i) => change.findIndex((x) => x.id === l.id) === i);
    const fix = widthFix(ctx, unique, width);
    if (fix) fixes.push(fix);
  }
  return fixes;
}

/* ---------- reshape-size-mismatch ---------- */

function reshapeFixes(ctx: Ctx): QuickFix[] {
  const layer = layerOf(ctx);
  if (!layer || layer.className !== 'Reshape') return [];
  const target = layer.config.targetShape;
  if (!Array.isArray(target) || !target.every((d) => typeof d === 'number' && d > 0)) return [];
  const producer = ctx.byId.get(layer.inbound[0] ?? '');
  const out = singleShape(producer?.outputShape);
  if (!producer || !out || out.length !== 2) return [];
  const size = product(target as number[]);
  const fix = widthFix(ctx, [producer], size);
  if (!fix) return [];
  fix.title += ctx.l10n.t(' (targetShape {0} holds {1} = {2})', listText(target as number[]), (target as number[]).join('·'), size);
  fix.preferred = true;
  return [fix];
}

/* ---------- missing-input-shape ---------- */

const DATA_METHODS = new Set(['fit', 'predict', 'evaluate', 'trainOnBatch', 'predictOnBatch']);

function missingInputShapeFixes(ctx: Ctx): QuickFix[] {
  const layer = layerOf(ctx);
  const model = layer && (ctx.model ?? modelHolding(ctx, layer));
  if (!layer || !model || model.kind !== 'sequential' || model.layers[0]?.id !== layer.id) return [];
  const call = factoryCall(ctx, layer);
  if (!call || configArgument(call) === undefined) return [];
  for (const use of dataUses(ctx, model)) {
    const shape = tensorShape(use.data);
    if (!shape || shape.length < 2 || !known(shape)) continue;
    const inputShape = shape.slice(1);
    if (!positive(tryRule(layer, [[null, ...inputShape]]))) continue;
    const edit = setPropertyEdit(ctx.sf, call, 'inputShape', listText(inputShape), 'first');
    if (!edit) return [];
    const data = unwrap(use.data);
    const what = ts.isIdentifier(data) ? data.text : 'data';
    return [
      {
        title: ctx.l10n.t('Add inputShape: {0} ({1}() is given {2} of shape {3})', listText(inputShape), use.method, what, listText(shape)),
        edits: [edit],
        preferred: true,
      },
    ];
  }
  return [];
}

/** First arguments of the model's fit/predict/evaluate calls in this file, in source order. */
function dataUses(ctx: Ctx, model: ModelGraph): { method: string; data: ts.Expression }[] {
  const out: { method: string; data: ts.Expression; at: number }[] = [];
  const fitStarts = new Set(model.fitSites.filter((r) => inFile(r, ctx.analysis.file)).map((r) => r.startOffset));
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee) && DATA_METHODS.has(callee.name.text)) {
        const start = node.getStart(ctx.sf);
        if (fitStarts.has(start) || refersToModel(ctx, callee.expression, model))
          out.push({ method: callee.name.text, data: node.arguments[0], at: start });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sf);
  return out.sort((a, b) => a.at - b.at);
}

/** `model` created by the model's creation call, or by calling the function (of this file) that holds it. */
function refersToModel(ctx: Ctx, e: ts.Expression, model: ModelGraph): boolean {
  const u = unwrap(e);
  if (!ts.isIdentifier(u)) return false;
  const init = resolveConst(u);
  const made = init && unwrap(init);
  const value = made && ts.isAwaitExpression(made) ? unwrap(made.expression) : made;
  if (!value || !ts.isCallExpression(value)) return false;
  if (value.getStart(ctx.sf) === model.range.startOffset && value.getEnd() === model.range.endOffset) return true;
  const fn = unwrap(value.expression);
  if (!ts.isIdentifier(fn)) return false;
  const decl = functionNamed(ctx.sf, fn.text);
  return decl !== undefined && decl.getStart(ctx.sf) <= model.range.startOffset && model.range.endOffset <= decl.getEnd();
}

function functionNamed(sf: ts.SourceFile, name: string): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isFunctionDeclaration(node) && node.name?.text === name) found = node;
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name && node.initializer) {
      const init = unwrap(node.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) found = init;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const SHAPED_FACTORIES = new Set(['zeros', 'ones', 'fill', 'randomNormal', 'randomUniform', 'truncatedNormal', 'randomStandardNormal']);
const TENSOR_FACTORY = /^tensor([1-6]d)?$/;

/** The shape of a tensor the syntax states: `tf.tensor2d(data, [n, 4])`, `tf.zeros([1, 28, 28, 1])`, nested array literals. */
export function tensorShape(expr: ts.Expression): number[] | undefined {
  const e = resolveExpression(expr);
  if (!ts.isCallExpression(e)) return undefined;
  const name = calleeName(e);
  if (!name) return undefined;
  if (SHAPED_FACTORIES.has(name)) return e.arguments[0] ? numberList(e.arguments[0]) : undefined;
  const m = TENSOR_FACTORY.exec(name);
  if (!m || e.arguments.length === 0) return undefined;
  const rank = m[1] ? Number(m[1][0]) : undefined;
  const stated = e.arguments[1] ? numberList(e.arguments[1]) : undefined;
  const shape = stated ?? literalShape(resolveExpression(e.arguments[0]));
  if (!shape || (rank !== undefined && shape.length !== rank)) return undefined;
  return shape;
}

/** The shape of a rectangular nested array literal of numbers. */
function literalShape(e: ts.Expression, budget = { nodes: 100_000 }): number[] | undefined {
  const u = unwrap(e);
  if (--budget.nodes < 0) return undefined;
  if (
    ts.isNumericLiteral(u) ||
    (ts.isPrefixUnaryExpression(u) && ts.isNumericLiteral(u.operand)) ||
    u.kind === ts.SyntaxKind.TrueKeyword ||
    u.kind === ts.SyntaxKind.FalseKeyword
  )
    return [];
  if (!ts.isArrayLiteralExpression(u) || u.elements.length === 0) return undefined;
  let inner: number[] | undefined;
  for (const el of u.elements) {
    const s = literalShape(el, budget);
    if (!s || (inner && s.join() !== inner.join())) return undefined;
    inner = s;
  }
  return [u.elements.length, ...inner!];
}

/* ---------- not-a-tfjs-layer ---------- */

function factoryTypoFixes(ctx: Ctx): QuickFix[] {
  const call = callWithRange(ctx.sf, ctx.diag.range);
  const callee = call && unwrap(call.expression);
  if (!callee || !ts.isPropertyAccessExpression(callee)) return [];
  const near = nearestFactory(callee.name.text);
  if (!near) return [];
  const owner = callee.expression.getText(ctx.sf);
  return [
    {
      title: ctx.l10n.t('Change to {0}', `${owner}.${near}`),
      edits: [{ start: callee.name.getStart(ctx.sf), end: callee.name.getEnd(), newText: near }],
      preferred: true,
    },
  ];
}

/* ---------- static architecture checks ---------- */

/** Layers whose config takes `activation` (an Activation layer is nothing else). */
const ACTIVATION_CONFIG = new Set([
  'Dense',
  'Conv1D',
  'Conv2D',
  'Conv3D',
  'Conv2DTranspose',
  'Conv3DTranspose',
  'SeparableConv2D',
  'DepthwiseConv2D',
  'Activation',
]);

function activationFixes(ctx: Ctx, wanted: (ctx: Ctx, layer: LayerNode) => string | undefined): QuickFix[] {
  const layer = layerOf(ctx);
  if (!layer || !ACTIVATION_CONFIG.has(layer.className)) return [];
  const act = wanted(ctx, layer);
  if (!act || layer.config.activation === act) return [];
  const call = factoryCall(ctx, layer);
  const edit = call && setPropertyEdit(ctx.sf, call, 'activation', quote(ctx, act));
  return edit ? [{ title: ctx.l10n.t("Use activation '{0}' in {1}", act, layer.name), edits: [edit], preferred: true }] : [];
}

const SOFTMAX_LOSSES = new Set(['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'kullbackLeiblerDivergence']);

/** The output activation the model's compiled loss expects of `layer` (softmax needs more than one unit). */
function activationForLoss(ctx: Ctx, layer: LayerNode): string | undefined {
  const model = ctx.model ?? modelHolding(ctx, layer);
  const loss = model?.compile?.loss;
  if (!model || !loss) return undefined;
  let name: string | undefined;
  if (typeof loss === 'string') name = loss;
  else {
    const fed = new Set(model.layers.flatMap((l) => l.inbound));
    const outputs =
      model.kind === 'sequential' ? model.layers.slice(-1) : model.layers.filter((l) => l.className !== 'InputLayer' && !fed.has(l.id));
    name = loss[outputs.findIndex((l) => l.id === layer.id)];
  }
  if (name === 'binaryCrossentropy') return 'sigmoid';
  const out = singleShape(layer.outputShape);
  const units = out?.[out.length - 1];
  if (name && SOFTMAX_LOSSES.has(name) && typeof units === 'number' && units > 1) return 'softmax';
  return undefined;
}

/** A dropout after the output layer, moved in front of it. */
function dropoutLastFixes(ctx: Ctx): QuickFix[] {
  const dropout = layerOf(ctx);
  const model = ctx.model;
  if (!dropout || model?.kind !== 'sequential') return [];
  const i = model.layers.findIndex((l) => l.id === dropout.id);
  const before = i > 0 ? model.layers[i - 1] : undefined;
  if (!before) return [];
  const from = siteOf(ctx, dropout);
  const to = siteOf(ctx, before, false);
  const removal = removeLayer(ctx, dropout);
  if (!from || !to || !removal || from.kind !== to.kind) return [];
  let insert: OffsetEdit;
  if (from.kind === 'add' && to.kind === 'add') {
    const start = to.statement.getStart(ctx.sf);
    if (!startsLine(ctx.text, start)) return [];
    const lineStart = ctx.text.lastIndexOf('\n', start - 1) + 1;
    insert = { start: lineStart, end: lineStart, newText: `${indentAt(ctx.text, start)}${from.statement.getText(ctx.sf)}\n` };
  } else if (from.kind === 'element' && to.kind === 'element') {
    const start = to.element.getStart(ctx.sf);
    insert = {
      start,
      end: start,
      newText: `${from.element.getText(ctx.sf)},${startsLine(ctx.text, start) ? `\n${indentAt(ctx.text, start)}` : ' '}`,
    };
  } else {
    return [];
  }
  if (insert.start >= removal.start) return [];
  return [{ title: ctx.l10n.t('Move {0} before {1}', dropout.name, before.name), edits: [insert, removal], preferred: true }];
}

const SGD_LIKE = new Set(['sgd', 'momentum']);

/** The learning rate written in `tf.train.x(lr)` (or the local constant it names) set to the suggested one. */
function learningRateFixes(ctx: Ctx): QuickFix[] {
  const compile = callWithRange(ctx.sf, ctx.diag.range);
  const cfg = compile && configArgument(compile);
  if (!cfg || cfg === 'none') return [];
  const optimizer = propertyValue(cfg, 'optimizer');
  const made = optimizer && resolveExpression(optimizer);
  if (!made || !ts.isCallExpression(made) || made.arguments.length === 0) return [];
  const name = calleeName(made);
  if (!name) return [];
  let lr: ts.Expression = unwrap(made.arguments[0]);
  if (ts.isIdentifier(lr)) {
    const init = resolveConst(lr);
    if (!init) return [];
    lr = unwrap(init);
  }
  if (!ts.isNumericLiteral(lr)) return [];
  const suggested = SGD_LIKE.has(name) ? '0.01' : '0.001';
  return [
    {
      title: ctx.l10n.t('Set the learning rate of {0} to {1}', name, suggested),
      edits: [{ start: lr.getStart(ctx.sf), end: lr.getEnd(), newText: suggested }],
      preferred: true,
    },
  ];
}
