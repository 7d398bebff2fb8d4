/** Frozen at initialisation or pretrained: what the host reads from the program's files. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { weightsLoadedIn } from '../../src/training/health-host';

function file(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'll-weights-'));
  const f = path.join(dir, 'train.ts');
  fs.writeFileSync(f, text);
  return f;
}

describe('weightsLoadedIn', () => {
  it('is false for a program that builds and freezes a fresh layer', () => {
    const f = file("import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\nm.add(tf.layers.dense({ units: 8, inputShape: [4], trainable: false }));\n");
    assert.equal(weightsLoadedIn([f]), false);
  });

  it('is true when any of the files loads a model or sets weights', () => {
    const fresh = file('const m = tf.sequential();\n');
    const loads = file("const base = await tf.loadLayersModel('file://base/model.json');\n");
    assert.equal(weightsLoadedIn([fresh, loads]), true);
  });

  it('is unknown when no file can be read', () => {
    assert.equal(weightsLoadedIn([undefined, path.join(os.tmpdir(), 'no-such-dir-ll', 'x.ts')]), undefined);
  });
});
