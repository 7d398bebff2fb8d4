/**
 * Weights that never change: a frozen layer, a learning rate of 0, a branch whose output never
 * reaches the loss, a one-unit softmax (its gradient is exactly 0 everywhere).
 *
 * Frozen layers never reach the optimizer in tfjs, so a gradient hook never sees them
 * (tfjs-facts.md): the evidence is the engine's weight snapshots (`trainable: false`,
 * update ratio 0) or, failing those, a layer the analysis says has weights that the stream
 * never reports.
 */
import type { LayerInfo, ModelContext } from '../context';
import { currentLearningRate } from '../curve';
import { finding, type Detector } from '../detector';
import { type Finding, type Fix } from '../findings';
import { msg, when, type MessagePart } from '../messages';
import {
  connectBranch,
  glorotInitialization,
  lowerLearningRate,
  rescaleInputs,
  setLearningRate,
  sigmoidOutput,
  standardizeInputs,
  unfreeze,
} from '../fixes';
import { clipStall, inputsLookUnnormalized } from './input-scale';
import { DEFAULT_LEARNING_RATES } from '../context';
import type { StreamState } from '../state';
import { ZERO_RATIO } from './update-ratio';

/**
 * Reports in a row with ‖Δw‖/‖w‖ ≤ 1e-10 (below what float32 can represent as a real change
 * of a weight): one or two could be a skipped step; five are not.
 */
export const UNCHANGED_REPORTS = 5;
/**
 * A learning rate this small moves float32 weights of order 0.1 by less than their last bit
 * (2⁻²⁴ ≈ 6e-8 relative) even with Adam's unit-sized steps: as good as 0.
 */
export const NEGLIGIBLE_LR = 1e-8;

type Cause = 'frozen' | 'zero-lr' | 'no-gradient' | 'no-update' | 'never-reported';

interface Still {
  info: LayerInfo;
  cause: Cause;
  gradNorm?: number;
  ratio?: number;
}

function causeText(c: Cause): MessagePart {
  switch (c) {
    case 'frozen':
      return msg('unchanged.frozen');
    case 'zero-lr':
      return msg('unchanged.zeroRate');
    case 'no-gradient':
      return msg('unchanged.noGradient');
    case 'no-update':
      return msg('unchanged.noUpdate');
    case 'never-reported':
      return msg('unchanged.neverReported');
  }
}

function groupText(c: Cause): MessagePart {
  switch (c) {
    case 'frozen':
      return msg('unchanged.everyFrozen');
    case 'no-gradient':
      return msg('unchanged.everyZero');
    case 'never-reported':
      return msg('unchanged.noneReported');
    default:
      return causeText(c);
  }
}

