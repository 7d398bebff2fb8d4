/**
 * The words of a finding, as data that any locale can render.
 *
 * A detector does not write its sentence as one English string: it picks templates from
 * `MESSAGES` (English text with named slots, `{layer}`) and fills the slots with values —
 * numbers already formatted (`fmt`, `pct`), layer and optimizer names, or further templates
 * for the clauses that only some runs have (` The layer also blocks …`). The finding keeps
 * both: `message`, the English sentence (what `layer-lens train --json` prints), and
 * `messageParts`, the templates with their values, from which the editor renders the sentence
 * in the client's display language (`findingMessage(f, locale)`).
 *
 * Translations live in l10n/bundle.l10n.zh-cn.json keyed by the English template, like every
 * other string of the extension; `translate` picks the bundle per call, so no locale is ever
 * stored in a module. The Chinese template may put the slots in another order.
 *
 * The same goes for the short words around a finding: the evidence labels (`EVIDENCE_LABELS`)
 * and the texts the editor puts around a message (`UI_TEXT`).
 */
import { translate, type ExplainLocale } from '../explain/l10n';

/** Every template a finding's message is built from (English source text, slots in braces). */
export const MESSAGES = {
  // vanishing-gradient
  'vanishing.main':
    'Gradients reaching {layer} are {ratio}× those of the layers after it ({layers} below {threshold}×): the first layers barely learn.',
  'vanishing.earlyLayer': '{count} early layer',
  'vanishing.earlyLayers': '{count} early layers',
  'vanishing.saturatingOne': ' {count} hidden layer uses a saturating activation.',
  'vanishing.saturatingMany': ' {count} hidden layers use a saturating activation.',
  // exploding-gradient
  'exploding.nonFinite': 'Gradients became NaN/Infinity at step {step}{where} ({nan} NaN, {inf} Infinity values){growth}.',
  'exploding.everyLayer': ' in every layer at once, from the loss backwards',
  'exploding.firstIn': ', first in {layer}',
  'exploding.grownBefore': '; the gradient norm had grown {growth}× before',
  'exploding.growth':
    'The gradient norm grew {growth}× since the start of training ({from} → {to}){where}: updates are getting larger every step.',
  'exploding.fastestIn': ', fastest in {layer}',
  // dead-relu
  'deadRelu.main': '{fraction} of the units of {layer}{count} output 0 for every probe sample: they get no gradient and will not recover.',
  'deadRelu.count': ' ({dead} of {total})',
  'deadRelu.blocks': ' The layer also blocks the gradient of every layer before it.',
  'deadRelu.highRate': ' The learning rate ({lr}) is high for {optimizer}.',
  // saturated-activation
  'saturation.main':
    '{fraction} of the outputs of {layer} ({activation}) sit at the ends of its range, where its slope is almost 0: those units pass back almost no gradient.',
  // divergence, oscillation, learning-rate-too-high
  'divergence.nonFinite': 'The loss went from {initial} to NaN/Infinity at step {step}{rate}: training diverged.',
  'divergence.rate': ' (learning rate {lr})',
  'divergence.rateOptimizer': ' (learning rate {lr}, {optimizer})',
  'divergence.climb': 'The loss climbed from {initial} to {recent} ({factor}×){rate}: each step overshoots and makes things worse.',
  'divergence.withRate': ' with learning rate {lr}',
  'oscillation.main':
    'The loss swings by {spread}× its level from batch to batch (median {median}, started at {initial}) without settling{rate}.',
  'oscillation.rate': ': learning rate {lr} is probably too high',
  'highRate.stuck': 'The loss is stuck at {loss} (started at {initial}){ratio}: {rate}.',
  'highRate.ratio': ' while each step changes the weights by {ratio}× their size',
  'highRate.rateFor': 'learning rate {lr} is far too high for {optimizer}',
  'highRate.rateUnknown': 'the learning rate is far too high',
  'highRate.damaged': 'The {rate}: its oversized steps have already damaged {layers} ({list}).',
  'highRate.oneLayer': 'a hidden layer',
  'highRate.layers': '{count} hidden layers',
  'highRate.dead': '{fraction} dead units',
  'highRate.saturated': '{fraction} saturated outputs',
  // loss-not-decreasing
  'plateau.flat':
    'The loss has not changed at all in {count} steps ({loss}): no update reaches the weights, or the output does not depend on them.',
  'plateau.main': 'After {steps} steps the loss is {recent}, {change}{chance}.',
  'plateau.below': 'only {fraction} below where it started ({initial})',
  'plateau.above': '{fraction} above where it started ({initial})',
  'plateau.chance': ', the level of guessing among {classes} classes',
  // unchanged-weights
  'unchanged.allFrozen':
    "None of the model's {total} parameters is trainable: every layer is frozen (trainable: false), so training cannot change anything.",
  'unchanged.all': 'No weight of the model has changed in the last {reports} reports: {why}. The model cannot learn.',
  'unchanged.layer': "{layer}'s weights have not changed{window}: {cause}.",
  'unchanged.window': ' in the last {reports} reports',
  'unchanged.frozen': 'it is frozen (trainable: false), so the optimizer never sees it',
  'unchanged.frozenAtInit':
    'it is frozen (trainable: false) but nothing in the code loads trained weights into it (no loadLayersModel, setWeights or layers of another model), so its {params} parameters keep their random initial values for the whole run',
  'unchanged.zeroRate': 'the learning rate is 0 (or too small to change float32 weights)',
  'unchanged.noGradient': 'its gradient is exactly 0: nothing connects it to the loss, or a layer after it blocks the gradient',
  'unchanged.noUpdate': 'the optimizer does not apply its gradient',
  'unchanged.neverReported': 'it never reached the optimizer: it is frozen at run time or not connected to the outputs',
  'unchanged.everyFrozen': 'every layer is frozen (trainable: false)',
  'unchanged.everyZero': 'every gradient is exactly 0',
  'unchanged.noneReported': 'no layer ever reached the optimizer',
  'unchanged.softmaxOne': '{layer} applies softmax to a single unit, which always outputs exactly 1, so every gradient is 0',
  'unchanged.clipped':
    'the output probabilities are pinned at exactly 0 and 1 (loss ≈ 16.1 × the fraction wrong): tfjs clips the cross-entropy there and the clip passes no gradient',
  'unchanged.noUpdates': 'no layer receives an update',
  // update-ratio-high, update-ratio-low
  'updateRatio.high':
    "Each step changes {layer}'s weights by {ratio}× their size (healthy is about {healthy}×){others}: the learning rate{lr} is too high for these weights.",
  'updateRatio.otherLayer': ', and {count} other layer too',
  'updateRatio.otherLayers': ', and {count} other layers too',
  'updateRatio.rate': ' ({lr})',
  'updateRatio.low':
    'Each step changes the weights by only {ratio}× their size (median over {count} layers; healthy is about {healthy}×): training barely moves them{lr}.',
  'updateRatio.lowRate': '; the learning rate is {lr}',
  // overfitting, underfitting
  'overfitting.rise':
    'Validation loss rose from {best} (epoch {epoch}) to {latest} while training loss fell to {train}: the model is memorising the training set.',
  'overfitting.gap':
    'Training accuracy is {accuracy} but validation accuracy only {validation}: the model does not generalise what it learned.',
  'underfitting.main':
    'After {steps} steps the training accuracy is {accuracy}, about what guessing gives ({chance}{classes}), and it is not improving.',
  'underfitting.classes': ' with {count} classes',
  'underfitting.labelsUnrelated':
    ' The model has {params} trainable parameters for {samples} training samples and its gradients flow, yet it does not fit even the training data: the labels may not depend on the inputs. Check that the data pipeline keeps x and y aligned (joins, sorting, filtering) and shuffles them together.',
  // inputs-not-normalized, non-finite-inputs
  'inputs.nonFiniteOne': 'Input {input} holds {count} NaN/Infinity value: every loss and gradient it touches becomes NaN.',
  'inputs.nonFiniteMany': 'Input {input} holds {count} NaN/Infinity values: every loss and gradient they touch becomes NaN.',
  'inputs.range':
    "Input values range over [{min}, {max}] (mean {mean}, std {std}){pixels}: large inputs saturate units and make the first layer's gradients huge; scale them to about [0, 1] or mean 0, std 1.",
  'inputs.pixels': ', like raw 0–255 pixels',
  'inputs.firstLayer':
    "{layer}'s outputs have mean {mean} and std {std} at step {step}, about 100× what normalised inputs give: the inputs are probably not scaled (e.g. raw 0–255 pixels).",
  // label-loss-mismatch
  'labels.categoricalIndices':
    'categoricalCrossentropy expects one-hot rows{width}, but the labels are class indices (one integer per sample, {min}…{max}){engine}.',
  'labels.rowWidth': ' of {units} values',
  'labels.engineOneHot': '; Layer Lens one-hot encoded them for this run, your own fit() call would get them as they are',
  'labels.categoricalRange': 'categoricalCrossentropy expects probabilities, but the targets range over [{min}, {max}].',
  'labels.multiLabel':
    'categoricalCrossentropy expects one class per sample (rows summing to 1), but some rows have several 1s or none (multi-label targets).',
  'labels.sparseOneHot':
    'sparseCategoricalCrossentropy expects one class index per sample, but the labels are one-hot rows of {width} values.',
  'labels.sparseRange':
    'sparseCategoricalCrossentropy expects integer class indices in [0, {last}], but the labels range over [{min}, {max}]{notWhole}.',
  'labels.notWhole': ' and are not whole numbers',
  'labels.binaryRange':
    'binaryCrossentropy expects targets in [0, 1], but they range over [{min}, {max}]{hint}: the loss can go negative and training follows it the wrong way.',
  'labels.classIndices': ' (class indices?)',
  'labels.negativeLoss':
    'The {loss} loss went negative ({value} at step {step}), which targets in [0, 1] can never produce: the labels are outside the range the loss expects.',
  // shared
  thisOptimizer: 'this optimizer',
  namedItem: '{name}: {text}',
} as const;

