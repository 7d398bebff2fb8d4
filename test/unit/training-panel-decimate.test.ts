import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockIndex, decimateIndexed, decimateMinMax, halve, lowerBound, mergeAligned, StreamDecimator, upperBound, type Decimated } from '../../src/webview/training/decimate';

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

  it('streaming: decimating as the series grows gives exactly the rows of one pass over everything', () => {
    // A one-pass reference with fixed bins of width w from x[0]: first, last, min, max, first gap.
    const reference = (x: ArrayLike<number>, ys: ArrayLike<number>[], n: number, w: number): Decimated => {
      if (w === 0) return decimateMinMax(x, ys, { buckets: 1, keepBelow: Infinity }, n);
      const out: Decimated = { x: [], ys: ys.map(() => []) };
      let start = 0;
      while (start < n) {
        const id = Math.floor((x[start] - x[0]) / w);
        let end = start;
        while (end < n && Math.floor((x[end] - x[0]) / w) === id) end++;
        const picked = [start, end - 1];
        for (const y of ys) {
          let lo = -1;
          let hi = -1;
          let gap = -1;
          for (let i = start; i < end; i++) {
            if (!Number.isFinite(y[i])) {
              if (gap < 0) gap = i;
            } else {
              if (lo < 0 || y[i] < y[lo]) lo = i;
              if (hi < 0 || y[i] > y[hi]) hi = i;
            }
          }
          picked.push(...[lo, hi, gap].filter((i) => i >= 0));
        }
        for (const i of [...new Set(picked)].sort((a, b) => a - b)) {
          out.x.push(x[i]);
          ys.forEach((y, s) => out.ys[s].push(Number.isFinite(y[i]) ? y[i] : null));
        }
        start = end;
      }
      return out;
    };
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const n = 60_000;
    // Steps with holes (a resumed run), two series with spikes and gaps, validation points per "epoch".
    const x = new Float64Array(n);
    for (let i = 0, step = 1; i < n; i++, step += random() < 0.01 ? 40 : 1) x[i] = step;
    const a = Float64Array.from(x, (v) => Math.exp(-v / 20_000) + 0.1 * random() + (random() < 0.001 ? 5 : 0));
    const b = Float64Array.from(x, () => (random() < 0.002 ? NaN : random()));
    const epochs = Array.from({ length: 60 }, (_, e) => x[Math.min(n - 1, (e + 1) * 1000 - 1)]);
    const sx = Float64Array.from(epochs);
    const sy = Float64Array.from(epochs, (_, e) => (e === 7 ? NaN : 1 / (e + 1)));
    for (const buckets of [50, 400]) {
      const stream = new StreamDecimator();
      let len = 0;
      const widths = new Set<number>();
      while (len < n) {
        len = Math.min(n, len + 1 + Math.floor(random() * (random() < 0.05 ? 3000 : 30)));
        // Epoch points arrive a little after the steps they end at.
        const sparseLen = lowerBound(sx, x[len - 1] - 20);
        const got = stream.update(x, [a, b], len, buckets, { x: sx, ys: [sy], length: sparseLen });
        widths.add(stream.binWidth);
        const dense = reference(x, [a, b], len, stream.binWidth);
        const expected = mergeAligned(dense, decimateMinMax(sx, [sy], { buckets: 1, keepBelow: Infinity }, sparseLen));
        assert.deepEqual({ x: [...got.x], ys: got.ys.map((c) => [...c]) }, expected, `${len} points, ${buckets} buckets`);
        assert.ok(stream.binWidth === 0 || Math.floor((x[len - 1] - x[0]) / stream.binWidth) < 2 * buckets, 'bins at most 2 × buckets');
        assert.ok(stream.binWidth === 0 || Math.floor((x[len - 1] - x[0]) / (stream.binWidth / 2)) >= 2 * buckets, 'the finest power of two');
      }
      assert.ok(widths.size >= 4, `the bins widened as the run grew: ${[...widths].join(', ')}`);
      // And a fresh decimator over the whole run gives the same rows.
      const whole = new StreamDecimator().update(x, [a, b], n, buckets, { x: sx, ys: [sy], length: sx.length });
      const final = stream.update(x, [a, b], n, buckets, { x: sx, ys: [sy], length: sx.length });
      assert.deepEqual(final, whole);
      assert.equal(Math.max(...(whole.ys[0].filter((v) => v !== null) as number[])), Math.max(...a), 'spikes survive');
      // Per bin: first, last, and per series a minimum, a maximum and a gap.
      assert.ok(whole.x.length <= 2 * buckets * (2 + 3 * 2) + sx.length, `${whole.x.length} rows`);
      assert.ok(whole.x.length >= buckets, `${whole.x.length} rows`);
    }
  });

  it('streaming: starts over when the series are thinned, replaced or the chart resized', () => {
    const x = range(10_000);
    const y = Float64Array.from(x, (v) => Math.sin(v / 100));
    const stream = new StreamDecimator();
    const full = stream.update(x, [y], 10_000, 100);
    assert.equal(full.x[full.x.length - 1], 10_000);
    // Thinned (shorter): the rows of the shorter series.
    const x2 = Float64Array.from({ length: 5000 }, (_, i) => 2 * (i + 1));
    const y2 = Float64Array.from(x2, (v) => Math.cos(v));
    assert.deepEqual(stream.update(x2, [y2], 5000, 100), new StreamDecimator().update(x2, [y2], 5000, 100));
    // Another width; another number of series; a short series keeps every point.
    assert.deepEqual(stream.update(x2, [y2], 5000, 37), new StreamDecimator().update(x2, [y2], 5000, 37));
    assert.deepEqual(stream.update(x2, [y2, y2], 5000, 37).ys.length, 2);
    assert.deepEqual(new StreamDecimator().update([1, 2, 3], [[0.5, NaN, 0.25]], 3, 100), { x: [1, 2, 3], ys: [[0.5, null, 0.25]] });
    assert.deepEqual(new StreamDecimator().update([], [[]], 0, 100), { x: [], ys: [[]] });
    // Sparse points past the last step (an epoch ending after the steps shown so far).
    const sparse = { x: [2, 20_000, 30_000], ys: [[1, 2, 3]], length: 3 };
    for (const n of [150, 300, 10_000]) {
      const d = new StreamDecimator().update(x, [y], n, 50, sparse);
      const dense = new StreamDecimator().update(x, [y], n, 50);
      assert.deepEqual(d, mergeAligned(dense, { x: sparse.x, ys: sparse.ys }));
    }
  });

  it('binary searches and pairwise thinning', () => {
    const x = [1, 3, 3, 5];
    assert.equal(lowerBound(x, 3), 1);
    assert.equal(upperBound(x, 3), 3);
    assert.equal(lowerBound(x, 9), 4);
    assert.deepEqual(halve([1, 5, 2, 8, 3], Math.max), [5, 8, 3]);
  });
});
