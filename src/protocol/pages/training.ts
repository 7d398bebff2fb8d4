/**
 * The messages between the training panel's page (src/webview/training, a webview) and the
 * extension host (src/client/training-panel.ts), as schemas of the training protocol's own
 * validator (./validate.ts). Both sides validate what they receive: the extension every
 * message from the page (`parseFromPanel`), the page every message from the extension
 * (`parseToPanel`). Worker events travel inside `events` messages as they are and are checked
 * against the worker message schema of ./protocol.ts once more on the page.
 *
 * The page never names a file: runs by id (`<folder index>/<run folder>`, looked up in the
 * workspace's run list), data files by their position in the list the extension sent,
 * layers by name (looked up in the model the extension sent, which carries their lines),
 * the user's training program not at all (the extension decides it: the model's own file or
 * the script chosen in its open dialog), an error's source line by the location the run
 * itself reported (checked against that run's errors before it is revealed).
 * No `vscode`, Node or DOM import: the extension, the page bundle and the tests use it.
 */
import { ACTIVATION_SOURCES, BACKEND_CHOICES, workerMessageSchema, type WorkerMessage } from '../worker';
import type { RunSnapshot } from '../../training/series';
import type { RunSummary } from '../../training/runs';
import {
  array,
  bool,
  int,
  literal,
  nullable,
  num,
  object,
  oneOf,
  optional,
  record,
  str,
  tagged,
  validate,
  type Infer,
  type Result,
} from '../schema';

/** Optimizers the engine rebuilds (trainer.ts DEFAULT_LR). */
export const OPTIMIZERS = ['adam', 'sgd', 'momentum', 'rmsprop', 'adamax', 'adagrad', 'adadelta'] as const;
/** Losses the engine rebuilds (trainer.ts LOSSES), the usual ones first. */
export const LOSSES = [
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'binaryCrossentropy',
  'meanSquaredError',
  'meanAbsoluteError',
  'hinge',
  'squaredHinge',
  'categoricalHinge',
  'logcosh',
  'meanAbsolutePercentageError',
  'meanSquaredLogarithmicError',
  'kullbackLeiblerDivergence',
  'poisson',
  'cosineProximity',
] as const;
/** The built-in datasets the engine offers (engine/datasets.ts DATASET_NAMES), with what they are. */
export const BUILTIN_DATASETS: ReadonlyArray<{ id: string; label: string; description: string }> = [
  { id: 'auto', label: 'Automatic', description: 'a set that fits the model’s input and output' },
  { id: 'mnist', label: 'MNIST digits', description: '10,000 handwritten digits (28×28, 10 classes), from the mnist package' },
  { id: 'spirals', label: 'Spirals', description: 'interleaved 2-D spirals, one per class' },
  { id: 'circles', label: 'Circles', description: 'concentric rings, one per class' },
  { id: 'xor', label: 'XOR', description: 'the quadrant sign problem' },
  { id: 'blobs', label: 'Gaussian blobs', description: 'one cluster per class' },
  { id: 'sine', label: 'Sine regression', description: 'y = sin(w·x + b)' },
  { id: 'images', label: 'Random images', description: 'smooth random templates plus noise, learnable labels' },
  { id: 'sequences', label: 'Random sequences', description: 'any shapes: targets from a fixed random function of the inputs' },
];

const text = str();
const maybeNum = nullable(num());
/** Columns of numbers, `null` for a missing or non-finite value. */
const column = array(maybeNum, 4_000_000);

