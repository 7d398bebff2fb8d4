/**
 * The summary panel's architecture graph (src/webview/summary/graph-layout.ts): model data →
 * ELK input (nodes sized from their text, edges labelled with shapes), and the real elkjs
 * layered layout of a ResNet-style block: no two nodes overlap, edges run from source to
 * target, the merge sits below both of its branches.
 */
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import ELK from 'elkjs/lib/elk.bundled.js';
import { modelViews } from '../../src/server/features/models';
import {
  type GraphLayout,
  LAYOUT_OPTIONS,
  NODE_HEIGHT,
  NODE_MAX_WIDTH,
  NODE_MIN_WIDTH,
  approxMeasure,
  compactShape,
  graphOf,
  layerFamily,
  layerProblems,
  layoutModel,
  toElkGraph,
} from '../../src/webview/summary/graph-layout';
import { HEADER, analyse } from './server-helpers';

const uriOf = (f: string): string => pathToFileURL(f).href;

/** A ResNet basic block with a projection shortcut, then a second identity block. */
const RESNET = `${HEADER}
function convBn(x: tf.SymbolicTensor, filters: number, strides: number, name: string): tf.SymbolicTensor {
  const c = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, name: name + '_conv' }).apply(x) as tf.SymbolicTensor;
  return tf.layers.batchNormalization({ name: name + '_bn' }).apply(c) as tf.SymbolicTensor;
}
const input = tf.input({ shape: [32, 32, 16], name: 'image' });
let x = convBn(input, 32, 2, 'b1a');
x = tf.layers.activation({ activation: 'relu', name: 'b1a_relu' }).apply(x) as tf.SymbolicTensor;
x = convBn(x, 32, 1, 'b1b');
const shortcut = convBn(input, 32, 2, 'b1_proj');
let y = tf.layers.add({ name: 'b1_add' }).apply([x, shortcut]) as tf.SymbolicTensor;
y = tf.layers.activation({ activation: 'relu', name: 'b1_out' }).apply(y) as tf.SymbolicTensor;
let z = convBn(y, 32, 1, 'b2a');
z = tf.layers.activation({ activation: 'relu', name: 'b2a_relu' }).apply(z) as tf.SymbolicTensor;
z = convBn(z, 32, 1, 'b2b');
let w = tf.layers.add({ name: 'b2_add' }).apply([z, y]) as tf.SymbolicTensor;
w = tf.layers.activation({ activation: 'relu', name: 'b2_out' }).apply(w) as tf.SymbolicTensor;
const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(w) as tf.SymbolicTensor;
const out = tf.layers.dense({ units: 10, activation: 'softmax', name: 'logits' }).apply(pooled) as tf.SymbolicTensor;
export const resnet = tf.model({ inputs: input, outputs: out });
`;

function resnetModel() {
  const { analysis } = analyse({ 'resnet.ts': RESNET });
  const [m] = modelViews(analysis, uriOf);
  assert.equal(m.kind, 'functional');
  return m;
}

describe('graph → ELK input', () => {
  it('compact shapes for edge labels', () => {
    assert.equal(compactShape('[null,28,28,6]'), '28×28×6');
    assert.equal(compactShape('[null,120]'), '120');
    assert.equal(compactShape('[null,null,64]'), '?×64');
    assert.equal(compactShape('[null,10], [null,1]'), '10 | 1');
    assert.equal(compactShape('unknown'), '?');
  });

  it('one node per layer (plus a Sequential input), one labelled edge per connection', () => {
    const { analysis } = analyse({
      'seq.ts': `${HEADER}export const m = tf.sequential();\nm.add(tf.layers.dense({ inputShape: [4], units: 3 }));\nm.add(tf.layers.dense({ units: 1 }));\n`,
    });
    const [m] = modelViews(analysis, uriOf);
    const g = graphOf(m);
    assert.deepEqual(
      g.nodes.map((n) => [n.kind, n.subtitle]),
      [
        ['input', 'Input · 4'],
        ['layer', 'Dense · 15 params'],
        ['layer', 'Dense · 4 params'],
      ],
    );
    assert.deepEqual(
      g.edges.map((e) => [e.source, e.target, e.label]),
      [
        [m.inputs[0].id, m.layers[0].id, '4'],
        [m.layers[0].id, m.layers[1].id, '3'],
      ],
    );
  });

  it('the ResNet block: branches and merges, node sizes from the text, layered options', () => {
    const m = resnetModel();
    const { graph, nodes, edges } = toElkGraph(m, approxMeasure);
    assert.equal(graph.children?.length, m.layers.length);
    assert.equal(nodes.length, m.layers.length);
    const adds = m.layers.filter((l) => l.className === 'Add');
    assert.equal(adds.length, 2);
    for (const add of adds) assert.equal(edges.filter((e) => e.target === add.id).length, 2, `${add.name} merges two branches`);
    const image = m.layers.find((l) => l.name === 'image')!;
    assert.equal(edges.filter((e) => e.source === image.id).length, 2, 'the input feeds the main path and the projection');
    assert.equal(graph.edges?.length, edges.length);
    for (const e of graph.edges ?? []) {
      assert.equal(e.labels?.length, 1);
      assert.ok((e.labels![0].width ?? 0) > 0);
    }
    for (const c of graph.children ?? []) {
      assert.equal(c.height, NODE_HEIGHT);
      assert.ok(c.width! >= NODE_MIN_WIDTH && c.width! <= NODE_MAX_WIDTH);
    }
    assert.equal(graph.layoutOptions?.['elk.algorithm'], 'layered');
    assert.deepEqual(graph.layoutOptions, LAYOUT_OPTIONS);
    assert.equal(layerFamily({ className: 'Add', nested: false }), 'merge');
    assert.equal(layerFamily({ className: 'Conv2D', nested: false }), 'conv');
  });
});

