/**
 * Findings of code that has changed since the run (src/client/training-health-model.ts): where a
 * layer's line is after edits, when a run's findings count as "before your edit" (hashes of the
 * trained text, undo back to it, fixes applied), and what Problems, the inline notes and the
 * Training Health view show then.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appliedFixes,
  freshRun,
  healthDecorations,
  healthDiagnostics,
  healthViewState,
  isStale,
  mapLine,
  MAX_TRACKED_EDITS,
  noteEdit,
  noteFixApplied,
  shownFindings,
  type LineEdit,
} from '../../src/client/training-health-model';
import type { Finding } from '../../src/health/findings';
import { reluActivation } from '../../src/health/fixes';
import { msg } from '../../src/health/messages';
import { parseFromHealthView, parseToHealthView } from '../../src/protocol/pages/health';
import { SIGMOID_STACK } from './health-sources';
import { analyse } from './server-helpers';

const SOURCE = SIGMOID_STACK;
const graph = analyse({ 'model.ts': SOURCE }).analysis.models[0];
const FILE = graph.range.file;
const lineLength = (_f: string, line: number) => SOURCE.split('\n')[line]?.length;

const vanishing: Finding = {
  id: 'vanishing-gradient:model',
  code: 'vanishing-gradient',
  severity: 'error',
  title: 'Vanishing gradients',
  message: 'Gradients reaching dense_Dense1 are 2.4e-6× those of the layers after it (1 early layer below 0.001×): the first layers barely learn.',
  messageParts: [msg('vanishing.main', { layer: 'dense_Dense1', ratio: '2.4e-6', layers: msg('vanishing.earlyLayer', { count: 1 }), threshold: '0.001' })],
  layers: ['dense_Dense1', 'dense_Dense2'],
  line: 5,
  step: 20,
  lastStep: 60,
  evidence: { ratio: 2.414e-6 },
  fixes: [reluActivation(['dense_Dense1', 'dense_Dense2'], 1)],
  explain: ['concept.vanishingGradient'],
};
const divergence: Finding = { ...vanishing, id: 'divergence:model', code: 'divergence', severity: 'warning', title: 'Loss diverging', message: 'The loss climbed.', messageParts: undefined, layers: [], line: 8, evidence: { factor: 6.56 }, fixes: [], explain: [] };

/** Insert `n` lines before line `at` (0-based), as the editor reports it. */
const insertLines = (at: number, n: number): LineEdit => ({ startLine: at, startCharacter: 0, endLine: at, endCharacter: 0, newLines: n });
/** Delete lines [from, to) whole. */
const deleteLines = (from: number, to: number): LineEdit => ({ startLine: from, startCharacter: 0, endLine: to, endCharacter: 0, newLines: 0 });
/** Type on one line (no line breaks). */
const typeOn = (line: number): LineEdit => ({ startLine: line, startCharacter: 10, endLine: line, endCharacter: 12, newLines: 0 });

describe('where a line of the trained text is after edits', () => {
  it('follows insertions and deletions above it, and stays for edits on or below it', () => {
    assert.equal(mapLine(4, []), 4);
    assert.equal(mapLine(4, [insertLines(0, 2)]), 6);
    assert.equal(mapLine(4, [insertLines(4, 1)]), 5, 'a line inserted before the layer’s line pushes it down');
    assert.equal(mapLine(4, [typeOn(4)]), 4);
    assert.equal(mapLine(4, [insertLines(7, 3)]), 4);
    assert.equal(mapLine(4, [deleteLines(1, 3)]), 2);
    assert.equal(mapLine(4, [insertLines(0, 2), deleteLines(0, 1), typeOn(5)]), 5, 'changes apply one after the other');
    // An Enter in the middle of the line above: the layer's line moves down by one.
    assert.equal(mapLine(4, [{ startLine: 3, startCharacter: 5, endLine: 3, endCharacter: 5, newLines: 1 }]), 5);
    // Joining the layer's line onto the one above (Backspace at its start).
    assert.equal(mapLine(4, [{ startLine: 3, startCharacter: 30, endLine: 4, endCharacter: 0, newLines: 0 }]), 3);
  });

  it('drops a line that was removed, and any line when the edits are unknown', () => {
    assert.equal(mapLine(4, [deleteLines(4, 5)]), undefined);
    assert.equal(mapLine(4, [deleteLines(2, 6)]), undefined);
    assert.equal(mapLine(4, [{ startLine: 2, startCharacter: 3, endLine: 6, endCharacter: 1, newLines: 0 }]), undefined);
    assert.equal(mapLine(4, null), undefined);
  });
});

