/**
 * Quick fixes for training-health findings (src/health): the fixes whose structured edits
 * (FixEdit) can be written into the user's code, as LSP code actions of kind
 * `quickfix.layerLens.training.<fix id>`, attached to the "Layer Lens training" diagnostics
 * the extension host publishes.
 *
 *   set-config            a key of a layer's config object (`activation: 'relu'`,
 *                         `kernelInitializer: 'heNormal'`, `trainable: true` where it was false)
 *   insert-layer-after    `tf.layers.x(…)` right after a layer: a new `model.add(…)` line, a new
 *   insert-layer-before   element of `layers: [...]`, or an `.apply()` wrapped around the call
 *                         (dropout, batch normalisation, leakyReLU, rescaling before the first
 *                         layer, which then takes over its `inputShape`)
 *   set-learning-rate     the rate in `optimizer: tf.train.x(rate)` (or the constant it names);
 *                         `optimizer: 'adam'` becomes `tf.train.adam(rate)`
 *   set-optimizer-option  gradient clipping: tfjs 4.22 optimizers have no clipnorm/clipvalue
 *                         option, so the fix adds `clipGradientsByNorm(model.optimizer, 1)` after
 *                         the compile call and the small function that wraps `applyGradients`
 *   set-compile           a key of the compile config (`loss: 'sparseCategoricalCrossentropy'`)
 *   add-callback          `tf.callbacks.earlyStopping(…)` in the fit call's `callbacks`
 *
 * Why in the language server: it holds the analysed graph (each layer's factory call, the
 * compile and fit calls, by offset) and the syntax helpers the static quick fixes use
 * (./syntax.ts); the extension host analyses nothing and has no TypeScript parser. A fix is
 * offered only when every one of its edits can be made, and only if the edited text still
 * parses. Pure.
 */
import { ts } from 'ts-morph';
import type { CodeAction, CodeActionContext, Diagnostic as LspDiagnostic, Range, WorkspaceEdit } from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis, LayerNode, ModelGraph } from '../../analysis/graph';
import { findingPlaces } from '../../health/editor';
import { fixTitle, type Finding, type Fix, type FixEdit, type JsonValue } from '../../health/findings';
import { uiText } from '../../health/messages';
import type { ExplainLocale } from '../../explain/l10n';
import { TRAINING_DIAGNOSTIC_SOURCE, TRAINING_FIX_APPLIED_COMMAND, TRAINING_FIX_KIND } from '../../protocol/lsp/health';
import { inFile, samePath } from './locate';
import {
  type OffsetEdit,
  applyEdits,
  callWithRange,
  calleeName,
  configArgument,
  findProperty,
  indentAt,
  layersPrefix,
  parseSource,
  propertyValue,
  resolveConst,
  resolveExpression,
  setPropertyEdit,
  startsLine,
  toTextEdits,
  unwrap,
} from './syntax';

/** The helper the gradient-clipping fix adds (once per file). */
export const CLIP_HELPER = 'clipGradientsByNorm';

interface Ctx {
  analysis: FileAnalysis;
  sf: ts.SourceFile;
  text: string;
  model: ModelGraph;
  /** `tf.` or `tfjs.`: the file's name for the tfjs namespace; undefined when it has none. */
  ns?: string;
  quote: string;
}

/** A training fix as offset edits of the analysed text. */
export interface TrainingQuickFix {
  finding: Finding;
  fix: Fix;
  title: string;
  edits: OffsetEdit[];
}

/** The model a finding is about: by name, else the one holding its layers. */
function modelOf(analysis: FileAnalysis, name: string, findings: Finding[]): ModelGraph | undefined {
  const byName = analysis.models.filter((m) => m.name === name && inFile(m.range, analysis.file));
  if (byName.length > 0) return byName[0];
  const layers = new Set(findings.flatMap((f) => f.layers));
  return analysis.models.find((m) => m.layers.some((l) => layers.has(l.name)));
}

/** The file's name for the tfjs namespace (`tf`), from `tf.layers.x` calls or the import. */
function namespaceOf(sf: ts.SourceFile): string | undefined {
  const prefix = layersPrefix(sf);
  if (prefix && prefix.endsWith('.layers.')) return prefix.slice(0, -'layers.'.length);
  return undefined;
}

