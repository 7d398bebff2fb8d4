/**
 * The learning-rate range test (Smith, "Cyclical Learning Rates", 2017; the "LR finder" of
 * fastai): train a fresh copy of the model for a bounded number of steps while the learning
 * rate grows exponentially from `minLr` to `maxLr`, record the loss against the rate, stop once
 * the loss diverges, and read a good rate off the curve. Pure: the engine
 * (engine/lr-range-run.ts) feeds it one (rate, loss) pair per step.
 *
 * The curve is noisy (one batch per point). While the sweep runs, a bias-corrected exponential
 * moving average (`smoothed`) decides when the loss has diverged; the suggestion is read from
 * a centred moving average of the losses up to divergence, which has no lag.
 *
 * The suggestion, and why:
 *  - **steepest** (the default): the rate where the smoothed loss falls fastest per decade of
 *    learning rate, looked for between the first tenth of the sweep and the curve's minimum. That is where one step buys the most progress while the loss is still well
 *    behaved; the minimum itself is already at the edge of instability (a run at that rate
 *    sits where the loss is about to turn up, and a longer run drifts past it).
 *  - **min/10**: one tenth of the rate at the smoothed loss's minimum, used when the curve has
 *    no clear falling region to read a slope from (fewer than 4 points before the minimum, or
 *    the loss fell by less than 5% there): the rule of thumb a decade below the blow-up point,
 *    which needs only the minimum's position.
 */

export interface LrRangeSettings {
  minLr: number;
  maxLr: number;
  steps: number;
  /** The sweep stops once the smoothed loss exceeds this many times its best (default 4). */
  divergeFactor?: number;
  /** β of the moving average, 0 ≤ β < 1 (default `defaultSmoothing(steps)`). */
  smoothing?: number;
}

export interface LrPoint {
  step: number;
  lr: number;
  /** The batch loss; null when it was NaN or infinite. */
  loss: number | null;
  /** The bias-corrected moving average of the loss; null after a non-finite loss. */
  smoothed: number | null;
}

export interface LrSuggestion {
  lr: number;
  method: 'steepest' | 'min/10';
  reason: string;
  steepestLr?: number;
  minLossLr?: number;
}

export const DEFAULT_LR_RANGE = { minLr: 1e-7, maxLr: 10, steps: 100, divergeFactor: 4 } as const;

/** β giving a window of about a tenth of the sweep (0.9 for 100 steps), within [0.6, 0.98]. */
export function defaultSmoothing(steps: number): number {
  return Math.min(0.98, Math.max(0.6, 1 - 10 / steps));
}

/** The rate of step i (0-based) of an exponential sweep from min to max over `steps` steps. */
export function lrAt(i: number, s: Pick<LrRangeSettings, 'minLr' | 'maxLr' | 'steps'>): number {
  if (s.steps <= 1) return s.minLr;
  return s.minLr * Math.pow(s.maxLr / s.minLr, i / (s.steps - 1));
}

/** Checks the settings; returns a message for the first problem. */
export function checkLrRange(s: LrRangeSettings): string | undefined {
  if (!(s.minLr > 0) || !Number.isFinite(s.minLr)) return `the smallest learning rate must be a positive number (got ${s.minLr})`;
  if (!(s.maxLr > s.minLr) || !Number.isFinite(s.maxLr))
    return `the largest learning rate must be above the smallest (got ${s.maxLr} ≤ ${s.minLr})`;
  if (!Number.isInteger(s.steps) || s.steps < 5) return `the sweep needs at least 5 steps (got ${s.steps})`;
  if (s.divergeFactor !== undefined && !(s.divergeFactor > 1)) return `the divergence factor must be above 1 (got ${s.divergeFactor})`;
  if (s.smoothing !== undefined && !(s.smoothing >= 0 && s.smoothing < 1)) return `the smoothing must be in [0, 1) (got ${s.smoothing})`;
  return undefined;
}

/** Steps before the divergence test applies (the average of the first few points is one batch's noise). */
const WARMUP = 3;

/** Accumulates the curve step by step and says when the sweep should stop. */
export class LrRangeTracker {
  readonly points: LrPoint[] = [];
  private avg = 0;
  private n = 0;
  private best = Infinity;
  readonly beta: number;
  readonly factor: number;

  constructor(readonly settings: LrRangeSettings) {
    this.beta = settings.smoothing ?? defaultSmoothing(settings.steps);
    this.factor = settings.divergeFactor ?? DEFAULT_LR_RANGE.divergeFactor;
  }

