/**
 * The host side of a run of the user's own training program: starts it in a child Node
 * process (the user's Node, `node` option; default process.execPath, run as Node inside VS
 * Code's Electron) with `dist/train-preload.js` preloaded, validates the protocol messages it
 * sends, and controls it (pause, resume, stop, save) — the same surface as TrainingRun
 * (host.ts), so the CLI and the panel drive both alike. No `vscode` import, no ts-morph.
 *
 * Guarantees: `stop()` ends the run within `stopGraceMs` (the program stops at its next step
 * boundary; if it is busy elsewhere it is killed and run.json says so); the program is killed
 * when this process exits; a program that throws, exits non-zero, produces a NaN loss or never
 * trains ends with an error that says so and where (file:line), and its run folder keeps the
 * history written so far.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelGraph } from '../analysis/graph';
import type { Finding } from '../health/findings';
import { ChildRun, endedHow, outOfMemory, recordEnd, recordHealth } from './child-run';
import { HealthTracker, trainingHealth, type HealthRunInfo } from './health-host';
import type { RunResult, RunStatus } from './host';
import {
  parseWorkerMessage,
  PROTOCOL_VERSION,
  type HostMessage,
  type SourceLocationInfo,
  type WorkerMessage,
  type WorkerMessageOf,
} from '../protocol/worker';
import { CONTROL_FILE, SCRIPT_CONFIG_ENV, type ControlState, type ScriptConfig } from './script/config';

export type { ScriptConfig } from './script/config';

export interface ScriptStartOptions {
  /** The Node executable to run the program with (default: process.execPath). */
  node?: string;
  /** Extra Node flags (e.g. --max-old-space-size=4096). */
  nodeArgs?: string[];
  /** dist/train-preload.js (default: next to this bundle, else built from the sources). */
  preload?: string;
  /** The program's working folder (default: the nearest folder above the script with a package.json). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long `stop()` waits for the program before killing it (default 900 ms). */
  stopGraceMs?: number;
  onMessage?(msg: WorkerMessage): void;
  /** What the program prints. */
  onOutput?(text: string, stream: 'stdout' | 'stderr'): void;
  /** The analysed model, written into the run folder as graph.json. */
  graph?: ModelGraph;
}

export type ScriptRunResult = RunResult & { error?: { kind: string; message: string; source?: SourceLocationInfo } };

let builtPreload: string | undefined;

/**
 * dist/train-preload.js next to the bundled host; from the TypeScript sources (tests, a
 * development checkout), a bundle built once per process into a temporary folder with esbuild.
 */
export function defaultPreload(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const bundled = path.join(here, 'train-preload.js');
  if (fs.existsSync(bundled)) return bundled;
  if (builtPreload && fs.existsSync(builtPreload)) return builtPreload;
  const src = path.join(here, 'script', 'preload.ts');
  if (!fs.existsSync(src)) throw new Error(`the training preload was not found (looked for ${bundled} and ${src}); run npm run build`);
  const esbuild = createRequire(path.join(here, 'noop.js'))('esbuild') as typeof import('esbuild');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-preload-'));
  const common = {
    bundle: true,
    platform: 'node' as const,
    target: 'node18',
    sourcemap: 'inline' as const,
    logLevel: 'silent' as const,
    keepNames: true,
  };
  esbuild.buildSync({ ...common, entryPoints: [src], outfile: path.join(out, 'train-preload.js'), format: 'cjs' });
  esbuild.buildSync({
    ...common,
    entryPoints: [path.join(here, 'script', 'esm-hooks.ts')],
    outfile: path.join(out, 'train-esm-hooks.mjs'),
    format: 'esm',
  });
  builtPreload = path.join(out, 'train-preload.js');
  // Programs started from it are killed when this process exits (child-run.ts): the folder goes too.
  process.on('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  return builtPreload;
}

/** The folder a program is run from by default: the nearest one above it with a package.json. */
export function projectRoot(script: string): string {
  let dir = path.dirname(path.resolve(script));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.dirname(path.resolve(script));
    dir = up;
  }
}

