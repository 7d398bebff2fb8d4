import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { listRuns, loadRunSeries, lossCurves, runDirOf, RUNS_DIR, summarizeRun } from '../../src/training/runs';
import { etaSeconds, MAX_STAT_COLUMNS, RunSeries } from '../../src/training/series';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'll-runs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeRun(root: string, name: string, run: Record<string, unknown>, metrics: unknown[] = [], extra: Record<string, string> = {}) {
  const dir = path.join(root, RUNS_DIR, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), metrics.map((m) => JSON.stringify(m)).join('\n') + '\n');
  for (const [f, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}
const step = (s: number, loss: number | null) => ({ v: 1, type: 'step', step: s, epoch: 1, loss, metrics: {}, learningRate: 0.01, samplesPerSec: 10, elapsedMs: s * 100 });

describe('training panel: reading the runs of a workspace', () => {
  const ws = path.join(tmp, 'ws');
  const done = writeRun(
    ws,
    '2025-01-02T10-00-00-000Z',
    { status: 'completed', startedAt: '2025-01-02T10:00:00.000Z', file: path.join(ws, 'src', 'model.ts'), model: 'mlp', dataset: { name: 'spirals' }, backend: { kind: 'wasm' }, final: { steps: 20, loss: 0.1, valLoss: 0.2, durationMs: 1500 } },
    [step(1, 1), step(2, 0.5), { v: 1, type: 'epoch', epoch: 1, step: 2, loss: 0.7, metrics: {}, valLoss: 0.8, valMetrics: {} }],
    { 'events.jsonl': `${JSON.stringify({ v: 1, type: 'backend', requested: 'auto', kind: 'wasm', tfBackend: 'wasm', detail: 'SIMD', skipped: [] })}\nnot json\n{"v":1,"type":"nope"}\n` },
  );
  writeRun(ws, '2025-01-03T09-00-00-000Z', { status: 'running', startedAt: '2025-01-03T09:00:00.000Z', pid: 999_999_999, file: '/elsewhere/x.ts', model: 'cnn', settings: { dataset: 'mnist', backend: 'cpu' } }, [step(1, 2), step(7, 1.5)]);
  writeRun(ws, '2025-01-01T08-00-00-000Z', { status: 'failed', startedAt: '2025-01-01T08:00:00.000Z', model: 'm', error: 'out of memory: the JavaScript heap' });
  fs.mkdirSync(path.join(ws, RUNS_DIR, 'not-a-run'), { recursive: true });
  fs.mkdirSync(path.join(ws, RUNS_DIR, '2025-01-04T00-00-00-000Z'), { recursive: true }); // no run.json

  it('lists runs newest first with their summary; a dead "running" run is interrupted', () => {
    const runs = listRuns([{ folder: ws, index: 0 }, { folder: path.join(tmp, 'missing'), index: 1 }]);
    assert.deepEqual(runs.map((r) => r.id), ['0/2025-01-03T09-00-00-000Z', '0/2025-01-02T10-00-00-000Z', '0/2025-01-01T08-00-00-000Z']);
    const [interrupted, completed, failed] = runs;
    assert.equal(interrupted.status, 'interrupted');
    assert.equal(interrupted.steps, 7, 'steps and loss of a cut run from the last metrics line');
    assert.equal(interrupted.loss, 1.5);
    assert.equal(interrupted.dataset, 'mnist');
    assert.equal(interrupted.backend, 'cpu');
    assert.equal(interrupted.file, '/elsewhere/x.ts');
    assert.deepEqual({ ...completed, id: undefined }, { id: undefined, startedAt: '2025-01-02T10:00:00.000Z', file: 'src/model.ts', model: 'mlp', dataset: 'spirals', backend: 'wasm', status: 'completed', steps: 20, loss: 0.1, valLoss: 0.2, durationMs: 1500, hasModel: false });
    assert.equal(failed.error, 'out of memory: the JavaScript heap');
    assert.equal(summarizeRun({ folder: ws, index: 0 }, '2025-01-03T09-00-00-000Z', { isAlive: () => true })?.status, 'running');
  });

  it('resolves run ids only to run folders of the given roots (no path from the page is trusted)', () => {
    const roots = [{ folder: ws, index: 0 }];
    assert.equal(runDirOf(roots, '0/2025-01-02T10-00-00-000Z'), done);
    assert.equal(runDirOf(roots, '0/../../etc'), undefined);
    assert.equal(runDirOf(roots, '0/2025-01-02T10-00-00-000Z/../../x'), undefined);
    assert.equal(runDirOf(roots, '1/2025-01-02T10-00-00-000Z'), undefined);
    assert.equal(runDirOf(roots, '0/2025-01-04T00-00-00-000Z'), undefined, 'no run.json');
  });

  it('reopens a run from its JSONL files, skipping and counting bad lines', () => {
    const { series, skipped } = loadRunSeries(done);
    assert.equal(skipped, 2);
    assert.equal(series.info.backend?.kind, 'wasm');
    assert.deepEqual([...series.step.view()], [1, 2]);
    assert.deepEqual([...series.loss.view()], [1, 0.5]);
    assert.deepEqual(lossCurves(series), { step: [1, 2], loss: [1, 0.5], valStep: [2], valLoss: [0.8] });
    const failed = loadRunSeries(path.join(ws, RUNS_DIR, '2025-01-01T08-00-00-000Z'));
    assert.equal(failed.series.info.errors[0]?.message, 'out of memory: the JavaScript heap', 'a run killed before its done line says how it ended');
  });
});

describe('training panel: the run series', () => {
  it('combines a layer\'s variables: ‖g‖ = √Σ‖g_i‖², ‖Δw‖/‖w‖ from the parts', () => {
    const s = RunSeries.fromMessages([
      { v: 1, type: 'layer-stats', step: 10, layers: [
        { layer: 'd', weight: 'd/kernel', gradNorm: 3, gradMaxAbs: 1, weightNorm: 3, updateRatio: 0.1, nanCount: 0, infCount: 0 },
        { layer: 'd', weight: 'd/bias', gradNorm: 4, gradMaxAbs: 1, weightNorm: 4, updateRatio: 0.1, nanCount: 1, infCount: 1 },
        { layer: 'e', weight: 'e/kernel', gradNorm: null, gradMaxAbs: null, weightNorm: 2, updateRatio: null, nanCount: 0, infCount: 0 },
      ] },
    ]);
    const [d, e] = s.layers;
    assert.equal(d.gradNorm.get(0), 5);
    assert.equal(d.weightNorm.get(0), 5);
    assert.ok(Math.abs(d.updateRatio.get(0) - 0.1) < 1e-12);
    assert.equal(d.nonFinite.get(0), 2);
    assert.equal(e.gradNorm.get(0), Infinity);
    assert.ok(Number.isNaN(e.updateRatio.get(0)));
  });

  it('aligns metrics that appear late, and layers that report late', () => {
    const s = new RunSeries();
    s.add(step(1, 1) as never);
    s.add({ ...step(2, 0.5), metrics: { acc: 0.5 } } as never);
    assert.deepEqual(s.snapshot().steps.metrics.acc, [null, 0.5]);
    s.add({ v: 1, type: 'layer-stats', step: 1, layers: [{ layer: 'a', weight: 'a/k', gradNorm: 1, gradMaxAbs: 1, weightNorm: 1, updateRatio: 0.01, nanCount: 0, infCount: 0 }] });
    s.add({ v: 1, type: 'layer-stats', step: 2, layers: [{ layer: 'b', weight: 'b/k', gradNorm: 2, gradMaxAbs: 1, weightNorm: 1, updateRatio: 0.01, nanCount: 0, infCount: 0 }] });
    assert.deepEqual(s.snapshot().layers.map((l) => l.gradNorm), [[1, null], [null, 2]]);
  });

  it('stays bounded on long runs: statistics columns merged pairwise keeping spikes', () => {
    const s = new RunSeries();
    for (let i = 1; i <= MAX_STAT_COLUMNS + 1; i++) {
      s.add({ v: 1, type: 'layer-stats', step: i * 10, layers: [{ layer: 'a', weight: 'a/k', gradNorm: i === 7 ? 1000 : 1, gradMaxAbs: 1, weightNorm: 1, updateRatio: 0.01, nanCount: 0, infCount: 0 }] });
    }
    assert.ok(s.statSteps.length <= MAX_STAT_COLUMNS / 2 + 1);
    assert.equal(s.statStride, 2);
    assert.equal(Math.max(...s.layers[0].gradNorm.view()), 1000, 'the spike survived');
  });

  it('estimates steps/s and the time left', () => {
    const s = new RunSeries();
    s.add({ v: 1, type: 'run', runDir: '/r', totalSteps: 100, epochs: 1, stepsPerEpoch: 100 });
    for (let i = 1; i <= 10; i++) s.add(step(i, 1) as never);
    assert.equal(s.stepsPerSecond(), 10);
    assert.equal(etaSeconds(s), 9);
  });
});