export type MessageId = keyof typeof MESSAGES;

/** A value for a slot: text as it is, a number, another template, or a list (joined the locale's way). */
export type MessageArg = string | number | MessagePart | MessageArg[];

/** One template with its values. */
export interface MessagePart {
  id: MessageId;
  args?: Record<string, MessageArg>;
}

/** A template with its values: `msg('deadRelu.count', { dead: 19, total: 32 })`. */
export function msg(id: MessageId, args?: Record<string, MessageArg>): MessagePart {
  return args ? { id, args } : { id };
}

/** The same template when a condition holds, else nothing (an empty slot). */
export function when(condition: boolean, part: () => MessagePart): MessageArg {
  return condition ? part() : '';
}

/** Fills the `{name}` slots of a template with already rendered values (unknown slots stay as written). */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole,
  );
}

/** The names of the slots of a template, sorted. */
export function slotsOf(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

function renderArg(arg: MessageArg, locale: ExplainLocale): string {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'number') return String(arg);
  if (Array.isArray(arg)) return arg.map((a) => renderArg(a, locale)).join(locale === 'zh-cn' ? '、' : ', ');
  return renderPart(arg, locale);
}

/** One template in a locale, its slots filled. An id this build does not know renders as nothing. */
export function renderPart(part: MessagePart, locale: ExplainLocale): string {
  const template = Object.prototype.hasOwnProperty.call(MESSAGES, part.id) ? MESSAGES[part.id] : undefined;
  if (template === undefined) return '';
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(part.args ?? {})) values[k] = renderArg(v, locale);
  return fill(translate(template, locale), values);
}

