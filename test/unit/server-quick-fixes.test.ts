/**
 * Quick fixes over real engine output. Every fix is applied to the source and checked twice:
 * the engine, run again on the fixed text, no longer reports the diagnostic and reports no new
 * error; and real @tensorflow/tfjs, which fails on the source before the fix, builds the fixed
 * model and predicts with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeAction, TextDocumentEdit, TextEdit } from 'vscode-languageserver';
import type { Diagnostic } from '../../src/analysis/graph';
import { diagnosticsFor } from '../../src/server/features/diagnostics';
import { type QuickFix, codeActionsFor, quickFixesFor } from '../../src/server/features/quick-fixes';
import { applyEdits } from '../../src/server/features/syntax';
import { HEADER, analyse } from './server-helpers';
import { tfjsProblem } from './tfjs-run';

interface Case {
  name: string;
  source: string;
  code: string;
  /** The title of the fix under test (when several are offered). */
  title: RegExp;
  /** The exported builder tfjs runs (else the first exported model). */
  builder?: string;
  /** A fragment of the fixed text: the edit in the file's own style. */
  fixed?: string;
  /** How real tfjs fails before the fix; `null`: tfjs accepts it (a lint warning). */
  tfjsBefore?: RegExp | null;
}

function allDiagnostics(src: ReturnType<typeof analyse>): Diagnostic[] {
  return [...src.analysis.diagnostics, ...src.analysis.models.flatMap((m) => m.diagnostics)];
}

const errors = (src: ReturnType<typeof analyse>) => allDiagnostics(src).filter((d) => d.severity === 'error');
const key = (d: Diagnostic) => `${d.code}: ${d.message}`;

function fixFor(c: Case): { before: ReturnType<typeof analyse>; diagnostic: Diagnostic; fix: QuickFix; all: QuickFix[] } {
  const before = analyse({ 'model.ts': c.source });
  const found = quickFixesFor(before.analysis, before.text).filter((f) => f.diagnostic.code === c.code);
  assert.ok(found.length > 0, `no fix for ${c.code}; diagnostics: ${allDiagnostics(before).map(key).join(' | ')}`);
  const all = found.flatMap((f) => f.fixes);
  const hit = found.flatMap((f) => f.fixes.map((fix) => ({ diagnostic: f.diagnostic, fix }))).find((x) => c.title.test(x.fix.title));
  assert.ok(hit, `no fix titled ${c.title}; offered: ${all.map((f) => f.title).join(' | ')}`);
  return { before, ...hit, all };
}

/** Applies the fix and checks it with the engine and with tfjs; returns the fixed text. */
function verify(c: Case): string {
  const { before, diagnostic, fix } = fixFor(c);
  const text = applyEdits(before.text, fix.edits);
  const after = analyse({ 'model.ts': text });
  const remaining = allDiagnostics(after).filter((d) => d.code === c.code);
  assert.ok(
    !remaining.some((d) => d.message === diagnostic.message) && remaining.length < allDiagnostics(before).filter((d) => d.code === c.code).length,
    `${c.code} is still reported after "${fix.title}":\n${text}\n${remaining.map(key).join('\n')}`,
  );
  const old = new Set(errors(before).map(key));
  const added = errors(after).filter((d) => !old.has(key(d)));
  assert.deepEqual(added.map(key), [], `"${fix.title}" brings new errors:\n${text}`);
  if (c.fixed) assert.ok(text.includes(c.fixed), `the fixed text lacks ${JSON.stringify(c.fixed)}:\n${text}`);

  if (c.tfjsBefore === null) {
    assert.equal(tfjsProblem(c.source, c.builder), undefined, 'tfjs builds the source before the fix');
  } else {
    const problem = tfjsProblem(c.source, c.builder);
    assert.ok(problem, 'tfjs should fail on the source before the fix');
    if (c.tfjsBefore) assert.match(problem, c.tfjsBefore);
  }
  assert.equal(tfjsProblem(text, c.builder), undefined, `tfjs fails on the fixed source:\n${text}`);
  return text;
}

