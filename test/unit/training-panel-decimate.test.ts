import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockIndex, decimateIndexed, decimateMinMax, halve, lowerBound, mergeAligned, upperBound } from '../../src/webview/training/decimate';

const range = (n: number) => Float64Array.from({ length: n }, (_, i) => i + 1);

describe('training panel: chart data decimation', () => {
  it('returns short series unchanged (nulls for non-finite values)', () => {
    const d = decimateMinMax([1, 2, 3], [[0.5, NaN, 0.25]], { buckets: 100 });
    assert.deepEqual(d, { x: [1, 2, 3], ys: [[0.5, null, 0.25]] });
  });

  it('100,000 points → at most 4 per column, the envelope and every spike kept', () => {
    const n = 100_000;
    const x = range(n);
    const y = Float64Array.from(x, (v) => Math.sin(v / 500));
    y[54_321] = 42; // a spike
    y[77_777] = -42;
    const d = decimateMinMax(x, [y], { buckets: 800 });
    assert.ok(d.x.length <= 800 * 4, `${d.x.length} points`);
    assert.ok(d.x.length >= 800, `${d.x.length} points`);
    assert.equal(Math.max(...(d.ys[0] as number[])), 42);
    assert.equal(Math.min(...(d.ys[0] as number[])), -42);
    assert.equal(d.x[0], 1);
    assert.equal(d.x[d.x.length - 1], n);
    for (let i = 1; i < d.x.length; i++) assert.ok(d.x[i] > d.x[i - 1], 'x strictly increasing');
  });

  it('keeps a gap (the loss became NaN) as a null', () => {
    const x = range(10_000);
    const y = Float64Array.from(x, () => 1);
    y[5000] = NaN;
    const d = decimateMinMax(x, [y], { buckets: 100 });
    assert.ok(d.ys[0].includes(null));
  });

  it('decimates only the visible range (zoom) and several series on one x axis', () => {
    const x = range(50_000);
    const a = Float64Array.from(x, (v) => v);
    const b = Float64Array.from(x, (v) => -v);
    const d = decimateMinMax(x, [a, b], { buckets: 50, from: 1000, to: 2000 });
    assert.ok(d.x[0] >= 1000 && d.x[d.x.length - 1] <= 2000);
    assert.equal(d.ys.length, 2);
    assert.equal(d.ys[0][0], d.x[0]);
    assert.equal(d.ys[1][0], -d.x[0]);
    assert.deepEqual(decimateMinMax(x, [a], { buckets: 10, from: 60_000 }), { x: [], ys: [[]] });
  });

  it('respects a used length shorter than the typed array (growable columns)', () => {
    const x = new Float64Array(1024);
    x.set([1, 2, 3]);
    const d = decimateMinMax(x, [new Float64Array([5, 6, 7, 0])], { buckets: 10 }, 3);
    assert.deepEqual(d.x, [1, 2, 3]);
  });

  it('the block index gives the same envelope as a full scan, and follows a growing series', () => {
    const n = 200_000;
    const x = range(n);
    const y = Float64Array.from(x, (v) => Math.cos(v / 300) + (v % 9973 === 0 ? 5 : 0));
    const index = new BlockIndex(64);
    const half = decimateIndexed(x, [y], { buckets: 400 }, n / 2, index);
    assert.ok(half.x[half.x.length - 1] === n / 2);
    const full = decimateIndexed(x, [y], { buckets: 400 }, n, index);
    const exact = decimateMinMax(x, [y], { buckets: 400 });
    const max = (d: { ys: Array<Array<number | null>> }) => Math.max(...(d.ys[0].filter((v) => v !== null) as number[]));
    const min = (d: { ys: Array<Array<number | null>> }) => Math.min(...(d.ys[0].filter((v) => v !== null) as number[]));
    assert.equal(max(full), max(exact));
    assert.equal(min(full), min(exact));
    assert.ok(full.x.length <= 400 * 6, `${full.x.length} points`);
    assert.equal(full.x[full.x.length - 1], n);
    // Thinned columns (shorter than before) rebuild the index.
    const shorter = decimateIndexed(x, [y], { buckets: 100 }, 1000, index);
    assert.equal(shorter.x[shorter.x.length - 1], 1000);
  });

  it('merges sparse validation points onto the step axis', () => {
    const m = mergeAligned({ x: [1, 2, 3, 4], ys: [[1, 2, 3, 4]] }, { x: [2, 4, 5], ys: [[20, 40, 50]] });
    assert.deepEqual(m.x, [1, 2, 3, 4, 5]);
    assert.deepEqual(m.ys, [
      [1, 2, 3, 4, null],
      [null, 20, null, 40, 50],
    ]);
  });

  it('binary searches and pairwise thinning', () => {
    const x = [1, 3, 3, 5];
    assert.equal(lowerBound(x, 3), 1);
    assert.equal(upperBound(x, 3), 3);
    assert.equal(lowerBound(x, 9), 4);
    assert.deepEqual(halve([1, 5, 2, 8, 3], Math.max), [5, 8, 3]);
  });
});
