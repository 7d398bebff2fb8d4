/**
 * An abstract interpreter for the JavaScript that model code is written in. It runs
 * the program over the TypeScript syntax tree with abstract values: known values are
 * computed exactly, anything else becomes an UnknownValue with its reason. Conditions
 * it cannot decide run both ways and join (see Journal). It never throws to its caller
 * except BoundReached and UserThrow, which the driver turns into diagnostics.
 */
import { ts } from 'ts-morph';

import { type Budget, BoundReached } from './bounds';
import { AbsentArgument, ArgvValue } from './cli-args';
import { Journal, Scope } from './scope';
import {
  ClassValue,
  type FunctionNode,
  FunctionValue,
  HostValue,
  NativeFunction,
  ObjectValue,
  UnknownValue,
  type Value,
  isUnknown,
  join,
  show,
  truthy,
  typeOf,
  unknown,
} from './values';
/**
 * Read once: in the esbuild bundle every `ts.` access goes through a module-interop getter,
 * and the `case` labels of the evaluator's switches are evaluated on every node.
 */
const SyntaxKind = ts.SyntaxKind;

/** A `throw` in user code, travelling up to the nearest `try` or entry point. */
export class UserThrow extends Error {
  constructor(
    readonly value: Value,
    readonly node: ts.Node,
  ) {
    super(describeThrown(value));
  }
}

function describeThrown(v: Value): string {
  if (v instanceof ObjectValue) {
    const m = v.props.get('message');
    if (typeof m === 'string') return m;
  }
  return show(v);
}

type Completion =
  | undefined
  | { kind: 'return'; value: Value }
  | { kind: 'break'; label?: string }
  | { kind: 'continue'; label?: string };

export interface ModuleRecord {
  file: string;
  /** The module's exports object (ESM) or `module.exports` (CommonJS). */
  exports: ObjectValue;
  /** CommonJS `module.exports = value` replaces the whole export. */
  cjsValue?: Value;
  state: 'evaluating' | 'done';
}

/** What the interpreter needs from outside: files, external modules, globals. */
export interface InterpreterHost {
  /** Parsed file for a resolved path, or undefined. */
  sourceFile(path: string): ts.SourceFile | undefined;
  /** Resolves a relative import to a workspace file path, or undefined. */
  resolve(specifier: string, fromFile: string): string | undefined;
  /** Value of a non-relative module (tfjs), or undefined when unknown. */
  externalModule(specifier: string): Value | undefined;
  /** Parsed JSON file contents for JSON imports. */
  json(path: string): Value | undefined;
}

interface Frame {
  /** Return values seen on paths that left the function early under an undecided condition. */
  pendingReturns: Value[];
  fn?: FunctionValue;
  /** The call, `new` or entry node the function was entered from. */
  call?: ts.Node;
}

const UNDECIDED = 'depends on a condition whose value is not known statically';

export class Interpreter {
  readonly journal = new Journal();
  readonly globals: Scope;
  readonly modules = new Map<string, ModuleRecord>();
  /** Function bodies that have been entered at least once. */
  readonly executedFunctions = new Set<ts.Node>();
  private depth = 0;
  private frames: Frame[] = [];
  /** Conditions not known statically whose two sides are being followed, innermost last. */
  private readonly conditions: ts.Node[] = [];
  /**
   * Sides the driver decides for conditions not known statically (an `if` or `?:` node → 0
   * for its first side, 1 for the other; a `switch` → the clause it enters), to build each
   * alternative of a model instead of joining them.
   */
  readonly forced = new Map<ts.Node, number>();
  /** Decided conditions whose decided side threw. */
  readonly forcedThrows = new Set<ts.Node>();
  /** Event handlers registered on the global object: they run after the code that registered them, with an unknown event. */
  readonly pendingHandlers: { fn: FunctionValue; node: ts.Node }[] = [];

  /** Runs the registered handlers (and those they register), each once. */
  runPendingHandlers(): void {
    for (let i = 0; i < 64 && this.pendingHandlers.length; i++) {
      const h = this.pendingHandlers.shift()!;
      this.callWithUnknowns(h.fn, h.node);
    }
  }

  /** Undecided `if`s and `?:`s one side of which throws: the side the program must have taken. */
  readonly impliedSides = new Map<ts.Node, number>();
  /** `module` of the file the analysis started from: what `require.main` is in it and in what it imports. */
  private mainModule: Value = undefined;

  /** The outermost function on the call stack: the entry point the current code was reached from. */
  entryFunction(): ts.Node | undefined {
    return this.frames.find((f) => f.fn)?.fn?.node;
  }

  /** The calls on the stack now, outermost first (how the running code was reached). */
  callChain(): ts.Node[] {
    // A `new` is on the stack twice, as the construction and as its constructor's call.
    return this.frames.flatMap((f) => (f.call ? [f.call] : [])).filter((c, i, all) => c !== all[i - 1]);
  }
  private readonly methodCache = new WeakMap<ClassValue, Map<string, FunctionValue | { get?: FunctionValue; set?: FunctionValue }>>();
  /** The source file being evaluated (for messages); set while a module runs. */
  currentFile = '';

  /** Called with each module's top-level scope (the driver calls functions found there). */
  onModuleScope?: (file: string, scope: Scope) => void;

  constructor(
    readonly host: InterpreterHost,
    /** Replaced by the driver for each entry point, so one file cannot starve the next. */
    public budget: Budget,
    installGlobals: (interp: Interpreter, scope: Scope) => void,
  ) {
    this.globals = new Scope(undefined, this.journal, true, undefined);
    installGlobals(this, this.globals);
  }

  /* ------------------------------------------------------------------ modules */

  /** Evaluates a module once and returns its record. */
  evaluateModule(file: string): ModuleRecord | undefined {
    const existing = this.modules.get(file);
    if (existing) return existing;
    const sf = this.host.sourceFile(file);
    if (!sf) return undefined;
    const record: ModuleRecord = { file, exports: new ObjectValue(), state: 'evaluating' };
    this.modules.set(file, record);
    const scope = new Scope(this.globals, this.journal, true, undefined);
    const moduleObj = ObjectValue.from({ exports: record.exports });
    scope.declare('module', moduleObj);
    scope.declare('exports', record.exports);
    scope.declare('__filename', file);
    scope.declare('__dirname', file.replace(/[\\/][^\\/]*$/, ''));
    const requireFn = new NativeFunction('require', (_t, args) => this.require(args[0], file));
    // A file evaluated by the analysis itself (not imported, not from a function) is the program's
    // entry, so its `if (require.main === module) main()` runs.
    if (this.currentFile === '' && this.frames.length === 0) this.mainModule = moduleObj;
    requireFn.props = new Map([['main', this.mainModule]]);
    scope.declare('require', requireFn);
    this.onModuleScope?.(file, scope);
    const previousFile = this.currentFile;
    this.currentFile = file;
    try {
      this.hoist(sf.statements, scope, record);
      for (const st of sf.statements) {
        this.execModuleStatement(st, scope, record);
      }
    } finally {
      this.currentFile = previousFile;
      const replaced = moduleObj.props.get('exports');
      if (replaced !== record.exports) record.cjsValue = replaced;
      record.state = 'done';
    }
    return record;
  }

  /** The value `import x from` / `require` sees. */
  moduleValue(record: ModuleRecord): Value {
    return record.cjsValue !== undefined ? record.cjsValue : record.exports;
  }

  private require(spec: Value, fromFile: string): Value {
    if (typeof spec !== 'string') return unknown('require() of a module name that is not known statically');
    const ext = this.host.externalModule(spec);
    if (ext !== undefined) return ext;
    const resolved = this.host.resolve(spec, fromFile);
    if (!resolved) return unknown(`module '${spec}' is not part of the analysed workspace`);
    if (resolved.endsWith('.json')) return this.host.json(resolved) ?? unknown(`cannot read ${spec}`);
    const rec = this.evaluateModule(resolved);
    return rec ? this.moduleValue(rec) : unknown(`cannot read module '${spec}'`);
  }

  private importTarget(spec: string, fromFile: string): { value: Value; esm: boolean } {
    const ext = this.host.externalModule(spec);
    if (ext !== undefined) return { value: ext, esm: true };
    const resolved = this.host.resolve(spec, fromFile);
    if (!resolved) return { value: unknown(`module '${spec}' is not part of the analysed workspace`), esm: true };
    if (resolved.endsWith('.json')) {
      const v = this.host.json(resolved) ?? unknown(`cannot read ${spec}`);
      return { value: v, esm: false };
    }
    const rec = this.evaluateModule(resolved);
    if (!rec) return { value: unknown(`cannot read module '${spec}'`), esm: true };
    if (rec.state === 'evaluating') {
      // A cycle: the module is still running. Its hoisted functions are already exported.
      return { value: rec.exports, esm: true };
    }
    return { value: this.moduleValue(rec), esm: rec.cjsValue === undefined };
  }

