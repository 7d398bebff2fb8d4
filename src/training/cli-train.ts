/**
 * `layer-lens train <file> [--model <name or line>] [--dataset <name or path>]
 *   [--epochs N | --steps N] [--backend auto|gpu|node|wasm|cpu] [--out <run dir>] [--json] …`
 *
 * Analyses the file, picks the model, trains it in the worker process, prints progress, and
 * ends with one JSON line: the training-health findings (`{"findings":[…]}`, src/health) and the
 * final metrics (with --json, progress goes to stderr and stdout holds only that line). Exit
 * code 0 when the run completed or was stopped, 1 when it failed, 2 on a usage error.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles } from '../analysis/engine';
import type { ModelGraph } from '../analysis/graph';
import { findingsJson } from '../health/monitor';
import { TrainingRun, type RunResult, type StartOptions } from './host';
import {
  ACTIVATION_SOURCES,
  BACKEND_CHOICES,
  type ActivationSource,
  type BackendChoice,
  type TrainConfig,
  type WorkerMessage,
} from '../protocol/worker';
import { defaultRunDir } from './engine/run-store';
import { decideTrainMode, runScriptTrain } from './cli-train-script';
import { SCRIPT_USAGE } from './script/usage';
import { oneFile, parseFlags, positiveIntFlag, type Flags } from './cli-args';
import { epochLine, fmt, healthPrinter, metricsText, resultWithCtrlC } from './cli-progress';

export const TRAIN_USAGE = `layer-lens train <file> [options]   train a model of the file (built from the analysis) and save the run
    --model <name|line>       which model (default: the one compiled in the file, or the only one)
    --dataset <name|path>     auto (default), mnist, spirals, circles, xor, blobs, sine, images, sequences, or a .json/.csv file
    --epochs N | --steps N    how long (default: 1 epoch)
    --backend <b>             auto (default: gpu → node → wasm → cpu), gpu, node, wasm, cpu
    --batch-size N  --learning-rate X  --optimizer <name>  --loss <name>  --samples N  --seed N
    --out <dir>               the run folder (default: .layer-lens/runs/<time>/ in the current folder)
    --save-model              also save the trained model (tfjs format) into <run dir>/model
    --gpu-package <path>      where @tensorflow/tfjs-node-gpu is, when not in the file's node_modules
    --validation-split X      the share of samples held out for validation (default 0.1)
    --stats-every N           per-layer gradient statistics every N steps (default 10; denser in the first 200)
    --probe-every N           activation and gradient histograms every N steps (default: a tenth of the run, 10–50)
    --activations-from <s>    probe (default: a fixed batch in inference mode, comparable step to step) or
                              batch (the training step's own forward pass: no extra pass, for --probe-every 1)
    --json                    only the final JSON line on stdout (progress on stderr); it starts with the
                              training-health findings: {"findings":[{"code","severity","layers","line",
                              "step","evidence","fixes",…}], "status", …final metrics}
${SCRIPT_USAGE}`;

export interface TrainIO {
  out(text: string): void;
  err(text: string): void;
}

interface Parsed {
  file: string;
  flags: Flags;
}

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
  '--validation-split',
]);
const BOOL_FLAGS = new Set(['--json', '--save-model']);

function parseArgs(args: string[]): Parsed | string {
  const p = parseFlags(args, VALUE_FLAGS, BOOL_FLAGS);
  if (typeof p === 'string') return p;
  const file = oneFile(p.positional);
  return typeof file === 'string' ? { file, flags: p.flags } : file.error;
}

/** The model `--model` names (a name or a line number), else the compiled one, else the only one. */
export function pickModel(models: ModelGraph[], which: string | undefined): ModelGraph | string {
  const list = () => models.map((m) => `${m.name} (line ${m.range.start.line})`).join(', ');
  if (models.length === 0) return 'no tfjs model found in the file';
  if (which !== undefined) {
    if (/^\d+$/.test(which)) {
      const line = Number(which);
      const hit = models
        .filter((m) => m.range.start.line <= line && line <= m.range.end.line)
        .concat(models.filter((m) => m.range.start.line === line));
      const best = hit[0] ?? models.filter((m) => m.range.start.line <= line).sort((a, b) => b.range.start.line - a.range.start.line)[0];
      return best ?? `no model at or before line ${line}; models: ${list()}`;
    }
    const byName = models.filter((m) => m.name === which);
    return byName[0] ?? `no model named '${which}'; models: ${list()}`;
  }
  if (models.length === 1) return models[0];
  const compiled = models.filter((m) => m.compile);
  if (compiled.length === 1) return compiled[0];
  return `the file has ${models.length} models: pick one with --model <name or line>: ${list()}`;
}

