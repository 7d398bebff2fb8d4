/**
 * Model-level oracle: a fixture file under test/fixtures/ exports functions that build and
 * return a tfjs model. For every such builder, real @tensorflow/tfjs (cpu backend) builds
 * the model, the engine analyses the fixture file statically, and both must agree exactly on
 * the layer list (count, className, outputShape, countParams, trainable params) and on the
 * model's totals and input/output shapes.
 *
 * Usage, in a `*.test.ts` file:
 *
 *     import { modelOracleSuite } from './model-oracle';
 *     modelOracleSuite('RNN fixtures', fixturesIn('test/fixtures/rnn'));
 *     // or: modelOracleSuite('x', ['test/fixtures/rnn/text-lstm.ts'], { 'text-lstm.ts': { expectTotals: { buildLstm: 1234 } } });
 *
 * What counts as a builder: every exported function whose `length` is 0 (no required
 * parameters; defaults are fine) and whose result is a `tf.LayersModel` (a Sequential is
 * one). Exported functions that need arguments are skipped; to list builders explicitly,
 * pass `{ builders: ['buildA', 'buildB'] }`, or export `oracleBuilders` (an array of names)
 * from the fixture. Builders must not call predict/fit: the harness only reads the graph.
 * A builder that tfjs refuses to build is listed in `throws` with the diagnostic code the
 * engine must report for it; a known engine limitation goes in `todo` with its reason.
 *
 * Which engine model belongs to a builder (the engine names a model after the variable
 * holding it, or after the function returning it): first a model named like the builder;
 * else the models created inside the builder's body, narrowed to the one its `return`
 * names; a builder returning `helper(...)` is followed into `helper` (same file); last, the one
 * model created in the functions, methods and classes the builder reaches (same file).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { ts } from 'ts-morph';
import { analyzeFiles } from '../../src/analysis/engine';
import type { FileAnalysis, ModelGraph } from '../../src/analysis/graph';

tf.setBackend('cpu');

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** One layer, as both sides describe it. */
export interface LayerFacts {
  name: string;
  className: string;
  outputShape: unknown;
  params: number | null;
  trainable: number | null;
}

export interface ModelFacts {
  layers: LayerFacts[];
  total: number | null;
  trainable: number | null;
  nonTrainable: number | null;
  inputShapes: unknown[];
  outputShapes: unknown[];
}