/** The run snapshot (src/training/series.ts RunSnapshot). */
export const runSnapshotSchema = object({
  info: object({
    hello: optional(workerMessageSchema),
    backend: optional(workerMessageSchema),
    model: optional(workerMessageSchema),
    dataset: optional(workerMessageSchema),
    compile: optional(workerMessageSchema),
    run: optional(workerMessageSchema),
    state: optional(workerMessageSchema),
    done: optional(workerMessageSchema),
    saved: optional(workerMessageSchema),
    errors: array(workerMessageSchema, 10_000),
    logs: array(workerMessageSchema, 10_000),
    activationsFrom: optional(oneOf(ACTIVATION_SOURCES)),
  }),
  steps: object({
    step: column,
    epoch: column,
    loss: column,
    learningRate: column,
    samplesPerSec: column,
    elapsedMs: column,
    metrics: record(column),
  }),
  epochs: object({ step: column, epoch: column, loss: column, valLoss: column, metrics: record(column) }),
  statSteps: column,
  layers: array(
    object({ name: text, className: optional(text), gradNorm: column, updateRatio: column, weightNorm: column, nonFinite: column }),
    20_000,
  ),
  probeSteps: array(int(0), 100_000),
  probes: array(
    object({
      name: text,
      className: text,
      points: array(
        nullable(
          object({
            mean: maybeNum,
            std: maybeNum,
            fracZero: maybeNum,
            fracSaturated: maybeNum,
            histogram: object({ min: maybeNum, max: maybeNum, counts: array(int(0), 1000) }),
          }),
        ),
        100_000,
      ),
    }),
    20_000,
  ),
});

/** The model to train, as the page shows it: layer lines for "click a layer, see its source". */
const targetSchema = object({
  /** The file, relative to its workspace folder. */
  file: text,
  model: text,
  /** 1-based line of the model's creation call. */
  line: int(0),
  kind: oneOf(['sequential', 'functional']),
  layers: array(object({ name: text, className: text, line: nullable(int(0)), params: nullable(num()) }), 20_000),
  inputShapes: array(text, 1000),
  outputShapes: array(text, 1000),
  /** The code's compile call, when it has one: the form's defaults. */
  compile: object({
    optimizer: optional(text),
    learningRate: optional(nullable(num())),
    loss: optional(text),
    metrics: optional(array(text, 100)),
  }),
  /** Errors the analysis found (training is refused while there are any). */
  errors: array(text, 1000),
});

/** Where a user's program failed (protocol.ts's error `source`: the throw, or the fit/minimize call). */
const sourceSchema = object({ file: text, line: int(1), column: optional(int(0)), function: optional(text), text: optional(text) });
export type PanelSource = Infer<typeof sourceSchema>;

/** The user's own training code, as the Setup tab offers it. */
const userCodeSchema = object({
  /** The program the extension would run, or null when the model's file has no training code and no script was chosen. */
  program: nullable(
    object({
      /** The program, relative to its workspace folder (for display). */
      file: text,
      /** Chosen with “Choose a script…” (remembered for this workspace; “Forget” drops it), not the model's own file. */
      chosen: bool(),
      /** The training calls found in it (training-calls.ts); empty when none were found. */
      calls: array(object({ method: text, line: int(1) }), 1000),
    }),
  ),
  /** Why the user's code cannot run now (Restricted Mode); the choice is shown disabled with it. */
  disabled: optional(text),
  /** The Node executable the program runs with, as the user should read it. */
  node: text,
});
export type PanelUserCode = Infer<typeof userCodeSchema>;

/** Running the user's own program: what the page may set (the program itself is the extension's choice). */
const scriptFormSchema = object({
  /** End the program after this many optimizer steps (as completed). */
  steps: optional(int(1)),
  /** Arguments passed to the program (process.argv.slice(2)). */
  args: optional(array(text, 100)),
  /** Save the last trained model (tfjs format) into the run folder when the program ends. */
  saveModel: optional(bool()),
});
export type ScriptForm = Infer<typeof scriptFormSchema>;

const formSchema = object({
  /** A built-in dataset id, or `file` (then `dataFile`). */
  dataset: text,
  /** Index into the `dataFiles` list the extension sent. */
  dataFile: optional(int(0)),
  columns: optional(object({ inputs: array(text, 10_000), targets: array(text, 10_000) })),
  optimizer: oneOf(OPTIMIZERS),
  learningRate: num(),
  /** A loss name, or '' for the model's own choice (its compile call, else from the output activation). */
  loss: text,
  batchSize: int(1),
  epochs: int(1),
  /** Stop after this many steps (overrides epochs). */
  steps: optional(int(1)),
  validationSplit: num(),
  backend: oneOf(BACKEND_CHOICES),
  /** Save the trained model (tfjs format) into the run folder at the end. */
  saveModel: optional(bool()),
});
export type TrainForm = Infer<typeof formSchema>;

