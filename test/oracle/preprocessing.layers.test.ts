import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { applyRule } from '../../src/analysis/layers/apply';
import { ruleForFactory } from '../../src/analysis/layers/registry';
import { agree, bothThrow, caseName } from './nested-oracle';

const cases: [string, Record<string, unknown>, Shape[]][] = [
  ['rescaling', { scale: 1 / 255 }, [[null, 28, 28, 1]]],
  ['rescaling', { scale: 2, offset: -1 }, [[null, 5]]],
  ['centerCrop', { height: 10, width: 12 }, [[null, 32, 32, 3]]],
  ['centerCrop', { height: 10, width: 12 }, [[null, null, null, 3]]],
  ['centerCrop', { height: 4, width: 4 }, [[8, 8, 1]]],
  // tfjs 4.22 reports [height, width, inputShape[2]]: no batch axis.
  ['resizing', { height: 10, width: 12 }, [[null, 32, 30, 3]]],
  ['resizing', { height: 64, width: 64, interpolation: 'nearest' }, [[null, 28, 28, 1]]],
  ['resizing', { height: 5, width: 6 }, [[32, 30, 3]]],
  ['categoryEncoding', { numTokens: 10 }, [[null, 5]]],
  ['categoryEncoding', { numTokens: 10, outputMode: 'count' }, [[null, 5]]],
  ['categoryEncoding', { numTokens: 10, outputMode: 'oneHot' }, [[null, 1]]],
  ['categoryEncoding', { numTokens: 10, outputMode: 'oneHot' }, [[null, 5]]],
  ['categoryEncoding', { numTokens: 4, outputMode: 'int' }, [[null, 3]]],
  ['categoryEncoding', { numTokens: 4, outputMode: 'tfIdf' }, [[null]]],
  // The random width is reported as a placeholder: [undefined, -1, inputShape[2]].
  ['randomWidth', { factor: 0.5 }, [[null, 32, 30, 3]]],
  ['randomWidth', { factor: [-0.2, 0.3], interpolation: 'nearest' }, [[null, 32, 30, 3]]],
];

describe('preprocessing layers agree with tfjs', () => {
  for (const [factory, config, inputs] of cases) {
    it(caseName(factory, config, inputs), () => agree(factory, config, inputs));
  }
});

const errors: [string, Record<string, unknown>, Shape[], string][] = [
  ['resizing', { height: 5, width: 5, interpolation: 'bicubic' }, [[null, 8, 8, 3]], 'invalid-config'],
  ['randomWidth', { factor: -2 }, [[null, 8, 8, 3]], 'invalid-config'],
  ['randomWidth', { factor: [0.5, 0.2] }, [[null, 8, 8, 3]], 'invalid-config'],
  ['randomWidth', { factor: [-2, 0.2] }, [[null, 8, 8, 3]], 'invalid-config'],
  ['randomWidth', { factor: 0.2, interpolation: 'area' }, [[null, 8, 8, 3]], 'invalid-config'],
];

describe('preprocessing layers throw where tfjs throws', () => {
  for (const [factory, config, inputs, code] of errors) {
    it(`${code}: ${caseName(factory, config, inputs)}`, () => bothThrow(factory, config, inputs, code));
  }
});

describe('preprocessing warnings', () => {
  const codes = (factory: string, config: Record<string, unknown>, inputs: Shape[]) =>
    (applyRule(ruleForFactory(factory)!, inputs, config).warnings ?? []).map((w) => w.code);
  it('explains the shapes tfjs reports wrongly', () => {
    assert.deepEqual(codes('resizing', { height: 10, width: 12 }, [[null, 32, 30, 3]]), ['tfjs-wrong-output-shape']);
    assert.deepEqual(codes('randomWidth', { factor: 0.5 }, [[null, 32, 30, 3]]), ['tfjs-wrong-output-shape']);
  });
  it('warns that centerCrop rewrites its input shape', () => {
    assert.deepEqual(codes('centerCrop', { height: 10, width: 12 }, [[null, 32, 32, 3]]), ['tfjs-mutates-input-shape']);
  });
  it('warns about encodings tfjs can only build, not run', () => {
    assert.deepEqual(codes('categoryEncoding', { numTokens: 10, outputMode: 'oneHot' }, [[null, 5]]), ['category-encoding-rank']);
    assert.deepEqual(codes('categoryEncoding', { numTokens: 10, outputMode: 'int' }, [[null, 5, 2]]), []);
    assert.deepEqual(codes('categoryEncoding', { numTokens: 10 }, [[null, 5]]), []);
  });
});
