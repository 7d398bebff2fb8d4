/**
 * The learning-rate range test: the sweep, the divergence stop and the suggestion on synthetic
 * curves; the rate change on every tf.train optimizer; a real sweep in the worker (cpu); the
 * CLI; and the edit that writes the suggested rate into a compile call, on several styles.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyzeFiles } from '../../src/analysis/engine';
import { lrChart, runLrRange } from '../../src/training/cli-lr-range';
import { readRun } from '../../src/training/engine/run-store';
import { setLearningRate } from '../../src/training/engine/lr-range-run';
import { applyEdits, learningRateEdit } from '../../src/training/lr-edit';
import { centredAverage, checkLrRange, defaultSmoothing, formatLr, lrAt, LrRangeTracker, suggestLearningRate, type LrPoint } from '../../src/training/lr-range';
import { lrRangeConfig, startLrRange } from '../../src/training/lr-range-host';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-lr-range-'));

/** A curve over `n` log-spaced rates from 1e-6 to 10: loss = f(log10 lr) plus deterministic noise. */
function curve(n: number, f: (x: number) => number, noise = 0): LrPoint[] {
  const t = new LrRangeTracker({ minLr: 1e-6, maxLr: 10, steps: n });
  for (let i = 0; i < n; i++) {
    const lr = lrAt(i, { minLr: 1e-6, maxLr: 10, steps: n });
    const r = t.add(lr, f(Math.log10(lr)) + noise * Math.sin(i * 12.9898));
    if (r.stop) break;
  }
  return t.points;
}

