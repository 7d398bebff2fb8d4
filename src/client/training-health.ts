/**
 * Training health in the editor: every training run of this extension host (the panel's, the
 * Train command's; src/training/host.ts reports them to `trainingHealth`) shows its findings
 *
 * * in the **Training Health** view of the Layer Lens side bar (a webview view, the page is
 *   src/webview/health): ranked by severity, each with its layer(s), the evidence, why it
 *   happens and the fixes ranked by likely effect, with "Apply" for the fixes that are edits;
 * * at the layer's line: a gutter mark and an inline note (`∇ vanishing · 2e-6`);
 * * in Problems, source "Layer Lens training", one entry per finding;
 * * as quick fixes on those entries: the findings go to the language server
 *   (`layerLens/trainingHealth`), which writes the edits (src/server/features/training-fixes.ts).
 *
 * Only the latest run of each file is shown; its findings stay until the next run of that file.
 * When a file of the model is edited after the run started (by hand or by a quick fix), the
 * findings are shown as being from before the edit until the code is changed back or the model
 * is trained again (training-health-model.ts says how). Texts are in the display language
 * (`vscode.env.language`: English or Simplified Chinese).
 * Every message from the page is validated (src/protocol/pages/health.ts) and names
 * findings and fixes by id, looked up in what was sent.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { resolveLocale, type ExplainLocale } from '../explain/l10n';
import { findingPlaces } from '../health/editor';
import { fixTitle, type Finding, type FindingSeverity } from '../health/findings';
import { uiText } from '../health/messages';
import {
  TRAINING_DIAGNOSTIC_SOURCE,
  TRAINING_FIX_APPLIED_COMMAND,
  TRAINING_FIX_KIND,
  TRAINING_HEALTH_NOTIFICATION,
  type TrainingHealthParams,
} from '../protocol/lsp/health';
import { TRAIN_MODEL_COMMAND } from '../protocol/lsp/train';
import { parseFromHealthView, type FromHealthView, type ToHealthView } from '../protocol/pages/health';
import { trainingHealth, type HealthRunInfo, type HealthSeries } from '../training/health-host';
import { revealLocation } from './reveal';
import { webviewPageHtml } from './webview-page';
import {
  freshRun,
  healthDecorations,
  healthDiagnostics,
  healthViewState,
  isStale,
  noteEdit,
  noteFixApplied,
  shownFindings,
  type HealthRange,
  type HealthRunInput,
  type LineEdit,
  type RunFreshness,
} from './training-health-model';

export const TRAINING_HEALTH_VIEW = 'layerLens.trainingHealth';

interface RunState {
  run: HealthRunInfo;
  findings: Finding[];
  status: HealthRunInput['status'];
  step: number;
  series?: HealthSeries;
  /** What has changed in the model's files since the run started. */
  freshness: RunFreshness;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const STATUSES = new Set<string>(['running', 'completed', 'stopped', 'failed', 'killed', 'crashed']);