function quoteOf(sf: ts.SourceFile): string {
  let q = "'";
  const visit = (n: ts.Node): boolean => {
    if (ts.isStringLiteral(n)) {
      q = n.getText(sf).startsWith('"') ? '"' : "'";
      return true;
    }
    return ts.forEachChild(n, visit) ?? false;
  };
  visit(sf);
  return q;
}

/** A JSON value as source text in the file's style; `{ $code }` as it is (with `tf.` → the file's namespace). */
export function valueText(v: JsonValue | undefined, quote: string, ns = 'tf.'): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return `${quote}${v.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`)}${quote}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => valueText(x, quote, ns)).join(', ')}]`;
  if (typeof v.$code === 'string' && Object.keys(v).length === 1) return v.$code.replace(/^tf\./, ns);
  const entries = Object.entries(v);
  return entries.length === 0
    ? '{}'
    : `{ ${entries.map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : valueText(k, quote)}: ${valueText(x, quote, ns)}`).join(', ')} }`;
}

function layerNamed(ctx: Ctx, name: string): LayerNode | undefined {
  return ctx.model.layers.find((l) => l.name === name) ?? ctx.analysis.models.flatMap((m) => m.layers).find((l) => l.name === name);
}

function factoryCall(ctx: Ctx, layer: LayerNode): ts.CallExpression | undefined {
  return layer.range && inFile(layer.range, ctx.analysis.file) ? callWithRange(ctx.sf, layer.range) : undefined;
}

/* ---------- where a layer takes its input ---------- */

type Site =
  | { kind: 'add'; statement: ts.ExpressionStatement; receiver: string }
  | { kind: 'apply'; call: ts.CallExpression; arg: ts.Expression }
  | { kind: 'element'; element: ts.Expression; array: ts.ArrayLiteralExpression };

function siteOf(ctx: Ctx, layer: LayerNode): Site | undefined {
  for (const r of layer.applyRanges.filter((x) => inFile(x, ctx.analysis.file))) {
    const call = callWithRange(ctx.sf, r);
    if (!call) continue;
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) continue;
    if (callee.name.text === 'add' && call.arguments.length === 1 && ts.isExpressionStatement(call.parent)) {
      return { kind: 'add', statement: call.parent, receiver: callee.expression.getText(ctx.sf) };
    }
    if (callee.name.text === 'apply' && call.arguments.length >= 1 && !ts.isArrayLiteralExpression(unwrap(call.arguments[0]))) {
      return { kind: 'apply', call, arg: call.arguments[0] };
    }
  }
  const created = factoryCall(ctx, layer);
  if (created) {
    let el: ts.Expression = created;
    while (ts.isParenthesizedExpression(el.parent) || ts.isAsExpression(el.parent)) el = el.parent;
    // `model.add(tf.layers.x(…))` when the add call is not listed among the apply ranges.
    if (ts.isCallExpression(el.parent) && el.parent.arguments.length === 1 && ts.isExpressionStatement(el.parent.parent)) {
      const callee = unwrap(el.parent.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'add')
        return { kind: 'add', statement: el.parent.parent, receiver: callee.expression.getText(ctx.sf) };
    }
    const array = el.parent;
    if (ts.isArrayLiteralExpression(array) && ts.isPropertyAssignment(array.parent) && array.parent.name.getText(ctx.sf) === 'layers') {
      return { kind: 'element', element: el, array };
    }
  }
  return undefined;
}

/** Removes property `p` of an object literal with the comma that separates it. */
function removeProperty(ctx: Ctx, obj: ts.ObjectLiteralExpression, p: ts.ObjectLiteralElementLike): OffsetEdit {
  const props = obj.properties;
  const i = props.indexOf(p);
  if (i < props.length - 1) return { start: p.getStart(ctx.sf), end: props[i + 1].getStart(ctx.sf), newText: '' };
  if (i > 0) return { start: props[i - 1].getEnd(), end: props.hasTrailingComma ? props.end : p.getEnd(), newText: '' };
  return { start: p.getStart(ctx.sf), end: props.hasTrailingComma ? props.end : p.getEnd(), newText: '' };
}

