import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { applyRule } from '../../src/analysis/layers/apply';
import { ruleForFactory } from '../../src/analysis/layers/registry';
import { ShapeError, UnknownValue } from '../../src/analysis/layers/rule';
import { ourLayer, ourLayerFull, tfjsLayer, tfjsLayerFull } from './layer-oracle';

type Case = [string, Record<string, unknown>, Shape[]];

/** Every pooling factory tfjs 4.22 exports, aliases included, by class. */
const factories: Record<string, string[]> = {
  MaxPooling1D: ['maxPooling1d', 'maxPool1d'],
  AveragePooling1D: ['averagePooling1d', 'avgPool1d', 'avgPooling1d'],
  MaxPooling2D: ['maxPooling2d', 'maxPool2d'],
  AveragePooling2D: ['averagePooling2d', 'avgPool2d', 'avgPooling2d'],
  MaxPooling3D: ['maxPooling3d'],
  AveragePooling3D: ['averagePooling3d', 'avgPool3d', 'avgPooling3d'],
  GlobalMaxPooling1D: ['globalMaxPooling1d', 'globalMaxPool1d'],
  GlobalAveragePooling1D: ['globalAveragePooling1d'],
  GlobalMaxPooling2D: ['globalMaxPooling2d', 'globalMaxPool2d'],
  GlobalAveragePooling2D: ['globalAveragePooling2d'],
};

const configs1d: Case[] = [
  ['', {}, [[null, 10, 4]]],
  ['', {}, [[null, 11, 4]]],
  ['', { poolSize: 3, strides: 1 }, [[null, 10, 4]]],
  ['', { poolSize: 3, padding: 'same' }, [[null, 10, 4]]],
  ['', { poolSize: 3 }, [[null, 10, 4]]],
  ['', { poolSize: [3], strides: [2] }, [[null, 11, 4]]],
  ['', { poolSize: 4, strides: 3, padding: 'same' }, [[null, 11, 4]]],
  ['', { poolSize: 3, padding: 'causal' }, [[null, 10, 3]]],
  ['', { poolSize: 2 }, [[null, null, 4]]],
  ['', { poolSize: 5 }, [[null, 3, 4]]],
];

const configs2d: Case[] = [
  ['', {}, [[null, 28, 28, 3]]],
  ['', {}, [[null, 7, 7, 3]]],
  ['', { padding: 'same' }, [[null, 7, 7, 3]]],
  ['', { poolSize: 3 }, [[null, 28, 28, 3]]],
  ['', { poolSize: 3, padding: 'same' }, [[null, 28, 28, 3]]],
  ['', { poolSize: 3, strides: 1 }, [[null, 28, 28, 3]]],
  ['', { poolSize: [2, 3], strides: [1, 2] }, [[null, 9, 10, 5]]],
  ['', { poolSize: [2, 3], strides: [1, 2], padding: 'same' }, [[null, 9, 10, 5]]],
  ['', { poolSize: [2, 3] }, [[null, 9, 10, 5]]],
  ['', { poolSize: 2, dataFormat: 'channelsFirst' }, [[null, 3, 9, 10]]],
  ['', { poolSize: 3, strides: 2, padding: 'same', dataFormat: 'channelsFirst' }, [[null, 3, 9, 10]]],
  ['', { poolSize: 2 }, [[null, null, 9, 3]]],
  ['', { poolSize: 3 }, [[null, 2, 9, 3]]],
  ['', { poolSize: [2, 2, 2] }, [[null, 8, 8, 3]]],
];

const configs3d: Case[] = [
  ['', {}, [[null, 8, 8, 8, 2]]],
  ['', {}, [[null, 7, 9, 5, 2]]],
  ['', { padding: 'same' }, [[null, 7, 9, 5, 2]]],
  ['', { poolSize: [2, 3, 1] }, [[null, 8, 9, 10, 2]]],
  ['', { poolSize: 3, strides: 1, padding: 'same' }, [[null, 8, 9, 10, 2]]],
  ['', { poolSize: 2, strides: [1, 2, 3] }, [[null, 8, 9, 10, 2]]],
  ['', { poolSize: 2, dataFormat: 'channelsFirst' }, [[null, 2, 8, 9, 10]]],
  ['', { poolSize: 2 }, [[null, 8, null, 10, 2]]],
];

