/**
 * Overfitting: the validation loss rises while the training loss keeps falling, for more than
 * one epoch; or the training accuracy is near perfect while the validation accuracy stays far
 * below it (the generalisation gap).
 */
import type { LayerInfo, ModelContext } from '../context';
import { initialLoss } from '../curve';
import { finding, type Detector } from '../detector';
import { fmt, pct, type Finding } from '../findings';
import { msg, type EvidenceDraft } from '../messages';
import { dataAugmentation, dropoutAfter, earlyStopping, l2Regularization, moreData, smallerModel } from '../fixes';
import type { EpochRecord, StreamState } from '../state';

/**
 * The validation loss 10% above its best. Validation losses of healthy runs wobble by a few
 * percent from epoch to epoch; 10% above the best, with training still improving, is the
 * memorising regime.
 */
export const OVERFIT_VAL_RISE = 0.1;
/**
 * …in the latest epoch, and at least half that in each of the last 2 (one bad epoch is
 * noise), while the training loss is below what it was at the best epoch.
 */
export const OVERFIT_PATIENCE = 2;
/**
 * Generalisation gap: training accuracy ≥ 95% with validation accuracy 20 points lower, for
 * the last 2 epochs. Healthy small-data runs were within ~10–15 points.
 */
export const OVERFIT_TRAIN_ACC = 0.95;
export const OVERFIT_ACC_GAP = 0.2;
/**
 * The rise must also matter on the scale of the problem: at least 2% of the run's initial loss.
 * A solved problem's validation loss sits at its noise floor (3e-4 after starting at 0.7, seen
 * on two rings) where "10% above its best" is a wobble of 1e-4 that no one should act on.
 */
export const OVERFIT_MIN_RISE_OF_INITIAL = 0.02;

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const epochs = state.epochs.toArray().filter((e) => e.valLoss !== null || e.valAcc !== null);
  if (epochs.length < OVERFIT_PATIENCE + 1) return [];
  const last = epochs.slice(-OVERFIT_PATIENCE);
  const latest = last[last.length - 1];
  const best = state.bestVal;

  let reason: 'rise' | 'gap' | undefined;
  if (best && latest.valLoss !== null && best.epoch < last[0].epoch) {
    const rising =
      latest.valLoss >= best.valLoss * (1 + OVERFIT_VAL_RISE) &&
      last.every((e) => e.valLoss !== null && e.valLoss >= best.valLoss * (1 + OVERFIT_VAL_RISE / 2));
    const trainFalling = best.trainLoss !== null && latest.loss !== null && latest.loss < best.trainLoss;
    // Memorising fits the training data better than the model ever fitted the held-out data:
    // the training loss is below the best validation loss. A training loss above it (XOR with
    // Adam at 0.03: 0.084 against a best of 0.065) means the steps are too noisy for the end of
    // training, not that the model memorises (and dropout or regularisation keep a healthy
    // model's training loss above its validation loss).
    const gapPositive = latest.loss === null || (latest.valLoss > latest.loss && latest.loss < best.valLoss);
    const initial = initialLoss(state);
    const matters = !Number.isFinite(initial) || latest.valLoss - best.valLoss >= OVERFIT_MIN_RISE_OF_INITIAL * Math.abs(initial);
    if (rising && trainFalling && gapPositive && matters) reason = 'rise';
  }
  if (
    !reason &&
    last.every((e) => e.acc !== null && e.valAcc !== null && e.acc >= OVERFIT_TRAIN_ACC && e.acc - e.valAcc >= OVERFIT_ACC_GAP)
  )
    reason = 'gap';
  if (!reason) return [];

  const hidden = widestHidden(state, ctx);
  const fixes = [
    earlyStopping(1),
    dropoutAfter(hidden?.name, 2),
    l2Regularization(hidden ? [hidden.name] : [], 3),
    dataAugmentation(4),
    moreData(5),
    smallerModel(6),
  ];
  const text =
    reason === 'rise'
      ? msg('overfitting.rise', { best: fmt(best!.valLoss), epoch: best!.epoch, latest: fmt(latest.valLoss), train: fmt(latest.loss) })
      : msg('overfitting.gap', { accuracy: pct(latest.acc!), validation: pct(latest.valAcc!) });
  return [
    finding(state, {
      code: 'overfitting',
      key: 'model',
      severity: 'warning',
      text: [text],
      layers: [],
      line: ctx.fitLine(),
      step: latest.step,
      evidence: evidence(latest, state),
      fixes,
      explain: ['concept.overfitting', 'concept.regularization', 'concept.earlyStopping'],
    }),
  ];
}

function evidence(latest: EpochRecord, state: StreamState): EvidenceDraft {
  return {
    epoch: latest.epoch,
    valLoss: latest.valLoss,
    trainLoss: latest.loss,
    bestValLoss: state.bestVal?.valLoss,
    bestEpoch: state.bestVal?.epoch,
    gap: latest.valLoss !== null && latest.loss !== null ? latest.valLoss - latest.loss : undefined,
    accuracy: latest.acc,
    valAccuracy: latest.valAcc,
  };
}

/** The hidden layer with the most parameters (where dropout or L2 helps most). */
function widestHidden(state: StreamState, ctx: ModelContext): LayerInfo | undefined {
  let best: LayerInfo | undefined;
  for (const name of state.layerOrder) {
    const l = ctx.layer(name);
    if (l.isOutput || !['Dense', 'Conv2D', 'Conv1D', 'LSTM', 'GRU'].includes(l.className)) continue;
    if (!best || (l.trainableParams ?? 0) > (best.trainableParams ?? 0)) best = l;
  }
  return best;
}

export const overfitting: Detector = {
  name: 'overfitting',
  codes: ['overfitting'],
  triggers: ['epoch'],
  detect,
};
