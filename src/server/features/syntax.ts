/**
 * The TypeScript syntax tree of a document, for the features that read or edit source code
 * (quick fixes, config hovers): finding the node at an offset or at an engine range, reading
 * an object-literal config, resolving a local variable to its initializer, and building
 * text edits that keep the user's layout (one property per line stays one per line).
 * Pure: text in, nodes and offset edits out. Never regex over code.
 */
import * as path from 'node:path';
import { ts } from 'ts-morph';
import type { TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

/** A replacement of `text.slice(start, end)` by `newText`. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** The parse of the last text seen per file name: hovers and code actions ask for the same version many times. */
const parsed = new Map<string, { text: string; sf: ts.SourceFile }>();
const MAX_CACHED = 32;

export function parseSource(fileName: string, text: string): ts.SourceFile {
  const hit = parsed.get(fileName);
  if (hit && hit.text === text) return hit.sf;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindOf(fileName));
  parsed.delete(fileName);
  parsed.set(fileName, { text, sf });
  if (parsed.size > MAX_CACHED) parsed.delete(parsed.keys().next().value as string);
  return sf;
}

function scriptKindOf(fileName: string): ts.ScriptKind {
  switch (path.extname(fileName).toLowerCase()) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    default:
      return ts.ScriptKind.TS;
  }
}

/** The deepest node whose text (without leading trivia) holds `offset`. */
export function nodeAt(sf: ts.SourceFile, offset: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (node.getStart(sf) <= offset && offset < node.getEnd()) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  ts.forEachChild(sf, visit);
  return found;
}

/** The innermost node spanning exactly [start, end) that passes `test`. */
export function nodeWithRange<T extends ts.Node>(
  sf: ts.SourceFile,
  start: number,
  end: number,
  test: (n: ts.Node) => n is T,
): T | undefined {
  let found: T | undefined;
  const visit = (node: ts.Node): void => {
    const s = node.getStart(sf);
    if (s > start || node.getEnd() < end) return;
    if (s === start && node.getEnd() === end && test(node)) found = node;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return found;
}

export function callWithRange(sf: ts.SourceFile, r: { startOffset: number; endOffset: number }): ts.CallExpression | undefined {
  return nodeWithRange(sf, r.startOffset, r.endOffset, ts.isCallExpression);
}

/** Parentheses, `as T`, `<T>x`, `x!`, `x satisfies T` removed. */
export function unwrap(e: ts.Expression): ts.Expression {
  let cur = e;
  for (;;) {
    if (
      ts.isParenthesizedExpression(cur) ||
      ts.isAsExpression(cur) ||
      ts.isNonNullExpression(cur) ||
      ts.isTypeAssertionExpression(cur) ||
      ts.isSatisfiesExpression(cur)
    ) {
      cur = cur.expression;
    } else {
      return cur;
    }
  }
}

/** The name a property is written with (`units`, `'units'`), or undefined for computed names. */
export function propertyName(p: ts.ObjectLiteralElementLike): string | undefined {
  const name = p.name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name) || ts.isNumericLiteral(name))
    return name.text;
  return undefined;
}

/** The property that decides `name` (the last one written, as in JavaScript). */
export function findProperty(obj: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  let found: ts.ObjectLiteralElementLike | undefined;
  for (const p of obj.properties) if (propertyName(p) === name) found = p;
  return found;
}

/** The value expression of property `name`, when it is written as `name: value`. */
export function propertyValue(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  const p = findProperty(obj, name);
  return p && ts.isPropertyAssignment(p) ? p.initializer : undefined;
}

/** The config object of a call (`f({ … })`): the literal, `'none'` for `f()`, undefined for anything else. */
export function configArgument(call: ts.CallExpression): ts.ObjectLiteralExpression | 'none' | undefined {
  if (call.arguments.length === 0) return 'none';
  const arg = unwrap(call.arguments[0]);
  return ts.isObjectLiteralExpression(arg) ? arg : undefined;
}

/** The last name of a callee: `conv2d` of `tf.layers.conv2d`, `adam` of `tf.train.adam`. */
export function calleeName(call: ts.CallExpression): string | undefined {
  const e = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isIdentifier(e)) return e.text;
  return undefined;
}

