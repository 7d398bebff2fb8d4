import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { agree, bothThrow, caseName } from './nested-oracle';

const cases: [string, Record<string, unknown>, Shape[]][] = [
  ['batchNormalization', {}, [[null, 64]]],
  ['batchNormalization', {}, [[null, 28, 28, 32]]],
  ['batchNormalization', { axis: 1 }, [[null, 10, 6]]],
  ['batchNormalization', { axis: -2 }, [[null, 10, 6]]],
  ['batchNormalization', { axis: 0 }, [[8, 10]]],
  ['batchNormalization', { scale: false }, [[null, 16]]],
  ['batchNormalization', { center: false }, [[null, 16]]],
  ['batchNormalization', { center: false, scale: false }, [[null, 5, 16]]],
  ['batchNormalization', {}, [[null, null, 16]]],
  ['layerNormalization', {}, [[null, 64]]],
  ['layerNormalization', {}, [[null, 10, 64]]],
  ['layerNormalization', { axis: 1 }, [[null, 10, 64]]],
  ['layerNormalization', { axis: [1, 2] }, [[null, 10, 64]]],
  ['layerNormalization', { axis: [-1, -2] }, [[null, 4, 5, 6]]],
  ['layerNormalization', { center: false }, [[null, 8]]],
  ['layerNormalization', { scale: false }, [[null, 8]]],
  ['layerNormalization', { axis: -1 }, [[null, null, 8]]],
];

describe('normalization layers agree with tfjs', () => {
  for (const [factory, config, inputs] of cases) {
    it(caseName(factory, config, inputs), () => agree(factory, config, inputs));
  }
});

const errors: [string, Record<string, unknown>, Shape[], string][] = [
  ['batchNormalization', {}, [[null, 6, null]], 'undefined-channel-dim'],
  ['batchNormalization', { axis: 3 }, [[null, 6, 4]], 'undefined-channel-dim'],
  ['batchNormalization', { axis: -4 }, [[null, 6, 4]], 'undefined-channel-dim'],
  ['layerNormalization', { axis: 3 }, [[null, 6, 4]], 'invalid-axis'],
  ['layerNormalization', { axis: -4 }, [[null, 6, 4]], 'invalid-axis'],
  ['layerNormalization', { axis: [1, -2] }, [[null, 6, 4]], 'invalid-axis'],
  ['layerNormalization', { axis: 1.5 }, [[null, 6, 4]], 'invalid-config'],
];

describe('normalization layers throw where tfjs throws', () => {
  for (const [factory, config, inputs, code] of errors) {
    it(`${code}: ${caseName(factory, config, inputs)}`, () => bothThrow(factory, config, inputs, code));
  }
});
