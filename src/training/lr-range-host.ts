/**
 * The learning-rate range test from the host (the CLI's `layer-lens lr-range`, the panel): a
 * TrainingRun (host.ts) whose config carries `lrRange`, so the worker sweeps the rate on a
 * fresh copy of the analysed model instead of training it (engine/lr-range-run.ts). The curve
 * streams as `step` events (loss, learningRate) and ends in one `lr-range` message; `result`
 * resolves with it. Stop, pause and kill work as for a training.
 */
import { TrainingRun, type RunResult, type StartOptions } from './host';
import { checkLrRange, DEFAULT_LR_RANGE, type LrRangeSettings } from './lr-range';
import type { TrainConfig, WorkerMessageOf } from '../protocol/worker';

export type LrRangeResultMessage = WorkerMessageOf<'lr-range'>;

export interface LrRangeOutcome {
  status: RunResult['status'];
  /** The curve and the suggestion; absent when the sweep failed before its first step. */
  curve?: LrRangeResultMessage;
  suggestion: LrRangeResultMessage['suggestion'];
  error?: RunResult['error'];
  run: RunResult;
}

export interface LrRangeRun {
  run: TrainingRun;
  result: Promise<LrRangeOutcome>;
}

/** A training config turned into a range test (defaults: 1e-7 → 10 over 100 steps, stop at 4× the best loss). */
export function lrRangeConfig(base: Omit<TrainConfig, 'lrRange'>, settings: Partial<LrRangeSettings> = {}): TrainConfig {
  const lrRange = {
    minLr: settings.minLr ?? DEFAULT_LR_RANGE.minLr,
    maxLr: settings.maxLr ?? DEFAULT_LR_RANGE.maxLr,
    steps: settings.steps ?? DEFAULT_LR_RANGE.steps,
    ...(settings.divergeFactor !== undefined ? { divergeFactor: settings.divergeFactor } : {}),
    ...(settings.smoothing !== undefined ? { smoothing: settings.smoothing } : {}),
  };
  const problem = checkLrRange(lrRange);
  if (problem) throw new Error(problem);
  const { epochs: _epochs, steps: _steps, learningRate: _lr, ...rest } = base;
  return { ...rest, lrRange };
}

/** Starts a range test; `config.lrRange` must be set (see lrRangeConfig). */
export function startLrRange(config: TrainConfig, opts: StartOptions = {}): LrRangeRun {
  if (!config.lrRange) throw new Error('startLrRange needs config.lrRange (use lrRangeConfig)');
  const problem = checkLrRange(config.lrRange);
  if (problem) throw new Error(problem);
  const run = TrainingRun.start(config, opts);
  const result = run.result.then((r): LrRangeOutcome => {
    const curve = [...r.messages].reverse().find((m): m is LrRangeResultMessage => m.type === 'lr-range');
    return {
      status: r.status,
      ...(curve ? { curve } : {}),
      suggestion: curve?.suggestion ?? null,
      ...(r.error ? { error: r.error } : {}),
      run: r,
    };
  });
  return { run, result };
}