/** The dotted path of an expression made of names only (`tf.layers.conv2d`), else undefined. */
export function dottedName(e: ts.Expression): string | undefined {
  const u = unwrap(e);
  if (ts.isIdentifier(u)) return u.text;
  if (ts.isPropertyAccessExpression(u)) {
    const left = dottedName(u.expression);
    return left === undefined ? undefined : `${left}.${u.name.text}`;
  }
  return undefined;
}

/** A number written as a literal, a negated literal, or simple arithmetic of those (and of local constants). */
export function numberValue(e: ts.Expression, depth = 0): number | undefined {
  const u = unwrap(e);
  if (ts.isNumericLiteral(u)) return Number(u.text);
  if (ts.isPrefixUnaryExpression(u) && u.operator === ts.SyntaxKind.MinusToken) {
    const v = numberValue(u.operand, depth);
    return v === undefined ? undefined : -v;
  }
  if (ts.isBinaryExpression(u)) {
    const a = numberValue(u.left, depth);
    const b = numberValue(u.right, depth);
    if (a === undefined || b === undefined) return undefined;
    switch (u.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
        return a + b;
      case ts.SyntaxKind.MinusToken:
        return a - b;
      case ts.SyntaxKind.AsteriskToken:
        return a * b;
      case ts.SyntaxKind.SlashToken:
        return b === 0 ? undefined : a / b;
      default:
        return undefined;
    }
  }
  if (ts.isIdentifier(u) && depth < 4) {
    const init = resolveConst(u);
    return init ? numberValue(init, depth + 1) : undefined;
  }
  return undefined;
}

/** `[1, 2, 3]` as numbers; undefined when an element is not a number the syntax states. */
export function numberList(e: ts.Expression): number[] | undefined {
  const u = unwrap(e);
  if (!ts.isArrayLiteralExpression(u)) return undefined;
  const out: number[] = [];
  for (const el of u.elements) {
    const v = numberValue(el);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

/**
 * The initializer of the `const`/`let`/`var` declaration an identifier refers to, found in the
 * enclosing blocks of the identifier (nearest first). Undefined for parameters, imports, and
 * names declared without an initializer or by destructuring.
 */
export function resolveConst(id: ts.Identifier): ts.Expression | undefined {
  let scope: ts.Node | undefined = id.parent;
  while (scope) {
    if (isFunctionLike(scope) && scope.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === id.text)) return undefined;
    const statements = statementsOf(scope);
    if (statements) {
      for (const st of statements) {
        if (!ts.isVariableStatement(st)) continue;
        for (const d of st.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.name.text === id.text && d.name !== id) return d.initializer;
        }
      }
    }
    scope = scope.parent;
  }
  return undefined;
}

/** An expression with local variables followed to what they were initialised with (a few steps). */
export function resolveExpression(e: ts.Expression, depth = 0): ts.Expression {
  const u = unwrap(e);
  if (ts.isIdentifier(u) && depth < 6) {
    const init = resolveConst(u);
    if (init) return resolveExpression(init, depth + 1);
  }
  return u;
}

function isFunctionLike(n: ts.Node): n is ts.SignatureDeclaration & { parameters: ts.NodeArray<ts.ParameterDeclaration> } {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n)
  );
}

function statementsOf(n: ts.Node): readonly ts.Statement[] | undefined {
  if (ts.isSourceFile(n) || ts.isBlock(n) || ts.isModuleBlock(n) || ts.isCaseClause(n) || ts.isDefaultClause(n)) return n.statements;
  return undefined;
}

/** The indentation (spaces and tabs) of the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let i = lineStart;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text.slice(lineStart, i);
}

/** True when only white space precedes `offset` on its line. */
export function startsLine(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return text.slice(lineStart, offset).trim() === '';
}

function lineOf(sf: ts.SourceFile, offset: number): number {
  return sf.getLineAndCharacterOfPosition(offset).line;
}

