/**
 * Wrappers (tfjs-layers `layers/wrappers.ts`): bidirectional and timeDistributed. Their
 * `layer` config arrives as an InnerLayer {rule, config}; the inner rule does the work.
 *
 * MACs convention: those of the inner layer — twice for bidirectional (one pass each
 * way; the merge itself is elementwise and not counted), once per timestep for
 * timeDistributed (null when the number of timesteps is unknown).
 */
import type { Shape, WeightInfo } from '../graph';
import { applyRule, isShapeList, type LayerResult } from './apply';
import { innerLayer, times, weightCount, weightsFormula } from './helpers';
import { type InnerLayer, type LayerRule, ShapeError, UnknownValue, fmtNum, fmtShape, single } from './rule';

/**
 * Builds the inner layer. A `trainable: false` inner layer makes every weight of the
 * wrapper non-trainable in tfjs (the wrapper reports the inner layer's lists).
 */
function buildInner(inner: InnerLayer, inputShapes: Shape[]): LayerResult {
  const trainable = inner.config.trainable !== false;
  const r = applyRule(inner.rule, inputShapes, inner.config, trainable);
  return trainable ? r : { ...r, weights: r.weights.map((w) => ({ ...w, trainable: false })) };
}

/** The inner layer's own formula, or one written from its weights. */
function innerExpr(r: LayerResult): string {
  const f = r.paramFormula ?? weightsFormula(r.weights);
  const eq = f.lastIndexOf(' = ');
  return eq < 0 ? f : f.slice(0, eq);
}

/* ---------- bidirectional ---------- */

const MERGE_MODES = ['sum', 'mul', 'concat', 'ave'];

/** tfjs keeps an explicit `mergeMode: null` (two outputs); only an absent one means 'concat'. */
function mergeMode(raw: unknown): string | null {
  if (raw === undefined) return 'concat';
  if (raw === null) return null;
  if (raw instanceof UnknownValue) {
    throw new ShapeError('unknown-config', `Bidirectional: 'mergeMode' could not be evaluated, and the output shape depends on it.`);
  }
  if (typeof raw !== 'string' || !MERGE_MODES.includes(raw)) {
    throw new ShapeError(
      'invalid-config',
      `Bidirectional: ${JSON.stringify(raw)} is not a valid mergeMode; valid values are ${MERGE_MODES.join(', ')} or null.`,
    );
  }
  return raw;
}

/**
 * tfjs's Bidirectional.computeOutputShape: the forward layer's shapes, the output merged
 * ('concat' doubles the last dimension, null keeps two outputs), then the forward and
 * the backward states.
 */
function bidirectionalShape(inner: Shape | Shape[], mode: string | null): Shape | Shape[] {
  const [output, ...states] = isShapeList(inner) ? inner : [inner];
  const merged: Shape = output.slice();
  if (mode === 'concat') {
    const last = merged.length - 1;
    merged[last] = merged[last] === null ? null : (merged[last] as number) * 2;
  }
  const outputs = mode === null ? [merged, merged.slice()] : [merged];
  if (states.length > 0) return [...outputs, ...states, ...states.map((s) => s.slice())];
  return outputs.length === 1 ? outputs[0] : outputs;
}

function prefixed(weights: WeightInfo[], prefix: string): WeightInfo[] {
  return weights.map((w) => ({ ...w, name: `${prefix}/${w.name}` }));
}

const bidirectional: LayerRule = {
  className: 'Bidirectional',
  factories: ['bidirectional'],
  build(input) {
    const inner = innerLayer(input.cfg, 'layer');
    const mode = mergeMode(input.cfg.raw('mergeMode'));
    if (inner.rule.className === 'RNN') {
      // tfjs rebuilds the layer twice from one config object, and the first rebuild
      // replaces the serialized cell with the cell itself: the second one then throws.
      throw new ShapeError(
        'bidirectional-rnn-cell',
        'Bidirectional: tfjs 4.22 cannot wrap tf.layers.rnn({cell}) (it fails to copy the cell); wrap tf.layers.lstm, gru or simpleRNN instead.',
      );
    }
    // Forward and backward copies share the config (goBackwards flipped), hence the shapes.
    const r = buildInner(inner, input.inputShapes);
    const forward = prefixed(r.weights, 'forward');
    const backward = prefixed(r.weights, 'backward');
    // tfjs lists the trainable weights of both copies first, then the non-trainable ones.
    const weights = [
      ...forward.filter((w) => w.trainable),
      ...backward.filter((w) => w.trainable),
      ...forward.filter((w) => !w.trainable),
      ...backward.filter((w) => !w.trainable),
    ];
    return {
      outputShape: bidirectionalShape(r.outputShape, mode),
      weights,
      macs: times(2, r.macs),
      paramFormula: `2·(${innerExpr(r)}) = ${fmtNum(weightCount(weights))}`,
      warnings: r.warnings,
    };
  },
};

/* ---------- timeDistributed ---------- */

const timeDistributed: LayerRule = {
  className: 'TimeDistributed',
  factories: ['timeDistributed'],
  build(input) {
    const shape = single(input, 'TimeDistributed');
    const inner = innerLayer(input.cfg, 'layer');
    if (shape.length < 3) {
      throw new ShapeError(
        'wrong-input-rank',
        `TimeDistributed expects an input of rank ≥ 3 ([batch, time, …]), got ${fmtShape(shape)}.`,
      );
    }
    // The inner layer sees one timestep: the time axis removed.
    const r = buildInner(inner, [[shape[0], ...shape.slice(2)]]);
    if (isShapeList(r.outputShape)) {
      throw new ShapeError(
        'time-distributed-multi-output',
        `TimeDistributed: the inner ${inner.rule.className} has ${r.outputShape.length} outputs; tfjs can only distribute a layer with one output.`,
      );
    }
    const child = r.outputShape;
    return {
      outputShape: [child[0], shape[1], ...child.slice(1)],
      weights: r.weights,
      macs: times(shape[1], r.macs),
      paramFormula: r.paramFormula ?? weightsFormula(r.weights),
      shapeFormula: r.shapeFormula,
      warnings: r.warnings,
    };
  },
};

export const wrapperRules: LayerRule[] = [bidirectional, timeDistributed];
