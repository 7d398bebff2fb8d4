/**
 * `layer-lens train` on the user's own training code: when the file calls `model.fit`,
 * `fitDataset`, `trainOnBatch` or an optimizer's `minimize` (training-calls.ts, or the
 * analysis's fit sites) and no `--dataset` is given — or `--script <file>` names the program —
 * the program runs as it is, with the instrumentation preloaded (script-host.ts), and the
 * CLI prints the same progress and final JSON line as for the built-in trainer.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles } from '../analysis/engine';
import type { ModelGraph } from '../analysis/graph';
import { findingsJson } from '../health/monitor';
import { pickModel, type TrainIO } from './cli-train';
import { ACTIVATION_SOURCES, type ActivationSource, type WorkerMessage } from '../protocol/worker';
import { ScriptRun, type ScriptRunResult, type ScriptStartOptions } from './script-host';
import { TRANSPILERS, type TranspilerChoice } from './script/config';
import { defaultRunDir } from './engine/run-store';
export { SCRIPT_USAGE } from './script/usage';
import { hasTrainingCode, trainingCodeOf, type TrainingCode } from './training-calls';
import { parseFlags, positiveIntFlag, type Flags } from './cli-args';
import { epochLine, fmt, healthPrinter, metricsText, resultWithCtrlC } from './cli-progress';

const VALUE_FLAGS = new Set([
  '--model',
  '--dataset',
  '--epochs',
  '--steps',
  '--backend',
  '--out',
  '--batch-size',
  '--learning-rate',
  '--optimizer',
  '--loss',
  '--samples',
  '--seed',
  '--gpu-package',
  '--stats-every',
  '--probe-every',
  '--activations-from',
  '--script',
  '--node',
  '--transpiler',
  '--columns',
  '--validation-split',
]);
const BOOL_FLAGS = new Set(['--json', '--save-model', '--no-stop-on-nan']);
/** Built-in trainer settings that a program's own code decides. */
const IGNORED_WITH_SCRIPT = [
  '--epochs',
  '--batch-size',
  '--learning-rate',
  '--optimizer',
  '--loss',
  '--samples',
  '--seed',
  '--gpu-package',
  '--columns',
  '--validation-split',
];

interface ScriptArgs {
  file?: string;
  flags: Flags;
  programArgs: string[];
}

function parse(args: string[]): ScriptArgs | string {
  const dash = args.indexOf('--');
  const own = dash >= 0 ? args.slice(0, dash) : args;
  const programArgs = dash >= 0 ? args.slice(dash + 1) : [];
  const p = parseFlags(own, VALUE_FLAGS, BOOL_FLAGS);
  if (typeof p === 'string') return p;
  // The file is optional here: `--script` alone names the program.
  if (p.positional.length > 1) return `one file at a time (got ${p.positional.join(', ')})`;
  return { file: p.positional[0], flags: p.flags, programArgs };
}

export type TrainMode =
  | { mode: 'built-in' }
  | { mode: 'script'; file: string; script: string; reason: string; code?: TrainingCode }
  | { mode: 'error'; message: string };

/**
 * Which path `layer-lens train` takes: `--script` → the program; `--dataset` → the built-in
 * trainer; else the program when the file has training code, the built-in trainer when not.
 * Usage errors the built-in parser reports itself are left to it (built-in).
 */
export function decideTrainMode(args: string[], cwd: string): TrainMode {
  const p = parse(args);
  const hasScript = Array.isArray(args) && args.some((a) => a === '--script' || a.startsWith('--script='));
  const hasDash = args.includes('--');
  if (typeof p === 'string') return hasScript || hasDash ? { mode: 'error', message: p } : { mode: 'built-in' };
  const script = p.flags.get('--script') as string | undefined;
  if (script !== undefined && p.flags.has('--dataset'))
    return { mode: 'error', message: 'give --dataset (train the analysed model on a dataset) or --script (run your program), not both' };
  if (p.flags.has('--dataset'))
    return hasDash
      ? { mode: 'error', message: 'arguments after -- are for a program: they need --script or a file with training code, not --dataset' }
      : { mode: 'built-in' };
  if (script !== undefined) {
    const s = path.resolve(cwd, script);
    return { mode: 'script', file: p.file ? path.resolve(cwd, p.file) : s, script: s, reason: '--script' };
  }
  if (!p.file) return { mode: 'built-in' };
  const file = path.resolve(cwd, p.file);
  if (!fs.existsSync(file)) return { mode: 'built-in' };
  let analysis;
  try {
    [analysis] = analyzeFiles([file]);
  } catch {
    analysis = undefined;
  }
  const code = trainingCodeOf(file, analysis);
  if (!hasTrainingCode(code))
    return hasDash
      ? {
          mode: 'error',
          message: `${p.file} has no training code (fit, fitDataset, trainOnBatch, minimize): arguments after -- need --script <program>`,
        }
      : { mode: 'built-in' };
  const first = code.calls[0]
    ? `${code.calls[0].method}() at line ${code.calls[0].line}`
    : `a fit site at ${path.relative(cwd, code.fitSites[0].file) || code.fitSites[0].file}:${code.fitSites[0].line}`;
  return { mode: 'script', file, script: file, reason: `the file has training code (${first})`, code };
}

