/**
 * Memory the language server keeps alive between edits and documents. A per-edit leak: the same
 * Analyzer re-analyses edited versions of samples/lenet.ts; heap-used after a full GC must not
 * grow by more than a set number of bytes per edit once warm. Not timed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver/node';
import { MAX_PARSED_FILES } from '../../src/analysis/engine';
import { TrackingAnalyzer } from '../../src/server/tracking-analyzer';
import { HEADER, ROOT, serverInMemory } from './server-helpers';

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

test('parsed files beyond the bound are evicted from the project, the open files kept', () => {
  const analyzer = new TrackingAnalyzer();
  const dir = path.resolve('/virtual/layer-lens-parsed-bound');
  const open = path.join(dir, 'open.ts');
  const openText = `import * as tf from '@tensorflow/tfjs';\nexport const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });\n`;
  const openTree = analyzer.sourceFile(open, new Map([[open, openText]]));
  for (let i = 0; i < MAX_PARSED_FILES * 2; i++) {
    const file = path.join(dir, `m${i}.ts`);
    const contents = new Map([
      [open, openText],
      [file, `import * as tf from '@tensorflow/tfjs';\nexport const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [${i + 1}], units: 3 })] });\n`],
    ]);
    const r = analyzer.analyzeTracked(file, { contents });
    assert.equal(r.analysis.models[0]?.totals.total, (i + 1) * 3 + 3);
    assert.ok(analyzer.parsedFileCount() <= MAX_PARSED_FILES, `${analyzer.parsedFileCount()} parsed files kept after ${i + 1}`);
  }
  // The open editor's file was never evicted: the same tree comes back, not a re-parse.
  assert.equal(analyzer.sourceFile(open, new Map([[open, openText]])), openTree);
  analyzer.forget(open);
  assert.notEqual(analyzer.sourceFile(open, new Map([[open, openText]])), openTree);
});

const ROUNDS = 5;
const FILES = 200;
/** Bytes per open/close: a closed document's kept tree, text or result is kilobytes, far above this. */
const MAX_BYTES_PER_OPEN_CLOSE = 4_096;

test('opening and closing 200 model files, round after round, returns heap-used to its level', async () => {
  const client = serverInMemory();
  client.onNotification('textDocument/publishDiagnostics', () => {});
  client.onNotification('window/logMessage', () => {});
  for (const m of ['workspace/inlayHint/refresh', 'workspace/codeLens/refresh', 'client/registerCapability']) client.onRequest(m, () => null);
  client.onRequest('workspace/configuration', () => []);
  client.listen();
  const dir = path.join(ROOT, 'open-close');
  await client.sendRequest('initialize', { processId: null, rootUri: pathToFileURL(dir).toString(), capabilities: {}, initializationOptions: { locale: 'en' } });
  await client.sendNotification('initialized', {});
  const levels: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const uris: string[] = [];
    for (let i = 0; i < FILES; i++) {
      // Distinct paths every round, so a cache keyed by file grows visibly when nothing drops it.
      const uri = pathToFileURL(path.join(dir, `r${round}`, `model${i}.ts`)).toString();
      const units = round * FILES + i + 1;
      const text = `${HEADER}export const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [8], units: ${units} }));\nmodel.add(tf.layers.dense({ units: 2 }));\n`;
      await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
      uris.push(uri);
    }
    for (const uri of uris) {
      const hover = await client.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 30 } });
      assert.ok(hover, `hover on ${uri}`);
    }
    for (const uri of uris) await client.sendNotification('textDocument/didClose', { textDocument: { uri } });
    // Let the server handle the closes before measuring.
    await client.sendRequest('textDocument/hover', { textDocument: { uri: uris[0] }, position: { line: 0, character: 0 } });
    levels.push(heapAfterGc());
  }
  await client.sendRequest('shutdown');
  client.dispose();
  const grown = levels[ROUNDS - 1] - levels[1];
  const perOpenClose = grown / ((ROUNDS - 2) * FILES);
  console.log(`heap-used after GC per round: ${levels.map((b) => `${(b / 1048576).toFixed(1)} MiB`).join(', ')} (${perOpenClose.toFixed(0)} B per open/close after round 2)`);
  assert.ok(perOpenClose <= MAX_BYTES_PER_OPEN_CLOSE, `heap-used grew ${(grown / 1048576).toFixed(1)} MiB over ${(ROUNDS - 2) * FILES} opens and closes (${perOpenClose.toFixed(0)} B each)`);
});
