import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { ourFacts, agree, bothThrow, caseName, inner } from './nested-oracle';

const fast = { recurrentInitializer: 'glorotNormal' };

const cases: [string, Record<string, unknown>, Shape[]][] = [
  ['bidirectional', { layer: inner('lstm', { units: 8, ...fast }) }, [[null, 10, 32]]],
  ['bidirectional', { layer: inner('lstm', { units: 8, returnSequences: true, ...fast }) }, [[null, 10, 32]]],
  ['bidirectional', { layer: inner('gru', { units: 8, ...fast }), mergeMode: 'sum' }, [[null, 10, 32]]],
  ['bidirectional', { layer: inner('gru', { units: 8, returnSequences: true, ...fast }), mergeMode: 'mul' }, [[null, 10, 32]]],
  ['bidirectional', { layer: inner('simpleRNN', { units: 5, ...fast }), mergeMode: 'ave' }, [[null, null, 3]]],
  ['bidirectional', { layer: inner('simpleRNN', { units: 5, returnSequences: true, ...fast }), mergeMode: null }, [[null, 4, 3]]],
  ['bidirectional', { layer: inner('lstm', { units: 8, returnState: true, ...fast }) }, [[null, 10, 32]]],
  ['bidirectional', { layer: inner('lstm', { units: 8, returnState: true, ...fast }), mergeMode: null }, [[null, 10, 32]]],
  ['bidirectional', { layer: inner('gru', { units: 8, returnState: true, returnSequences: true, ...fast }), mergeMode: 'sum' }, [[null, 10, 32]]],
  ['bidirectional', { layer: inner('lstm', { units: 4, trainable: false, ...fast }) }, [[null, 6, 2]]],
  // tfjs accepts any layer here; a dense sees the whole sequence.
  ['bidirectional', { layer: inner('dense', { units: 8 }) }, [[null, 10, 32]]],
  ['bidirectional', { layer: inner('batchNormalization', {}), mergeMode: 'sum' }, [[null, 10, 32]]],
  ['timeDistributed', { layer: inner('dense', { units: 8 }) }, [[null, 10, 32]]],
  ['timeDistributed', { layer: inner('dense', { units: 8, useBias: false }) }, [[null, null, 32]]],
  ['timeDistributed', { layer: inner('dense', { units: 3 }) }, [[null, 10, 4, 5]]],
  ['timeDistributed', { layer: inner('dense', { units: 8, trainable: false }) }, [[null, 10, 32]]],
  ['timeDistributed', { layer: inner('conv2d', { filters: 4, kernelSize: 3 }) }, [[null, 10, 8, 8, 3]]],
  ['timeDistributed', { layer: inner('flatten', {}) }, [[null, 10, 8, 8, 3]]],
  ['timeDistributed', { layer: inner('batchNormalization', {}) }, [[null, 10, 6]]],
  ['timeDistributed', { layer: inner('lstm', { units: 4, ...fast }) }, [[null, 10, 5, 3]]],
  ['timeDistributed', { layer: inner('bidirectional', { layer: inner('gru', { units: 2, ...fast }) }) }, [[null, 7, 5, 3]]],
];

describe('wrappers agree with tfjs', () => {
  for (const [factory, config, inputs] of cases) {
    it(caseName(factory, config, inputs), () => agree(factory, config, inputs));
  }
});

const errors: [string, Record<string, unknown>, Shape[], string][] = [
  ['timeDistributed', { layer: inner('dense', { units: 8 }) }, [[null, 10]], 'wrong-input-rank'],
  ['bidirectional', { layer: inner('lstm', { units: 8, ...fast }) }, [[null, 32]], 'wrong-input-rank'],
  ['bidirectional', { layer: inner('lstm', { units: 8, ...fast }), mergeMode: 'max' }, [[null, 10, 32]], 'invalid-config'],
  // tfjs 4.22 cannot wrap a generic RNN: its copy of the config loses the cell.
  ['bidirectional', { layer: inner('rnn', { cell: inner('lstmCell', { units: 4, ...fast }) }) }, [[null, 6, 2]], 'bidirectional-rnn-cell'],
];

describe('wrappers throw where tfjs throws', () => {
  for (const [factory, config, inputs, code] of errors) {
    it(`${code}: ${caseName(factory, config, inputs)}`, () => bothThrow(factory, config, inputs, code));
  }
});

describe('wrapper details', () => {
  it('names the two copies forward/ and backward/ and doubles the formula', () => {
    const config = { layer: inner('lstm', { units: 64, ...fast }) };
    const facts = ourFacts('bidirectional', config, [[null, 10, 32]]);
    assert.equal(facts.params, 2 * 24832);
  });
  it('checks the inner rank, which tfjs skips (it builds the inner layer without applying it)', () => {
    // tfjs reports [null,10,6,4] for a conv2d on [null,8,3] steps and fails when the model runs.
    assert.throws(
      () => ourFacts('timeDistributed', { layer: inner('conv2d', { filters: 4, kernelSize: 3 }) }, [[null, 10, 8, 3]]),
      /rank/,
    );
  });
  it('refuses to distribute a layer with several outputs (tfjs reports a garbled shape)', () => {
    assert.throws(
      () => ourFacts('timeDistributed', { layer: inner('lstm', { units: 4, returnState: true, ...fast }) }, [[null, 10, 5, 3]]),
      /several outputs|3 outputs/,
    );
  });
});
