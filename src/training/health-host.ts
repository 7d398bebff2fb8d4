/**
 * Training health on the host side: the HealthMonitor (src/health) over every message of a
 * training run, turned into `health` protocol messages, and a process-wide feed of every run's
 * findings for the editor (the Training Health view, the inline notes, Problems, quick fixes).
 *
 *   worker ──messages──▶ TrainingRun (host.ts) ──▶ HealthTracker.push(msg) ──▶ `health` message
 *                                                        │                    (onMessage, messages)
 *                                                        └──▶ trainingHealth (start/findings/end)
 *
 * The tracker runs in the host, not the worker, so that the worker stays a pure producer of
 * measurements (the user's own training program speaks the same protocol), and so that a
 * recorded run can be re-judged by a newer monitor. No vscode import: the CLI, the extension
 * host and the tests use it.
 */
import * as fs from 'node:fs';
import type { ModelGraph } from '../analysis/graph';
import { HealthMonitor } from '../health/monitor';
import { canLoadWeights } from '../health/weight-origin';
import type { Finding, FindingSeverity } from '../health/findings';
import { PROTOCOL_VERSION, type HealthMessage, type WorkerMessage } from '../protocol/worker';

/**
 * A finding whose numbers moved (and nothing else) is re-sent at most every this many steps:
 * evidence such as a gradient ratio moves by more than 10% from one report to the next in a
 * noisy run, and the view only needs it fresh, not every step. New findings, a finding that got
 * more severe or spread to more layers, and the run's end are sent at once.
 */
export const HEALTH_UPDATE_EVERY_STEPS = 25;

/**
 * Whether the code of these files can bring trained weights into a model (canLoadWeights);
 * undefined when none could be read, so that frozen layers stay "deliberate" (info). Only the
 * files named are read: weights loaded in a helper module elsewhere go unseen, and its frozen
 * layers are reported as a warning that names the missing load.
 */
export function weightsLoadedIn(files: readonly (string | undefined)[]): boolean | undefined {
  let read = false;
  for (const file of files) {
    if (!file) continue;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    read = true;
    if (canLoadWeights(text)) return true;
  }
  return read ? false : undefined;
}

export class HealthTracker {
  readonly monitor: HealthMonitor;
  private sent = new Map<string, { severity: FindingSeverity; layers: number }>();
  private visible = '';
  private pending = new Set<string>();
  private lastSentStep = -Infinity;

  /** `sources`: the program's files, read to tell a frozen-at-init layer from a pretrained one (weightsLoadedIn). */
  constructor(graph?: ModelGraph, sources: readonly (string | undefined)[] = []) {
    const weightsLoaded = weightsLoadedIn(sources);
    this.monitor = new HealthMonitor({ ...(graph ? { graph } : {}), ...(weightsLoaded !== undefined ? { weightsLoaded } : {}) });
  }

  /** Consumes one message; returns the `health` message to deliver when the findings changed enough to say so. */
  push(msg: WorkerMessage | { type: string }): HealthMessage | undefined {
    if (msg.type === 'health') return undefined;
    const changes = this.monitor.push(msg as { type: string });
    for (const c of changes) this.pending.add(c.finding.id);
    const step = this.monitor.state.step;
    const ending = msg.type === 'done';
    if (this.pending.size === 0) return undefined;
    const findings = this.monitor.findings();
    const visible = findings.map((f) => f.id).join('\n');
    const urgent =
      visible !== this.visible ||
      changes.some((c) => {
        const before = this.sent.get(c.finding.id);
        return !before || before.severity !== c.finding.severity || before.layers !== c.finding.layers.length;
      });
    if (!urgent && !ending && step - this.lastSentStep < HEALTH_UPDATE_EVERY_STEPS) return undefined;
    const changed = [...this.pending].filter((id) => findings.some((f) => f.id === id));
    this.pending.clear();
    this.visible = visible;
    this.lastSentStep = step;
    this.sent = new Map(findings.map((f) => [f.id, { severity: f.severity, layers: f.layers.length }]));
    return { v: PROTOCOL_VERSION, type: 'health', step, findings, changed };
  }

  /** The current findings, ranked, symptoms of a reported cause left out. */
  findings(): Finding[] {
    return this.monitor.findings();
  }

  /** What a view draws next to the findings: the planned steps, the recent losses, the validation losses per epoch. */
  series(): HealthSeries {
    const st = this.monitor.state;
    return {
      ...(st.run ? { totalSteps: st.run.totalSteps } : {}),
      losses: st.recentSteps(200).map((r) => r.loss),
      valLosses: st.epochs.toArray().map((e) => e.valLoss),
    };
  }
}

export interface HealthSeries {
  totalSteps?: number;
  /** Training losses of the latest ≤ 200 step events (null: not finite). */
  losses: (number | null)[];
  /** Validation loss per epoch (null: none or not finite). */
  valLosses: (number | null)[];
}

// ---------------------------------------------------------------------------------------
// The process-wide feed: every training run of this process (the panel's, a command's).

export interface HealthRunInfo {
  /** The run folder: the run's identity. */
  runDir: string;
  /** The trained file (absolute) and the analysed model, for layer lines. */
  file: string;
  model: ModelGraph;
  /** sha256 of the trained file's text the model was analysed from, when known (the run's codeHash). */
  codeHash?: string;
}

export interface HealthFeedListener {
  /** A run started (its findings start empty). */
  start?(run: HealthRunInfo): void;
  /** The run's findings changed: the whole current list, ranked (`series`: when the host has it). */
  findings?(run: HealthRunInfo, findings: Finding[], step: number, series?: HealthSeries): void;
  /** The run ended (its last findings stay valid). */
  end?(run: HealthRunInfo, status: string, findings: Finding[], series?: HealthSeries): void;
}

/** Listeners of every run's health in this process; `subscribe` returns the unsubscribe function. */
export class HealthFeed {
  private readonly listeners = new Set<HealthFeedListener>();

  subscribe(listener: HealthFeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emitStart(run: HealthRunInfo): void {
    for (const l of [...this.listeners]) safe(() => l.start?.(run));
  }

  emitFindings(run: HealthRunInfo, findings: Finding[], step: number, series?: HealthSeries): void {
    for (const l of [...this.listeners]) safe(() => l.findings?.(run, findings, step, series));
  }

  emitEnd(run: HealthRunInfo, status: string, findings: Finding[], series?: HealthSeries): void {
    for (const l of [...this.listeners]) safe(() => l.end?.(run, status, findings, series));
  }
}

function safe(f: () => void): void {
  try {
    f();
  } catch {
    // a listener's failure must never reach the training run
  }
}

/** The feed every TrainingRun of this process reports to. */
export const trainingHealth = new HealthFeed();
