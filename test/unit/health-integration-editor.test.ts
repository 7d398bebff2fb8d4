/**
 * The editor surface of training health, its pure parts: where a finding is placed (each
 * layer's factory call, a model-wide line), the inline note (`∇ vanishing · 2e-6`), the
 * Problems entries and the gutter decorations per line, the Training Health view's state (in
 * English and Simplified Chinese) and the validation of the view's messages in both directions.
 * And `layer-lens check`, which reports the static architecture checks from a terminal.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { run as cli } from '../../src/cli/main';
import { healthDecorations, healthDiagnostics, healthViewState, evidenceName } from '../../src/client/training-health-model';
import { ModelContext } from '../../src/health/context';
import { findingPlaces, inlineNote, lineNote } from '../../src/health/editor';
import type { Finding } from '../../src/health/findings';
import { dropoutAfter, lowerLearningRate, reluActivation } from '../../src/health/fixes';
import { parseFromHealthView, parseToHealthView } from '../../src/protocol/pages/health';
import { SIGMOID_STACK } from './health-sources';
import { analyse } from './server-helpers';

const SOURCE = SIGMOID_STACK;

const src = analyse({ 'model.ts': SOURCE });
const graph = src.analysis.models[0];
const ctx = new ModelContext(graph);

const vanishing: Finding = {
  id: 'vanishing-gradient:model',
  code: 'vanishing-gradient',
  severity: 'error',
  title: 'Vanishing gradients',
  message: 'Gradients reaching dense_Dense1 are 2.4e-6× those of the layers after it.',
  layers: ['dense_Dense1', 'dense_Dense2'],
  line: 5,
  step: 20,
  lastStep: 60,
  evidence: { ratio: 2.414e-6, gradNorm: 9.6e-6, layersAffected: 2 },
  fixes: [reluActivation(['dense_Dense1', 'dense_Dense2'], 1), dropoutAfter('dense_Dense1', 2), { id: 'residual-connection', title: 'Add residual connections', rank: 3, explain: ['concept.residual'] }],
  explain: ['concept.vanishingGradient', 'activation.sigmoid'],
};
const dead: Finding = { ...vanishing, id: 'dead-relu:dense_Dense2', code: 'dead-relu', severity: 'warning', title: 'Dead ReLU units', layers: ['dense_Dense2'], evidence: { deadFraction: 0.59 }, fixes: [], explain: [] };
const divergence: Finding = { ...vanishing, id: 'divergence:model', code: 'divergence', severity: 'error', title: 'Loss diverging', layers: [], line: 8, evidence: { factor: 6.56, initialLoss: 2.3 }, fixes: [lowerLearningRate(ctx, 1)], explain: ['concept.learningRate'] };

describe('training health in the editor', () => {
  it('places a finding at its layers’ factory calls, or at its line when it is model-wide', () => {
    const places = findingPlaces(vanishing, graph);
    assert.deepEqual(places.map((p) => [p.layer, p.startLine]), [['dense_Dense1', 5], ['dense_Dense2', 6]]);
    assert.equal(SOURCE.slice(places[0].startOffset, places[0].endOffset), "tf.layers.dense({ inputShape: [8], units: 32, activation: 'sigmoid' })");
    assert.deepEqual(findingPlaces(divergence, graph).map((p) => [p.layer, p.startLine, p.startOffset]), [[undefined, 8, undefined]]);
    assert.deepEqual(findingPlaces({ ...divergence, line: undefined }, graph), []);
  });

  it('writes the inline note with the number that matters', () => {
    assert.equal(inlineNote(vanishing), '∇ vanishing · 2.4e-6');
    assert.equal(inlineNote(dead), 'dead ReLU · 59%');
    assert.equal(inlineNote(divergence), 'loss diverging · ×6.56');
    assert.equal(inlineNote({ ...vanishing, code: 'exploding-gradient', evidence: { step: 9, nanCount: 3, infCount: 0 } }), '∇ exploding · NaN at step 9');
    assert.equal(inlineNote({ ...vanishing, code: 'label-loss-mismatch', evidence: {} }), 'labels ≠ loss');
    assert.equal(lineNote([vanishing, dead]), '∇ vanishing · 2.4e-6  ·  dead ReLU · 59%');
  });

  it('makes one Problems entry per finding, with its other layers as related places', () => {
    const d = healthDiagnostics([vanishing, divergence], graph, (_f, line) => SOURCE.split('\n')[line].length);
    assert.equal(d.length, 2);
    assert.deepEqual(d[0].range, { file: graph.range.file, startLine: 4, startCharacter: 12, endLine: 4, endCharacter: 82 });
    assert.equal(d[0].severity, 'error');
    assert.equal(d[0].code, 'vanishing-gradient');
    assert.match(d[0].message, /^Vanishing gradients: Gradients reaching dense_Dense1 .* Fix: Use ReLU in hidden layers\.$/);
    assert.deepEqual(d[0].related.map((r) => [r.range.startLine, r.message]), [[5, 'dense_Dense2: ∇ vanishing · 2.4e-6']]);
    // Model-wide: the whole compile line.
    assert.deepEqual(d[1].range, { file: graph.range.file, startLine: 7, startCharacter: 0, endLine: 7, endCharacter: SOURCE.split('\n')[7].length });
  });

  it('decorates each line once: the most severe finding’s gutter mark, every note', () => {
    const decos = healthDecorations([dead, vanishing, divergence], graph);
    const byLine = new Map(decos.map((d) => [d.line, d]));
    assert.deepEqual([...byLine.keys()].sort(), [4, 5, 7]);
    assert.equal(byLine.get(5)!.severity, 'error');
    assert.equal(byLine.get(5)!.note, '∇ vanishing · 2.4e-6  ·  dead ReLU · 59%');
    assert.equal(byLine.get(4)!.note, '∇ vanishing · 2.4e-6');
    assert.equal(byLine.get(7)!.note, 'loss diverging · ×6.56');
    assert.equal(byLine.get(5)!.hover.length, 2);
  });

  it('builds the view state: ranked findings with layers and lines, evidence, why, ranked fixes, a sparkline', () => {
    const run = { file: '/w/model.ts', model: graph, status: 'running' as const, step: 60, totalSteps: 300, losses: [2.3, 2.5, 4, 9, 15, null, 15.1] };
    const state = healthViewState(run, [vanishing, divergence], 'en', (f) => path.basename(f));
    assert.ok(parseToHealthView(state).ok, 'the state validates');
    assert.deepEqual(state.run, { file: 'model.ts', model: 'model', status: 'running', step: 60, totalSteps: 300 });
    const [v, d] = state.findings;
    assert.deepEqual(v.layers, [{ name: 'dense_Dense1', line: 5 }, { name: 'dense_Dense2', line: 6 }]);
    assert.equal(v.note, '∇ vanishing · 2.4e-6');
    assert.deepEqual(v.evidence[0], { name: 'gradient ratio to later layers', value: '2.4e-6' });
    assert.equal(evidenceName('laterGradNorm'), "later layers' gradient norm");
    assert.equal(evidenceName('laterGradNorm', 'zh-cn'), '后面各层的梯度范数');
    assert.deepEqual(v.why.map((w) => w.id), ['concept.vanishingGradient', 'activation.sigmoid']);
    assert.ok(v.why[0].summary.length > 20);
    assert.deepEqual(v.fixes.map((f) => [f.rank, f.id, f.edit]), [[1, 'use-relu', true], [2, 'add-dropout', true], [3, 'residual-connection', false]]);
    assert.equal(v.spark, undefined, 'a gradient finding has no loss sparkline');
    assert.deepEqual(d.spark, run.losses);
    assert.equal(d.fixes[0].title, 'Lower the learning rate');
    // Simplified Chinese: titles, explanations and fix titles translated.
    const zh = healthViewState(run, [vanishing], 'zh-cn');
    assert.match(zh.findings[0].title, /[\u4e00-\u9fff]/);
    assert.match(zh.findings[0].why[0].title, /[\u4e00-\u9fff]/);
    assert.match(zh.findings[0].fixes[0].title, /[\u4e00-\u9fff]/);
    assert.deepEqual(healthViewState(undefined, [], 'en'), { type: 'state', run: null, findings: [], locale: 'en' });
  });

  it('validates the view’s messages: closed objects, bounded strings, known types only', () => {
    assert.ok(parseFromHealthView({ type: 'ready' }).ok);
    assert.ok(parseFromHealthView({ type: 'applyFix', findingId: 'vanishing-gradient:model', fixId: 'use-relu' }).ok);
    assert.ok(parseFromHealthView({ type: 'reveal', findingId: 'x', layer: 'dense_Dense1' }).ok);
    assert.ok(!parseFromHealthView({ type: 'applyFix', findingId: 'x' }).ok);
    assert.ok(!parseFromHealthView({ type: 'applyFix', findingId: 'x', fixId: 'y', edit: 'rm -rf /' }).ok, 'no extra keys');
    assert.ok(!parseFromHealthView({ type: 'openFile', path: '/etc/passwd' }).ok);
    assert.ok(!parseFromHealthView({ type: 'reveal', findingId: 'x'.repeat(600) }).ok);
    const state = healthViewState({ file: '/w/m.ts', model: graph, status: 'completed', step: 1 }, [vanishing], 'en');
    assert.ok(!parseToHealthView({ ...state, findings: [{ ...state.findings[0], severity: 'fatal' }] }).ok);
  });
});

describe('layer-lens check reports the static architecture checks', () => {
  it('prints the lint codes as file:line:col problems (exit 1 only for errors)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-check-'));
    fs.writeFileSync(
      path.join(dir, 'lint.ts'),
      `import * as tf from '@tensorflow/tfjs';

export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 64 }));
  model.add(tf.layers.dense({ units: 64 }));
  model.add(tf.layers.dense({ units: 10, activation: 'sigmoid' }));
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.compile({ optimizer: tf.train.adam(5), loss: 'categoricalCrossentropy' });
  return model;
}
`,
    );
    let out = '';
    const code = cli(['check', path.join(dir, 'lint.ts')], { out: (t) => (out += `${t}\n`), err: (t) => (out += `${t}\n`) });
    for (const c of ['dense-without-activation', 'dropout-last-layer', 'extreme-learning-rate']) assert.match(out, new RegExp(`lint\\.ts:\\d+:\\d+: (warning|error|info) ${c}: `), c);
    assert.match(out, /lint\.ts:5:\d+: warning dense-without-activation/);
    assert.equal(code, 0, 'lint findings are warnings: exit 0');
    fs.writeFileSync(path.join(dir, 'one.ts'), `import * as tf from '@tensorflow/tfjs';\nexport const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1, activation: 'softmax' })] });\n`);
    let out2 = '';
    assert.equal(cli(['check', path.join(dir, 'one.ts')], { out: (t) => (out2 += t), err: () => undefined }), 1);
    assert.match(out2, /error softmax-single-unit/);
    fs.writeFileSync(path.join(dir, 'loss.ts'), `import * as tf from '@tensorflow/tfjs';\nexport const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'sigmoid' })] });\nm.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });\n`);
    let out3 = '';
    cli(['check', path.join(dir, 'loss.ts')], { out: (t) => (out3 += t), err: () => undefined });
    assert.match(out3, /loss\.ts:2:\d+: warning output-activation-loss-mismatch: /);
  });
});