/** The model the engine built has parameters but none the optimizer trains: every layer is frozen. */
function allFrozen(state: StreamState, ctx: ModelContext): Finding[] {
  const m = state.model;
  if (!m || m.trainableParams !== 0 || !(m.totalParams !== undefined && m.totalParams > 0)) return [];
  const withWeights = m.layers
    .filter((l) => l.params > 0)
    .map((l) => ctx.layer(l.name, l.className))
    .sort((a, b) => a.index - b.index);
  return [
    finding(state, {
      code: 'unchanged-weights',
      key: 'all',
      severity: 'error',
      text: [msg('unchanged.allFrozen', { total: m.totalParams.toLocaleString('en-US') })],
      layers: withWeights.map((l) => l.name),
      line: withWeights[0]?.line ?? ctx.modelLine(),
      evidence: { totalParams: m.totalParams, trainableParams: 0, frozen: withWeights.length },
      fixes: [
        unfreeze(
          withWeights.slice(-1).map((l) => l.name),
          1,
        ),
      ],
      explain: ['concept.frozenLayers'],
    }),
  ];
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const frozen = allFrozen(state, ctx);
  if (frozen.length > 0) return frozen;
  if (state.reports < UNCHANGED_REPORTS) return [];
  const lr = currentLearningRate(state, ctx.learningRate());
  const still: Still[] = [];
  const seen = new Set<LayerInfo>();
  let reported = 0;
  let allResolved = true;
  for (const name of state.layerOrder) {
    const info = ctx.layer(name);
    seen.add(info);
    if (!info.node) allResolved = false;
    const hist = state.layerHistory(name).slice(-UNCHANGED_REPORTS);
    reported++;
    if (hist.length < UNCHANGED_REPORTS) continue;
    if (!hist.every((r) => r.updateRatio !== null && r.updateRatio <= ZERO_RATIO)) continue;
    const trained = hist.some((r) => r.trainable);
    const grads = hist.map((r) => r.gradNorm);
    const cause: Cause =
      !trained || !info.trainable
        ? 'frozen'
        : lr !== undefined && lr < NEGLIGIBLE_LR
          ? 'zero-lr'
          : grads.every((g) => g === 0)
            ? 'no-gradient'
            : 'no-update';
    still.push({ info, cause, gradNorm: grads.at(-1) ?? undefined, ratio: Math.max(...hist.map((r) => r.updateRatio!)) });
  }
  // Layers with weights per the analysis that the stream never mentions.
  if (allResolved && reported > 0) {
    for (const info of ctx.graphLayersWithWeights()) {
      if (seen.has(info)) continue;
      reported++;
      still.push({ info, cause: info.trainable ? 'never-reported' : 'frozen' });
    }
  }
  if (still.length === 0) return [];
  still.sort((a, b) => a.info.index - b.info.index);

  if (still.length === reported) {
    const causes = new Set(still.map((s) => s.cause));
    const only = causes.size === 1 ? [...causes][0] : undefined;
    const output = ctx.outputLayers()[0];
    const oneUnitSoftmax = output?.activation === 'softmax' && ctx.outputUnits() === 1;
    const fixes: Fix[] = [];
    if (oneUnitSoftmax) fixes.push(sigmoidOutput(output.name, 1));
    const opt = ctx.optimizer();
    if (only === 'zero-lr') fixes.push(setLearningRate(1, (opt && DEFAULT_LEARNING_RATES[opt]) || 0.001));
    if (only === 'frozen')
      fixes.push(
        unfreeze(
          still.map((s) => s.info.name),
          1,
        ),
      );
    // Confidently wrong everywhere: tfjs clips the cross-entropy at 1e-7, and the clip has no gradient.
    const clipped = only === 'no-gradient' && !oneUnitSoftmax ? clipStall(state, ctx) : {};
    const saturatedOutput = Object.keys(clipped).length > 0;
    if (saturatedOutput) {
      const data = inputsLookUnnormalized(state);
      if (data) fixes.push(data.pixelLike ? rescaleInputs(ctx, 255, 1) : standardizeInputs(1));
      fixes.push(
        lowerLearningRate(ctx, 2),
        glorotInitialization(
          still.map((s) => s.info.name),
          3,
        ),
      );
    }
    if (only === 'no-gradient' || only === 'never-reported') fixes.push(connectBranch(saturatedOutput ? 4 : 2));
    // Mixed causes (typically a network an oversized step has killed: dead layers, a last layer barely moving).
    if (fixes.length === 0) fixes.push(lowerLearningRate(ctx, 1), connectBranch(2));
    const why = oneUnitSoftmax
      ? msg('unchanged.softmaxOne', { layer: output.name })
      : saturatedOutput
        ? msg('unchanged.clipped')
        : only
          ? groupText(only)
          : msg('unchanged.noUpdates');
    return [
      finding(state, {
        code: 'unchanged-weights',
        key: 'all',
        severity: 'error',
        text: [msg('unchanged.all', { reports: UNCHANGED_REPORTS, why })],
        layers: still.map((s) => s.info.name),
        line: oneUnitSoftmax ? output.line : only === 'zero-lr' ? (ctx.compileLine() ?? still[0].info.line) : still[0].info.line,
        evidence: {
          layersAffected: still.length,
          learningRate: lr,
          reports: UNCHANGED_REPORTS,
          gradNorm: still[0].gradNorm,
          frozen: still.filter((s) => s.cause === 'frozen').length,
          ...clipped,
        },
        fixes,
        explain: ['concept.frozenLayers', 'concept.gradientDescent', ...(oneUnitSoftmax || saturatedOutput ? ['activation.softmax'] : [])],
      }),
    ];
  }

  return still.map((s) => {
    // Freezing part of a model is usually deliberate (transfer learning, a GAN's discriminator),
    // unless nothing in the code can have put trained weights into the layer.
    const atInit = s.cause === 'frozen' && ctx.weightsLoaded === false;
    const params = atInit ? frozenParams(state, s.info) : undefined;
    const cause = atInit
      ? msg('unchanged.frozenAtInit', { params: params !== undefined ? params.toLocaleString('en-US') : '?' })
      : causeText(s.cause);
    return finding(state, {
      code: 'unchanged-weights',
      key: s.info.name,
      severity: s.cause === 'frozen' && !atInit ? 'info' : 'warning',
      text: [
        msg('unchanged.layer', {
          layer: s.info.name,
          window: when(s.cause !== 'never-reported', () => msg('unchanged.window', { reports: UNCHANGED_REPORTS })),
          cause,
        }),
      ],
      layers: [s.info.name],
      line: s.info.line,
      evidence: {
        updateRatio: s.ratio,
        gradNorm: s.gradNorm,
        reports: UNCHANGED_REPORTS,
        frozen: s.cause === 'frozen' ? 1 : 0,
        learningRate: lr,
        ...(atInit ? { frozenParams: params } : {}),
      },
      fixes:
        s.cause === 'frozen'
          ? [unfreeze([s.info.name], 1)]
          : s.cause === 'no-update'
            ? [connectBranch(1)]
            : [connectBranch(1), unfreeze([s.info.name], 2)],
      explain: ['concept.frozenLayers', 'concept.backpropagation'],
    });
  });
}

/** The layer's parameter count: the runtime model's, else the analysis's. */
function frozenParams(state: StreamState, info: LayerInfo): number | undefined {
  const runtime = state.model?.layers.find((l) => l.name === info.name)?.params;
  return runtime ?? info.node?.params.total ?? undefined;
}

export const unchangedWeights: Detector = {
  name: 'unchanged-weights',
  codes: ['unchanged-weights'],
  triggers: ['layer-stats', 'model'],
  detect,
};
