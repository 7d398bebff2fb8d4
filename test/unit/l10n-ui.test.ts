/**
 * The extension's own UI in Simplified Chinese: the manifest's `%key%` texts (package.nls.json,
 * package.nls.zh-cn.json) and every string the extension host passes to `l10n.t` (translated in
 * l10n/bundle.l10n.zh-cn.json, keyed by the English text); and the pure modules that take a
 * `UiL10n` render English by default and Chinese with the bundle.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { lrRangeHtml, suggestionMessage, type LrRangeCurve } from '../../src/client/lr-range-config';
import { buildModelTree, statusBarContent } from '../../src/client/model-tree';
import { modelViews } from '../../src/server/features/models';
import { ENGLISH, type UiL10n } from '../../src/shared/ui-l10n';
import { HEADER, analyse } from './server-helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');
const readJson = <T>(file: string): T => JSON.parse(read(file)) as T;

/** Chinese characters, or full-width punctuation. */
const CHINESE = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;
/** A text that may stay as it is in Chinese: names and symbols only (no English word but these names). */
const NAMES = /Layer Lens|TensorFlow\.js|tfjs(-node(-gpu)?)?|JavaScript|TypeScript|WebAssembly|CUDA|cuDNN|SIMD|CSV|JSON|fp32|MACs/g;
const untranslatable = (en: string): boolean => !/[A-Za-z]{2,}/.test(en.replace(/\{\d+\}/g, '').replace(/`[^`]*`/g, '').replace(NAMES, ''));

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort();
const codeSpans = (s: string): string[] => [...s.matchAll(/`[^`]+`/g)].map((m) => m[0]).sort();
const commandLinks = (s: string): string[] => [...s.matchAll(/\(command:[^)]+\)/g)].map((m) => m[0]).sort();

const bundle = readJson<Record<string, string | { message: string }>>('l10n/bundle.l10n.zh-cn.json');
const zhOf = (en: string): string | undefined => {
  if (!Object.prototype.hasOwnProperty.call(bundle, en)) return undefined;
  const v = bundle[en];
  return typeof v === 'string' ? v : v.message;
};

/** Every `%key%` string anywhere in package.json. */
function manifestKeys(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    const m = /^%(.+)%$/.exec(value);
    if (m) out.push(m[1]);
  } else if (Array.isArray(value)) {
    for (const v of value) manifestKeys(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) manifestKeys(v, out);
  }
  return out;
}

describe('package.json texts (package.nls.json, package.nls.zh-cn.json)', () => {
  const manifest = readJson<Record<string, unknown>>('package.json');
  const en = readJson<Record<string, string>>('package.nls.json');
  const zh = readJson<Record<string, string>>('package.nls.zh-cn.json');
  const keys = [...new Set(manifestKeys(manifest))];

  it('names every %key% in both files, and the files have no other keys', () => {
    assert.ok(keys.length >= 20, `only ${keys.length} %key% placeholders in package.json`);
    assert.deepEqual(keys.filter((k) => !(k in en)), [], 'missing in package.nls.json');
    assert.deepEqual(keys.filter((k) => !(k in zh)), [], 'missing in package.nls.zh-cn.json');
    assert.deepEqual(Object.keys(en).filter((k) => !keys.includes(k)), [], 'unused in package.nls.json');
    assert.deepEqual(Object.keys(zh).filter((k) => !keys.includes(k)), [], 'unused in package.nls.zh-cn.json');
  });

  it('localizes the user-visible texts of contributes (commands, views, settings) and the Restricted Mode description', () => {
    const c = manifest.contributes as {
      commands: { title: string }[];
      views: Record<string, { name: string }[]>;
      viewsWelcome: { contents: string }[];
      configuration: { properties: Record<string, { description?: string; markdownDescription?: string; enumDescriptions?: string[] }> };
    };
    const texts = [
      ...c.commands.map((x) => x.title),
      ...Object.values(c.views).flat().map((v) => v.name),
      ...c.viewsWelcome.map((v) => v.contents),
      ...Object.values(c.configuration.properties).flatMap((p) => [p.description, p.markdownDescription, ...(p.enumDescriptions ?? [])]).filter((x): x is string => x !== undefined),
      (manifest.capabilities as { untrustedWorkspaces: { description: string } }).untrustedWorkspaces.description,
    ];
    assert.deepEqual(texts.filter((t) => !/^%.+%$/.test(t)), [], 'texts written in package.json itself');
  });

  it('translates every text into Chinese, keeping code spans and command links', () => {
    for (const [key, text] of Object.entries(en)) {
      const t = zh[key] ?? '';
      assert.match(t, CHINESE, `${key}: "${t}" is not Chinese`);
      assert.notEqual(t, text, `${key}: untranslated`);
      assert.deepEqual(codeSpans(t), codeSpans(text), `${key}: code spans differ`);
      assert.deepEqual(commandLinks(t), commandLinks(text), `${key}: command links differ`);
    }
  });

  it('is packaged: .vscodeignore lets package.nls*.json into the vsix', () => {
    const lines = read('.vscodeignore').split('\n').map((l) => l.trim());
    assert.ok(lines.includes('!package.nls.json'));
    assert.ok(lines.includes('!package.nls.*.json'));
  });
});

