/**
 * Model-level oracle for the classic CNN families in test/fixtures/models/: every exported
 * builder is built with real tfjs and analysed statically, and both must agree layer by layer.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { knownFactories } from '../../src/analysis/layers/registry';
import { TFJS_LAYERS_OTHER_EXPORTS } from '../../src/analysis/tfjs/namespace';
import { fixturesIn, modelOracleSuite } from './model-oracle';

modelOracleSuite('classic CNN models agree with tfjs', fixturesIn('test/fixtures/models'), {
  'densenet.ts': {
    expectTotals: { buildDenseNet121: 8_062_504 },
    throws: { buildDenseBlockAliasedList: 'graph-disconnected' },
  },
  'inception-v3.ts': { expectTotals: { buildInceptionV3: 23_851_784 } },
  'mobilenet.ts': {
    expectTotals: { buildMobileNet: 4_253_864 },
  },
  'mobilenet-v2.ts': { expectTotals: { buildMobileNetV2: 3_538_984 } },
  'resnet50.ts': { expectTotals: { buildResNet50: 25_636_712 } },
  'segmentation-extras.ts': { throws: { buildC3DGlobalPool: 'not-a-tfjs-layer' } },
  'vgg16.ts': { expectTotals: { buildVgg16: 138_357_544 } },
  'xception.ts': { expectTotals: { buildXception: 22_910_480 } },
});

it('tf.layers exports exactly the factories the engine has rules for, plus the known non-factories', () => {
  const expected = [...knownFactories(), ...TFJS_LAYERS_OTHER_EXPORTS].sort();
  assert.deepEqual(expected, Object.keys(tf.layers).sort());
});
