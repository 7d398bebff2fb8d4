/**
 * Writes a learning rate into a model's `compile` call: a pure function from the file's text
 * to the text edits, over the TypeScript syntax tree (no evaluation).
 *
 *   optimizer: 'adam'                 → optimizer: tf.train.adam(3e-4)   (the file's tfjs namespace)
 *   optimizer: tf.train.sgd(0.1)      → optimizer: tf.train.sgd(3e-4)
 *   optimizer: tf.train.adam()        → optimizer: tf.train.adam(3e-4)
 *   optimizer: tf.train.momentum(0.1, 0.9) → only the first argument changes
 *   optimizer: new tf.AdamOptimizer(0.001, 0.9, 0.999, 1e-7) → the first argument
 *   optimizer: opt / { optimizer }    → the `const opt = tf.train.…(…)` declaration in the file
 *   tf.train.adam(LR) with `const LR = 0.01` in the file → `const LR = 3e-4`
 *   model.compile(config) with `const config = { optimizer: … }` in the file → inside it
 *
 * With only named imports (`import { sequential, layers } from '@tensorflow/tfjs'`), a string
 * optimizer becomes `train.adam(…)` and `train` is added to the import.
 */
import { ts } from 'ts-morph';
import { formatLr } from './lr-range';

export interface TextEdit {
  /** 0-based offsets into the original text. */
  start: number;
  end: number;
  newText: string;
  /** 1-based position of `start`, for editors. */
  line: number;
  column: number;
}

export type LrEditResult = { ok: true; edits: TextEdit[]; description: string; lr: number; lrText: string } | { ok: false; reason: string };

export interface LrEditTarget {
  fileName?: string;
  /** An offset inside the compile call to edit (ModelGraph.compile.range.startOffset). */
  compileOffset?: number;
  /** Or its 1-based line. */
  line?: number;
}

/** String optimizer names `compile` accepts → the tf.train factory. */
const STRING_OPTIMIZERS: Record<string, string> = {
  sgd: 'sgd',
  adam: 'adam',
  adagrad: 'adagrad',
  adadelta: 'adadelta',
  adamax: 'adamax',
  rmsprop: 'rmsprop',
};
const FACTORIES = new Set(['sgd', 'momentum', 'adam', 'adagrad', 'adadelta', 'adamax', 'rmsprop']);
const CLASSES = new Set([
  'SGDOptimizer',
  'MomentumOptimizer',
  'AdamOptimizer',
  'AdagradOptimizer',
  'AdadeltaOptimizer',
  'AdamaxOptimizer',
  'RMSPropOptimizer',
]);
const TFJS_MODULE = /^@tensorflow\/tfjs(-node(-gpu)?|-core)?$/;

