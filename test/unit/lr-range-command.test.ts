/**
 * "Find Learning Rate (Range Test)": the config the command runs (the panel's default dataset
 * and backend, nothing from the workspace in Restricted Mode), the chart page, and the server's
 * `layerLens/lrEdit` handler producing the compile-call edit for a sample document.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeFiles } from '../../src/analysis/engine';
import { compileOffsetOf, defaultBackend, lrChartSvg, lrRangeCommandConfig, lrRangeHtml, lrRangeSettingsFrom, suggestionMessage, type LrRangeCurve } from '../../src/client/lr-range-config';
import { lrEditFor } from '../../src/server/train-handlers';
import { applyEdits } from '../../src/training/lr-edit';
import { startLrRange } from '../../src/training/lr-range-host';
import * as os from 'node:os';

const ROOT = path.resolve(__dirname, '..', '..');
const LENET = path.join(ROOT, 'samples', 'lenet.ts');

function target() {
  const [analysis] = analyzeFiles([LENET]);
  const model = analysis.models.find((m) => m.range.file === LENET) ?? analysis.models[0];
  return { ok: true as const, file: LENET, codeHash: 'h', model, otherModels: analysis.models.filter((m) => m !== model), atCursor: true, candidates: [] };
}

/** Applies LSP-style edits (0-based line/character) to a text. */
function applyLsp(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lines = text.split('\n');
  const off = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return applyEdits(text, edits.map((e) => ({ start: off(e.range.start), end: off(e.range.end), newText: e.newText })));
}

describe('lr range command: config', () => {
  it('uses the panel defaults and the analysed model', () => {
    const t = target();
    const c = lrRangeCommandConfig(t, { trusted: true, backendSetting: 'cpu', root: ROOT, runDir: '/tmp/run' });
    assert.equal(c.dataset, 'auto');
    assert.equal(c.batchSize, 32);
    assert.equal(c.backend, 'cpu');
    assert.equal(c.model, t.model);
    assert.equal(c.runDir, '/tmp/run');
    assert.deepEqual(c.lrRange, { minLr: 1e-7, maxLr: 10, steps: 100 });
    assert.equal(c.epochs, undefined);
    assert.equal(c.learningRate, undefined);
    assert.deepEqual(c.resolveFrom, [path.dirname(LENET), ROOT]);
  });
  it('runs no workspace code in Restricted Mode', () => {
    const c = lrRangeCommandConfig(target(), { trusted: false, backendSetting: 'gpu', gpuPackagePath: '/x/tfjs-node-gpu', root: ROOT, runDir: '/tmp/run', settings: { steps: 10 } });
    assert.equal(c.backend, 'wasm');
    assert.deepEqual(c.resolveFrom, []);
    assert.equal(c.gpuPackagePath, undefined);
    assert.equal(c.lrRange?.steps, 10);
  });
  it('picks the backend as the panel does', () => {
    assert.equal(defaultBackend(undefined, true), 'auto');
    assert.equal(defaultBackend('bogus', true), 'auto');
    assert.equal(defaultBackend('node', true), 'node');
    assert.equal(defaultBackend('auto', false), 'wasm');
    assert.equal(defaultBackend('cpu', false), 'cpu');
  });
  it('rejects bad settings', () => {
    assert.throws(() => lrRangeCommandConfig(target(), { trusted: true, root: ROOT, runDir: '/tmp/run', settings: { steps: 2 } }), /at least 5 steps/);
  });
  it('reads the sweep from the layerLens.lrRangeTest settings', () => {
    const from = (values: Record<string, unknown>) => lrRangeSettingsFrom((key) => values[key]);
    assert.deepEqual(from({}), { settings: { steps: 100, minLr: 1e-7, maxLr: 10 } });
    assert.deepEqual(from({ steps: 60, minLr: 1e-5, maxLr: 1 }), { settings: { steps: 60, minLr: 1e-5, maxLr: 1 } });
    const config = lrRangeCommandConfig(target(), { trusted: true, root: ROOT, runDir: '/tmp/run', settings: (from({ steps: 60 }) as { settings: { steps: number } }).settings });
    assert.equal(config.lrRange?.steps, 60);
    // VS Code hands over values outside the schema with only a warning: each one is named.
    assert.match(JSON.stringify(from({ steps: 2 })), /layerLens\.lrRangeTest: the sweep needs at least 5 steps/);
    assert.match(JSON.stringify(from({ minLr: 1, maxLr: 0.1 })), /largest learning rate must be above the smallest/);
    assert.match(JSON.stringify(from({ minLr: -1 })), /positive number/);
    assert.match(JSON.stringify(from({ steps: '50' })), /at least 5 steps \(got NaN\)/);
  });
  it('finds the compile call offset in the model file', () => {
    const t = target();
    const off = compileOffsetOf(t);
    assert.equal(typeof off, 'number');
    assert.match(fs.readFileSync(LENET, 'utf8').slice(off!, off! + 200), /compile/);
  });
});

