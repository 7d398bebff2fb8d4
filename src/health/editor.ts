/**
 * What the editor shows of a finding, as pure functions (no vscode import; the extension host,
 * the language server and the tests use them):
 *
 * * `findingPlaces` — where it is in the source: the factory call of each of its layers (from
 *   the analysed ModelGraph the run was built from), or the line of a model-wide finding (the
 *   compile or fit call);
 * * `inlineNote` — the short note after that line, with the number that matters:
 *   `∇ vanishing · 2e-6`, `dead ReLU · 59%`, `loss diverging · ×6.6`, in the client's
 *   language (English without one).
 */
import type { LayerNode, ModelGraph, SourceRange } from '../analysis/graph';
import { translate, type ExplainLocale } from '../explain/l10n';
import { fmt, pct, type Finding } from './findings';
import { fill } from './messages';

/** A place in a file: 1-based lines and columns (as the analysis reports them). */
export interface FindingPlace {
  file: string;
  /** The layer this place is the factory call of (absent for a model-wide line). */
  layer?: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** Offsets into the analysed text, when the place is a layer's call. */
  startOffset?: number;
  endOffset?: number;
}

function layersOf(graph: ModelGraph | undefined): LayerNode[] {
  return graph ? graph.layers.filter((l) => l.className !== 'InputLayer') : [];
}

function placeOf(range: SourceRange, layer?: string): FindingPlace {
  return {
    file: range.file,
    ...(layer ? { layer } : {}),
    startLine: range.start.line,
    startColumn: range.start.column,
    endLine: range.end.line,
    endColumn: range.end.column,
    startOffset: range.startOffset,
    endOffset: range.endOffset,
  };
}

/**
 * The places of a finding, first the one it is reported at: its layers' factory calls (or
 * first `.apply`/`add` call) in model order of the finding, one per line; a model-wide finding
 * at its `line` in the model's file (the whole line: columns 1…1, the caller widens it).
 */
export function findingPlaces(f: Finding, graph?: ModelGraph): FindingPlace[] {
  const out: FindingPlace[] = [];
  const seen = new Set<string>();
  const layers = layersOf(graph);
  for (const name of f.layers) {
    const node = layers.find((l) => l.name === name);
    const range = node?.range ?? node?.applyRanges[0];
    if (!range) continue;
    const key = `${range.file}:${range.start.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(placeOf(range, name));
  }
  if (out.length === 0 && f.line !== undefined && graph) {
    out.push({ file: graph.range.file, startLine: f.line, startColumn: 1, endLine: f.line, endColumn: 1 });
  }
  return out;
}

/** The label of a code in an inline note (short; the hover and the view say the rest). English; translated in the bundle. */
export const NOTE_LABEL: Record<Finding['code'], string> = {
  'vanishing-gradient': '∇ vanishing',
  'exploding-gradient': '∇ exploding',
  'dead-relu': 'dead ReLU',
  'saturated-activation': 'saturated',
  'loss-not-decreasing': 'loss flat',
  divergence: 'loss diverging',
  oscillation: 'loss oscillating',
  'learning-rate-too-high': 'learning rate too high',
  'unchanged-weights': 'weights not changing',
  'update-ratio-high': 'Δw/w too high',
  'update-ratio-low': 'Δw/w too low',
  overfitting: 'overfitting',
  underfitting: 'accuracy ≈ chance',
  'inputs-not-normalized': 'inputs not normalised',
  'non-finite-inputs': 'NaN in inputs',
  'label-loss-mismatch': 'labels ≠ loss',
};

/** The words of the notes' numbers (English templates, translated in the bundle). */
export const NOTE_TEXT = {
  nanAt: 'NaN at step {step}',
  lossChange: '{change} in {steps} steps',
  frozen: 'frozen',
  zeroRate: 'learning rate 0',
  valLoss: 'val loss {value}',
  valAccuracy: 'val acc {value}',
  max: 'max {value}',
} as const;

/** The number that says most about a finding, formatted for the note (undefined when none). */
function keyNumber(f: Finding, locale: ExplainLocale): string | undefined {
  const e = f.evidence;
  const t = (key: keyof typeof NOTE_TEXT, values: Record<string, string | number> = {}): string =>
    fill(translate(NOTE_TEXT[key], locale), Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])));
  switch (f.code) {
    case 'vanishing-gradient':
      return e.ratio !== undefined ? fmt(e.ratio) : undefined;
    case 'exploding-gradient':
      if ((e.nanCount ?? 0) + (e.infCount ?? 0) > 0 || e.lastFiniteGradNorm !== undefined) return t('nanAt', { step: e.step ?? f.step });
      return e.growth !== undefined ? `×${fmt(e.growth)}` : undefined;
    case 'dead-relu':
      return e.deadFraction !== undefined ? pct(e.deadFraction) : undefined;
    case 'saturated-activation':
      return e.fracSaturated !== undefined ? pct(e.fracSaturated) : undefined;
    case 'loss-not-decreasing':
      return e.improvement !== undefined
        ? t('lossChange', { change: `${e.improvement >= 0 ? '−' : '+'}${pct(Math.abs(e.improvement))}`, steps: e.steps ?? f.step })
        : undefined;
    case 'divergence':
      return e.factor !== undefined
        ? `×${fmt(e.factor)}`
        : e.lastFiniteLoss !== undefined
          ? t('nanAt', { step: e.step ?? f.step })
          : undefined;
    case 'oscillation':
      return e.spread !== undefined ? `±${fmt(e.spread)}×` : undefined;
    case 'learning-rate-too-high':
      return e.learningRate !== undefined ? String(e.learningRate) : undefined;
    case 'unchanged-weights':
      return e.frozen ? t('frozen') : e.learningRate === 0 ? t('zeroRate') : undefined;
    case 'update-ratio-high':
    case 'update-ratio-low':
      return e.updateRatio !== undefined ? fmt(e.updateRatio) : undefined;
    case 'overfitting':
      return e.valLoss !== undefined
        ? t('valLoss', { value: fmt(e.valLoss) })
        : e.valAccuracy !== undefined
          ? t('valAccuracy', { value: pct(e.valAccuracy) })
          : undefined;
    case 'underfitting':
      return e.accuracy !== undefined ? pct(e.accuracy) : undefined;
    case 'inputs-not-normalized':
      return e.max !== undefined ? t('max', { value: fmt(e.max) }) : undefined;
    case 'non-finite-inputs':
      return e.nonFinite !== undefined ? String(e.nonFinite) : undefined;
    case 'label-loss-mismatch':
      return undefined;
  }
}

/** The inline note: `∇ vanishing · 2e-6` (`∇ 消失 · 2e-6` in Simplified Chinese). */
export function inlineNote(f: Finding, locale: ExplainLocale = 'en'): string {
  const n = keyNumber(f, locale);
  const label = translate(NOTE_LABEL[f.code], locale);
  return n ? `${label} · ${n}` : label;
}

/** The notes of several findings on one line, most severe first, joined: `∇ vanishing · 2e-6 · saturated · 94%`. */
export function lineNote(findings: Finding[], locale: ExplainLocale = 'en'): string {
  return findings.map((f) => inlineNote(f, locale)).join('  ·  ');
}
