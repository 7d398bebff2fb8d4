/**
 * The Models view's server side over a real LSP connection (in-process) and a real
 * multi-root workspace on disk: `layerLens/models` (which files, node_modules and dot-folders
 * skipped, editor text over disk, re-analysis when a file it imports changes on disk, new files),
 * `layerLens/fileModels`, `layerLens/modelAt`, and the `layerLens/modelsChanged` notification.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type ProtocolConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, createConnection, createProtocolConnection } from 'vscode-languageserver/node';
import {
  FILE_MODELS_REQUEST,
  type FileModelsResult,
  MODEL_AT_REQUEST,
  MODELS_CHANGED_NOTIFICATION,
  MODELS_REQUEST,
  type ModelAtResult,
  type ModelsChangedParams,
  type ModelsResult,
} from '../../src/protocol/lsp/models';
import { startServer } from '../../src/server/server';

const HEADER = "import * as tf from '@tensorflow/tfjs';\n";
const seq = (units: string) => `${HEADER}import { UNITS } from './config';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: ${units} }));
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}
`;

describe('Models view requests over LSP', () => {
  let root: string;
  let a: string;
  let b: string;
  let client: ProtocolConnection;
  const changes: ModelsChangedParams[] = [];
  const file = (folder: string, rel: string, text: string): string => {
    const f = path.join(folder, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, text);
    return f;
  };
  const uri = (f: string): string => pathToFileURL(f).href;
  const list = async (): Promise<ModelsResult> => client.sendRequest<ModelsResult>(MODELS_REQUEST, { folders: [uri(a), uri(b)] });
  const until = async <T>(fn: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  };

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'layer-lens-models-'));
    a = path.join(root, 'alpha');
    b = path.join(root, 'beta');
    file(a, 'config.ts', 'export const UNITS = 8;\n');
    file(a, 'dense.ts', seq('UNITS'));
    file(a, 'util.ts', 'export const notAModel = 1;\n');
    file(a, 'node_modules/pkg/model.js', `${HEADER}export const hidden = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });\n`);
    file(a, '.cache/model.ts', `${HEADER}export const hidden = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });\n`);
    file(
      a,
      'nets/functional.mjs',
      `${HEADER}const x = tf.input({ shape: [3] });\nconst y = tf.layers.dense({ units: 2, name: 'head' }).apply(x);\nexport const fn = tf.model({ inputs: x, outputs: y });\n`,
    );
    file(b, 'legacy.cjs', "const tf = require('@tensorflow/tfjs');\nconst net = tf.sequential();\nnet.add(tf.layers.dense({ inputShape: [2], units: 3 }));\nmodule.exports = net;\n");

    const toServer = new PassThrough();
    const toClient = new PassThrough();
    startServer(createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
    client = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    client.onNotification(MODELS_CHANGED_NOTIFICATION, (p: ModelsChangedParams) => {
      changes.push(p);
    });
    client.onNotification('textDocument/publishDiagnostics', () => {});
    client.onRequest('workspace/configuration', () => []);
    client.listen();
    await client.sendRequest('initialize', {
      processId: null,
      rootUri: uri(a),
      workspaceFolders: [
        { uri: uri(a), name: 'alpha' },
        { uri: uri(b), name: 'beta' },
      ],
      capabilities: {},
      initializationOptions: { locale: 'en' },
    });
    await client.sendNotification('initialized', {});
  });

  after(async () => {
    await client.sendRequest('shutdown');
    client.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists the models of every TensorFlow.js file of every folder; skips node_modules and dot-folders', async () => {
    const r = await list();
    assert.deepEqual(
      r.files.map((f) => [f.folder, f.path, f.models.map((m) => `${m.name}:${m.totals.params}`)]),
      [
        ['alpha', 'dense.ts', ['model:49']],
        ['alpha', 'nets/functional.mjs', ['fn:8']],
        ['beta', 'legacy.cjs', ['net:9']],
      ],
    );
    assert.equal(r.analysed, 3, 'util.ts and config.ts do not import TensorFlow.js');
    assert.equal(r.truncated, false);
    assert.equal(r.files[0].uri, uri(path.join(a, 'dense.ts')));
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  });

  it("without folders: the folders the server was started with", async () => {
    const r = await client.sendRequest<ModelsResult>(MODELS_REQUEST, {});
    assert.equal(r.files.length, 3);
  });

  it('a file on disk re-analysed when a file it imports changes on disk', async () => {
    writeFileSync(path.join(a, 'config.ts'), 'export const UNITS = 16;\n');
    const before = changes.length;
    await client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(path.join(a, 'config.ts')), type: 2 }] });
    await until(() => changes.slice(before).find((c) => c.workspace), 'a workspace modelsChanged notification');
    const r = await list();
    assert.equal(r.files[0].models[0].totals.params, 4 * 16 + 16 + 16 + 1);
  });

  it('an open document: its editor text, a notification when it is analysed, the model at the cursor', async () => {
    const dense = uri(path.join(a, 'dense.ts'));
    const before = changes.length;
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri: dense, languageId: 'typescript', version: 1, text: seq('32') } });
    await until(() => changes.slice(before).find((c) => c.uris.includes(dense)), 'modelsChanged for dense.ts');
    const r = await list();
    assert.equal(r.files[0].models[0].totals.params, 4 * 32 + 32 + 32 + 1);

    const at = await client.sendRequest<ModelAtResult | null>(MODEL_AT_REQUEST, { uri: dense, position: { line: 4, character: 10 } });
    assert.equal(at?.model.name, 'model');
    assert.equal(at?.atCursor, true);
    assert.equal(at?.model.totals.params, 193);
    const top = await client.sendRequest<ModelAtResult | null>(MODEL_AT_REQUEST, { uri: dense, position: { line: 0, character: 0 } });
    assert.equal(top?.atCursor, false, "the import line: the file's first model");
    const notOpen = await client.sendRequest<ModelAtResult | null>(MODEL_AT_REQUEST, { uri: uri(path.join(b, 'legacy.cjs')), position: { line: 0, character: 0 } });
    assert.equal(notOpen, null, 'only open documents');
  });

  it('fileModels: the models of one file, the selected one named', async () => {
    const fn = uri(path.join(a, 'nets/functional.mjs'));
    const r = await client.sendRequest<FileModelsResult | null>(FILE_MODELS_REQUEST, { uri: fn, model: { name: 'fn', offset: 0 } });
    assert.ok(r);
    assert.equal(r.path, 'nets/functional.mjs');
    assert.deepEqual(
      r.models.map((m) => m.name),
      ['fn'],
    );
    assert.equal(r.selectedId, r.models[0].id);
    const head = r.models[0].layers.find((l) => l.name === 'head')!;
    assert.equal(head.inbound.length, 1);
    assert.equal(r.models[0].layers.find((l) => l.id === head.inbound[0])?.className, 'InputLayer');
  });

  it('a new file appears after its creation is reported', async () => {
    file(b, 'fresh.ts', `${HEADER}export const fresh = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 5 })] });\n`);
    const before = changes.length;
    await client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(path.join(b, 'fresh.ts')), type: 1 }] });
    await until(() => changes.slice(before).find((c) => c.workspace), 'a workspace modelsChanged notification');
    const r = await list();
    assert.deepEqual(
      r.files.map((f) => f.path),
      ['dense.ts', 'nets/functional.mjs', 'fresh.ts', 'legacy.cjs'],
    );
  });
});
