/**
 * "Layer Lens: Show Model Summary" as a webview panel: the summary table and the
 * architecture graph of a file's models (the page itself is src/webview/summary, bundled to
 * dist/webview/summary.js). The data comes from the server (`layerLens/fileModels`); the panel
 * follows later analyses of the file. Every message from the page is validated
 * (src/protocol/pages/summary.ts) and names a model / layer / problem by id, which is looked
 * up in the data sent, so the page can only ask to reveal places the server reported.
 *
 * Content Security Policy: no network, scripts only with the page's nonce, styles and fonts
 * only from dist/webview (localResourceRoots) or with the nonce; the graph layout engine
 * (dist/webview/elk-worker.js) is fetched from there and run as a worker from a blob: URL.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { resolveLocale } from '../explain/l10n';
import {
  FILE_MODELS_REQUEST,
  type FileModelsParams,
  type FileModelsResult,
  type LocationView,
  type ModelView,
} from '../protocol/lsp/models';
import { type ModelSelector, SUMMARY_REQUEST, type SummaryParams, type SummaryResult } from '../protocol/lsp/common';
import { type FromWebview, type ToWebview, parseFromWebview } from '../protocol/pages/summary';
import type { ModelsChanged } from './models-view';
import { revealLocation } from './reveal';
import { webviewPageHtml } from './webview-page';

export const SUMMARY_PANEL_VIEW_TYPE = 'layerLens.summary';

export interface SummaryPanelHost {
  client: () => LanguageClient | undefined;
  output: vscode.LogOutputChannel;
  /** Opens the text summary (the read-only tab) of one model. */
  openText: (uri: vscode.Uri, selector: ModelSelector) => Promise<void>;
}

