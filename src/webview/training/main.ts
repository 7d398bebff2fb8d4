/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The training panel's page (bundled by esbuild.mjs into dist/webview/training.js, loaded by
 * src/client/training-panel.ts): the run's setup form, the live charts (loss, metrics,
 * learning rate: uPlot, decimated), the per-layer views (gradient heatmap, activation
 * distributions: canvas), the backend with the GPU doctor's reasons, steps/s and ETA, what
 * went wrong and where, and the workspace's past runs (reopen one, compare two).
 *
 * Every message from the extension is validated (src/protocol/pages/training.ts, whose worker
 * events are the training protocol's own schema) before use; the page only ever names runs,
 * data files and layers by the ids the extension gave it.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-multi-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  BUILTIN_DATASETS,
  LOSSES,
  OPTIMIZERS,
  parseToPanel,
  splitArgs,
  trainingCallsText,
  type FromPanel,
  type LossCurve,
  type PanelSource,
  type PanelTarget,
  type ScriptForm,
  type ToPanel,
  type TrainForm,
} from '../../protocol/pages/training';
import { BACKEND_CHOICES, type WorkerMessage } from '../../protocol/worker';
import type { RunSummary } from '../../training/runs';
import { Column, etaSeconds, RunSeries } from '../../training/series';
import { LineChart, type SeriesDef } from './charts';
import { BlockIndex } from './decimate';
import { ActivationGrid, Heatmap } from './layers-view';
import { setLocale, t } from './strings';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: FromPanel) => vscode.postMessage(m);

type InitMsg = Extract<ToPanel, { type: 'init' }>;
type EndedMsg = Extract<ToPanel, { type: 'ended' }>;

interface Current {
  runId: string;
  title: string;
  live: boolean;
  /** The user's program, for a run of it (relative path). */
  program?: string;
  series: RunSeries;
  ended?: EndedMsg;
  skippedLines?: number;
}

let init: InitMsg | undefined;
let target: PanelTarget | null = null;
let runs: RunSummary[] = [];
let current: Current | undefined;
let notice: { level: string; message: string } | undefined;
/** Setup: run the user's own training code or rebuild the analysed model for a built-in dataset. */
let codeChoice: 'user' | 'builtin' = 'builtin';
const columnsOf = new Map<number, { columns: string[]; rows: number; error?: string }>();
const layerLines = new Map<string, number | null>();

// ---------------------------------------------------------------------------------------
// DOM helpers

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

function button(label: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLElement & { disabled: boolean } {
  const b = h('vscode-button', attrs, label) as HTMLElement & { disabled: boolean };
  b.addEventListener('click', () => {
    if (!b.disabled) onClick();
  });
  return b;
}

type Select = HTMLElement & { value: string };
function select(
  label: string,
  options: ReadonlyArray<{ value: string; label: string; description?: string }>,
  value: string,
  attrs: Record<string, string> = {},
): Select {
  const s = h('vscode-single-select', { 'aria-label': label, ...attrs }) as Select;
  for (const o of options) {
    const opt = h('vscode-option', { value: o.value, ...(o.description ? { description: o.description } : {}) }, o.label);
    if (o.value === value) opt.setAttribute('selected', '');
    s.append(opt);
  }
  s.value = value;
  return s;
}

type TextField = HTMLElement & { value: string };
function textfield(label: string, value: string, attrs: Record<string, string> = {}): TextField {
  const t = h('vscode-textfield', { 'aria-label': label, value, ...attrs }) as TextField;
  t.value = value;
  return t;
}

function field(label: string, control: HTMLElement, help?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', {}, label), control, ...(help ? [h('div', { class: 'help' }, help)] : []));
}

function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return t('{0} s', Math.round(seconds));
  if (seconds < 3600) return t('{0} min {1} s', Math.floor(seconds / 60), Math.round(seconds % 60));
  return t('{0} h {1} min', Math.floor(seconds / 3600), Math.round((seconds % 3600) / 60));
}

// ---------------------------------------------------------------------------------------
// The shell: header, problems, tabs

const app = document.getElementById('app')!;
const header = h('header', { class: 'header' });
const problems = h('section', { class: 'problems', 'aria-live': 'polite' });
const tabs = h('vscode-tabs', { class: 'tabs' }) as HTMLElement & { selectedIndex: number };
const setupPanel = h('vscode-tab-panel', { class: 'panel-setup' });
const chartsPanel = h('vscode-tab-panel', { class: 'panel-charts' });
const layersPanel = h('vscode-tab-panel', { class: 'panel-layers' });
const runsPanel = h('vscode-tab-panel', { class: 'panel-runs' });
const tabHeaders = [
  h('vscode-tab-header', { slot: 'header' }),
  h('vscode-tab-header', { slot: 'header' }),
  h('vscode-tab-header', { slot: 'header' }),
  h('vscode-tab-header', { slot: 'header', class: 'runs-tab' }),
];
tabs.append(tabHeaders[0], setupPanel, tabHeaders[1], chartsPanel, tabHeaders[2], layersPanel, tabHeaders[3], runsPanel);
const TAB = { setup: 0, charts: 1, layers: 2, runs: 3 } as const;
tabs.addEventListener('vsc-tabs-select', () => schedule(true));
app.replaceChildren(header, problems, tabs);
app.removeAttribute('aria-busy');

const layersHost = {
  reveal: (layer: string) => post({ type: 'reveal-layer', layer }),
  lineOf: (layer: string) => layerLines.get(layer) ?? null,
};
const chartGrid = h('div', { class: 'chart-grid' });
const chartsEmpty = h('p', { class: 'placeholder' });
chartsPanel.append(chartsEmpty, chartGrid);
const lossChart = new LineChart(chartGrid, { title: '', height: 240 });
lossChart.root.classList.add('chart-loss');
const metricChart = new LineChart(chartGrid, { title: '', height: 240 });
metricChart.root.classList.add('chart-metrics');
const lrChart = new LineChart(chartGrid, { title: '', height: 160 });
const speedChart = new LineChart(chartGrid, { title: '', height: 160 });
const layersEmpty = h('p', { class: 'placeholder' });
layersPanel.append(layersEmpty);
const heatmap = new Heatmap(layersPanel, layersHost);
const activations = new ActivationGrid(layersPanel, layersHost);

// ---------------------------------------------------------------------------------------
// Header

function status(): { label: string; kind: string } {
  if (!current) return { label: t('idle'), kind: 'idle' };
  const s = current.series.info;
  if (current.ended) return { label: statusText(current.ended.status), kind: current.ended.status };
  if (s.done) return { label: statusText(s.done.status), kind: s.done.status };
  if (!current.live) {
    const r = runs.find((x) => x.id === current!.runId);
    return { label: r ? statusText(r.status) : t('saved run'), kind: r?.status ?? 'idle' };
  }
  if (s.state) return { label: statusText(s.state.state), kind: s.state.state };
  return { label: t('starting'), kind: 'running' };
}

/** A run's or the worker's status word in the page's language (an unknown one as it is). */
function statusText(status: string): string {
  switch (status) {
    case 'running':
      return t('running');
    case 'paused':
      return t('paused');
    case 'completed':
      return t('completed');
    case 'stopped':
      return t('stopped');
    case 'failed':
      return t('failed');
    case 'killed':
      return t('killed');
    case 'crashed':
      return t('crashed');
    case 'interrupted':
      return t('interrupted');
    case 'unknown':
      return t('unknown');
    default:
      return status;
  }
}

