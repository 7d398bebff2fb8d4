/**
 * The Models view's items and the status bar text (src/client/model-tree.ts), built from the
 * server's model data for real engine output: files → models → layers, descriptions (output
 * shape and params), tooltips, reveal locations, stable ids, multi-root grouping.
 */
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { buildModelTree, layerIcon, statusBarContent } from '../../src/client/model-tree';
import { modelViews } from '../../src/server/features/models';
import type { ModelsResult } from '../../src/protocol/lsp/models';
import { HEADER, analyse } from './server-helpers';

const LENET = `${HEADER}export function buildLeNet(numClasses = 10) {
  const model = tf.sequential({ name: 'lenet5' });
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 1], filters: 6, kernelSize: 5, activation: 'tanh' }));
  model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }));
  model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ filters: 120, kernelSize: 5, activation: 'tanh' }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 84, activation: 'tanh' }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));
  return model;
}
`;
const BROKEN = `${HEADER}
const input = tf.input({ shape: [5, 5, 1] });
const conv = tf.layers.conv2d({ filters: 16, kernelSize: 7 }).apply(input) as tf.SymbolicTensor;
export const tooLarge = tf.model({ inputs: input, outputs: conv });
`;

function result(folder = 'samples'): ModelsResult {
  const lenet = analyse({ 'lenet.ts': LENET });
  const broken = analyse({ 'sub/broken.ts': BROKEN });
  const uriOf = (f: string) => pathToFileURL(f).href;
  return {
    files: [
      { uri: lenet.doc.uri, path: 'lenet.ts', folder, models: modelViews(lenet.analysis, uriOf, { ownOnly: true }) },
      { uri: broken.doc.uri, path: 'sub/broken.ts', folder: 'other', models: modelViews(broken.analysis, uriOf, { ownOnly: true }) },
    ],
    analysed: 2,
    truncated: false,
  };
}

describe('Models view items', () => {
  it("files, each file's models, each model's layers with output shape and params", () => {
    const roots = buildModelTree(result());
    assert.deepEqual(
      roots.map((r) => [r.kind, r.label, r.description]),
      [
        ['file', 'lenet.ts', undefined],
        ['file', 'broken.ts', 'sub · 1 error'],
      ],
    );
    const [lenetFile] = roots;
    assert.equal(lenetFile.collapsible, 'expanded');
    assert.equal(lenetFile.resourceUri, result().files[0].uri, 'the theme file icon comes from the URI');
    const [model] = lenetFile.children;
    assert.equal(model.kind, 'model');
    assert.equal(model.label, 'model');
    assert.equal(model.description, '61,706 params');
    assert.equal(model.collapsible, 'collapsed');
    assert.equal(model.icon, 'symbol-class');
    assert.equal(model.contextValue, 'model');
    assert.deepEqual(model.model?.selector.name, 'model');
    assert.equal(model.reveal?.range.start.line, 2, 'clicking the model reveals tf.sequential(');
    assert.match(model.tooltip!, /Total params: \*\*61,706\*\* \(241\.0 KB fp32\)/);
    assert.deepEqual(
      model.children.map((l) => l.description),
      [
        '[null,28,28,6] · 156',
        '[null,14,14,6] · 0',
        '[null,10,10,16] · 2,416',
        '[null,5,5,16] · 0',
        '[null,1,1,120] · 48,120',
        '[null,120] · 0',
        '[null,84] · 10,164',
        '[null,10] · 850',
      ],
    );
    const conv = model.children[0];
    assert.equal(conv.kind, 'layer');
    assert.equal(conv.label, 'conv2d_Conv2D1');
    assert.equal(conv.collapsible, 'none');
    assert.equal(conv.reveal?.range.start.line, 3, 'clicking the layer reveals its factory call (line 4)');
    assert.match(conv.tooltip!, /Conv2D/);
    assert.match(conv.tooltip!, /5·5·1·6 \+ 6 = 156/);
  });

  it('a model with an error gets the error icon; its tooltip lists the error', () => {
    const [, brokenFile] = buildModelTree(result());
    const [m] = brokenFile.children;
    assert.equal(m.icon, 'error');
    assert.equal(m.iconColor, 'problemsErrorIcon.foreground');
    assert.match(m.tooltip!, /\$\(error\)/);
  });

  it('ids are stable across rebuilds and unique', () => {
    const ids = (nodes: ReturnType<typeof buildModelTree>): string[] => nodes.flatMap((n) => [n.id, ...ids(n.children)]);
    const a = ids(buildModelTree(result()));
    assert.deepEqual(ids(buildModelTree(result())), a);
    assert.equal(new Set(a).size, a.length);
  });

  it('multi-root: files grouped under their workspace folder', () => {
    const roots = buildModelTree(result(), { groupByFolder: true });
    assert.deepEqual(
      roots.map((r) => [r.kind, r.label, r.description, r.children.map((c) => c.label)]),
      [
        ['folder', 'samples', '1 model', ['lenet.ts']],
        ['folder', 'other', '1 model', ['broken.ts']],
      ],
    );
  });

  it('a scan stopped at its limit says so', () => {
    const r = { ...result(), truncated: true };
    const last = buildModelTree(r).at(-1)!;
    assert.equal(last.kind, 'message');
    assert.match(last.label, /Not every file/);
  });

  it('layer icons by family', () => {
    assert.equal(layerIcon({ className: 'Conv2D', nested: false }), 'symbol-array');
    assert.equal(layerIcon({ className: 'Add', nested: false }), 'git-merge');
    assert.equal(layerIcon({ className: 'Sequential', nested: true }), 'symbol-class');
  });
});

describe('status bar item', () => {
  it('`$(symbol-class) model · 61,706 params`, and a tooltip that says what a click does', () => {
    const [m] = result().files[0].models;
    const { text, tooltip } = statusBarContent({ model: m, atCursor: true });
    assert.equal(text, '$(symbol-class) model · 61,706 params');
    assert.match(tooltip, /Click to show the model summary/);
    assert.doesNotMatch(tooltip, /first model/);
    assert.match(statusBarContent({ model: m, atCursor: false }).tooltip, /first model of this file/);
  });
});