describe('problems on the graph', () => {
  it('a layer with an error diagnostic is marked', () => {
    const { analysis } = analyse({
      'broken.ts': `${HEADER}
const input = tf.input({ shape: [5, 5, 1] });
const conv = tf.layers.conv2d({ filters: 16, kernelSize: 7, name: 'tooLarge' }).apply(input) as tf.SymbolicTensor;
const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
export const m = tf.model({ inputs: input, outputs: flat });
`,
    });
    const [m] = modelViews(analysis, uriOf);
    const conv = m.layers.find((l) => l.name === 'tooLarge')!;
    assert.deepEqual([...layerProblems(m)], [[conv.id, 'error']]);
    assert.equal(graphOf(m).nodes.find((n) => n.layerId === conv.id)?.problem, 'error');
    assert.equal(graphOf(m).nodes.filter((n) => n.problem).length, 1);
  });
});

describe('ELK layered layout', () => {
  let laid: GraphLayout;
  const box = (id: string) => laid.nodes.find((n) => n.layerId === id)!;

  it('lays out the ResNet block with no overlapping nodes', async () => {
    const m = resnetModel();
    laid = await layoutModel(new ELK(), m, approxMeasure);
    assert.equal(laid.nodes.length, m.layers.length);
    assert.ok(laid.width > 0 && laid.height > 0);
    for (let i = 0; i < laid.nodes.length; i++) {
      const a = laid.nodes[i];
      assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.width <= laid.width + 0.5 && a.y + a.height <= laid.height + 0.5, `${a.title} inside the drawing`);
      for (let j = i + 1; j < laid.nodes.length; j++) {
        const b = laid.nodes[j];
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        assert.ok(apart, `${a.title} and ${b.title} overlap`);
      }
    }
    // Edge labels do not sit on nodes either.
    for (const e of laid.edges) {
      const l = e.labelBox;
      assert.ok(l, `${e.id} has a placed label`);
      for (const n of laid.nodes) {
        const apart = l.x + l.width <= n.x || n.x + n.width <= l.x || l.y + l.height <= n.y || n.y + n.height <= l.y;
        assert.ok(apart, `label of ${e.id} overlaps ${n.title}`);
      }
    }
  });

  it('edges start at their source and end at their target; data flows downwards', () => {
    for (const e of laid.edges) {
      assert.ok(e.points.length >= 2, e.id);
      const s = box(e.source);
      const t = box(e.target);
      const [first, last] = [e.points[0], e.points[e.points.length - 1]];
      assert.ok(Math.abs(first.y - (s.y + s.height)) < 1 && first.x >= s.x - 1 && first.x <= s.x + s.width + 1, `${e.id} leaves the bottom of its source`);
      assert.ok(Math.abs(last.y - t.y) < 1 && last.x >= t.x - 1 && last.x <= t.x + t.width + 1, `${e.id} enters the top of its target`);
      assert.ok(t.y > s.y, `${e.id} goes down`);
      // Orthogonal routing: every segment is horizontal or vertical.
      for (let i = 1; i < e.points.length; i++) {
        const [p, q] = [e.points[i - 1], e.points[i]];
        assert.ok(Math.abs(p.x - q.x) < 0.01 || Math.abs(p.y - q.y) < 0.01, `${e.id} segment ${i} is orthogonal`);
      }
    }
  });

  it('the projection shortcut gets its own column beside the main path', () => {
    const m = resnetModel();
    const id = (name: string) => m.layers.find((l) => l.name === name)!.id;
    const proj = box(id('b1_proj_conv'));
    const main = box(id('b1a_conv'));
    const add = box(id('b1_add'));
    assert.ok(proj.x + proj.width <= main.x || main.x + main.width <= proj.x, 'side by side');
    assert.ok(add.y > proj.y && add.y > box(id('b1b_bn')).y, 'the merge is below both branches');
  });
});
