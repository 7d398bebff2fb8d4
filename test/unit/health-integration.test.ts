/**
 * The training engine wired to the training-health monitor (issue 5), end to end: real runs of
 * `layer-lens train` on the wasm backend whose worker emits what the detectors need (every
 * step early on, layer statistics with sizes and frozen weights, probes with dead-unit
 * counts, the data facts before step 1), the host's HealthTracker turning them into `health`
 * messages, the process-wide feed the editor listens to, and the final `--json` line that
 * starts with the findings. Plus the new protocol messages' validators and the data facts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/health/findings';
import { runTrain } from '../../src/training/cli-train';
import { dataStats, inputStats, targetStats } from '../../src/training/engine/data-stats';
import { HEALTH_UPDATE_EVERY_STEPS, HealthTracker, trainingHealth, type HealthRunInfo } from '../../src/training/health-host';
import { TrainingRun } from '../../src/training/host';
import { parseWorkerMessage, PROTOCOL_VERSION, type WorkerMessage } from '../../src/protocol/worker';
import { analyzeFiles } from '../../src/analysis/engine';
import type { HealthEvent } from '../../src/health/stream';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-health-int-'));

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

const SIGMOID_STACK = write(
  'sigmoid-stack.ts',
  `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 16, activation: 'sigmoid' }));
  for (let i = 0; i < 7; i++) model.add(tf.layers.dense({ units: 16, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
`,
);

const HEALTHY = write(
  'healthy.ts',
  `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
`,
);

const FROZEN_PRETRAINED = write(
  'frozen-pretrained.ts',
  `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu', trainable: false }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export async function withBaseWeights(model: tf.LayersModel) {
  const base = await tf.loadLayersModel('file://base/model.json');
  model.layers[0].setWeights(base.layers[0].getWeights());
}
`,
);
const FROZEN = write(
  'frozen.ts',
  `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu', trainable: false }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
`,
);

interface Cli {
  code: number;
  out: string;
  err: string;
  final: Record<string, unknown> & { findings: (Omit<Finding, 'id' | 'title' | 'lastStep' | 'line'> & { line: number | null })[] };
  keys: string[];
}

async function train(args: string[]): Promise<Cli> {
  let out = '';
  let err = '';
  const code = await runTrain([...args, '--backend', 'wasm', '--json', '--seed', '1'], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, { cwd: ROOT });
  const last = out.trim().split('\n').pop()!;
  const final = JSON.parse(last) as Cli['final'];
  return { code, out, err, final, keys: Object.keys(final) };
}

const actionable = (fs_: { severity: string }[]) => fs_.filter((f) => f.severity !== 'info');

describe('engine → health wiring (real training on wasm)', () => {
  it('an 8-layer sigmoid stack: vanishing-gradient in the --json findings, at the first layer’s line, within 200 steps', async () => {
    const out = path.join(tmp, 'run-sigmoid');
    const seen: string[] = [];
    const feed: { findings: Finding[]; step: number }[] = [];
    let started: HealthRunInfo | undefined;
    let ended: string | undefined;
    const unsubscribe = trainingHealth.subscribe({
      start: (run) => (started = run),
      findings: (_run, findings, step) => feed.push({ findings, step }),
      end: (_run, status) => (ended = status),
    });
    let r: Cli;
    try {
      r = await train([SIGMOID_STACK, '--dataset', 'spirals', '--steps', '60', '--out', out]);
    } finally {
      unsubscribe();
    }
    assert.equal(r.code, 0, r.err);
    // The final line: {"findings": […], "status", …final metrics}, findings first.
    assert.equal(r.keys[0], 'findings');
    assert.equal(r.final.status, 'completed');
    assert.equal(typeof r.final.loss, 'number');
    const v = r.final.findings.find((f) => f.code === 'vanishing-gradient');
    assert.ok(v, `no vanishing-gradient in ${JSON.stringify(r.final.findings.map((f) => f.code))}`);
    assert.deepEqual(Object.keys(v).slice(0, 7), ['code', 'severity', 'layers', 'line', 'step', 'evidence', 'fixes']);
    assert.ok(['warning', 'error'].includes(v.severity));
    assert.equal(v.layers[0], 'dense_Dense1');
    assert.equal(v.line, 5, 'the line of the first dense layer');
    assert.ok(v.step > 0 && v.step <= 200, `step ${v.step}`);
    assert.ok(v.evidence.ratio < 1e-3, `ratio ${v.evidence.ratio}`);
    assert.equal(v.fixes[0].id, 'use-relu');
    assert.ok(v.fixes[0].edits!.some((e) => e.kind === 'set-config' && e.key === 'activation' && e.value === 'relu'));
    assert.ok(v.fixes.every((f, i) => f.rank === i + 1));
    // Progress (stderr with --json) names the finding when it appears.
    assert.match(r.err, /health: (warning|error) vanishing-gradient at step \d+ \(dense_Dense1/);
    // The feed the editor listens to.
    assert.equal(started?.file, SIGMOID_STACK);
    assert.equal(started?.model.name, 'model');
    assert.ok(feed.some((u) => u.findings.some((f) => f.code === 'vanishing-gradient')));
    assert.equal(ended, 'completed');
    // run.json keeps the findings for runs reopened later.
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as { health?: { findings: Finding[] } };
    assert.ok(run.health?.findings.some((f) => f.code === 'vanishing-gradient'));
    seen.push(...r.final.findings.map((f) => f.code));
  });

  it('what the worker emits for the detectors: steps, early layer stats with sizes, probes with dead units, data facts before step 1', async () => {
    const out = path.join(tmp, 'run-events');
    const [analysis] = analyzeFiles([HEALTHY]);
    const messages: WorkerMessage[] = [];
    const run = TrainingRun.start(
      { model: analysis.models[0], otherModels: [], file: HEALTHY, codeHash: 'x', dataset: 'spirals', backend: 'wasm', runDir: out, steps: 40, seed: 1, stepEventMs: 1000 },
      { onMessage: (m) => messages.push(m) },
    );
    const result = await run.result;
    assert.equal(result.status, 'completed');
    for (const m of messages) assert.ok(parseWorkerMessage(m).ok, `${m.type} validates`);
    const types = messages.map((m) => m.type);
    // data-stats after the dataset event, before the first step.
    assert.ok(types.indexOf('data-stats') > types.indexOf('dataset'));
    assert.ok(types.indexOf('data-stats') < types.indexOf('step'));
    const facts = messages.find((m) => m.type === 'data-stats') as Extract<WorkerMessage, { type: 'data-stats' }>;
    assert.equal(facts.targets[0].oneHot, true);
    assert.equal(facts.targets[0].lastDim, 3);
    assert.equal(facts.targets[0].classFractions?.length, 3);
    assert.ok(facts.inputs[0].max! < 2 && facts.inputs[0].min! > -2);
    // A step event for every step early on, even with stepEventMs 1000.
    const steps = messages.filter((m): m is Extract<WorkerMessage, { type: 'step' }> => m.type === 'step').map((m) => m.step);
    assert.deepEqual(steps, Array.from({ length: 40 }, (_, i) => i + 1));
    // Layer statistics every step up to 10, then at least every 5 steps (stats-every defaults to 10).
    const stats = messages.filter((m): m is Extract<WorkerMessage, { type: 'layer-stats' }> => m.type === 'layer-stats');
    const statSteps = stats.map((m) => m.step);
    for (const s of [1, 2, 9, 10, 15, 20, 25, 30, 35, 40]) assert.ok(statSteps.includes(s), `stats at step ${s}: ${statSteps.join(',')}`);
    assert.ok(stats.every((m) => m.layers.every((l) => typeof l.size === 'number' && l.size > 0)));
    assert.equal(stats[0].layers.find((l) => l.weight.endsWith('dense_Dense1/kernel'))?.size, 64);
    // Probes at 0, 1 and every ≤ 50 steps, with dead-unit fractions and the activation.
    const probes = messages.filter((m): m is Extract<WorkerMessage, { type: 'activations' }> => m.type === 'activations');
    assert.deepEqual(probes.map((p) => p.step).slice(0, 2), [0, 1]);
    const dense1 = probes[1].layers.find((l) => l.layer === 'dense_Dense1')!;
    assert.equal(dense1.activation, 'relu');
    assert.equal(dense1.units, 32);
    assert.ok(typeof dense1.deadFraction === 'number' && dense1.deadFraction >= 0 && dense1.deadFraction <= 1);
    // A healthy run: nothing to act on.
    assert.deepEqual(actionable(result.findings ?? []), []);
  });

  it('a frozen layer is reported from weight snapshots (trainable: false, update 0): a warning when nothing loads its weights', async () => {
    const out = path.join(tmp, 'run-frozen');
    const r = await train([FROZEN, '--dataset', 'spirals', '--steps', '40', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const lines = fs.readFileSync(path.join(out, 'layers.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as WorkerMessage);
    const stat = lines.find((m): m is Extract<WorkerMessage, { type: 'layer-stats' }> => m.type === 'layer-stats' && m.step === 10)!;
    const kernel = stat.layers.find((l) => l.weight.endsWith('dense_Dense1/kernel'))!;
    assert.equal(kernel.trainable, false);
    assert.equal(kernel.gradNorm, null);
    assert.equal(kernel.updateRatio, 0);
    assert.ok(kernel.weightNorm! > 0);
    const frozen = r.final.findings.find((f) => f.code === 'unchanged-weights');
    assert.equal(frozen?.severity, 'warning');
    assert.deepEqual(frozen?.layers, ['dense_Dense1']);
    // The parameter count tfjs itself reported for the layer (the run's model event).
    const model = fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as WorkerMessage).find((m): m is Extract<WorkerMessage, { type: 'model' }> => m.type === 'model')!;
    assert.equal(frozen?.evidence.frozenParams, model.layers.find((l) => l.name === 'dense_Dense1')!.params);
    assert.match(frozen?.message ?? '', /random initial values/);
    assert.equal(frozen?.fixes[0].id, 'unfreeze');
  });

  it('a frozen layer of a program that loads trained weights stays an info', async () => {
    const r = await train([FROZEN_PRETRAINED, '--dataset', 'spirals', '--steps', '40', '--out', path.join(tmp, 'run-frozen-pretrained')]);
    assert.equal(r.code, 0, r.err);
    const frozen = r.final.findings.find((f) => f.code === 'unchanged-weights');
    assert.equal(frozen?.severity, 'info');
    assert.deepEqual(frozen?.layers, ['dense_Dense1']);
    assert.deepEqual(actionable(r.final.findings), []);
  });

  it('a healthy MLP: no finding at all in the --json line', async () => {
    const r = await train([HEALTHY, '--dataset', 'spirals', '--steps', '150', '--out', path.join(tmp, 'run-healthy')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.keys[0], 'findings');
    assert.deepEqual(r.final.findings, []);
  });
});

describe('health protocol messages', () => {
  const finding: Finding = {
    id: 'dead-relu:dense_Dense1',
    code: 'dead-relu',
    severity: 'warning',
    title: 'Dead ReLU units',
    message: '59% of the units…',
    layers: ['dense_Dense1'],
    line: 5,
    step: 30,
    lastStep: 40,
    evidence: { deadFraction: 0.59 },
    fixes: [{ id: 'use-leaky-relu', title: 'Switch to LeakyReLU', rank: 1, edits: [{ kind: 'insert-layer-after', layer: 'dense_Dense1', factory: 'leakyReLU', config: { alpha: 0.1 } }], explain: ['layer.LeakyReLU'] }],
    explain: ['concept.deadRelu'],
  };

  it('validates health, data-stats and the new optional fields', () => {
    assert.ok(parseWorkerMessage({ v: PROTOCOL_VERSION, type: 'health', step: 40, findings: [finding], changed: [finding.id] }).ok);
    const bad = parseWorkerMessage({ v: PROTOCOL_VERSION, type: 'health', step: 40, findings: [{ ...finding, severity: 'fatal' }], changed: [] });
    assert.ok(!bad.ok && /findings\[0\]\.severity/.test(bad.message));
    const badEdit = parseWorkerMessage({ v: PROTOCOL_VERSION, type: 'health', step: 1, findings: [{ ...finding, fixes: [{ ...finding.fixes[0], edits: [{ kind: 'rm -rf' }] }] }], changed: [] });
    assert.ok(!badEdit.ok);
    const facts = dataStats([{ data: Float32Array.from([0, 255, 128, 3]), shape: [2, 2] }], [{ data: Float32Array.from([0, 3]), shape: [2, 1] }], 2);
    assert.ok(parseWorkerMessage({ v: PROTOCOL_VERSION, ...facts }).ok);
    assert.ok(!parseWorkerMessage({ v: PROTOCOL_VERSION, type: 'data-stats', samples: 2, inputs: [{ min: 'x' }], targets: [] }).ok);
    const stat = { layer: 'd', weight: 'd/kernel', gradNorm: null, gradMaxAbs: null, weightNorm: 1, updateRatio: 0, nanCount: 0, infCount: 0, trainable: false, size: 12 };
    assert.ok(parseWorkerMessage({ v: PROTOCOL_VERSION, type: 'layer-stats', step: 1, layers: [stat] }).ok);
    assert.ok(!parseWorkerMessage({ v: PROTOCOL_VERSION, type: 'layer-stats', step: 1, layers: [{ ...stat, size: -1 }] }).ok);
    const act = { layer: 'd', className: 'Dense', mean: 0, std: 1, fracZero: 0.5, fracSaturated: 0, histogram: { min: 0, max: 1, counts: [1] }, activation: 'relu', deadFraction: 0.25, units: 4 };
    assert.ok(parseWorkerMessage({ v: PROTOCOL_VERSION, type: 'activations', step: 1, layers: [act] }).ok);
    // The health stream reads the validated messages as they are (a compile-time check).
    const asEvent: HealthEvent = { ...(facts as Omit<typeof facts, 'samples'>) };
    void asEvent;
  });

  it('data facts: input range and integers, one-hot rows, class indices and their shares', () => {
    const pixels = inputStats({ data: Float32Array.from([0, 255, 128, 64, 12, 0]), shape: [3, 2] }, 3);
    assert.deepEqual([pixels.min, pixels.max, pixels.integer, pixels.nonFinite], [0, 255, true, 0]);
    assert.ok(Math.abs(pixels.mean! - 76.5) < 1e-9);
    assert.equal(inputStats({ data: Float32Array.from([0.5, NaN]), shape: [2, 1] }, 2).nonFinite, 1);
    const onehot = targetStats({ data: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 1, 0]), shape: [3, 3] }, 3);
    assert.equal(onehot.oneHot, true);
    assert.equal(onehot.rowSumOne, true);
    assert.deepEqual(onehot.classFractions, [0.3333, 0.6667, 0]);
    const ids = targetStats({ data: Float32Array.from([0, 3, 3, 1]), shape: [4, 1] }, 4);
    assert.equal(ids.oneHot, false);
    assert.equal(ids.integer, true);
    assert.equal(ids.lastDim, 1);
    assert.deepEqual(ids.classFractions, [0.25, 0.25, 0, 0.5]);
    const reg = targetStats({ data: Float32Array.from([0.5, -1.25]), shape: [2, 1] }, 2);
    assert.equal(reg.classFractions, undefined);
    // Only the training part: the first n samples.
    assert.equal(inputStats({ data: Float32Array.from([1, 2, 1000]), shape: [3, 1] }, 2).max, 2);
  });
});

describe('HealthTracker', () => {
  const base: { type: string; [k: string]: unknown }[] = [
    { type: 'model', name: 'm', layers: [{ name: 'dense_Dense1', className: 'Dense', params: 10 }], totalParams: 10, trainableParams: 10 },
    { type: 'compile', optimizer: 'adam', learningRate: 0.001, loss: ['categoricalCrossentropy'], metrics: [], batchSize: 32 },
  ];

  it('sends a health message when a finding appears, and the whole ranked list each time', () => {
    const t = new HealthTracker();
    for (const e of base) assert.equal(t.push(e), undefined);
    const h = t.push({ type: 'data-stats', samples: 10, inputs: [{ min: 0, max: 255, mean: 100, std: 80, integer: true }], targets: [] });
    assert.ok(h);
    assert.equal(h.type, 'health');
    assert.deepEqual(h.findings.map((f) => f.code), ['inputs-not-normalized']);
    assert.deepEqual(h.changed, ['inputs-not-normalized:input-0']);
    assert.ok(parseWorkerMessage(h).ok);
    // Nothing new: nothing sent; a health message is never fed back in.
    assert.equal(t.push({ type: 'step', step: 1, epoch: 1, loss: 1, metrics: {} }), undefined);
    assert.equal(t.push(h), undefined);
  });

  it('re-sends findings whose numbers only moved at most every HEALTH_UPDATE_EVERY_STEPS steps', () => {
    const t = new HealthTracker();
    const sent: number[] = [];
    // A loss that does not change at all: loss-not-decreasing, then only its step count moves.
    for (let s = 1; s <= 200; s++) {
      const h = t.push({ type: 'step', step: s, epoch: 1, loss: 2.3, metrics: {} });
      if (h) sent.push(h.step);
    }
    assert.ok(sent.length >= 1 && sent.length <= Math.ceil(200 / HEALTH_UPDATE_EVERY_STEPS) + 1, `sent at ${sent.join(',')}`);
    assert.equal(t.findings()[0].code, 'loss-not-decreasing');
    assert.ok(t.series().losses.length > 0);
  });
});