function isActive(): boolean {
  if (!current?.live || current.ended || current.series.info.done) return false;
  return true;
}

// The title row's controls are made once (custom elements are costly to create) and updated.
const titleRow = h('div', { class: 'title-row' });
const titleText = h('span', { class: 'title-text' });
const statusBadge = h('vscode-badge', { class: 'status' });
const startBtn = button('', () => startRun(), { class: 'start' });
const pauseBtn = button('', () => post({ type: current?.series.info.state?.state === 'paused' ? 'resume' : 'pause' }), {
  secondary: '',
  class: 'pause',
});
const stopBtn = button('', () => post({ type: 'stop' }), { secondary: '', class: 'stop' });
const saveBtn = button('', () => post({ type: 'save-model' }), { secondary: '', class: 'save' });
titleRow.append(titleText, statusBadge, h('div', { class: 'actions' }, startBtn, pauseBtn, stopBtn, saveBtn));
const headerLines = h('div', { class: 'header-lines' });
header.append(titleRow, headerLines);
let titleKey = '';

/** The texts of the parts made once, when the page loads, in the page's language (again when the locale changes). */
function localizeShell(): void {
  [t('Setup'), t('Charts'), t('Layers'), t('Runs')].forEach((label, i) => (tabHeaders[i].textContent = label));
  chartsEmpty.textContent = t('Start a run (Setup) or open a past one (Runs) to see its charts.');
  lossChart.setTitle(t('Loss'));
  metricChart.setTitle(t('Metrics'));
  lrChart.setTitle(t('Learning rate'));
  speedChart.setTitle(t('Samples per second'));
  layersEmpty.textContent = t('Per-layer statistics appear here while a run trains.');
  heatmap.localize();
  activations.localize();
  startBtn.textContent = t('Start');
  stopBtn.textContent = t('Stop');
  saveBtn.textContent = t('Save model');
  saveBtn.title = t('Save the model as it is now (tfjs format) into the run folder');
  titleKey = '';
}
localizeShell();
let linesKey = '';
/** `12,345`, as toLocaleString('en-US') writes it, through one formatter (toLocaleString builds one per call: ~40 µs each). */
const countFormat = new Intl.NumberFormat('en-US');
const count = (n: number) => countFormat.format(n);

function renderHeader(): void {
  const st = status();
  const key = `${target?.model}|${target?.file}|${target?.line}|${current?.live}|${current?.title}|${t('Training runs')}`;
  if (key !== titleKey) {
    titleKey = key;
    titleText.replaceChildren();
    if (target) {
      const link = h('a', { href: '#', class: 'model-link', title: t('Reveal the model in the editor') }, target.model);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        post({ type: 'reveal-model' });
      });
      titleText.append(h('h2', { class: 'model-name' }, link), ' ', h('span', { class: 'muted' }, `${target.file}:${target.line}`));
    } else {
      titleText.append(h('h2', { class: 'model-name' }, t('Training runs')));
    }
    if (current && !current.live) titleText.append(' ', h('span', { class: 'muted' }, `· ${current.title}`));
  }
  if (statusBadge.textContent !== st.label) statusBadge.textContent = st.label;
  statusBadge.className = `status status-${st.kind}`;
  const active = isActive();
  const paused = current?.series.info.state?.state === 'paused';
  // The analysis's errors block rebuilding the model; the user's own program runs as it is.
  startBtn.disabled = active || !target || (codeChoice === 'builtin' && (target?.errors.length ?? 0) > 0);
  const pauseLabel = paused ? t('Resume') : t('Pause');
  if (pauseBtn.textContent !== pauseLabel) {
    pauseBtn.textContent = pauseLabel;
  }
  pauseBtn.disabled = !active;
  stopBtn.disabled = !active;
  saveBtn.disabled = !active;
  const lines: HTMLElement[] = [];
  const info = current?.series.info;
  if (info?.backend) {
    const b = info.backend;
    const line = h(
      'div',
      { class: 'backend-line' },
      h('b', {}, t('Backend: ')),
      `${b.kind}`,
      h('span', { class: 'muted' }, ` — ${b.detail}`),
    );
    lines.push(line);
    const why = b.skipped.filter((s) => s.backend === 'gpu' || s.backend === 'node');
    if (why.length > 0) {
      const doctor = h('div', { class: 'doctor' });
      for (const s of why) {
        doctor.append(
          h(
            'div',
            {},
            h('b', {}, s.backend === 'gpu' ? t('GPU not used: ') : t('tfjs-node not used: ')),
            s.reason,
            ...(s.fix ? [h('span', { class: 'muted' }, t(' — fix: {0}', s.fix))] : []),
          ),
        );
      }
      lines.push(doctor);
    } else if (b.requested !== 'auto' && b.requested !== 'gpu') {
      lines.push(h('div', { class: 'doctor muted' }, t('GPU not tried: the {0} backend was requested.', b.requested)));
    }
  } else if (current?.live && !current.ended) {
    lines.push(
      h(
        'div',
        { class: 'backend-line muted' },
        current.program ? t('Backend: starting your program {0}…', current.program) : t('Backend: starting the training worker…'),
      ),
    );
  }
  const s = current?.series;
  if (s) {
    const last = s.latest();
    const total = s.info.run?.totalSteps;
    const parts: string[] = [];
    if (last) parts.push(total ? t('step {0} / {1}', count(last.step), count(total)) : t('step {0}', count(last.step)));
    const ep = s.epochOfStep.last();
    if (Number.isFinite(ep)) parts.push(s.info.run ? t('epoch {0} / {1}', ep, s.info.run.epochs) : t('epoch {0}', ep));
    const sps = s.stepsPerSecond();
    if (sps !== null) parts.push(t('{0} steps/s', fmt(sps, 3)));
    if (last?.samplesPerSec) parts.push(t('{0} samples/s', count(Math.round(last.samplesPerSec))));
    if (isActive()) {
      const eta = etaSeconds(s);
      if (eta !== null) parts.push(t('ETA {0}', duration(eta)));
    }
    if (last?.elapsedMs !== null && last?.elapsedMs !== undefined) parts.push(t('elapsed {0}', duration(last.elapsedMs / 1000)));
    if (parts.length) lines.push(h('div', { class: 'progress-line' }, parts.join(' · ')));
    const metrics: string[] = [];
    if (last) metrics.push(`loss ${fmt(last.loss)}`);
    for (const [k, c] of s.metrics) metrics.push(`${k} ${fmt(c.last())}`);
    const vl = s.valLoss.last();
    if (Number.isFinite(vl)) metrics.push(`val_loss ${fmt(vl)}`);
    for (const [k, c] of s.epochMetrics) if (k.startsWith('val_')) metrics.push(`${k} ${fmt(c.last())}`);
    if (metrics.length) lines.push(h('div', { class: 'metrics-line' }, metrics.join(' · ')));
    const d = s.info.dataset;
    const c = s.info.compile;
    if (d || c) {
      const bits: string[] = [];
      if (d) bits.push(t('dataset {0} ({1}, {2} train + {3} validation)', d.name, d.task, count(d.train), count(d.validation)));
      if (c)
        bits.push(
          t(
            '{0} lr {1} ({2}), loss {3}, batch {4}',
            c.optimizer,
            fmt(c.learningRate),
            c.sources.learningRate ?? c.sources.optimizer ?? '',
            c.loss.join(', '),
            c.batchSize,
          ),
        );
      lines.push(h('div', { class: 'muted setup-line' }, bits.join(' · ')));
    }
    if (s.info.saved) lines.push(h('div', { class: 'muted' }, t('Model saved: {0}', s.info.saved.modelDir)));
  }
  const text = lines.map((l) => `${l.className}:${l.textContent}`).join('\n');
  if (text !== linesKey) {
    linesKey = text;
    // Most updates only change the numbers of the text-only lines (step, loss): their text is
    // set in place, which spares building and laying out new elements.
    const old = headerLines.children;
    const plain = (e: Element) => e.childNodes.length === 1 && e.firstChild!.nodeType === Node.TEXT_NODE;
    if (
      old.length === lines.length &&
      lines.every((l, i) => l.className === old[i].className && (l.textContent === old[i].textContent || (plain(l) && plain(old[i]))))
    ) {
      lines.forEach((l, i) => {
        if (old[i].textContent !== l.textContent) old[i].firstChild!.nodeValue = l.textContent;
      });
    } else headerLines.replaceChildren(...lines);
  }
}