const seq = (body: string, name = 'build') => `${HEADER}
export function ${name}() {
  const model = tf.sequential();
${body
  .trim()
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
  return model;
}
`;

const CASES: Case[] = [
  // ---- negative-output-size / zero-output-size → padding 'same'
  {
    name: "a 7×7 'valid' conv on 5×5 in a Sequential: padding 'same' added",
    source: seq(`
model.add(tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 7 }));
model.add(tf.layers.flatten());`),
    builder: 'build',
    code: 'negative-output-size',
    title: /^Use padding 'same' in conv2d_Conv2D1 \(output \[null,5,5,2\]\)$/,
    fixed: "tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 7, padding: 'same' })",
    tfjsBefore: /Negative dimension size/,
  },
  {
    name: 'the functional model of samples/broken.ts: tfjs builds a negative size, the fix does not',
    source: `${HEADER}
export function buildKernelTooLarge(): tf.LayersModel {
  const input = tf.input({ shape: [5, 5, 1] });
  const conv = tf.layers.conv2d({ filters: 16, kernelSize: 7, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}
`,
    builder: 'buildKernelTooLarge',
    code: 'negative-output-size',
    title: /^Use padding 'same'/,
    fixed: "{ filters: 16, kernelSize: 7, activation: 'relu', padding: 'same' }",
    tfjsBefore: /output shape \[null,-1,-1,16\]/,
  },
  {
    name: "padding: \"valid\" replaced in a multi-line config (double quotes, trailing comma)",
    source: `import * as tf from "@tensorflow/tfjs";
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({
    inputShape: [5, 5, 1],
    filters: 2,
    kernelSize: 7,
    padding: "valid",
  }));
  return model;
}
`,
    builder: 'build',
    code: 'negative-output-size',
    title: /^Use padding 'same'/,
    fixed: `    kernelSize: 7,
    padding: "same",
  }));`,
  },
  {
    name: 'a pooling window larger than its input (size 0): padding added on its own line',
    source: seq(`
model.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu' }));
model.add(tf.layers.maxPooling2d({
  poolSize: 5
}));
model.add(tf.layers.flatten());
model.add(tf.layers.dense({ units: 1 }));`),
    builder: 'build',
    code: 'zero-output-size',
    title: /^Use padding 'same' in max_pooling2d_MaxPooling2D1 \(output \[null,1,1,2\]\)$/,
    fixed: `    poolSize: 5,
    padding: 'same'
  }));`,
  },
  {
    name: 'a Conv1D kernel longer than the sequence in a functional model',
    source: `${HEADER}
const x = tf.input({ shape: [4, 3] });
const y = tf.layers.conv1d({ filters: 2, kernelSize: 6 }).apply(x) as tf.SymbolicTensor;
export const model = tf.model({ inputs: x, outputs: y });
`,
    code: 'negative-output-size',
    title: /^Use padding 'same' in conv1d_Conv1D1 \(output \[null,4,2\]\)$/,
  },

  // ---- wrong-input-rank
  {
    name: 'an MNIST inputShape without its channel axis: [28, 28] → [28, 28, 1]',
    source: seq(`
model.add(tf.layers.conv2d({ inputShape: [28, 28], filters: 4, kernelSize: 3, activation: 'relu' }));
model.add(tf.layers.flatten());
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));`),
    builder: 'build',
    code: 'wrong-input-rank',
    title: /^Change inputShape to \[28, 28, 1\]$/,
    fixed: 'inputShape: [28, 28, 1], filters: 4',
    tfjsBefore: /expected ndim=4, found ndim=3/,
  },
  {
    name: 'a tf.input shape without its channel axis',
    source: `${HEADER}
const image = tf.input({ shape: [28, 28] });
const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(image) as tf.SymbolicTensor;
export const model = tf.model({ inputs: image, outputs: conv });
`,
    code: 'wrong-input-rank',
    title: /^Change the input shape to \[28, 28, 1\]$/,
    fixed: 'tf.input({ shape: [28, 28, 1] })',
    tfjsBefore: /expected ndim=4, found ndim=3/,
  },
  {
    name: 'an LSTM after a Dense: a reshape adds the feature axis',
    source: seq(`
model.add(tf.layers.dense({ units: 16, inputShape: [10], activation: 'relu' }));
model.add(tf.layers.lstm({ units: 4 }));`),
    builder: 'build',
    code: 'wrong-input-rank',
    title: /^Insert tf\.layers\.reshape\(\{ targetShape: \[16, 1\] \}\) before lstm_LSTM1$/,
    fixed: `  model.add(tf.layers.dense({ units: 16, inputShape: [10], activation: 'relu' }));
  model.add(tf.layers.reshape({ targetShape: [16, 1] }));
  model.add(tf.layers.lstm({ units: 4 }));`,
    tfjsBefore: /expected ndim=3, found ndim=2/,
  },
  {
    name: 'RepeatVector after a conv (needs rank 2), functional: flatten() applied in between',
    source: `${HEADER}
const x = tf.input({ shape: [8, 8, 1] });
const c = tf.layers.conv2d({ filters: 2, kernelSize: 3 }).apply(x) as tf.SymbolicTensor;
const r = tf.layers.repeatVector({ n: 3 }).apply(c) as tf.SymbolicTensor;
export const model = tf.model({ inputs: x, outputs: r });
`,
    code: 'wrong-input-rank',
    title: /^Insert tf\.layers\.flatten\(\) before repeat_vector_RepeatVector1$/,
    fixed: 'tf.layers.repeatVector({ n: 3 }).apply(tf.layers.flatten().apply(c)) as tf.SymbolicTensor',
    tfjsBefore: /expected ndim=2, found ndim=4/,
  },
  {
    name: 'an LSTM after a conv in a `layers: [...]` config: the rows become time steps',
    source: `${HEADER}
export const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
    tf.layers.lstm({ units: 4 }),
  ],
});
`,
    code: 'wrong-input-rank',
    title: /^Insert tf\.layers\.reshape\(\{ targetShape: \[6, 12\] \}\) before lstm_LSTM1$/,
    fixed: `    tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
    tf.layers.reshape({ targetShape: [6, 12] }),
    tf.layers.lstm({ units: 4 }),`,
    tfjsBefore: /expected ndim=3, found ndim=4/,
  },
  {
    name: 'named imports (`layers`, `sequential`): the inserted flatten is written `layers.flatten()`',
    source: `import { layers, sequential } from '@tensorflow/tfjs';
export function build() {
  const model = sequential();
  model.add(layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }));
  model.add(layers.repeatVector({ n: 2 }));
  return model;
}
`,
    builder: 'build',
    code: 'wrong-input-rank',
    title: /^Insert layers\.flatten\(\) before/,
    fixed: `  model.add(layers.flatten());
  model.add(layers.repeatVector({ n: 2 }));`,
  },
  {
    name: 'a Flatten of an input that is already flat: removed',
    source: seq(`
model.add(tf.layers.dense({ units: 16, inputShape: [10], activation: 'relu' }));
model.add(tf.layers.flatten());
model.add(tf.layers.dense({ units: 1 }));`),
    builder: 'build',
    code: 'wrong-input-rank',
    title: /^Remove flatten_Flatten1: its input \[null,16\] is already flat$/,
    fixed: `activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));`,
    tfjsBefore: /expected min_ndim=3, found ndim=2/,
  },

  // ---- concatenate axis
  {
    name: 'concatenate() of [null,4,3] and [null,5,3]: axis 1',
    source: `${HEADER}
const a = tf.input({ shape: [4, 3] });
const b = tf.input({ shape: [5, 3] });
const joined = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
export const model = tf.model({ inputs: [a, b], outputs: joined });
`,
    code: 'concat-axis-mismatch',
    title: /^Concatenate on axis 1 \(output \[null,9,3\]\)$/,
    fixed: 'tf.layers.concatenate({ axis: 1 })',
    tfjsBefore: /matching shapes except for the concat axis/,
  },
  {
    name: 'concatenate({ axis: 2 }) of [null,8] and [null,4]: the axis replaced by -1',
    source: `${HEADER}
const a = tf.input({ shape: [8] });
const b = tf.input({ shape: [4] });
const joined = tf.layers.concatenate({ axis: 2 }).apply([a, b]) as tf.SymbolicTensor;
export const model = tf.model({ inputs: [a, b], outputs: joined });
`,
    code: 'concat-axis-mismatch',
    title: /^Concatenate on axis -1 \(output \[null,12\]\)$/,
    fixed: 'tf.layers.concatenate({ axis: -1 })',
  },

  {
    name: 'concatenate({ axis: 3 }) of two [null,4,3] inputs: an axis they have',
    source: `${HEADER}
const a = tf.input({ shape: [4, 3] });
const b = tf.input({ shape: [4, 3] });
const joined = tf.layers.concatenate({ axis: 3 }).apply([a, b]) as tf.SymbolicTensor;
export const model = tf.model({ inputs: [a, b], outputs: joined });
`,
    code: 'concat-axis-out-of-range',
    title: /^Concatenate on axis -1 \(output \[null,4,6\]\)$/,
    fixed: 'tf.layers.concatenate({ axis: -1 })',
  },

  // ---- merge-shape-mismatch
  {
    name: 'an add of [null,64] and [null,32] (samples/broken.ts): the narrow branch widened',
    source: `${HEADER}
export function buildMismatchedMerge(): tf.LayersModel {
  const input = tf.input({ shape: [100] });
  const wide = tf.layers.dense({ units: 64, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const narrow = tf.layers.dense({ units: 32, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([wide, narrow]) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1 }).apply(sum) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}
`,
    builder: 'buildMismatchedMerge',
    code: 'merge-shape-mismatch',
    title: /^Set units of dense_Dense2 to 64$/,
    fixed: 'tf.layers.dense({ units: 64, activation: \'relu\' }).apply(input) as tf.SymbolicTensor;\n  const sum',
    tfjsBefore: /could not be broadcast together with shapes \[64\] \[32\]|\[32\] \[64\]/,
  },

  // ---- incompatible-input-shape
  {
    name: 'a nested Sequential expecting 20 features given 12: its inputShape becomes [12]',
    source: `${HEADER}
export function buildIncompatibleInput(): tf.Sequential {
  const encoder = tf.sequential();
  encoder.add(tf.layers.dense({ units: 6, inputShape: [20] }));
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 12, inputShape: [4] }));
  model.add(encoder);
  return model;
}
`,
    builder: 'buildIncompatibleInput',
    code: 'incompatible-input-shape',
    title: /^Change the inputShape of encoder to \[12\]/,
    fixed: 'tf.layers.dense({ units: 6, inputShape: [12] })',
    tfjsBefore: /expected axis -1 of input shape to have value 20/,
  },
  {
    name: '… or the layer before it produces 20 features',
    source: `${HEADER}
export function buildIncompatibleInput(): tf.Sequential {
  const encoder = tf.sequential();
  encoder.add(tf.layers.dense({ units: 6, inputShape: [20] }));
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 12, inputShape: [4] }));
  model.add(encoder);
  return model;
}
`,
    builder: 'buildIncompatibleInput',
    code: 'incompatible-input-shape',
    title: /^Set units of dense_Dense2 to 20$/,
    fixed: 'tf.layers.dense({ units: 20, inputShape: [4] })',
  },
  {
    name: 'a model applied to a tf.input of the wrong size: the input shape the model expects',
    source: `${HEADER}
const encoder = tf.sequential();
encoder.add(tf.layers.dense({ units: 6, inputShape: [20] }));
const x = tf.input({ shape: [12] });
const y = encoder.apply(x) as tf.SymbolicTensor;
export const model = tf.model({ inputs: x, outputs: y });
`,
    code: 'incompatible-input-shape',
    title: /^Change the input shape to \[20\] \(what encoder expects\)$/,
    fixed: 'tf.input({ shape: [20] })',
    tfjsBefore: /expected axis -1 of input shape to have value 20/,
  },
  {
    name: 'a shared Dense applied to an input of another size',
    source: `${HEADER}
export function buildShared(): tf.LayersModel {
  const wide = tf.input({ shape: [10] });
  const narrow = tf.input({ shape: [8] });
  const shared = tf.layers.dense({ units: 3 });
  const a = shared.apply(wide) as tf.SymbolicTensor;
  const b = shared.apply(narrow) as tf.SymbolicTensor;
  return tf.model({ inputs: [wide, narrow], outputs: [a, b] });
}
`,
    builder: 'buildShared',
    code: 'incompatible-input-shape',
    title: /^Change the input shape to \[10\] \(what dense_Dense1 expects\)$/,
    fixed: 'const narrow = tf.input({ shape: [10] });',
    tfjsBefore: /expected axis -1 of input shape to have value 10/,
  },

  // ---- reshape-size-mismatch
  {
    name: 'reshaping 24 values into [5, 5]: the Dense before it gives 25',
    source: seq(`
model.add(tf.layers.dense({ units: 24, inputShape: [3] }));
model.add(tf.layers.reshape({ targetShape: [5, 5] }));`),
    builder: 'build',
    code: 'reshape-size-mismatch',
    title: /^Set units of dense_Dense1 to 25/,
    fixed: 'tf.layers.dense({ units: 25, inputShape: [3] })',
    tfjsBefore: /Total size of new array must be unchanged|size/,
  },

  // ---- missing-input-shape
  {
    name: 'no inputShape, but predict() is given a [2, 3] tensor: inputShape [3]',
    source: seq(`
model.add(tf.layers.dense({ units: 8, activation: 'relu' }));
model.add(tf.layers.dense({ units: 1 }));
const xs = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
model.predict(xs);`),
    builder: 'build',
    code: 'missing-input-shape',
    title: /^Add inputShape: \[3\] \(predict\(\) is given xs of shape \[2, 3\]\)$/,
    fixed: "tf.layers.dense({ inputShape: [3], units: 8, activation: 'relu' })",
    tfjsBefore: /first layer in a Sequential model must get an `inputShape`/,
  },
  {
    name: 'no inputShape, fit() in another function with tf.zeros([10, 7]): inputShape [7]',
    source: `${HEADER}
export function build() {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 8, activation: 'relu' }), tf.layers.dense({ units: 1 })],
  });
  return model;
}
export async function train() {
  const model = build();
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  await model.fit(tf.zeros([10, 7]), tf.zeros([10, 1]), { epochs: 1 });
}
`,
    builder: 'build',
    code: 'missing-input-shape',
    title: /^Add inputShape: \[7\] \(fit\(\) is given data of shape \[10, 7\]\)$/,
    fixed: "tf.layers.dense({ inputShape: [7], units: 8, activation: 'relu' })",
    tfjsBefore: /first layer in a Sequential model must get an `inputShape`/,
  },

  // ---- not-a-tfjs-layer
  {
    name: 'a misspelt factory (tf.layers.Dense): the real one',
    source: seq(`
model.add(tf.layers.dense({ units: 24, inputShape: [3], activation: 'relu' }));
model.add(tf.layers.Dense({ units: 5 }));`),
    builder: 'build',
    code: 'not-a-tfjs-layer',
    title: /^Change to tf\.layers\.dense$/,
    fixed: 'model.add(tf.layers.dense({ units: 5 }));',
    tfjsBefore: /is not a function/,
  },

  // ---- static architecture checks (tfjs builds these; the fix is what the warning asks for)
  {
    name: 'Dense → Dense without an activation: relu',
    source: seq(`
model.add(tf.layers.dense({ units: 16, inputShape: [10] }));
model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));`),
    builder: 'build',
    code: 'dense-without-activation',
    title: /^Use activation 'relu' in dense_Dense1$/,
    fixed: "tf.layers.dense({ units: 16, inputShape: [10], activation: 'relu' })",
    tfjsBefore: null,
  },
  {
    name: 'softmax on one unit: sigmoid',
    source: seq(`
model.add(tf.layers.dense({ units: 16, inputShape: [10], activation: 'relu' }));
model.add(tf.layers.dense({ units: 1, activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });`),
    builder: 'build',
    code: 'softmax-single-unit',
    title: /^Use activation 'sigmoid' in dense_Dense2$/,
    fixed: "tf.layers.dense({ units: 1, activation: 'sigmoid' })",
    tfjsBefore: null,
  },
  {
    name: 'categoricalCrossentropy after a linear output: softmax',
    source: seq(`
model.add(tf.layers.dense({ units: 16, inputShape: [10], activation: 'relu' }));
model.add(tf.layers.dense({ units: 3 }));
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });`),
    builder: 'build',
    code: 'output-activation-loss-mismatch',
    title: /^Use activation 'softmax' in dense_Dense2$/,
    fixed: "tf.layers.dense({ units: 3, activation: 'softmax' })",
    tfjsBefore: null,
  },
  {
    name: 'binaryCrossentropy after a relu output: sigmoid',
    source: seq(`
model.add(tf.layers.dense({ units: 16, inputShape: [10], activation: 'relu' }));
model.add(tf.layers.dense({ units: 1, activation: 'relu' }));
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });`),
    builder: 'build',
    code: 'output-activation-loss-mismatch',
    title: /^Use activation 'sigmoid' in dense_Dense2$/,
    fixed: "tf.layers.dense({ units: 1, activation: 'sigmoid' })",
    tfjsBefore: null,
  },
  {
    name: 'dropout after the output layer: moved before it',
    source: seq(`
model.add(tf.layers.dense({ units: 16, inputShape: [10], activation: 'relu' }));
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
model.add(tf.layers.dropout({ rate: 0.5 }));`),
    builder: 'build',
    code: 'dropout-last-layer',
    title: /^Move dropout_Dropout1 before dense_Dense2$/,
    fixed: `activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  return model;`,
    tfjsBefore: null,
  },
  {
    name: 'a learning rate of 5 for adam: 0.001',
    source: seq(`
model.add(tf.layers.dense({ units: 1, inputShape: [10], activation: 'sigmoid' }));
model.compile({ optimizer: tf.train.adam(5), loss: 'binaryCrossentropy' });`),
    builder: 'build',
    code: 'extreme-learning-rate',
    title: /^Set the learning rate of adam to 0\.001$/,
    fixed: 'tf.train.adam(0.001)',
    tfjsBefore: null,
  },
  {
    name: 'a learning rate held in a constant: the constant',
    source: `${HEADER}
const LEARNING_RATE = 3;
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [10], activation: 'sigmoid' }));
  model.compile({ optimizer: tf.train.sgd(LEARNING_RATE), loss: 'binaryCrossentropy' });
  return model;
}
`,
    builder: 'build',
    code: 'extreme-learning-rate',
    title: /^Set the learning rate of sgd to 0\.01$/,
    fixed: 'const LEARNING_RATE = 0.01;',
    tfjsBefore: null,
  },
];

