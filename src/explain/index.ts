/**
 * Teaching explanations for what a learner hovers over: a tfjs layer, an activation string, a
 * loss, an optimizer, a regularizer, an initializer, or a cross-cutting concept.
 *
 *   explain('layer.LSTM', 'zh-cn')            → Explanation in Simplified Chinese
 *   explainLayer('Conv2D')                     → by tfjs class name (factory names work too)
 *   explainActivation('relu'), explainLoss('mse'), explainOptimizer('Adam')
 *   formatExplanationMarkdown(e)               → markdown for a hover
 *
 * The locale is an argument of every call and nothing global is changed (see ./l10n.ts for why).
 * Pure: no vscode import, no I/O.
 */
import { CONCEPTS, type ConceptEntry, type ConceptKind } from './concepts';
import { translate, type ExplainLocale } from './l10n';

export { CONCEPTS, type ConceptEntry, type ConceptKind } from './concepts';
export { EXPLAIN_LOCALES, bundleFor, resolveLocale, translate, type ExplainLocale } from './l10n';

/** A catalogue entry rendered in one locale. */
export interface Explanation {
  id: string;
  kind: ConceptKind;
  /** The locale of the text; undefined when the process-wide @vscode/l10n bundle chose it. */
  locale: ExplainLocale | undefined;
  title: string;
  summary: string;
  body: string;
  pitfall?: string;
  /** Plain-text math, the same in every locale. */
  formula?: string;
  /** Entries worth reading next, with their short titles in the same locale. */
  related: { id: string; title: string }[];
}

/** Labels used by formatExplanationMarkdown; English source strings like the catalogue's. */
const LABEL_PITFALL = 'Pitfall';
const LABEL_FORMULA = 'Formula';
const LABEL_RELATED = 'Related';

const byId = new Map<string, ConceptEntry>(CONCEPTS.map((c) => [c.id, c]));

