/**
 * What the health detectors report: a finding names the problem (a stable code), where it is
 * (layers and the source line of the first one), when it was first seen (the optimizer
 * step), how we know (evidence: the numbers), and what to change (fixes ranked by likely
 * effect, with structured edits a quick fix can apply). Plain JSON data, the shape that
 * `layer-lens train --json` prints:
 *
 *   {"code":"vanishing-gradient","severity":"warning","layers":["dense_Dense1"],"line":4,
 *    "step":40,"evidence":{"ratio":3e-8,…},"fixes":[{"id":"activation-relu",…}],…}
 *
 * Titles of codes and fixes are English source strings with Simplified Chinese translations
 * in l10n/bundle.l10n.zh-cn.json (`findingTitle`, `fixTitle`); the explanations behind a
 * finding are ids of the src/explain catalogue, bilingual there.
 */
import { translate, type ExplainLocale } from '../explain/l10n';
import { renderMessage, type MessagePart } from './messages';

export type FindingSeverity = 'error' | 'warning' | 'info';

/** Every code a detector can report, with its English title. */
export const FINDING_TITLES = {
  'vanishing-gradient': 'Vanishing gradients',
  'exploding-gradient': 'Exploding gradients',
  'dead-relu': 'Dead ReLU units',
  'saturated-activation': 'Saturated activations',
  'loss-not-decreasing': 'Loss not decreasing',
  divergence: 'Loss diverging',
  oscillation: 'Loss oscillating',
  'learning-rate-too-high': 'Learning rate too high',
  'unchanged-weights': 'Weights not changing',
  'update-ratio-high': 'Updates too large for the weights',
  'update-ratio-low': 'Updates too small for the weights',
  overfitting: 'Overfitting',
  underfitting: 'Underfitting',
  'inputs-not-normalized': 'Inputs not normalised',
  'non-finite-inputs': 'Inputs contain NaN or Infinity',
  'label-loss-mismatch': 'Labels do not fit the loss',
} as const;

export type FindingCode = keyof typeof FINDING_TITLES;
export const FINDING_CODES = Object.keys(FINDING_TITLES) as FindingCode[];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One source edit of a fix. Layers are named as the model names them (the finding's layer
 * names); the quick-fix provider finds the factory call from the analysed ModelGraph.
 */
export type FixEdit =
  /** Set (or add) a key of a layer's config object: `activation: 'relu'`, `kernelInitializer: 'heNormal'`. */
  | { kind: 'set-config'; layer: string; key: string; value: JsonValue }
  /**
   * Set an option of the optimizer (`clipnorm: 1`). tfjs 4.22 optimizers take no clipping
   * options: the quick fix has to wrap the optimizer (clip the gradients before `applyGradients`).
   */
  | { kind: 'set-optimizer-option'; key: string; value: number }
  /** Use this learning rate in `compile` (`optimizer: tf.train.adam(0.0001)`). */
  | { kind: 'set-learning-rate'; value: number }
  /** Set a key of the `compile` call: `loss: 'sparseCategoricalCrossentropy'`. */
  | { kind: 'set-compile'; key: 'loss' | 'optimizer' | 'metrics'; value: JsonValue }
  /** Insert `tf.layers.<factory>(config)` right after (or before) a layer. */
  | { kind: 'insert-layer-after'; layer: string; factory: string; config?: Record<string, JsonValue> }
  | { kind: 'insert-layer-before'; layer: string; factory: string; config?: Record<string, JsonValue> }
  /** Add `tf.callbacks.<factory>(config)` to the `fit` call's callbacks. */
  | { kind: 'add-callback'; factory: string; config?: Record<string, JsonValue> };

export interface Fix {
  /** Stable id: `lower-learning-rate`, `clip-gradients`, `insert-batch-norm`, … */
  id: string;
  /** English title (`fixTitle` translates it). */
  title: string;
  /** 1 = most likely to help; fixes of one finding are sorted by it. */
  rank: number;
  /** Present when the fix is an edit of the user's code; applied together. */
  edits?: FixEdit[];
  /** Catalogue ids (src/explain) that explain the fix. */
  explain: string[];
}

