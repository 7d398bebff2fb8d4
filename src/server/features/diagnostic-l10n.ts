/**
 * The analysis core's diagnostic messages in the client's locale. The core writes English only
 * (the CLI, the tests and the summary use `message` as it is) and knows no locale; this module
 * recognises a message by its code and its English wording, a template below with `{0}`, `{1}`…
 * where the user's names and numbers go, and renders the template's translation
 * (l10n/bundle.l10n.zh-cn.json, keyed by the template) with the same values. A message no
 * template matches stays English.
 *
 * Messages the engine reports for one layer carry its name in front (`conv2d_1 (Conv2D): …`,
 * `conv2d_1: …`); that prefix is kept and the rest is matched.
 *
 * Pure: no vscode import, no I/O.
 */
import { ENGLISH, type UiL10n } from './l10n';

/** English templates by diagnostic code, the more specific first. */
export const DIAGNOSTIC_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  'negative-output-size': [
    '{0} kernel {1} on input {2}, stride {3}, padding {4}: {5}',
    '{0} kernel {1} on input {2}, padding {3}: {4}',
    '{0} pool {1} on input {2}, stride {3}, padding {4}: {5}',
    '{0} pool {1} on input {2}, padding {3}: {4}',
    'Negative dimension size caused by adding layer {0} with input shape {1}: output {2}.',
    'ConvLSTM2D: a {0} kernel does not fit the {1} input; the output would be {2}.',
  ],
  'zero-output-size': [
    '{0} kernel {1} on input {2}, stride {3}, padding {4}: {5}',
    '{0} kernel {1} on input {2}, padding {3}: {4}',
    '{0} pool {1} on input {2}, stride {3}, padding {4}: {5}',
    '{0} pool {1} on input {2}, padding {3}: {4}',
  ],
  'wrong-input-rank': [
    '{0} expects input of rank ≥ {1}, got rank {2}: {3}.',
    '{0} expects input of rank ≥ {1}, got {2}.',
    '{0} expects {1} of rank {2} (e.g. {3}), got rank {4}: {5}.',
    'TimeDistributed expects an input of rank ≥ 3 ([batch, time, …]), got {0}.',
  ],
  'incompatible-input-shape': [
    'model {0} expects input {1}, got {2}.',
    'the layer was built on input {0} and is applied again to {1}; its {2} is {3} but this input would need {4}. A shared layer needs inputs of the same size.',
  ],
  'concat-axis-mismatch': ['Concatenate (axis {0}) requires inputs with matching shapes except for the concat axis, got {1}.'],
  'concat-axis-out-of-range': ['axis {0} is out of range for inputs {1}.', 'Concatenate: axis {0} is out of range for inputs {1}.'],
  'merge-shape-mismatch': [
    'inputs {0} cannot be broadcast together ({1} vs {2}).',
    '{0}: inputs {1} cannot be broadcast together ({2} vs {3}).',
  ],
  'reshape-size-mismatch': [
    'input has {0} values per sample but targetShape {1} holds {2}.',
    '{0} values per sample cannot fill targetShape {1}: {2} is not a multiple of {3}.',
    'Reshape: input has {0} values per sample but targetShape {1} holds {2}.',
    'Reshape: {0} values per sample cannot fill targetShape {1}: {2} is not a multiple of {3}.',
  ],
  'missing-input-shape': [
    'The first layer in a Sequential model must get an `inputShape` or `batchInputShape` argument ({0} has neither).',
    'An InputLayer should be passed either a `batchInputShape` or an `inputShape`.',
  ],
  'not-a-tfjs-layer': [
    'tf.layers.{0} does not exist in tfjs 4.22 (calling it throws a TypeError); did you mean tf.layers.{1}?',
    'tf.layers.{0} does not exist in tfjs 4.22 (calling it throws a TypeError).',
  ],
  'unsupported-layer': ['tf.layers.{0} is not a layer Layer Lens knows; shapes after it are unknown.'],
  // The static architecture checks (src/analysis/lint/checks.ts).
  'dense-without-activation': [
    "{0} (Dense, no activation) feeds {1} (Dense) directly: two linear layers collapse into one linear map, so the first adds parameters but no expressive power. Give it an activation, e.g. activation: 'relu'.",
  ],
  'softmax-single-unit': [
    "{0} applies softmax to a single unit: it always outputs exactly 1, so every gradient is 0 and the model cannot learn. Use activation: 'sigmoid' for one unit, or one unit per class.",
  ],
  'output-activation-loss-mismatch': [
    "{0} expects class probabilities that sum to 1, but {1} ends with activation {2}. Use activation: 'softmax' on the output layer.",
    "binaryCrossentropy expects a probability per unit, but {0} ends with activation 'softmax': softmax makes the units compete, so they cannot be independent yes/no probabilities. Use activation: 'sigmoid'.",
    "binaryCrossentropy expects a probability per unit, but {0} ends with activation {1}: {2} does not produce probabilities in [0, 1]. Use activation: 'sigmoid'.",
    '{0} expects probabilities, but {1} ends with activation {2}.',
  ],
  'dropout-last-layer': [
    "{0} is the last layer: dropout there randomly zeroes the model's predictions during training and does nothing at inference. Put dropout before the output layer.",
  ],
  'deep-saturating-stack': [
    "{0} layers in a row use {1} with no normalization or residual connection: their small derivatives multiply, so the first layers will barely learn (vanishing gradients). Prefer 'relu' in hidden layers, or add batchNormalization.",
  ],
  'parameter-heavy-layer': [
    "{0} holds {1}% of the model's parameters ({2} of {3}). Flatten → Dense multiplies every spatial position by every unit; a globalAveragePooling2d instead of flatten usually removes most of them.",
    "{0} holds {1}% of the model's parameters ({2} of {3}).",
  ],
  'extreme-learning-rate': [
    'Learning rate {0} is very high for {1} (above {2}): expect divergence. Try {3}.',
    'Learning rate {0} is very high for {1} (above {2}): expect a loss stuck high with dead units. Try {3}.',
    'Learning rate {0} is so low (below {1}) that the weights will barely move. Try {2}.',
  ],
};

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A template as an anchored regular expression, each `{n}` a lazy group; and the group order. */
function compile(template: string): { re: RegExp; order: number[] } {
  const order: number[] = [];
  const source = template
    .split(/(\{\d+\})/)
    .map((part) => {
      const m = /^\{(\d+)\}$/.exec(part);
      if (!m) return escape(part);
      order.push(Number(m[1]));
      return '([\\s\\S]+?)';
    })
    .join('');
  return { re: new RegExp(`^${source}$`), order };
}