  /** Adds a step's loss; returns why the sweep must stop, if it must. */
  add(lr: number, loss: number): { point: LrPoint; stop?: string } {
    const step = this.points.length + 1;
    if (!Number.isFinite(loss)) {
      const point = { step, lr, loss: null, smoothed: null };
      this.points.push(point);
      return { point, stop: `the loss became ${loss} at learning rate ${formatLr(lr)}` };
    }
    this.n++;
    this.avg = this.beta * this.avg + (1 - this.beta) * loss;
    const smoothed = this.avg / (1 - Math.pow(this.beta, this.n));
    const point = { step, lr, loss, smoothed };
    this.points.push(point);
    if (smoothed < this.best) this.best = smoothed;
    if (this.n > WARMUP && smoothed > this.factor * this.best) {
      return {
        point,
        stop: `the smoothed loss (${smoothed.toPrecision(3)}) exceeded ${this.factor}× its best (${this.best.toPrecision(3)}) at learning rate ${formatLr(lr)}`,
      };
    }
    return { point };
  }

  get bestLoss(): number {
    return this.best;
  }
}

/**
 * A centred moving average (window 2·half+1, shrinking at the ends): no lag, unlike the
 * online average, whose lag of ~1/(1-β) steps would shift every rate read from it upwards by
 * that many steps of the sweep (about a decade for 100 steps over 8 decades).
 */
export function centredAverage(values: readonly number[], half: number): number[] {
  return values.map((_, i) => {
    const lo = Math.max(0, i - half);
    const hi = Math.min(values.length - 1, i + half);
    const k = Math.min(i - lo, hi - i);
    let sum = 0;
    for (let j = i - k; j <= i + k; j++) sum += values[j];
    return sum / (2 * k + 1);
  });
}

/** The suggested rate from a curve (see the file comment); null when the curve is too short. */
export function suggestLearningRate(points: readonly LrPoint[]): LrSuggestion | null {
  // The curve up to its first non-finite loss.
  const pts: { lr: number; loss: number }[] = [];
  for (const p of points) {
    if (p.loss === null || !Number.isFinite(p.loss)) break;
    pts.push({ lr: p.lr, loss: p.loss });
  }
  if (pts.length < 5) return null;
  const curve = centredAverage(
    pts.map((p) => p.loss),
    Math.max(1, Math.round(pts.length / 20)),
  );
  let iMin = 0;
  for (let i = 1; i < curve.length; i++) if (curve[i] < curve[iMin]) iMin = i;
  const minLossLr = pts[iMin].lr;
  const skip = Math.max(1, Math.floor(pts.length / 10));
  // d(loss)/d(log10 lr) by central differences, between the first tenth and the minimum.
  let iSteep = -1;
  let slope = 0;
  for (let i = skip; i < iMin && i + 1 < pts.length; i++) {
    const d = (curve[i + 1] - curve[i - 1]) / (Math.log10(pts[i + 1].lr) - Math.log10(pts[i - 1].lr));
    if (d < slope) {
      slope = d;
      iSteep = i;
    }
  }
  const start = curve[Math.min(skip, iMin)];
  const drop = start > 0 ? (start - curve[iMin]) / start : 0;
  const fmt = formatLr;
  if (iSteep >= 0 && iMin - skip >= 4 && drop >= 0.05) {
    const lr = pts[iSteep].lr;
    return {
      lr,
      method: 'steepest',
      reason:
        `the loss falls fastest at ${fmt(lr)} (${(-slope).toPrecision(3)} per tenfold rate on the centred average; it fell ${(drop * 100).toFixed(0)}% before its minimum at ${fmt(minLossLr)}). ` +
        `The steepest point is where a step gains the most while training is still stable; the minimum is already at the edge of divergence.`,
      steepestLr: lr,
      minLossLr,
    };
  }
  const lr = minLossLr / 10;
  const why =
    iMin <= skip
      ? `the loss never fell below its first values (lowest at ${fmt(minLossLr)}, the start of the sweep): lower --min, or check the data and the loss`
      : `the curve has no clear falling region to read a slope from (the loss fell ${(drop * 100).toFixed(0)}% over ${iMin - skip} points before its minimum at ${fmt(minLossLr)})`;
  return {
    lr,
    method: 'min/10',
    reason: `${why}; one tenth of the rate at the minimum stays a decade below where the loss turns up.`,
    ...(iSteep >= 0 ? { steepestLr: pts[iSteep].lr } : {}),
    minLossLr,
  };
}

/** A rate as it would be written in code: two significant digits, `3e-4` or `0.003`. */
export function formatLr(lr: number): string {
  if (!Number.isFinite(lr)) return String(lr);
  const r = Number(lr.toPrecision(2));
  if (r !== 0 && (Math.abs(r) < 1e-3 || Math.abs(r) >= 1e4)) {
    const [m, e] = r.toExponential().split('e');
    return `${m}e${Number(e)}`;
  }
  return String(r);
}