/** Through JSON, as the analysis hands shapes around (tfjs may report `undefined` dims). */
function plain(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

const size = (shape: readonly (number | null)[]) => shape.reduce<number>((a, b) => a * (b as number), 1);

function tfjsOutputShape(layer: tf.layers.Layer): unknown {
  try {
    return plain(layer.outputShape);
  } catch (e) {
    return `<tfjs throws: ${e instanceof Error ? e.message : String(e)}>`;
  }
}

/** What real tfjs reports for a built model. */
export function tfjsModelFacts(model: tf.LayersModel): ModelFacts {
  const layers = model.layers.map((l) => {
    const params = l.countParams();
    const trainable = l.trainableWeights.reduce((n, w) => n + size(w.shape), 0);
    return { name: l.name, className: l.getClassName(), outputShape: tfjsOutputShape(l), params, trainable };
  });
  const total = model.countParams();
  const trainable = model.trainableWeights.reduce((n, w) => n + size(w.shape), 0);
  return {
    layers,
    total,
    trainable,
    nonTrainable: total - trainable,
    inputShapes: model.inputs.map((t) => plain(t.shape)),
    outputShapes: model.outputs.map((t) => plain(t.shape)),
  };
}

/** What the engine reports for one model. */
export function engineModelFacts(g: ModelGraph): ModelFacts {
  return {
    layers: g.layers.map((l) => ({
      name: l.name,
      className: l.className,
      outputShape: plain(l.outputShape),
      params: l.params.total,
      trainable: l.params.trainable,
    })),
    total: g.totals.total,
    trainable: g.totals.trainable,
    nonTrainable: g.totals.nonTrainable,
    inputShapes: plain(g.inputShapes) as unknown[],
    outputShapes: plain(g.outputShapes) as unknown[],
  };
}

const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Every disagreement between the engine and tfjs, one readable line each (empty: they agree). */
export function compareFacts(ours: ModelFacts, theirs: ModelFacts): string[] {
  const out: string[] = [];
  if (ours.layers.length !== theirs.layers.length) {
    out.push(`layer count: engine ${ours.layers.length}, tfjs ${theirs.layers.length}`);
    out.push(`  engine: ${ours.layers.map((l) => l.className).join(', ')}`);
    out.push(`  tfjs:   ${theirs.layers.map((l) => l.className).join(', ')}`);
  }
  const n = Math.min(ours.layers.length, theirs.layers.length);
  for (let i = 0; i < n; i++) {
    const a = ours.layers[i];
    const b = theirs.layers[i];
    const where = `layer ${i} (tfjs ${b.className} '${b.name}', engine ${a.className} '${a.name}')`;
    if (a.className !== b.className) out.push(`${where}: className engine ${a.className}, tfjs ${b.className}`);
    if (!eq(a.outputShape, b.outputShape)) out.push(`${where}: outputShape engine ${show(a.outputShape)}, tfjs ${show(b.outputShape)}`);
    if (a.params !== b.params) out.push(`${where}: params engine ${a.params}, tfjs ${b.params}`);
    if (a.trainable !== b.trainable) out.push(`${where}: trainable params engine ${a.trainable}, tfjs ${b.trainable}`);
  }
  for (const k of ['total', 'trainable', 'nonTrainable'] as const) {
    if (ours[k] !== theirs[k]) out.push(`model ${k} params: engine ${ours[k]}, tfjs ${theirs[k]}`);
  }
  if (!eq(ours.inputShapes, theirs.inputShapes)) out.push(`model inputs: engine ${show(ours.inputShapes)}, tfjs ${show(theirs.inputShapes)}`);
  if (!eq(ours.outputShapes, theirs.outputShapes)) out.push(`model outputs: engine ${show(ours.outputShapes)}, tfjs ${show(theirs.outputShapes)}`);
  return out;
}

/* ------------------------------------------------------------ engine side */

const analyses = new Map<string, FileAnalysis>();

/** The engine's analysis of one fixture (cached per file for the process). */
export function analyzeFixture(file: string): FileAnalysis {
  const abs = path.resolve(REPO_ROOT, file);
  let a = analyses.get(abs);
  if (!a) {
    a = analyzeFiles([abs])[0];
    analyses.set(abs, a);
  }
  return a;
}

type FnLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

/** Top-level functions of a file by name: `function f`, `const f = () =>`, `const f = function`. */
function topLevelFunctions(sf: ts.SourceFile): Map<string, FnLike> {
  const fns = new Map<string, FnLike>();
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && st.body) fns.set(st.name.text, st);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        let init = d.initializer;
        while (init && (ts.isParenthesizedExpression(init) || ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
        if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) fns.set(d.name.text, init);
      }
    }
  }
  return fns;
}

/** Expressions a function returns (its own `return`s, or an arrow's expression body). */
function returnedExpressions(fn: FnLike): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return out;
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isAwaitExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

/**
 * The engine's model for builder `name` of fixture `file`; throws with the models the
 * engine did find when it cannot tell.
 */
