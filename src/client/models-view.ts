/**
 * The client side of the Models view (Layer Lens activity-bar container) and of the status
 * bar item. Everything shown comes from the language server (`layerLens/models`,
 * `layerLens/modelAt`); this file renders it (through the pure src/client/model-tree.ts)
 * and refreshes it when the server says results changed, when files appear or vanish, and
 * when workspace folders change.
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import {
  MODEL_AT_REQUEST,
  MODELS_CHANGED_NOTIFICATION,
  MODELS_REQUEST,
  type ModelAtParams,
  type ModelAtResult,
  type ModelsChangedParams,
  type ModelsParams,
  type ModelsResult,
} from '../protocol/lsp/models';
import { type ModelSelector, SHOW_SUMMARY_COMMAND } from '../protocol/lsp/common';
import { type ModelTreeNode, buildModelTree, statusBarContent } from './model-tree';
import { asLocation, revealLocation } from './reveal';

export const MODELS_VIEW_ID = 'layerLens.models';
export const REFRESH_MODELS_COMMAND = 'layerLens.refreshModels';
export const REVEAL_COMMAND = 'layerLens.revealLocation';
export const TREE_SUMMARY_COMMAND = 'layerLens.showModelSummaryFromTree';
const LANGUAGES = new Set(['typescript', 'typescriptreact', 'javascript', 'javascriptreact']);

/** Fired with the server's `layerLens/modelsChanged` notifications. */
export type ModelsChanged = vscode.Event<ModelsChangedParams>;

/**
 * Registers the Models view, its commands and the status bar item. `started` resolves once
 * the client runs; the returned event re-broadcasts the server's change notifications
 * (the summary panel listens to it too).
 */
