import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver';
import { explainerFor } from '../../src/server/explain-hook';
import { hoverAt, hoverMarkdown } from '../../src/server/features/hover';
import { targetAt } from '../../src/server/features/locate';
import { HEADER, analyse } from './server-helpers';

const SEQUENTIAL = `${HEADER}
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 10, kernelSize: 5 }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.dense({ units: 4 }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
`;

const FUNCTIONAL = `${HEADER}
const input = tf.input({ shape: [8] });
const hidden = tf.layers.dense({ units: 16, activation: 'relu' });
const h = hidden.apply(input) as tf.SymbolicTensor;
const out = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
export const net = tf.model({ inputs: input, outputs: out });
`;

function markdown(src: ReturnType<typeof analyse>, offset: number, options?: Parameters<typeof hoverAt>[3]): string {
  const hover = hoverAt(src.analysis, src.doc, offset, options);
  assert.ok(hover, `a hover at offset ${offset}`);
  return (hover.contents as MarkupContent).value;
}

describe('hover', () => {
  const seq = analyse({ 'seq.ts': SEQUENTIAL });

  it('on a conv layer factory call: shapes, param formula, output-size formula, trainable counts, MACs', () => {
    const md = markdown(seq, seq.at('conv2d({', 3));
    assert.match(md, /\*\*Conv2D\*\*/);
    assert.ok(md.includes('`5·5·3·10 + 10 = 760`'), md);
    assert.ok(md.includes('`[null,32,32,3]` → `[null,28,28,10]`'), md);
    assert.ok(md.includes('out = floor((32 − 5)/1) + 1 = 28'), md);
    assert.ok(md.includes('trainable 760 · non-trainable 0'), md);
    // 28·28 output positions × 5·5·3 inputs × 10 filters
    assert.ok(md.includes(`MACs: ${(28 * 28 * 5 * 5 * 3 * 10).toLocaleString('en-US')} per sample`), md);
    assert.ok(md.includes('kernel `[5,5,3,10]`'), md);
  });

  it('its range is the factory call', () => {
    const hover = hoverAt(seq.analysis, seq.doc, seq.at('conv2d({', 3))!;
    const start = seq.doc.offsetAt(hover.range!.start);
    const end = seq.doc.offsetAt(hover.range!.end);
    assert.equal(seq.text.slice(start, end), 'tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 10, kernelSize: 5 })');
  });

  it('on a pooling layer: the output-size formula', () => {
    const md = markdown(seq, seq.at('maxPooling2d', 2));
    assert.ok(md.includes('out = floor((28 − 2)/2) + 1 = 14'), md);
    assert.ok(md.includes('`[null,14,14,10]`'), md);
  });

  it('non-trainable parameters of batch normalization', () => {
    const md = markdown(seq, seq.at('batchNormalization', 2));
    assert.ok(md.includes('trainable 3,920 · non-trainable 3,920'), md);
  });

  it('on the `.add(` of model.add: the layer added', () => {
    const md = markdown(seq, seq.at('.add(tf.layers.flatten', 2));
    assert.match(md, /\*\*Flatten\*\*/);
    assert.ok(md.includes('`[null,14,14,10]` → `[null,1960]`'), md);
  });

  it('on the model variable: the model totals', () => {
    const md = markdown(seq, seq.at('model.compile', 1));
    assert.match(md, /\*\*Sequential model\*\* `model` · 5 layers/);
    const total = 760 + 0 + 0 + 4 * 1960 + (1960 * 4 + 4);
    assert.ok(md.includes(`params: ${total.toLocaleString('en-US')}`), md);
    assert.ok(md.includes('`[null,32,32,3]` → `[null,4]`'), md);
    assert.ok(md.includes("optimizer `adam`"), md);
    assert.ok(md.includes('non-trainable 3,920'), md);
  });

  it('`model` in model.add(…) is the model, not the layer', () => {
    const target = targetAt(seq.analysis, seq.text, seq.at('model.add(tf.layers.dense', 2));
    assert.equal(target?.kind, 'model');
  });

  it('on the model creation call', () => {
    const md = markdown(seq, seq.at('sequential()', 3));
    assert.match(md, /Sequential model/);
  });

  const fn = analyse({ 'fn.ts': FUNCTIONAL });

  it('on `.apply(` of a layer created elsewhere: that layer', () => {
    const md = markdown(fn, fn.at('.apply(input)', 2));
    assert.match(md, /\*\*Dense\*\*/);
    assert.ok(md.includes('`8·16 + 16 = 144`'), md);
    assert.ok(md.includes('`[null,8]` → `[null,16]`'), md);
  });

  it('on a functional model variable and creation call', () => {
    assert.match(markdown(fn, fn.at('net =', 1)), /\*\*Functional model\*\* `net`/);
    assert.match(markdown(fn, fn.at('tf.model(', 4)), /Functional model/);
  });

  it('on an input layer', () => {
    assert.match(markdown(fn, fn.at('tf.input(', 4)), /InputLayer[\s\S]*input `\[null,8\]`/);
  });

  it('nothing outside models and layers', () => {
    assert.equal(hoverAt(fn.analysis, fn.doc, fn.at('import')), null);
    assert.equal(hoverAt(fn.analysis, fn.doc, fn.at('SymbolicTensor')), null);
  });

  it('layers created by one call in a loop: one table for all of them', () => {
    const src = analyse({
      'loop.ts': `${HEADER}
export const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [4], units: 8 }));
for (const units of [16, 32, 64]) {
  model.add(tf.layers.dense({ units }));
}
`,
    });
    const md = markdown(src, src.at('dense({ units }', 2));
    assert.match(md, /\*\*3 layers\*\*/);
    assert.ok(md.includes('`8·16 + 16 = 144`') && md.includes('`16·32 + 32 = 544`') && md.includes('`32·64 + 64 = 2112`'), md);
  });

  it('variants of one builder: the creation call names the other variant, a layer lists both', () => {
    const v = analyse({
      'variants.ts': `${HEADER}
function build(units: number) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units }));
  return model;
}
export function small() { return build(2); }
export function large() { return build(20); }
`,
    });
    const md = markdown(v, v.at('sequential()', 3));
    assert.match(md, /This call also builds `large` \(100 params, output `\[null,20\]`\)/);
    const layer = markdown(v, v.at('dense(', 2));
    assert.match(layer, /\| layer \| model \| output \| params \|/);
    assert.ok(layer.includes('`4·2 + 2 = 10`') && layer.includes('`4·20 + 20 = 100`'), layer);
  });

  it('says where the sizes come from: a caller in another file, a test variant, a run-time condition', () => {
    const p = analyse({
      'proj/model.ts': `${HEADER}
export function build(units: number, kind: string) {
  const model = tf.sequential();
  if (kind === 'wide') model.add(tf.layers.dense({ inputShape: [4], units: units * 4 }));
  else model.add(tf.layers.dense({ inputShape: [4], units }));
  return model;
}
`,
      'proj/package.json': '{ "main": "train.ts" }',
      'proj/train.ts': `import { build } from './model';\nexport const model = build(8, process.env.KIND as string);\n`,
      'proj/test/model.test.ts': `import { build } from '../model';\nexport const tiny = build(1, 'narrow');\n`,
    });
    const base = p.analysis.models.find((m) => m.alternatives);
    assert.ok(base, p.analysis.models.map((m) => m.name).join(', '));
    const target = { kind: 'model' as const, model: base, range: base.range, variants: p.analysis.models };
    const md = hoverMarkdown(target);
    assert.match(md, /Its layers depend on a condition known only at run time: it is one of `model \[kind = 'wide'\]`, `model \[kind ≠ 'wide'\]`/);
    const wide = p.analysis.models.find((m) => m.variant?.condition === "kind = 'wide'")!;
    assert.match(hoverMarkdown({ kind: 'model', model: wide, range: wide.range }), /Built when `kind = 'wide'` \(called at `train.ts:2`\)/);
    const tiny = p.analysis.models.find((m) => m.name === 'tiny');
    assert.ok(tiny, p.analysis.models.map((m) => m.name).join(', '));
    assert.match(hoverMarkdown({ kind: 'model', model: tiny, range: tiny.range }), /Built by the call at `test\/model.test.ts:2`, a variant of `model`/);
  });

  it('appends the concept explanation of the layer class in the client language', () => {
    const en = markdown(seq, seq.at('conv2d({', 3), { explainLayer: explainerFor('en') });
    assert.match(en, /---\n\n\*\*Conv2D — 2-D convolution\*\*\n\n/);
    const zh = markdown(seq, seq.at('conv2d({', 3), { explainLayer: explainerFor('zh-CN') });
    assert.match(zh, /\*\*Conv2D — 二维卷积\*\*/);
    assert.ok(zh.includes('`5·5·3·10 + 10 = 760`'), 'the numbers stay');
    // Models get no layer explanation; an unknown class none either.
    assert.doesNotMatch(markdown(seq, seq.at('model.compile', 1), { explainLayer: explainerFor('en') }), /---/);
    assert.equal(explainerFor('en')('NoSuchLayer'), undefined);
  });

  it('appends the explanation hook text for layers', () => {
    const hover = hoverAt(seq.analysis, seq.doc, seq.at('conv2d({', 3), { explainLayer: (c) => `About ${c}.` })!;
    assert.match((hover.contents as MarkupContent).value, /---\n\nAbout Conv2D\.$/);
    const broken = hoverAt(seq.analysis, seq.doc, seq.at('conv2d({', 3), {
      explainLayer: () => {
        throw new Error('boom');
      },
    })!;
    assert.doesNotMatch((broken.contents as MarkupContent).value, /---/);
  });
});
