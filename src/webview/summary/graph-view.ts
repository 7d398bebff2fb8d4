/// <reference lib="dom" />
/**
 * Draws a laid-out model graph (graph-layout.ts) as SVG with DOM calls (never markup
 * strings, so no text from the model can become markup). Colours are CSS classes over VS
 * Code theme variables (summary.css): the graph follows the theme, light or dark.
 */
import type { GraphLayout, LaidOutEdge, LaidOutNode, Measure, TextStyle } from './graph-layout';
import { NODE_PADDING_X } from './graph-layout';
import { t } from './strings';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number> = {},
  parent?: Element,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

/** Fonts of the three text styles, from the page's font (the editor's UI font). */
export function canvasMeasure(): Measure {
  const ctx = document.createElement('canvas').getContext('2d');
  const family = getComputedStyle(document.body).fontFamily || 'sans-serif';
  const fonts: Record<TextStyle, string> = {
    title: `600 12px ${family}`,
    subtitle: `11px ${family}`,
    edge: `10.5px ${family}`,
  };
  return (text, style) => {
    if (!ctx) return text.length * 7;
    ctx.font = fonts[style];
    return ctx.measureText(text).width;
  };
}

/** `text`, shortened with `…` to fit `width` pixels. */
function fit(text: string, width: number, style: TextStyle, measure: Measure): string {
  if (measure(text, style) <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${text.slice(0, mid)}…`, style) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

function pathOf(points: Array<{ x: number; y: number }>): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)} ${round(p.y)}`).join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface GraphViewOptions {
  measure: Measure;
  /** A node was clicked (or Enter pressed on it). */
  onActivate: (node: LaidOutNode) => void;
}

/** The `<svg>` of a laid-out graph; nodes carry `data-layer-id` and are focusable. */
export function renderGraph(layout: GraphLayout, opts: GraphViewOptions): SVGSVGElement {
  const svg = el('svg', {
    class: 'graph',
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    width: layout.width,
    height: layout.height,
    role: 'img',
    'aria-label': t('Model graph: {0} layers, {1} connections', layout.nodes.length, layout.edges.length),
    'data-node-count': layout.nodes.length,
    'data-edge-count': layout.edges.length,
  });
  const defs = el('defs', {}, svg);
  const marker = el(
    'marker',
    { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    defs,
  );
  el('path', { d: 'M0 1 L9 5 L0 9 z', class: 'arrow-head' }, marker);

  const edges = el('g', { class: 'edges' }, svg);
  for (const e of layout.edges) drawEdge(e, edges, opts.measure);
  const nodes = el('g', { class: 'nodes' }, svg);
  for (const n of layout.nodes) drawNode(n, nodes, opts);
  return svg;
}

function drawEdge(e: LaidOutEdge, parent: SVGGElement, measure: Measure): void {
  if (e.points.length < 2) return;
  const g = el('g', { class: 'edge', 'data-source': e.source, 'data-target': e.target }, parent);
  el('path', { d: pathOf(e.points), class: 'edge-line', 'marker-end': 'url(#arrow)' }, g);
  if (e.labelBox && e.label) {
    const b = e.labelBox;
    el('rect', { x: round(b.x), y: round(b.y), width: round(b.width), height: round(b.height), rx: 3, class: 'edge-label-box' }, g);
    const t = el(
      'text',
      {
        x: round(b.x + b.width / 2),
        y: round(b.y + b.height / 2),
        class: 'edge-label',
        'text-anchor': 'middle',
        'dominant-baseline': 'central',
      },
      g,
    );
    t.textContent = fit(e.label, b.width, 'edge', measure);
  }
}

function drawNode(n: LaidOutNode, parent: SVGGElement, opts: GraphViewOptions): void {
  const g = el(
    'g',
    {
      class: `node kind-${n.kind} family-${n.family}${n.problem ? ` problem-${n.problem}` : ''}`,
      transform: `translate(${round(n.x)} ${round(n.y)})`,
      tabindex: 0,
      role: 'button',
      'data-layer-id': n.layerId,
      'aria-label': `${n.title}, ${n.subtitle}`,
    },
    parent,
  );
  const title = el('title', {}, g);
  title.textContent = n.detail;
  el('rect', { width: n.width, height: n.height, rx: 6, class: 'node-box' }, g);
  el('rect', { width: 4, height: n.height - 8, x: 4, y: 4, rx: 2, class: 'node-accent' }, g);
  const inner = n.width - 2 * NODE_PADDING_X - 4;
  const t1 = el('text', { x: NODE_PADDING_X + 2, y: 18, class: 'node-title' }, g);
  t1.textContent = fit(n.title, inner, 'title', opts.measure);
  const t2 = el('text', { x: NODE_PADDING_X + 2, y: 34, class: 'node-subtitle' }, g);
  t2.textContent = fit(n.subtitle, inner, 'subtitle', opts.measure);
  g.addEventListener('click', () => opts.onActivate(n));
  g.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      opts.onActivate(n);
    }
  });
}
