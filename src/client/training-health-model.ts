/**
 * The pure half of the editor's training-health surface (no vscode import, unit-tested): from a
 * run's findings and the analysed graph it was built from, what the Training Health view shows
 * (`healthViewState`), the Problems entries (`healthDiagnostics`: one per finding, at its first
 * place, the other layers as related places) and the inline notes with their gutter severity
 * (`healthDecorations`: one per line, the notes of every finding on it). Lines and columns
 * here are 0-based, as the editor counts them.
 */
import type { ModelGraph } from '../analysis/graph';
import { explain, type ExplainLocale } from '../explain/index';
import { findingPlaces, inlineNote, type FindingPlace } from '../health/editor';
import { findingTitle, fixTitle, fmt, SEVERITY_ORDER, type Finding, type FindingSeverity } from '../health/findings';
import type { FindingView, HealthRunView, ToHealthView } from '../shared/training-health-messages';

export interface HealthRange {
  file: string;
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export interface HealthDiagnostic {
  range: HealthRange;
  severity: FindingSeverity;
  code: string;
  message: string;
  findingId: string;
  related: { range: HealthRange; message: string }[];
}

export interface HealthDecoration {
  file: string;
  /** 0-based line. */
  line: number;
  /** The most severe finding on the line decides the gutter mark. */
  severity: FindingSeverity;
  note: string;
  /** The findings' one-line messages, for the hover. */
  hover: string[];
}

/** Line lengths of a file, to widen a whole-line place (model-wide findings) to its text. */
export type LineLength = (file: string, line0: number) => number | undefined;

function rangeOf(p: FindingPlace, lineLength?: LineLength): HealthRange {
  const wholeLine = p.startOffset === undefined;
  const len = wholeLine ? (lineLength?.(p.file, p.startLine - 1) ?? 0) : 0;
  return {
    file: p.file,
    startLine: p.startLine - 1,
    startCharacter: wholeLine ? 0 : p.startColumn - 1,
    endLine: p.endLine - 1,
    endCharacter: wholeLine ? len : p.endColumn - 1,
  };
}

/** One Problems entry per finding that has a place; its other layers become related places. */
export function healthDiagnostics(findings: Finding[], graph: ModelGraph | undefined, lineLength?: LineLength): HealthDiagnostic[] {
  const out: HealthDiagnostic[] = [];
  for (const f of findings) {
    const places = findingPlaces(f, graph);
    if (places.length === 0) continue;
    const [first, ...rest] = places;
    out.push({
      range: rangeOf(first, lineLength),
      severity: f.severity,
      code: f.code,
      message: `${f.title}: ${f.message}${f.fixes[0] ? ` Fix: ${f.fixes[0].title}.` : ''}`,
      findingId: f.id,
      related: rest.map((p) => ({ range: rangeOf(p, lineLength), message: `${p.layer ?? 'here'}: ${inlineNote(f)}` })),
    });
  }
  return out;
}

/** One decoration per line that holds a place of some finding: the gutter mark and the note. */
export function healthDecorations(findings: Finding[], graph: ModelGraph | undefined): HealthDecoration[] {
  const byLine = new Map<string, { file: string; line: number; findings: Finding[] }>();
  for (const f of findings) {
    for (const p of findingPlaces(f, graph)) {
      const key = `${p.file}\n${p.startLine}`;
      let entry = byLine.get(key);
      if (!entry) byLine.set(key, (entry = { file: p.file, line: p.startLine - 1, findings: [] }));
      if (!entry.findings.includes(f)) entry.findings.push(f);
    }
  }
  return [...byLine.values()].map(({ file, line, findings: fs }) => {
    const ranked = [...fs].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
    return { file, line, severity: ranked[0].severity, note: ranked.map(inlineNote).join('  ·  '), hover: ranked.map((f) => `${f.title}: ${f.message}`) };
  });
}

/** `laterGradNorm` → `later grad norm`. */
export function evidenceName(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/\bval\b/gi, 'validation')
    .toLowerCase();
}

const CURVE_CODES = new Set(['divergence', 'oscillation', 'loss-not-decreasing', 'learning-rate-too-high', 'underfitting', 'overfitting']);

export interface HealthRunInput {
  file: string;
  model: ModelGraph;
  status: HealthRunView['status'];
  step: number;
  totalSteps?: number;
  /** Recent training losses (for the sparkline of loss-curve findings) and validation losses per epoch. */
  losses?: (number | null)[];
  valLosses?: (number | null)[];
}

/** The view's state: the run and its findings, ranked as given, in the UI language. */
export function healthViewState(run: HealthRunInput | undefined, findings: Finding[], locale: ExplainLocale, displayPath: (file: string) => string = (f) => f): ToHealthView {
  if (!run) return { type: 'state', run: null, findings: [], locale };
  const layers = run.model.layers;
  const lineOf = (name: string): number | null => {
    const l = layers.find((x) => x.name === name);
    return (l?.range ?? l?.applyRanges[0])?.start.line ?? null;
  };
  const views: FindingView[] = findings.map((f) => {
    const view: FindingView = {
      id: f.id,
      code: f.code,
      severity: f.severity,
      title: findingTitle(f.code, locale),
      message: f.message,
      note: inlineNote(f),
      step: f.step,
      layers: f.layers.map((name) => ({ name, line: lineOf(name) })),
      line: f.line ?? null,
      evidence: Object.entries(f.evidence).map(([k, v]) => ({ name: evidenceName(k), value: fmt(v) })),
      why: f.explain.flatMap((id) => {
        const e = explain(id, locale);
        return e ? [{ id, title: e.title, summary: e.summary }] : [];
      }),
      fixes: f.fixes.map((x) => {
        const e = x.explain[0] ? explain(x.explain[0], locale) : undefined;
        return { id: x.id, title: fixTitle(x, locale), rank: x.rank, edit: (x.edits?.length ?? 0) > 0, ...(e ? { why: e.summary } : {}) };
      }),
    };
    const series = f.code === 'overfitting' ? run.valLosses : CURVE_CODES.has(f.code) ? run.losses : undefined;
    if (series && series.filter((x) => x !== null).length >= 2) view.spark = series.slice(-200);
    return view;
  });
  return {
    type: 'state',
    run: { file: displayPath(run.file), model: run.model.name, status: run.status, step: run.step, ...(run.totalSteps !== undefined ? { totalSteps: run.totalSteps } : {}) },
    findings: views,
    locale,
  };
}
