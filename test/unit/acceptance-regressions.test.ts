/**
 * Regressions found by running the engine over real-world tfjs example programs and comparing
 * with what real tfjs reports. Each case is a small hand-written program in the same style;
 * where a number is known statically, it is checked against real @tensorflow/tfjs; where a
 * value is known only at run time, the engine must say unknown (null), never a wrong number
 * and never an error tfjs would not raise.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyzeFiles } from '../../src/analysis/engine';
import type { Diagnostic, FileAnalysis, ModelGraph } from '../../src/analysis/graph';

tf.setBackend('cpu');

const DIR = path.resolve(__dirname, '..', '__virtual__', 'acceptance');
const TF = "import * as tf from '@tensorflow/tfjs';\n";

/** Analyses in-memory files; the first is the entry, the others are what it may import. */
function analyse(files: Record<string, string>): FileAnalysis[] {
  const contents = new Map(Object.entries(files).map(([name, text]) => [path.join(DIR, name), text]));
  return analyzeFiles([...contents.keys()], { contents });
}

function one(name: string, text: string): FileAnalysis {
  return analyse({ [name]: text })[0];
}

function modelAt(r: FileAnalysis, line: number): ModelGraph {
  const m = r.models.find((x) => x.range.start.line === line);
  assert.ok(m, `no model created on line ${line}; models on lines ${r.models.map((x) => x.range.start.line).join(', ') || 'none'}`);
  return m;
}

const all = (r: FileAnalysis): Diagnostic[] => [...r.diagnostics, ...r.models.flatMap((m) => m.diagnostics)];
const errors = (r: FileAnalysis) => all(r).filter((d) => d.severity === 'error');

function noErrors(r: FileAnalysis): void {
  assert.deepEqual(errors(r).map((d) => `${d.code}: ${d.message}`), []);
}

/** Per-layer facts of a real tfjs model. */
function facts(m: tf.LayersModel) {
  return m.layers.map((l) => ({ className: l.getClassName(), outputShape: l.outputShape, params: l.countParams() }));
}

function engineFacts(m: ModelGraph) {
  return m.layers.map((l) => ({ className: l.className, outputShape: l.outputShape, params: l.params.total }));
}