export function findEngineModel(file: string, analysis: FileAnalysis, name: string): ModelGraph {
  const byName = analysis.models.filter((m) => m.name === name);
  if (byName.length === 1) return byName[0];
  const text = fs.readFileSync(path.resolve(REPO_ROOT, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const fns = topLevelFunctions(sf);
  const found = findIn(analysis, fns, name, new Set()) ?? findThroughCalls(analysis, sf, fns, name);
  if (found) return found;
  const known = analysis.models.map((m) => `${m.name} (line ${m.range.start.line})`).join(', ') || 'none';
  const diags = analysis.diagnostics.map((d) => `${d.code}: ${d.message}`).join('; ');
  throw new Error(`the engine found no model for ${name}() in ${file}; it found: ${known}${diags ? `; diagnostics: ${diags}` : ''}`);
}

function findIn(analysis: FileAnalysis, fns: Map<string, FnLike>, name: string, seen: Set<string>): ModelGraph | undefined {
  if (seen.has(name)) return undefined;
  seen.add(name);
  const byName = analysis.models.filter((m) => m.name === name);
  if (byName.length === 1) return byName[0];
  const fn = fns.get(name);
  if (!fn) return undefined;
  const start = fn.getStart();
  const end = fn.getEnd();
  const inside = analysis.models.filter((m) => m.range.startOffset >= start && m.range.endOffset <= end);
  // A model used as a layer of another model found here is not the one returned.
  const nested = new Set(inside.flatMap((m) => m.layers.map((l) => l.nestedModelId).filter((id): id is string => !!id)));
  const outer = inside.filter((m) => !nested.has(m.id));
  const returned = returnedExpressions(fn).map(unwrap);
  for (const r of returned) {
    if (ts.isIdentifier(r)) {
      const hit = outer.filter((m) => m.name === r.text);
      if (hit.length === 1) return hit[0];
    }
  }
  if (outer.length === 1) return outer[0];
  // `return helper(...)`: the model is built in the helper.
  for (const r of returned) {
    if (ts.isCallExpression(r) && ts.isIdentifier(r.expression)) {
      const m = findIn(analysis, fns, r.expression.text, seen);
      if (m) return m;
    }
  }
  if (outer.length > 1) return outer[outer.length - 1];
  return undefined;
}

/**
 * Last resort for builders that delegate to classes or object methods
 * (`return new Builder(…).build()`, `return recipe.make()`): the one model created in
 * what the builder reaches within the file, followed transitively: top-level functions
 * it calls, methods called by name (of classes or object literals), classes it constructs.
 */
function findThroughCalls(analysis: FileAnalysis, sf: ts.SourceFile, fns: Map<string, FnLike>, name: string): ModelGraph | undefined {
  const start = fns.get(name);
  if (!start) return undefined;
  const methods = new Map<string, ts.Node[]>();
  const classes = new Map<string, ts.Node>();
  const index = (n: ts.Node): void => {
    if (ts.isMethodDeclaration(n) && ts.isIdentifier(n.name)) methods.set(n.name.text, [...(methods.get(n.name.text) ?? []), n]);
    if (ts.isClassDeclaration(n) && n.name) classes.set(n.name.text, n);
    ts.forEachChild(n, index);
  };
  index(sf);
  const reached = new Set<ts.Node>();
  const queue: ts.Node[] = [start];
  while (queue.length > 0) {
    const node = queue.pop()!;
    if (reached.has(node)) continue;
    reached.add(node);
    const walk = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const e = n.expression;
        if (ts.isIdentifier(e) && fns.has(e.text)) queue.push(fns.get(e.text)!);
        if (ts.isPropertyAccessExpression(e)) queue.push(...(methods.get(e.name.text) ?? []));
      }
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && classes.has(n.expression.text)) queue.push(classes.get(n.expression.text)!);
      ts.forEachChild(n, walk);
    };
    walk(node);
  }
  const inside = analysis.models.filter((m) => [...reached].some((n) => m.range.startOffset >= n.getStart() && m.range.endOffset <= n.getEnd()));
  const nested = new Set(inside.flatMap((m) => m.layers.map((l) => l.nestedModelId).filter((id): id is string => !!id)));
  const outer = inside.filter((m) => !nested.has(m.id));
  return outer.length === 1 ? outer[0] : undefined;
}

/* ------------------------------------------------------------ tfjs side */

