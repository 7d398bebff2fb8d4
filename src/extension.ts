/**
 * Extension entry point: a thin language client. The Layer Lens language server
 * (src/server/server.ts → dist/server.js) analyses the documents and provides Problems,
 * hovers, inlay hints and CodeLens; this file starts it, and keeps the one UI piece the
 * server cannot own: the "Show Model Summary" command (a webview panel, src/client/summary-panel.ts,
 * and the read-only text tab), the Models view and the status bar item (src/client/models-view.ts),
 * and "Train Current Model" (the training panel, src/client/training-panel.ts).
 * Nothing is analysed in the extension host.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import {
  type InitializationOptions,
  type ModelSelector,
  SHOW_SUMMARY_COMMAND,
  SUMMARY_REQUEST,
  type SummaryParams,
  type SummaryResult,
} from './protocol/lsp/common';
import { registerModelViews } from './client/models-view';
import { SummaryPanel } from './client/summary-panel';
import { registerTraining } from './client/train-command';
import { registerTrainingHealth } from './client/training-health';

const NAME = 'Layer Lens';
const SUMMARY_SCHEME = 'layer-lens-summary';
const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'];
const SHOW_SUMMARY_TEXT_COMMAND = 'layerLens.showSummaryText';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel(NAME, { log: true });
  const summaries = new SummaryDocuments();
  let startClient: () => void = () => {};
  const started = new Promise<void>((resolve) => (startClient = resolve));
  let starting: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const c = client;
    if (!c) return Promise.resolve();
    starting ??= c.start().then(
      () => startClient(),
      (err: unknown) => {
        output.error(`starting the Layer Lens language server failed: ${describe(err)}`);
        startClient();
      },
    );
    return starting;
  };
  context.subscriptions.push(
    output,
    summaries,
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
    vscode.commands.registerCommand(SHOW_SUMMARY_COMMAND, async (uri?: unknown, model?: unknown) => {
      await start();
      return showSummary(summaries, output, uri, model, panel);
    }),
    vscode.commands.registerCommand(SHOW_SUMMARY_TEXT_COMMAND, async (uri?: unknown, model?: unknown) => {
      await start();
      return showSummary(summaries, output, uri, model);
    }),
  );

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{ts,tsx,js,jsx,mjs,cjs,mts,cts,json}');
  context.subscriptions.push(watcher);
  const initializationOptions: InitializationOptions & { verbose: boolean } = {
    locale: vscode.env.language,
    settings: currentSettings(),
    verbose: context.extensionMode !== vscode.ExtensionMode.Production,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.map((language) => ({ scheme: 'file', language })),
    synchronize: { configurationSection: 'layerLens', fileEvents: watcher },
    initializationOptions,
    outputChannel: output,
    diagnosticCollectionName: 'layer-lens',
  };
  client = new LanguageClient('layerLens', NAME, serverOptions, clientOptions);
  const modelsChanged = registerModelViews(context, client, started, output, () => void start());
  // Train Current Model (the training panel; the worker runs in a child process).
  registerTraining(context, () => client, started, output, modelsChanged, start);
  // Training Health: every run's findings in the side bar, at the layers' lines, in Problems, with quick fixes.
  registerTrainingHealth(context, () => client, output);
  const panel = new SummaryPanel(
    context.extensionUri,
    { client: () => client, output, openText: (uri, selector) => showSummary(summaries, output, uri, selector) },
    modelsChanged,
  );
  context.subscriptions.push(panel);
  // The server starts once Layer Lens has something to do: a file that imports tfjs is open,
  // a workspace package.json depends on tfjs, the Models view is shown or a summary is asked
  // for. In a TypeScript project without tfjs no server process runs.
  if (vscode.workspace.textDocuments.some(importsTfjs)) void start();
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (importsTfjs(d)) void start();
    }),
  );
  void workspaceDependsOnTfjs().then((yes) => {
    if (yes) void start();
  });
}

/** True for a JS/TS document that imports or requires a @tensorflow/tfjs* package. */
function importsTfjs(doc: vscode.TextDocument): boolean {
  return LANGUAGES.includes(doc.languageId) && doc.uri.scheme === 'file' && /['"]@tensorflow\/tfjs/.test(doc.getText());
}

async function workspaceDependsOnTfjs(): Promise<boolean> {
  try {
    const manifests = await vscode.workspace.findFiles('**/package.json', '**/node_modules/**', 50);
    for (const uri of manifests) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      if (/"@tensorflow\/tfjs/.test(text)) return true;
    }
  } catch {
    // An unreadable manifest only delays the start until a tfjs file opens.
  }
  return false;
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop().catch(() => {});
}

/**
 * `layerLens.showSummary`: from the Command Palette (no arguments: every model of the
 * active file), from a model's Summary lens or the status bar (`[uri, ModelSelector]`: that
 * model). With `panel`: the summary webview; without (`layerLens.showSummaryText`, the
 * panel's "Open as text"): the read-only text tab.
 */
async function showSummary(
  summaries: SummaryDocuments,
  output: vscode.LogOutputChannel,
  uriArg: unknown,
  modelArg: unknown,
  panel?: SummaryPanel,
): Promise<void> {
  try {
    const uri =
      typeof uriArg === 'string'
        ? vscode.Uri.parse(uriArg)
        : uriArg instanceof vscode.Uri
          ? uriArg
          : vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file' || !/\.(m|c)?[jt]sx?$/i.test(uri.fsPath)) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Layer Lens: open a TypeScript or JavaScript file that builds a TensorFlow.js model.'),
      );
      return;
    }
    if (!client || client.state !== State.Running) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('Layer Lens: the language server is not running; see the "Layer Lens" output for details.'),
      );
      output.show(true);
      return;
    }
    if (panel) {
      await panel.show(uri, asSelector(modelArg));
      return;
    }
    const params: SummaryParams = { uri: client.code2ProtocolConverter.asUri(uri), model: asSelector(modelArg) };
    const result = await client.sendRequest<SummaryResult | null>(SUMMARY_REQUEST, params);
    if (!result) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('Layer Lens could not analyse this file; see the "Layer Lens" output for details.'),
      );
      output.show(true);
      return;
    }
    if (result.modelCount === 0) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Layer Lens found no TensorFlow.js model in {0}.', path.basename(uri.fsPath)),
      );
      return;
    }
    const summaryUri = summaries.put(uri, result.text);
    const doc = await vscode.workspace.openTextDocument(summaryUri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: true });
  } catch (err) {
    output.error(`showSummary failed: ${describe(err)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Layer Lens: {0}', describe(err, false)));
  }
}

/** The `layerLens` settings the server reads, as plain JSON (later changes arrive through `synchronize`). */
function currentSettings(): unknown {
  const cfg = vscode.workspace.getConfiguration('layerLens');
  return {
    batchSize: cfg.get<number>('batchSize'),
    inlayHints: {
      enabled: cfg.get<boolean>('inlayHints.enabled'),
      showBatchDim: cfg.get<boolean>('inlayHints.showBatchDim'),
      showParams: cfg.get<boolean>('inlayHints.showParams'),
    },
  };
}

function asSelector(v: unknown): ModelSelector | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { name, offset } = v as Record<string, unknown>;
  return typeof name === 'string' && typeof offset === 'number' ? { name, offset } : undefined;
}

/** Read-only documents holding the latest summary of each analysed file. */
class SummaryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  put(source: vscode.Uri, text: string): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: SUMMARY_SCHEME,
      path: `/${vscode.l10n.t('{0} — model summary', path.basename(source.fsPath))}`,
      query: source.toString(),
    });
    const key = uri.toString();
    const existed = this.texts.has(key);
    this.texts.set(key, text);
    if (existed) this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? `${vscode.l10n.t('Run "Layer Lens: Show Model Summary" again to refresh this summary.')}\n`;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function describe(err: unknown, withStack = true): string {
  if (err instanceof Error) return withStack && err.stack ? err.stack : err.message;
  return String(err);
}
