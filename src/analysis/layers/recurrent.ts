/**
 * Recurrent layers and cells (tfjs-layers `layers/recurrent.ts`,
 * `layers/convolutional_recurrent.ts`): simpleRNN, gru, lstm, rnn({cell}), convLstm2d,
 * and the cells simpleRNNCell, gruCell, lstmCell, stackedRNNCells, convLstm2dCell.
 *
 * MACs convention (one sample): the matrix products of every timestep, gates included;
 * activations, gate products and bias adds are not counted. Per timestep:
 *   SimpleRNN 1·(in·units + units·units), GRU 3·(…), LSTM 4·(…);
 *   ConvLSTM2D 4·outH·outW·kH·kW·filters·(inChannels + filters).
 * Times the number of timesteps; null when the sequence length is unknown.
 *
 * tfjs's GRU has a single bias (no Keras `reset_after`), so its parameter count is
 * 3·(units·(input+units)+units), 3·units fewer than the Keras 2 default.
 */
import type { Count, Dim, OutputShape, Shape, WeightInfo } from '../graph';
import { innerLayer, knownBool, positiveInt, unknownWeightWarning, weightCount } from './helpers';
import {
  ConfigReader,
  type InnerLayer,
  type LayerRule,
  type RuleOutput,
  ShapeError,
  UnknownValue,
  dot,
  fmtNum,
  fmtShape,
  isInnerLayer,
  mul,
  requireRank,
  single,
  sum,
  weight,
} from './rule';

/** What an RNN needs from its cell, built for one timestep's input size. */
interface CellSpec {
  /** Sizes of the recurrent states, in tfjs's order; the first is the output size. */
  stateSize: Dim[];
  weights: WeightInfo[];
  /** MACs of one timestep. */
  stepMacs: Count;
  /** The parameter count as an expression in the user's numbers, without `= N`. */
  paramExpr: string;
}

type CellBuilder = (cfg: ConfigReader, inputDim: Dim) => CellSpec;

/* ---------- the three classic cells ---------- */

/**
 * SimpleRNN (1 gate), GRU (3) and LSTM (4) share one layout: kernel [in, g·units],
 * recurrent_kernel [units, g·units], bias [g·units].
 */
function gatedCell(className: string, gates: number, states: number): CellBuilder {
  return (cfg, inputDim) => {
    if (className === 'GRUCell' && cfg.bool('resetAfter', false) === true) {
      throw new ShapeError('invalid-config', 'GRU: tfjs does not support resetAfter: true.');
    }
    const units = positiveInt(cfg, 'units');
    const useBias = cfg.bool('useBias', true) !== false;
    const width = mul(gates, units);
    const weights = [weight('kernel', [inputDim, width]), weight('recurrent_kernel', [units, width])];
    if (useBias) weights.push(weight('bias', [width]));
    const u = fmtNum(units);
    const inner = `${u}·(${fmtNum(inputDim)}+${u})`;
    const perGate = useBias ? `${inner}+${u}` : inner;
    const paramExpr = gates === 1 ? perGate : useBias ? `${gates}·(${perGate})` : `${gates}·${perGate}`;
    return {
      stateSize: new Array<Dim>(states).fill(units),
      weights,
      stepMacs: mul(gates, sum([mul(inputDim, units), mul(units, units)])),
      paramExpr,
    };
  };
}

const simpleRNNCell = gatedCell('SimpleRNNCell', 1, 1);
const gruCell = gatedCell('GRUCell', 3, 1);
const lstmCell = gatedCell('LSTMCell', 4, 2);

/* ---------- stacked cells ---------- */

/** The cells of `rnn({cell: [...]})` or `stackedRNNCells({cells})`. */
function cellList(raw: unknown, owner: string): InnerLayer[] {
  if (raw instanceof UnknownValue || (Array.isArray(raw) && raw.some((c) => c instanceof UnknownValue))) {
    throw new ShapeError('unknown-config', `${owner}: the list of cells could not be evaluated.`);
  }
  if (!Array.isArray(raw) || !raw.every(isInnerLayer)) {
    throw new ShapeError('missing-config', `${owner}: 'cells' must be a list of RNN cells (tf.layers.lstmCell, …).`);
  }
  return raw;
}

/**
 * Each cell is built on the previous cell's output size. tfjs lists the states in
 * reverse cell order (`[h2, c2, h1, c1]`) so that the first state is still the output.
 */
