/**
 * The language server over a real LSP connection, in-process: initialize, open documents,
 * then hover, inlay hints, CodeLens, diagnostics, the summary request, cancellation,
 * settings, and re-analysis of a document when a file it imports is edited.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  CancellationTokenSource,
  type CodeAction,
  type CodeLens,
  type Hover,
  type InlayHint,
  type MarkupContent,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { SUMMARY_REQUEST, type SummaryResult } from '../../src/protocol/lsp/common';
import { HEADER, ROOT, serverInMemory } from './server-helpers';

const DIR = path.join(ROOT, 'lsp');
const uriOf = (name: string) => pathToFileURL(path.join(DIR, name)).toString();
const CONFIG = uriOf('config.ts');
const MODEL = uriOf('model.ts');
const BROKEN = uriOf('broken.ts');

const MODEL_TEXT = `${HEADER}import { FILTERS } from './config';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: FILTERS, kernelSize: 5 }));
  model.add(tf.layers.flatten());
  return model;
}
`;
/** Where `kernelSize: 5` has its 5, on line 4 (0-based). */
const KERNEL = MODEL_TEXT.split('\n')[4].indexOf('kernelSize: 5') + 'kernelSize: '.length;
const BROKEN_TEXT = `${HEADER}
const input = tf.input({ shape: [5, 5, 1] });
const conv = tf.layers.conv2d({ filters: 16, kernelSize: 7 }).apply(input) as tf.SymbolicTensor;
export const m = tf.model({ inputs: input, outputs: conv });
`;

