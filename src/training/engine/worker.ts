/**
 * The training worker: a child process (bundled as dist/train-worker.js) that receives one
 * `start` message, trains, and reports everything as protocol messages.
 *
 * Transport: Node's IPC channel when forked with one, else JSONL on stdin/stdout (stdout
 * then carries only protocol lines; console.log goes to stderr).
 *
 * It never outlives its host: it exits when the IPC channel closes, when stdin ends (JSONL
 * mode), or when the parent process is gone (checked every second). A `stop` message ends
 * the run at the next step boundary; the host kills the worker if that takes too long.
 */
import * as path from 'node:path';
import * as readline from 'node:readline';
import {
  parseHostMessage,
  PROTOCOL_VERSION,
  type HostMessage,
  type TrainConfig,
  type WorkerEvent,
  type WorkerMessage,
} from '../../protocol/worker';
import { BackendError, selectBackend } from './backend';
import { RunStore } from './run-store';
import { toTrainingError, train, type Control } from './trainer';
import { lrRangeTest } from './lr-range-run';

const viaIpc = typeof process.send === 'function';
let store: RunStore | undefined;
let finished = false;

// tfjs prints a banner suggesting tfjs-node on every cpu/wasm start: the backend event says it better.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (args.some((a) => typeof a === 'string' && a.includes('looks like you are running TensorFlow.js in Node.js'))) return;
  warn(...args);
};
if (!viaIpc) console.log = (...args: unknown[]) => console.error(...args);

function send(ev: WorkerEvent): Promise<void> {
  const msg = { v: PROTOCOL_VERSION, ...ev } as WorkerMessage;
  try {
    store?.record(msg);
  } catch {
    // a full disk must not stop the run's messages
  }
  return new Promise((resolve) => {
    if (viaIpc) {
      if (!process.connected) return resolve();
      process.send!(msg, undefined, undefined, () => resolve());
    } else {
      process.stdout.write(`${JSON.stringify(msg)}\n`, () => resolve());
    }
  });
}

function exit(code: number): never {
  process.exit(code);
}

const control: Control = { stopRequested: false };
let started = false;

function onMessage(raw: unknown): void {
  const parsed = parseHostMessage(raw);
  if (!parsed.ok) {
    void send({ type: 'error', kind: 'protocol', message: `bad message from the host: ${parsed.message}`, fatal: false });
    return;
  }
  handle(parsed.value);
}

function handle(msg: HostMessage): void {
  switch (msg.type) {
    case 'start':
      if (started) {
        void send({ type: 'error', kind: 'protocol', message: 'a training run is already going on in this worker', fatal: false });
        return;
      }
      started = true;
      void run(msg.config);
      return;
    case 'stop':
      control.stopRequested = true;
      control.paused?.resolve();
      if (started) void send({ type: 'state', state: 'stopping' });
      else void finish(0);
      return;
    case 'pause':
      if (!control.paused) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        control.paused = { promise, resolve };
      }
      return;
    case 'resume': {
      const p = control.paused;
      control.paused = undefined;
      p?.resolve();
      return;
    }
    case 'save-model':
      control.saveRequest = { dir: msg.dir };
      return;
  }
}

async function finish(code: number): Promise<void> {
  finished = true;
  if (viaIpc && process.connected) process.disconnect();
  exit(code);
}

async function run(config: TrainConfig): Promise<void> {
  try {
    store = new RunStore(config.runDir);
    const { model, otherModels: _others, ...settings } = config;
    store.update({
      version: 1,
      status: 'running',
      startedAt: new Date().toISOString(),
      file: config.file,
      model: model.name,
      modelLine: model.range?.start.line ?? null,
      codeHash: config.codeHash,
      settings,
      node: process.version,
      pid: process.pid,
    });
    store.writeJson('graph.json', model);
  } catch (e) {
    await send({
      type: 'error',
      kind: 'config',
      message: `cannot create the run folder ${config.runDir}: ${(e as Error).message}`,
      fatal: true,
    });
    return finish(1);
  }
  let sel;
  try {
    sel = await selectBackend(config.backend, {
      gpuPackagePath: config.gpuPackagePath,
      resolveFrom: config.resolveFrom ?? [path.dirname(config.file), process.cwd()],
    });
  } catch (e) {
    const skipped = e instanceof BackendError ? e.skipped : [];
    store.update({
      status: 'failed',
      finishedAt: new Date().toISOString(),
      backend: { requested: config.backend, skipped },
      error: (e as Error).message,
    });
    await send({ type: 'error', kind: 'backend', message: (e as Error).message, fatal: true });
    return finish(1);
  }
  const backendEv = {
    type: 'backend' as const,
    requested: config.backend,
    kind: sel.kind,
    tfBackend: sel.tfBackend,
    detail: sel.detail,
    ...(sel.simd !== undefined ? { simd: sel.simd } : {}),
    ...(sel.threads !== undefined ? { threads: sel.threads } : {}),
    skipped: sel.skipped,
  };
  store.update({ backend: { ...backendEv, type: undefined, wasmKernels: sel.wasmKernels } });
  await send(backendEv);
  if (sel.wasmKernels?.delegated.length || sel.wasmKernels?.composed.length) {
    const k = sel.wasmKernels;
    await send({
      type: 'log',
      level: 'info',
      message: `wasm kernels added for training: ${k.composed
        .map((n) => `${n} (on wasm convolutions)`)
        .concat(k.delegated.map((n) => `${n} (cpu kernel)`))
        .join(', ')}`,
    });
  }
  // A learning-rate range test (config.lrRange, lr-range-run.ts) instead of a training.
  const done = config.lrRange
    ? await lrRangeTest(config, sel, store, (ev) => void send(ev), control)
    : await train(config, sel, store, (ev) => void send(ev), control);
  store.update({ status: done.status, finishedAt: new Date().toISOString(), final: { ...done, type: undefined } });
  await send(done);
  await finish(done.status === 'failed' ? 1 : 0);
}

// Never outlive the host.
if (viaIpc) {
  process.on('message', onMessage);
  process.on('disconnect', () => {
    if (!finished) exit(2);
  });
} else {
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      void send({ type: 'error', kind: 'protocol', message: `not a JSON line from the host: ${line.slice(0, 80)}`, fatal: false });
      return;
    }
    onMessage(value);
  });
  rl.on('close', () => {
    if (!finished) exit(2);
  });
}
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    exit(2);
  }
}, 1000).unref();

async function crash(e: unknown): Promise<void> {
  const err = toTrainingError(e);
  store?.update({ status: 'failed', finishedAt: new Date().toISOString(), error: err.message });
  await send({
    type: 'error',
    kind: err.kind === 'crash' ? 'crash' : err.kind,
    message: err.message,
    detail: err.extra.detail,
    fatal: true,
  });
  exit(1);
}
process.on('uncaughtException', (e) => void crash(e));
process.on('unhandledRejection', (e) => void crash(e));

void send({ type: 'hello', pid: process.pid, node: process.version });
