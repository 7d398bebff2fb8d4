/**
 * Quick fixes of training-health findings (src/server/features/training-fixes.ts): each kind of
 * edit the issue asks for — add an activation, switch to LeakyReLU, lower the learning rate,
 * add dropout, insert batch normalisation, clip gradients by wrapping the optimizer — plus the
 * loss, the early-stopping callback and rescaled inputs, on the three ways a model is written
 * (model.add, `layers: [...]`, functional `.apply`). Every fix is applied and checked: the
 * text has the edit in the file's style, the engine analyses the fixed file without errors and
 * sees the change, and real tfjs builds the fixed model and trains it for a step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { ModelGraph } from '../../src/analysis/graph';
import { ModelContext } from '../../src/health/context';
import type { Finding, Fix } from '../../src/health/findings';
import { batchNormAfter, clipGradients, dropoutAfter, earlyStopping, leakyRelu, lowerLearningRate, reluActivation, rescaleInputs, setLoss, unfreeze } from '../../src/health/fixes';
import { applyEdits } from '../../src/server/features/syntax';
import { CLIP_HELPER, trainingCodeActions, trainingQuickFixes, valueText } from '../../src/server/features/training-fixes';
import { TRAINING_DIAGNOSTIC_SOURCE, TRAINING_FIX_KIND } from '../../src/protocol/lsp/health';
import { analyse } from './server-helpers';
import { loadSource, tfjsProblem } from './tfjs-run';

const ADD = `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 32, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.5), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
`;

const FIT = `import * as tf from '@tensorflow/tfjs';

export async function train(xs: tf.Tensor, ys: tf.Tensor) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  await model.fit(xs, ys, { epochs: 2, validationSplit: 0.2 });
  return model;
}
`;

const ARRAY = `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [8], units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}
`;

const FUNCTIONAL = `import * as tf from '@tensorflow/tfjs';

export function build() {
  const input = tf.input({ shape: [8] });
  const hidden = tf.layers.dense({ units: 32, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 4, activation: 'softmax' }).apply(hidden) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return model;
}
`;

const FROZEN = `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 16, activation: 'relu', trainable: false }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return model;
}
`;

function findingWith(fix: Fix, layers: string[] = []): Finding {
  return { id: `test:${fix.id}`, code: 'vanishing-gradient', severity: 'warning', title: 'Vanishing gradients', message: 'test', layers, step: 10, lastStep: 10, evidence: {}, fixes: [fix], explain: [] };
}

function modelOf(source: string): { graph: ModelGraph; ctx: ModelContext; src: ReturnType<typeof analyse> } {
  const src = analyse({ 'model.ts': source });
  const graph = src.analysis.models[0];
  return { graph, ctx: new ModelContext(graph), src };
}

/** The fix applied: the fixed text, analysed again. */
function apply(source: string, fix: Fix, layers: string[] = []): { text: string; graph: ModelGraph; errors: string[] } {
  const { graph, src } = modelOf(source);
  const fixes = trainingQuickFixes(src.analysis, src.text, graph.name, [findingWith(fix, layers)]);
  assert.equal(fixes.length, 1, `the fix ${fix.id} is offered`);
  const text = applyEdits(src.text, fixes[0].edits);
  const after = analyse({ 'model.ts': text });
  const errors = [...after.analysis.diagnostics, ...after.analysis.models.flatMap((m) => m.diagnostics)].filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
  return { text, graph: after.analysis.models[0], errors };
}

/** Real tfjs builds the model and trains one batch. */
async function trainsInTfjs(text: string): Promise<void> {
  assert.equal(tfjsProblem(text, 'build'), undefined);
  const model = (loadSource(text).build as () => tf.LayersModel)();
  const xs = tf.randomNormal([16, 8]);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4).toFloat();
  const loss = (await model.trainOnBatch(xs, ys)) as number | number[];
  assert.ok(Number.isFinite(Array.isArray(loss) ? loss[0] : loss));
  tf.dispose([xs, ys]);
  model.dispose();
}