const runSummarySchema = object({
  id: text,
  startedAt: text,
  file: text,
  model: text,
  dataset: text,
  backend: text,
  status: oneOf(['running', 'completed', 'stopped', 'failed', 'killed', 'crashed', 'interrupted', 'unknown']),
  steps: nullable(num()),
  loss: maybeNum,
  valLoss: maybeNum,
  durationMs: maybeNum,
  error: optional(text),
  hasModel: bool(),
});

const curveSchema = object({ label: text, step: array(num(), 4_000_000), loss: column, valStep: array(num(), 100_000), valLoss: column });

/** What the extension sends the page. */
export const toPanelSchema = tagged('type', {
  /** Everything the form needs, the run list, and whether the workspace is trusted. */
  init: object({
    type: literal('init'),
    target: nullable(targetSchema),
    dataFiles: array(text, 5000),
    runs: array(runSummarySchema, 1000),
    trusted: bool(),
    /** Why some choices are not offered (Restricted Mode), shown above the form. */
    restriction: optional(text),
    defaults: object({
      backend: oneOf(BACKEND_CHOICES),
      epochs: int(1),
      batchSize: int(1),
      validationSplit: num(),
      steps: optional(int(1)),
    }),
    /** The user's own training code (absent from an extension that does not offer it). */
    userCode: optional(userCodeSchema),
    /** The page's language (the display language; English when absent). */
    locale: optional(oneOf(['en', 'zh-cn'])),
  }),
  runs: object({ type: literal('runs'), runs: array(runSummarySchema, 1000) }),
  /** A new live run: the page clears its charts. */
  started: object({
    type: literal('started'),
    runId: text,
    title: text,
    /** The user's program, when the run is one (relative to its workspace folder). */
    program: optional(text),
  }),
  /** Worker events of the live run, in order, batched (≈ every 100 ms). */
  events: object({ type: literal('events'), runId: text, events: array(workerMessageSchema, 100_000) }),
  /** A whole run at once: a past run reopened, or the live run's history for a reloaded page. */
  snapshot: object({
    type: literal('snapshot'),
    runId: text,
    title: text,
    live: bool(),
    series: runSnapshotSchema,
    skippedLines: optional(int(0)),
  }),
  /** The host's view of how the live run ended (a killed or crashed worker sends no `done`). */
  ended: object({
    type: literal('ended'),
    runId: text,
    status: oneOf(['completed', 'stopped', 'failed', 'killed', 'crashed']),
    error: optional(object({ kind: text, message: text, source: optional(sourceSchema) })),
    /** The last output of the worker, or of the user's program. */
    stderrTail: optional(text),
  }),
  compare: object({ type: literal('compare'), a: curveSchema, b: curveSchema }),
  columns: object({ type: literal('columns'), dataFile: int(0), columns: array(text, 10_000), rows: int(0), error: optional(text) }),
  notice: object({ type: literal('notice'), level: oneOf(['info', 'warning', 'error']), message: text }),
});

/** What the page sends the extension. */
export const fromPanelSchema = tagged('type', {
  ready: object({ type: literal('ready') }),
  start: object({ type: literal('start'), form: formSchema }),
  pause: object({ type: literal('pause') }),
  resume: object({ type: literal('resume') }),
  stop: object({ type: literal('stop') }),
  'save-model': object({ type: literal('save-model') }),
  'open-run': object({ type: literal('open-run'), runId: text }),
  'compare-runs': object({ type: literal('compare-runs'), a: text, b: text }),
  'refresh-runs': object({ type: literal('refresh-runs') }),
  /** Reveal a layer's source line (by its name in the target model). */
  'reveal-layer': object({ type: literal('reveal-layer'), layer: text }),
  /** Reveal the model's creation call. */
  'reveal-model': object({ type: literal('reveal-model') }),
  /** The columns of a listed data file, for the column picker. */
  'data-columns': object({ type: literal('data-columns'), dataFile: int(0) }),
  /** Choose a data file from the workspace with VS Code's open dialog. */
  'browse-data-file': object({ type: literal('browse-data-file') }),
  /** Show the run folder of a run in the OS / the explorer. */
  'reveal-run': object({ type: literal('reveal-run'), runId: text }),
  /** Run the user's own training program (the one the extension offered in `init.userCode`). */
  'start-script': object({ type: literal('start-script'), form: scriptFormSchema }),
  /** Choose the training program for this model with VS Code's open dialog (remembered for the workspace). */
  'choose-script': object({ type: literal('choose-script') }),
  /** Forget the chosen program. */
  'forget-script': object({ type: literal('forget-script') }),
  /** Reveal where a run's program failed: a location that run reported (checked by the extension). */
  'reveal-source': object({ type: literal('reveal-source'), runId: text, file: text, line: int(1), column: optional(int(0)) }),
});

