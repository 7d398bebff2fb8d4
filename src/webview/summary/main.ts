/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The summary webview page (bundled by esbuild.mjs into dist/webview/summary.js, loaded by
 * src/client/summary-panel.ts): for the file's models, a model picker, the totals, the
 * tfjs-style summary table (click a row to reveal the layer's source line) and the
 * architecture graph, laid out here with elkjs and drawn as SVG.
 *
 * Why ELK runs here and not in the extension host: node sizes depend on text widths, which
 * only the page can measure in the theme's font; the layout of a large model (ResNet-50:
 * 177 nodes and 192 labelled edges, 1–3 s) then runs in the webview's own process, in a Web
 * Worker, and never blocks the extension host that every other extension shares (nor this
 * page: the table stays usable meanwhile); and the extension host bundle stays small.
 *
 * Every message from the extension is validated (src/protocol/pages/summary.ts) before use.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import ELK from 'elkjs/lib/elk-api.js';
import type { DiagnosticView, FileModelsResult, ModelView } from '../../protocol/lsp/models';
import { type FromWebview, parseToWebview } from '../../protocol/pages/summary';
import { type GraphLayout, layerProblems, layoutModel } from './graph-layout';
import { canvasMeasure, renderGraph } from './graph-view';
import { setLocale, t } from './strings';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface PageState {
  /** The shown model's name (ids change between analyses; names do not). */
  model?: string;
  tab?: number;
  zoom?: number;
}

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
/** ELK in a Web Worker (layouts of large models take seconds; the page stays responsive). */
const elk = layoutEngine();
let measure: ReturnType<typeof canvasMeasure> | undefined;
let data: FileModelsResult | undefined;
let state: PageState = readState();
let selectedLayerId: string | undefined;
/** Layouts by model id and data version, so switching models back and forth is instant. */
const layouts = new Map<string, Promise<GraphLayout>>();
let version = 0;

/**
 * elkjs's API on this page, its engine (dist/webview/elk-worker.js, named by the page's
 * `layer-lens-elk-worker` meta tag) in a worker. The script is fetched and started from a
 * blob: URL, because a worker's script must be same-origin and webview resources are not.
 */
