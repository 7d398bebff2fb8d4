import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { autoDataset, DataError, loadMnistFromPackage, makeDataset, type DataSpec } from '../../src/training/engine/datasets';

const vec = (d: number, kind: DataSpec['outputs'][0]['kind'], units: number): DataSpec => ({ inputs: [{ shape: [d] }], outputs: [{ shape: [units], kind }] });

describe('datasets', () => {
  it('synthetic sets take the shapes of the model and balance their classes', () => {
    for (const name of ['spirals', 'circles', 'xor', 'blobs']) {
      const d = makeDataset(name, vec(2, 'classification', name === 'xor' ? 2 : 3), { samples: 300 });
      assert.deepEqual(d.xs[0].shape, [300, 2]);
      const units = name === 'xor' ? 2 : 3;
      assert.deepEqual(d.ys[0].shape, [300, units]);
      const perClass = new Array(units).fill(0);
      for (let i = 0; i < 300; i++) perClass[d.ys[0].data.subarray(i * units, (i + 1) * units).indexOf(1)]++;
      assert.ok(perClass.every((c) => c > 300 / units / 2), `${name}: ${perClass}`);
    }
    const lifted = makeDataset('spirals', vec(6, 'sparse', 4), { samples: 100 });
    assert.deepEqual([lifted.xs[0].shape, lifted.ys[0].shape], [[100, 6], [100, 1]]);
    assert.match(lifted.note ?? '', /2-D points lifted to 6 inputs/);
    const sine = makeDataset('sine', vec(1, 'regression', 1), { samples: 50 });
    assert.ok(Array.from(sine.ys[0].data).every((v) => v >= -1 && v <= 1));
    const img = makeDataset('images', { inputs: [{ shape: [8, 8, 3] }], outputs: [{ shape: [5], kind: 'classification' }] }, { samples: 40 });
    assert.deepEqual(img.xs[0].shape, [40, 8, 8, 3]);
    assert.ok(Array.from(img.xs[0].data).every((v) => v >= 0 && v <= 1));
  });

  it('is repeatable for a seed', () => {
    const a = makeDataset('spirals', vec(2, 'classification', 2), { samples: 20, seed: 7 });
    const b = makeDataset('spirals', vec(2, 'classification', 2), { samples: 20, seed: 7 });
    assert.deepEqual(a.xs[0].data, b.xs[0].data);
  });

  it('auto picks by shapes', () => {
    assert.equal(autoDataset({ inputs: [{ shape: [28, 28, 1] }], outputs: [{ shape: [10], kind: 'classification' }] }), 'mnist');
    assert.equal(autoDataset({ inputs: [{ shape: [32, 32, 1] }], outputs: [{ shape: [10], kind: 'classification' }] }), 'mnist');
    assert.equal(autoDataset({ inputs: [{ shape: [32, 32, 3] }], outputs: [{ shape: [10], kind: 'classification' }] }), 'images');
    assert.equal(autoDataset(vec(2, 'classification', 3)), 'spirals');
    assert.equal(autoDataset(vec(8, 'binary', 1)), 'blobs');
    assert.equal(autoDataset(vec(3, 'regression', 2)), 'sine');
    assert.equal(autoDataset({ inputs: [{ shape: [20], vocab: 100 }], outputs: [{ shape: [1], kind: 'binary' }] }), 'sequences');
  });

  it('the generic set covers several inputs, token ids and reconstruction', () => {
    const spec: DataSpec = {
      inputs: [{ shape: [12, 12, 2] }, { shape: [10], vocab: 50 }],
      outputs: [{ shape: [3], kind: 'classification' }, { shape: [12, 12, 2], kind: 'reconstruction', sameAsInput: 0 }],
    };
    const d = makeDataset('sequences', spec, { samples: 30 });
    assert.deepEqual(d.xs.map((x) => x.shape), [[30, 12, 12, 2], [30, 10]]);
    assert.ok(Array.from(d.xs[1].data).every((v) => Number.isInteger(v) && v >= 0 && v < 50));
    assert.equal(d.ys[1].data, d.xs[0].data);
  });

  it('MNIST: 10,000 digits from the mnist package, interleaved, fitted to the input shape', () => {
    const m = loadMnistFromPackage();
    assert.equal(m.n, 10_000);
    assert.deepEqual(Array.from(m.label.subarray(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const padded = makeDataset('mnist', { inputs: [{ shape: [32, 32, 1] }], outputs: [{ shape: [10], kind: 'classification' }] }, { samples: 20 });
    assert.deepEqual(padded.xs[0].shape, [20, 32, 32, 1]);
    assert.equal(padded.xs[0].data[0], 0);
    assert.throws(() => makeDataset('mnist', { inputs: [{ shape: [28, 28, 3] }], outputs: [{ shape: [10], kind: 'classification' }] }), /MNIST digits are 28×28×1; the model's input is \[28, 28, 3\]/);
    assert.throws(() => makeDataset('mnist', vec(784, 'classification', 5)), /MNIST has 10 classes; the model outputs 5 units/);
  });

  it('files: JSON and CSV, with errors that say where', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-data-'));
    const json = path.join(dir, 'd.json');
    fs.writeFileSync(json, JSON.stringify({ xs: [[1, 2], [3, 4], [5, 6]], ys: [0, 1, 2] }));
    const d = makeDataset(json, vec(2, 'classification', 3));
    assert.deepEqual([d.n, d.ys[0].shape], [3, [3, 3]]);
    const csv = path.join(dir, 'd.csv');
    fs.writeFileSync(csv, 'a,b,y\n1,2,0.5\n3,4,0.25\n');
    assert.deepEqual(Array.from(makeDataset(csv, vec(2, 'regression', 1)).ys[0].data), [0.5, 0.25]);
    fs.writeFileSync(csv, 'a,b,y\n1,2,0.5\n3,4\n');
    assert.throws(() => makeDataset(csv, vec(2, 'regression', 1)), /d\.csv:3: 2 columns, the header has 3/);
    fs.writeFileSync(json, JSON.stringify({ xs: [[1, 2, 3]], ys: [0] }));
    assert.throws(() => makeDataset(json, vec(2, 'classification', 3)), /sample 1 has 3 input values; the model's input \[2\] needs 2/);
    fs.writeFileSync(json, JSON.stringify({ xs: [[1, 2]], ys: [7] }));
    assert.throws(() => makeDataset(json, vec(2, 'classification', 3)), /sample 1 has label 7; expected a class index 0…2/);
    assert.throws(() => makeDataset(path.join(dir, 'none.csv'), vec(2, 'regression', 1)), DataError);
    assert.throws(() => makeDataset('weather', vec(2, 'regression', 1)), /unknown dataset 'weather'/);
  });

  it('refuses a set that cannot fit the model', () => {
    assert.throws(() => makeDataset('spirals', { inputs: [{ shape: [8, 8, 1] }], outputs: [{ shape: [2], kind: 'classification' }] }), /gives vectors; the model's input is \[8, 8, 1\]/);
    assert.throws(() => makeDataset('blobs', { inputs: [{ shape: [4] }, { shape: [3] }], outputs: [{ shape: [2], kind: 'classification' }] }), /needs a model with one numeric input and one output/);
  });
});