/** One panel, reused: showing another file's summary replaces its content. */
export class SummaryPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private source: vscode.Uri | undefined;
  private data: FileModelsResult | undefined;
  private selectedId: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: SummaryPanelHost,
    modelsChanged?: ModelsChanged,
  ) {
    if (modelsChanged) {
      this.subscriptions.push(
        modelsChanged((p) => {
          const client = host.client();
          if (!this.panel || !this.source || !client) return;
          if (p.workspace || p.uris.includes(client.code2ProtocolConverter.asUri(this.source))) this.reloadLater();
        }),
      );
    }
  }

  /**
   * Shows the models of `uri` (`selector`: that model first). Returns false, with a message
   * to the user, when the file has no model.
   */
  async show(uri: vscode.Uri, selector?: ModelSelector): Promise<boolean> {
    const data = await this.fetch(uri, selector);
    if (!data) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('Layer Lens could not analyse this file; see the "Layer Lens" output for details.'),
      );
      return false;
    }
    if (data.models.length === 0) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Layer Lens found no TensorFlow.js model in {0}.', path.basename(uri.fsPath)),
      );
      return false;
    }
    this.source = uri;
    this.data = data;
    this.selectedId = data.selectedId;
    const title = vscode.l10n.t('Summary: {0}', path.basename(uri.fsPath));
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, false);
      this.post({ type: 'show', data, selectedId: this.selectedId });
    } else {
      this.panel = this.create(title);
    }
    return true;
  }

  private create(title: string): vscode.WebviewPanel {
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(
      SUMMARY_PANEL_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      {
        enableScripts: true,
        enableCommandUris: false,
        enableFindWidget: true,
        localResourceRoots: [root],
      },
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'layer-lens.svg');
    panel.webview.html = summaryHtml(panel.webview, root);
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw), undefined, this.subscriptions);
    panel.onDidDispose(
      () => {
        this.panel = undefined;
        this.source = undefined;
        this.data = undefined;
      },
      undefined,
      this.subscriptions,
    );
    return panel;
  }

  /** Every message names the page's language (the display language). */
  private post(message: ToWebview): void {
    void this.panel?.webview.postMessage({ ...message, locale: resolveLocale(vscode.env.language) });
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parseFromWebview(raw);
    if (!parsed.ok) {
      this.host.output.warn(`summary panel: ignored an invalid message (${parsed.error})`);
      return;
    }
    const msg: FromWebview = parsed.value;
    try {
      switch (msg.type) {
        case 'ready':
          if (this.data) this.post({ type: 'show', data: this.data, selectedId: this.selectedId });
          return;
        case 'reveal': {
          const model = this.model(msg.modelId);
          if (!model) return;
          const location = placeOf(model, msg.layerId, msg.diagnostic);
          if (location) await revealLocation(location, vscode.ViewColumn.One);
          return;
        }
        case 'copyText': {
          const text = await this.text(msg.modelId);
          if (text === undefined) return;
          await vscode.env.clipboard.writeText(text);
          void vscode.window.showInformationMessage(vscode.l10n.t('Layer Lens: model summary copied to the clipboard.'));
          return;
        }
        case 'openText': {
          const model = this.model(msg.modelId);
          if (model && this.source) await this.host.openText(this.source, model.selector);
          return;
        }
      }
    } catch (err) {
      this.host.output.error(`summary panel: ${msg.type} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  private model(id: string): ModelView | undefined {
    return this.data?.models.find((m) => m.id === id);
  }

  /** The server's `model.summary()`-style text of one model. */
  private async text(modelId: string): Promise<string | undefined> {
    const client = this.host.client();
    const model = this.model(modelId);
    if (!client || !model || !this.source || client.state !== State.Running) return undefined;
    const params: SummaryParams = { uri: client.code2ProtocolConverter.asUri(this.source), model: model.selector };
    const result = await client.sendRequest<SummaryResult | null>(SUMMARY_REQUEST, params);
    return result?.text;
  }

  private async fetch(uri: vscode.Uri, selector?: ModelSelector): Promise<FileModelsResult | null> {
    const client = this.host.client();
    if (!client || client.state !== State.Running) return null;
    const params: FileModelsParams = { uri: client.code2ProtocolConverter.asUri(uri), model: selector };
    return client.sendRequest<FileModelsResult | null>(FILE_MODELS_REQUEST, params);
  }

  private reloadLater(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      this.timer = undefined;
      const source = this.source;
      if (!source || !this.panel) return;
      try {
        const data = await this.fetch(source);
        if (!data || source !== this.source) return;
        this.data = data;
        if (data.models.length === 0)
          this.post({
            type: 'empty',
            message: vscode.l10n.t('No TensorFlow.js model found in {0} any more.', path.basename(source.fsPath)),
          });
        // No selectedId: the page keeps the model it shows.
        else this.post({ type: 'show', data });
      } catch (err) {
        this.host.output.debug(`summary panel refresh: ${err instanceof Error ? err.message : String(err)}`);
      }
    }, 250);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}

/** Where a reveal message points: a layer, a problem, or the model's creation call. */
export function placeOf(model: ModelView, layerId?: string, diagnostic?: number): LocationView | undefined {
  if (layerId !== undefined) {
    const layer = model.layers.find((l) => l.id === layerId);
    if (layer) return layer.location ?? model.location;
    if (model.inputs.some((i) => i.id === layerId)) return model.location;
    return undefined;
  }
  if (diagnostic !== undefined) return model.diagnostics[diagnostic]?.location ?? model.location;
  return model.location;
}

/** The page; the graph layout engine is fetched from dist/webview and run as a worker from a blob: URL. */
export function summaryHtml(webview: vscode.Webview, root: vscode.Uri): string {
  const elkWorker = webview.asWebviewUri(vscode.Uri.joinPath(root, 'elk-worker.js'));
  return webviewPageHtml(webview, root, {
    name: 'summary',
    title: 'Model summary',
    placeholder: 'Loading the model summary…',
    main: 'busy',
    extraCsp: [`connect-src ${webview.cspSource}`, 'worker-src blob:'],
    extraHead: [`<meta name="layer-lens-elk-worker" content="${elkWorker}">`],
  });
}