/**
 * The edit that makes `name: value` part of the config of `call`: the value replaced when the
 * property is written there, else the property added (first or last), keeping the object's
 * layout: a multi-line object gets a new line with the same indentation. Undefined when the
 * config is not an object literal written at the call (a variable, a spread argument).
 */
export function setPropertyEdit(
  sf: ts.SourceFile,
  call: ts.CallExpression,
  name: string,
  value: string,
  where: 'first' | 'last' = 'last',
): OffsetEdit | undefined {
  const text = sf.text;
  const cfg = configArgument(call);
  if (cfg === undefined) return undefined;
  if (cfg === 'none') {
    // `f()`: the config goes between the parentheses.
    const open = call.arguments.pos;
    return { start: open, end: call.arguments.end, newText: `{ ${name}: ${value} }` };
  }
  const existing = findProperty(cfg, name);
  if (existing) {
    if (ts.isPropertyAssignment(existing))
      return { start: existing.initializer.getStart(sf), end: existing.initializer.getEnd(), newText: value };
    if (ts.isShorthandPropertyAssignment(existing))
      return { start: existing.getStart(sf), end: existing.getEnd(), newText: `${name}: ${value}` };
    return undefined;
  }
  const props = cfg.properties;
  if (props.length === 0) return { start: cfg.getStart(sf), end: cfg.getEnd(), newText: `{ ${name}: ${value} }` };
  const multiline = lineOf(sf, props[0].getStart(sf)) !== lineOf(sf, cfg.getStart(sf));
  if (where === 'first') {
    const first = props[0].getStart(sf);
    const newText = multiline ? `${name}: ${value},\n${indentAt(text, first)}` : `${name}: ${value}, `;
    return { start: first, end: first, newText };
  }
  const last = props[props.length - 1];
  const indent = indentAt(text, last.getStart(sf));
  if (props.hasTrailingComma) {
    const at = props.end; // after the trailing comma
    return { start: at, end: at, newText: multiline ? `\n${indent}${name}: ${value},` : ` ${name}: ${value},` };
  }
  const at = last.getEnd();
  return { start: at, end: at, newText: multiline ? `,\n${indent}${name}: ${value}` : `, ${name}: ${value}` };
}

/** `[28, 28, 1]`. */
export function listText(dims: readonly (number | null)[]): string {
  return `[${dims.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

export function toTextEdits(doc: TextDocument, edits: readonly OffsetEdit[]): TextEdit[] {
  return edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText }));
}

/** `text` with the edits applied (they must not overlap). */
export function applyEdits(text: string, edits: readonly OffsetEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

const TFJS_MODULE = /^@tensorflow\/tfjs(-[\w-]+)?$/;

/**
 * How this file writes a `tf.layers` factory: `tf.layers.` (namespace import or require), or
 * `layers.` (named import), taken from a layer factory call already in the file when there is
 * one (`preferred`, then any), else from the tfjs import. Undefined when the file has neither.
 */
export function layersPrefix(sf: ts.SourceFile, preferred?: ts.CallExpression): string | undefined {
  const fromCall = (call: ts.CallExpression): string | undefined => {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const owner = dottedName(callee.expression);
    return owner !== undefined && (owner === 'layers' || owner.endsWith('.layers')) ? `${owner}.` : undefined;
  };
  if (preferred) {
    const p = fromCall(preferred);
    if (p) return p;
  }
  let found: string | undefined;
  let namespace: string | undefined;
  let named: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node)) found = fromCall(node);
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && TFJS_MODULE.test(node.moduleSpecifier.text)) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) namespace ??= bindings.name.text;
      if (bindings && ts.isNamedImports(bindings)) {
        const el = bindings.elements.find((e) => (e.propertyName ?? e.name).text === 'layers');
        if (el) named ??= el.name.text;
      }
      if (node.importClause?.name) namespace ??= node.importClause.name.text;
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const init = unwrap(node.initializer);
      if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require') {
        const arg = init.arguments[0];
        if (arg && ts.isStringLiteral(arg) && TFJS_MODULE.test(arg.text)) namespace ??= node.name.text;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (found) return found;
  if (named) return `${named}.`;
  return namespace ? `${namespace}.layers.` : undefined;
}