// ---------------------------------------------------------------------------------------
// Problems: errors (what and where), warnings, notices

/** English; the page shows them through `t`. */
const ERROR_TITLES: Record<string, string> = {
  nan: 'The loss became NaN',
  oom: 'Out of memory',
  data: 'Bad data',
  model: 'The model cannot be built',
  backend: 'No backend could start',
  kernel: 'A kernel is missing on this backend',
  crash: 'The training worker failed',
  protocol: 'Protocol error',
  config: 'Bad run settings',
  killed: 'The training worker was killed',
  crashed: 'The training worker crashed',
};

/** A run of the user's own program (live, or reopened: its hello names the script). */
function isProgramRun(): boolean {
  return !!current?.program || !!current?.series.info.hello?.script;
}

/** What went wrong, titled for the user's program where the worker's title would mislead. */
function errorTitle(kind: string, status?: string): string {
  if (isProgramRun()) {
    if (kind === 'crash') return t('Your training program failed');
    if (kind === 'config') return t('Your program did not train');
    if (status === 'killed') return t('Your training program was killed');
  }
  const title = ERROR_TITLES[kind] ?? (status ? ERROR_TITLES[status] : undefined);
  return title !== undefined ? errorTitleText(title) : status ? t('The run ended') : t('Error');
}

/** An ERROR_TITLES text in the page's language (each one literally, so that the table test sees them). */
function errorTitleText(title: string): string {
  const texts: Record<string, string> = {
    'The loss became NaN': t('The loss became NaN'),
    'Out of memory': t('Out of memory'),
    'Bad data': t('Bad data'),
    'The model cannot be built': t('The model cannot be built'),
    'No backend could start': t('No backend could start'),
    'A kernel is missing on this backend': t('A kernel is missing on this backend'),
    'The training worker failed': t('The training worker failed'),
    'Protocol error': t('Protocol error'),
    'Bad run settings': t('Bad run settings'),
    'The training worker was killed': t('The training worker was killed'),
    'The training worker crashed': t('The training worker crashed'),
  };
  return texts[title] ?? title;
}

/** A source path as the user knows it: the program's or the model's workspace-relative path, else its last two parts. */
function shortPath(file: string): string {
  const norm = file.replace(/\\/g, '/');
  for (const c of [current?.program, init?.userCode?.program?.file, target?.file])
    if (c && (norm === c || norm.endsWith(`/${c}`))) return c;
  return norm.split('/').slice(-2).join('/');
}

/** “at train.ts:13” (a link that reveals the line) and the line's code, for an error the run located. */
function sourceParts(source: PanelSource): { link: HTMLElement; code?: HTMLElement } {
  const runId = current?.runId;
  const label = `${shortPath(source.file)}:${source.line}${source.column ? `:${source.column}` : ''}`;
  const link = h('a', { href: '#', class: 'source-link', title: t('Reveal {0}:{1} in the editor', source.file, source.line) }, label);
  link.addEventListener('click', (ev) => {
    ev.preventDefault();
    if (runId)
      post({
        type: 'reveal-source',
        runId,
        file: source.file,
        line: source.line,
        ...(source.column !== undefined ? { column: source.column } : {}),
      });
  });
  const code = source.text
    ? h('pre', { class: 'source-code' }, `${source.line} | ${source.text}${source.function ? t('    (in {0})', source.function) : ''}`)
    : undefined;
  return { link, ...(code ? { code } : {}) };
}

function renderProblems(): void {
  const out: HTMLElement[] = [];
  if (notice) out.push(h('div', { class: `notice notice-${notice.level}` }, notice.message));
  if (target && target.errors.length > 0) {
    out.push(
      h(
        'div',
        { class: 'error-box' },
        h('b', {}, t('The analysis found errors in this model; fix them before training:')),
        h('ul', {}, ...target.errors.map((e) => h('li', {}, e))),
      ),
    );
  }
  const s = current?.series;
  const errors = s ? s.info.errors.filter((e) => e.fatal) : [];
  for (const e of errors) {
    const where: Array<Node | string> = [];
    if (e.step !== undefined) where.push(t('at step {0}', e.step));
    if (e.layer) {
      const line = layerLines.get(e.layer);
      const a = h(
        'a',
        { href: '#', title: t('Reveal the layer in the editor') },
        line ? t('layer {0} (line {1})', e.layer, line) : t('layer {0}', e.layer),
      );
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        post({ type: 'reveal-layer', layer: e.layer! });
      });
      where.push(where.length ? t(', in ') : t('in '), a);
    }
    const src = e.source ? sourceParts(e.source) : undefined;
    if (src) where.push(where.length ? t(', at ') : t('at '), src.link);
    const box = h(
      'div',
      { class: 'error-box', role: 'alert' },
      h('b', {}, `${errorTitle(e.kind)}${where.length ? ' — ' : ''}`),
      ...where,
      h('div', { class: 'error-message' }, e.message),
    );
    if (src?.code) box.append(src.code);
    if (e.detail) box.append(h('details', {}, h('summary', {}, t('Details')), h('pre', {}, e.detail)));
    box.append(h('div', { class: 'muted' }, t('The history up to here is kept in the run folder (Runs tab).')));
    out.push(box);
  }
  if (current?.ended?.error && !errors.some((e) => e.message === current!.ended!.error!.message)) {
    const en = current.ended;
    const src =
      en.error!.source && !errors.some((e) => e.source?.file === en.error!.source!.file && e.source.line === en.error!.source!.line)
        ? sourceParts(en.error!.source)
        : undefined;
    const box = h(
      'div',
      { class: 'error-box', role: 'alert' },
      h('b', {}, `${errorTitle(en.error!.kind, en.status)}${src ? t(' — at ') : ''}`),
      ...(src ? [src.link] : []),
      h('div', { class: 'error-message' }, en.error!.message),
    );
    if (src?.code) box.append(src.code);
    if (en.stderrTail)
      box.append(
        h('details', {}, h('summary', {}, isProgramRun() ? t('Program output') : t('Worker output')), h('pre', {}, en.stderrTail)),
      );
    box.append(h('div', { class: 'muted' }, t('The history up to here is kept in the run folder (Runs tab).')));
    out.push(box);
  }
  const warnings = [...(s?.info.model?.warnings ?? []), ...(s?.info.logs.filter((l) => l.level === 'warning').map((l) => l.message) ?? [])];
  if (warnings.length)
    out.push(
      h(
        'details',
        { class: 'warnings' },
        h('summary', {}, warnings.length > 1 ? t('{0} warnings', warnings.length) : t('{0} warning', warnings.length)),
        h('ul', {}, ...warnings.map((w) => h('li', {}, w))),
      ),
    );
  if (current?.skippedLines)
    out.push(h('div', { class: 'muted' }, t('{0} unreadable line(s) of the run files were skipped.', current.skippedLines)));
  problems.replaceChildren(...out);
}

