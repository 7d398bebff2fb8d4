/**
 * "Layer Lens: Train Current Model": the training panel (a webview; the page is
 * src/webview/training, bundled to dist/webview/training.js) and the run it controls.
 *
 * The model comes from the language server (`layerLens/trainTarget`: the analysed graph of the
 * model at the cursor or the one a `▶ Train` lens names); the extension host analyses nothing.
 * A run is a TrainingRun (src/training/host.ts): the worker dist/train-worker.js in a child
 * process, every message validated there; here its events are folded into a RunSeries (so a
 * page that reloads gets the history so far) and forwarded to the page in batches
 * (≈ every 100 ms), where they are validated once more (src/training/panel-protocol.ts).
 *
 * Lifetime: one run at a time. Closing the panel stops the run (its history stays in the run
 * folder: reopen it from the Runs tab); disposing (VS Code closing, the extension
 * deactivating) kills the worker at once; host.ts also kills every worker when the extension
 * host process exits, and the worker exits by itself when its parent is gone. A worker that
 * crashes, runs out of memory or meets bad data ends the run with what happened and where;
 * the editor is never affected (the worker is another process).
 *
 * Restricted Mode: training the analysed graph on a built-in dataset or a data file runs no
 * code from the workspace, so it is allowed; loading @tensorflow/tfjs-node(-gpu) from the
 * workspace would run workspace code, so untrusted workspaces train on the bundled wasm/cpu
 * backends only, and an explicit gpu/node request is refused with the reason.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelGraph, SourceRange } from '../analysis/graph';
import { TrainingRun, type RunResult } from '../training/host';
import { dataFileColumns } from '../training/engine/datasets';
import { runFolderName } from '../training/engine/run-store';
import { checkForm, parseFromPanel, type FromPanel, type PanelTarget, type ToPanel, type TrainForm } from '../training/panel-protocol';
import type { BackendChoice, TrainConfig, WorkerMessage } from '../training/protocol';
import { listRuns, loadRunSeries, lossCurves, runDirOf, RUNS_DIR, type RunRoot } from '../training/runs';
import { RunSeries } from '../training/series';
import type { LocationView } from '../server/models-protocol';
import type { TrainTargetResult } from '../server/train-protocol';
import { revealLocation } from './reveal';

export const TRAINING_PANEL_VIEW_TYPE = 'layerLens.training';

export type TrainTarget = Extract<TrainTargetResult, { ok: true }>;

export interface TrainingPanelHost {
  output: vscode.LogOutputChannel;
  /** Where the extension is (dist/train-worker.js, dist/webview). */
  extensionUri: vscode.Uri;
}

interface LiveRun {
  id: string;
  dir: string;
  title: string;
  run: TrainingRun;
  series: RunSeries;
  pending: WorkerMessage[];
  timer?: ReturnType<typeof setTimeout>;
  ended?: Extract<ToPanel, { type: 'ended' }>;
  totalSteps?: number;
}

const DATA_FILE_GLOB = '**/*.{csv,json}';
const DATA_FILE_EXCLUDE = '{**/node_modules/**,**/.layer-lens/**,**/.git/**,**/package.json,**/package-lock.json,**/tsconfig*.json,**/jsconfig*.json,**/.vscode/**}';

