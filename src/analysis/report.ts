/**
 * From the model instances a run created to the ModelGraphs a file reports: which
 * instances are reported (one per call site, plus builder variants), their names, and
 * the plain graph data with totals and diagnostics.
 */
import * as path from 'node:path';
import { ts } from 'ts-morph';
import type { LayerNode, ModelGraph, OutputShape, Shape } from './graph';
import { functionName } from './interpret/interpreter';
import type { FunctionNode } from './interpret/values';
import { product, sum } from './layers/rule';
import { lintModel } from './lint/checks';
import { ModelInstance } from './tfjs/models';
import type { Session } from './tfjs/session';
import { tensorRef, totalsOf } from './tfjs/symbolic';

/** A model a file reports: an instance of its creating site, or a variant of one. */
export interface Reported {
  model: ModelInstance;
  /** Overrides the model's own name (the variable or function holding it). */
  name?: string;
  /** Set for a variant: a model the site builds only in another context (a test, another program). */
  variant?: { of: string; context: string; condition?: string };
  /** Where the numbers came from when another file's program built it: `train.ts:12`. */
  via?: string;
}

/**
 * Which model instances a file reports. Each creating site reports the distinct
 * architectures its first context (the program that reached it first: a package.json
 * entry, another program, the file itself, a test — in that order) built: one when it
 * built one, each named by the variable its builder's result is bound to (`small`,
 * `large`) when it built several. Architectures the site builds only in later contexts
 * (a test's arguments) follow as variants of the first. Sites in source order; the
 * variants after every site's instances.
 */
export function modelsToReport(instances: ModelInstance[], root = ''): Reported[] {
  const bySite = new Map<ts.Node, ModelInstance[]>();
  for (const m of instances) {
    const list = bySite.get(m.createdAt);
    if (list) list.push(m);
    else bySite.set(m.createdAt, [m]);
  }
  const sites = [...bySite.keys()].sort((a, b) => a.getStart() - b.getStart());
  const out: Reported[] = [];
  const variants: Reported[] = [];
  for (const site of sites) {
    const all = bySite.get(site)!;
    // An empty Sequential where another run of the same site added layers is that model before its layers.
    const filled = all.filter((m) => !isEmptySequential(m));
    const list = filled.length ? filled : all.slice(0, 1);
    const first = contextKey(list[0]);
    const primary = distinct(list.filter((m) => contextKey(m) === first));
    const names = instanceNames(primary, root);
    primary.forEach((m, i) => out.push({ model: m, ...(names[i] !== undefined ? { name: names[i] } : {}), ...viaOf(m, root) }));
    const seen = new Set(primary.map(signature));
    const base = names[0] ?? modelName(primary[0]);
    const taken = new Set([base, ...names.filter((n): n is string => n !== undefined), ...primary.map(modelName)]);
    for (const m of distinct(list.filter((x) => contextKey(x) !== first))) {
      if (seen.has(signature(m))) continue;
      seen.add(signature(m));
      const where = contextCall(m, root);
      // The variable the context binds it to (`const tiny = buildModel(…)` in a test), else where it is called.
      const inContext = m.callChain.filter((c) => c.getSourceFile().fileName === m.context?.file);
      const bound = inContext.reverse().map(bindingOf).find((n) => n !== undefined && !taken.has(n));
      const name = bound ?? `${base} via ${where}`;
      taken.add(name);
      variants.push({ model: m, name, variant: { of: base, context: where } });
    }
  }
  return [...out, ...variants];
}

function isSuperCall(node: ts.Node): boolean {
  return ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword;
}

function isEmptySequential(m: ModelInstance): boolean {
  return m.kind === 'sequential' && m.layers.length === 0;
}

function contextKey(m: ModelInstance): string {
  return m.context ? `${m.context.kind}:${m.context.file}` : '';
}

/** Instances with the architectures not seen before, in creation order. */
function distinct(list: ModelInstance[]): ModelInstance[] {
  const seen = new Set<string>();
  return list.filter((m) => {
    const s = signature(m);
    if (seen.has(s)) return false;
    seen.add(s);
    return true;
  });
}

