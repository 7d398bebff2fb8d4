/**
 * A per-edit leak in the analysis the language server keeps alive between edits: the same
 * Analyzer re-analyses edited versions of samples/lenet.ts; heap-used after a full GC must not
 * grow by more than a set number of bytes per edit once warm. Not timed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { TrackingAnalyzer } from '../../src/server/tracking-analyzer';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const LENET = path.resolve(__dirname, '../../samples/lenet.ts');
const EDITS = 2_000;
const WARM = 400;
/** Bytes per edit: a retained old tree of lenet is tens of kilobytes, far above this. */
const MAX_BYTES_PER_EDIT = 2_048;

let seed = 15;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
const HOSTILE = ['(', ')', '{', '}', '[', ']', 'while(true){}', '\u0000', 'tf.layers.', ';', '=>', '"', '`', 'new ', '...'];
/** A hostile edit: a token inserted or up to 8 characters deleted at a random place. */
function mutate(text: string): string {
  const at = rand(text.length + 1);
  return rand(2) === 0 ? text.slice(0, at) + HOSTILE[rand(HOSTILE.length)] + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + rand(8));
}

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

test('re-analysing hostile edited versions of one document does not retain memory per edit', () => {
  const base = fs.readFileSync(LENET, 'utf8');
  const analyzer = new TrackingAnalyzer();
  let warm = 0;
  let text = base;
  for (let i = 1; i <= EDITS; i++) {
    // A distinct version each time (a comment with the edit number, a filter count changed now and then).
    text = i % 97 === 0 ? base : mutate(text);
    analyzer.analyzeTracked(LENET, { contents: new Map([[LENET, text]]) });
    if (i === WARM) warm = heapAfterGc();
  }
  const grown = heapAfterGc() - warm;
  const perEdit = grown / (EDITS - WARM);
  console.log(`heap-used after GC: ${(grown / 1024).toFixed(0)} KiB over ${EDITS - WARM} edits (${perEdit.toFixed(0)} B/edit)`);
  assert.ok(perEdit <= MAX_BYTES_PER_EDIT, `heap-used grew ${(grown / 1048576).toFixed(1)} MiB over ${EDITS - WARM} edits (${perEdit.toFixed(0)} B/edit)`);
});