export class TrainingHealth implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('layer-lens-training');
  private readonly decorations: Record<FindingSeverity, vscode.TextEditorDecorationType>;
  /** Notes of findings from before an edit: dimmed, no gutter mark. */
  private readonly staleDecoration: vscode.TextEditorDecorationType;
  /** The latest run of each file (by fsPath), and the latest run overall. */
  private readonly byFile = new Map<string, RunState>();
  private latest: RunState | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly dirty = new Set<string>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: () => LanguageClient | undefined,
    private readonly output: vscode.LogOutputChannel,
  ) {
    const type = (severity: FindingSeverity, color: string, ruler: string) =>
      vscode.window.createTextEditorDecorationType({
        gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', `health-${severity}.svg`),
        gutterIconSize: 'contain',
        overviewRulerColor: new vscode.ThemeColor(ruler),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        after: { margin: '0 1em 0 2em', color: new vscode.ThemeColor(color), fontStyle: 'italic' },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
    this.decorations = {
      error: type('error', 'editorError.foreground', 'editorOverviewRuler.errorForeground'),
      warning: type('warning', 'editorWarning.foreground', 'editorOverviewRuler.warningForeground'),
      info: type('info', 'editorInfo.foreground', 'editorOverviewRuler.infoForeground'),
    };
    this.staleDecoration = vscode.window.createTextEditorDecorationType({
      after: { margin: '0 1em 0 2em', color: new vscode.ThemeColor('disabledForeground'), fontStyle: 'italic' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    const unsubscribe = trainingHealth.subscribe({
      start: (run) => this.update(run, { findings: [], status: 'running', step: 0 }),
      findings: (run, findings, step, series) => this.update(run, { findings, step, ...(series ? { series } : {}) }),
      end: (run, status, findings, series) =>
        this.update(run, {
          findings,
          status: STATUSES.has(status) ? (status as RunState['status']) : 'completed',
          ...(series ? { series } : {}),
        }),
    });
    this.subscriptions.push(
      { dispose: unsubscribe },
      this.diagnostics,
      ...Object.values(this.decorations),
      this.staleDecoration,
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorateVisible()),
      vscode.workspace.onDidChangeTextDocument((e) => this.edited(e)),
      vscode.commands.registerCommand(TRAINING_FIX_APPLIED_COMMAND, (uri?: unknown, findingId?: unknown, fixId?: unknown) =>
        this.fixApplied(uri, findingId, fixId),
      ),
    );
  }

  private locale(): ExplainLocale {
    return resolveLocale(vscode.env.language);
  }

  /* ---------- what changed since the run ---------- */

  /**
   * The hashes of the model's files when the run starts: the run's codeHash for the trained
   * file when it has one (the text the server analysed for it), else the text now. A file that
   * already differs from the codeHash (edited between the analysis and Start) is edited, in ways
   * not followed.
   */
  private freshnessAtStart(run: HealthRunInfo): RunFreshness {
    const files = new Set([run.file, run.model.range.file, ...run.model.layers.flatMap((l) => (l.range ? [l.range.file] : []))]);
    const hashes: Record<string, string> = {};
    const now: Record<string, string> = {};
    for (const file of files) {
      const text = this.textOf(file);
      if (text !== undefined) now[file] = sha256(text);
      const trained = file === run.file ? (run.codeHash ?? now[file]) : now[file];
      if (trained !== undefined) hashes[file] = trained;
    }
    let fr = freshRun(hashes);
    for (const file of Object.keys(hashes))
      if (now[file] !== undefined && now[file] !== hashes[file]) fr = noteEdit(fr, file, null, now[file]);
    return fr;
  }

  private textOf(file: string): string | undefined {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    if (open) return open.getText();
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  private edited(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0 || e.document.uri.scheme !== 'file') return;
    const file = e.document.uri.fsPath;
    const runs = [...this.byFile.values()].filter((s) => Object.prototype.hasOwnProperty.call(s.freshness.hashes, file));
    if (runs.length === 0) return;
    const edits: LineEdit[] = e.contentChanges.map((c) => ({
      startLine: c.range.start.line,
      startCharacter: c.range.start.character,
      endLine: c.range.end.line,
      endCharacter: c.range.end.character,
      newLines: c.text.split('\n').length - 1,
    }));
    const hash = sha256(e.document.getText());
    for (const s of runs) {
      const before = isStale(s.freshness);
      s.freshness = noteEdit(s.freshness, file, edits, hash);
      this.dirty.add(s.run.file);
      // Became stale or fresh: the server's quick fixes follow (fixes already applied are left out).
      if (before !== isStale(s.freshness)) this.serverDirty.add(s.run.file);
    }
    this.schedule();
  }

  /** A quick fix of a finding was applied (the code action's command; Apply in the view). */
  private fixApplied(uriArg: unknown, findingId: unknown, fixId: unknown): void {
    if (typeof findingId !== 'string' || typeof fixId !== 'string') return;
    const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg instanceof vscode.Uri ? uriArg : undefined;
    const states = uri ? [this.byFile.get(uri.fsPath)].flatMap((s) => s ?? []) : [...this.byFile.values()];
    for (const s of states) {
      if (!s.findings.some((f) => f.id === findingId)) continue;
      s.freshness = noteFixApplied(s.freshness, findingId, fixId);
      this.dirty.add(s.run.file);
      this.serverDirty.add(s.run.file);
    }
    this.schedule();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
  }

  /** The latest run's findings (for tests and commands). */
  current(): { file: string; findings: Finding[] } | undefined {
    return this.latest ? { file: this.latest.run.file, findings: this.latest.findings } : undefined;
  }

  private update(run: HealthRunInfo, change: Partial<Omit<RunState, 'run'>>): void {
    const prev = this.byFile.get(run.file);
    const base: RunState =
      prev && prev.run.runDir === run.runDir
        ? prev
        : { run, findings: [], status: 'running', step: 0, freshness: this.freshnessAtStart(run) };
    const next: RunState = { ...base, ...change, run, step: Math.max(base.step, change.step ?? 0) };
    this.byFile.set(run.file, next);
    this.latest = next;
    this.dirty.add(run.file);
    this.serverDirty.add(run.file);
    this.schedule();
  }

  /** Findings of a fast run arrive in bursts, edits with every keystroke: refresh the editor and the view at most every 150 ms. */
  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 150);
  }

  private readonly serverDirty = new Set<string>();

  private flush(): void {
    if (this.dirty.size > 0) this.publishDiagnostics();
    for (const file of this.dirty) {
      const state = this.byFile.get(file);
      if (state && this.serverDirty.has(file)) this.notifyServer(state);
    }
    this.dirty.clear();
    this.serverDirty.clear();
    this.decorateVisible();
    this.postState();
  }

  /* ---------- Problems ---------- */

  /** Files that have training diagnostics now (to clear those that no longer do). */
  private published = new Set<string>();

  /** Problems: the latest run of every file, grouped by the file each entry is in (a helper module can hold layers of several models). */
  private publishDiagnostics(): void {
    const lines = new Map<string, string[]>();
    const lineLength = (file: string, line: number): number | undefined => {
      let text = lines.get(file);
      if (!text) {
        text = (this.textOf(file) ?? '').split(/\r?\n/);
        lines.set(file, text);
      }
      return text[line]?.length;
    };
    const locale = this.locale();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const state of this.byFile.values()) {
      for (const d of healthDiagnostics(state.findings, state.run.model, lineLength, locale, state.freshness)) {
        const diag = new vscode.Diagnostic(toRange(d.range), d.message, severityOf(d.severity));
        diag.source = TRAINING_DIAGNOSTIC_SOURCE;
        diag.code = d.code;
        if (d.related.length > 0)
          diag.relatedInformation = d.related.map(
            (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.range.file), toRange(r.range)), r.message),
          );
        const list = byFile.get(d.range.file) ?? [];
        list.push(diag);
        byFile.set(d.range.file, list);
      }
    }
    for (const file of this.published) if (!byFile.has(file)) this.diagnostics.delete(vscode.Uri.file(file));
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
    this.published = new Set(byFile.keys());
  }

  /** The language server offers the quick fixes of these findings (src/server/features/training-fixes.ts). */
  private notifyServer(state: RunState): void {
    const c = this.client();
    if (!c || c.state !== State.Running) return;
    // Fixes already applied since the run are not offered again.
    const params: TrainingHealthParams = {
      uri: c.code2ProtocolConverter.asUri(vscode.Uri.file(state.run.file)),
      model: state.run.model.name,
      findings: shownFindings(state.findings, state.freshness),
    };
    c.sendNotification(TRAINING_HEALTH_NOTIFICATION, params).catch((e: unknown) =>
      this.output.warn(`training health: could not send the findings to the server: ${String(e)}`),
    );
  }

  /* ---------- gutter marks and inline notes ---------- */

  private decorateVisible(): void {
    const locale = this.locale();
    for (const editor of vscode.window.visibleTextEditors) {
      const file = editor.document.uri.fsPath;
      // The run of this file, and runs whose model has layers written in it (a helper module).
      const states = [...this.byFile.values()].filter(
        (s) => s.run.file === file || Object.prototype.hasOwnProperty.call(s.freshness.hashes, file),
      );
      const bySeverity: Record<FindingSeverity, vscode.DecorationOptions[]> = { error: [], warning: [], info: [] };
      const stale: vscode.DecorationOptions[] = [];
      for (const state of states) {
        for (const d of healthDecorations(state.findings, state.run.model, locale, state.freshness)) {
          if (d.file !== file || d.line >= editor.document.lineCount) continue;
          const line = editor.document.lineAt(d.line);
          const hover = new vscode.MarkdownString(
            d.hover.map((h) => vscode.l10n.t('**Layer Lens training** — {0}', escapeMarkdown(h))).join('\n\n'),
          );
          (d.stale ? stale : bySeverity[d.severity]).push({
            range: line.range,
            hoverMessage: hover,
            renderOptions: { after: { contentText: d.note } },
          });
        }
      }
      for (const sev of ['error', 'warning', 'info'] as const) editor.setDecorations(this.decorations[sev], bySeverity[sev]);
      editor.setDecorations(this.staleDecoration, stale);
    }
  }

  /* ---------- the view ---------- */

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [root] };
    view.webview.html = healthHtml(view.webview, root);
    view.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw), undefined, this.subscriptions);
    view.onDidDispose(() => (this.view = undefined), undefined, this.subscriptions);
    view.onDidChangeVisibility(() => view.visible && this.postState(), undefined, this.subscriptions);
  }

  private state(): ToHealthView {
    const s = this.latest;
    const locale = this.locale();
    const run: HealthRunInput | undefined = s && {
      file: s.run.file,
      model: s.run.model,
      status: s.status,
      step: s.step,
      ...(s.series?.totalSteps !== undefined ? { totalSteps: s.series.totalSteps } : {}),
      ...(s.series ? { losses: s.series.losses, valLosses: s.series.valLosses } : {}),
    };
    return healthViewState(run, s?.findings ?? [], locale, (f) => vscode.workspace.asRelativePath(f), s?.freshness);
  }

  private postState(): void {
    if (!this.view) return;
    // The badge counts problems of the code as it is: none while the findings are from before an edit.
    const s = this.latest;
    const actionable = s && !isStale(s.freshness) ? s.findings.filter((f) => f.severity !== 'info').length : 0;
    this.view.badge =
      actionable > 0
        ? { value: actionable, tooltip: uiText(actionable > 1 ? 'badgeMany' : 'badgeOne', this.locale(), { count: actionable }) }
        : undefined;
    void this.view.webview.postMessage(this.state());
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parseFromHealthView(raw);
    if (!parsed.ok) {
      this.output.warn(`training health view: ignored an invalid message (${parsed.error})`);
      return;
    }
    const msg: FromHealthView = parsed.value;
    try {
      switch (msg.type) {
        case 'ready':
          this.postState();
          return;
        case 'reveal': {
          const f = this.latest?.findings.find((x) => x.id === msg.findingId);
          if (!f || !this.latest) return;
          const places = findingPlaces(f, this.latest.run.model);
          const place = places.find((p) => p.layer === msg.layer) ?? places[0];
          if (!place) return;
          const line = place.startLine - 1;
          await revealLocation(
            {
              uri: vscode.Uri.file(place.file).toString(),
              range: {
                start: { line, character: Math.max(0, place.startColumn - 1) },
                end: { line, character: Math.max(0, place.startColumn - 1) },
              },
            },
            vscode.ViewColumn.One,
          );
          return;
        }
        case 'applyFix':
          await this.applyFix(msg.findingId, msg.fixId);
          return;
        case 'retrain': {
          // The Train command on the run's model (the training panel opens on it, ready to start).
          const s = this.latest;
          if (!s) return;
          await vscode.commands.executeCommand(TRAIN_MODEL_COMMAND, vscode.Uri.file(s.run.file).toString(), {
            name: s.run.model.name,
            offset: s.run.model.range.startOffset,
          });
          return;
        }
      }
    } catch (err) {
      this.output.error(`training health view: ${msg.type} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  /** Applies a fix through the language server's quick fix for it (the same edit the light bulb offers). */
  private async applyFix(findingId: string, fixId: string): Promise<void> {
    const s = this.latest;
    const f = s?.findings.find((x) => x.id === findingId);
    const fix = f?.fixes.find((x) => x.id === fixId);
    if (!s || !f || !fix) return;
    const place = findingPlaces(f, s.run.model)[0];
    const locale = this.locale();
    if (!fix.edits?.length || !place) {
      void vscode.window.showInformationMessage(uiText('notAnEdit', locale, { fix: fixTitle(fix, locale) }));
      return;
    }
    const uri = vscode.Uri.file(place.file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false, preserveFocus: false });
    this.notifyServer(s);
    const kind = `${TRAINING_FIX_KIND}.${fixId}`;
    // The server places the finding in the current text: ask on the line where the layer is now.
    const now = healthDiagnostics([f], s.run.model, undefined, 'en', s.freshness)[0]?.range;
    const line = now && now.file === place.file ? now.startLine : place.startLine - 1;
    const range = new vscode.Range(line, 0, line, 0);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind)) ?? [];
    const action = actions.find((a) => a.kind?.value === kind && a.edit);
    if (!action?.edit) {
      void vscode.window.showInformationMessage(uiText('cannotWrite', locale, { fix: fixTitle(fix, locale) }));
      return;
    }
    if (await vscode.workspace.applyEdit(action.edit)) this.fixApplied(vscode.Uri.file(s.run.file), findingId, fixId);
  }
}

function toRange(r: HealthRange): vscode.Range {
  return new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);
}

function severityOf(s: FindingSeverity): vscode.DiagnosticSeverity {
  return s === 'error'
    ? vscode.DiagnosticSeverity.Error
    : s === 'warning'
      ? vscode.DiagnosticSeverity.Warning
      : vscode.DiagnosticSeverity.Information;
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

/** The page; its placeholder is in the display language. */
export function healthHtml(webview: vscode.Webview, root: vscode.Uri): string {
  return webviewPageHtml(webview, root, {
    name: 'health',
    title: vscode.l10n.t('Training Health'),
    placeholder: vscode.l10n.t('Train a model (Layer Lens: Train Current Model) to see its health here.'),
    main: 'live',
  });
}

/** Registers the view, the diagnostics and the decorations; returns the instance (for tests). */
export function registerTrainingHealth(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
): TrainingHealth {
  const health = new TrainingHealth(context.extensionUri, client, output);
  context.subscriptions.push(health, vscode.window.registerWebviewViewProvider(TRAINING_HEALTH_VIEW, health));
  return health;
}
