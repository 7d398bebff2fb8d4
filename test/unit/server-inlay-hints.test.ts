import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type InlayHintSettings, inlayHintsFor } from '../../src/server/features/inlay-hints';
import { HEADER, analyse } from './server-helpers';

const ALL: InlayHintSettings = { enabled: true, showBatchDim: true, showParams: true };

const SOURCE = `${HEADER}
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 })); // halves it
  model.add(
    tf.layers.dense({
      units: 10,
    }),
  );
  return model;
}
`;

/** Hints as `line text ⟨label⟩` strings, 1-based lines. */
function render(src: ReturnType<typeof analyse>, settings = ALL, range?: Parameters<typeof inlayHintsFor>[2]): string[] {
  const lines = src.text.split('\n');
  return inlayHintsFor(src.analysis, src.doc, range, settings).map((h) => {
    const line = lines[h.position.line];
    assert.equal(h.position.character, line.trimEnd().length, 'at the end of the line');
    return `${h.position.line + 1}: ${line.trim()} ⟨${h.label}⟩`;
  });
}

describe('inlay hints', () => {
  const src = analyse({ 'model.ts': SOURCE });

  it('at the end of each layer line the output shape and params, on the creation line the total', () => {
    assert.deepEqual(render(src), [
      '4: const model = tf.sequential(); ⟨Σ 650 params⟩',
      "5: model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same' })); ⟨→ [null,28,28,32] · 320⟩",
      '6: model.add(tf.layers.maxPooling2d({ poolSize: 2 })); // halves it ⟨→ [null,14,14,32]⟩',
      // A factory call over several lines: the line where it ends.
      '10: }), ⟨→ [null,14,14,10] · 330⟩',
    ]);
  });

  it('showBatchDim: false drops the batch dimension', () => {
    const labels = inlayHintsFor(src.analysis, src.doc, undefined, { ...ALL, showBatchDim: false }).map((h) => h.label);
    assert.ok(labels.includes('→ [28,28,32] · 320'), labels.join(' | '));
  });

  it('showParams: false shows shapes only, and no model total', () => {
    const labels = inlayHintsFor(src.analysis, src.doc, undefined, { ...ALL, showParams: false }).map((h) => h.label);
    assert.deepEqual(labels, ['→ [null,28,28,32]', '→ [null,14,14,32]', '→ [null,14,14,10]']);
  });

  it('enabled: false shows nothing', () => {
    assert.deepEqual(inlayHintsFor(src.analysis, src.doc, undefined, { ...ALL, enabled: false }), []);
  });

  it('only the hints inside the requested range', () => {
    const range = { start: { line: 4, character: 0 }, end: { line: 5, character: 200 } };
    assert.equal(render(src, ALL, range).length, 2);
  });

  it('hints are type hints with a tooltip holding the parameter formula', () => {
    const hint = inlayHintsFor(src.analysis, src.doc, undefined, ALL).find((h) => String(h.label).includes('320'))!;
    assert.equal(hint.kind, 1);
    assert.equal(hint.paddingLeft, true);
    assert.match(JSON.stringify(hint.tooltip), /3·3·1·32 \+ 32 = 320/);
  });

  it('layers made by one call in a loop share a hint: count, first … last shape, params summed', () => {
    const loop = analyse({
      'loop.ts': `${HEADER}
export const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [4], units: 8 }));
for (const units of [16, 32]) model.add(tf.layers.dense({ units }));
`,
    });
    const labels = inlayHintsFor(loop.analysis, loop.doc, undefined, ALL).map((h) => h.label);
    assert.deepEqual(labels, ['Σ 728 params', '→ [null,8] · 40', `×2 → [null,16] … [null,32] · ${144 + 544}`]);
  });

  it('a layer created by a helper and applied here: the hint is on the line that applies it', () => {
    const fn = analyse({
      'fn.ts': `${HEADER}
const dense = (units: number) => tf.layers.dense({ units, activation: 'relu' });
const input = tf.input({ shape: [3] });
const a = dense(5).apply(input) as tf.SymbolicTensor;
const b = dense(7).apply(a) as tf.SymbolicTensor;
export const net = tf.model({ inputs: input, outputs: b });
`,
    });
    assert.deepEqual(render(fn), [
      '4: const input = tf.input({ shape: [3] }); ⟨→ [null,3]⟩',
      '5: const a = dense(5).apply(input) as tf.SymbolicTensor; ⟨→ [null,5] · 20⟩',
      '6: const b = dense(7).apply(a) as tf.SymbolicTensor; ⟨→ [null,7] · 42⟩',
      '7: export const net = tf.model({ inputs: input, outputs: b }); ⟨Σ 62 params⟩',
    ]);
  });

  it('variants of one builder: the first model\'s layers on the line, each total named', () => {
    const v = analyse({
      'variants.ts': `${HEADER}
function build(units: number) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units }));
  return model;
}
export function small() { return build(2); }
export function large() { return build(20); }
`,
    });
    assert.deepEqual(
      inlayHintsFor(v.analysis, v.doc, undefined, ALL).map((h) => h.label),
      ['small: Σ 10 params', 'large: Σ 100 params', '→ [null,2] · 10'],
    );
  });

  it('a layer whose shape is not known says so', () => {
    const bad = analyse({
      'bad.ts': `${HEADER}
const input = tf.input({ shape: [100] });
const a = tf.layers.dense({ units: 64 }).apply(input) as tf.SymbolicTensor;
const b = tf.layers.dense({ units: 32 }).apply(input) as tf.SymbolicTensor;
const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
export const m = tf.model({ inputs: input, outputs: sum });
`,
    });
    assert.ok(render(bad).some((h) => h.startsWith('6: const sum') && h.endsWith('⟨→ unknown⟩')), render(bad).join('\n'));
  });
});
