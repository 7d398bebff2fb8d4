/**
 * The summary and training pages in Simplified Chinese: every text a page passes to `t`
 * (src/webview/training, src/webview/summary) has its entry in the page's zh-cn table with the
 * same placeholders, the tables hold nothing else, English reads as the text itself, and the
 * messages that show a page carry its locale, validated.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { pageL10n, pageText } from '../../src/shared/page-l10n';
import { parseToWebview } from '../../src/protocol/pages/summary';
import { parseToPanel } from '../../src/protocol/pages/training';
import { SUMMARY_ZH } from '../../src/webview/summary/strings';
import { TRAINING_ZH } from '../../src/webview/training/strings';

const ROOT = path.resolve(__dirname, '..', '..');

/** Chinese characters, or full-width punctuation. */
const CHINESE = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;
/** Names and symbols that stay as they are in Chinese. */
const NAMES = /NaN|Inf|MACs|fp32|tfjs|\.layer-lens\/runs/g;
const untranslatable = (en: string): boolean => !/[A-Za-z]{2,}/.test(en.replace(/\{\d+\}/g, '').replace(NAMES, ''));
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort();

/** Every call `t(…)` in a page's sources: its first argument's text, or null when that is not a literal. */
function pageCalls(dir: string): { text: string | null; where: string }[] {
  const out: { text: string | null; where: string }[] = [];
  for (const name of fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.ts'))) {
    const file = path.join(ROOT, dir, name);
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 't') {
        const arg = node.arguments[0];
        const text = arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) ? arg.text : null;
        out.push({ text, where: `${dir}/${name}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}` });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

for (const page of [
  { name: 'training page', dir: 'src/webview/training', zh: TRAINING_ZH, min: 150, samples: ['Setup', 'Charts', 'Layers', 'Runs', 'Backend: ', 'step {0} / {1}', 'completed', 'My training code: {0}'] },
  { name: 'summary page', dir: 'src/webview/summary', zh: SUMMARY_ZH, min: 50, samples: ['Layers ', 'Graph', 'Total params', 'Copy as text', 'Model graph: {0} layers, {1} connections'] },
]) {
  describe(`the ${page.name}'s texts (${page.dir})`, () => {
    const calls = pageCalls(page.dir);
    const strings = [...new Set(calls.flatMap((c) => (c.text === null ? [] : [c.text])))];

    it('finds the texts, each passed to t as a literal', () => {
      assert.ok(strings.length >= page.min, `only ${strings.length} texts`);
      for (const s of page.samples) assert.ok(strings.includes(s), s);
      assert.deepEqual(calls.filter((c) => c.text === null).map((c) => c.where), []);
    });

    it('translates every text into Chinese, with the same {n} placeholders', () => {
      const missing = strings.filter((s) => !Object.prototype.hasOwnProperty.call(page.zh, s) || page.zh[s].trim() === '');
      assert.deepEqual(missing, [], `no zh-cn text for:\n${missing.join('\n')}`);
      for (const s of strings) {
        const zh = page.zh[s];
        assert.deepEqual(placeholders(zh), placeholders(s), `the placeholders differ: "${s}" → "${zh}"`);
        if (untranslatable(s)) continue;
        assert.notEqual(zh, s, `untranslated: "${s}"`);
        assert.match(zh, CHINESE, `"${s}" → "${zh}" is not Chinese`);
      }
    });

    it('has no entry that the page does not use', () => {
      assert.deepEqual(Object.keys(page.zh).filter((k) => !strings.includes(k)), []);
    });
  });
}

describe('page texts by locale (src/shared/page-l10n.ts)', () => {
  it('English is the text itself, the placeholders filled in; Chinese comes from the table', () => {
    assert.equal(pageL10n(TRAINING_ZH, 'en').t('step {0} / {1}', '30', '30'), 'step 30 / 30');
    assert.equal(pageL10n(TRAINING_ZH, undefined).t('Backend: '), 'Backend: ');
    assert.equal(pageL10n(TRAINING_ZH, 'zh-cn').t('step {0} / {1}', '30', '30'), '第 30 / 30 步');
    assert.equal(pageL10n(SUMMARY_ZH, 'zh-cn').t('Graph'), '结构图');
    assert.equal(pageL10n(SUMMARY_ZH, 'zh-cn').t('not in the table {0}', 1), 'not in the table 1');
  });

  it('a page follows the locale set last', () => {
    const text = pageText(TRAINING_ZH);
    assert.equal(text.t('Setup'), 'Setup');
    assert.equal(text.setLocale('zh-cn'), true);
    assert.equal(text.setLocale('zh-cn'), false);
    assert.equal(text.t('Setup'), '设置');
    assert.equal(text.locale(), 'zh-cn');
    assert.equal(text.setLocale(undefined), true);
    assert.equal(text.t('Setup'), 'Setup');
  });

  it('the init, show and empty messages carry the locale, validated', () => {
    const init = { type: 'init', target: null, dataFiles: [], runs: [], trusted: true, defaults: { backend: 'auto', epochs: 5, batchSize: 32, validationSplit: 0.1 } };
    assert.equal(parseToPanel(init).ok, true);
    const zh = parseToPanel({ ...init, locale: 'zh-cn' });
    assert.ok(zh.ok && zh.value.type === 'init' && zh.value.locale === 'zh-cn');
    assert.equal(parseToPanel({ ...init, locale: 'fr' }).ok, false);
    assert.equal(parseToPanel({ ...init, locale: 1 }).ok, false);
    assert.equal(parseToWebview({ type: 'empty', message: 'm', locale: 'zh-cn' }).ok, true);
    assert.equal(parseToWebview({ type: 'empty', message: 'm' }).ok, true);
    assert.equal(parseToWebview({ type: 'empty', message: 'm', locale: 'de' }).ok, false);
  });

  it('the panels send the display language (the extension host keeps no locale of its own)', () => {
    for (const file of ['src/client/training-panel.ts', 'src/client/summary-panel.ts']) {
      assert.match(fs.readFileSync(path.join(ROOT, file), 'utf8'), /locale: resolveLocale\(vscode\.env\.language\)/, file);
    }
  });
});