const configsGlobal1d: Case[] = [
  ['', {}, [[null, 10, 4]]],
  ['', {}, [[null, null, 4]]],
];

const configsGlobal2d: Case[] = [
  ['', {}, [[null, 7, 7, 3]]],
  ['', { dataFormat: 'channelsFirst' }, [[null, 3, 7, 7]]],
  ['', {}, [[null, null, null, 16]]],
];

function expand(classNames: string[], configs: Case[]): Case[] {
  return classNames.flatMap((c) => factories[c].flatMap((f) => configs.map(([, cfg, s]): Case => [f, cfg, s])));
}

const agree: Case[] = [
  ...expand(['MaxPooling1D', 'AveragePooling1D'], configs1d),
  ...expand(['MaxPooling2D', 'AveragePooling2D'], configs2d),
  ...expand(['MaxPooling3D', 'AveragePooling3D'], configs3d),
  ...expand(['GlobalMaxPooling1D', 'GlobalAveragePooling1D'], configsGlobal1d),
  ...expand(['GlobalMaxPooling2D', 'GlobalAveragePooling2D'], configsGlobal2d),
];

const refused: Case[] = [
  ['maxPooling1d', {}, [[null, 8, 8, 3]]],
  ['maxPooling1d', { poolSize: [2, 2] }, [[null, 8, 3]]],
  ['maxPooling1d', { poolSize: 0 }, [[null, 8, 3]]],
  ['avgPool1d', { poolSize: 1.5 }, [[null, 8, 3]]],
  ['avgPool1d', { strides: [1, 1] }, [[null, 8, 3]]],
  ['averagePooling1d', { strides: 0 }, [[null, 8, 3]]],
  ['averagePooling1d', { padding: 'full' }, [[null, 8, 3]]],
  ['maxPooling2d', {}, [[null, 8, 3]]],
  ['maxPooling2d', {}, [[null, 8, 8, 8, 3]]],
  ['maxPooling2d', { strides: [1, 2, 3] }, [[null, 8, 8, 3]]],
  ['maxPooling2d', { poolSize: 0 }, [[null, 8, 8, 3]]],
  ['maxPool2d', { poolSize: [2, -1] }, [[null, 8, 8, 3]]],
  ['maxPool2d', { poolSize: [] }, [[null, 8, 8, 3]]],
  ['avgPool2d', { strides: 1.5 }, [[null, 8, 8, 3]]],
  ['avgPooling2d', { padding: 'full' }, [[null, 8, 8, 3]]],
  ['averagePooling2d', { dataFormat: 'NHWC' }, [[null, 8, 8, 3]]],
  ['averagePooling2d', {}, [[null, 8, 8, 3], [null, 8, 8, 3]]],
  ['maxPooling3d', {}, [[null, 8, 8, 3]]],
  ['maxPooling3d', { strides: [1, 2] }, [[null, 8, 8, 8, 3]]],
  ['avgPool3d', { poolSize: 0 }, [[null, 8, 8, 8, 3]]],
  ['avgPooling3d', { dataFormat: 'channels_last' }, [[null, 8, 8, 8, 3]]],
  ['globalAveragePooling1d', {}, [[null, 3, 8, 8]]],
  ['globalMaxPool1d', {}, [[null, 8]]],
  ['globalMaxPooling2d', {}, [[null, 8, 3]]],
  ['globalMaxPool2d', { dataFormat: 'NCHW' }, [[null, 8, 8, 3]]],
  ['globalAveragePooling2d', {}, [[null, 8, 8, 8, 3]]],
];

function our(factory: string, config: Record<string, unknown>, inputs: Shape[]) {
  const rule = ruleForFactory(factory);
  assert.ok(rule, `no rule for ${factory}`);
  return applyRule(rule, inputs, config);
}

describe('pooling layers agree with tfjs', () => {
  for (const [factory, config, inputs] of agree) {
    it(`${factory} ${JSON.stringify(config)} on ${JSON.stringify(inputs)}`, () => {
      assert.deepEqual(ourLayerFull(factory, config, inputs), tfjsLayerFull(factory, config, inputs));
    });
  }
});