describe('language server over LSP', () => {
  let client: ProtocolConnection;
  const diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  const waiters: Array<() => void> = [];
  let refreshes = 0;

  /** Resolves once `check()` holds after some server message (or now). */
  const until = async <T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  const notify = () => waiters.splice(0).forEach((w) => w());

  const inlayLabels = async (uri: string): Promise<string[]> => {
    const hints = await client.sendRequest<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
    return hints.map((h) => String(h.label));
  };

  before(async () => {
    client = serverInMemory();
    client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      diagnostics.set(p.uri, [...(diagnostics.get(p.uri) ?? []), p]);
      notify();
    });
    client.onRequest('workspace/inlayHint/refresh', () => {
      refreshes++;
      notify();
      return null;
    });
    client.onRequest('workspace/codeLens/refresh', () => null);
    client.onRequest('workspace/configuration', () => []);
    client.listen();
    const init = await client.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: null,
      rootUri: pathToFileURL(DIR).toString(),
      workspaceFolders: [{ uri: pathToFileURL(DIR).toString(), name: 'lsp' }],
      capabilities: { workspace: { inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } } },
      initializationOptions: { locale: 'en', settings: { inlayHints: { enabled: true, showBatchDim: true, showParams: true } } },
    });
    assert.ok(init.capabilities.hoverProvider);
    assert.ok(init.capabilities.inlayHintProvider);
    assert.ok(init.capabilities.codeLensProvider);
    assert.deepEqual(init.capabilities.codeActionProvider, { codeActionKinds: ['quickfix'], resolveProvider: false });
    await client.sendNotification('initialized', {});
    for (const [uri, text] of [
      [CONFIG, 'export const FILTERS = 10;\n'],
      [MODEL, MODEL_TEXT],
      [BROKEN, BROKEN_TEXT],
    ]) {
      await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    }
  });

  after(async () => {
    await client.sendRequest('shutdown');
    client.dispose();
  });

  it('publishes Problems with source "Layer Lens" for a broken model', async () => {
    const published = await until(() => diagnostics.get(BROKEN)?.at(-1), 'diagnostics of broken.ts');
    const d = published.diagnostics.find((x) => x.code === 'negative-output-size');
    assert.ok(d, JSON.stringify(published));
    assert.equal(d.source, 'Layer Lens');
    assert.equal(d.range.start.line, 3);
  });

  it('hover on a conv layer shows the parameter formula', async () => {
    const hover = await client.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: MODEL }, position: { line: 4, character: 20 } });
    const md = (hover?.contents as MarkupContent).value;
    assert.ok(md.includes('5·5·3·10 + 10 = 760'), md);
    assert.ok(md.includes('Conv2D — 2-D convolution'), 'the concept explanation in the client locale (en)');
  });

  it('inlay hints and CodeLens', async () => {
    assert.deepEqual(await inlayLabels(MODEL), ['Σ 760 params', '→ [null,28,28,10] · 760', '→ [null,7840]']);
    const lenses = await client.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: MODEL } });
    assert.deepEqual(
      lenses.map((l) => l.command?.title),
      ['Σ 760 params (3.0 KB fp32) · 588.0 K MACs', 'Summary', '▶ Train'],
    );
  });

  it('the summary request', async () => {
    const r = await client.sendRequest<SummaryResult>(SUMMARY_REQUEST, { uri: MODEL });
    assert.equal(r.modelCount, 1);
    assert.match(r.text, /Model: model \(sequential\) — model\.ts:4/);
    assert.match(r.text, /Total params: 760 /);
  });

  it('editing config.ts updates model.ts (a file it imports)', async () => {
    const before = refreshes;
    await client.sendNotification('textDocument/didChange', {
      textDocument: { uri: CONFIG, version: 2 },
      contentChanges: [{ text: 'export const FILTERS = 20;\n' }],
    });
    await until(() => refreshes > before || undefined, 'an inlay hint refresh');
    assert.deepEqual((await inlayLabels(MODEL)).slice(0, 2), ['Σ 1,520 params', '→ [null,28,28,20] · 1,520']);
  });

  it('an edit of the document itself is seen by the next request', async () => {
    await client.sendNotification('textDocument/didChange', {
      textDocument: { uri: MODEL, version: 2 },
      contentChanges: [{ range: { start: { line: 4, character: KERNEL }, end: { line: 4, character: KERNEL + 1 } }, text: '3' }],
    });
    assert.deepEqual((await inlayLabels(MODEL)).slice(1, 2), ['→ [null,30,30,20] · 560']);
  });

  it('settings: showParams off', async () => {
    const before = refreshes;
    await client.sendNotification('workspace/didChangeConfiguration', { settings: { layerLens: { inlayHints: { showParams: false } } } });
    await until(() => refreshes > before || undefined, 'an inlay hint refresh');
    assert.deepEqual(await inlayLabels(MODEL), ['→ [null,30,30,20]', '→ [null,18000]']);
  });

  it('a cancelled request answers RequestCancelled', async () => {
    const source = new CancellationTokenSource();
    const pending = client.sendRequest('textDocument/hover', { textDocument: { uri: MODEL }, position: { line: 4, character: 20 } }, source.token);
    source.cancel();
    await assert.rejects(pending, (err: { code?: number }) => err.code === -32800);
  });

  it('a quick fix for the Problems entry: padding same, as an edit of the document', async () => {
    const published = await until(() => diagnostics.get(BROKEN)?.at(-1), 'diagnostics of broken.ts');
    const d = published.diagnostics.find((x) => x.code === 'negative-output-size')!;
    const actions = await client.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: BROKEN },
      range: d.range,
      context: { diagnostics: [d], only: ['quickfix'] },
    });
    assert.equal(actions.length, 1, JSON.stringify(actions));
    assert.equal(actions[0].kind, 'quickfix');
    assert.deepEqual(actions[0].diagnostics, [d]);
    const [edit] = actions[0].edit!.changes![BROKEN];
    assert.equal(edit.newText, ", padding: 'same'");
    assert.equal(edit.range.start.line, 3);
  });

  it('hover on a config value explains it (client locale en)', async () => {
    const hover = await client.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: MODEL }, position: { line: 4, character: KERNEL - 3 } });
    assert.match((hover?.contents as MarkupContent).value, /^\*\*Receptive field\*\*/);
  });

  it('closing a document clears its Problems', async () => {
    await client.sendNotification('textDocument/didClose', { textDocument: { uri: BROKEN } });
    await until(() => (diagnostics.get(BROKEN)?.at(-1)?.diagnostics.length === 0 ? true : undefined), 'empty diagnostics');
  });
});