export class ScriptRun {
  readonly messages: WorkerMessage[] = [];
  readonly result: Promise<ScriptRunResult>;
  readonly config: ScriptConfig;
  private fatal?: { kind: string; message: string; source?: SourceLocationInfo };
  private doneMsg?: WorkerMessageOf<'done'>;
  private hello = false;
  private stopRequested = false;
  private seq = 0;
  private readonly proc: ChildRun;
  /** The training-health monitor over every message, as for TrainingRun (health-host.ts). */
  private readonly health: HealthTracker;
  private readonly healthRun?: HealthRunInfo;

  private constructor(
    config: Omit<ScriptConfig, 'v'>,
    private readonly opts: ScriptStartOptions,
  ) {
    this.config = { v: 1, ...config, script: path.resolve(config.script) };
    this.health = new HealthTracker(opts.graph, [this.config.script, config.file]);
    // The process-wide feed (the editor's Training Health view) needs the analysed model.
    if (opts.graph)
      this.healthRun = { runDir: config.runDir, file: config.file ?? this.config.script, model: opts.graph, codeHash: config.codeHash };
    fs.mkdirSync(config.runDir, { recursive: true });
    this.writeControl('running');
    if (opts.graph) fs.writeFileSync(path.join(config.runDir, 'graph.json'), `${JSON.stringify(opts.graph, null, 2)}\n`);
    let preload: string;
    let startError: string | undefined;
    try {
      preload = opts.preload ?? defaultPreload();
    } catch (e) {
      preload = '';
      startError = (e as Error).message;
    }
    const env: NodeJS.ProcessEnv = {
      ...(opts.env ?? process.env),
      [SCRIPT_CONFIG_ENV]: JSON.stringify(this.config),
      ELECTRON_RUN_AS_NODE: '1',
    };
    const child = fork(this.config.script, config.args ?? [], {
      execPath: opts.node ?? process.execPath,
      execArgv: [...(preload ? ['--require', preload] : []), ...(opts.nodeArgs ?? [])],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      env,
      cwd: opts.cwd ?? projectRoot(this.config.script),
    });
    if (startError) {
      this.fatal = { kind: 'config', message: startError };
      child.kill('SIGKILL');
    }
    this.proc = new ChildRun(child, opts.onOutput);
    child.on('message', (raw) => this.receive(raw));
    if (this.healthRun) trainingHealth.emitStart(this.healthRun);
    this.result = new Promise((resolve) => {
      const end = (code: number | null, signal: NodeJS.Signals | null) => {
        if (!this.proc.markExited()) return;
        // Let the last stdout/stderr chunks arrive before reading the tail.
        setImmediate(() => resolve(this.finish(code, signal)));
      };
      child.on('exit', end);
      child.on('error', (e) => {
        this.fatal ??= { kind: 'config', message: `the program could not be started with ${opts.node ?? process.execPath}: ${e.message}` };
        if (child.pid === undefined) end(null, null);
      });
    });
  }

  static start(config: Omit<ScriptConfig, 'v'>, opts: ScriptStartOptions = {}): ScriptRun {
    return new ScriptRun(config, opts);
  }

  get pid(): number | undefined {
    return this.proc.child.pid;
  }

  private receive(raw: unknown): void {
    const parsed = parseWorkerMessage(raw);
    if (!parsed.ok) return; // the program's own process.send traffic, or another build
    const msg = parsed.value;
    this.messages.push(msg);
    if (msg.type === 'hello') this.hello = true;
    if (msg.type === 'error' && msg.fatal)
      this.fatal = { kind: msg.kind, message: msg.message, ...(msg.source ? { source: msg.source } : {}) };
    if (msg.type === 'done') this.doneMsg = msg;
    this.opts.onMessage?.(msg);
    let health;
    try {
      health = this.health.push(msg);
    } catch {
      health = undefined; // the monitor must never break the run
    }
    if (health) {
      this.messages.push(health);
      this.opts.onMessage?.(health);
      if (this.healthRun) trainingHealth.emitFindings(this.healthRun, health.findings, health.step);
    }
  }

  /** The training-health findings so far, ranked. */
  findings(): Finding[] {
    return this.health.findings();
  }

  private writeControl(state: ControlState): void {
    const file = path.join(this.config.runDir, CONTROL_FILE);
    try {
      fs.writeFileSync(`${file}.tmp`, JSON.stringify({ seq: this.seq++, state }));
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      // the IPC message still goes
    }
  }