  private execModuleStatement(st: ts.Statement, scope: Scope, record: ModuleRecord): void {
    if (ts.isImportDeclaration(st)) {
      this.execImport(st, scope);
      return;
    }
    if (ts.isImportEqualsDeclaration(st)) {
      const ref = st.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression)) {
        scope.declare(st.name.text, this.importTarget(ref.expression.text, record.file).value);
      }
      return;
    }
    if (ts.isExportDeclaration(st)) {
      this.execExportDeclaration(st, scope, record);
      return;
    }
    if (ts.isExportAssignment(st)) {
      const v = this.evalExpr(st.expression, scope);
      if (st.isExportEquals) record.cjsValue = v;
      else record.exports.props.set('default', v);
      return;
    }
    const c = this.execStatement(st, scope);
    void c;
    if (hasExportModifier(st)) this.exportDeclared(st, scope, record);
  }

  private execImport(st: ts.ImportDeclaration, scope: Scope): void {
    if (!ts.isStringLiteral(st.moduleSpecifier)) return;
    const clause = st.importClause;
    const { value, esm } = this.importTarget(st.moduleSpecifier.text, this.currentFile);
    if (!clause) return;
    if (clause.name) {
      let def: Value;
      if (value instanceof ObjectValue && esm && value.props.has('default')) def = value.props.get('default');
      else def = value;
      scope.declare(clause.name.text, def, true);
    }
    const nb = clause.namedBindings;
    if (!nb) return;
    if (ts.isNamespaceImport(nb)) {
      scope.declare(nb.name.text, value, true);
    } else {
      for (const el of nb.elements) {
        const imported = (el.propertyName ?? el.name).text;
        scope.declare(el.name.text, this.getProp(value, imported, el), true);
      }
    }
  }

  private execExportDeclaration(st: ts.ExportDeclaration, scope: Scope, record: ModuleRecord): void {
    const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
    const target = from !== undefined ? this.importTarget(from, record.file) : undefined;
    const source = target?.value;
    const clause = st.exportClause;
    if (!clause) {
      // export * from '…'
      if (source instanceof ObjectValue) {
        for (const [k, v] of source.props) if (k !== 'default' && !record.exports.props.has(k)) record.exports.props.set(k, v);
      }
      return;
    }
    if (ts.isNamespaceExport(clause)) {
      record.exports.props.set(clause.name.text, source);
      return;
    }
    for (const el of clause.elements) {
      const local = (el.propertyName ?? el.name).text;
      const exported = el.name.text;
      // The default export of a JSON or CommonJS module is the whole value, as for `import x from`.
      const wholeModule = target !== undefined && !target.esm && local === 'default';
      const v = target !== undefined ? (wholeModule ? source : this.getProp(source, local, el)) : scope.lookup(local)?.value;
      record.exports.props.set(exported, v);
    }
  }

  private exportDeclared(st: ts.Statement, scope: Scope, record: ModuleRecord): void {
    const isDefault = (ts.getModifiers(st as ts.HasModifiers) ?? []).some((m) => m.kind === SyntaxKind.DefaultKeyword);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        for (const name of boundNames(d.name)) record.exports.props.set(name, scope.lookup(name)?.value);
      }
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) {
      const v = scope.lookup(st.name.text)?.value;
      record.exports.props.set(isDefault ? 'default' : st.name.text, v);
    } else if (isDefault && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st))) {
      const v = ts.isFunctionDeclaration(st) ? new FunctionValue(st, scope) : this.makeClass(st, scope);
      record.exports.props.set('default', v);
    }
  }

  /* ------------------------------------------------------------------ hoisting */

  /** Function declarations are usable before their statement; `var`s exist as undefined. */
  private hoist(statements: ts.NodeArray<ts.Statement>, scope: Scope, record?: ModuleRecord): void {
    for (const st of statements) {
      if (ts.isFunctionDeclaration(st) && st.name && st.body) {
        const fn = new FunctionValue(st, scope);
        scope.declare(st.name.text, fn);
        if (record && hasExportModifier(st)) {
          const isDefault = (ts.getModifiers(st) ?? []).some((m) => m.kind === SyntaxKind.DefaultKeyword);
          record.exports.props.set(isDefault ? 'default' : st.name.text, fn);
        }
      } else if (ts.isVariableStatement(st) && !(st.declarationList.flags & ts.NodeFlags.BlockScoped)) {
        const fs = scope.functionScope();
        for (const d of st.declarationList.declarations) {
          for (const n of boundNames(d.name)) if (!fs.hasOwn(n)) fs.declare(n, undefined);
        }
      }
    }
  }

  /* ------------------------------------------------------------------ statements */

  execBlock(statements: ts.NodeArray<ts.Statement>, scope: Scope): Completion {
    this.hoist(statements, scope);
    for (const st of statements) {
      const c = this.execStatement(st, scope);
      if (c) return c;
    }
    return undefined;
  }

  execStatement(st: ts.Statement, scope: Scope): Completion {
    this.budget.step();
    switch (st.kind) {
      case SyntaxKind.ExpressionStatement:
        this.evalExpr((st as ts.ExpressionStatement).expression, scope);
        return undefined;
      case SyntaxKind.VariableStatement:
        this.execVariableList((st as ts.VariableStatement).declarationList, scope);
        return undefined;
      case SyntaxKind.ReturnStatement: {
        const e = (st as ts.ReturnStatement).expression;
        return { kind: 'return', value: e ? this.evalExpr(e, scope) : undefined };
      }
      case SyntaxKind.IfStatement:
        return this.execIf(st as ts.IfStatement, scope);
      case SyntaxKind.Block:
        return this.execBlock((st as ts.Block).statements, scope.child());
      case SyntaxKind.ForStatement:
        return this.execFor(st as ts.ForStatement, scope, undefined);
      case SyntaxKind.ForOfStatement:
        return this.execForOf(st as ts.ForOfStatement, scope, undefined);
      case SyntaxKind.ForInStatement:
        return this.execForIn(st as ts.ForInStatement, scope, undefined);
      case SyntaxKind.WhileStatement:
        return this.execWhile(st as ts.WhileStatement, scope, undefined);
      case SyntaxKind.DoStatement:
        return this.execDo(st as ts.DoStatement, scope, undefined);
      case SyntaxKind.BreakStatement:
        return { kind: 'break', label: (st as ts.BreakStatement).label?.text };
      case SyntaxKind.ContinueStatement:
        return { kind: 'continue', label: (st as ts.ContinueStatement).label?.text };
      case SyntaxKind.LabeledStatement:
        return this.execLabeled(st as ts.LabeledStatement, scope);
      case SyntaxKind.SwitchStatement:
        return this.execSwitch(st as ts.SwitchStatement, scope);
      case SyntaxKind.ThrowStatement:
        throw new UserThrow(this.evalExpr((st as ts.ThrowStatement).expression, scope), st);
      case SyntaxKind.TryStatement:
        return this.execTry(st as ts.TryStatement, scope);
      case SyntaxKind.FunctionDeclaration: {
        const f = st as ts.FunctionDeclaration;
        // Already hoisted in its block; a nested re-declaration still needs a binding.
        if (f.name && !scope.hasOwn(f.name.text) && f.body) scope.declare(f.name.text, new FunctionValue(f, scope));
        return undefined;
      }
      case SyntaxKind.ClassDeclaration: {
        const c = st as ts.ClassDeclaration;
        const cls = this.makeClass(c, scope);
        if (c.name) scope.declare(c.name.text, cls);
        return undefined;
      }
      case SyntaxKind.EnumDeclaration:
        this.execEnum(st as ts.EnumDeclaration, scope);
        return undefined;
      case SyntaxKind.ImportDeclaration:
      case SyntaxKind.ExportDeclaration:
      case SyntaxKind.ExportAssignment:
        // Only meaningful at module level, where execModuleStatement handles them.
        return undefined;
      default:
        // Types, interfaces, declarations, empty statements: nothing runs.
        return undefined;
    }
  }

  private execEnum(e: ts.EnumDeclaration, scope: Scope): void {
    const obj = new ObjectValue();
    let next: Value = 0;
    // Members can use earlier members by bare name: `enum S { A = 4, B = A * 3 }`.
    const members = scope.child();
    for (const m of e.members) {
      const name = propertyNameText(m.name, this, scope);
      if (name === undefined) continue;
      const v: Value = m.initializer ? this.evalExpr(m.initializer, members) : next;
      members.declare(name, v, true);
      obj.props.set(name, v);
      if (typeof v === 'number') obj.props.set(String(v), name);
      next = typeof v === 'number' ? v + 1 : unknown('enum member after a non-numeric member');
    }
    scope.declare(e.name.text, obj);
  }

  private execVariableList(list: ts.VariableDeclarationList, scope: Scope): void {
    const blockScoped = (list.flags & ts.NodeFlags.BlockScoped) !== 0;
    const constant = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      let v: Value = undefined;
      if (d.initializer) v = this.evalExpr(d.initializer, scope);
      else if (!blockScoped) continue; // `var x;` keeps the hoisted value
      this.bindPattern(d.name, v, scope, blockScoped ? (constant ? 'const' : 'let') : 'var', d.initializer);
    }
  }

  /** Binds (declares or assigns) names of a destructuring pattern. */
  bindPattern(
    name: ts.BindingName,
    value: Value,
    scope: Scope,
    mode: 'const' | 'let' | 'var' | 'param' | 'assign',
    initializer?: ts.Expression,
  ): void {
    if (ts.isIdentifier(name)) {
      const v = value instanceof FunctionValue && initializer && isAnonymousFunction(initializer) ? nameFunction(value, name.text) : value;
      if (mode === 'var') {
        const fs = scope.functionScope();
        if (!fs.assign(name.text, v)) fs.declare(name.text, v);
      } else if (mode === 'assign') {
        if (!scope.assign(name.text, v)) this.globals.declare(name.text, v);
      } else {
        scope.declare(name.text, v, mode === 'const');
      }
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      const used = new Set<string>();
      for (const el of name.elements) {
        if (el.dotDotDotToken) {
          const rest = new ObjectValue();
          if (value instanceof ObjectValue) for (const [k, x] of value.props) if (!used.has(k)) rest.props.set(k, x);
          this.bindPattern(el.name, isUnknown(value) ? value : rest, scope, mode);
          continue;
        }
        const key = el.propertyName ? propertyNameText(el.propertyName, this, scope) : ts.isIdentifier(el.name) ? el.name.text : undefined;
        if (key === undefined) {
          this.bindPattern(el.name, unknown('computed property name'), scope, mode);
          continue;
        }
        used.add(key);
        let v = this.getProp(value, key, el);
        if ((v === undefined || v instanceof AbsentArgument) && el.initializer) v = this.evalExpr(el.initializer, scope);
        this.bindPattern(el.name, v, scope, mode, el.initializer);
      }
      return;
    }
    // Array binding pattern
    const items = this.iterate(value, name);
    name.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      if (el.dotDotDotToken) {
        this.bindPattern(el.name, items ? items.slice(i) : unknown(`elements of ${show(value)} are not known`), scope, mode);
        return;
      }
      let v: Value = items ? items[i] : value instanceof ArgvValue ? value.getProp(String(i)) : unknown(`elements of ${describeUnknown(value)} are not known`);
      if ((v === undefined || v instanceof AbsentArgument) && el.initializer) v = this.evalExpr(el.initializer, scope);
      this.bindPattern(el.name, v, scope, mode, el.initializer);
    });
  }

  private execIf(st: ts.IfStatement, scope: Scope): Completion {
    const c = truthy(this.evalExpr(st.expression, scope));
    if (c === true) return this.execStatement(st.thenStatement, scope);
    if (c === false) return st.elseStatement ? this.execStatement(st.elseStatement, scope) : undefined;
    const forced = this.forced.get(st);
    if (forced === 0) return this.onForcedSide(st, () => this.execStatement(st.thenStatement, scope));
    if (forced === 1) return this.onForcedSide(st, () => (st.elseStatement ? this.execStatement(st.elseStatement, scope) : undefined));
    return this.atCondition(st, () =>
      this.undecided(
        () => this.execStatement(st.thenStatement, scope),
        () => (st.elseStatement ? this.execStatement(st.elseStatement, scope) : undefined),
      ),
    );
  }

  /** A side the driver decided: when it throws, no run of the program takes it (the alternative is dropped). */
  private onForcedSide<T>(node: ts.Node, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof UserThrow) this.forcedThrows.add(node);
      throw e;
    }
  }

  /** Runs `fn` (both sides of `node`, a condition not known statically) with `node` as the open condition. */
  private atCondition<T>(node: ts.Node, fn: () => T): T {
    this.conditions.push(node);
    try {
      return fn();
    } finally {
      this.conditions.pop();
    }
  }

  /** The innermost condition not known statically whose sides are being followed now. */
  openCondition(): ts.Node | undefined {
    return this.conditions[this.conditions.length - 1];
  }

  /**
   * Both sides of a condition whose value is unknown. A side that throws is dropped
   * (that path produces nothing); a side that returns while the other goes on
   * leaves its value to be joined with the function's final result.
   */
  private undecided(a: () => Completion, b: () => Completion): Completion {
    let ca: Completion;
    let cb: Completion;
    let ta: UserThrow | undefined;
    let tb: UserThrow | undefined;
    this.journal.both(
      () => {
        try {
          ca = a();
        } catch (e) {
          if (!(e instanceof UserThrow)) throw e;
          ta = e;
        }
      },
      () => {
        try {
          cb = b();
        } catch (e) {
          if (!(e instanceof UserThrow)) throw e;
          tb = e;
        }
      },
      UNDECIDED,
      // A side that throws produced nothing: the program can only have taken the other.
      () => (ta && !tb ? 'b' : tb && !ta ? 'a' : 'join'),
    );
    if (ta && tb) throw ta;
    const at = this.openCondition();
    if (at && !ts.isSwitchStatement(at) && (ta || tb)) this.impliedSides.set(at, ta ? 1 : 0);
    if (ta) return cb;
    if (tb) return ca;
    if (ca?.kind === 'return' && cb?.kind === 'return') return { kind: 'return', value: join(ca.value, cb.value, UNDECIDED) };
    if (ca?.kind === 'return' && !cb) {
      this.frame()?.pendingReturns.push(ca.value);
      return undefined;
    }
    if (cb?.kind === 'return' && !ca) {
      this.frame()?.pendingReturns.push(cb.value);
      return undefined;
    }
    // break/continue on one side only: the loop may or may not go on; take the side that continues.
    if (ca && !cb) return undefined;
    if (cb && !ca) return undefined;
    return ca;
  }

  private frame(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  private loopGuard(node: ts.Node): { tick(): void } {
    let n = 0;
    const max = this.budget.limits.maxLoopIterations;
    return {
      tick: () => {
        if (++n > max) {
          throw new BoundReached('loop', `a loop ran more than ${max.toLocaleString('en-US')} times (line ${lineOf(node)})`);
        }
      },
    };
  }

  /** Applies a loop body's completion; returns 'exit' with a completion to propagate, or 'next'. */
  private loopStep(c: Completion, label: string | undefined): { exit: boolean; completion?: Completion } {
    if (!c) return { exit: false };
    if (c.kind === 'break') return c.label === undefined || c.label === label ? { exit: true } : { exit: true, completion: c };
    if (c.kind === 'continue') return c.label === undefined || c.label === label ? { exit: false } : { exit: true, completion: c };
    return { exit: true, completion: c };
  }

  private execFor(st: ts.ForStatement, outer: Scope, label: string | undefined): Completion {
    const scope = outer.child();
    const init = st.initializer;
    if (init) {
      if (ts.isVariableDeclarationList(init)) this.execVariableList(init, scope);
      else this.evalExpr(init, scope);
    }
    const guard = this.loopGuard(st);
    const perIteration = init && ts.isVariableDeclarationList(init) && (init.flags & ts.NodeFlags.BlockScoped) !== 0;
    let iterScope = scope;
    for (;;) {
      guard.tick();
      const cond = st.condition ? truthy(this.evalExpr(st.condition, iterScope)) : true;
      if (cond === false) return undefined;
      if (cond === undefined) return this.undecidedLoop(st.statement, iterScope, st);
      // `let` loop variables are fresh per iteration, so closures capture each value.
      const body = perIteration ? iterScope.copyUnder(scope) : iterScope;
      const r = this.loopStep(this.execStatement(st.statement, body.child()), label);
      if (r.exit) return r.completion;
      iterScope = body;
      if (st.incrementor) this.evalExpr(st.incrementor, iterScope);
    }
  }

  /** A loop whose condition is unknown: its body may run or not; run it once, joined with not running. */
  private undecidedLoop(body: ts.Statement, scope: Scope, _loop: ts.Node): Completion {
    const c = this.undecided(() => this.execStatement(body, scope.child()), () => undefined);
    return c?.kind === 'return' ? c : undefined;
  }

  private execForOf(st: ts.ForOfStatement, scope: Scope, label: string | undefined): Completion {
    const iterable = this.evalExpr(st.expression, scope);
    const items = this.iterate(iterable, st.expression);
    if (!items) {
      const s = scope.child();
      this.bindLoopVariable(st.initializer, unknown(`elements of ${describeUnknown(iterable)} are not known`), s);
      return this.undecidedLoop(st.statement, s, st);
    }
    const guard = this.loopGuard(st);
    for (const item of items) {
      guard.tick();
      const s = scope.child();
      this.bindLoopVariable(st.initializer, item, s);
      const r = this.loopStep(this.execStatement(st.statement, s), label);
      if (r.exit) return r.completion;
    }
    return undefined;
  }

  private execForIn(st: ts.ForInStatement, scope: Scope, label: string | undefined): Completion {
    const obj = this.evalExpr(st.expression, scope);
    let keys: string[] | undefined;
    if (obj instanceof ObjectValue) keys = [...obj.props.keys()];
    else if (Array.isArray(obj)) keys = obj.map((_, i) => String(i));
    if (!keys) {
      const s = scope.child();
      this.bindLoopVariable(st.initializer, unknown(`keys of ${describeUnknown(obj)} are not known`), s);
      return this.undecidedLoop(st.statement, s, st);
    }
    const guard = this.loopGuard(st);
    for (const k of keys) {
      guard.tick();
      const s = scope.child();
      this.bindLoopVariable(st.initializer, k, s);
      const r = this.loopStep(this.execStatement(st.statement, s), label);
      if (r.exit) return r.completion;
    }
    return undefined;
  }

  private bindLoopVariable(init: ts.ForInitializer, value: Value, scope: Scope): void {
    if (ts.isVariableDeclarationList(init)) {
      const d = init.declarations[0];
      if (!d) return;
      const blockScoped = (init.flags & ts.NodeFlags.BlockScoped) !== 0;
      this.bindPattern(d.name, value, scope, blockScoped ? 'let' : 'var');
    } else {
      this.assignTo(init, value, scope);
    }
  }

  private execWhile(st: ts.WhileStatement, scope: Scope, label: string | undefined): Completion {
    const guard = this.loopGuard(st);
    for (;;) {
      guard.tick();
      const c = truthy(this.evalExpr(st.expression, scope));
      if (c === false) return undefined;
      if (c === undefined) return this.undecidedLoop(st.statement, scope, st);
      const r = this.loopStep(this.execStatement(st.statement, scope.child()), label);
      if (r.exit) return r.completion;
    }
  }

  private execDo(st: ts.DoStatement, scope: Scope, label: string | undefined): Completion {
    const guard = this.loopGuard(st);
    for (;;) {
      guard.tick();
      const r = this.loopStep(this.execStatement(st.statement, scope.child()), label);
      if (r.exit) return r.completion;
      const c = truthy(this.evalExpr(st.expression, scope));
      if (c === false) return undefined;
      if (c === undefined) return this.undecidedLoop(st.statement, scope, st);
    }
  }

  private execLabeled(st: ts.LabeledStatement, scope: Scope): Completion {
    const label = st.label.text;
    const body = st.statement;
    let c: Completion;
    if (ts.isForStatement(body)) c = this.execFor(body, scope, label);
    else if (ts.isForOfStatement(body)) c = this.execForOf(body, scope, label);
    else if (ts.isForInStatement(body)) c = this.execForIn(body, scope, label);
    else if (ts.isWhileStatement(body)) c = this.execWhile(body, scope, label);
    else if (ts.isDoStatement(body)) c = this.execDo(body, scope, label);
    else c = this.execStatement(body, scope);
    if (c?.kind === 'break' && c.label === label) return undefined;
    return c;
  }

  private execSwitch(st: ts.SwitchStatement, outer: Scope): Completion {
    const v = this.evalExpr(st.expression, outer);
    const scope = outer.child();
    const clauses = st.caseBlock.clauses;
    let start = -1;
    if (!isUnknown(v)) {
      for (let i = 0; i < clauses.length && start < 0; i++) {
        const cl = clauses[i];
        if (ts.isCaseClause(cl)) {
          const cv = this.evalExpr(cl.expression, scope);
          if (isUnknown(cv)) {
            start = -2;
            break;
          }
          if (cv === v) start = i;
        }
      }
      if (start === -1) start = clauses.findIndex((c) => ts.isDefaultClause(c));
    } else {
      start = -2;
    }
    if (start === -2) {
      // Unknown discriminant: every clause could run; follow the first and join with the rest.
      const runFrom = (i: number): Completion => {
        for (let j = i; j < clauses.length; j++) {
          const c = this.execBlock(clauses[j].statements, scope);
          if (c) return c;
        }
        return undefined;
      };
      const chain = (i: number): Completion => (i >= clauses.length - 1 ? runFrom(i) : this.undecided(() => runFrom(i), () => chain(i + 1)));
      const forced = this.forced.get(st);
      const result: Completion = forced !== undefined && forced < clauses.length ? this.onForcedSide(st, () => runFrom(forced)) : clauses.length ? this.atCondition(st, () => chain(0)) : undefined;
      return result?.kind === 'break' && !result.label ? undefined : result;
    }
    if (start < 0) return undefined;
    for (let j = start; j < clauses.length; j++) {
      const c = this.execBlock(clauses[j].statements, scope);
      if (c) return c.kind === 'break' && !c.label ? undefined : c;
    }
    return undefined;
  }

  private execTry(st: ts.TryStatement, scope: Scope): Completion {
    let completion: Completion;
    try {
      completion = this.execBlock(st.tryBlock.statements, scope.child());
    } catch (e) {
      if (!(e instanceof UserThrow) || !st.catchClause) {
        if (st.finallyBlock) this.execBlock(st.finallyBlock.statements, scope.child());
        throw e;
      }
      const s = scope.child();
      const decl = st.catchClause.variableDeclaration;
      if (decl) this.bindPattern(decl.name, e.value, s, 'let');
      completion = this.execBlock(st.catchClause.block.statements, s);
    }
    if (st.finallyBlock) {
      const f = this.execBlock(st.finallyBlock.statements, scope.child());
      if (f) return f;
    }
    return completion;
  }

  /* ------------------------------------------------------------------ expressions */

  evalExpr(e: ts.Expression, scope: Scope): Value {
    this.budget.step();
    switch (e.kind) {
      case SyntaxKind.NumericLiteral:
        return Number((e as ts.NumericLiteral).text);
      case SyntaxKind.BigIntLiteral:
        return unknown('BigInt values are not modelled');
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral:
        return (e as ts.StringLiteral).text;
      case SyntaxKind.TemplateExpression:
        return this.evalTemplate(e as ts.TemplateExpression, scope);
      case SyntaxKind.TrueKeyword:
        return true;
      case SyntaxKind.FalseKeyword:
        return false;
      case SyntaxKind.NullKeyword:
        return null;
      case SyntaxKind.Identifier:
        return this.evalIdentifier(e as ts.Identifier, scope);
      case SyntaxKind.ThisKeyword:
        return scope.getThis();
      case SyntaxKind.ParenthesizedExpression:
        return this.evalExpr((e as ts.ParenthesizedExpression).expression, scope);
      case SyntaxKind.AsExpression:
      case SyntaxKind.TypeAssertionExpression:
      case SyntaxKind.NonNullExpression:
      case SyntaxKind.SatisfiesExpression:
      case SyntaxKind.PartiallyEmittedExpression:
        return this.evalExpr((e as ts.AsExpression).expression, scope);
      case SyntaxKind.AwaitExpression:
        // Promises are not modelled: an awaited value is the value itself.
        return awaited(this.evalExpr((e as ts.AwaitExpression).expression, scope));
      case SyntaxKind.ArrayLiteralExpression:
        return this.evalArrayLiteral(e as ts.ArrayLiteralExpression, scope);
      case SyntaxKind.ObjectLiteralExpression:
        return this.evalObjectLiteral(e as ts.ObjectLiteralExpression, scope);
      case SyntaxKind.PropertyAccessExpression: {
        const pa = e as ts.PropertyAccessExpression;
        if (pa.expression.kind === SyntaxKind.SuperKeyword) return this.superProp(pa.name.text, scope);
        const obj = this.evalExpr(pa.expression, scope);
        if (pa.questionDotToken && (obj === null || obj === undefined)) return undefined;
        return this.getProp(obj, pa.name.text, pa);
      }
      case SyntaxKind.ElementAccessExpression: {
        const ea = e as ts.ElementAccessExpression;
        const obj = this.evalExpr(ea.expression, scope);
        if (ea.questionDotToken && (obj === null || obj === undefined)) return undefined;
        const key = this.evalExpr(ea.argumentExpression, scope);
        if (isUnknown(key)) {
          return Array.isArray(obj) && obj.length > 0 && obj.every((x) => x === obj[0])
            ? obj[0]
            : unknown(`index ${describeUnknown(key)} is not known`);
        }
        return this.getProp(obj, propertyKey(key), ea);
      }
      case SyntaxKind.CallExpression:
        return this.evalCall(e as ts.CallExpression, scope);
      case SyntaxKind.NewExpression:
        return this.evalNew(e as ts.NewExpression, scope);
      case SyntaxKind.PrefixUnaryExpression:
        return this.evalPrefix(e as ts.PrefixUnaryExpression, scope);
      case SyntaxKind.PostfixUnaryExpression:
        return this.evalPostfix(e as ts.PostfixUnaryExpression, scope);
      case SyntaxKind.BinaryExpression:
        return this.evalBinary(e as ts.BinaryExpression, scope);
      case SyntaxKind.ConditionalExpression: {
        const ce = e as ts.ConditionalExpression;
        const c = truthy(this.evalExpr(ce.condition, scope));
        if (c === true) return this.evalExpr(ce.whenTrue, scope);
        if (c === false) return this.evalExpr(ce.whenFalse, scope);
        const forced = this.forced.get(ce);
        if (forced === 0) return this.evalExpr(ce.whenTrue, scope);
        if (forced === 1) return this.evalExpr(ce.whenFalse, scope);
        let a: Value;
        let b: Value;
        this.atCondition(ce, () =>
          this.journal.both(
            () => (a = this.evalExpr(ce.whenTrue, scope)),
            () => (b = this.evalExpr(ce.whenFalse, scope)),
            UNDECIDED,
          ),
        );
        return join(a, b, UNDECIDED);
      }
      case SyntaxKind.ArrowFunction:
        return new FunctionValue(e as ts.ArrowFunction, scope, scope.getThis());
      case SyntaxKind.FunctionExpression: {
        const fe = e as ts.FunctionExpression;
        if (fe.name) {
          // A named function expression can call itself by name.
          const s = scope.child();
          const fn = new FunctionValue(fe, s);
          s.declare(fe.name.text, fn, true);
          return fn;
        }
        return new FunctionValue(fe, scope);
      }
      case SyntaxKind.ClassExpression:
        return this.makeClass(e as ts.ClassExpression, scope);
      case SyntaxKind.TypeOfExpression: {
        const operand = (e as ts.TypeOfExpression).expression;
        if (ts.isIdentifier(operand) && !scope.lookup(operand.text)) return 'undefined';
        const t = typeOf(this.evalExpr(operand, scope));
        return t ?? unknown('typeof an unknown value');
      }
      case SyntaxKind.VoidExpression:
        this.evalExpr((e as ts.VoidExpression).expression, scope);
        return undefined;
      case SyntaxKind.DeleteExpression: {
        const target = (e as ts.DeleteExpression).expression;
        if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
          const obj = this.evalExpr(target.expression, scope);
          const key = ts.isPropertyAccessExpression(target) ? target.name.text : this.evalExpr(target.argumentExpression, scope);
          if (obj instanceof ObjectValue && !isUnknown(key)) {
            obj.props.delete(propertyKey(key));
          }
        }
        return true;
      }
      case SyntaxKind.SpreadElement:
        return this.evalExpr((e as ts.SpreadElement).expression, scope);
      case SyntaxKind.CommaListExpression: {
        let v: Value;
        for (const x of (e as ts.CommaListExpression).elements) v = this.evalExpr(x, scope);
        return v;
      }
      case SyntaxKind.RegularExpressionLiteral:
        return unknown('regular expressions are not modelled');
      case SyntaxKind.TaggedTemplateExpression:
        return unknown('tagged templates are not modelled');
      case SyntaxKind.YieldExpression:
        return unknown('generators are not modelled');
      case SyntaxKind.OmittedExpression:
        return undefined;
      default:
        return unknown(`${ts.SyntaxKind[e.kind]} is not modelled`);
    }
  }

  private evalIdentifier(id: ts.Identifier, scope: Scope): Value {
    const b = scope.lookup(id.text);
    if (b) return b.value;
    if (id.text === 'undefined') return undefined;
    return unknown(`'${id.text}' is not defined in the analysed code`);
  }

  private evalTemplate(t: ts.TemplateExpression, scope: Scope): Value {
    let s = t.head.text;
    for (const span of t.templateSpans) {
      const v = this.evalExpr(span.expression, scope);
      if (isUnknown(v)) return unknown(`template text depends on ${v.reason}`);
      s += toStringValue(v) + span.literal.text;
    }
    return s;
  }

  private evalArrayLiteral(a: ts.ArrayLiteralExpression, scope: Scope): Value {
    const out: Value[] = [];
    for (const el of a.elements) {
      if (ts.isSpreadElement(el)) {
        const v = this.evalExpr(el.expression, scope);
        const items = this.iterate(v, el);
        if (!items) return unknown(`spread of ${describeUnknown(v)}`);
        out.push(...items);
      } else if (ts.isOmittedExpression(el)) {
        out.push(undefined);
      } else {
        out.push(this.evalExpr(el, scope));
      }
    }
    return out;
  }

  private evalObjectLiteral(o: ts.ObjectLiteralExpression, scope: Scope): Value {
    const obj = new ObjectValue();
    for (const p of o.properties) {
      if (ts.isPropertyAssignment(p)) {
        const key = propertyNameText(p.name, this, scope);
        if (key === undefined) continue;
        let v = this.evalExpr(p.initializer, scope);
        if (v instanceof FunctionValue && isAnonymousFunction(p.initializer)) v = nameFunction(v, key);
        obj.props.set(key, v);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        obj.props.set(p.name.text, this.evalIdentifier(p.name, scope));
      } else if (ts.isSpreadAssignment(p)) {
        const v = this.evalExpr(p.expression, scope);
        if (v instanceof ObjectValue) for (const [k, x] of v.props) obj.props.set(k, x);
        else if (Array.isArray(v)) v.forEach((x, i) => obj.props.set(String(i), x));
        else if (isUnknown(v)) return unknown(`object spread of ${describeUnknown(v)}`);
      } else if (ts.isMethodDeclaration(p)) {
        const key = propertyNameText(p.name, this, scope);
        if (key !== undefined && p.body) obj.props.set(key, new FunctionValue(p, scope));
      } else if (ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) {
        const key = propertyNameText(p.name, this, scope);
        if (key === undefined) continue;
        obj.accessors ??= new Map();
        const acc = obj.accessors.get(key) ?? {};
        if (ts.isGetAccessorDeclaration(p)) acc.get = new FunctionValue(p, scope);
        else acc.set = new FunctionValue(p, scope);
        obj.accessors.set(key, acc);
      }
    }
    return obj;
  }

  private evalPrefix(e: ts.PrefixUnaryExpression, scope: Scope): Value {
    if (e.operator === SyntaxKind.PlusPlusToken || e.operator === SyntaxKind.MinusMinusToken) {
      const old = toNumber(this.evalExpr(e.operand, scope));
      const v = isUnknown(old) ? old : e.operator === SyntaxKind.PlusPlusToken ? old + 1 : old - 1;
      this.assignTo(e.operand, v, scope);
      return v;
    }
    const v = this.evalExpr(e.operand, scope);
    switch (e.operator) {
      case SyntaxKind.ExclamationToken: {
        const t = truthy(v);
        return t === undefined ? unknown(`negation of ${describeUnknown(v)}`) : !t;
      }
      case SyntaxKind.MinusToken: {
        const n = toNumber(v);
        return isUnknown(n) ? n : -n;
      }
      case SyntaxKind.PlusToken:
        return toNumber(v);
      case SyntaxKind.TildeToken: {
        const n = toNumber(v);
        return isUnknown(n) ? n : ~n;
      }
      default:
        return unknown('unsupported unary operator');
    }
  }

  private evalPostfix(e: ts.PostfixUnaryExpression, scope: Scope): Value {
    const old = toNumber(this.evalExpr(e.operand, scope));
    const v = isUnknown(old) ? old : e.operator === SyntaxKind.PlusPlusToken ? old + 1 : old - 1;
    this.assignTo(e.operand, v, scope);
    return old;
  }

  private evalBinary(e: ts.BinaryExpression, scope: Scope): Value {
    const op = e.operatorToken.kind;
    switch (op) {
      case SyntaxKind.EqualsToken: {
        let v = this.evalExpr(e.right, scope);
        if (v instanceof FunctionValue && isAnonymousFunction(e.right) && ts.isIdentifier(e.left)) v = nameFunction(v, e.left.text);
        this.assignTo(e.left, v, scope);
        return v;
      }
      case SyntaxKind.AmpersandAmpersandToken:
      case SyntaxKind.BarBarToken:
      case SyntaxKind.QuestionQuestionToken:
        return this.evalLogical(e, scope, op);
      case SyntaxKind.AmpersandAmpersandEqualsToken:
      case SyntaxKind.BarBarEqualsToken:
      case SyntaxKind.QuestionQuestionEqualsToken: {
        const base =
          op === SyntaxKind.AmpersandAmpersandEqualsToken
            ? SyntaxKind.AmpersandAmpersandToken
            : op === SyntaxKind.BarBarEqualsToken
              ? SyntaxKind.BarBarToken
              : SyntaxKind.QuestionQuestionToken;
        const v = this.evalLogical(e, scope, base);
        this.assignTo(e.left, v, scope);
        return v;
      }
      case SyntaxKind.CommaToken:
        this.evalExpr(e.left, scope);
        return this.evalExpr(e.right, scope);
      default:
        break;
    }
    const compound = COMPOUND.get(op);
    if (compound !== undefined) {
      const v = binaryOp(compound, this.evalExpr(e.left, scope), this.evalExpr(e.right, scope));
      this.assignTo(e.left, v, scope);
      return v;
    }
    if (op === SyntaxKind.InstanceOfKeyword) {
      return this.instanceOf(this.evalExpr(e.left, scope), this.evalExpr(e.right, scope));
    }
    if (op === SyntaxKind.InKeyword) {
      const k = this.evalExpr(e.left, scope);
      const o = this.evalExpr(e.right, scope);
      if (isUnknown(k)) return unknown('`in` with an unknown key');
      if (o instanceof ObjectValue) return o.props.has(propertyKey(k));
      if (Array.isArray(o)) return propertyKey(k) === 'length' || Number(propertyKey(k)) < o.length;
      return unknown('`in` on a value that is not known');
    }
    return binaryOp(op, this.evalExpr(e.left, scope), this.evalExpr(e.right, scope));
  }

  private evalLogical(e: ts.BinaryExpression, scope: Scope, op: ts.SyntaxKind): Value {
    const l = this.evalExpr(e.left, scope);
    // `process.argv[2] ?? 'lstm'`, `opts.units || 32`: the default run gives no arguments.
    if (l instanceof AbsentArgument && op !== SyntaxKind.AmpersandAmpersandToken) return this.evalExpr(e.right, scope);
    let decided: boolean | undefined;
    if (op === SyntaxKind.QuestionQuestionToken) decided = isUnknown(l) ? undefined : l === null || l === undefined;
    else {
      const t = truthy(l);
      decided = t === undefined ? undefined : op === SyntaxKind.AmpersandAmpersandToken ? t : !t;
    }
    if (decided === false) return l;
    if (decided === true) return this.evalExpr(e.right, scope);
    // `opts.units || 64` with unknown opts: the right side may be what is used.
    let r: Value;
    this.journal.both(
      () => (r = this.evalExpr(e.right, scope)),
      () => undefined,
      UNDECIDED,
    );
    return join(l, r, UNDECIDED);
  }

  private instanceOf(v: Value, cls: Value): Value {
    if (isUnknown(v) || isUnknown(cls)) return unknown('instanceof with an unknown operand');
    if (cls instanceof ClassValue) {
      if (!(v instanceof ObjectValue)) return false;
      for (let c: Value = v.classRef; c instanceof ClassValue; c = c.superClass) if (c === cls) return true;
      return false;
    }
    if (cls instanceof NativeFunction && cls.name === 'Array') return Array.isArray(v);
    if (cls instanceof NativeFunction && cls.name === 'Object') return typeof v === 'object' && v !== null;
    return unknown(`instanceof ${show(cls)} is not modelled`);
  }

  /** Assignment to an identifier, property, element or destructuring pattern. */
  assignTo(target: ts.Expression, v: Value, scope: Scope): void {
    if (ts.isParenthesizedExpression(target) || ts.isAsExpression(target) || ts.isNonNullExpression(target) || ts.isTypeAssertionExpression(target)) {
      this.assignTo(target.expression, v, scope);
      return;
    }
    if (ts.isIdentifier(target)) {
      const b = scope.lookup(target.text);
      if (b) this.journal.writeBinding(b, v);
      else this.globals.declare(target.text, v);
      return;
    }
    if (ts.isPropertyAccessExpression(target)) {
      this.setProp(this.evalExpr(target.expression, scope), target.name.text, v);
      return;
    }
    if (ts.isElementAccessExpression(target)) {
      const obj = this.evalExpr(target.expression, scope);
      const key = this.evalExpr(target.argumentExpression, scope);
      if (isUnknown(key)) {
        if (Array.isArray(obj)) {
          this.journal.touchArray(obj);
          for (let i = 0; i < obj.length; i++) obj[i] = join(obj[i], v, `written at an unknown index`);
        }
        return;
      }
      this.setProp(obj, propertyKey(key), v);
      return;
    }
    if (ts.isArrayLiteralExpression(target)) {
      const items = this.iterate(v, target);
      target.elements.forEach((el, i) => {
        if (ts.isOmittedExpression(el)) return;
        if (ts.isSpreadElement(el)) this.assignTo(el.expression, items ? items.slice(i) : unknown('rest of an unknown array'), scope);
        else this.assignTo(el, items ? items[i] : unknown('element of an unknown array'), scope);
      });
      return;
    }
    if (ts.isObjectLiteralExpression(target)) {
      for (const p of target.properties) {
        if (ts.isShorthandPropertyAssignment(p)) {
          let x = this.getProp(v, p.name.text, p);
          if (x === undefined && p.objectAssignmentInitializer) x = this.evalExpr(p.objectAssignmentInitializer, scope);
          this.assignTo(p.name, x, scope);
        } else if (ts.isPropertyAssignment(p)) {
          const key = propertyNameText(p.name, this, scope);
          if (key !== undefined) this.assignTo(p.initializer, this.getProp(v, key, p), scope);
        }
      }
    }
  }

  setProp(obj: Value, key: string, v: Value): void {
    if (obj instanceof ObjectValue) {
      const setter = this.findAccessor(obj, key)?.set;
      if (setter) {
        this.callFunction(setter, obj, [v], setter.node);
        return;
      }
      this.journal.writeProp(obj, key, v);
    } else if (Array.isArray(obj)) {
      this.journal.touchArray(obj);
      if (key === 'length' && typeof v === 'number') obj.length = v;
      else if (isIndex(key)) obj[Number(key)] = v;
    } else if (obj instanceof HostValue) {
      obj.setProp(key, v);
    } else if (obj instanceof ClassValue) {
      this.journal.writeProp(obj.statics, key, v);
    } else if (obj instanceof NativeFunction) {
      (obj.props ??= new Map()).set(key, v);
    }
  }

  /* ------------------------------------------------------------------ property access */

  getProp(obj: Value, key: string, node?: ts.Node): Value {
    if (obj instanceof ObjectValue) {
      if (obj.props.has(key)) return obj.props.get(key);
      const acc = this.findAccessor(obj, key);
      if (acc?.get) return this.callFunction(acc.get, obj, [], acc.get.node);
      if (obj.classRef) {
        const m = this.findMethod(obj.classRef, key);
        if (m) return m;
        const nativeBase = this.nativeBase(obj.classRef);
        if (nativeBase?.props?.has('#instance')) {
          const hook = nativeBase.props.get('#instance');
          if (hook instanceof NativeFunction) return hook.impl(obj, [key], { node: node ?? obj.classRef.node });
        }
      }
      return builtinMember(this, obj, key) ?? (obj.openEnded ? unknown(`'${key}' of the global object is known only at run time`) : undefined);
    }
    if (obj instanceof HostValue) return obj.getProp(key);
    if (Array.isArray(obj)) {
      if (key === 'length') return obj.length;
      if (isIndex(key)) return obj[Number(key)];
      return builtinMember(this, obj, key) ?? undefined;
    }
    if (typeof obj === 'string') {
      if (key === 'length') return obj.length;
      if (isIndex(key)) return obj[Number(key)];
      return builtinMember(this, obj, key) ?? undefined;
    }
    if (obj instanceof ClassValue) {
      if (obj.statics.props.has(key)) return obj.statics.props.get(key);
      if (key === 'name') return obj.name;
      const s = this.findStatic(obj, key);
      if (s !== undefined) return s;
      if (obj.superClass instanceof ClassValue || obj.superClass instanceof NativeFunction) return this.getProp(obj.superClass, key, node);
      return undefined;
    }
    if (obj instanceof NativeFunction) {
      if (obj.props?.has(key)) return obj.props.get(key);
      if (key === 'name') return obj.name;
      return builtinMember(this, obj, key) ?? undefined;
    }
    if (obj instanceof FunctionValue) {
      return builtinMember(this, obj, key) ?? undefined;
    }
    if (obj instanceof UnknownValue) return unknown(`'${key}' of ${describeUnknown(obj)}`);
    if (obj === null || obj === undefined) {
      return unknown(`reading '${key}' of ${String(obj)}${node ? ` (line ${lineOf(node)})` : ''}`);
    }
    return builtinMember(this, obj, key) ?? undefined;
  }

  private nativeBase(cls: ClassValue): NativeFunction | undefined {
    let c: Value = cls;
    while (c instanceof ClassValue) c = c.superClass;
    return c instanceof NativeFunction ? c : undefined;
  }

  private members(cls: ClassValue): Map<string, FunctionValue | { get?: FunctionValue; set?: FunctionValue }> {
    let m = this.methodCache.get(cls);
    if (m) return m;
    m = new Map();
    for (const member of cls.node.members) {
      const isStatic = (ts.getModifiers(member as ts.HasModifiers) ?? []).some((x) => x.kind === SyntaxKind.StaticKeyword);
      if (isStatic || !member.name) continue;
      const key = propertyNameText(member.name, this, cls.closure);
      if (key === undefined) continue;
      if (ts.isMethodDeclaration(member) && member.body) m.set(key, new FunctionValue(member, cls.closure, undefined, cls));
      else if (ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) {
        const prev = m.get(key);
        const acc = prev instanceof FunctionValue || !prev ? {} : prev;
        if (ts.isGetAccessorDeclaration(member)) acc.get = new FunctionValue(member, cls.closure, undefined, cls);
        else acc.set = new FunctionValue(member, cls.closure, undefined, cls);
        m.set(key, acc);
      }
    }
    this.methodCache.set(cls, m);
    return m;
  }

  findMethod(cls: ClassValue, key: string): FunctionValue | undefined {
    for (let c: Value = cls; c instanceof ClassValue; c = c.superClass) {
      const m = this.members(c).get(key);
      if (m instanceof FunctionValue) return m;
    }
    return undefined;
  }

  private findAccessor(obj: ObjectValue, key: string): { get?: FunctionValue; set?: FunctionValue } | undefined {
    const own = obj.accessors?.get(key);
    if (own) return own;
    for (let c: Value = obj.classRef; c instanceof ClassValue; c = c.superClass) {
      const m = this.members(c).get(key);
      if (m && !(m instanceof FunctionValue)) return m;
    }
    return undefined;
  }

  private findStatic(cls: ClassValue, key: string): Value {
    for (const member of cls.node.members) {
      const isStatic = (ts.getModifiers(member as ts.HasModifiers) ?? []).some((x) => x.kind === SyntaxKind.StaticKeyword);
      if (!isStatic || !member.name) continue;
      if (propertyNameText(member.name, this, cls.closure) !== key) continue;
      if (ts.isMethodDeclaration(member) && member.body) return new FunctionValue(member, cls.closure, cls, cls);
      // `static get className() { return 'X'; }`: the getter runs with the class as `this`.
      if (ts.isGetAccessorDeclaration(member) && member.body) return this.callFunction(new FunctionValue(member, cls.closure, cls, cls), cls, [], member);
    }
    return undefined;
  }

  private superProp(key: string, scope: Scope): Value {
    const home = this.homeClass(scope);
    const sup = home?.superClass;
    if (sup instanceof ClassValue) {
      const m = this.findMethod(sup, key);
      if (m) return new FunctionValue(m.node, m.closure, scope.getThis(), m.homeClass);
    }
    if (sup instanceof NativeFunction) {
      const hook = sup.props?.get('#instance');
      const self = scope.getThis();
      if (hook instanceof NativeFunction && self instanceof ObjectValue) return hook.impl(self, [key], { node: home!.node });
    }
    return unknown(`super.${key} is not known`);
  }

  private homeClass(scope: Scope): ClassValue | undefined {
    return (scope.functionScope() as Scope & { home?: ClassValue }).home;
  }

  /* ------------------------------------------------------------------ classes */

  makeClass(node: ts.ClassLikeDeclaration, scope: Scope): ClassValue {
    const heritage = node.heritageClauses?.find((h) => h.token === SyntaxKind.ExtendsKeyword);
    const superClass = heritage?.types[0] ? this.evalExpr(heritage.types[0].expression, scope) : undefined;
    const name = node.name?.text ?? 'anonymous';
    const inner = scope.child();
    const cls = new ClassValue(name, node, inner, superClass);
    if (node.name) inner.declare(node.name.text, cls, true);
    // Static fields run once, when the class is defined.
    for (const member of node.members) {
      const isStatic = (ts.getModifiers(member as ts.HasModifiers) ?? []).some((x) => x.kind === SyntaxKind.StaticKeyword);
      if (isStatic && ts.isPropertyDeclaration(member) && member.name) {
        const key = propertyNameText(member.name, this, inner);
        if (key !== undefined) {
          const s = new Scope(inner, this.journal, true, cls);
          cls.statics.props.set(key, member.initializer ? this.evalExpr(member.initializer, s) : undefined);
        }
      }
    }
    return cls;
  }

  construct(callee: Value, args: Value[], node: ts.Node): Value {
    if (callee instanceof ClassValue) {
      const obj = new ObjectValue(callee);
      // A frame of its own, so that models its field initializers create know the `new` that made them.
      this.frames.push({ pendingReturns: [], call: node });
      try {
        this.initInstance(callee, obj, args, node);
      } finally {
        this.frames.pop();
      }
      return obj;
    }
    if (callee instanceof NativeFunction) {
      return callee.construct ? callee.construct(args, { node }) : callee.impl(undefined, args, { node });
    }
    if (callee instanceof FunctionValue) {
      const obj = new ObjectValue();
      const r = this.callFunction(callee, obj, args, node);
      return r instanceof ObjectValue ? r : obj;
    }
    return unknown(`new ${describeUnknown(callee)}`);
  }

  /** Runs field initializers and the constructor of `cls` (and, through super(), its bases) on `obj`. */
  private initInstance(cls: ClassValue, obj: ObjectValue, args: Value[], node: ts.Node): void {
    const ctor = cls.node.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    if (!ctor) {
      this.constructSuper(cls, obj, args, node);
      this.initFields(cls, obj);
      return;
    }
    const fn = new FunctionValue(ctor, cls.closure, undefined, cls);
    this.callFunction(fn, obj, args, node, { constructing: cls });
  }

  /** `super(...)`, or the implicit one of a class without a constructor. */
  constructSuper(cls: ClassValue, obj: ObjectValue, args: Value[], node: ts.Node): void {
    const sup = cls.superClass;
    if (sup instanceof ClassValue) this.initInstance(sup, obj, args, node);
    else if (sup instanceof NativeFunction) {
      const init = sup.props?.get('#init');
      if (init instanceof NativeFunction) init.impl(obj, args, { node });
    }
  }

  initFields(cls: ClassValue, obj: ObjectValue): void {
    const s = new Scope(cls.closure, this.journal, true, obj);
    (s as Scope & { home?: ClassValue }).home = cls;
    for (const member of cls.node.members) {
      if (!ts.isPropertyDeclaration(member) || !member.name) continue;
      if ((ts.getModifiers(member) ?? []).some((x) => x.kind === SyntaxKind.StaticKeyword)) continue;
      const key = propertyNameText(member.name, this, s);
      if (key === undefined) continue;
      obj.props.set(key, member.initializer ? this.evalExpr(member.initializer, s) : undefined);
    }
  }

  /* ------------------------------------------------------------------ calls */

  private evalArgs(args: ts.NodeArray<ts.Expression> | undefined, scope: Scope): Value[] | UnknownValue {
    const out: Value[] = [];
    if (!args) return out;
    for (const a of args) {
      if (ts.isSpreadElement(a)) {
        const v = this.evalExpr(a.expression, scope);
        const items = this.iterate(v, a);
        if (!items) return unknown(`spread arguments of ${describeUnknown(v)}`);
        out.push(...items);
      } else out.push(this.evalExpr(a, scope));
    }
    return out;
  }

  private evalCall(e: ts.CallExpression, scope: Scope): Value {
    const callee = e.expression;
    if (callee.kind === SyntaxKind.SuperKeyword) {
      const args = this.evalArgs(e.arguments, scope);
      const home = this.homeClass(scope);
      const self = scope.getThis();
      if (home && self instanceof ObjectValue) {
        this.constructSuper(home, self, isUnknown(args) ? [] : args, e);
        this.initFields(home, self);
      }
      return undefined;
    }
    if (callee.kind === SyntaxKind.ImportKeyword) {
      const args = this.evalArgs(e.arguments, scope);
      if (isUnknown(args) || typeof args[0] !== 'string') return unknown('dynamic import of an unknown module');
      // A promise of the module: `await import(x)` and `import(x).then(m => …)` both see the module.
      return ObjectValue.from({ '#resolved': this.importTarget(args[0], this.currentFile).value });
    }
    let thisArg: Value = undefined;
    let fn: Value;
    if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) {
      if (callee.expression.kind === SyntaxKind.SuperKeyword && ts.isPropertyAccessExpression(callee)) {
        thisArg = scope.getThis();
        fn = this.superProp(callee.name.text, scope);
      } else {
        thisArg = this.evalExpr(callee.expression, scope);
        if (callee.questionDotToken && (thisArg === null || thisArg === undefined)) return undefined;
        if (ts.isPropertyAccessExpression(callee)) fn = this.getProp(thisArg, callee.name.text, callee);
        else {
          const k = this.evalExpr(callee.argumentExpression, scope);
          fn = isUnknown(k) ? unknown('method chosen by an unknown key') : this.getProp(thisArg, propertyKey(k), callee);
        }
      }
    } else {
      fn = this.evalExpr(callee, scope);
    }
    if (e.questionDotToken && (fn === null || fn === undefined)) return undefined;
    const args = this.evalArgs(e.arguments, scope);
    if (isUnknown(args)) return unknown(`call with ${args.reason}`);
    return this.call(fn, thisArg, args, e);
  }

  private evalNew(e: ts.NewExpression, scope: Scope): Value {
    const callee = this.evalExpr(e.expression, scope);
    const args = this.evalArgs(e.arguments, scope);
    if (isUnknown(args)) return unknown(`constructor call with ${args.reason}`);
    return this.construct(callee, args, e);
  }

  /** Calls any callable value; calling something unknown or not callable yields unknown. */
  call(fn: Value, thisArg: Value, args: Value[], node: ts.Node): Value {
    if (fn instanceof FunctionValue) return this.callFunction(fn, thisArg, args, node);
    if (fn instanceof NativeFunction) return fn.impl(thisArg, args, { node });
    if (fn instanceof ClassValue) return unknown(`class ${fn.name} called without new`);
    if (fn instanceof UnknownValue) {
      // Callbacks passed to unknown functions may still build models: run them with unknown arguments.
      for (const a of args) if (a instanceof FunctionValue) this.callWithUnknowns(a, node);
      return unknown(`result of calling ${describeUnknown(fn)}`);
    }
    return unknown(`${show(fn)} is not a function (line ${lineOf(node)})`);
  }

  /** Calls a function whose arguments are not known (an entry point, or a callback). */
  callWithUnknowns(fn: FunctionValue, node: ts.Node, thisArg?: Value): Value {
    if (this.executedFunctions.has(fn.node)) return unknown('callback result');
    const name = functionName(fn.node);
    const args = fn.node.parameters.map((p) =>
      p.initializer ? undefined : unknown(`parameter '${p.name.getText()}' of ${name} has no known argument`),
    );
    return this.callFunction(fn, thisArg ?? fn.boundThis, args, node);
  }

  callFunction(fn: FunctionValue, thisArg: Value, args: Value[], node: ts.Node, opts?: { constructing?: ClassValue }): Value {
    const decl = fn.node;
    if (!decl.body) return unknown(`${functionName(decl)} has no body`);
    if (this.depth >= this.budget.limits.maxCallDepth) {
      throw new BoundReached('depth', `calls nested deeper than ${this.budget.limits.maxCallDepth} (recursion in ${functionName(decl)}, line ${lineOf(node)})`);
    }
    this.executedFunctions.add(decl);
    const isArrow = ts.isArrowFunction(decl);
    const self = isArrow ? fn.boundThis : fn.boundThis !== undefined ? fn.boundThis : thisArg;
    const scope = new Scope(fn.closure, this.journal, true, self);
    if (fn.homeClass) (scope as Scope & { home?: ClassValue }).home = fn.homeClass;
    else if (isArrow) (scope as Scope & { home?: ClassValue }).home = (fn.closure.functionScope() as Scope & { home?: ClassValue }).home;
    const allArgs = fn.boundArgs.length ? [...fn.boundArgs, ...args] : args;
    if (!isArrow) scope.declare('arguments', allArgs);
    decl.parameters.forEach((p, i) => {
      if (p.dotDotDotToken) {
        this.bindPattern(p.name, allArgs.slice(i), scope, 'param');
        return;
      }
      let v = allArgs[i];
      if (v === undefined && p.initializer) v = this.evalExpr(p.initializer, scope);
      // Constructor parameter properties: `constructor(private units: number)`.
      if (ts.isConstructorDeclaration(decl) && ts.getModifiers(p)?.length && ts.isIdentifier(p.name) && self instanceof ObjectValue) {
        self.props.set(p.name.text, v);
      }
      this.bindPattern(p.name, v, scope, 'param');
    });
    if (opts?.constructing && !opts.constructing.superClass && self instanceof ObjectValue) {
      // A base class initializes its fields before its constructor body runs.
      this.initFields(opts.constructing, self);
    }
    this.depth++;
    this.frames.push({ pendingReturns: [], fn, call: node });
    try {
      let result: Value;
      if (ts.isBlock(decl.body)) {
        const c = this.execBlock(decl.body.statements, scope);
        result = c?.kind === 'return' ? c.value : undefined;
      } else {
        result = this.evalExpr(decl.body, scope);
      }
      const pending = this.frame()!.pendingReturns;
      for (const p of pending) result = join(result, p, UNDECIDED);
      return result;
    } finally {
      this.frames.pop();
      this.depth--;
    }
  }

  /* ------------------------------------------------------------------ iteration */

  /** The elements of an iterable value, or undefined when they are not known. */
  iterate(v: Value, _node: ts.Node): Value[] | undefined {
    if (Array.isArray(v)) return v;
    if (typeof v === 'string') return [...v];
    if (v instanceof ObjectValue && v.props.has('#entries')) {
      const e = v.props.get('#entries');
      return Array.isArray(e) ? e : undefined;
    }
    if (v instanceof HostValue) {
      const items = v.getProp('#iterate');
      return Array.isArray(items) ? items : undefined;
    }
    return undefined;
  }
}