describe('pooling layers refuse what tfjs refuses', () => {
  for (const [factory, config, inputs] of refused) {
    it(`${factory} ${JSON.stringify(config)} on ${JSON.stringify(inputs)} throws`, () => {
      assert.throws(() => tfjsLayer(factory, config, inputs));
      assert.throws(() => ourLayer(factory, config, inputs), ShapeError);
    });
  }
});

describe('pooling registry', () => {
  it('every pooling factory tfjs exports has a rule of the right class', () => {
    for (const [className, names] of Object.entries(factories)) {
      for (const f of names) assert.equal(ruleForFactory(f)?.className, className, f);
    }
  });
});

describe('pooling sizes shown with the user numbers', () => {
  it("'valid' rounds down, 'same' rounds up", () => {
    const v = our('maxPooling2d', { poolSize: 2 }, [[null, 7, 7, 3]]);
    assert.deepEqual(v.outputShape, [null, 3, 3, 3]);
    assert.equal(v.shapeFormula, 'out = floor((7 − 2)/2) + 1 = 3');
    const s = our('maxPooling2d', { poolSize: 2, padding: 'same' }, [[null, 7, 7, 3]]);
    assert.deepEqual(s.outputShape, [null, 4, 4, 3]);
    assert.equal(s.shapeFormula, 'out = ceil(7/2) = 4');
  });

  it('strides default to poolSize, per axis', () => {
    const r = our('averagePooling2d', { poolSize: [2, 3] }, [[null, 9, 10, 5]]);
    assert.deepEqual(r.outputShape, [null, 4, 3, 5]);
    assert.equal(r.shapeFormula, 'H = floor((9 − 2)/2) + 1 = 4; W = floor((10 − 3)/3) + 1 = 3');
  });

  it('pooling down to zero is built by tfjs and warned about here', () => {
    const r = our('maxPooling2d', { poolSize: 3 }, [[null, 2, 9, 3]]);
    assert.deepEqual(r.outputShape, [null, 0, 3, 3]);
    assert.equal(r.warnings?.length, 1);
    assert.equal(r.warnings?.[0].code, 'zero-output-size');
    assert.equal(r.warnings?.[0].message, "MaxPooling2D pool 3 on input 2, stride 3, padding 'valid' (H): floor((2 − 3)/3) + 1 = 0");
    assert.equal(r.macs, 0);
  });

  it('pooling holds no weights', () => {
    const r = our('maxPooling2d', {}, [[null, 8, 8, 3]]);
    assert.deepEqual(r.weights, []);
    assert.equal(r.paramFormula, undefined);
    assert.equal(r.params.total, 0);
  });

  it('unknown poolSize leaves the pooled dims unknown', () => {
    const r = our('maxPooling2d', { poolSize: new UnknownValue('computed') }, [[null, 8, 8, 3]]);
    assert.deepEqual(r.outputShape, [null, null, null, 3]);
    assert.equal(r.macs, null);
  });

  it('1D pooling ignores dataFormat, like tfjs, and says so', () => {
    const cfg = { poolSize: 2, dataFormat: 'channelsFirst' };
    const inputs: Shape[] = [[null, 3, 10]];
    assert.deepEqual(ourLayer('maxPooling1d', cfg, inputs), tfjsLayer('maxPooling1d', cfg, inputs));
    assert.ok(our('maxPooling1d', cfg, inputs).warnings?.some((w) => w.code === 'ignored-config'));
  });
});

describe('deliberate differences from tfjs', () => {
  it('a short poolSize array: tfjs gets NaN, we say unknown and warn', () => {
    const inputs: Shape[] = [[null, 8, 8, 3]];
    const t = tfjsLayer('maxPooling2d', { poolSize: [3] }, inputs).outputShape as number[];
    assert.equal(t[1], 2);
    assert.ok(Number.isNaN(t[2]));
    const r = our('maxPooling2d', { poolSize: [3] }, inputs);
    assert.deepEqual(r.outputShape, [null, 2, null, 3]);
    assert.equal(r.warnings?.[0].code, 'invalid-config');
  });
});