function layoutEngine(): { layout: InstanceType<typeof ELK>['layout'] } {
  const url = document.querySelector('meta[name="layer-lens-elk-worker"]')?.getAttribute('content');
  const blobUrl = (async () => {
    if (!url) throw new Error('no layout worker configured');
    const response = await fetch(url);
    if (!response.ok) throw new Error(`loading the layout engine failed (${response.status})`);
    return URL.createObjectURL(new Blob([await response.text()], { type: 'text/javascript' }));
  })();
  let engine: Promise<InstanceType<typeof ELK>> | undefined;
  return {
    layout: async (graph, args) => {
      engine ??= blobUrl.then((u) => new ELK({ workerFactory: () => new Worker(u) }));
      const elkApi = await engine;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the layout took longer than 60 s')), 60_000);
      });
      try {
        return await Promise.race([elkApi.layout(graph, args), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function readState(): PageState {
  const s = vscode.getState();
  if (typeof s !== 'object' || s === null) return {};
  const r = s as Record<string, unknown>;
  return {
    model: typeof r.model === 'string' ? r.model : undefined,
    tab: typeof r.tab === 'number' && Number.isInteger(r.tab) ? r.tab : undefined,
    zoom: typeof r.zoom === 'number' && Number.isFinite(r.zoom) ? r.zoom : undefined,
  };
}

function saveState(patch: PageState): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string>,
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K];
function h(tag: string, attrs?: Record<string, string>, ...children: Array<Node | string>): HTMLElement;
function h(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function count(n: number | null): string {
  return n === null ? t('unknown') : n.toLocaleString('en-US');
}

function bytes(n: number | null): string {
  if (n === null) return t('unknown');
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function compact(n: number | null): string {
  if (n === null) return t('unknown');
  for (const [size, unit] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ] as const) {
    if (Math.abs(n) >= size) return `${(n / size).toFixed(1)} ${unit}`;
  }
  return String(n);
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseToWebview(event.data);
  if (!parsed.ok) {
    console.warn(`Layer Lens summary: ignored an invalid message: ${parsed.error}`);
    return;
  }
  const msg = parsed.value;
  setLocale(msg.locale);
  if (msg.type === 'empty') {
    data = undefined;
    app.replaceChildren(h('p', { class: 'placeholder' }, msg.message));
    app.removeAttribute('aria-busy');
    return;
  }
  data = msg.data;
  version++;
  layouts.clear();
  const chosen =
    (msg.selectedId && data.models.find((m) => m.id === msg.selectedId)) ||
    (state.model !== undefined && data.models.find((m) => m.name === state.model)) ||
    data.models[0];
  if (msg.selectedId) saveState({ model: chosen?.name });
  render(chosen);
});

function render(model: ModelView | undefined): void {
  app.removeAttribute('aria-busy');
  if (!data || !model) {
    app.replaceChildren(h('p', { class: 'placeholder' }, t('No model to show.')));
    return;
  }
  measure ??= canvasMeasure();
  const header = renderHeader(data, model);
  const tabs = document.createElement('vscode-tabs');
  tabs.setAttribute('selected-index', String(Math.min(state.tab ?? 0, model.diagnostics.length > 0 ? 2 : 1)));
  tabs.addEventListener('vsc-tabs-select', (ev) => {
    const index = (ev as CustomEvent<{ selectedIndex: number }>).detail?.selectedIndex;
    if (typeof index === 'number') saveState({ tab: index });
  });
  tabs.append(
    h(
      'vscode-tab-header',
      { slot: 'header', 'data-tab': 'layers' },
      t('Layers '),
      h('vscode-badge', { variant: 'counter' }, String(model.layers.length)),
    ),
    h('vscode-tab-panel', { class: 'panel-layers', 'data-panel': 'layers' }, renderTable(model), renderTotals(model)),
    h('vscode-tab-header', { slot: 'header', 'data-tab': 'graph' }, t('Graph')),
    h('vscode-tab-panel', { class: 'panel-graph', 'data-panel': 'graph' }, renderGraphPanel(model)),
  );
  const problems = [...model.diagnostics, ...(data.diagnostics ?? [])];
  if (problems.length > 0) {
    tabs.append(
      h(
        'vscode-tab-header',
        { slot: 'header', 'data-tab': 'problems' },
        t('Problems '),
        h('vscode-badge', { variant: 'counter' }, String(problems.length)),
      ),
      h(
        'vscode-tab-panel',
        { class: 'panel-problems', 'data-panel': 'problems' },
        renderProblems(model, model.diagnostics, data.diagnostics),
      ),
    );
  }
  app.replaceChildren(header, tabs);
  // The tab panels take the height the header leaves (it wraps in a narrow panel).
  new ResizeObserver(() =>
    document.documentElement.style.setProperty('--ll-header-height', `${Math.ceil(header.getBoundingClientRect().bottom)}px`),
  ).observe(header);
}

function renderHeader(file: FileModelsResult, model: ModelView): HTMLElement {
  const title = h('div', { class: 'title-row' });
  if (file.models.length > 1) {
    const select = document.createElement('vscode-single-select');
    select.setAttribute('aria-label', t('Model'));
    select.classList.add('model-select');
    file.models.forEach((m) => {
      const option = h(
        'vscode-option',
        { value: m.id, description: t('{0}, line {1}', m.kind, m.line) },
        t('{0} (line {1})', m.name, m.line),
      );
      if (m.id === model.id) option.setAttribute('selected', '');
      select.append(option);
    });
    select.addEventListener('change', () => {
      const id = (select as unknown as { value: string }).value;
      const next = data?.models.find((m) => m.id === id);
      if (next) {
        saveState({ model: next.name });
        selectedLayerId = undefined;
        render(next);
      }
    });
    title.append(select);
  } else {
    title.append(h('h1', { class: 'model-name' }, model.name));
  }
  const where = h('a', { href: '#', class: 'where', title: t('Reveal the model in the editor') }, `${file.path}:${model.line}`);
  where.addEventListener('click', (ev) => {
    ev.preventDefault();
    vscode.postMessage({ type: 'reveal', modelId: model.id });
  });
  title.append(h('span', { class: 'kind' }, model.kind === 'sequential' ? t('Sequential') : t('Functional')), where);

  const copy = h('vscode-button', { secondary: '', title: t('Copy the model.summary()-style text'), id: 'copy-text' }, t('Copy as text'));
  copy.addEventListener('click', () => vscode.postMessage({ type: 'copyText', modelId: model.id }));
  const open = h('vscode-button', { secondary: '', title: t('Open the text summary in an editor'), id: 'open-text' }, t('Open as text'));
  open.addEventListener('click', () => vscode.postMessage({ type: 'openText', modelId: model.id }));
  title.append(h('span', { class: 'spacer' }), copy, open);

  const totals = model.totals;
  const stat = (label: string, value: string, tip?: string) =>
    h(
      'div',
      { class: 'stat', ...(tip ? { title: tip } : {}) },
      h('span', { class: 'stat-value' }, value),
      h('span', { class: 'stat-label' }, label),
    );
  const stats = h(
    'div',
    { class: 'stats' },
    stat(t('params'), count(totals.params), t('{0} trainable, {1} non-trainable', count(totals.trainable), count(totals.nonTrainable))),
    stat(t('fp32 weights'), bytes(totals.paramBytes)),
    stat(t('MACs / sample'), compact(totals.macs), t('{0} multiply-accumulates per sample', count(totals.macs))),
    stat(
      t('activations @ batch {0}', totals.batchSize),
      bytes(totals.activationBytes),
      t('{0} values per sample', count(totals.activationsPerSample)),
    ),
    stat(t('inputs → outputs'), `${model.inputShapes.join(', ') || '—'} → ${model.outputShapes.join(', ') || '—'}`),
  );
  return h('header', { class: 'header' }, title, stats);
}

function renderTable(model: ModelView): HTMLElement {
  const table = document.createElement('vscode-table');
  table.setAttribute('zebra', '');
  table.setAttribute('bordered-rows', '');
  table.setAttribute('resizable', '');
  table.classList.add('layers-table');
  fitColumns(table);
  const header = h('vscode-table-header', { slot: 'header' });
  [t('Layer'), t('Type'), t('Output shape'), t('Params'), t('MACs'), t('Line')].forEach((c, i) =>
    header.append(h('vscode-table-header-cell', i >= 3 && i <= 4 ? { class: 'num' } : {}, c)),
  );
  const body = h('vscode-table-body', { slot: 'body' });
  const problems = layerProblems(model);
  for (const l of model.layers) {
    const row = h('vscode-table-row', {
      'data-layer-id': l.id,
      tabindex: '0',
      title: `${l.name}: ${l.inputShapes.join(', ') || '—'} → ${l.outputShape}${l.paramFormula ? `\n${t('params = {0}', l.paramFormula)}` : ''}\n${t('Click to reveal the source')}`,
    });
    if (l.id === selectedLayerId) row.classList.add('selected');
    const problem = problems.get(l.id);
    if (problem) row.classList.add(`problem-${problem}`);
    row.append(
      h('vscode-table-cell', { class: 'name' }, ...breakable(l.name)),
      h('vscode-table-cell', {}, l.className + (l.trainable ? '' : t(' (frozen)'))),
      h('vscode-table-cell', { class: 'shape' }, ...breakable(l.outputShape)),
      h('vscode-table-cell', { class: 'num' }, count(l.params)),
      h('vscode-table-cell', { class: 'num' }, compact(l.macs)),
      h('vscode-table-cell', { class: 'line' }, l.where),
    );
    const activate = () => selectLayer(model, l.id, true);
    row.addEventListener('click', activate);
    row.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') activate();
    });
    body.append(row);
  }
  table.append(header, body);
  return table;
}

const COLUMN_WIDTHS = ['27%', '15%', '19%', '14%', '15%', '10%'];

/**
 * vscode-table turns percentages into widths only while it has a width (not in a hidden
 * tab): set them whenever it gets one.
 */
function fitColumns(table: HTMLElement): void {
  let lastWidth = 0;
  const observer = new ResizeObserver(() => {
    if (!table.isConnected) return observer.disconnect();
    const width = table.getBoundingClientRect().width;
    if (width > 0 && lastWidth === 0) {
      // After the table's own resize observer has seen the width.
      setTimeout(() => ((table as unknown as { columns: string[] }).columns = COLUMN_WIDTHS), 0);
    }
    lastWidth = width;
  });
  observer.observe(table);
}

/** Text with line-break opportunities after `_` and `,` (long layer names and shapes wrap there). */
function breakable(text: string): Array<Node | string> {
  const out: Array<Node | string> = [];
  for (const part of text.split(/(?<=[_,])/)) {
    if (out.length > 0) out.push(document.createElement('wbr'));
    out.push(part);
  }
  return out;
}

function renderTotals(model: ModelView): HTMLElement {
  const totals = model.totals;
  const line = (label: string, value: string) =>
    h('div', { class: 'total' }, h('span', { class: 'total-label' }, label), h('span', { class: 'total-value' }, value));
  return h(
    'div',
    { class: 'totals' },
    line(t('Total params'), t('{0} ({1} fp32)', count(totals.params), bytes(totals.paramBytes))),
    line(t('Trainable params'), count(totals.trainable)),
    line(t('Non-trainable params'), count(totals.nonTrainable)),
    line(t('MACs per sample'), count(totals.macs)),
    line(
      t('Activations'),
      t(
        '{0} values per sample ({1} fp32 at batch {2})',
        count(totals.activationsPerSample),
        bytes(totals.activationBytes),
        totals.batchSize,
      ),
    ),
    ...(model.optimizer || model.loss ? [line(t('Compiled with'), [model.optimizer, model.loss].filter(Boolean).join(', '))] : []),
  );
}

function renderGraphPanel(model: ModelView): HTMLElement {
  const scroller = h('div', { class: 'graph-scroll' }, h('p', { class: 'placeholder' }, t('Laying out the graph…')));
  const zoomLabel = h('span', { class: 'zoom-label' }, '100%');
  const button = (label: string, title: string, id: string) => h('vscode-button', { secondary: '', title, id }, label);
  const zoomOut = button('−', t('Zoom out'), 'zoom-out');
  const zoomIn = button('+', t('Zoom in'), 'zoom-in');
  const fitBtn = button(t('Fit'), t('Fit the graph in the view'), 'zoom-fit');
  const actual = button('100%', t('Actual size'), 'zoom-reset');
  const toolbar = h(
    'div',
    { class: 'graph-toolbar' },
    zoomOut,
    zoomLabel,
    zoomIn,
    fitBtn,
    actual,
    h('span', { class: 'hint' }, t('Click a layer to reveal its source')),
  );
  const panel = h('div', { class: 'graph-panel' }, toolbar, scroller);

  const myVersion = version;
  let layout: GraphLayout | undefined;
  let svg: SVGSVGElement | undefined;
  let zoom = state.zoom ?? 1;
  /** Until the user zooms, the graph fits the panel's width (never above 100%). */
  let userZoomed = state.zoom !== undefined;
  const applyZoom = (z: number, byUser = true) => {
    userZoomed ||= byUser;
    zoom = Math.min(4, Math.max(0.05, z));
    zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
    if (svg && layout) {
      svg.setAttribute('width', String(Math.ceil(layout.width * zoom)));
      svg.setAttribute('height', String(Math.ceil(layout.height * zoom)));
    }
    if (byUser) saveState({ zoom });
  };
  const fitWidth = () => {
    if (layout && scroller.clientWidth > 0) applyZoom(Math.min(1, (scroller.clientWidth - 8) / layout.width), false);
  };
  new ResizeObserver(() => {
    if (!userZoomed) fitWidth();
  }).observe(scroller);
  const fitZoom = () => {
    if (!layout) return;
    const w = scroller.clientWidth - 8;
    const hgt = scroller.clientHeight - 8;
    if (w > 0 && hgt > 0) applyZoom(Math.min(w / layout.width, hgt / layout.height, 1));
  };
  zoomOut.addEventListener('click', () => applyZoom(zoom / 1.25));
  zoomIn.addEventListener('click', () => applyZoom(zoom * 1.25));
  fitBtn.addEventListener('click', fitZoom);
  actual.addEventListener('click', () => applyZoom(1));
  scroller.addEventListener(
    'wheel',
    (ev) => {
      if (!ev.ctrlKey) return;
      ev.preventDefault();
      applyZoom(zoom * (ev.deltaY < 0 ? 1.1 : 1 / 1.1));
    },
    { passive: false },
  );

  let pending = layouts.get(model.id);
  if (!pending) {
    pending = layoutModel(elk, model, measure!);
    layouts.set(model.id, pending);
  }
  pending.then(
    (result) => {
      if (myVersion !== version || !scroller.isConnected) return;
      layout = result;
      svg = renderGraph(result, { measure: measure!, onActivate: (n) => selectLayer(model, n.layerId, true) });
      scroller.replaceChildren(svg);
      if (userZoomed) applyZoom(zoom, false);
      else fitWidth();
      markSelected();
    },
    (err: unknown) => {
      scroller.replaceChildren(
        h('p', { class: 'placeholder error' }, t('The graph could not be laid out: {0}', err instanceof Error ? err.message : String(err))),
      );
    },
  );
  return panel;
}

function renderProblems(model: ModelView, own: DiagnosticView[], fileLevel: DiagnosticView[]): HTMLElement {
  const list = h('ul', { class: 'problems' });
  own.forEach((d, i) => {
    const item = problemItem(d);
    item.addEventListener('click', () => vscode.postMessage({ type: 'reveal', modelId: model.id, diagnostic: i }));
    list.append(item);
  });
  for (const d of fileLevel) list.append(problemItem(d));
  return list;
}

function problemItem(d: DiagnosticView): HTMLElement {
  return h(
    'li',
    { class: `problem severity-${d.severity}`, tabindex: '0' },
    h('span', { class: 'severity' }, severityText(d.severity)),
    h(
      'span',
      { class: 'message' },
      d.message,
      ...(d.formula && !d.message.includes(d.formula) ? [h('code', { class: 'formula' }, d.formula)] : []),
    ),
    h('span', { class: 'line' }, d.where),
  );
}

function severityText(severity: DiagnosticView['severity']): string {
  return severity === 'error' ? t('error') : severity === 'warning' ? t('warning') : t('info');
}

/** Highlights the layer in the table and the graph, and reveals its source. */
function selectLayer(model: ModelView, layerId: string, reveal: boolean): void {
  selectedLayerId = layerId;
  markSelected();
  if (reveal) vscode.postMessage({ type: 'reveal', modelId: model.id, layerId });
}

function markSelected(): void {
  for (const e of document.querySelectorAll('[data-layer-id].selected')) e.classList.remove('selected');
  if (!selectedLayerId) return;
  for (const e of document.querySelectorAll('[data-layer-id]')) {
    if (e.getAttribute('data-layer-id') === selectedLayerId) e.classList.add('selected');
  }
}

vscode.postMessage({ type: 'ready' });
