/**
 * The teaching catalogue (src/explain): coverage of everything tfjs accepts, complete and
 * orphan-free zh-cn translations, per-call locale selection, and originality against the
 * learner's notes the project grew from (shared/seeds beside the repository).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as l10n from '@vscode/l10n';
import { knownFactories, ruleForFactory } from '../../src/analysis/layers/registry';
import {
  CONCEPTS,
  bundleFor,
  conceptIds,
  explain,
  explainActivation,
  explainInitializer,
  explainLayer,
  explainLoss,
  explainOptimizer,
  explainRegularizer,
  formatExplanationMarkdown,
  resolveLocale,
  sourceStrings,
  type ConceptKind,
} from '../../src/explain';

const ROOT = path.resolve(__dirname, '..', '..');
const TFJS_LAYERS = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-layers', 'dist');
const BUNDLE_PATH = path.join(ROOT, 'l10n', 'bundle.l10n.zh-cn.json');
const SEEDS = path.resolve(ROOT, '..', 'shared', 'seeds');

const CJK = /[\u3400-\u9fff]/;
const zh = bundleFor('zh-cn') ?? {};
/** The zh-cn text of an English source string; '' when the bundle lacks it. */
const zhText = (en: string): string => {
  const v = Object.prototype.hasOwnProperty.call(zh, en) ? zh[en] : undefined;
  return v === undefined ? '' : typeof v === 'string' ? v : v.message;
};

function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** The quoted members of `export type <name> = 'a' | 'b' | …;` in a .d.ts file. */
function stringUnion(dts: string, name: string): string[] {
  const m = new RegExp(`export (?:declare )?type ${name} = ([^;]+);`).exec(dts);
  assert.ok(m, `type ${name} not found`);
  return [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]);
}

/** The keys of `export const <name> = { … };` in a tfjs dist .js file (shorthand or quoted). */
function objectKeys(js: string, name: string): string[] {
  const m = new RegExp(`export const ${name} = \\{([^}]*)\\}`).exec(js);
  assert.ok(m, `${name} not found`);
  return m[1]
    .split(',')
    .map((part) => part.split(':')[0].trim().replace(/^'|'$/g, ''))
    .filter((k) => k.length > 0);
}