describe('learning-rate range: the sweep and the suggestion', () => {
  it('sweeps exponentially from min to max', () => {
    const s = { minLr: 1e-7, maxLr: 10, steps: 9 };
    const lrs = Array.from({ length: 9 }, (_, i) => lrAt(i, s));
    assert.equal(lrs[0], 1e-7);
    assert.ok(Math.abs(lrs[8] - 10) < 1e-9);
    for (let i = 1; i < 9; i++) assert.ok(Math.abs(lrs[i] / lrs[i - 1] - 10) < 1e-9, 'one decade per step');
    assert.equal(defaultSmoothing(100), 0.9);
    assert.match(checkLrRange({ minLr: 1, maxLr: 0.1, steps: 50 })!, /above the smallest/);
    assert.match(checkLrRange({ minLr: 1e-5, maxLr: 1, steps: 3 })!, /at least 5 steps/);
    assert.equal(checkLrRange({ minLr: 1e-5, maxLr: 1, steps: 30 }), undefined);
  });

  it('stops when the smoothed loss passes 4× its best, or at a non-finite loss', () => {
    const t = new LrRangeTracker({ minLr: 1e-4, maxLr: 1, steps: 50, smoothing: 0 });
    for (const l of [1, 0.8, 0.5, 0.4, 0.9, 1.5]) assert.equal(t.add(0.01, l).stop, undefined);
    const r = t.add(0.1, 1.7);
    assert.match(r.stop!, /^the smoothed loss \(1\.70\) exceeded 4× its best \(0\.400\) at learning rate 0\.1$/);
    const n = new LrRangeTracker({ minLr: 1e-4, maxLr: 1, steps: 50 });
    n.add(1e-4, 1);
    const bad = n.add(2e-4, NaN);
    assert.match(bad.stop!, /the loss became NaN at learning rate 2e-4/);
    assert.deepEqual([bad.point.loss, bad.point.smoothed], [null, null]);
    // Noise in the first steps does not count as divergence.
    const w = new LrRangeTracker({ minLr: 1e-4, maxLr: 1, steps: 50, smoothing: 0 });
    assert.equal(w.add(1e-4, 0.1).stop, undefined);
    assert.equal(w.add(1e-4, 1).stop, undefined);
  });

  it('the centred average has no lag', () => {
    assert.deepEqual(centredAverage([0, 0, 3, 0, 0], 1), [0, 1, 1, 1, 0]);
    const ramp = Array.from({ length: 21 }, (_, i) => i);
    assert.deepEqual(centredAverage(ramp, 3), ramp, 'a straight line is unchanged');
  });

  it('suggests the steepest point of a clear drop, even with noise, and explains why', () => {
    // A drop centred at 1e-3 (log10 = -3), then divergence above 1e-1.
    const pts = curve(100, (x) => 1.5 - Math.tanh(1.5 * (x + 3)) + (x > -1 ? 20 * (x + 1) ** 2 : 0), 0.03);
    assert.ok(pts.length < 100, 'stopped at divergence');
    const s = suggestLearningRate(pts)!;
    assert.equal(s.method, 'steepest');
    assert.ok(s.lr > 4e-4 && s.lr < 2.5e-3, `steepest at ${s.lr}`);
    assert.ok(s.minLossLr! > 1e-2 && s.minLossLr! < 2e-1, `minimum at ${s.minLossLr}`);
    assert.match(s.reason, /^the loss falls fastest at .* before its minimum at .*\. The steepest point is where a step gains the most/);
  });

  it('falls back to min/10 when nothing falls clearly before the minimum', () => {
    // Flat, then a minimum that is hardly lower, then divergence.
    const pts = curve(60, (x) => 1 - (x > -2 && x < 0 ? 0.02 : 0) + (x > 0 ? 10 * x * x : 0));
    const s = suggestLearningRate(pts)!;
    assert.equal(s.method, 'min/10');
    assert.ok(Math.abs(s.lr - s.minLossLr! / 10) < 1e-12);
    assert.match(s.reason, /no clear falling region .*; one tenth of the rate at the minimum/);
    const rising = suggestLearningRate(curve(40, (x) => 1 + 0.05 * (x + 6)));
    assert.equal(rising?.method, 'min/10');
    assert.match(rising!.reason, /the loss never fell/);
    assert.equal(suggestLearningRate(curve(4, () => 1)), null, 'too short');
  });

  it('formats rates as code would write them', () => {
    assert.deepEqual([3e-4, 0.00312, 0.0031, 0.17, 1e-7, 10, 0.1].map(formatLr), ['3e-4', '0.0031', '0.0031', '0.17', '1e-7', '10', '0.1']);
    assert.deepEqual([0.000312].map(formatLr), ['3.1e-4']);
    const chart = lrChart([{ lr: 1e-3, loss: 1 }, { lr: 1e-2, loss: 0.5 }, { lr: 1e-1, loss: 0.2 }, { lr: 1, loss: null }], 1e-2, 3, 10);
    assert.equal(chart.length, 3, 'the points up to the first non-finite loss');
    assert.match(chart[1], /^ +0\.01 +0\.5667 +█+ {2}◀ suggested$/);
  });

  it('changes the rate of every tf.train optimizer between steps', async () => {
    await tf.setBackend('cpu');
    const makers: [string, (lr: number) => tf.Optimizer][] = [
      ['sgd', (lr) => tf.train.sgd(lr)],
      ['momentum', (lr) => tf.train.momentum(lr, 0.9)],
      ['adam', (lr) => tf.train.adam(lr)],
      ['adamax', (lr) => tf.train.adamax(lr)],
      ['rmsprop', (lr) => tf.train.rmsprop(lr)],
      ['adagrad', (lr) => tf.train.adagrad(lr)],
      ['adadelta', (lr) => tf.train.adadelta(lr)],
    ];
    for (const [name, make] of makers) {
      const step = (opt: tf.Optimizer) => {
        const w = tf.variable(tf.tensor1d([1, -2, 3]), true, `lr_test_${name}_${Math.random()}`);
        opt.applyGradients({ [w.name]: tf.tensor1d([0.5, 0.1, -0.3]) });
        const d = Array.from(w.dataSync(), (v, i) => v - [1, -2, 3][i]);
        w.dispose();
        return d;
      };
      const changed = make(1e-3);
      setLearningRate(changed, 0.2);
      const fresh = step(make(0.2));
      const got = step(changed);
      got.forEach((g, i) => assert.ok(Math.abs(g - fresh[i]) < 1e-6, `${name}: update ${got} vs ${fresh}`));
    }
  });
});