function stackedCells(cells: InnerLayer[], inputDim: Dim): CellSpec {
  const built: CellSpec[] = [];
  let dim = inputDim;
  for (const cell of cells) {
    const spec = cellSpecOf(cell, dim);
    built.push(spec);
    dim = spec.stateSize[0];
  }
  return {
    stateSize: built
      .slice()
      .reverse()
      .flatMap((c) => c.stateSize),
    weights: built.flatMap((c, i) => c.weights.map((w) => ({ ...w, name: `RNNCell_${i}/${w.name}` }))),
    stepMacs: sum(built.map((c) => c.stepMacs)),
    paramExpr: built.map((c) => (built.length > 1 ? `(${c.paramExpr})` : c.paramExpr)).join(' + '),
  };
}

const stackedRNNCells: CellBuilder = (cfg, inputDim) => stackedCells(cellList(cfg.raw('cells'), cfg.className), inputDim);

const CELLS: Record<string, CellBuilder> = {
  SimpleRNNCell: simpleRNNCell,
  GRUCell: gruCell,
  LSTMCell: lstmCell,
  StackedRNNCells: stackedRNNCells,
};

/** The spec of a cell passed to `rnn`, honouring the cell's own `trainable: false`. */
function cellSpecOf(cell: InnerLayer, inputDim: Dim): CellSpec {
  const build = CELLS[cell.rule.className];
  if (!build) {
    throw new ShapeError(
      'not-an-rnn-cell',
      `RNN: ${cell.rule.className} is not an RNN cell; pass tf.layers.simpleRNNCell, gruCell, lstmCell or stackedRNNCells.`,
    );
  }
  const spec = build(new ConfigReader(cell.config, cell.rule.className), inputDim);
  if (cell.config.trainable !== false) return spec;
  return { ...spec, weights: spec.weights.map((w) => ({ ...w, trainable: false })) };
}

/* ---------- RNN layers ---------- */

/** `[output, ...states]` as tfjs's RNN.computeOutputShape reports them. */
function rnnOutputShape(seq: Shape, stateSize: Dim[], returnSequences: boolean, returnState: boolean): OutputShape {
  const output: Shape = returnSequences ? [seq[0], seq[1], stateSize[0]] : [seq[0], stateSize[0]];
  return returnState ? [output, ...stateSize.map((d) => [seq[0], d])] : output;
}

/** Extra inputs after the sequence are initial states (`apply([x, h, c])`). */
function checkInitialStates(className: string, states: Shape[], stateCount: number): void {
  if (states.length > 0 && states.length !== stateCount) {
    throw new ShapeError(
      'rnn-state-count',
      `${className} has ${stateCount} state(s) but was passed ${states.length} initial state(s): ${states.map(fmtShape).join(', ')}.`,
    );
  }
}

/** tfjs resets the states of a stateful RNN while building, which needs a fixed batch size. */
function checkStateful(className: string, cfg: ConfigReader, seq: Shape): void {
  if (cfg.bool('stateful', false) === true && seq[0] === null) {
    throw new ShapeError(
      'stateful-needs-batch-size',
      `${className} is stateful, so it needs to know its batch size: give the first layer batchInputShape, or the input batchShape (got ${fmtShape(seq)}).`,
    );
  }
}

function recurrentRule(className: string, factories: string[], cellOf: CellBuilder): LayerRule {
  return {
    className,
    factories,
    build(input): RuleOutput {
      if (input.inputShapes.length === 0) single(input, className);
      const [seq, ...states] = input.inputShapes;
      const cfg = input.cfg;
      requireRank(seq, 3, className);
      const returnSequences = knownBool(cfg, 'returnSequences', false);
      const returnState = knownBool(cfg, 'returnState', false);
      const cell = cellOf(cfg, seq[2]);
      checkInitialStates(className, states, cell.stateSize.length);
      checkStateful(className, cfg, seq);
      const warnings = unknownWeightWarning(className, cell.weights);
      return {
        outputShape: rnnOutputShape(seq, cell.stateSize, returnSequences, returnState),
        weights: cell.weights,
        macs: mul(seq[1], cell.stepMacs),
        paramFormula: `${cell.paramExpr} = ${fmtNum(weightCount(cell.weights))}`,
        warnings: warnings.length > 0 ? warnings : undefined,
      };
    },
  };
}

/** `rnn({cell})`: one cell, or a list of cells that tfjs stacks. */
function rnnCell(cfg: ConfigReader, inputDim: Dim): CellSpec {
  const raw = cfg.raw('cell');
  if (Array.isArray(raw)) return stackedCells(cellList(raw, 'RNN'), inputDim);
  return cellSpecOf(innerLayer(cfg, 'cell'), inputDim);
}

