import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finite, parseHostMessage, parseLine, parseWorkerMessage, PROTOCOL_VERSION } from '../../src/protocol/worker';

const graph = {
  id: 'm1',
  name: 'model',
  kind: 'sequential',
  layers: [{ id: 'l1', name: 'dense_Dense1', className: 'Dense', config: { units: 2 }, inbound: [], inputShapes: [[null, 3]], outputShape: [null, 2], trainable: true }],
  inputShapes: [[null, 3]],
  outputShapes: [[null, 2]],
};

describe('training protocol', () => {
  it('accepts every host message and rejects unknown types with the list of known ones', () => {
    const start = { v: 1, type: 'start', config: { model: graph, file: '/a.ts', codeHash: 'abc', dataset: 'auto', backend: 'wasm', runDir: '/tmp/r', steps: 3 } };
    assert.equal(parseHostMessage(start).ok, true);
    for (const type of ['stop', 'pause', 'resume', 'save-model']) assert.equal(parseHostMessage({ v: 1, type }).ok, true, type);
    const bad = parseHostMessage({ v: 1, type: 'explode' });
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : '', /type: expected one of "start", "stop", "pause", "resume", "save-model", got "explode"/);
  });

  it('names the path of a bad field', () => {
    const r = parseHostMessage({ v: 1, type: 'start', config: { model: graph, file: '/a.ts', codeHash: 'abc', dataset: 'auto', backend: 'tpu', runDir: '/r', steps: 0 } });
    assert.equal(r.ok, false);
    const msg = !r.ok ? r.message : '';
    assert.match(msg, /config\.backend: expected "auto" \| "gpu" \| "node" \| "wasm" \| "cpu", got "tpu"/);
    assert.match(msg, /config\.steps: expected an integer ≥ 1, got 0/);
    const missing = parseHostMessage({ v: 1, type: 'start', config: { ...graph } });
    assert.match(!missing.ok ? missing.message : '', /config\.model: missing/);
  });

  it('rejects another protocol version before anything else', () => {
    const r = parseWorkerMessage({ v: 2, type: 'hello', pid: 1, node: 'v20' });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.message : '', /protocol version mismatch: message has v=2, this side speaks v=1/);
    assert.equal(parseWorkerMessage({ type: 'hello', pid: 1, node: 'v20' }).ok, false);
  });

  it('validates worker messages, nulls standing for non-finite numbers', () => {
    const ok = [
      { v: 1, type: 'hello', pid: 12, node: 'v20.1.0' },
      { v: 1, type: 'backend', requested: 'auto', kind: 'wasm', tfBackend: 'wasm', detail: 'x', simd: true, threads: 1, skipped: [{ backend: 'gpu', code: 'package-absent', reason: 'r', fix: 'f' }] },
      { v: 1, type: 'step', step: 3, epoch: 1, loss: null, metrics: { acc: 0.5 }, learningRate: 0.01, samplesPerSec: null, elapsedMs: 10 },
      { v: 1, type: 'layer-stats', step: 3, layers: [{ layer: 'd', weight: 'd/kernel', gradNorm: 1, gradMaxAbs: 0.5, weightNorm: 2, updateRatio: null, nanCount: 0, infCount: 1, gradHistogram: { min: -1, max: 1, counts: [1, 2] } }] },
      { v: 1, type: 'activations', step: 0, layers: [{ layer: 'd', className: 'Dense', mean: 0, std: 1, fracZero: 0.5, fracSaturated: 0, histogram: { min: 0, max: 1, counts: [3] } }] },
      { v: 1, type: 'error', kind: 'nan', message: 'loss NaN', step: 4, fatal: true },
      { v: 1, type: 'done', status: 'completed', steps: 4, epochs: 1, loss: 0.1, metrics: {}, firstLoss: 1, samplesPerSec: 100, durationMs: 5, backend: 'cpu', runDir: '/r' },
    ];
    for (const m of ok) {
      const r = parseWorkerMessage(m);
      assert.equal(r.ok, true, `${m.type}: ${!r.ok ? r.message : ''}`);
    }
    const bad = parseWorkerMessage({ v: 1, type: 'layer-stats', step: 1, layers: [{ layer: 'd', weight: 'w', gradNorm: 'big', gradMaxAbs: 0, weightNorm: 0, updateRatio: 0, nanCount: -1, infCount: 0 }] });
    assert.match(!bad.ok ? bad.message : '', /layers\[0\]\.gradNorm: expected a number or null, got "big"; layers\[0\]\.nanCount: expected an integer ≥ 0, got -1/);
  });

  it('parses JSONL lines and says when a line is not JSON', () => {
    assert.equal(parseLine(JSON.stringify({ v: PROTOCOL_VERSION, type: 'stop' }), parseHostMessage).ok, true);
    const r = parseLine('{nope', parseHostMessage);
    assert.match(!r.ok ? r.message : '', /not a JSON line/);
  });

  it('finite() turns NaN and infinities into null', () => {
    assert.deepEqual([finite(1), finite(NaN), finite(Infinity), finite(-Infinity), finite(undefined)], [1, null, null, null, null]);
  });
});