/* ---------------------------------------------------------------------- helpers */

let builtinMember: (interp: Interpreter, obj: Value, key: string) => Value | undefined = () => undefined;

/** Installed by builtins.ts: methods of arrays, strings, numbers, functions, objects. */
export function setBuiltinMembers(fn: typeof builtinMember): void {
  builtinMember = fn;
}

function awaited(v: Value): Value {
  if (v instanceof ObjectValue && v.props.has('#resolved')) return v.props.get('#resolved');
  return v;
}

export function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const out: string[] = [];
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) out.push(...boundNames(el.name));
  return out;
}

function hasExportModifier(st: ts.Statement): boolean {
  return (ts.canHaveModifiers(st) ? (ts.getModifiers(st) ?? []) : []).some((m) => m.kind === SyntaxKind.ExportKeyword);
}

export function propertyNameText(name: ts.PropertyName, interp: Interpreter, scope: Scope): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const v = interp.evalExpr(name.expression, scope);
    return isUnknown(v) ? undefined : propertyKey(v);
  }
  return undefined;
}

export function propertyKey(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return show(v);
}

function isIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}

function isAnonymousFunction(e: ts.Expression): boolean {
  return ts.isArrowFunction(e) || (ts.isFunctionExpression(e) && !e.name);
}

/** Gives an anonymous function the name of what it was assigned to (as JavaScript does). */
function nameFunction(fn: FunctionValue, name: string): FunctionValue {
  functionNames.set(fn.node, name);
  return fn;
}

