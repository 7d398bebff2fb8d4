import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SOURCE, diagnosticsFor } from '../../src/server/features/diagnostics';
import { HEADER, analyse } from './server-helpers';

describe('diagnostics', () => {
  it('a shape error: range of the layer call, code, source, severity, formula with the numbers', () => {
    const src = analyse({
      'broken.ts': `${HEADER}
const input = tf.input({ shape: [5, 5, 1] });
const conv = tf.layers.conv2d({ filters: 16, kernelSize: 7 }).apply(input) as tf.SymbolicTensor;
export const m = tf.model({ inputs: input, outputs: conv });
`,
    });
    const diags = diagnosticsFor(src.analysis, src.doc);
    const d = diags.find((x) => x.code === 'negative-output-size');
    assert.ok(d, JSON.stringify(diags));
    assert.equal(d.source, SOURCE);
    assert.equal(d.source, 'Layer Lens');
    assert.equal(d.severity, 1);
    assert.match(d.message as string, /floor\(\(5 − 7\)\/1\) \+ 1 = −1/);
    assert.equal(d.range.start.line, 3);
    const start = src.doc.offsetAt(d.range.start);
    assert.ok(src.text.slice(start).startsWith('tf.layers.conv2d('), src.text.slice(start, start + 40));
  });

  it('a merge mismatch is an error at the merge call', () => {
    const src = analyse({
      'merge.ts': `${HEADER}
const input = tf.input({ shape: [100] });
const a = tf.layers.dense({ units: 64 }).apply(input) as tf.SymbolicTensor;
const b = tf.layers.dense({ units: 32 }).apply(input) as tf.SymbolicTensor;
const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
export const m = tf.model({ inputs: input, outputs: sum });
`,
    });
    const errors = diagnosticsFor(src.analysis, src.doc).filter((d) => d.severity === 1);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].range.start.line, 5);
  });

  it('a problem in an imported file is shown at the model, naming where it is', () => {
    const src = analyse(
      {
        'main.ts': `${HEADER}import { block } from './helper';
const input = tf.input({ shape: [5, 5, 1] });
export const m = tf.model({ inputs: input, outputs: block(input) });
`,
        'helper.ts': `${HEADER}
export function block(x: tf.SymbolicTensor): tf.SymbolicTensor {
  return tf.layers.conv2d({ filters: 4, kernelSize: 9 }).apply(x) as tf.SymbolicTensor;
}
`,
      },
      'main.ts',
    );
    const d = diagnosticsFor(src.analysis, src.doc).find((x) => x.code === 'negative-output-size');
    assert.ok(d, JSON.stringify(diagnosticsFor(src.analysis, src.doc)));
    assert.match(d.message as string, /\(at helper\.ts:4:\d+\)/);
    assert.equal(d.range.start.line, 3, 'at the tf.model call');
  });

  it('a clean model has no errors', () => {
    const src = analyse({ 'ok.ts': `${HEADER}export const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });\n` });
    assert.deepEqual(diagnosticsFor(src.analysis, src.doc).filter((d) => d.severity === 1), []);
  });
});
