/**
 * Labels that do not fit the loss: class indices with categoricalCrossentropy, one-hot rows
 * with sparseCategoricalCrossentropy, targets outside [0, 1] with binaryCrossentropy, several
 * 1s per row with a softmax loss. Decided from the target statistics before the first step;
 * without them, a negative cross-entropy (impossible for targets in [0, 1]) gives it away at
 * run time.
 *
 * `fit()` itself rejects some of these with its own message (targets of shape [n, 1] with
 * categoricalCrossentropy on 10 units); others run silently and learn nothing or drive the
 * loss negative (tfjs-facts.md).
 */
import type { ModelContext } from '../context';
import { finding, type Detector } from '../detector';
import { fmt, type Finding, type Fix } from '../findings';
import { msg, when, type EvidenceDraft, type MessagePart } from '../messages';
import { checkLabels, oneHotLabels, scaleTargets, setLoss } from '../fixes';
import type { StreamState } from '../state';
import type { TargetStats } from '../stream';

/** Cross-entropies whose value is ≥ 0 for any target in [0, 1]. */
const CROSS_ENTROPIES = new Set(['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy']);

/**
 * A cross-entropy below this is negative beyond float32 rounding: the targets are outside
 * [0, 1] (or not probabilities).
 */
export const NEGATIVE_LOSS = -1e-6;

interface Mismatch {
  severity: 'error' | 'warning';
  /** The whole sentence: what the loss expects and what the labels are. */
  why: MessagePart;
  evidence: EvidenceDraft;
  fixes: Fix[];
}

function check(loss: string, t: TargetStats, units: number | undefined): Mismatch | undefined {
  const ev: EvidenceDraft = {
    min: t.min ?? undefined,
    max: t.max ?? undefined,
    lastDim: t.lastDim,
    integer: t.integer ? 1 : 0,
    oneHot: t.oneHot ? 1 : 0,
    outputUnits: units,
  };
  const outOfUnit = (t.min !== null && t.min < 0) || (t.max !== null && t.max > 1);
  switch (loss) {
    case 'categoricalCrossentropy':
      if (t.lastDim === 1 && (units === undefined || units > 1) && t.integer) {
        // A data file's label column the engine one-hot encoded for its own run: that run trains,
        // but the user's `fit` on the same data with this loss does not (a warning, not an error).
        return {
          severity: t.engineOneHot ? 'warning' : 'error',
          why: msg('labels.categoricalIndices', {
            width: when(Boolean(units), () => msg('labels.rowWidth', { units: units! })),
            min: fmt(t.min),
            max: fmt(t.max),
            engine: when(Boolean(t.engineOneHot), () => msg('labels.engineOneHot')),
          }),
          evidence: ev,
          fixes: [setLoss('sparseCategoricalCrossentropy', 1), oneHotLabels(2)],
        };
      }
      if (outOfUnit) {
        return {
          severity: 'error',
          why: msg('labels.categoricalRange', { min: fmt(t.min), max: fmt(t.max) }),
          evidence: ev,
          fixes: [oneHotLabels(1), setLoss('sparseCategoricalCrossentropy', 2)],
        };
      }
      if (t.lastDim > 1 && t.rowSumOne === false && !t.oneHot) {
        return {
          severity: 'warning',
          why: msg('labels.multiLabel'),
          evidence: ev,
          fixes: [setLoss('binaryCrossentropy', 1), checkLabels(2)],
        };
      }
      return undefined;
    case 'sparseCategoricalCrossentropy':
      if (t.lastDim > 1 && t.oneHot) {
        return {
          severity: 'error',
          why: msg('labels.sparseOneHot', { width: t.lastDim }),
          evidence: ev,
          fixes: [setLoss('categoricalCrossentropy', 1)],
        };
      }
      if (!t.integer || (t.min !== null && t.min < 0) || (units !== undefined && t.max !== null && t.max >= units)) {
        return {
          severity: 'error',
          why: msg('labels.sparseRange', {
            last: units !== undefined ? units - 1 : 'units − 1',
            min: fmt(t.min),
            max: fmt(t.max),
            notWhole: when(!t.integer, () => msg('labels.notWhole')),
          }),
          evidence: ev,
          fixes: [checkLabels(1), setLoss('meanSquaredError', 2)],
        };
      }
      return undefined;
    case 'binaryCrossentropy':
      if (outOfUnit) {
        const classes = t.integer && t.min !== null && t.min >= 0 && t.max !== null && t.max >= 2;
        return {
          severity: 'error',
          why: msg('labels.binaryRange', { min: fmt(t.min), max: fmt(t.max), hint: when(classes, () => msg('labels.classIndices')) }),
          evidence: ev,
          fixes: classes
            ? [setLoss('sparseCategoricalCrossentropy', 1), scaleTargets(2)]
            : [scaleTargets(1), setLoss('meanSquaredError', 2)],
        };
      }
      return undefined;
  }
  return undefined;
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const out: Finding[] = [];
  const losses = ctx.losses();
  const outputs = ctx.outputLayers();
  const targets = state.dataStats?.targets ?? [];
  const line = ctx.compileLine() ?? ctx.fitLine();
  targets.forEach((t, i) => {
    const loss = losses.length === 1 ? losses[0] : losses[i];
    if (!loss) return;
    const units = i === 0 ? ctx.outputUnits() : undefined;
    const m = check(loss, t, units);
    if (!m) return;
    const out0 = outputs[i];
    out.push(
      finding(state, {
        code: 'label-loss-mismatch',
        key: `output-${i}`,
        severity: m.severity,
        text: [m.why],
        layers: out0 ? [out0.name] : [],
        line,
        evidence: { output: i, ...m.evidence },
        fixes: m.fixes,
        explain: ['concept.labelEncoding', `loss.${loss}`],
      }),
    );
  });
  if (out.length > 0) return out;

  // At run time: a cross-entropy can only go negative when targets leave [0, 1].
  const neg = state.firstNegativeLoss;
  const ce = losses.find((l) => CROSS_ENTROPIES.has(l));
  if (neg && neg.loss < NEGATIVE_LOSS && ce) {
    const out0 = outputs[0];
    out.push(
      finding(state, {
        code: 'label-loss-mismatch',
        key: 'output-0',
        severity: 'error',
        text: [msg('labels.negativeLoss', { loss: ce, value: fmt(neg.loss), step: neg.step })],
        layers: out0 ? [out0.name] : [],
        line,
        step: neg.step,
        evidence: { loss: neg.loss, step: neg.step },
        fixes:
          ce === 'binaryCrossentropy' ? [setLoss('sparseCategoricalCrossentropy', 1), scaleTargets(2)] : [oneHotLabels(1), checkLabels(2)],
        explain: ['concept.labelEncoding', `loss.${ce}`],
      }),
    );
  }
  return out;
}

export const labelLoss: Detector = {
  name: 'label-loss',
  codes: ['label-loss-mismatch'],
  triggers: ['data-stats', 'compile', 'step'],
  detect,
};