// ---------------------------------------------------------------------------------------
// Setup form

const form: {
  dataset?: Select;
  dataFile?: Select;
  inputs?: HTMLElement & { value: string[] };
  targetCol?: Select;
  optimizer?: Select;
  lr?: TextField;
  loss?: Select;
  batch?: TextField;
  epochs?: TextField;
  steps?: TextField;
  split?: TextField;
  backend?: Select;
  saveModel?: HTMLElement & { checked: boolean };
  /** The user's program: stop after N steps, its arguments, save its model. */
  scriptSteps?: TextField;
  scriptArgs?: TextField;
  scriptSave?: HTMLElement & { checked: boolean };
} = {};

type Radio = HTMLElement & { checked: boolean; disabled: boolean };

/**
 * “Training code”: the user's own program (offered when the model's file trains, or a script
 * was chosen for it; disabled with the reason in Restricted Mode) or the built-in datasets.
 * The user's code is the default where it can run. Returns the choice's section and the
 * fields of the user's program; `sync` shows the fields of the choice made.
 */
function codeSection(sync: () => void): { section: HTMLElement; fields: HTMLElement } | undefined {
  const uc = init?.userCode;
  if (!uc || !target) return undefined;
  const program = uc.program;
  const runnable = !!program && !uc.disabled;
  codeChoice = runnable ? 'user' : 'builtin';
  const calls = program ? trainingCallsText(program.calls) : '';
  const userLabel = program
    ? calls
      ? t('My training code: {0} ({1})', program.file, calls)
      : t('My training code: {0}', program.file)
    : t('My training code: none found in {0} (no fit, fitDataset, trainOnBatch or minimize call)', target.file);
  const user = h('vscode-radio', { name: 'training-code', value: 'user', class: 'code-user', label: userLabel }) as Radio;
  const builtin = h('vscode-radio', {
    name: 'training-code',
    value: 'builtin',
    class: 'code-builtin',
    label: t('Built-in dataset (rebuild the analysed model)'),
  }) as Radio;
  user.checked = codeChoice === 'user';
  builtin.checked = codeChoice === 'builtin';
  user.disabled = !runnable;
  if (!runnable) user.setAttribute('disabled', '');
  const group = h('vscode-radio-group', { variant: 'vertical', class: 'code-choice', 'aria-label': t('Training code') }, user, builtin);
  const onChange = () => {
    codeChoice = user.checked && runnable ? 'user' : 'builtin';
    sync();
    schedule();
  };
  user.addEventListener('change', onChange);
  builtin.addEventListener('change', onChange);
  const choose = button(program?.chosen ? t('Choose another script…') : t('Choose a script…'), () => post({ type: 'choose-script' }), {
    secondary: '',
    class: 'choose-script',
    title: t('Pick the program that trains this model (remembered for this workspace)'),
  });
  const buttons = h('div', { class: 'file-row' }, choose);
  if (program?.chosen)
    buttons.append(
      button(t('Forget'), () => post({ type: 'forget-script' }), {
        secondary: '',
        class: 'forget-script',
        title: t('Forget the chosen script'),
      }),
    );
  const help = uc.disabled
    ? h('div', { class: 'help restriction', role: 'note' }, uc.disabled)
    : program
      ? h(
          'div',
          { class: 'help' },
          t(
            "Runs {0} as node would ({1}), with Layer Lens's instrumentation preloaded: its data pipeline, compile settings, epochs and callbacks are used as written. TypeScript is transpiled on the fly.",
            program.file,
            uc.node,
          ),
        )
      : h(
          'div',
          { class: 'help' },
          t('To run your own training code, choose the script that trains this model (remembered for this workspace).'),
        );
  const section = h('div', { class: 'field code-field' }, h('label', {}, t('Training code')), group, buttons, help);
  form.scriptSteps = textfield(t('Stop after steps'), '', {
    type: 'number',
    min: '1',
    placeholder: t('as the program runs'),
    class: 'script-steps',
  });
  form.scriptArgs = textfield(t('Program arguments'), '', { placeholder: t('e.g. --epochs 3'), class: 'script-args' });
  form.scriptSave = h('vscode-checkbox', {
    label: t('Save the trained model (tfjs format) into the run folder when the program ends'),
    class: 'script-save',
  }) as HTMLElement & { checked: boolean };
  const fields = h(
    'div',
    { class: 'script-fields' },
    h(
      'div',
      { class: 'form-grid' },
      field(t('Stop after'), form.scriptSteps, t('end the program after this many optimizer steps (empty: let it finish)')),
      field(t('Program arguments'), form.scriptArgs, t('passed to the program (process.argv); quotes group words')),
      h('div', { class: 'field' }, form.scriptSave),
    ),
  );
  return { section, fields };
}

function readScriptForm(): ScriptForm | string {
  const text = form.scriptSteps?.value ?? '';
  let steps: number | undefined;
  if (text !== '') {
    steps = Number(text);
    if (!Number.isInteger(steps) || steps < 1) return t('Stop after: enter a whole number of steps, or leave it empty');
  }
  const args = splitArgs(form.scriptArgs?.value ?? '');
  return {
    ...(steps !== undefined ? { steps } : {}),
    ...(args.length ? { args } : {}),
    ...(form.scriptSave?.checked ? { saveModel: true } : {}),
  };
}