export interface ScriptTrainOptions extends Pick<ScriptStartOptions, 'preload' | 'env' | 'stopGraceMs'> {
  cwd?: string;
}

export async function runScriptTrain(
  args: string[],
  io: TrainIO,
  decided: Extract<TrainMode, { mode: 'script' }>,
  opts: ScriptTrainOptions = {},
): Promise<number> {
  const p = parse(args);
  if (typeof p === 'string') {
    io.err(`layer-lens train: ${p}`);
    return 2;
  }
  const { flags } = p;
  const cwd = opts.cwd ?? process.cwd();
  const json = flags.has('--json');
  const progress = json ? io.err : io.out;
  if (!fs.existsSync(decided.script)) {
    io.err(`layer-lens train: the program ${path.relative(cwd, decided.script) || decided.script} does not exist`);
    return 2;
  }
  const ints: Record<string, number | undefined> = {};
  for (const name of ['--steps', '--stats-every', '--probe-every']) {
    const v = positiveIntFlag(flags, name);
    if (typeof v === 'string') {
      io.err(`layer-lens train: ${v}`);
      return 2;
    }
    ints[name] = v;
  }
  const activationsFrom = flags.get('--activations-from') as ActivationSource | undefined;
  if (activationsFrom !== undefined && !ACTIVATION_SOURCES.includes(activationsFrom)) {
    io.err(`layer-lens train: --activations-from must be one of ${ACTIVATION_SOURCES.join(', ')}`);
    return 2;
  }
  const transpiler = (flags.get('--transpiler') ?? 'auto') as TranspilerChoice;
  if (!TRANSPILERS.includes(transpiler)) {
    io.err(`layer-lens train: --transpiler must be one of ${TRANSPILERS.join(', ')}`);
    return 2;
  }
  // The analysed model, when the file has one: its name and graph go into the run folder.
  let model: ModelGraph | undefined;
  let analysisModels: ModelGraph[];
  try {
    analysisModels = analyzeFiles([decided.file])[0]?.models ?? [];
  } catch {
    analysisModels = [];
  }
  const which = flags.get('--model') as string | undefined;
  if (analysisModels.length) {
    const picked = pickModel(analysisModels, which);
    if (typeof picked === 'string') {
      if (which !== undefined) {
        io.err(`layer-lens train: ${path.relative(cwd, decided.file)}: ${picked}`);
        return 2;
      }
    } else model = picked;
  }
  const ignored = IGNORED_WITH_SCRIPT.filter((f) => flags.has(f));
  const backend = flags.get('--backend');
  if (backend !== undefined && backend !== 'auto') ignored.push(`--backend ${String(backend)}`);
  if (flags.has('--epochs')) ignored.push('(--steps N does end the program after N steps)');
  const runDir = flags.has('--out') ? path.resolve(cwd, flags.get('--out') as string) : defaultRunDir(cwd);
  const text = fs.readFileSync(decided.script, 'utf8');
  const rel = (f: string) => path.relative(cwd, f) || f;

  progress(
    `running your training program: ${rel(decided.script)}${p.programArgs.length ? ` ${p.programArgs.join(' ')}` : ''} (${decided.reason})`,
  );
  if (ignored.length)
    progress(
      `  ignored: ${ignored.join(', ')} — the program's own settings are used; --dataset trains the analysed model on a dataset instead`,
    );

  let lastPrint = 0;
  let totalSteps = 0;
  const printHealth = healthPrinter(progress);
  const onMessage = (m: WorkerMessage) => {
    switch (m.type) {
      case 'backend':
        progress(`backend: ${m.kind} — ${m.detail}`);
        break;
      case 'model':
        progress(`model: ${m.name}, ${m.layers.length} layers, ${m.totalParams.toLocaleString('en-US')} parameters`);
        break;
      case 'compile':
        progress(
          `compile: ${m.optimizer} (lr ${m.learningRate}), loss ${m.loss.join(', ')}${m.metrics.length ? `, metrics ${m.metrics.join(', ')}` : ''}, batch ${m.batchSize}`,
        );
        break;
      case 'dataset':
        progress(
          `data: ${m.train ? `${m.train} training + ${m.validation} validation samples` : 'a tf.data pipeline'}, inputs ${JSON.stringify(m.inputShapes)}`,
        );
        break;
      case 'run':
        totalSteps = m.totalSteps;
        break;
      case 'step': {
        const now = Date.now();
        if (now - lastPrint >= 1000 || m.step === 1 || m.step === totalSteps) {
          lastPrint = now;
          progress(
            `step ${m.step}${totalSteps ? `/${totalSteps}` : ''}${m.epoch ? ` epoch ${m.epoch}` : ''}: loss ${fmt(m.loss)} ${metricsText(m.metrics)}${m.samplesPerSec ? ` (${Math.round(m.samplesPerSec)} samples/s)` : ''}`,
          );
        }
        break;
      }
      case 'epoch':
        progress(epochLine(m));
        break;
      case 'log':
        progress(`${m.level}: ${m.message}`);
        break;
      case 'error': {
        const at = m.source ? ` at ${rel(m.source.file)}:${m.source.line}${m.source.column ? `:${m.source.column}` : ''}` : '';
        io.err(
          `error (${m.kind}${m.step ? `, step ${m.step}` : ''}${m.layer ? `, layer ${m.layer}` : ''})${at}: ${m.message}${m.source?.text ? `\n    ${m.source.line} | ${m.source.text}` : ''}`,
        );
        break;
      }
      case 'saved':
        progress(`model saved: ${m.modelDir}`);
        break;
      case 'health':
        printHealth(m);
        break;
      default:
        break;
    }
  };

  const run = ScriptRun.start(
    {
      script: decided.script,
      args: p.programArgs,
      file: decided.file,
      ...(model ? { modelName: model.name, modelLayers: model.layers.filter((l) => l.className !== 'InputLayer').map((l) => l.name) } : {}),
      codeHash: createHash('sha256').update(text).digest('hex'),
      runDir,
      ...(ints['--steps'] ? { maxSteps: ints['--steps'] } : {}),
      ...(ints['--stats-every'] ? { statsEvery: ints['--stats-every'] } : {}),
      ...(ints['--probe-every'] ? { probeEvery: ints['--probe-every'] } : {}),
      ...(activationsFrom ? { activationsFrom } : {}),
      ...(flags.has('--save-model') ? { saveModel: true } : {}),
      ...(flags.has('--no-stop-on-nan') ? { stopOnNaN: false } : {}),
      ...(transpiler !== 'auto' ? { transpiler } : {}),
    },
    {
      cwd,
      ...(flags.get('--node') ? { node: flags.get('--node') as string } : {}),
      ...(opts.preload ? { preload: opts.preload } : {}),
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.stopGraceMs ? { stopGraceMs: opts.stopGraceMs } : {}),
      ...(model ? { graph: model } : {}),
      onMessage,
      onOutput: (t) => progress(t.replace(/\n$/, '')),
    },
  );
  const result = await resultWithCtrlC(run, run.result, (line) => io.err(line));
  if (result.error && !result.messages.some((m) => m.type === 'error' && m.fatal))
    io.err(`error (${result.error.kind}): ${result.error.message}`);
  io.out(JSON.stringify({ ...findingsJson(result.findings ?? []), ...scriptFinalJson(run, model, result) }));
  return result.status === 'completed' || result.status === 'stopped' ? 0 : 1;
}

