/**
 * MACs and parameter formulas of the recurrent family, computed by hand.
 * Convention: per timestep, gates·(in·units + units·units); times the timesteps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { applyRule } from '../../src/analysis/layers/apply';
import { ruleForFactory } from '../../src/analysis/layers/registry';
import { type InnerLayer, UnknownValue } from '../../src/analysis/layers/rule';

function run(factory: string, config: Record<string, unknown>, inputs: Shape[]) {
  const rule = ruleForFactory(factory);
  assert.ok(rule, `no rule for ${factory}`);
  return applyRule(rule, inputs, config);
}

function inner(factory: string, config: Record<string, unknown>): InnerLayer {
  return { rule: ruleForFactory(factory)!, config };
}

describe('recurrent MACs (10 timesteps, 32 features, 64 units)', () => {
  const seq: Shape[] = [[null, 10, 32]];
  // One timestep: 32·64 + 64·64 = 2048 + 4096 = 6144 per gate.
  it('lstm: 10·4·6144', () => assert.equal(run('lstm', { units: 64 }, seq).macs, 245_760));
  it('gru: 10·3·6144', () => assert.equal(run('gru', { units: 64 }, seq).macs, 184_320));
  it('simpleRNN: 10·1·6144', () => assert.equal(run('simpleRNN', { units: 64 }, seq).macs, 61_440));
  it('does not depend on returnSequences or the bias', () => {
    assert.equal(run('lstm', { units: 64, returnSequences: true, useBias: false }, seq).macs, 245_760);
  });
  it('is unknown when the sequence length is', () => {
    assert.equal(run('lstm', { units: 64 }, [[null, null, 32]]).macs, null);
  });
  it('rnn({cell}) counts as the matching layer', () => {
    assert.equal(run('rnn', { cell: inner('lstmCell', { units: 64 }) }, seq).macs, 245_760);
    assert.equal(run('rnn', { cell: inner('gruCell', { units: 64 }) }, seq).macs, 184_320);
  });
  it('stacked cells add up: lstm 32→8 then gru 8→4', () => {
    // lstm: 4·(32·8 + 8·8) = 1280; gru: 3·(8·4 + 4·4) = 144; ×10 steps.
    const r = run('rnn', { cell: [inner('lstmCell', { units: 8 }), inner('gruCell', { units: 4 })] }, seq);
    assert.equal(r.macs, 14_240);
  });
  it('bidirectional doubles, timeDistributed multiplies by the steps', () => {
    assert.equal(run('bidirectional', { layer: inner('lstm', { units: 64 }) }, seq).macs, 491_520);
    assert.equal(run('timeDistributed', { layer: inner('dense', { units: 8 }) }, seq).macs, 10 * 32 * 8);
  });
});

describe('dense MACs', () => {
  it('784 → 10: 7840', () => assert.equal(run('dense', { units: 10 }, [[null, 784]]).macs, 7840));
  it('per position on a sequence: 5·12·7', () => assert.equal(run('dense', { units: 7 }, [[null, 5, 12]]).macs, 420));
});

describe('convLstm2d MACs', () => {
  it('5 steps of 16×16×3 → 14×14×4 with 3×3 kernels', () => {
    // Per step: 4·14·14·3·3·4·(3+4) = 197_568.
    assert.equal(run('convLstm2d', { filters: 4, kernelSize: 3 }, [[null, 5, 16, 16, 3]]).macs, 5 * 197_568);
  });
});

describe('recurrent parameter formulas', () => {
  it('lstm', () => assert.equal(run('lstm', { units: 64 }, [[null, 10, 32]]).paramFormula, '4·(64·(32+64)+64) = 24832'));
  it('lstm without bias', () => assert.equal(run('lstm', { units: 64, useBias: false }, [[null, 10, 32]]).paramFormula, '4·64·(32+64) = 24576'));
  it('gru has a single bias', () => assert.equal(run('gru', { units: 64 }, [[null, 10, 32]]).paramFormula, '3·(64·(32+64)+64) = 18624'));
  it('simpleRNN', () => assert.equal(run('simpleRNN', { units: 64 }, [[null, 10, 32]]).paramFormula, '64·(32+64)+64 = 6208'));
  it('stacked cells', () => {
    const r = run('rnn', { cell: [inner('lstmCell', { units: 8 }), inner('gruCell', { units: 4 })] }, [[null, 10, 32]]);
    assert.equal(r.paramFormula, '(4·(8·(32+8)+8)) + (3·(4·(8+4)+4)) = 1468');
  });
  it('convLstm2d', () => {
    assert.equal(run('convLstm2d', { filters: 4, kernelSize: 3 }, [[null, 5, 16, 16, 3]]).paramFormula, '4·(3·3·(3+4)·4+4) = 1024');
  });
  it('bidirectional', () => {
    assert.equal(run('bidirectional', { layer: inner('lstm', { units: 64 }) }, [[null, 10, 32]]).paramFormula, '2·(4·(64·(32+64)+64)) = 49664');
  });
  it('an unknown units count leaves the count unknown, not guessed', () => {
    const r = run('lstm', { units: new UnknownValue('a function parameter') }, [[null, 10, 32]]);
    assert.equal(r.params.total, null);
    assert.equal(r.macs, null);
    assert.deepEqual(r.outputShape, [null, null]);
  });
});

describe('unknown feature sizes', () => {
  it('leave the kernel size unknown and say that tfjs cannot build it', () => {
    const r = run('lstm', { units: 8 }, [[null, 10, null]]);
    assert.deepEqual(r.weights[0].shape, [null, 32]);
    assert.equal(r.params.total, null);
    assert.deepEqual(r.warnings?.map((w) => w.code), ['unknown-weight-size']);
  });
});

describe('unknown shape-deciding config', () => {
  it('returnSequences that cannot be evaluated is an error, not a guess', () => {
    assert.throws(() => run('lstm', { units: 8, returnSequences: new UnknownValue('a variable') }, [[null, 10, 4]]), /returnSequences/);
  });
});
