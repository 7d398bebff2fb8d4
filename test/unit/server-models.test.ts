/**
 * The model data behind the Models view, the status bar item and the summary panel
 * (src/server/features/models.ts) over real engine output: JSON-safe views, graph edges
 * (a Sequential's chain with its implicit input, a functional model's branches and merge,
 * nested models), source locations, and which model the cursor is in.
 */
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { modelAt, modelViews } from '../../src/server/features/models';
import { HEADER, analyse, lineOf } from './server-helpers';

const uriOf = (f: string): string => pathToFileURL(f).href;

const LENET = `${HEADER}export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 1], filters: 6, kernelSize: 5 }));
  model.add(tf.layers.flatten());

  model.add(tf.layers.dense({ units: 10 }));
  return model;
}
`;

const BLOCK = `${HEADER}
const input = tf.input({ shape: [32, 32, 16] });
const a = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'a' }).apply(input) as tf.SymbolicTensor;
const b = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'b' }).apply(a) as tf.SymbolicTensor;
const sum = tf.layers.add({ name: 'sum' }).apply([input, b]) as tf.SymbolicTensor;
const out = tf.layers.activation({ activation: 'relu', name: 'out' }).apply(sum) as tf.SymbolicTensor;
export const block = tf.model({ inputs: input, outputs: out });
`;

describe('model views', () => {
  it('a Sequential: layers, shapes, params, a chain from its implicit input, JSON-safe', () => {
    const { analysis } = analyse({ 'lenet.ts': LENET });
    const [m] = modelViews(analysis, uriOf);
    assert.equal(m.name, 'model');
    assert.equal(m.kind, 'sequential');
    assert.equal(m.line, 3);
    assert.deepEqual(
      m.layers.map((l) => [l.className, l.outputShape, l.params, l.where]),
      [
        ['Conv2D', '[null,28,28,6]', 156, '4'],
        ['Flatten', '[null,4704]', 0, '5'],
        ['Dense', '[null,10]', 47050, '7'],
      ],
    );
    assert.equal(m.totals.params, 156 + 47050);
    assert.equal(m.inputs.length, 1);
    assert.equal(m.inputs[0].shape, '[null,32,32,1]');
    assert.deepEqual(m.layers[0].inbound, [m.inputs[0].id]);
    assert.deepEqual(m.layers[1].inbound, [m.layers[0].id]);
    assert.deepEqual(m.layers[2].inbound, [m.layers[1].id]);
    assert.equal(m.layers[0].paramFormula, '5·5·1·6 + 6 = 156');
    // 0-based LSP ranges; the conv's factory call is on line 4 (1-based).
    assert.equal(m.layers[0].location?.range.start.line, 3);
    assert.equal(m.layers[0].location?.uri, uriOf(analysis.file));
    assert.equal(m.location.range.start.line, 2);
    assert.deepEqual(JSON.parse(JSON.stringify(m)), m, 'plain JSON: nothing lost in a round trip');
  });

  it('a functional residual block: the branch and the merge are edges', () => {
    const { analysis } = analyse({ 'block.ts': BLOCK });
    const [m] = modelViews(analysis, uriOf);
    assert.equal(m.kind, 'functional');
    assert.deepEqual(m.inputs, [], 'the functional InputLayer is a layer');
    const id = (name: string) => m.layers.find((l) => l.name === name)!.id;
    const input = m.layers.find((l) => l.className === 'InputLayer')!;
    assert.deepEqual(m.layers.find((l) => l.name === 'a')!.inbound, [input.id]);
    assert.deepEqual(m.layers.find((l) => l.name === 'b')!.inbound, [id('a')]);
    assert.deepEqual(m.layers.find((l) => l.name === 'sum')!.inbound, [input.id, id('b')]);
    assert.deepEqual(m.layers.find((l) => l.name === 'out')!.inbound, [id('sum')]);
  });

  it('a model used as a layer is one node; edges out of its inner layers start at it', () => {
    const { analysis } = analyse({
      'nested.ts': `${HEADER}
const encoder = tf.sequential({ name: 'encoder' });
encoder.add(tf.layers.dense({ inputShape: [8], units: 4 }));
const inp = tf.input({ shape: [8] });
const code = encoder.apply(inp) as tf.SymbolicTensor;
const head = tf.layers.dense({ units: 2, name: 'head' }).apply(code) as tf.SymbolicTensor;
export const whole = tf.model({ inputs: inp, outputs: head });
`,
    });
    const whole = modelViews(analysis, uriOf).find((m) => m.kind === 'functional')!;
    const nested = whole.layers.find((l) => l.nested)!;
    assert.equal(nested.name, 'encoder');
    assert.deepEqual(whole.layers.find((l) => l.name === 'head')!.inbound, [nested.id]);
    const known = new Set([...whole.layers.map((l) => l.id), ...whole.inputs.map((i) => i.id)]);
    for (const l of whole.layers) for (const src of l.inbound) assert.ok(known.has(src), `${l.name} ← ${src}`);
  });

  it('a model built by an imported helper is listed under the file that creates it, not the caller', () => {
    const files = {
      'main.ts': `${HEADER}import { make } from './lib';\nexport const m = make();\nexport const own = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] });\n`,
      'lib.ts': `${HEADER}export function make() { return tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] }); }\n`,
    };
    const { analysis } = analyse(files, 'main.ts');
    assert.deepEqual(
      modelViews(analysis, uriOf).map((m) => m.name),
      ['own'],
    );
    assert.deepEqual(
      modelViews(analysis, uriOf, { ownOnly: true }).map((m) => m.name),
      ['own'],
    );
  });
});

describe('the model at the cursor', () => {
  const TWO = `${HEADER}export function first() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 3 }));
  // a comment inside the first model's code
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}

export function second() {
  const net = tf.sequential();
  net.add(tf.layers.dense({ inputShape: [4], units: 8 }));
  return net;
}
`;

  it('on a layer, on a comment between its layers, on the model variable', () => {
    const { analysis, text, at } = analyse({ 'two.ts': TWO });
    assert.equal(modelAt(analysis, text, at('units: 8'))?.model.name, 'net');
    const comment = modelAt(analysis, text, at('a comment'));
    assert.equal(comment?.model.name, 'model');
    assert.equal(comment?.atCursor, true);
    assert.equal(modelAt(analysis, text, at('net.add'))?.model.name, 'net');
  });

  it("outside every model's code: the file's first model, not at the cursor", () => {
    const { analysis, text, at } = analyse({ 'two.ts': TWO });
    const r = modelAt(analysis, text, at('export function second'));
    assert.equal(r?.model.name, 'model');
    assert.equal(r?.atCursor, false);
    assert.equal(lineOf(text, r!.model.range.startOffset), 3);
  });

  it('no model in the file: undefined', () => {
    const { analysis, text } = analyse({ 'none.ts': `${HEADER}export const x = 1;\n` });
    assert.equal(modelAt(analysis, text, 0), undefined);
  });
});
