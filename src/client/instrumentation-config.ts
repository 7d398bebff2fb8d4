/**
 * How often the training panel's runs report per-layer statistics and histograms, and where
 * activation statistics come from: the `layerLens.training.statsEvery`, `histogramsEvery` and
 * `activationsFrom` settings, checked and turned into the TrainConfig / ScriptConfig fields
 * (`statsEvery`, `probeEvery`, `activationsFrom`). No `vscode` import: unit-tested directly.
 */
import { ACTIVATION_SOURCES, type ActivationSource } from '../protocol/worker';

export interface InstrumentationSettings {
  statsEvery?: number;
  /** The runs' `probeEvery`; absent: the engine's own (a tenth of the run, 10–50 steps). */
  probeEvery?: number;
  activationsFrom?: ActivationSource;
}

type Key = 'statsEvery' | 'histogramsEvery' | 'activationsFrom';

/**
 * The settings (`get` reads one key of `layerLens.training`): unset keys leave the engine's
 * defaults; a value VS Code handed over despite its schema (it only warns) is an error that
 * names the setting. `histogramsEvery` 0 means the engine's own interval.
 */
export function instrumentationSettingsFrom(get: (key: Key) => unknown): { settings: InstrumentationSettings } | { error: string } {
  const settings: InstrumentationSettings = {};
  const stats = get('statsEvery');
  if (stats !== undefined && stats !== null) {
    if (!Number.isInteger(stats) || (stats as number) < 1)
      return { error: `layerLens.training.statsEvery must be a whole number of steps, at least 1 (got ${JSON.stringify(stats)})` };
    settings.statsEvery = stats as number;
  }
  const hist = get('histogramsEvery');
  if (hist !== undefined && hist !== null) {
    if (!Number.isInteger(hist) || (hist as number) < 0)
      return { error: `layerLens.training.histogramsEvery must be a whole number of steps, 0 for automatic (got ${JSON.stringify(hist)})` };
    if ((hist as number) > 0) settings.probeEvery = hist as number;
  }
  const from = get('activationsFrom');
  if (from !== undefined && from !== null) {
    if (!ACTIVATION_SOURCES.includes(from as ActivationSource))
      return { error: `layerLens.training.activationsFrom must be one of ${ACTIVATION_SOURCES.join(', ')} (got ${JSON.stringify(from)})` };
    if (from !== 'probe') settings.activationsFrom = from as ActivationSource;
  }
  return { settings };
}
