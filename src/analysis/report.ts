/**
 * From the model instances a run created to the ModelGraphs a file reports: which
 * instances are reported (one per call site, plus builder variants), their names, and
 * the plain graph data with totals and diagnostics.
 */
import { ts } from 'ts-morph';
import type { LayerNode, ModelGraph, OutputShape, Shape } from './graph';
import { functionName } from './interpret/interpreter';
import type { FunctionNode } from './interpret/values';
import { product, sum } from './layers/rule';
import { lintModel } from './lint/checks';
import { ModelInstance } from './tfjs/models';
import type { Session } from './tfjs/session';
import { tensorRef, totalsOf } from './tfjs/symbolic';

/**
 * Which model instances a file reports. Each creating call site yields the model of the
 * first time it ran. A site reached again from another entry function with a different
 * architecture (`smallNet()` calling `buildNet(0.25)`) also yields that variant, named
 * after the entry function, so each builder a user calls has its model.
 */
export function modelsToReport(instances: ModelInstance[]): { model: ModelInstance; name?: string }[] {
  const bySite = new Map<ts.Node, ModelInstance[]>();
  for (const m of instances) {
    const list = bySite.get(m.createdAt);
    if (list) list.push(m);
    else bySite.set(m.createdAt, [m]);
  }
  const out: { model: ModelInstance; name?: string; order: number }[] = [];
  const buildsItsOwn = (fn: ts.Node) => instances.some((m) => m.createdAt !== fn && isInside(m.createdAt, fn));
  for (const [site, list] of bySite) {
    const first = list[0];
    out.push({ model: first, order: site.getStart() });
    const names = new Set([modelName(first)]);
    const signatures = new Set([signature(first)]);
    for (const m of list.slice(1)) {
      // Only an entry that builds no model of its own returns this variant; otherwise it is a component.
      if (!m.entry || (!ts.isFunctionDeclaration(m.entry) && !ts.isVariableDeclaration(m.entry.parent)) || buildsItsOwn(m.entry)) continue;
      const name = functionName(m.entry as FunctionNode);
      const sig = signature(m);
      if (names.has(name) || signatures.has(sig)) continue;
      names.add(name);
      signatures.add(sig);
      out.push({ model: m, name, order: site.getStart() });
    }
  }
  return out.sort((a, b) => a.order - b.order).map(({ model, name }) => ({ model, name }));
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
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
    totals: {
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
