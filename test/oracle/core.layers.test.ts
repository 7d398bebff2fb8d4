import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { applyRule } from '../../src/analysis/layers/apply';
import { ruleForFactory } from '../../src/analysis/layers/registry';
import { ourLayer, tfjsLayer } from './layer-oracle';
import { agree, bothThrow, caseName } from './nested-oracle';

const cases: [string, Record<string, unknown>, Shape[]][] = [
  ['dense', { units: 10 }, [[null, 784]]],
  ['dense', { units: 7, useBias: false }, [[null, 5, 12]]],
  ['flatten', {}, [[null, 7, 7, 64]]],
  ['activation', { activation: 'relu' }, [[null, 3, 4]]],
  ['dropout', { rate: 0.5 }, [[null, 100]]],
];

describe('core layers agree with tfjs', () => {
  for (const [factory, config, inputs] of cases) {
    it(`${factory} ${JSON.stringify(config)} on ${JSON.stringify(inputs)}`, () => {
      assert.deepEqual(ourLayer(factory, config, inputs), tfjsLayer(factory, config, inputs));
    });
  }
});

/* ---------- reshape, permute, repeatVector, embedding, dropout family (full facts) ---------- */

const more: [string, Record<string, unknown>, Shape[]][] = [
  ['flatten', {}, [[null, 3, 4]]],
  ['reshape', { targetShape: [2, 12] }, [[null, 4, 6]]],
  // A null batch leaves -1 unresolved: tfjs reports null and checks nothing.
  ['reshape', { targetShape: [-1, 3] }, [[null, 4, 6]]],
  ['reshape', { targetShape: [-1, 512] }, [[null, 7, 7, 64]]],
  ['reshape', { targetShape: [5, 3] }, [[null, 4, 6]]],
  ['reshape', { targetShape: [-1, -1] }, [[null, 4, 6]]],
  ['reshape', { targetShape: [-1, 5] }, [[null, null, 6]]],
  // A known batch makes every size known: tfjs resolves -1.
  ['reshape', { targetShape: [-1, 3] }, [[2, 4, 6]]],
  ['reshape', { targetShape: [24] }, [[2, 4, 6]]],
  ['permute', { dims: [2, 1] }, [[null, 3, 4]]],
  ['permute', { dims: [3, 1, 2] }, [[null, 2, 3, 4]]],
  ['permute', { dims: [1] }, [[null, 5]]],
  ['permute', { dims: [2, 1] }, [[null, null, 4]]],
  ['repeatVector', { n: 4 }, [[null, 7]]],
  ['repeatVector', { n: 1 }, [[3, 2]]],
  ['embedding', { inputDim: 1000, outputDim: 64 }, [[null, 20]]],
  ['embedding', { inputDim: 100, outputDim: 8, inputLength: 7 }, [[null, 7]]],
  ['embedding', { inputDim: 100, outputDim: 8, inputLength: 7 }, [[null, null]]],
  ['embedding', { inputDim: 100, outputDim: 8, inputLength: [3, 4] }, [[null, 3, null]]],
  ['embedding', { inputDim: 10, outputDim: 3 }, [[null, 2, 5]]],
  ['embedding', { inputDim: 10, outputDim: 3, maskZero: true }, [[null]]],
  ['spatialDropout1d', { rate: 0.2 }, [[null, 10, 8]]],
  ['masking', { maskValue: 0 }, [[null, 10, 8]]],
  ['gaussianNoise', { stddev: 0.1 }, [[null, 10, 8]]],
  ['gaussianDropout', { rate: 0.1 }, [[null, 4]]],
  ['alphaDropout', { rate: 0.1 }, [[null, 4, 5]]],
  ['dropout', { rate: 0.1, noiseShape: [null, 1, 5] }, [[null, 4, 5]]],
  ['activation', { activation: 'softmax' }, [[null, 4]]],
];

describe('more core layers agree with tfjs (weights included)', () => {
  for (const [factory, config, inputs] of more) {
    it(caseName(factory, config, inputs), () => agree(factory, config, inputs));
  }
});

