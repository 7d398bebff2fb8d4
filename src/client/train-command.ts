/**
 * The commands of training: `layerLens.trainModel` (Train Current Model: the palette, the
 * editor title button, the `▶ Train` lens with `[uri, ModelSelector]`) and
 * `layerLens.showTrainingRuns`; and the `layerLens.editorHasModel` context key that shows the
 * editor title button only in files that build a model.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { MODEL_AT_REQUEST, type ModelAtParams, type ModelAtResult } from '../protocol/lsp/models';
import type { ModelSelector } from '../protocol/lsp/common';
import {
  LR_RANGE_COMMAND,
  TRAIN_MODEL_COMMAND,
  TRAIN_TARGET_REQUEST,
  TRAINING_CODE_REQUEST,
  type TrainingCodeParams,
  type TrainingCodeResult,
  type TrainTargetParams,
  type TrainTargetResult,
} from '../protocol/lsp/train';
import type { ModelsChanged } from './models-view';
import { lrRangeTest } from './lr-range-command';
import { TrainingPanel } from './training-panel';

export const SHOW_TRAINING_RUNS_COMMAND = 'layerLens.showTrainingRuns';
const HAS_MODEL_CONTEXT = 'layerLens.editorHasModel';
const SOURCE = /\.(m|c)?[jt]sx?$/i;

export function registerTraining(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  started: Promise<unknown>,
  output: vscode.LogOutputChannel,
  modelsChanged?: ModelsChanged,
  /** Starts the language server if nothing has yet (a command can come before any tfjs file is open). */
  ensureStarted: () => Promise<unknown> = () => started,
): TrainingPanel {
  const panel = new TrainingPanel({
    output,
    extensionUri: context.extensionUri,
    // The training program chosen for each model file is remembered per workspace.
    state: context.workspaceState,
    trainingCode: async (uri) => {
      const c = client();
      if (!c || c.state !== State.Running) return undefined;
      const params: TrainingCodeParams = { uri: c.code2ProtocolConverter.asUri(uri) };
      return c.sendRequest<TrainingCodeResult>(TRAINING_CODE_REQUEST, params);
    },
  });
  context.subscriptions.push(
    panel,
    vscode.commands.registerCommand(TRAIN_MODEL_COMMAND, async (uri?: unknown, model?: unknown) => {
      await ensureStarted();
      return trainModel(panel, client, output, uri, model);
    }),
    vscode.commands.registerCommand(SHOW_TRAINING_RUNS_COMMAND, () => panel.showRuns()),
    vscode.commands.registerCommand(LR_RANGE_COMMAND, async (uri?: unknown, model?: unknown) => {
      await ensureStarted();
      return lrRangeTest(context, client, output, uri, model);
    }),
  );

  // The editor title button: only for a file that builds a model.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(async () => {
      timer = undefined;
      const editor = vscode.window.activeTextEditor;
      const c = client();
      let has = false;
      if (editor && editor.document.uri.scheme === 'file' && SOURCE.test(editor.document.uri.fsPath) && c && c.state === State.Running) {
        try {
          const params: ModelAtParams = { uri: c.code2ProtocolConverter.asUri(editor.document.uri), position: { line: 0, character: 0 } };
          has = (await c.sendRequest<ModelAtResult | null>(MODEL_AT_REQUEST, params)) !== null;
        } catch {
          has = false;
        }
      }
      void vscode.commands.executeCommand('setContext', HAS_MODEL_CONTEXT, has);
    }, 200);
  };
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(refresh), { dispose: () => timer && clearTimeout(timer) });
  if (modelsChanged) context.subscriptions.push(modelsChanged(refresh));
  void started.then(refresh, () => {});
  return panel;
}

function asSelector(v: unknown): ModelSelector | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { name, offset } = v as Record<string, unknown>;
  return typeof name === 'string' && typeof offset === 'number' ? { name, offset } : undefined;
}

/**
 * Train Current Model: the model the lens names, else the one at the cursor (a pick list
 * when the cursor is in none of several). Opens the training panel on it; Start trains.
 */
async function trainModel(
  panel: TrainingPanel,
  client: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
  uriArg: unknown,
  modelArg: unknown,
): Promise<void> {
  try {
    const resolved = await resolveTrainTarget(client, output, uriArg, modelArg, 'train');
    if (resolved) await panel.open(resolved.target);
  } catch (err) {
    output.error(`trainModel failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Layer Lens: {0}', err instanceof Error ? err.message : String(err)));
  }
}

/**
 * The model Train Current Model (and the range test) works on: the one a lens names, else the
 * one at the cursor (a pick list when the cursor is in none of several). Undefined when there
 * is none (the user was told why) or the pick was cancelled.
 */
export async function resolveTrainTarget(
  client: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
  uriArg: unknown,
  modelArg: unknown,
  /** What the model is for: the pick list's title says it. */
  purpose: 'train' | 'lr-range' = 'train',
): Promise<{ uri: vscode.Uri; target: Extract<TrainTargetResult, { ok: true }> } | undefined> {
  const editor = vscode.window.activeTextEditor;
  const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg instanceof vscode.Uri ? uriArg : editor?.document.uri;
  if (!uri || uri.scheme !== 'file' || !SOURCE.test(uri.fsPath)) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Layer Lens: open a TypeScript or JavaScript file that builds a TensorFlow.js model, put the cursor in the model, and run the command again.',
      ),
    );
    return undefined;
  }
  const c = client();
  if (!c || c.state !== State.Running) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Layer Lens: the language server is not running; see the "Layer Lens" output for details.'),
    );
    output.show(true);
    return undefined;
  }
  const selector = asSelector(modelArg);
  const position = !selector && editor && editor.document.uri.toString() === uri.toString() ? editor.selection.active : undefined;
  const ask = (model?: ModelSelector) => {
    const params: TrainTargetParams = {
      uri: c.code2ProtocolConverter.asUri(uri),
      ...(model ? { model } : {}),
      ...(position && !model ? { position: { line: position.line, character: position.character } } : {}),
    };
    return c.sendRequest<TrainTargetResult>(TRAIN_TARGET_REQUEST, params);
  };
  let target = await ask(selector);
  if (!target.ok) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Layer Lens: {0}: {1}.', path.basename(uri.fsPath), target.message));
    return undefined;
  }
  if (target.candidates.length > 1) {
    const pick = await vscode.window.showQuickPick(
      target.candidates.map((m) => ({ label: m.name, description: vscode.l10n.t('line {0}', m.line), selector: m.selector })),
      {
        title: purpose === 'train' ? vscode.l10n.t('Train which model?') : vscode.l10n.t('Test the learning rate of which model?'),
        placeHolder: vscode.l10n.t(
          '{0} builds {1} models; the cursor is in none of them',
          path.basename(uri.fsPath),
          target.candidates.length,
        ),
      },
    );
    if (!pick) return undefined;
    target = await ask(pick.selector);
    if (!target.ok) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Layer Lens: {0}.', target.message));
      return undefined;
    }
  }
  return { uri, target };
}
