/**
 * `layer-lens train` end to end: the CLI analyses the file, the worker process builds and
 * trains the model, the run folder holds the history. Plus stop, NaN, bad data, and a
 * worker whose host dies.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeFiles } from '../../src/analysis/engine';
import { runTrain } from '../../src/training/cli-train';
import { defaultWorker, TrainingRun } from '../../src/training/host';
import { readRun } from '../../src/training/engine/run-store';
import type { TrainConfig, WorkerMessage } from '../../src/protocol/worker';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-train-'));

async function train(args: string[]): Promise<{ code: number; out: string; err: string; final: Record<string, unknown> }> {
  let out = '';
  let err = '';
  const code = await runTrain(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, { cwd: ROOT });
  const lines = out.trim().split('\n');
  return { code, out, err, final: JSON.parse(lines[lines.length - 1]) as Record<string, unknown> };
}

function stepLosses(dir: string): number[] {
  return readRun(dir)
    .metrics.filter((m): m is Extract<WorkerMessage, { type: 'step' }> => m.type === 'step')
    .map((m) => m.loss as number);
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

const RUNS: [string, string, string, string[]][] = [
  ['MLP on spirals', 'test/fixtures/training/mlp.ts', 'wasm', ['--steps', '40']],
  ['MLP on spirals', 'test/fixtures/training/mlp.ts', 'cpu', ['--steps', '40']],
  ['small LeNet-style CNN on images', 'test/fixtures/training/small-cnn.ts', 'wasm', ['--steps', '12', '--samples', '400']],
  ['small LeNet-style CNN on images', 'test/fixtures/training/small-cnn.ts', 'cpu', ['--steps', '12', '--samples', '400']],
  ['samples/lenet.ts on MNIST', 'samples/lenet.ts', 'wasm', ['--steps', '15', '--samples', '600', '--learning-rate', '0.1']],
];

describe('layer-lens train', () => {
  for (const [what, file, backend, extra] of RUNS) {
    it(`${what} on ${backend}: the loss decreases and the run folder holds the history`, async () => {
      const out = path.join(tmp, `${path.basename(file, '.ts')}-${backend}`);
      const r = await train([file, '--backend', backend, '--out', out, '--json', '--stats-every', '1', ...extra]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.trim().split('\n').length, 1, 'with --json, stdout holds only the final line');
      assert.equal(r.final.status, 'completed');
      assert.equal(r.final.backend, backend);
      const losses = stepLosses(out);
      const steps = Number(extra[extra.indexOf('--steps') + 1]);
      assert.equal(losses.length, steps);
      assert.ok(mean(losses.slice(-3)) < mean(losses.slice(0, 3)), `loss did not decrease: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
      assert.equal(r.final.steps, steps);
      assert.ok((r.final.loss as number) < (r.final.firstLoss as number));
      // The run folder
      assert.deepEqual(fs.readdirSync(out).sort(), ['events.jsonl', 'graph.json', 'layers.jsonl', 'metrics.jsonl', 'run.json']);
      const run = readRun(out);
      assert.equal(run.run.status, 'completed');
      assert.match(run.run.codeHash as string, /^[0-9a-f]{64}$/);
      assert.equal((run.run.backend as { kind: string }).kind, backend);
      assert.equal((run.run.final as { steps: number }).steps, steps);
      assert.ok(run.metrics.some((m) => m.type === 'epoch'));
      const stats = run.layers.filter((m) => m.type === 'layer-stats');
      assert.equal(stats.length, steps, 'layer statistics for every step');
      const acts = run.layers.filter((m) => m.type === 'activations');
      assert.ok(acts.length >= 2, 'activation statistics at the start and the end');
      const graph = JSON.parse(fs.readFileSync(path.join(out, 'graph.json'), 'utf8')) as { layers: unknown[] };
      assert.ok(graph.layers.length > 0);
    });
  }

  it('prints progress, skipped backends with reasons, and saves the model on request', async () => {
    const out = path.join(tmp, 'progress');
    const r = await train(['test/fixtures/training/mlp.ts', '--steps', '5', '--out', out, '--save-model']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /backend: wasm — @tensorflow\/tfjs-backend-wasm with SIMD/);
    assert.match(r.out, /skipped gpu: @tensorflow\/tfjs-node-gpu is not installed/);
    assert.match(r.out, /compile: adam \(lr 0\.01\), loss categoricalCrossentropy, metrics accuracy, batch 32/);
    assert.match(r.out, /dataset: spirals \(classification\)/);
    assert.match(r.out, /step 5\/5 epoch 1: loss/);
    const model = JSON.parse(fs.readFileSync(path.join(out, 'model', 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
    assert.equal(model.format, 'layers-model');
    assert.deepEqual(model.weightsManifest[0].paths, ['weights.bin']);
    assert.equal(fs.statSync(path.join(out, 'model', 'weights.bin')).size, 1251 * 4);
  });

  it('--probe-every 1 --activations-from batch: activation statistics of the training batch at every step', async () => {
    const out = path.join(tmp, 'batch-activations');
    const r = await train(['test/fixtures/training/mlp.ts', '--backend', 'cpu', '--steps', '6', '--stats-every', '1', '--probe-every', '1', '--activations-from', 'batch', '--out', out, '--json']);
    assert.equal(r.code, 0, r.err);
    const run = readRun(out);
    const acts = run.layers.filter((m): m is Extract<WorkerMessage, { type: 'activations' }> => m.type === 'activations');
    assert.deepEqual(
      acts.map((a) => [a.step, a.source]),
      [1, 2, 3, 4, 5, 6].map((s) => [s, 'batch']),
    );
    assert.ok(acts.every((a) => a.layers.length > 0 && a.layers.every((l) => l.histogram.counts.length === 20)));
    const grads = run.layers.filter((m): m is Extract<WorkerMessage, { type: 'layer-stats' }> => m.type === 'layer-stats');
    assert.ok(grads.every((g) => g.layers.some((l) => l.gradHistogram)), 'gradient histograms at every step');
    assert.equal((run.run.settings as TrainConfig).activationsFrom, 'batch');
    let err = '';
    const code = await runTrain(['test/fixtures/training/mlp.ts', '--activations-from', 'training', '--out', path.join(tmp, 'bad-source')], { out: () => undefined, err: (t) => (err += t) }, { cwd: ROOT });
    assert.equal(code, 2);
    assert.match(err, /--activations-from must be one of probe, batch/);
  });

  it('a learning rate that blows up ends with a NaN error naming the step, and keeps the history', async () => {
    const out = path.join(tmp, 'nan');
    const r = await train(['test/fixtures/training/regression.ts', '--steps', '50', '--learning-rate', '1000', '--out', out, '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.final.status, 'failed');
    assert.equal((r.final.error as { kind: string }).kind, 'nan');
    assert.match(r.err, /error \(nan, step \d+, layer dense_Dense\d+\): the loss became (NaN|Infinity) at step \d+ \(epoch 1\)\. (Non-finite gradients or weights first appeared at step \d+ in|The largest gradient at step \d+ was in) dense_Dense\d+\/(kernel|bias)/);
    assert.ok(readRun(out).metrics.length > 0);
    assert.equal(readRun(out).run.status, 'failed');
  });

  it('an encoder-decoder with open sequence lengths trains on the built-in data: the lengths it chose are logged, a class per decoder step', async () => {
    const out = path.join(tmp, 'encoder-decoder');
    const r = await train(['test/fixtures/rnn/return-state.ts', '--model', 'buildEncoderDecoder', '--backend', 'cpu', '--steps', '4', '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.final.status, 'completed', JSON.stringify(r.final.error));
    assert.match(r.out + r.err, /input 1 \[null,null,7\] has open dimensions: the dataset uses \[null,20,7\]/);
    assert.match(r.out + r.err, /input 2 \[null,null,9\] has open dimensions: the dataset uses \[null,20,9\]/);
    const losses = stepLosses(out);
    assert.equal(losses.length, 4);
    // Softmax over 9 classes at each of the 20 decoder steps starts near ln 9.
    assert.ok(Math.abs(losses[0] - Math.log(9)) < 0.5, `first loss ${losses[0]} near ln 9`);
  });

  it('bad data: a CSV with a non-number says where', async () => {
    const csv = path.join(tmp, 'bad.csv');
    fs.writeFileSync(csv, 'a,b,label\n1,2,0\n3,x,1\n');
    const r = await train(['test/fixtures/training/mlp.ts', '--dataset', csv, '--steps', '2', '--out', path.join(tmp, 'bad'), '--json']);
    assert.equal(r.code, 1);
    assert.equal((r.final.error as { kind: string }).kind, 'data');
    assert.match((r.final.error as { message: string }).message, /bad\.csv:3: column 'b' is 'x', not a number/);
  });

  it('usage errors exit 2 with a message', async () => {
    const r1 = await runTrain(['test/fixtures/training/mlp.ts', '--backend', 'tpu'], { out: () => undefined, err: () => undefined }, { cwd: ROOT });
    assert.equal(r1, 2);
    let err = '';
    const r2 = await runTrain(['samples/autoencoder.ts', '--model', 'nope'], { out: () => undefined, err: (t) => (err += t) }, { cwd: ROOT });
    assert.equal(r2, 2);
    assert.match(err, /no model named 'nope'; models: buildEncoder \(line \d+\), buildDecoder/);
  });

  it('stop: the run ends within a second, as stopped, with its history', async () => {
    const [analysis] = analyzeFiles([path.join(ROOT, 'test/fixtures/training/mlp.ts')]);
    const runDir = path.join(tmp, 'stop');
    const config: TrainConfig = { model: analysis.models[0], file: analysis.file, codeHash: 'x', dataset: 'spirals', backend: 'cpu', runDir, epochs: 500 };
    let steps = 0;
    let resolveSteps!: () => void;
    const running = new Promise<void>((r) => (resolveSteps = r));
    const run = TrainingRun.start(config, {
      onMessage: (m) => {
        if (m.type === 'step' && ++steps === 20) resolveSteps();
      },
    });
    await running;
    run.pause();
    await new Promise((r) => setTimeout(r, 300));
    const pausedAt = steps;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(steps - pausedAt <= 1, 'no steps while paused');
    run.resume();
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(steps > pausedAt, 'steps again after resume');
    const t0 = Date.now();
    const result = await run.stop();
    assert.ok(Date.now() - t0 < 1000, `stopped in ${Date.now() - t0} ms`);
    assert.equal(result.status, 'stopped');
    assert.ok(result.messages.some((m) => m.type === 'state' && m.state === 'paused'));
    const saved = readRun(runDir);
    assert.equal(saved.run.status, 'stopped');
    assert.ok(saved.metrics.filter((m) => m.type === 'step').length >= 20);
  });

  it('the worker exits when its host dies (no orphan)', async () => {
    const [analysis] = analyzeFiles([path.join(ROOT, 'test/fixtures/training/mlp.ts')]);
    const config: TrainConfig = { model: analysis.models[0], file: analysis.file, codeHash: 'x', dataset: 'spirals', backend: 'cpu', runDir: path.join(tmp, 'orphan'), epochs: 10_000 };
    const worker = defaultWorker();
    // A host process that starts the worker, reports its pid, and is then killed with SIGKILL.
    const hostScript = `
      const { fork } = require('node:child_process');
      const w = fork(${JSON.stringify(worker.path)}, [], { execArgv: ${JSON.stringify(worker.execArgv)}, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      w.on('message', (m) => { if (m.type === 'step' && m.step === 3) console.log(w.pid); });
      w.send({ v: 1, type: 'start', config: ${JSON.stringify(config)} });
    `;
    const host = spawn(process.execPath, ['-e', hostScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => host.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(alive());
    host.kill('SIGKILL');
    const t0 = Date.now();
    while (alive() && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(), false, 'the worker is gone once its host died');
  });
});