function insertLayer(
  ctx: Ctx,
  where: 'after' | 'before',
  layerName: string,
  factory: string,
  config: Record<string, JsonValue> | undefined,
): OffsetEdit[] | undefined {
  const layer = layerNamed(ctx, layerName);
  if (!layer) return undefined;
  const own = factoryCall(ctx, layer);
  const prefix = layersPrefix(ctx.sf, own);
  const site = siteOf(ctx, layer);
  if (!prefix || !site) return undefined;
  const edits: OffsetEdit[] = [];
  const cfg: Record<string, JsonValue> = { ...(config ?? {}) };
  let extra = '';
  // In front of the first layer of a Sequential: the new layer takes over its inputShape.
  if (where === 'before' && own && site.kind !== 'apply') {
    const obj = configArgument(own);
    const shape = obj && obj !== 'none' ? (findProperty(obj, 'inputShape') ?? findProperty(obj, 'batchInputShape')) : undefined;
    if (obj && obj !== 'none' && shape) {
      if (!ts.isPropertyAssignment(shape)) return undefined;
      extra = `${shape.name.getText(ctx.sf)}: ${shape.initializer.getText(ctx.sf)}`;
      edits.push(removeProperty(ctx, obj, shape));
    }
  }
  const cfgText = valueText(cfg, ctx.quote, ctx.ns);
  const args = extra ? (cfgText === '{}' ? `{ ${extra} }` : `{ ${extra}, ${cfgText.slice(2)}`) : cfgText === '{}' ? '' : cfgText;
  const created = `${prefix}${factory}(${args})`;
  const text = ctx.text;
  if (site.kind === 'add') {
    const start = site.statement.getStart(ctx.sf);
    const line = `${site.receiver}.add(${created});`;
    if (!startsLine(text, start)) return undefined;
    if (where === 'before') {
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      edits.push({ start: lineStart, end: lineStart, newText: `${indentAt(text, start)}${line}\n` });
    } else {
      const end = site.statement.getEnd();
      edits.push({ start: end, end, newText: `\n${indentAt(text, start)}${line}` });
    }
  } else if (site.kind === 'element') {
    const start = site.element.getStart(ctx.sf);
    const multiline = startsLine(text, start);
    if (where === 'before')
      edits.push({ start, end: start, newText: multiline ? `${created},\n${indentAt(text, start)}` : `${created}, ` });
    else {
      const end = site.element.getEnd();
      edits.push({ start: end, end, newText: multiline ? `,\n${indentAt(text, start)}${created}` : `, ${created}` });
    }
  } else if (where === 'before') {
    edits.push({ start: site.arg.getStart(ctx.sf), end: site.arg.getEnd(), newText: `${created}.apply(${site.arg.getText(ctx.sf)})` });
  } else {
    // `h = dense.apply(x)` → `h = tf.layers.x().apply(dense.apply(x))` (the cast, if any, stays outside).
    edits.push({ start: site.call.getStart(ctx.sf), end: site.call.getEnd(), newText: `${created}.apply(${site.call.getText(ctx.sf)})` });
  }
  return edits;
}

/* ---------- compile, optimizer, fit ---------- */

function compileCall(ctx: Ctx): ts.CallExpression | undefined {
  const r = ctx.model.compile?.range;
  return r && inFile(r, ctx.analysis.file) ? callWithRange(ctx.sf, r) : undefined;
}

const OPTIMIZER_FACTORIES: Record<string, string> = {
  sgd: 'sgd',
  momentum: 'momentum',
  adam: 'adam',
  adamax: 'adamax',
  rmsprop: 'rmsprop',
  adagrad: 'adagrad',
  adadelta: 'adadelta',
};

function setLearningRate(ctx: Ctx, value: number): OffsetEdit[] | undefined {
  const compile = compileCall(ctx);
  const cfg = compile && configArgument(compile);
  if (!cfg || cfg === 'none') return undefined;
  const optimizer = propertyValue(cfg, 'optimizer');
  if (!optimizer) return undefined;
  const made = resolveExpression(optimizer);
  const lr = String(value);
  if (ts.isStringLiteralLike(made)) {
    const name = OPTIMIZER_FACTORIES[made.text.toLowerCase()];
    if (!name || !ctx.ns || name === 'momentum') return undefined;
    return [{ start: made.getStart(ctx.sf), end: made.getEnd(), newText: `${ctx.ns}train.${name}(${lr})` }];
  }
  if (!ts.isCallExpression(made)) return undefined;
  const name = calleeName(made);
  if (!name || !(name in OPTIMIZER_FACTORIES)) return undefined;
  if (made.arguments.length === 0) {
    if (name === 'momentum') return undefined;
    return [{ start: made.arguments.pos, end: made.arguments.end, newText: lr }];
  }
  let arg: ts.Expression = unwrap(made.arguments[0]);
  if (ts.isIdentifier(arg)) {
    const init = resolveConst(arg);
    if (!init) return undefined;
    arg = unwrap(init);
  }
  if (!ts.isNumericLiteral(arg) && !(ts.isPrefixUnaryExpression(arg) && ts.isNumericLiteral(arg.operand)) && !ts.isBinaryExpression(arg))
    return undefined;
  return [{ start: arg.getStart(ctx.sf), end: arg.getEnd(), newText: lr }];
}