/**
 * Names for the instances of one site: none when there is one (the model keeps its own
 * name). Else the innermost binding on each instance's way in that no other instance
 * shares (`const small = buildMlp([64])`), an entry function's name (`smallNet()`), or
 * the builder's name with the call that differs (`buildMlp via train.ts:12`).
 */
function instanceNames(list: ModelInstance[], root: string): (string | undefined)[] {
  if (list.length < 2) return [undefined];
  const candidates = list.map((m) => [...m.callChain].reverse().map(bindingOf).filter((n): n is string => n !== undefined));
  const taken = new Set<string>();
  return list.map((m, i) => {
    const counts = (n: string) => candidates.filter((c) => c.includes(n)).length;
    let name = candidates[i].find((n) => counts(n) === 1 && !taken.has(n));
    if (name === undefined) {
      const differing = m.callChain.find((call, level) => list.some((o, j) => j !== i && o.callChain[level] !== call));
      name = `${modelName(m)}${differing ? ` via ${where(differing, root)}` : ''}`;
    }
    for (let k = 2; taken.has(name); k++) name = `${name.replace(/ #\d+$/, '')} #${k}`;
    taken.add(name);
    return name;
  });
}

/** The name a call's result is bound to (`const small = build()`, `this.encoder = build()`), or an entry function's own. */
function bindingOf(call: ts.Node): string | undefined {
  if (ts.isFunctionLike(call)) return ts.isFunctionDeclaration(call) || ts.isVariableDeclaration(call.parent) ? functionName(call as FunctionNode) : undefined;
  let n: ts.Node = call;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isAwaitExpression(p) || ts.isSatisfiesExpression(p)) continue;
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText();
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === n) {
      if (ts.isIdentifier(p.left)) return p.left.text;
      if (ts.isPropertyAccessExpression(p.left)) return p.left.name.text;
    }
    return undefined;
  }
  return undefined;
}