describe('quick fixes: the engine and real tfjs agree the fix works', () => {
  for (const c of CASES) {
    it(`${c.code}: ${c.name}`, () => {
      verify(c);
    });
  }

  it('every fixable code has a verified case', async () => {
    const { FIXABLE_CODES } = await import('../../src/server/features/quick-fixes');
    for (const code of FIXABLE_CODES) assert.ok(CASES.some((c) => c.code === code), `no case for ${code}`);
  });
});

describe('quick fixes: none where no simple edit exists', () => {
  const none = (source: string, code: string) => {
    const src = analyse({ 'model.ts': source });
    assert.ok(allDiagnostics(src).some((d) => d.code === code), `the source should have ${code}: ${allDiagnostics(src).map(key).join(' | ')}`);
    const fixes = quickFixesFor(src.analysis, src.text).filter((f) => f.diagnostic.code === code);
    assert.deepEqual(fixes.flatMap((f) => f.fixes.map((x) => x.title)), []);
  };

  it('a Conv2D after a Dense (rank 2 → 4): flatten cannot help, the grid is the user’s choice', () => {
    none(seq(`
model.add(tf.layers.dense({ units: 16, inputShape: [10] }));
model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3 }));`), 'wrong-input-rank');
  });

  it('no inputShape and no data given to the model anywhere', () => {
    none(seq(`
model.add(tf.layers.dense({ units: 8 }));
model.add(tf.layers.dense({ units: 1 }));`), 'missing-input-shape');
  });

  it('a config passed as a variable is not edited', () => {
    none(`${HEADER}
const cfg = { inputShape: [5, 5, 1], filters: 2, kernelSize: 7 };
export const model = tf.sequential();
model.add(tf.layers.conv2d(cfg));
`, 'negative-output-size');
  });

  it('a pooling layer whose input is already empty: the fix belongs to the layer before', () => {
    const src = analyse({
      'model.ts': seq(`
model.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }));
model.add(tf.layers.maxPooling2d({ poolSize: 5 }));
model.add(tf.layers.maxPooling2d({ poolSize: 2 }));`),
    });
    const titles = quickFixesFor(src.analysis, src.text).flatMap((f) => f.fixes.map((x) => x.title));
    assert.deepEqual(titles, ["Use padding 'same' in max_pooling2d_MaxPooling2D1 (output [null,1,1,2])"]);
  });

  it('an add whose inputs differ on more than the last axis', () => {
    none(`${HEADER}
const a = tf.input({ shape: [4, 8] });
const b = tf.input({ shape: [5, 6] });
const s = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
export const model = tf.model({ inputs: [a, b], outputs: s });
`, 'merge-shape-mismatch');
  });
});