function clipHelperText(ctx: Ctx): string {
  const ns = ctx.ns!.slice(0, -1);
  const ts_ = /\.(m|c)?tsx?$/i.test(ctx.analysis.file);
  const t = (s: string) => (ts_ ? s : '');
  return `

/**
 * Clips the gradients' global norm to \`maxNorm\` before every update (tfjs optimizers have no
 * clipnorm option, so this wraps the optimizer's applyGradients).
 */
function ${CLIP_HELPER}(optimizer${t(`: ${ns}.Optimizer`)}, maxNorm${t(': number')})${t(': void')} {
  const applyGradients = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (grads${t(`: ${ns}.NamedTensorMap | ${ns}.NamedTensor[]`)}) => {
    const list = Array.isArray(grads) ? grads : Object.keys(grads).map((name) => ({ name, tensor: grads[name] }));
    const clipped = ${ns}.tidy(() => {
      const norm = ${ns}.sqrt(${ns}.addN(list.map((g) => ${ns}.sum(${ns}.square(g.tensor)))));
      const scale = ${ns}.minimum(1, ${ns}.div(maxNorm, ${ns}.maximum(norm, 1e-12)));
      return list.map((g) => ({ name: g.name, tensor: ${ns}.mul(g.tensor, scale) }));
    });
    applyGradients(clipped);
    ${ns}.dispose(clipped.map((g) => g.tensor));
  };
}
`;
}

function hasFunction(sf: ts.SourceFile, name: string): boolean {
  return sf.statements.some((s) => ts.isFunctionDeclaration(s) && s.name?.text === name);
}

function clipGradients(ctx: Ctx, maxNorm: number): OffsetEdit[] | undefined {
  const compile = compileCall(ctx);
  if (!compile || !ctx.ns) return undefined;
  const callee = unwrap(compile.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isExpressionStatement(compile.parent)) return undefined;
  const statement = compile.parent;
  const receiver = callee.expression.getText(ctx.sf);
  const start = statement.getStart(ctx.sf);
  if (!startsLine(ctx.text, start)) return undefined;
  // Already clipped after this compile call?
  const after = ctx.text.slice(statement.getEnd(), statement.getEnd() + 200);
  if (after.includes(`${CLIP_HELPER}(`)) return undefined;
  const edits: OffsetEdit[] = [
    {
      start: statement.getEnd(),
      end: statement.getEnd(),
      newText: `\n${indentAt(ctx.text, start)}${CLIP_HELPER}(${receiver}.optimizer, ${maxNorm});`,
    },
  ];
  if (!hasFunction(ctx.sf, CLIP_HELPER)) {
    const end = ctx.text.length;
    edits.push({ start: end, end, newText: clipHelperText(ctx).replace(/^\n/, ctx.text.endsWith('\n') ? '' : '\n') });
  }
  return edits;
}

function setCompile(ctx: Ctx, key: string, value: JsonValue): OffsetEdit[] | undefined {
  const compile = compileCall(ctx);
  if (!compile) return undefined;
  const e = setPropertyEdit(ctx.sf, compile, key, valueText(value, ctx.quote, ctx.ns));
  return e ? [e] : undefined;
}

