/**
 * `dist/train-preload.js`: loaded with `node --require` before the user's own training
 * program (script-host.ts starts it). It
 *  - transpiles TypeScript on the fly (transpile.ts; ESM files through esm-hooks.ts),
 *  - hooks every `@tensorflow/*` module the program loads, from the program's own
 *    node_modules (session.ts: optimizer steps, fit/fitDataset/trainOnBatch callbacks),
 *  - streams the built-in worker's protocol messages over IPC and into the run folder,
 *  - reports a throw, a non-zero exit or a NaN loss as an error event with the user's
 *    file:line (stack traces are source-mapped),
 *  - never outlives its host, and lets the program exit on its own (the IPC channel is unref'd).
 *
 * Without its configuration (LAYER_LENS_SCRIPT_CONFIG) it does nothing.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseHostMessage, PROTOCOL_VERSION, type WorkerEvent, type WorkerMessage } from '../../protocol/worker';
import type { TF } from '../engine/backend';
import { RunStore } from '../engine/run-store';
import { saveModel, toTrainingError } from '../engine/trainer';
import { CONTROL_FILE, parseControl, parseScriptConfig, SCRIPT_CONFIG_ENV, type ControlState, type ScriptConfig } from './config';
import { Session, StopRun, type SessionIO } from './session';
import { userLocation } from './source-location';
import { formatOf, installRequireHook, isTypeScriptFile, loadTranspiler, TranspileError, type Transpiler } from './transpile';

declare const __filename: string;

function start(cfg: ScriptConfig): void {
  const viaIpc = typeof process.send === 'function';
  const store = new RunStore(cfg.runDir);
  const selfFile = __filename;
  const ownFiles = [selfFile];
  const controlPath = path.join(cfg.runDir, CONTROL_FILE);
  let control: { seq: number; state: ControlState; readAt: number } = { seq: -1, state: 'running', readAt: 0 };
  const sleeper = new Int32Array(new SharedArrayBuffer(4));

  const send = (ev: WorkerEvent, cb?: () => void): void => {
    const msg = { v: PROTOCOL_VERSION, ...ev } as WorkerMessage;
    try {
      store.record(msg);
    } catch {
      // a full disk must not stop the run's messages
    }
    if (viaIpc && process.connected) {
      try {
        process.send!(msg, undefined, undefined, () => cb?.());
        return;
      } catch {
        // channel closing
      }
    }
    cb?.();
  };

  const io: SessionIO = {
    emit: (ev) => send(ev),
    emitAndFlush: (ev) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        send(ev, () => {
          clearTimeout(t);
          resolve();
        });
      }),
    record: (fields) => {
      try {
        store.update(fields);
      } catch {
        // best effort
      }
    },
    readControl(force) {
      const now = Date.now();
      if (!force && now - control.readAt < 100) return control.state;
      control.readAt = now;
      try {
        const c = parseControl(fs.readFileSync(controlPath, 'utf8'));
        if (c && c.seq > control.seq) control = { seq: c.seq, state: c.state, readAt: now };
      } catch {
        // no control file: keep running
      }
      return control.state;
    },
    sleepSync: (ms) => void Atomics.wait(sleeper, 0, 0, ms),
    exit: (code) => process.exit(code),
    saveModel: (core, model, dir) => saveModel(core as TF, model, dir),
    ownFiles,
    cwd: process.cwd(),
    now: () => performance.now(),
  };

  const session = new Session(cfg, io);
  store.update({
    version: 1,
    mode: 'script',
    status: 'running',
    startedAt: new Date().toISOString(),
    file: cfg.file ?? cfg.script,
    script: cfg.script,
    args: cfg.args ?? [],
    model: cfg.modelName ?? null,
    codeHash: cfg.codeHash,
    settings: {
      statsEvery: cfg.statsEvery ?? 10,
      probeEvery: cfg.probeEvery ?? 50,
      activationsFrom: cfg.activationsFrom ?? 'probe',
      maxSteps: cfg.maxSteps ?? null,
      stopOnNaN: cfg.stopOnNaN ?? true,
    },
    node: process.version,
    execPath: process.execPath,
    cwd: process.cwd(),
    pid: process.pid,
  });

  // ----- tfjs, wherever the program loads it from
  const M = Module as unknown as {
    _load(request: string, parent: unknown, isMain: boolean): unknown;
    _resolveFilename(r: string, p: unknown, m: boolean): string;
  };
  const load = M._load;
  M._load = function (request: string, parent: unknown, _isMain: boolean) {
    // eslint-disable-next-line prefer-rest-params
    const exports = load.apply(this, arguments as unknown as [string, unknown, boolean]);
    if (typeof request === 'string' && request.includes('@tensorflow')) {
      let file = request;
      try {
        file = path.isAbsolute(request) ? request : M._resolveFilename(request, parent, false);
      } catch {
        // keep the request
      }
      try {
        session.onTfModule(exports, file);
      } catch (e) {
        send({ type: 'log', level: 'warning', message: `could not instrument ${request}: ${(e as Error).message}` });
      }
    }
    return exports;
  };

  // ----- TypeScript
  process.setSourceMapsEnabled?.(true);
  let transpiler: Transpiler | undefined;
  const getTranspiler = (): Transpiler => {
    if (!transpiler) {
      transpiler = loadTranspiler({
        choice: cfg.transpiler,
        selfFile,
        userFrom: [path.dirname(cfg.script), process.cwd()],
        bundledTypescript: path.join(path.dirname(selfFile), 'train-typescript.js'),
      });
      store.update({ transpiler: { name: transpiler.name, version: transpiler.version, from: transpiler.from } });
      send({
        type: 'log',
        level: 'info',
        message: `TypeScript transpiled with ${transpiler.name} ${transpiler.version} (${transpiler.from})`,
      });
    }
    return transpiler;
  };
  installRequireHook(Module, getTranspiler);
  const register = (Module as unknown as { register?: (specifier: string, parentURL: string, options?: unknown) => void }).register;
  const esmHooks = path.join(path.dirname(selfFile), 'train-esm-hooks.mjs');
  if (register && fs.existsSync(esmHooks)) {
    try {
      register(pathToFileURL(esmHooks).href, pathToFileURL(selfFile).href, {
        data: {
          selfFile,
          userFrom: [path.dirname(cfg.script), process.cwd()],
          choice: cfg.transpiler ?? 'auto',
          bundledTypescript: path.join(path.dirname(selfFile), 'train-typescript.js'),
        },
      });
    } catch (e) {
      send({ type: 'log', level: 'warning', message: `TypeScript ES modules cannot be loaded: ${(e as Error).message}` });
    }
  }
  // A TypeScript entry point in an ES module package goes through the ESM loader, which needs the hooks.
  if (isTypeScriptFile(cfg.script) && formatOf(cfg.script) === 'esm' && !(register && fs.existsSync(esmHooks))) {
    send({
      type: 'log',
      level: 'warning',
      message: `${path.basename(cfg.script)} is an ES module in TypeScript: Node ${process.version} cannot load it through Layer Lens's hooks (Node ≥ 20.6 can)`,
    });
  }

  // ----- Endings
  const onFatal = (e: unknown): void => {
    if (e instanceof StopRun || (e as { name?: string })?.name === 'StopRun' || session.ending) {
      void session.finish(session.ending?.status ?? (e as StopRun).status ?? 'stopped');
      return;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`${err.stack ?? String(err)}\n`);
    const thrownAt =
      e instanceof TranspileError
        ? { file: e.file, line: e.line ?? 1, ...(e.column ? { column: e.column } : {}) }
        : userLocation(err.stack, ownFiles);
    // A throw inside tfjs with no user frame (a rejected fit promise): the training call it came from.
    const loc = thrownAt ?? session.lastCallSite;
    const kind = e instanceof TranspileError ? 'config' : toTrainingError(err).kind;
    const k = kind === 'oom' || kind === 'kernel' || kind === 'data' || kind === 'config' ? kind : 'crash';
    const at = loc
      ? ` (${thrownAt ? '' : 'in the training call at '}${path.relative(process.cwd(), loc.file) || loc.file}:${loc.line})`
      : '';
    const what =
      e instanceof TranspileError
        ? 'the program could not be transpiled'
        : session.step > 0
          ? `the program threw at step ${session.step}`
          : 'the program threw before training';
    void session.fail({
      kind: k,
      message: `${what}${at}: ${err.name && !err.message.startsWith(err.name) ? `${err.name}: ` : ''}${err.message}`,
      detail: err.stack,
      ...(loc ? { source: loc } : {}),
    });
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  process.on('beforeExit', () => void session.onProgramEnd());
  process.on('exit', (code) => session.onExit(code));

  // ----- The host
  if (viaIpc) {
    process.on('message', (raw: unknown) => {
      const parsed = parseHostMessage(raw);
      if (!parsed.ok) return;
      const m = parsed.value;
      if (m.type === 'start') return;
      io.readControl(true);
      session.onHostMessage(m.type, m.type === 'save-model' ? m.dir : undefined);
    });
    process.on('disconnect', () => {
      if (!session.finished) process.exit(2);
    });
    // Let the program end when its own work is done, as it would without Layer Lens.
    (process as unknown as { channel?: { unref(): void } }).channel?.unref();
    const parent = process.ppid;
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        process.exit(2);
      }
    }, 1000).unref();
  }
  send({ type: 'hello', pid: process.pid, node: process.version, script: { file: cfg.script, args: cfg.args ?? [] } });
}

const raw = process.env[SCRIPT_CONFIG_ENV];
if (raw) {
  // The program's own child processes must not inherit the instrumentation's settings.
  delete process.env[SCRIPT_CONFIG_ENV];
  let parsed: ReturnType<typeof parseScriptConfig> | undefined;
  try {
    parsed = parseScriptConfig(JSON.parse(raw));
  } catch (e) {
    process.stderr.write(
      `layer-lens preload: ${SCRIPT_CONFIG_ENV} is not JSON (${(e as Error).message}); the program runs without instrumentation\n`,
    );
  }
  if (parsed && !parsed.ok)
    process.stderr.write(`layer-lens preload: bad ${SCRIPT_CONFIG_ENV}: ${parsed.message}; the program runs without instrumentation\n`);
  else if (parsed?.ok) start(parsed.value);
}
