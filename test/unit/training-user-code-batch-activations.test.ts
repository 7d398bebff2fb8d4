/**
 * `activationsFrom: 'batch'` on the user's own training code (`layer-lens train --script …
 * --activations-from batch`): activation statistics from the forward pass of the program's own
 * fit / fitDataset / trainOnBatch step, at every probe-due step, with source 'batch' — no probe
 * before training and none extra at the end. The default keeps the fixed probe batch.
 * Programs: test/fixtures/training/user-programs/ (tfjs's cpu backend, a few steps each).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runTrain } from '../../src/training/cli-train';
import { readRun } from '../../src/training/engine/run-store';
import type { WorkerMessage, WorkerMessageOf } from '../../src/protocol/worker';
import { ScriptRun, type ScriptConfig, type ScriptRunResult } from '../../src/training/script-host';
import { parseScriptConfig } from '../../src/training/script/config';

const ROOT = path.resolve(__dirname, '..', '..');
const PROGRAMS = path.join(ROOT, 'test/fixtures/training/user-programs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-user-code-batch-'));

function of<T extends WorkerMessage['type']>(messages: WorkerMessage[], type: T): WorkerMessageOf<T>[] {
  return messages.filter((m): m is WorkerMessageOf<T> => m.type === type);
}

async function runProgram(name: string, config: Partial<Omit<ScriptConfig, 'v'>> = {}): Promise<ScriptRunResult> {
  const runDir = path.join(tmp, `${name.replace(/[^\w]/g, '_')}-${Date.now()}`);
  return ScriptRun.start({ script: path.join(PROGRAMS, name), codeHash: 'test', runDir, ...config }, { cwd: ROOT }).result;
}

/** Values an activation histogram counted: batch × units for a Dense layer. */
const counted = (a: WorkerMessageOf<'activations'>, layer: string) => a.layers.find((l) => l.layer === layer)!.histogram.counts.reduce((x, y) => x + y, 0);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('activation statistics from the program\'s own training batch (activationsFrom: batch)', () => {
  it('model.fit with --probe-every 1 --activations-from batch: activations at every step 1..N from the step\'s batch, none at step 0', async () => {
    let out = '';
    let err = '';
    const runDir = path.join(tmp, 'cli-fit-batch');
    const code = await runTrain(['--script', 'test/fixtures/training/user-programs/fit.js', '--probe-every', '1', '--activations-from', 'batch', '--out', runDir, '--json'], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, { cwd: ROOT });
    assert.equal(code, 0, err);
    const final = JSON.parse(out.trim()) as { status: string; steps: number };
    assert.deepEqual([final.status, final.steps], ['completed', 24]);
    assert.doesNotMatch(err, /activation statistics failed|instrumentation .* failed/);
    const acts = readRun(runDir).layers.filter((m): m is WorkerMessageOf<'activations'> => m.type === 'activations');
    assert.deepEqual(
      acts.map((a) => [a.step, a.source]),
      range(1, 24).map((s) => [s, 'batch']),
      'every step, the training batch, no probe before training or after it',
    );
    assert.ok(acts.every((a) => a.layers.map((l) => l.layer).join() === 'hidden,out'));
    // The training batch (16 samples × 16 units), not the probe batch (64) nor fit's validation
    // pass (32 samples), which runs on an epoch's last batch before the step's callbacks end.
    assert.deepEqual([...new Set(acts.map((a) => counted(a, 'hidden')))], [16 * 16]);
    assert.deepEqual([...new Set(acts.map((a) => counted(a, 'out')))], [16 * 3]);
  });

  it('with --probe-every 10 the tap reads only the probe-due steps (1, 10, 20), and nothing extra at the end (24)', async () => {
    const result = await runProgram('fit.js', { probeEvery: 10, activationsFrom: 'batch' });
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal(result.done!.steps, 24);
    assert.deepEqual(
      of(result.messages, 'activations').map((a) => [a.step, a.source]),
      [1, 10, 20].map((s) => [s, 'batch']),
    );
  });

  it('the default (the probe batch): a probe before training, figures of the 64-sample probe batch, no source', async () => {
    const result = await runProgram('fit.js', { probeEvery: 1 });
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    const acts = of(result.messages, 'activations');
    assert.deepEqual(
      acts.map((a) => a.step),
      range(0, 24),
    );
    assert.ok(acts.every((a) => a.source === undefined));
    assert.deepEqual([...new Set(acts.map((a) => counted(a, 'hidden')))], [64 * 16]);
  });

  it('a trainOnBatch loop (a GAN, two models in turn): each model\'s own step, from step 1, source batch', async () => {
    const result = await runProgram('gan.js', { probeEvery: 1, activationsFrom: 'batch' });
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal(result.done!.steps, 12);
    const acts = of(result.messages, 'activations');
    assert.deepEqual(
      acts.map((a) => [a.step, a.source]),
      range(1, 12).map((s) => [s, 'batch']),
    );
    const [discriminator, combined] = of(result.messages, 'model');
    const names = (m: WorkerMessageOf<'model'>) => m.layers.filter((l) => l.className !== 'InputLayer').map((l) => l.name).join();
    // Odd steps train the discriminator on 32 samples (16 real, 16 fake), even ones the combined model on 16.
    for (const a of acts) {
      const odd = a.step % 2 === 1;
      assert.equal(a.layers.map((l) => l.layer).join(), names(odd ? discriminator : combined), `step ${a.step}`);
      if (odd) assert.equal(counted(a, 'd_hidden'), 32 * 8, `step ${a.step}`);
    }
    assert.ok(!of(result.messages, 'log').some((l) => /activation statistics failed/.test(l.message)));
  });

  it('a trainOnBatch loop with the default: the probe before each model\'s first step, no source', async () => {
    const result = await runProgram('gan.js', { probeEvery: 1 });
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    const acts = of(result.messages, 'activations');
    assert.equal(acts[0].step, 0, 'the discriminator\'s probe before training');
    assert.ok(acts.every((a) => a.source === undefined));
  });

  it('fitDataset with batch: every step from the pipeline\'s batches, the dataset event still has its input shapes', async () => {
    const result = await runProgram('fit-dataset.mjs', { probeEvery: 1, activationsFrom: 'batch' });
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    const steps = of(result.messages, 'step').length;
    assert.equal(steps, 16);
    assert.deepEqual(
      of(result.messages, 'activations').map((a) => [a.step, a.source]),
      range(1, steps).map((s) => [s, 'batch']),
    );
    assert.deepEqual(of(result.messages, 'dataset')[0].inputShapes, [[null, 2]]);
  });

  it('a custom loop (minimize) has no model to tap: gradient statistics only, in either mode', async () => {
    const result = await runProgram('minimize.js', { probeEvery: 1, activationsFrom: 'batch' });
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal(of(result.messages, 'activations').length, 0);
    assert.ok(of(result.messages, 'layer-stats').length > 0);
  });

  it('--activations-from with another value is refused (exit code 2); the config schema takes probe and batch only', async () => {
    let err = '';
    const code = await runTrain(['--script', 'test/fixtures/training/user-programs/fit.js', '--activations-from', 'training', '--out', path.join(tmp, 'bad-source')], { out: () => undefined, err: (t) => (err += t) }, { cwd: ROOT });
    assert.equal(code, 2);
    assert.match(err, /^layer-lens train: --activations-from must be one of probe, batch/);
    assert.ok(!fs.existsSync(path.join(tmp, 'bad-source')), 'nothing ran');
    const base = { v: 1, script: '/x.js', codeHash: 'h', runDir: '/r' };
    assert.equal(parseScriptConfig({ ...base, activationsFrom: 'batch' }).ok, true);
    assert.equal(parseScriptConfig({ ...base, activationsFrom: 'training' }).ok, false);
  });
});