function addCallback(ctx: Ctx, factory: string, config: Record<string, JsonValue> | undefined): OffsetEdit[] | undefined {
  const site = ctx.model.fitSites.find((r) => inFile(r, ctx.analysis.file));
  const call = site && callWithRange(ctx.sf, site);
  if (!call || !ctx.ns) return undefined;
  const name = calleeName(call);
  const index = name === 'fit' ? 2 : name === 'fitDataset' ? 1 : -1;
  if (index < 0 || call.arguments.length < index) return undefined;
  const cb = `${ctx.ns}callbacks.${factory}(${config ? valueText(config, ctx.quote, ctx.ns) : ''})`;
  if (call.arguments.length === index) {
    const at = call.arguments.end;
    return [{ start: at, end: at, newText: `, { callbacks: [${cb}] }` }];
  }
  const arg = unwrap(call.arguments[index]);
  if (!ts.isObjectLiteralExpression(arg)) return undefined;
  const existing = findProperty(arg, 'callbacks');
  if (existing) {
    if (!ts.isPropertyAssignment(existing)) return undefined;
    const list = unwrap(existing.initializer);
    if (!ts.isArrayLiteralExpression(list)) return undefined;
    if (list.getText(ctx.sf).includes(`.${factory}(`)) return undefined;
    const at = list.elements.length > 0 ? list.elements[list.elements.length - 1].getEnd() : list.getStart(ctx.sf) + 1;
    return [{ start: at, end: at, newText: list.elements.length > 0 ? `, ${cb}` : cb }];
  }
  const props = arg.properties;
  if (props.length === 0) return [{ start: arg.getStart(ctx.sf), end: arg.getEnd(), newText: `{ callbacks: [${cb}] }` }];
  const last = props[props.length - 1];
  return [{ start: last.getEnd(), end: last.getEnd(), newText: `, callbacks: [${cb}]` }];
}

/* ---------- one fix ---------- */

function editFor(ctx: Ctx, e: FixEdit): OffsetEdit[] | undefined {
  switch (e.kind) {
    case 'set-config': {
      const layer = layerNamed(ctx, e.layer);
      const call = layer && factoryCall(ctx, layer);
      if (!layer || !call) return undefined;
      // `trainable: true` helps only where the config itself froze the layer.
      if (e.key === 'trainable') {
        const obj = configArgument(call);
        if (!obj || obj === 'none' || !findProperty(obj, 'trainable')) return undefined;
      }
      const edit = setPropertyEdit(ctx.sf, call, e.key, valueText(e.value, ctx.quote, ctx.ns));
      return edit ? [edit] : undefined;
    }
    case 'insert-layer-after':
    case 'insert-layer-before':
      return insertLayer(ctx, e.kind === 'insert-layer-after' ? 'after' : 'before', e.layer, e.factory, e.config);
    case 'set-learning-rate':
      return setLearningRate(ctx, e.value);
    case 'set-optimizer-option':
      return e.key === 'clipnorm' ? clipGradients(ctx, e.value) : undefined;
    case 'set-compile':
      return setCompile(ctx, e.key, e.value);
    case 'add-callback':
      return addCallback(ctx, e.factory, e.config);
  }
}

/**
 * The same edit twice is one (layers made by one call in a loop share their factory call);
 * different insertions at one offset are joined in order; any other overlap makes the fix
 * unavailable.
 */
