import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectModel, summaryFor } from '../../src/server/features/summary';
import { DEFAULT_SETTINGS, parseSettings } from '../../src/protocol/lsp/common';
import { formatCompact, formatShape } from '../../src/server/features/format';
import { HEADER, analyse } from './server-helpers';

const SOURCE = `${HEADER}
export function small() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [3], units: 2 }));
  return model;
}
export function large() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [30], units: 20 }));
  return model;
}
`;

describe('summary request', () => {
  const src = analyse({ 'two.ts': SOURCE });

  it('every model of the file', () => {
    const r = summaryFor(src.analysis, 'two.ts');
    assert.equal(r.modelCount, 2);
    assert.match(r.text, /Total params: 8 /);
    assert.match(r.text, /Total params: 620 /);
    assert.match(r.text, /Model: model \(sequential\) — two\.ts:4/);
  });

  it('one model, chosen by name and the offset nearest its creation call', () => {
    const r = summaryFor(src.analysis, 'two.ts', { name: 'model', offset: src.at('tf.sequential', 200) });
    assert.equal(r.modelCount, 1);
    assert.match(r.text, /Total params: 620 /);
    assert.doesNotMatch(r.text, /Total params: 8 /);
    assert.equal(selectModel(src.analysis, { name: 'nope', offset: 0 }), undefined);
  });

  it('no model: count 0', () => {
    const none = analyse({ 'none.ts': `${HEADER}export const n = 1;\n` });
    assert.deepEqual(summaryFor(none.analysis, 'none.ts'), { text: '', modelCount: 0 });
  });
});

describe('settings and formatting', () => {
  it('reads nested and dotted keys, defaults for the rest', () => {
    assert.deepEqual(parseSettings(undefined), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings({ inlayHints: { showBatchDim: false } }).inlayHints, { enabled: true, showBatchDim: false, showParams: true });
    assert.deepEqual(parseSettings({ 'inlayHints.enabled': false, inlayHints: { showParams: 'no' } }).inlayHints, { enabled: false, showBatchDim: true, showParams: true });
  });

  it('batch size: a positive integer, else the default 32', () => {
    assert.equal(parseSettings({ batchSize: 8 }).batchSize, 8);
    assert.equal(parseSettings({ batchSize: 0 }).batchSize, 32);
    assert.equal(parseSettings({ batchSize: '64' }).batchSize, 32);
  });

  it('shapes and compact counts', () => {
    assert.equal(formatShape([null, 28, 28, 32]), '[null,28,28,32]');
    assert.equal(formatShape([null, 28, 28, 32], false), '[28,28,32]');
    assert.equal(formatShape([[null, 4], [null, 8]]), '[null,4], [null,8]');
    assert.equal(formatShape(null), 'unknown');
    assert.equal(formatCompact(950), '950');
    assert.equal(formatCompact(12_345_678), '12.3 M');
    assert.equal(formatCompact(15_476_385_792), '15.5 G');
  });
});
