/**
 * The Layer Lens language server (started by src/extension.ts as dist/server.js, over
 * Node IPC or stdio). One long-lived Analyzer serves every open document; results are
 * cached per document version. Features: Problems (publishDiagnostics) with quick fixes,
 * hover (config values explained too), inlay hints, CodeLens, and the `layerLens/summary`
 * request behind the summary command.
 * The feature logic lives in ./features as pure functions over engine results.
 */
import * as path from 'node:path';
import {
  type CancellationToken,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  CodeActionKind,
  FileChangeType,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type AnalysisEntry, type AnalysisReason, AnalysisService, fileOfUri } from './analysis-service';
import { type ExplainLocale, resolveLocale } from '../explain/index';
import { type Explainer, explainerFor } from './explain-hook';
import { codeLensesFor } from './features/code-lens';
import { installMemoryProbe } from './memory-probe';
import { EditGc } from './edit-gc';
import { codeActionsFor } from './features/quick-fixes';
import { trainingCodeActions } from './features/training-fixes';
import { TRAINING_HEALTH_NOTIFICATION, type TrainingHealthParams } from '../protocol/lsp/health';
import { diagnosticsFor } from './features/diagnostics';
import { hoverAt } from './features/hover';
import { inlayHintsFor } from './features/inlay-hints';
import { type UiL10n, serverL10n } from './features/l10n';
import { samePath } from './features/locate';
import { summaryFor } from './features/summary';
import { type ModelRequests, registerModelRequests } from './models-handlers';
import { registerTrainRequests } from './train-handlers';
import {
  DEFAULT_SETTINGS,
  type InitializationOptions,
  type LayerLensSettings,
  SUMMARY_REQUEST,
  type SummaryParams,
  type SummaryResult,
  parseSettings,
} from '../protocol/lsp/common';

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let settings: LayerLensSettings = DEFAULT_SETTINGS;
  let explain: Explainer | undefined;
  let locale: ExplainLocale = 'en';
  // The server's own texts (lenses, hover labels, fix titles, problems) in the client's locale.
  let ui: UiL10n = serverL10n(locale);
  let canVersionEdits = false;
  let workspaceFolders: string[] = [];
  let canRefreshInlayHints = false;
  let canRefreshCodeLens = false;
  let verbose = false;
  const published = new Map<string, string>();

  const log = (message: string): void => {
    if (verbose) connection.console.log(message);
  };

  const service = new AnalysisService(documents, {
    log,
    onAnalysed: (entry, reasons) => {
      publish(entry);
      models.analysed(entry);
      if (reasons.has('dependency') || reasons.has('files') || reasons.has('settings')) refreshLater();
    },
  });

  // The Models view, the status bar item and the summary panel (layerLens/models, …).
  const models: ModelRequests = registerModelRequests(connection, { service, folders: () => workspaceFolders, log });
  // Train Current Model: the analysed graph of the model to train (layerLens/trainTarget).
  registerTrainRequests(connection, { service, log });

  /** Problems for the document, sent only when they changed. */
  const publish = (entry: AnalysisEntry): void => {
    const diagnostics = diagnosticsFor(entry.analysis, entry.document, ui);
    const key = JSON.stringify(diagnostics);
    if (published.get(entry.uri) === key) return;
    published.set(entry.uri, key);
    void connection.sendDiagnostics({ uri: entry.uri, version: entry.version, diagnostics });
  };

  // Results of a document can change without an edit of it (a file it imports changed):
  // ask the client to re-request inlay hints and lenses, once per burst.
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshLater = (): void => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      if (canRefreshInlayHints) void connection.languages.inlayHint.refresh().catch(() => {});
      if (canRefreshCodeLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => {});
    }, 50);
  };

  installMemoryProbe(connection);

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as InitializationOptions & { verbose?: boolean };
    settings = parseSettings(init.settings);
    service.setBatchSize(settings.batchSize);
    verbose = init.verbose === true;
    explain = explainerFor(init.locale ?? params.locale ?? 'en');
    locale = resolveLocale(init.locale ?? params.locale ?? 'en');
    ui = serverL10n(locale);
    canVersionEdits = params.capabilities.workspace?.workspaceEdit?.documentChanges === true;
    workspaceFolders = (params.workspaceFolders ?? []).map((f) => fileOfUri(f.uri)).filter((f): f is string => f !== undefined);
    if (workspaceFolders.length === 0 && params.rootUri) {
      const root = fileOfUri(params.rootUri);
      if (root) workspaceFolders = [root];
    }
    canRefreshInlayHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    canRefreshCodeLens = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: false },
        inlayHintProvider: { resolveProvider: false },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'Layer Lens' },
    };
  });

  connection.onDidChangeConfiguration((change) => {
    const section = (change.settings as { layerLens?: unknown } | undefined)?.layerLens;
    if (section === undefined) return;
    const next = parseSettings(section);
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    if (next.batchSize !== settings.batchSize) models.settingsChanged();
    settings = next;
    service.setBatchSize(next.batchSize);
    refreshLater();
  });

  const editGc = new EditGc();
  documents.onDidChangeContent((e) => {
    editGc.edited();
    service.documentChanged(e.document.uri);
  });
  documents.onDidClose((e) => {
    service.documentClosed(e.document.uri);
    models.documentClosed(e.document.uri);
    published.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onDidChangeWatchedFiles((params) => {
    const kinds = {
      [FileChangeType.Created]: 'created',
      [FileChangeType.Changed]: 'changed',
      [FileChangeType.Deleted]: 'deleted',
    } as const;
    const changes = params.changes
      .map((c) => ({ file: fileOfUri(c.uri), kind: kinds[c.type] }))
      .filter((c): c is { file: string; kind: 'created' | 'changed' | 'deleted' } => c.file !== undefined && c.kind !== undefined);
    if (changes.length > 0) service.filesChanged(changes);
    if (changes.length > 0)
      models.filesChanged(
        changes.map((c) => c.file),
        changes.some((c) => c.kind !== 'changed'),
      );
  });

  /** The analysis for a request, or a cancellation error once the client gave up on it. */
  const entryFor = async (uri: string, token: CancellationToken): Promise<AnalysisEntry | undefined> => {
    // Let a queued $/cancelRequest arrive before doing any work.
    await new Promise((r) => setImmediate(r));
    if (token.isCancellationRequested) throw cancelled();
    const entry = await service.current(uri, token);
    if (token.isCancellationRequested) throw cancelled();
    return entry;
  };

  connection.onHover(async (params, token) => {
    const entry = await entryFor(params.textDocument.uri, token);
    if (!entry) return null;
    return guard(
      'hover',
      () => hoverAt(entry.analysis, entry.document, entry.document.offsetAt(params.position), { explainLayer: explain, locale, l10n: ui }),
      null,
    );
  });

  connection.languages.inlayHint.on(async (params, token) => {
    if (!settings.inlayHints.enabled) return [];
    const entry = await entryFor(params.textDocument.uri, token);
    if (!entry) return [];
    return guard('inlay hints', () => inlayHintsFor(entry.analysis, entry.document, params.range, settings.inlayHints, ui), []);
  });

  // Training-health findings of the latest run per file (from the extension host), for their quick fixes.
  const trainingHealth = new Map<string, TrainingHealthParams>();
  connection.onNotification(TRAINING_HEALTH_NOTIFICATION, (params: TrainingHealthParams) => {
    if (typeof params?.uri !== 'string' || !Array.isArray(params.findings)) return;
    if (params.findings.length === 0) trainingHealth.delete(params.uri);
    else trainingHealth.set(params.uri, params);
  });

  connection.onCodeAction(async (params, token) => {
    const entry = await entryFor(params.textDocument.uri, token);
    if (!entry) return [];
    const version = canVersionEdits ? entry.version : undefined;
    const health = trainingHealth.get(params.textDocument.uri);
    return guard(
      'code actions',
      () => [
        ...codeActionsFor(entry.analysis, entry.document, params.range, params.context, version, ui),
        ...(health
          ? trainingCodeActions(
              entry.analysis,
              entry.document,
              health.model,
              health.findings,
              params.range,
              params.context,
              version,
              locale,
            )
          : []),
      ],
      [],
    );
  });

  connection.onCodeLens(async (params, token) => {
    const entry = await entryFor(params.textDocument.uri, token);
    if (!entry) return [];
    return guard('code lens', () => codeLensesFor(entry.analysis, entry.document, ui), []);
  });

  connection.onRequest(SUMMARY_REQUEST, async (params: SummaryParams, token: CancellationToken): Promise<SummaryResult | null> => {
    const file = fileOfUri(params.uri);
    if (!file) return null;
    const analysis = documents.get(params.uri) ? (await entryFor(params.uri, token))?.analysis : service.analyseFile(file);
    if (!analysis) return null;
    return guard('summary', () => summaryFor(analysis, displayPath(file), params.model), null);
  });

  function displayPath(file: string): string {
    for (const folder of workspaceFolders) {
      const rel = path.relative(folder, file);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
      if (samePath(folder, file)) return path.basename(file);
    }
    return file;
  }

  function guard<T>(what: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      connection.console.error(`${what} failed: ${err instanceof Error ? err.stack : String(err)}`);
      return fallback;
    }
  }

  connection.onShutdown(() => {
    service.dispose();
    models.dispose();
    if (refreshTimer) clearTimeout(refreshTimer);
  });

  documents.listen(connection);
  connection.listen();
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

export type { AnalysisReason };

// Started as a program (dist/server.js): the transport comes from the command line
// (--node-ipc, --stdio, --socket=…), as vscode-languageclient passes it.
if (require.main === module) {
  startServer(createConnection(ProposedFeatures.all));
}
