/**
 * A model's architecture as a graph, laid out by ELK's layered algorithm (elkjs): layers are
 * nodes, each edge carries the shape flowing along it, branches and merges of functional
 * models get their own columns. Pure (no DOM): text widths come from a `Measure` function
 * (the webview measures with the editor font; tests use `approxMeasure`), and the layout is a
 * plain list of boxes and polylines that src/webview/summary/graph-view.ts draws as SVG.
 */
import type { ELK, ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import type { LayerView, ModelView } from '../../protocol/lsp/models';
import { t } from './strings';

/** Colour family of a node (the CSS class `family-…`). */
export type Family =
  | 'input'
  | 'conv'
  | 'pool'
  | 'dense'
  | 'norm'
  | 'merge'
  | 'recurrent'
  | 'reshape'
  | 'regularize'
  | 'embedding'
  | 'activation'
  | 'model'
  | 'other';

export interface NodeSpec {
  id: string;
  /** The layer id (or input id) the node stands for; reveal messages carry it. */
  layerId: string;
  kind: 'input' | 'layer' | 'model';
  family: Family;
  /** First line: the layer's name. */
  title: string;
  /** Second line: class and parameters, e.g. `Conv2D · 156 params`. */
  subtitle: string;
  /** Longer text for the tooltip. */
  detail: string;
  /** The worst problem the engine reported at this layer. */
  problem?: 'error' | 'warning';
  width: number;
  height: number;
}

export interface EdgeSpec {
  id: string;
  source: string;
  target: string;
  /** The shape on the edge, compact (`28×28×6`). */
  label: string;
}

export type TextStyle = 'title' | 'subtitle' | 'edge';
/** Width in pixels of `text` drawn in `style`. */
export type Measure = (text: string, style: TextStyle) => number;

export interface Point {
  x: number;
  y: number;
}

export interface LaidOutNode extends NodeSpec, Point {}

export interface LaidOutEdge extends EdgeSpec {
  /** From the source's border to the target's border (bend points between). */
  points: Point[];
  labelBox?: Point & { width: number; height: number };
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
}

export const NODE_HEIGHT = 44;
export const NODE_PADDING_X = 14;
export const NODE_MIN_WIDTH = 120;
export const NODE_MAX_WIDTH = 300;
export const EDGE_LABEL_HEIGHT = 16;
export const EDGE_LABEL_PADDING_X = 6;

/** ELK options: top-to-bottom layers, orthogonal edges, straight chains, the model's order kept. */
export const LAYOUT_OPTIONS: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeNode': '16',
  'elk.spacing.edgeEdge': '12',
  'elk.spacing.edgeLabel': '4',
  'elk.layered.spacing.nodeNodeBetweenLayers': '26',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
  'elk.edgeLabels.inline': 'true',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.crossingMinimization.semiInteractive': 'false',
  'elk.layered.thoroughness': '10',
  // Every node as early as it can be: parallel branches line up in rows, a shortcut becomes one long edge.
  'elk.layered.layering.strategy': 'LONGEST_PATH_SOURCE',
};

/** `[null,28,28,6]` → `28×28×6`; `[null,120]` → `120`; several outputs joined by ` | `; unknown → `?`. */
export function compactShape(shape: string): string {
  if (!shape || shape === 'unknown') return '?';
  const parts = shape.match(/\[[^\]]*\]/g);
  if (!parts) return shape;
  return parts
    .map((p) => {
      const dims = p
        .slice(1, -1)
        .split(',')
        .map((d) => d.trim())
        .filter((d) => d !== '');
      const rest = dims.length > 0 && dims[0] === 'null' ? dims.slice(1) : dims;
      if (rest.length === 0) return 'scalar';
      return rest.map((d) => (d === 'null' ? '?' : d)).join('×');
    })
    .join(' | ');
}

export function layerFamily(l: Pick<LayerView, 'className' | 'nested'>): Family {
  const c = l.className.toLowerCase();
  if (l.nested) return 'model';
  if (c === 'inputlayer') return 'input';
  if (c.includes('conv')) return 'conv';
  if (c.includes('pool')) return 'pool';
  if (c === 'dense') return 'dense';
  if (c.includes('normalization')) return 'norm';
  if (/^(add|concatenate|multiply|average|maximum|minimum|subtract|dot)$/.test(c)) return 'merge';
  if (/lstm|gru|rnn|recurrent|bidirectional/.test(c)) return 'recurrent';
  if (/^(flatten|reshape|permute|repeatvector|cropping\w*|zeropadding\w*|upsampling\w*)$/.test(c)) return 'reshape';
  if (/dropout|noise/.test(c)) return 'regularize';
  if (c.includes('embedding')) return 'embedding';
  if (/activation|relu|softmax|elu|prelu/.test(c)) return 'activation';
  return 'other';
}

function formatCount(n: number | null): string {
  return n === null ? 'unknown' : n.toLocaleString('en-US');
}

/**
 * The worst problem reported at each layer (a diagnostic whose range starts where the layer's
 * location starts), by layer id.
 */
export function layerProblems(model: ModelView): Map<string, 'error' | 'warning'> {
  const out = new Map<string, 'error' | 'warning'>();
  for (const d of model.diagnostics) {
    if (d.severity === 'info' || !d.location) continue;
    const at = d.location;
    for (const l of model.layers) {
      const loc = l.location;
      if (
        !loc ||
        loc.uri !== at.uri ||
        loc.range.start.line !== at.range.start.line ||
        loc.range.start.character !== at.range.start.character
      )
        continue;
      if (out.get(l.id) !== 'error') out.set(l.id, d.severity);
    }
  }
  return out;
}