function merge(edits: OffsetEdit[]): OffsetEdit[] | undefined {
  const out: OffsetEdit[] = [];
  const seen = new Set<string>();
  for (const e of edits) {
    const key = `${e.start}:${e.end}:${e.newText}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const same = out.find((o) => o.start === e.start && o.end === e.end && o.start === o.end);
    if (same) {
      same.newText += e.newText;
      continue;
    }
    if (out.some((o) => o.start < e.end && e.start < o.end)) return undefined;
    out.push({ ...e });
  }
  return out;
}

function titleOf(fix: Fix, locale: ExplainLocale | undefined): string {
  const base = fixTitle(fix, locale);
  const lang = locale ?? 'en';
  const lr = fix.edits?.find((e) => e.kind === 'set-learning-rate');
  if (lr && lr.kind === 'set-learning-rate') return `${base}: ${lr.value}`;
  const layer = fix.edits?.find((e) => e.kind === 'insert-layer-after' || e.kind === 'insert-layer-before');
  if (layer && (layer.kind === 'insert-layer-after' || layer.kind === 'insert-layer-before'))
    return uiText(layer.kind === 'insert-layer-after' ? 'fixAfter' : 'fixBefore', lang, { fix: base, layer: layer.layer });
  const set = fix.edits?.filter((e) => e.kind === 'set-config') ?? [];
  const layers = [...new Set(set.map((e) => (e.kind === 'set-config' ? e.layer : '')))];
  if (layers.length === 1) return `${base} (${layers[0]})`;
  if (layers.length > 1) return uiText('fixLayers', lang, { fix: base, count: layers.length });
  return base;
}

/** Every training fix of these findings that can be written into `text` (the analysed text of the file). */
export function trainingQuickFixes(
  analysis: FileAnalysis,
  text: string,
  modelName: string,
  findings: Finding[],
  locale?: ExplainLocale,
): TrainingQuickFix[] {
  const model = modelOf(analysis, modelName, findings);
  if (!model) return [];
  const sf = parseSource(analysis.file, text);
  const ctx: Ctx = { analysis, sf, text, model, ns: namespaceOf(sf), quote: quoteOf(sf) };
  const out: TrainingQuickFix[] = [];
  for (const finding of findings) {
    for (const fix of finding.fixes) {
      if (!fix.edits || fix.edits.length === 0) continue;
      let edits: OffsetEdit[] | undefined = [];
      try {
        for (const e of fix.edits) {
          const part = editFor(ctx, e);
          if (!part) {
            edits = undefined;
            break;
          }
          edits.push(...part);
        }
      } catch {
        edits = undefined;
      }
      const merged = edits && merge(edits);
      if (!merged || merged.length === 0) continue;
      // The edited text must still parse.
      const fixed = applyEdits(text, merged);
      const check = ts.createSourceFile(
        analysis.file,
        fixed,
        ts.ScriptTarget.Latest,
        false,
        /\.(m|c)?tsx?$/i.test(analysis.file) ? ts.ScriptKind.TS : ts.ScriptKind.JS,
      );
      if ((check as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length) continue;
      out.push({ finding, fix, title: titleOf(fix, locale), edits: merged });
    }
  }
  return out;
}

/**
 * LSP code actions for the findings placed on the lines of `range` (any of a finding's layers,
 * or its line), each attached to the client's "Layer Lens training" diagnostic of that finding
 * when the context carries it.
 */
export function trainingCodeActions(
  analysis: FileAnalysis,
  doc: TextDocument,
  modelName: string,
  findings: Finding[],
  range: Range,
  context?: CodeActionContext,
  version?: number,
  locale?: ExplainLocale,
): CodeAction[] {
  if (findings.length === 0) return [];
  if (
    context?.only &&
    !context.only.some(
      (k) =>
        k === '' ||
        k === CodeActionKind.QuickFix ||
        `${TRAINING_FIX_KIND}.`.startsWith(`${k}.`) ||
        k.startsWith(`${TRAINING_FIX_KIND}.`) ||
        k === TRAINING_FIX_KIND,
    )
  )
    return [];
  const model = modelOf(analysis, modelName, findings);
  const here = findings.filter((f) =>
    findingPlaces(f, model).some(
      (p) => samePath(p.file, analysis.file) && p.startLine - 1 <= range.end.line && range.start.line <= p.endLine - 1,
    ),
  );
  if (here.length === 0) return [];
  const actions: CodeAction[] = [];
  for (const q of trainingQuickFixes(analysis, doc.getText(), modelName, here, locale)) {
    const kind = `${TRAINING_FIX_KIND}.${q.fix.id}`;
    if (context?.only && !context.only.some((k) => k === '' || k === CodeActionKind.QuickFix || kind === k || kind.startsWith(`${k}.`)))
      continue;
    const attached: LspDiagnostic[] = (context?.diagnostics ?? []).filter(
      (d) => d.source === TRAINING_DIAGNOSTIC_SOURCE && d.code === q.finding.code,
    );
    const edits = toTextEdits(doc, q.edits);
    const edit: WorkspaceEdit =
      version === undefined ? { changes: { [doc.uri]: edits } } : { documentChanges: [{ textDocument: { uri: doc.uri, version }, edits }] };
    // After the edit, the extension host hears which finding's fix was applied (its findings are from before it now).
    const command = { title: q.title, command: TRAINING_FIX_APPLIED_COMMAND, arguments: [doc.uri, q.finding.id, q.fix.id] };
    actions.push({ title: q.title, kind, diagnostics: attached, isPreferred: q.fix.rank === 1, edit, command });
  }
  return actions;
}
