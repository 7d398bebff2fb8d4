/**
 * Training-health findings in Simplified Chinese: every template a detector builds its message
 * from, every evidence label, inline-note word and editor text has a zh-cn translation with the
 * same slots; the findings of the recorded streams render completely in both languages; and the
 * editor's Problems entries, notes and view state come out in Chinese for a zh-cn client while
 * the CLI's JSON stays English with its stable codes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { healthDecorations, healthDiagnostics, healthViewState } from '../../src/client/training-health-model';
import { bundleFor, resolveLocale } from '../../src/explain/l10n';
import { HealthMonitor, findingsJson, parseStreamJsonl, type Finding } from '../../src/health';
import { NOTE_LABEL, NOTE_TEXT, inlineNote } from '../../src/health/editor';
import { findingMessage, findingTitle } from '../../src/health/findings';
import { EVIDENCE_LABELS, MESSAGES, UI_TEXT, evidenceLabel, messageIds, msg, renderMessage, slotsOf, uiText } from '../../src/health/messages';
import { parseToHealthView } from '../../src/protocol/pages/health';
import { SIGMOID_STACK } from './health-sources';
import { analyse } from './server-helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const STREAMS = path.join(ROOT, 'test', 'fixtures', 'streams');
const CJK = /[\u3400-\u9fff]/;
/** Chinese characters, or full-width punctuation (a template that is only slots and punctuation). */
const CHINESE = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;
const zh = bundleFor('zh-cn') ?? {};
const zhOf = (en: string): string | undefined => {
  if (!Object.prototype.hasOwnProperty.call(zh, en)) return undefined;
  const v = zh[en];
  return typeof v === 'string' ? v : v.message;
};

/** Every finding any recorded stream raises, symptoms included. */
function recordedFindings(): Finding[] {
  const out: Finding[] = [];
  for (const file of fs.readdirSync(STREAMS).filter((f) => f.endsWith('.jsonl')).sort()) {
    const m = new HealthMonitor();
    m.pushAll(parseStreamJsonl(fs.readFileSync(path.join(STREAMS, file), 'utf8')));
    out.push(...m.allFindings());
  }
  return out;
}

describe('finding texts have Simplified Chinese translations', () => {
  const catalogues: [string, Record<string, string>][] = [
    ['MESSAGES', MESSAGES],
    ['EVIDENCE_LABELS', EVIDENCE_LABELS],
    ['UI_TEXT', UI_TEXT],
    ['NOTE_LABEL', NOTE_LABEL],
    ['NOTE_TEXT', NOTE_TEXT],
  ];
  for (const [name, catalogue] of catalogues) {
    it(`translates every entry of ${name}, in Chinese, with the same slots`, () => {
      const missing: string[] = [];
      for (const [key, en] of Object.entries(catalogue)) {
        const text = zhOf(en);
        if (text === undefined || text.length === 0) {
          missing.push(`${key}: ${en}`);
          continue;
        }
        assert.match(text, CHINESE, `${key}: "${text}" has no Chinese characters or punctuation`);
        assert.deepEqual(slotsOf(text), slotsOf(en), `${key}: the slots differ`);
      }
      assert.deepEqual(missing, [], `no zh-cn translation for:\n${missing.join('\n')}`);
    });
  }

  it('uses every message template in some detector (none is dead)', () => {
    const dir = path.join(ROOT, 'src', 'health', 'detectors');
    const source = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    const unused = Object.keys(MESSAGES).filter((id) => !source.includes(`'${id}'`) && id !== 'thisOptimizer' && id !== 'namedItem');
    assert.deepEqual(unused, []);
  });

  it('renders the findings of every recorded stream in English (= message) and fully in Chinese', () => {
    const findings = recordedFindings();
    const codes = new Set(findings.map((f) => f.code));
    assert.ok(codes.size >= 12, `only ${codes.size} codes raised by the recorded streams`);
    const ids = new Set<string>();
    for (const f of findings) {
      assert.ok(f.messageParts && f.messageParts.length > 0, `${f.id}: no message parts`);
      assert.equal(renderMessage(f.messageParts, 'en'), f.message, f.id);
      for (const id of messageIds(f.messageParts)) ids.add(id);
      const text = findingMessage(f, 'zh-cn');
      assert.match(text, CJK, `${f.id}: ${text}`);
      assert.doesNotMatch(text, /\{\w+\}/, `${f.id}: a slot left unfilled in "${text}"`);
      // No English prose left: at most identifiers, numbers and short words (NaN, tfjs, fit()).
      assert.doesNotMatch(text, /\b[a-z]+ [a-z]+ [a-z]+\b/, `${f.id}: English words in "${text}"`);
      for (const k of Object.keys(f.evidence)) assert.match(evidenceLabel(k, 'zh-cn'), CJK, `${f.id}: evidence ${k}`);
      assert.match(inlineNote(f, 'zh-cn'), CJK, `${f.id}: note`);
    }
    assert.ok(ids.size >= 30, `only ${ids.size} templates exercised`);
  });

  it('renders nested clauses and lists the locale’s way', () => {
    const parts = [msg('highRate.damaged', { rate: msg('highRate.rateFor', { lr: 0.3, optimizer: msg('thisOptimizer') }), layers: msg('highRate.layers', { count: 2 }), list: [msg('namedItem', { name: 'a', text: msg('highRate.dead', { fraction: '80%' }) }), msg('namedItem', { name: 'b', text: 'x' })] })];
    assert.equal(renderMessage(parts, 'en'), 'The learning rate 0.3 is far too high for this optimizer: its oversized steps have already damaged 2 hidden layers (a: 80% dead units, b: x).');
    const text = renderMessage(parts, 'zh-cn');
    assert.match(text, /这个优化器/);
    assert.match(text, /a：80% 的单元已死亡、b：x/);
    // A finding written before messages had parts (or by a newer build) falls back to its English sentence.
    const old = { message: 'Old text.', messageParts: undefined };
    assert.equal(findingMessage(old, 'zh-cn'), 'Old text.');
    assert.equal(findingMessage({ message: 'Old text.', messageParts: [{ id: 'no-such-template' as never }] }, 'zh-cn'), 'Old text.');
  });
});

