import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { applyRule } from '../../src/analysis/layers/apply';
import { ruleForFactory } from '../../src/analysis/layers/registry';
import { ShapeError, UnknownValue } from '../../src/analysis/layers/rule';
import { ourLayer, ourLayerFull, tfjsLayer, tfjsLayerFull } from './layer-oracle';

type Case = [string, Record<string, unknown>, Shape[]];

const agree: Case[] = [
  // conv2d: padding modes, strides, dilation, non-square kernels, odd sizes, channelsFirst
  ['conv2d', { filters: 10, kernelSize: 5 }, [[null, 32, 32, 3]]],
  ['conv2d', { filters: 10, kernelSize: 5, padding: 'same' }, [[null, 32, 32, 3]]],
  ['conv2d', { filters: 8, kernelSize: [3, 5], strides: [2, 1] }, [[null, 28, 31, 3]]],
  ['conv2d', { filters: 8, kernelSize: 3, strides: 2, padding: 'same' }, [[null, 31, 17, 4]]],
  ['conv2d', { filters: 8, kernelSize: 3, strides: 2, padding: 'valid' }, [[null, 31, 17, 4]]],
  ['conv2d', { filters: 2, kernelSize: 2, strides: 3 }, [[null, 10, 11, 1]]],
  ['conv2d', { filters: 4, kernelSize: 3, dilationRate: 2 }, [[null, 15, 15, 2]]],
  ['conv2d', { filters: 4, kernelSize: [3, 2], dilationRate: [2, 3], padding: 'same' }, [[null, 15, 16, 2]]],
  ['conv2d', { filters: 4, kernelSize: [3, 2], dilationRate: [2, 3], strides: [1, 2] }, [[null, 15, 16, 2]]],
  ['conv2d', { filters: 6, kernelSize: 3, dataFormat: 'channelsFirst' }, [[null, 3, 28, 28]]],
  ['conv2d', { filters: 6, kernelSize: 3, dataFormat: 'channelsFirst', strides: 2, padding: 'same' }, [[null, 3, 27, 29]]],
  ['conv2d', { filters: 6, kernelSize: 3, dataFormat: 'channelsLast', useBias: false }, [[null, 9, 9, 5]]],
  ['conv2d', { filters: 32, kernelSize: 1 }, [[null, 7, 7, 64]]],
  ['conv2d', { filters: 3, kernelSize: 3, activation: 'relu' }, [[null, null, null, 3]]],
  ['conv2d', { filters: 3, kernelSize: 3, strides: 2, padding: 'same' }, [[null, null, 10, 3]]],
  ['conv2d', { filters: 4, kernelSize: 3, padding: 'causal' }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: 7 }, [[null, 5, 5, 3]]],
  ['conv2d', { filters: 4, kernelSize: 5 }, [[null, 5, 5, 3]]],
  // conv1d
  ['conv1d', { filters: 16, kernelSize: 3 }, [[null, 100, 8]]],
  ['conv1d', { filters: 16, kernelSize: 3, strides: 2, padding: 'same' }, [[null, 99, 8]]],
  ['conv1d', { filters: 16, kernelSize: 3, strides: 2 }, [[null, 99, 8]]],
  ['conv1d', { filters: 4, kernelSize: 3, dilationRate: 4 }, [[null, 50, 2]]],
  ['conv1d', { filters: 4, kernelSize: [5], dilationRate: [2], padding: 'same' }, [[null, 50, 2]]],
  ['conv1d', { filters: 4, kernelSize: 3, padding: 'causal' }, [[null, 10, 3]]],
  ['conv1d', { filters: 4, kernelSize: 3, dataFormat: 'channelsFirst' }, [[null, 3, 10]]],
  ['conv1d', { filters: 4, kernelSize: 2, useBias: false }, [[null, null, 8]]],
  // conv3d
  ['conv3d', { filters: 4, kernelSize: 3 }, [[null, 8, 8, 8, 1]]],
  ['conv3d', { filters: 4, kernelSize: [1, 3, 5], strides: [1, 2, 2], padding: 'same' }, [[null, 7, 9, 11, 2]]],
  ['conv3d', { filters: 4, kernelSize: [1, 3, 5], strides: [1, 2, 2] }, [[null, 7, 9, 11, 2]]],
  ['conv3d', { filters: 5, kernelSize: 2, dataFormat: 'channelsFirst' }, [[null, 2, 8, 9, 10]]],
  ['conv3d', { filters: 5, kernelSize: 2, dilationRate: 2, useBias: false }, [[null, 9, 9, 9, 3]]],
  ['conv3d', { filters: 5, kernelSize: 2, dilationRate: [1, 2, 3] }, [[null, 9, null, 9, 3]]],
  // conv2dTranspose: deconvLength, kernel [kh, kw, filters, C_in]
  ['conv2dTranspose', { filters: 16, kernelSize: 3, strides: 2, padding: 'same' }, [[null, 14, 14, 32]]],
  ['conv2dTranspose', { filters: 16, kernelSize: 3, strides: 2 }, [[null, 7, 7, 8]]],
  ['conv2dTranspose', { filters: 2, kernelSize: 1, strides: 3 }, [[null, 8, 8, 3]]],
  ['conv2dTranspose', { filters: 2, kernelSize: [4, 2], strides: [2, 3] }, [[null, 5, 6, 3]]],
  ['conv2dTranspose', { filters: 2, kernelSize: 3, dataFormat: 'channelsFirst', strides: 2 }, [[null, 3, 5, 6]]],
  ['conv2dTranspose', { filters: 2, kernelSize: 3, useBias: false }, [[null, null, 6, 3]]],
  ['conv2dTranspose', { filters: 4, kernelSize: 3, dilationRate: 2 }, [[null, 8, 8, 3]]],
  // conv3dTranspose
  ['conv3dTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'same' }, [[null, 4, 4, 4, 8]]],
  ['conv3dTranspose', { filters: 4, kernelSize: [2, 3, 4], strides: [1, 2, 3] }, [[null, 3, 5, 7, 2]]],
  ['conv3dTranspose', { filters: 4, kernelSize: 2, dataFormat: 'channelsFirst', useBias: false }, [[null, 2, 3, 4, 5]]],
  // separableConv2d
  ['separableConv2d', { filters: 64, kernelSize: 3 }, [[null, 32, 32, 32]]],
  ['separableConv2d', { filters: 8, kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }, [[null, 15, 17, 8]]],
  ['separableConv2d', { filters: 8, kernelSize: [3, 5], dilationRate: 2 }, [[null, 15, 17, 4]]],
  ['separableConv2d', { filters: 8, kernelSize: 3, dataFormat: 'channelsFirst', useBias: false }, [[null, 4, 10, 12]]],
  ['separableConv2d', { filters: 8, kernelSize: 3, depthMultiplier: 3 }, [[null, null, null, 4]]],
  // depthwiseConv2d
  ['depthwiseConv2d', { kernelSize: 3 }, [[null, 28, 28, 32]]],
  ['depthwiseConv2d', { kernelSize: 3, depthMultiplier: 3, strides: 2, padding: 'same' }, [[null, 27, 28, 4]]],
  ['depthwiseConv2d', { kernelSize: [3, 5], useBias: false }, [[null, 9, 9, 2]]],
  ['depthwiseConv2d', { kernelSize: 3, depthMultiplier: 2, dataFormat: 'channelsFirst' }, [[null, 3, 10, 12]]],
  ['depthwiseConv2d', { kernelSize: 3, dilationRate: 2 }, [[null, 9, 9, 3]]],
  ['depthwiseConv2d', { kernelSize: 3 }, [[null, 8, 8, 8, 3]]],
  ['depthwiseConv2d', { kernelSize: 3, depthMultiplier: 0 }, [[null, 8, 8, 3]]],
  // cropping2D, upSampling2d, zeroPadding2d
  ['cropping2D', { cropping: 2 }, [[null, 28, 28, 3]]],
  ['cropping2D', { cropping: [1, 2] }, [[null, 28, 27, 3]]],
  ['cropping2D', { cropping: [[1, 2], [3, 4]] }, [[null, 28, 27, 3]]],
  ['cropping2D', { cropping: [[1, 2], [3, 4]], dataFormat: 'channelsFirst' }, [[null, 3, 28, 27]]],
  ['cropping2D', { cropping: 3 }, [[null, 5, 6, 1]]],
  ['upSampling2d', {}, [[null, 7, 7, 16]]],
  ['upSampling2d', { size: [2, 3] }, [[null, 7, 5, 16]]],
  ['upSampling2d', { size: [2, 3], dataFormat: 'channelsFirst' }, [[null, 16, 7, 5]]],
  ['upSampling2d', { size: [3, 3], interpolation: 'bilinear' }, [[null, null, 5, 2]]],
  ['zeroPadding2d', {}, [[null, 28, 28, 3]]],
  ['zeroPadding2d', { padding: 2 }, [[null, 28, 27, 3]]],
  ['zeroPadding2d', { padding: [1, 2] }, [[null, 28, 27, 3]]],
  ['zeroPadding2d', { padding: [[1, 2], [3, 4]] }, [[null, null, 27, 3]]],
  ['zeroPadding2d', { padding: [[1, 2], [3, 4]], dataFormat: 'channelsFirst' }, [[null, 3, 28, 27]]],
];