describe('lr range command: chart and message', () => {
  const curve: LrRangeCurve = {
    v: 1,
    type: 'lr-range',
    optimizer: 'adam',
    minLr: 1e-6,
    maxLr: 1,
    points: Array.from({ length: 20 }, (_, i) => ({ step: i + 1, lr: 1e-6 * 10 ** (i * 6 / 19), loss: 2 - i * 0.05, smoothed: 2 - i * 0.05 })),
    suggestion: { lr: 3e-4, method: 'steepest', reason: 'r' },
  } as LrRangeCurve;
  it('draws a log-x chart with the suggestion marked', () => {
    const svg = lrChartSvg(curve);
    assert.match(svg, /class="suggestion" data-lr="0.0003"/);
    assert.match(svg, />1e-6</);
    assert.match(svg, />1e0</);
    assert.equal((svg.match(/<circle/g) ?? []).length, 20);
  });
  it('makes a page with a strict CSP and no script', () => {
    const html = lrRangeHtml('Learning rate: <m>', curve, 'NONCE');
    assert.match(html, /default-src 'none'; style-src 'nonce-NONCE'/);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /Learning rate: &lt;m&gt;/);
  });
  it('words the suggestion', () => {
    assert.equal(suggestionMessage(curve), 'Suggested learning rate 3e-4 (steepest descent of the smoothed loss). Write it into compile?');
    assert.equal(suggestionMessage({ ...curve, suggestion: null }), undefined);
  });
});

describe('layerLens/lrEdit handler', () => {
  const text = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [4], units: 1 }));
model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
`;
  it('returns LSP edits that write the rate into compile', () => {
    const r = lrEditFor(text, { lr: 3e-4 });
    assert.ok(r.ok);
    assert.equal(r.edits[0].range.start.line, 3);
    assert.match(applyLsp(text, r.edits), /optimizer: tf\.train\.adam\(3e-4\)/);
  });
  it('targets the compile call at an offset, on a real sample', () => {
    const t = target();
    const src = fs.readFileSync(LENET, 'utf8');
    const r = lrEditFor(src, { lr: 0.002, compileOffset: compileOffsetOf(t) }, LENET);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    const out = applyLsp(src, r.edits);
    assert.notEqual(out, src);
    assert.match(out, /2e-3|0\.002/);
  });
  it('refuses what it cannot edit', () => {
    assert.equal(lrEditFor(text, { lr: -1 }).ok, false);
    const r = lrEditFor('const x = 1;\n', { lr: 1e-3 });
    assert.equal(r.ok, false);
  });
});

describe('lr range command: a real sweep with the command\'s config', () => {
  it('sweeps LeNet on the default dataset, draws the curve and edits the compile call', { timeout: 120_000 }, async () => {
    const t = target();
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-lr-cmd-'));
    try {
      const config = lrRangeCommandConfig(t, { trusted: false, backendSetting: 'cpu', root: ROOT, runDir, settings: { steps: 6 } });
      const steps: number[] = [];
      const o = await startLrRange(config, { onMessage: (m) => m.type === 'step' && steps.push(m.step) }).result;
      assert.equal(o.status, 'completed', JSON.stringify(o.error));
      assert.ok(o.curve && o.curve.points.length > 0);
      assert.deepEqual(steps, steps.map((_, i) => i + 1));
      assert.match(lrChartSvg(o.curve), /<path d="M/);
      if (o.suggestion) {
        const src = fs.readFileSync(LENET, 'utf8');
        const r = lrEditFor(src, { lr: o.suggestion.lr, compileOffset: compileOffsetOf(t) }, LENET);
        assert.ok(r.ok, r.ok ? '' : r.reason);
      }
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });
});
