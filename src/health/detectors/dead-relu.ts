/**
 * Dead ReLU units: units of a ReLU layer that output exactly zero for every sample (and every
 * position) of the probe batch, probe after probe. They receive no gradient (tfjs's ReLU
 * gradient at 0 is 0), so they never come back; a layer that is dead as a whole also stops
 * every gradient to the layers before it and to the kernel of the layer after it.
 */
import type { LayerInfo, ModelContext } from '../context';
import { initialLoss, recentLoss } from '../curve';
import { finding, type Detector } from '../detector';
import { pct, type Finding } from '../findings';
import { msg, when } from '../messages';
import { heInitialization, leakyRelu, lowerLearningRate, zeroBias } from '../fixes';
import type { ProbeRecord, StreamState } from '../state';

/**
 * Half the units dead. Healthy networks that trained well were seen with up to ~28% dead
 * ReLU units (tfjs-facts.md), so a threshold under ~35% would fire on good runs; past half,
 * the layer has lost most of its width and it usually keeps dying.
 */
export const DEAD_UNIT_FRACTION = 0.5;
/** Nearly the whole layer: it passes nothing forward and no gradient backward (error). */
export const DEAD_UNIT_SEVERE = 0.9;
/**
 * Between half and three quarters dead, a run whose loss has at least halved is learning with
 * the width it has left: a 2-64-32-2 ReLU net on two rings with Adam at 0.01 was seen with 50% of
 * a layer dead and its loss down to 1e-4, and Adam at 0.1 on spirals leaves 50–70% dead while
 * the loss falls from 1.1 to 0.03–0.3. That is reported as an info (true, nothing to fix now);
 * without that progress, or with more than three quarters dead, the dead units are the likely
 * reason the run does not learn (a warning).
 */
export const DEAD_UNIT_MOST = 0.75;
export const DEAD_BENIGN_PROGRESS = 0.5;
/** Consecutive probes that must show it: a unit silent on one probe may wake up by the next. */
export const DEAD_SUSTAIN_PROBES = 2;
/**
 * Without a per-unit count (`deadFraction`), only a layer whose outputs are almost all zeros
 * can be called dead: a healthy ReLU layer has ~50–70% zeros among its values.
 */
export const DEAD_ZERO_FALLBACK = 0.99;
/**
 * The learning rates above which a dying layer is most likely the optimizer's fault
 * (Adam and friends: their step is ~lr per weight; plain SGD tolerates more).
 */
export const DEAD_HIGH_ADAPTIVE_LR = 0.01;
export const DEAD_HIGH_SGD_LR = 0.5;

const RELU_LIKE = new Set(['relu', 'relu6', 'thresholdedReLU']);

function deadOf(p: ProbeRecord): number | null {
  if (p.deadFraction !== null) return p.deadFraction;
  return p.fracZero !== null && p.fracZero >= DEAD_ZERO_FALLBACK ? p.fracZero : null;
}

/**
 * A ReLU-family output: by the graph's activation, else the engine's, else by its values when
 * neither is known (never negative, with exact zeros). Outputs are not guessed at that way: a
 * saturated softmax or sigmoid also produces exact zeros.
 */
export function isReluLike(info: LayerInfo, probe: ProbeRecord): boolean {
  const act = info.activation ?? probe.activation;
  if (act !== undefined) return RELU_LIKE.has(act);
  if (probe.className === 'ReLU' || probe.className === 'ThresholdedReLU') return true;
  return !info.isOutput && probe.min === 0 && probe.fracZero !== null && probe.fracZero > 0;
}

function detect(state: StreamState, ctx: ModelContext): Finding[] {
  const out: Finding[] = [];
  const lr = ctx.learningRate();
  const highLr = lr !== undefined && lr >= (ctx.adaptive() ? DEAD_HIGH_ADAPTIVE_LR : DEAD_HIGH_SGD_LR);
  const start = initialLoss(state);
  const now = recentLoss(state, 20);
  const progress = Number.isFinite(start) && Number.isFinite(now) && start > 0 ? 1 - now / start : 0;
  for (const name of state.probeOrder) {
    const hist = state.probeHistory(name);
    if (hist.length < DEAD_SUSTAIN_PROBES) continue;
    const latest = hist[hist.length - 1];
    const info = ctx.layer(name, latest.className);
    if (!isReluLike(info, latest)) continue;
    const recent = hist.slice(-DEAD_SUSTAIN_PROBES).map(deadOf);
    if (!recent.every((d) => d !== null && d >= DEAD_UNIT_FRACTION)) continue;
    const dead = recent[recent.length - 1]!;
    const units = latest.units;
    const negativeBias = negativeBiasInit(info);
    const fixes = [
      ...(negativeBias ? [zeroBias([info.name], 1)] : []),
      lowerLearningRate(ctx, highLr ? 1 : 3),
      leakyRelu([info.name], 2),
      heInitialization([info.name], 4),
    ];
    out.push(
      finding(state, {
        code: 'dead-relu',
        key: info.name,
        severity: dead >= DEAD_UNIT_SEVERE ? 'error' : dead >= DEAD_UNIT_MOST || progress < DEAD_BENIGN_PROGRESS ? 'warning' : 'info',
        text: [
          msg('deadRelu.main', {
            fraction: pct(dead),
            layer: info.name,
            count: when(Boolean(units), () => msg('deadRelu.count', { dead: Math.round(dead * units!), total: units! })),
          }),
          ...(dead >= DEAD_UNIT_SEVERE ? [msg('deadRelu.blocks')] : []),
          ...(highLr ? [msg('deadRelu.highRate', { lr: lr!, optimizer: ctx.optimizer() ?? msg('thisOptimizer') })] : []),
        ],
        layers: [info.name],
        line: info.line,
        evidence: {
          deadFraction: dead,
          deadUnits: units ? Math.round(dead * units) : undefined,
          units,
          fracZero: latest.fracZero,
          probes: hist.length,
          learningRate: lr,
          lossProgress: progress,
        },
        fixes,
        explain: ['concept.deadRelu', 'activation.relu', 'layer.LeakyReLU'],
      }),
    );
  }
  return out;
}

/** A bias initialiser that starts units below zero (`constant({value: -1})`). */
function negativeBiasInit(info: LayerInfo): boolean {
  const init = info.node?.config.biasInitializer;
  if (typeof init !== 'object' || init === null) return false;
  const cfg = ((init as { config?: unknown }).config ?? init) as Record<string, unknown>;
  return typeof cfg.value === 'number' && cfg.value < 0;
}

export const deadRelu: Detector = {
  name: 'dead-relu',
  codes: ['dead-relu'],
  triggers: ['activations'],
  detect,
};