type InitApply = (shape: number[], dtype?: string) => tf.Tensor;

/**
 * Runs `fn` with tfjs's random initializers (variance scaling: glorot/he/leCun; random
 * uniform/normal/truncated normal; orthogonal) filling zeros instead. The oracle reads only
 * shapes and counts, which do not depend on the values, and the random fill dominates the
 * build time of big models on the cpu backend (VGG16's 25088×4096 kernel alone takes ~2 s;
 * orthogonal QR on big recurrent kernels takes minutes). Argument checks that throw in
 * tfjs (an orthogonal kernel under 2-D, an unsupported dtype) still go to tfjs's own code.
 */
export function withFastInitializers<R>(fn: () => R): R {
  const samples = [
    tf.initializers.glorotUniform({}),
    tf.initializers.randomUniform({}),
    tf.initializers.randomNormal({}),
    tf.initializers.truncatedNormal({}),
    tf.initializers.orthogonal({}),
  ];
  const protos = new Set<Record<string, unknown>>();
  for (const init of samples) {
    // The class that defines `apply` (GlorotUniform inherits VarianceScaling's).
    let p = Object.getPrototypeOf(init) as Record<string, unknown> | null;
    while (p && !Object.prototype.hasOwnProperty.call(p, 'apply')) p = Object.getPrototypeOf(p) as Record<string, unknown> | null;
    if (p) protos.add(p);
  }
  const saved = new Map<Record<string, unknown>, InitApply>();
  for (const p of protos) {
    const original = p.apply as InitApply;
    saved.set(p, original);
    p.apply = function (this: unknown, shape: number[], dtype?: string): tf.Tensor {
      const checked = shape.length >= 2 && (dtype === undefined || dtype === 'float32' || dtype === 'int32');
      return checked ? tf.zeros(shape, (dtype ?? 'float32') as 'float32' | 'int32') : original.call(this, shape, dtype);
    };
  }
  try {
    return fn();
  } finally {
    for (const [p, original] of saved) p.apply = original;
  }
}

type Builder = () => unknown;

/** The fixture's exported builders, by name (see the file comment for what counts). */
export async function loadBuilders(file: string, names?: string[]): Promise<Map<string, Builder>> {
  const mod = (await import(pathToFileURL(path.resolve(REPO_ROOT, file)).href)) as Record<string, unknown>;
  const listed = names ?? (Array.isArray(mod.oracleBuilders) ? (mod.oracleBuilders as string[]) : undefined);
  const out = new Map<string, Builder>();
  for (const [key, v] of Object.entries(mod)) {
    if (typeof v !== 'function') continue;
    // `export default function buildNet()` is known by its own name (the engine's too).
    const k = key === 'default' && /^[a-z_$][\w$]*$/.test(v.name) && !(v.name in mod) ? v.name : key;
    if (/^[A-Z]/.test(k)) continue; // classes are not builders
    if (listed ? listed.includes(k) : v.length === 0) out.set(k, v as Builder);
  }
  if (listed) for (const n of listed) if (!out.has(n)) throw new Error(`${file} does not export a function ${n}`);
  return out;
}

/** Disagreements listed in one failure (the first ones usually explain the rest). */
const MAX_REPORTED = 20;

/**
 * Builds with tfjs and analyses with the engine, and fails with every disagreement.
 * Returns undefined (nothing compared) when the builder's result is not a model.
 */
export function compareBuilder(file: string, name: string, build: Builder, realInitializers = false): { ours: ModelFacts; theirs: ModelFacts } | undefined {
  const built = realInitializers ? build() : withFastInitializers(build);
  if (!(built instanceof tf.LayersModel)) return undefined;
  let theirs: ModelFacts;
  try {
    theirs = tfjsModelFacts(built);
  } finally {
    built.dispose();
  }
  const graph = findEngineModel(file, analyzeFixture(file), name);
  const ours = engineModelFacts(graph);
  const problems = compareFacts(ours, theirs);
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_REPORTED);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
    assert.fail(`${name}() in ${file}: the engine disagrees with tfjs:\n  ${shown.join('\n  ')}`);
  }
  return { ours, theirs };
}

