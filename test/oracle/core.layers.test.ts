import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { ourLayer, tfjsLayer } from './layer-oracle';

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