function renderSetup(): void {
  if (!init) return;
  if (!target) {
    setupPanel.replaceChildren(
      h(
        'p',
        { class: 'placeholder' },
        t(
          'Run “Layer Lens: Train Current Model” with the cursor in a model (or click ▶ Train above it) to set up a run. Past runs are in the Runs tab.',
        ),
      ),
    );
    return;
  }
  const c = target.compile;
  const d = init.defaults;
  const datasets = [
    ...BUILTIN_DATASETS.map((x) => ({ value: x.id, label: x.label, description: x.description })),
    { value: 'file', label: t('A data file from the workspace…'), description: t('CSV (header row) or JSON') },
  ];
  form.dataset = select(t('Dataset'), datasets, 'auto', { class: 'dataset' });
  form.dataFile = select(
    t('Data file'),
    init.dataFiles.map((f, i) => ({ value: String(i), label: f })),
    '',
    { class: 'data-file' },
  );
  const browse = button(t('Browse…'), () => post({ type: 'browse-data-file' }), { secondary: '' });
  const colsBox = h('div', { class: 'columns-box' });
  const fileRow = h('div', { class: 'file-row' }, form.dataFile, browse);
  const fileFields = h(
    'div',
    { class: 'file-fields' },
    field(t('Data file'), fileRow, t('CSV with a header row, or JSON: {"xs", "ys"} or an array of objects.')),
    colsBox,
  );
  const syncDataset = () => {
    fileFields.hidden = form.dataset!.value !== 'file';
    if (!fileFields.hidden && form.dataFile!.value !== '') post({ type: 'data-columns', dataFile: Number(form.dataFile!.value) });
  };
  form.dataset.addEventListener('change', syncDataset);
  form.dataFile.addEventListener('change', () => post({ type: 'data-columns', dataFile: Number(form.dataFile!.value) }));
  fileFields.hidden = true;
  const optimizer = c.optimizer && (OPTIMIZERS as readonly string[]).includes(c.optimizer) ? c.optimizer : 'adam';
  form.optimizer = select(
    t('Optimizer'),
    OPTIMIZERS.map((o) => ({ value: o, label: o })),
    optimizer,
  );
  const defaultLr =
    c.learningRate ??
    ({ sgd: 0.01, momentum: 0.01, rmsprop: 0.001, adam: 0.001, adamax: 0.002, adagrad: 0.01, adadelta: 1 } as Record<string, number>)[
      optimizer
    ] ??
    0.001;
  form.lr = textfield(t('Learning rate'), String(defaultLr), { inputmode: 'decimal' });
  const loss = c.loss && (LOSSES as readonly string[]).includes(c.loss) ? c.loss : '';
  form.loss = select(
    t('Loss'),
    [
      { value: '', label: t('from the model'), description: t('its compile call, else chosen from the output activation') },
      ...LOSSES.map((l) => ({ value: l, label: l })),
    ],
    loss,
  );
  form.batch = textfield(t('Batch size'), String(d.batchSize), { type: 'number', min: '1' });
  form.epochs = textfield(t('Epochs'), String(d.epochs), { type: 'number', min: '1' });
  form.steps = textfield(t('Steps'), d.steps ? String(d.steps) : '', { type: 'number', min: '1', placeholder: t('all') });
  form.split = textfield(t('Validation split'), String(d.validationSplit), { inputmode: 'decimal' });
  form.backend = select(
    t('Backend'),
    BACKEND_CHOICES.map((b) => ({ value: b, label: b === 'auto' ? t('auto (GPU → tfjs-node → wasm → cpu)') : b })),
    d.backend,
    { class: 'backend' },
  );
  form.saveModel = h('vscode-checkbox', { label: t('Save the trained model (tfjs format) into the run folder') }) as HTMLElement & {
    checked: boolean;
  };
  const fromCode = (has: boolean) => (has ? t('default from the code’s compile call') : undefined);
  const grid = h(
    'div',
    { class: 'form-grid' },
    field(t('Dataset'), form.dataset),
    fileFields,
    field(t('Optimizer'), form.optimizer, fromCode(!!c.optimizer)),
    field(t('Learning rate'), form.lr, fromCode(c.learningRate !== undefined && c.learningRate !== null)),
    field(t('Loss'), form.loss, fromCode(!!c.loss)),
    field(t('Batch size'), form.batch),
    field(t('Epochs'), form.epochs),
    field(t('Steps'), form.steps, t('stop after this many steps (empty: all epochs)')),
    field(t('Validation split'), form.split),
    field(t('Backend'), form.backend, init.restriction),
    h('div', { class: 'field' }, form.saveModel),
  );
  const modelInfo = h(
    'p',
    { class: 'muted' },
    t(
      '{0} model, {1} layers; input {2} → output {3}. ',
      target.kind,
      target.layers.length,
      target.inputShapes.join(', ') || '?',
      target.outputShapes.join(', ') || '?',
    ),
    t(
      'Training rebuilds the model from its analysed graph with real tfjs in a separate process and trains it on the dataset chosen here; your own code is not run.',
    ),
  );
  const startBtn = button(t('Start training'), () => startRun(), { class: 'start-bottom' });
  const builtinFields = h('div', { class: 'builtin-fields' }, modelInfo, grid);
  const code = codeSection(() => {
    builtinFields.hidden = codeChoice === 'user';
    if (code) code.fields.hidden = codeChoice !== 'user';
  });
  if (!code) codeChoice = 'builtin';
  builtinFields.hidden = codeChoice === 'user';
  if (code) code.fields.hidden = codeChoice !== 'user';
  setupPanel.replaceChildren(...(code ? [code.section, code.fields] : []), builtinFields, h('div', { class: 'form-actions' }, startBtn));
  syncDataset();
}

function renderColumns(dataFile: number): void {
  const box = setupPanel.querySelector('.columns-box');
  if (!box || !form.dataFile || Number(form.dataFile.value) !== dataFile) return;
  const info = columnsOf.get(dataFile);
  if (!info) return;
  if (info.error) {
    box.replaceChildren(h('div', { class: 'notice notice-error' }, info.error));
    form.inputs = undefined;
    form.targetCol = undefined;
    return;
  }
  if (info.columns.length === 0) {
    box.replaceChildren(
      h('div', { class: 'muted' }, t('{0} samples in xs/ys form: no columns to pick.', info.rows.toLocaleString('en-US'))),
    );
    form.inputs = undefined;
    form.targetCol = undefined;
    return;
  }
  const last = info.columns[info.columns.length - 1];
  const inputs = h('vscode-multi-select', { 'aria-label': t('Input columns'), class: 'input-columns' }) as HTMLElement & {
    value: string[];
  };
  for (const col of info.columns) inputs.append(h('vscode-option', col === last ? { value: col } : { value: col, selected: '' }, col));
  form.inputs = inputs;
  form.targetCol = select(
    t('Target column'),
    info.columns.map((col) => ({ value: col, label: col })),
    last,
    { class: 'target-column' },
  );
  box.replaceChildren(
    field(t('Input columns'), inputs, t('{0} rows', info.rows.toLocaleString('en-US'))),
    field(t('Target column'), form.targetCol),
  );
}

function readForm(): TrainForm | string {
  const num = (box: TextField | undefined, what: string, integer: boolean): number | string => {
    const v = Number(box?.value);
    if (box?.value === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)))
      return integer ? t('{0}: enter a whole number', what) : t('{0}: enter a number', what);
    return v;
  };
  const lr = num(form.lr, t('Learning rate'), false);
  const batch = num(form.batch, t('Batch size'), true);
  const epochs = num(form.epochs, t('Epochs'), true);
  const split = num(form.split, t('Validation split'), false);
  for (const v of [lr, batch, epochs, split]) if (typeof v === 'string') return v;
  const stepsText = form.steps?.value ?? '';
  const steps = stepsText === '' ? undefined : num(form.steps, t('Steps'), true);
  if (typeof steps === 'string') return steps;
  const dataset = form.dataset?.value ?? 'auto';
  const out: TrainForm = {
    dataset,
    optimizer: (form.optimizer?.value ?? 'adam') as TrainForm['optimizer'],
    learningRate: lr as number,
    loss: form.loss?.value ?? '',
    batchSize: batch as number,
    epochs: epochs as number,
    validationSplit: split as number,
    backend: (form.backend?.value ?? 'auto') as TrainForm['backend'],
    ...(steps !== undefined ? { steps } : {}),
    ...(form.saveModel?.checked ? { saveModel: true } : {}),
  };
  if (dataset === 'file') {
    if (!form.dataFile || form.dataFile.value === '') return t('Choose a data file (or Browse…).');
    out.dataFile = Number(form.dataFile.value);
    if (form.inputs && form.targetCol) {
      const target = form.targetCol.value;
      const inputs = (form.inputs.value ?? []).filter((c) => c !== target);
      if (inputs.length === 0) return t('Pick at least one input column.');
      out.columns = { inputs, targets: [target] };
    }
  }
  return out;
}

