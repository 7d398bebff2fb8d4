/**
 * The user's own training code: small programs (test/fixtures/training/user-programs/) run
 * in a child Node process with the instrumentation preloaded, on tfjs's cpu backend, a few
 * steps each. Checked: the protocol messages (the same as the built-in trainer's), the run
 * folder, errors with the user's file:line (TypeScript lines through source maps), pause,
 * resume and stop (also for a loop that never yields), and `layer-lens train` choosing
 * this path.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeFiles } from '../../src/analysis/engine';
import { runTrain } from '../../src/training/cli-train';
import { decideTrainMode } from '../../src/training/cli-train-script';
import { readRun } from '../../src/training/engine/run-store';
import type { WorkerMessage, WorkerMessageOf } from '../../src/protocol/worker';
import { ScriptRun, type ScriptConfig, type ScriptRunResult } from '../../src/training/script-host';
import { formatLocation, parseStack, userLocation } from '../../src/training/script/source-location';
import { isReportedSource, parseToPanel } from '../../src/protocol/pages/training';
import { RunSeries } from '../../src/training/series';
import { findTrainingCalls, hasTrainingCode, trainingCodeOf } from '../../src/training/training-calls';

const ROOT = path.resolve(__dirname, '..', '..');
const PROGRAMS = path.join(ROOT, 'test/fixtures/training/user-programs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-user-code-'));

function of<T extends WorkerMessage['type']>(messages: WorkerMessage[], type: T): WorkerMessageOf<T>[] {
  return messages.filter((m): m is WorkerMessageOf<T> => m.type === type);
}

interface Ran {
  result: ScriptRunResult;
  runDir: string;
  output: string;
}

async function runProgram(name: string, config: Partial<Omit<ScriptConfig, 'v'>> = {}, control?: (run: ScriptRun) => Promise<void>): Promise<Ran> {
  const runDir = path.join(tmp, `${name.replace(/[^\w]/g, '_')}-${Date.now()}`);
  let output = '';
  const run = ScriptRun.start({ script: path.join(PROGRAMS, name), codeHash: 'test', runDir, ...config }, { cwd: ROOT, onOutput: (t) => (output += t) });
  if (control) await control(run);
  const result = await run.result;
  return { result, runDir, output };
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const losses = (m: WorkerMessage[]) => of(m, 'step').map((s) => s.loss as number);

describe('the user\'s own training program', () => {
  it('model.fit (JavaScript): every batch, epoch, layer statistic and activation probe, with the program\'s own callback still called', async () => {
    const { result, runDir, output } = await runProgram('fit.js', { statsEvery: 1, probeEvery: 10, saveModel: true });
    const m = result.messages;
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal(result.exitCode, 0);
    assert.deepEqual(of(m, 'hello')[0].script?.file, path.join(PROGRAMS, 'fit.js'));
    const backend = of(m, 'backend')[0];
    assert.equal(backend.kind, 'cpu');
    assert.match(backend.detail, /the program's own tfjs: backend 'cpu'; from .*node_modules\/@tensorflow\/tfjs-core/);
    assert.deepEqual(of(m, 'model')[0].layers.map((l) => [l.name, l.params]), [['hidden', 80], ['out', 51]]);
    const compile = of(m, 'compile')[0];
    assert.deepEqual([compile.optimizer, compile.learningRate, compile.loss, compile.batchSize], ['adam', 0.05, ['categoricalCrossentropy'], 16]);
    const data = of(m, 'dataset')[0];
    assert.deepEqual([data.task, data.train, data.validation, data.inputShapes, data.targetShapes], ['classification', 128, 32, [[null, 4]], [[null, 3]]]);
    assert.equal(of(m, 'data-stats')[0].samples, 128);
    assert.equal(of(m, 'run')[0].totalSteps, 24);
    const steps = of(m, 'step');
    assert.deepEqual(steps.map((s) => s.step), Array.from({ length: 24 }, (_, i) => i + 1));
    assert.ok(steps.every((s) => s.learningRate === 0.05 && typeof s.metrics.acc === 'number'));
    assert.ok(mean(losses(m).slice(-4)) < mean(losses(m).slice(0, 4)), `loss did not fall: ${losses(m).map((l) => l.toFixed(2))}`);
    const epochs = of(m, 'epoch');
    assert.deepEqual(epochs.map((e) => [e.epoch, e.step]), [[1, 8], [2, 16], [3, 24]]);
    assert.ok(epochs.every((e) => typeof e.valLoss === 'number' && typeof e.valMetrics?.val_acc === 'number'));
    const stats = of(m, 'layer-stats');
    assert.equal(stats.length, 24);
    assert.deepEqual(stats[0].layers.map((l) => `${l.layer} ${l.weight}`).sort(), ['hidden hidden/bias', 'hidden hidden/kernel', 'out out/bias', 'out out/kernel']);
    assert.ok(stats.every((s) => s.layers.every((l) => l.gradNorm! > 0 && l.nanCount === 0)));
    const acts = of(m, 'activations');
    assert.deepEqual(acts.map((a) => a.step), [0, 1, 10, 20, 24], 'before training, after step 1, every 10 steps, at the end');
    assert.deepEqual(acts[0].layers.map((l) => l.layer), ['hidden', 'out']);
    const done = result.done!;
    assert.deepEqual([done.status, done.steps, done.epochs, done.backend], ['completed', 24, 3, 'cpu']);
    assert.ok(done.loss! < done.firstLoss!);
    assert.match(output, /user callback saw 24 batches/);
    // The run folder
    const saved = readRun(runDir);
    assert.equal(saved.run.mode, 'script');
    assert.equal(saved.run.status, 'completed');
    assert.equal(saved.run.script, path.join(PROGRAMS, 'fit.js'));
    assert.equal((saved.run.backend as { kind: string }).kind, 'cpu');
    assert.equal((saved.run.final as { steps: number }).steps, 24);
    assert.ok(Array.isArray((saved.run.health as { findings: unknown[] }).findings));
    assert.equal(saved.metrics.filter((x) => x.type === 'step').length, 24);
    assert.equal(saved.layers.filter((x) => x.type === 'layer-stats').length, 24);
    assert.ok(fs.existsSync(path.join(runDir, 'control.json')));
    // --save-model: the last trained model, in tfjs format
    assert.equal(done.modelDir, path.join(runDir, 'model'));
    assert.equal(fs.statSync(path.join(runDir, 'model', 'weights.bin')).size, 131 * 4);
    assert.equal((JSON.parse(fs.readFileSync(path.join(runDir, 'model', 'model.json'), 'utf8')) as { format: string }).format, 'layers-model');
  });

  it('fitDataset (an ES module): steps from the tf.data pipeline, the probe batch taken from its first batch', async () => {
    const { result } = await runProgram('fit-dataset.mjs');
    const m = result.messages;
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal(of(m, 'step').length, 16);
    assert.deepEqual(of(m, 'epoch').map((e) => e.step), [8, 16]);
    assert.deepEqual(of(m, 'compile')[0].batchSize, 12);
    assert.deepEqual(of(m, 'dataset')[0].inputShapes, [[null, 2]]);
    // The health checks of inputs and labels see the pipeline's first batch.
    const stats = of(m, 'data-stats');
    assert.equal(stats.length, 1);
    assert.equal(stats[0].samples, 12);
    assert.equal(stats[0].note, 'the first batch of the tf.data pipeline (12 samples)');
    assert.equal(stats[0].inputs.length, 1);
    assert.equal(stats[0].targets.length, 1);
    assert.ok(of(m, 'activations').length >= 1);
    assert.ok(result.done!.loss! < result.done!.firstLoss!);
  });

  it('a custom loop with optimizer.minimize: the loss of every step, statistics named after the variables', async () => {
    const { result, output } = await runProgram('minimize.js', { statsEvery: 5 });
    const m = result.messages;
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.deepEqual(of(m, 'step').map((s) => s.step), Array.from({ length: 20 }, (_, i) => i + 1));
    const l = losses(m);
    assert.ok(l[19] < l[0] / 10, `loss ${l[0]} → ${l[19]}`);
    assert.ok(of(m, 'step').every((s) => s.learningRate === 0.1));
    assert.deepEqual(of(m, 'layer-stats').map((s) => s.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20], 'every step for 10 steps, then every 5');
    assert.deepEqual(of(m, 'layer-stats')[0].layers.map((x) => x.layer), ['linear', 'linear']);
    assert.match(of(m, 'log').map((x) => x.message).join('\n'), /custom training loop at test\/fixtures\/training\/user-programs\/minimize\.js:13:\d+: optimizer sgd \(learning rate 0\.1\)/);
    assert.match(output, /step 15: /, 'the program\'s own output');
  });

  it('a GAN (two models, trainOnBatch in turn, the discriminator frozen inside the combined model)', async () => {
    const { result } = await runProgram('gan.js');
    const m = result.messages;
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal(result.done!.steps, 12);
    assert.deepEqual(of(m, 'model').map((x) => x.layers.length), [2, 3], 'the discriminator, then the combined model');
    const stats = of(m, 'data-stats');
    assert.ok(stats.length >= 1 && /^the first batch given to trainOnBatch \(\d+ samples\)$/.test(stats[0].note ?? ''), JSON.stringify(stats.map((x) => x.note)));
    const combinedStep = of(m, 'layer-stats').find((s) => s.step === 2)!;
    const frozen = combinedStep.layers.filter((l) => l.trainable === false).map((l) => l.weight);
    assert.deepEqual(frozen.sort(), ['d_hidden/bias', 'd_hidden/kernel', 'd_out/bias', 'd_out/kernel'], 'frozen weights reported from snapshots');
    assert.ok(combinedStep.layers.some((l) => l.layer === 'g_hidden' && l.gradNorm! > 0));
  });

  it('a TypeScript program (two modules, an enum, a .js import of a .ts file), transpiled by esbuild', async () => {
    const { result, output } = await runProgram('train.ts');
    const m = result.messages;
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.match(of(m, 'log')[0].message, /^TypeScript transpiled with esbuild /);
    assert.equal(result.done!.steps, 9, 'two fits of 4 batches and a trainOnBatch');
    assert.equal(of(m, 'model').length, 1);
    assert.match(output, /typescript program done/);
  });

  it('a program that throws: an error event at the TypeScript line (source-mapped), the history kept', async () => {
    const { result, runDir } = await runProgram('throws.ts');
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 1);
    const err = of(result.messages, 'error')[0];
    assert.equal(err.kind, 'crash');
    assert.equal(err.fatal, true);
    assert.match(err.message, /^the program threw at step 4 \(test\/fixtures\/training\/user-programs\/throws\.ts:13\): Error: evaluation threshold missing/);
    assert.equal(err.source?.file, path.join(PROGRAMS, 'throws.ts'));
    assert.equal(err.source?.line, 13);
    assert.equal(err.source?.function, 'evaluate');
    assert.match(err.source?.text ?? '', /^throw new Error\(`evaluation threshold missing/);
    assert.equal(result.error?.source?.line, 13);
    const saved = readRun(runDir);
    assert.equal(saved.run.status, 'failed');
    assert.equal((saved.run.errorSource as { line: number }).line, 13);
    assert.equal(saved.metrics.filter((x) => x.type === 'step').length, 4, 'the steps before the throw are kept');
  });

  it('a throw inside tfjs with no frame of the program (a rejected fit promise) is placed at the fit call', async () => {
    const { result } = await runProgram('bad-labels.ts');
    assert.equal(result.status, 'failed');
    const err = of(result.messages, 'error')[0];
    assert.match(err.message, /^the program threw before training \(in the training call at test\/fixtures\/training\/user-programs\/bad-labels\.ts:9\): Error: target expected a batch of elements where each example has shape \[5\]/);
    assert.equal(err.source?.file, path.join(PROGRAMS, 'bad-labels.ts'));
    assert.equal(err.source?.line, 9);
    assert.match(err.source?.text ?? '', /^model\.fit\(xs, ys/);
  });

  it('a step throttled away (stepEventMs) is held, and the last one still reaches the host when the run ends', async () => {
    const { result } = await runProgram('fit.js', { stepEventMs: 60_000 });
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    const steps = of(result.messages, 'step').map((s) => s.step);
    const done = of(result.messages, 'done')[0];
    assert.ok(done.steps > 3, `the program trains several steps: ${done.steps}`);
    assert.ok(steps.length < done.steps, `the throttle held most steps back: ${steps.length} of ${done.steps} sent`);
    assert.equal(steps.at(-1), done.steps, `the history ends at the last step: ${steps.join(',')}`);
  });

  it('the TypeScript compiler as the transpiler maps the same line', async () => {
    const { result } = await runProgram('throws.ts', { transpiler: 'typescript' });
    assert.match(of(result.messages, 'log')[0].message, /^TypeScript transpiled with typescript /);
    assert.equal(of(result.messages, 'error')[0].source?.line, 13);
  });

  it('an ES module in TypeScript (top-level await, "type": "module") runs through the loader hooks', async () => {
    const { result, output } = await runProgram('esm-ts/main.ts');
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal(result.done!.steps, 12);
    assert.match(output, /w = 2\.0/);
  });

  it('a NaN loss ends the run with a nan error at the fit call, naming the first non-finite weights', async () => {
    const { result } = await runProgram('nan.js', { statsEvery: 1 });
    assert.equal(result.status, 'failed');
    const err = of(result.messages, 'error')[0];
    assert.equal(err.kind, 'nan');
    assert.match(err.message, /^the loss became (NaN|Infinity) at step \d+ \(training call at test\/fixtures\/training\/user-programs\/nan\.js:11:\d+\)\. (Non-finite gradients or weights first appeared|The largest gradient)/);
    assert.equal(err.source?.line, 11);
    assert.ok(err.layer === 'wide' || err.layer === 'head');
    assert.ok(result.done!.steps < 80, 'stopped early');
  });

  it('a program that exits non-zero, or never trains, ends with an error saying so', async () => {
    const exit = await runProgram('exit-code.js');
    assert.equal(exit.result.status, 'failed');
    assert.equal(exit.result.exitCode, 3);
    assert.equal(exit.result.error?.message, 'the program exited with code 3: giving up: the validation data is missing');
    assert.equal(exit.result.done?.steps, 2);
    const none = await runProgram('no-training.js');
    assert.equal(none.result.status, 'failed');
    assert.equal(none.result.error?.kind, 'config');
    assert.match(none.result.error!.message, /^the program ended without a training step: .* run the script that calls it \(--script <file>\)/);
  });

  it('--steps: the program ends after that many optimizer steps, as completed', async () => {
    const { result } = await runProgram('minimize.js', { maxSteps: 5 }, async () => undefined);
    assert.equal(result.status, 'completed');
    assert.equal(result.done!.steps, 5);
    assert.ok(of(result.messages, 'log').some((l) => l.message === 'ended: the step limit (5) was reached'));
  });

  it('pause, resume and stop a model.fit run: no steps while paused, stopped within a second, history kept', async () => {
    let steps = 0;
    let reached!: () => void;
    const twenty = new Promise<void>((r) => (reached = r));
    const runDir = path.join(tmp, 'fit-control');
    const run = ScriptRun.start({ script: path.join(PROGRAMS, 'fit.js'), args: ['500'], codeHash: 't', runDir }, {
      cwd: ROOT,
      onMessage: (m) => {
        if (m.type === 'step' && ++steps === 20) reached();
      },
    });
    await twenty;
    run.pause();
    await new Promise((r) => setTimeout(r, 250));
    const pausedAt = steps;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(steps, pausedAt, 'no steps while paused');
    run.resume();
    await new Promise((r) => setTimeout(r, 250));
    assert.ok(steps > pausedAt, 'steps again after resume');
    const t0 = Date.now();
    const result = await run.stop();
    assert.ok(Date.now() - t0 < 1000, `stopped in ${Date.now() - t0} ms`);
    assert.equal(result.status, 'stopped');
    assert.equal(result.signal, null, 'it stopped itself, not killed');
    assert.deepEqual(of(result.messages, 'state').map((s) => s.state).slice(0, 3), ['running', 'paused', 'running']);
    assert.equal(readRun(runDir).run.status, 'stopped');
  });

  it('a loop that never yields to the event loop is paused and stopped through the control file', async () => {
    let steps = 0;
    let reached!: () => void;
    const started = new Promise<void>((r) => (reached = r));
    const run = ScriptRun.start({ script: path.join(PROGRAMS, 'sync-loop.js'), args: ['20000'], codeHash: 't', runDir: path.join(tmp, 'sync-control') }, {
      cwd: ROOT,
      onMessage: (m) => {
        if (m.type === 'step') {
          steps = m.step;
          if (steps >= 20) reached();
        }
      },
    });
    await started;
    run.pause();
    await new Promise((r) => setTimeout(r, 300));
    const pausedAt = steps;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(steps, pausedAt, 'no steps while paused');
    run.resume();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(steps > pausedAt, 'steps again after resume');
    const t0 = Date.now();
    const result = await run.stop();
    assert.ok(Date.now() - t0 < 1000, `stopped in ${Date.now() - t0} ms`);
    assert.equal(result.status, 'stopped');
    assert.ok(of(result.messages, 'state').some((s) => s.state === 'paused'));
  });
});

describe('layer-lens train on the user\'s code', () => {
  it('picks the program when the file has training code, the built-in trainer with --dataset or without training code', () => {
    const fit = 'test/fixtures/training/user-programs/fit.js';
    assert.equal(decideTrainMode([fit], ROOT).mode, 'script');
    assert.match((decideTrainMode([fit], ROOT) as { reason: string }).reason, /the file has training code \(fit\(\) at line 27\)/);
    assert.equal(decideTrainMode([fit, '--dataset', 'spirals'], ROOT).mode, 'built-in');
    assert.equal(decideTrainMode(['test/fixtures/training/mlp.ts'], ROOT).mode, 'built-in');
    const explicit = decideTrainMode(['test/fixtures/training/mlp.ts', '--script', fit, '--', '3'], ROOT);
    assert.equal(explicit.mode, 'script');
    assert.equal((explicit as { script: string }).script, path.join(ROOT, fit));
    assert.equal(decideTrainMode([fit, '--script', fit, '--dataset', 'xor'], ROOT).mode, 'error');
  });

  it('runs the program and ends with the same JSON line (mode script)', async () => {
    let out = '';
    let err = '';
    const runDir = path.join(tmp, 'cli-script');
    const code = await runTrain(['test/fixtures/training/user-programs/train.ts', '--out', runDir, '--json', '--epochs', '3'], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, { cwd: ROOT });
    assert.equal(code, 0, err);
    const lines = out.trim().split('\n');
    assert.equal(lines.length, 1, 'with --json, stdout holds only the final line');
    const final = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.deepEqual([final.status, final.mode, final.steps, final.backend, final.runDir], ['completed', 'script', 9, 'cpu', runDir]);
    assert.ok(Array.isArray(final.findings));
    assert.match(err, /running your training program: test\/fixtures\/training\/user-programs\/train\.ts \(the file has training code \(fit\(\) at line 22\)\)/);
    assert.match(err, /ignored: --epochs/);
    assert.match(err, /typescript program done/, 'the program\'s output (on stderr with --json)');
    assert.equal(readRun(runDir).run.model, 'model', 'the analysed model\'s name');
    assert.ok(fs.existsSync(path.join(runDir, 'graph.json')));
  });

  it('prints where a program failed, with its source line', async () => {
    let err = '';
    const code = await runTrain(['--script', 'test/fixtures/training/user-programs/throws.ts', '--out', path.join(tmp, 'cli-throws')], { out: () => undefined, err: (t) => (err += `${t}\n`) }, { cwd: ROOT });
    assert.equal(code, 1);
    assert.match(err, /error \(crash, step 4\) at test\/fixtures\/training\/user-programs\/throws\.ts:13:11: the program threw/);
    assert.match(err, /\n {4}13 \| throw new Error\(`evaluation threshold missing/);
  });
});

describe('finding training code and user frames', () => {
  it('finds fit, fitDataset, trainOnBatch, minimize and applyGradients calls in files that import tfjs', () => {
    const text = `import * as tf from '@tensorflow/tfjs';\nawait model.fit(x, y, { epochs: 2 });\nopt.minimize(() => loss());\nmodel['trainOnBatch'](a, b);\nconst f = model.fit;\n`;
    assert.deepEqual(findTrainingCalls(text, 'a.ts').map((c) => [c.method, c.line]), [['fit', 2], ['minimize', 3], ['trainOnBatch', 4]]);
    assert.deepEqual(findTrainingCalls('model.fit(x, y);', 'b.ts'), [], 'no tfjs import: not tfjs training code');
    assert.equal(findTrainingCalls(`const tf = require('@tensorflow/tfjs-node');\nmodel.fitDataset(ds);`, 'c.js')[0].method, 'fitDataset');
  });

  it('picks the first user frame of a stack (async frames, file URLs), skipping node internals, node_modules and the preload', () => {
    const stack = [
      'Error: boom',
      '    at Object.step (/x/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js:10:3)',
      '    at /tmp/layer-lens-preload-1/train-preload.js:100:5',
      '    at node:internal/process/task_queues:95:5',
      '    at async main (file:///home/u/proj/src/train.ts:12:9)',
    ].join('\n');
    assert.equal(parseStack(stack).length, 4);
    const onDisk = new Set(['/home/u/proj/src/train.ts']);
    assert.deepEqual(userLocation(stack, ['/tmp/layer-lens-preload-1/train-preload.js'], (f) => onDisk.has(f)), { file: '/home/u/proj/src/train.ts', line: 12, column: 9, function: 'main' });
    // A throw inside tfjs, source-mapped to tfjs's own sources (not on disk), is placed at the user's call.
    const mapped = ['Error: target expected a batch of elements', '    at new ValueError (/home/u/proj/tfjs-layers/src/errors.ts:48:5)', '    at LayersModel.standardizeUserData (/home/u/proj/tfjs-layers/src/engine/training.ts:1191:28)', '    at Object.<anonymous> (/home/u/proj/src/train.ts:7:7)'].join('\n');
    assert.deepEqual(userLocation(mapped, [], (f) => onDisk.has(f)), { file: '/home/u/proj/src/train.ts', line: 7, column: 7, function: 'Object.<anonymous>' });
    assert.equal(formatLocation({ file: '/home/u/proj/src/train.ts', line: 12, column: 9 }, '/home/u/proj'), 'src/train.ts:12:9');
  });
});

describe('the training panel on the user\'s code (what the extension sends and checks)', () => {
  const SAMPLE = path.join(ROOT, 'samples', 'train-circles.ts');

  it('the sample program is offered (its fit call found) and trains to the end under the preload', async () => {
    const code = trainingCodeOf(SAMPLE, analyzeFiles([SAMPLE])[0]);
    assert.ok(hasTrainingCode(code));
    assert.deepEqual(code.calls.map((c) => [c.method, c.line]), [['fit', 40]]);
    assert.ok(code.fitSites.some((s) => s.file === SAMPLE && s.line === 40), 'the analysis recorded the fit site too');
    const runDir = path.join(tmp, 'panel-sample');
    // As the panel starts it: every step reported (no stepEventMs), the program's folder as the working folder.
    const run = ScriptRun.start({ script: SAMPLE, file: SAMPLE, modelName: 'model', codeHash: 't', runDir, maxSteps: 40 }, { cwd: path.join(ROOT, 'samples') });
    const result = await run.result;
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal(result.done?.steps, 40);
    const series = RunSeries.fromMessages(result.messages);
    assert.deepEqual(Array.from(series.step.view()), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.deepEqual(of(result.messages, 'compile')[0].loss, ['binaryCrossentropy'], 'the program\'s own compile call');
    const snapshot = parseToPanel(JSON.parse(JSON.stringify({ type: 'snapshot', runId: '0/r', title: 't', live: true, series: series.snapshot() })));
    assert.equal(snapshot.ok, true, !snapshot.ok ? snapshot.message : '');
  });

  it('a program that throws: the page gets the error with its source line, the steps before it, and may reveal only that line', async () => {
    const { result } = await runProgram('throws.ts');
    assert.equal(result.status, 'failed');
    // As training-panel.ts builds the `ended` message from the run's result.
    const ended = { type: 'ended', runId: '0/r', status: result.status, error: { kind: result.error!.kind, message: result.error!.message, source: result.error!.source }, stderrTail: result.stderrTail.slice(-4000) };
    const parsed = parseToPanel(JSON.parse(JSON.stringify(ended)));
    assert.equal(parsed.ok, true, !parsed.ok ? parsed.message : '');
    assert.deepEqual([ended.error.source?.file, ended.error.source?.line], [path.join(PROGRAMS, 'throws.ts'), 13]);
    const events = parseToPanel(JSON.parse(JSON.stringify({ type: 'events', runId: '0/r', events: result.messages })));
    assert.equal(events.ok, true, !events.ok ? events.message : '');
    const series = RunSeries.fromMessages(result.messages);
    assert.equal(series.latest()?.step, 4, 'the history up to the throw');
    const reported = [...series.info.errors.map((e) => e.source), ended.error.source];
    assert.equal(isReportedSource(reported, { file: path.join(PROGRAMS, 'throws.ts'), line: 13 }), true);
    assert.equal(isReportedSource(reported, { file: path.join(PROGRAMS, 'fit.js'), line: 13 }), false);
    assert.match(result.stderrTail, /evaluation threshold missing/, 'the program\'s own stack, for the panel\'s "Program output"');
  });
});