describe('catalogue coverage', () => {
  it('has an entry for every layer class the engine registers, and every factory resolves to it', () => {
    const factories = knownFactories();
    assert.ok(factories.length > 50);
    for (const f of factories) {
      const className = ruleForFactory(f)!.className;
      assert.ok(explain(`layer.${className}`), `no entry layer.${className}`);
      assert.equal(explainLayer(className)?.id, `layer.${className}`);
      assert.equal(explainLayer(f)?.id, `layer.${className}`, `factory ${f}`);
    }
    // Classes the engine creates without a rule: the automatic input and the models.
    for (const c of ['InputLayer', 'Sequential', 'Model']) assert.ok(explainLayer(c), c);
  });

  it('has an entry for every activation string tfjs accepts (ActivationIdentifier and saved-config spellings)', () => {
    const identifiers = stringUnion(read(path.join(TFJS_LAYERS, 'keras_format', 'activation_config.d.ts')), 'ActivationIdentifier');
    assert.ok(identifiers.length >= 15);
    for (const a of identifiers) {
      assert.ok(explain(`activation.${a}`), `no entry activation.${a}`);
      assert.equal(explainActivation(a)?.id, `activation.${a}`);
    }
    const serialized = /activationOptions = \w*\(?\[([^\]]*)\]/.exec(read(path.join(TFJS_LAYERS, 'keras_format', 'activation_config.js')));
    assert.ok(serialized);
    const spellings = [...serialized[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
    assert.ok(spellings.includes('hard_sigmoid'));
    for (const a of spellings) assert.ok(explainActivation(a), `serialized activation ${a}`);
  });

  it('has an entry for every loss string compile accepts, and the tfjs aliases resolve', () => {
    const losses = read(path.join(TFJS_LAYERS, 'losses.js'));
    const names = objectKeys(losses, 'lossesMap');
    assert.ok(names.length >= 14);
    for (const l of names) {
      assert.ok(explain(`loss.${l}`), `no entry loss.${l}`);
      assert.equal(explainLoss(l)?.id, `loss.${l}`);
    }
    for (const [, alias, target] of losses.matchAll(/export const (\w+) = (\w+);/g)) {
      assert.equal(explainLoss(alias)?.id, `loss.${target}`, `alias ${alias}`);
    }
    assert.equal(explainLoss('huberLoss')?.id, 'loss.huberLoss');
    assert.equal(explainLoss('tf.losses.softmaxCrossEntropy')?.id, 'loss.softmaxCrossEntropy');
    assert.equal(explainLoss('binary_crossentropy')?.id, 'loss.binaryCrossentropy');
  });

  it('has an entry for every optimizer compile accepts, plus momentum', () => {
    const js = read(path.join(TFJS_LAYERS, 'optimizers.js'));
    const names = [...js.matchAll(/optimizerMap\['(\w+)'\]/g)].map((m) => m[1]);
    assert.ok(names.length >= 12);
    for (const o of names) assert.ok(explainOptimizer(o), `optimizer ${o}`);
    for (const o of ['sgd', 'momentum', 'rmsprop', 'adagrad', 'adadelta', 'adam', 'adamax']) {
      assert.equal(explainOptimizer(o)?.id, `optimizer.${o}`);
    }
    assert.equal(explainOptimizer('RMSProp')?.id, 'optimizer.rmsprop');
    assert.equal(explainOptimizer('tf.train.momentum')?.id, 'optimizer.momentum');
  });

  it('has an entry for every initializer identifier and every regularizer factory', () => {
    const js = read(path.join(TFJS_LAYERS, 'initializers.js'));
    const names = objectKeys(js, 'INITIALIZER_IDENTIFIER_REGISTRY_SYMBOL_MAP');
    assert.ok(names.length >= 15);
    for (const i of names) assert.equal(explainInitializer(i)?.id, `initializer.${i}`);
    assert.equal(explainInitializer('glorot_uniform')?.id, 'initializer.glorotUniform');
    assert.equal(explainInitializer('HeNormal')?.id, 'initializer.heNormal');
    for (const r of ['l1', 'l2', 'l1l2']) assert.equal(explainRegularizer(r)?.id, `regularizer.${r}`);
    assert.equal(explainRegularizer('L1L2')?.id, 'regularizer.l1l2');
  });

  it('has the cross-cutting concepts the hovers link to', () => {
    for (const c of [
      'residual', 'conv1x1', 'channels', 'pooling', 'padding', 'stride', 'receptiveField', 'vanishingGradient',
      'explodingGradient', 'overfitting', 'generalization', 'regularization', 'learningRateDecay', 'gates',
      'normalization', 'initialization', 'lenet', 'alexnet', 'vgg', 'googlenet', 'resnet',
    ]) {
      assert.ok(explain(`concept.${c}`), `concept.${c}`);
    }
  });

  it('returns undefined for unknown ids and names', () => {
    assert.equal(explain('layer.NoSuchLayer'), undefined);
    assert.equal(explainLayer('NoSuchLayer'), undefined);
    assert.equal(explainLoss('softmaxCrossEntropyWithTypo'), undefined);
  });
});

describe('catalogue integrity', () => {
  it('has unique ids of the form <kind>.<name>, non-empty texts and resolvable related ids', () => {
    const ids = new Set<string>();
    for (const c of CONCEPTS) {
      assert.ok(!ids.has(c.id), `duplicate ${c.id}`);
      ids.add(c.id);
      assert.ok(c.id.startsWith(`${c.kind}.`) && c.id.length > c.kind.length + 1, c.id);
      for (const [field, text] of [['title', c.title], ['summary', c.summary], ['body', c.body], ['pitfall', c.pitfall], ['formula', c.formula]] as const) {
        if (field === 'pitfall' || field === 'formula') {
          if (text === undefined) continue;
        }
        assert.ok(typeof text === 'string' && text.trim().length > 0, `${c.id}.${field} is empty`);
        assert.equal(text, text!.trim(), `${c.id}.${field} has stray whitespace`);
      }
      assert.ok(c.summary.length <= 200, `${c.id}: summary should be one line`);
      assert.ok(c.body.length <= 600, `${c.id}: body too long for a hover (${c.body.length})`);
      const sentences = c.body.split(/(?<=[.!?])\s+(?=[A-Z`'“(])/).length;
      assert.ok(sentences >= 1 && sentences <= 5, `${c.id}: ${sentences} sentences`);
      assert.ok(c.related.length > 0, `${c.id} relates to nothing`);
    }
    for (const c of CONCEPTS) {
      for (const r of c.related) {
        assert.ok(ids.has(r), `${c.id} → unknown ${r}`);
        assert.notEqual(r, c.id);
      }
    }
  });

  it('has no two names of one kind that fold onto each other (case, _ and -)', () => {
    const seen = new Map<string, string>();
    for (const c of CONCEPTS) {
      const key = `${c.kind}:${c.id.slice(c.kind.length + 1).toLowerCase().replace(/[_-]/g, '')}`;
      assert.ok(!seen.has(key), `${c.id} and ${seen.get(key)} collide`);
      seen.set(key, c.id);
    }
  });

  it('counts entries by kind', () => {
    const count = (k: ConceptKind): number => conceptIds(k).length;
    assert.equal(conceptIds().length, CONCEPTS.length);
    assert.ok(count('layer') >= 68 && count('activation') >= 15 && count('loss') >= 14);
    assert.equal(count('optimizer'), 7);
    assert.equal(count('regularizer'), 3);
    assert.ok(count('initializer') >= 15 && count('concept') >= 20);
  });
});

describe('zh-cn bundle', () => {
  const bundleOnDisk = JSON.parse(read(BUNDLE_PATH)) as Record<string, unknown>;

  it('is the file package.json names as the l10n folder', () => {
    const pkg = JSON.parse(read(path.join(ROOT, 'package.json'))) as { l10n?: string; dependencies?: Record<string, string> };
    assert.equal(pkg.l10n, './l10n');
    assert.ok(pkg.dependencies?.['@vscode/l10n'], '@vscode/l10n must be a runtime dependency');
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(bundleOnDisk).sort());
  });

  it('translates every English string, with a non-empty string', () => {
    const missing = sourceStrings().filter((s) => !Object.prototype.hasOwnProperty.call(zh, s));
    assert.deepEqual(missing, [], `untranslated:\n${missing.join('\n')}`);
    for (const s of sourceStrings()) assert.ok(zhText(s).trim().length > 0, `empty translation of "${s}"`);
  });

  it('has no orphans (keys that no catalogue string and no source file uses)', () => {
    const used = new Set(sourceStrings());
    // Strings localised elsewhere (vscode.l10n.t in the extension) share this bundle; such a key
    // counts as used when it appears verbatim in a source file outside src/explain.
    const others = collectSources(path.join(ROOT, 'src')).filter((f) => !f.includes(`${path.sep}explain${path.sep}`));
    const text = others.map(read).join('\n');
    const orphans = Object.keys(bundleOnDisk).filter((k) => !used.has(k) && !text.includes(k));
    assert.deepEqual(orphans, [], `orphan keys:\n${orphans.join('\n')}`);
  });

  it('writes the Chinese summaries, bodies and pitfalls in Chinese', () => {
    for (const c of CONCEPTS) {
      for (const s of [c.summary, c.body, c.pitfall]) {
        if (s === undefined) continue;
        assert.match(zhText(s), CJK, `${c.id}: "${zhText(s)}" has no CJK characters`);
        assert.notEqual(zhText(s), s, `${c.id}: untranslated`);
      }
    }
  });

  it('keeps the code spans of the English text', () => {
    for (const s of sourceStrings()) {
      const codes = (t: string): string[] => [...t.matchAll(/`[^`]+`/g)].map((m) => m[0]).sort();
      assert.deepEqual(codes(zhText(s)), codes(s), `code spans differ in "${s}"`);
    }
  });
});

describe('locale selection', () => {
  it('picks the bundle per call, with no state carried between calls', () => {
    const en1 = explain('layer.LSTM', 'en')!;
    const zh1 = explain('layer.LSTM', 'zh-cn')!;
    const en2 = explain('layer.LSTM', 'en')!;
    assert.equal(en1.locale, 'en');
    assert.equal(zh1.locale, 'zh-cn');
    assert.deepEqual(en2, en1);
    assert.doesNotMatch(en1.summary, CJK);
    assert.match(zh1.summary, CJK);
    assert.match(zh1.related.map((r) => r.title).join(' '), CJK);
    assert.equal(zh1.formula, en1.formula, 'formulas are not localised');
    assert.deepEqual(zh1.related.map((r) => r.id), en1.related.map((r) => r.id));
  });

  it('without a locale, follows the process-wide @vscode/l10n bundle and leaves it alone', () => {
    try {
      l10n.config({ contents: {} });
      assert.deepEqual(explain('concept.residual'), { ...explain('concept.residual', 'en')!, locale: undefined });
      l10n.config({ fsPath: BUNDLE_PATH });
      const viaProcess = explain('concept.residual')!;
      assert.equal(viaProcess.summary, explain('concept.residual', 'zh-cn')!.summary);
      // An explicit locale ignores the process bundle.
      assert.doesNotMatch(explain('concept.residual', 'en')!.summary, CJK);
      assert.match(formatExplanationMarkdown(viaProcess), /\*\*相关\*\*：/);
    } finally {
      l10n.config({ contents: {} });
    }
    assert.doesNotMatch(explain('concept.residual')!.summary, CJK);
  });

  it('maps VS Code display languages to catalogue locales', () => {
    for (const l of ['zh-cn', 'zh-CN', 'zh_CN', 'zh', 'zh-hans', 'zh-Hans-CN', 'zh-sg']) assert.equal(resolveLocale(l), 'zh-cn', l);
    for (const l of ['en', 'en-us', 'de', 'ja', 'zh-tw', 'zh-hant', '', undefined, null]) assert.equal(resolveLocale(l), 'en', String(l));
  });
});

describe('formatExplanationMarkdown', () => {
  it('renders title, summary, body, pitfall, formula and related entries', () => {
    const md = formatExplanationMarkdown(explain('layer.Conv2D', 'en')!);
    assert.match(md, /^\*\*Conv2D — 2-D convolution\*\*\n\n/);
    assert.match(md, /⚠️ \*\*Pitfall\*\*: /);
    assert.match(md, /\*\*Formula\*\*: `params = filters·\(kh·kw·inChannels \+ 1\)/);
    assert.match(md, /\*\*Related\*\*: Channels · Padding · Stride/);
    const zhMd = formatExplanationMarkdown(explain('layer.Conv2D', 'zh-cn')!);
    assert.match(zhMd, /^\*\*Conv2D — 二维卷积\*\*/);
    assert.match(zhMd, /⚠️ \*\*注意\*\*：/);
    assert.match(zhMd, /\*\*相关\*\*：通道 · 填充 · 步幅/);
  });

  it('leaves out the sections an entry lacks', () => {
    const e = explain('layer.Permute', 'en')!;
    assert.equal(e.pitfall, undefined);
    assert.equal(e.formula, undefined);
    const md = formatExplanationMarkdown(e);
    assert.doesNotMatch(md, /Pitfall|Formula/);
  });
});

describe('originality against the learner notes (shared/seeds)', () => {
  const seedsExist = fs.existsSync(SEEDS) && fs.statSync(SEEDS).isDirectory();
  const skip = seedsExist ? false : `seed notes not found at ${SEEDS}; originality check skipped`;

  /** Whitespace-free, lower-case, no bold markers: compared regardless of line breaks, spacing and emphasis. */
  const squash = (t: string): string => t.replace(/\*\*/g, '').replace(/\s+/g, '').toLowerCase();

  /** Sentences of a text in either language: split after . ! ? ; and their full-width forms. */
  function sentences(t: string): string[] {
    return t
      .split(/(?<=[。！？；])|(?<=[.!?;])\s+/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  /** Long enough to mean something: 8+ CJK characters, or 5+ words. */
  function substantial(s: string): boolean {
    const cjk = s.match(/[\u3400-\u9fff]/g)?.length ?? 0;
    return cjk >= 8 || (cjk === 0 && s.split(/\s+/).length >= 5);
  }

  it('copies no sentence, in either language, from the notes', { skip }, () => {
    const seedText = squash(
      fs
        .readdirSync(SEEDS)
        .filter((f) => f.endsWith('.txt'))
        .map((f) => read(path.join(SEEDS, f)))
        .join('\n'),
    );
    assert.ok(seedText.length > 1000, 'the seed notes are unexpectedly empty');
    const copied: string[] = [];
    let checked = 0;
    for (const en of sourceStrings()) {
      for (const s of [...sentences(en), ...sentences(zhText(en))]) {
        if (!substantial(s)) continue;
        checked++;
        // Drop the final punctuation so that a sentence ending differently still counts.
        const core = squash(s).replace(/[.!?;。！？；]$/, '');
        if (seedText.includes(core)) copied.push(s);
      }
    }
    assert.ok(checked > 500, `only ${checked} sentences checked`);
    assert.deepEqual(copied, [], `sentences found verbatim in the seed notes:\n${copied.join('\n')}`);
  });

  it('shares no run of 12 or more Chinese characters with the notes', { skip }, () => {
    const seedCjk = fs
      .readdirSync(SEEDS)
      .filter((f) => f.endsWith('.txt'))
      .map((f) => read(path.join(SEEDS, f)).replace(/\*\*/g, '').replace(/\s+/g, ''))
      .join('\n');
    const shared: string[] = [];
    for (const en of sourceStrings()) {
      for (const run of zhText(en).match(/[\u3400-\u9fff，、]{12,}/g) ?? []) {
        for (let i = 0; i + 12 <= run.length; i++) {
          const piece = run.slice(i, i + 12);
          if (seedCjk.includes(piece)) {
            shared.push(piece);
            break;
          }
        }
      }
    }
    assert.deepEqual(shared, [], `phrases shared with the seed notes:\n${shared.join('\n')}`);
  });
});

function collectSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...collectSources(full));
    else if (/\.(ts|js|mjs)$/.test(entry.name)) out.push(full);
  }
  return out;
}