export class TrainingPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private target: TrainTarget | undefined;
  private targetUri: vscode.Uri | undefined;
  private live: LiveRun | undefined;
  /** The run the page shows when it is not the live one (reopened from the list). */
  private shown: string | undefined;
  private dataFiles: vscode.Uri[] = [];
  /** Files picked with Browse… (outside the workspace scan). */
  private readonly extraDataFiles: vscode.Uri[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly host: TrainingPanelHost) {
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.sendInit()),
      vscode.window.registerWebviewPanelSerializer(TRAINING_PANEL_VIEW_TYPE, {
        // A panel left open when VS Code closed comes back with the run list.
        deserializeWebviewPanel: async (panel) => {
          this.adopt(panel);
        },
      }),
    );
  }

  /** Opens the panel for a model (replacing the previous target; a live run goes on). */
  async open(uri: vscode.Uri, target: TrainTarget | undefined): Promise<void> {
    if (target) {
      this.target = target;
      this.targetUri = uri;
    }
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
    return vscode.window.createWebviewPanel(TRAINING_PANEL_VIEW_TYPE, 'Training', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      enableScripts: true,
      enableCommandUris: false,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview')],
    });
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.host.extensionUri, 'media', 'layer-lens.svg');
    panel.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview')] };
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
          void vscode.window.showInformationMessage(`Layer Lens: training stopped because its panel was closed. The run is saved in ${path.relative(this.rootOf(dir) ?? '', dir) || dir}.`, 'Show Training Runs').then((pick) => {
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
    this.panel.title = this.target ? `Train: ${this.target.model.name}` : 'Training runs';
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
    if (this.target && !folders.some((f) => isInside(f.uri.fsPath, this.target!.file))) roots.push({ folder: path.dirname(this.target.file), index: folders.length });
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
      layers: layers.map((l) => ({ name: l.name, className: l.className, line: l.range ? l.range.start.line : null, params: l.params.total })),
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
      this.dataFiles = (await vscode.workspace.findFiles(DATA_FILE_GLOB, DATA_FILE_EXCLUDE, 500)).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    } catch {
      this.dataFiles = [];
    }
    for (const f of this.extraDataFiles) if (!this.dataFiles.some((u) => u.fsPath === f.fsPath)) this.dataFiles.push(f);
    const trusted = vscode.workspace.isTrusted;
    const cfg = vscode.workspace.getConfiguration('layerLens.training');
    let backend = (cfg.get<string>('backend') ?? 'auto') as BackendChoice;
    if (!['auto', 'gpu', 'node', 'wasm', 'cpu'].includes(backend)) backend = 'auto';
    if (!trusted && (backend === 'gpu' || backend === 'node' || backend === 'auto')) backend = 'wasm';
    this.post({
      type: 'init',
      target: this.panelTarget(),
      dataFiles: this.dataFiles.map((u) => vscode.workspace.asRelativePath(u, (vscode.workspace.workspaceFolders?.length ?? 0) > 1)),
      runs: listRuns(this.roots()),
      trusted,
      ...(trusted ? {} : { restriction: 'Restricted Mode: only the bundled wasm and cpu backends (tfjs-node and tfjs-node-gpu would load code from the workspace).' }),
      defaults: { backend, epochs: 5, batchSize: 32, validationSplit: 0.1 },
    });
    this.replay();
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
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Data (CSV, JSON)': ['csv', 'json'] }, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri, openLabel: 'Use as training data' });
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
    const title = `${typeof run.model === 'string' ? run.model : 'run'} · ${path.basename(dir)}`;
    this.post({ type: 'snapshot', runId: id, title, live: false, series: series.snapshot(), ...(skipped ? { skippedLines: skipped } : {}) });
  }

  private compare(a: string, b: string): void {
    const curve = (id: string) => {
      if (this.live?.id === id) return { ...lossCurves(this.live.series), label: `${this.live.title}` };
      const dir = runDirOf(this.roots(), id);
      if (!dir) return undefined;
      const { series, run } = loadRunSeries(dir);
      return { ...lossCurves(series), label: `${typeof run.model === 'string' ? run.model : 'run'} ${path.basename(dir).slice(0, 19).replace('T', ' ')}` };
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
    if (!t) return this.post({ type: 'notice', level: 'error', message: 'No model to train: run “Layer Lens: Train Current Model” with the cursor in a model.' });
    if (this.live && !this.live.ended) return this.post({ type: 'notice', level: 'warning', message: 'A run is going on: stop it first.' });
    const problem = checkForm(form);
    if (problem) return this.post({ type: 'notice', level: 'error', message: problem });
    const errors = t.model.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) return this.post({ type: 'notice', level: 'error', message: `The analysis found ${errors.length} error(s) in ${t.model.name}; fix them before training.` });
    const trusted = vscode.workspace.isTrusted;
    let backend: BackendChoice = form.backend;
    if (!trusted && (backend === 'gpu' || backend === 'node')) {
      const pick = await vscode.window.showWarningMessage(
        `Layer Lens: training on ${backend === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node'} loads and runs that package from the workspace, which Restricted Mode does not allow. Trust the workspace, or train on the bundled wasm or cpu backend.`,
        'Manage Workspace Trust',
      );
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      return this.post({ type: 'notice', level: 'error', message: `Restricted Mode: the ${backend} backend would run code from the workspace. Choose wasm or cpu, or trust the workspace.` });
    }
    if (!trusted && backend === 'auto') backend = 'wasm';
    let dataset = form.dataset;
    if (dataset === 'file') {
      const uri = form.dataFile !== undefined ? this.dataFiles[form.dataFile] : undefined;
      if (!uri) return this.post({ type: 'notice', level: 'error', message: 'Choose a data file.' });
      dataset = uri.fsPath;
    }
    const root = this.rootOf(t.file) ?? path.dirname(t.file);
    const name = runFolderName();
    const dir = path.join(root, RUNS_DIR, name);
    const rootIndex = this.roots().find((r) => r.folder === root)?.index ?? 0;
    const code = t.model.compile;
    const gpuPath = trusted ? (vscode.workspace.getConfiguration('layerLens.training').get<string>('gpuPackagePath') ?? '').trim() : '';
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
      // The page redraws at most every animation frame: ~20 step events a second are plenty.
      stepEventMs: 50,
    };
    const id = `${rootIndex}/${name}`;
    const title = `${t.model.name} · ${name.slice(0, 19).replace('T', ' ')}`;
    let run: TrainingRun;
    try {
      run = TrainingRun.start(config, {
        worker: workerLocation(this.host.extensionUri),
        cwd: root,
        onMessage: (m) => this.onWorkerMessage(m),
        onStderr: (text) => this.host.output.debug(`train-worker: ${text.trimEnd()}`),
      });
    } catch (err) {
      return this.post({ type: 'notice', level: 'error', message: `The training worker could not start: ${err instanceof Error ? err.message : String(err)}` });
    }
    const live: LiveRun = { id, dir, title, run, series: new RunSeries(), pending: [] };
    this.live = live;
    this.shown = undefined;
    this.host.output.info(`training ${t.model.name} (${path.basename(t.file)}) on ${dataset === form.dataset ? dataset : path.basename(dataset)}, backend ${backend}; run folder ${dir}; worker pid ${run.pid}`);
    this.post({ type: 'started', runId: id, title });
    this.post({ type: 'runs', runs: listRuns(this.roots()) });
    void this.progress(live);
    void run.result.then((r) => this.onEnded(live, r));
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
    if (send && events.length && this.panel && (this.shown === undefined || this.shown === live.id)) this.post({ type: 'events', runId: live.id, events });
  }

  private onEnded(live: LiveRun, r: RunResult): void {
    this.flush(live, true);
    const status = r.status;
    live.ended = {
      type: 'ended',
      runId: live.id,
      status,
      ...(r.error ? { error: r.error } : {}),
      ...(status === 'crashed' || status === 'killed' ? { stderrTail: r.stderrTail.slice(-4000) } : {}),
    };
    this.post(live.ended);
    this.post({ type: 'runs', runs: listRuns(this.roots()) });
    this.host.output.info(`training ended: ${status}${r.error ? ` — ${r.error.message}` : ''}`);
    if (status === 'failed' || status === 'crashed' || status === 'killed') {
      void vscode.window.showErrorMessage(`Layer Lens: training ${live.title} ${status}: ${r.error?.message ?? 'see the training panel'}`);
    }
  }

  /** A progress notification while the run goes on; cancelling it stops the run. */
  private progress(live: LiveRun): Thenable<void> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Training ${live.title}`, cancellable: true }, (progress, token) => {
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
        const state = live.series.info.state?.state === 'paused' ? ' (paused)' : '';
        progress.report({
          increment: Math.max(0, pct - reported),
          message: `step ${last.step}${total ? `/${total}` : ''} · loss ${last.loss === null ? '—' : last.loss.toPrecision(4)}${sps ? ` · ${sps.toFixed(1)} steps/s` : ''}${state}`,
        });
        reported = Math.max(reported, pct);
      }, 300);
      return live.run.result.then(
        () => clearInterval(tick),
        () => clearInterval(tick),
      );
    });
  }

  dispose(): void {
    // VS Code is closing or the extension is going away: no worker may outlive it.
    if (this.live && !this.live.ended) this.live.run.kill();
    if (this.live?.timer) clearTimeout(this.live.timer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
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

/** The page: a strict CSP with a fresh nonce; script and stylesheet from dist/webview only. */
export function trainingHtml(webview: vscode.Webview, root: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'training.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'training.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${style}">
<title>Training</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="placeholder">Loading the training panel…</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
