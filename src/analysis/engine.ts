/**
 * The analysis driver. For each requested file it evaluates the module (imports
 * first), then calls every function that builds a model but was not reached — with
 * unknown arguments — so that `function createModel()` is analysed even when only a
 * training script would call it. The models found become ModelGraphs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Project, ts } from 'ts-morph';
import { type Entry, createsModels, findCallerIn, findUnreachedEntry, layerAdders, needsCaller, topLevelFunctions } from './entry-points';
import type { Diagnostic, FileAnalysis } from './graph';
import { fromPlain, installGlobals } from './interpret/builtins';
import { BoundReached, Budget, DEFAULT_LIMITS, type Limits } from './interpret/bounds';
import { cliArgsModule } from './interpret/cli-args';
import { Interpreter, type InterpreterHost, UserThrow } from './interpret/interpreter';
import type { Scope } from './interpret/scope';
import { ClassValue, FunctionValue, type Value, unknown } from './interpret/values';
import { ModelInstance } from './tfjs/models';
import { TFJS_MODULES, createTfNamespace } from './tfjs/namespace';
import { type RecordedDiagnostic, type RunContext, Session, rangeOf } from './tfjs/session';
import { modelsToReport, toGraph } from './report';
import { type Decisions, enumerate, mergeAlternatives } from './alternatives';
import { type Context, SOURCE_EXTENSIONS, Workspace, isTestFile } from './workspace';

export interface AnalyzeOptions {
  /** Text of open editors, by absolute path; wins over the file on disk. */
  contents?: Map<string, string>;
  limits?: Partial<Limits>;
  /** Batch size for activation memory (default 32). */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 32;

/**
 * Parsed files kept between analyses beyond the open editors' own: a whole-program analysis
 * reaches every file of a project, and a tree of a few hundred lines holds hundreds of
 * kilobytes, so an unbounded cache grows with every project browsed.
 */
export const MAX_PARSED_FILES = 256;
/** Cached existence checks (a few per import), cleared when this many accumulate. */
const MAX_EXISTENCE_ENTRIES = 20_000;

const RESOLVE_SUFFIXES = [...SOURCE_EXTENSIONS, '.json', ...SOURCE_EXTENSIONS.map((e) => `/index${e}`)];

/**
 * Keeps parsed files between runs, so re-analysis after an edit re-parses only the
 * edited file, and the workspace's import graph. The interpretation itself is cheap and
 * always runs fresh: each file in a run of its own, so that what a file reports never
 * depends on which other files were analysed with it, or in which order.
 */