function startRun(): void {
  if (codeChoice === 'user' && init?.userCode?.program && !init.userCode.disabled) {
    const sf = readScriptForm();
    if (typeof sf === 'string') {
      notice = { level: 'error', message: sf };
      renderProblems();
      return;
    }
    notice = undefined;
    post({ type: 'start-script', form: sf });
    return;
  }
  const f = readForm();
  if (typeof f === 'string') {
    notice = { level: 'error', message: f };
    renderProblems();
    return;
  }
  notice = undefined;
  post({ type: 'start', form: f });
}

// ---------------------------------------------------------------------------------------
// Runs: list, reopen, compare

const selectedRuns = new Set<string>();
let compareChart: LineChart | undefined;

function renderRuns(): void {
  const refresh = button(t('Refresh'), () => post({ type: 'refresh-runs' }), { secondary: '' });
  const compare = button(
    t('Compare the two selected'),
    () => {
      const [a, b] = [...selectedRuns];
      post({ type: 'compare-runs', a, b });
    },
    { secondary: '', class: 'compare' },
  );
  compare.disabled = selectedRuns.size !== 2;
  const bar = h(
    'div',
    { class: 'runs-bar' },
    refresh,
    compare,
    h(
      'span',
      { class: 'muted' },
      runs.length === 1
        ? t('{0} run in .layer-lens/runs — select two to compare their loss curves', runs.length)
        : t('{0} runs in .layer-lens/runs — select two to compare their loss curves', runs.length),
    ),
  );
  if (runs.length === 0) {
    runsPanel.replaceChildren(bar, h('p', { class: 'placeholder' }, t('No runs in this workspace yet.')));
    compareChart = undefined;
    return;
  }
  const table = h('table', { class: 'runs' });
  table.append(
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[
          '',
          t('started'),
          t('model'),
          t('file'),
          t('dataset'),
          t('backend'),
          t('status'),
          t('steps'),
          t('loss'),
          t('val loss'),
          t('time'),
          '',
        ].map((c) => h('th', {}, c)),
      ),
    ),
  );
  const body = h('tbody');
  for (const r of runs) {
    const check = h('input', { type: 'checkbox', 'aria-label': t('Select run {0}', r.startedAt) }) as HTMLInputElement;
    check.checked = selectedRuns.has(r.id);
    check.addEventListener('change', () => {
      if (check.checked) selectedRuns.add(r.id);
      else selectedRuns.delete(r.id);
      while (selectedRuns.size > 2) selectedRuns.delete([...selectedRuns][0]);
      renderRuns();
    });
    const open = h('a', { href: '#', title: t('Open this run’s charts') }, t('Open'));
    open.addEventListener('click', (e) => {
      e.preventDefault();
      post({ type: 'open-run', runId: r.id });
    });
    const folder = h('a', { href: '#', title: t('Reveal the run folder') }, t('Folder'));
    folder.addEventListener('click', (e) => {
      e.preventDefault();
      post({ type: 'reveal-run', runId: r.id });
    });
    const when = new Date(r.startedAt);
    const row = h(
      'tr',
      { class: current?.runId === r.id ? 'current' : '' },
      h('td', {}, check),
      h('td', {}, Number.isNaN(when.getTime()) ? r.startedAt : when.toLocaleString()),
      h('td', {}, r.model),
      h('td', { class: 'muted' }, r.file),
      h('td', {}, r.dataset),
      h('td', {}, r.backend),
      h('td', { class: `status-${r.status}`, title: r.error ?? '' }, statusText(r.status)),
      h('td', { class: 'num' }, r.steps === null ? '—' : r.steps.toLocaleString('en-US')),
      h('td', { class: 'num' }, fmt(r.loss)),
      h('td', { class: 'num' }, fmt(r.valLoss)),
      h('td', { class: 'num' }, r.durationMs === null ? '—' : duration(r.durationMs / 1000)),
      h(
        'td',
        {},
        open,
        ' ',
        folder,
        r.hasModel ? h('span', { class: 'muted', title: t('the trained model was saved') }, t(' · model')) : '',
      ),
    );
    body.append(row);
  }
  table.append(body);
  const compareBox = h('div', { class: 'compare-box' });
  runsPanel.replaceChildren(bar, h('div', { class: 'runs-scroll' }, table), compareBox);
  compareChart = undefined;
  if (lastCompare) showCompare(lastCompare, compareBox);
}

let lastCompare: { a: LossCurve; b: LossCurve } | undefined;
function showCompare(c: { a: LossCurve; b: LossCurve }, box = runsPanel.querySelector<HTMLElement>('.compare-box')): void {
  lastCompare = c;
  if (!box) return;
  box.replaceChildren();
  compareChart = new LineChart(box, { title: t('Loss: {0} vs {1}', c.a.label, c.b.label), height: 260 });
  compareChart.root.classList.add('chart-compare');
  // Both runs on one step axis: each curve's points where the other has none stay null.
  const steps = [...new Set([...c.a.step, ...c.b.step])].sort((x, y) => x - y);
  const at = (curve: LossCurve) => {
    const m = new Map<number, number | null>();
    curve.step.forEach((s, i) => m.set(s, curve.loss[i]));
    return Column.of(steps.map((s) => (m.has(s) ? m.get(s)! : null)));
  };
  const valSteps = [...new Set([...c.a.valStep, ...c.b.valStep])].sort((x, y) => x - y);
  const vat = (curve: LossCurve) => {
    const m = new Map<number, number | null>();
    curve.valStep.forEach((s, i) => m.set(s, curve.valLoss[i]));
    return Column.of(valSteps.map((s) => (m.has(s) ? m.get(s)! : null)));
  };
  const series: SeriesDef[] = [
    { label: t('A loss'), color: '--vscode-charts-blue' },
    { label: t('B loss'), color: '--vscode-charts-orange' },
    { label: t('A val'), color: '--vscode-charts-blue', dash: [4, 3], points: true },
    { label: t('B val'), color: '--vscode-charts-orange', dash: [4, 3], points: true },
  ];
  const a = at(c.a);
  const b = at(c.b);
  const va = vat(c.a);
  const vb = vat(c.b);
  compareChart.set(series, {
    dense: { x: Float64Array.from(steps), ys: [spanned(a), spanned(b)], length: steps.length },
    sparse: { x: Float64Array.from(valSteps), ys: [va.view(), vb.view()], length: valSteps.length },
  });
}

/** A column where each missing value takes the previous one (so two runs' lines stay continuous on a shared axis). */
function spanned(c: Column): Float64Array {
  const v = c.view().slice();
  let end = v.length - 1;
  while (end >= 0 && Number.isNaN(v[end])) end--;
  let last = NaN;
  // Only inside the run's own steps: a shorter run's line ends where it ended.
  for (let i = 0; i <= end; i++) {
    if (Number.isNaN(v[i])) v[i] = last;
    else last = v[i];
  }
  return v;
}

// ---------------------------------------------------------------------------------------
// Charts