/** Name normalisation for lenient look-ups: case, `_` and `-` do not matter (`glorot_uniform`). */
function fold(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** kind → folded name → id, for the lenient look-ups. */
const byFoldedName = new Map<ConceptKind, Map<string, string>>();
for (const c of CONCEPTS) {
  let names = byFoldedName.get(c.kind);
  if (!names) byFoldedName.set(c.kind, (names = new Map()));
  names.set(fold(c.id.slice(c.kind.length + 1)), c.id);
}

/** Spellings that do not fold onto an entry's own name. Keys are folded. */
const ALIASES: Partial<Record<ConceptKind, Record<string, string>>> = {
  layer: {
    // tf.layers factory names that differ from the class name by more than case.
    maxpool1d: 'MaxPooling1D',
    maxpool2d: 'MaxPooling2D',
    avgpool1d: 'AveragePooling1D',
    avgpooling1d: 'AveragePooling1D',
    avgpool2d: 'AveragePooling2D',
    avgpooling2d: 'AveragePooling2D',
    avgpool3d: 'AveragePooling3D',
    avgpooling3d: 'AveragePooling3D',
    globalmaxpool1d: 'GlobalMaxPooling1D',
    globalmaxpool2d: 'GlobalMaxPooling2D',
    // The class of tf.model(...) in tfjs and Keras.
    layersmodel: 'Model',
    functional: 'Model',
  },
  loss: {
    // Short names tfjs exports beside the full ones.
    mse: 'meanSquaredError',
    mae: 'meanAbsoluteError',
    mape: 'meanAbsolutePercentageError',
    msle: 'meanSquaredLogarithmicError',
    kld: 'kullbackLeiblerDivergence',
    cosine: 'cosineProximity',
    // tf.losses.* functions that compute the same thing as a compile string.
    absolutedifference: 'meanAbsoluteError',
    hingeloss: 'hinge',
    logloss: 'binaryCrossentropy',
    cosinedistance: 'cosineProximity',
  },
};

/** Prefixes a caller may leave on a name taken from source code. */
const PREFIXES: Partial<Record<ConceptKind, RegExp>> = {
  loss: /^(tf\.)?(losses|metrics)\./,
  optimizer: /^(tf\.)?train\./,
  regularizer: /^(tf\.)?regularizers\./,
  initializer: /^(tf\.)?initializers\./,
  layer: /^(tf\.)?layers\./,
};

function findId(kind: ConceptKind, name: string): string | undefined {
  const exact = `${kind}.${name}`;
  if (byId.has(exact)) return exact;
  const bare = name.trim().replace(PREFIXES[kind] ?? /^$/, '');
  const folded = fold(bare);
  const direct = byFoldedName.get(kind)?.get(folded);
  if (direct) return direct;
  const alias = ALIASES[kind]?.[folded];
  return alias === undefined ? undefined : `${kind}.${alias}`;
}

/** The part of a title before ` — `: `Conv2D — 2-D convolution` → `Conv2D`. */
function shortTitle(title: string): string {
  const cut = title.indexOf(' — ');
  return cut < 0 ? title : title.slice(0, cut);
}

function render(entry: ConceptEntry, locale: ExplainLocale | undefined): Explanation {
  const t = (s: string): string => translate(s, locale);
  const out: Explanation = {
    id: entry.id,
    kind: entry.kind,
    locale,
    title: t(entry.title),
    summary: t(entry.summary),
    body: t(entry.body),
    related: entry.related.flatMap((id) => {
      const r = byId.get(id);
      return r ? [{ id, title: shortTitle(t(r.title)) }] : [];
    }),
  };
  if (entry.pitfall !== undefined) out.pitfall = t(entry.pitfall);
  if (entry.formula !== undefined) out.formula = entry.formula;
  return out;
}

/**
 * The explanation with catalogue id `id` (e.g. `layer.Conv2D`, `concept.padding`) in `locale`,
 * or undefined for an unknown id. Without a locale, the process-wide @vscode/l10n bundle decides.
 */
export function explain(id: string, locale?: ExplainLocale): Explanation | undefined {
  const entry = byId.get(id);
  return entry ? render(entry, locale) : undefined;
}

function explainKind(kind: ConceptKind, name: string, locale: ExplainLocale | undefined): Explanation | undefined {
  const id = findId(kind, name);
  return id === undefined ? undefined : explain(id, locale);
}

/** A layer by tfjs class name (`Conv2D`, `LSTM`, `InputLayer`, `Sequential`) or factory name (`conv2d`, `maxPool2d`). */
export function explainLayer(className: string, locale?: ExplainLocale): Explanation | undefined {
  return explainKind('layer', className, locale);
}

/** An activation string as tfjs accepts it (`relu`, `hardSigmoid`/`hard_sigmoid`, `gelu_new`, …). */
export function explainActivation(name: string, locale?: ExplainLocale): Explanation | undefined {
  return explainKind('activation', name, locale);
}

/** A loss: a compile string (`categoricalCrossentropy`, `mse`), a snake_case Keras name, or a tf.losses function name. */
export function explainLoss(name: string, locale?: ExplainLocale): Explanation | undefined {
  return explainKind('loss', name, locale);
}

/** An optimizer: a compile string (`adam`, `RMSProp`, `SGD`) or a tf.train factory name (`momentum`). */
export function explainOptimizer(name: string, locale?: ExplainLocale): Explanation | undefined {
  return explainKind('optimizer', name, locale);
}

/** A regularizer factory or identifier: `l1`, `l2`, `l1l2`. */
export function explainRegularizer(name: string, locale?: ExplainLocale): Explanation | undefined {
  return explainKind('regularizer', name, locale);
}

/** An initializer identifier (`glorotUniform`, `heNormal`, `glorot_uniform`, `GlorotUniform`, …). */
export function explainInitializer(name: string, locale?: ExplainLocale): Explanation | undefined {
  return explainKind('initializer', name, locale);
}

/** Every catalogue id, optionally of one kind, in catalogue order. */
export function conceptIds(kind?: ConceptKind): string[] {
  return CONCEPTS.filter((c) => kind === undefined || c.kind === kind).map((c) => c.id);
}

/** Every English string this module shows (catalogue texts and labels): each needs a translation. */
export function sourceStrings(): string[] {
  const all = new Set<string>([LABEL_PITFALL, LABEL_FORMULA, LABEL_RELATED]);
  for (const c of CONCEPTS) {
    all.add(c.title);
    all.add(c.summary);
    all.add(c.body);
    if (c.pitfall !== undefined) all.add(c.pitfall);
  }
  return [...all];
}

/** Markdown for a hover: title, summary, body, then pitfall, formula and related entries when present. */
export function formatExplanationMarkdown(e: Explanation): string {
  // A Chinese label takes a full-width colon; decided from the label itself, so the process-wide
  // route (locale undefined) punctuates correctly too.
  const label = (s: string): string => {
    const text = translate(s, e.locale);
    return /[\u4e00-\u9fff]/.test(text) ? `**${text}**：` : `**${text}**: `;
  };
  const parts = [`**${e.title}**`, e.summary, e.body];
  if (e.pitfall !== undefined) parts.push(`⚠️ ${label(LABEL_PITFALL)}${e.pitfall}`);
  if (e.formula !== undefined) parts.push(`${label(LABEL_FORMULA)}\`${e.formula}\``);
  if (e.related.length > 0) parts.push(`${label(LABEL_RELATED)}${e.related.map((r) => r.title).join(' · ')}`);
  return parts.join('\n\n');
}
