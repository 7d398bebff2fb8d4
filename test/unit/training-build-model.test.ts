/** The model rebuilt from the analysis has the analysis's layers, shapes and parameter counts. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyzeFiles } from '../../src/analysis/engine';
import type { FileAnalysis, ModelGraph } from '../../src/analysis/graph';
import { buildModel, factoryOfClass, ModelBuildError } from '../../src/training/engine/build-model';
import { makeDataset } from '../../src/training/engine/datasets';
import { compileSettings, dataSpecOf, makeOptimizer } from '../../src/training/engine/trainer';
import { loadSource } from './tfjs-run';

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

  it('a user-defined layer class is refused with a message saying why and what to do instead', () => {
    for (const [file, model, layer, cls] of [
      ['test/fixtures/styles/idioms.ts', 'model', 'scale_Scale1', 'Scale'],
      ['test/fixtures/styles/custom-layer.ts', 'buildFunctionalWithCustom', 'scale', 'ScaleShift'],
      ['test/fixtures/rnn/seq2seq-attention.ts', 'createModel', 'encoderLast', 'GetLastTimestepLayer'],
    ]) {
      const [analysis] = analyzeFiles([path.join(ROOT, file)]);
      const graph = analysis.models.find((m) => m.name === model && m.layers.some((l) => l.className === cls))!;
      assert.throws(
        () => buildModel(tf, graph, analysis.models),
        (e: unknown) => {
          assert.ok(e instanceof ModelBuildError);
          assert.equal(e.layer, layer);
          assert.match(e.message, new RegExp(`${cls} is a user-defined layer class`));
          assert.match(e.message, /never runs code from your files/);
          assert.match(e.message, /Train this model with your own training code/);
          return true;
        },
        file,
      );
    }
  });

  it('a tf.layers factory tfjs does not have is refused as such, not as a user-defined class', () => {
    const [analysis] = analyzeFiles([path.join(ROOT, 'test/fixtures/models/segmentation-extras.ts')]);
    const graph = analysis.models.find((m) => m.layers.some((l) => l.factory === 'globalAveragePooling3d'))!;
    assert.throws(() => buildModel(tf, graph, analysis.models), (e: unknown) => e instanceof ModelBuildError && /tf\.layers\.globalAveragePooling3d does not exist/.test(e.message) && !/user-defined/.test(e.message));
  });

  it('an Embedding keeps its inputDim (the vocabulary) in a functional model', () => {
    const [analysis] = analyzeFiles([path.join(ROOT, 'test/fixtures/rnn/advanced.ts')]);
    const graph = analysis.models.find((m) => m.name === 'buildLuongAttention')!;
    const built = buildModel(tf, graph, analysis.models);
    assert.deepEqual(built.mismatches, []);
    assert.equal((built.model.layers.find((l) => l.getClassName() === 'Embedding')!.getConfig() as { inputDim: number }).inputDim, 50);
    built.model.dispose();
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

/**
 * Layers called more than once, RNN states wired into other layers and RNNs over cell lists:
 * the rebuilt model is compared with real tfjs running the same source (layer by layer: class,
 * the output shape of every call, weights, and which layer, call and tensor each call reads),
 * then trained for a few steps.
 */
const GRAPHS: { file: string; builder: string; what: string }[] = [
  { file: 'test/fixtures/training/shared-state.ts', builder: 'buildSharedEmbedding', what: 'a shared Embedding and a shared LSTM' },
  { file: 'test/fixtures/training/shared-state.ts', builder: 'buildSharedConvTwoScales', what: 'a shared Conv2D whose calls have different output shapes' },
  { file: 'test/fixtures/training/shared-state.ts', builder: 'buildTiedDense', what: 'a Dense applied to its own output' },
  { file: 'test/fixtures/training/shared-state.ts', builder: 'buildSeq2seq', what: 'encoder LSTM states as the decoder LSTM initialState' },
  { file: 'test/fixtures/training/shared-state.ts', builder: 'buildStackedCellStates', what: 'rnn over a cell list, its states starting another' },
  { file: 'test/fixtures/training/shared-state.ts', builder: 'buildStackedRnnCells', what: 'rnn over tf.layers.stackedRNNCells' },
  { file: 'test/fixtures/models/nested.ts', builder: 'buildSiamese', what: 'a Sequential tower applied to two inputs' },
  { file: 'test/fixtures/styles/nested-models.ts', builder: 'buildSiamese', what: 'a functional encoder applied to two inputs' },
  { file: 'test/fixtures/styles/multi-io.ts', builder: 'buildThreeInputs', what: 'a shared Dense first called deeper in the graph' },
  { file: 'test/fixtures/rnn/return-state.ts', builder: 'buildLstmWithStates', what: 'LSTM returnState outputs read by tensor index' },
  { file: 'test/fixtures/rnn/return-state.ts', builder: 'buildGruStateOutput', what: 'a GRU state as a model output' },
  { file: 'test/fixtures/rnn/return-state.ts', builder: 'buildEncoderDecoder', what: 'variable-length encoder-decoder with initialState' },
  { file: 'test/fixtures/rnn/advanced.ts', builder: 'buildBidirectionalStates', what: 'Bidirectional returnState outputs' },
  { file: 'test/fixtures/rnn/advanced.ts', builder: 'buildGruInitialState', what: 'a GRU initialState from a Dense' },
  { file: 'test/fixtures/rnn/stacked-lstm.ts', builder: 'buildRnnOverCells', what: 'rnn over a cell list in a Sequential' },
];