/** Block summaries of the live series' columns (decimate.ts), per chart; new for each run shown. */
let indexes: { series: RunSeries; loss: BlockIndex; metrics: BlockIndex; lr: BlockIndex; speed: BlockIndex } | undefined;
function indexesFor(s: RunSeries) {
  if (indexes?.series !== s)
    indexes = { series: s, loss: new BlockIndex(), metrics: new BlockIndex(), lr: new BlockIndex(), speed: new BlockIndex() };
  return indexes;
}

const COLORS = [
  '--vscode-charts-blue',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-yellow',
  '--vscode-charts-orange',
  '--vscode-charts-red',
];

/**
 * Throttle for views redrawn at most every SLOW_MS while a run streams (forced on a full redraw),
 * and at most one of them per frame, so that their costs never add up in one update.
 */
const SLOW_MS = 500;
const slowAt = new Map<string, number>();
const slowWaiting = new Set<string>();
let slowThisFrame = false;
let slowPending: ReturnType<typeof setTimeout> | undefined;
function slowDue(what: string, force: boolean): boolean {
  const now = performance.now();
  const last = slowAt.get(what) ?? -Infinity;
  const due = now - last >= SLOW_MS;
  if (force || (due && !slowThisFrame)) {
    slowAt.set(what, now);
    slowWaiting.delete(what);
    if (!force) slowThisFrame = true;
    return true;
  }
  slowWaiting.add(what);
  // Make sure the last update is drawn once the stream pauses (at once when only this frame's turn was missed).
  slowPending ??= setTimeout(
    () => {
      slowPending = undefined;
      for (const k of slowWaiting) slowAt.set(k, -Infinity);
      schedule();
    },
    due ? 0 : SLOW_MS,
  );
  return false;
}

function renderCharts(force = false): void {
  const s = current?.series;
  chartsEmpty.hidden = !!s && s.step.length > 0;
  if (!s) {
    lossChart.set([{ label: 'loss', color: COLORS[0] }], {});
    return;
  }
  const n = s.step.length;
  const x = s.step.data;
  const ix = indexesFor(s);
  lossChart.set(
    [
      { label: 'loss', color: '--vscode-charts-blue' },
      { label: 'val_loss', color: '--vscode-charts-orange', points: true },
    ],
    {
      dense: { x, ys: [s.loss.data], length: n, index: ix.loss },
      sparse: { x: s.epochStep.data, ys: [s.valLoss.data], length: s.epochStep.length },
    },
  );
  const names = [...s.metrics.keys()];
  const valNames = [...s.epochMetrics.keys()].filter((k) => k.startsWith('val_'));
  metricChart.root.hidden = names.length === 0 && valNames.length === 0;
  if (!metricChart.root.hidden) {
    metricChart.set(
      [
        ...names.map((k, i) => ({ label: k, color: COLORS[(i + 1) % COLORS.length] })),
        ...valNames.map((k, i) => ({ label: k, color: COLORS[(i + 4) % COLORS.length], points: true })),
      ],
      {
        dense: { x, ys: names.map((k) => s.metrics.get(k)!.data), length: n, index: ix.metrics },
        sparse: { x: s.epochStep.data, ys: valNames.map((k) => s.epochMetrics.get(k)!.data), length: s.epochStep.length },
      },
    );
  }
  // The secondary charts follow at most every 500 ms while data streams in (their curves change slowly).
  if (slowDue('lr', force))
    lrChart.set([{ label: t('learning rate'), color: '--vscode-charts-purple' }], {
      dense: { x, ys: [s.learningRate.data], length: n, index: ix.lr },
    });
  if (slowDue('speed', force))
    speedChart.set([{ label: t('samples/s'), color: '--vscode-charts-green' }], {
      dense: { x, ys: [s.samplesPerSec.data], length: n, index: ix.speed },
    });
  chartGrid.dataset.lossPoints = String(lossChart.pointCount);
}

function renderLayers(force = false): void {
  const s = current?.series;
  layersEmpty.hidden = !!s && (s.layers.length > 0 || s.probes.length > 0);
  // The heatmap and the activation strips are overviews: redrawn at most every 500 ms while streaming.
  const stale = heatmapStale(s);
  if (slowDue('heatmap', force || stale)) heatmap.draw(s);
  if (slowDue('activations', force || stale)) activations.draw(s);
}

let heatmapSeries: RunSeries | undefined;
/** A new run (or the first statistics of one) is drawn at once. */
function heatmapStale(s: RunSeries | undefined): boolean {
  const stale = s !== heatmapSeries || (s !== undefined && s.statSteps.length <= 1);
  heatmapSeries = s;
  return stale;
}

// ---------------------------------------------------------------------------------------
// Rendering schedule: one redraw per animation frame at most

let pending = false;
let pendingAll = false;
function schedule(all = false): void {
  pendingAll ||= all;
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    const everything = pendingAll;
    pendingAll = false;
    renderNow(everything);
  });
}

let drawnInfo = -1;
/** Time spent per part of the page (the benchmark hook reports it). */
const partTimes: Record<string, number> = { header: 0, problems: 0, charts: 0, layers: 0 };
function timed(part: string, fn: () => void): void {
  const t = performance.now();
  fn();
  partTimes[part] += performance.now() - t;
}

function renderNow(everything: boolean): void {
  slowThisFrame = false;
  timed('header', renderHeader);
  const infoKey = (current?.series.info.errors.length ?? 0) + (current?.series.info.logs.length ?? 0) * 1000 + (current?.ended ? 1e7 : 0);
  if (everything || infoKey !== drawnInfo) {
    drawnInfo = infoKey;
    timed('problems', renderProblems);
  }
  const tab = tabs.selectedIndex;
  if (tab === TAB.charts || everything || benchAll) timed('charts', () => renderCharts(everything));
  if (tab === TAB.layers || everything || benchAll) timed('layers', () => renderLayers(everything));
}

// ---------------------------------------------------------------------------------------
// Messages

function setCurrent(c: Current | undefined): void {
  current = c;
  schedule(true);
  if (runsPanel.isConnected) renderRuns();
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseToPanel(event.data);
  if (!parsed.ok) {
    console.warn(`Layer Lens training panel: ignored an invalid message: ${parsed.message}`);
    return;
  }
  handle(parsed.value);
});

