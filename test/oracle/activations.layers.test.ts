import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { applyRule } from '../../src/analysis/layers/apply';
import { ruleForFactory } from '../../src/analysis/layers/registry';
import { agree, bothThrow, caseName } from './nested-oracle';

const cases: [string, Record<string, unknown>, Shape[]][] = [
  ['elu', {}, [[null, 10]]],
  ['elu', { alpha: 1 }, [[null, 3, 4]]],
  ['leakyReLU', {}, [[null, 10]]],
  ['leakyReLU', { alpha: 0.2 }, [[null, 3, 4, 5]]],
  ['reLU', {}, [[null, 10]]],
  ['reLU', { maxValue: 6 }, [[null, null, 4]]],
  ['softmax', {}, [[null, 10]]],
  ['softmax', { axis: 1 }, [[null, 3, 4]]],
  ['thresholdedReLU', { theta: 0.5 }, [[null, 7]]],
  ['prelu', {}, [[null, 10]]],
  ['prelu', {}, [[null, 5, 6, 7]]],
  ['prelu', { sharedAxes: [1, 2] }, [[null, 5, 6, 7]]],
  ['prelu', { sharedAxes: 3 }, [[null, 5, 6, 7]]],
  // tfjs writes paramShape[axis - 1] = 1: one past the end appends a 1.
  ['prelu', { sharedAxes: [3] }, [[null, 5, 6]]],
  ['prelu', { sharedAxes: [1] }, [[null, null, 6]]],
];

describe('activation layers agree with tfjs', () => {
  for (const [factory, config, inputs] of cases) {
    it(caseName(factory, config, inputs), () => agree(factory, config, inputs));
  }
});

const errors: [string, Record<string, unknown>, Shape[], string][] = [
  ['elu', { alpha: 0.5 }, [[null, 10]], 'not-implemented'],
  ['prelu', { sharedAxes: 'x' }, [[null, 5, 6]], 'invalid-config'],
];

describe('activation layers throw where tfjs throws', () => {
  for (const [factory, config, inputs, code] of errors) {
    it(`${code}: ${caseName(factory, config, inputs)}`, () => bothThrow(factory, config, inputs, code));
  }
});

describe('prelu details', () => {
  it('reports the alpha size as unknown and warns (tfjs cannot create that weight)', () => {
    const r = applyRule(ruleForFactory('prelu')!, [[null, null, 6]], {});
    assert.deepEqual(r.weights[0].shape, [null, 6]);
    assert.equal(r.params.total, null);
    assert.deepEqual(r.warnings?.map((w) => w.code), ['unknown-weight-size']);
  });
  it('rejects a shared axis beyond the end (tfjs builds an alpha with a hole: [5,6,,1])', () => {
    assert.throws(() => applyRule(ruleForFactory('prelu')!, [[null, 5, 6]], { sharedAxes: [4] }), /out of range/);
  });
  it('writes the alpha formula', () => {
    assert.equal(applyRule(ruleForFactory('prelu')!, [[null, 5, 6, 7]], { sharedAxes: [1, 2] }).paramFormula, '1·1·7 = 7');
  });
});
