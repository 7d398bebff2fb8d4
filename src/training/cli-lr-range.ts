/**
 * `layer-lens lr-range <file> [--model <name|line>] [--dataset <name|path>] [--steps N]
 *   [--min 1e-7] [--max 10] [--backend …] [--out <dir>] [--json] [--write]`
 *
 * The learning-rate range test (lr-range.ts) on a fresh copy of the file's model: prints the
 * curve as it goes and a small chart, then one JSON line with the curve and the suggested rate
 * (and the edit that writes it into the compile call; `--write` applies it). Exit code 0 when
 * the sweep ran (stopping at divergence is part of it), 1 when it failed, 2 on a usage error.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles } from '../analysis/engine';
import type { ModelGraph } from '../analysis/graph';
import { oneFile, parseFlags, type Flags } from './cli-args';
import { pickModel, type TrainIO } from './cli-train';
import { defaultRunDir } from './engine/run-store';
import type { StartOptions } from './host';
import { applyEdits, learningRateEdit, type LrEditResult } from './lr-edit';
import { centredAverage, DEFAULT_LR_RANGE, formatLr } from './lr-range';
import { lrRangeConfig, startLrRange, type LrRangeOutcome } from './lr-range-host';
import { BACKEND_CHOICES, type BackendChoice, type TrainConfig, type WorkerMessage } from '../protocol/worker';

export const LR_RANGE_USAGE = `layer-lens lr-range <file> [options]   learning-rate range test: sweep the rate exponentially on a fresh copy
                                         of the model, stop when the loss diverges, suggest a rate
    --model <name|line>  --dataset <name|path>  --backend <b>  --batch-size N  --optimizer <name>  --loss <name>
    --samples N  --seed N   as for train (the optimizer and loss default to the code's compile call)
    --steps N                 steps of the sweep (default ${DEFAULT_LR_RANGE.steps})
    --min X  --max X          the first and last learning rate (default ${DEFAULT_LR_RANGE.minLr} and ${DEFAULT_LR_RANGE.maxLr})
    --diverge X               stop once the smoothed loss exceeds X times its best (default ${DEFAULT_LR_RANGE.divergeFactor})
    --out <dir>               the run folder (default: .layer-lens/runs/<time>/); lr-range.json holds the curve
    --write                   write the suggested rate into the model's compile call
    --json                    only the final JSON line on stdout (progress on stderr)`;

const VALUE_FLAGS = new Set([
  '--model',
  '--dataset',
  '--steps',
  '--min',
  '--max',
  '--diverge',
  '--backend',
  '--out',
  '--batch-size',
  '--optimizer',
  '--loss',
  '--samples',
  '--seed',
  '--gpu-package',
]);
const BOOL_FLAGS = new Set(['--json', '--write']);

function parseArgs(args: string[]): { file: string; flags: Flags } | string {
  const p = parseFlags(args, VALUE_FLAGS, BOOL_FLAGS);
  if (typeof p === 'string') return p;
  const file = oneFile(p.positional);
  return typeof file === 'string' ? { file, flags: p.flags } : file.error;
}

/**
 * A text chart of the loss against the rate: `rows` log-spaced points of the centred average
 * the suggestion is read from (lr-range.ts), bars scaled to the range seen, the row nearest the
 * suggested rate marked.
 */
export function lrChart(points: { lr: number; loss: number | null }[], suggested?: number, rows = 12, width = 40): string[] {
  const pts: { lr: number; loss: number }[] = [];
  for (const p of points) {
    if (p.loss === null || !Number.isFinite(p.loss)) break;
    pts.push({ lr: p.lr, loss: p.loss });
  }
  if (pts.length < 2) return [];
  const avg = centredAverage(
    pts.map((p) => p.loss),
    Math.max(1, Math.round(pts.length / 20)),
  );
  const lo = Math.min(...avg);
  const hi = Math.max(...avg);
  const k = Math.min(rows, pts.length);
  const idx = Array.from({ length: k }, (_, i) => Math.round((i * (pts.length - 1)) / (k - 1)));
  const mark =
    suggested === undefined
      ? -1
      : idx.reduce(
          (best, j, i) => (Math.abs(Math.log(pts[j].lr / suggested)) < Math.abs(Math.log(pts[idx[best]].lr / suggested)) ? i : best),
          0,
        );
  return idx.map((j, i) => {
    const n = hi > lo ? Math.round(((avg[j] - lo) / (hi - lo)) * width) : 0;
    return `  ${formatLr(pts[j].lr).padStart(8)}  ${avg[j].toPrecision(4).padStart(9)}  ${'█'.repeat(Math.max(1, n))}${i === mark ? '  ◀ suggested' : ''}`;
  });
}