describe('training quick fixes', () => {
  it('adds an activation (ReLU with He initialisation) to each layer named', async () => {
    const r = apply(ADD, reluActivation(['dense_Dense1', 'dense_Dense2'], 1), ['dense_Dense1']);
    assert.match(r.text, /dense\(\{ inputShape: \[8\], units: 32, activation: 'relu', kernelInitializer: 'heNormal' \}\)/);
    assert.match(r.text, /dense\(\{ units: 32, activation: 'relu', kernelInitializer: 'heNormal' \}\)/);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.graph.layers.filter((l) => l.className === 'Dense').map((l) => l.config.activation), ['relu', 'relu', 'softmax']);
    await trainsInTfjs(r.text);
  });

  it('edits a call that makes several layers (a loop) once', async () => {
    const loop = `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 16, activation: 'sigmoid' }));
  for (let i = 0; i < 5; i++) model.add(tf.layers.dense({ units: 16, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return model;
}
`;
    const names = ['dense_Dense1', 'dense_Dense2', 'dense_Dense3', 'dense_Dense4', 'dense_Dense5', 'dense_Dense6'];
    const r = apply(loop, reluActivation(names, 1), names);
    assert.match(r.text, /for \(let i = 0; i < 5; i\+\+\) model\.add\(tf\.layers\.dense\(\{ units: 16, activation: 'relu', kernelInitializer: 'heNormal' \}\)\);/);
    assert.deepEqual(r.errors, []);
    assert.equal(r.graph.layers.filter((l) => l.config.activation === 'relu').length, 6);
    await trainsInTfjs(r.text);
  });

  it('switches a layer to LeakyReLU: linear activation plus a leakyReLU layer after it', async () => {
    const r = apply(ADD, leakyRelu(['dense_Dense2'], 1), ['dense_Dense2']);
    assert.match(r.text, /model\.add\(tf\.layers\.dense\(\{ units: 32, activation: 'linear' \}\)\);\n {2}model\.add\(tf\.layers\.leakyReLU\(\{ alpha: 0\.1 \}\)\);/);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.graph.layers.filter((l) => l.className !== 'InputLayer').map((l) => l.className),
      ['Dense', 'Dense', 'LeakyReLU', 'Dense'],
    );
    await trainsInTfjs(r.text);
  });

  it('lowers the learning rate written in tf.train.x(rate)', async () => {
    const { ctx } = modelOf(ADD);
    const r = apply(ADD, lowerLearningRate(ctx, 1));
    assert.match(r.text, /optimizer: tf\.train\.adam\(0\.05\)/);
    assert.equal(r.graph.compile?.learningRate, 0.05);
    await trainsInTfjs(r.text);
  });

  it("turns optimizer: 'adam' into tf.train.adam(rate)", () => {
    const { ctx } = modelOf(ARRAY);
    const r = apply(ARRAY, lowerLearningRate(ctx, 1));
    assert.match(r.text, /optimizer: tf\.train\.adam\(0\.0001\)/);
    assert.equal(r.graph.compile?.learningRate, 0.0001);
  });

  it('adds dropout after a layer: a model.add line, an element of layers: [...], an .apply() around the call', async () => {
    const a = apply(ADD, dropoutAfter('dense_Dense2', 1), ['dense_Dense2']);
    assert.match(a.text, /units: 32, activation: 'sigmoid' \}\)\);\n {2}model\.add\(tf\.layers\.dropout\(\{ rate: 0\.3 \}\)\);\n {2}model\.add\(tf\.layers\.dense\(\{ units: 4/);
    assert.deepEqual(a.errors, []);
    assert.equal(a.graph.layers.filter((l) => l.className === 'Dropout').length, 1);
    await trainsInTfjs(a.text);

    const b = apply(ARRAY, dropoutAfter('dense_Dense1', 1), ['dense_Dense1']);
    assert.match(b.text, /activation: 'relu' \}\),\n {6}tf\.layers\.dropout\(\{ rate: 0\.3 \}\),\n {6}tf\.layers\.dense\(\{ units: 4/);
    assert.deepEqual(b.errors, []);
    await trainsInTfjs(b.text);

    const c = apply(FUNCTIONAL, dropoutAfter('dense_Dense1', 1), ['dense_Dense1']);
    assert.match(c.text, /const hidden = tf\.layers\.dropout\(\{ rate: 0\.3 \}\)\.apply\(tf\.layers\.dense\(\{ units: 32, activation: 'relu' \}\)\.apply\(input\)\) as tf\.SymbolicTensor;/);
    assert.deepEqual(c.errors, []);
    assert.ok(c.graph.layers.some((l) => l.className === 'Dropout'));
    await trainsInTfjs(c.text);
  });

  it('inserts batch normalisation after a layer', async () => {
    const r = apply(ADD, batchNormAfter('dense_Dense1', 1), ['dense_Dense1']);
    assert.match(r.text, /model\.add\(tf\.layers\.batchNormalization\(\)\);/);
    assert.deepEqual(r.errors, []);
    const classes = r.graph.layers.map((l) => l.className);
    assert.equal(classes.indexOf('BatchNormalization'), classes.indexOf('Dense') + 1);
    await trainsInTfjs(r.text);
  });

  it('clips gradients by wrapping the optimizer after compile (tfjs optimizers have no clipnorm)', async () => {
    const r = apply(ADD, clipGradients(1));
    assert.match(r.text, /model\.compile\(.*\);\n {2}clipGradientsByNorm\(model\.optimizer, 1\);/);
    assert.match(r.text, new RegExp(`function ${CLIP_HELPER}\\(optimizer: tf\\.Optimizer, maxNorm: number\\): void \\{`));
    assert.deepEqual(r.errors, []);
    assert.equal(r.graph.compile?.learningRate, 0.5, 'the compile call the engine reads is unchanged');
    // The wrapped optimizer really clips: one SGD step with a huge gradient moves the weights by ≤ lr · maxNorm.
    const mod = loadSource(r.text.replace('tf.train.adam(0.5)', 'tf.train.sgd(1)'));
    const model = (mod.build as () => tf.LayersModel)();
    const before = model.getWeights().map((w) => w.clone());
    const xs = tf.fill([8, 8], 1000);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4).toFloat();
    await model.trainOnBatch(xs, ys);
    const after = model.getWeights();
    const moved = Math.sqrt(after.reduce((s, w, i) => s + (tf.sub(w, before[i]).square().sum().dataSync()[0] as number), 0));
    assert.ok(moved <= 1.0001, `the update's norm ${moved} is at most lr × maxNorm = 1`);
    tf.dispose([...before, xs, ys]);
    model.dispose();
    // Applying it twice adds nothing.
    const again = analyse({ 'model.ts': r.text });
    assert.equal(trainingQuickFixes(again.analysis, again.text, again.analysis.models[0].name, [findingWith(clipGradients(1))]).length, 0);
  });

  it('sets the loss, adds early stopping to fit, and scales inputs in front of the first layer', async () => {
    const loss = apply(ADD, setLoss('sparseCategoricalCrossentropy', 1));
    assert.match(loss.text, /loss: 'sparseCategoricalCrossentropy'/);
    assert.deepEqual(loss.graph.compile?.loss, 'sparseCategoricalCrossentropy');

    const stop = apply(FIT, earlyStopping(1));
    assert.match(stop.text, /model\.fit\(xs, ys, \{ epochs: 2, validationSplit: 0\.2, callbacks: \[tf\.callbacks\.earlyStopping\(\{ monitor: 'val_loss', patience: 3 \}\)\] \}\)/);

    const { ctx } = modelOf(ADD);
    const scale = apply(ADD, rescaleInputs(ctx, 255, 1), ['dense_Dense1']);
    assert.match(scale.text, /model\.add\(tf\.layers\.rescaling\(\{ inputShape: \[8\], scale: 0\.00392157 \}\)\);\n {2}model\.add\(tf\.layers\.dense\(\{ units: 32, activation: 'sigmoid' \}\)\);/);
    assert.deepEqual(scale.errors, []);
    assert.equal(scale.graph.layers.find((l) => l.className === 'Rescaling')?.config.scale, 0.00392157);
  });

  it('unfreezes a layer only where its config froze it', () => {
    const r = apply(FROZEN, unfreeze(['dense_Dense1'], 1), ['dense_Dense1']);
    assert.match(r.text, /activation: 'relu', trainable: true \}/);
    const { graph, src } = modelOf(ADD);
    assert.equal(trainingQuickFixes(src.analysis, src.text, graph.name, [findingWith(unfreeze(['dense_Dense1'], 1))]).length, 0);
  });

  it('offers no fix it cannot write (no such layer, fixes without edits)', () => {
    const { graph, src } = modelOf(ADD);
    assert.equal(trainingQuickFixes(src.analysis, src.text, graph.name, [findingWith(dropoutAfter('dense_Dense9', 1))]).length, 0);
    assert.equal(trainingQuickFixes(src.analysis, src.text, graph.name, [findingWith({ id: 'more-data', title: 'Train on more data', rank: 1, explain: [] })]).length, 0);
  });

  it('answers code actions at the layer line, attached to the "Layer Lens training" diagnostic', () => {
    const { graph, src, ctx } = modelOf(ADD);
    const finding: Finding = { ...findingWith(reluActivation(['dense_Dense1'], 1), ['dense_Dense1']), fixes: [reluActivation(['dense_Dense1'], 1), batchNormAfter('dense_Dense1', 2), lowerLearningRate(ctx, 3)] };
    const line = graph.layers.find((l) => l.name === 'dense_Dense1')!.range!.start.line - 1;
    const diagnostic = { range: { start: { line, character: 12 }, end: { line, character: 80 } }, message: 'x', source: TRAINING_DIAGNOSTIC_SOURCE, code: 'vanishing-gradient' };
    const actions = trainingCodeActions(src.analysis, src.doc, graph.name, [finding], { start: { line, character: 0 }, end: { line, character: 0 } }, { diagnostics: [diagnostic] }, 1);
    assert.deepEqual(
      actions.map((a) => a.kind),
      ['use-relu', 'insert-batch-norm', 'lower-learning-rate'].map((id) => `${TRAINING_FIX_KIND}.${id}`),
    );
    assert.equal(actions[0].isPreferred, true);
    assert.deepEqual(actions[0].diagnostics, [diagnostic]);
    assert.match(actions[2].title, /Lower the learning rate: 0\.05/);
    // Elsewhere: nothing. Only the quick-fix kinds asked for.
    assert.equal(trainingCodeActions(src.analysis, src.doc, graph.name, [finding], { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }).length, 0);
    assert.equal(trainingCodeActions(src.analysis, src.doc, graph.name, [finding], { start: { line, character: 0 }, end: { line, character: 0 } }, { diagnostics: [], only: ['refactor'] }).length, 0);
    assert.equal(trainingCodeActions(src.analysis, src.doc, graph.name, [finding], { start: { line, character: 0 }, end: { line, character: 0 } }, { diagnostics: [], only: [`${TRAINING_FIX_KIND}.insert-batch-norm`] }).length, 1);
  });

  it('writes values in the file’s quote style', () => {
    assert.equal(valueText({ rate: 0.3, name: "it's" }, '"'), '{ rate: 0.3, name: "it\'s" }');
    assert.equal(valueText({ $code: 'tf.regularizers.l2({l2: 0.0001})' }, "'", 'tfjs.'), 'tfjs.regularizers.l2({l2: 0.0001})');
  });
});