  private send(msg: HostMessage): void {
    try {
      const { child } = this.proc;
      if (child.connected) child.send(msg);
    } catch {
      // exiting
    }
  }

  pause(): void {
    this.writeControl('paused');
    this.send({ v: PROTOCOL_VERSION, type: 'pause' });
  }

  resume(): void {
    this.writeControl('running');
    this.send({ v: PROTOCOL_VERSION, type: 'resume' });
  }

  saveModel(dir?: string): void {
    this.send({ v: PROTOCOL_VERSION, type: 'save-model', ...(dir ? { dir } : {}) });
  }

  /** Stops the program: at its next step boundary, or by killing it after the grace time. */
  stop(): Promise<ScriptRunResult> {
    const ask = () => {
      this.stopRequested = true;
      this.writeControl('stopping');
      this.send({ v: PROTOCOL_VERSION, type: 'stop' });
    };
    this.proc.stop(ask, this.opts.stopGraceMs ?? 900, this.result);
    return this.result;
  }

  kill(): void {
    this.proc.kill();
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): ScriptRunResult {
    const result = this.finishRun(code, signal);
    const findings = result.findings ?? [];
    recordHealth(this.config.runDir, findings);
    if (this.healthRun) trainingHealth.emitEnd(this.healthRun, result.status, findings);
    return result;
  }

  private finishRun(code: number | null, signal: NodeJS.Signals | null): ScriptRunResult {
    let findings: Finding[];
    try {
      findings = this.health.findings();
    } catch {
      findings = [];
    }
    const { stderr } = this.proc;
    const base = { exitCode: code, signal, stderrTail: stderr, messages: this.messages, findings };
    // The preload cannot read its own process's stderr: add what the program printed last.
    const lastLines = lastStderrLines(stderr);
    if (this.fatal && /^the program exited with code/.test(this.fatal.message) && lastLines)
      this.fatal = { ...this.fatal, message: `${this.fatal.message}: ${lastLines}` };
    if (this.doneMsg) {
      return { ...base, status: this.doneMsg.status, done: this.doneMsg, ...(this.fatal ? { error: this.fatal } : {}) };
    }
    let status: RunStatus;
    let error = this.fatal;
    if (this.stopRequested) {
      status = 'stopped';
      error = undefined;
    } else if (error) {
      status = 'failed';
    } else if (code === 0 && this.hello) {
      status = 'completed';
    } else {
      status = signal ? 'killed' : code === 0 ? 'crashed' : 'failed';
      const tail = lastLines ? `: ${lastLines}` : '';
      error = outOfMemory(stderr)
        ? {
            kind: 'oom',
            message:
              'the program ran out of memory (the JavaScript heap). Use a smaller batch size, or give Node more memory (--max-old-space-size).',
          }
        : !this.hello
          ? { kind: 'crash', message: `the program ${endedHow(code, signal)} before Layer Lens's preload started${tail}` }
          : { kind: 'crash', message: `the program ${endedHow(code, signal)}${tail}` };
    }
    // The program could not write its own ending: the host writes it into run.json.
    const { killedByStop } = this.proc;
    recordEnd(
      this.config.runDir,
      this.messages,
      {
        status,
        endedBy: killedByStop
          ? 'stop: the program was killed after the grace time (busy outside a training step)'
          : status === 'stopped'
            ? 'stop'
            : 'the program died',
        error,
      },
      { fresh: { version: 1, mode: 'script', script: this.config.script }, overwrite: killedByStop },
    );
    return { ...base, status, ...(error ? { error } : {}) };
  }
}

/** The last lines a program printed on stderr, without blank lines and tfjs's "use tfjs-node" banner. */
export function lastStderrLines(stderr: string, n = 3): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^=+$/.test(l) && !l.includes('looks like you are running TensorFlow.js in Node.js'))
    .slice(-n)
    .join(' | ');
}

/** Starts the user's own training program instrumented (see ScriptRun). */
export function startScriptRun(config: Omit<ScriptConfig, 'v'>, opts: ScriptStartOptions = {}): ScriptRun {
  return ScriptRun.start(config, opts);
}
