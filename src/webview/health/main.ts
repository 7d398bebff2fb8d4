/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The Training Health view (a webview view in the Layer Lens side bar; bundled by esbuild.mjs
 * into dist/webview/health.js, loaded by src/client/training-health.ts): the latest training
 * run's findings ranked by severity, each with its layer(s) (click: the source line), the
 * evidence (the numbers, and a sparkline of the loss for loss-curve findings), why it happens,
 * and the fixes ranked by likely effect — "Apply" on those that are edits of the code. When the
 * code has been edited since the run, the findings stand under a "before your edit" heading with
 * a Retrain button, and those whose fix was applied say so.
 *
 * Built with DOM calls only (every text is set as text, never parsed as HTML), and every
 * message from the extension is validated (src/protocol/pages/health.ts) before use.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import { type FindingView, type FromHealthView, type ToHealthView, parseToHealthView } from '../../protocol/pages/health';

interface VsCodeApi {
  postMessage(message: FromHealthView): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
/** Findings the user opened or closed (by id), kept across updates of the list. */
const open = new Map<string, boolean>();

/** UI strings: English and Simplified Chinese (the explanations and titles come translated). */
const UI = {
  en: {
    empty: 'Train a model (Layer Lens: Train Current Model) to see its health here.',
    clean: 'No problems found so far.',
    step: 'step',
    layers: 'Layers',
    evidence: 'Evidence',
    why: 'Why',
    fixes: 'Fixes, most likely to help first',
    apply: 'Apply',
    firstSeen: 'first seen at step',
    staleHeading: 'Before your edit',
    staleText: 'The code has changed since this run: these findings describe the code as it was. Train again to see which still hold.',
    retrain: 'Retrain',
    applied: 'Fix applied',
    line: 'line',
    status: { running: 'training', completed: 'completed', stopped: 'stopped', failed: 'failed', killed: 'killed', crashed: 'crashed' },
    severity: { error: 'error', warning: 'warning', info: 'info' },
  },
  'zh-cn': {
    empty: '训练一个模型（Layer Lens: 训练当前模型）后，这里会显示它的训练健康状况。',
    clean: '目前没有发现问题。',
    step: '步',
    layers: '层',
    evidence: '证据',
    why: '原因',
    fixes: '修复建议（按可能的效果排序）',
    apply: '应用',
    firstSeen: '首次出现于第',
    staleHeading: '改动之前',
    staleText: '这次运行之后代码已经改过：下面的结果对应的是改动前的代码。重新训练一次，看看哪些问题还在。',
    retrain: '重新训练',
    applied: '已应用修复',
    line: '行',
    status: { running: '训练中', completed: '已完成', stopped: '已停止', failed: '失败', killed: '已终止', crashed: '已崩溃' },
    severity: { error: '错误', warning: '警告', info: '提示' },
  },
} as const;
type Strings = (typeof UI)[keyof typeof UI];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function custom(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A small SVG polyline of a series (nulls are gaps). */
function sparkline(values: (number | null)[]): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const w = 160;
  const h = 28;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h));
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length < 2) return svg;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const span = hi - lo || 1;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const x = (i / Math.max(1, values.length - 1)) * (w - 2) + 1;
    const y = h - 1 - ((v - lo) / span) * (h - 2);
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  svg.appendChild(path);
  svg.setAttribute('aria-label', `from ${finite[0].toPrecision(3)} to ${finite[finite.length - 1].toPrecision(3)}`);
  return svg;
}

