/**
 * The server side of the Models view, the status bar item and the summary panel: the
 * `layerLens/models`, `layerLens/fileModels` and `layerLens/modelAt` requests, and the
 * `layerLens/modelsChanged` notification sent (once per burst) when results change.
 * server.ts creates it and forwards the events it sees (analyses, file changes, settings).
 */
import * as path from 'node:path';
import { type CancellationToken, type Connection, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { type AnalysisEntry, type AnalysisService, fileOfUri, isAnalysable } from './analysis-service';
import { samePath } from './features/locate';
import { diagnosticView, modelAt, modelViews, modelView } from './features/models';
import { selectModel } from './features/summary';
import {
  FILE_MODELS_REQUEST,
  type FileModelsParams,
  type FileModelsResult,
  MODEL_AT_REQUEST,
  MODELS_CHANGED_NOTIFICATION,
  MODELS_REQUEST,
  type ModelAtParams,
  type ModelAtResult,
  type ModelsChangedParams,
  type ModelsParams,
  type ModelsResult,
} from '../protocol/lsp/models';
import { WorkspaceModels } from './workspace-models';

export interface ModelRequestsOptions {
  service: AnalysisService;
  /** The workspace folders the server was started with (absolute paths). */
  folders: () => string[];
  log: (message: string) => void;
  /** Delay before a modelsChanged notification, gathering a burst of changes. */
  notifyDelayMs?: number;
}

export interface ModelRequests {
  /** An open document was analysed. */
  analysed(entry: AnalysisEntry): void;
  /** Files changed on disk (`structural`: some were created or deleted). */
  filesChanged(files: string[], structural: boolean): void;
  /** A setting the engine reads changed (every result changes). */
  settingsChanged(): void;
  /** An open document was closed (files that read its editor text read the disk again). */
  documentClosed(uri: string): void;
  dispose(): void;
}

export function registerModelRequests(connection: Connection, opts: ModelRequestsOptions): ModelRequests {
  const { service, log } = opts;
  const workspace = new WorkspaceModels(service, { log });
  const pendingUris = new Set<string>();
  let pendingWorkspace = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const notifyLater = (uris: string[], wholeWorkspace: boolean): void => {
    for (const u of uris) pendingUris.add(u);
    pendingWorkspace ||= wholeWorkspace;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const params: ModelsChangedParams = { uris: [...pendingUris], workspace: pendingWorkspace };
      pendingUris.clear();
      pendingWorkspace = false;
      void connection.sendNotification(MODELS_CHANGED_NOTIFICATION, params).catch(() => {});
    }, opts.notifyDelayMs ?? 100);
  };

  const yieldThenCheck = async (token: CancellationToken): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
  };

  /** The analysis of `uri`: the open document's current one, else the file from disk. */
  const analysisOf = async (uri: string, token: CancellationToken) => {
    const file = fileOfUri(uri);
    if (!file) return undefined;
    const open = service.openDocuments().find((d) => d.uri === uri);
    if (open) {
      const entry = await service.current(uri, token);
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
      return entry
        ? { file, analysis: entry.analysis, text: entry.document.getText(), offsetAt: entry.document.offsetAt.bind(entry.document) }
        : undefined;
    }
    return { file, analysis: service.analyseFile(file), text: undefined, offsetAt: undefined };
  };

  const displayOf = (file: string): { path: string; folder?: string } => {
    for (const folder of opts.folders()) {
      const rel = path.relative(folder, file);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel))
        return { path: rel.split(path.sep).join('/'), folder: path.basename(folder) };
      if (samePath(folder, file)) return { path: path.basename(file) };
    }
    return { path: file };
  };

  connection.onRequest(MODELS_REQUEST, async (params: ModelsParams | undefined, token: CancellationToken): Promise<ModelsResult> => {
    await yieldThenCheck(token);
    const folders = Array.isArray(params?.folders)
      ? params.folders.map((u) => (typeof u === 'string' ? fileOfUri(u) : undefined)).filter((f): f is string => f !== undefined)
      : opts.folders();
    try {
      return await workspace.list(folders, token);
    } catch (err) {
      log(`models failed: ${err instanceof Error ? err.stack : String(err)}`);
      return { files: [], analysed: 0, truncated: false };
    }
  });

  connection.onRequest(
    FILE_MODELS_REQUEST,
    async (params: FileModelsParams, token: CancellationToken): Promise<FileModelsResult | null> => {
      await yieldThenCheck(token);
      if (typeof params?.uri !== 'string') return null;
      const found = await analysisOf(params.uri, token);
      if (!found) return null;
      try {
        const uriOf = (f: string): string => (samePath(f, found.file) ? params.uri : workspace.uriOf(f));
        const result: FileModelsResult = {
          uri: params.uri,
          ...displayOf(found.file),
          models: modelViews(found.analysis, uriOf),
          diagnostics: found.analysis.diagnostics.map((d) => diagnosticView(d, found.analysis, uriOf)),
        };
        const selected = params.model ? selectModel(found.analysis, params.model) : undefined;
        if (selected) result.selectedId = selected.id;
        return result;
      } catch (err) {
        log(`fileModels failed: ${err instanceof Error ? err.stack : String(err)}`);
        return null;
      }
    },
  );

  connection.onRequest(MODEL_AT_REQUEST, async (params: ModelAtParams, token: CancellationToken): Promise<ModelAtResult | null> => {
    await yieldThenCheck(token);
    if (typeof params?.uri !== 'string' || !service.openDocuments().some((d) => d.uri === params.uri)) return null;
    const doc = service.openDocuments().find((d) => d.uri === params.uri)!;
    const file = fileOfUri(params.uri);
    if (!file || !isAnalysable(file, doc.getText())) return null;
    const found = await analysisOf(params.uri, token);
    if (!found?.offsetAt || found.text === undefined) return null;
    try {
      const at = modelAt(found.analysis, found.text, found.offsetAt(params.position));
      if (!at) return null;
      const uriOf = (f: string): string => (samePath(f, found.file) ? params.uri : workspace.uriOf(f));
      return { model: modelView(at.model, found.analysis, uriOf), atCursor: at.atCursor };
    } catch (err) {
      log(`modelAt failed: ${err instanceof Error ? err.stack : String(err)}`);
      return null;
    }
  });

  return {
    analysed(entry) {
      workspace.invalidate([entry.file]);
      notifyLater([entry.uri], false);
    },
    filesChanged(files, structural) {
      if (structural) workspace.invalidateAll();
      else workspace.invalidate(files);
      notifyLater([], true);
    },
    settingsChanged() {
      workspace.invalidateAll();
      notifyLater([], true);
    },
    documentClosed(uri) {
      const file = fileOfUri(uri);
      if (file) workspace.invalidate([file]);
      notifyLater([uri], true);
    },
    dispose() {
      if (timer) clearTimeout(timer);
    },
  };
}