/** Configs tfjs refuses, while constructing or while building; we must refuse them too. */
const refused: Case[] = [
  ['conv2d', { filters: 4, kernelSize: 3 }, [[null, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: 3 }, [[null, 8, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: 3 }, [[null, 8, 8, null]]],
  ['conv2d', { filters: 4, kernelSize: 3, dataFormat: 'channelsFirst' }, [[null, null, 8, 8]]],
  ['conv2d', { kernelSize: 3 }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 0, kernelSize: 3 }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 2.5, kernelSize: 3 }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4 }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: [3, 3, 3] }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: [2.5, 3] }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: 2.5 }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: -1 }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: 3, padding: 'full' }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: 3, dataFormat: 'NHWC' }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: 3, strides: [1, 1, 1] }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: 3, dilationRate: [2] }, [[null, 8, 8, 3]]],
  ['conv2d', { filters: 4, kernelSize: 3 }, [[null, 8, 8, 3], [null, 8, 8, 3]]],
  ['conv1d', { filters: 4, kernelSize: 3 }, [[null, 8, 8, 3]]],
  ['conv1d', { filters: 4, kernelSize: [3, 3] }, [[null, 8, 3]]],
  ['conv1d', { filters: 4, kernelSize: 3, dilationRate: [1, 2] }, [[null, 8, 3]]],
  ['conv1d', { filters: 4, kernelSize: 3 }, [[null, 8, null]]],
  ['conv3d', { filters: 4, kernelSize: 3 }, [[null, 8, 8, 3]]],
  ['conv3d', { filters: 4, kernelSize: [3, 3] }, [[null, 8, 8, 8, 3]]],
  ['conv2dTranspose', { filters: 4, kernelSize: 3, padding: 'causal' }, [[null, 8, 8, 3]]],
  ['conv2dTranspose', { filters: 4, kernelSize: 3 }, [[null, 8, 8, 8, 3]]],
  ['conv2dTranspose', { filters: 4, kernelSize: 3 }, [[null, 8, 8, null]]],
  ['conv2dTranspose', { kernelSize: 3 }, [[null, 8, 8, 3]]],
  ['conv3dTranspose', { filters: 4, kernelSize: 3 }, [[null, 8, 8, 3]]],
  ['conv3dTranspose', { filters: 4, kernelSize: 3, padding: 'causal' }, [[null, 8, 8, 8, 3]]],
  ['separableConv2d', { filters: 4, kernelSize: 3, padding: 'causal' }, [[null, 8, 8, 3]]],
  ['separableConv2d', { filters: 4, kernelSize: 3, kernelInitializer: 'zeros' }, [[null, 8, 8, 3]]],
  ['separableConv2d', { filters: 4, kernelSize: 3 }, [[null, 8, 3]]],
  ['separableConv2d', { filters: 4, kernelSize: 3 }, [[null, 8, 8, 8, 3]]],
  ['separableConv2d', { filters: 4, kernelSize: 3 }, [[null, 8, 8, null]]],
  ['separableConv2d', { filters: 4, kernelSize: 3, depthMultiplier: 1.5 }, [[null, 8, 8, 3]]],
  ['separableConv2d', { kernelSize: 3 }, [[null, 8, 8, 3]]],
  ['depthwiseConv2d', { kernelSize: 3 }, [[null, 8, 3]]],
  ['depthwiseConv2d', { kernelSize: 3 }, [[null, 8, 8, null]]],
  ['depthwiseConv2d', { kernelSize: 3, dataFormat: 'channelsFirst' }, [[null, null, 8, 8]]],
  ['depthwiseConv2d', { kernelSize: 3, depthMultiplier: -1 }, [[null, 8, 8, 3]]],
  ['depthwiseConv2d', { kernelSize: 3, padding: 'full' }, [[null, 8, 8, 3]]],
  ['depthwiseConv2d', { depthMultiplier: 2 }, [[null, 8, 8, 3]]],
  ['cropping2D', { cropping: 1 }, [[null, 8, 3]]],
  ['cropping2D', {}, [[null, 8, 8, 3]]],
  ['upSampling2d', { interpolation: 'bicubic' }, [[null, 8, 8, 3]]],
  ['upSampling2d', { dataFormat: 'NCHW' }, [[null, 8, 8, 3]]],
  ['upSampling2d', {}, [[null, 8, 3]]],
  ['zeroPadding2d', { padding: [1, 2, 3] }, [[null, 8, 8, 3]]],
  ['zeroPadding2d', { padding: [[1, 2, 3], [1, 1]] }, [[null, 8, 8, 3]]],
  ['zeroPadding2d', { padding: [[1, 2], [1]] }, [[null, 8, 8, 3]]],
  ['zeroPadding2d', {}, [[null, 8, 8, 8, 3]]],
];