describe('values known only at run time stay unknown, not missing and not 0', () => {
  it('an inputShape passed in by the caller: the first layer is unknown, not "missing inputShape", and the total is null', () => {
    const r = one(
      'abalone-style.js',
      `${TF}function createModel(inputShape) {\n  const model = tf.sequential();\n` +
        `  model.add(tf.layers.dense({ inputShape: inputShape, units: 50 }));\n  model.add(tf.layers.dense({ units: 1 }));\n  return model;\n}\nmodule.exports = createModel;\n`,
    );
    noErrors(r);
    const m = modelAt(r, 3);
    assert.equal(m.layers.length, 2);
    assert.equal(m.layers[0].params.total, null);
    assert.equal(m.layers[1].params.total, null);
    assert.equal(m.totals.total, null);
  });

  it('after an input of unknown rank: weightless layers have 0 parameters, an Embedding its table, a Dense null', () => {
    const r = one(
      'unknown-rank.ts',
      `${TF}export function build(shape: number[]) {\n  const model = tf.sequential();\n` +
        `  model.add(tf.layers.embedding({ inputDim: 40, outputDim: 8, inputShape: shape }));\n` +
        `  model.add(tf.layers.dropout({ rate: 0.2 }));\n  model.add(tf.layers.flatten());\n  model.add(tf.layers.dense({ units: 3 }));\n  return model;\n}\n`,
    );
    noErrors(r);
    const m = modelAt(r, 3);
    // Real tfjs with any input length: the table is inputDim·outputDim; Dropout and Flatten hold nothing.
    const ref = tf.sequential();
    ref.add(tf.layers.embedding({ inputDim: 40, outputDim: 8, inputShape: [7] }));
    ref.add(tf.layers.dropout({ rate: 0.2 }));
    ref.add(tf.layers.flatten());
    assert.deepEqual(
      m.layers.slice(0, 3).map((l) => l.params.total),
      ref.layers.map((l) => l.countParams()),
    );
    assert.equal(m.layers[3].params.total, null);
    assert.equal(m.totals.total, null);
  });

  it('Flatten over sizes not known statically is unknown (info), and the next Dense still has a known output', () => {
    const r = one(
      'jena-style.ts',
      `${TF}export function build(steps: number, features: number) {\n  const model = tf.sequential();\n` +
        `  model.add(tf.layers.flatten({ inputShape: [steps, features] }));\n  model.add(tf.layers.dense({ units: 1 }));\n  return model;\n}\n`,
    );
    noErrors(r);
    const m = modelAt(r, 3);
    const ref = tf.sequential();
    ref.add(tf.layers.flatten({ inputShape: [240, 14] }));
    ref.add(tf.layers.dense({ units: 1 }));
    assert.deepEqual(m.layers[0].outputShape, [null, null]);
    assert.equal(m.layers[0].params.total, ref.layers[0].countParams());
    assert.deepEqual(m.layers[1].outputShape, ref.layers[1].outputShape);
    assert.equal(m.layers[1].params.total, null);
    assert.ok(m.diagnostics.some((d) => d.code === 'unknown-value' && d.severity === 'info'));
  });

  it('a genuine None size (inputShape [null, 3]) before Flatten is still the error tfjs raises', () => {
    const r = one(
      'none-flatten.ts',
      `${TF}export function build() {\n  const model = tf.sequential();\n` +
        `  model.add(tf.layers.flatten({ inputShape: [null, 3] }));\n  return model;\n}\n`,
    );
    assert.throws(() => {
      const ref = tf.sequential();
      ref.add(tf.layers.flatten({ inputShape: [null, 3] }));
    });
    assert.ok(errors(r).some((d) => d.code === 'flatten-undefined-dim'), JSON.stringify(all(r)));
  });

  it('an LSTM with an input size not known statically gives no "unknown weight size" error', () => {
    const r = one(
      'seq2seq-style.ts',
      `${TF}export function build(tokens: number) {\n  const x = tf.input({ shape: [null, tokens] });\n` +
        `  const [, h, c] = tf.layers.lstm({ units: 16, returnState: true }).apply(x) as tf.SymbolicTensor[];\n` +
        `  return tf.model({ inputs: x, outputs: [h, c] });\n}\n`,
    );
    noErrors(r);
    const m = modelAt(r, 5);
    // With 7 tokens real tfjs gives these shapes; the unknown token count only hides the parameters.
    const x = tf.input({ shape: [null, 7] });
    const out = tf.layers.lstm({ units: 16, returnState: true }).apply(x) as tf.SymbolicTensor[];
    assert.deepEqual(m.layers[1].outputShape, out.map((t) => t.shape));
    assert.equal(m.layers[1].params.total, null);
  });

  it('a multi-output layer on an input of unknown rank still returns its outputs (the graph stays known)', () => {
    const r = one(
      'unknown-rank-state.ts',
      `${TF}export function build(shape: number[]) {\n  const x = tf.input({ shape });\n` +
        `  const [, h, c] = tf.layers.lstm({ units: 16, returnState: true }).apply(x) as tf.SymbolicTensor[];\n` +
        `  return tf.model({ inputs: x, outputs: [h, c] });\n}\n`,
    );
    const m = modelAt(r, 5);
    assert.ok(!m.diagnostics.some((d) => d.code === 'unknown-model-graph'), JSON.stringify(m.diagnostics));
    assert.deepEqual(m.layers.map((l) => l.className), ['InputLayer', 'LSTM']);
    assert.equal(m.totals.total, null);
  });

  it('a model whose graph is not known reports a null total, not 0', () => {
    const r = one(
      'loaded.ts',
      `${TF}export async function build() {\n  const base = await tf.loadLayersModel('https://example.com/model.json');\n` +
        `  return tf.model({ inputs: base.inputs, outputs: base.layers[3].output });\n}\n`,
    );
    const m = modelAt(r, 4);
    assert.equal(m.totals.total, null);
    assert.equal(m.totals.trainable, null);
  });
});

