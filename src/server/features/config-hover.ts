/**
 * Teaching hovers on configuration values: in a layer config, a `compile` or `fit` call, or
 * an optimizer / regularizer / initializer factory, the key or value under the cursor gets the
 * explanation of what it names, from src/explain, in the client's locale:
 *
 *   activation: 'relu'                  → activation.relu
 *   loss: 'categoricalCrossentropy'     → loss.categoricalCrossentropy (also tf.losses.*, arrays)
 *   optimizer: 'adam' / tf.train.adam() → optimizer.adam; its learning-rate argument → concept.learningRate
 *   kernelRegularizer: tf.regularizers.l2({…})  → regularizer.l2
 *   kernelInitializer: 'heNormal'       → initializer.heNormal
 *   padding, strides, dilationRate, kernelSize, poolSize, filters → the concept (a 1×1 kernel:
 *   concept.conv1x1), with the layer's output-size formula from the engine
 *   rate, dropout, returnSequences, units, … → the explanation of the layer that reads them
 *
 * Also the model-level ideas a layer stands for in its model (`layerConceptIds`): a 1×1
 * convolution, a dilated one, an `add` that closes a residual connection.
 * The node under the cursor is found in the document's syntax tree. Pure.
 */
import { ts } from 'ts-morph';
import type { Hover } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis, LayerNode, ModelGraph } from '../../analysis/graph';
import {
  type ExplainLocale,
  type Explanation,
  explain,
  explainActivation,
  explainInitializer,
  explainLayer,
  explainLoss,
  explainOptimizer,
  explainRegularizer,
  formatExplanationMarkdown,
} from '../../explain/index';
import { formatShape } from './format';
import { inFile, layersOf } from './locate';
import {
  calleeName,
  dottedName,
  nodeAt,
  numberList,
  numberValue,
  parseSource,
  propertyName,
  propertyValue,
  resolveConst,
  unwrap,
} from './syntax';

/** The hover for a config key or value at `offset`, or null when the cursor is on none this module explains. */
export function configHoverAt(analysis: FileAnalysis, doc: TextDocument, offset: number, locale: ExplainLocale): Hover | null {
  const sf = parseSource(analysis.file, doc.getText());
  const found = configExplanationAt(analysis, sf, offset, locale);
  if (!found) return null;
  const parts = [formatExplanationMarkdown(found.explanation)];
  if (found.extra) parts.push('---', found.extra);
  return {
    contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n') },
    range: { start: doc.positionAt(found.node.getStart(sf)), end: doc.positionAt(found.node.getEnd()) },
  };
}

interface Found {
  explanation: Explanation;
  /** The source the hover is about (its range is the hover's). */
  node: ts.Node;
  /** Engine numbers worth showing with the concept (e.g. the output-size formula). */
  extra?: string;
}

/** Where the explanation comes from, for the tests and other callers that want the id only. */
export function configExplanationAt(analysis: FileAnalysis, sf: ts.SourceFile, offset: number, locale: ExplainLocale): Found | undefined {
  const start = nodeAt(sf, offset);
  for (let n: ts.Node | undefined = start; n && !ts.isSourceFile(n) && !ts.isBlock(n); n = n.parent) {
    if (ts.isCallExpression(n)) {
      const hit = namespaceCall(n, start!, sf, locale);
      if (hit) return hit;
    } else if (
      ts.isPropertyAccessExpression(n) &&
      !ts.isPropertyAccessExpression(n.parent) &&
      !(ts.isCallExpression(n.parent) && n.parent.expression === n)
    ) {
      // A function used as a value: `loss: tf.losses.meanSquaredError`, `metrics: [tf.metrics.binaryAccuracy]`.
      const e = referenceExplanation(n, locale);
      if (e) return { explanation: e, node: n };
    } else if (ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) {
      const hit = propertyHover(analysis, n, start!, sf, locale);
      if (hit) return hit;
    }
    if (ts.isStatement(n) && !ts.isExpressionStatement(n) && !ts.isVariableStatement(n) && !ts.isReturnStatement(n)) break;
  }
  return undefined;
}

/** `tf.<namespace>.<name>` → what kind of entry it names. */
const NAMESPACES: Record<string, (name: string, locale: ExplainLocale) => Explanation | undefined> = {
  train: explainOptimizer,
  regularizers: explainRegularizer,
  initializers: explainInitializer,
  losses: explainLoss,
  metrics: explainLoss,
};

function namespaceOf(callee: ts.Expression): { ns: string; name: string } | undefined {
  const path = dottedName(callee)?.split('.');
  if (!path || path.length < 2) return undefined;
  return { ns: path[path.length - 2], name: path[path.length - 1] };
}