describe('when findings are from before an edit', () => {
  const start = freshRun({ [FILE]: 'trained', '/other/helpers.ts': 'h' });

  it('is fresh until a file of the model changes, stale after, fresh again when changed back', () => {
    assert.equal(isStale(start), false);
    assert.equal(noteEdit(start, '/unrelated.ts', [typeOn(1)], 'x'), start, 'files of other models do not count');
    const edited = noteEdit(start, FILE, [typeOn(4)], 'edited');
    assert.equal(isStale(edited), true);
    assert.equal(isStale(start), false, 'plain data: the old value is unchanged');
    const more = noteEdit(edited, FILE, [insertLines(0, 1)], 'edited-2');
    assert.deepEqual(more.edited[FILE], [typeOn(4), insertLines(0, 1)]);
    // Undo to the text the run trained (its codeHash): fresh, the places exact again.
    const undone = noteEdit(more, FILE, [deleteLines(0, 1)], 'trained');
    assert.equal(isStale(undone), false);
    assert.deepEqual(undone.edited, {});
    // A helper module of the model counts too.
    assert.equal(isStale(noteEdit(start, '/other/helpers.ts', [typeOn(0)], 'h2')), true);
    // Unknown hash (unreadable file): any change counts.
    assert.equal(isStale(noteEdit(start, FILE, [typeOn(0)])), true);
  });

  it('stops following edits past the limit, and after a change it cannot follow', () => {
    let fr = noteEdit(start, FILE, null, 'x');
    assert.equal(fr.edited[FILE], null);
    fr = noteEdit(fr, FILE, [typeOn(1)], 'y');
    assert.equal(fr.edited[FILE], null, 'once unknown, unknown until changed back');
    const many = noteEdit(start, FILE, Array.from({ length: MAX_TRACKED_EDITS + 1 }, () => typeOn(1)), 'z');
    assert.equal(many.edited[FILE], null);
  });

  it('remembers fixes applied while the code differs, and forgets them when it is changed back', () => {
    const edited = noteEdit(start, FILE, [typeOn(4)], 'fixed');
    const applied = noteFixApplied(edited, vanishing.id, 'use-relu');
    assert.deepEqual(appliedFixes(applied, vanishing.id), ['use-relu']);
    assert.equal(noteFixApplied(applied, vanishing.id, 'use-relu'), applied, 'once');
    assert.deepEqual(shownFindings([vanishing, divergence], applied).map((f) => f.id), [divergence.id]);
    // Recorded before the edit event arrived: counts once the text differs.
    const early = noteFixApplied(start, vanishing.id, 'use-relu');
    assert.deepEqual(appliedFixes(early, vanishing.id), [], 'the code is as trained: nothing applied yet');
    assert.deepEqual(appliedFixes(noteEdit(early, FILE, [typeOn(4)], 'fixed'), vanishing.id), ['use-relu']);
    // Undo: back to the trained code, the fix is no longer applied.
    const undone = noteEdit(applied, FILE, [typeOn(4)], 'trained');
    assert.deepEqual(undone.applied, {});
    assert.deepEqual(shownFindings([vanishing], undone).length, 1);
  });
});

