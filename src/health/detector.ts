/**
 * The contract of one detector: a pure function from the bounded stream state (and the model
 * context) to the findings that hold now. The monitor calls it after the events it listens
 * to, keeps the first step each finding was seen, and merges repeats by `id`.
 */
import type { ModelContext } from './context';
import { cleanEvidence, FINDING_TITLES, rankFixes, type Finding, type FindingCode, type FindingSeverity, type Fix } from './findings';
import { renderMessage, type EvidenceDraft, type MessagePart } from './messages';
import type { StreamState } from './state';
import type { HealthEventType } from './stream';

export interface Detector {
  /** The detector's name (its file): `vanishing-gradient`. */
  readonly name: string;
  /** The codes it can report. */
  readonly codes: readonly FindingCode[];
  /** The events after which it is re-evaluated. */
  readonly triggers: readonly HealthEventType[];
  detect(state: StreamState, ctx: ModelContext): Finding[];
}

export interface DraftFinding {
  code: FindingCode;
  /** What the finding is about, for its id: a layer name, `model`, `output-0`. */
  key: string;
  severity: FindingSeverity;
  /** The message as templates and values (src/health/messages.ts); the English `message` is rendered from it. */
  text: MessagePart[];
  layers: string[];
  line?: number;
  /** The step it is evidence of (the first non-finite step); the state's current step when omitted. */
  step?: number;
  evidence: EvidenceDraft;
  fixes: Fix[];
  explain: string[];
}

/** A finding as detectors return it (first step = this step; the monitor keeps the earliest). */
export function finding(state: StreamState, d: DraftFinding): Finding {
  const step = d.step ?? state.step;
  const out: Finding = {
    id: `${d.code}:${d.key}`,
    code: d.code,
    severity: d.severity,
    title: FINDING_TITLES[d.code],
    message: renderMessage(d.text, 'en'),
    messageParts: d.text,
    layers: d.layers,
    step,
    lastStep: Math.max(step, state.step),
    evidence: cleanEvidence(d.evidence),
    fixes: rankFixes(d.fixes),
    explain: d.explain,
  };
  if (d.line !== undefined) out.line = d.line;
  return out;
}
