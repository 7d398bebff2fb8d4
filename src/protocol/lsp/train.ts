/**
 * The training part of the client ⇄ server protocol: which model "Train Current Model"
 * trains. The extension host analyses nothing; it asks the server for the analysed graph of
 * the model at the cursor (or the one a `▶ Train` lens names) and hands it to the training
 * worker (src/training/host.ts). Plain types only: no `vscode` / `vscode-languageserver` import.
 */
import type { ModelGraph } from '../../analysis/graph';
import type { ModelSelector } from './common';
import type { PositionView } from './models';

/** `layerLens/trainTarget`: the graph to train. */
export const TRAIN_TARGET_REQUEST = 'layerLens/trainTarget';

/** The client's command the `▶ Train` lens runs with `[uri, ModelSelector]`. */
export const TRAIN_MODEL_COMMAND = 'layerLens.trainModel';

export interface TrainTargetParams {
  uri: string;
  /** The model this selector names (a lens); else the model at `position`. */
  model?: ModelSelector;
  position?: PositionView;
}

export interface TrainCandidate {
  name: string;
  /** 1-based line of its creation call. */
  line: number;
  selector: ModelSelector;
}

export type TrainTargetResult =
  | {
      ok: true;
      /** Absolute path of the analysed file, and the sha256 of the text analysed. */
      file: string;
      codeHash: string;
      model: ModelGraph;
      /** The file's other models (models used as layers are rebuilt from them). */
      otherModels: ModelGraph[];
      /** True when the cursor was in this model's code (false: the file's first model). */
      atCursor: boolean;
      /** Every model of the file, when there are several and the cursor was in none. */
      candidates: TrainCandidate[];
    }
  | { ok: false; message: string };

/** `layerLens/lrEdit`: the text edits that write a learning rate into a model's compile call (src/training/lr-edit.ts). */
export const LR_EDIT_REQUEST = 'layerLens/lrEdit';

/** The client's command "Find Learning Rate (Range Test)". */
export const LR_RANGE_COMMAND = 'layerLens.lrRangeTest';

export interface LrEditParams {
  uri: string;
  lr: number;
  /** An offset inside the compile call to edit (ModelGraph.compile.range.startOffset). */
  compileOffset?: number;
}

export interface LrEditView {
  range: { start: PositionView; end: PositionView };
  newText: string;
}

export type LrEditResponse = { ok: true; edits: LrEditView[]; description: string; lrText: string } | { ok: false; reason: string };

/**
 * `layerLens/trainingCode`: the user's own training calls in a file (src/training/training-calls.ts:
 * fit, fitDataset, trainOnBatch, minimize, applyGradients in its syntax tree, plus the fit sites
 * its analysis recorded). The training panel offers to run a file that has some as the program it is.
 */
export const TRAINING_CODE_REQUEST = 'layerLens/trainingCode';

export interface TrainingCodeParams {
  uri: string;
}

export interface TrainingCodeResult {
  /** Calls in the file's own text (1-based lines). */
  calls: { method: string; line: number; column: number; text: string }[];
  /** fit/fitDataset/trainOnBatch sites the analysis recorded (absolute files, 1-based lines). */
  fitSites: { file: string; line: number }[];
}