const functionNames = new WeakMap<ts.Node, string>();

export function functionName(node: FunctionNode | ts.Node): string {
  const n = functionNames.get(node);
  if (n) return n;
  const named = node as { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const p = node.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return p.name.text;
  return 'an anonymous function';
}

export function lineOf(node: ts.Node): number {
  const sf = node.getSourceFile();
  if (!sf) return 0;
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

export function describeUnknown(v: Value): string {
  return v instanceof UnknownValue ? `an unknown value (${v.reason})` : show(v);
}

export function toNumber(v: Value): number | UnknownValue {
  if (v instanceof UnknownValue) return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean' || typeof v === 'string' || v === null || v === undefined) return Number(v);
  if (Array.isArray(v)) return v.length === 0 ? 0 : v.length === 1 ? toNumber(v[0]) : NaN;
  return NaN;
}

function toPrimitive(v: Value): Value {
  if (Array.isArray(v)) {
    const parts = v.map((x) => (x === null || x === undefined ? '' : toPrimitive(x)));
    if (parts.some(isUnknown)) return unknown('array text with unknown elements');
    return parts.map((x) => String(x)).join(',');
  }
  if (v instanceof ObjectValue) return '[object Object]';
  return v;
}

export function toStringValue(v: Value): string {
  const p = toPrimitive(v);
  if (typeof p === 'string') return p;
  return String(p);
}

const COMPOUND = new Map<ts.SyntaxKind, ts.SyntaxKind>([
  [SyntaxKind.PlusEqualsToken, SyntaxKind.PlusToken],
  [SyntaxKind.MinusEqualsToken, SyntaxKind.MinusToken],
  [SyntaxKind.AsteriskEqualsToken, SyntaxKind.AsteriskToken],
  [SyntaxKind.SlashEqualsToken, SyntaxKind.SlashToken],
  [SyntaxKind.PercentEqualsToken, SyntaxKind.PercentToken],
  [SyntaxKind.AsteriskAsteriskEqualsToken, SyntaxKind.AsteriskAsteriskToken],
  [SyntaxKind.LessThanLessThanEqualsToken, SyntaxKind.LessThanLessThanToken],
  [SyntaxKind.GreaterThanGreaterThanEqualsToken, SyntaxKind.GreaterThanGreaterThanToken],
  [SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken, SyntaxKind.GreaterThanGreaterThanGreaterThanToken],
  [SyntaxKind.AmpersandEqualsToken, SyntaxKind.AmpersandToken],
  [SyntaxKind.BarEqualsToken, SyntaxKind.BarToken],
  [SyntaxKind.CaretEqualsToken, SyntaxKind.CaretToken],
]);

/** JavaScript's binary operators on known values; unknown in, unknown out. */
export function binaryOp(op: ts.SyntaxKind, a: Value, b: Value): Value {
  if (op === SyntaxKind.EqualsEqualsEqualsToken || op === SyntaxKind.ExclamationEqualsEqualsToken) {
    if (isUnknown(a) || isUnknown(b)) {
      // Values of different known kinds can still be compared, e.g. undefined === unknown number is unknown.
      return unknown('comparison with an unknown value');
    }
    const eq = a === b || (Array.isArray(a) && a === b);
    return op === SyntaxKind.EqualsEqualsEqualsToken ? eq : !eq;
  }
  if (op === SyntaxKind.EqualsEqualsToken || op === SyntaxKind.ExclamationEqualsToken) {
    if (isUnknown(a) || isUnknown(b)) return unknown('comparison with an unknown value');
    const na = a === undefined ? null : a;
    const nb = b === undefined ? null : b;
    let eq: boolean;
    if (na === null || nb === null) eq = na === nb;
    else if (typeof na === 'object' || typeof nb === 'object') eq = na === nb;
    else eq = (na as unknown) == (nb as unknown);
    return op === SyntaxKind.EqualsEqualsToken ? eq : !eq;
  }
  if (op === SyntaxKind.PlusToken) {
    const pa = toPrimitive(a);
    const pb = toPrimitive(b);
    if (isUnknown(pa) || isUnknown(pb)) return unknown(`sum with ${describeUnknown(isUnknown(pa) ? pa : pb)}`);
    if (typeof pa === 'string' || typeof pb === 'string') return String(pa) + String(pb);
    return Number(pa) + Number(pb);
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (isUnknown(x)) return unknown(`arithmetic on ${describeUnknown(x)}`);
  if (isUnknown(y)) return unknown(`arithmetic on ${describeUnknown(y)}`);
  switch (op) {
    case SyntaxKind.MinusToken:
      return x - y;
    case SyntaxKind.AsteriskToken:
      return x * y;
    case SyntaxKind.SlashToken:
      return x / y;
    case SyntaxKind.PercentToken:
      return x % y;
    case SyntaxKind.AsteriskAsteriskToken:
      return x ** y;
    case SyntaxKind.LessThanToken:
      return lt(a, b, x, y);
    case SyntaxKind.GreaterThanToken:
      return lt(b, a, y, x);
    case SyntaxKind.LessThanEqualsToken: {
      const r = lt(b, a, y, x);
      return typeof r === 'boolean' ? !r && !(Number.isNaN(x) || Number.isNaN(y)) : r;
    }
    case SyntaxKind.GreaterThanEqualsToken: {
      const r = lt(a, b, x, y);
      return typeof r === 'boolean' ? !r && !(Number.isNaN(x) || Number.isNaN(y)) : r;
    }
    case SyntaxKind.AmpersandToken:
      return x & y;
    case SyntaxKind.BarToken:
      return x | y;
    case SyntaxKind.CaretToken:
      return x ^ y;
    case SyntaxKind.LessThanLessThanToken:
      return x << y;
    case SyntaxKind.GreaterThanGreaterThanToken:
      return x >> y;
    case SyntaxKind.GreaterThanGreaterThanGreaterThanToken:
      return x >>> y;
    default:
      return unknown(`operator ${ts.tokenToString(op) ?? op} is not modelled`);
  }
}

function lt(a: Value, b: Value, x: number, y: number): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  return x < y;
}
