/**
 * What the host tells the preload (`dist/train-preload.js`) that runs inside the user's own
 * training program, and the control file both sides share.
 *
 * The preload runs before the program's first line, so it cannot wait for a `start` message:
 * its settings come in the environment variable `LAYER_LENS_SCRIPT_CONFIG` (JSON, validated
 * here). Events go back over Node's IPC channel as the built-in worker's do (protocol.ts).
 *
 * Control: pause/resume/stop are written by the host into `<runDir>/control.json` (atomically)
 * and then announced over IPC. A program whose loop awaits between steps (fit, fitDataset,
 * trainOnBatch, most custom loops) reacts to the IPC message at once; a custom loop that never
 * yields to the event loop cannot receive IPC messages, so at every step boundary the preload
 * also re-reads the file (at most every 100 ms), and while paused it blocks in place, polling it.
 */
import { ACTIVATION_SOURCES } from '../../protocol/worker';
import { array, bool, int, literal, object, oneOf, optional, str, validate, type Infer, type Result } from '../../protocol/schema';

export const SCRIPT_CONFIG_ENV = 'LAYER_LENS_SCRIPT_CONFIG';
export const CONTROL_FILE = 'control.json';

export const TRANSPILERS = ['auto', 'esbuild', 'typescript'] as const;
export type TranspilerChoice = (typeof TRANSPILERS)[number];

export const scriptConfigSchema = object({
  v: literal(1),
  /** The program to run (absolute path). */
  script: str(),
  args: optional(array(str())),
  /** The analysed file the run is about (the script itself, or the file whose model it trains). */
  file: optional(str()),
  /** The analysed model's name, when one was picked (run.json, the `model` event). */
  modelName: optional(str()),
  /** Its layer names (analysis order): the trained LayersModel whose layers match gets `modelName`. */
  modelLayers: optional(array(str())),
  /** sha256 of the script's text. */
  codeHash: str(),
  runDir: str(),
  /** Per-layer gradient statistics every N optimizer steps (default 10; 1: every step). */
  statsEvery: optional(int(1)),
  /** Activation statistics every N steps (default 50): on a fixed probe batch, or the step's own batch (`activationsFrom`). */
  probeEvery: optional(int(1)),
  probeSize: optional(int(1)),
  /**
   * Where activation statistics come from (as the built-in trainer's TrainConfig): the fixed
   * probe batch in inference mode (default), or 'batch', the forward pass of the program's own
   * fit/fitDataset/trainOnBatch step (no extra pass, training mode).
   */
  activationsFrom: optional(oneOf(ACTIVATION_SOURCES)),
  histogramBins: optional(int(2)),
  /** A `step` event at most every this many ms (0, the default: every step). */
  stepEventMs: optional(int(0)),
  /** End the program after this many optimizer steps (status completed). */
  maxSteps: optional(int(1)),
  /** End the run with an error at the first NaN/Infinity loss (default true). */
  stopOnNaN: optional(bool()),
  /** Save the last trained LayersModel into `<runDir>/model` when the program ends. */
  saveModel: optional(bool()),
  /** How TypeScript is transpiled (default auto: esbuild, else the TypeScript compiler). */
  transpiler: optional(oneOf(TRANSPILERS)),
});
export type ScriptConfig = Infer<typeof scriptConfigSchema>;

export function parseScriptConfig(value: unknown): Result<ScriptConfig> {
  return validate(scriptConfigSchema, value) as Result<ScriptConfig>;
}

export type ControlState = 'running' | 'paused' | 'stopping';

export interface ControlFile {
  /** Increases with every write. */
  seq: number;
  state: ControlState;
}

export function parseControl(text: string): ControlFile | undefined {
  try {
    const v = JSON.parse(text) as Partial<ControlFile>;
    if (typeof v.seq === 'number' && (v.state === 'running' || v.state === 'paused' || v.state === 'stopping'))
      return { seq: v.seq, state: v.state };
  } catch {
    // a torn or foreign file: ignored
  }
  return undefined;
}
