import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../../src/cli/main';

function capture(argv: string[], cwd?: string): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const prev = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const code = run(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
  } finally {
    process.chdir(prev);
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-cli-'));
fs.writeFileSync(
  path.join(dir, 'good.ts'),
  `import * as tf from '@tensorflow/tfjs';
export const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 10, kernelSize: 5, padding: 'same' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 4 }),
  ],
});
`,
);
fs.writeFileSync(
  path.join(dir, 'bad.ts'),
  `import * as tf from '@tensorflow/tfjs';
const x = tf.input({ shape: [5, 5, 1] });
const y = tf.layers.conv2d({ filters: 2, kernelSize: 7 }).apply(x);
export const broken = tf.model({ inputs: x, outputs: y as tf.SymbolicTensor });
`,
);

describe('layer-lens CLI', () => {
  it('summary --json prints the documented shape, with files as given and 1-based positions', () => {
    const r = capture(['summary', 'good.ts', '--json'], dir);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.out);
    assert.equal(json.files.length, 1);
    const f = json.files[0];
    assert.equal(f.file, 'good.ts');
    assert.deepEqual(Object.keys(f), ['file', 'models', 'diagnostics']);
    const m = f.models[0];
    assert.deepEqual(Object.keys(m), ['name', 'kind', 'line', 'column', 'layers', 'totalParams', 'trainableParams', 'nonTrainableParams', 'macs', 'diagnostics']);
    assert.equal(m.name, 'model');
    assert.equal(m.kind, 'sequential');
    assert.equal(m.line, 2);
    assert.equal(m.column, 22);
    assert.deepEqual(
      m.layers.map((l: { className: string; line: number; outputShape: unknown }) => [l.className, l.line, l.outputShape]),
      [
        ['Conv2D', 4, [null, 32, 32, 10]],
        ['Flatten', 5, [null, 10240]],
        ['Dense', 6, [null, 4]],
      ],
    );
    assert.equal(m.layers[0].params, 5 * 5 * 3 * 10 + 10);
    assert.equal(m.totalParams, 760 + 10240 * 4 + 4);
  });

  it('summary expands globs and prints a table', () => {
    const r = capture(['summary', '*.ts'], dir);
    assert.equal(r.code, 0);
    assert.match(r.out, /Model: model \(sequential\) — good\.ts:2/);
    assert.match(r.out, /Total params: 41,724/);
    assert.match(r.out, /Model: broken \(functional\) — bad\.ts:4/);
  });

  it('check prints file:line:col problems and exits 1 on an error', () => {
    const r = capture(['check', 'bad.ts', 'good.ts'], dir);
    assert.equal(r.code, 1);
    assert.match(r.out, /^bad\.ts:3:\d+: error negative-output-size: .*floor\(\(5 − 7\)\/1\) \+ 1 = −1/m);
  });

  it('check exits 0 on a clean file', () => {
    assert.equal(capture(['check', 'good.ts'], dir).code, 0);
  });

  it('rejects unknown commands and options with usage', () => {
    assert.equal(capture(['frobnicate']).code, 2);
    const r = capture(['summary', 'x.ts', '--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown option --bogus/);
  });
});
