/**
 * Static architecture checks: problems visible in the model's structure and compile
 * settings before it ever trains. Each check is a pure function of the ModelGraph and
 * returns diagnostics at the layer (or compile call) concerned. Thresholds are named
 * constants with the reasoning next to them.
 */
import type { Diagnostic, LayerNode, ModelGraph } from '../graph';

/** Layers that compute nothing learnable and pass values through (for "consecutive" checks). */
const PASS_THROUGH = new Set(['Dropout', 'GaussianDropout', 'GaussianNoise', 'AlphaDropout', 'SpatialDropout1D', 'Reshape', 'Flatten', 'Permute']);
const NORMALIZATION = new Set(['BatchNormalization', 'LayerNormalization']);
const SATURATING = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign']);
const PROBABILITY_LOSSES = new Set(['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'kullbackLeiblerDivergence']);

/**
 * Five saturating layers in a row: each sigmoid scales gradients by at most 0.25, so five
 * of them already shrink a gradient by ~1000× (tanh's bound of 1 is reached only at 0).
 */
export const SATURATING_STACK_MIN = 5;
/** A layer holding more than this share of all parameters dominates memory and overfitting risk. */
export const HEAVY_LAYER_SHARE = 0.5;
/** …but only worth saying when the model is big enough for it to matter. */
export const HEAVY_LAYER_MIN_PARAMS = 1_000_000;
/**
 * Adaptive optimizers are stable around 1e-4…1e-2; above 0.1 they stall with dead units
 * rather than diverge. Plain SGD tolerates more, up to ~1 for normalized inputs.
 */
export const MAX_ADAPTIVE_LR = 0.1;
export const MAX_SGD_LR = 1;
/** Below this nothing visibly moves within a normal training budget. */
export const MIN_LR = 1e-6;

/** The activation a layer applies to its output, as a tfjs name; undefined when it has none of its own. */
export function activationOf(l: LayerNode): string | undefined {
  switch (l.className) {
    case 'ReLU':
      return 'relu';
    case 'Softmax':
      return 'softmax';
    case 'LeakyReLU':
      return 'leakyReLU';
    case 'ELU':
      return 'elu';
    case 'PReLU':
      return 'prelu';
    case 'ThresholdedReLU':
      return 'thresholdedReLU';
  }
  const a = l.config.activation;
  if (typeof a === 'string') return a;
  if (a === undefined && ['Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'SeparableConv2D', 'DepthwiseConv2D'].includes(l.className)) return 'linear';
  return undefined;
}

interface Topology {
  byId: Map<string, LayerNode>;
  consumers: Map<string, LayerNode[]>;
}

function topology(g: ModelGraph): Topology {
  const byId = new Map(g.layers.map((l) => [l.id, l]));
  const consumers = new Map<string, LayerNode[]>();
  g.layers.forEach((l, i) => {
    // A Sequential's layers feed each other in order even when a nested model hides the link.
    const inbound = g.kind === 'sequential' && i > 0 ? [g.layers[i - 1].id] : l.inbound;
    for (const id of inbound) consumers.set(id, [...(consumers.get(id) ?? []), l]);
  });
  return { byId, consumers };
}

/** The single layer `l` feeds, skipping pass-through layers; undefined at a branch or the end. */
function next(t: Topology, l: LayerNode): LayerNode | undefined {
  let cur = l;
  for (;;) {
    const c = t.consumers.get(cur.id) ?? [];
    if (c.length !== 1) return undefined;
    if (!PASS_THROUGH.has(c[0].className)) return c[0];
    cur = c[0];
  }
}

function at(l: LayerNode, severity: Diagnostic['severity'], code: string, message: string): Diagnostic {
  return { severity, code, message, range: l.range ?? l.applyRanges[0] };
}

/** Dense → Dense with no nonlinearity between: two linear maps are one linear map. */
function stackedLinearDense(g: ModelGraph, t: Topology): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const l of g.layers) {
    if (l.className !== 'Dense' || activationOf(l) !== 'linear') continue;
    const n = next(t, l);
    if (n?.className === 'Dense') {
      out.push(
        at(
          l,
          'warning',
          'dense-without-activation',
          `${l.name} (Dense, no activation) feeds ${n.name} (Dense) directly: two linear layers collapse into one linear map, so the first adds parameters but no expressive power. Give it an activation, e.g. activation: 'relu'.`,
        ),
      );
    }
  }
  return out;
}

function outputLayers(g: ModelGraph, t: Topology): LayerNode[] {
  if (g.kind === 'sequential') return g.layers.length ? [g.layers[g.layers.length - 1]] : [];
  return g.layers.filter((l) => l.className !== 'InputLayer' && !(t.consumers.get(l.id)?.length));
}

function lastUnits(l: LayerNode): number | null {
  const s = l.outputShape;
  if (!s || (s.length > 0 && Array.isArray(s[0]))) return null;
  const last = (s as (number | null)[])[s.length - 1];
  return typeof last === 'number' ? last : null;
}

/** Output activation that cannot produce what the loss expects. */
function outputVsLoss(g: ModelGraph, t: Topology): Diagnostic[] {
  const out: Diagnostic[] = [];
  const outputs = outputLayers(g, t);
  const losses = g.compile?.loss;
  outputs.forEach((o, i) => {
    const act = activationOf(o);
    const units = lastUnits(o);
    if (act === 'softmax' && units === 1) {
      out.push(at(o, 'error', 'softmax-single-unit', `${o.name} applies softmax to a single unit: it always outputs exactly 1, so every gradient is 0 and the model cannot learn. Use activation: 'sigmoid' for one unit, or one unit per class.`));
    }
    const loss = Array.isArray(losses) ? losses[i] : losses;
    if (!loss || act === undefined) return;
    if ((loss === 'categoricalCrossentropy' || loss === 'sparseCategoricalCrossentropy') && act !== 'softmax') {
      out.push(at(o, 'warning', 'output-activation-loss-mismatch', `${loss} expects class probabilities that sum to 1, but ${o.name} ends with activation '${act}'. Use activation: 'softmax' on the output layer.`));
    } else if (loss === 'binaryCrossentropy' && act !== 'sigmoid') {
      const why = act === 'softmax' ? (units !== null && units > 1 ? 'softmax makes the units compete, so they cannot be independent yes/no probabilities' : '') : `'${act}' does not produce probabilities in [0, 1]`;
      if (why) out.push(at(o, 'warning', 'output-activation-loss-mismatch', `binaryCrossentropy expects a probability per unit, but ${o.name} ends with activation '${act}': ${why}. Use activation: 'sigmoid'.`));
    } else if (PROBABILITY_LOSSES.has(loss) && (act === 'relu' || act === 'linear')) {
      out.push(at(o, 'warning', 'output-activation-loss-mismatch', `${loss} expects probabilities, but ${o.name} ends with activation '${act}'.`));
    }
  });
  return out;
}

function dropoutLast(g: ModelGraph): Diagnostic[] {
  const last = g.kind === 'sequential' ? g.layers[g.layers.length - 1] : undefined;
  if (last && /Dropout$/.test(last.className)) {
    return [at(last, 'warning', 'dropout-last-layer', `${last.name} is the last layer: dropout there randomly zeroes the model's predictions during training and does nothing at inference. Put dropout before the output layer.`)];
  }
  return [];
}

/** Long chains of saturating activations with no normalization or shortcut in between. */
function saturatingStack(g: ModelGraph): Diagnostic[] {
  if (g.layers.some((l) => l.className === 'Add')) return [];
  const out: Diagnostic[] = [];
  let run: LayerNode[] = [];
  const flush = () => {
    if (run.length >= SATURATING_STACK_MIN) {
      out.push(
        at(
          run[0],
          'warning',
          'deep-saturating-stack',
          `${run.length} layers in a row use ${[...new Set(run.map(activationOf))].join('/')} with no normalization or residual connection: their small derivatives multiply, so the first layers will barely learn (vanishing gradients). Prefer 'relu' in hidden layers, or add batchNormalization.`,
        ),
      );
    }
    run = [];
  };
  for (const l of g.layers) {
    const act = activationOf(l);
    if (NORMALIZATION.has(l.className)) flush();
    else if (act !== undefined && SATURATING.has(act)) run.push(l);
    else if (act !== undefined) flush();
  }
  flush();
  return out;
}

/** Embedding tables are expected to dominate a text model; nested models are judged on their own. */
function heavyLayer(g: ModelGraph, t: Topology): Diagnostic[] {
  const total = g.totals.total;
  if (total === null || total < HEAVY_LAYER_MIN_PARAMS) return [];
  const out: Diagnostic[] = [];
  g.layers.forEach((l, i) => {
    const p = l.params.total;
    if (p === null || p / total <= HEAVY_LAYER_SHARE || l.nestedModelId || l.className === 'Embedding') return;
    const share = Math.round((100 * p) / total);
    const fedBy = g.kind === 'sequential' ? g.layers[i - 1] : t.byId.get(l.inbound[0] ?? '');
    const hint = l.className === 'Dense' && fedBy?.className === 'Flatten' ? ' Flatten → Dense multiplies every spatial position by every unit; a globalAveragePooling2d instead of flatten usually removes most of them.' : '';
    out.push(at(l, 'info', 'parameter-heavy-layer', `${l.name} holds ${share}% of the model's parameters (${p.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}).${hint}`));
  });
  return out;
}

function learningRate(g: ModelGraph): Diagnostic[] {
  const c = g.compile;
  if (!c || typeof c.learningRate !== 'number' || !c.optimizer) return [];
  const lr = c.learningRate;
  const sgdLike = c.optimizer === 'sgd' || c.optimizer === 'momentum';
  const max = sgdLike ? MAX_SGD_LR : MAX_ADAPTIVE_LR;
  const where: Diagnostic = { severity: 'warning', code: 'extreme-learning-rate', message: '', range: c.range };
  if (lr > max) return [{ ...where, message: `Learning rate ${lr} is very high for ${c.optimizer} (above ${max}): expect ${sgdLike ? 'divergence' : 'a loss stuck high with dead units'}. Try ${sgdLike ? '0.01' : '0.001'}.` }];
  if (lr < MIN_LR) return [{ ...where, message: `Learning rate ${lr} is so low (below ${MIN_LR}) that the weights will barely move. Try ${sgdLike ? '0.01' : '0.001'}.` }];
  return [];
}

/** Every static check over one model. */
export function lintModel(g: ModelGraph): Diagnostic[] {
  const t = topology(g);
  return [...stackedLinearDense(g, t), ...outputVsLoss(g, t), ...dropoutLast(g), ...saturatingStack(g), ...heavyLayer(g, t), ...learningRate(g)];
}
