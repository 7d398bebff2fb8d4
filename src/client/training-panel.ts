/**
 * "Layer Lens: Train Current Model": the training panel (a webview; the page is
 * src/webview/training, bundled to dist/webview/training.js) and the run it controls.
 *
 * The model comes from the language server (`layerLens/trainTarget`: the analysed graph of the
 * model at the cursor or the one a `▶ Train` lens names); the extension host analyses nothing.
 * A run is a TrainingRun (src/training/host.ts): the worker dist/train-worker.js in a child
 * process, every message validated there; here its events are folded into a RunSeries (so a
 * page that reloads gets the history so far) and forwarded to the page in batches
 * (≈ every 100 ms), where they are validated once more (src/protocol/pages/training.ts).
 *
 * Lifetime: one run at a time. Closing the panel stops the run (its history stays in the run
 * folder: reopen it from the Runs tab); disposing (VS Code closing, the extension
 * deactivating) kills the worker at once; host.ts also kills every worker when the extension
 * host process exits, and the worker exits by itself when its parent is gone. A worker that
 * crashes, runs out of memory or meets bad data ends the run with what happened and where;
 * the editor is never affected (the worker is another process).
 *
 * The user's own training code: when the model's file calls fit / fitDataset / trainOnBatch /
 * an optimizer's minimize (the server's `layerLens/trainingCode`), or a script was chosen for
 * the model (remembered in the workspace state), the Setup tab offers to run that program
 * instead, in a child Node process (`layerLens.training.nodePath`, else VS Code's own) with
 * the instrumentation preloaded (src/training/script-host.ts); its events are the worker's.
 * The page never names the program: the extension runs the one it offered.
 *
 * Restricted Mode: training the analysed graph on a built-in dataset or a data file runs no
 * code from the workspace, so it is allowed; loading @tensorflow/tfjs-node(-gpu) from the
 * workspace would run workspace code, so untrusted workspaces train on the bundled wasm/cpu
 * backends only, and an explicit gpu/node request is refused with the reason. Running the
 * user's own program is refused here too (not only greyed out on the page) until the
 * workspace is trusted.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelGraph, SourceRange } from '../analysis/graph';
import { resolveLocale } from '../explain/l10n';
import { TrainingRun, type RunResult } from '../training/host';
import { dataFileColumns } from '../training/engine/datasets';
import { runFolderName } from '../training/engine/run-store';
import {
  checkForm,
  checkScriptForm,
  isReportedSource,
  parseFromPanel,
  type FromPanel,
  type PanelSource,
  type PanelTarget,
  type PanelUserCode,
  type ScriptForm,
  type ToPanel,
  type TrainForm,
} from '../protocol/pages/training';
import type { BackendChoice, TrainConfig, WorkerMessage } from '../protocol/worker';
import { listRuns, loadRunSeries, lossCurves, runDirOf, RUNS_DIR, type RunRoot } from '../training/runs';
import { RunSeries } from '../training/series';
import { projectRoot, ScriptRun } from '../training/script-host';
import type { LocationView } from '../protocol/lsp/models';
import type { TrainingCodeResult, TrainTargetResult } from '../protocol/lsp/train';
import { instrumentationSettingsFrom } from './instrumentation-config';
import { revealLocation } from './reveal';
import { webviewPageHtml } from './webview-page';

export const TRAINING_PANEL_VIEW_TYPE = 'layerLens.training';

export type TrainTarget = Extract<TrainTargetResult, { ok: true }>;

export interface TrainingPanelHost {
  output: vscode.LogOutputChannel;
  /** Where the extension is (dist/train-worker.js, dist/webview). */
  extensionUri: vscode.Uri;
  /** The workspace's memory: the training program chosen for each model file. */
  state?: vscode.Memento;
  /** The training calls in a file (the server's `layerLens/trainingCode`); undefined when it cannot say. */
  trainingCode?(uri: vscode.Uri): Promise<TrainingCodeResult | undefined>;
}

/** What the panel needs of a run: the built-in worker (TrainingRun) or the user's program (ScriptRun). */
interface PanelRun {
  readonly result: Promise<RunResult & { error?: { kind: string; message: string; source?: PanelSource } }>;
  readonly pid: number | undefined;
  pause(): void;
  resume(): void;
  stop(): Promise<unknown>;
  saveModel(): void;
  kill(): void;
}

/** The program the Setup tab offers to run for the target model. */
interface UserProgram {
  /** Absolute path. */
  file: string;
  /** Chosen with “Choose a script…” (else the model's own file). */
  chosen: boolean;
  calls: { method: string; line: number }[];
}

/** workspaceState key: model file → the training program chosen for it. */
const SCRIPTS_KEY = 'layerLens.training.scripts';
export const USER_CODE_RESTRICTED = 'Restricted Mode: running your training code needs a trusted workspace.';
const PROGRAM_FILTERS = { 'JavaScript / TypeScript': ['ts', 'mts', 'cts', 'tsx', 'js', 'mjs', 'cjs', 'jsx'] };