/** `tf.train.adam(0.01)`, `tf.regularizers.l2(…)`, `tf.initializers.heNormal(…)`, `tf.callbacks.earlyStopping(…)`: the callee or an argument under the cursor. */
function namespaceCall(call: ts.CallExpression, at: ts.Node, sf: ts.SourceFile, locale: ExplainLocale): Found | undefined {
  const ref = namespaceOf(call.expression);
  if (!ref) return undefined;
  if (ref.ns === 'callbacks' && ref.name === 'earlyStopping') {
    const e = explain('concept.earlyStopping', locale);
    return e && { explanation: e, node: call.expression };
  }
  const lookup = NAMESPACES[ref.ns];
  if (!lookup) return undefined;
  const e = lookup(ref.name, locale);
  if (!e) return undefined;
  const inCallee = within(at, call.expression, sf);
  // The first argument of tf.train.sgd/adam/…: the learning rate.
  const first = call.arguments[0];
  if (!inCallee && ref.ns === 'train' && first && within(at, first, sf) && !ts.isObjectLiteralExpression(unwrap(first))) {
    const lr = explain('concept.learningRate', locale);
    if (lr) return { explanation: lr, node: first };
  }
  return { explanation: e, node: inCallee ? call.expression : call };
}

function referenceExplanation(n: ts.PropertyAccessExpression, locale: ExplainLocale): Explanation | undefined {
  const ref = namespaceOf(n);
  if (!ref || (ref.ns !== 'losses' && ref.ns !== 'metrics')) return undefined;
  return explainLoss(ref.name, locale);
}

function within(node: ts.Node, outer: ts.Node, sf: ts.SourceFile): boolean {
  return outer.getStart(sf) <= node.getStart(sf) && node.getEnd() <= outer.getEnd();
}

/** A string the syntax states: a literal, or a local constant holding one. */
function stringValue(e: ts.Expression | undefined): string | undefined {
  if (!e) return undefined;
  let u = unwrap(e);
  if (ts.isIdentifier(u)) {
    const init = resolveConst(u);
    if (!init) return undefined;
    u = unwrap(init);
  }
  return ts.isStringLiteral(u) || ts.isNoSubstitutionTemplateLiteral(u) ? u.text : undefined;
}

type Owner =
  | { kind: 'layer'; className: string; layer?: LayerNode; call: ts.CallExpression }
  | { kind: 'compile' | 'fit' | 'other'; call?: ts.CallExpression };

/** The call whose config object holds `prop`: a layer factory (with the engine's layer when it knows the call), compile, fit. */
function ownerOf(analysis: FileAnalysis, prop: ts.ObjectLiteralElementLike, sf: ts.SourceFile): Owner {
  const obj = prop.parent;
  let up: ts.Node = obj;
  while (ts.isParenthesizedExpression(up.parent) || ts.isAsExpression(up.parent)) up = up.parent;
  const call = ts.isCallExpression(up.parent) && up.parent.arguments.includes(up as ts.Expression) ? up.parent : undefined;
  if (!call) return { kind: 'other' };
  const start = call.getStart(sf);
  const end = call.getEnd();
  const entry = layersOf(analysis, { nestedModels: true }).find(
    (e) => e.layer.range && inFile(e.layer.range, analysis.file) && e.layer.range.startOffset === start && e.layer.range.endOffset === end,
  );
  if (entry) return { kind: 'layer', className: entry.layer.className, layer: entry.layer, call };
  const name = calleeName(call);
  const ns = namespaceOf(call.expression);
  if (name && ns?.ns === 'layers') {
    const e = explainLayer(name, 'en');
    if (e) return { kind: 'layer', className: e.id.slice('layer.'.length), call };
  }
  if (name === 'compile') return { kind: 'compile', call };
  if (name === 'fit' || name === 'fitDataset') return { kind: 'fit', call };
  return { kind: 'other', call };
}

const CONVOLUTIONS = new Set(['Conv1D', 'Conv2D', 'Conv3D']);
/** Keys whose explanation is the concept they set, with the engine's output-size numbers. */
const SHAPE_KEYS: Record<string, string> = {
  padding: 'concept.padding',
  strides: 'concept.stride',
  dilationRate: 'concept.dilation',
  poolSize: 'concept.pooling',
  kernelSize: 'concept.receptiveField',
  filters: 'concept.channels',
};
/** Keys best explained by the explanation of the layer that reads them. */
const LAYER_KEYS = new Set([
  'units',
  'rate',
  'returnSequences',
  'returnState',
  'goBackwards',
  'stateful',
  'unroll',
  'mergeMode',
  'inputDim',
  'outputDim',
  'targetShape',
  'dims',
  'n',
  'axis',
  'alpha',
  'theta',
  'maxValue',
  'cropping',
  'size',
  'interpolation',
  'stddev',
  'depthMultiplier',
  'cell',
  'cells',
  'layer',
]);
const DROPOUT_KEYS = new Set(['dropout', 'recurrentDropout']);
const NORMALIZATION_KEYS = new Set(['momentum', 'epsilon', 'center', 'scale']);