function our(factory: string, config: Record<string, unknown>, inputs: Shape[]) {
  const rule = ruleForFactory(factory);
  assert.ok(rule, `no rule for ${factory}`);
  return applyRule(rule, inputs, config);
}

describe('convolutional and spatial layers agree with tfjs', () => {
  for (const [factory, config, inputs] of agree) {
    it(`${factory} ${JSON.stringify(config)} on ${JSON.stringify(inputs)}`, () => {
      assert.deepEqual(ourLayerFull(factory, config, inputs), tfjsLayerFull(factory, config, inputs));
    });
  }
});

describe('convolutional and spatial layers refuse what tfjs refuses', () => {
  for (const [factory, config, inputs] of refused) {
    it(`${factory} ${JSON.stringify(config)} on ${JSON.stringify(inputs)} throws`, () => {
      assert.throws(() => tfjsLayer(factory, config, inputs));
      assert.throws(() => ourLayer(factory, config, inputs), ShapeError);
    });
  }
});

describe('convolution sizes shown with the user numbers', () => {
  it('valid conv: floor((in − k)/s) + 1', () => {
    const r = our('conv2d', { filters: 10, kernelSize: 5 }, [[null, 32, 32, 3]]);
    assert.equal(r.shapeFormula, 'out = floor((32 − 5)/1) + 1 = 28');
    assert.equal(r.paramFormula, '5·5·3·10 + 10 = 760');
    assert.equal(r.warnings, undefined);
  });

  it('same conv: ceil(in/s)', () => {
    const r = our('conv2d', { filters: 10, kernelSize: 5, strides: 2, padding: 'same' }, [[null, 32, 31, 3]]);
    assert.equal(r.shapeFormula, 'H = ceil(32/2) = 16; W = ceil(31/2) = 16');
  });

  it('dilated kernel spelled out', () => {
    const r = our('conv1d', { filters: 4, kernelSize: 3, dilationRate: 2 }, [[null, 32, 2]]);
    assert.equal(r.shapeFormula, 'out = floor((32 − ((3−1)·2+1))/1) + 1 = 28');
    assert.deepEqual(r.outputShape, [null, 28, 4]);
  });

  it('no bias term without useBias', () => {
    const r = our('conv2d', { filters: 10, kernelSize: 5, useBias: false }, [[null, 32, 32, 3]]);
    assert.equal(r.paramFormula, '5·5·3·10 = 750');
  });

  it('separable and depthwise list each weight', () => {
    const s = our('separableConv2d', { filters: 64, kernelSize: 3 }, [[null, 32, 32, 32]]);
    assert.equal(s.paramFormula, '3·3·32·1 + 1·1·32·64 + 64 = 2400');
    const d = our('depthwiseConv2d', { kernelSize: 3, depthMultiplier: 2 }, [[null, 32, 32, 32]]);
    assert.equal(d.paramFormula, '3·3·32·2 + 64 = 640');
  });

  it('transposed conv: in·s + max(k − s, 0)', () => {
    const v = our('conv2dTranspose', { filters: 4, kernelSize: 3, strides: 2 }, [[null, 14, 14, 8]]);
    assert.equal(v.shapeFormula, 'out = 14·2 + max(3 − 2, 0) = 29');
    const s = our('conv2dTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'same' }, [[null, 14, 14, 8]]);
    assert.equal(s.shapeFormula, 'out = 14·2 = 28');
  });

  it('unknown sizes stay unknown', () => {
    const r = our('conv2d', { filters: 4, kernelSize: 3 }, [[null, null, 10, 3]]);
    assert.deepEqual(r.outputShape, [null, null, 8, 4]);
    assert.equal(r.macs, null);
    assert.equal(r.params.total, 3 * 3 * 3 * 4 + 4);
  });

  it('unknown config values give unknown dims, not guesses', () => {
    const k = our('conv2d', { filters: 4, kernelSize: new UnknownValue('computed') }, [[null, 10, 10, 3]]);
    assert.deepEqual(k.outputShape, [null, null, null, 4]);
    assert.equal(k.params.total, null);
    const f = our('conv2d', { filters: new UnknownValue('computed'), kernelSize: 3 }, [[null, 10, 10, 3]]);
    assert.deepEqual(f.outputShape, [null, 8, 8, null]);
    const b = our('conv2d', { filters: 4, kernelSize: 3, useBias: new UnknownValue('flag') }, [[null, 10, 10, 3]]);
    assert.equal(b.params.total, null);
    const p = our('conv2d', { filters: 4, kernelSize: 3, padding: new UnknownValue('mode') }, [[null, 10, 10, 3]]);
    assert.deepEqual(p.outputShape, [null, null, null, 4]);
  });
});

describe('problems tfjs builds without complaint', () => {
  it('negative output size is returned and warned about', () => {
    const r = our('conv2d', { filters: 4, kernelSize: 7 }, [[null, 5, 5, 3]]);
    assert.deepEqual(r.outputShape, [null, -1, -1, 4]);
    assert.deepEqual(r.warnings, [
      {
        code: 'negative-output-size',
        message: "Conv2D kernel 7 on input 5, padding 'valid': floor((5 − 7)/1) + 1 = −1",
        formula: 'floor((5 − 7)/1) + 1 = −1',
      },
    ]);
    assert.equal(r.macs, 0);
  });

  it('zero output size on one axis names the axis', () => {
    const r = our('conv2d', { filters: 4, kernelSize: [6, 3] }, [[null, 5, 8, 3]]);
    assert.deepEqual(r.outputShape, [null, 0, 6, 4]);
    assert.equal(r.warnings?.length, 1);
    assert.equal(r.warnings?.[0].code, 'zero-output-size');
    assert.match(r.warnings?.[0].message ?? '', /\(H\): floor\(\(5 − 6\)\/1\) \+ 1 = 0$/);
  });

  it('cropping below zero is warned about', () => {
    const r = our('cropping2D', { cropping: 3 }, [[null, 5, 6, 1]]);
    assert.deepEqual(r.outputShape, [null, -1, 0, 1]);
    assert.deepEqual(
      r.warnings?.map((w) => w.code),
      ['negative-output-size', 'zero-output-size'],
    );
  });

  it("causal padding: tfjs sizes it like 'valid' and cannot run it", () => {
    const r = our('conv1d', { filters: 4, kernelSize: 3, padding: 'causal' }, [[null, 10, 3]]);
    assert.deepEqual(r.outputShape, [null, 8, 4]);
    assert.ok(r.warnings?.some((w) => w.code === 'causal-padding-unsupported'));
  });

  it('conv1d channelsFirst: the built shape differs from what call returns', () => {
    const r = our('conv1d', { filters: 4, kernelSize: 3, dataFormat: 'channelsFirst' }, [[null, 3, 10]]);
    assert.ok(r.warnings?.some((w) => w.code === 'channels-first-conv1d'));
  });

  it('depthwise and transposed convolutions ignore dilationRate', () => {
    const d = our('depthwiseConv2d', { kernelSize: 3, dilationRate: 2 }, [[null, 9, 9, 3]]);
    assert.deepEqual(d.outputShape, [null, 7, 7, 3]);
    assert.ok(d.warnings?.some((w) => w.code === 'ignored-config'));
    const t = our('conv2dTranspose', { filters: 2, kernelSize: 3, dilationRate: 2 }, [[null, 8, 8, 3]]);
    assert.ok(t.warnings?.some((w) => w.code === 'ignored-config'));
  });

  it('depthwise on rank 5 builds like tfjs, with a warning', () => {
    const r = our('depthwiseConv2d', { kernelSize: 3 }, [[null, 8, 8, 8, 3]]);
    assert.ok(r.warnings?.some((w) => w.code === 'wrong-input-rank'));
  });
});

describe('deliberate differences from tfjs', () => {
  it('cropping an unknown size stays unknown (tfjs computes null − a − b)', () => {
    const inputs: Shape[] = [[null, null, 8, 3]];
    assert.deepEqual(tfjsLayer('cropping2D', { cropping: 1 }, inputs).outputShape, [null, -2, 6, 3]);
    assert.deepEqual(ourLayer('cropping2D', { cropping: 1 }, inputs).outputShape, [null, null, 6, 3]);
  });

  it('upSampling2d with a number size: tfjs gets NaN, we say unknown and warn', () => {
    const inputs: Shape[] = [[null, 4, 8, 3]];
    const t = tfjsLayer('upSampling2d', { size: 3 }, inputs).outputShape as number[];
    assert.ok(Number.isNaN(t[1]) && Number.isNaN(t[2]));
    const r = our('upSampling2d', { size: 3 }, inputs);
    assert.deepEqual(r.outputShape, [null, null, null, 3]);
    assert.equal(r.warnings?.[0].code, 'invalid-config');
  });
});
