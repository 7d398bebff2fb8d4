/**
 * Model-level oracle for coding styles (test/fixtures/styles/): every way of importing
 * tfjs, modules and JSON of the user's own, functions, closures, classes, loops,
 * conditions, array and object idioms, custom layers, frozen layers and nested models.
 * Each fixture is built by real tfjs and analysed statically; both must agree.
 */
import { fixturesIn, modelOracleSuite } from './model-oracle';

modelOracleSuite('coding styles agree with tfjs', fixturesIn('test/fixtures/styles'));