export interface SuiteOptions {
  /** Builders to compare (else every exported zero-argument function, or `oracleBuilders`). */
  builders?: string[];
  /** Expected totals per builder, checked against tfjs too (catches a wrong fixture). */
  expectTotals?: Record<string, number>;
  /**
   * Builders with a known engine limitation, by name, with the reason: they still run and
   * report, but as `todo` (a failure does not fail the suite). Keep the list short.
   */
  todo?: Record<string, string>;
  /**
   * Builders tfjs refuses to build, with the diagnostic code the engine must report as an
   * error on that builder's model (e.g. `{ buildBroken: 'graph-disconnected' }`).
   */
  throws?: Record<string, string>;
  /** Build with tfjs's real random initializers instead of zeros (see withFastInitializers). */
  realInitializers?: boolean;
}

/** tfjs throws while building, and the engine reports an error with `code` for that model. */
export function compareThrowingBuilder(file: string, name: string, build: Builder, code: string, realInitializers = false): void {
  let thrown: unknown;
  try {
    const built = realInitializers ? build() : withFastInitializers(build);
    if (built instanceof tf.LayersModel) built.dispose();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `${name}() in ${file} was expected to throw in tfjs, but it built`);
  const analysis = analyzeFixture(file);
  const graph = findEngineModel(file, analysis, name);
  const diags = [...graph.diagnostics, ...analysis.diagnostics];
  const hit = diags.find((d) => d.code === code && d.severity === 'error');
  const seen = diags.map((d) => `${d.severity} ${d.code}`).join(', ') || 'none';
  const tfjsSays = thrown instanceof Error ? thrown.message : String(thrown);
  assert.ok(hit, `${name}() in ${file}: tfjs throws (${tfjsSays}) but the engine reports no error '${code}' (it reports: ${seen})`);
}

/**
 * Registers one `describe` per fixture file and one `it` per builder. Files are paths
 * relative to the repository root (or absolute); `perFile` is keyed by the file's base
 * name (`vgg16.ts`) or its path relative to the repository root.
 */
export function modelOracleSuite(title: string, files: string[], perFile: Record<string, SuiteOptions> = {}): void {
  describe(title, () => {
    for (const file of files) {
      const rel = path.relative(REPO_ROOT, path.resolve(REPO_ROOT, file));
      const opts: SuiteOptions = perFile[rel] ?? perFile[path.basename(rel)] ?? {};
      describe(rel, async () => {
        const builders = await loadBuilders(rel, opts.builders);
        it('exports at least one builder', () => assert.ok(builders.size > 0, `${rel} exports no zero-argument function`));
        for (const [name, build] of builders) {
          const code = opts.throws?.[name];
          if (code !== undefined) {
            it(`${name}() throws in tfjs and the engine reports ${code}`, { todo: opts.todo?.[name] }, () => compareThrowingBuilder(rel, name, build, code, opts.realInitializers));
            continue;
          }
          it(`${name}() agrees with tfjs`, { todo: opts.todo?.[name] }, () => {
            const r = compareBuilder(rel, name, build, opts.realInitializers);
            if (!r) {
              if (opts.builders) assert.fail(`${name}() did not return a tf.LayersModel`);
              return;
            }
            const expected = opts.expectTotals?.[name];
            if (expected !== undefined) assert.equal(r.theirs.total, expected, `tfjs total params of ${name}()`);
          });
        }
      });
    }
  });
}

/** Every `.ts` fixture directly in `dir` (relative to the repository root), sorted. */
export function fixturesIn(dir: string): string[] {
  const abs = path.resolve(REPO_ROOT, dir);
  return fs
    .readdirSync(abs)
    .filter((f) => /\.(ts|js|mts)$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}
