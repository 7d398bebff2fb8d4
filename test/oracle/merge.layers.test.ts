import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { applyRule } from '../../src/analysis/layers/apply';
import { ruleForFactory } from '../../src/analysis/layers/registry';
import { ShapeError } from '../../src/analysis/layers/rule';
import { agree, bothThrow, caseName } from './nested-oracle';

const elementwise = ['add', 'average', 'maximum', 'minimum', 'multiply'];

const broadcastCases: Shape[][] = [
  [[null, 100], [null, 100]],
  [[null, 100], [null, 1, 100]],
  [[null, 1, 100], [null, 100]],
  [[null, 3, 1], [null, 1, 4]],
  [[null, 5, 4], [null, 4], [null, 1, 4]],
  [[null, null, 4], [null, 7, 4]],
  [[null, 4], [null, 4], [null, 4], [null, 4]],
  [[2, 4], [null, 4]],
  [[null, 6], [null, 1]],
];

const cases: [string, Record<string, unknown>, Shape[]][] = [
  ...elementwise.flatMap((f) => broadcastCases.map((shapes): [string, Record<string, unknown>, Shape[]] => [f, {}, shapes])),
  ['concatenate', {}, [[null, 3], [null, 5]]],
  ['concatenate', {}, [[null, 4, 3], [null, 4, 5], [null, 4, 1]]],
  ['concatenate', { axis: 1 }, [[null, 3, 4], [null, 5, 4]]],
  ['concatenate', { axis: -2 }, [[null, 3, 4], [null, 5, 4]]],
  ['concatenate', { axis: 1 }, [[null, null, 4], [null, 5, 4]]],
  ['concatenate', {}, [[null, null, 4], [null, null, 8]]],
  ['concatenate', { axis: 2 }, [[2, 3, 4], [2, 3, 6]]],
  ['dot', { axes: 1 }, [[null, 4], [null, 4]]],
  ['dot', { axes: -1 }, [[null, 4], [null, 4]]],
  ['dot', { axes: 1, normalize: true }, [[null, 4], [null, 4]]],
  ['dot', { axes: [2, 1] }, [[null, 3, 4], [null, 4, 5]]],
  ['dot', { axes: [1, 1] }, [[null, 3, 4], [null, 3, 5]]],
  ['dot', { axes: 2 }, [[null, 3, 4], [null, 5, 4]]],
  ['dot', { axes: [2, 1] }, [[null, 3, 4], [null, 4]]],
  ['dot', { axes: [1, 2] }, [[null, 4], [null, 3, 4]]],
  ['dot', { axes: [-1, -1] }, [[null, 3, 4], [null, 5, 4]]],
  // A pair of negative axes skips tfjs's size check (our rule warns instead).
  ['dot', { axes: [-1, -1] }, [[null, 3, 4], [null, 5, 6]]],
];

describe('merge layers agree with tfjs', () => {
  for (const [factory, config, inputs] of cases) {
    it(caseName(factory, config, inputs), () => agree(factory, config, inputs));
  }
});

const errors: [string, Record<string, unknown>, Shape[], string][] = [
  ...elementwise.map((f): [string, Record<string, unknown>, Shape[], string] => [f, {}, [[null, 3], [null, 4]], 'merge-shape-mismatch']),
  ['add', {}, [[null, 2, 3], [null, 3, 3]], 'merge-shape-mismatch'],
  ['multiply', {}, [[null, 5, 4], [null, 4], [null, 3]], 'merge-shape-mismatch'],
  ['add', {}, [[null, 3]], 'merge-too-few-inputs'],
  ['add', {}, [[2, 3], [4, 3]], 'merge-batch-mismatch'],
  ['concatenate', {}, [[null, 3]], 'merge-too-few-inputs'],
  ['concatenate', {}, [[null, 3, 4], [null, 5, 4]], 'concat-axis-mismatch'],
  ['concatenate', { axis: 1 }, [[null, 3, 4], [null, 5, 6]], 'concat-axis-mismatch'],
  ['concatenate', {}, [[null, 3], [null, 3, 4]], 'concat-axis-mismatch'],
  // tfjs compares unknown sizes strictly: null and 5 differ.
  ['concatenate', {}, [[null, null, 4], [null, 5, 4]], 'concat-axis-mismatch'],
  ['concatenate', { axis: 1 }, [[2, 3, 4], [3, 5, 4]], 'concat-axis-mismatch'],
  ['dot', { axes: 1 }, [[null, 4], [null, 5]], 'dot-dim-mismatch'],
  ['dot', { axes: [2, 1] }, [[null, 3, 4], [null, 5, 4]], 'dot-dim-mismatch'],
  ['dot', { axes: 1 }, [[null, null], [null, 5]], 'dot-dim-mismatch'],
  ['dot', { axes: [2, 1] }, [[null, 3, 4, 2], [null, 4, 5]], 'dot-rank-unsupported'],
  ['dot', { axes: 1 }, [[null, 4], [null, 4], [null, 4]], 'merge-too-few-inputs'],
];

describe('merge layers throw where tfjs throws', () => {
  for (const [factory, config, inputs, code] of errors) {
    it(`${code}: ${caseName(factory, config, inputs)}`, () => bothThrow(factory, config, inputs, code));
  }
});

describe('merge details', () => {
  const run = (factory: string, config: Record<string, unknown>, inputs: Shape[]) => applyRule(ruleForFactory(factory)!, inputs, config);
  it('every merge rule takes a list of inputs', () => {
    for (const f of [...elementwise, 'concatenate', 'dot']) assert.equal(ruleForFactory(f)?.multiInput, true, f);
  });
  it('names both shapes in a broadcast error', () => {
    assert.throws(
      () => run('add', {}, [[null, 3], [null, 4]]),
      (e: unknown) => e instanceof ShapeError && e.message.includes('[null,3]') && e.message.includes('[null,4]'),
    );
  });
  it('warns when negative dot axes hide a size mismatch', () => {
    const r = run('dot', { axes: [-1, -1] }, [[null, 3, 4], [null, 5, 6]]);
    assert.deepEqual(r.warnings?.map((w) => w.code), ['dot-dim-mismatch']);
  });
  it('counts dot MACs as its contraction', () => {
    assert.equal(run('dot', { axes: 1 }, [[null, 4], [null, 4]]).macs, 4);
    assert.equal(run('dot', { axes: [2, 1] }, [[null, 3, 4], [null, 4, 5]]).macs, 3 * 4 * 5);
    assert.equal(run('dot', { axes: [2, 1] }, [[null, 3, null], [null, null, 5]]).macs, null);
  });
  it('rejects a concat axis outside the rank (tfjs reports a garbled shape)', () => {
    assert.throws(() => run('concatenate', { axis: 3 }, [[null, 4], [null, 4]]), (e: unknown) => e instanceof ShapeError && e.code === 'concat-axis-out-of-range');
  });
});
