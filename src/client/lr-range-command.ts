/**
 * "Layer Lens: Find Learning Rate (Range Test)" (`layerLens.lrRangeTest`): for the model at the
 * cursor (resolved as Train Current Model does), a learning-rate range test in the training
 * worker (src/training/lr-range-host.ts) on the dataset the training panel would pick by default,
 * under a cancellable progress notification; then the curve in a small webview and an offer to
 * write the suggestion into the compile call (`layerLens/lrEdit` on the server, applied here as
 * a WorkspaceEdit). Restricted Mode: the sweep rebuilds the analysed graph and trains it on a
 * built-in dataset with the bundled wasm/cpu backends, which runs no workspace code, so it is allowed.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { defaultRunDir } from '../training/engine/run-store';
import { startLrRange } from '../training/lr-range-host';
import { LR_EDIT_REQUEST, type LrEditParams, type LrEditResponse } from '../protocol/lsp/train';
import {
  compileOffsetOf,
  lrRangeCommandConfig,
  lrRangeHtml,
  lrRangeSettingsFrom,
  suggestionMessage,
  type LrRangeCurve,
} from './lr-range-config';
import { resolveTrainTarget } from './train-command';
import { runStatusText } from './training-panel';

export const LR_RANGE_VIEW_TYPE = 'layerLens.lrRange';

let running = false;
let chart: vscode.WebviewPanel | undefined;

export async function lrRangeTest(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
  uriArg: unknown,
  modelArg: unknown,
): Promise<void> {
  if (running) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Layer Lens: a learning-rate range test is already running.'));
    return;
  }
  running = true;
  try {
    const resolved = await resolveTrainTarget(client, output, uriArg, modelArg, 'lr-range');
    if (!resolved) return;
    const { uri, target } = resolved;
    const errors = target.model.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t(
          'Layer Lens: the analysis found {0} error(s) in {1}; fix them before the range test.',
          errors.length,
          target.model.name,
        ),
      );
      return;
    }
    const sweep = lrRangeSettingsFrom((key) => vscode.workspace.getConfiguration('layerLens.lrRangeTest', uri).get(key));
    if ('error' in sweep) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Layer Lens: {0}.', sweep.error));
      return;
    }
    const trusted = vscode.workspace.isTrusted;
    const cfg = vscode.workspace.getConfiguration('layerLens.training');
    const root = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(target.file);
    const config = lrRangeCommandConfig(target, {
      trusted,
      backendSetting: cfg.get<string>('backend'),
      gpuPackagePath: cfg.get<string>('gpuPackagePath'),
      root,
      runDir: defaultRunDir(root),
      settings: sweep.settings,
    });
    const total = config.lrRange!.steps;
    output.info(
      `lr range test: ${target.model.name} (${path.basename(target.file)}), dataset ${config.dataset}, backend ${config.backend}, ${total} steps; run folder ${config.runDir}`,
    );
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Layer Lens: learning-rate range test'), cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const started = startLrRange(config, {
          worker: { path: vscode.Uri.joinPath(context.extensionUri, 'dist', 'train-worker.js').fsPath, execArgv: [] },
          cwd: root,
          onMessage: (m) => {
            if (m.type !== 'step') return;
            const pct = Math.min(100, (m.step / total) * 100);
            progress.report({ increment: Math.max(0, pct - reported), message: vscode.l10n.t('step {0}/{1}', m.step, total) });
            reported = Math.max(reported, pct);
          },
          onStderr: (text) => output.debug(`train-worker: ${text.trimEnd()}`),
        });
        token.onCancellationRequested(() => void started.run.stop());
        const r = await started.result;
        return { ...r, cancelled: token.isCancellationRequested };
      },
    );
    if (outcome.cancelled && !outcome.curve) return;
    if (!outcome.curve) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t(
          'Layer Lens: the range test {0}: {1}',
          runStatusText(outcome.status),
          outcome.error?.message ?? vscode.l10n.t('no curve was recorded (see the "Layer Lens" output)'),
        ),
      );
      return;
    }
    showChart(context, vscode.l10n.t('Learning rate: {0}', target.model.name), outcome.curve);
    const message = suggestionMessage(outcome.curve, vscode.l10n);
    if (!message) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Layer Lens: the range test found no learning rate to suggest (the loss did not fall clearly); see the chart.'),
      );
      return;
    }
    const lr = outcome.curve.suggestion!.lr;
    const write = vscode.l10n.t('Write into compile');
    const pick = await vscode.window.showInformationMessage(message, write);
    if (pick === write) await writeIntoCompile(client, uri, lr, compileOffsetOf(target));
  } catch (err) {
    output.error(`lrRangeTest failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Layer Lens: {0}', err instanceof Error ? err.message : String(err)));
  } finally {
    running = false;
  }
}

function showChart(context: vscode.ExtensionContext, title: string, curve: LrRangeCurve): void {
  if (!chart) {
    chart = vscode.window.createWebviewPanel(
      LR_RANGE_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: false, enableCommandUris: false, localResourceRoots: [] },
    );
    chart.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'layer-lens.svg');
    chart.onDidDispose(() => (chart = undefined));
  } else chart.reveal(chart.viewColumn ?? vscode.ViewColumn.Beside, true);
  chart.title = title;
  chart.webview.html = lrRangeHtml(title, curve, randomBytes(18).toString('base64'), vscode.l10n);
}

async function writeIntoCompile(
  client: () => LanguageClient | undefined,
  uri: vscode.Uri,
  lr: number,
  compileOffset: number | undefined,
): Promise<void> {
  const c = client();
  if (!c || c.state !== State.Running) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Layer Lens: the language server is not running.'));
    return;
  }
  const params: LrEditParams = { uri: c.code2ProtocolConverter.asUri(uri), lr, ...(compileOffset !== undefined ? { compileOffset } : {}) };
  const r = await c.sendRequest<LrEditResponse>(LR_EDIT_REQUEST, params);
  if (!r.ok) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Layer Lens: could not write the learning rate: {0}.', r.reason));
    return;
  }
  const edit = new vscode.WorkspaceEdit();
  for (const e of r.edits)
    edit.replace(uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Layer Lens: the edit could not be applied (the file changed?).'));
    return;
  }
  void vscode.window.showInformationMessage(vscode.l10n.t('Layer Lens: {0}.', r.description));
}
