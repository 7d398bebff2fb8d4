/**
 * The language server's own texts in the client's locale: CodeLens titles, hover labels,
 * inlay-hint words, quick-fix titles and diagnostic messages. English stays as written (the
 * other server tests compare it exactly); a zh-cn client gets the Chinese of
 * l10n/bundle.l10n.zh-cn.json. Diagnostic messages are recognised by the templates of
 * src/server/features/diagnostic-l10n.ts, each of which needs a translation with the same
 * placeholders.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  type CodeLens,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { codeLensesFor } from '../../src/server/features/code-lens';
import { DIAGNOSTIC_TEMPLATES, localizeDiagnosticMessage, matchTemplate } from '../../src/server/features/diagnostic-l10n';
import { diagnosticsFor } from '../../src/server/features/diagnostics';
import { hoverAt } from '../../src/server/features/hover';
import { inlayHintsFor } from '../../src/server/features/inlay-hints';
import { ENGLISH, serverL10n } from '../../src/server/features/l10n';
import { codeActionsFor, quickFixesFor } from '../../src/server/features/quick-fixes';
import { HEADER, ROOT, analyse, serverInMemory } from './server-helpers';

const REPO = path.resolve(__dirname, '..', '..');
const bundle = JSON.parse(fs.readFileSync(path.join(REPO, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string | { message: string }>;
const zhOf = (en: string): string | undefined => {
  if (!Object.prototype.hasOwnProperty.call(bundle, en)) return undefined;
  const v = bundle[en];
  return typeof v === 'string' ? v : v.message;
};
const CHINESE = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort();
const codeSpans = (s: string): string[] => [...s.matchAll(/`[^`]+`/g)].map((m) => m[0]).sort();
/** An LSP diagnostic's message as text. */
const textOf = (d: { message: string | { value: string } }): string => (typeof d.message === 'string' ? d.message : d.message.value);

const ZH = serverL10n('zh-cn');
const SETTINGS = { enabled: true, showBatchDim: true, showParams: true };

const lenet = analyse({ 'lenet.ts': fs.readFileSync(path.join(REPO, 'samples/lenet.ts'), 'utf8') });
const broken = analyse({ 'broken.ts': fs.readFileSync(path.join(REPO, 'samples/broken.ts'), 'utf8') });