/* ---------- cells applied on their own ---------- */

/**
 * A cell applied directly to a tensor: tfjs builds its weights from the last dimension
 * and, lacking a computeOutputShape of its own, reports the input shape as the output.
 * Calling it on data then fails (a cell expects [input, ...states]).
 */
function cellRule(className: string, factory: string, build: CellBuilder): LayerRule {
  return {
    className,
    factories: [factory],
    build(input) {
      const shape = single(input, className);
      const cell = build(input.cfg, shape[shape.length - 1] ?? null);
      return {
        outputShape: [...shape],
        weights: cell.weights,
        macs: cell.stepMacs,
        paramFormula: `${cell.paramExpr} = ${fmtNum(weightCount(cell.weights))}`,
        warnings: [directCellWarning(className)],
      };
    },
  };
}

function directCellWarning(className: string): { code: string; message: string } {
  return {
    code: 'rnn-cell-applied-directly',
    message: `${className} is meant to be passed to tf.layers.rnn({cell}); applied directly, tfjs reports the input shape as its output and fails when the model runs.`,
  };
}

/* ---------- ConvLSTM2D ---------- */

/** tfjs's `convOutputLength`: 'same' keeps the size, anything else is 'valid'; then ceil by stride. */
function convOutputLength(size: Dim, kernel: Dim, padding: string | null, stride: Dim, dilation: Dim): Dim {
  if (size === null || kernel === null || padding === null || stride === null || dilation === null) return null;
  const dilated = kernel + (kernel - 1) * (dilation - 1);
  const length = padding === 'same' ? size : size - dilated + 1;
  return Math.floor((length + stride - 1) / stride);
}

function positiveTuple(cfg: ConfigReader, key: string, def?: number): Dim[] {
  const t = cfg.tuple(key, 2, def);
  for (const v of t) {
    if (v !== null && !(Number.isInteger(v) && v > 0)) {
      throw new ShapeError('invalid-config', `ConvLSTM2D: expected '${key}' to hold positive integers, got ${fmtShape(t)}.`);
    }
  }
  return t;
}

interface ConvLstmConfig {
  filters: Dim;
  kernel: Dim[];
  strides: Dim[];
  dilation: Dim[];
  padding: string | null;
  channelsFirst: boolean;
}

function convLstmConfig(cfg: ConfigReader): ConvLstmConfig {
  const padding = cfg.str('padding', 'valid');
  if (padding !== null && !['valid', 'same', 'causal'].includes(padding)) {
    throw new ShapeError('invalid-config', `ConvLSTM2D: padding must be 'valid', 'same' or 'causal', got '${padding}'.`);
  }
  const dataFormat = cfg.str('dataFormat', 'channelsLast');
  if (dataFormat === null) {
    throw new ShapeError('unknown-config', `ConvLSTM2D: 'dataFormat' could not be evaluated, and the output shape depends on it.`);
  }
  if (dataFormat !== 'channelsLast' && dataFormat !== 'channelsFirst') {
    throw new ShapeError('invalid-config', `ConvLSTM2D: dataFormat must be 'channelsLast' or 'channelsFirst', got '${dataFormat}'.`);
  }
  return {
    filters: positiveInt(cfg, 'filters'),
    kernel: positiveTuple(cfg, 'kernelSize'),
    strides: positiveTuple(cfg, 'strides', 1),
    dilation: positiveTuple(cfg, 'dilationRate', 1),
    padding,
    channelsFirst: dataFormat === 'channelsFirst',
  };
}

/** Weights of one ConvLSTM2D cell on `inChannels` input channels. */
function convLstmWeights(c: ConvLstmConfig, inChannels: Dim, useBias: boolean): { weights: WeightInfo[]; paramExpr: string } {
  const width = mul(4, c.filters);
  const weights = [
    weight('kernel', [...c.kernel, inChannels, width]),
    weight('recurrent_kernel', [...c.kernel, c.filters, width]),
  ];
  if (useBias) weights.push(weight('bias', [width]));
  const f = fmtNum(c.filters);
  const body = `${dot(c.kernel)}·(${fmtNum(inChannels)}+${f})·${f}`;
  return { weights, paramExpr: useBias ? `4·(${body}+${f})` : `4·${body}` };
}

function requireChannels(channels: Dim, shape: Shape, className: string): void {
  if (channels === null) {
    throw new ShapeError(
      'undefined-channel-dim',
      `${className}: the channel dimension of the input should be defined, got input shape ${fmtShape(shape)}.`,
    );
  }
}