describe('how the program is entered', () => {
  it('a class nothing constructs: its constructor gets unknown arguments, not undefined (no false "units is required")', () => {
    const r = one(
      'policy-style.js',
      `${TF}class Policy {\n  constructor(sizesOrModel) {\n    if (sizesOrModel instanceof tf.LayersModel) this.net = sizesOrModel;\n    else this.create(sizesOrModel);\n  }\n` +
        `  create(sizes) {\n    if (!Array.isArray(sizes)) sizes = [sizes];\n    this.net = tf.sequential();\n` +
        `    sizes.forEach((s, i) => this.net.add(tf.layers.dense({ units: s, inputShape: i === 0 ? [4] : undefined })));\n` +
        `    this.net.add(tf.layers.dense({ units: 1 }));\n  }\n}\nexport { Policy };\n`,
    );
    noErrors(r);
    const m = modelAt(r, 9);
    assert.equal(m.totals.total, null);
  });

  it('`if (require.main === module) main()` runs in the analysed file, with the arguments main passes', () => {
    const r = one(
      'main-guard.js',
      `const tf = require('@tensorflow/tfjs');\nfunction build(units) {\n  const model = tf.sequential();\n` +
        `  model.add(tf.layers.dense({ units, inputShape: [3] }));\n  return model;\n}\nfunction main(units) {\n  build(units);\n}\n` +
        `if (require.main === module) {\n  main(5);\n}\nmodule.exports = { build };\n`,
    );
    const m = modelAt(r, 3);
    const ref = tf.sequential();
    ref.add(tf.layers.dense({ units: 5, inputShape: [3] }));
    assert.deepEqual(engineFacts(m), facts(ref));
  });

  it('`import(...).then(m => …)`: the callback runs with the module, so its constants are known', () => {
    const [train] = analyse({
      'train.js': `const tf = require('@tensorflow/tfjs');\nimport('./sizes.js').then((sizes) => {\n  const model = tf.sequential();\n` +
        `  model.add(tf.layers.dense({ units: 2, inputShape: [sizes.FLAT] }));\n});\n`,
      'sizes.js': `const FLAT = 28 * 28;\nmodule.exports = { FLAT };\n`,
    });
    const m = modelAt(train, 3);
    const ref = tf.sequential();
    ref.add(tf.layers.dense({ units: 2, inputShape: [784] }));
    assert.deepEqual(engineFacts(m), facts(ref));
  });

  it('the global `tf` of a page that loads tfjs with a <script> tag', () => {
    const r = one('script-tag.js', `async function run() {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ units: 1, inputShape: [1] }));\n}\nrun();\n`);
    const m = modelAt(r, 2);
    assert.equal(m.totals.total, 2);
  });

  it('tf.input({shape: n}) with a number is a rank-1 input, as tfjs reads it', () => {
    const r = one(
      'number-shape.ts',
      `${TF}export function build() {\n  const x = tf.input({ shape: 6 as unknown as number[] });\n  const y = tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;\n  return tf.model({ inputs: x, outputs: y });\n}\n`,
    );
    const m = modelAt(r, 5);
    const x = tf.input({ shape: 6 as unknown as number[] });
    const ref = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor });
    assert.deepEqual(engineFacts(m), facts(ref));
  });
});

describe('models inside models', () => {
  it('a Sequential applied to an input of another rank: no error, and the output tfjs computes', () => {
    const r = one(
      'acgan-style.ts',
      `${TF}export function build() {\n  const inner = tf.sequential();\n  inner.add(tf.layers.dense({ units: 12, inputShape: [4] }));\n  inner.add(tf.layers.reshape({ targetShape: [3, 4] }));\n` +
        `  const x = tf.input({ shape: [1, 4] });\n  const y = inner.apply(x) as tf.SymbolicTensor;\n  return tf.model({ inputs: x, outputs: y });\n}\n`,
    );
    noErrors(r);
    const m = modelAt(r, 8);
    const inner = tf.sequential();
    inner.add(tf.layers.dense({ units: 12, inputShape: [4] }));
    inner.add(tf.layers.reshape({ targetShape: [3, 4] }));
    const x = tf.input({ shape: [1, 4] });
    const ref = tf.model({ inputs: x, outputs: inner.apply(x) as tf.SymbolicTensor });
    assert.deepEqual(engineFacts(m), facts(ref));
  });

  it('model.trainable = false leaves a nested model’s own trainable count as tfjs does', () => {
    const r = one(
      'gan-freeze.ts',
      `${TF}export function build() {\n  const cnn = tf.sequential();\n  cnn.add(tf.layers.dense({ units: 4, inputShape: [3] }));\n` +
        `  const x = tf.input({ shape: [3] });\n  const d = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(cnn.apply(x)) as tf.SymbolicTensor });\n` +
        `  d.trainable = false;\n  return { cnn, d };\n}\n`,
    );
    const cnn = modelAt(r, 3);
    const d = modelAt(r, 6);
    const refCnn = tf.sequential();
    refCnn.add(tf.layers.dense({ units: 4, inputShape: [3] }));
    const x = tf.input({ shape: [3] });
    const refD = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(refCnn.apply(x)) as tf.SymbolicTensor });
    refD.trainable = false;
    const count = (ws: tf.LayerVariable[]) => ws.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
    assert.equal(cnn.totals.trainable, count(refCnn.trainableWeights));
    assert.equal(d.totals.trainable, count(refD.trainableWeights));
    assert.equal(d.totals.total, refD.countParams());
  });
});

