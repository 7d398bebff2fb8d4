/**
 * Two promises of the engine, on small in-memory sources:
 * - a file with broken syntax never makes it throw: it answers, and what it can still read
 *   is analysed;
 * - a value known only at run time (process.argv, process.env, Math.random, a file read, an
 *   argument nobody passes) is reported as unknown (null) with its reason, never guessed.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeFiles } from '../../src/analysis/engine';
import type { FileAnalysis, ModelGraph } from '../../src/analysis/graph';

const DIR = path.resolve(__dirname, '..', '__virtual__');

function analyse(name: string, text: string): FileAnalysis {
  const file = path.join(DIR, name);
  const [r] = analyzeFiles([file], { contents: new Map([[file, text]]) });
  return r;
}

const allDiagnostics = (r: FileAnalysis) => [...r.diagnostics, ...r.models.flatMap((m) => m.diagnostics)];

function model(r: FileAnalysis, name: string): ModelGraph {
  const m = r.models.find((x) => x.name === name);
  assert.ok(m, `no model ${name}; found ${r.models.map((x) => x.name).join(', ') || 'none'}`);
  return m;
}

const TF = "import * as tf from '@tensorflow/tfjs';\n";

describe('syntax-broken files: the engine answers and never throws', () => {
  const broken: Record<string, string> = {
    'an unclosed call at the end': `${TF}export function build() {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ units: 4, inputShape: [3] }));\n  model.add(tf.layers.dense({ units: 2 `,
    'a missing closing brace': `${TF}export function build() {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ units: 4, inputShape: [3] }));\n  return model;\n`,
    'an unterminated string': `${TF}const model = tf.sequential();\nmodel.add(tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu }));\n`,
    'an unterminated template': `${TF}const model = tf.sequential();\nmodel.add(tf.layers.dense({ units: 4, inputShape: [3], name: \`d_\${ }));\n`,
    'stray tokens inside a config': `${TF}const model = tf.sequential();\nmodel.add(tf.layers.dense({ units: 4 4, inputShape: [3] ]] }));\nmodel.add(tf.layers.dense({ units: 2 }));\n`,
    'a half-typed property access': `${TF}const model = tf.sequential();\nmodel.add(tf.layers.);\nmodel.add(tf.layers.dense({ units: 2, inputShape: [3] }));\n`,
    'keywords in odd places': `${TF}class { constructor( } function ( { return return; } const = ;\nexport default tf.sequential({ layers: [ , , ] });\n`,
    'only garbage': '@@@ ))) {{{ ]]] ::: ??? <<< >>> \u0000 \uffff',
    'an empty file': '',
  };
  for (const [what, text] of Object.entries(broken)) {
    it(`${what}`, () => {
      let r: FileAnalysis | undefined;
      assert.doesNotThrow(() => {
        r = analyse('broken.ts', text);
      });
      assert.ok(r && Array.isArray(r.models) && Array.isArray(r.diagnostics));
      JSON.stringify(r); // serialisable, as the editor and the CLI need it
    });
  }

  it('functions, classes and layers inside a layer config do not break the analysis (the graph stays JSON)', () => {
    const r = analyse(
      'config-values.ts',
      `${TF}class Init {}\nexport const model = tf.sequential();\n` +
        `model.add(tf.layers.dense({ units: 2, inputShape: [2], kernelInitializer: (() => 1) as any, biasConstraint: Init as any, cell: [tf.layers.dense({ units: 1 }), undefinedName] as any }));\n`,
    );
    const m = model(r, 'model');
    assert.deepEqual(m.layers[0].outputShape, [null, 2]);
    assert.equal(m.layers[0].params.total, 6);
    assert.deepEqual(JSON.parse(JSON.stringify(m.layers[0].config)), {
      units: 2,
      inputShape: [2],
      kernelInitializer: 'function',
      biasConstraint: 'class Init',
      cell: ['Layer', null],
    });
  });

  it('what precedes the break is still analysed', () => {
    const r = analyse('broken.ts', broken['an unclosed call at the end']);
    const m = model(r, 'model');
    assert.deepEqual(m.layers[0].outputShape, [null, 4]);
    assert.equal(m.layers[0].params.total, 16);
  });
});

describe('values known only at run time are unknown (null), with a reason', () => {
  it('units from process.argv: output dim and parameters are null, and the diagnostic says why', () => {
    const r = analyse(
      'argv.ts',
      `${TF}const units = Number(process.argv[2]);\nexport function build() {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ units, inputShape: [10] }));\n  model.add(tf.layers.dense({ units: 3 }));\n  return model;\n}\n`,
    );
    const m = model(r, 'model');
    const [first, second] = m.layers;
    assert.deepEqual(first.outputShape, [null, null]);
    assert.equal(first.params.total, null);
    assert.equal(first.params.trainable, null);
    // The next layer's shape is known, its kernel size is not.
    assert.deepEqual(second.outputShape, [null, 3]);
    assert.equal(second.params.total, null);
    assert.equal(m.totals.total, null);
    assert.equal(m.totals.trainable, null);
    const d = m.diagnostics.find((x) => x.code === 'unknown-value');
    assert.ok(d, `no unknown-value diagnostic: ${JSON.stringify(m.diagnostics)}`);
    assert.equal(d.severity, 'info');
    assert.match(d.message, /units/);
    assert.match(d.message, /process\.argv/);
    assert.equal(d.range?.start.line, 5);
    assert.ok(!allDiagnostics(r).some((x) => x.severity === 'error'), 'an unknown value is not an error');
  });

  it('process.env is not an empty object: a variable read from it is unknown, not undefined', () => {
    const r = analyse(
      'env.ts',
      `${TF}const hidden = parseInt(process.env.HIDDEN_UNITS ?? '64', 10);\nexport const model = tf.sequential();\nmodel.add(tf.layers.dense({ units: hidden, inputShape: [4] }));\n`,
    );
    const m = model(r, 'model');
    assert.deepEqual(m.layers[0].outputShape, [null, null]);
    assert.equal(m.layers[0].params.total, null);
    const d = m.diagnostics.find((x) => x.code === 'unknown-value');
    assert.ok(d);
    assert.match(d.message, /process\.env/);
  });

  it('Math.random, a JSON file read at run time, and a parameter nobody passes stay unknown', () => {
    const r = analyse(
      'runtime.ts',
      `${TF}import * as fs from 'node:fs';\nconst cfg = JSON.parse(fs.readFileSync('config.json', 'utf8'));\n` +
        `export function build(classes: number) {\n  const model = tf.sequential();\n` +
        `  model.add(tf.layers.dense({ units: Math.random() > 0.5 ? 8 : 16, inputShape: [2] }));\n` +
        `  model.add(tf.layers.dense({ units: cfg.hidden }));\n` +
        `  model.add(tf.layers.dense({ units: classes }));\n  return model;\n}\n`,
    );
    const m = model(r, 'model');
    assert.equal(m.layers.length, 3);
    for (const l of m.layers) {
      assert.deepEqual(l.outputShape, [null, null], `${l.name}: ${JSON.stringify(l.outputShape)}`);
      assert.equal(l.params.total, null, `${l.name} params`);
    }
    const reasons = m.diagnostics.filter((d) => d.code === 'unknown-value').map((d) => d.message);
    assert.ok(reasons.some((t) => /classes/.test(t) && /no known argument/.test(t)), reasons.join('\n'));
    assert.ok(reasons.some((t) => /Math\.random|condition/.test(t)), reasons.join('\n'));
    assert.ok(reasons.some((t) => /JSON\.parse/.test(t) && /readFileSync|node:fs/.test(t)), reasons.join('\n'));
  });

  it('an unknown mergeMode leaves the Bidirectional output and parameters unknown (no 0 guessed)', () => {
    const r = analyse(
      'merge-mode.ts',
      `${TF}export function build(mode: 'sum' | 'concat') {\n  const m = tf.sequential();\n` +
        `  m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4 }) as tf.RNN, mergeMode: mode, inputShape: [5, 3] }));\n  return m;\n}\n`,
    );
    const l = model(r, 'm').layers[0];
    assert.equal(l.outputShape, null);
    assert.equal(l.params.total, null);
    assert.ok(!allDiagnostics(r).some((x) => x.severity === 'error'), JSON.stringify(allDiagnostics(r)));
  });
});

describe('a Web Worker keeps its model on self', () => {
  const worker = [
    '/* global tf, importScripts */',
    'export default () => {',
    "  self.addEventListener('message', (e) => {",
    "    if (e.data.cmd === 'init') {",
    "      importScripts('https://cdn.jsdelivr.net/npm/@tensorflow/tfjs/dist/tf.min.js');",
    '      self.createModel(20, 1, e.data.params.cells);',
    '    }',
    '  });',
    '  self.createModel = (timeSteps, vocab, units) => {',
    '    self.model = tf.sequential();',
    '    self.model.add(tf.layers.lstm({ units, inputShape: [timeSteps, vocab] }));',
    "    self.model.add(tf.layers.dense({ units: 1, activation: 'tanh' }));",
    '    return self.model;',
    '  };',
    '};',
  ].join('\n');

  it('reports the model its message handler builds, with the sizes the message decides unknown', () => {
    const m = model(analyse('worker.js', worker), 'model');
    assert.deepEqual(
      m.layers.map((l) => [l.className, l.outputShape]),
      [
        ['LSTM', [null, null]],
        ['Dense', [null, 1]],
      ],
    );
    assert.equal(m.layers[0].params.total, null);
    assert.equal(m.totals.total, null);
  });

  it('reads what the page never stored on self as unknown, not undefined', () => {
    const text = `${TF}const units = self.hiddenUnits;\nexport const net = tf.sequential();\nnet.add(tf.layers.dense({ units: units ? units : 4, inputShape: [3] }));\n`;
    const m = model(analyse('page.js', text), 'net');
    assert.equal(m.layers[0].outputShape?.[1] ?? null, null);
  });
});