describe('server texts in the client locale', () => {
  it('serverL10n: English is ENGLISH itself; zh-cn fills the translation in', () => {
    assert.equal(serverL10n('en'), ENGLISH);
    assert.equal(serverL10n(undefined), ENGLISH);
    assert.equal(ZH.t('Σ {0} params', '1,234'), 'Σ 1,234 个参数');
    assert.equal(ZH.t('not a key {0}', 'x'), 'not a key x');
  });

  it('CodeLens: English as before, Chinese for zh-cn', () => {
    const en = codeLensesFor(lenet.analysis, lenet.doc).map((l) => l.command!.title);
    const zh = codeLensesFor(lenet.analysis, lenet.doc, ZH).map((l) => l.command!.title);
    assert.deepEqual(en.slice(1, 3), ['Summary', '▶ Train']);
    assert.match(en[0], /^Σ [\d,]+ params \([\d.]+ KB fp32\) · [\d.]+ K MACs$/);
    assert.match(zh[0], /^Σ [\d,]+ 个参数（[\d.]+ KB，fp32）· [\d.]+ K MACs$/);
    assert.deepEqual(zh.slice(1, 3), ['摘要', '▶ 训练']);
    for (const l of codeLensesFor(lenet.analysis, lenet.doc, ZH)) assert.match(l.command!.tooltip!, CHINESE);
  });

  it('hover: the labels of a layer and of a model', () => {
    const layer = (l10n = ENGLISH) => (hoverAt(lenet.analysis, lenet.doc, lenet.at('tf.layers.conv2d', 12), { l10n })!.contents as { value: string }).value;
    assert.match(layer(), /- params: `/);
    assert.match(layer(), /- trainable [\d,]+ · non-trainable 0/);
    const zh = layer(ZH);
    assert.match(zh, /- 参数：`/);
    assert.match(zh, /- 可训练 [\d,]+ · 不可训练 0/);
    assert.match(zh, /- 输出尺寸：`/);
    assert.match(zh, /- 乘加次数（MACs）：[\d,]+ 每个样本|- 乘加次数（MACs）：每个样本 [\d,]+/);
    assert.doesNotMatch(zh, /\b(params|trainable|per sample|output size|weights)\b/);
    const model = (l10n = ENGLISH) => (hoverAt(lenet.analysis, lenet.doc, lenet.at('tf.sequential', 3), { l10n })!.contents as { value: string }).value;
    assert.match(model(), /\*\*Sequential model\*\* `model` · \d+ layers/);
    assert.match(model(ZH), /\*\*Sequential 模型\*\* `model` · \d+ 层/);
    assert.match(model(ZH), /- 参数：[\d,]+（[\d.]+ KB，fp32）/);
  });

  it('inlay hints: the model total in words; layer labels stay numbers and shapes', () => {
    const en = inlayHintsFor(lenet.analysis, lenet.doc, undefined, SETTINGS).map((h) => String(h.label));
    const zh = inlayHintsFor(lenet.analysis, lenet.doc, undefined, SETTINGS, ZH).map((h) => String(h.label));
    assert.ok(en.some((l) => /^Σ [\d,]+ params$/.test(l)));
    assert.ok(zh.some((l) => /^Σ [\d,]+ 个参数$/.test(l)));
    assert.deepEqual(zh.filter((l) => l.startsWith('→')), en.filter((l) => l.startsWith('→')));
  });

  it('quick-fix titles and the diagnostics of samples/broken.ts', () => {
    const en = quickFixesFor(broken.analysis, broken.text).flatMap((f) => f.fixes.map((x) => x.title));
    const zh = quickFixesFor(broken.analysis, broken.text, undefined, ZH).flatMap((f) => f.fixes.map((x) => x.title));
    assert.ok(en.some((t) => /^Use padding 'same' in /.test(t)), en.join('\n'));
    assert.equal(zh.length, en.length);
    assert.ok(zh.some((t) => /^在 \S+ 中使用 padding 'same'（输出 \[/.test(t)), zh.join('\n'));
    for (const t of zh) assert.match(t, CHINESE);
    const actions = codeActionsFor(broken.analysis, broken.doc, undefined, undefined, undefined, ZH);
    for (const a of actions) assert.match(textOf(a.diagnostics![0]), CHINESE);

    const enDiags = diagnosticsFor(broken.analysis, broken.doc);
    const zhDiags = diagnosticsFor(broken.analysis, broken.doc, ZH);
    assert.deepEqual(zhDiags.map((d) => [d.code, d.range]), enDiags.map((d) => [d.code, d.range]));
    for (const code of ['negative-output-size', 'merge-shape-mismatch']) {
      const d = zhDiags.find((x) => x.code === code);
      assert.ok(d, code);
      assert.match(textOf(d), CHINESE, textOf(d));
    }
    // The formula keeps its own line.
    const neg = zhDiags.find((x) => x.code === 'negative-output-size')!;
    assert.equal(textOf(neg).split('\n').length, textOf(enDiags.find((x) => x.code === 'negative-output-size')!).split('\n').length);
  });
});

describe('diagnostic templates', () => {
  it('every template has a Chinese translation with the same placeholders and code spans', () => {
    for (const [code, templates] of Object.entries(DIAGNOSTIC_TEMPLATES)) {
      for (const t of templates) {
        const zh = zhOf(t);
        assert.ok(zh, `${code}: no zh-cn translation for "${t}"`);
        assert.match(zh, CHINESE, `${code}: "${zh}"`);
        assert.deepEqual(placeholders(zh), placeholders(t), `${code}: the placeholders differ in "${t}"`);
        assert.deepEqual(codeSpans(zh), codeSpans(t), `${code}: the code spans differ in "${t}"`);
      }
    }
  });

  it('English messages stay exactly as the engine wrote them', () => {
    const m = "conv2d_1 (Conv2D): Conv2D expects input of rank 4 (e.g. [null,…,…,…]), got rank 2: [null,10].";
    assert.equal(localizeDiagnosticMessage('wrong-input-rank', m, ENGLISH), m);
    assert.equal(localizeDiagnosticMessage('wrong-input-rank', m, serverL10n('en')), m);
    assert.equal(localizeDiagnosticMessage('wrong-input-rank', m, ZH), 'conv2d_1 (Conv2D): Conv2D 要求 input 的秩为 4（例如 [null,…,…,…]），实际秩为 2：[null,10]。');
    assert.equal(localizeDiagnosticMessage('some-other-code', m, ZH), m, 'a message no template fits stays English');
    assert.equal(matchTemplate('wrong-input-rank', 'something else'), undefined);
  });

  /** Sources that make the engine report each code, so that a changed English wording shows up here. */
  const CASES: Array<[code: string, body: string]> = [
    ['missing-input-shape', `const model = tf.sequential();\nmodel.add(tf.layers.dense({ units: 4 }));\n`],
    ['not-a-tfjs-layer', `const model = tf.sequential();\nmodel.add(tf.layers.dens({ inputShape: [4], units: 4 }));\n`],
    ['wrong-input-rank', `const model = tf.sequential();\nmodel.add(tf.layers.conv2d({ inputShape: [10], filters: 2, kernelSize: 3 }));\n`],
    ['wrong-input-rank', `const model = tf.sequential();\nmodel.add(tf.layers.inputLayer({ inputShape: [] }));\nmodel.add(tf.layers.flatten());\n`],
    ['negative-output-size', `const model = tf.sequential();\nmodel.add(tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 7 }));\n`],
    ['zero-output-size', `const model = tf.sequential();\nmodel.add(tf.layers.maxPooling2d({ inputShape: [1, 1, 1], poolSize: 2, strides: 2 }));\n`],
    [
      'concat-axis-mismatch',
      `const a = tf.input({ shape: [4, 4, 2] });\nconst b = tf.input({ shape: [5, 5, 2] });\nconst c = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;\nexport const m = tf.model({ inputs: [a, b], outputs: c });\n`,
    ],
    [
      'merge-shape-mismatch',
      `const a = tf.input({ shape: [4] });\nconst b = tf.input({ shape: [5] });\nconst c = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;\nexport const m = tf.model({ inputs: [a, b], outputs: c });\n`,
    ],
    ['reshape-size-mismatch', `const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: 10 }));\nmodel.add(tf.layers.reshape({ targetShape: [3, 3] }));\n`],
    ['reshape-size-mismatch', `const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: 10 }));\nmodel.add(tf.layers.reshape({ targetShape: [3, -1] }));\n`],
    [
      'incompatible-input-shape',
      `const inner = tf.sequential();\ninner.add(tf.layers.dense({ inputShape: [8], units: 2 }));\nconst x = tf.input({ shape: [4] });\nconst y = inner.apply(x) as tf.SymbolicTensor;\nexport const m = tf.model({ inputs: x, outputs: y });\n`,
    ],
    [
      'dense-without-activation',
      `const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: 8 }));\nmodel.add(tf.layers.dense({ units: 2, activation: 'softmax' }));\n`,
    ],
    ['softmax-single-unit', `const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: 1, activation: 'softmax' }));\n`],
    [
      'output-activation-loss-mismatch',
      `const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }));\nmodel.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });\n`,
    ],
    [
      'dropout-last-layer',
      `const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }));\nmodel.add(tf.layers.dropout({ rate: 0.5 }));\n`,
    ],
    [
      'extreme-learning-rate',
      `const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: 1, activation: 'sigmoid' }));\nmodel.compile({ optimizer: tf.train.adam(5), loss: 'binaryCrossentropy' });\n`,
    ],
  ];

  for (const [code, body] of CASES) {
    it(`translates ${code}: ${body.split('\n').at(-2)}`, () => {
      const src = analyse({ 'case.ts': `${HEADER}${body}` });
      const en = diagnosticsFor(src.analysis, src.doc).filter((d) => d.code === code);
      assert.ok(en.length > 0, `no ${code}: ${JSON.stringify(diagnosticsFor(src.analysis, src.doc).map((d) => [d.code, d.message]))}`);
      const zh = diagnosticsFor(src.analysis, src.doc, ZH).filter((d) => d.code === code);
      for (const [i, d] of zh.entries()) {
        assert.match(textOf(d).split('\n')[0], CHINESE, `untranslated: ${textOf(en[i])}`);
        assert.notEqual(textOf(d), textOf(en[i]));
      }
    });
  }
});

describe('a zh-cn client over LSP', () => {
  let client: ProtocolConnection;
  const published: PublishDiagnosticsParams[] = [];
  const DIR = path.join(ROOT, 'lsp-zh');
  const uri = pathToFileURL(path.join(DIR, 'broken.ts')).toString();

  before(async () => {
    client = serverInMemory();
    client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => void published.push(p));
    client.onRequest('workspace/configuration', () => []);
    client.listen();
    await client.sendRequest('initialize', { processId: null, rootUri: pathToFileURL(DIR).toString(), capabilities: {}, initializationOptions: { locale: 'zh-CN' } });
    await client.sendNotification('initialized', {});
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: broken.text } });
  });

  after(async () => {
    await client.sendRequest('shutdown');
    client.dispose();
  });

  it('gets Chinese lenses and Problems', async () => {
    const lenses = await client.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.ok(lenses.length > 0);
    for (const l of lenses) assert.match(l.command!.title, CHINESE);
    const deadline = Date.now() + 10_000;
    while (!published.some((p) => p.uri === uri && p.diagnostics.length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const diags = published.filter((p) => p.uri === uri).at(-1)!.diagnostics;
    const neg = diags.find((d) => d.code === 'negative-output-size');
    assert.ok(neg);
    assert.match(textOf(neg), CHINESE);
  });
});
