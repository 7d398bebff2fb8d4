/**
 * Model-level oracle for the classic CNN families in test/fixtures/models/: every exported
 * builder is built with real tfjs and analysed statically, and both must agree layer by layer.
 */
import { fixturesIn, modelOracleSuite } from './model-oracle';

modelOracleSuite('classic CNN models agree with tfjs', fixturesIn('test/fixtures/models'), {
  'vgg16.ts': { expectTotals: { buildVgg16: 138_357_544 } },
  'resnet50.ts': { expectTotals: { buildResNet50: 25_636_712 } },
});