/** Nodes and edges of a model, before layout. Edges whose source is unknown are dropped. */
export function graphOf(model: ModelView): { nodes: Array<Omit<NodeSpec, 'width' | 'height'>>; edges: EdgeSpec[] } {
  const nodes: Array<Omit<NodeSpec, 'width' | 'height'>> = [];
  const shapeOf = new Map<string, string>();
  const problems = layerProblems(model);
  for (const i of model.inputs) {
    nodes.push({
      id: i.id,
      layerId: i.id,
      kind: 'input',
      family: 'input',
      title: i.name,
      subtitle: t('Input · {0}', compactShape(i.shape)),
      detail: t('{0}: input {1}', i.name, i.shape),
    });
    shapeOf.set(i.id, i.shape);
  }
  for (const l of model.layers) {
    const family = layerFamily(l);
    const params = l.params === 0 || family === 'input' ? '' : t(' · {0} params', formatCount(l.params));
    const subtitle = family === 'input' ? t('Input · {0}', compactShape(l.outputShape)) : `${l.className}${params}`;
    const detail = [
      `${l.name} (${l.className})${l.where ? t(' — line {0}', l.where) : ''}`,
      `${l.inputShapes.join(', ') || '—'} → ${l.outputShape}`,
      `${t('params: {0}', formatCount(l.params))}${l.paramFormula ? ` = ${l.paramFormula}` : ''}`,
      t('MACs: {0}', formatCount(l.macs)),
    ].join('\n');
    const node: Omit<NodeSpec, 'width' | 'height'> = {
      id: l.id,
      layerId: l.id,
      kind: l.nested ? 'model' : family === 'input' ? 'input' : 'layer',
      family,
      title: l.name,
      subtitle,
      detail,
    };
    const problem = problems.get(l.id);
    if (problem) node.problem = problem;
    nodes.push(node);
    shapeOf.set(l.id, l.outputShape);
  }
  const known = new Set(nodes.map((n) => n.id));
  const edges: EdgeSpec[] = [];
  for (const l of model.layers) {
    for (const src of l.inbound) {
      if (!known.has(src) || src === l.id) continue;
      const id = `${src}->${l.id}`;
      if (edges.some((e) => e.id === id)) continue;
      edges.push({ id, source: src, target: l.id, label: compactShape(shapeOf.get(src) ?? 'unknown') });
    }
  }
  return { nodes, edges };
}

/** The ELK input graph of a model: sized nodes, labelled edges, LAYOUT_OPTIONS. */
export function toElkGraph(model: ModelView, measure: Measure): { graph: ElkNode; nodes: NodeSpec[]; edges: EdgeSpec[] } {
  const g = graphOf(model);
  const nodes: NodeSpec[] = g.nodes.map((n) => {
    const text = Math.max(measure(n.title, 'title'), measure(n.subtitle, 'subtitle'));
    const width = Math.round(Math.min(NODE_MAX_WIDTH, Math.max(NODE_MIN_WIDTH, text + 2 * NODE_PADDING_X + 6)));
    return { ...n, width, height: NODE_HEIGHT };
  });
  const graph: ElkNode = {
    id: `graph:${model.id}`,
    layoutOptions: { ...LAYOUT_OPTIONS },
    children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: g.edges.map((e): ElkExtendedEdge => ({
      id: e.id,
      sources: [e.source],
      targets: [e.target],
      labels: [
        {
          id: `${e.id}:label`,
          text: e.label,
          width: Math.ceil(measure(e.label, 'edge') + 2 * EDGE_LABEL_PADDING_X),
          height: EDGE_LABEL_HEIGHT,
          layoutOptions: { 'elk.edgeLabels.placement': 'CENTER' },
        },
      ],
    })),
  };
  return { graph, nodes, edges: g.edges };
}

/** Reads ELK's result back into boxes and polylines. */
export function fromElk(result: ElkNode, nodes: NodeSpec[], edges: EdgeSpec[]): GraphLayout {
  const placed = new Map((result.children ?? []).map((c) => [c.id, c]));
  const laidNodes: LaidOutNode[] = nodes.map((n) => {
    const c = placed.get(n.id);
    return { ...n, x: c?.x ?? 0, y: c?.y ?? 0, width: c?.width ?? n.width, height: c?.height ?? n.height };
  });
  const byId = new Map(((result.edges ?? []) as ElkExtendedEdge[]).map((e) => [e.id, e]));
  const laidEdges: LaidOutEdge[] = edges.map((e) => {
    const r = byId.get(e.id);
    const points: Point[] = [];
    for (const s of r?.sections ?? []) {
      if (points.length === 0) points.push(s.startPoint);
      points.push(...(s.bendPoints ?? []), s.endPoint);
    }
    const label = r?.labels?.[0];
    const out: LaidOutEdge = { ...e, points };
    if (label && label.x !== undefined && label.y !== undefined)
      out.labelBox = { x: label.x, y: label.y, width: label.width ?? 0, height: label.height ?? 0 };
    return out;
  });
  return { width: Math.ceil(result.width ?? 0), height: Math.ceil(result.height ?? 0), nodes: laidNodes, edges: laidEdges };
}

/** Lays out `model` with `elk` (an `new ELK()` from elkjs). */
export async function layoutModel(elk: Pick<ELK, 'layout'>, model: ModelView, measure: Measure): Promise<GraphLayout> {
  const { graph, nodes, edges } = toElkGraph(model, measure);
  const result = await elk.layout(graph);
  return fromElk(result, nodes, edges);
}

/** A rough text width (no font at hand): 7 px per character for titles, 6.5 for the rest. */
export const approxMeasure: Measure = (text, style) => text.length * (style === 'title' ? 7.2 : 6.5);