/** The model a builder function returns, as the analysis reports it. */
function graphOf(analysis: FileAnalysis, source: string, builder: string): ModelGraph {
  const start = source.indexOf(`function ${builder}(`);
  assert.ok(start >= 0, builder);
  const next = source.slice(start + 1).search(/\n(export )?function /);
  const end = next < 0 ? source.length : start + 1 + next;
  const inside = analysis.models.filter((m) => m.range.startOffset >= start && m.range.startOffset < end);
  const graph = inside.find((m) => m.name === builder) ?? inside.sort((a, b) => b.range.startOffset - a.range.startOffset)[0];
  assert.ok(graph, `a model in ${builder}`);
  return graph;
}

type AnyLayer = tf.layers.Layer;
interface TfNode {
  inboundLayers: AnyLayer[];
  nodeIndices: number[];
  tensorIndices: number[];
  outputShapes: tf.Shape[];
}

/** Class, calls (output shapes and what each reads), weights; nested models layer by layer. */
function describeLayers(model: tf.LayersModel): unknown[] {
  const index = (l: AnyLayer) => model.layers.indexOf(l);
  return model.layers.map((l) => ({
    className: l.getClassName(),
    calls: (l.inboundNodes as unknown as TfNode[]).map((n) => ({
      reads: n.inboundLayers.map((src, i) => [index(src), n.nodeIndices[i], n.tensorIndices[i]]),
      outputShapes: JSON.parse(JSON.stringify(n.outputShapes)) as unknown,
    })),
    weights: l.weights.map((w) => [w.shape, w.trainable]),
    params: l.countParams(),
    ...(l instanceof tf.LayersModel ? { layers: describeLayers(l) } : {}),
  }));
}

/** The model's inputs and outputs: shape, and the layer, call and tensor each one is. */
function ends(model: tf.LayersModel): unknown {
  const where = (t: tf.SymbolicTensor) => [t.shape, model.layers.indexOf(t.sourceLayer), t.nodeIndex, t.tensorIndex];
  return { inputs: model.inputs.map(where), outputs: model.outputs.map(where) };
}

/** A few optimizer steps with the engine's compile settings and data; the losses seen. */
async function trainSteps(model: tf.LayersModel, graph: ModelGraph, length: number): Promise<number[]> {
  const settings = compileSettings(graph, { batchSize: 4 }, model);
  model.compile({ optimizer: makeOptimizer(tf, settings.optimizer, settings.learningRate), loss: settings.loss.length === 1 ? settings.loss[0] : settings.loss });
  const variable = [...model.inputs, ...model.outputs].some((t) => t.shape.slice(1).includes(null));
  let xs: tf.Tensor[];
  let ys: tf.Tensor[];
  if (!variable) {
    // The dataset "Train Current Model" uses for such a model.
    const data = makeDataset('sequences', dataSpecOf(model, settings.loss), { samples: 12, seed: 3 });
    xs = data.xs.map((a) => tf.tensor(a.data, a.shape));
    ys = data.ys.map((a) => tf.tensor(a.data, a.shape));
  } else {
    // Sequences of any length: the synthetic sets need every size, so one length is chosen here.
    const sized = (s: (number | null)[]) => [12, ...s.slice(1).map((d) => d ?? length)];
    xs = model.inputs.map((t) => tf.randomUniform(sized(t.shape)));
    ys = model.outputs.map((t) => tf.randomUniform(sized(t.shape)));
  }
  const losses: number[] = [];
  try {
    await model.fit(xs.length === 1 ? xs[0] : xs, ys.length === 1 ? ys[0] : ys, {
      epochs: 1,
      batchSize: settings.batchSize,
      shuffle: false,
      callbacks: { onBatchEnd: async (_b, logs) => void losses.push(Number(logs?.loss)) },
    });
  } finally {
    tf.dispose([...xs, ...ys]);
  }
  return losses;
}

describe('rebuilding shared layers, RNN state wiring and cell lists, checked against tfjs', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const { file, builder, what } of GRAPHS) {
    it(`${file} ${builder} (${what}): same model as tfjs builds from the source; trains`, async () => {
      const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const [analysis] = analyzeFiles([path.join(ROOT, file)]);
      const graph = graphOf(analysis, source, builder);
      const built = buildModel(tf, graph, analysis.models);
      const real = (loadSource(source)[builder] as () => tf.LayersModel)();
      try {
        assert.deepEqual(built.mismatches, []);
        assert.deepEqual(built.warnings, []);
        assert.deepEqual(describeLayers(built.model), describeLayers(real));
        assert.deepEqual(ends(built.model), ends(real));
        assert.equal(built.model.countParams(), real.countParams());
        assert.equal(built.model.countParams(), graph.totals.total);
        const losses = await trainSteps(built.model, graph, 5);
        assert.equal(losses.length, 3);
        for (const l of losses) assert.ok(Number.isFinite(l), `loss ${l}`);
      } finally {
        built.model.dispose();
        real.dispose();
      }
    });
  }

  it('a graph without call records (an older analysis) is still rebuilt from inbound ids', () => {
    const [analysis] = analyzeFiles([path.join(ROOT, 'samples/multi-io.ts')]);
    const graph = analysis.models.find((m) => m.name === 'model')!;
    const old: ModelGraph = { ...graph, inputs: undefined, outputs: undefined, layers: graph.layers.map((l) => ({ ...l, calls: undefined })) };
    const built = buildModel(tf, old, analysis.models);
    assert.deepEqual(built.mismatches, []);
    assert.equal(built.model.countParams(), 26_925);
    built.model.dispose();
  });
});