describe('layers added under a condition known only at run time', () => {
  const switchModel =
    `${TF}export function build(kind: string, units: number) {\n  const model = tf.sequential();\n  switch (kind) {\n` +
    `    case 'gru':\n      model.add(tf.layers.gru({ units: 8, inputShape: [5, 3] }));\n      break;\n` +
    `    case 'lstm':\n      model.add(tf.layers.lstm({ units: 8, inputShape: [5, 3] }));\n      break;\n` +
    `    default:\n      throw new Error('unknown kind');\n  }\n  model.add(tf.layers.repeatVector({ n: 2 }));\n  model.add(tf.layers.dense({ units: 4 }));\n  return model;\n}\n`;

  it('exclusive branches: one alternative per side, each as tfjs builds it, never their union', () => {
    const r = one('switch.ts', switchModel);
    noErrors(r);
    const base = r.models.find((m) => m.range.start.line === 3 && !m.variant);
    assert.ok(base);
    // No run builds both recurrent layers: the base lists only what every side shares (nothing
    // before the switch), says the layers are not known, and names the alternatives.
    assert.deepEqual(base.layers, []);
    assert.equal(base.totals.total, null);
    assert.ok(base.diagnostics.some((d) => d.code === 'model-alternatives'), JSON.stringify(base.diagnostics));
    assert.ok(!base.diagnostics.some((d) => d.code === 'conditional-layers'));
    const variants = r.models.filter((m) => m.variant?.of === base.name);
    assert.deepEqual(base.alternatives, variants.map((v) => v.name));
    // The default clause throws: no model comes of it.
    assert.deepEqual(variants.map((v) => v.variant?.condition), ["kind = 'gru'", "kind = 'lstm'"]);
    for (const [v, make] of [[variants[0], tf.layers.gru], [variants[1], tf.layers.lstm]] as const) {
      const ref = tf.sequential();
      ref.add(make({ units: 8, inputShape: [5, 3] }));
      ref.add(tf.layers.repeatVector({ n: 2 }));
      ref.add(tf.layers.dense({ units: 4 }));
      assert.deepEqual(engineFacts(v), facts(ref));
      assert.equal(v.totals.total, ref.countParams());
    }
  });

  it('an optional layer without weights keeps the total known; one with weights makes it unknown', () => {
    const src = (layer: string) =>
      `${TF}export function build(flag: boolean) {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ units: 4, inputShape: [3] }));\n` +
      `  if (flag) model.add(${layer});\n  model.add(tf.layers.dense({ units: 2 }));\n  return model;\n}\n`;
    const withDropout = modelAt(one('optional-dropout.ts', src('tf.layers.dropout({ rate: 0.5 })')), 3);
    const ref = tf.sequential();
    ref.add(tf.layers.dense({ units: 4, inputShape: [3] }));
    ref.add(tf.layers.dense({ units: 2 }));
    assert.equal(withDropout.totals.total, ref.countParams());
    const withDense = modelAt(one('optional-dense.ts', src('tf.layers.dense({ units: 4 })')), 3);
    assert.equal(withDense.totals.total, null);
  });

  it('a model built entirely inside one side of a condition is exact, with no conditional-layers note', () => {
    const r = one(
      'branch-built.ts',
      `${TF}function conv() {\n  const model = tf.sequential();\n  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }));\n  model.add(tf.layers.flatten());\n  return model;\n}\n` +
        `function dense() {\n  const model = tf.sequential();\n  model.add(tf.layers.flatten({ inputShape: [8, 8, 1] }));\n  return model;\n}\n` +
        `const kind = process.argv[2];\nlet picked;\nif (kind === 'conv') picked = conv();\nelse picked = dense();\nexport { picked };\n`,
    );
    const m = modelAt(r, 3);
    const ref = tf.sequential();
    ref.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }));
    ref.add(tf.layers.flatten());
    assert.deepEqual(engineFacts(m), facts(ref));
    assert.equal(m.totals.total, ref.countParams());
    assert.ok(!m.diagnostics.some((d) => d.code === 'conditional-layers'), JSON.stringify(m.diagnostics));
  });
});
