/**
 * Where the driver enters a file's code besides its top level: functions that build a
 * model but were never called (`function createModel()` used only by a training script),
 * preferably through a caller in the same file that passes real arguments.
 */
import { ts } from 'ts-morph';
import type { FunctionNode } from './interpret/values';

/** Names whose call creates a model: `tf.sequential(…)`, `tf.model(…)`. */
const MODEL_BUILDERS = new Set(['sequential', 'model']);

/**
 * A function in `sf` that contains a model-building call which never ran, and was not
 * tried yet: the outermost function around it, so its closure is the module scope.
 */
export function findUnreachedEntry(sf: ts.SourceFile, built: Set<ts.Node>, tried: Set<ts.Node>): Entry | undefined {
  let found: Entry | undefined;
  const builders = builderNames(sf);
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && !built.has(node) && (builders.has(calleeName(node.expression) ?? '') || isModelSuperCall(node))) {
      const entry = outermostFunction(node) ?? fieldInitializerEntry(node);
      // A function that ran without reaching this builder (a branch not taken) is tried once more with unknowns.
      if (entry && !tried.has(entry)) {
        found = preferCaller(sf, entry, tried, new Set());
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Whether the file has a model-creating call at all: only then do other programs' contexts matter to its report. */
export function createsModels(sf: ts.SourceFile): boolean {
  const builders = builderNames(sf);
  const visit = (node: ts.Node): boolean =>
    (ts.isCallExpression(node) && (builders.has(calleeName(node.expression) ?? '') || isModelSuperCall(node))) || ts.forEachChild(node, visit) === true;
  return visit(sf);
}

/**
 * A helper that builds a model from its parameters (`function textModel(vocab, units)`,
 * a class's `build()` using constructor arguments) says more when analysed through a
 * function of the same file that calls it with real arguments: the outermost function
 * around such a call, followed up while callers exist. The helper itself when it takes
 * no parameters, or nothing in the file (outside it) calls it.
 */
function preferCaller(sf: ts.SourceFile, entry: Entry, tried: Set<ts.Node>, seen: Set<ts.Node>): Entry {
  seen.add(entry);
  const cls = ts.isClassLike(entry) ? entry : ts.isClassLike(entry.parent) ? entry.parent : undefined;
  // Parameters with defaults are known without a caller: `buildNet(alpha = 1)` is analysed as written.
  // An object literal's method needs its object as `this`: reached through `obj.method()`.
  const objectMethod = ts.isMethodDeclaration(entry) && ts.isObjectLiteralExpression(entry.parent);
  const needsArgs = takesArgs(entry) || (cls !== undefined && classTakesArgs(cls)) || objectMethod;
  if (!needsArgs) return entry;
  const target = callTarget(entry);
  if (!target) return entry;
  let caller: FunctionNode | undefined;
  const visit = (node: ts.Node): void => {
    if (caller) return;
    if (isCallOf(node, target)) {
      const outer = outermostFunction(node);
      if (outer && !tried.has(outer) && !seen.has(outer) && !(outer.pos >= entry.pos && outer.end <= entry.end)) {
        caller = outer;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return caller ? preferCaller(sf, caller, tried, seen) : entry;
}

/** Whether an entry still depends on arguments no caller in its own file gave it. */
export function needsCaller(entry: Entry): boolean {
  const cls = ts.isClassLike(entry) ? entry : ts.isClassLike(entry.parent) ? entry.parent : undefined;
  const objectMethod = ts.isMethodDeclaration(entry) && ts.isObjectLiteralExpression(entry.parent);
  return takesArgs(entry) || (cls !== undefined && classTakesArgs(cls)) || objectMethod;
}

/**
 * Where another file calls `entry` (a function, class or method of another file):
 * `buildModel([28, 28, 1], 10)` in train.ts for `export function buildModel` in model.ts.
 * The outermost function around the first such call (followed to its own callers in that
 * file), or the file itself when the call is at its top level. Names are matched as the
 * importing file spells them: the exported name, an `import { x as y }` alias, `ns.name`.
 */
export function findCallerIn(sf: ts.SourceFile, entry: Entry, tried: Set<ts.Node>): Entry | ts.SourceFile | undefined {
  const target = callTarget(entry);
  if (!target) return undefined;
  const names = new Set([target.name]);
  const visitImports = (node: ts.Node): void => {
    if ((ts.isImportSpecifier(node) || ts.isBindingElement(node)) && node.propertyName && ts.isIdentifier(node.name) && node.propertyName.getText(sf) === target.name) {
      names.add(node.name.text);
    }
    // `import build from './model'` of a default export: the local name is the caller's.
    if (ts.isImportClause(node) && node.name && isDefaultExport(entry)) names.add(node.name.text);
    ts.forEachChild(node, visitImports);
  };
  visitImports(sf);
  let found: Entry | ts.SourceFile | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ([...names].some((name) => isCallOf(node, { ...target, kind: target.kind === 'function' ? 'either' : target.kind, name }))) {
      const outer = outermostFunction(node);
      if (!outer) {
        found = sf;
        return;
      }
      if (!tried.has(outer)) {
        found = preferCaller(sf, outer, tried, new Set());
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function isDefaultExport(entry: Entry): boolean {
  const decl = ts.isClassLike(entry) || ts.isFunctionDeclaration(entry) ? entry : undefined;
  return !!decl && (ts.getModifiers(decl as ts.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

type CallTarget = { kind: 'function' | 'method' | 'new' | 'either'; name: string };

/** How calls of `fn` look: `name(…)`, `x.name(…)` for a method, `new Class(…)` for a constructor. */
function callTarget(fn: Entry): CallTarget | undefined {
  if (ts.isClassLike(fn)) return fn.name ? { kind: 'new', name: fn.name.text } : undefined;
  if (ts.isConstructorDeclaration(fn)) return fn.parent.name ? { kind: 'new', name: fn.parent.name.text } : undefined;
  if (ts.isMethodDeclaration(fn)) return ts.isIdentifier(fn.name) ? { kind: 'method', name: fn.name.text } : undefined;
  if (ts.isFunctionDeclaration(fn)) return fn.name ? { kind: 'function', name: fn.name.text } : undefined;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) {
    return { kind: 'function', name: fn.parent.name.text };
  }
  return undefined;
}

function isCallOf(node: ts.Node, t: CallTarget): boolean {
  if (t.kind === 'new') return ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === t.name;
  if (!ts.isCallExpression(node)) return false;
  const e = node.expression;
  if (t.kind === 'function') return ts.isIdentifier(e) && e.text === t.name;
  // Another file calls an exported function by its name or through a namespace (`models.build(…)`).
  if (t.kind === 'either' && ts.isIdentifier(e)) return e.text === t.name;
  return ts.isPropertyAccessExpression(e) && e.name.text === t.name;
}

/** A function with a parameter that has no default: its model depends on its arguments. */
function takesArgs(fn: ts.SignatureDeclaration | ts.ClassLikeDeclaration): boolean {
  return !ts.isClassLike(fn) && fn.parameters.some((p) => !p.initializer);
}

/** A class whose constructor takes parameters: its methods depend on how it was constructed. */
function classTakesArgs(cls: ts.ClassLikeDeclaration): boolean {
  return cls.members.some((m) => ts.isConstructorDeclaration(m) && takesArgs(m));
}

/**
 * Names that call a model builder in this file: `sequential`, `model`, and local aliases
 * (`import { model as makeModel }`, `const { model: functional } = tf`).
 */
function builderNames(sf: ts.SourceFile): Set<string> {
  const names = new Set(MODEL_BUILDERS);
  const visit = (node: ts.Node): void => {
    if ((ts.isImportSpecifier(node) || ts.isBindingElement(node)) && node.propertyName && ts.isIdentifier(node.name)) {
      const imported = node.propertyName.getText(sf);
      if (MODEL_BUILDERS.has(imported)) names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return names;
}

/** tfjs's model classes: a class extending one is a model created at its `super(…)` call. */
const MODEL_CLASSES = new Set(['Sequential', 'LayersModel']);

/** `super(…)` in the constructor of `class X extends tf.Sequential` (or `Sequential`, `tf.LayersModel`). */
function isModelSuperCall(node: ts.CallExpression): boolean {
  if (node.expression.kind !== ts.SyntaxKind.SuperKeyword) return false;
  let cls: ts.Node | undefined = node.parent;
  while (cls && !ts.isClassLike(cls)) cls = cls.parent;
  const base = cls && ts.isClassLike(cls) ? cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression : undefined;
  return base !== undefined && MODEL_CLASSES.has(calleeName(base) ?? '');
}

function calleeName(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** What the driver calls to reach an unreached builder: a function, or a class to construct. */
export type Entry = FunctionNode | ts.ClassLikeDeclaration;

/** Function declarations and `const f = () => …` / `function` expressions at the top of a file. */
export function topLevelFunctions(sf: ts.SourceFile): FunctionNode[] {
  const out: FunctionNode[] = [];
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.body) out.push(st);
    else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer;
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) out.push(init);
      }
    }
  }
  return out;
}

/**
 * A builder call in an instance field initializer (`private model = tf.sequential()`)
 * runs when the class is constructed: its constructor, or the class itself when it has none.
 */
function fieldInitializerEntry(node: ts.Node): Entry | undefined {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isPropertyDeclaration(n) && ts.isClassLike(n.parent)) {
      if ((ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) return undefined;
      return n.parent.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body) ?? n.parent;
    }
  }
  return undefined;
}

export function outermostFunction(node: ts.Node): FunctionNode | undefined {
  let found: FunctionNode | undefined;
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n)) {
      found = n;
    }
  }
  return found;
}

/** Functions and methods of a file (not nested in another function) that call `something.add(…)`, at most 16. */
export function layerAdders(sf: ts.SourceFile): FunctionNode[] {
  const out: FunctionNode[] = [];
  const callsAdd = (n: ts.Node): boolean =>
    (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'add') || ts.forEachChild(n, callsAdd) === true;
  const visit = (n: ts.Node): void => {
    if (out.length >= 16) return;
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n)) && n.body) {
      if (callsAdd(n.body)) out.push(n);
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