function scriptKind(fileName: string): ts.ScriptKind {
  if (/\.tsx$/i.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.(m|c)?js$/i.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function unwrap(e: ts.Expression): ts.Expression {
  let x = e;
  for (;;) {
    if (
      ts.isParenthesizedExpression(x) ||
      ts.isAsExpression(x) ||
      ts.isNonNullExpression(x) ||
      ts.isTypeAssertionExpression(x) ||
      ts.isSatisfiesExpression(x)
    )
      x = x.expression;
    else return x;
  }
}

function propName(p: ts.ObjectLiteralElementLike): string | undefined {
  const n = p.name;
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  return undefined;
}

/** Every `<x>.compile(<arg>)` call of the file. */
export function findCompileCalls(sf: ts.SourceFile): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'compile' &&
      n.arguments.length > 0
    )
      out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The declaration `const|let|var <name> = <init>` the identifier refers to: the nearest one before it in the file. */
function declarationOf(sf: ts.SourceFile, id: ts.Identifier): ts.VariableDeclaration | undefined {
  const found: ts.VariableDeclaration[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === id.text && n.initializer) found.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const before = found.filter((d) => d.getStart(sf) < id.getStart(sf));
  // The innermost enclosing scope wins: the latest declaration before the use whose block contains it.
  const enclosing = before.filter((d) => {
    const block = d.parent?.parent?.parent;
    return !block || (block.getStart(sf) <= id.getStart(sf) && id.getEnd() <= block.getEnd());
  });
  return (enclosing.length ? enclosing : before.length ? before : found).at(-1);
}

function isConst(d: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(d.parent) && (d.parent.flags & ts.NodeFlags.Const) !== 0;
}

interface TfImport {
  /** `tf` for `import * as tf` / `const tf = require(…)`, or `train` with named imports. */
  prefix: string;
  /** With named imports lacking `train`: where to add it. */
  addTrain?: { at: number; text: string };
}

function tfImport(sf: ts.SourceFile): TfImport | undefined {
  let named: ts.NamedImports | undefined;
  for (const st of sf.statements) {
    if (
      ts.isImportDeclaration(st) &&
      ts.isStringLiteral(st.moduleSpecifier) &&
      TFJS_MODULE.test(st.moduleSpecifier.text) &&
      st.importClause &&
      !st.importClause.isTypeOnly
    ) {
      const b = st.importClause.namedBindings;
      if (b && ts.isNamespaceImport(b)) return { prefix: `${b.name.text}.train` };
      if (st.importClause.name) return { prefix: `${st.importClause.name.text}.train` };
      if (b && ts.isNamedImports(b)) named ??= b;
    }
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer && unwrap(d.initializer);
        if (
          init &&
          ts.isCallExpression(init) &&
          ts.isIdentifier(init.expression) &&
          init.expression.text === 'require' &&
          init.arguments[0] &&
          ts.isStringLiteral(init.arguments[0]) &&
          TFJS_MODULE.test(init.arguments[0].text)
        ) {
          if (ts.isIdentifier(d.name)) return { prefix: `${d.name.text}.train` };
          if (ts.isObjectBindingPattern(d.name)) {
            const el = d.name.elements.find(
              (e) =>
                ts.isIdentifier(e.name) &&
                (e.propertyName ? ts.isIdentifier(e.propertyName) && e.propertyName.text === 'train' : e.name.text === 'train'),
            );
            if (el && ts.isIdentifier(el.name)) return { prefix: el.name.text };
          }
        }
      }
    }
  }
  if (named) {
    const train = named.elements.find((e) => (e.propertyName ?? e.name).text === 'train');
    if (train) return { prefix: train.name.text };
    const last = named.elements.at(-1);
    return { prefix: 'train', addTrain: last ? { at: last.getEnd(), text: ', train' } : { at: named.getStart() + 1, text: ' train ' } };
  }
  return undefined;
}