export type PanelTarget = Infer<typeof targetSchema>;
export type PanelRunSummary = RunSummary;
export type LossCurve = Infer<typeof curveSchema>;

type Distribute<U> = U extends unknown ? U : never;
type RawToPanel = Distribute<Infer<typeof toPanelSchema>>;
/** Messages to the page, with the worker-message and snapshot fields at their precise types. */
export type ToPanel =
  | Exclude<RawToPanel, { type: 'events' } | { type: 'snapshot' } | { type: 'runs' } | { type: 'init' }>
  | (Omit<Extract<RawToPanel, { type: 'init' }>, 'runs'> & { runs: RunSummary[] })
  | { type: 'runs'; runs: RunSummary[] }
  | { type: 'events'; runId: string; events: WorkerMessage[] }
  | { type: 'snapshot'; runId: string; title: string; live: boolean; series: RunSnapshot; skippedLines?: number };
export type FromPanel = Distribute<Infer<typeof fromPanelSchema>>;

export function parseToPanel(value: unknown): Result<ToPanel> {
  return validate(toPanelSchema, value) as Result<ToPanel>;
}

export function parseFromPanel(value: unknown): Result<FromPanel> {
  return validate(fromPanelSchema, value) as Result<FromPanel>;
}

/** Checks the values the schema cannot (ranges that depend on each other); an error text or undefined. */
export function checkForm(form: TrainForm): string | undefined {
  if (!(form.learningRate > 0) || form.learningRate > 10) return `learning rate ${form.learningRate} is not in (0, 10]`;
  if (!(form.validationSplit >= 0) || form.validationSplit >= 0.9) return `validation split ${form.validationSplit} is not in [0, 0.9)`;
  if (form.batchSize > 65_536) return `batch size ${form.batchSize} is too large`;
  if (form.epochs > 100_000) return `${form.epochs} epochs is too many`;
  if (form.dataset === 'file' && form.dataFile === undefined) return 'choose a data file';
  if (form.dataset !== 'file' && !BUILTIN_DATASETS.some((d) => d.id === form.dataset)) return `unknown dataset '${form.dataset}'`;
  if (form.loss !== '' && !(LOSSES as readonly string[]).includes(form.loss)) return `unknown loss '${form.loss}'`;
  return undefined;
}

/** What a run of the user's program may be asked for: an error text, or undefined. */
export function checkScriptForm(form: ScriptForm): string | undefined {
  if (form.steps !== undefined && form.steps > 1e9) return `${form.steps} steps is too many`;
  for (const a of form.args ?? []) {
    if (a.length > 4096) return 'a program argument is longer than 4,096 characters';
    if (a.includes('\0')) return 'a program argument holds a NUL character';
  }
  return undefined;
}

/**
 * The program's arguments as typed in one line: split at spaces, except inside single or
 * double quotes (which are removed); a backslash keeps the next character as it is.
 */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length && quote !== "'") {
      cur += line[++i];
      has = true;
    } else if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** “fit() at line 42”, “minimize() at line 7 and 2 more calls”; '' for none. */
export function trainingCallsText(calls: ReadonlyArray<{ method: string; line: number }>): string {
  if (calls.length === 0) return '';
  const first = `${calls[0].method}() at line ${calls[0].line}`;
  return calls.length === 1 ? first : `${first} and ${calls.length - 1} more call${calls.length > 2 ? 's' : ''}`;
}

/** Is `asked` one of the locations a run reported (so the page cannot open a file of its choosing)? */
export function isReportedSource(reported: ReadonlyArray<PanelSource | undefined>, asked: { file: string; line: number }): boolean {
  return reported.some((s) => s !== undefined && s.file === asked.file && s.line === asked.line);
}
