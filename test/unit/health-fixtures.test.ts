/**
 * The health monitor on recorded streams (test/fixtures/streams/*.jsonl): real tfjs training
 * runs on the cpu backend (`real-*`, recorded by record.ts) and synthetic recorded-style
 * runs (`synthetic-*`, written by synth.ts). Healthy runs must raise nothing — including a
 * ReLU net with a quarter of its units dead and an LSTM with a fifth of its outputs
 * saturated — and each faulty run must raise its finding within 200 steps.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { explain } from '../../src/explain';
import { HealthMonitor, parseStreamJsonl, type Finding, type HealthEvent } from '../../src/health';
import { graphFrom, SYNTHETIC_FIXTURES } from '../fixtures/streams/synth';

const DIR = path.resolve(__dirname, '..', 'fixtures', 'streams');
const load = (name: string): HealthEvent[] => parseStreamJsonl(fs.readFileSync(path.join(DIR, `${name}.jsonl`), 'utf8'));

/** The detection target of issue 5. */
const MAX_STEPS_TO_DETECTION = 200;

const HEALTHY = [
  'real-healthy-mnist-adam',
  'real-healthy-mnist-sgd',
  'real-healthy-blobs-tanh',
  'real-healthy-lstm',
  'real-healthy-regression',
  'synthetic-healthy-relu-25pct-dead',
  'synthetic-healthy-lstm-20pct-saturated',
];

/** Fixture → finding ids (`code` or `code:subject`) it must raise, each within 200 steps. */
const FAULTY: Record<string, string[]> = {
  'real-vanishing-deep-sigmoid': ['vanishing-gradient'],
  'real-nan-regression': ['exploding-gradient', 'divergence'],
  'real-exploding-regression': ['exploding-gradient', 'divergence'],
  'synthetic-exploding-rnn': ['exploding-gradient'],
  'real-dead-relu-bias': ['dead-relu:dense_Dense30', 'dead-relu:dense_Dense31'],
  'real-tanh-large-init': ['saturated-activation:dense_Dense11', 'saturated-activation:dense_Dense12'],
  'real-adam-lr-tiny': ['loss-not-decreasing', 'update-ratio-low'],
  'real-adam-lr-1': ['divergence', 'dead-relu'],
  'real-oscillating-regression': ['oscillation'],
  'real-zero-lr': ['unchanged-weights:all'],
  'real-softmax-one-unit': ['unchanged-weights:all'],
  'real-large-init-clipped': ['unchanged-weights:all'],
  'real-overfit-small-data': ['overfitting'],
  'synthetic-overfitting': ['overfitting'],
  'real-pixels-255-adam': ['inputs-not-normalized'],
  'synthetic-nan-inputs': ['non-finite-inputs'],
  'real-binary-int-labels': ['label-loss-mismatch'],
  'synthetic-int-labels-categorical': ['label-loss-mismatch'],
  'synthetic-onehot-sparse': ['label-loss-mismatch'],
};

/** Runs that are neither: findings allowed, but only at info level. */
const INFO_ONLY = ['real-frozen-first-layer'];

function run(name: string): HealthMonitor {
  const m = new HealthMonitor();
  m.pushAll(load(name));
  return m;
}

const matches = (f: Finding, want: string): boolean => f.code === want || f.id === want;

describe('recorded streams', () => {
  it('has an expectation for every fixture, and every fixture parses', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).map((f) => f.replace(/\.jsonl$/, '')).sort();
    const listed = [...HEALTHY, ...Object.keys(FAULTY), ...INFO_ONLY].sort();
    assert.deepEqual(files, listed);
    for (const f of files) assert.ok(load(f).length > 20, f);
  });

  for (const name of HEALTHY) {
    it(`raises nothing on the healthy run ${name}`, () => {
      assert.deepEqual(run(name).allFindings().map((f) => `${f.id} @${f.step}: ${f.message}`), []);
    });
  }

  for (const [name, wanted] of Object.entries(FAULTY)) {
    it(`detects ${wanted.join(' + ')} in ${name} within ${MAX_STEPS_TO_DETECTION} steps`, () => {
      const all = run(name).allFindings();
      for (const w of wanted) {
        const f = all.find((x) => matches(x, w));
        assert.ok(f, `${w} not raised; got ${all.map((x) => x.id).join(', ')}`);
        assert.ok(f.step <= MAX_STEPS_TO_DETECTION, `${w} first raised at step ${f.step}`);
        assert.ok(f.severity !== 'info', `${w} is only info`);
      }
    });
  }

  it('raises only info on a deliberately frozen first layer', () => {
    const all = run('real-frozen-first-layer').allFindings();
    assert.deepEqual(all.map((f) => [f.id, f.severity]), [['unchanged-weights:dense_Dense8', 'info']]);
  });

  it('detects the faults early: median steps to detection', () => {
    const steps: number[] = [];
    for (const [name, wanted] of Object.entries(FAULTY)) {
      const all = run(name).allFindings();
      steps.push(Math.min(...wanted.map((w) => all.find((x) => matches(x, w))!.step)));
    }
    steps.sort((a, b) => a - b);
    const median = steps[Math.floor(steps.length / 2)];
    assert.ok(median <= 50, `median steps to detection ${median} (${steps.join(', ')})`);
  });

  it('names the real problem first: the top-ranked finding of each faulty run is one it must raise', () => {
    const top: Record<string, string> = {};
    for (const [name, wanted] of Object.entries(FAULTY)) {
      const first = run(name).findings()[0];
      if (!wanted.some((w) => matches(first, w))) top[name] = first.id;
    }
    assert.deepEqual(top, {});
  });

  it('gives every finding explanations from the catalogue and fixes with titles in both languages', () => {
    for (const name of Object.keys(FAULTY)) {
      for (const f of run(name).allFindings()) {
        assert.ok(f.explain.length > 0, f.id);
        for (const id of [...f.explain, ...f.fixes.flatMap((x) => x.explain)]) assert.ok(explain(id, 'zh-cn'), `${f.id}: unknown explanation ${id}`);
        assert.ok(f.fixes.length > 0, `${f.id} has no fix`);
        assert.deepEqual(f.fixes.map((x) => x.rank), f.fixes.map((_, i) => i + 1));
        for (const v of Object.values(f.evidence)) assert.ok(Number.isFinite(v));
      }
    }
  });

  it('matches runtime layer names to the analysed graph’s (tfjs counts automatic names per process)', () => {
    // The recorded run named its layers dense_Dense11…19 (earlier models in the process took 1…10);
    // the analysis of the same code names them dense_Dense1…9.
    const g = graphFrom(`const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [784], units: 32, activation: 'sigmoid' }));
for (let i = 0; i < 7; i++) model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });`);
    const m = new HealthMonitor({ graph: g });
    m.pushAll(load('real-vanishing-deep-sigmoid'));
    const f = m.findings().find((x) => x.code === 'vanishing-gradient')!;
    assert.deepEqual(f.layers, ['dense_Dense1', 'dense_Dense2', 'dense_Dense3', 'dense_Dense4']);
    assert.equal(f.line, 3);
    assert.equal(f.fixes[0].id, 'use-relu');
  });
});

describe('synthetic fixtures', () => {
  it('are what synth.ts writes (regenerate with `npx tsx test/fixtures/streams/synth.ts`)', () => {
    for (const [name, make] of Object.entries(SYNTHETIC_FIXTURES)) {
      assert.deepEqual(load(name), JSON.parse(JSON.stringify(make())), name);
    }
  });
});