const convLstm2d: LayerRule = {
  className: 'ConvLSTM2D',
  factories: ['convLstm2d'],
  build(input) {
    if (input.inputShapes.length === 0) single(input, 'ConvLSTM2D');
    const [seq, ...states] = input.inputShapes;
    const cfg = input.cfg;
    if (cfg.bool('unroll', false) === true) {
      throw new ShapeError('invalid-config', 'ConvLSTM2D: unrolling is not possible with convolutional RNNs.');
    }
    const c = convLstmConfig(cfg);
    const returnSequences = knownBool(cfg, 'returnSequences', false);
    const returnState = knownBool(cfg, 'returnState', false);
    requireRank(seq, 5, 'ConvLSTM2D');
    checkInitialStates('ConvLSTM2D', states, 2);
    const inChannels = c.channelsFirst ? seq[2] : seq[4];
    requireChannels(inChannels, seq, 'ConvLSTM2D');
    const [h, w] = c.channelsFirst ? [seq[3], seq[4]] : [seq[2], seq[3]];
    const outH = convOutputLength(h, c.kernel[0], c.padding, c.strides[0], c.dilation[0]);
    const outW = convOutputLength(w, c.kernel[1], c.padding, c.strides[1], c.dilation[1]);
    const map: Shape = c.channelsFirst ? [c.filters, outH, outW] : [outH, outW, c.filters];
    const output: Shape = returnSequences ? [seq[0], seq[1], ...map] : [seq[0], ...map];
    checkStateful('ConvLSTM2D', cfg, seq);
    const { weights, paramExpr } = convLstmWeights(c, inChannels, cfg.bool('useBias', true) !== false);
    // The recurrent convolution runs with stride 1 and 'same' padding on the outH×outW state.
    const stepMacs = mul(4, outH, outW, c.kernel[0], c.kernel[1], c.filters, sum([inChannels, c.filters]));
    const negative = [outH, outW].some((d) => d !== null && d <= 0);
    return {
      outputShape: returnState ? [output, [seq[0], ...map], [seq[0], ...map]] : output,
      weights,
      macs: mul(seq[1], stepMacs),
      paramFormula: `${paramExpr} = ${fmtNum(weightCount(weights))}`,
      shapeFormula: `${fmtNum(h)}×${fmtNum(w)} → ${fmtNum(outH)}×${fmtNum(outW)} (${c.padding ?? '?'}, kernel ${dot(c.kernel)}, strides ${dot(c.strides)})`,
      warnings: negative
        ? [
            {
              code: 'negative-output-size',
              message: `ConvLSTM2D: a ${dot(c.kernel)} kernel does not fit the ${fmtNum(h)}×${fmtNum(w)} input; the output would be ${fmtNum(outH)}×${fmtNum(outW)}.`,
            },
          ]
        : undefined,
    };
  },
};

/** convLstm2dCell applied directly: weights from the channel axis, output = input (as tfjs). */
const convLstm2dCell: LayerRule = {
  className: 'ConvLSTM2DCell',
  factories: ['convLstm2dCell'],
  build(input) {
    const shape = single(input, 'ConvLSTM2DCell');
    const c = convLstmConfig(input.cfg);
    const inChannels = (c.channelsFirst ? shape[1] : shape[shape.length - 1]) ?? null;
    requireChannels(inChannels, shape, 'ConvLSTM2DCell');
    const { weights, paramExpr } = convLstmWeights(c, inChannels, input.cfg.bool('useBias', true) !== false);
    return {
      outputShape: [...shape],
      weights,
      macs: null,
      paramFormula: `${paramExpr} = ${fmtNum(weightCount(weights))}`,
      warnings: [directCellWarning('ConvLSTM2DCell')],
    };
  },
};

export const recurrentRules: LayerRule[] = [
  recurrentRule('SimpleRNN', ['simpleRNN'], simpleRNNCell),
  recurrentRule('GRU', ['gru'], gruCell),
  recurrentRule('LSTM', ['lstm'], lstmCell),
  recurrentRule('RNN', ['rnn'], rnnCell),
  convLstm2d,
  cellRule('SimpleRNNCell', 'simpleRNNCell', simpleRNNCell),
  cellRule('GRUCell', 'gruCell', gruCell),
  cellRule('LSTMCell', 'lstmCell', lstmCell),
  cellRule('StackedRNNCells', 'stackedRNNCells', stackedRNNCells),
  convLstm2dCell,
];