const errors: [string, Record<string, unknown>, Shape[], string][] = [
  ['flatten', {}, [[null, 784]], 'wrong-input-rank'],
  ['flatten', {}, [[null, null, 4]], 'flatten-undefined-dim'],
  ['reshape', { targetShape: [5, 3] }, [[2, 4, 6]], 'reshape-size-mismatch'],
  ['reshape', { targetShape: [-1, 5] }, [[2, 4, 6]], 'reshape-size-mismatch'],
  ['reshape', { targetShape: [-1, -1] }, [[2, 4, 6]], 'reshape-multiple-unknown'],
  ['permute', { dims: [0, 1] }, [[null, 3, 4]], 'invalid-config'],
  ['permute', { dims: [1, 1] }, [[null, 3, 4]], 'invalid-config'],
  ['permute', { dims: [2, 1] }, [[null, 3, 4, 5]], 'wrong-input-rank'],
  ['repeatVector', { n: 3 }, [[null, 3, 4]], 'wrong-input-rank'],
  ['embedding', { inputDim: 100, outputDim: 8, inputLength: 7 }, [[null, 5]], 'embedding-input-length'],
  ['embedding', { inputDim: 100, outputDim: 8, inputLength: 7 }, [[null, 7, 2]], 'embedding-input-length'],
  ['embedding', { inputDim: 0, outputDim: 8 }, [[null, 7]], 'invalid-config'],
  ['embedding', { inputDim: 10, outputDim: 1.5 }, [[null, 7]], 'invalid-config'],
  ['spatialDropout1d', { rate: 0.2 }, [[null, 10]], 'wrong-input-rank'],
];

describe('core layers throw where tfjs throws', () => {
  for (const [factory, config, inputs, code] of errors) {
    it(`${code}: ${caseName(factory, config, inputs)}`, () => bothThrow(factory, config, inputs, code));
  }
});

describe('reshape reports what tfjs only finds when the model runs', () => {
  const warningsOf = (targetShape: number[], input: Shape) => {
    const r = applyRule(ruleForFactory('reshape')!, [input], { targetShape });
    return { shape: r.outputShape, codes: (r.warnings ?? []).map((w) => w.code), messages: (r.warnings ?? []).map((w) => w.message), formula: r.shapeFormula };
  };
  it('flags a size mismatch with the numbers', () => {
    const r = warningsOf([5, 3], [null, 4, 6]);
    assert.deepEqual(r.shape, [null, 5, 3]);
    assert.deepEqual(r.codes, ['reshape-size-mismatch']);
    assert.match(r.messages[0], /24 values per sample/);
    assert.match(r.messages[0], /holds 15/);
  });
  it('flags a -1 that cannot divide the size', () => {
    const r = warningsOf([-1, 5], [null, 4, 6]);
    assert.deepEqual(r.shape, [null, null, 5]);
    assert.deepEqual(r.codes, ['reshape-size-mismatch']);
    assert.match(r.messages[0], /24 is not a multiple of 5/);
  });
  it('flags two -1 dimensions', () => {
    assert.deepEqual(warningsOf([-1, -1], [null, 4, 6]).codes, ['reshape-multiple-unknown']);
  });
  it('explains a -1 it can resolve, but still reports null as tfjs does', () => {
    const r = warningsOf([-1, 64], [null, 7, 7, 64]);
    assert.deepEqual(r.shape, [null, null, 64]);
    assert.deepEqual(r.codes, []);
    assert.match(r.formula ?? '', /-1 = 7·7·64 \/ 64 = 49/);
  });
  it('flags [-1,512] on 7×7×64 (3136 values) as a mismatch', () => {
    const r = warningsOf([-1, 512], [null, 7, 7, 64]);
    assert.deepEqual(r.shape, [null, null, 512]);
    assert.deepEqual(r.codes, ['reshape-size-mismatch']);
    assert.match(r.messages[0], /3136 is not a multiple of 512/);
  });
  it('says nothing when the sizes are unknown', () => {
    assert.deepEqual(warningsOf([5, 3], [null, null, 6]).codes, []);
  });
});
