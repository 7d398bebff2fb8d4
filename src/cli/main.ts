/**
 * `layer-lens summary <files or globs…> [--json]` and `layer-lens check <files…>`:
 * the engine from a terminal, for users' CI and for independent checks.
 */
import * as path from 'node:path';
import fg from 'fast-glob';
import { analyzeFiles } from '../analysis/engine';
import type { Diagnostic, FileAnalysis, ModelGraph } from '../analysis/graph';
import { formatSummary } from '../analysis/summary';
import { runTrain, TRAIN_USAGE } from '../training/cli-train';
import { LR_RANGE_USAGE, runLrRange } from '../training/cli-lr-range';

const USAGE = `Usage:
  layer-lens summary <files or globs…> [--json]   every model's layers, shapes, parameters and MACs
  layer-lens check <files or globs…>              problems as file:line:col; exit 1 on any error
  ${TRAIN_USAGE}
  ${LR_RANGE_USAGE}
  layer-lens --help`;

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** Expands globs, keeping each path as the user wrote it (for the JSON's `file`). */
export function expandInputs(inputs: string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (fg.isDynamicPattern(input)) {
      out.push(...fg.sync(input, { cwd, ignore: ['**/node_modules/**'], onlyFiles: true }).sort());
    } else {
      out.push(input);
    }
  }
  return [...new Set(out)];
}

function diagJson(d: Diagnostic) {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    line: d.range?.start.line ?? null,
    column: d.range?.start.column ?? null,
  };
}

function modelJson(m: ModelGraph) {
  return {
    name: m.name,
    ...(m.variant ? { variant: m.variant } : {}),
    ...(m.via ? { via: m.via } : {}),
    ...(m.alternatives ? { alternatives: m.alternatives } : {}),
    kind: m.kind,
    line: m.range.start.line,
    column: m.range.start.column,
    layers: m.layers.map((l) => ({
      name: l.name,
      className: l.className,
      line: l.range?.start.line ?? null,
      column: l.range?.start.column ?? null,
      outputShape: l.outputShape,
      params: l.params.total,
      trainableParams: l.params.trainable,
      macs: l.macs,
    })),
    totalParams: m.totals.total,
    trainableParams: m.totals.trainable,
    nonTrainableParams: m.totals.nonTrainable,
    macs: m.totals.macs,
    diagnostics: m.diagnostics.map(diagJson),
  };
}

export function summaryJson(given: string[], results: FileAnalysis[]) {
  return {
    files: results.map((r, i) => ({
      file: given[i],
      models: r.models.map(modelJson),
      diagnostics: r.diagnostics.map(diagJson),
    })),
  };
}

function allDiagnostics(r: FileAnalysis): Diagnostic[] {
  return [...r.diagnostics, ...r.models.flatMap((m) => m.diagnostics)].sort(
    (a, b) => (a.range?.startOffset ?? -1) - (b.range?.startOffset ?? -1),
  );
}

export function run(argv: string[], io: CliIO): number {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const inputs = rest.filter((a) => !a.startsWith('--'));
  if (command === 'train' || command === 'lr-range') {
    io.err(`layer-lens ${command} runs asynchronously: call runAsync`);
    return 2;
  }
  if (command !== 'summary' && command !== 'check') {
    io.err(`layer-lens: unknown command '${command}'.\n${USAGE}`);
    return 2;
  }
  const unknownFlags = [...flags].filter((f) => f !== '--json');
  if (unknownFlags.length) {
    io.err(`layer-lens: unknown option ${unknownFlags.join(', ')}.\n${USAGE}`);
    return 2;
  }
  const files = expandInputs(inputs);
  if (files.length === 0) {
    io.err(`layer-lens ${command}: no files given (or no file matches).\n${USAGE}`);
    return 2;
  }
  const results = analyzeFiles(files.map((f) => path.resolve(f)));

  if (command === 'summary') {
    if (flags.has('--json')) {
      io.out(JSON.stringify(summaryJson(files, results)));
      return 0;
    }
    results.forEach((r, i) => {
      if (r.models.length === 0) io.out(`${files[i]}: no tfjs model found`);
      for (const m of r.models) io.out(`${formatSummary(m, files[i])}\n`);
      for (const d of r.diagnostics) io.out(formatDiagnostic(files[i], d));
    });
    return 0;
  }

  let errors = 0;
  results.forEach((r, i) => {
    for (const d of allDiagnostics(r)) {
      if (d.severity === 'error') errors++;
      io.out(formatDiagnostic(files[i], d));
    }
  });
  return errors > 0 ? 1 : 0;
}

export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where = d.range ? `${file}:${d.range.start.line}:${d.range.start.column}` : file;
  const formula = d.formula && !d.message.includes(d.formula) ? ` [${d.formula}]` : '';
  return `${where}: ${d.severity} ${d.code}: ${d.message}${formula}`;
}

/** Every command, `train` included (it returns a promise). */
export function runAsync(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === 'train') return runTrain(argv.slice(1), io);
  if (argv[0] === 'lr-range') return runLrRange(argv.slice(1), io);
  return Promise.resolve(run(argv, io));
}

if (require.main === module) {
  void runAsync(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
