/**
 * The incremental HealthMonitor and the stream it reads: parsing, compatibility with the
 * training protocol's messages, deduplication, updates, ranking, supersession, bounded
 * memory, the CLI's JSON shape, and the bilingual titles.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyzeStream,
  compareFindings,
  FINDING_CODES,
  FINDING_TITLES,
  findingsJson,
  findingTitle,
  fixTitle,
  HealthMonitor,
  parseStreamJsonl,
  SUPERSEDED_BY,
  type Finding,
  type HealthEvent,
} from '../../src/health';
import { DETECTORS } from '../../src/health/detectors';
import { EPOCH_WINDOW, LAYER_WINDOW, PROBE_WINDOW, STEP_WINDOW } from '../../src/health/state';
import { parseWorkerMessage, PROTOCOL_VERSION, type WorkerMessage, type WorkerMessageOf } from '../../src/protocol/worker';
import { decaying, healthyGrads, jitter, mlpLayers, MNIST_DATA, rising, synth, type SynthSpec } from '../fixtures/streams/synth';

// Compile-time: every protocol message the health layer reads is a HealthEvent as it is.
const fromProtocol = {
  step: (m: WorkerMessageOf<'step'>): HealthEvent => m,
  layerStats: (m: WorkerMessageOf<'layer-stats'>): HealthEvent => m,
  activations: (m: WorkerMessageOf<'activations'>): HealthEvent => m,
  epoch: (m: WorkerMessageOf<'epoch'>): HealthEvent => m,
  compile: (m: WorkerMessageOf<'compile'>): HealthEvent => m,
  dataset: (m: WorkerMessageOf<'dataset'>): HealthEvent => m,
  model: (m: WorkerMessageOf<'model'>): HealthEvent => m,
  run: (m: WorkerMessageOf<'run'>): HealthEvent => m,
  error: (m: WorkerMessageOf<'error'>): HealthEvent => m,
  done: (m: WorkerMessageOf<'done'>): HealthEvent => m,
};

function spec(over: Partial<SynthSpec> = {}): SynthSpec {
  return {
    seed: 3,
    steps: 200,
    layers: mlpLayers([64, 32], { input: 784, out: 10, activation: 'relu', outActivation: 'softmax' }),
    compile: { optimizer: 'adam', learningRate: 0.001, loss: ['categoricalCrossentropy'] },
    dataStats: MNIST_DATA,
    loss: decaying(2.3, 0.3, 50),
    acc: rising(0.1, 0.92, 50),
    gradNorm: healthyGrads(),
    ...over,
  };
}

describe('the stream', () => {
  it('parses JSONL, skipping comments, blank lines and message types it does not read', () => {
    const text = [
      '// recorded by hand',
      '{"v":1,"type":"hello","pid":1,"node":"v20"}',
      '',
      '{"v":1,"type":"step","step":1,"epoch":0,"loss":2.3,"metrics":{},"learningRate":0.001,"samplesPerSec":null,"elapsedMs":1}',
      '# another comment',
      '{"type":"log","level":"info","message":"hi"}',
      '{"type":"epoch","epoch":0,"step":1,"loss":2.3,"metrics":{}}',
    ].join('\n');
    assert.deepEqual(parseStreamJsonl(text).map((e) => e.type), ['step', 'epoch']);
    assert.throws(() => parseStreamJsonl('{"type":"step"}\n{oops'), /line 2: not JSON/);
  });

  it('takes the protocol’s validated worker messages as they are, `v` included', () => {
    const events = synth(spec({ steps: 150, loss: () => 0.69 }));
    const wire = events.map((e) => {
      const msg = { v: PROTOCOL_VERSION, ...e, ...(e.type === 'step' ? { samplesPerSec: null, elapsedMs: 0 } : {}) };
      const parsed = parseWorkerMessage(msg);
      // The protocol does not know data-stats yet (a proposed message): send it as it is.
      return parsed.ok ? parsed.value : (msg as unknown as WorkerMessage);
    });
    assert.ok(wire.filter((m) => m.type === 'layer-stats').length > 100, 'layer stats validate against the protocol');
    const viaProtocol = analyzeStream(wire);
    assert.deepEqual(viaProtocol, analyzeStream(events));
    assert.deepEqual(viaProtocol.map((f) => f.code), ['loss-not-decreasing']);
    void fromProtocol;
  });

  it('ignores messages of other types and does not count them', () => {
    const m = new HealthMonitor();
    assert.deepEqual(m.push({ type: 'hello' }), []);
    assert.deepEqual(m.push({ type: 'backend' }), []);
    assert.equal(m.eventCount, 0);
  });
});

describe('the monitor', () => {
  it('reports a finding once, then as updated only when it changes, keeping the step it first fired at', () => {
    const m = new HealthMonitor();
    const kinds: string[] = [];
    let firstStep = -1;
    for (const e of synth(spec({ steps: 300, dead: (l, s) => (l === 0 ? Math.min(0.95, 0.3 + s / 300) : 0.05) }))) {
      for (const c of m.push(e)) {
        if (c.finding.code !== 'dead-relu') continue;
        kinds.push(c.kind);
        if (c.kind === 'new') firstStep = c.finding.step;
        else assert.equal(c.finding.step, firstStep);
      }
    }
    assert.equal(kinds[0], 'new');
    assert.ok(kinds.length >= 2 && kinds.length < 15, `changes: ${kinds.join(' ')}`);
    const f = m.findings().find((x) => x.code === 'dead-relu')!;
    assert.equal(f.step, firstStep);
    assert.equal(f.severity, 'error', 'escalated once most of the layer died');
    assert.equal(f.lastStep, 300);
    assert.equal(m.allFindings().filter((x) => x.code === 'dead-relu').length, 1);
  });

  it('keeps the most severe level a finding reached', () => {
    const m = new HealthMonitor();
    m.pushAll(synth(spec({ steps: 300, dead: (l, s) => (l === 0 ? (s < 150 ? 0.95 : 0.6) : 0.05) })));
    assert.equal(m.findings().find((x) => x.code === 'dead-relu')!.severity, 'error');
  });

  it('ranks errors first, then root causes before symptoms, then the earliest', () => {
    const f = (code: Finding['code'], severity: Finding['severity'], step: number): Finding => ({
      id: `${code}:x`, code, severity, title: '', message: '', layers: [], step, lastStep: step, evidence: {}, fixes: [], explain: [],
    });
    const sorted = [f('loss-not-decreasing', 'warning', 5), f('dead-relu', 'warning', 9), f('exploding-gradient', 'error', 50), f('label-loss-mismatch', 'error', 0), f('dead-relu', 'info', 1)].sort(compareFindings);
    assert.deepEqual(sorted.map((x) => `${x.code}/${x.severity}`), ['label-loss-mismatch/error', 'exploding-gradient/error', 'dead-relu/warning', 'loss-not-decreasing/warning', 'dead-relu/info']);
  });

  it('leaves out symptoms while their cause is reported, and keeps them in allFindings', () => {
    const m = new HealthMonitor();
    m.pushAll(synth(spec({ compile: { optimizer: 'sgd', learningRate: 0, loss: ['categoricalCrossentropy'] }, updateRatio: () => 0, loss: (_s, n) => 2.3 * jitter(n, 0.05), acc: (_s, n) => 0.1 * jitter(n, 0.2) })));
    assert.deepEqual(m.findings().map((f) => f.id), ['unchanged-weights:all']);
    assert.deepEqual(new Set(m.allFindings().map((f) => f.code)), new Set(['unchanged-weights', 'loss-not-decreasing', 'underfitting']));
    for (const [code, by] of Object.entries(SUPERSEDED_BY)) {
      assert.ok(FINDING_CODES.includes(code as Finding['code']));
      for (const b of by!) assert.ok(FINDING_CODES.includes(b.split(':')[0] as Finding['code']), b);
    }
  });

  it('keeps bounded memory over a long run, and stays fast', () => {
    const m = new HealthMonitor();
    const steps = 20_000;
    const t = Date.now();
    m.pushAll(synth(spec({ steps, stepsPerEpoch: 100, probeEvery: 20, valLoss: (e) => 0.5 + 0.001 * Math.sin(e), valAcc: () => 0.9 })));
    const ms = Date.now() - t;
    assert.ok(m.state.steps.length <= STEP_WINDOW);
    assert.ok(m.state.epochs.length <= EPOCH_WINDOW);
    for (const name of m.state.layerOrder) {
      assert.ok(m.state.layerHistory(name).length <= LAYER_WINDOW);
      assert.ok(m.state.probeHistory(name).length <= PROBE_WINDOW);
    }
    assert.ok(m.state.firstSteps.length <= 20);
    assert.equal(m.state.step, steps);
    assert.ok(ms < 20_000, `${ms} ms for ${steps} steps`);
    assert.deepEqual(m.allFindings(), []);
  });

  it('gives every detector its own codes and triggers', () => {
    const codes = DETECTORS.flatMap((d) => d.codes);
    assert.deepEqual([...codes].sort(), [...FINDING_CODES].sort(), 'each code belongs to exactly one detector');
    for (const d of DETECTORS) assert.ok(d.triggers.length > 0, d.name);
  });
});

describe('findings as data', () => {
  const m = new HealthMonitor();
  m.pushAll(synth(spec({ compile: { optimizer: 'adam', learningRate: 0.001, loss: ['binaryCrossentropy'] }, dataStats: { inputs: MNIST_DATA.inputs, targets: [{ min: 0, max: 9, mean: 4.5, integer: true, lastDim: 1, oneHot: false }] } })));

  it('prints the CLI’s {"findings":[…]} shape as plain JSON', () => {
    const json = findingsJson(m.findings());
    const text = JSON.stringify(json);
    assert.deepEqual(JSON.parse(text), json);
    const [first] = json.findings;
    assert.equal(first.code, 'label-loss-mismatch');
    for (const k of ['code', 'severity', 'layers', 'step', 'evidence', 'fixes', 'message', 'explain']) assert.ok(k in first, k);
    assert.ok(!('id' in first) && !('lastStep' in first));
    assert.equal(typeof first.fixes[0].rank, 'number');
  });

  it('has titles for every code and every fix in English and Simplified Chinese', () => {
    for (const code of FINDING_CODES) {
      assert.equal(findingTitle(code), FINDING_TITLES[code]);
      assert.match(findingTitle(code, 'zh-cn'), /[\u4e00-\u9fff]/, code);
    }
    const f = m.findings()[0];
    for (const fix of f.fixes) assert.notEqual(fixTitle(fix, 'zh-cn'), fix.title, fix.id);
    assert.equal(fixTitle(f.fixes[0], 'zh-cn'), '整数标签改用 sparseCategoricalCrossentropy');
  });

  it('returns copies: changing a returned finding does not change the monitor’s', () => {
    const f = m.findings()[0];
    f.layers.push('x');
    f.evidence.min = 99;
    assert.ok(!m.findings()[0].layers.includes('x'));
    assert.notEqual(m.findings()[0].evidence.min, 99);
  });
});