/** Templates one after the other: the whole message in a locale. */
export function renderMessage(parts: readonly MessagePart[], locale: ExplainLocale): string {
  return parts.map((p) => renderPart(p, locale)).join('');
}

/** Every template id a message uses, nested ones included. */
export function messageIds(parts: readonly MessageArg[]): MessageId[] {
  const out: MessageId[] = [];
  const walk = (a: MessageArg): void => {
    if (typeof a === 'string' || typeof a === 'number') return;
    if (Array.isArray(a)) return a.forEach(walk);
    out.push(a.id);
    Object.values(a.args ?? {}).forEach(walk);
  };
  parts.forEach(walk);
  return out;
}

/**
 * What each number of a finding's evidence is, in words (the Training Health view lists them).
 * A detector can only report evidence under one of these keys (`EvidenceKey`).
 */
export const EVIDENCE_LABELS = {
  accuracy: 'accuracy',
  baselineGradNorm: 'starting gradient norm',
  bestEpoch: 'best epoch',
  bestValLoss: 'best validation loss',
  chance: 'accuracy of guessing',
  chanceLoss: 'loss of guessing',
  classes: 'classes',
  clippedLossEstimate: 'loss if clipped',
  deadFraction: 'share of dead units',
  deadUnits: 'dead units',
  epoch: 'epoch',
  factor: 'growth factor',
  firstLayerMean: 'first layer output mean',
  firstLayerStd: 'first layer output std',
  fracSaturated: 'share of saturated outputs',
  fracZero: 'share of zero outputs',
  frozen: 'frozen',
  frozenParams: 'parameters left at their initial values',
  gap: 'gap',
  gradNorm: 'gradient norm',
  growth: 'growth',
  healthy: 'healthy ratio',
  improvement: 'improvement',
  infCount: 'Infinity values',
  initialLoss: 'initial loss',
  input: 'input',
  integer: 'whole numbers',
  lastDim: 'target width',
  lastFiniteGradNorm: 'last finite gradient norm',
  lastFiniteLoss: 'last finite loss',
  laterGradNorm: "later layers' gradient norm",
  layerGrowth: 'growth of that layer',
  layersAffected: 'layers affected',
  layersDamaged: 'layers damaged',
  learningRate: 'learning rate',
  loss: 'loss',
  lossProgress: 'loss progress',
  max: 'max',
  mean: 'mean',
  medianLoss: 'median loss',
  min: 'min',
  nanCount: 'NaN values',
  nonFinite: 'NaN/Infinity values',
  oneHot: 'one-hot rows',
  output: 'output',
  outputUnits: 'output units',
  peakGradNorm: 'peak gradient norm',
  perElement: 'compared per weight',
  pixelLike: 'looks like pixels',
  probes: 'probes',
  probeStep: 'probe step',
  progress: 'progress',
  ratio: 'gradient ratio to later layers',
  recentLoss: 'recent loss',
  reports: 'reports',
  spread: 'spread',
  std: 'std',
  step: 'step',
  steps: 'steps',
  samples: 'training samples',
  minGradNorm: 'smallest gradient norm (healthy)',
  totalParams: 'parameters',
  trainableParams: 'trainable parameters',
  trainLoss: 'training loss',
  trendPer100Steps: 'trend per 100 steps',
  units: 'units',
  updateRatio: 'update/weight ratio',
  valAccuracy: 'validation accuracy',
  valLoss: 'validation loss',
  worstRatio: 'worst ratio',
} as const;