function propertyHover(
  analysis: FileAnalysis,
  prop: ts.PropertyAssignment | ts.ShorthandPropertyAssignment,
  at: ts.Node,
  sf: ts.SourceFile,
  locale: ExplainLocale,
): Found | undefined {
  const key = propertyName(prop);
  if (!key) return undefined;
  const value = ts.isPropertyAssignment(prop) ? prop.initializer : prop.name;
  const whole = { node: prop as ts.Node };

  // Keys whose value names a catalogue entry: explained wherever the config object is.
  if (key === 'activation' || key === 'recurrentActivation') {
    const e = explainActivation(stringValue(value) ?? '', locale);
    return e && { explanation: e, ...whole };
  }
  if (key === 'loss' || key === 'metrics') return lossHover(value, at, sf, locale);
  if (key === 'optimizer') {
    const name = stringValue(value) ?? optimizerCall(value);
    const e = name ? explainOptimizer(name, locale) : undefined;
    return e && { explanation: e, ...whole };
  }
  if (/Regularizer$/.test(key) || /Initializer$/.test(key)) {
    const lookup = /Regularizer$/.test(key) ? explainRegularizer : explainInitializer;
    const u = unwrap(value);
    const name = stringValue(u) ?? (ts.isCallExpression(u) ? namespaceOf(u.expression)?.name : undefined);
    const e = name ? lookup(name, locale) : undefined;
    return e && { explanation: e, ...whole };
  }
  if (key === 'learningRate') {
    const e = explain('concept.learningRate', locale);
    return e && { explanation: e, ...whole };
  }

  // Other keys only on the key itself or on a plain value: a layer or call written as the value
  // (`layer: tf.layers.lstm(…)` in a wrapper) has hovers of its own.
  if (!within(at, prop.name, sf) && !isPlain(value)) return undefined;
  const owner = ownerOf(analysis, prop, sf);
  if (owner.kind === 'fit') {
    const id =
      key === 'batchSize' ? 'concept.miniBatch' : key === 'validationSplit' || key === 'validationData' ? 'concept.overfitting' : undefined;
    const e = id ? explain(id, locale) : undefined;
    return e && { explanation: e, ...whole };
  }
  // An option of an optimizer/regularizer/initializer factory (`l2` of tf.regularizers.l2({ l2 })): that entry.
  const ns = owner.call ? namespaceOf(owner.call.expression) : undefined;
  if (ns && NAMESPACES[ns.ns]) {
    const e = NAMESPACES[ns.ns](ns.name, locale);
    return e && { explanation: e, ...whole };
  }
  if (owner.kind !== 'layer') return undefined;

  let id: string | undefined;
  if (SHAPE_KEYS[key]) {
    id = SHAPE_KEYS[key];
    if (
      (key === 'kernelSize' || key === 'filters') &&
      CONVOLUTIONS.has(owner.className) &&
      isOnes(owner.layer?.config.kernelSize ?? writtenKernel(prop.parent))
    ) {
      id = 'concept.conv1x1';
    }
  } else if (DROPOUT_KEYS.has(key)) id = 'layer.Dropout';
  else if (NORMALIZATION_KEYS.has(key) && /Normalization$/.test(owner.className)) id = 'concept.normalization';
  else if (key === 'useBias') id = 'concept.parameters';
  else if (LAYER_KEYS.has(key)) id = `layer.${owner.className}`;
  const e = id ? explain(id, locale) : undefined;
  if (!e) return undefined;
  let extra: string | undefined;
  if (owner.layer && SHAPE_KEYS[key]) extra = shapeNumbers(owner.layer);
  if (owner.layer?.paramFormula && (key === 'units' || key === 'filters' || key === 'outputDim' || key === 'useBias')) {
    extra = [extra, `params: \`${owner.layer.paramFormula}\``].filter(Boolean).join('\n\n');
  }
  return { explanation: e, ...whole, extra };
}

