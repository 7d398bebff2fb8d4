import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { agree, bothThrow, caseName, inner } from './nested-oracle';

// tfjs's default orthogonal recurrent initializer is slow for big kernels; a fast one
// leaves shapes and counts unchanged. Both sides get the same config.
const fast = { recurrentInitializer: 'glorotNormal' };

const cases: [string, Record<string, unknown>, Shape[]][] = [
  ['lstm', { units: 64, ...fast }, [[null, 10, 32]]],
  ['lstm', { units: 8, returnSequences: true, ...fast }, [[null, 10, 32]]],
  ['lstm', { units: 8, returnState: true, ...fast }, [[null, 10, 32]]],
  ['lstm', { units: 8, returnSequences: true, returnState: true, ...fast }, [[null, null, 5]]],
  ['lstm', { units: 6, useBias: false, ...fast }, [[4, 7, 3]]],
  ['lstm', { units: 3, unitForgetBias: true, ...fast }, [[null, 7, 3]]],
  ['lstm', { units: 3, stateful: true, ...fast }, [[4, 7, 3]]],
  ['gru', { units: 8, ...fast }, [[null, 10, 32]]],
  ['gru', { units: 16, returnSequences: true, returnState: true, ...fast }, [[null, 20, 4]]],
  ['gru', { units: 5, useBias: false, ...fast }, [[null, 2, 9]]],
  ['simpleRNN', { units: 64, ...fast }, [[null, 10, 32]]],
  ['simpleRNN', { units: 4, returnState: true, returnSequences: true, ...fast }, [[2, 3, 1]]],
  ['simpleRNN', { units: 4, useBias: false, goBackwards: true, ...fast }, [[null, 3, 7]]],
  ['rnn', { cell: inner('lstmCell', { units: 8, ...fast }) }, [[null, 10, 32]]],
  ['rnn', { cell: inner('gruCell', { units: 8, ...fast }), returnState: true }, [[null, 10, 32]]],
  ['rnn', { cell: inner('simpleRNNCell', { units: 3, ...fast }), returnSequences: true }, [[null, 6, 2]]],
  ['rnn', { cell: [inner('lstmCell', { units: 8, ...fast }), inner('gruCell', { units: 4, ...fast })], returnState: true }, [[null, 10, 32]]],
  [
    'rnn',
    { cell: inner('stackedRNNCells', { cells: [inner('simpleRNNCell', { units: 8, ...fast }), inner('lstmCell', { units: 4, ...fast })] }), returnSequences: true, returnState: true },
    [[null, 10, 32]],
  ],
  ['rnn', { cell: inner('lstmCell', { units: 8, trainable: false, ...fast }) }, [[null, 10, 32]]],
  ['convLstm2d', { filters: 4, kernelSize: 3, ...fast }, [[null, 5, 16, 16, 3]]],
  ['convLstm2d', { filters: 4, kernelSize: 3, returnState: true, ...fast }, [[null, 5, 16, 16, 3]]],
  ['convLstm2d', { filters: 4, kernelSize: 3, returnSequences: true, returnState: true, padding: 'same', strides: 2, ...fast }, [[null, 5, 16, 15, 3]]],
  ['convLstm2d', { filters: 2, kernelSize: [3, 2], dilationRate: 2, useBias: false, returnSequences: true, ...fast }, [[null, null, 9, 8, 1]]],
  ['convLstm2d', { filters: 2, kernelSize: 3, dataFormat: 'channelsFirst', returnState: true, ...fast }, [[null, 4, 3, 10, 12]]],
  ['convLstm2d', { filters: 2, kernelSize: 3, padding: 'valid', ...fast }, [[null, 4, null, 10, 5]]],
  // Cells applied directly: tfjs reports the input shape and builds weights from the last axis.
  ['lstmCell', { units: 8, ...fast }, [[null, 32]]],
  ['gruCell', { units: 8, ...fast }, [[null, 32]]],
  ['simpleRNNCell', { units: 8, useBias: false, ...fast }, [[null, 32]]],
  ['stackedRNNCells', { cells: [inner('simpleRNNCell', { units: 8, ...fast }), inner('gruCell', { units: 4, ...fast })] }, [[null, 32]]],
  ['convLstm2dCell', { filters: 3, kernelSize: 2, ...fast }, [[null, 8, 8, 5]]],
];

describe('recurrent layers agree with tfjs', () => {
  for (const [factory, config, inputs] of cases) {
    it(caseName(factory, config, inputs), () => agree(factory, config, inputs));
  }
});

const errors: [string, Record<string, unknown>, Shape[], string][] = [
  ['lstm', { units: 8, ...fast }, [[null, 32]], 'wrong-input-rank'],
  ['gru', { units: 8, ...fast }, [[null, 2, 3, 32]], 'wrong-input-rank'],
  ['simpleRNN', { units: 0, ...fast }, [[null, 2, 3]], 'invalid-config'],
  ['lstm', { units: 2.5, ...fast }, [[null, 2, 3]], 'invalid-config'],
  ['gru', { units: 4, resetAfter: true, ...fast }, [[null, 2, 3]], 'invalid-config'],
  ['lstm', { units: 3, stateful: true, ...fast }, [[null, 7, 3]], 'stateful-needs-batch-size'],
  ['rnn', { cell: inner('dense', { units: 3 }) }, [[null, 7, 3]], 'not-an-rnn-cell'],
  ['convLstm2d', { filters: 4, kernelSize: 3, ...fast }, [[null, 16, 16, 3]], 'wrong-input-rank'],
  ['convLstm2d', { filters: 4, kernelSize: 3, ...fast }, [[null, 5, 16, 16, null]], 'undefined-channel-dim'],
  ['convLstm2d', { filters: 4, kernelSize: 3, unroll: true, ...fast }, [[null, 5, 16, 16, 3]], 'invalid-config'],
  ['convLstm2d', { filters: 4, kernelSize: 3, padding: 'full', ...fast }, [[null, 5, 16, 16, 3]], 'invalid-config'],
];

describe('recurrent layers throw where tfjs throws', () => {
  for (const [factory, config, inputs, code] of errors) {
    it(`${code}: ${caseName(factory, config, inputs)}`, () => bothThrow(factory, config, inputs, code));
  }
});