/** `train.ts:12`: a node's file (relative to the project) and line. */
function where(node: ts.Node, root: string): string {
  const sf = node.getSourceFile();
  const file = root ? path.relative(root, sf.fileName) : path.basename(sf.fileName);
  return `${file.split(path.sep).join('/')}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
}

/** The call in the context's own file that led to the model (`train.ts:12`), or the context file. */
function contextCall(m: ModelInstance, root: string): string {
  const file = m.context?.file;
  // The innermost call there: the one that passes the arguments.
  const call = [...m.callChain].reverse().find((c) => c.getSourceFile().fileName === file);
  if (call) return where(call, root);
  const rel = file ? (root ? path.relative(root, file) : path.basename(file)) : '?';
  return rel.split(path.sep).join('/');
}

/** For an instance built by another file's program: where its numbers came from. */
function viaOf(m: ModelInstance, root: string): { via?: string } {
  if (!m.context || m.context.kind === 'self' || m.context.file === m.createdAt.getSourceFile().fileName) return {};
  return { via: contextCall(m, root) };
}

/** Architecture fingerprint: layer classes, output shapes and parameter counts. */
function signature(m: ModelInstance): string {
  return JSON.stringify(m.layers.map((l) => [l.className, l.node.outputShape, l.paramCounts().total]));
}


/* ---------------------------------------------------------------- ModelGraph */

export function toGraph(m: ModelInstance, session: Session, batchSize: number): ModelGraph {
  const layers: LayerNode[] = m.layers.map((l) => {
    if (l instanceof ModelInstance) {
      const shapes = l.outputs.map((o) => o.shape);
      const outputShape = shapes.some((s) => s === null) ? null : shapes.length === 1 ? (shapes[0] as Shape) : (shapes as Shape[]);
      return { ...l.node, params: l.paramCounts(), macs: l.macs(), outputShape: l.node.outputShape ?? outputShape, nestedModelId: l.node.id };
    }
    return { ...l.node, params: l.paramCounts() };
  });
  const totals = totalsOf(m.layers);
  // The model's inputs once, then every layer's outputs (an InputLayer's output is an input).
  const elements = (s: Shape | null) => (s ? product(s.slice(1)) : null);
  const activations = sum([
    ...m.inputs.map((t) => elements(t.shape)),
    ...layers.filter((l) => l.className !== 'InputLayer').flatMap((l) => outputShapesOf(l.outputShape).map(elements)),
  ]);
  const params = m.paramCounts();
  const layerIds = new Set(collectLayerIds(m));
  const diagnostics = session.diagnostics.filter((d) => d.modelId === m.node.id || (d.layerId !== undefined && layerIds.has(d.layerId)));
  if (m.uncertain) {
    diagnostics.push({
      severity: 'info',
      code: 'conditional-layers',
      message: `Some layers of ${m.name} are added under a condition whose value is not known statically; the analysis follows every branch.`,
      range: session.range(m.createdAt),
    });
  }
  if (isEmptySequential(m)) {
    // tfjs would count 0, but no program builds an empty model on purpose: its layers come from code not reached.
    diagnostics.push({
      severity: 'info',
      code: 'no-layers-added',
      message: `No code the analysis runs adds layers to ${modelName(m)}: they are added by code it does not reach (a method or function nothing calls with known arguments, or a loop over data), so its layers and size are not known.`,
      range: session.range(m.createdAt),
    });
  }
  const unknownSize = isEmptySequential(m);
  const graph: ModelGraph = {
    id: m.node.id,
    name: modelName(m),
    kind: m.kind,
    range: session.range(m.createdAt),
    layers,
    inputShapes: m.inputs.map((t) => t.shape ?? []),
    outputShapes: m.outputs.map((t) => t.shape ?? []),
    inputs: m.inputs.map(tensorRef),
    outputs: m.outputs.map(tensorRef),
    totals: unknownSize
      ? { total: null, trainable: null, nonTrainable: null, macs: null, paramBytes: null, activationsPerSample: null, batchSize, activationBytes: null }
      : {
          total: params.total,
          trainable: params.trainable,
          nonTrainable: params.nonTrainable,
          macs: totals.macs,
          paramBytes: params.total === null ? null : params.total * 4,
          activationsPerSample: activations,
          batchSize,
          activationBytes: activations === null ? null : activations * batchSize * 4,
        },
    compile: m.compileConfig,
    fitSites: [...m.fitSites],
    diagnostics,
  };
  graph.diagnostics.push(...lintModel(graph));
  return graph;
}

function outputShapesOf(s: OutputShape | null): (Shape | null)[] {
  if (s === null) return [null];
  return s.length > 0 && Array.isArray(s[0]) ? (s as Shape[]) : [s as Shape];
}

function collectLayerIds(m: ModelInstance): string[] {
  return m.layers.flatMap((l) => (l instanceof ModelInstance ? [l.node.id, ...collectLayerIds(l)] : [l.node.id]));
}

/** The name a user knows the model by: the variable it is stored in, or the function returning it. */
export function modelName(m: ModelInstance): string {
  if (isSuperCall(m.createdAt)) {
    // An instance of a user class extending tf.Sequential: named by what its `new` is bound to, else by its class.
    const bound = [...m.callChain].reverse().filter(ts.isNewExpression).map(bindingOf).find((b) => b !== undefined);
    if (bound) return bound;
    const cls = ts.findAncestor(m.createdAt, ts.isClassLike);
    if (cls?.name && m.name.startsWith(m.kind === 'sequential' ? 'sequential_' : 'model')) return cls.name.text;
  }
  let n: ts.Node = m.createdAt;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isAwaitExpression(p) || ts.isSatisfiesExpression(p)) continue;
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText();
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = p.left;
      if (ts.isIdentifier(left)) return left.text;
      if (ts.isPropertyAccessExpression(left)) return left.name.text;
      break;
    }
    if (ts.isReturnStatement(p)) {
      for (let q: ts.Node | undefined = p.parent; q; q = q.parent) {
        if (ts.isFunctionLike(q)) return functionName(q as FunctionNode);
      }
      break;
    }
    if (ts.isArrowFunction(p) && p.body === n) return functionName(p);
    break;
  }
  return m.name;
}
