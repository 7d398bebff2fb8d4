import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { codeLensesFor, totalsTitle } from '../../src/server/features/code-lens';
import { SHOW_SUMMARY_COMMAND } from '../../src/protocol/lsp/common';
import { TRAIN_MODEL_COMMAND } from '../../src/protocol/lsp/train';
import { HEADER, analyse } from './server-helpers';

const SOURCE = `${HEADER}
export function encoder() {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

export const head = tf.sequential();
head.add(tf.layers.dense({ inputShape: [10], units: 2 }));
`;

const VARIANTS = `${HEADER}
function build(units: number) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units }));
  return model;
}
export function small() { return build(2); }
export function large() { return build(20); }
`;

describe('code lens', () => {
  const src = analyse({ 'models.ts': SOURCE });
  const lenses = codeLensesFor(src.analysis, src.doc);

  it('three lenses per model, on the line of its creation call', () => {
    assert.equal(lenses.length, 6);
    assert.deepEqual(
      lenses.map((l) => l.range.start.line + 1),
      [4, 4, 4, 13, 13, 13],
    );
  });

  it('the totals lens: params, fp32 size and MACs, and no command (text, not a button)', () => {
    // conv 3·3·1·32+32 = 320; dense 25088·10+10 = 250,890
    // MACs: 28·28 positions × 3·3·1·32 + 25088·10 = 476,672; fp32 size 251,210 × 4 B = 981.3 KB
    assert.equal(lenses[0].command?.title, 'Σ 251,210 params (981.3 KB fp32) · 476.7 K MACs');
    assert.equal(lenses[0].command?.command, '');
  });

  it('the Summary lens runs the summary command for that model', () => {
    const summary = lenses[1].command!;
    assert.equal(summary.title, 'Summary');
    assert.equal(summary.command, SHOW_SUMMARY_COMMAND);
    assert.deepEqual(summary.arguments, [src.doc.uri, { name: 'encoder', offset: src.at('tf.sequential({') }]);
    assert.deepEqual(lenses[4].command!.arguments, [src.doc.uri, { name: 'head', offset: src.at('tf.sequential()') }]);
  });

  it('the ▶ Train lens runs Train Current Model for that model (never a dead button)', () => {
    const train = lenses[2].command!;
    assert.equal(train.title, '▶ Train');
    assert.equal(train.command, TRAIN_MODEL_COMMAND);
    assert.deepEqual(train.arguments, [src.doc.uri, { name: 'encoder', offset: src.at('tf.sequential({') }]);
    assert.deepEqual(lenses[5].command!.arguments, [src.doc.uri, { name: 'head', offset: src.at('tf.sequential()') }]);
    // The command the lens names is one the extension contributes and registers.
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    assert.ok(manifest.contributes.commands.some((c) => c.command === TRAIN_MODEL_COMMAND));
  });

  it('the title formats large numbers like the summary table', () => {
    const m = src.analysis.models[1];
    assert.equal(totalsTitle({ ...m, totals: { ...m.totals, total: 1199882, trainable: 1199882, nonTrainable: 0, macs: 12_345_678, paramBytes: 1199882 * 4 } }), 'Σ 1,199,882 params (4.6 MB fp32) · 12.3 M MACs');
    assert.equal(totalsTitle({ ...m, totals: { ...m.totals, total: null, trainable: null, nonTrainable: null, macs: null, paramBytes: null } }), 'Σ unknown params (unknown fp32) · unknown MACs');
  });

  it('variants of one builder (same call, other arguments) are told apart by name', () => {
    const v = analyse({ 'variants.ts': VARIANTS });
    const titles = codeLensesFor(v.analysis, v.doc).map((l) => l.command?.title);
    assert.deepEqual(titles, ['small: Σ 10 params (40 B fp32) · 8 MACs', 'Summary of small', '▶ Train small', 'large: Σ 100 params (400 B fp32) · 80 MACs', 'Summary of large', '▶ Train large']);
  });

  it('no model, no lens', () => {
    const none = analyse({ 'none.ts': `${HEADER}export const x = tf.layers.dense({ units: 3 });\n` });
    assert.deepEqual(codeLensesFor(none.analysis, none.doc), []);
  });
});