describe('learning-rate range: a real sweep', () => {
  it('sweeps a regression MLP with SGD in the worker until the loss diverges, and suggests a rate', async () => {
    const file = path.join(ROOT, 'test/fixtures/training/regression.ts');
    const [analysis] = analyzeFiles([file]);
    const runDir = path.join(tmp, 'sweep');
    const config = lrRangeConfig({ model: analysis.models[0], file, codeHash: 'x', dataset: 'sine', backend: 'cpu', runDir, samples: 256, seed: 3 }, { minLr: 1e-4, maxLr: 1e3, steps: 40 });
    const steps: number[] = [];
    const { result } = startLrRange(config, { onMessage: (m) => m.type === 'step' && steps.push(m.learningRate!) });
    const o = await result;
    assert.equal(o.status, 'completed', JSON.stringify(o.error));
    const c = o.curve!;
    assert.equal(c.optimizer, 'sgd');
    assert.ok(c.stoppedEarly, 'SGD diverges before 1e3');
    assert.ok(c.points.length < 40 && c.points.length === steps.length);
    assert.ok(steps.every((lr, i) => i === 0 || lr > steps[i - 1]), 'the rate grows every step');
    assert.ok(o.suggestion && o.suggestion.lr < c.stoppedEarly.lr, `suggested ${o.suggestion?.lr} below the divergence at ${c.stoppedEarly.lr}`);
    assert.ok(o.run.messages.every((m) => m.type !== 'health'), 'no health findings for a sweep');
    const saved = JSON.parse(fs.readFileSync(path.join(runDir, 'lr-range.json'), 'utf8')) as { points: unknown[]; suggestion: { lr: number } };
    assert.equal(saved.points.length, c.points.length);
    assert.equal(saved.suggestion.lr, o.suggestion.lr);
    assert.equal(readRun(runDir).run.status, 'completed');
  });

  it('layer-lens lr-range prints the curve and the suggestion, and --write puts it into the compile call', async () => {
    const file = path.join(tmp, 'regressor.ts');
    fs.copyFileSync(path.join(ROOT, 'test/fixtures/training/regression.ts'), file);
    let out = '';
    let err = '';
    const code = await runLrRange([file, '--dataset', 'sine', '--samples', '256', '--steps', '40', '--min', '1e-4', '--max', '1000', '--backend', 'cpu', '--write', '--json', '--out', path.join(tmp, 'cli-sweep')], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    assert.equal(code, 0, err);
    const final = JSON.parse(out.trim()) as { status: string; suggestion: { lr: number; method: string }; points: unknown[]; edit: { written: boolean; description: string } };
    assert.equal(final.status, 'completed');
    assert.ok(final.points.length > 5);
    assert.match(err, /suggested learning rate: \S+ \((steepest|min\/10)\) — /);
    assert.match(err, /stopped at step \d+: /);
    assert.equal(final.edit.written, true);
    assert.match(fs.readFileSync(file, 'utf8'), new RegExp(`optimizer: tf\\.train\\.sgd\\(${formatLr(final.suggestion.lr).replace('.', '\\.')}\\)`));
  });
});

describe('writing the rate into compile', () => {
  const cases: [string, string, string, RegExp?][] = [
    [
      'a string optimizer becomes a tf.train call on the file\'s namespace',
      `import * as tf from '@tensorflow/tfjs';\nmodel.compile({ optimizer: 'adam', loss: 'meanSquaredError' });\n`,
      `import * as tf from '@tensorflow/tfjs';\nmodel.compile({ optimizer: tf.train.adam(3e-4), loss: 'meanSquaredError' });\n`,
      /optimizer 'adam' → tf\.train\.adam\(3e-4\)/,
    ],
    [
      'the number in tf.train.sgd(0.1)',
      `import * as tf from '@tensorflow/tfjs';\nm.compile({optimizer: tf.train.sgd(0.1), loss: 'mse'});`,
      `import * as tf from '@tensorflow/tfjs';\nm.compile({optimizer: tf.train.sgd(3e-4), loss: 'mse'});`,
      /tf\.train\.sgd\(…\): learning rate 0\.1 → 3e-4/,
    ],
    ['tf.train.adam() gets the rate', `import * as tf from '@tensorflow/tfjs';\nm.compile({ optimizer: tf.train.adam(), loss: 'mse' });`, `import * as tf from '@tensorflow/tfjs';\nm.compile({ optimizer: tf.train.adam(3e-4), loss: 'mse' });`],
    ['only momentum\'s first argument', `import * as tf from '@tensorflow/tfjs';\nm.compile({ optimizer: tf.train.momentum(1e-2, 0.9), loss: 'mse' });`, `import * as tf from '@tensorflow/tfjs';\nm.compile({ optimizer: tf.train.momentum(3e-4, 0.9), loss: 'mse' });`],
    ['new tf.AdamOptimizer(…)', `import * as tf from '@tensorflow/tfjs';\nm.compile({ optimizer: new tf.AdamOptimizer(0.001, 0.9, 0.999, 1e-7), loss: 'mse' });`, `import * as tf from '@tensorflow/tfjs';\nm.compile({ optimizer: new tf.AdamOptimizer(3e-4, 0.9, 0.999, 1e-7), loss: 'mse' });`],
    [
      'an optimizer variable: its declaration',
      `import * as tf from '@tensorflow/tfjs';\nconst opt = tf.train.rmsprop(0.001);\nm.compile({ optimizer: opt, loss: 'mse' });`,
      `import * as tf from '@tensorflow/tfjs';\nconst opt = tf.train.rmsprop(3e-4);\nm.compile({ optimizer: opt, loss: 'mse' });`,
      /\(the declaration of opt on line 2\)/,
    ],
    [
      'a shorthand { optimizer }',
      `import * as tf from '@tensorflow/tfjs';\nfunction build() {\n  const optimizer = tf.train.adam(1e-3);\n  m.compile({ optimizer, loss: 'mse' });\n}`,
      `import * as tf from '@tensorflow/tfjs';\nfunction build() {\n  const optimizer = tf.train.adam(3e-4);\n  m.compile({ optimizer, loss: 'mse' });\n}`,
    ],
    [
      'a rate constant: the constant',
      `import * as tf from '@tensorflow/tfjs';\nconst LEARNING_RATE = 0.01;\nm.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'mse' });\nconsole.log(LEARNING_RATE);`,
      `import * as tf from '@tensorflow/tfjs';\nconst LEARNING_RATE = 3e-4;\nm.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'mse' });\nconsole.log(LEARNING_RATE);`,
      /LEARNING_RATE \(line 2\): 0\.01 → 3e-4/,
    ],
    [
      'a rate from an expression: the argument',
      `import * as tf from '@tensorflow/tfjs';\nm.compile({ optimizer: tf.train.adam(cfg.lr * 2), loss: 'mse' });`,
      `import * as tf from '@tensorflow/tfjs';\nm.compile({ optimizer: tf.train.adam(3e-4), loss: 'mse' });`,
    ],
    [
      'a config object declared apart',
      `import * as tf from '@tensorflow/tfjs';\nconst config = { optimizer: 'sgd', loss: 'mse' };\nm.compile(config);`,
      `import * as tf from '@tensorflow/tfjs';\nconst config = { optimizer: tf.train.sgd(3e-4), loss: 'mse' };\nm.compile(config);`,
    ],
    [
      'named imports: train is added',
      `import { sequential, layers } from '@tensorflow/tfjs';\nm.compile({ optimizer: 'rmsprop', loss: 'mse' });`,
      `import { sequential, layers, train } from '@tensorflow/tfjs';\nm.compile({ optimizer: train.rmsprop(3e-4), loss: 'mse' });`,
    ],
    [
      'CommonJS require with double quotes',
      `const tfn = require("@tensorflow/tfjs-node");\nmodel.compile({ optimizer: "Adam", loss: "binaryCrossentropy" });`,
      `const tfn = require("@tensorflow/tfjs-node");\nmodel.compile({ optimizer: tfn.train.adam(3e-4), loss: "binaryCrossentropy" });`,
    ],
  ];
  for (const [what, before, after, description] of cases) {
    it(what, () => {
      const r = learningRateEdit(before, 3e-4, { fileName: /require/.test(before) ? 'm.js' : 'm.ts' });
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(applyEdits(before, r.edits), after);
      if (description) assert.match(r.description, description);
      assert.ok(r.edits.every((e) => e.line >= 1 && e.column >= 1));
    });
  }

  it('picks the compile call at an offset or line when there are several, and says why it cannot edit', () => {
    const text = `import * as tf from '@tensorflow/tfjs';\na.compile({ optimizer: 'adam', loss: 'mse' });\nb.compile({ optimizer: tf.train.sgd(0.5), loss: 'mse' });\n`;
    const several = learningRateEdit(text, 0.01);
    assert.equal(several.ok, false);
    assert.match(!several.ok ? several.reason : '', /2 compile calls \(lines 2, 3\): say which/);
    const byOffset = learningRateEdit(text, 0.01, { compileOffset: text.indexOf('b.compile') + 3 });
    assert.ok(byOffset.ok);
    assert.match(applyEdits(text, byOffset.edits), /b\.compile\(\{ optimizer: tf\.train\.sgd\(0\.01\)/);
    const byLine = learningRateEdit(text, 0.01, { line: 2 });
    assert.ok(byLine.ok);
    assert.match(applyEdits(text, byLine.edits), /a\.compile\(\{ optimizer: tf\.train\.adam\(0\.01\)/);
    const custom = learningRateEdit(`m.compile({ optimizer: makeOptimizer(), loss: 'mse' });`, 0.01);
    assert.ok(!custom.ok && /makeOptimizer\(…\), not a tf\.train optimizer/.test(custom.reason));
    const none = learningRateEdit(`m.compile({ loss: 'mse' });`, 0.01);
    assert.ok(!none.ok && /no optimizer/.test(none.reason));
  });

  it('edits the compile call the analysis found (ModelGraph.compile.range)', () => {
    const file = path.join(ROOT, 'test/fixtures/training/mlp.ts');
    const [analysis] = analyzeFiles([file]);
    const range = analysis.models[0].compile!.range!;
    const text = fs.readFileSync(file, 'utf8');
    const r = learningRateEdit(text, 0.003, { fileName: file, compileOffset: range.startOffset });
    assert.ok(r.ok);
    assert.match(applyEdits(text, r.edits), /optimizer: tf\.train\.adam\(0\.003\)/);
  });
});
