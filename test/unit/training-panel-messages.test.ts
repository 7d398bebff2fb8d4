import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkForm, checkScriptForm, isReportedSource, parseFromPanel, parseToPanel, splitArgs, trainingCallsText, type ScriptForm, type TrainForm } from '../../src/protocol/pages/training';
import { RunSeries } from '../../src/training/series';

const form: TrainForm = { dataset: 'spirals', optimizer: 'adam', learningRate: 0.01, loss: '', batchSize: 32, epochs: 2, validationSplit: 0.1, backend: 'wasm' };
const step = (s: number, loss: number | null = 1 / s) => ({ v: 1, type: 'step', step: s, epoch: 1, loss, metrics: { acc: 0.5 }, learningRate: 0.01, samplesPerSec: 100, elapsedMs: s * 10 });

describe('training panel: messages from the page (validated by the extension)', () => {
  it('accepts every kind of message the page sends', () => {
    const ok = [
      { type: 'ready' },
      { type: 'start', form },
      { type: 'start', form: { ...form, dataset: 'file', dataFile: 0, columns: { inputs: ['a', 'b'], targets: ['y'] }, steps: 5, saveModel: true } },
      { type: 'pause' },
      { type: 'resume' },
      { type: 'stop' },
      { type: 'save-model' },
      { type: 'open-run', runId: '0/2025-01-31T10-11-12-345Z' },
      { type: 'compare-runs', a: '0/a', b: '0/b' },
      { type: 'refresh-runs' },
      { type: 'reveal-layer', layer: 'conv2d_Conv2D1' },
      { type: 'reveal-model' },
      { type: 'data-columns', dataFile: 2 },
      { type: 'browse-data-file' },
      { type: 'reveal-run', runId: '0/x' },
      { type: 'start-script', form: {} },
      { type: 'start-script', form: { steps: 50, args: ['--epochs', '3'], saveModel: true } },
      { type: 'choose-script' },
      { type: 'forget-script' },
      { type: 'reveal-source', runId: '0/r', file: '/w/src/train.ts', line: 13 },
      { type: 'reveal-source', runId: '0/r', file: '/w/src/train.ts', line: 13, column: 11 },
    ];
    for (const m of ok) {
      const r = parseFromPanel(m);
      assert.equal(r.ok, true, `${m.type}: ${!r.ok ? r.message : ''}`);
    }
  });

  it('rejects unknown messages and bad fields, naming the path', () => {
    const unknown = parseFromPanel({ type: 'rm-rf' });
    assert.equal(unknown.ok, false);
    assert.match(!unknown.ok ? unknown.message : '', /type: expected one of "ready", "start"/);
    const bad = parseFromPanel({ type: 'start', form: { ...form, backend: 'tpu', batchSize: 0 } });
    assert.match(!bad.ok ? bad.message : '', /form\.batchSize: expected an integer ≥ 1, got 0/);
    assert.match(!bad.ok ? bad.message : '', /form\.backend: expected "auto" \| "gpu" \| "node" \| "wasm" \| "cpu", got "tpu"/);
    assert.equal(parseFromPanel({ type: 'data-columns', dataFile: -1 }).ok, false, 'a data file is an index the extension gave, never a path');
    assert.equal(parseFromPanel({ type: 'reveal-layer' }).ok, false);
    assert.equal(parseFromPanel(null).ok, false);
    assert.equal(parseFromPanel('ready').ok, false);
  });

  it('the user\'s program: the page sets steps, arguments and saving, never the program or the Node to run', () => {
    // The form has no field for a program or a Node executable (the extension runs the program it offered).
    // @ts-expect-error — no `script` field
    const withScript: ScriptForm = { script: '/tmp/evil.js' };
    // @ts-expect-error — no `node` field
    const withNode: ScriptForm = { node: '/bin/sh' };
    assert.ok(withScript && withNode);
    const steps = parseFromPanel({ type: 'start-script', form: { steps: 0 } });
    assert.match(!steps.ok ? steps.message : '', /form\.steps: expected an integer ≥ 1, got 0/);
    assert.equal(parseFromPanel({ type: 'start-script', form: { args: [1, 2] } }).ok, false);
    assert.equal(parseFromPanel({ type: 'start-script' }).ok, false);
    assert.equal(parseFromPanel({ type: 'reveal-source', runId: '0/r', file: 'a.ts', line: 0 }).ok, false, 'lines are 1-based');
    assert.equal(parseFromPanel({ type: 'reveal-source', runId: '0/r', line: 3 }).ok, false);
  });

  it('checks a script run\'s settings and splits the arguments line as a shell would', () => {
    assert.equal(checkScriptForm({}), undefined);
    assert.equal(checkScriptForm({ steps: 100, args: ['--epochs', '3'] }), undefined);
    assert.match(checkScriptForm({ steps: 2e9 }) ?? '', /too many/);
    assert.match(checkScriptForm({ args: ['x'.repeat(5000)] }) ?? '', /longer than 4,096/);
    assert.match(checkScriptForm({ args: ['a\0b'] }) ?? '', /NUL/);
    assert.deepEqual(splitArgs(''), []);
    assert.deepEqual(splitArgs('  --epochs 3   --lr=0.1 '), ['--epochs', '3', '--lr=0.1']);
    assert.deepEqual(splitArgs(`--name "my model" --tag 'a b' x\\ y ""`), ['--name', 'my model', '--tag', 'a b', 'x y', '']);
    assert.deepEqual(splitArgs(`'it\\s'`), ['it\\s'], 'no escapes inside single quotes');
  });

  it('describes the training calls found, and reveals only locations a run reported', () => {
    assert.equal(trainingCallsText([]), '');
    assert.equal(trainingCallsText([{ method: 'fit', line: 42 }]), 'fit() at line 42');
    assert.equal(trainingCallsText([{ method: 'minimize', line: 7 }, { method: 'fit', line: 9 }]), 'minimize() at line 7 and 1 more call');
    assert.equal(trainingCallsText([{ method: 'fit', line: 1 }, { method: 'fit', line: 2 }, { method: 'fit', line: 3 }]), 'fit() at line 1 and 2 more calls');
    const reported = [undefined, { file: '/w/train.ts', line: 13, column: 11, text: 'throw new Error()' }];
    assert.equal(isReportedSource(reported, { file: '/w/train.ts', line: 13 }), true);
    assert.equal(isReportedSource(reported, { file: '/w/train.ts', line: 14 }), false);
    assert.equal(isReportedSource(reported, { file: '/etc/passwd', line: 13 }), false);
    assert.equal(isReportedSource([], { file: '/w/train.ts', line: 13 }), false);
  });

  it('checks what the schema cannot: ranges, the dataset, the loss', () => {
    assert.equal(checkForm(form), undefined);
    assert.match(checkForm({ ...form, learningRate: 0 }) ?? '', /learning rate 0 is not in/);
    assert.match(checkForm({ ...form, validationSplit: 0.95 }) ?? '', /validation split/);
    assert.match(checkForm({ ...form, dataset: 'imagenet' }) ?? '', /unknown dataset 'imagenet'/);
    assert.match(checkForm({ ...form, dataset: 'file' }) ?? '', /choose a data file/);
    assert.match(checkForm({ ...form, loss: 'myLoss' }) ?? '', /unknown loss 'myLoss'/);
    assert.equal(checkForm({ ...form, loss: 'categoricalCrossentropy' }), undefined);
  });
});

