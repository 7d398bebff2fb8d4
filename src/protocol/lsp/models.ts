/**
 * The model-data part of the client ⇄ server protocol: the Models view, the status bar item
 * and the summary panel all render `ModelView`s, which the server builds from the engine's
 * ModelGraph (src/server/features/models.ts). Plain JSON only (no class instances, no
 * `undefined` inside arrays, no functions), and no `vscode` / `vscode-languageserver` import:
 * the extension, the server and the webview bundle all import this file.
 */
import type { ModelSelector } from './common';

/** A 0-based LSP position (line, UTF-16 character). */
export interface PositionView {
  line: number;
  character: number;
}

export interface RangeView {
  start: PositionView;
  end: PositionView;
}

/** A place in a file: the file's `file:` URI and a range in it. */
export interface LocationView {
  uri: string;
  range: RangeView;
}

/** A number that may be unknown (null: a config value the engine cannot evaluate). */
export type CountView = number | null;

export interface LayerView {
  /** Unique within the file's analysis (the engine's layer id). */
  id: string;
  name: string;
  /** tfjs class, e.g. `Conv2D`. */
  className: string;
  /** `[null,28,28,6]`, several outputs joined by `, `, or `unknown`. */
  outputShape: string;
  /** One per input of the first call. */
  inputShapes: string[];
  params: CountView;
  trainableParams: CountView;
  nonTrainableParams: CountView;
  macs: CountView;
  trainable: boolean;
  /** The parameter count in the user's numbers, e.g. `5·5·1·6 + 6 = 156`. */
  paramFormula?: string;
  /** Where the layer is created (or first applied in the model's file); absent for implicit layers. */
  location?: LocationView;
  /** `11` for a line of the model's file, `helpers.ts:7` for another file, empty when unknown. */
  where: string;
  /**
   * Ids of the nodes feeding this layer: other layers of this model or entries of
   * `ModelView.inputs`. A Sequential is a chain, so each layer has the previous one.
   */
  inbound: string[];
  /** A model used as a layer. */
  nested: boolean;
}

/** An input the model's `layers` do not list (a Sequential's implicit InputLayer). */
export interface InputView {
  id: string;
  name: string;
  shape: string;
}

export interface DiagnosticView {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  formula?: string;
  location?: LocationView;
  /** `12` or `other.ts:3`, as LayerView.where. */
  where: string;
}

export interface ModelTotalsView {
  params: CountView;
  trainable: CountView;
  nonTrainable: CountView;
  macs: CountView;
  /** fp32 bytes of the parameters. */
  paramBytes: CountView;
  activationsPerSample: CountView;
  activationBytes: CountView;
  batchSize: number;
}

export interface ModelView {
  /** Unique within the file's analysis. */
  id: string;
  name: string;
  kind: 'sequential' | 'functional';
  /** The creation call (`tf.sequential(` / `tf.model(`). */
  location: LocationView;
  /** 1-based line of the creation call, for display. */
  line: number;
  /** Picks this model again in the `layerLens/summary` and `layerLens/fileModels` requests. */
  selector: ModelSelector;
  /** `name: ` when other models share this creation call (variants of one builder), else empty. */
  variant: string;
  inputShapes: string[];
  outputShapes: string[];
  totals: ModelTotalsView;
  optimizer?: string;
  loss?: string;
  inputs: InputView[];
  /** In tfjs's `model.layers` order, as the summary table lists them. */
  layers: LayerView[];
  diagnostics: DiagnosticView[];
}

export interface FileModels {
  /** The file's `file:` URI (the editor's URI when the file is open). */
  uri: string;
  /** Relative to its workspace folder, `/`-separated (the absolute path outside every folder). */
  path: string;
  /** Name of the workspace folder holding the file (for multi-root workspaces). */
  folder?: string;
  models: ModelView[];
}

/** `layerLens/models`: every model of the workspace, file by file (files without models left out). */
export const MODELS_REQUEST = 'layerLens/models';

export interface ModelsParams {
  /** The workspace folders' `file:` URIs; the folders the server was started with when absent. */
  folders?: string[];
}

export interface ModelsResult {
  /** Sorted by folder, then path. */
  files: FileModels[];
  /** Source files that import TensorFlow.js (analysed). */
  analysed: number;
  /** True when the scan stopped at its file limit. */
  truncated: boolean;
}

/** `layerLens/fileModels`: the models of one file (the summary panel's data). Null when the file cannot be read. */
export const FILE_MODELS_REQUEST = 'layerLens/fileModels';

export interface FileModelsParams {
  uri: string;
  /** The model to select; `selectedId` then names it. */
  model?: ModelSelector;
}

export interface FileModelsResult extends FileModels {
  /** The model `params.model` picked, when given and found. */
  selectedId?: string;
  /** Diagnostics of the file not tied to one model. */
  diagnostics: DiagnosticView[];
}

/** `layerLens/modelAt`: the model at a position of an open document (the status bar item). */
export const MODEL_AT_REQUEST = 'layerLens/modelAt';

export interface ModelAtParams {
  uri: string;
  position: PositionView;
}

export interface ModelAtResult {
  model: ModelView;
  /** True when the position is in the model's code; false for the file's first model. */
  atCursor: boolean;
}

/**
 * `layerLens/modelsChanged` (server → client notification): analysis results changed, for
 * these documents (`uris`) or for the workspace as a whole (`workspace`: files appeared,
 * vanished or changed on disk).
 */
export const MODELS_CHANGED_NOTIFICATION = 'layerLens/modelsChanged';

export interface ModelsChangedParams {
  uris: string[];
  workspace: boolean;
}