export function registerModelViews(
  context: vscode.ExtensionContext,
  client: LanguageClient,
  started: Promise<unknown>,
  output: vscode.LogOutputChannel,
  /** Called when the view is shown: the server may not be running yet. */
  onShown: () => void = () => {},
): ModelsChanged {
  const changed = new vscode.EventEmitter<ModelsChangedParams>();
  context.subscriptions.push(changed);
  void started.then(
    () => context.subscriptions.push(client.onNotification(MODELS_CHANGED_NOTIFICATION, (p: ModelsChangedParams) => changed.fire(p))),
    () => {},
  );

  const provider = new ModelsTreeProvider(client, started, output);
  const view = vscode.window.createTreeView(MODELS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  if (view.visible) onShown();
  context.subscriptions.push(
    view.onDidChangeVisibility((e) => {
      if (e.visible) onShown();
    }),
  );
  provider.view = view;
  const status = new ModelStatusBar(client, started, output);

  // Source files created or deleted (a new model file, a deleted one); changes arrive through the server.
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{ts,tsx,js,jsx,mjs,cjs,mts,cts}', false, true, false);
  context.subscriptions.push(
    provider,
    view,
    status,
    watcher,
    watcher.onDidCreate((u) => !isIgnored(u) && provider.refresh()),
    watcher.onDidDelete((u) => !isIgnored(u) && provider.refresh()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => provider.refresh()),
    changed.event((p) => {
      provider.refresh();
      status.changed(p);
    }),
    vscode.commands.registerCommand(REFRESH_MODELS_COMMAND, () => provider.refresh(0)),
    vscode.commands.registerCommand(REVEAL_COMMAND, async (loc: unknown) => {
      const location = asLocation(loc);
      if (location) await revealLocation(location).catch((err) => output.error(`reveal failed: ${String(err)}`));
    }),
    vscode.commands.registerCommand(TREE_SUMMARY_COMMAND, (node: unknown) => {
      const model = (node as ModelTreeNode | undefined)?.model;
      if (model) return vscode.commands.executeCommand(SHOW_SUMMARY_COMMAND, model.uri, model.selector);
      return vscode.commands.executeCommand(SHOW_SUMMARY_COMMAND);
    }),
  );
  return changed.event;
}

function isIgnored(uri: vscode.Uri): boolean {
  return /[\\/]node_modules[\\/]/.test(uri.fsPath);
}

class ModelsTreeProvider implements vscode.TreeDataProvider<ModelTreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ModelTreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  view: vscode.TreeView<ModelTreeNode> | undefined;
  private roots: Promise<ModelTreeNode[]> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cancel: vscode.CancellationTokenSource | undefined;
  private loadedOnce = false;

  constructor(
    private readonly client: LanguageClient,
    private readonly started: Promise<unknown>,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** Reloads the tree after `delayMs` (changes come in bursts). */
  refresh(delayMs = 300): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.cancel?.cancel();
      this.roots = undefined;
      this.emitter.fire(undefined);
    }, delayMs);
  }

  getTreeItem(node: ModelTreeNode): vscode.TreeItem {
    const collapsible = {
      none: vscode.TreeItemCollapsibleState.None,
      collapsed: vscode.TreeItemCollapsibleState.Collapsed,
      expanded: vscode.TreeItemCollapsibleState.Expanded,
    }[node.collapsible];
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    item.contextValue = node.contextValue;
    if (node.tooltip) {
      const md = new vscode.MarkdownString(node.tooltip, true);
      md.isTrusted = false;
      item.tooltip = md;
    }
    if (node.resourceUri) {
      item.resourceUri = vscode.Uri.parse(node.resourceUri);
      item.iconPath = vscode.ThemeIcon.File;
    } else if (node.icon) {
      item.iconPath = new vscode.ThemeIcon(node.icon, node.iconColor ? new vscode.ThemeColor(node.iconColor) : undefined);
    }
    if (node.reveal) item.command = { command: REVEAL_COMMAND, title: vscode.l10n.t('Reveal in Editor'), arguments: [node.reveal] };
    return item;
  }

  getChildren(node?: ModelTreeNode): vscode.ProviderResult<ModelTreeNode[]> {
    if (node) return node.children;
    this.roots ??= this.load();
    return this.roots;
  }

  private async load(): Promise<ModelTreeNode[]> {
    const cts = new vscode.CancellationTokenSource();
    this.cancel = cts;
    if (this.view && !this.loadedOnce) this.view.message = vscode.l10n.t('Looking for TensorFlow.js models…');
    try {
      await this.started;
      if (this.client.state !== State.Running) {
        if (this.view) this.view.message = vscode.l10n.t('The Layer Lens language server is not running; see the "Layer Lens" output.');
        return [];
      }
      const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
      const params: ModelsParams = { folders: folders.map((f) => this.client.code2ProtocolConverter.asUri(f.uri)) };
      const result = await this.client.sendRequest<ModelsResult>(MODELS_REQUEST, params, cts.token);
      this.loadedOnce = true;
      if (this.view) {
        this.view.message = undefined;
        const count = result.files.reduce((n, f) => n + f.models.length, 0);
        this.view.description = count > 0 ? `${count}` : undefined;
      }
      const names = new Map(folders.map((f) => [this.client.code2ProtocolConverter.asUri(f.uri), f.name]));
      // The folder's display name as the workspace names it (the server only knows its path).
      for (const f of result.files) {
        const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(f.uri));
        if (folder) f.folder = names.get(this.client.code2ProtocolConverter.asUri(folder.uri)) ?? folder.name;
      }
      return buildModelTree(result, { groupByFolder: folders.length > 1 }, vscode.l10n);
    } catch (err) {
      if (cts.token.isCancellationRequested) return [];
      this.output.error(`loading the Models view failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (this.view) this.view.message = vscode.l10n.t('Could not list the models; see the "Layer Lens" output.');
      return [];
    } finally {
      cts.dispose();
      if (this.cancel === cts) this.cancel = undefined;
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.cancel?.cancel();
    this.emitter.dispose();
  }
}

/** `$(symbol-class) model · 61,706 params` for the model at the cursor; hidden in files without models. */
class ModelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('layerLens.model', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cancel: vscode.CancellationTokenSource | undefined;
  private generation = 0;

  constructor(
    private readonly client: LanguageClient,
    private readonly started: Promise<unknown>,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.item.name = vscode.l10n.t('Layer Lens Model');
    this.subscriptions.push(
      // No active editor (focus in a webview, a panel): keep showing the last model.
      vscode.window.onDidChangeActiveTextEditor((e) => e && this.update(0)),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && this.update()),
    );
    void started.then(
      () => this.update(0),
      () => {},
    );
  }

  /** The server's results changed: update when they concern the active document. */
  changed(p: ModelsChangedParams): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc) return;
    const uri = this.client.code2ProtocolConverter.asUri(doc.uri);
    if (p.workspace || p.uris.includes(uri)) this.update();
  }

  private update(delayMs = 200): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.query(), delayMs);
  }

  private async query(): Promise<void> {
    const generation = ++this.generation;
    this.cancel?.cancel();
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const doc = editor.document;
    if (doc.uri.scheme !== 'file' || !LANGUAGES.has(doc.languageId)) {
      this.item.hide();
      return;
    }
    const cts = new vscode.CancellationTokenSource();
    this.cancel = cts;
    try {
      await this.started;
      if (this.client.state !== State.Running) return this.item.hide();
      const params: ModelAtParams = {
        uri: this.client.code2ProtocolConverter.asUri(doc.uri),
        position: { line: editor.selection.active.line, character: editor.selection.active.character },
      };
      const at = await this.client.sendRequest<ModelAtResult | null>(MODEL_AT_REQUEST, params, cts.token);
      if (generation !== this.generation) return;
      if (!at) return this.item.hide();
      const { text, tooltip } = statusBarContent(at, vscode.l10n);
      this.item.text = text;
      this.item.tooltip = tooltip;
      const selector: ModelSelector = at.model.selector;
      this.item.command = { command: SHOW_SUMMARY_COMMAND, title: vscode.l10n.t('Show Model Summary'), arguments: [params.uri, selector] };
      this.item.show();
    } catch (err) {
      if (!cts.token.isCancellationRequested) this.output.debug(`status bar: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      cts.dispose();
      if (this.cancel === cts) this.cancel = undefined;
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.cancel?.cancel();
    this.item.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
