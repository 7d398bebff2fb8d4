/** The model rebuilt from the analysis has the analysis's layers, shapes and parameter counts. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyzeFiles } from '../../src/analysis/engine';
import { buildModel, factoryOfClass, ModelBuildError } from '../../src/training/engine/build-model';

const ROOT = path.resolve(__dirname, '..', '..');

const CASES: [string, string, number][] = [
  ['samples/lenet.ts', 'model', 61_706],
  ['samples/multi-io.ts', 'model', 26_925],
  ['samples/autoencoder.ts', 'autoencoder', 278_369],
  ['samples/inception.ts', 'model', 6_998_552],
  ['test/fixtures/models/mobilenet.ts', 'buildMobileNetSmall', 219_829],
  ['test/fixtures/models/unet.ts', 'buildSegmentationUNet', 2_160_145],
  ['test/fixtures/models/nested.ts', 'buildDeepNesting', 410],
  ['test/fixtures/rnn/bidirectional.ts', 'sequential_1', 1_751],
  ['test/fixtures/rnn/addition-rnn.ts', 'model', 4_764],
  ['test/fixtures/training/functional.ts', 'model', 0],
];

describe('building the real model from the analysed graph', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const [file, name, total] of CASES) {
    it(`${file} ${name}: same layers, output shapes and parameter counts`, () => {
      const [analysis] = analyzeFiles([path.join(ROOT, file)]);
      const graph = analysis.models.find((m) => m.name === name);
      assert.ok(graph, `model ${name} in ${analysis.models.map((m) => m.name).join(', ')}`);
      const built = buildModel(tf, graph, analysis.models);
      try {
        assert.deepEqual(built.mismatches, []);
        if (total) assert.equal(built.model.countParams(), total);
        assert.equal(built.model.countParams(), graph.totals.total);
        const layers = built.model.layers.filter((l) => graph.layers.some((g) => g.name === l.name));
        assert.equal(layers.length, graph.layers.length);
        for (const node of graph.layers) {
          const l = built.model.getLayer(node.name);
          assert.deepEqual(JSON.parse(JSON.stringify(l.outputShape)), node.outputShape, node.name);
          assert.equal(l.countParams(), node.params.total, node.name);
        }
        assert.deepEqual(JSON.parse(JSON.stringify(built.model.outputs.map((o) => o.shape))), graph.outputShapes);
      } finally {
        built.model.dispose();
      }
    });
  }

  it('a user-defined layer class is refused with a clear message naming the layer', () => {
    const [analysis] = analyzeFiles([path.join(ROOT, 'test/fixtures/styles/idioms.ts')]);
    const graph = analysis.models.find((m) => m.layers.some((l) => l.className === 'Scale'))!;
    assert.throws(
      () => buildModel(tf, graph, analysis.models),
      (e: unknown) => e instanceof ModelBuildError && e.layer === 'scale_Scale1' && /Scale is not a tf.layers layer/.test(e.message),
    );
  });

  it('keeps initializers and regularizers; replaces a custom activation with a warning', () => {
    const graph = {
      ...analyzeFiles([path.join(ROOT, 'test/fixtures/training/mlp.ts')])[0].models[0],
    };
    graph.layers = graph.layers.map((l, i) => (i === 0 ? { ...l, config: { ...l.config, kernelInitializer: { className: 'heNormal', config: { seed: 1 } }, kernelRegularizer: { className: 'l2', config: { l2: 0.01 } }, activation: 'function' } } : l));
    const built = buildModel(tf, graph);
    const cfg = built.model.layers[0].getConfig() as { kernelInitializer: { className: string }; kernelRegularizer: { className: string }; activation: string };
    assert.equal(cfg.kernelInitializer.className, 'VarianceScaling');
    assert.equal(cfg.kernelRegularizer.className, 'L1L2');
    assert.equal(cfg.activation, 'linear');
    assert.match(built.warnings.join('\n'), /activation is a custom function; 'linear' is used instead/);
    built.model.dispose();
  });

  it('maps class names to tf.layers factories', () => {
    assert.deepEqual(['Conv2D', 'LSTM', 'SimpleRNN', 'GlobalAveragePooling2D', 'DepthwiseConv2D', 'Conv2DTranspose', 'Dense'].map(factoryOfClass), ['conv2d', 'lstm', 'simpleRNN', 'globalAveragePooling2d', 'depthwiseConv2d', 'conv2dTranspose', 'dense']);
    for (const f of ['conv2d', 'lstm', 'simpleRNN', 'globalAveragePooling2d', 'depthwiseConv2d', 'conv2dTranspose']) assert.equal(typeof (tf.layers as unknown as Record<string, unknown>)[f], 'function', f);
  });
});