export function scriptFinalJson(run: ScriptRun, model: ModelGraph | undefined, r: ScriptRunResult) {
  const d = r.done;
  const backend = r.messages.find((m) => m.type === 'backend') as Extract<WorkerMessage, { type: 'backend' }> | undefined;
  const lastStep = [...r.messages].reverse().find((m) => m.type === 'step') as Extract<WorkerMessage, { type: 'step' }> | undefined;
  return {
    status: r.status,
    mode: 'script' as const,
    file: run.config.file ?? run.config.script,
    script: run.config.script,
    model:
      model?.name ?? (r.messages.find((m) => m.type === 'model') as Extract<WorkerMessage, { type: 'model' }> | undefined)?.name ?? null,
    backend: backend?.kind ?? null,
    steps: d?.steps ?? lastStep?.step ?? 0,
    epochs: d?.epochs ?? 0,
    firstLoss: d?.firstLoss ?? null,
    loss: d?.loss ?? lastStep?.loss ?? null,
    metrics: d?.metrics ?? lastStep?.metrics ?? {},
    valLoss: d?.valLoss ?? null,
    valMetrics: d?.valMetrics ?? {},
    samplesPerSec: d?.samplesPerSec ?? null,
    durationMs: d?.durationMs ?? null,
    runDir: run.config.runDir,
    exitCode: r.exitCode,
    ...(d?.modelDir ? { modelDir: d.modelDir } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}