interface LiveRun {
  id: string;
  dir: string;
  title: string;
  run: PanelRun;
  /** The user's program (a script run), when it is one. */
  program?: string;
  series: RunSeries;
  pending: WorkerMessage[];
  timer?: ReturnType<typeof setTimeout>;
  ended?: Extract<ToPanel, { type: 'ended' }>;
  totalSteps?: number;
}

const DATA_FILE_GLOB = '**/*.{csv,json}';
const DATA_FILE_EXCLUDE =
  '{**/node_modules/**,**/.layer-lens/**,**/.git/**,**/package.json,**/package-lock.json,**/tsconfig*.json,**/jsconfig*.json,**/.vscode/**}';

export class TrainingPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private target: TrainTarget | undefined;
  private live: LiveRun | undefined;
  /** The run the page shows when it is not the live one (reopened from the list). */
  private shown: string | undefined;
  /** Where the shown (reopened) run reported errors: the only places `reveal-source` opens for it. */
  private shownSources: PanelSource[] = [];
  /** The user's program offered for the target (set by sendInit). */
  private program: UserProgram | undefined;
  private dataFiles: vscode.Uri[] = [];
  /** Files picked with Browse… (outside the workspace scan). */
  private readonly extraDataFiles: vscode.Uri[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly host: TrainingPanelHost) {
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.sendInit()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (this.panel && e.affectsConfiguration('layerLens.training.nodePath')) void this.sendInit();
      }),
      vscode.window.registerWebviewPanelSerializer(TRAINING_PANEL_VIEW_TYPE, {
        // A panel left open when VS Code closed comes back with the run list.
        deserializeWebviewPanel: async (panel) => {
          this.adopt(panel);
        },
      }),
    );
  }

  /** Opens the panel for a model (replacing the previous target; a live run goes on). */
  async open(target: TrainTarget | undefined): Promise<void> {
    if (target) this.target = target;
    await this.reveal();
  }

  /** Opens the panel on the Runs list (no new target). */
  async showRuns(): Promise<void> {
    await this.reveal();
  }

  /** Shows the panel; an existing page gets the new data now, a new one when it says `ready`. */
  private async reveal(): Promise<void> {
    const existing = this.panel;
    if (existing) existing.reveal(existing.viewColumn ?? vscode.ViewColumn.Beside, false);
    else this.adopt(this.create());
    this.updateTitle();
    if (existing) await this.sendInit();
  }

  private create(): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(
      TRAINING_PANEL_VIEW_TYPE,
      vscode.l10n.t('Training'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      {
        enableScripts: true,
        enableCommandUris: false,
        enableFindWidget: true,
        localResourceRoots: [vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview')],
      },
    );
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.host.extensionUri, 'media', 'layer-lens.svg');
    panel.webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview')],
    };
    panel.webview.html = trainingHtml(panel.webview, vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview'));
    const subs: vscode.Disposable[] = [];
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw), undefined, subs);
    panel.onDidDispose(
      () => {
        this.panel = undefined;
        for (const d of subs) d.dispose();
        // No training nobody can see: stop it (the run folder keeps its history).
        if (this.live && !this.live.ended) {
          const dir = this.live.dir;
          void this.live.run.stop();
          const where = path.relative(this.rootOf(dir) ?? '', dir) || dir;
          void vscode.window
            .showInformationMessage(
              vscode.l10n.t('Layer Lens: training stopped because its panel was closed. The run is saved in {0}.', where),
              vscode.l10n.t('Show Training Runs'),
            )
            .then((pick) => {
              if (pick) void vscode.commands.executeCommand('layerLens.showTrainingRuns');
            });
        }
      },
      undefined,
      subs,
    );
  }

  private updateTitle(): void {
    if (!this.panel) return;
    this.panel.title = this.target ? vscode.l10n.t('Train: {0}', this.target.model.name) : vscode.l10n.t('Training runs');
  }

  private post(msg: ToPanel): void {
    void this.panel?.webview.postMessage(msg);
  }

  // -------------------------------------------------------------------------------------
  // What the page is told

  private roots(): RunRoot[] {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const roots: RunRoot[] = folders.map((f, index) => ({ folder: f.uri.fsPath, index }));
    // A file outside every folder keeps its runs next to it.
    if (this.target && !folders.some((f) => isInside(f.uri.fsPath, this.target!.file)))
      roots.push({ folder: path.dirname(this.target.file), index: folders.length });
    return roots;
  }

  private rootOf(file: string): string | undefined {
    return this.roots().find((r) => isInside(r.folder, file))?.folder;
  }

  private panelTarget(): PanelTarget | null {
    const t = this.target;
    if (!t) return null;
    const root = this.rootOf(t.file);
    const rel = root ? path.relative(root, t.file).split(path.sep).join('/') : t.file;
    const layers = layerTable(t);
    const loss = t.model.compile?.loss;
    return {
      file: rel,
      model: t.model.name,
      line: t.model.range.start.line,
      kind: t.model.kind,
      layers: layers.map((l) => ({
        name: l.name,
        className: l.className,
        line: l.range ? l.range.start.line : null,
        params: l.params.total,
      })),
      inputShapes: t.model.inputShapes.map((s) => JSON.stringify(s)),
      outputShapes: t.model.outputShapes.map((s) => JSON.stringify(s)),
      compile: {
        ...(t.model.compile?.optimizer ? { optimizer: t.model.compile.optimizer } : {}),
        ...(t.model.compile?.learningRate !== undefined ? { learningRate: t.model.compile.learningRate } : {}),
        ...(typeof loss === 'string' ? { loss } : Array.isArray(loss) && typeof loss[0] === 'string' ? { loss: loss[0] } : {}),
        ...(t.model.compile?.metrics ? { metrics: t.model.compile.metrics } : {}),
      },
      errors: t.model.diagnostics.filter((d) => d.severity === 'error').map((d) => `line ${d.range?.start.line ?? '?'}: ${d.message}`),
    };
  }

  private async sendInit(): Promise<void> {
    if (!this.panel) return;
    try {
      this.dataFiles = (await vscode.workspace.findFiles(DATA_FILE_GLOB, DATA_FILE_EXCLUDE, 500)).sort((a, b) =>
        a.fsPath.localeCompare(b.fsPath),
      );
    } catch {
      this.dataFiles = [];
    }
    for (const f of this.extraDataFiles) if (!this.dataFiles.some((u) => u.fsPath === f.fsPath)) this.dataFiles.push(f);
    const trusted = vscode.workspace.isTrusted;
    const cfg = vscode.workspace.getConfiguration('layerLens.training');
    let backend = (cfg.get<string>('backend') ?? 'auto') as BackendChoice;
    if (!['auto', 'gpu', 'node', 'wasm', 'cpu'].includes(backend)) backend = 'auto';
    if (!trusted && (backend === 'gpu' || backend === 'node' || backend === 'auto')) backend = 'wasm';
    const userCode = await this.userCode(trusted);
    this.post({
      type: 'init',
      target: this.panelTarget(),
      dataFiles: this.dataFiles.map((u) => vscode.workspace.asRelativePath(u, (vscode.workspace.workspaceFolders?.length ?? 0) > 1)),
      runs: listRuns(this.roots()),
      trusted,
      ...(trusted
        ? {}
        : {
            restriction: vscode.l10n.t(
              'Restricted Mode: only the bundled wasm and cpu backends (tfjs-node and tfjs-node-gpu would load code from the workspace).',
            ),
          }),
      defaults: { backend, epochs: 5, batchSize: 32, validationSplit: 0.1 },
      ...(userCode ? { userCode } : {}),
      locale: resolveLocale(vscode.env.language),
    });
    this.replay();
  }

  // -------------------------------------------------------------------------------------
  // The user's own training code

  private chosenScripts(): Record<string, string> {
    const v = this.host.state?.get<unknown>(SCRIPTS_KEY);
    if (typeof v !== 'object' || v === null) return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }

  private async callsOf(file: string): Promise<TrainingCodeResult | undefined> {
    try {
      return await this.host.trainingCode?.(vscode.Uri.file(file));
    } catch (err) {
      this.host.output.warn(
        `training panel: could not look for training calls in ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
      return undefined;
    }
  }

  /** The program to offer for the target (the chosen script, else the model's file when it trains), and the page's view of it. */
  private async userCode(trusted: boolean): Promise<PanelUserCode | undefined> {
    const t = this.target;
    this.program = undefined;
    if (!t) return undefined;
    const chosen = this.chosenScripts()[t.file];
    if (chosen && fs.existsSync(chosen)) {
      const code = await this.callsOf(chosen);
      this.program = { file: chosen, chosen: true, calls: code?.calls.map((c) => ({ method: c.method, line: c.line })) ?? [] };
    } else {
      const code = await this.callsOf(t.file);
      // Without the server's answer, the fit sites the analysis recorded for the file's models.
      const sites =
        code?.fitSites ?? [t.model, ...t.otherModels].flatMap((m) => m.fitSites.map((r) => ({ file: r.file, line: r.start.line })));
      const calls = code?.calls.map((c) => ({ method: c.method, line: c.line })) ?? [];
      if (calls.length === 0)
        for (const s of sites) if (s.file === t.file && !calls.some((c) => c.line === s.line)) calls.push({ method: 'fit', line: s.line });
      if (calls.length > 0 || sites.length > 0) this.program = { file: t.file, chosen: false, calls };
    }
    const p = this.program;
    return {
      program: p ? { file: this.displayPath(p.file), chosen: p.chosen, calls: p.calls.slice(0, 1000) } : null,
      ...(trusted ? {} : { disabled: USER_CODE_RESTRICTED }),
      node: nodeLabel(nodeSetting()),
    };
  }

  private displayPath(file: string): string {
    const root = this.rootOf(file);
    return root ? path.relative(root, file).split(path.sep).join('/') : file;
  }

  private async chooseScript(): Promise<void> {
    const t = this.target;
    if (!t)
      return this.post({
        type: 'notice',
        level: 'error',
        message: vscode.l10n.t('No model: run “Layer Lens: Train Current Model” with the cursor in a model first.'),
      });
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      canSelectFolders: false,
      filters: PROGRAM_FILTERS,
      defaultUri: vscode.Uri.file(path.dirname(t.file)),
      openLabel: vscode.l10n.t('Use as training program'),
      title: vscode.l10n.t('The program that trains {0}', t.model.name),
    });
    const uri = picked?.[0];
    if (!uri || uri.scheme !== 'file') return;
    await this.host.state?.update(SCRIPTS_KEY, { ...this.chosenScripts(), [t.file]: uri.fsPath });
    this.host.output.info(`training program for ${path.basename(t.file)}: ${uri.fsPath}`);
    await this.sendInit();
  }

  private async forgetScript(): Promise<void> {
    const t = this.target;
    if (!t) return;
    const rest = this.chosenScripts();
    delete rest[t.file];
    await this.host.state?.update(SCRIPTS_KEY, rest);
    await this.sendInit();
  }

  /** Opens where a run's program failed, if that run reported this location. */
  private async revealSource(msg: Extract<FromPanel, { type: 'reveal-source' }>): Promise<void> {
    const live = this.live;
    const reported: Array<PanelSource | undefined> =
      live && live.id === msg.runId
        ? [...live.series.info.errors.map((e) => e.source), live.ended?.error?.source]
        : this.shown === msg.runId
          ? this.shownSources
          : [];
    if (!isReportedSource(reported, msg)) {
      this.host.output.warn(`training panel: ignored a reveal of ${msg.file}:${msg.line}, which run ${msg.runId} did not report`);
      return;
    }
    const line = msg.line - 1;
    const character = Math.max(0, (msg.column ?? 1) - 1);
    await revealLocation(
      { uri: vscode.Uri.file(msg.file).toString(), range: { start: { line, character }, end: { line, character } } },
      vscode.ViewColumn.One,
    );
  }

  /** A page that (re)loaded gets the run it should show: the live one, with its history so far. */
  private replay(): void {
    const live = this.live;
    if (live && (this.shown === undefined || this.shown === live.id)) {
      this.flush(live, false);
      this.post({ type: 'snapshot', runId: live.id, title: live.title, live: true, series: live.series.snapshot() });
      if (live.ended) this.post(live.ended);
      return;
    }
    if (this.shown) this.openRun(this.shown);
  }

  // -------------------------------------------------------------------------------------
  // What the page asks

  private async receive(raw: unknown): Promise<void> {
    const parsed = parseFromPanel(raw);
    if (!parsed.ok) {
      this.host.output.warn(`training panel: ignored an invalid message (${parsed.message})`);
      return;
    }
    const msg: FromPanel = parsed.value;
    try {
      switch (msg.type) {
        case 'ready':
          await this.sendInit();
          return;
        case 'start':
          await this.start(msg.form);
          return;
        case 'pause':
          this.live?.run.pause();
          return;
        case 'resume':
          this.live?.run.resume();
          return;
        case 'stop':
          if (this.live && !this.live.ended) void this.live.run.stop();
          return;
        case 'save-model':
          if (this.live && !this.live.ended) this.live.run.saveModel();
          return;
        case 'open-run':
          this.openRun(msg.runId);
          return;
        case 'compare-runs':
          this.compare(msg.a, msg.b);
          return;
        case 'refresh-runs':
          this.post({ type: 'runs', runs: listRuns(this.roots()) });
          return;
        case 'reveal-layer': {
          const loc = this.target ? layerLocation(this.target, msg.layer) : undefined;
          if (loc) await revealLocation(loc, vscode.ViewColumn.One);
          return;
        }
        case 'reveal-model':
          if (this.target) await revealLocation(toLocation(this.target.model.range), vscode.ViewColumn.One);
          return;
        case 'data-columns':
          this.sendColumns(msg.dataFile);
          return;
        case 'browse-data-file':
          await this.browse();
          return;
        case 'reveal-run': {
          const dir = runDirOf(this.roots(), msg.runId);
          if (dir) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path.join(dir, 'run.json')));
          return;
        }
        case 'start-script':
          await this.startScript(msg.form);
          return;
        case 'choose-script':
          await this.chooseScript();
          return;
        case 'forget-script':
          await this.forgetScript();
          return;
        case 'reveal-source':
          await this.revealSource(msg);
          return;
      }
    } catch (err) {
      this.host.output.error(`training panel: ${msg.type} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      this.post({ type: 'notice', level: 'error', message: `${msg.type} failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  private sendColumns(index: number): void {
    const uri = this.dataFiles[index];
    if (!uri) return;
    try {
      const text = fs.readFileSync(uri.fsPath, 'utf8');
      const { columns, rows } = dataFileColumns(uri.fsPath, text);
      this.post({ type: 'columns', dataFile: index, columns, rows });
    } catch (err) {
      this.post({ type: 'columns', dataFile: index, columns: [], rows: 0, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async browse(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { [vscode.l10n.t('Data (CSV, JSON)')]: ['csv', 'json'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      openLabel: vscode.l10n.t('Use as training data'),
    });
    const uri = picked?.[0];
    if (!uri || uri.scheme !== 'file') return;
    if (!this.extraDataFiles.some((u) => u.fsPath === uri.fsPath)) this.extraDataFiles.push(uri);
    // The page's list is the extension's: resend it, then the columns of the new file.
    await this.sendInit();
    this.sendColumns(this.dataFiles.findIndex((u) => u.fsPath === uri.fsPath));
  }

  private openRun(id: string): void {
    if (this.live?.id === id) {
      this.shown = undefined;
      this.replay();
      return;
    }
    const dir = runDirOf(this.roots(), id);
    if (!dir) {
      this.post({ type: 'notice', level: 'warning', message: `run ${id} is not in this workspace's .layer-lens/runs any more` });
      return;
    }
    const { series, skipped, run } = loadRunSeries(dir);
    this.shown = id;
    const errorSource = run.errorSource as PanelSource | undefined;
    this.shownSources = [
      ...series.info.errors.map((e) => e.source).filter((s): s is PanelSource => s !== undefined),
      ...(errorSource && typeof errorSource.file === 'string' && typeof errorSource.line === 'number' ? [errorSource] : []),
    ];
    const title = `${typeof run.model === 'string' ? run.model : 'run'} · ${path.basename(dir)}`;
    this.post({
      type: 'snapshot',
      runId: id,
      title,
      live: false,
      series: series.snapshot(),
      ...(skipped ? { skippedLines: skipped } : {}),
    });
  }

  private compare(a: string, b: string): void {
    const curve = (id: string) => {
      if (this.live?.id === id) return { ...lossCurves(this.live.series), label: `${this.live.title}` };
      const dir = runDirOf(this.roots(), id);
      if (!dir) return undefined;
      const { series, run } = loadRunSeries(dir);
      return {
        ...lossCurves(series),
        label: `${typeof run.model === 'string' ? run.model : 'run'} ${path.basename(dir).slice(0, 19).replace('T', ' ')}`,
      };
    };
    const ca = curve(a);
    const cb = curve(b);
    if (!ca || !cb) {
      this.post({ type: 'notice', level: 'warning', message: 'one of the two runs is not in the workspace any more' });
      return;
    }
    this.post({ type: 'compare', a: ca, b: cb });
  }

  // -------------------------------------------------------------------------------------
  // A run

  private async start(form: TrainForm): Promise<void> {
    const t = this.target;
    if (!t)
      return this.post({
        type: 'notice',
        level: 'error',
        message: vscode.l10n.t('No model to train: run “Layer Lens: Train Current Model” with the cursor in a model.'),
      });
    if (this.live && !this.live.ended)
      return this.post({ type: 'notice', level: 'warning', message: vscode.l10n.t('A run is going on: stop it first.') });
    const problem = checkForm(form);
    if (problem) return this.post({ type: 'notice', level: 'error', message: problem });
    const errors = t.model.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length)
      return this.post({
        type: 'notice',
        level: 'error',
        message: vscode.l10n.t('The analysis found {0} error(s) in {1}; fix them before training.', errors.length, t.model.name),
      });
    const trusted = vscode.workspace.isTrusted;
    let backend: BackendChoice = form.backend;
    if (!trusted && (backend === 'gpu' || backend === 'node')) {
      const pick = await vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Layer Lens: training on {0} loads and runs that package from the workspace, which Restricted Mode does not allow. Trust the workspace, or train on the bundled wasm or cpu backend.',
          backend === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node',
        ),
        vscode.l10n.t('Manage Workspace Trust'),
      );
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      return this.post({
        type: 'notice',
        level: 'error',
        message: vscode.l10n.t(
          'Restricted Mode: the {0} backend would run code from the workspace. Choose wasm or cpu, or trust the workspace.',
          backend,
        ),
      });
    }
    if (!trusted && backend === 'auto') backend = 'wasm';
    let dataset = form.dataset;
    if (dataset === 'file') {
      const uri = form.dataFile !== undefined ? this.dataFiles[form.dataFile] : undefined;
      if (!uri) return this.post({ type: 'notice', level: 'error', message: vscode.l10n.t('Choose a data file.') });
      dataset = uri.fsPath;
    }
    const root = this.rootOf(t.file) ?? path.dirname(t.file);
    const name = runFolderName();
    const dir = path.join(root, RUNS_DIR, name);
    const rootIndex = this.roots().find((r) => r.folder === root)?.index ?? 0;
    const code = t.model.compile;
    const gpuPath = trusted ? (vscode.workspace.getConfiguration('layerLens.training').get<string>('gpuPackagePath') ?? '').trim() : '';
    const instrumentation = instrumentationSettings(t.file);
    if ('error' in instrumentation) return this.post({ type: 'notice', level: 'error', message: instrumentation.error });
    const config: TrainConfig = {
      model: t.model,
      otherModels: t.otherModels,
      file: t.file,
      codeHash: t.codeHash,
      dataset,
      ...(form.columns ? { columns: form.columns } : {}),
      epochs: form.epochs,
      ...(form.steps ? { steps: form.steps } : {}),
      batchSize: form.batchSize,
      validationSplit: form.validationSplit,
      // Only what differs from the code's compile call is an override (run.json then says where each came from).
      ...(form.optimizer !== code?.optimizer ? { optimizer: form.optimizer } : {}),
      ...(form.learningRate !== code?.learningRate || form.optimizer !== code?.optimizer ? { learningRate: form.learningRate } : {}),
      ...(form.loss ? { loss: form.loss } : {}),
      backend,
      ...(gpuPath ? { gpuPackagePath: gpuPath } : {}),
      // Restricted Mode: resolve nothing from the workspace.
      resolveFrom: trusted ? [...new Set([path.dirname(t.file), root])] : [],
      runDir: dir,
      ...(form.saveModel ? { saveModel: true } : {}),
      ...instrumentation.settings,
      // The page redraws at most every animation frame: ~20 step events a second are plenty.
      stepEventMs: 50,
    };
    const id = `${rootIndex}/${name}`;
    const title = `${t.model.name} · ${name.slice(0, 19).replace('T', ' ')}`;
    let run: PanelRun;
    try {
      run = TrainingRun.start(config, {
        worker: workerLocation(this.host.extensionUri),
        cwd: root,
        onMessage: (m) => this.onWorkerMessage(m),
        onStderr: (text) => this.host.output.debug(`train-worker: ${text.trimEnd()}`),
      });
    } catch (err) {
      return this.post({
        type: 'notice',
        level: 'error',
        message: vscode.l10n.t('The training worker could not start: {0}', err instanceof Error ? err.message : String(err)),
      });
    }
    this.host.output.info(
      `training ${t.model.name} (${path.basename(t.file)}) on ${dataset === form.dataset ? dataset : path.basename(dataset)}, backend ${backend}; run folder ${dir}; worker pid ${run.pid}`,
    );
    this.begin({ id, dir, title, run, series: new RunSeries(), pending: [] });
  }

  private begin(live: LiveRun): void {
    this.live = live;
    this.shown = undefined;
    this.post({ type: 'started', runId: live.id, title: live.title, ...(live.program ? { program: live.program } : {}) });
    this.post({ type: 'runs', runs: listRuns(this.roots()) });
    void this.progress(live);
    void live.run.result.then((r) => this.onEnded(live, r));
  }

  /** Runs the user's own program (the one offered in init) with the instrumentation preloaded. */
  private async startScript(form: ScriptForm): Promise<void> {
    const t = this.target;
    if (!t)
      return this.post({
        type: 'notice',
        level: 'error',
        message: vscode.l10n.t('No model to train: run “Layer Lens: Train Current Model” with the cursor in a model.'),
      });
    if (this.live && !this.live.ended)
      return this.post({ type: 'notice', level: 'warning', message: vscode.l10n.t('A run is going on: stop it first.') });
    // Checked here, not only on the page: the page's message cannot start workspace code in Restricted Mode.
    if (!vscode.workspace.isTrusted) {
      // The same text as `Layer Lens: ${USER_CODE_RESTRICTED} …`, written out whole for the translation.
      const warning = vscode.l10n.t(
        'Layer Lens: Restricted Mode: running your training code needs a trusted workspace. Trust the workspace, or train the analysed model on a built-in dataset.',
      );
      void vscode.window.showWarningMessage(warning, vscode.l10n.t('Manage Workspace Trust')).then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return this.post({
        type: 'notice',
        level: 'error',
        message: `${USER_CODE_RESTRICTED} Trust the workspace, or choose “Built-in dataset”.`,
      });
    }
    const problem = checkScriptForm(form);
    if (problem) return this.post({ type: 'notice', level: 'error', message: problem });
    const program = this.program;
    if (!program)
      return this.post({
        type: 'notice',
        level: 'error',
        message: `${path.basename(t.file)} has no training code (model.fit, fitDataset, trainOnBatch or an optimizer's minimize): choose the script that trains ${t.model.name}.`,
      });
    if (!fs.existsSync(program.file))
      return this.post({
        type: 'notice',
        level: 'error',
        message: `The training program ${this.displayPath(program.file)} does not exist any more: choose another one, or Forget it.`,
      });
    // The program runs from disk, as `node <file>` would: save what the editor shows first (as a debug session does).
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.isDirty && doc.uri.scheme === 'file' && (doc.uri.fsPath === program.file || doc.uri.fsPath === t.file)) await doc.save();
    }
    const node = nodeSetting();
    if (node && path.isAbsolute(node) && !fs.existsSync(node)) {
      return this.post({
        type: 'notice',
        level: 'error',
        message: `layerLens.training.nodePath: ${node} does not exist. Correct the setting, or clear it to use VS Code's own Node.js.`,
      });
    }
    const instrumentation = instrumentationSettings(t.file);
    if ('error' in instrumentation) return this.post({ type: 'notice', level: 'error', message: instrumentation.error });
    const root = this.rootOf(t.file) ?? path.dirname(t.file);
    const name = runFolderName();
    const dir = path.join(root, RUNS_DIR, name);
    const rootIndex = this.roots().find((r) => r.folder === root)?.index ?? 0;
    const id = `${rootIndex}/${name}`;
    const shown = this.displayPath(program.file);
    const title = `${t.model.name} · ${path.basename(program.file)} · ${name.slice(0, 19).replace('T', ' ')}`;
    let run: ScriptRun;
    try {
      run = ScriptRun.start(
        {
          script: program.file,
          ...(form.args?.length ? { args: form.args } : {}),
          file: t.file,
          modelName: t.model.name,
          modelLayers: t.model.layers.filter((l) => l.className !== 'InputLayer').map((l) => l.name),
          // The analysed file's hash (the Training Health view compares the model's file with it).
          codeHash: program.file === t.file ? createHash('sha256').update(fs.readFileSync(t.file)).digest('hex') : t.codeHash,
          runDir: dir,
          ...(form.steps ? { maxSteps: form.steps } : {}),
          ...(form.saveModel ? { saveModel: true } : {}),
          ...instrumentation.settings,
          // Every step (no stepEventMs): the preload's throttle would drop the steps just before
          // a throw or the end, which the chart and the run folder must keep. The page still
          // gets them in ~100 ms batches.
        },
        {
          ...(node ? { node } : {}),
          preload: vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'train-preload.js').fsPath,
          cwd: projectRoot(program.file),
          graph: t.model,
          onMessage: (m) => this.onWorkerMessage(m),
          onOutput: (text, stream) => {
            for (const line of text.split('\n'))
              if (line.trim()) this.host.output.info(`[${path.basename(program.file)} ${stream}] ${line.trimEnd()}`);
          },
        },
      );
    } catch (err) {
      return this.post({
        type: 'notice',
        level: 'error',
        message: vscode.l10n.t('Your training program could not start: {0}', err instanceof Error ? err.message : String(err)),
      });
    }
    this.host.output.info(
      `running ${shown}${form.args?.length ? ` ${form.args.join(' ')}` : ''} (trains ${t.model.name}) with ${nodeLabel(node)}; run folder ${dir}; pid ${run.pid}`,
    );
    this.begin({ id, dir, title, run, program: shown, series: new RunSeries(), pending: [] });
  }

  private onWorkerMessage(m: WorkerMessage): void {
    const live = this.live;
    if (!live) return;
    live.series.add(m);
    live.pending.push(m);
    if (m.type === 'run') live.totalSteps = m.totalSteps;
    if (m.type === 'error' || m.type === 'done' || m.type === 'state' || m.type === 'backend') this.flush(live, true);
    else live.timer ??= setTimeout(() => this.flush(live, true), 100);
  }

  private flush(live: LiveRun, send: boolean): void {
    if (live.timer) clearTimeout(live.timer);
    live.timer = undefined;
    const events = live.pending;
    live.pending = [];
    if (send && events.length && this.panel && (this.shown === undefined || this.shown === live.id))
      this.post({ type: 'events', runId: live.id, events });
  }

  private onEnded(live: LiveRun, r: Awaited<PanelRun['result']>): void {
    this.flush(live, true);
    const status = r.status;
    const error = r.error
      ? { kind: r.error.kind, message: r.error.message, ...(r.error.source ? { source: r.error.source } : {}) }
      : undefined;
    live.ended = {
      type: 'ended',
      runId: live.id,
      status,
      ...(error ? { error } : {}),
      // A program's own last output says what it was doing (the worker's only matters when it died).
      ...(status === 'crashed' || status === 'killed' || (live.program && status === 'failed')
        ? { stderrTail: r.stderrTail.slice(-4000) }
        : {}),
    };
    this.post(live.ended);
    this.post({ type: 'runs', runs: listRuns(this.roots()) });
    const at = error?.source ? ` at ${this.displayPath(error.source.file)}:${error.source.line}` : '';
    this.host.output.info(`training ended: ${status}${error ? ` — ${error.message}${at}` : ''}`);
    if (status === 'failed' || status === 'crashed' || status === 'killed') {
      const source = error?.source;
      const goTo = vscode.l10n.t('Go to Source');
      const actions = source ? [goTo] : [];
      const where = source ? vscode.l10n.t(' at {0}:{1}', this.displayPath(source.file), source.line) : '';
      void vscode.window
        .showErrorMessage(
          vscode.l10n.t(
            'Layer Lens: training {0} {1}{2}: {3}',
            live.title,
            runStatusText(status),
            where,
            error?.message ?? vscode.l10n.t('see the training panel'),
          ),
          ...actions,
        )
        .then((pick) => {
          if (pick && source)
            void this.revealSource({
              type: 'reveal-source',
              runId: live.id,
              file: source.file,
              line: source.line,
              ...(source.column !== undefined ? { column: source.column } : {}),
            });
        });
    }
  }

  /** A progress notification while the run goes on; cancelling it stops the run. */
  private progress(live: LiveRun): Thenable<void> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Training {0}', live.title), cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => void live.run.stop());
        let reported = 0;
        let lastReport = 0;
        const tick = setInterval(() => {
          const last = live.series.latest();
          const total = live.totalSteps;
          if (!last || Date.now() - lastReport < 250) return;
          lastReport = Date.now();
          const pct = total ? Math.min(100, (last.step / total) * 100) : 0;
          const sps = live.series.stepsPerSecond();
          const state = live.series.info.state?.state === 'paused' ? vscode.l10n.t(' (paused)') : '';
          const parts = [
            total ? vscode.l10n.t('step {0}/{1}', last.step, total) : vscode.l10n.t('step {0}', last.step),
            vscode.l10n.t('loss {0}', last.loss === null ? '—' : last.loss.toPrecision(4)),
            ...(sps ? [vscode.l10n.t('{0} steps/s', sps.toFixed(1))] : []),
          ];
          progress.report({ increment: Math.max(0, pct - reported), message: `${parts.join(' · ')}${state}` });
          reported = Math.max(reported, pct);
        }, 300);
        return live.run.result.then(
          () => clearInterval(tick),
          () => clearInterval(tick),
        );
      },
    );
  }

  dispose(): void {
    // VS Code is closing or the extension is going away: no worker may outlive it.
    if (this.live && !this.live.ended) this.live.run.kill();
    if (this.live?.timer) clearTimeout(this.live.timer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** A run's end status as a word of a sentence (`the range test failed`, `training … crashed`), in the display language. */
export function runStatusText(status: string): string {
  switch (status) {
    case 'completed':
      return vscode.l10n.t('completed');
    case 'stopped':
      return vscode.l10n.t('stopped');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'killed':
      return vscode.l10n.t('killed');
    case 'crashed':
      return vscode.l10n.t('crashed');
    default:
      return status;
  }
}

/** layerLens.training.nodePath, trimmed ('' when unset: VS Code's own Node.js). */
function nodeSetting(): string {
  return (vscode.workspace.getConfiguration('layerLens.training').get<string>('nodePath') ?? '').trim();
}

/** The `layerLens.training` statistics settings for a run of `file`'s model. */
function instrumentationSettings(file: string): ReturnType<typeof instrumentationSettingsFrom> {
  const cfg = vscode.workspace.getConfiguration('layerLens.training', vscode.Uri.file(file));
  return instrumentationSettingsFrom((key) => cfg.get(key));
}

function nodeLabel(node: string): string {
  return node ? node : `VS Code's own Node.js ${process.version} (setting layerLens.training.nodePath)`;
}

/** dist/train-worker.js of this extension. */
function workerLocation(extensionUri: vscode.Uri): { path: string; execArgv: string[] } {
  return { path: vscode.Uri.joinPath(extensionUri, 'dist', 'train-worker.js').fsPath, execArgv: [] };
}

function isInside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Every layer of the model and of the models nested in it (their names are what the worker reports). */
export function layerTable(t: { model: ModelGraph; otherModels: ModelGraph[] }): ModelGraph['layers'] {
  const out: ModelGraph['layers'] = [];
  const seen = new Set<string>();
  const visit = (m: ModelGraph, depth: number) => {
    for (const l of m.layers) {
      if (!seen.has(l.name)) {
        seen.add(l.name);
        out.push(l);
      }
      if (l.nestedModelId && depth < 8) {
        const inner = t.otherModels.find((o) => o.id === l.nestedModelId || o.name === l.name);
        if (inner) visit(inner, depth + 1);
      }
    }
  };
  visit(t.model, 0);
  return out;
}

function toLocation(r: SourceRange): LocationView {
  return {
    uri: vscode.Uri.file(r.file).toString(),
    range: { start: { line: r.start.line - 1, character: r.start.column - 1 }, end: { line: r.end.line - 1, character: r.end.column - 1 } },
  };
}

/** Where a layer (by the name the worker reports) is created; the model's creation call for implicit layers. */
export function layerLocation(t: { model: ModelGraph; otherModels: ModelGraph[] }, name: string): LocationView | undefined {
  const layer = layerTable(t).find((l) => l.name === name);
  if (!layer) return undefined;
  return toLocation(layer.range ?? layer.applyRanges[0] ?? t.model.range);
}

export function trainingHtml(webview: vscode.Webview, root: vscode.Uri): string {
  return webviewPageHtml(webview, root, { name: 'training', title: 'Training', placeholder: 'Loading the training panel…', main: 'busy' });
}