/** Every call `….l10n.t(…)` / `l10n.t(…)` in a source file: its first argument's text, or null when that is not a literal. */
function l10nCalls(file: string): { text: string | null; line: number }[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: { text: string | null; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 't') {
      const target = node.expression.expression;
      const name = ts.isIdentifier(target) ? target.text : ts.isPropertyAccessExpression(target) ? target.name.text : '';
      if (name === 'l10n') {
        const arg = node.arguments[0];
        const text = arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) ? arg.text : null;
        out.push({ text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : /\.ts$/.test(e.name) ? [full] : [];
  });
}

describe('l10n.t strings of the extension (l10n/bundle.l10n.zh-cn.json)', () => {
  const calls = sourceFiles(path.join(ROOT, 'src')).flatMap((file) => l10nCalls(file).map((c) => ({ ...c, file: path.relative(ROOT, file) })));
  const strings = [...new Set(calls.flatMap((c) => (c.text === null ? [] : [c.text])))];

  it('finds the UI strings of src/extension.ts and src/client', () => {
    assert.ok(strings.length >= 80, `only ${strings.length} strings`);
    const files = new Set(calls.map((c) => c.file.split(path.sep).join('/')));
    for (const f of ['src/extension.ts', 'src/client/models-view.ts', 'src/client/model-tree.ts', 'src/client/lr-range-command.ts', 'src/client/training-panel.ts']) assert.ok(files.has(f), f);
  });

  it('passes a string literal to every l10n.t (the explain catalogue looks its own keys up)', () => {
    const computed = calls.filter((c) => c.text === null && c.file.split(path.sep).join('/') !== 'src/explain/l10n.ts');
    assert.deepEqual(computed.map((c) => `${c.file}:${c.line}`), []);
  });

  it('translates every string, with the same {n} placeholders', () => {
    const missing = strings.filter((s) => zhOf(s) === undefined || zhOf(s)!.trim() === '');
    assert.deepEqual(missing, [], `no zh-cn translation for:\n${missing.join('\n')}`);
    for (const s of strings) assert.deepEqual(placeholders(zhOf(s)!), placeholders(s), `the placeholders differ: "${s}" → "${zhOf(s)}"`);
  });

  it('writes the translations in Chinese (only names and symbols may stay as they are)', () => {
    for (const s of strings) {
      const t = zhOf(s)!;
      if (untranslatable(s)) continue;
      assert.notEqual(t, s, `untranslated: "${s}"`);
      assert.match(t, CHINESE, `"${s}" → "${t}" is not Chinese`);
      assert.deepEqual(codeSpans(t), codeSpans(s), `code spans differ in "${s}"`);
    }
  });

  it('keeps the bundle sorted by key', () => {
    const keys = Object.keys(bundle);
    assert.deepEqual(keys, [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});

describe('pure UI modules in both languages', () => {
  /** What vscode.l10n does with the zh-cn bundle. */
  const ZH: UiL10n = { t: (message, ...args) => ENGLISH.t(zhOf(message) ?? message, ...args) };

  const lenet = analyse({
    'lenet.ts': `${HEADER}export const model = tf.sequential();
model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5 }));
model.add(tf.layers.flatten());
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
`,
  });
  const models = modelViews(lenet.analysis, (f) => pathToFileURL(f).href, { ownOnly: true });
  const result = { files: [{ uri: lenet.doc.uri, path: 'lenet.ts', folder: 'samples', models }], analysed: 1, truncated: true };

  it('ENGLISH fills {n} in as vscode.l10n.t does and leaves other braces alone', () => {
    assert.equal(ENGLISH.t('{0} of {1}, {0} again', 'a', 2), 'a of 2, a again');
    assert.equal(ENGLISH.t('tf.input({shape}) {1}', 'x'), 'tf.input({shape}) {1}');
    assert.equal(ENGLISH.t('{0}', '{1}', 'y'), '{1}', 'arguments are not formatted again');
  });

  it('the Models view and the status bar: English by default, Chinese with the bundle', () => {
    const [file] = buildModelTree(result);
    const [model] = file.children;
    assert.match(model.description!, /^[\d,]+ params$/);
    assert.match(model.tooltip!, /Total params: \*\*/);
    assert.equal(buildModelTree(result).at(-1)!.label, 'Not every file was scanned');
    const [zhFile] = buildModelTree(result, {}, ZH);
    const zhModel = zhFile.children[0];
    for (const text of [zhModel.description!, zhModel.tooltip!, zhModel.children[0].tooltip!, buildModelTree(result, {}, ZH).at(-1)!.label, zhFile.tooltip!]) {
      assert.match(text, CHINESE, text);
      assert.doesNotMatch(text, /\{\d+\}/, text);
    }
    assert.match(zhModel.tooltip!, /参数总数：\*\*/);
    const en = statusBarContent({ model: models[0], atCursor: false });
    const zh = statusBarContent({ model: models[0], atCursor: false }, ZH);
    assert.match(en.text, /^\$\(symbol-class\) model · [\d,]+ params$/);
    assert.match(zh.text, /^\$\(symbol-class\) model · [\d,]+ 个参数$/);
    assert.match(zh.tooltip, /第一个模型/);
  });

  it('the learning-rate suggestion and its chart page', () => {
    const curve = {
      v: 1,
      type: 'lr-range',
      optimizer: 'adam',
      minLr: 1e-6,
      maxLr: 1,
      points: Array.from({ length: 10 }, (_, i) => ({ step: i + 1, lr: 1e-6 * 10 ** ((i * 6) / 9), loss: 2 - i * 0.1, smoothed: 2 - i * 0.1 })),
      suggestion: { lr: 3e-4, method: 'min/10', reason: 'r' },
    } as LrRangeCurve;
    assert.equal(suggestionMessage(curve), 'Suggested learning rate 3e-4 (a tenth of the rate at the smoothed loss’s minimum). Write it into compile?');
    const zh = suggestionMessage(curve, ZH)!;
    assert.match(zh, /3e-4/);
    assert.match(zh, CHINESE);
    const page = lrRangeHtml('学习率：model', curve, 'NONCE', ZH);
    assert.match(page, /学习率（对数刻度）/);
    assert.doesNotMatch(page, /\{\d+\}/);
  });
});
