/**
 * What the Layer Lens client (src/extension.ts) and server (src/server/server.ts) say to each
 * other beyond standard LSP. Plain types and names only: both sides import this file, so it
 * must not import `vscode` or `vscode-languageserver`.
 */

/** Picks one model of a file: the one with this name whose creation call is nearest `offset`. */
export interface ModelSelector {
  name: string;
  /** 0-based offset of the model's creation call (`tf.sequential(` / `tf.model(`) when the lens was made. */
  offset: number;
}

/** `layerLens/summary`: the `model.summary()`-style text of the models of one document. */
export const SUMMARY_REQUEST = 'layerLens/summary';

export interface SummaryParams {
  /** The document's URI as the client knows it (`file:///…`). */
  uri: string;
  /** Only this model; every model of the file when absent. */
  model?: ModelSelector;
}

export interface SummaryResult {
  /** The summary tables and any problems, ready to show in a read-only editor. */
  text: string;
  /** How many models the text holds (0: the file builds no model the engine found). */
  modelCount: number;
}

/** The client's command that opens a summary; the Summary CodeLens runs it with `[uri, ModelSelector]`. */
export const SHOW_SUMMARY_COMMAND = 'layerLens.showSummary';

/** Settings under `layerLens.*` that the server reads. */
export interface LayerLensSettings {
  /** Batch size for activation-memory estimates (`layerLens.batchSize`). */
  batchSize: number;
  inlayHints: {
    enabled: boolean;
    showBatchDim: boolean;
    showParams: boolean;
  };
}

export const DEFAULT_SETTINGS: LayerLensSettings = {
  batchSize: 32,
  inlayHints: { enabled: true, showBatchDim: true, showParams: true },
};

/** `initializationOptions` the client sends. */
export interface InitializationOptions {
  /** VS Code's display language, e.g. `en` or `de`, for explanation texts. */
  locale?: string;
  /** The `layerLens` configuration section at start-up. */
  settings?: unknown;
}

/**
 * Reads the `layerLens` configuration section (as VS Code sends it: nested objects, or
 * dotted keys) into settings, taking the default for anything missing or of the wrong type.
 */
export function parseSettings(section: unknown): LayerLensSettings {
  const root = isRecord(section) ? section : {};
  const hints = isRecord(root.inlayHints) ? root.inlayHints : {};
  const pick = (key: 'enabled' | 'showBatchDim' | 'showParams'): boolean => {
    const nested = hints[key];
    if (typeof nested === 'boolean') return nested;
    const dotted = root[`inlayHints.${key}`];
    if (typeof dotted === 'boolean') return dotted;
    return DEFAULT_SETTINGS.inlayHints[key];
  };
  const batch = root.batchSize;
  const batchSize = typeof batch === 'number' && Number.isInteger(batch) && batch >= 1 ? batch : DEFAULT_SETTINGS.batchSize;
  return { batchSize, inlayHints: { enabled: pick('enabled'), showBatchDim: pick('showBatchDim'), showParams: pick('showParams') } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
