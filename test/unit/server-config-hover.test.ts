/**
 * Hovers on config keys and values (activation, loss, optimizer, regularizers, initializers,
 * padding, strides, rates, …) show the src/explain entry they name, in the client's locale;
 * a layer's hover names the model-level idea it stands for (1×1 convolution, residual add).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver';
import { type ExplainLocale, explain, formatExplanationMarkdown } from '../../src/explain/index';
import { hoverAt } from '../../src/server/features/hover';
import { HEADER, analyse } from './server-helpers';

const SOURCE = `${HEADER}
const RELU = 'relu';
export function build() {
  const input = tf.input({ shape: [32, 32, 3] });
  const c = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) }).apply(input) as tf.SymbolicTensor;
  const block = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: RELU, biasInitializer: tf.initializers.zeros() }).apply(c) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([c, block]) as tf.SymbolicTensor;
  const squeeze = tf.layers.conv2d({ filters: 4, kernelSize: 1, strides: 2 }).apply(sum) as tf.SymbolicTensor;
  const wide = tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2 }).apply(squeeze) as tf.SymbolicTensor;
  const steps = tf.layers.reshape({ targetShape: [12, 48] }).apply(wide) as tf.SymbolicTensor;
  const seq = tf.layers.lstm({ units: 8, returnSequences: true, dropout: 0.2, recurrentActivation: 'hardSigmoid' }).apply(steps) as tf.SymbolicTensor;
  const pooled = tf.layers.maxPooling1d({ poolSize: 2 }).apply(seq) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: 0.5 }).apply(flat) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(dropped) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  model.compile({ optimizer: tf.train.adam(0.001), loss: ['categoricalCrossentropy'], metrics: ['accuracy'] });
  return model;
}

export function other() {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [4], units: 1, activation: 'sigmoid' }));
  m.compile({ optimizer: 'sgd', loss: tf.losses.meanSquaredError });
  m.fit(tf.zeros([8, 4]), tf.zeros([8, 1]), { batchSize: 4, validationSplit: 0.2, callbacks: [tf.callbacks.earlyStopping({ patience: 2 })] });
  return m;
}
`;

describe('hovers on config values', () => {
  const src = analyse({ 'config.ts': SOURCE });

  /** The hover markdown at `needle` (+delta) and the source its range covers. */
  const hover = (needle: string, delta: number, locale: ExplainLocale = 'en'): { md: string; covers: string } => {
    const h = hoverAt(src.analysis, src.doc, src.at(needle, delta), { locale });
    assert.ok(h, `a hover at ${needle}+${delta}`);
    const start = src.doc.offsetAt(h.range!.start);
    const end = src.doc.offsetAt(h.range!.end);
    return { md: (h.contents as MarkupContent).value, covers: src.text.slice(start, end) };
  };

  /** The hover starts with the full explanation of `id` in `locale`. */
  const explains = (needle: string, delta: number, id: string, locale: ExplainLocale = 'en'): { md: string; covers: string } => {
    const h = hover(needle, delta, locale);
    const e = explain(id, locale);
    assert.ok(e, id);
    assert.ok(h.md.startsWith(formatExplanationMarkdown(e)), `expected ${id} at ${needle}, got:\n${h.md.slice(0, 300)}`);
    return h;
  };

  // [where, offset into it, catalogue id, what the hover range covers]
  const table: [string, number, string, string][] = [
    ["activation: 'relu'", 14, 'activation.relu', "activation: 'relu'"],
    ["activation: 'relu'", 2, 'activation.relu', "activation: 'relu'"],
    ['activation: RELU', 13, 'activation.relu', 'activation: RELU'],
    ["recurrentActivation: 'hardSigmoid'", 25, 'activation.hardSigmoid', "recurrentActivation: 'hardSigmoid'"],
    ["'heNormal'", 3, 'initializer.heNormal', "kernelInitializer: 'heNormal'"],
    ['initializers.zeros', 14, 'initializer.zeros', 'tf.initializers.zeros'],
    ['regularizers.l2', 13, 'regularizer.l2', 'tf.regularizers.l2'],
    ['kernelRegularizer', 3, 'regularizer.l2', 'kernelRegularizer: tf.regularizers.l2({ l2: 0.01 })'],
    ['l2: 0.01', 5, 'regularizer.l2', 'l2: 0.01'],
    ['adam(0.001)', 1, 'optimizer.adam', 'tf.train.adam'],
    ['0.001', 2, 'concept.learningRate', '0.001'],
    ["optimizer: 'sgd'", 13, 'optimizer.sgd', "optimizer: 'sgd'"],
    ["'categoricalCrossentropy'", 4, 'loss.categoricalCrossentropy', "loss: ['categoricalCrossentropy']"],
    ['losses.meanSquaredError', 10, 'loss.meanSquaredError', 'tf.losses.meanSquaredError'],
    ["padding: 'same'", 11, 'concept.padding', "padding: 'same'"],
    ['strides: 2', 1, 'concept.stride', 'strides: 2'],
    ['dilationRate: 2', 3, 'concept.dilation', 'dilationRate: 2'],
    ['kernelSize: 1', 1, 'concept.conv1x1', 'kernelSize: 1'],
    ['kernelSize: 3, padding', 1, 'concept.receptiveField', 'kernelSize: 3'],
    ['poolSize: 2', 1, 'concept.pooling', 'poolSize: 2'],
    ['filters: 16', 1, 'concept.channels', 'filters: 16'],
    ['rate: 0.5', 7, 'layer.Dropout', 'rate: 0.5'],
    ['dropout: 0.2', 1, 'layer.Dropout', 'dropout: 0.2'],
    ['returnSequences', 3, 'layer.LSTM', 'returnSequences: true'],
    ['units: 8', 1, 'layer.LSTM', 'units: 8'],
    ['units: 10', 1, 'layer.Dense', 'units: 10'],
    ['targetShape', 1, 'layer.Reshape', 'targetShape: [12, 48]'],
    ['batchSize: 4', 1, 'concept.miniBatch', 'batchSize: 4'],
    ['validationSplit', 1, 'concept.overfitting', 'validationSplit: 0.2'],
    ['earlyStopping', 3, 'concept.earlyStopping', 'tf.callbacks.earlyStopping'],
  ];

  for (const [needle, delta, id, covers] of table) {
    it(`${needle} → ${id}`, () => {
      assert.equal(explains(needle, delta, id).covers, covers);
      // The same hover in Simplified Chinese.
      const zh = explains(needle, delta, id, 'zh-cn');
      assert.notEqual(explain(id, 'zh-cn')!.summary, explain(id, 'en')!.summary, `${id} has a Chinese text`);
      assert.ok(zh.md.includes(explain(id, 'zh-cn')!.summary));
    });
  }

  it('padding, strides and kernel sizes come with the layer’s shapes and output-size formula from the engine', () => {
    const md = hover("padding: 'same'", 3).md;
    assert.ok(md.includes('---\n\n`[null,32,32,3]` → `[null,32,32,16]` · `out = ceil(32/1) = 32`'), md);
  });

  it('units and filters come with the layer’s parameter formula', () => {
    assert.ok(hover('units: 10', 1).md.endsWith('---\n\nparams: `48·10 + 10 = 490`'), hover('units: 10', 1).md);
    assert.ok(hover('filters: 16', 1).md.includes('params: `3·3·3·16 + 16 = 448`'), hover('filters: 16', 1).md);
  });

  it('a key no entry explains falls back to the layer hover; an unknown value gives no explanation', () => {
    // `metrics: ['accuracy']` has no catalogue entry: the hover (if any) is not an explanation.
    const h = hoverAt(src.analysis, src.doc, src.at("'accuracy'", 2), { locale: 'en' });
    assert.equal(h, null);
    // `useBias` is not written here; `inputShape` has no entry: the Dense layer's own hover.
    const dense = hover('inputShape: [4]', 2).md;
    assert.match(dense, /^\*\*Dense\*\* `dense_Dense/);
  });

  it('without a locale (no explanations wired), config values get the layer hover as before', () => {
    const h = hoverAt(src.analysis, src.doc, src.at("activation: 'relu'", 14));
    assert.match((h!.contents as MarkupContent).value, /^\*\*Conv2D\*\*/);
  });

  it('a 1×1 convolution’s hover mentions the 1×1 idea; an add closing a shortcut mentions residual connections', () => {
    for (const locale of ['en', 'zh-cn'] as const) {
      const conv = hover('conv2d({ filters: 4, kernelSize: 1', 3, locale).md;
      assert.match(conv, /^\*\*Conv2D\*\*/);
      assert.ok(conv.includes(`**${explain('concept.conv1x1', locale)!.title}**\n\n${explain('concept.conv1x1', locale)!.summary}`), conv);
      const add = hover('tf.layers.add()', 11, locale).md;
      assert.match(add, /^\*\*Add\*\*/);
      assert.ok(add.includes(`**${explain('concept.residual', locale)!.title}**`), add);
      const dilated = hover('conv2d({ filters: 4, kernelSize: 3, dilationRate', 3, locale).md;
      assert.ok(dilated.includes(`**${explain('concept.dilation', locale)!.title}**`), dilated);
    }
    // A 3×3 convolution is not a 1×1 one.
    assert.doesNotMatch(hover("conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu'", 3).md, /1×1/);
  });

  it('an add of two parallel branches is not a residual connection', () => {
    const parallel = analyse({
      'parallel.ts': `${HEADER}
const input = tf.input({ shape: [100] });
const a = tf.layers.dense({ units: 8 }).apply(input) as tf.SymbolicTensor;
const b = tf.layers.dense({ units: 8 }).apply(input) as tf.SymbolicTensor;
const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
export const m = tf.model({ inputs: input, outputs: sum });
`,
    });
    const h = hoverAt(parallel.analysis, parallel.doc, parallel.at('add()', 1), { locale: 'en' });
    assert.doesNotMatch((h!.contents as MarkupContent).value, /Residual connection/);
  });
});