describe('training panel: messages to the page (validated by the page)', () => {
  it('accepts init, started, events, ended, columns, notice and compare', () => {
    const target = { file: 'lenet.ts', model: 'model', line: 8, kind: 'sequential', layers: [{ name: 'conv', className: 'Conv2D', line: 9, params: 156 }], inputShapes: ['[null,32,32,1]'], outputShapes: ['[null,10]'], compile: { optimizer: 'sgd', loss: 'categoricalCrossentropy' }, errors: [] };
    const ok = [
      { type: 'init', target, dataFiles: ['data/iris.csv'], runs: [], trusted: true, defaults: { backend: 'auto', epochs: 5, batchSize: 32, validationSplit: 0.1 } },
      { type: 'init', target: null, dataFiles: [], runs: [{ id: '0/r', startedAt: 't', file: 'a.ts', model: 'm', dataset: 'xor', backend: 'wasm', status: 'interrupted', steps: null, loss: null, valLoss: null, durationMs: null, hasModel: false }], trusted: false, restriction: 'wasm only', defaults: { backend: 'wasm', epochs: 1, batchSize: 8, validationSplit: 0 } },
      { type: 'init', target, dataFiles: [], runs: [], trusted: true, defaults: { backend: 'auto', epochs: 5, batchSize: 32, validationSplit: 0.1 }, userCode: { program: { file: 'src/train.ts', chosen: true, calls: [{ method: 'fit', line: 42 }] }, node: 'node' } },
      { type: 'init', target, dataFiles: [], runs: [], trusted: false, defaults: { backend: 'wasm', epochs: 5, batchSize: 32, validationSplit: 0.1 }, userCode: { program: { file: 'lenet.ts', chosen: false, calls: [] }, disabled: 'Restricted Mode: running your training code needs a trusted workspace.', node: 'node' } },
      { type: 'init', target, dataFiles: [], runs: [], trusted: true, defaults: { backend: 'auto', epochs: 5, batchSize: 32, validationSplit: 0.1 }, userCode: { program: null, node: 'node' } },
      { type: 'started', runId: '0/r', title: 'm · train.ts', program: 'src/train.ts' },
      { type: 'ended', runId: '0/r', status: 'failed', error: { kind: 'crash', message: 'the program threw', source: { file: '/w/src/train.ts', line: 13, column: 11, function: 'evaluate', text: 'throw new Error()' } }, stderrTail: 'Error: …' },
      { type: 'events', runId: '0/r', events: [{ v: 1, type: 'error', kind: 'crash', message: 'the program threw', step: 4, source: { file: '/w/src/train.ts', line: 13 }, fatal: true }] },
      { type: 'started', runId: '0/r', title: 'm' },
      { type: 'events', runId: '0/r', events: [step(1), { v: 1, type: 'state', state: 'running' }, { v: 1, type: 'error', kind: 'nan', message: 'NaN', step: 3, layer: 'conv', fatal: true }] },
      { type: 'ended', runId: '0/r', status: 'crashed', error: { kind: 'oom', message: 'out of memory' }, stderrTail: '…' },
      { type: 'columns', dataFile: 0, columns: ['a', 'b', 'y'], rows: 150 },
      { type: 'notice', level: 'warning', message: 'x' },
      { type: 'compare', a: { label: 'a', step: [1, 2], loss: [1, null], valStep: [2], valLoss: [0.9] }, b: { label: 'b', step: [1], loss: [2], valStep: [], valLoss: [] } },
    ];
    for (const m of ok) {
      const r = parseToPanel(m);
      assert.equal(r.ok, true, `${m.type}: ${!r.ok ? r.message : ''}`);
    }
  });

  it('validates each worker event inside an events batch against the training protocol', () => {
    const bad = parseToPanel({ type: 'events', runId: '0/r', events: [step(1), { v: 1, type: 'step', step: -1 }] });
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : '', /events\[1\]/);
    const version = parseToPanel({ type: 'events', runId: '0/r', events: [{ ...step(1), v: 2 }] });
    assert.equal(version.ok, false);
    const unknownEvent = parseToPanel({ type: 'events', runId: '0/r', events: [{ v: 1, type: 'format-disk' }] });
    assert.equal(unknownEvent.ok, false);
  });

  it('a run snapshot survives the round trip and is validated', () => {
    const s = RunSeries.fromMessages([
      { v: 1, type: 'backend', requested: 'auto', kind: 'wasm', tfBackend: 'wasm', detail: 'SIMD', skipped: [{ backend: 'gpu', code: 'package-absent', reason: 'no tfjs-node-gpu', fix: 'npm i' }] },
      { v: 1, type: 'run', runDir: '/r', totalSteps: 4, epochs: 1, stepsPerEpoch: 4 },
      step(1) as never,
      step(2, null) as never,
      { v: 1, type: 'layer-stats', step: 2, layers: [{ layer: 'd', weight: 'd/kernel', gradNorm: null, gradMaxAbs: null, weightNorm: 1, updateRatio: 0.001, nanCount: 3, infCount: 0 }] },
    ]);
    const msg = JSON.parse(JSON.stringify({ type: 'snapshot', runId: '0/r', title: 't', live: true, series: s.snapshot() }));
    const r = parseToPanel(msg);
    assert.equal(r.ok, true, !r.ok ? r.message : '');
    const back = RunSeries.from(msg.series);
    assert.equal(back.step.length, 2);
    assert.ok(Number.isNaN(back.loss.get(1)));
    assert.equal(back.layers[0].gradNorm.get(0), Infinity, 'an overflowed gradient stays non-finite');
    assert.equal(back.info.backend?.skipped[0].reason, 'no tfjs-node-gpu');
    const broken = parseToPanel({ ...msg, series: { ...msg.series, statSteps: 'x' } });
    assert.equal(broken.ok, false);
  });

  it('says where the activation statistics came from: the probe batch, or the training batch', () => {
    const acts = (step: number, source?: 'batch') => ({ v: 1, type: 'activations', step, layers: [{ layer: 'd', className: 'Dense', mean: 0.1, std: 1, fracZero: 0.5, fracSaturated: 0, histogram: { min: 0, max: 1, counts: [1, 2] } }], ...(source ? { source } : {}) }) as never;
    const probe = RunSeries.fromMessages([acts(0), acts(10)]);
    assert.equal(probe.info.activationsFrom, 'probe');
    const batch = RunSeries.fromMessages([acts(1, 'batch'), acts(2, 'batch')]);
    assert.equal(batch.info.activationsFrom, 'batch');
    const msg = JSON.parse(JSON.stringify({ type: 'snapshot', runId: '0/r', title: 't', live: false, series: batch.snapshot() }));
    assert.equal(parseToPanel(msg).ok, true);
    assert.equal(RunSeries.from(msg.series).info.activationsFrom, 'batch');
    assert.equal(parseToPanel({ ...msg, series: { ...msg.series, info: { ...msg.series.info, activationsFrom: 'guess' } } }).ok, false);
    assert.equal(parseToPanel({ type: 'events', runId: '0/r', events: [{ ...(acts(3) as object), source: 'guess' }] }).ok, false);
  });

  it('rejects anything else', () => {
    assert.equal(parseToPanel({ type: 'eval', code: 'alert(1)' }).ok, false);
    assert.equal(parseToPanel({ type: 'init' }).ok, false);
  });

  it('checks the user-code offer and the located errors it carries', () => {
    const init = { type: 'init', target: null, dataFiles: [], runs: [], trusted: true, defaults: { backend: 'auto', epochs: 5, batchSize: 32, validationSplit: 0.1 } };
    assert.equal(parseToPanel({ ...init, userCode: { program: { file: 'a.ts', chosen: 'yes', calls: [] }, node: 'node' } }).ok, false);
    assert.equal(parseToPanel({ ...init, userCode: { program: { file: 'a.ts', chosen: false, calls: [{ method: 'fit', line: 0 }] }, node: 'node' } }).ok, false);
    assert.equal(parseToPanel({ ...init, userCode: { program: null } }).ok, false, 'the Node is always named');
    const ended = { type: 'ended', runId: '0/r', status: 'failed', error: { kind: 'crash', message: 'x', source: { file: '/a.ts', line: 0 } } };
    assert.equal(parseToPanel(ended).ok, false);
    assert.equal(parseToPanel({ ...ended, error: { ...ended.error, source: { file: '/a.ts', line: 2 } } }).ok, true);
  });
});