export class Analyzer {
  readonly workspace = new Workspace();
  private readonly project = new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    compilerOptions: { allowJs: true, noLib: true },
  });
  /** Parsed files' texts, least recently used first: the order evicts (see MAX_PARSED_FILES). */
  private readonly texts = new Map<string, string>();
  private readonly existence = new Map<string, boolean>();

  analyze(paths: string[], options: AnalyzeOptions = {}): FileAnalysis[] {
    const files = paths.map((p) => path.resolve(p));
    return files.map((f) => this.analyzeOne(f, options));
  }

  /** One file; a model whose layers depend on conditions not known statically, once per side (alternatives.ts). */
  private analyzeOne(file: string, options: AnalyzeOptions): FileAnalysis {
    const base = new Run(this, options);
    const result = base.analyzeFile(file);
    const first = base.forksOf(file);
    if (first.forks.length === 0) return result;
    try {
      const found = enumerate(first.forks, (decisions) => {
        const run = new Run(this, options, decisions);
        const analysis = run.analyzeFile(file);
        return { analysis, forks: run.forksOf(file).forks, throws: run.interp.forcedThrows.size > 0, implied: run.interp.impliedSides };
      });
      const forks = [...new Set([...first.forks, ...found.built.flatMap((b) => [...b.decisions.keys()])])];
      return mergeAlternatives(result, first.models, found, forks);
    } catch (e) {
      result.diagnostics.push(failureDiagnostic(e));
      return result;
    }
  }

  /** Parsed file for `file`, from `contents` or disk; undefined when unreadable. */
  sourceFile(file: string, contents?: Map<string, string>): ts.SourceFile | undefined {
    const text = contents?.get(file) ?? readText(file);
    if (text === undefined) return undefined;
    const existing = this.project.getSourceFile(file);
    if (existing && this.texts.get(file) === text) {
      // Most recently used last.
      this.texts.delete(file);
      this.texts.set(file, text);
      return existing.compilerNode;
    }
    // Forgotten first: when parsing throws (a stack overflow on absurdly deep nesting), no stale tree is reused.
    this.texts.delete(file);
    const sf = this.project.createSourceFile(file, text, { overwrite: true, scriptKind: scriptKindOf(file) });
    this.texts.set(file, text);
    this.evict(contents);
    return sf.compilerNode;
  }

  /** How many parsed files are kept (bounded by MAX_PARSED_FILES, open editors' files aside). */
  parsedFileCount(): number {
    return this.project.getSourceFiles().length;
  }

  /** Drops a file's parsed tree and cached facts (a document closed): the next read parses it afresh. */
  forget(file: string): void {
    this.texts.delete(file);
    const sf = this.project.getSourceFile(file);
    if (sf) this.project.removeSourceFile(sf);
    this.existence.delete(file);
    this.workspace.forget(file);
  }

  /**
   * Least recently used parsed files beyond the bound are removed from the project; the
   * open editors' files (`contents`) stay, as the next keystroke reuses their imports' trees.
   */
  private evict(contents: Map<string, string> | undefined): void {
    if (this.texts.size <= MAX_PARSED_FILES) return;
    for (const file of this.texts.keys()) {
      if (this.texts.size <= MAX_PARSED_FILES) break;
      if (contents?.has(file)) continue;
      this.texts.delete(file);
      const sf = this.project.getSourceFile(file);
      if (sf) this.project.removeSourceFile(sf);
    }
  }

  exists(file: string, contents?: Map<string, string>): boolean {
    if (contents?.has(file)) return true;
    let e = this.existence.get(file);
    if (e === undefined) {
      e = isFile(file);
      // Paths probed grow with every import spelling tried; past the bound they are checked afresh.
      if (this.existence.size >= MAX_EXISTENCE_ENTRIES) this.existence.clear();
      this.existence.set(file, e);
    }
    return e;
  }

  /** A file's text changed on disk (not created or deleted). */
  fileChanged(file: string): void {
    this.workspace.changed(file);
  }

  /** Forget cached existence checks (files created or deleted). */
  invalidateFileSystem(): void {
    this.existence.clear();
    this.workspace.invalidate();
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function scriptKindOf(file: string): ts.ScriptKind {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (file.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.(m|c)?js$/.test(file)) return ts.ScriptKind.JS;
  if (file.endsWith('.json')) return ts.ScriptKind.JSON;
  return ts.ScriptKind.TS;
}

/** One analysis run: one interpreter and session over all requested files. */
class Run implements InterpreterHost {
  readonly session = new Session();
  readonly interp: Interpreter;
  private readonly limits: Limits;
  private tf: Value;
  private readonly fileDiagnostics = new Map<string, Diagnostic[]>();
  private readonly moduleScopes = new Map<string, Scope>();
  /** When the file being analysed runs out of time: maxMillis covers its module and every entry point in it. */
  private deadline = 0;

  constructor(
    private readonly analyzer: Analyzer,
    private readonly options: AnalyzeOptions,
    decisions?: Decisions,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.interp = new Interpreter(this, new Budget(this.limits), installGlobals);
    for (const [node, side] of decisions ?? []) this.interp.forced.set(node, side);
    this.session.openCondition = () => this.interp.openCondition();
    this.session.uncertainty = () => this.interp.journal.depth;
    this.session.openBranches = () => this.interp.journal.openBranches();
    this.session.touch = (host) => this.interp.journal.touchHost(host);
    this.session.entryFunction = () => this.interp.entryFunction();
    this.session.callChain = () => this.interp.callChain();
    this.session.context = () => this.context;
    this.tf = createTfNamespace(this.session, this.interp);
    // A page that loads tfjs with a <script> tag uses the global `tf` without importing it.
    this.interp.globals.declare('tf', this.tf);
    this.interp.onModuleScope = (file, scope) => this.moduleScopes.set(file, scope);
  }

  /* InterpreterHost */
  sourceFile(file: string): ts.SourceFile | undefined {
    return this.analyzer.sourceFile(file, this.options.contents);
  }

  resolve(spec: string, fromFile: string): string | undefined {
    if (!spec.startsWith('.') && !path.isAbsolute(spec)) return undefined;
    const base = path.resolve(path.dirname(fromFile), spec);
    const candidates = [base, ...RESOLVE_SUFFIXES.map((s) => base + s)];
    // TypeScript's ESM style imports `./x.js` for `./x.ts`.
    const m = /\.(m|c)?js$/.exec(base);
    if (m) candidates.push(...['.ts', '.tsx', '.mts', '.cts'].map((e) => base.slice(0, -m[0].length) + e));
    return candidates.find((c) => this.analyzer.exists(c, this.options.contents));
  }

  externalModule(spec: string): Value | undefined {
    if (TFJS_MODULES.has(spec)) return this.tf;
    if (spec.startsWith('.') || path.isAbsolute(spec)) return undefined;
    const cli = cliArgsModule(spec);
    if (cli !== undefined) return cli;
    return unknown(`module '${spec}' is not analysed`);
  }

  json(file: string): Value | undefined {
    const text = this.options.contents?.get(file) ?? readText(file);
    if (text === undefined) return undefined;
    try {
      return fromPlain(JSON.parse(text));
    } catch {
      return unknown(`${path.basename(file)} is not valid JSON`);
    }
  }

  /* Driver */

  /**
   * A file is analysed the way a run of its project reaches it: first the programs that
   * import it (package.json entries, other programs), then the file itself (its top level
   * and the builders nothing ran, through their callers anywhere in the project), then the
   * tests that import it — so a test's arguments give a variant, never the default.
   */
  analyzeFile(file: string): FileAnalysis {
    const diagnostics: Diagnostic[] = [];
    this.fileDiagnostics.set(file, diagnostics);
    const started = Date.now();
    this.deadline = started + this.limits.maxMillis;
    let sf: ts.SourceFile | undefined;
    try {
      sf = this.sourceFile(file);
    } catch (e) {
      diagnostics.push(failureDiagnostic(e));
      return { file, models: [], diagnostics };
    }
    if (!sf) {
      diagnostics.push({ severity: 'error', code: 'unreadable-file', message: `Cannot read ${file}.` });
      return { file, models: [], diagnostics };
    }
    let contexts: Context[] = [];
    try {
      const found = this.analyzer.workspace.contexts(file, { overlay: this.options.contents, resolve: (s, f) => this.resolve(s, f) }, (p) => this.analyzer.exists(p, this.options.contents));
      // A file that creates no model (a config, a data loader, a training script) reports what its own code does.
      contexts = createsModels(sf) ? found.contexts : [];
      this.importers = [...found.importers].sort((a, b) => rankOf(found.contexts, a) - rankOf(found.contexts, b) || (a < b ? -1 : 1));
      this.root = found.root;
    } catch (e) {
      diagnostics.push(failureDiagnostic(e));
    }
    // The programs share at most half the file's time: the file's own analysis always gets the rest.
    const programsDeadline = started + this.limits.maxMillis / 2;
    for (const c of contexts.filter((c) => c.kind !== 'test')) this.runProgram(c, programsDeadline);
    this.context = { file, kind: 'self' };
    const parsed = sf;
    this.guard(file, () => this.interp.evaluateModule(file));
    // Guarded too: finding entry points walks the tree recursively.
    this.guard(file, () => this.callUnreachedBuilders(file, parsed));
    this.callModelReturningFunctions(file, parsed);
    this.guard(file, () => this.callLayerAdders(file, parsed));
    for (const c of contexts.filter((c) => c.kind === 'test')) this.runProgram(c, this.deadline);
    try {
      return this.collect(file, sf, this.session.models, diagnostics);
    } catch (e) {
      diagnostics.push(failureDiagnostic(e));
      return { file, models: [], diagnostics };
    }
  }

  /**
   * The conditions not known statically that gave a model of `file` different layers on
   * their sides (in source order), and the ids of those models.
   */
  forksOf(file: string): { forks: ts.Node[]; models: Set<string> } {
    const forks: ts.Node[] = [];
    const models = new Set<string>();
    for (const [node, changed] of this.session.forks) {
      const own = [...changed].filter((m) => m.createdAt.getSourceFile().fileName === file);
      if (own.length === 0) continue;
      forks.push(node);
      for (const m of own) models.add(m.node.id);
    }
    forks.sort((a, b) => a.getSourceFile().fileName.localeCompare(b.getSourceFile().fileName) || a.getStart() - b.getStart());
    return { forks, models };
  }

  /** The context models are being built in now. */
  private context: RunContext | undefined;
  /** Files that import the analysed one (directly or not), programs first, tests last. */
  private importers: string[] = [];
  private root = '';

  /**
   * Runs another file of the workspace as the program it is: its module, with `require.main`
   * its own, then its builders nothing ran. What goes wrong there (a bound reached while
   * loading data, a throw) is that program's, not the analysed file's: not reported here.
   */
  private runProgram(c: Context, deadline: number): void {
    if (Date.now() > deadline) return;
    this.context = c;
    const saved = this.deadline;
    this.deadline = Math.min(saved, deadline);
    try {
      this.guard(c.file, () => this.interp.evaluateModule(c.file), true);
    } finally {
      this.deadline = saved;
      this.context = undefined;
    }
  }

  /** Runs one entry point with a fresh budget; bounds and throws become diagnostics (of the analysed file unless `quiet`). */
  private guard(file: string, fn: () => void, quiet = false): void {
    this.interp.budget = new Budget(this.limits, this.deadline);
    const diags = quiet ? [] : this.fileDiagnostics.get(file)!;
    try {
      fn();
      this.interp.runPendingHandlers();
    } catch (e) {
      this.interp.pendingHandlers.length = 0;
      if (e instanceof BoundReached) {
        diags.push(boundDiagnostic(e.message));
      } else if (e instanceof UserThrow) {
        const r = rangeOf(e.node);
        if (r.file === file) {
          diags.push({ severity: 'info', code: 'code-throws', message: `The analysed code throws here (${e.message}); what follows on this path is not analysed.`, range: r });
        }
      } else {
        diags.push(failureDiagnostic(e));
      }
    }
  }

  private callUnreachedBuilders(file: string, sf: ts.SourceFile): void {
    const scope = this.moduleScopes.get(file);
    if (!scope) return;
    const tried = new Set<ts.Node>();
    for (;;) {
      if (Date.now() > this.deadline) {
        const diags = this.fileDiagnostics.get(file)!;
        if (!diags.some((d) => d.code === 'analysis-bound')) diags.push(boundDiagnostic(`analysis stopped after ${this.limits.maxMillis} ms`));
        return;
      }
      const built = new Set(this.session.models.map((m) => m.createdAt));
      const entry = findUnreachedEntry(sf, built, tried);
      if (!entry) return;
      tried.add(entry);
      const caller = needsCaller(entry) ? this.callerElsewhere(entry, tried) : undefined;
      if (caller) {
        tried.add(caller);
        if (ts.isSourceFile(caller)) {
          // Called at another program's top level, which never ran (a test, or cut short): run it now.
          this.guard(file, () => this.interp.evaluateModule(caller.fileName));
        } else {
          const callerScope = this.moduleScopes.get(caller.getSourceFile().fileName);
          if (callerScope) this.guard(file, () => this.callEntry(caller, callerScope));
        }
        // The caller may not reach the builder after all (a branch): then it is called as it stands.
        if (this.session.models.some((m) => isInside(m.createdAt, entry))) continue;
      }
      this.guard(file, () => this.callEntry(entry, scope));
    }
  }

  /**
   * A caller of `entry` in another file that imports its file (programs first, tests never:
   * their arguments are variants, run after this), followed to its own callers while it
   * still depends on arguments — `buildModel(inputShape)` reached through `train.ts`'s
   * `main()`. Its file is evaluated first (a program not run yet).
   */
  private callerElsewhere(entry: Entry, tried: Set<ts.Node>): Entry | ts.SourceFile | undefined {
    let current: Entry | ts.SourceFile = entry;
    const seen = new Set<ts.Node>([entry]);
    for (let hops = 0; hops < 8 && !ts.isSourceFile(current) && needsCaller(current); hops++) {
      let next: Entry | ts.SourceFile | undefined;
      for (const g of this.importers) {
        if (isTestFile(g, this.root)) continue;
        const gsf = this.sourceFile(g);
        if (!gsf || gsf === current.getSourceFile()) continue;
        const found = findCallerIn(gsf, current, tried);
        if (found && !seen.has(found)) {
          next = found;
          break;
        }
      }
      if (!next) break;
      seen.add(next);
      const nextFile = ts.isSourceFile(next) ? next.fileName : next.getSourceFile().fileName;
      if (!this.moduleScopes.has(nextFile)) this.guard(nextFile, () => this.interp.evaluateModule(nextFile), true);
      current = next;
    }
    return current === entry ? undefined : current;
  }

  /**
   * Top-level functions that take no required argument and never ran, called once each:
   * `export function smallNet() { return buildNet(0.25) }` builds a model through another
   * function's call site, with arguments of its own.
   */
  private callModelReturningFunctions(file: string, sf: ts.SourceFile): void {
    const scope = this.moduleScopes.get(file);
    if (!scope) return;
    for (const fn of topLevelFunctions(sf)) {
      if (Date.now() > this.deadline) return;
      if (this.interp.executedFunctions.has(fn) || fn.parameters.some((p) => !p.initializer && !p.questionToken && !p.dotDotDotToken)) continue;
      this.guard(file, () => this.interp.callWithUnknowns(new FunctionValue(fn, scope), fn));
    }
  }

  /**
   * A Sequential of the file still empty after everything ran gets its layers from code
   * nothing ran: a method of its class (`setup()`), a function that fills it. Each function
   * or method of the file that never ran and calls `.add(…)` is called once, as an entry.
   */
  private callLayerAdders(file: string, sf: ts.SourceFile): void {
    const empty = () => this.session.models.some((m) => m.kind === 'sequential' && m.layers.length === 0 && m.createdAt.getSourceFile() === sf);
    if (!empty()) return;
    const scope = this.moduleScopes.get(file);
    if (!scope) return;
    for (const fn of layerAdders(sf)) {
      if (Date.now() > this.deadline || !empty()) return;
      if (this.interp.executedFunctions.has(fn)) continue;
      this.guard(file, () => this.callEntry(fn, scope));
    }
  }

  private callEntry(fnNode: Entry, scope: Scope): void {
    if (ts.isClassLike(fnNode)) {
      const v = fnNode.name ? scope.lookup(fnNode.name.text)?.value : undefined;
      const cls = v instanceof ClassValue ? v : this.interp.makeClass(fnNode, scope);
      this.interp.construct(cls, unknownConstructorArgs(cls), fnNode);
      return;
    }
    if (ts.isConstructorDeclaration(fnNode) || ts.isMethodDeclaration(fnNode) || ts.isGetAccessorDeclaration(fnNode) || ts.isSetAccessorDeclaration(fnNode)) {
      const cls = fnNode.parent;
      if (!ts.isClassLike(cls)) {
        // A method of an object literal nothing calls: `this` is not known.
        this.interp.callWithUnknowns(new FunctionValue(fnNode, scope), fnNode, unknown('`this` of a method nothing in the file calls'));
        return;
      }
      const clsValue = cls.name ? scope.lookup(cls.name.text)?.value : undefined;
      const classValue = clsValue instanceof ClassValue ? clsValue : this.interp.makeClass(cls, scope);
      const isStatic = (ts.getModifiers(fnNode as ts.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
      if (ts.isConstructorDeclaration(fnNode)) {
        const ctorArgs = fnNode.parameters.map((p) => (p.initializer ? undefined : unknown(`constructor argument '${p.name.getText()}' of ${classValue.name} is not known`)));
        this.interp.construct(classValue, ctorArgs, fnNode);
        return;
      }
      const self = isStatic ? classValue : this.interp.construct(classValue, unknownConstructorArgs(classValue), fnNode);
      const method = new FunctionValue(fnNode, classValue.closure, undefined, classValue);
      this.interp.callWithUnknowns(method, fnNode, self);
      return;
    }
    this.interp.callWithUnknowns(new FunctionValue(fnNode, scope), fnNode);
  }

  private collect(file: string, sf: ts.SourceFile, instances: ModelInstance[], fileDiags: Diagnostic[]): FileAnalysis {
    const reported = modelsToReport(instances.filter((m) => m.createdAt.getSourceFile() === sf), this.root);
    const models = reported.map(({ model, name, variant, via }) => ({
      ...toGraph(model, this.session, this.options.batchSize ?? DEFAULT_BATCH_SIZE),
      ...(name ? { name } : {}),
      ...(variant ? { variant } : {}),
      ...(via ? { via } : {}),
    }));
    const claimed = new Set<RecordedDiagnostic>();
    for (const m of models) for (const d of m.diagnostics) claimed.add(d as RecordedDiagnostic);
    const loose = this.session.diagnostics.filter((d) => d.range?.file === file && !claimed.has(d) && !belongsToOtherInstance(d, instances, reported.map((r) => r.model)));
    const diagnostics = [...fileDiags, ...loose.map(stripInternal)];
    return { file, models: models.map((m) => ({ ...m, diagnostics: m.diagnostics.map(stripInternal) })), diagnostics };
  }
}

/**
 * Arguments for constructing a class nothing in the file constructs: unknown, with a reason
 * (not missing, which would read as `undefined` and take branches no caller takes).
 */
function unknownConstructorArgs(cls: ClassValue): Value[] {
  for (let c: Value = cls; c instanceof ClassValue; c = c.superClass) {
    const ctor = c.node.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
    if (ctor) return ctor.parameters.map((p) => (p.initializer || p.dotDotDotToken ? undefined : unknown(`constructor argument '${p.name.getText()}' of ${cls.name} is not known`)));
  }
  return [];
}

function rankOf(contexts: Context[], file: string): number {
  const c = contexts.find((x) => x.file === file);
  return c ? { entry: 0, program: 1, test: 2 }[c.kind] : 1;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.pos >= container.pos && node.end <= container.end;
}

function boundDiagnostic(reason: string): Diagnostic {
  return { severity: 'info', code: 'analysis-bound', message: `Layer Lens stopped analysing here: ${reason}. Models built after this point may be missing.` };
}

/** An exception that is neither a bound nor a user throw: a stack overflow on absurdly deep code, or an engine bug. */
function failureDiagnostic(e: unknown): Diagnostic {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return boundDiagnostic('the code is nested or recurses too deeply to analyse');
  if (e instanceof RangeError && /invalid (string|array) length/i.test(e.message)) return boundDiagnostic('a string or array grows beyond what JavaScript allows');
  const msg = e instanceof Error ? e.message : String(e);
  return { severity: 'info', code: 'internal-error', message: `Layer Lens could not analyse part of this file: ${msg}` };
}

/** Diagnostics of model instances that were not reported (duplicates of one call site) are dropped. */
function belongsToOtherInstance(d: RecordedDiagnostic, instances: ModelInstance[], reported: ModelInstance[]): boolean {
  if (!d.modelId) return false;
  const reportedIds = new Set(reported.map((m) => m.node.id));
  return instances.some((m) => m.node.id === d.modelId) && !reportedIds.has(d.modelId);
}

function stripInternal(d: Diagnostic): Diagnostic {
  const { layerId: _l, modelId: _m, ...rest } = d as RecordedDiagnostic;
  return rest;
}

/** Analyses the given files (absolute or relative paths) in one run. */
export function analyzeFiles(paths: string[], options: AnalyzeOptions = {}): FileAnalysis[] {
  return new Analyzer().analyze(paths, options);
}