const COMPILED = new Map<string, { template: string; re: RegExp; order: number[] }[]>(
  Object.entries(DIAGNOSTIC_TEMPLATES).map(([code, templates]) => [
    code,
    templates.map((template) => ({ template, ...compile(template) })),
  ]),
);

/** The template of `message` (the code's), and the values of its placeholders; undefined when none fits. */
export function matchTemplate(code: string, message: string): { template: string; values: string[] } | undefined {
  for (const { template, re, order } of COMPILED.get(code) ?? []) {
    const m = re.exec(message);
    if (!m) continue;
    const values: string[] = [];
    order.forEach((n, i) => (values[n] = m[i + 1]));
    return { template, values };
  }
  return undefined;
}

/** A layer's name in front of a message: `conv2d_1 (Conv2D): ` or `conv2d_1: `. */
const LAYER_PREFIX = /^([^\s:()]+(?: \([A-Za-z0-9_]+\))?: )([\s\S]+)$/;

/** The engine's English `message` of a diagnostic with `code`, in the language of `ui`. */
export function localizeDiagnosticMessage(code: string, message: string, ui: UiL10n): string {
  if (ui === ENGLISH) return message;
  const whole = matchTemplate(code, message);
  if (whole) return ui.t(whole.template, ...whole.values);
  const prefixed = LAYER_PREFIX.exec(message);
  const rest = prefixed && matchTemplate(code, prefixed[2]);
  if (prefixed && rest) return prefixed[1] + ui.t(rest.template, ...rest.values);
  return message;
}
