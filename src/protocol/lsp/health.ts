/**
 * Training health between the extension host and the language server. The extension host
 * hears every training run's findings (src/training/health-host.ts) and shows them (the
 * Training Health view, inline notes, Problems with source "Layer Lens training"); it sends
 * them to the server with `layerLens/trainingHealth`, and the server offers the quick fixes
 * that are edits (src/server/features/training-fixes.ts): it holds the analysed graph (where
 * each layer's factory call and the compile call are) and the syntax helpers the static quick
 * fixes use. Plain types only: no `vscode` / `vscode-languageserver` import.
 */
import type { Finding } from '../../health/findings';

/** Client → server notification: the current findings of the latest run of a file's model (an empty list clears them). */
export const TRAINING_HEALTH_NOTIFICATION = 'layerLens/trainingHealth';

export interface TrainingHealthParams {
  /** The trained file's URI. */
  uri: string;
  /** The trained model's name (its graph is looked up in the file's current analysis). */
  model: string;
  findings: Finding[];
}

/** The `source` of the training diagnostics in Problems. */
export const TRAINING_DIAGNOSTIC_SOURCE = 'Layer Lens training';

/** Code-action kind of the training quick fixes: `quickfix.layerLens.training.<fix id>`. */
export const TRAINING_FIX_KIND = 'quickfix.layerLens.training';

/**
 * The command a training quick fix runs after its edit, `[uri, findingId, fixId]`: the extension
 * host marks the finding's fix as applied (the finding leaves Problems and the editor; the
 * view lists it as applied until the model is trained again).
 */
export const TRAINING_FIX_APPLIED_COMMAND = 'layerLens.trainingFixApplied';
