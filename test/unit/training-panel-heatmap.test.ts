import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateColumns, aggregateGroups, cellOf, decadeLabel, decadeTicks, formatValue, HeatCells, logScaleOf, logScaleOfRange, RAMP, RAMP_LUT, rampColor } from '../../src/webview/training/heatmap-scale';

describe('training panel: the heatmap scale', () => {
  it('is log10 of the positive finite values, from the smallest to the largest', () => {
    const s = logScaleOf([[1e-4, 0, NaN], [1e2, Infinity, -3]]);
    assert.deepEqual(s, { lo: -4, hi: 2 });
    assert.equal(logScaleOf([[0, NaN, -1]]), null);
    // A flat field is widened to one decade around its value.
    assert.deepEqual(logScaleOf([[10, 10]]), { lo: 0.5, hi: 1.5 });
    // Only the used length of each row counts.
    assert.deepEqual(logScaleOf([new Float64Array([1, 1000, 1e9])], [2]), { lo: 0, hi: 3 });
  });

  it('places values on the scale and tells special cells apart', () => {
    const s = { lo: -4, hi: 2 };
    assert.deepEqual(cellOf(1e-4, s), { kind: 'value', t: 0 });
    assert.deepEqual(cellOf(100, s), { kind: 'value', t: 1 });
    assert.deepEqual(cellOf(0.1, s), { kind: 'value', t: 0.5 });
    assert.deepEqual(cellOf(1e9, s), { kind: 'value', t: 1 }, 'clamped');
    assert.deepEqual(cellOf(0, s), { kind: 'zero' });
    assert.deepEqual(cellOf(Infinity, s), { kind: 'nonfinite' });
    assert.deepEqual(cellOf(Number.MAX_VALUE, s), { kind: 'nonfinite' }, 'an overflowed norm as the snapshot sends it');
    assert.deepEqual(cellOf(NaN, s), { kind: 'missing' });
  });

  it('maps t to viridis, ends exact, and the lookup table agrees', () => {
    assert.deepEqual(rampColor(0), [...RAMP[0]]);
    assert.deepEqual(rampColor(1), [...RAMP[RAMP.length - 1]]);
    assert.deepEqual(rampColor(-5), [...RAMP[0]]);
    assert.deepEqual([...RAMP_LUT.slice(255 * 3, 256 * 3)], [...RAMP[RAMP.length - 1]]);
    assert.deepEqual([...RAMP_LUT.slice(128 * 3, 129 * 3)], rampColor(128 / 255));
  });

  it('reduces columns to cells by their largest value, non-finite winning', () => {
    assert.deepEqual([...aggregateColumns([1, 2, 3], 3, 10)], [1, 2, 3]);
    assert.deepEqual([...aggregateColumns([1, 5, 2, 3, NaN, NaN], 6, 3)], [5, 3, NaN]);
    assert.deepEqual([...aggregateColumns([1, Infinity, 2, 3], 4, 2)], [Infinity, 3]);
    assert.deepEqual([...aggregateColumns([1, Number.MAX_VALUE, 2, 3], 4, 2)], [Infinity, 3]);
  });

  it('reduces columns to cells of a fixed number of columns by the same rule', () => {
    assert.deepEqual([...aggregateGroups([1, 5, 2, 3, NaN, NaN, 7], 7, 2)], [5, 3, NaN, 7]);
    assert.deepEqual([...aggregateGroups([1, Infinity, 2, -Infinity, Number.MAX_VALUE], 5, 2)], [Infinity, Infinity, Infinity]);
    assert.deepEqual([...aggregateGroups([0, 0, 3], 3, 1)], [0, 0, 3]);
    // Groups that divide the columns evenly are the cells of aggregateColumns.
    const row = Float64Array.from({ length: 64 }, (_, i) => Math.sin(i) + (i === 40 ? NaN : 0));
    assert.deepEqual([...aggregateGroups(row, 64, 4)], [...aggregateColumns(row, 64, 16)]);
  });

  it('keeps the cells up to date as columns arrive: always those of one pass over every column', () => {
    let seed = 3;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const n = 5000;
    const rows = Array.from({ length: 4 }, (_, r) =>
      Float64Array.from({ length: n }, (_, i) => (r === 1 ? 0 : r === 2 && i % 997 === 0 ? Infinity : random() < 0.01 ? NaN : Math.exp(-r) * random())),
    );
    const cells = new HeatCells();
    let len = 0;
    const groups = new Set<number>();
    while (len < n) {
      const before = cells.cells;
      len = Math.min(n, len + 1 + Math.floor(random() * (random() < 0.05 ? 600 : 12)));
      const changed = cells.update(rows, len, 300);
      groups.add(cells.group);
      assert.ok(Math.ceil(len / cells.group) <= 300 && (cells.group === 1 || Math.ceil(len / (cells.group / 2)) > 300), `group ${cells.group} for ${len} columns`);
      assert.equal(cells.cells, Math.ceil(len / cells.group));
      assert.ok(changed === 0 || changed >= before - 1, 'only the last cell and new ones change, unless cells merged');
      rows.forEach((row, r) => assert.deepEqual([...cells.rows[r].subarray(0, cells.cells)], [...aggregateGroups(row, len, cells.group)], `row ${r}, ${len} columns`));
      // The colour scale from the cells (read incrementally) is that of every cell.
      const { min, max } = cells.extremes();
      assert.deepEqual(logScaleOfRange(min, max), logScaleOf(cells.rows.map((row) => row.subarray(0, cells.cells))));
    }
    assert.ok(groups.size >= 4, `cells merged as the columns grew: groups ${[...groups].join(', ')}`);
    // Fewer columns (thinned), other rows or another width: start over.
    assert.equal(cells.update(rows, 1000, 300), 0);
    assert.deepEqual([...cells.rows[0].subarray(0, cells.cells)], [...aggregateGroups(rows[0], 1000, 4)]);
    assert.equal(cells.update(rows.slice(0, 2), 1000, 300), 0);
    assert.equal(cells.update(rows.slice(0, 2), 1000, 2000), 0);
    assert.equal(cells.group, 1);
    assert.equal(cells.update(rows.slice(0, 2), 1000, 2000), cells.cells, 'nothing new');
  });

  it('labels decades and values', () => {
    assert.deepEqual(decadeTicks({ lo: -4.2, hi: 2.5 }), [-4, -3, -2, -1, 0, 1, 2].filter((_, i) => i % 2 === 0));
    assert.deepEqual(decadeTicks({ lo: -1, hi: 1 }), [-1, 0, 1]);
    assert.equal(decadeLabel(-2), '0.01');
    assert.equal(decadeLabel(0), '1');
    assert.equal(decadeLabel(3), '1000');
    assert.equal(decadeLabel(-5), '1e-5');
    assert.equal(formatValue(0.000123), '1.23e-4');
    assert.equal(formatValue(0.5), '0.5');
    assert.equal(formatValue(Infinity), 'non-finite');
    assert.equal(formatValue(NaN), '—');
  });
});
