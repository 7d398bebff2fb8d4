/**
 * The messages between the Training Health view (src/webview/health, a webview view in the
 * Layer Lens side bar) and the extension (src/client/training-health.ts), as validator
 * schemas: each side validates what it receives. The page names findings, layers and fixes by
 * id; the extension looks them up in the findings it sent, so a message can never make it open
 * a file or apply an edit of the page's choosing. No vscode or DOM import.
 */
import { type Infer, array, boolean, check, literal, nullable, number, object, optional, string, tagged } from '../validate';

const id = string({ max: 512 });
const text = string({ max: 20_000 });
const line = nullable(number({ integer: true, min: 1 }));

/** One finding as the view shows it (src/client/training-health-model.ts builds it). */
const findingView = object({
  id,
  code: id,
  severity: literal('error', 'warning', 'info'),
  title: text,
  message: text,
  /** The inline note of the editor: `∇ vanishing · 2e-6`. */
  note: text,
  step: number({ integer: true, min: 0 }),
  layers: array(object({ name: text, line }), { max: 10_000 }),
  line,
  /** The numbers, formatted, in the detector's order. */
  evidence: array(object({ name: text, value: text }), { max: 100 }),
  /** Why: the explanations the finding cites (title + one-paragraph summary, in the UI language). */
  why: array(object({ id, title: text, summary: text }), { max: 20 }),
  /** Fixes ranked by likely effect; `edit`: it is an edit of the code (a quick fix exists for it). */
  fixes: array(object({ id, title: text, rank: number({ integer: true, min: 1 }), edit: boolean, why: optional(text) }), { max: 50 }),
  /** The loss (or the evidence's series) to draw as a sparkline, when the finding is about the curve. */
  spark: optional(array(nullable(number()), { max: 400 })),
  /** The titles of its fixes applied since the run (the code changed; a new run confirms them). */
  applied: optional(array(text, { max: 50 })),
});

const runView = object({
  /** The file, relative to its workspace folder. */
  file: text,
  model: text,
  status: literal('running', 'completed', 'stopped', 'failed', 'killed', 'crashed'),
  step: number({ integer: true, min: 0 }),
  totalSteps: optional(number({ integer: true, min: 0 })),
});

/** What the extension sends the view. */
export const toHealthView = tagged('type', {
  /** The latest run and its findings, ranked (errors first, causes before symptoms). */
  state: object({
    type: literal('state'),
    run: nullable(runView),
    findings: array(findingView, { max: 1000 }),
    /** The UI language of the explanations and titles ('en', 'zh-cn'). */
    locale: id,
    /** The code was edited since the run: the findings are from before the edit (retrain to confirm). */
    stale: optional(boolean),
  }),
});

/** What the view sends the extension. */
export const fromHealthView = tagged('type', {
  ready: object({ type: literal('ready') }),
  /** Show a finding's place in the editor: one of its layers, else where it is reported. */
  reveal: object({ type: literal('reveal'), findingId: id, layer: optional(text) }),
  /** Apply a fix that is an edit (through the language server's quick fix for it). */
  applyFix: object({ type: literal('applyFix'), findingId: id, fixId: id }),
  /** Train the run's model again (its findings are from before an edit). */
  retrain: object({ type: literal('retrain') }),
});

export type FindingView = Infer<typeof findingView>;
export type HealthRunView = Infer<typeof runView>;
export type ToHealthView = Infer<typeof toHealthView>;
export type FromHealthView = Infer<typeof fromHealthView>;

export function parseToHealthView(value: unknown): { ok: true; value: ToHealthView } | { ok: false; error: string } {
  return check(toHealthView, value);
}

export function parseFromHealthView(value: unknown): { ok: true; value: FromHealthView } | { ok: false; error: string } {
  return check(fromHealthView, value);
}