export async function runTrain(args: string[], io: TrainIO, opts: StartOptions & { cwd?: string } = {}): Promise<number> {
  // The user's own training code first (--script, or a file that calls fit/minimize without --dataset).
  const mode = decideTrainMode(args, opts.cwd ?? process.cwd());
  if (mode.mode === 'error') {
    io.err(`layer-lens train: ${mode.message}.\n${TRAIN_USAGE}`);
    return 2;
  }
  if (mode.mode === 'script')
    return runScriptTrain(args, io, mode, {
      cwd: opts.cwd,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.stopGraceMs ? { stopGraceMs: opts.stopGraceMs } : {}),
    });
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.err(`layer-lens train: ${parsed}.\n${TRAIN_USAGE}`);
    return 2;
  }
  const { flags } = parsed;
  const cwd = opts.cwd ?? process.cwd();
  const json = flags.has('--json');
  const progress = json ? io.err : io.out;
  const backend = (flags.get('--backend') ?? 'auto') as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) {
    io.err(`layer-lens train: --backend must be one of ${BACKEND_CHOICES.join(', ')}`);
    return 2;
  }
  const activationsFrom = flags.get('--activations-from') as ActivationSource | undefined;
  if (activationsFrom !== undefined && !ACTIVATION_SOURCES.includes(activationsFrom)) {
    io.err(`layer-lens train: --activations-from must be one of ${ACTIVATION_SOURCES.join(', ')}`);
    return 2;
  }
  const ints: Record<string, number | undefined> = {};
  for (const name of ['--epochs', '--steps', '--batch-size', '--samples', '--stats-every', '--probe-every']) {
    const v = positiveIntFlag(flags, name);
    if (typeof v === 'string') {
      io.err(`layer-lens train: ${v}`);
      return 2;
    }
    ints[name] = v;
  }
  if (ints['--epochs'] && ints['--steps']) {
    io.err('layer-lens train: give --epochs or --steps, not both');
    return 2;
  }
  const lr = flags.get('--learning-rate');
  if (lr !== undefined && !(Number(lr) > 0)) {
    io.err(`layer-lens train: --learning-rate must be a positive number (got ${String(lr)})`);
    return 2;
  }
  const split = flags.get('--validation-split');
  if (split !== undefined && !(Number(split) >= 0 && Number(split) < 0.9)) {
    io.err(`layer-lens train: --validation-split must be a number in [0, 0.9) (got ${String(split)})`);
    return 2;
  }
  const file = path.resolve(cwd, parsed.file);
  if (!fs.existsSync(file)) {
    io.err(`layer-lens train: ${parsed.file} does not exist`);
    return 2;
  }
  const text = fs.readFileSync(file, 'utf8');
  const [analysis] = analyzeFiles([file]);
  const picked = pickModel(analysis.models, flags.get('--model') as string | undefined);
  if (typeof picked === 'string') {
    io.err(`layer-lens train: ${parsed.file}: ${picked}`);
    return 2;
  }
  const errors = picked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    io.err(
      `layer-lens train: model ${picked.name} has errors the analysis found; fix them first:\n${errors.map((d) => `  line ${d.range?.start.line ?? '?'}: ${d.message}`).join('\n')}`,
    );
    return 1;
  }
  let dataset = (flags.get('--dataset') as string | undefined) ?? 'auto';
  if (/\.(json|csv)$/i.test(dataset)) dataset = path.resolve(cwd, dataset);
  const runDir = flags.has('--out') ? path.resolve(cwd, flags.get('--out') as string) : defaultRunDir(cwd);
  const seed = flags.get('--seed');
  const config: TrainConfig = {
    model: picked,
    otherModels: analysis.models.filter((m) => m !== picked),
    file,
    codeHash: createHash('sha256').update(text).digest('hex'),
    dataset,
    backend,
    runDir,
    resolveFrom: [...new Set([path.dirname(file), cwd])],
    ...(ints['--epochs'] ? { epochs: ints['--epochs'] } : {}),
    ...(ints['--steps'] ? { steps: ints['--steps'] } : {}),
    ...(ints['--batch-size'] ? { batchSize: ints['--batch-size'] } : {}),
    ...(ints['--samples'] ? { samples: ints['--samples'] } : {}),
    ...(ints['--stats-every'] ? { statsEvery: ints['--stats-every'] } : {}),
    ...(ints['--probe-every'] ? { probeEvery: ints['--probe-every'] } : {}),
    ...(activationsFrom ? { activationsFrom } : {}),
    ...(lr !== undefined ? { learningRate: Number(lr) } : {}),
    ...(split !== undefined ? { validationSplit: Number(split) } : {}),
    ...(flags.get('--optimizer') ? { optimizer: flags.get('--optimizer') as string } : {}),
    ...(flags.get('--loss') ? { loss: flags.get('--loss') as string } : {}),
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(flags.has('--save-model') ? { saveModel: true } : {}),
    ...(flags.get('--gpu-package') ? { gpuPackagePath: path.resolve(cwd, flags.get('--gpu-package') as string) } : {}),
    stepEventMs: 0,
  };

  let lastPrint = 0;
  let totalSteps = 0;
  const printHealth = healthPrinter(progress);
  const onMessage = (m: WorkerMessage) => {
    switch (m.type) {
      case 'backend':
        progress(`backend: ${m.kind} — ${m.detail}`);
        for (const s of m.skipped) progress(`  skipped ${s.backend}: ${s.reason}${s.fix ? `\n    fix: ${s.fix}` : ''}`);
        break;
      case 'model':
        progress(`model: ${m.name}, ${m.layers.length} layers, ${m.totalParams.toLocaleString('en-US')} parameters`);
        for (const w of m.warnings) progress(`  warning: ${w}`);
        break;
      case 'compile':
        progress(
          `compile: ${m.optimizer} (lr ${m.learningRate}), loss ${m.loss.join(', ')}${m.metrics.length ? `, metrics ${m.metrics.join(', ')}` : ''}, batch ${m.batchSize}`,
        );
        break;
      case 'dataset':
        progress(`dataset: ${m.name} (${m.task}), ${m.train} training + ${m.validation} validation samples${m.note ? ` — ${m.note}` : ''}`);
        break;
      case 'run':
        totalSteps = m.totalSteps;
        progress(`run: ${m.runDir} — ${m.totalSteps} steps over ${m.epochs} epoch${m.epochs === 1 ? '' : 's'}`);
        break;
      case 'step': {
        const now = Date.now();
        if (now - lastPrint >= 1000 || m.step === totalSteps || m.step === 1) {
          lastPrint = now;
          progress(
            `step ${m.step}/${totalSteps} epoch ${m.epoch}: loss ${fmt(m.loss)} ${metricsText(m.metrics)}${m.samplesPerSec ? ` (${Math.round(m.samplesPerSec)} samples/s)` : ''}`,
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
      case 'error':
        io.err(`error (${m.kind}${m.step ? `, step ${m.step}` : ''}${m.layer ? `, layer ${m.layer}` : ''}): ${m.message}`);
        break;
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

  const run = TrainingRun.start(config, { ...opts, onMessage, onStderr: opts.onStderr ?? (() => undefined) });
  const result = await resultWithCtrlC(run, run.result, (line) => io.err(line));
  io.out(JSON.stringify({ ...findingsJson(result.findings ?? []), ...finalJson(config, picked, result) }));
  return result.status === 'completed' || result.status === 'stopped' ? 0 : 1;
}

export function finalJson(config: TrainConfig, model: ModelGraph, r: RunResult) {
  const d = r.done;
  const backend = r.messages.find((m) => m.type === 'backend') as Extract<WorkerMessage, { type: 'backend' }> | undefined;
  const dataset = r.messages.find((m) => m.type === 'dataset') as Extract<WorkerMessage, { type: 'dataset' }> | undefined;
  const lastStep = [...r.messages].reverse().find((m) => m.type === 'step') as Extract<WorkerMessage, { type: 'step' }> | undefined;
  return {
    status: r.status,
    file: config.file,
    model: model.name,
    backend: backend?.kind ?? null,
    dataset: dataset?.name ?? config.dataset,
    steps: d?.steps ?? lastStep?.step ?? 0,
    epochs: d?.epochs ?? 0,
    firstLoss: d?.firstLoss ?? null,
    loss: d?.loss ?? lastStep?.loss ?? null,
    metrics: d?.metrics ?? lastStep?.metrics ?? {},
    valLoss: d?.valLoss ?? null,
    valMetrics: d?.valMetrics ?? {},
    samplesPerSec: d?.samplesPerSec ?? null,
    durationMs: d?.durationMs ?? null,
    runDir: config.runDir,
    ...(d?.modelDir ? { modelDir: d.modelDir } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}