describe('what the editor shows of findings from before an edit', () => {
  const start = freshRun({ [FILE]: 'trained' });
  const twoLinesAbove = noteEdit(start, FILE, [insertLines(0, 2)], 'edited');

  it('keeps Problems entries as they are while the code is as trained', () => {
    const d = healthDiagnostics([vanishing, divergence], graph, lineLength, 'en', start);
    assert.deepEqual(d.map((x) => [x.severity, x.range.startLine]), [['error', 4], ['warning', 7]]);
    assert.doesNotMatch(d[0].message, /Before your edit/);
  });

  it('downgrades Problems entries to information, says so, and moves them with the edits', () => {
    const d = healthDiagnostics([vanishing, divergence], graph, lineLength, 'en', twoLinesAbove);
    assert.deepEqual(d.map((x) => x.severity), ['info', 'info']);
    assert.match(d[0].message, /^Before your edit, retrain to confirm\. Vanishing gradients: Gradients reaching dense_Dense1 /);
    assert.deepEqual([d[0].range.startLine, d[0].range.startCharacter], [6, 0], 'the layer is two lines lower now; the whole line');
    assert.deepEqual(d[0].related.map((r) => r.range.startLine), [7]);
    assert.equal(d[1].range.startLine, 9);
    const zh = healthDiagnostics([vanishing], graph, lineLength, 'zh-cn', twoLinesAbove);
    assert.match(zh[0].message, /^（改动代码之前的结果，请重新训练确认）梯度消失：到达 dense_Dense1 的梯度/);
  });

  it('leaves out the places whose lines were removed, and the findings whose fix was applied', () => {
    const removed = noteEdit(start, FILE, [deleteLines(4, 5)], 'edited');
    const d = healthDiagnostics([vanishing], graph, lineLength, 'en', removed);
    assert.deepEqual(d.map((x) => [x.range.startLine, x.related.length]), [[4, 0]], 'dense_Dense2 (now line 5, 0-based 4) is where it is reported');
    const applied = noteFixApplied(twoLinesAbove, vanishing.id, 'use-relu');
    assert.deepEqual(healthDiagnostics([vanishing, divergence], graph, lineLength, 'en', applied).map((x) => x.findingId), [divergence.id]);
    assert.deepEqual(healthDecorations([vanishing, divergence], graph, 'en', applied).map((x) => x.line), [9]);
  });

  it('dims the inline notes: marked stale, prefixed, with a hover that says to retrain', () => {
    const fresh = healthDecorations([vanishing], graph, 'en', start);
    assert.deepEqual(fresh.map((x) => [x.line, x.stale, x.note]), [[4, false, '∇ vanishing · 2.4e-6'], [5, false, '∇ vanishing · 2.4e-6']]);
    const stale = healthDecorations([vanishing], graph, 'en', twoLinesAbove);
    assert.deepEqual(stale.map((x) => [x.line, x.stale, x.note]), [[6, true, 'before your edit · ∇ vanishing · 2.4e-6'], [7, true, 'before your edit · ∇ vanishing · 2.4e-6']]);
    assert.match(stale[0].hover.at(-1)!, /train again/);
    assert.match(healthDecorations([vanishing], graph, 'zh-cn', twoLinesAbove)[0].note, /^改动前 · ∇ 消失/);
  });

  it('tells the view: stale, with the fixes applied per finding; and the view may ask to retrain', () => {
    const run = { file: FILE, model: graph, status: 'completed' as const, step: 60 };
    const fresh = healthViewState(run, [vanishing, divergence], 'en', undefined, start);
    assert.equal(fresh.stale, undefined);
    const applied = noteFixApplied(twoLinesAbove, vanishing.id, 'use-relu');
    const state = healthViewState(run, [vanishing, divergence], 'en', undefined, applied);
    assert.ok(parseToHealthView(state).ok);
    assert.equal(state.stale, true);
    assert.deepEqual(state.findings.map((f) => f.applied), [['Use ReLU in hidden layers'], undefined]);
    assert.deepEqual(healthViewState(run, [vanishing], 'zh-cn', undefined, applied).findings[0].applied, ['隐藏层改用 ReLU']);
    assert.ok(parseFromHealthView({ type: 'retrain' }).ok);
    assert.ok(!parseFromHealthView({ type: 'retrain', file: '/etc/passwd' }).ok);
  });
});
