/**
 * The child-process side that both training hosts share: TrainingRun (host.ts, the built-in
 * worker) and ScriptRun (script-host.ts, the user's own program). Every child started through
 * here is killed when this process exits; `stop()` asks the child to stop and kills it if it is
 * still running after the grace time (`killedByStop`); the ending of a child that died is written
 * into run.json. What each host says about an ending (statuses, messages) stays with that host.
 * No `vscode` import.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../health/findings';
import type { RunStatus } from './host';
import type { WorkerMessage, WorkerMessageOf } from '../protocol/worker';

const live = new Set<ChildProcess>();
let exitHook = false;
function killAllOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** A started child: on the list killed when this process exits, until it exits itself. */
export class ChildRun {
  /** The last 8000 characters the child wrote on stderr. */
  stderr = '';
  exited = false;
  /** `stop()` had to kill the child: it was still running after the grace time. */
  killedByStop = false;

  constructor(
    readonly child: ChildProcess,
    onOutput?: (text: string, stream: 'stdout' | 'stderr') => void,
  ) {
    killAllOnExit();
    live.add(child);
    child.stdout?.on('data', (d: Buffer) => onOutput?.(d.toString(), 'stdout'));
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      this.stderr = (this.stderr + text).slice(-8000);
      onOutput?.(text, 'stderr');
    });
  }

  /** The child is gone (it exited, or never started): false when that was already known. */
  markExited(): boolean {
    if (this.exited) return false;
    this.exited = true;
    live.delete(this.child);
    return true;
  }

  /** Asks the child to stop (`ask`), then kills it if it has not exited after `graceMs`. */
  stop(ask: () => void, graceMs: number, ended: Promise<unknown>): void {
    if (this.exited) return;
    ask();
    const timer = setTimeout(() => {
      if (!this.exited) {
        this.killedByStop = true;
        this.child.kill('SIGKILL');
      }
    }, graceMs);
    timer.unref();
    void ended.then(() => clearTimeout(timer));
  }

  /** Kills the child at once. */
  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** How a child ended without saying so: "was killed (SIGTERM)" or "exited with code 1". */
export function endedHow(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed (${signal})` : `exited with code ${code}`;
}

/** Whether what a child printed on stderr says that it ran out of memory. */
export function outOfMemory(stderr: string): boolean {
  return /heap out of memory|Allocation failed|out of memory/i.test(stderr);
}

/** The findings go into run.json (`health`), for runs reopened later. */
export function recordHealth(runDir: string, findings: Finding[]): void {
  const file = path.join(runDir, 'run.json');
  try {
    if (!fs.existsSync(file)) return;
    const run = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    run.health = { findings };
    fs.writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  } catch {
    // best effort
  }
}

export interface Ending {
  status: RunStatus;
  endedBy: string;
  error?: { message: string };
}

export interface RecordEndOptions {
  /** The run.json to start from when there is none. */
  fresh?: Record<string, unknown>;
  /** Write over an ending already in run.json. */
  overwrite?: boolean;
  /** Create the run folder when it is missing. */
  createDir?: boolean;
}

/** The child could not write its own ending: the host writes it into run.json (best effort). */
export function recordEnd(runDir: string, messages: readonly WorkerMessage[], ending: Ending, opts: RecordEndOptions = {}): void {
  const file = path.join(runDir, 'run.json');
  try {
    const run = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : { ...opts.fresh };
    if (run.finishedAt && !opts.overwrite) return;
    const last = [...messages].reverse().find((m) => m.type === 'step') as WorkerMessageOf<'step'> | undefined;
    Object.assign(run, {
      status: ending.status,
      finishedAt: new Date().toISOString(),
      endedBy: ending.endedBy,
      ...(ending.error ? { error: ending.error.message } : {}),
      ...(last ? { final: { steps: last.step, loss: last.loss, metrics: last.metrics } } : {}),
    });
    if (opts.createDir) fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  } catch {
    // best effort
  }
}