export interface Finding {
  /** Stable identity for updates: the code plus what it is about (a layer, the model). */
  id: string;
  code: FindingCode;
  severity: FindingSeverity;
  /** English title of the code. */
  title: string;
  /** One English sentence with the numbers. */
  message: string;
  /**
   * The same sentence as templates and values (src/health/messages.ts), to render it in the
   * client's language (`findingMessage`). Absent in findings written before it existed.
   */
  messageParts?: MessagePart[];
  /** The layers concerned, in model order; empty for model-wide findings. */
  layers: string[];
  /** 1-based source line of the first layer (or of the compile/fit call). */
  line?: number;
  /** The optimizer step at which the detector first fired. */
  step: number;
  /** The latest step at which it still held. */
  lastStep: number;
  /** The numbers behind it (finite only). */
  evidence: Record<string, number>;
  /** Ranked by likely effect, best first. */
  fixes: Fix[];
  /** Catalogue ids (src/explain) for the why: `concept.vanishingGradient`, … */
  explain: string[];
}

export const SEVERITY_ORDER: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

/** The more severe of two severities. */
export function maxSeverity(a: FindingSeverity, b: FindingSeverity): FindingSeverity {
  return SEVERITY_ORDER[a] <= SEVERITY_ORDER[b] ? a : b;
}

/**
 * Root causes before their symptoms when severities tie: bad data and labels explain most of
 * what follows them, exploding values explain a NaN loss, and so on.
 */
const CODE_ORDER: FindingCode[] = [
  'non-finite-inputs',
  'label-loss-mismatch',
  'inputs-not-normalized',
  'exploding-gradient',
  'divergence',
  'learning-rate-too-high',
  'unchanged-weights',
  'vanishing-gradient',
  'dead-relu',
  'saturated-activation',
  'oscillation',
  'update-ratio-high',
  'update-ratio-low',
  'overfitting',
  'underfitting',
  'loss-not-decreasing',
];

/** Severity first, then root causes before symptoms, then the earliest step, then the id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    CODE_ORDER.indexOf(a.code) - CODE_ORDER.indexOf(b.code) ||
    a.step - b.step ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Only finite numbers; fractions rounded to 4 significant digits (evidence is read, not recomputed), integers (steps, counts) kept. */
export function cleanEvidence(e: Record<string, number | null | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(e)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v === 0 || Number.isInteger(v) ? v : Number(v.toPrecision(4));
  }
  return out;
}

/** A number for a message: `3e-8`, `0.0012`, `12.5`, `1.2e+4`. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(1).replace('.0e', 'e');
  return String(Number(x.toPrecision(3)));
}

/** A fraction as a percentage for messages: `27%`. */
export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** The title of a finding code in a locale (English without one). */
export function findingTitle(code: FindingCode, locale?: ExplainLocale): string {
  return translate(FINDING_TITLES[code], locale ?? 'en');
}

/** A finding's message in a locale: rendered from its parts when it has them, else the English sentence. */
export function findingMessage(f: Pick<Finding, 'message' | 'messageParts'>, locale?: ExplainLocale): string {
  if (!locale || locale === 'en' || !f.messageParts || f.messageParts.length === 0) return f.message;
  const text = renderMessage(f.messageParts, locale);
  return text.length > 0 ? text : f.message;
}

/** The title of a fix in a locale (English without one). */
export function fixTitle(fix: Fix, locale?: ExplainLocale): string {
  return translate(fix.title, locale ?? 'en');
}

/** The fixes sorted by rank, renumbered 1…n, with duplicates (same id) dropped. */
export function rankFixes(fixes: Fix[]): Fix[] {
  const seen = new Set<string>();
  return [...fixes]
    .sort((a, b) => a.rank - b.rank)
    .filter((f) => (seen.has(f.id) ? false : (seen.add(f.id), true)))
    .map((f, i) => ({ ...f, rank: i + 1 }));
}