function handle(msg: ToPanel): void {
  switch (msg.type) {
    case 'init': {
      // The same model and data files again (the panel revealed, trust granted…): keep what the user typed.
      const key = (m: InitMsg) => JSON.stringify([m.target, m.dataFiles, m.defaults, m.trusted, m.userCode]);
      const relabelled = setLocale(msg.locale);
      if (relabelled) localizeShell();
      const same = init !== undefined && key(init) === key(msg) && !relabelled;
      init = msg;
      target = msg.target;
      runs = msg.runs;
      layerLines.clear();
      for (const l of target?.layers ?? []) layerLines.set(l.name, l.line);
      if (!same) renderSetup();
      renderRuns();
      schedule(true);
      if (!current) tabs.selectedIndex = target ? TAB.setup : TAB.runs;
      return;
    }
    case 'runs':
      runs = msg.runs;
      renderRuns();
      schedule();
      return;
    case 'started':
      notice = undefined;
      setCurrent({
        runId: msg.runId,
        title: msg.title,
        live: true,
        series: new RunSeries(),
        ...(msg.program ? { program: msg.program } : {}),
      });
      tabs.selectedIndex = TAB.charts;
      return;
    case 'events': {
      if (!current || current.runId !== msg.runId) return;
      for (const e of msg.events as WorkerMessage[]) current.series.add(e);
      schedule();
      return;
    }
    case 'snapshot':
      setCurrent({
        runId: msg.runId,
        title: msg.title,
        live: msg.live,
        series: RunSeries.from(msg.series),
        ...(msg.skippedLines ? { skippedLines: msg.skippedLines } : {}),
      });
      if (tabs.selectedIndex === TAB.runs || tabs.selectedIndex === TAB.setup) tabs.selectedIndex = TAB.charts;
      return;
    case 'ended':
      if (!current || current.runId !== msg.runId) return;
      current.ended = msg;
      schedule(true);
      return;
    case 'compare':
      tabs.selectedIndex = TAB.runs;
      showCompare({ a: msg.a, b: msg.b });
      return;
    case 'columns':
      columnsOf.set(msg.dataFile, { columns: msg.columns, rows: msg.rows, ...(msg.error ? { error: msg.error } : {}) });
      renderColumns(msg.dataFile);
      return;
    case 'notice':
      notice = { level: msg.level, message: msg.message };
      renderProblems();
      return;
  }
}

// Theme changes: VS Code swaps the body class and the variables; charts re-read their colours.
new MutationObserver(() => {
  for (const c of [lossChart, metricChart, lrChart, speedChart, compareChart]) c?.restyle();
  schedule(true);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---------------------------------------------------------------------------------------
// Benchmark hook (bench/charts.bench.mjs): a page opened with window.__layerLensBench = true
// gets a function that loads a long 50-layer run and times whole-page updates.

let benchAll = false;
const w = window as unknown as { __layerLensBench?: unknown };
if (w.__layerLensBench === true) {
  w.__layerLensBench = {
    run: async (o: { layers: number; steps: number; updates: number }) => {
      benchAll = true;
      const s = new RunSeries();
      const names = Array.from({ length: o.layers }, (_, i) => `dense_Dense${i + 1}`);
      let step = 0;
      const eventsOfStep = (): WorkerMessage[] => {
        step++;
        const out: WorkerMessage[] = [
          {
            v: 1,
            type: 'step',
            step,
            epoch: 1 + Math.floor(step / 1000),
            loss: 2 * Math.exp(-step / 20000) + 0.05 * Math.random(),
            metrics: { acc: Math.min(1, step / 50000) },
            learningRate: 0.001,
            samplesPerSec: 5000,
            elapsedMs: step * 5,
          },
        ];
        if (step % 10 === 0) {
          out.push({
            v: 1,
            type: 'layer-stats',
            step,
            layers: names.flatMap((n, i) => [
              {
                layer: n,
                weight: `${n}/kernel`,
                gradNorm: Math.exp(-i / 10) * Math.random(),
                gradMaxAbs: 0.1,
                weightNorm: 3,
                updateRatio: 1e-3 * Math.random(),
                nanCount: 0,
                infCount: 0,
              },
            ]),
          });
        }
        if (step % 100 === 0) {
          out.push({
            v: 1,
            type: 'activations',
            step,
            layers: names.map((n) => ({
              layer: n,
              className: 'Dense',
              mean: Math.random(),
              std: 1,
              fracZero: 0.2,
              fracSaturated: 0,
              histogram: { min: -1, max: 2, counts: Array.from({ length: 20 }, () => Math.floor(Math.random() * 100)) },
            })),
          });
        }
        if (step % 1000 === 0)
          out.push({
            v: 1,
            type: 'epoch',
            epoch: step / 1000,
            step,
            loss: 1,
            metrics: { acc: 0.5 },
            valLoss: 1.1,
            valMetrics: { val_acc: 0.5 },
          });
        return out;
      };
      for (let i = 0; i < o.steps; i++) for (const e of eventsOfStep()) s.add(e);
      target = {
        file: 'bench.ts',
        model: 'bench',
        line: 1,
        kind: 'sequential',
        layers: names.map((n) => ({ name: n, className: 'Dense', line: 1, params: 1 })),
        inputShapes: [],
        outputShapes: [],
        compile: {},
        errors: [],
      };
      current = { runId: 'bench', title: 'bench', live: true, series: s };
      for (const p of [chartsPanel, layersPanel]) (p as HTMLElement).style.display = 'block';
      // Every callback the page runs in an animation frame is timed, from its start until the
      // microtasks it queued have run (uPlot draws in one) and the style and layout it changed
      // have been recomputed (forced here, so that layout counts too). `painted`: from the
      // frame's first callback until a message posted in it is handled, i.e. after the browser
      // has also painted the frame and rasterised its canvases.
      const raf = window.requestAnimationFrame.bind(window);
      let frameStart = -1;
      let script = 0;
      window.requestAnimationFrame = (cb: FrameRequestCallback) =>
        raf((ts) => {
          const t0 = performance.now();
          if (frameStart < 0) frameStart = t0;
          try {
            cb(ts);
          } finally {
            queueMicrotask(() => {
              void document.body.offsetHeight;
              script += performance.now() - t0;
            });
          }
        });
      const nextFrame = () =>
        new Promise<{ script: number; painted: number }>((resolve) =>
          raf(() => {
            if (frameStart < 0) frameStart = performance.now();
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              resolve({ script, painted: performance.now() - frameStart });
              frameStart = -1;
              script = 0;
            };
            channel.port2.postMessage(null);
          }),
        );
      renderNow(true);
      // Until the page is idle (the strips of the first full draw are spread over frames).
      for (let i = 0; i < 10 || (activations.pending > 0 && i < 600); i++) await nextFrame();
      const times: number[] = [];
      const painted: number[] = [];
      for (const k of Object.keys(partTimes)) partTimes[k] = 0;
      for (let u = 0; u < o.updates; u++) {
        // One batch as the extension sends it (~100 ms of a fast run): 10 steps, their statistics,
        // a probe, through the page's own path (validation, folding, a redraw in the next frame),
        // timed with everything the page does in that frame (continued work of earlier updates too).
        const events: WorkerMessage[] = [];
        for (let i = 0; i < 10; i++) events.push(...eventsOfStep());
        // The update starts in a task of its own (a trace then sees it apart from making the events).
        await new Promise((r) => setTimeout(r, 0));
        performance.mark(`layer-lens-update-${u}`);
        const frame = nextFrame();
        const t = performance.now();
        const parsed = parseToPanel({ type: 'events', runId: 'bench', events });
        if (parsed.ok) handle(parsed.value);
        const sync = performance.now() - t;
        const f = await frame;
        performance.mark(`layer-lens-update-${u}-painted`);
        times.push(sync + f.script);
        painted.push(sync + f.painted);
      }
      window.requestAnimationFrame = raf;
      performance.clearMarks();
      const stats = (v: number[]) => {
        const a = [...v].sort((x, y) => x - y);
        const q = (p: number) => a[Math.min(a.length - 1, Math.floor(a.length * p))];
        return { mean: a.reduce((x, y) => x + y, 0) / a.length, median: q(0.5), p95: q(0.95), max: a[a.length - 1] };
      };
      const parts = Object.fromEntries(Object.entries(partTimes).map(([k, v]) => [k, v / o.updates]));
      return { steps: step, ...stats(times), painted: stats(painted), parts };
    },
  };
}

post({ type: 'ready' });