export async function runLrRange(args: string[], io: TrainIO, opts: StartOptions & { cwd?: string } = {}): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.err(`layer-lens lr-range: ${parsed}.\n${LR_RANGE_USAGE}`);
    return 2;
  }
  const { flags } = parsed;
  const cwd = opts.cwd ?? process.cwd();
  const json = flags.has('--json');
  const progress = json ? io.err : io.out;
  const fail = (msg: string) => (io.err(`layer-lens lr-range: ${msg}`), 2);
  const backend = (flags.get('--backend') ?? 'auto') as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) return fail(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
  const num = (name: string): number | undefined | string => {
    const v = flags.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : `${name} must be a number (got ${String(v)})`;
  };
  const values: Record<string, number | undefined> = {};
  for (const name of ['--steps', '--min', '--max', '--diverge', '--batch-size', '--samples', '--seed']) {
    const v = num(name);
    if (typeof v === 'string') return fail(v);
    values[name] = v;
  }
  for (const name of ['--steps', '--batch-size', '--samples']) {
    const v = values[name];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) return fail(`${name} must be a positive integer (got ${v})`);
  }
  const file = path.resolve(cwd, parsed.file);
  if (!fs.existsSync(file)) return fail(`${parsed.file} does not exist`);
  const text = fs.readFileSync(file, 'utf8');
  const [analysis] = analyzeFiles([file]);
  const picked = pickModel(analysis.models, flags.get('--model') as string | undefined);
  if (typeof picked === 'string') return fail(`${parsed.file}: ${picked}`);
  const errors = picked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    io.err(
      `layer-lens lr-range: model ${picked.name} has errors the analysis found; fix them first:\n${errors.map((d) => `  line ${d.range?.start.line ?? '?'}: ${d.message}`).join('\n')}`,
    );
    return 1;
  }
  let dataset = (flags.get('--dataset') as string | undefined) ?? 'auto';
  if (/\.(json|csv)$/i.test(dataset)) dataset = path.resolve(cwd, dataset);
  const runDir = flags.has('--out') ? path.resolve(cwd, flags.get('--out') as string) : defaultRunDir(cwd);
  const base: Omit<TrainConfig, 'lrRange'> = {
    model: picked,
    otherModels: analysis.models.filter((m) => m !== picked),
    file,
    codeHash: createHash('sha256').update(text).digest('hex'),
    dataset,
    backend,
    runDir,
    resolveFrom: [...new Set([path.dirname(file), cwd])],
    ...(values['--batch-size'] ? { batchSize: values['--batch-size'] } : {}),
    ...(values['--samples'] ? { samples: values['--samples'] } : {}),
    ...(values['--seed'] !== undefined ? { seed: values['--seed'] } : {}),
    ...(flags.get('--optimizer') ? { optimizer: flags.get('--optimizer') as string } : {}),
    ...(flags.get('--loss') ? { loss: flags.get('--loss') as string } : {}),
    ...(flags.get('--gpu-package') ? { gpuPackagePath: path.resolve(cwd, flags.get('--gpu-package') as string) } : {}),
    stepEventMs: 0,
  };
  let config: TrainConfig;
  try {
    config = lrRangeConfig(base, {
      ...(values['--min'] !== undefined ? { minLr: values['--min'] } : {}),
      ...(values['--max'] !== undefined ? { maxLr: values['--max'] } : {}),
      ...(values['--steps'] !== undefined ? { steps: values['--steps'] } : {}),
      ...(values['--diverge'] !== undefined ? { divergeFactor: values['--diverge'] } : {}),
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  const range = config.lrRange!;
  let lastPrint = 0;
  const onMessage = (m: WorkerMessage) => {
    switch (m.type) {
      case 'backend':
        progress(`backend: ${m.kind} — ${m.detail}`);
        break;
      case 'model':
        progress(`model: ${m.name} (a fresh copy), ${m.totalParams.toLocaleString('en-US')} parameters`);
        for (const w of m.warnings) progress(`  warning: ${w}`);
        break;
      case 'compile':
        progress(
          `optimizer ${m.optimizer}, loss ${m.loss.join(', ')}, batch ${m.batchSize}; learning rate ${formatLr(range.minLr)} → ${formatLr(range.maxLr)} over ${range.steps} steps`,
        );
        break;
      case 'dataset':
        progress(`dataset: ${m.name} (${m.task}), ${m.train} samples${m.note ? ` — ${m.note}` : ''}`);
        break;
      case 'step': {
        const now = Date.now();
        if (now - lastPrint >= 1000 || m.step === 1 || m.step === range.steps) {
          lastPrint = now;
          progress(
            `step ${m.step}/${range.steps}: lr ${formatLr(m.learningRate ?? NaN)} loss ${m.loss === null ? '—' : m.loss.toPrecision(4)}${m.metrics.smoothedLoss != null ? ` (smoothed ${m.metrics.smoothedLoss.toPrecision(4)})` : ''}`,
          );
        }
        break;
      }
      case 'log':
        if (m.level === 'warning') progress(`warning: ${m.message}`);
        break;
      case 'error':
        io.err(`error (${m.kind}${m.step ? `, step ${m.step}` : ''}): ${m.message}`);
        break;
      default:
        break;
    }
  };
  const started = startLrRange(config, { ...opts, onMessage, onStderr: opts.onStderr ?? (() => undefined) });
  const onSigint = () => void started.run.stop();
  process.on('SIGINT', onSigint);
  let outcome: LrRangeOutcome;
  try {
    outcome = await started.result;
  } finally {
    process.off('SIGINT', onSigint);
  }
  const curve = outcome.curve;
  if (curve) {
    if (curve.stoppedEarly) progress(`stopped at step ${curve.stoppedEarly.step}: ${curve.stoppedEarly.reason}`);
    progress('  learning rate  loss (centred average)');
    for (const line of lrChart(curve.points, outcome.suggestion?.lr)) progress(line);
  }
  const s = outcome.suggestion;
  let edit: LrEditResult | undefined;
  let written = false;
  const compileFile = picked.compile?.range?.file ?? file;
  if (s) {
    progress(`suggested learning rate: ${formatLr(s.lr)} (${s.method}) — ${s.reason}`);
    const target = fs.existsSync(compileFile) ? fs.readFileSync(compileFile, 'utf8') : text;
    const codeOptimizer = picked.compile?.optimizer;
    edit =
      codeOptimizer && curve && codeOptimizer !== curve.optimizer
        ? {
            ok: false,
            reason: `the sweep used ${curve.optimizer} (--optimizer) but the code compiles with ${codeOptimizer}: a rate found for one does not carry over to the other`,
          }
        : learningRateEdit(target, s.lr, {
            fileName: compileFile,
            ...(picked.compile?.range ? { compileOffset: picked.compile.range.startOffset } : {}),
          });
    if (edit.ok) {
      if (flags.has('--write')) {
        fs.writeFileSync(compileFile, applyEdits(target, edit.edits));
        written = true;
        progress(`written into ${path.relative(cwd, compileFile) || compileFile}: ${edit.description}`);
      } else progress(`--write would change ${path.relative(cwd, compileFile) || compileFile}: ${edit.description}`);
    } else progress(`the rate cannot be written into the code: ${edit.reason}`);
  }
  io.out(JSON.stringify(lrRangeJson(config, picked, outcome, edit, written, compileFile)));
  return outcome.status === 'completed' || outcome.status === 'stopped' ? 0 : 1;
}

export function lrRangeJson(
  config: TrainConfig,
  model: ModelGraph,
  o: LrRangeOutcome,
  edit: LrEditResult | undefined,
  written: boolean,
  compileFile: string,
) {
  const backend = o.run.messages.find((m) => m.type === 'backend') as Extract<WorkerMessage, { type: 'backend' }> | undefined;
  const dataset = o.run.messages.find((m) => m.type === 'dataset') as Extract<WorkerMessage, { type: 'dataset' }> | undefined;
  return {
    status: o.status,
    file: config.file,
    model: model.name,
    backend: backend?.kind ?? null,
    dataset: dataset?.name ?? config.dataset,
    optimizer: o.curve?.optimizer ?? null,
    minLr: config.lrRange!.minLr,
    maxLr: config.lrRange!.maxLr,
    steps: o.curve?.points.length ?? 0,
    stoppedEarly: o.curve?.stoppedEarly ?? null,
    suggestion: o.suggestion,
    points: o.curve?.points ?? [],
    ...(edit
      ? {
          edit: edit.ok
            ? { file: compileFile, description: edit.description, edits: edit.edits, written }
            : { file: compileFile, error: edit.reason, written: false },
        }
      : {}),
    runDir: config.runDir,
    ...(o.error ? { error: o.error } : {}),
  };
}
