/**
 * The host side of a training run: forks the worker with an IPC channel, validates every
 * message it sends, and controls it (stop, pause, resume, save). Used by the CLI and, later,
 * the extension host. No `vscode` import.
 *
 * Guarantees: `stop()` ends the run within `stopGraceMs` (the worker stops at its next step
 * boundary; if a long step keeps it busy, it is killed and run.json says so); the worker is
 * killed when this process exits; a worker that dies (killed, out of memory) yields a
 * result that says what happened, and its run folder keeps the history written so far.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding } from '../health/findings';
import { ChildRun, endedHow, outOfMemory, recordEnd, recordHealth } from './child-run';
import { HealthTracker, trainingHealth, type HealthRunInfo } from './health-host';
import {
  parseWorkerMessage,
  PROTOCOL_VERSION,
  type HostMessage,
  type TrainConfig,
  type WorkerMessage,
  type WorkerMessageOf,
} from '../protocol/worker';

export interface WorkerLocation {
  path: string;
  execArgv: string[];
}

/** dist/train-worker.js next to the bundled CLI, else the TypeScript source through tsx. */
export function defaultWorker(): WorkerLocation {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const bundled = path.join(here, 'train-worker.js');
  if (fs.existsSync(bundled)) return { path: bundled, execArgv: [] };
  const src = path.join(here, 'engine', 'worker.ts');
  if (fs.existsSync(src)) {
    const tsx = createRequire(path.join(here, 'noop.js')).resolve('tsx');
    return { path: src, execArgv: ['--import', pathToFileURL(tsx).href] };
  }
  throw new Error(`the training worker was not found (looked for ${bundled} and ${src}); run npm run build`);
}

export type RunStatus = 'completed' | 'stopped' | 'failed' | 'killed' | 'crashed';

export interface RunResult {
  status: RunStatus;
  done?: WorkerMessageOf<'done'>;
  /** The last fatal error the worker reported, or what the host saw when it died. */
  error?: { kind: string; message: string };
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
  messages: WorkerMessage[];
  /**
   * The training-health findings at the end, ranked (src/health; also in the `health` messages).
   * Optional for other hosts that return this shape (a script run); TrainingRun always sets it.
   */
  findings?: Finding[];
}

export interface StartOptions {
  worker?: WorkerLocation;
  onMessage?(msg: WorkerMessage): void;
  onStderr?(text: string): void;
  /** How long `stop()` waits for the worker before killing it. */
  stopGraceMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Extra Node flags for the worker (e.g. --max-old-space-size=4096). */
  nodeArgs?: string[];
}

export class TrainingRun {
  readonly messages: WorkerMessage[] = [];
  readonly result: Promise<RunResult>;
  private fatal?: { kind: string; message: string };
  private doneMsg?: WorkerMessageOf<'done'>;
  private readonly proc: ChildRun;
  /** The HealthMonitor over every message; its `health` messages join the stream (onMessage, messages). */
  private readonly health: HealthTracker;
  private readonly healthRun: HealthRunInfo;