/** `loss: 'mse'`, `loss: ['a', 'b']` (the element under the cursor), `loss: tf.losses.x`, `{ out1: 'mse' }`. */
function lossHover(value: ts.Expression, at: ts.Node, sf: ts.SourceFile, locale: ExplainLocale): Found | undefined {
  const u = unwrap(value);
  const candidates: ts.Expression[] = ts.isArrayLiteralExpression(u) ? [...u.elements] : [u];
  const el = candidates.find((c) => within(at, c, sf)) ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (!el) return undefined;
  const s = stringValue(el);
  const ref = s === undefined ? namespaceOf(unwrap(el)) : undefined;
  const name = s ?? (ref && (ref.ns === 'losses' || ref.ns === 'metrics') ? ref.name : undefined);
  const e = name ? explainLoss(name, locale) : undefined;
  return e && { explanation: e, node: candidates.length > 1 ? el : value.parent };
}

/** `tf.train.adam(…)` (directly or through a local constant) → `adam`. */
function optimizerCall(value: ts.Expression): string | undefined {
  let u = unwrap(value);
  if (ts.isIdentifier(u)) {
    const init = resolveConst(u);
    if (!init) return undefined;
    u = unwrap(init);
  }
  if (!ts.isCallExpression(u)) return undefined;
  const ns = namespaceOf(u.expression);
  return ns?.ns === 'train' ? ns.name : undefined;
}

/** A literal (string, number, boolean, null) or an array of them. */
function isPlain(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (ts.isArrayLiteralExpression(u)) return u.elements.every(isPlain);
  if (ts.isPrefixUnaryExpression(u)) return isPlain(u.operand);
  return (
    ts.isStringLiteral(u) ||
    ts.isNoSubstitutionTemplateLiteral(u) ||
    ts.isNumericLiteral(u) ||
    u.kind === ts.SyntaxKind.TrueKeyword ||
    u.kind === ts.SyntaxKind.FalseKeyword ||
    u.kind === ts.SyntaxKind.NullKeyword ||
    ts.isIdentifier(u)
  );
}

/** `kernelSize` as written in the config object (for a layer the engine did not reach). */
function writtenKernel(obj: ts.ObjectLiteralExpression): unknown {
  const v = propertyValue(obj, 'kernelSize');
  return v && (numberValue(v) ?? numberList(v));
}

function isOnes(v: unknown): boolean {
  if (typeof v === 'number') return v === 1;
  return Array.isArray(v) && v.length > 0 && v.every((d) => d === 1);
}

function isAbove1(v: unknown): boolean {
  if (typeof v === 'number') return v > 1;
  return Array.isArray(v) && v.some((d) => typeof d === 'number' && d > 1);
}

/** `[null,32,32,3]` → `[null,28,28,10]` · `out = floor((32 − 5)/1) + 1 = 28`. */
function shapeNumbers(layer: LayerNode): string | undefined {
  if (layer.outputShape === null) return undefined;
  const inputs = layer.inputShapes.map((s) => `\`${formatShape(s)}\``).join(' + ');
  const line = `${inputs || '`?`'} → \`${formatShape(layer.outputShape)}\``;
  return layer.shapeFormula ? `${line} · \`${layer.shapeFormula}\`` : line;
}

/**
 * Ideas a layer stands for in its model, cheap to see from the graph: a 1×1 convolution, a dilated
 * convolution, an `add` whose inputs are a path and a shortcut around it (a residual connection).
 */
export function layerConceptIds(layer: LayerNode, model: ModelGraph | undefined): string[] {
  const ids: string[] = [];
  if (CONVOLUTIONS.has(layer.className) && isOnes(layer.config.kernelSize)) ids.push('concept.conv1x1');
  if (/^(Conv|SeparableConv|DepthwiseConv)/.test(layer.className) && isAbove1(layer.config.dilationRate)) ids.push('concept.dilation');
  if (layer.className === 'Add' && model?.kind === 'functional' && isResidual(layer, model)) ids.push('concept.residual');
  return ids;
}

/** One input of the add is reached again by following another input back: a shortcut around a block. */
function isResidual(add: LayerNode, model: ModelGraph): boolean {
  const byId = new Map(model.layers.map((l) => [l.id, l]));
  const ancestors = (id: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [id];
    while (stack.length > 0 && seen.size < 10_000) {
      const cur = stack.pop()!;
      for (const up of byId.get(cur)?.inbound ?? []) {
        if (!seen.has(up)) {
          seen.add(up);
          stack.push(up);
        }
      }
    }
    return seen;
  };
  const inputs = [...new Set(add.inbound)];
  return inputs.some((a) => inputs.some((b) => a !== b && ancestors(b).has(a)));
}

/** The short form of an explanation that a layer hover appends: title and summary. */
export function conceptNote(id: string, locale: ExplainLocale): string | undefined {
  const e = explain(id, locale);
  return e ? `**${e.title}**\n\n${e.summary}` : undefined;
}