/** Computes the edits that make the compile call's optimizer use `lr`. */
export function learningRateEdit(text: string, lr: number, target: LrEditTarget = {}): LrEditResult {
  if (!(lr > 0) || !Number.isFinite(lr)) return { ok: false, reason: `not a learning rate: ${lr}` };
  const fileName = target.fileName ?? 'model.ts';
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKind(fileName));
  const calls = findCompileCalls(sf);
  let call: ts.CallExpression | undefined;
  if (target.compileOffset !== undefined) {
    const at = target.compileOffset;
    call = calls.filter((c) => c.getStart(sf) <= at && at <= c.getEnd()).sort((a, b) => a.getWidth(sf) - b.getWidth(sf))[0];
    if (!call) return { ok: false, reason: `no compile call at offset ${at}` };
  } else if (target.line !== undefined) {
    call = calls.find((c) => sf.getLineAndCharacterOfPosition(c.getStart(sf)).line + 1 === target.line);
    if (!call) return { ok: false, reason: `no compile call on line ${target.line}` };
  } else {
    if (calls.length === 0) return { ok: false, reason: 'the file has no compile call' };
    if (calls.length > 1)
      return {
        ok: false,
        reason: `the file has ${calls.length} compile calls (lines ${calls.map((c) => sf.getLineAndCharacterOfPosition(c.getStart(sf)).line + 1).join(', ')}): say which`,
      };
    call = calls[0];
  }
  const lrText = formatLr(lr);
  const pos = (offset: number) => {
    const p = sf.getLineAndCharacterOfPosition(offset);
    return { line: p.line + 1, column: p.character + 1 };
  };
  const edit = (start: number, end: number, newText: string): TextEdit => ({ start, end, newText, ...pos(start) });

  // The config object: inline, or a `const config = {…}` of the file.
  let config = unwrap(call.arguments[0]);
  if (ts.isIdentifier(config)) {
    const d = declarationOf(sf, config);
    if (!d?.initializer || !ts.isObjectLiteralExpression(unwrap(d.initializer)))
      return { ok: false, reason: `the compile config '${config.text}' is not an object literal in this file` };
    config = unwrap(d.initializer);
  }
  if (!ts.isObjectLiteralExpression(config)) return { ok: false, reason: "the compile call's argument is not an object literal" };
  const prop = config.properties.find((p) => propName(p) === 'optimizer');
  if (!prop) return { ok: false, reason: 'the compile call has no optimizer' };
  let value: ts.Expression | undefined;
  let via = '';
  if (ts.isShorthandPropertyAssignment(prop)) value = prop.name;
  else if (ts.isPropertyAssignment(prop)) value = prop.initializer;
  if (!value) return { ok: false, reason: 'the optimizer is not a plain property' };
  value = unwrap(value);
  // optimizer: opt → its declaration in the file.
  if (ts.isIdentifier(value)) {
    const d = declarationOf(sf, value);
    if (!d?.initializer) return { ok: false, reason: `the optimizer '${value.text}' is not declared with a value in this file` };
    via = ` (the declaration of ${value.text} on line ${pos(d.getStart(sf)).line})`;
    value = unwrap(d.initializer);
  }

  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) {
    const factory = STRING_OPTIMIZERS[value.text.toLowerCase()];
    if (!factory) return { ok: false, reason: `'${value.text}' is not an optimizer name compile accepts` };
    const imp = tfImport(sf) ?? { prefix: 'tf.train' };
    const edits = [edit(value.getStart(sf), value.getEnd(), `${imp.prefix}.${factory}(${lrText})`)];
    if (imp.addTrain) edits.push(edit(imp.addTrain.at, imp.addTrain.at, imp.addTrain.text));
    return {
      ok: true,
      edits: edits.sort((a, b) => a.start - b.start),
      lr,
      lrText,
      description: `optimizer '${value.text}' → ${imp.prefix}.${factory}(${lrText})${via}${imp.addTrain ? ', and train imported' : ''}`,
    };
  }

  if (ts.isCallExpression(value) || ts.isNewExpression(value)) {
    const callee = value.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    const known = ts.isNewExpression(value) ? CLASSES.has(name) : FACTORIES.has(name);
    if (!known)
      return { ok: false, reason: `the optimizer is made by ${callee.getText(sf)}(…), not a tf.train optimizer Layer Lens can edit` };
    const args = value.arguments ?? ts.factory.createNodeArray<ts.Expression>();
    const what = `${callee.getText(sf)}(…)`;
    if (args.length === 0) {
      // tf.train.adam() → tf.train.adam(lr): insert after the opening parenthesis.
      const open = text.indexOf('(', callee.getEnd());
      if (open < 0) return { ok: false, reason: `${what} has no argument list` };
      return {
        ok: true,
        edits: [edit(open + 1, open + 1, lrText)],
        lr,
        lrText,
        description: `${what}: learning rate ${lrText} added${via}`,
      };
    }
    const first = unwrap(args[0]);
    if (ts.isNumericLiteral(first) || (ts.isPrefixUnaryExpression(first) && ts.isNumericLiteral(first.operand))) {
      return {
        ok: true,
        edits: [edit(args[0].getStart(sf), args[0].getEnd(), lrText)],
        lr,
        lrText,
        description: `${what}: learning rate ${args[0].getText(sf)} → ${lrText}${via}`,
      };
    }
    if (ts.isIdentifier(first)) {
      // A constant of the file (const LR = 0.01): change it there, where the user keeps it.
      const d = declarationOf(sf, first);
      const init = d?.initializer && unwrap(d.initializer);
      if (d && init && isConst(d) && ts.isNumericLiteral(init)) {
        return {
          ok: true,
          edits: [edit(init.getStart(sf), init.getEnd(), lrText)],
          lr,
          lrText,
          description: `${first.text} (line ${pos(d.getStart(sf)).line}): ${init.getText(sf)} → ${lrText}, the learning rate of ${what}`,
        };
      }
    }
    return {
      ok: true,
      edits: [edit(args[0].getStart(sf), args[0].getEnd(), lrText)],
      lr,
      lrText,
      description: `${what}: learning rate ${args[0].getText(sf)} → ${lrText}${via}`,
    };
  }
  return {
    ok: false,
    reason: `the optimizer is ${value.getText(sf).slice(0, 60)}: neither a name nor a tf.train optimizer call Layer Lens can edit`,
  };
}

/** Applies non-overlapping edits to a text. */
export function applyEdits(text: string, edits: readonly Pick<TextEdit, 'start' | 'end' | 'newText'>[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
