import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type AnalysisEntry, type AnalysisReason, AnalysisService, isAnalysable } from '../../src/server/analysis-service';
import { HEADER, ROOT } from './server-helpers';

/** Open documents as the server's TextDocuments holds them. */
class Docs {
  private readonly docs = new Map<string, TextDocument>();
  open(file: string, text: string): string {
    const uri = pathToFileURL(file).toString();
    this.docs.set(uri, TextDocument.create(uri, 'typescript', 1, text));
    return uri;
  }
  edit(uri: string, text: string): void {
    const d = this.docs.get(uri)!;
    this.docs.set(uri, TextDocument.create(uri, d.languageId, d.version + 1, text));
  }
  get(uri: string): TextDocument | undefined {
    return this.docs.get(uri);
  }
  all(): TextDocument[] {
    return [...this.docs.values()];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CONFIG = (units: number) => `export const UNITS = ${units};\n`;
const MODEL = `${HEADER}import { UNITS } from './config';
export const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [4], units: UNITS }));
`;

function setup(debounceMs = 30) {
  const docs = new Docs();
  const analysed: Array<{ entry: AnalysisEntry; reasons: AnalysisReason[] }> = [];
  const service = new AnalysisService(docs, { debounceMs, onAnalysed: (entry, reasons) => analysed.push({ entry, reasons: [...reasons] }) });
  return { docs, service, analysed };
}

const paramsOf = (e: AnalysisEntry | undefined) => e?.analysis.models[0]?.totals.total;

describe('analysis service', () => {
  it('a request gets the analysis of the current version, cached per version', async () => {
    const { docs, service, analysed } = setup();
    const uri = docs.open(path.join(ROOT, 'a', 'model.ts'), MODEL.replace("import { UNITS } from './config';\n", 'const UNITS = 3;\n'));
    service.documentChanged(uri);
    const first = await service.current(uri);
    assert.equal(paramsOf(first), 4 * 3 + 3);
    assert.equal(await service.current(uri), first, 'cached');
    assert.equal(analysed.length, 1);
    service.dispose();
  });

  it('edits are debounced: a burst of changes is analysed once, after the last one', async () => {
    const { docs, service, analysed } = setup(40);
    const uri = docs.open(path.join(ROOT, 'b', 'model.ts'), MODEL.replace("import { UNITS } from './config';\n", 'const UNITS = 1;\n'));
    service.documentChanged(uri);
    await service.current(uri);
    analysed.length = 0;
    for (const units of [2, 3, 4, 5]) {
      docs.edit(uri, MODEL.replace("import { UNITS } from './config';\n", `const UNITS = ${units};\n`));
      service.documentChanged(uri);
      await sleep(5);
    }
    assert.equal(analysed.length, 0, 'nothing yet: still typing');
    const entry = await service.current(uri);
    assert.equal(paramsOf(entry), 4 * 5 + 5);
    assert.equal(entry?.version, 5);
    assert.equal(analysed.length, 1, 'one analysis for the burst');
    assert.deepEqual(analysed[0].reasons, ['edit']);
    service.dispose();
  });

  it('editing an imported open file re-analyses the open files that import it', async () => {
    const { docs, service, analysed } = setup();
    const dir = path.join(ROOT, 'c');
    const config = docs.open(path.join(dir, 'config.ts'), CONFIG(10));
    const model = docs.open(path.join(dir, 'model.ts'), MODEL);
    service.documentChanged(config);
    service.documentChanged(model);
    assert.equal(paramsOf(await service.current(model)), 4 * 10 + 10);
    assert.ok(service.cached(model)!.dependencies.has(path.join(dir, 'config.ts')), 'model.ts depends on config.ts');
    analysed.length = 0;

    docs.edit(config, CONFIG(20));
    service.documentChanged(config);
    assert.ok(service.isPending(model), 'model.ts is scheduled');
    await sleep(80);
    const again = analysed.find((a) => a.entry.uri === model);
    assert.ok(again, 'model.ts was analysed again without a request');
    assert.deepEqual(again.reasons, ['dependency']);
    assert.equal(paramsOf(again.entry), 4 * 20 + 20);
    assert.equal(again.entry.version, 1, 'model.ts itself did not change');
    service.dispose();
  });

  it('a changed file on disk that an open document imports re-analyses it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-service-'));
    try {
      fs.writeFileSync(path.join(dir, 'config.ts'), CONFIG(6));
      const { docs, service, analysed } = setup();
      const model = docs.open(path.join(dir, 'model.ts'), MODEL);
      service.documentChanged(model);
      assert.equal(paramsOf(await service.current(model)), 4 * 6 + 6);
      fs.writeFileSync(path.join(dir, 'config.ts'), CONFIG(7));
      analysed.length = 0;
      service.filesChanged([{ file: path.join(dir, 'config.ts'), kind: 'changed' }]);
      assert.equal(paramsOf(await service.current(model)), 4 * 7 + 7);
      assert.deepEqual(analysed.map((a) => a.reasons), [['dependency']]);

      // A file that did not exist: the import resolves once it is created.
      fs.writeFileSync(path.join(dir, 'more.ts'), CONFIG(8));
      docs.edit(model, MODEL.replace('./config', './more'));
      service.documentChanged(model);
      assert.equal(paramsOf(await service.current(model)), 4 * 8 + 8);
      service.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a cancelled request gives up waiting', async () => {
    const { docs, service } = setup(10_000);
    const uri = docs.open(path.join(ROOT, 'd', 'model.ts'), MODEL.replace("import { UNITS } from './config';\n", 'const UNITS = 1;\n'));
    service.documentChanged(uri);
    await service.current(uri);
    docs.edit(uri, MODEL.replace("import { UNITS } from './config';\n", 'const UNITS = 2;\n'));
    service.documentChanged(uri);
    const source = new CancellationTokenSource();
    const waiting = service.current(uri, source.token);
    setTimeout(() => source.cancel(), 20);
    const started = Date.now();
    assert.equal(await waiting, undefined);
    assert.ok(Date.now() - started < 2000);
    service.dispose();
  });

  it('the batch size setting reaches the engine and re-analyses open documents', async () => {
    const { docs, service, analysed } = setup();
    const uri = docs.open(path.join(ROOT, 'f', 'model.ts'), MODEL.replace("import { UNITS } from './config';\n", 'const UNITS = 2;\n'));
    service.documentChanged(uri);
    const at32 = (await service.current(uri))!.analysis.models[0].totals;
    assert.equal(at32.batchSize, 32);
    service.setBatchSize(4);
    const at4 = (await service.current(uri))!.analysis.models[0].totals;
    assert.equal(at4.batchSize, 4);
    assert.equal(at4.activationBytes, at4.activationsPerSample! * 4 * 4);
    assert.deepEqual(analysed.at(-1)?.reasons, ['settings']);
    service.dispose();
  });

  it('a closed document is forgotten; files without a tfjs import are not analysed', async () => {
    const { docs, service } = setup();
    const uri = docs.open(path.join(ROOT, 'e', 'config.ts'), CONFIG(1));
    service.documentChanged(uri);
    const entry = await service.current(uri);
    assert.deepEqual(entry?.analysis.models, []);
    service.documentClosed(uri);
    assert.equal(service.cached(uri), undefined);
    assert.equal(isAnalysable('/x/m.ts', "import * as tf from '@tensorflow/tfjs-node';"), true);
    assert.equal(isAnalysable('/x/m.py', "import * as tf from '@tensorflow/tfjs';"), false);
    assert.equal(isAnalysable('/x/m.js', 'const x = 1;'), false);
    service.dispose();
  });
});
