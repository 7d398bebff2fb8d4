/**
 * The incremental health monitor: feed it the training stream one event at a time (any
 * worker message; other types are ignored) and it returns the findings that are new or have
 * changed since the last event. Memory is bounded: the stream state keeps rolling windows,
 * and there is at most one finding per code and subject (layer or model).
 *
 *   const monitor = new HealthMonitor({ graph });
 *   worker.on('message', (m) => { for (const c of monitor.push(m)) panel.show(c.finding); });
 *   monitor.findings();   // ranked: errors first, root causes before symptoms, earliest first
 */
import type { ModelGraph } from '../analysis/graph';
import { ModelContext } from './context';
import type { Detector } from './detector';
import { DETECTORS } from './detectors';
import { compareFindings, maxSeverity, type Finding, type FindingCode } from './findings';
import { StreamState } from './state';
import { isHealthEvent, type HealthEvent } from './stream';

export interface MonitorOptions {
  /** The analysed model: layer lines, activations, compile settings. */
  graph?: ModelGraph;
  /** The detectors to run (all by default). */
  detectors?: readonly Detector[];
  /**
   * False when the program's code never loads weights into a model (`canLoadWeights`): a frozen
   * layer then keeps its random initial weights, a warning. Unknown (absent): frozen layers are
   * taken as deliberately frozen, info.
   */
  weightsLoaded?: boolean;
}

export interface FindingChange {
  kind: 'new' | 'updated';
  finding: Finding;
}

/**
 * A finding of the key's code is left out of `findings()` while a finding with one of the
 * listed codes (or ids, `code:subject`) is present: the listed ones name the cause of the same
 * broken run, the left-out one only a symptom of it. `allFindings()` keeps everything.
 */
export const SUPERSEDED_BY: Partial<Record<FindingCode, string[]>> = {
  'loss-not-decreasing': [
    'divergence',
    'oscillation',
    'learning-rate-too-high',
    'exploding-gradient',
    'label-loss-mismatch',
    'non-finite-inputs',
    'unchanged-weights:all',
  ],
  // Tiny updates after the optimizer has wrecked the network are a consequence, not the cause.
  'update-ratio-low': ['learning-rate-too-high', 'divergence', 'exploding-gradient', 'unchanged-weights:all'],
  // NaN inputs make every gradient and loss NaN.
  'exploding-gradient': ['non-finite-inputs'],
  divergence: ['non-finite-inputs'],
  // Accuracy at chance is what a model that cannot learn at all shows.
  underfitting: ['label-loss-mismatch', 'non-finite-inputs', 'unchanged-weights:all'],
};

/** Evidence that moved by more than this (relative) makes a finding "updated". */
export const EVIDENCE_CHANGE = 0.1;

export class HealthMonitor {
  readonly state = new StreamState();
  readonly context: ModelContext;
  private readonly detectors: readonly Detector[];
  private readonly byId = new Map<string, Finding>();
  private events = 0;

  constructor(options: MonitorOptions = {}) {
    this.context = new ModelContext(options.graph, options.weightsLoaded);
    this.detectors = options.detectors ?? DETECTORS;
  }

  /** Consumes one event; returns the findings it created or changed (ranked). */
  push(event: HealthEvent | { type: string }): FindingChange[] {
    if (!isHealthEvent(event)) return [];
    this.events++;
    if (event.type === 'model') this.context.observeModel(event);
    if (event.type === 'compile') this.context.observeCompile(event);
    this.state.observe(event);
    const changes: FindingChange[] = [];
    for (const d of this.detectors) {
      if (!d.triggers.includes(event.type) && event.type !== 'done') continue;
      for (const f of d.detect(this.state, this.context)) {
        const change = this.merge(f);
        if (change) changes.push(change);
      }
    }
    return changes.sort((a, b) => compareFindings(a.finding, b.finding));
  }

  /** Consumes many events; returns every change in order. */
  pushAll(events: Iterable<HealthEvent | { type: string }>): FindingChange[] {
    const out: FindingChange[] = [];
    for (const e of events) out.push(...this.push(e));
    return out;
  }

  /** The current findings, ranked, without those superseded by a more precise one. */
  findings(): Finding[] {
    const present = new Set([...this.byId.values()].flatMap((f) => [f.code, f.id]));
    return this.allFindings().filter((f) => !(SUPERSEDED_BY[f.code] ?? []).some((c) => present.has(c)));
  }

  /** Every finding ever reported, ranked. */
  allFindings(): Finding[] {
    return [...this.byId.values()].sort(compareFindings).map(copy);
  }

  /** Events consumed so far (health events only). */
  get eventCount(): number {
    return this.events;
  }

  private merge(f: Finding): FindingChange | undefined {
    const old = this.byId.get(f.id);
    if (!old) {
      this.byId.set(f.id, f);
      return { kind: 'new', finding: copy(f) };
    }
    const layers = [...f.layers, ...old.layers.filter((l) => !f.layers.includes(l))];
    const merged: Finding = {
      ...f,
      step: Math.min(old.step, f.step),
      lastStep: Math.max(old.lastStep, f.lastStep),
      severity: maxSeverity(old.severity, f.severity),
      layers,
      line: f.line ?? old.line,
    };
    if (merged.line === undefined) delete merged.line;
    this.byId.set(f.id, merged);
    const changed = merged.severity !== old.severity || layers.length !== old.layers.length || evidenceMoved(old.evidence, merged.evidence);
    return changed ? { kind: 'updated', finding: copy(merged) } : undefined;
  }
}

function evidenceMoved(a: Record<string, number>, b: Record<string, number>): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k];
    const y = b[k];
    if (x === undefined || y === undefined) return true;
    if (x === y) continue;
    if (Math.abs(x - y) > EVIDENCE_CHANGE * Math.max(Math.abs(x), Math.abs(y))) return true;
  }
  return false;
}

function copy(f: Finding): Finding {
  return { ...f, layers: [...f.layers], evidence: { ...f.evidence }, fixes: f.fixes.map((x) => ({ ...x })), explain: [...f.explain] };
}

/** Runs a whole recorded stream through a monitor: the final findings. */
export function analyzeStream(events: Iterable<HealthEvent | { type: string }>, options: MonitorOptions = {}): Finding[] {
  const m = new HealthMonitor(options);
  m.pushAll(events);
  return m.findings();
}

/** One finding as `layer-lens train --json` prints it: stable keys in a fixed order, `line` null when unknown. */
export interface FindingJson {
  code: Finding['code'];
  severity: Finding['severity'];
  layers: string[];
  line: number | null;
  step: number;
  evidence: Record<string, number>;
  fixes: Finding['fixes'];
  message: string;
  explain: string[];
}

/**
 * The `--json` shape of the CLI: `{"findings":[{"code","severity","layers","line","step",
 * "evidence","fixes","message","explain"}…]}` (the run-local `id`, `title` and `lastStep` left out).
 */
export function findingsJson(findings: Finding[]): { findings: FindingJson[] } {
  return {
    findings: findings.map((f) => ({
      code: f.code,
      severity: f.severity,
      layers: [...f.layers],
      line: f.line ?? null,
      step: f.step,
      evidence: { ...f.evidence },
      fixes: f.fixes.map((x) => ({ ...x })),
      message: f.message,
      explain: [...f.explain],
    })),
  };
}
