/**
 * Past runs of a workspace, read back from `.layer-lens/runs/<time>/` (the folders the
 * worker writes, src/training/engine/run-store.ts) for the training panel's run list,
 * reopening one run and comparing two. No `vscode` import: the extension host calls it with
 * the workspace folders, the unit tests with temporary folders.
 *
 * Every JSONL line is validated with the protocol (`parseWorkerMessage`); a line that does
 * not parse (a run killed while writing, a file from another version) is skipped and
 * counted, never fatal. A run whose run.json still says `running` but whose worker process
 * is gone (VS Code was killed) is listed as `interrupted`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseWorkerMessage, type WorkerMessage } from '../protocol/worker';
import { RunSeries } from './series';

export const RUNS_DIR = path.join('.layer-lens', 'runs');
/** Folder names the worker writes: `2025-01-31T10-11-12-345Z`, possibly suffixed. */
export const RUN_NAME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9A-Za-z._-]+$/;

export interface RunRoot {
  /** The workspace folder (absolute). */
  folder: string;
  /** Its index among the workspace folders: part of the run id. */
  index: number;
}

export type RunListStatus = 'running' | 'completed' | 'stopped' | 'failed' | 'killed' | 'crashed' | 'interrupted' | 'unknown';

export interface RunSummary {
  /** `<folder index>/<run folder name>`: what the page names a run by. */
  id: string;
  startedAt: string;
  /** The model's file relative to the workspace folder (`/`-separated). */
  file: string;
  model: string;
  dataset: string;
  backend: string;
  status: RunListStatus;
  steps: number | null;
  loss: number | null;
  valLoss: number | null;
  durationMs: number | null;
  error?: string;
  hasModel: boolean;
}

const str = (v: unknown, dflt = ''): string => (typeof v === 'string' ? v : dflt);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function alive(pid: unknown): boolean {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One run folder's summary (null when it is not a run folder). */
export function summarizeRun(root: RunRoot, name: string, opts: { isAlive?: (pid: unknown) => boolean } = {}): RunSummary | null {
  const dir = path.join(root.folder, RUNS_DIR, name);
  let run: Record<string, unknown>;
  try {
    run = obj(JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')));
  } catch {
    return null;
  }
  const final = obj(run.final);
  const dataset = obj(run.dataset);
  const backend = obj(run.backend);
  const settings = obj(run.settings);
  let status = str(run.status, 'unknown') as RunListStatus;
  if (!['running', 'completed', 'stopped', 'failed', 'killed', 'crashed'].includes(status)) status = 'unknown';
  if (status === 'running' && !(opts.isAlive ?? alive)(run.pid)) status = 'interrupted';
  const file = str(run.file);
  const rel = file ? path.relative(root.folder, file) : '';
  const display = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
  let steps = num(final.steps);
  let loss = num(final.loss);
  if (steps === null || loss === null) {
    // A run still going or cut short: the last step line.
    const last = lastStep(path.join(dir, 'metrics.jsonl'));
    steps ??= last?.step ?? null;
    loss ??= last?.loss ?? null;
  }
  return {
    id: `${root.index}/${name}`,
    startedAt: str(run.startedAt, name),
    file: display,
    model: str(run.model, '?'),
    dataset: str(dataset.name, str(settings.dataset, '?')),
    backend: str(backend.kind, str(settings.backend, '?')),
    status,
    steps,
    loss,
    valLoss: num(final.valLoss),
    durationMs: num(final.durationMs),
    ...(typeof run.error === 'string' ? { error: run.error } : {}),
    hasModel: fs.existsSync(path.join(dir, 'model', 'model.json')),
  };
}

/** The last `step` line of a metrics file (reads only its tail). */
function lastStep(file: string): { step: number; loss: number | null } | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, 16_384);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n').filter(Boolean).reverse();
    for (const line of lines) {
      try {
        const m = parseWorkerMessage(JSON.parse(line));
        if (m.ok && m.value.type === 'step') return { step: m.value.step, loss: m.value.loss };
      } catch {
        // a partial first line
      }
    }
  } catch {
    // no metrics yet
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return undefined;
}

/** Every run of the workspace folders, newest first (at most `limit`). */
export function listRuns(roots: RunRoot[], opts: { limit?: number; isAlive?: (pid: unknown) => boolean } = {}): RunSummary[] {
  const found: RunSummary[] = [];
  for (const root of roots) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(root.folder, RUNS_DIR));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!RUN_NAME.test(name)) continue;
      const s = summarizeRun(root, name, opts);
      if (s) found.push(s);
    }
  }
  found.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? 1 : -1));
  return found.slice(0, opts.limit ?? 200);
}

/** The run folder a run id names, when it is one of these roots' runs (else undefined). */
export function runDirOf(roots: RunRoot[], id: string): string | undefined {
  const m = /^(\d+)\/(.+)$/.exec(id);
  if (!m || !RUN_NAME.test(m[2])) return undefined;
  const root = roots.find((r) => r.index === Number(m[1]));
  if (!root) return undefined;
  const dir = path.join(root.folder, RUNS_DIR, m[2]);
  return fs.existsSync(path.join(dir, 'run.json')) ? dir : undefined;
}

/** The protocol messages of a run folder's JSONL files (bad lines skipped and counted). */
export function readRunMessages(dir: string): { messages: WorkerMessage[]; skipped: number } {
  const messages: WorkerMessage[] = [];
  let skipped = 0;
  // events first: backend, model, compile, dataset and run come before any step.
  for (const name of ['events.jsonl', 'metrics.jsonl', 'layers.jsonl']) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, name), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        skipped++;
        continue;
      }
      const parsed = parseWorkerMessage(value);
      if (parsed.ok) messages.push(parsed.value);
      else skipped++;
    }
  }
  return { messages, skipped };
}

/**
 * A run folder as a RunSeries. Runs killed before the worker wrote its `done` line get one
 * from run.json (status, error) so the page shows how it ended.
 */
export function loadRunSeries(dir: string): { series: RunSeries; skipped: number; run: Record<string, unknown> } {
  const { messages, skipped } = readRunMessages(dir);
  const series = RunSeries.fromMessages(messages);
  let run: Record<string, unknown> = {};
  try {
    run = obj(JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')));
  } catch {
    // shown without it
  }
  if (!series.info.done && typeof run.error === 'string' && series.info.errors.every((e) => e.message !== run.error)) {
    series.add({ v: 1, type: 'error', kind: 'crash', message: run.error, fatal: true });
  }
  return { series, skipped, run };
}

/** Train loss against step (and validation loss at epoch ends) of a run, for the comparison chart. */
export function lossCurves(series: RunSeries): {
  step: number[];
  loss: Array<number | null>;
  valStep: number[];
  valLoss: Array<number | null>;
} {
  const s = series.snapshot();
  return {
    step: s.steps.step.map((x) => x ?? 0),
    loss: s.steps.loss,
    valStep: s.epochs.step.map((x) => x ?? 0),
    valLoss: s.epochs.valLoss,
  };
}