function renderFinding(f: FindingView, s: Strings, index: number, stale: boolean): HTMLElement {
  const box = custom('vscode-collapsible', {
    title: f.title,
    description: f.applied ? `✓ ${f.note}` : f.note,
    class: `finding ${f.severity}${stale ? ' stale' : ''}${f.applied ? ' applied' : ''}`,
  });
  if (open.get(f.id) ?? ((index === 0 || f.severity === 'error') && !f.applied)) box.setAttribute('open', '');
  box.addEventListener('vsc-collapsible-toggle', (e) => open.set(f.id, Boolean((e as CustomEvent<{ open: boolean }>).detail?.open)));
  const badge = custom(
    'vscode-badge',
    { slot: 'decorations', variant: f.severity === 'info' ? 'default' : 'counter', class: `sev ${f.severity}` },
    s.severity[f.severity],
  );
  box.appendChild(badge);

  const body = el('div', 'body');
  if (f.applied) body.appendChild(el('p', 'applied', `✓ ${s.applied}: ${f.applied.join(s === UI['zh-cn'] ? '、' : ', ')}`));
  body.appendChild(el('p', 'message', f.message));
  body.appendChild(
    el('p', 'meta', `${s.firstSeen} ${f.step}${s === UI['zh-cn'] ? s.step : ''}${f.line !== null ? ` · ${s.line} ${f.line}` : ''}`),
  );

  if (f.layers.length > 0) {
    const row = el('div', 'layers');
    row.appendChild(el('span', 'label', `${s.layers}: `));
    f.layers.forEach((l, i) => {
      const a = el('a', 'layer', l.line !== null ? `${l.name} (${s.line} ${l.line})` : l.name);
      a.href = '#';
      a.addEventListener('click', (e) => {
        e.preventDefault();
        vscode.postMessage({ type: 'reveal', findingId: f.id, layer: l.name });
      });
      row.appendChild(a);
      if (i < f.layers.length - 1) row.appendChild(document.createTextNode(', '));
    });
    body.appendChild(row);
  } else if (f.line !== null) {
    const a = el('a', 'layer', `${s.line} ${f.line}`);
    a.href = '#';
    a.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'reveal', findingId: f.id });
    });
    body.appendChild(a);
  }

  if (f.evidence.length > 0 || f.spark) {
    body.appendChild(el('h4', undefined, s.evidence));
    const dl = el('dl', 'evidence');
    for (const e of f.evidence) {
      dl.appendChild(el('dt', undefined, e.name));
      dl.appendChild(el('dd', undefined, e.value));
    }
    body.appendChild(dl);
    if (f.spark) body.appendChild(sparkline(f.spark));
  }

  if (f.why.length > 0) {
    body.appendChild(el('h4', undefined, s.why));
    for (const w of f.why) {
      const p = el('p', 'why');
      p.appendChild(el('strong', undefined, `${w.title}. `));
      p.appendChild(document.createTextNode(w.summary));
      body.appendChild(p);
    }
  }

  if (f.fixes.length > 0) {
    body.appendChild(el('h4', undefined, s.fixes));
    const ol = el('ol', 'fixes');
    for (const x of f.fixes) {
      const li = el('li');
      li.appendChild(el('span', 'fix-title', x.title));
      if (x.edit) {
        const b = custom('vscode-button', { secondary: '', class: 'apply' }, s.apply);
        b.addEventListener('click', () => vscode.postMessage({ type: 'applyFix', findingId: f.id, fixId: x.id }));
        li.appendChild(b);
      }
      if (x.why) li.appendChild(el('div', 'fix-why', x.why));
      ol.appendChild(li);
    }
    body.appendChild(ol);
  }
  box.appendChild(body);
  return box;
}

function render(state: Extract<ToHealthView, { type: 'state' }>): void {
  const s: Strings = state.locale === 'zh-cn' ? UI['zh-cn'] : UI.en;
  app.replaceChildren();
  if (!state.run) {
    app.appendChild(el('p', 'placeholder', s.empty));
    return;
  }
  const head = el('header', 'run');
  head.appendChild(el('div', 'run-title', `${state.run.model} — ${state.run.file}`));
  const total = state.run.totalSteps ? `/${state.run.totalSteps}` : '';
  head.appendChild(el('div', `run-status ${state.run.status}`, `${s.status[state.run.status]} · ${s.step} ${state.run.step}${total}`));
  app.appendChild(head);
  if (state.findings.length === 0) {
    app.appendChild(el('p', 'placeholder', s.clean));
    return;
  }
  const stale = state.stale === true;
  if (stale) {
    const note = el('section', 'stale-note');
    note.appendChild(el('h3', undefined, s.staleHeading));
    note.appendChild(el('p', undefined, s.staleText));
    const retrain = custom('vscode-button', { class: 'retrain' }, s.retrain);
    retrain.addEventListener('click', () => vscode.postMessage({ type: 'retrain' }));
    note.appendChild(retrain);
    app.appendChild(note);
  }
  const list = el('section', `findings${stale ? ' stale' : ''}`);
  state.findings.forEach((f, i) => list.appendChild(renderFinding(f, s, i, stale)));
  app.appendChild(list);
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseToHealthView(event.data);
  if (!parsed.ok) {
    console.warn(`Training Health: ignored an invalid message (${parsed.error})`);
    return;
  }
  if (parsed.value.type === 'state') render(parsed.value);
});

vscode.postMessage({ type: 'ready' });