describe('the editor speaks the client’s language', () => {
  const SOURCE = SIGMOID_STACK;
  const graph = analyse({ 'model.ts': SOURCE }).analysis.models[0];
  const vanishing = recordedFindings().find((f) => f.code === 'vanishing-gradient')!;
  const f: Finding = { ...vanishing, layers: ['dense_Dense1', 'dense_Dense2'], line: 5 };
  const lineLength = (_f: string, line: number) => SOURCE.split('\n')[line]?.length;

  it('writes Problems entries and their related places in Chinese for a zh-cn client', () => {
    const locale = resolveLocale('zh-CN');
    assert.equal(locale, 'zh-cn');
    const [d] = healthDiagnostics([f], graph, lineLength, locale);
    assert.ok(d.message.startsWith(`${findingTitle('vanishing-gradient', 'zh-cn')}：到达 dense_Dense`), d.message);
    assert.match(d.message, /。修复建议：.+。$/);
    assert.doesNotMatch(d.message, /Gradients reaching|Fix:/);
    assert.match(d.related[0].message, /^dense_Dense2: ∇ 消失 · /);
    // English for every other language.
    const [en] = healthDiagnostics([f], graph, lineLength, resolveLocale('de'));
    assert.match(en.message, /^Vanishing gradients: Gradients reaching dense_Dense\d+ .*\. Fix: .+\.$/);
  });

  it('writes the inline notes and their hovers in Chinese', () => {
    const [deco] = healthDecorations([f], graph, 'zh-cn');
    assert.match(deco.note, /^∇ 消失 · /);
    assert.match(deco.hover[0], /^梯度消失：到达 dense_Dense/);
  });

  it('builds the view state in Chinese: title, message, note, evidence labels', () => {
    const state = healthViewState({ file: '/w/model.ts', model: graph, status: 'completed', step: 60 }, [f], 'zh-cn');
    assert.ok(parseToHealthView(state).ok);
    const [v] = state.findings;
    assert.equal(v.message, findingMessage(f, 'zh-cn'));
    assert.match(v.message, CJK);
    assert.match(v.note, /^∇ 消失/);
    for (const e of v.evidence) assert.match(e.name, CJK, e.name);
    assert.equal(state.locale, 'zh-cn');
  });

  it('keeps the CLI’s JSON English, with its stable codes and keys', () => {
    const json = findingsJson([f]);
    assert.deepEqual(Object.keys(json.findings[0]), ['code', 'severity', 'layers', 'line', 'step', 'evidence', 'fixes', 'message', 'explain']);
    assert.equal(json.findings[0].code, 'vanishing-gradient');
    assert.match(json.findings[0].message, /^Gradients reaching /);
  });

  it('words the editor texts around a finding in both languages', () => {
    assert.equal(uiText('badgeMany', 'en', { count: 3 }), '3 training problems');
    assert.equal(uiText('badgeMany', 'zh-cn', { count: 3 }), '3 个训练问题');
    assert.equal(evidenceLabel('laterGradNorm', 'en'), "later layers' gradient norm");
    assert.equal(evidenceLabel('someNewKey', 'en'), 'some new key');
  });
});
