/**
 * The run folder, `.layer-lens/runs/<time>/`:
 *
 *   run.json         what ran: file, model, code hash, settings, backend (and why), dataset,
 *                    status and final metrics (rewritten at the end)
 *   graph.json       the analysed ModelGraph the model was built from
 *   metrics.jsonl    one line per step and per epoch (loss, metrics, learning rate, speed)
 *   layers.jsonl     per-layer gradient statistics and activation summaries
 *   events.jsonl     everything else the worker said (backend, errors, logs)
 *   model/           the trained model in tfjs format (model.json + weights.bin), on request
 *
 * Lines are appended synchronously as they happen, so a run that is killed keeps its history.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkerMessage } from '../../protocol/worker';

/** `2025-01-31T10-11-12-345Z`: sortable, and a valid folder name everywhere. */
export function runFolderName(date = new Date()): string {
  return date.toISOString().replace(/:/g, '-').replace('.', '-');
}

export function defaultRunDir(root: string, date = new Date()): string {
  return path.join(root, '.layer-lens', 'runs', runFolderName(date));
}

export class RunStore {
  private info: Record<string, unknown> = {};

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  writeJson(name: string, value: unknown): void {
    const file = path.join(this.dir, name);
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
    fs.renameSync(`${file}.tmp`, file);
  }

  /** Merges into run.json and rewrites it. */
  update(fields: Record<string, unknown>): void {
    this.info = { ...this.info, ...fields };
    this.writeJson('run.json', this.info);
  }

  get run(): Record<string, unknown> {
    return this.info;
  }

  /** Appends a worker message to the file it belongs in. */
  record(msg: WorkerMessage): void {
    const file =
      msg.type === 'step' || msg.type === 'epoch'
        ? 'metrics.jsonl'
        : msg.type === 'layer-stats' || msg.type === 'activations'
          ? 'layers.jsonl'
          : 'events.jsonl';
    fs.appendFileSync(path.join(this.dir, file), `${JSON.stringify(msg)}\n`);
  }
}

/** Reads a run folder back (for the panel's history and for tests). */
export function readRun(dir: string): {
  run: Record<string, unknown>;
  metrics: WorkerMessage[];
  layers: WorkerMessage[];
  events: WorkerMessage[];
} {
  const lines = (name: string) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as WorkerMessage);
  };
  const runFile = path.join(dir, 'run.json');
  return {
    run: fs.existsSync(runFile) ? (JSON.parse(fs.readFileSync(runFile, 'utf8')) as Record<string, unknown>) : {},
    metrics: lines('metrics.jsonl'),
    layers: lines('layers.jsonl'),
    events: lines('events.jsonl'),
  };
}