export type EvidenceKey = keyof typeof EVIDENCE_LABELS;

/** The evidence a detector reports: known keys only, missing or non-finite values dropped later. */
export type EvidenceDraft = Partial<Record<EvidenceKey, number | null | undefined>>;

/** An evidence key in words, in a locale (`laterGradNorm` → `later grad norm` for a key this build does not know). */
export function evidenceLabel(key: string, locale: ExplainLocale): string {
  const label = Object.prototype.hasOwnProperty.call(EVIDENCE_LABELS, key) ? EVIDENCE_LABELS[key as EvidenceKey] : undefined;
  if (label !== undefined) return translate(label, locale);
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/\bval\b/gi, 'validation')
    .toLowerCase();
}

/** The editor's words around a finding: Problems, hovers, notes, the view's badge, notifications. */
export const UI_TEXT = {
  /** A Problems entry and a hover line: the title, then the message. */
  titled: '{title}: {message}',
  fix: ' Fix: {fix}.',
  /** A related place of a Problems entry without a layer. */
  here: 'here',
  /** Findings of a run whose code has been edited since. */
  staleProblem: 'Before your edit, retrain to confirm. {text}',
  staleNote: 'before your edit',
  staleHover: 'From the run before your edit: train again to see whether it still holds.',
  badgeOne: '{count} training problem',
  badgeMany: '{count} training problems',
  notAnEdit: 'Layer Lens: "{fix}" is not an edit Layer Lens can make in the code; see why in the Training Health view.',
  cannotWrite:
    'Layer Lens: "{fix}" cannot be written into this code automatically (the layer or the compile call is not written where Layer Lens can edit it).',
  /** Quick-fix titles that say where the edit goes. */
  fixAfter: '{fix} (after {layer})',
  fixBefore: '{fix} (before {layer})',
  fixLayers: '{fix} ({count} layers)',
} as const;

/** An editor text in a locale, its slots filled. */
export function uiText(key: keyof typeof UI_TEXT, locale: ExplainLocale, values: Record<string, string | number> = {}): string {
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) strings[k] = String(v);
  return fill(translate(UI_TEXT[key], locale), strings);
}