describe('code actions', () => {
  const source = seq(`
model.add(tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 7 }));
model.add(tf.layers.flatten());`);
  const src = analyse({ 'model.ts': source });
  const problems = diagnosticsFor(src.analysis, src.doc);
  const problem = problems.find((d) => d.code === 'negative-output-size')!;

  it('a quickfix attached to the Problems entry it fixes, preferred, with a versioned edit', () => {
    const actions = codeActionsFor(src.analysis, src.doc, problem.range, { diagnostics: [problem] }, 7);
    assert.equal(actions.length, 1);
    const a: CodeAction = actions[0];
    assert.equal(a.kind, 'quickfix');
    assert.equal(a.isPreferred, true);
    assert.equal(a.diagnostics?.[0], problem, "the client's own diagnostic object");
    const change = a.edit?.documentChanges?.[0] as TextDocumentEdit;
    assert.deepEqual(change.textDocument, { uri: src.doc.uri, version: 7 });
    const offsets = (change.edits as TextEdit[]).map((e) => ({ start: src.doc.offsetAt(e.range.start), end: src.doc.offsetAt(e.range.end), newText: e.newText }));
    assert.match(applyEdits(source, offsets), /kernelSize: 7, padding: 'same' \}/);
  });

  it('without a version: a plain `changes` edit; the diagnostic is ours when the client sent none', () => {
    const [a] = codeActionsFor(src.analysis, src.doc, problem.range, { diagnostics: [] });
    assert.ok(a.edit?.changes?.[src.doc.uri]);
    assert.equal(a.diagnostics?.[0].code, 'negative-output-size');
    assert.equal(a.diagnostics?.[0].source, 'Layer Lens');
  });

  it('only for the range asked about, and only when quick fixes are asked for', () => {
    const elsewhere = { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } };
    assert.deepEqual(codeActionsFor(src.analysis, src.doc, elsewhere, { diagnostics: [] }), []);
    assert.deepEqual(codeActionsFor(src.analysis, src.doc, problem.range, { diagnostics: [], only: ['refactor'] }), []);
    assert.equal(codeActionsFor(src.analysis, src.doc, problem.range, { diagnostics: [], only: ['quickfix'] }).length, 1);
  });
});