  private constructor(
    readonly config: TrainConfig,
    private readonly opts: StartOptions,
  ) {
    const worker = opts.worker ?? defaultWorker();
    this.health = new HealthTracker(config.model, [config.file]);
    this.healthRun = { runDir: config.runDir, file: config.file, model: config.model, codeHash: config.codeHash };
    const child = fork(worker.path, [], {
      execArgv: [...worker.execArgv, ...(opts.nodeArgs ?? [])],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    this.proc = new ChildRun(child, (text) => opts.onStderr?.(text));
    child.on('message', (raw) => this.receive(raw));
    this.result = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.proc.markExited();
        resolve(this.finish(code, signal));
      });
      child.on('error', (e) => {
        this.fatal ??= { kind: 'crash', message: `the training worker could not run: ${e.message}` };
      });
    });
    this.send({ v: PROTOCOL_VERSION, type: 'start', config });
    // A learning-rate range test drives the loss to divergence on purpose: no health findings for it.
    if (!config.lrRange) trainingHealth.emitStart(this.healthRun);
  }

  static start(config: TrainConfig, opts: StartOptions = {}): TrainingRun {
    return new TrainingRun(config, opts);
  }

  get pid(): number | undefined {
    return this.proc.child.pid;
  }

  private receive(raw: unknown): void {
    const parsed = parseWorkerMessage(raw);
    if (!parsed.ok) {
      this.opts.onStderr?.(`layer-lens: ignored a bad message from the training worker: ${parsed.message}\n`);
      return;
    }
    const msg = parsed.value;
    this.messages.push(msg);
    if (msg.type === 'error' && msg.fatal) this.fatal = { kind: msg.kind, message: msg.message };
    if (msg.type === 'done') this.doneMsg = msg;
    this.opts.onMessage?.(msg);
    let health;
    if (this.config.lrRange) return;
    try {
      health = this.health.push(msg);
    } catch (e) {
      this.opts.onStderr?.(`layer-lens: the training-health monitor failed on a ${msg.type} message: ${(e as Error).message}\n`);
    }
    if (health) {
      this.messages.push(health);
      this.opts.onMessage?.(health);
      trainingHealth.emitFindings(this.healthRun, health.findings, health.step, this.health.series());
    }
  }

  /** The training-health findings so far, ranked. */
  findings(): Finding[] {
    return this.health.findings();
  }

  private send(msg: HostMessage): void {
    const { child } = this.proc;
    if (child.connected) child.send(msg);
  }

  pause(): void {
    this.send({ v: PROTOCOL_VERSION, type: 'pause' });
  }

  resume(): void {
    this.send({ v: PROTOCOL_VERSION, type: 'resume' });
  }

  saveModel(dir?: string): void {
    this.send({ v: PROTOCOL_VERSION, type: 'save-model', ...(dir ? { dir } : {}) });
  }

  /** Stops the run: at the next step boundary, or by killing the worker after the grace time. */
  stop(): Promise<RunResult> {
    this.proc.stop(() => this.send({ v: PROTOCOL_VERSION, type: 'stop' }), this.opts.stopGraceMs ?? 900, this.result);
    return this.result;
  }

  /** Kills the worker at once. */
  kill(): void {
    this.proc.kill();
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): RunResult {
    const result = this.finishRun(code, signal);
    recordHealth(this.config.runDir, result.findings ?? []);
    if (!this.config.lrRange) trainingHealth.emitEnd(this.healthRun, result.status, result.findings ?? [], this.health.series());
    return result;
  }

  private finishRun(code: number | null, signal: NodeJS.Signals | null): RunResult {
    const { stderr } = this.proc;
    const base = { exitCode: code, signal, stderrTail: stderr, messages: this.messages, findings: this.health.findings() };
    if (this.doneMsg) {
      return { ...base, status: this.doneMsg.status, done: this.doneMsg, ...(this.fatal ? { error: this.fatal } : {}) };
    }
    let status: RunStatus;
    let error = this.fatal;
    if (this.proc.killedByStop) {
      status = 'stopped';
    } else if (error) {
      status = 'failed';
    } else {
      status = signal ? 'killed' : 'crashed';
      error = outOfMemory(stderr)
        ? {
            kind: 'oom',
            message:
              'the training worker ran out of memory (the JavaScript heap). Use a smaller batch size or dataset, or give Node more memory (--max-old-space-size).',
          }
        : {
            kind: 'crash',
            message: `the training worker ${endedHow(code, signal)} before finishing${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
          };
    }
    // The worker could not write its own ending: the host writes it into run.json.
    recordEnd(
      this.config.runDir,
      this.messages,
      {
        status,
        endedBy: status === 'stopped' ? 'stop: the worker was killed after the grace time (a long step)' : 'the worker died',
        error,
      },
      { createDir: true },
    );
    return { ...base, status, ...(error ? { error } : {}) };
  }
}

// The other ways to run training, with the same surface (messages, result, pause/resume/stop/kill):
// the user's own training program with the instrumentation preloaded, and the learning-rate range test.
export { defaultPreload, ScriptRun, startScriptRun, type ScriptConfig, type ScriptRunResult, type ScriptStartOptions } from './script-host';
export { lrRangeConfig, startLrRange, type LrRangeOutcome, type LrRangeRun } from './lr-range-host';
